//! Tencent Cloud: CAM sub-accounts, roles and root accounts; CAM policies, COS bucket policies,
//! role trust policies, STS temporary-key policies and permission boundaries.
//!
//! The rules and their sources are in `docs/semantics/tencent.md`; UNCERTAIN points of the spec
//! are chosen there and reported in `Evaluation.notes` when they apply.

use crate::eval::{
    allow_reason, match_segments, split_resource, Dialect, LayerEval, PrincipalHow, Run, Scope,
    Verdict,
};
use crate::explain::{ChecklistItem, Evaluation, StatementRef};
use crate::ir::{Effect, Layer, PrincipalEntry, PrincipalKind, ResourcePattern};
use crate::pattern::Glob;
use crate::request::{Caller, CallerKind, Request};
use crate::stack::Stack;

/// The principal that stands for everyone in COS bucket policies.
pub const ANYONE: &str = "qcs::cam::anyone:anyone";

/// The principal COS's policy-language overview uses to grant anonymous users; it is read as
/// [`ANYONE`].
pub const ANONYMOUS: &str = "qcs::cam::anonymous:anonymous";

/// Reads a caller as the test format writes it for Tencent Cloud.
pub fn parse_caller(text: &str, id: Option<&str>) -> Result<Caller, String> {
    let t = text.trim();
    let mut c = Caller {
        kind: CallerKind::Anonymous,
        text: t.to_string(),
        account: None,
        partition: "qcs".into(),
        name: None,
        path: "/".into(),
        session: None,
        id: id.map(str::to_string),
        display_arn: "anonymous".into(),
        principal_arn: None,
    };
    if t.eq_ignore_ascii_case("anonymous") || t == ANYONE || t == ANONYMOUS {
        return Ok(c);
    }
    if !t.contains(':') && t.contains('.') {
        c.kind = CallerKind::Service;
        c.name = Some(t.to_string());
        c.display_arn = t.to_string();
        return Ok(c);
    }
    let bad = || {
        format!("`{t}` is not a Tencent Cloud principal: expected `qcs::cam::uin/OWNER:uin/SUB`, `qcs::cam::uin/OWNER:root`, `qcs::cam::uin/OWNER:roleName/NAME`, `qcs::sts:OWNER:assumed-role/ROLEID`, or `anonymous`")
    };
    let parts: Vec<&str> = t.splitn(6, ':').collect();
    match parts.as_slice() {
        ["qcs", "", "cam", "", owner, who] => {
            let owner = owner
                .strip_prefix("uin/")
                .filter(|o| !o.is_empty())
                .ok_or_else(bad)?;
            c.account = Some(owner.to_string());
            c.principal_arn = Some(t.to_string());
            c.display_arn = t.to_string();
            let (kind, name) = who.split_once('/').unwrap_or((who, ""));
            match kind {
                "root" => c.kind = CallerKind::Root,
                "uin" if name == owner => c.kind = CallerKind::Root,
                "uin" if !name.is_empty() => {
                    c.kind = CallerKind::User;
                    c.name = Some(name.to_string());
                    c.id.get_or_insert_with(|| name.to_string());
                }
                "roleName" | "role" if !name.is_empty() => {
                    c.kind = CallerKind::RoleSession;
                    c.name = Some(name.to_string());
                }
                _ => return Err(bad()),
            }
        }
        ["qcs", "", "sts", owner, who] | ["qcs", "", "sts", "", owner, who] => {
            let owner = owner.strip_prefix("uin/").unwrap_or(owner);
            let role = who
                .strip_prefix("assumed-role/")
                .filter(|r| !r.is_empty())
                .ok_or_else(bad)?;
            let (role, session) = match role.split_once('/') {
                Some((r, s)) => (r, Some(s.to_string())),
                None => (role, None),
            };
            c.kind = CallerKind::RoleSession;
            c.account = Some(owner.to_string());
            c.name = Some(role.to_string());
            c.session = session;
            c.display_arn = t.to_string();
            c.principal_arn = Some(t.to_string());
        }
        _ => return Err(bad()),
    }
    Ok(c)
}

/// Legacy COS region codes and the regions they stand for.
const LEGACY_REGIONS: &[(&str, &str)] = &[
    ("bj", "ap-beijing"),
    ("gz", "ap-guangzhou"),
    ("sh", "ap-shanghai"),
    ("cd", "ap-chengdu"),
    ("cq", "ap-chongqing"),
    ("hk", "ap-hongkong"),
    ("sgp", "ap-singapore"),
    ("sg", "ap-singapore"),
    ("ca", "na-toronto"),
    ("ger", "eu-frankfurt"),
    ("tj", "ap-beijing-1"),
    ("cn-north", "ap-beijing-1"),
    ("cn-east", "ap-shanghai"),
    ("cn-south", "ap-guangzhou"),
    ("cn-southwest", "ap-chengdu"),
];

/// The canonical form of a CAM resource name: legacy region codes become region names, the
/// legacy COS form `prefix//APPID/BUCKET/KEY` becomes `BUCKET-APPID/KEY`, and a COS bucket
/// named without a key gets its trailing `/` (bucket-level actions are documented on
/// `BUCKET-APPID/*`).
pub fn normalize_resource(name: &str) -> String {
    let parts: Vec<&str> = name.splitn(6, ':').collect();
    let ["qcs", project, service, region, account, res] = parts.as_slice() else {
        return name.to_string();
    };
    let region = LEGACY_REGIONS
        .iter()
        .find(|(old, _)| old == region)
        .map_or(*region, |(_, new)| *new);
    let mut res = res.to_string();
    if *service == "cos" {
        if let Some(rest) = res.strip_prefix("prefix//") {
            let mut it = rest.splitn(3, '/');
            if let (Some(appid), Some(bucket)) = (it.next(), it.next()) {
                res = format!("{bucket}-{appid}/{}", it.next().unwrap_or(""));
            }
        }
        if !res.contains('/') && !res.contains('*') && !res.is_empty() {
            res.push('/');
        }
    }
    format!("qcs:{project}:{service}:{region}:{account}:{res}")
}

/// The Tencent Cloud dialect, for one request.
pub struct Tencent {
    /// Whether the resource belongs to the caller's root account: an empty account segment in
    /// the caller's own policies means "my root account".
    pub same_account: bool,
}

impl Dialect for Tencent {
    fn actions_case_insensitive(&self) -> bool {
        false
    }

    fn keys_case_sensitive(&self) -> bool {
        true
    }

    fn negated_holds_on_missing_key(&self) -> bool {
        // "For a condition operator without `_if_exist` ... the condition is [false] by default if
        // the request does not contain the specified request header or parameter" (COS
        // conditions documentation, which pairs "deny + string_not_equal" with allowing requests
        // that lack the parameter).
        false
    }

    fn resource_matches(
        &self,
        pattern: &ResourcePattern,
        resource: &str,
        layer: Layer,
        _lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<bool, String> {
        let res = match split_resource(pattern, resource, 6, "qcs", true) {
            Ok(parts) => parts,
            Err(decided) => return Ok(decided),
        };
        // An empty project or region in a policy means "any project", "all regions"; an empty
        // account means "the root account of the policy's creator": the caller's own account
        // for its CAM policies, boundary and key policy, the owner's for a bucket policy.
        let own = layer == Layer::Resource || self.same_account;
        match_segments(pattern, &res, &|_| None, |i, seg, _| {
            seg.is_empty() && (i == 1 || i == 3 || (i == 4 && own))
        })
    }

    fn principal_matches(
        &self,
        entry: &PrincipalEntry,
        caller: &Caller,
        _layer: Layer,
        effect: Effect,
    ) -> Option<PrincipalHow> {
        let v = entry.value.as_str();
        match entry.kind {
            PrincipalKind::Any => Some(PrincipalHow::Any),
            PrincipalKind::Service => (caller.kind == CallerKind::Service
                && caller
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(v)))
            .then_some(PrincipalHow::Direct),
            PrincipalKind::Qcs if v == ANYONE || v == ANONYMOUS => {
                // "Deny all users" only denies anonymous users, never CAM users (COS bucket
                // policy documentation); an Allow for everyone covers every caller.
                match effect {
                    Effect::Deny => {
                        (caller.kind == CallerKind::Anonymous).then_some(PrincipalHow::Any)
                    }
                    Effect::Allow => Some(PrincipalHow::Any),
                }
            }
            PrincipalKind::Qcs => qcs_entry(v, caller),
            _ => None,
        }
    }
}

/// `qcs::cam::uin/OWNER:uin/SUB`, `...:uin/OWNER` or `...:root` (the root account: any identity
/// of the account, through its own CAM policies), `...:roleName/NAME`, `...:role/ID`.
fn qcs_entry(v: &str, caller: &Caller) -> Option<PrincipalHow> {
    let p: Vec<&str> = v.splitn(6, ':').collect();
    let ["qcs", _, "cam", _, owner, who] = p.as_slice() else {
        return None;
    };
    let owner = owner.strip_prefix("uin/")?;
    if !caller.is_identity() || !Glob::new(owner).matches(caller.account.as_deref().unwrap_or("")) {
        return None;
    }
    let (kind, name) = who.split_once('/').unwrap_or((who, ""));
    let root_entry = kind == "root" || (kind == "uin" && name == owner);
    if root_entry {
        return Some(if caller.kind == CallerKind::Root {
            PrincipalHow::Direct
        } else {
            PrincipalHow::Account
        });
    }
    match (kind, caller.kind) {
        ("uin", CallerKind::User) => caller
            .name
            .as_deref()
            .is_some_and(|n| Glob::new(name).matches(n))
            .then_some(PrincipalHow::Direct),
        ("roleName" | "role", CallerKind::RoleSession) => caller
            .name
            .as_deref()
            .is_some_and(|n| Glob::new(name).matches(n))
            .then_some(PrincipalHow::Direct),
        _ => None,
    }
}

/// `sts:AssumeRole` on a CAM role (`qcs::cam::uin/OWNER:roleName/NAME` or `...:role/ID`).
fn is_role_assumption(action: &str, resource: &str) -> bool {
    action.eq_ignore_ascii_case("sts:AssumeRole")
        && resource.split(':').nth(2) == Some("cam")
        && resource
            .rsplit(':')
            .next()
            .is_some_and(|r| r.starts_with("roleName/") || r.starts_with("role/"))
}

fn is_cos(action: &str) -> bool {
    action.starts_with("cos:")
}

/// Evaluates a Tencent Cloud request.
pub fn evaluate(stack: &Stack, req: &Request, explain: bool) -> Evaluation {
    let caller = &req.caller;
    let action = crate::ir::normalize_action(&req.action, false);
    let resource = normalize_resource(&req.resource);
    let mut run = Run::default();
    let resource_account = req.resource_account.clone().or_else(|| {
        resource
            .split(':')
            .nth(4)
            .and_then(|a| a.strip_prefix("uin/"))
            .map(str::to_string)
    });
    let resource_account = match resource_account {
        Some(a) => Some(a),
        None => {
            if is_cos(&action) {
                run.note("COS names carry the APPID, not the owner's account: with no `resource_account`, the bucket is taken to belong to the caller's account");
            }
            caller.account.clone()
        }
    };
    // Nothing is derived: CAM documents no keys that follow from the caller, and
    // `qcs:current_time` is left absent so that decisions do not depend on the clock.
    let dialect = Tencent {
        same_account: caller.account.is_some() && caller.account == resource_account,
    };
    let scope = Scope {
        dialect: &dialect,
        caller,
        action: &action,
        action_display: &req.action,
        resource: &resource,
        context: &req.context,
        has_boundary: false,
        explain,
    };
    let signed = caller.is_identity();
    let sub = matches!(caller.kind, CallerKind::User | CallerKind::RoleSession);
    if let Some(p) = stack.session.as_deref() {
        if signed {
            run.eval(&scope, Layer::Session, None, p);
        } else {
            run.skip(
                Layer::Session,
                "a temporary-key policy applies only to requests signed with that key",
            );
        }
    }
    if let Some(p) = stack.permissions_boundary.as_deref() {
        if sub {
            run.eval(&scope, Layer::PermissionsBoundary, None, p);
        } else {
            run.skip(
                Layer::PermissionsBoundary,
                "permission boundaries apply to sub-accounts and roles only",
            );
        }
    }
    if let Some(p) = stack.resource.as_deref() {
        run.eval(&scope, Layer::Resource, None, p);
    }
    if let Some(p) = stack.identity.as_deref() {
        match caller.kind {
            CallerKind::User | CallerKind::RoleSession => run.eval(&scope, Layer::Identity, None, p),
            CallerKind::Root => run.skip(Layer::Identity, "a root account may do anything with its own resources; CAM policies attach to sub-accounts and roles"),
            _ => run.skip(Layer::Identity, "CAM policies apply to signed requests of sub-accounts and roles only"),
        }
    }
    for (l, present) in [
        (Layer::Scp, stack.scp.is_some()),
        (Layer::Rcp, stack.rcp.is_some()),
        (Layer::VpcEndpoint, stack.vpc_endpoint.is_some()),
        (Layer::AccessPoint, stack.access_point.is_some()),
    ] {
        if present {
            run.skip(l, format!("Tencent Cloud has no {} layer", l.name()));
        }
    }
    let verdict = decide(
        &mut run,
        caller,
        &action,
        &resource,
        resource_account.as_deref(),
    );
    let checklist = cos_checklist(&run, caller, resource_account.as_deref());
    let mut out = run.finish(caller, Vec::new(), verdict, title, |_, _, notes| {
        message(&action, &resource, notes)
    });
    if is_cos(&action) {
        out.checklist = checklist;
    }
    out
}

/// The policy questions of the COS 403 troubleshooting flow, answered from the evaluated layers:
/// is the request anonymous, does the sub-account have permission, does the temporary key's
/// policy cover the request, and is a cross-account request granted on both sides.
fn cos_checklist(run: &Run, caller: &Caller, resource_account: Option<&str>) -> Vec<ChecklistItem> {
    let stmt = |s: &StatementRef| format!("{} ({})", s.label(), s.location());
    let layer_answer = |layer: Layer, what: &str| -> String {
        match run.get(layer) {
            None => format!("no {what} in the stack"),
            Some(e) => match (e.denies.first(), e.allows.first()) {
                (Some(d), _) => format!("no: {what} statement {} denies", stmt(d)),
                (None, Some((a, _))) => format!("yes: {what} statement {} allows", stmt(a)),
                (None, None) => format!("no: no {what} statement allows the request"),
            },
        }
    };
    let mut out = Vec::new();
    let anonymous = caller.kind == CallerKind::Anonymous;
    out.push(ChecklistItem {
        question: "Is the request anonymous (unsigned)?".into(),
        answer: if anonymous {
            format!(
                "yes: only a bucket policy granting everyone can allow it; {}",
                layer_answer(Layer::Resource, "bucket policy")
            )
        } else {
            format!("no: it is signed by {}", caller.display_arn)
        },
    });
    out.push(ChecklistItem {
        question: "Does the sub-account (or role) have permission?".into(),
        answer: match caller.kind {
            CallerKind::User | CallerKind::RoleSession => {
                layer_answer(Layer::Identity, "CAM policy")
            }
            CallerKind::Root => {
                "not a sub-account: a root account may do anything with its own resources".into()
            }
            _ => "not a sub-account".into(),
        },
    });
    out.push(ChecklistItem {
        question: "Does the policy given with the temporary key cover the request?".into(),
        answer: match run.get(Layer::Session) {
            None => "no temporary-key policy in the stack (the request is not made with a temporary key, or its policy was not given)".into(),
            Some(_) => layer_answer(Layer::Session, "temporary-key policy"),
        },
    });
    let same = caller.account.is_some() && caller.account.as_deref() == resource_account;
    out.push(ChecklistItem {
        question: "Is this a cross-account request, and is it granted on both sides?".into(),
        answer: if anonymous {
            "not applicable to an anonymous request".into()
        } else if same {
            format!(
                "no: the bucket belongs to the caller's root account {}",
                resource_account.unwrap_or("")
            )
        } else {
            format!(
                "yes: the bucket belongs to {}; owner's side: {}; caller's side: {}",
                resource_account.unwrap_or("another account"),
                layer_answer(Layer::Resource, "bucket policy"),
                if caller.kind == CallerKind::Root {
                    "a root account needs no CAM grant".to_string()
                } else {
                    layer_answer(Layer::Identity, "CAM policy")
                }
            )
        },
    });
    out
}

/// The Tencent Cloud decision flow over evaluated layers.
fn decide(
    run: &mut Run,
    caller: &Caller,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
) -> Verdict {
    // 1. Any matching deny denies.
    let order = [
        Layer::Session,
        Layer::PermissionsBoundary,
        Layer::Resource,
        Layer::Identity,
    ];
    if let Some((layer, level, stmt)) = run.first_deny(&order, |_, _| false) {
        return Verdict::Explicit(layer, level, stmt);
    }

    // 2. Something must allow.
    let signed = caller.is_identity();
    let sub = matches!(caller.kind, CallerKind::User | CallerKind::RoleSession);
    let same_account = caller.account.is_some() && caller.account.as_deref() == resource_account;
    let identity_allow = run.first_allow(Layer::Identity);
    let resource_best = run.get(Layer::Resource).and_then(LayerEval::best_allow);
    let resource_allow = run.first_allow(Layer::Resource);
    if is_role_assumption(action, resource) {
        if sub && identity_allow.is_none() {
            return Verdict::Implicit(Layer::Identity, None, "assuming a role needs an Allow for sts:AssumeRole in the caller's CAM policies as well as in the role's trust policy".into());
        }
        if resource_best.is_none() {
            if run.get(Layer::Resource).is_none() {
                run.note("the stack has no trust policy for the role; a role can be assumed only if its trust policy allows");
            }
            return Verdict::Implicit(
                Layer::Resource,
                None,
                "the role's trust policy does not allow the caller".into(),
            );
        }
        let reason = allow_reason(&resource_allow, "allowed");
        return Verdict::Allow(resource_allow, reason);
    }
    let granted = if caller.kind == CallerKind::Root && same_account {
        run.note("a root account may do anything with its own resources (CAM evaluation logic)");
        None
    } else if !signed {
        match resource_best {
            Some(h) if h != PrincipalHow::Account => resource_allow,
            _ => return Verdict::Implicit(Layer::Resource, None, "no bucket policy allows anonymous access (the bucket is taken to be private: ACLs are not modelled)".into()),
        }
    } else if same_account {
        // CAM policy OR bucket policy; a bucket-policy entry naming the root account only
        // delegates to the account's own CAM policies.
        let by_bucket = resource_best.is_some_and(|h| h != PrincipalHow::Account);
        if identity_allow.is_none() && !by_bucket {
            return Verdict::Implicit(
                Layer::Identity,
                None,
                "no CAM policy and no bucket policy allows the action".into(),
            );
        }
        identity_allow.or(resource_allow)
    } else {
        // Cross-account: the owner's bucket policy must grant, and the caller's own root account
        // must grant its sub-account through CAM.
        if resource_best.is_none() {
            return Verdict::Implicit(Layer::Resource, None, "cross-account: the resource owner's bucket policy grants nothing to the caller or its root account".into());
        }
        if resource_best == Some(PrincipalHow::Any) {
            // "COS verifies the permissions of the user as anonymous user based on
            // resource-based policies. Either verification is successful and the user will be
            // allowed" (COS access policy evaluation process).
            run.note("a bucket policy that grants everyone lets a signed caller of another account in without its own account's CAM grant: COS also checks every request as an anonymous one");
        } else if sub && identity_allow.is_none() {
            return Verdict::Implicit(Layer::Identity, None, "cross-account: the bucket policy grants the caller's root account, and that account's CAM policies must also grant the sub-account; none does".into());
        }
        resource_allow
    };
    if run
        .get(Layer::PermissionsBoundary)
        .is_some_and(|e| e.allows.is_empty())
    {
        run.note("the permission boundary caps every permission of the sub-account or role, bucket-policy grants included (UNCERTAIN, docs/semantics/tencent.md)");
        return Verdict::Implicit(Layer::PermissionsBoundary, None, "the permission boundary does not allow the action (a boundary limits, it never grants)".into());
    }
    if run.get(Layer::Session).is_some_and(|e| e.allows.is_empty()) {
        return Verdict::Implicit(Layer::Session, None, "the policy given when the temporary key was issued does not allow the action (the key's permissions are the intersection of its holder's and that policy)".into());
    }
    let reason = allow_reason(
        &granted,
        "allowed: the root account owns the resource and nothing denies",
    );
    Verdict::Allow(granted, reason)
}

/// The layer as Tencent Cloud's console names it.
pub fn title(layer: Layer) -> &'static str {
    match layer {
        Layer::Identity => "CAM policy",
        Layer::Resource => "bucket policy",
        Layer::PermissionsBoundary => "permission boundary",
        Layer::Session => "temporary-key policy",
        Layer::Scp => "service control policy",
        Layer::Rcp => "resource control policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::AccessPoint => "access point policy",
    }
}

/// COS answers every policy denial alike, naming no layer (COS 403 guide); other CAM-governed
/// APIs answer `UnauthorizedOperation`.
fn message(action: &str, resource: &str, notes: &mut Vec<String>) -> (String, String) {
    if is_cos(action) {
        ("AccessDenied".into(), "Access Denied.".into())
    } else {
        notes.push("CAM-governed APIs other than COS answer `UnauthorizedOperation`; the wording follows their API error documentation (UNCERTAIN)".into());
        (
            "UnauthorizedOperation".into(),
            format!("you are not authorized to perform operation ({action}) resource ({resource}) has no permission"),
        )
    }
}
