//! Alibaba Cloud: RAM users, roles and STS sessions; RAM policies, OSS bucket policies, role trust
//! policies, STS `Policy` parameters, Resource Directory control policies, OSS access point
//! policies and PrivateLink endpoint policies.
//!
//! The rules and their sources are in `docs/semantics/aliyun.md`; UNCERTAIN points of the spec
//! are chosen there and reported in `Evaluation.notes` when they apply.

use crate::eval::{
    allow_reason, derive_key, match_segments, split_resource, Dialect, PrincipalHow, Run, Scope,
    Verdict,
};
use crate::explain::{Decision, Evaluation, StatementRef};
use crate::ir::{Effect, Layer, Policy, PrincipalEntry, PrincipalKind, ResourcePattern};
use crate::pattern::Glob;
use crate::request::{Caller, CallerKind, Request};
use crate::stack::Stack;

/// Reads a caller as the test format writes it for Alibaba Cloud.
pub fn parse_caller(text: &str, id: Option<&str>) -> Result<Caller, String> {
    let t = text.trim();
    let mut c = Caller {
        kind: CallerKind::Anonymous,
        text: t.to_string(),
        account: None,
        partition: "acs".into(),
        name: None,
        path: "/".into(),
        session: None,
        id: id.map(str::to_string),
        display_arn: "anonymous".into(),
        principal_arn: None,
    };
    if t.eq_ignore_ascii_case("anonymous") || t == "*" {
        return Ok(c);
    }
    if !t.contains(':') && t.ends_with(".aliyuncs.com") {
        c.kind = CallerKind::Service;
        c.name = Some(t.to_string());
        c.display_arn = t.to_string();
        return Ok(c);
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        c.kind = CallerKind::Root;
        c.account = Some(t.to_string());
        c.display_arn = format!("acs:ram::{t}:root");
        c.principal_arn = Some(c.display_arn.clone());
        return Ok(c);
    }
    let parts: Vec<&str> = t.splitn(5, ':').collect();
    let ["acs", "ram", _, account, res] = parts.as_slice() else {
        return Err(format!(
            "`{t}` is not an Alibaba Cloud principal: expected `acs:ram::UID:user/NAME`, `acs:ram::UID:role/NAME/SESSION`, `acs:ram::UID:root`, a service such as `ecs.aliyuncs.com`, or `anonymous`"
        ));
    };
    // Documentation examples mask UIDs (`174649585760xxxx`); accept them as written.
    if account.is_empty()
        || !account
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'x' || b == b'*')
    {
        return Err(format!(
            "`{t}`: the account part `{account}` is not an Alibaba Cloud account UID"
        ));
    }
    c.account = Some(account.to_string());
    let mut segs = res.split('/');
    match (segs.next(), segs.next(), segs.next(), segs.next()) {
        (Some("root"), None, ..) => {
            c.kind = CallerKind::Root;
            c.display_arn = t.to_string();
            c.principal_arn = Some(t.to_string());
        }
        (Some("user"), Some(name), None, _) if !name.is_empty() => {
            c.kind = CallerKind::User;
            c.name = Some(name.to_string());
            c.display_arn = t.to_string();
            c.principal_arn = Some(t.to_string());
        }
        (Some("role" | "assumed-role"), Some(role), session, None) if !role.is_empty() => {
            c.kind = CallerKind::RoleSession;
            c.name = Some(role.to_string());
            c.session = session.filter(|s| !s.is_empty()).map(str::to_string);
            c.principal_arn = Some(format!("acs:ram::{account}:role/{role}"));
            c.display_arn = match &c.session {
                Some(s) => format!("acs:ram::{account}:assumed-role/{role}/{s}"),
                None => format!("acs:ram::{account}:role/{role}"),
            };
            if role.to_ascii_lowercase().starts_with("aliyunservicerolefor") {
                c.path = "/service-linked/".into();
            }
        }
        _ => {
            return Err(format!(
                "`{t}` is not a RAM principal: expected `user/NAME`, `role/NAME[/SESSION]`, `assumed-role/NAME/SESSION` or `root` after the account"
            ))
        }
    }
    Ok(c)
}

/// The account field of an `acs:` resource name.
pub fn acs_account(name: &str) -> Option<String> {
    let a = name.split(':').nth(3)?;
    (!a.is_empty() && a != "*").then(|| a.to_string())
}

/// The caller as OSS bucket policies name a role session: `arn:sts::UID:assumed-role/ROLE/SESSION`.
fn sts_form(caller: &Caller) -> Option<String> {
    if caller.kind != CallerKind::RoleSession {
        return None;
    }
    // An unknown session name matches only a wildcard in the session part.
    let session = caller.session.as_deref().unwrap_or("\u{0}");
    Some(format!(
        "arn:sts::{}:assumed-role/{}/{session}",
        caller.account.as_deref().unwrap_or(""),
        caller.name.as_deref().unwrap_or("")
    ))
}

/// The Alibaba Cloud dialect.
pub struct Aliyun;

impl Dialect for Aliyun {
    fn actions_case_insensitive(&self) -> bool {
        true
    }

    fn keys_case_sensitive(&self) -> bool {
        false
    }

    fn resource_matches(
        &self,
        pattern: &ResourcePattern,
        resource: &str,
        _layer: Layer,
        _lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<bool, String> {
        let res = match split_resource(pattern, resource, 5, "acs", true) {
            Ok(parts) => parts,
            Err(decided) => return Ok(decided),
        };
        // OSS names carry `*` for the region: a request segment `*` is not specific.
        match_segments(pattern, &res, &|_| None, |i, _, part| i < 4 && part == "*")
    }

    fn principal_matches(
        &self,
        entry: &PrincipalEntry,
        caller: &Caller,
        _layer: Layer,
        _effect: Effect,
    ) -> Option<PrincipalHow> {
        let v = entry.value.as_str();
        match entry.kind {
            PrincipalKind::Any => Some(PrincipalHow::Any),
            PrincipalKind::Uid => {
                if v == "*" {
                    return Some(PrincipalHow::Any);
                }
                if !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_digit() || b == b'x' || b == b'*')
                    && !v.starts_with("arn:")
                {
                    // A UID: a RAM user's UID (the test format's principal_id), or an account's.
                    let g = Glob::new(v);
                    let user = caller.kind == CallerKind::User
                        && caller.id.as_deref().is_some_and(|id| g.matches(id));
                    let root = caller.kind == CallerKind::Root
                        && caller.account.as_deref().is_some_and(|a| g.matches(a));
                    return (user || root).then_some(PrincipalHow::Direct);
                }
                if v.starts_with("arn:sts:") {
                    return sts_form(caller)
                        .filter(|s| Glob::new(v).matches(s))
                        .map(|_| PrincipalHow::Direct);
                }
                ram_arn(v, caller)
            }
            PrincipalKind::Ram => ram_arn(v, caller),
            PrincipalKind::Service => (caller.kind == CallerKind::Service
                && caller
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(v)))
            .then_some(PrincipalHow::Direct),
            PrincipalKind::Federated => {
                (caller.id.as_deref() == Some(v)).then_some(PrincipalHow::Direct)
            }
            _ => None,
        }
    }
}

/// `acs:ram::UID:root` (the account: any of its identities), `acs:ram::UID:user/NAME`,
/// `acs:ram::UID:role/NAME`.
fn ram_arn(v: &str, caller: &Caller) -> Option<PrincipalHow> {
    let p: Vec<&str> = v.splitn(5, ':').collect();
    let ["acs", "ram", _, acct, res] = p.as_slice() else {
        return None;
    };
    if !caller.is_identity() || !Glob::new(acct).matches(caller.account.as_deref().unwrap_or("")) {
        return None;
    }
    let (kind, name) = res.split_once('/').unwrap_or((res, ""));
    match (kind, caller.kind) {
        ("root", _) => Some(if caller.kind == CallerKind::Root {
            PrincipalHow::Direct
        } else {
            PrincipalHow::Account
        }),
        ("user", CallerKind::User) | ("role", CallerKind::RoleSession) => {
            let role_part = name.split('/').next().unwrap_or(name);
            caller
                .name
                .as_deref()
                .is_some_and(|n| Glob::new(&role_part.to_lowercase()).matches(&n.to_lowercase()))
                .then_some(PrincipalHow::Direct)
        }
        _ => None,
    }
}

fn is_oss(action: &str) -> bool {
    action.starts_with("oss:")
}

fn is_role_assumption(action: &str, resource: &str) -> bool {
    action == "sts:assumerole"
        && resource.starts_with("acs:ram:")
        && resource
            .split(':')
            .nth(4)
            .is_some_and(|r| r.starts_with("role/"))
}

/// Evaluates an Alibaba Cloud request.
pub fn evaluate(stack: &Stack, req: &Request, explain: bool) -> Evaluation {
    let caller = &req.caller;
    let action = req.action.to_lowercase();
    let resource_account = req
        .resource_account
        .clone()
        .or_else(|| acs_account(&req.resource))
        .or_else(|| req.access_point.as_deref().and_then(acs_account))
        .or_else(|| caller.account.clone());

    let mut ctx = req.context.clone();
    let mut derived = Vec::new();
    derive_key(
        &mut ctx,
        &mut derived,
        "acs:PrincipalARN",
        caller.principal_arn.clone(),
    );
    if let Some(ap) = &req.access_point {
        derive_key(
            &mut ctx,
            &mut derived,
            "oss:DataAccessPointArn",
            Some(ap.clone()),
        );
        derive_key(
            &mut ctx,
            &mut derived,
            "oss:DataAccessPointAccount",
            acs_account(ap),
        );
    }
    let ap_resource = req
        .access_point
        .as_deref()
        .map(|ap| access_point_resource(ap, &req.resource));
    let scope = Scope {
        dialect: &Aliyun,
        caller,
        action: &action,
        action_display: &req.action,
        resource: &req.resource,
        context: &ctx,
        has_boundary: false,
        explain,
    };

    let mut run = Run::default();
    // Control policies: RAM users and roles of a member account; not the account itself, not
    // service-linked roles, not anonymous or service callers.
    if let Some(levels) = stack.levels(Layer::Scp) {
        match caller.kind {
            CallerKind::Root => run.skip(
                Layer::Scp,
                "control policies do not apply to the Alibaba Cloud account (root identity) itself",
            ),
            CallerKind::Anonymous | CallerKind::Service => run.skip(
                Layer::Scp,
                "control policies apply to the RAM identities of member accounts only",
            ),
            _ if caller.path == "/service-linked/" => run.skip(
                Layer::Scp,
                "control policies do not apply to service-linked roles",
            ),
            _ => {
                for lv in levels {
                    run.eval(&scope, Layer::Scp, Some(lv.name.clone()), &lv.policies);
                }
            }
        }
    }
    if let Some(p) = stack.vpc_endpoint.as_deref() {
        run.eval(&scope, Layer::VpcEndpoint, None, p);
    }
    if let Some(p) = stack.session.as_deref() {
        if caller.kind == CallerKind::RoleSession {
            run.eval(&scope, Layer::Session, None, p);
        } else {
            run.skip(
                Layer::Session,
                "the STS Policy parameter applies to role sessions only; the caller is not one",
            );
        }
    }
    if let (Some(p), Some(apr)) = (stack.access_point.as_deref(), ap_resource.as_deref()) {
        run.eval(
            &Scope {
                resource: apr,
                ..scope.clone()
            },
            Layer::AccessPoint,
            None,
            p,
        );
    }
    if let Some(p) = stack.resource.as_deref() {
        run.eval(&scope, Layer::Resource, None, p);
    }
    if let Some(p) = stack.identity.as_deref() {
        match caller.kind {
            CallerKind::User | CallerKind::RoleSession => run.eval(&scope, Layer::Identity, None, p),
            CallerKind::Root => run.skip(Layer::Identity, "the Alibaba Cloud account has every permission on its own resources; RAM policies attach to RAM identities"),
            _ => run.skip(Layer::Identity, "RAM policies apply to RAM users and roles only"),
        }
    }
    if stack.permissions_boundary.is_some() {
        run.skip(
            Layer::PermissionsBoundary,
            "Alibaba Cloud RAM has no permissions boundaries",
        );
    }
    if stack.rcp.is_some() {
        run.skip(Layer::Rcp, "Alibaba Cloud has no resource control policies");
    }

    // Both the bucket policy and a RAM policy denying has its own EC code.
    let both_deny = [Layer::Resource, Layer::Identity]
        .iter()
        .all(|l| run.get(*l).is_some_and(|e| !e.denies.is_empty()));
    let verdict = decide(
        stack,
        &mut run,
        caller,
        &action,
        &req.resource,
        resource_account.as_deref(),
        ap_resource.is_some(),
    );
    run.finish(
        caller,
        derived,
        verdict,
        |l| title(l, &action, &req.resource),
        |decision, layer, notes| {
            let (code, text) = message(caller, &action, &req.resource, decision, layer, notes);
            if both_deny && decision == Decision::ExplicitDeny && is_oss(&action) {
                ("AccessDenied (EC 0003-00000203)".into(), text)
            } else {
                (code, text)
            }
        },
    )
}

/// The Alibaba Cloud decision flow over evaluated layers.
fn decide(
    stack: &Stack,
    run: &mut Run,
    caller: &Caller,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
    via_access_point: bool,
) -> Verdict {
    let owner = caller.kind == CallerKind::Root
        && caller.account.is_some()
        && caller.account.as_deref() == resource_account;

    // 1. Explicit deny: control policy, endpoint, session, access point, bucket, RAM.
    let mut owner_exempt = false;
    let order = [
        Layer::Scp,
        Layer::VpcEndpoint,
        Layer::Session,
        Layer::AccessPoint,
        Layer::Resource,
        Layer::Identity,
    ];
    let deny = run.first_deny(&order, |layer, d| {
        let exempt = owner && layer == Layer::Resource && wildcard_without_condition(stack, d);
        owner_exempt |= exempt;
        exempt
    });
    if owner_exempt {
        run.note("a bucket-policy statement with Principal `*` and no Condition does not apply to the bucket owner (OSS bucket policy documentation)");
    }
    if let Some((layer, level, stmt)) = deny {
        return Verdict::Explicit(layer, level, stmt);
    }

    // 2. What must allow.
    if let Some(level) = run.level_without_allow(Layer::Scp) {
        let why = format!("no control policy at level `{}` allows the action (every level from the account up to the Root must allow)", level.clone().unwrap_or_default());
        return Verdict::Implicit(Layer::Scp, level, why);
    }
    if run
        .get(Layer::VpcEndpoint)
        .is_some_and(|e| e.allows.is_empty())
    {
        return Verdict::Implicit(Layer::VpcEndpoint, None, "the endpoint policy does not allow the request (it intersects with, and never replaces, RAM and bucket policies)".into());
    }
    if run.get(Layer::Session).is_some_and(|e| e.allows.is_empty()) {
        return Verdict::Implicit(Layer::Session, None, "the STS Policy parameter does not allow the action (the token's permissions are the role's policies intersected with it)".into());
    }
    let identity_allows = run.first_allow(Layer::Identity);
    let resource_allows = run.first_allow(Layer::Resource);
    let same_account = caller.account.is_some() && caller.account.as_deref() == resource_account;
    let granted = if is_role_assumption(action, resource) {
        if caller.kind == CallerKind::Root {
            run.note("an Alibaba Cloud account cannot assume a RAM role: STS answers `Roles may not be assumed by root accounts.`");
            return Verdict::Implicit(
                Layer::Identity,
                None,
                "an Alibaba Cloud account (root identity) cannot assume a RAM role".into(),
            );
        }
        if identity_allows.is_none() && caller.is_identity() {
            return Verdict::Implicit(Layer::Identity, None, "assuming a role needs an Allow for sts:AssumeRole in the caller's RAM policies as well as in the role's trust policy".into());
        }
        if resource_allows.is_none() {
            if stack.resource.is_none() {
                run.note("the stack has no trust policy for the role; a role can be assumed only if its trust policy allows");
            }
            return Verdict::Implicit(
                Layer::Resource,
                None,
                "the role's trust policy does not allow the caller".into(),
            );
        }
        resource_allows
    } else {
        let identity_counts = same_account && identity_allows.is_some();
        if identity_allows.is_some() && !same_account {
            run.note("RAM policies grant access to the account's own resources only; another account's resources must be granted by their bucket policy");
        }
        if owner {
            if identity_allows.is_none() && resource_allows.is_none() {
                run.note("the resource owner (Alibaba Cloud account) has every permission on its own resources");
            }
        } else if !identity_counts && resource_allows.is_none() {
            if is_oss(action) {
                run.note("with no Allow from RAM or bucket policies, OSS falls back to the object and bucket ACLs; polsim takes them to be private (ACLs are not modelled)");
            }
            // Services without resource-based policies (ECS, VPC, ...) decide on RAM policies
            // alone, whoever owns the resource.
            let identity_final = !is_oss(action) && stack.resource.is_none();
            return if caller.is_identity() && (same_account || identity_final) {
                Verdict::Implicit(
                    Layer::Identity,
                    None,
                    "no RAM policy and no bucket policy allows the action".into(),
                )
            } else {
                Verdict::Implicit(Layer::Resource, None, "no bucket policy allows the caller, and only the bucket policy can grant access to another account's or an anonymous caller".into())
            };
        }
        if identity_counts {
            identity_allows
        } else {
            resource_allows
        }
    };
    if via_access_point && run.get(Layer::Resource).is_none_or(|e| e.allows.is_empty()) {
        return Verdict::Implicit(Layer::Resource, None, "the bucket policy does not delegate to the access point (an access point has no access until the bucket policy allows requests through it, e.g. with `oss:DataAccessPointAccount`)".into());
    }
    if via_access_point
        && run
            .get(Layer::AccessPoint)
            .is_none_or(|e| e.allows.is_empty())
    {
        return Verdict::Implicit(Layer::AccessPoint, None, "the access point policy does not allow the request (a request through an access point needs the RAM or bucket policy AND the access point policy to allow)".into());
    }
    let reason = allow_reason(
        &granted,
        "allowed: the caller owns the resource and nothing denies",
    );
    Verdict::Allow(granted, reason)
}

/// Whether a resource-layer statement names `*` alone and has no condition.
fn wildcard_without_condition(stack: &Stack, s: &StatementRef) -> bool {
    let policies: &[Policy] = stack.resource.as_deref().unwrap_or(&[]);
    policies
        .iter()
        .filter(|p| p.id == s.policy)
        .flat_map(|p| p.statements.iter())
        .find(|st| st.index == s.index)
        .is_some_and(|st| {
            st.conditions.is_empty()
                && st.principal.as_ref().is_some_and(|p| {
                    p.items
                        .iter()
                        .all(|e| e.kind == PrincipalKind::Any || e.value == "*")
                })
        })
}

/// `acs:oss:REGION:UID:accesspoint/NAME/object/KEY` for a bucket or object name.
fn access_point_resource(ap: &str, resource: &str) -> String {
    match resource
        .splitn(5, ':')
        .nth(4)
        .and_then(|r| r.split_once('/'))
    {
        Some((_, key)) => format!("{ap}/object/{key}"),
        None => ap.to_string(),
    }
}

/// The layer as the Alibaba Cloud console names it.
pub fn title(layer: Layer, action: &str, resource: &str) -> &'static str {
    match layer {
        Layer::Scp => "control policy",
        Layer::VpcEndpoint => "endpoint policy",
        Layer::Session => "STS policy",
        Layer::AccessPoint => "access point policy",
        Layer::Resource if is_role_assumption(&action.to_lowercase(), resource) => "trust policy",
        Layer::Resource => "bucket policy",
        Layer::Identity => "RAM policy",
        Layer::PermissionsBoundary | Layer::Rcp => "policy",
    }
}

/// The error code and message the request would get (OSS table of the spec; RAM's for other
/// services). UNCERTAIN wordings add a note.
fn message(
    caller: &Caller,
    action: &str,
    resource: &str,
    decision: Decision,
    layer: Layer,
    notes: &mut Vec<String>,
) -> (String, String) {
    if caller.kind == CallerKind::Root && is_role_assumption(action, resource) {
        return (
            "NoPermission".into(),
            "Roles may not be assumed by root accounts.".into(),
        );
    }
    if !is_oss(action) {
        if action.starts_with("sts:") || action.starts_with("ram:") {
            return (
                "NoPermission".into(),
                "You are not authorized to do this action. You should be authorized by RAM.".into(),
            );
        }
        notes.push("for services other than OSS polsim reports RAM's generic `Forbidden.RAM` error; each service words it its own way".into());
        return ("Forbidden.RAM".into(), "User not authorized to operate on the specified resource, or this API doesn't support RAM.".into());
    }
    let object = resource
        .splitn(5, ':')
        .nth(4)
        .is_some_and(|r| r.contains('/'));
    match (decision, layer) {
        (_, Layer::Session) => (
            "AccessDenied (EC 0003-00000301)".into(),
            "Access denied by authorizer's policy.".into(),
        ),
        (Decision::ExplicitDeny, Layer::Resource) => (
            "AccessDenied (EC 0003-00000101)".into(),
            "Access denied by bucket policy.".into(),
        ),
        (Decision::ExplicitDeny, Layer::Identity) => (
            "AccessDenied (EC 0003-00000201)".into(),
            "Access denied by bucket policy.".into(),
        ),
        (Decision::ExplicitDeny, Layer::Scp) | (Decision::ImplicitDeny, Layer::Scp) => {
            notes.push("OSS documents no message for a control-policy denial; polsim reports RAM's `Access denied by authorizer's policy.` wording without an EC code (UNCERTAIN)".into());
            (
                "AccessDenied".into(),
                "Access denied by authorizer's policy.".into(),
            )
        }
        (_, Layer::VpcEndpoint) | (_, Layer::AccessPoint) => {
            notes.push(format!("OSS documents no message for an {} denial; polsim reports the generic `You have no right to access this object.` (UNCERTAIN)", title(layer, action, resource)));
            (
                "AccessDenied".into(),
                "You have no right to access this object.".into(),
            )
        }
        _ if caller.kind == CallerKind::Anonymous => {
            let what = if object { "object" } else { "bucket" };
            (
                "AccessDenied".into(),
                format!("Anonymous user has no right to access this {what}."),
            )
        }
        _ if action == "oss:listbuckets" => (
            "AccessDenied".into(),
            "You are forbidden to list buckets.".into(),
        ),
        _ if action == "oss:getobjectacl" => (
            "AccessDenied".into(),
            "You do not have read acl permission on this object.".into(),
        ),
        _ if action == "oss:putobjectacl" => (
            "AccessDenied".into(),
            "You do not have write acl permission on this object.".into(),
        ),
        _ if object || action == "oss:listobjects" || action == "oss:listobjectversions" => (
            "AccessDenied".into(),
            "You have no right to access this object because of bucket acl.".into(),
        ),
        _ => (
            "AccessDenied".into(),
            "The bucket you visit is not belong to you.".into(),
        ),
    }
}
