//! AWS IAM: principals, resource matching, the decision flow and access-denied messages.
//!
//! Rules and their sources are listed in `docs/semantics/aws.md`; the section marks (§) below
//! refer to the project's AWS semantics spec.

pub mod ops;

use crate::decide::{
    Decision, Facts, Note, Notes, Outcomes, Pass, PrincipalHow, Reason, ResourceKind, Skip, Verdict,
};
use crate::ir::{
    Cloud, Effect, Layer, PrincipalEntry, PrincipalForm, PrincipalKind, ResourcePattern,
};
use crate::profile::{Applies, CallerNames, CloudProfile, Message, ResourceNames, Traits, Who};
use crate::profile::{Case, PassPlan, Prepared};
use crate::request::{Caller, CallerKind, Derived, Request};
use crate::stack::Stack;
use crate::stack::StatementRef;
use std::borrow::Cow;

/// What AWS is, as data.
pub static TRAITS: Traits = Traits {
    cloud: Cloud::Aws,
    version_markers: &["2012-10-17", "2008-10-17"],
    name_prefix: "arn:",
    actions_case_insensitive: true,
    action_prefix: None,
    keys_case_sensitive: false,
    negated_holds_on_missing_key: true,
    resources: ResourceNames {
        segments: 6,
        prefix: "arn",
        account_segment: Some(4),
        empty_means_any: &[],
        empty_means_own_account: None,
        request_star_is_any: false,
    },
    partition: "aws",
    anonymous_names: &["anonymous", "*"],
    service_suffix: "",
    default_principal: "arn:aws:iam::{account}:user/{user}",
    default_account: "123456789012",
    callers: CallerNames {
        root: "arn:aws:iam::{account}:root",
        user: "arn:aws:iam::{account}:user/{user}",
        role_session: "arn:aws:sts::{account}:assumed-role/{role}/{session}",
        federated_user: Some("arn:aws:sts::{account}:federated-user/{user}"),
        special: &["arn:aws:iam::{account}:role/aws-service-role/polsim.amazonaws.com/AWSServiceRoleForPolsim"],
        other_accounts: &["999999999999", "999988887777", "888877776666"],
        other_name: "polsim-other",
    },
    storage_names: ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/example-object"],
    limiting_keys: s3::LIMITING_KEYS,
    // The order explicit denies are reported in, and layers evaluated in (§1.1).
    statement_checks: false,
    unmodelled: "the request's signature and credentials (expired, wrong region), clock skew, Object Lock retention, archived (Glacier) objects, SSE-C keys, an access point's network origin, CORS, and a suspended account can still refuse an allowed request",
    layer_order: Layer::ALL,
};

pub mod s3;

/// Services whose resources resource control policies govern (AWS Organizations, 2025).
pub const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-identity",
    "logs",
    "dynamodb",
    "ecr",
    "aoss",
];

/// Checks that `user` (an IAM user ARN, or the account's root ARN) can be the identity that
/// called GetFederationToken for `caller`: a federated-user session of the same account.
pub fn federating_user(caller: &Caller, user: &str) -> Result<(), String> {
    if caller.kind != CallerKind::FederatedUser {
        return Err(format!(
            "`federated_by` applies to a `federated-user` principal, and `{}` is not one",
            caller.text
        ));
    }
    let parts: Vec<&str> = user.splitn(6, ':').collect();
    let ok = match parts.as_slice() {
        ["arn", _, "iam", "", acct, res] => {
            caller.account.as_deref() == Some(*acct)
                && (*res == "root" || res.strip_prefix("user/").is_some_and(|n| !n.is_empty()))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{user}` is not an IAM user (or root user) of the session's account {}",
            caller.account.as_deref().unwrap_or("?")
        ))
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account named in an ARN's fifth field, if any.
pub fn arn_account(arn: &str) -> Option<&str> {
    let a = arn.split(':').nth(4)?;
    (!a.is_empty() && a != "*").then_some(a)
}

fn arn_service(arn: &str) -> Option<&str> {
    arn.split(':').nth(2)
}

/// The resource part of an ARN (after the fifth `:`).
fn arn_resource(arn: &str) -> Option<&str> {
    arn.splitn(6, ':').nth(5)
}

/// The AWS profile.
pub struct Aws;

impl CloudProfile for Aws {
    fn traits(&self) -> &'static Traits {
        &TRAITS
    }

    fn operations(&self) -> &'static [crate::ops::Operation] {
        ops::OPERATIONS
    }

    fn parse_identity(&self, t: &str, mut c: Caller) -> Result<Caller, String> {
        if is_account_id(t) {
            c.kind = CallerKind::Root;
            c.account = Some(t.to_string());
            c.display_arn = format!("arn:aws:iam::{t}:root");
            c.principal_arn = Some(c.display_arn.clone());
            c.id.get_or_insert_with(|| t.to_string());
            return Ok(c);
        }
        if !t.starts_with("arn:") {
            return Err(format!(
                "`{t}` is not an AWS principal: expected an ARN such as `arn:aws:iam::111122223333:user/Dave`, a service name such as `s3.amazonaws.com`, or `anonymous`"
            ));
        }
        let parts: Vec<&str> = t.splitn(6, ':').collect();
        let [_, partition, service, _region, account, res] = parts.as_slice() else {
            return Err(format!(
                "`{t}` is not a well-formed ARN (expected six `:`-separated parts)"
            ));
        };
        if !is_account_id(account) {
            return Err(format!(
                "`{t}`: the account part `{account}` is not a 12-digit account ID"
            ));
        }
        c.partition = partition.to_string();
        c.account = Some(account.to_string());
        let (kind_word, rest) = res.split_once('/').unwrap_or((res, ""));
        match (*service, kind_word) {
            ("iam", "root") if rest.is_empty() => {
                c.kind = CallerKind::Root;
                c.display_arn = t.to_string();
                c.principal_arn = Some(t.to_string());
                c.id.get_or_insert_with(|| account.to_string());
            }
            ("iam", "user") | ("iam", "role") if !rest.is_empty() => {
                let (path, name) = match rest.rsplit_once('/') {
                    Some((p, n)) => (format!("/{p}/"), n),
                    None => ("/".to_string(), rest),
                };
                c.name = Some(name.to_string());
                c.path = path;
                c.principal_arn = Some(t.to_string());
                c.display_arn = t.to_string();
                c.kind = if kind_word == "user" {
                    CallerKind::User
                } else {
                    CallerKind::RoleSession
                };
            }
            ("sts", "assumed-role") => {
                let Some((role, session)) = rest.split_once('/') else {
                    return Err(format!("`{t}`: an assumed-role ARN reads `assumed-role/ROLE/SESSION`"));
                };
                c.kind = CallerKind::RoleSession;
                c.name = Some(role.to_string());
                c.session = Some(session.to_string());
                c.display_arn = t.to_string();
                c.principal_arn = Some(format!("arn:{partition}:iam::{account}:role/{role}"));
            }
            ("sts", "federated-user") if !rest.is_empty() => {
                c.kind = CallerKind::FederatedUser;
                c.name = Some(rest.to_string());
                c.display_arn = t.to_string();
                c.principal_arn = Some(t.to_string());
                if c.id.is_none() {
                    // aws:userid of a federated user is `ACCOUNT:NAME`.
                    c.id = Some(format!("{account}:{rest}"));
                }
            }
            _ => {
                return Err(format!(
                    "`{t}` is not a principal ARN: expected `iam::ACCOUNT:user/NAME`, `iam::ACCOUNT:role/NAME`, `iam::ACCOUNT:root`, `sts::ACCOUNT:assumed-role/ROLE/SESSION` or `sts::ACCOUNT:federated-user/NAME`"
                ))
            }
        }
        Ok(c)
    }

    fn short_resource_pattern(
        &self,
        pattern: &ResourcePattern,
        resource: &str,
        layer: Layer,
    ) -> Option<bool> {
        match layer {
            // Missing trailing segments of a short identity-policy ARN are `*`.
            Layer::Identity | Layer::PermissionsBoundary | Layer::Session => None,
            // RCPs do not accept short ARNs at all.
            Layer::Rcp => Some(false),
            // Resource-based, endpoint and organization policies: a short ARN matches only
            // through a trailing wildcard.
            _ => Some(pattern.text.ends_with('*') && pattern.whole.matches(resource)),
        }
    }

    fn principal_form(&self, kind: PrincipalKind, value: &str) -> PrincipalForm {
        principal_form(kind, value)
    }

    fn principal_matches(&self, form: &PrincipalForm, who: &Who<'_>) -> Option<PrincipalHow> {
        form_matches(form, who.caller, who.layer)
    }

    fn not_principal_exempts(
        &self,
        entries: &[PrincipalEntry],
        caller: &Caller,
        effect: Effect,
        facts: &Facts,
    ) -> bool {
        if entries.iter().any(|e| e.form == PrincipalForm::Everyone) {
            return true;
        }
        match effect {
            Effect::Allow => entries.iter().any(|e| {
                crate::eval::common_principal(e, caller)
                    .unwrap_or_else(|| form_matches(&e.form, caller, Layer::Resource))
                    .is_some()
            }),
            Effect::Deny => {
                // A principal with a permissions boundary is always denied (§3 NotPrincipal).
                if facts.has_boundary {
                    return false;
                }
                // Exempt only when every identity the request carries is listed.
                let listed = |f: fn(&PrincipalForm, &Caller) -> bool| {
                    entries
                        .iter()
                        .any(|e| e.kind == PrincipalKind::Aws && f(&e.form, caller))
                };
                let account_listed = listed(
                    |f, c| matches!(f, PrincipalForm::Account(a) if a.matches_opt(c.account.as_deref())),
                );
                let names_caller = |f: &PrincipalForm, c: &Caller| {
                    form_matches(f, c, Layer::Resource) == Some(PrincipalHow::Direct)
                };
                match caller.kind {
                    CallerKind::Anonymous => false,
                    CallerKind::Service => entries.iter().any(|e| {
                        matches!(&e.form, PrincipalForm::Service(n)
                            if caller.name.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(n)))
                    }),
                    CallerKind::Root => account_listed,
                    CallerKind::User | CallerKind::FederatedUser => {
                        account_listed && listed(names_caller)
                    }
                    CallerKind::RoleSession => {
                        let role_listed = listed(|f, c| {
                            form_matches(f, c, Layer::Resource) == Some(PrincipalHow::Role)
                        });
                        account_listed && role_listed && listed(names_caller)
                    }
                }
            }
        }
    }

    fn prepare<'s>(&self, stack: &'s Stack, req: &'s Request) -> Prepared<'s> {
        let caller = &req.caller;
        let action = req.action.as_str();
        let (resource_account, assumed) = self.resource_account(stack, req);
        let mut notes = Notes::default();
        if assumed {
            notes.add(Note::ResourceAccountAssumed);
        }
        let mut derived = Derived::default();
        derive_keys(&mut derived, req, resource_account);

        let service = action.split(':').next().unwrap_or("");
        let mut facts = Facts::common(stack, req, resource_account);
        facts.service_linked = caller.is_service_linked_role();
        facts.kms_key_layer = stack.has(Layer::KmsKey);
        // An object another account owns (ACLs enabled): its owner is the account whose grant
        // counts; the bucket owner's policy only denies (resource-controls §1.3).
        if let Some(s3_state) = &stack.state.s3 {
            let bucket_owner = s3_state.bucket_owner.as_deref().or(resource_account);
            // Writes that create an object are granted by the bucket owner, whoever owns what they
            // replace; the state's object is the one read (for a copy, the source).
            let object = arn_resource(&req.resource).is_some_and(|r| r.contains('/'))
                && !s3::creates_object(action);
            if let Some(owner) = s3::object_owner(s3_state, &stack.state).filter(|_| object) {
                if Some(owner) != bucket_owner {
                    facts.foreign_object = true;
                    facts.same_account = caller.account.as_deref() == Some(owner);
                    notes.add(Note::ForeignObjectAclOnly);
                }
            }
        }
        facts.resource = if is_kms_key(&req.resource) {
            ResourceKind::KmsKey
        } else if is_role_trust(action, &req.resource) {
            ResourceKind::RoleTrust
        } else {
            ResourceKind::Other
        };
        facts.storage = service.eq_ignore_ascii_case("s3");
        facts.has_boundary = stack.has(Layer::PermissionsBoundary)
            && matches!(
                caller.kind,
                CallerKind::User | CallerKind::RoleSession | CallerKind::FederatedUser
            );
        facts.bucket_policy_action = [
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action));
        facts.rcp_covers_service = RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service));
        facts.caller_identity = action.eq_ignore_ascii_case("sts:GetCallerIdentity");
        if facts.caller_identity {
            notes.add(Note::CallerIdentityAlwaysAllowed);
        } else if caller.kind == CallerKind::Root && facts.identity_policies {
            notes.add(Note::RootIdentityNotEvaluated);
        }

        let passes = match &req.access_point {
            Some(ap) => {
                notes.add(Note::AccessPointTwoPasses);
                let ap_account = arn_account(ap).or(resource_account);
                facts.access_point_same_account =
                    caller.account.is_some() && caller.account.as_deref() == ap_account;
                vec![
                    PassPlan {
                        pass: Pass::AccessPoint,
                        resource: Cow::Owned(access_point_resource(ap, &req.resource)),
                        access_point: None,
                    },
                    PassPlan {
                        pass: Pass::Bucket,
                        resource: Cow::Borrowed(&req.resource),
                        access_point: None,
                    },
                ]
            }
            None => vec![PassPlan {
                pass: Pass::Only,
                resource: Cow::Borrowed(&req.resource),
                access_point: None,
            }],
        };
        Prepared {
            action,
            passes,
            resource_account,
            derived,
            facts,
            notes,
        }
    }

    fn applies(&self, layer: Layer, pass: Pass, f: &Facts) -> Applies {
        if f.caller_identity {
            return Applies::Quietly;
        }
        match layer {
            // The key policy is judged in the KMS request S3 makes for the caller, where it is
            // the resource-based policy of the key.
            Layer::KmsKey if f.resource != ResourceKind::KmsKey => Applies::Quietly,
            Layer::Rcp if f.service_linked => Applies::Skip(Skip::ServiceLinkedRole),
            Layer::Rcp if !f.rcp_covers_service => Applies::Skip(Skip::RcpServiceNotCovered),
            Layer::Scp if !f.signed_identity() => Applies::Skip(Skip::ScpNotForAnonymousOrService),
            Layer::Scp if f.service_linked => Applies::Skip(Skip::ServiceLinkedRole),
            Layer::AccessPoint if pass != Pass::AccessPoint => Applies::Quietly,
            // ACLs are the bucket's and object's, not the access point's.
            Layer::Acl if pass == Pass::AccessPoint => Applies::Quietly,
            Layer::Resource if pass == Pass::AccessPoint => Applies::Quietly,
            Layer::Identity => match f.caller {
                CallerKind::Anonymous | CallerKind::Service => {
                    Applies::Skip(Skip::IdentityNeedsSignedPrincipal)
                }
                CallerKind::Root => Applies::Skip(Skip::RootAllowedByDefault),
                _ => Applies::Yes,
            },
            Layer::PermissionsBoundary if !f.has_boundary => {
                Applies::Skip(Skip::BoundaryUsersAndRolesOnly)
            }
            Layer::Session
                if !matches!(
                    f.caller,
                    CallerKind::RoleSession | CallerKind::FederatedUser
                ) =>
            {
                Applies::Skip(Skip::SessionPolicyNeedsSession)
            }
            _ => Applies::Yes,
        }
    }

    /// The AWS decision (§1.1): an explicit deny anywhere wins; then every pass must allow.
    fn decide<'s>(&self, o: &Outcomes<'s>, f: &Facts) -> Verdict<'s> {
        if f.caller_identity {
            return Verdict::allow(None, Reason::AlwaysAllowed);
        }
        let mut notes = Notes::default();
        // The bucket owner's root user can always get, put and delete its bucket policy.
        let owner_exempt = f.bucket_policy_action && f.owner_root();
        if owner_exempt
            && o.runs
                .iter()
                .any(|r| r.layer == Layer::Resource && !r.denies.is_empty())
        {
            notes.add(Note::OwnerRootBucketPolicyDenyNotApplied);
        }
        if let Some((run, d)) = o.first_deny(&TRAITS.layer_order, |run, _| {
            owner_exempt && run.layer == Layer::Resource
        }) {
            return Verdict::explicit(run, d).with_notes(notes);
        }
        let passes: &[Pass] = if f.via_access_point {
            &[Pass::AccessPoint, Pass::Bucket]
        } else {
            &[Pass::Only]
        };
        let mut granted = None;
        for &pass in passes {
            match decide_pass(o, f, pass, &mut notes) {
                Ok(s) => granted = granted.or(s),
                Err(v) => return v.in_pass(pass).with_notes(notes),
            }
        }
        Verdict::granted(granted, Reason::AllowedByDefault).with_notes(notes)
    }

    fn layer_title(&self, layer: Layer, action: &str, resource: &str) -> &'static str {
        layer_title(layer, action, resource)
    }

    fn message(&self, e: &Case<'_, '_>, layer: Layer) -> Message {
        let req = e.request;
        Message::new(
            "AccessDenied",
            message(
                &req.caller,
                &req.action,
                &req.resource,
                e.verdict.decision,
                layer,
            ),
        )
    }

    fn principal_note(&self, entries: &[PrincipalEntry], caller: &Caller) -> Option<String> {
        let arn = &caller.display_arn;
        if entries
            .iter()
            .any(|e| e.value != *arn && e.value.eq_ignore_ascii_case(arn))
        {
            return Some(
                "an entry differs from the caller only in case: principal names are case-sensitive"
                    .into(),
            );
        }
        if caller.kind == CallerKind::RoleSession
            && caller.session.is_none()
            && entries.iter().any(|e| e.value.contains(":assumed-role/"))
        {
            return Some("the caller is given as a role without a session name, so it matches no entry naming one session".into());
        }
        if entries
            .iter()
            .any(|e| e.value.contains('*') && e.value != "*")
        {
            return Some("a partial wildcard in a principal matches nothing".into());
        }
        None
    }
}

/// Context keys that follow from the caller and the resource (global condition keys page).
/// For an unsigned request AWS documents `aws:PrincipalAccount` and `aws:userid` as
/// `anonymous`, `aws:PrincipalType` as `Anonymous`, and `aws:PrincipalArn` and
/// `aws:PrincipalIsAWSService` as absent.
fn derive_keys<'s>(d: &mut Derived<'s>, req: &'s Request, resource_account: Option<&'s str>) {
    let caller = &req.caller;
    let user = &req.context;
    match caller.kind {
        CallerKind::Anonymous => {
            d.add(user, "aws:PrincipalAccount", Some("anonymous"));
            d.add(user, "aws:PrincipalType", Some("Anonymous"));
            d.add(
                user,
                "aws:userid",
                Some(caller.id.as_deref().unwrap_or("anonymous")),
            );
        }
        CallerKind::Service => {
            d.add(user, "aws:PrincipalIsAWSService", Some("true"));
            d.add(user, "aws:PrincipalServiceName", caller.name.as_deref());
        }
        kind => {
            d.add(user, "aws:PrincipalArn", caller.principal_arn.as_deref());
            d.add(user, "aws:PrincipalAccount", caller.account.as_deref());
            let t = match kind {
                CallerKind::Root => "Account",
                CallerKind::User => "User",
                CallerKind::RoleSession => "AssumedRole",
                _ => "FederatedUser",
            };
            d.add(user, "aws:PrincipalType", Some(t));
            if kind == CallerKind::User {
                d.add(user, "aws:username", caller.name.as_deref());
            }
            d.add(user, "aws:userid", caller.id.as_deref());
            d.add(user, "aws:PrincipalIsAWSService", Some("false"));
        }
    }
    d.add(user, "aws:ResourceAccount", resource_account);
    if arn_service(&req.resource) == Some("s3") {
        d.add(user, "s3:ResourceAccount", resource_account);
    }
    if let Some(ap) = &req.access_point {
        d.add(user, "s3:DataAccessPointArn", Some(ap));
        d.add(user, "s3:DataAccessPointAccount", arn_account(ap));
    }
}

/// One pass: the organization chains, the endpoint, then the resource-based policy, identity,
/// boundary and session rules (§1.3). `Ok` with the granting statement, or the denial.
fn decide_pass<'s>(
    o: &Outcomes<'s>,
    f: &Facts,
    pass: Pass,
    notes: &mut Notes,
) -> Result<Option<StatementRef<'s>>, Verdict<'s>> {
    for chain in [Layer::Rcp, Layer::Scp] {
        if let Some(run) = o.level_without_allow(pass, chain) {
            return Err(Verdict::implicit_level(run, Reason::ChainLevelNoAllow));
        }
    }
    if o.no_allow(pass, Layer::VpcEndpoint) {
        return Err(Verdict::implicit(
            Layer::VpcEndpoint,
            Reason::EndpointNoAllow,
        ));
    }
    let deny = |layer, reason| Err(Verdict::implicit(layer, reason));
    let rbp_layer = if pass == Pass::AccessPoint {
        Layer::AccessPoint
    } else if f.resource == ResourceKind::KmsKey && f.kms_key_layer {
        Layer::KmsKey
    } else {
        Layer::Resource
    };
    let rbp = o.get(pass, rbp_layer);
    // Resource grants: the resource-based policy's (not for an object another account owns:
    // then only its ACL grants), and the ACL's, which S3 reads like a bucket policy's.
    let policy_best = o
        .best_allow(pass, rbp_layer)
        .filter(|_| !(f.foreign_object && rbp_layer == Layer::Resource));
    let acl_best = (pass != Pass::AccessPoint)
        .then(|| o.best_allow(pass, Layer::Acl))
        .flatten();
    let rbp_best = policy_best.max(acl_best);
    let rbp_first = || {
        if policy_best.is_some() && policy_best >= acl_best {
            o.first_allow(pass, rbp_layer)
        } else {
            o.first_allow(pass, Layer::Acl)
        }
    };
    let rbp = rbp.or_else(|| {
        o.get(pass, Layer::Acl)
            .filter(|_| pass != Pass::AccessPoint)
    });
    let identity_allows = f.caller == CallerKind::Root
        || o.get(pass, Layer::Identity)
            .is_some_and(|r| !r.allows.is_empty());
    let same_account = if pass == Pass::AccessPoint {
        f.access_point_same_account
    } else {
        f.same_account
    };
    let explicit_rbp = pass == Pass::Only && f.resource != ResourceKind::Other;

    let reach_now: Option<Reach>;
    let granted;
    if !f.signed_identity() {
        // Anonymous and service callers: only the resource policy can grant.
        match rbp_best {
            Some(h) if h != PrincipalHow::Account => {
                reach_now = Some(Reach::Full);
                granted = rbp_first();
            }
            _ => return deny(rbp_layer, Reason::AnonymousNeedsResourcePolicy),
        }
    } else if explicit_rbp {
        if rbp.is_none() {
            notes.add(Note::ResourcePolicyMissing);
        }
        match rbp_best {
            None => return deny(rbp_layer, Reason::ResourcePolicyRequired),
            Some(PrincipalHow::Account) => {
                if !identity_allows {
                    return deny(Layer::Identity, Reason::DelegationWithoutIdentity);
                }
                reach_now = None;
                granted = o.first_allow(pass, Layer::Identity);
            }
            Some(h) => {
                if !same_account && !identity_allows {
                    return deny(Layer::Identity, Reason::CrossAccountNeedsIdentity);
                }
                reach_now = same_account.then(|| reach(h));
                granted = rbp_first();
            }
        }
    } else if same_account {
        let r = rbp_best.map(reach);
        let rbp_grants = r.is_some_and(|r| r >= Reach::IdentityOnly);
        if !identity_allows && !rbp_grants {
            if pass == Pass::Bucket {
                // The identity policies were judged against the access point already; what the
                // bucket half lacks is the bucket policy's delegation.
                return deny(rbp_layer, Reason::AccessPointNeedsDelegation);
            }
            let why = if rbp_best == Some(PrincipalHow::Account) {
                Reason::NoIdentityAllowAccountOnly
            } else {
                Reason::NoIdentityAllow
            };
            return deny(Layer::Identity, why);
        }
        reach_now = r;
        granted = if rbp_grants {
            rbp_first()
        } else {
            o.first_allow(pass, Layer::Identity)
        };
        if granted.is_none() && f.caller == CallerKind::Root {
            notes.add(Note::RootAllowedByDefault);
        }
    } else {
        // Cross-account: both sides must allow.
        if rbp_best.is_none() {
            let why = if rbp.is_none() {
                Reason::CrossAccountNoResourcePolicy
            } else {
                Reason::CrossAccountNoGrant
            };
            return deny(rbp_layer, why);
        }
        if !identity_allows {
            return deny(Layer::Identity, Reason::CrossAccountNeedsIdentity);
        }
        reach_now = None;
        // A root caller's own identity allows without a statement: the grant to name is then
        // the resource side's.
        granted = o.first_allow(pass, Layer::Identity).or_else(rbp_first);
    }
    if rbp_best == Some(PrincipalHow::FederatingUser) {
        notes.add(Note::FederatingUserNamed);
    }

    let full = reach_now == Some(Reach::Full);
    if o.no_allow(pass, Layer::PermissionsBoundary) {
        if full {
            notes.add(Note::BoundaryLiftedByDirectGrant);
        } else {
            return deny(Layer::PermissionsBoundary, Reason::BoundaryNoAllow);
        }
    }
    if matches!(
        f.caller,
        CallerKind::RoleSession | CallerKind::FederatedUser
    ) {
        match o.get(pass, Layer::Session) {
            Some(r) if r.allows.is_empty() => {
                if full {
                    notes.add(Note::SessionLiftedByDirectGrant);
                } else {
                    return deny(Layer::Session, Reason::SessionNoAllow);
                }
            }
            None if f.caller == CallerKind::FederatedUser && !f.has_session_layer && !full => {
                notes.add(Note::FederatedWithoutSessionPolicy);
                return deny(Layer::Session, Reason::FederatedWithoutSessionPolicy);
            }
            _ => {}
        }
    }
    Ok(granted)
}

/// Reads an AWS principal entry (§2 Principal forms): `*`, an account (12 digits or
/// `arn:PARTITION:iam::ACCOUNT:root`), a user, role, role session or federated-user ARN, a
/// service, a federated provider or canonical user. A partial wildcard names nothing.
pub fn principal_form(kind: PrincipalKind, value: &str) -> PrincipalForm {
    use crate::ir::NamePart::{Exact, Folded};
    if kind != PrincipalKind::Aws {
        return PrincipalForm::Unsupported;
    }
    if value == "*" {
        return PrincipalForm::Everyone;
    }
    if value.contains('*') {
        return PrincipalForm::Unsupported;
    }
    if is_account_id(value) {
        return PrincipalForm::Account(Exact(value.to_string()));
    }
    let p: Vec<&str> = value.splitn(6, ':').collect();
    let ["arn", _, service, _, acct, res] = p.as_slice() else {
        return PrincipalForm::Unsupported;
    };
    let account = Exact(acct.to_string());
    let (kind, rest) = res.split_once('/').unwrap_or((res, ""));
    match (*service, kind) {
        ("iam", "root") if rest.is_empty() => PrincipalForm::Account(account),
        ("iam", "user") if !rest.is_empty() => PrincipalForm::User {
            account,
            name: Exact(rest.to_string()),
        },
        ("iam", "role") if !rest.is_empty() => PrincipalForm::Role {
            account,
            // A role ARN names the role's sessions whatever its path (session ARNs omit it).
            name: Folded(rest.rsplit('/').next().unwrap_or(rest).to_ascii_lowercase()),
        },
        ("sts", "assumed-role") => match rest.split_once('/') {
            Some((role, session)) => PrincipalForm::Session {
                account,
                role: Exact(role.to_string()),
                session: Exact(session.to_string()),
            },
            None => PrincipalForm::Unsupported,
        },
        ("sts", "federated-user") if !rest.is_empty() => PrincipalForm::FederatedUser {
            account,
            name: Exact(rest.to_string()),
        },
        _ => PrincipalForm::Unsupported,
    }
}

/// The user name an IAM user ARN carries after `user/` (its path included).
fn user_path_name(caller: &Caller) -> Option<&str> {
    caller
        .display_arn
        .splitn(6, ':')
        .nth(5)
        .and_then(|r| r.strip_prefix("user/"))
}

/// How an AWS principal form names `caller` (§2 Principal forms, §3 Principal).
fn form_matches(form: &PrincipalForm, caller: &Caller, layer: Layer) -> Option<PrincipalHow> {
    let account = caller.account.as_deref();
    match form {
        PrincipalForm::Account(a) => {
            if !caller.is_identity() || !a.matches_opt(account) {
                return None;
            }
            // In an endpoint policy an account entry means that account's root user only (§1.4).
            if layer == Layer::VpcEndpoint {
                return (caller.kind == CallerKind::Root).then_some(PrincipalHow::Direct);
            }
            Some(PrincipalHow::Account)
        }
        PrincipalForm::User { account: a, name } if a.matches_opt(account) => match caller.kind {
            CallerKind::User => name
                .matches_opt(user_path_name(caller))
                .then_some(PrincipalHow::Direct),
            // The IAM user that called GetFederationToken names its federated-user sessions.
            CallerKind::FederatedUser => caller
                .federated_by
                .as_deref()
                .and_then(|u| u.splitn(6, ':').nth(5))
                .and_then(|r| r.strip_prefix("user/"))
                .is_some_and(|n| name.matches(n))
                .then_some(PrincipalHow::FederatingUser),
            _ => None,
        },
        PrincipalForm::Role { account: a, name }
            if a.matches_opt(account) && caller.kind == CallerKind::RoleSession =>
        {
            name.matches_opt(caller.name.as_deref())
                .then_some(PrincipalHow::Role)
        }
        PrincipalForm::Session {
            account: a,
            role,
            session,
        } if a.matches_opt(account) && caller.kind == CallerKind::RoleSession => (role
            .matches_opt(caller.name.as_deref())
            && session.matches_opt(caller.session.as_deref()))
        .then_some(PrincipalHow::Direct),
        PrincipalForm::FederatedUser { account: a, name }
            if a.matches_opt(account) && caller.kind == CallerKind::FederatedUser =>
        {
            name.matches_opt(caller.name.as_deref())
                .then_some(PrincipalHow::Direct)
        }
        _ => None,
    }
}

/// How far a same-account resource-policy allow reaches (§1.3 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    /// Only delegates to the account's own policies.
    Delegation,
    /// Overrides an identity-policy implicit deny only.
    IdentityOnly,
    /// Overrides identity, boundary and session-policy implicit denies.
    Full,
}

fn reach(how: PrincipalHow) -> Reach {
    match how {
        PrincipalHow::Account | PrincipalHow::NotApplicable => Reach::Delegation,
        PrincipalHow::Role | PrincipalHow::FederatingUser => Reach::IdentityOnly,
        PrincipalHow::Direct | PrincipalHow::Any => Reach::Full,
    }
}

/// The access-point form of a bucket or object ARN (`.../accesspoint/NAME/object/KEY`).
fn access_point_resource(ap: &str, resource: &str) -> String {
    let key = resource
        .splitn(6, ':')
        .nth(5)
        .and_then(|r| r.split_once('/'))
        .map(|(_, k)| k);
    match key {
        Some(k) => format!("{ap}/object/{k}"),
        None => ap.to_string(),
    }
}

/// Whether `resource` is `arn:PARTITION:SERVICE:REGION:ACCOUNT:KIND/...`.
fn is_arn_of(resource: &str, service: &str, kind: &str) -> bool {
    let p = crate::eval::Parts::split(resource, 6);
    p.len() == 6
        && p.get(0) == Some("arn")
        && p.get(2) == Some(service)
        && p.get(5).is_some_and(|r| r.starts_with(kind))
}

fn is_kms_key(resource: &str) -> bool {
    is_arn_of(resource, "kms", "key/")
}

fn is_role_trust(action: &str, resource: &str) -> bool {
    let trust_action = action
        .get(..14)
        .is_some_and(|p| p.eq_ignore_ascii_case("sts:AssumeRole"))
        || ["sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(action));
    trust_action && is_arn_of(resource, "iam", "role/")
}

/// The policy type as AWS names it in messages.
pub fn layer_title(layer: Layer, action: &str, resource: &str) -> &'static str {
    match layer {
        Layer::Rcp => "resource control policy",
        Layer::Scp => "service control policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::AccessPoint => "access point policy",
        Layer::Resource if is_role_trust(action, resource) => "role trust policy",
        Layer::Resource if is_kms_key(resource) => "key policy",
        Layer::Resource => "resource-based policy",
        Layer::Identity => "identity-based policy",
        Layer::PermissionsBoundary => "permissions boundary",
        Layer::Session => "session policy",
        Layer::KmsKey => "key policy",
        Layer::Acl if resource.contains('/') => "object ACL",
        Layer::Acl => "bucket ACL",
    }
}

/// The access-denied message AWS returns (§5).
pub fn message(
    caller: &Caller,
    action: &str,
    resource: &str,
    decision: Decision,
    layer: Layer,
) -> String {
    let who = &caller.display_arn;
    let on = if resource == "*" || resource.is_empty() {
        String::new()
    } else if arn_service(resource) == Some("s3") {
        format!(" on resource: \"{resource}\"")
    } else {
        format!(" on resource: {resource}")
    };
    let trust = layer == Layer::Resource && is_role_trust(action, resource);
    let ctx = match (decision, layer) {
        (Decision::ExplicitDeny, _) if trust => {
            "with an explicit deny in the role trust policy".to_string()
        }
        (Decision::ExplicitDeny, Layer::Identity) => {
            "with an explicit deny in an identity-based policy".into()
        }
        (Decision::ExplicitDeny, l) => format!("with an explicit deny in a {}", message_type(l)),
        (_, _) if trust => format!("because no role trust policy allows the {action} action"),
        (_, l) => format!("because no {} allows the {action} action", message_type(l)),
    };
    format!("User: {who} is not authorized to perform: {action}{on} {ctx}")
}

fn message_type(layer: Layer) -> &'static str {
    match layer {
        Layer::Rcp => "resource control policy",
        Layer::Scp => "service control policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::AccessPoint | Layer::Resource | Layer::KmsKey | Layer::Acl => {
            "resource-based policy"
        }
        Layer::Identity => "identity-based policy",
        Layer::PermissionsBoundary => "permissions boundary",
        Layer::Session => "session policy",
    }
}
