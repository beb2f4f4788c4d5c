//! Tencent Cloud: CAM sub-accounts, roles and root accounts; CAM policies, COS bucket policies,
//! role trust policies, STS temporary-key policies and permission boundaries.
//!
//! The rules and their sources are in `docs/semantics/tencent.md`; UNCERTAIN points of the spec
//! are chosen there and reported in `Evaluation.notes` when they apply.

pub mod ops;

use crate::decide::{
    Facts, Note, Notes, Outcomes, Pass, PrincipalHow, Reason, ResourceKind, Skip, Verdict,
};
use crate::ir::{Cloud, Effect, Layer, PrincipalForm, PrincipalKind};
use crate::pattern::Glob;
use crate::profile::{
    Applies, CallerNames, ChecklistItem, CloudProfile, Message, ResourceNames, Traits, Who,
};
use crate::profile::{Case, PassPlan, Prepared};
use crate::request::{Caller, CallerKind, Derived, Request};
use crate::stack::Stack;
use crate::stack::StatementRef;
use std::borrow::Cow;

/// What Tencent Cloud is, as data.
pub static TRAITS: Traits = Traits {
    cloud: Cloud::Tencent,
    version_markers: &["2.0"],
    name_prefix: "qcs:",
    actions_case_insensitive: false,
    action_prefix: Some("name/"),
    keys_case_sensitive: true,
    // "For a condition operator without `_if_exist` ... the condition is [false] by default if
    // the request does not contain the specified request header or parameter" (COS
    // conditions documentation, which pairs "deny + string_not_equal" with allowing requests
    // that lack the parameter).
    negated_holds_on_missing_key: false,
    resources: ResourceNames {
        segments: 6,
        prefix: "qcs",
        // COS names carry `uid/APPID` there, not the owner's account.
        account_segment: None,
        // An empty project or region in a policy means "any project", "all regions"; an
        // empty account means "the root account of the policy's creator": the caller's own
        // account for its CAM policies, boundary and key policy, the owner's for a bucket
        // policy.
        empty_means_any: &[1, 3],
        empty_means_own_account: Some(4),
        request_star_is_any: false,
    },
    partition: "qcs",
    anonymous_names: &["anonymous", ANYONE, ANONYMOUS],
    service_suffix: "",
    default_principal: "qcs::cam::uin/{account}:uin/{user}",
    default_account: "100000000001",
    callers: CallerNames {
        root: "qcs::cam::uin/{account}:root",
        user: "qcs::cam::uin/{account}:uin/{user}",
        role_session: "qcs::cam::uin/{account}:roleName/{role}",
        federated_user: None,
        special: &[],
        other_accounts: &["100099999999", "100088887777"],
        other_name: "100099990001",
    },
    storage_names: ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000", "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/example-object"],
    limiting_keys: &["qcs:ip", "qcs:vpc", "vpc:requester_vpc"],
    // The order layers are evaluated in, and explicit denies reported in.
    statement_checks: true,
    unmodelled: "the request's signature, clock skew, CORS, archived objects awaiting restore, object lock, and an account frozen for arrears can still refuse an allowed request",
    layer_order: [
        Layer::Session,
        Layer::PermissionsBoundary,
        Layer::Resource,
        Layer::Identity,
        Layer::Scp,
        Layer::Rcp,
        Layer::VpcEndpoint,
        Layer::AccessPoint,
        Layer::Acl,
        Layer::KmsKey,
    ],
};

pub mod cos;

/// The principal that stands for everyone in COS bucket policies.
pub const ANYONE: &str = "qcs::cam::anyone:anyone";

/// The principal COS's policy-language overview uses to grant anonymous users; it is read as
/// [`ANYONE`].
pub const ANONYMOUS: &str = "qcs::cam::anonymous:anonymous";

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
pub fn normalize_resource(name: &str) -> Cow<'_, str> {
    let parts = crate::eval::Parts::split(name, 6);
    let (Some("qcs"), Some(project), Some(service), Some(region), Some(account), Some(res)) = (
        parts.get(0),
        parts.get(1),
        parts.get(2),
        parts.get(3),
        parts.get(4),
        parts.get(5),
    ) else {
        return Cow::Borrowed(name);
    };
    // Most names are canonical already: say so without building a new one.
    let legacy_region = LEGACY_REGIONS.iter().any(|(old, _)| *old == region);
    let cos = service == "cos";
    let bare_bucket = cos && !res.contains('/') && !res.contains('*') && !res.is_empty();
    let legacy_form = cos && res.starts_with("prefix//");
    if !(legacy_region || bare_bucket || legacy_form) {
        return Cow::Borrowed(name);
    }
    let region = LEGACY_REGIONS
        .iter()
        .find(|(old, _)| *old == region)
        .map_or(region, |(_, new)| *new);
    let mut res = res.to_string();
    if cos {
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
    let out = format!("qcs:{project}:{service}:{region}:{account}:{res}");
    if out == name {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(out)
    }
}

/// The Tencent Cloud profile.
pub struct Tencent;

impl CloudProfile for Tencent {
    fn traits(&self) -> &'static Traits {
        &TRAITS
    }

    fn operations(&self) -> &'static [crate::ops::Operation] {
        ops::OPERATIONS
    }

    fn parse_identity(&self, t: &str, mut c: Caller) -> Result<Caller, String> {
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

    fn normalize_resource<'a>(&self, name: &'a str) -> Cow<'a, str> {
        normalize_resource(name)
    }

    fn principal_form(&self, kind: PrincipalKind, value: &str) -> PrincipalForm {
        match kind {
            PrincipalKind::Qcs if value == ANYONE || value == ANONYMOUS => PrincipalForm::Anyone,
            PrincipalKind::Qcs => qcs_form(value),
            _ => PrincipalForm::Unsupported,
        }
    }

    fn principal_matches(&self, form: &PrincipalForm, who: &Who<'_>) -> Option<PrincipalHow> {
        let caller = who.caller;
        if *form == PrincipalForm::Anyone {
            // "Deny all users" only denies anonymous users, never CAM users (COS bucket
            // policy documentation); an Allow for everyone covers every caller.
            return match who.effect {
                Effect::Deny => (caller.kind == CallerKind::Anonymous).then_some(PrincipalHow::Any),
                Effect::Allow => Some(PrincipalHow::Any),
            };
        }
        crate::eval::account_user_role(form, caller)
    }

    fn account_named_in<'r>(&self, resource: &'r str) -> Option<&'r str> {
        resource
            .split(':')
            .nth(4)
            .and_then(|a| a.strip_prefix("uin/"))
    }

    fn prepare<'s>(&self, stack: &'s Stack, req: &'s Request) -> Prepared<'s> {
        let caller = &req.caller;
        let action = self.normalize_action(&req.action);
        let mut notes = Notes::default();
        let named = self.account_named_in(&req.resource);
        let given = req
            .resource_account
            .as_deref()
            .or_else(|| stack.state.bucket_owner())
            .or(named);
        let resource_account = match given {
            Some(a) => Some(a),
            None => {
                if is_cos(action) {
                    notes.add(Note::CosAccountAssumed);
                }
                caller.account.as_deref()
            }
        };
        let mut facts = Facts::common(stack, req, resource_account);
        facts.resource = if is_role_assumption(action, &req.resource) {
            ResourceKind::RoleTrust
        } else {
            ResourceKind::Other
        };
        facts.storage = is_cos(action);
        // CAM's policy variables (docs/semantics/tencent.md): `qcs:current_time` and the other
        // request keys are left to the context, so that decisions do not depend on the clock.
        let user = &req.context;
        let mut derived = Derived::default();
        let uin = match caller.kind {
            CallerKind::User => caller.name.as_deref(),
            CallerKind::Root => caller.account.as_deref(),
            _ => None,
        };
        derived.add(user, "uin", uin);
        if caller.is_identity() {
            derived.add(user, "owner_uin", caller.account.as_deref());
        }
        if facts.same_account {
            let app_id = req
                .resource
                .split(':')
                .nth(4)
                .and_then(|a| a.strip_prefix("uid/"));
            derived.add(user, "app_id", app_id);
        }
        Prepared {
            action,
            passes: vec![PassPlan {
                pass: Pass::Only,
                resource: normalize_resource(&req.resource),
                access_point: None,
            }],
            resource_account,
            derived,
            facts,
            notes,
        }
    }

    fn applies(&self, layer: Layer, _pass: Pass, f: &Facts) -> Applies {
        let sub = matches!(f.caller, CallerKind::User | CallerKind::RoleSession);
        match layer {
            Layer::Session if !f.signed_identity() => Applies::Skip(Skip::TempKeyNeedsSignature),
            Layer::PermissionsBoundary if !sub => Applies::Skip(Skip::BoundaryUsersAndRolesOnly),
            Layer::Identity => match f.caller {
                CallerKind::User | CallerKind::RoleSession => Applies::Yes,
                CallerKind::Root => Applies::Skip(Skip::RootAllowedByDefault),
                _ => Applies::Skip(Skip::IdentityNeedsSignedPrincipal),
            },
            Layer::Scp | Layer::Rcp | Layer::VpcEndpoint | Layer::AccessPoint | Layer::KmsKey => {
                Applies::Skip(Skip::NoSuchLayer)
            }
            // ACL grants are read by the COS checks after the policies.
            Layer::Acl => Applies::Quietly,
            _ => Applies::Yes,
        }
    }

    /// The Tencent Cloud decision over evaluated layers.
    fn decide<'s>(&self, o: &Outcomes<'s>, f: &Facts) -> Verdict<'s> {
        let p = Pass::Only;
        let mut notes = Notes::default();
        // 1. Any matching deny denies.
        if let Some((run, stmt)) = o.first_deny(&TRAITS.layer_order, |_, _| false) {
            return Verdict::explicit(run, stmt);
        }
        let deny = |layer, reason, notes: Notes| Verdict::implicit(layer, reason).with_notes(notes);

        // 2. Something must allow.
        let signed = f.signed_identity();
        let sub = matches!(f.caller, CallerKind::User | CallerKind::RoleSession);
        let identity_allow = o.first_allow(p, Layer::Identity);
        let resource_best = o.best_allow(p, Layer::Resource);
        let resource_allow = o.first_allow(p, Layer::Resource);
        if f.resource == ResourceKind::RoleTrust {
            if sub && identity_allow.is_none() {
                return deny(Layer::Identity, Reason::AssumeRoleNeedsIdentity, notes);
            }
            if resource_best.is_none() {
                if o.get(p, Layer::Resource).is_none() {
                    notes.add(Note::NoTrustPolicy);
                }
                return deny(Layer::Resource, Reason::TrustPolicyNoAllow, notes);
            }
            return Verdict::allow(resource_allow, Reason::Allowed).with_notes(notes);
        }
        let granted = if f.caller == CallerKind::Root && f.same_account {
            notes.add(Note::TencentRootOwner);
            None
        } else if !signed {
            match resource_best {
                Some(h) if h != PrincipalHow::Account => resource_allow,
                _ => return deny(Layer::Resource, Reason::AnonymousNoBucketGrant, notes),
            }
        } else if f.same_account {
            // CAM policy OR bucket policy; a bucket-policy entry naming the root account only
            // delegates to the account's own CAM policies.
            let by_bucket = resource_best.is_some_and(|h| h != PrincipalHow::Account);
            if identity_allow.is_none() && !by_bucket {
                return deny(Layer::Identity, Reason::NoIdentityNoBucketAllow, notes);
            }
            identity_allow.or(resource_allow)
        } else {
            // Cross-account: the owner's bucket policy must grant, and the caller's own root account
            // must grant its sub-account through CAM.
            if resource_best.is_none() {
                return deny(Layer::Resource, Reason::CrossAccountNoGrant, notes);
            }
            if resource_best == Some(PrincipalHow::Any) {
                // "COS verifies the permissions of the user as anonymous user based on
                // resource-based policies. Either verification is successful and the user will be
                // allowed" (COS access policy evaluation process).
                notes.add(Note::CosEveryoneGrantCrossAccount);
            } else if sub && identity_allow.is_none() {
                return deny(
                    Layer::Identity,
                    Reason::CrossAccountNeedsSubAccountGrant,
                    notes,
                );
            }
            resource_allow
        };
        if o.no_allow(p, Layer::PermissionsBoundary) {
            notes.add(Note::BoundaryCapsBucketGrants);
            return deny(Layer::PermissionsBoundary, Reason::BoundaryNoAllow, notes);
        }
        if o.no_allow(p, Layer::Session) {
            return deny(Layer::Session, Reason::SessionNoAllow, notes);
        }
        Verdict::granted(granted, Reason::AllowedOwner).with_notes(notes)
    }

    fn layer_title(&self, layer: Layer, _action: &str, _resource: &str) -> &'static str {
        title(layer)
    }

    fn message(&self, e: &Case<'_, '_>, _layer: Layer) -> Message {
        let resource = e
            .prepared
            .plan(Pass::Only)
            .map_or(e.request.resource.as_str(), |p| &p.resource);
        message(e.prepared.action, resource)
    }

    fn checklist(&self, e: &Case<'_, '_>) -> Vec<ChecklistItem> {
        if e.prepared.facts.storage {
            cos_checklist(e)
        } else {
            Vec::new()
        }
    }
}

/// `qcs::cam::uin/OWNER:uin/SUB`, `...:uin/OWNER` or `...:root` (the root account: any identity
/// of the account, through its own CAM policies), `...:roleName/NAME`, `...:role/ID`; owner
/// and names are wildcard patterns.
fn qcs_form(v: &str) -> PrincipalForm {
    use crate::ir::NamePart::Pattern;
    let p: Vec<&str> = v.splitn(6, ':').collect();
    let ["qcs", _, "cam", _, owner, who] = p.as_slice() else {
        return PrincipalForm::Unsupported;
    };
    let Some(owner) = owner.strip_prefix("uin/") else {
        return PrincipalForm::Unsupported;
    };
    let account = Pattern(Glob::new(owner));
    let (kind, name) = who.split_once('/').unwrap_or((who, ""));
    if kind == "root" || (kind == "uin" && name == owner) {
        return PrincipalForm::Account(account);
    }
    match kind {
        "uin" => PrincipalForm::User {
            account,
            name: Pattern(Glob::new(name)),
        },
        "roleName" | "role" => PrincipalForm::Role {
            account,
            name: Pattern(Glob::new(name)),
        },
        _ => PrincipalForm::Unsupported,
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

/// The policy questions of the COS 403 troubleshooting flow, answered from the evaluated layers:
/// is the request anonymous, does the sub-account have permission, does the temporary key's
/// policy cover the request, and is a cross-account request granted on both sides.
fn cos_checklist(e: &Case<'_, '_>) -> Vec<ChecklistItem> {
    let caller = &e.request.caller;
    let resource_account = e.prepared.resource_account;
    let o = &e.outcomes;
    let stmt = |s: &StatementRef<'_>| format!("{} ({})", s.label(), s.location());
    let layer_answer = |layer: Layer, what: &str| -> String {
        match o.get(Pass::Only, layer) {
            None => format!("no {what} in the stack"),
            Some(r) => match (r.denies.first(), r.allows.first()) {
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
        answer: match o.get(Pass::Only, Layer::Session) {
            None => "no temporary-key policy in the stack (the request is not made with a temporary key, or its policy was not given)".into(),
            Some(_) => layer_answer(Layer::Session, "temporary-key policy"),
        },
    });
    let same = e.prepared.facts.same_account;
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
        Layer::KmsKey => "KMS key policy",
        Layer::Acl => "ACL",
    }
}

/// COS answers every policy denial alike, naming no layer (COS 403 guide); other CAM-governed
/// APIs answer `UnauthorizedOperation`.
fn message(action: &str, resource: &str) -> Message {
    if is_cos(action) {
        Message::new("AccessDenied", "Access Denied.")
    } else {
        Message::new(
            "UnauthorizedOperation",
            format!("you are not authorized to perform operation ({action}) resource ({resource}) has no permission"),
        )
        .with_note("CAM-governed APIs other than COS answer `UnauthorizedOperation`; the wording follows their API error documentation (UNCERTAIN)")
    }
}
