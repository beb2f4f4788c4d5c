//! Alibaba Cloud: RAM users, roles and STS sessions; RAM policies, OSS bucket policies, role trust
//! policies, STS `Policy` parameters, Resource Directory control policies, OSS access point
//! policies and PrivateLink endpoint policies.
//!
//! The rules and their sources are in `docs/semantics/aliyun.md`; UNCERTAIN points of the spec
//! are chosen there and reported in `Evaluation.notes` when they apply.

pub mod ops;

use crate::decide::{
    Decision, Facts, Note, Notes, Outcomes, Pass, PrincipalHow, Reason, ResourceKind, Skip, Verdict,
};
use crate::ir::{Cloud, Layer, PrincipalForm, PrincipalKind};
use crate::pattern::Glob;
use crate::profile::{Applies, CallerNames, CloudProfile, Message, ResourceNames, Traits, Who};
use crate::profile::{Case, PassPlan, Prepared};
use crate::request::{Caller, CallerKind, Derived, Request};
use crate::stack::Stack;
use crate::stack::StatementRef;
use std::borrow::Cow;

/// What Alibaba Cloud is, as data.
pub static TRAITS: Traits = Traits {
    cloud: Cloud::Aliyun,
    version_markers: &["1"],
    name_prefix: "acs:",
    actions_case_insensitive: true,
    action_prefix: None,
    keys_case_sensitive: false,
    negated_holds_on_missing_key: true,
    resources: ResourceNames {
        segments: 5,
        prefix: "acs",
        account_segment: Some(3),
        empty_means_any: &[],
        empty_means_own_account: None,
        // OSS names carry `*` for the region: a request segment `*` is not specific.
        request_star_is_any: true,
    },
    partition: "acs",
    anonymous_names: &["anonymous", "*"],
    service_suffix: ".aliyuncs.com",
    default_principal: "acs:ram::{account}:user/{user}",
    default_account: "1234567890123456",
    callers: CallerNames {
        root: "acs:ram::{account}:root",
        user: "acs:ram::{account}:user/{user}",
        role_session: "acs:ram::{account}:assumed-role/{role}/{session}",
        federated_user: None,
        special: &["acs:ram::{account}:assumed-role/AliyunServiceRoleForPolsim/polsim"],
        other_accounts: &["9999999999999999", "9999888877776666"],
        other_name: "polsim-other",
    },
    storage_names: ["acs:oss:*:{account}:example-bucket", "acs:oss:*:{account}:example-bucket/example-object"],
    limiting_keys: &["acs:SourceIp", "acs:SourceVpc", "acs:SourceVpcId", "acs:SourceVpcIp", "acs:AccessId", "acs:PrincipalARN", "oss:DataAccessPointArn", "oss:DataAccessPointAccount"],
    // The order layers are evaluated in, and explicit denies reported in.
    statement_checks: true,
    unmodelled: "the request's signature, clock skew, WORM retention, archived objects awaiting restore, CORS, and a bucket or account disabled for overdue payment can still refuse an allowed request",
    layer_order: [
        Layer::Scp,
        Layer::VpcEndpoint,
        Layer::Session,
        Layer::AccessPoint,
        Layer::Resource,
        Layer::Identity,
        Layer::PermissionsBoundary,
        Layer::Rcp,
        Layer::Acl,
        Layer::KmsKey,
    ],
};

pub mod oss;

/// The account field of an `acs:` resource name.
pub fn acs_account(name: &str) -> Option<&str> {
    let a = name.split(':').nth(3)?;
    (!a.is_empty() && a != "*").then_some(a)
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

/// The Alibaba Cloud profile.
pub struct Aliyun;

impl CloudProfile for Aliyun {
    fn traits(&self) -> &'static Traits {
        &TRAITS
    }

    fn operations(&self) -> &'static [crate::ops::Operation] {
        ops::OPERATIONS
    }

    fn parse_identity(&self, t: &str, mut c: Caller) -> Result<Caller, String> {
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

    fn principal_form(&self, kind: PrincipalKind, value: &str) -> PrincipalForm {
        match kind {
            PrincipalKind::Uid if value == "*" => PrincipalForm::Everyone,
            PrincipalKind::Uid
                if !value.is_empty()
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'x' || b == b'*') =>
            {
                // A UID: a RAM user's UID (the test format's principal_id), or an account's.
                PrincipalForm::UniqueId(Glob::new(value))
            }
            PrincipalKind::Uid if value.starts_with("arn:sts:") => {
                PrincipalForm::SessionPattern(Glob::new(value))
            }
            PrincipalKind::Uid | PrincipalKind::Ram => ram_form(value),
            _ => PrincipalForm::Unsupported,
        }
    }

    fn principal_matches(&self, form: &PrincipalForm, who: &Who<'_>) -> Option<PrincipalHow> {
        let caller = who.caller;
        let account = caller.account.as_deref();
        let named = match form {
            PrincipalForm::UniqueId(g) => {
                let user = caller.kind == CallerKind::User
                    && caller.id.as_deref().is_some_and(|id| g.matches(id));
                let root = caller.kind == CallerKind::Root && account.is_some_and(|a| g.matches(a));
                user || root
            }
            PrincipalForm::SessionPattern(g) => sts_form(caller).is_some_and(|s| g.matches(&s)),
            form => return crate::eval::account_user_role(form, caller),
        };
        named.then_some(PrincipalHow::Direct)
    }

    fn prepare<'s>(&self, stack: &'s Stack, req: &'s Request) -> Prepared<'s> {
        let caller = &req.caller;
        let action = req.action.as_str();
        let (resource_account, assumed) = self.resource_account(stack, req);
        let user = &req.context;
        let mut derived = Derived::default();
        derived.add(user, "acs:PrincipalARN", caller.principal_arn.as_deref());
        if let Some(ap) = &req.access_point {
            derived.add(user, "oss:DataAccessPointArn", Some(ap));
            derived.add(user, "oss:DataAccessPointAccount", acs_account(ap));
        }
        let mut facts = Facts::common(stack, req, resource_account);
        facts.service_linked = caller.path == "/service-linked/";
        facts.resource = if is_role_assumption(action, &req.resource) {
            ResourceKind::RoleTrust
        } else {
            ResourceKind::Other
        };
        facts.storage = is_oss(action);
        Prepared {
            action,
            passes: vec![PassPlan {
                pass: Pass::Only,
                resource: Cow::Borrowed(&req.resource),
                access_point: req
                    .access_point
                    .as_deref()
                    .map(|ap| Cow::Owned(access_point_resource(ap, &req.resource))),
            }],
            resource_account,
            derived,
            facts,
            notes: {
                let mut n = Notes::default();
                if assumed {
                    n.add(Note::ResourceAccountAssumed);
                }
                n
            },
        }
    }

    fn applies(&self, layer: Layer, _pass: Pass, f: &Facts) -> Applies {
        match layer {
            // Control policies: RAM users and roles of a member account; not the account
            // itself, not service-linked roles, not anonymous or service callers.
            Layer::Scp => match f.caller {
                CallerKind::Root => Applies::Skip(Skip::ControlPolicyNotForAccount),
                CallerKind::Anonymous | CallerKind::Service => {
                    Applies::Skip(Skip::ScpNotForAnonymousOrService)
                }
                _ if f.service_linked => Applies::Skip(Skip::ServiceLinkedRole),
                _ => Applies::Yes,
            },
            Layer::Session if f.caller != CallerKind::RoleSession => {
                Applies::Skip(Skip::SessionPolicyNeedsSession)
            }
            Layer::AccessPoint if !f.via_access_point => Applies::Quietly,
            Layer::Identity => match f.caller {
                CallerKind::User | CallerKind::RoleSession => Applies::Yes,
                CallerKind::Root => Applies::Skip(Skip::RootAllowedByDefault),
                _ => Applies::Skip(Skip::IdentityNeedsSignedPrincipal),
            },
            Layer::PermissionsBoundary | Layer::Rcp => Applies::Skip(Skip::NoSuchLayer),
            // The key policy is judged in the KMS request OSS makes; the ACL grants by the OSS
            // checks after the policies.
            Layer::KmsKey | Layer::Acl => Applies::Quietly,
            _ => Applies::Yes,
        }
    }

    /// The Alibaba Cloud decision over evaluated layers.
    fn decide<'s>(&self, o: &Outcomes<'s>, f: &Facts) -> Verdict<'s> {
        let p = Pass::Only;
        let mut notes = Notes::default();
        let owner = f.owner_root();

        // 1. Explicit deny: control policy, endpoint, session, access point, bucket, RAM.
        let mut owner_exempt = false;
        let deny = o.first_deny(&TRAITS.layer_order, |run, d| {
            let exempt = owner && run.layer == Layer::Resource && wildcard_without_condition(d);
            owner_exempt |= exempt;
            exempt
        });
        if owner_exempt {
            notes.add(Note::OwnerExemptFromWildcardDeny);
        }
        if let Some((run, stmt)) = deny {
            return Verdict::explicit(run, stmt).with_notes(notes);
        }
        let deny = |layer, reason, notes: Notes| Verdict::implicit(layer, reason).with_notes(notes);

        // 2. What must allow.
        if let Some(run) = o.level_without_allow(p, Layer::Scp) {
            return Verdict::implicit_level(run, Reason::ChainLevelNoAllow).with_notes(notes);
        }
        if o.no_allow(p, Layer::VpcEndpoint) {
            return deny(Layer::VpcEndpoint, Reason::EndpointNoAllow, notes);
        }
        if o.no_allow(p, Layer::Session) {
            return deny(Layer::Session, Reason::SessionNoAllow, notes);
        }
        let identity_allows = o.first_allow(p, Layer::Identity);
        let resource_allows = o.first_allow(p, Layer::Resource);
        let granted = if f.resource == ResourceKind::RoleTrust {
            if f.caller == CallerKind::Root {
                notes.add(Note::RootCannotAssumeRole);
                return deny(Layer::Identity, Reason::RootCannotAssumeRole, notes);
            }
            if identity_allows.is_none() && f.signed_identity() {
                return deny(Layer::Identity, Reason::AssumeRoleNeedsIdentity, notes);
            }
            if resource_allows.is_none() {
                if !f.has_resource_layer {
                    notes.add(Note::NoTrustPolicy);
                }
                return deny(Layer::Resource, Reason::TrustPolicyNoAllow, notes);
            }
            resource_allows
        } else {
            let identity_counts = f.same_account && identity_allows.is_some();
            if identity_allows.is_some() && !f.same_account {
                notes.add(Note::RamPoliciesOwnAccountOnly);
            }
            if owner {
                if identity_allows.is_none() && resource_allows.is_none() {
                    notes.add(Note::OwnerHasEveryPermission);
                }
            } else if !identity_counts && resource_allows.is_none() {
                if f.storage {
                    notes.add(Note::OssAclFallbackPrivate);
                }
                // Services without resource-based policies (ECS, VPC, ...) decide on RAM policies
                // alone, whoever owns the resource.
                let identity_final = !f.storage && !f.has_resource_layer;
                return if f.signed_identity() && (f.same_account || identity_final) {
                    deny(Layer::Identity, Reason::NoIdentityNoBucketAllow, notes)
                } else {
                    deny(Layer::Resource, Reason::OnlyBucketPolicyCanGrant, notes)
                };
            }
            if identity_counts {
                identity_allows
            } else {
                resource_allows
            }
        };
        if f.via_access_point
            && o.get(p, Layer::Resource)
                .is_none_or(|r| r.allows.is_empty())
        {
            return deny(
                Layer::Resource,
                Reason::BucketNeedsAccessPointDelegation,
                notes,
            );
        }
        if f.via_access_point
            && o.get(p, Layer::AccessPoint)
                .is_none_or(|r| r.allows.is_empty())
        {
            return deny(Layer::AccessPoint, Reason::AccessPointNoAllow, notes);
        }
        Verdict::granted(granted, Reason::AllowedOwner).with_notes(notes)
    }

    fn layer_title(&self, layer: Layer, action: &str, resource: &str) -> &'static str {
        title(layer, action, resource)
    }

    fn message(&self, e: &Case<'_, '_>, layer: Layer) -> Message {
        let req = e.request;
        let m = message(
            &req.caller,
            &req.action,
            &req.resource,
            e.verdict.decision,
            layer,
        );
        // Both the bucket policy and a RAM policy denying has its own EC code.
        let both_deny = [Layer::Resource, Layer::Identity]
            .iter()
            .all(|l| e.outcomes.denies(Pass::Only, *l));
        if both_deny && e.verdict.decision == Decision::ExplicitDeny && is_oss(&req.action) {
            Message {
                code: "AccessDenied (EC 0003-00000203)".into(),
                ..m
            }
        } else {
            m
        }
    }
}

/// `acs:ram::UID:root` (the account: any of its identities), `acs:ram::UID:user/NAME`,
/// `acs:ram::UID:role/NAME`; account and names are wildcard patterns, names ignore case.
fn ram_form(v: &str) -> PrincipalForm {
    use crate::ir::NamePart::{FoldedPattern, Pattern};
    let p: Vec<&str> = v.splitn(5, ':').collect();
    let ["acs", "ram", _, acct, res] = p.as_slice() else {
        return PrincipalForm::Unsupported;
    };
    let account = Pattern(Glob::new(acct));
    let (kind, name) = res.split_once('/').unwrap_or((res, ""));
    let name = || {
        let first = name.split('/').next().unwrap_or(name);
        FoldedPattern(Glob::new(&first.to_lowercase()))
    };
    match kind {
        "root" => PrincipalForm::Account(account),
        "user" => PrincipalForm::User {
            account,
            name: name(),
        },
        "role" => PrincipalForm::Role {
            account,
            name: name(),
        },
        _ => PrincipalForm::Unsupported,
    }
}

fn is_oss(action: &str) -> bool {
    action
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("oss:"))
}

fn is_role_assumption(action: &str, resource: &str) -> bool {
    action.eq_ignore_ascii_case("sts:AssumeRole")
        && resource.starts_with("acs:ram:")
        && resource
            .split(':')
            .nth(4)
            .is_some_and(|r| r.starts_with("role/"))
}

/// Whether a resource-layer statement names `*` alone and has no condition.
fn wildcard_without_condition(s: &StatementRef<'_>) -> bool {
    s.stmt.conditions.is_empty()
        && s.stmt.principal.as_ref().is_some_and(|p| {
            p.items
                .iter()
                .all(|e| e.kind == PrincipalKind::Any || e.value == "*")
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
        Layer::KmsKey => "KMS key policy",
        Layer::Acl => "ACL",
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
) -> Message {
    let action = action.to_ascii_lowercase();
    let action = action.as_str();
    if caller.kind == CallerKind::Root && is_role_assumption(action, resource) {
        return Message::new("NoPermission", "Roles may not be assumed by root accounts.");
    }
    if !is_oss(action) {
        if action.starts_with("sts:") || action.starts_with("ram:") {
            return Message::new(
                "NoPermission",
                "You are not authorized to do this action. You should be authorized by RAM.",
            );
        }
        return Message::new("Forbidden.RAM", "User not authorized to operate on the specified resource, or this API doesn't support RAM.").with_note("for services other than OSS polsim reports RAM's generic `Forbidden.RAM` error; each service words it its own way");
    }
    let object = resource
        .splitn(5, ':')
        .nth(4)
        .is_some_and(|r| r.contains('/'));
    match (decision, layer) {
        (_, Layer::Session) => Message::new("AccessDenied (EC 0003-00000301)", "Access denied by authorizer's policy."),
        (Decision::ExplicitDeny, Layer::Resource) => Message::new("AccessDenied (EC 0003-00000101)", "Access denied by bucket policy."),
        (Decision::ExplicitDeny, Layer::Identity) => Message::new("AccessDenied (EC 0003-00000201)", "Access denied by bucket policy."),
        (Decision::ExplicitDeny, Layer::Scp) | (Decision::ImplicitDeny, Layer::Scp) => {
            Message::new("AccessDenied", "Access denied by authorizer's policy.").with_note("OSS documents no message for a control-policy denial; polsim reports RAM's `Access denied by authorizer's policy.` wording without an EC code (UNCERTAIN)")
        }
        (_, Layer::VpcEndpoint) | (_, Layer::AccessPoint) => {
            Message::new("AccessDenied", "You have no right to access this object.").with_note(format!("OSS documents no message for an {} denial; polsim reports the generic `You have no right to access this object.` (UNCERTAIN)", title(layer, action, resource)))
        }
        _ if caller.kind == CallerKind::Anonymous => {
            let what = if object { "object" } else { "bucket" };
            Message::new("AccessDenied", format!("Anonymous user has no right to access this {what}."))
        }
        _ if action == "oss:listbuckets" => Message::new("AccessDenied", "You are forbidden to list buckets."),
        _ if action == "oss:getobjectacl" => Message::new("AccessDenied", "You do not have read acl permission on this object."),
        _ if action == "oss:putobjectacl" => Message::new("AccessDenied", "You do not have write acl permission on this object."),
        _ if object || action == "oss:listobjects" || action == "oss:listobjectversions" => Message::new("AccessDenied", "You have no right to access this object because of bucket acl."),
        _ => Message::new("AccessDenied", "The bucket you visit is not belong to you."),
    }
}
