//! Amazon S3's own checks, as data and pure functions: what an ACL grant allows, who owns an
//! object, whether a request sets a public ACL (resource-controls spec §1.3, §1.4).
//!
//! An S3 ACL only grants ("ACL permissions can be used only to grant permissions and cannot be
//! used to reject requests"): its grants are read as Allow statements of the `acl` layer, so
//! that the one AWS `decide` judges them as it judges resource-based policy grants: a grant to
//! an account acts as a bucket policy naming the account (a delegation for its IAM principals),
//! `AllUsers` as `"*"`, `AuthenticatedUsers` as any signed caller.

use crate::ir::{
    ActionPattern, Clause, Cloud, Effect, Layer, NamePart, Policy, PrincipalEntry, PrincipalForm,
    PrincipalKind, ResourcePattern, Statement,
};
use crate::pattern::Glob;
use crate::state::{Acl, Grant, Grantee, Permission, ResourceState, S3State};

/// What an ACL is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclOf {
    /// The bucket.
    Bucket,
    /// The object.
    Object,
}

/// The actions an ACL permission grants (S3 User Guide, "Access control list (ACL) overview",
/// the mapping of ACL permissions to access policy permissions).
pub fn actions_of(permission: Permission, of: AclOf) -> &'static [&'static str] {
    match (of, permission) {
        (AclOf::Bucket, Permission::Read) => &[
            "s3:ListBucket",
            "s3:ListBucketVersions",
            "s3:ListBucketMultipartUploads",
        ],
        (AclOf::Bucket, Permission::Write) => &["s3:PutObject", "s3:DeleteObject"],
        (AclOf::Bucket, Permission::ReadAcp) => &["s3:GetBucketAcl"],
        (AclOf::Bucket, Permission::WriteAcp) => &["s3:PutBucketAcl"],
        (AclOf::Bucket, Permission::FullControl) => &[
            "s3:ListBucket",
            "s3:ListBucketVersions",
            "s3:ListBucketMultipartUploads",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:GetBucketAcl",
            "s3:PutBucketAcl",
        ],
        (AclOf::Object, Permission::Read) => &["s3:GetObject", "s3:GetObjectVersion"],
        // "WRITE: Not applicable" for objects.
        (AclOf::Object, Permission::Write) => &[],
        (AclOf::Object, Permission::ReadAcp) => &["s3:GetObjectAcl", "s3:GetObjectVersionAcl"],
        (AclOf::Object, Permission::WriteAcp) => &["s3:PutObjectAcl", "s3:PutObjectVersionAcl"],
        (AclOf::Object, Permission::FullControl) => &[
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetObjectAcl",
            "s3:GetObjectVersionAcl",
            "s3:PutObjectAcl",
            "s3:PutObjectVersionAcl",
        ],
    }
}

/// The account a grantee or owner written as `id` stands for: a 12-digit account ID, or a
/// canonical ID `canonical_ids` ties to one.
pub fn account_of<'a>(id: &'a str, state: &'a ResourceState) -> Option<&'a str> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(id);
    }
    state.canonical_ids.get(id).map(String::as_str)
}

/// Whether a grant is public: to `AllUsers` or `AuthenticatedUsers` (S3 Block Public Access:
/// a public ACL "grants any permissions to members of the predefined AllUsers or
/// AuthenticatedUsers groups").
pub fn grant_is_public(g: &Grant) -> bool {
    matches!(g.grantee, Grantee::AllUsers | Grantee::AuthenticatedUsers)
}

/// The principal form a grantee stands for.
fn grantee_form(g: &Grantee, state: &ResourceState) -> (String, PrincipalForm) {
    match g {
        Grantee::Account(a) => (
            a.clone(),
            PrincipalForm::Account(NamePart::Exact(a.clone())),
        ),
        Grantee::Canonical(id) => match account_of(id, state) {
            Some(a) => (
                id.clone(),
                PrincipalForm::Account(NamePart::Exact(a.to_string())),
            ),
            // A canonical ID polsim cannot tie to an account names nobody it can match.
            None => (id.clone(), PrincipalForm::Unsupported),
        },
        Grantee::AllUsers => ("AllUsers".into(), PrincipalForm::Everyone),
        Grantee::AuthenticatedUsers => ("AuthenticatedUsers".into(), PrincipalForm::AnySigned),
        Grantee::LogDelivery => (
            "LogDelivery".into(),
            PrincipalForm::Service("logging.s3.amazonaws.com".into()),
        ),
    }
}

/// An ACL read as the Allow statements of an `acl`-layer policy (one statement per grant, in
/// order, each at the grant's place). With `ignore_public` (Block Public Access's
/// IgnorePublicAcls), public grants are left out.
pub fn acl_policy(acl: &Acl, of: AclOf, state: &ResourceState, ignore_public: bool) -> Policy {
    let id = match of {
        AclOf::Bucket => "bucket-acl",
        AclOf::Object => "object-acl",
    };
    let statements = acl
        .grants
        .iter()
        .filter(|g| !(ignore_public && grant_is_public(g)))
        .enumerate()
        .map(|(i, g)| {
            let (value, form) = grantee_form(&g.grantee, state);
            let actions = actions_of(g.permission, of)
                .iter()
                .map(|a| ActionPattern::new(a, a, g.pos, true))
                .collect();
            Statement {
                index: i + 1,
                sid: Some(format!("{} {}", value, g.permission.name())),
                pos: g.pos,
                effect: Effect::Allow,
                action: Clause {
                    negated: false,
                    pos: g.pos,
                    items: actions,
                },
                resource: Some(Clause {
                    negated: false,
                    pos: g.pos,
                    items: vec![any_resource(g.pos)],
                }),
                principal: Some(Clause {
                    negated: false,
                    pos: g.pos,
                    items: vec![PrincipalEntry {
                        kind: PrincipalKind::Aws,
                        value,
                        pos: g.pos,
                        form,
                    }],
                }),
                conditions: Vec::new(),
            }
        })
        .collect();
    Policy {
        id: id.into(),
        file: acl.file.clone(),
        cloud: Cloud::Aws,
        version: None,
        variables: false,
        pos: crate::ir::Pos::default(),
        statements,
    }
}

/// `*`: an ACL is attached to the one bucket or object it grants on.
fn any_resource(pos: crate::ir::Pos) -> ResourcePattern {
    ResourcePattern {
        text: "*".into(),
        pos,
        segments: Vec::new(),
        rules: Vec::new(),
        whole: Glob::new("*"),
        any: true,
    }
}

/// The object's owner account, when the bucket honours ACLs and the owner is written (absent:
/// the bucket owner). Under BucketOwnerEnforced the bucket owner owns every object.
pub fn object_owner<'a>(s3: &'a S3State, state: &'a ResourceState) -> Option<&'a str> {
    if !s3.object_ownership.acls_enabled() {
        return None;
    }
    s3.object
        .owner
        .as_deref()
        .and_then(|o| account_of(o, state))
}

/// Whether an action writes a new object (granted by the bucket owner, S3 User Guide: "the
/// bucket owner ... grants permission to create objects"; resource-controls §1.3).
pub fn creates_object(action: &str) -> bool {
    action.eq_ignore_ascii_case("s3:PutObject")
}

/// Whether a canned ACL (`x-amz-acl`) is public (S3 Block Public Access: `public-read`,
/// `public-read-write`, `authenticated-read`).
pub fn canned_acl_is_public(acl: &str) -> bool {
    ["public-read", "public-read-write", "authenticated-read"]
        .iter()
        .any(|c| c.eq_ignore_ascii_case(acl.trim()))
}

/// Whether an `x-amz-grant-*` header value names a public group.
pub fn grant_header_is_public(value: &str) -> bool {
    value.contains("acs.amazonaws.com/groups/global/AllUsers")
        || value.contains("acs.amazonaws.com/groups/global/AuthenticatedUsers")
}

/// Condition keys whose fixed values make an Allow non-public (aws-semantics §1.5, S3 Block
/// Public Access "The meaning of public").
pub const LIMITING_KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:SourceArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceOwner",
    "aws:SourceAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
];

/// Whether a policy is public in S3's sense: some Allow grants to everyone (`"*"`, or through
/// `NotPrincipal`) without a condition that fixes one of the limiting keys to values without
/// wildcards (an `aws:SourceIp` range no broader than /8, or /32 for IPv6, RFC 1918 ranges
/// excepted).
pub fn policy_is_public(policy: &Policy) -> bool {
    policy
        .statements
        .iter()
        .any(|st| crate::profile::grants_publicly(LIMITING_KEYS, st))
}

/// S3's own checks around its policies.
pub struct S3;

/// The S3 actions that read an object (the missing-object rule and the KMS read apply).
fn object_read(action: &str) -> bool {
    ["s3:GetObject", "s3:GetObjectVersion"]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action))
}

/// The S3 actions a request can set an ACL with (PutObject, CopyObject and multipart
/// uploads carry the ACL headers; PutObjectAcl and PutBucketAcl set one; CreateBucket).
fn acl_setting(action: &str) -> bool {
    [
        "s3:PutObject",
        "s3:PutObjectAcl",
        "s3:PutObjectVersionAcl",
        "s3:PutBucketAcl",
        "s3:CreateBucket",
    ]
    .iter()
    .any(|a| a.eq_ignore_ascii_case(action))
}

/// Whether the request's headers set an ACL, and whether it is public.
fn acl_headers(req: &crate::request::Request) -> (bool, bool) {
    let mut sets = false;
    let mut public = false;
    for (k, v) in &req.extras.headers {
        let k = k.to_ascii_lowercase();
        if k == "x-amz-acl" {
            if !v.trim().eq_ignore_ascii_case("bucket-owner-full-control") {
                sets = true;
            }
            public |= canned_acl_is_public(v);
        } else if k.starts_with("x-amz-grant-") {
            sets = true;
            public |= grant_header_is_public(v);
        }
    }
    (sets, public)
}

/// The bucket ARN of an S3 object or bucket ARN.
fn bucket_arn(resource: &str) -> String {
    match resource.split_once(":::") {
        Some((head, rest)) => {
            let bucket = rest.split('/').next().unwrap_or(rest);
            format!("{head}:::{bucket}")
        }
        None => resource.to_string(),
    }
}

/// The default key policy: one statement that lets the key's account's IAM policies grant
/// (KMS Developer Guide, default key policy).
fn default_key_policy(key: &str) -> Policy {
    let account = key.split(':').nth(4).unwrap_or_default().to_string();
    let pos = crate::ir::Pos::default();
    Policy {
        id: "default-key-policy".into(),
        file: None,
        cloud: Cloud::Aws,
        version: Some("2012-10-17".into()),
        variables: false,
        pos,
        statements: vec![Statement {
            index: 1,
            sid: Some("Enable IAM User Permissions".into()),
            pos,
            effect: Effect::Allow,
            action: Clause {
                negated: false,
                pos,
                items: vec![ActionPattern::new("kms:*", "kms:*", pos, true)],
            },
            resource: Some(Clause {
                negated: false,
                pos,
                items: vec![any_resource(pos)],
            }),
            principal: Some(Clause {
                negated: false,
                pos,
                items: vec![PrincipalEntry {
                    kind: PrincipalKind::Aws,
                    value: format!("arn:aws:iam::{account}:root"),
                    pos,
                    form: PrincipalForm::Account(NamePart::Exact(account)),
                }],
            }),
            conditions: Vec::new(),
        }],
    }
}

impl crate::service::StorageRules for S3 {
    fn plan<'a>(
        &self,
        stack: &'a crate::stack::Stack,
        req: &'a crate::request::Request,
        wanted: &[crate::service::Wanted],
        resolved: Option<&crate::ops::Resolved>,
    ) -> crate::service::Plan<'a> {
        use crate::service::{action_steps, Plan, Rejection, Step, StepRole};
        use std::borrow::Cow;
        let Some(s3) = &stack.state.s3 else {
            return Plan {
                steps: action_steps(Cow::Borrowed(stack), req, wanted),
                rejections: Vec::new(),
            };
        };
        let state = &stack.state;
        let sets_acl_action = wanted.iter().any(|w| acl_setting(&w.action));
        let puts_policy = wanted.iter().any(|w| {
            ["s3:PutBucketPolicy", "s3:PutAccessPointPolicy"]
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&w.action))
        });
        // The step that reads the object the state describes (for a copy, its source).
        let read = wanted.iter().find(|w| object_read(&w.action));
        let caller = &req.caller;
        let bucket_owner = s3
            .bucket_owner
            .as_deref()
            .or(req.resource_account.as_deref());
        let bpa = s3.block_public_access.effective(req.access_point.is_some());

        // The ACL layer: the bucket's and the object's grants, when the bucket honours ACLs.
        let mut with_acls = stack.clone_indexed();
        if s3.object_ownership.acls_enabled() {
            with_acls.declare(Layer::Acl, None);
            if let Some(acl) = &s3.bucket_acl {
                let p = acl_policy(acl, AclOf::Bucket, state, bpa.ignore_public_acls);
                with_acls.push(Layer::Acl, None, p);
            }
            if let Some(acl) = &s3.object.acl {
                let p = acl_policy(acl, AclOf::Object, state, bpa.ignore_public_acls);
                with_acls.push(Layer::Acl, None, p);
            }
        }
        let with_acls: Cow<'a, crate::stack::Stack> = Cow::Owned(with_acls);
        let mut steps = action_steps(with_acls.clone(), req, wanted);

        // Refusals no grant can lift (§1.1 step 2), in the order S3 reports them.
        let mut rejections = Vec::new();
        let (sets_acl, public_acl) = acl_headers(req);
        if sets_acl_action && sets_acl && !s3.object_ownership.acls_enabled() {
            rejections.push(Rejection::AclsDisabled);
        }
        if sets_acl_action && public_acl && bpa.block_public_acls {
            rejections.push(Rejection::BlockPublicAcls);
        }
        let owner_account = caller.account.is_some() && caller.account.as_deref() == bucket_owner;
        let service = caller.kind == crate::request::CallerKind::Service;
        let public_policy = stack
            .policies(Layer::Resource)
            .is_some_and(|ps| ps.iter().any(policy_is_public));
        if bpa.restrict_public_buckets && public_policy && !owner_account && !service {
            rejections.push(Rejection::RestrictPublicBuckets);
        }
        if puts_policy
            && bpa.block_public_policy
            && req
                .extras
                .request_policy
                .as_ref()
                .is_some_and(policy_is_public)
        {
            rejections.push(Rejection::BlockPublicPolicy);
        }
        let pays = req
            .extras
            .header("x-amz-request-payer")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("requester"));
        let anonymous = caller.kind == crate::request::CallerKind::Anonymous;
        if s3.requester_pays && (anonymous || (!owner_account && !pays)) {
            rejections.push(Rejection::RequesterPays);
        }

        // The KMS requests (§1.5): for an operation, the ones its table names (the object's key
        // for reads, the requested key for SSE-KMS writes); for an action, a read of an SSE-KMS
        // object.
        let mut kms_needs: Vec<(String, String)> = Vec::new();
        match resolved {
            Some(r) => {
                for need in &r.kms {
                    let key = match need.rule.when {
                        crate::ops::KmsWhen::ObjectEncrypted => s3.object.kms_key.clone(),
                        crate::ops::KmsWhen::Requested { .. } => need.key_id.clone(),
                    };
                    if let Some(key) = key {
                        for a in need.rule.actions {
                            kms_needs.push((a.to_string(), key.clone()));
                        }
                    }
                }
            }
            None => {
                if let (Some(key), Some(_)) = (&s3.object.kms_key, read) {
                    kms_needs.push(("kms:Decrypt".into(), key.clone()));
                }
            }
        }
        for (kms_action, key) in &kms_needs {
            let mut kms = crate::stack::Stack::new();
            for layer in [
                Layer::Identity,
                Layer::PermissionsBoundary,
                Layer::Session,
                Layer::Scp,
                Layer::Rcp,
            ] {
                for lv in stack.levels(layer).unwrap_or(&[]) {
                    let level = layer.has_levels().then_some(lv.name.as_str());
                    kms.declare(layer, level);
                    for p in &lv.policies {
                        kms.push(layer, level, p.clone());
                    }
                }
            }
            match stack.policies(Layer::KmsKey) {
                Some(ps) => {
                    kms.declare(Layer::KmsKey, None);
                    for p in ps {
                        kms.push(Layer::KmsKey, None, p.clone());
                    }
                }
                None => kms.push(Layer::KmsKey, None, default_key_policy(key)),
            }
            let mut r = req.clone();
            r.action = kms_action.clone();
            r.resource = key.clone();
            r.resource_account = key.split(':').nth(4).map(str::to_string);
            r.access_point = None;
            r.context.insert_default(
                "kms:ViaService",
                crate::request::CtxValue::One(format!(
                    "s3.{}.amazonaws.com",
                    key.split(':').nth(3).unwrap_or_default()
                )),
            );
            steps.push(Step {
                role: StepRole::Kms,
                request: Cow::Owned(r),
                stack: Cow::Owned(kms),
            });
        }

        // A read of a missing object: S3 then asks whether the caller may list the bucket.
        if let Some(w) = read.filter(|_| !s3.object.exists) {
            let mut r = req.clone();
            r.action = "s3:ListBucket".into();
            r.resource = bucket_arn(&w.resource);
            steps.push(Step {
                role: StepRole::ListBucket,
                request: Cow::Owned(r),
                stack: with_acls,
            });
        }
        Plan { steps, rejections }
    }

    fn decide(
        &self,
        plan: &crate::service::Plan<'_>,
        evals: &[crate::explain::Evaluation<'_>],
    ) -> crate::service::ServiceVerdict {
        use crate::decide::{Check, Decision};
        use crate::service::{CheckWhy, ServiceVerdict, StepRole};
        let role = |i: usize| plan.steps.get(i).map(|s| s.role);
        let actions = || {
            evals.iter().enumerate().filter(move |(i, _)| {
                matches!(role(*i), Some(StepRole::Action | StepRole::CopySource))
            })
        };
        let with_check = |v: ServiceVerdict, check: Check, why: CheckWhy| ServiceVerdict {
            check: Some(check),
            why: Some(why),
            ..v
        };
        // 1. An explicit deny in a policy layer.
        if let Some((i, e)) = actions().find(|(_, e)| e.decision() == Decision::ExplicitDeny) {
            return ServiceVerdict::of_step(i, e);
        }
        // 2. Refusals no grant can lift.
        if let Some(r) = plan.rejections.first() {
            let (status, code) = match r {
                crate::service::Rejection::AclsDisabled => (400, "AccessControlListNotSupported"),
                _ => (403, "AccessDenied"),
            };
            return ServiceVerdict {
                decision: Decision::ExplicitDeny,
                step: 0,
                check: Some(r.check()),
                why: Some(CheckWhy::Rejected(*r)),
                status,
                error_code: code,
            };
        }
        // 3. A missing grant: the policies' implicit deny, the ACLs', the ownership rule's.
        if let Some((i, e)) = actions().find(|(_, e)| e.decision() != Decision::Allow) {
            let v = ServiceVerdict::of_step(i, e);
            let acl_run = e.outcomes.runs.iter().any(|r| r.layer == Layer::Acl);
            let policy_allowed = e
                .outcomes
                .runs
                .iter()
                .any(|r| r.layer == Layer::Resource && !r.allows.is_empty());
            if e.prepared.facts.foreign_object && policy_allowed {
                return with_check(v, Check::ObjectOwnership, CheckWhy::ForeignObject);
            }
            let acl_could_grant = [AclOf::Bucket, AclOf::Object].iter().any(|of| {
                [
                    Permission::Read,
                    Permission::Write,
                    Permission::ReadAcp,
                    Permission::WriteAcp,
                ]
                .iter()
                .any(|p| {
                    actions_of(*p, *of)
                        .iter()
                        .any(|a| a.eq_ignore_ascii_case(&e.request.action))
                })
            });
            let rbp_layer = matches!(e.layer(), Some(Layer::Resource | Layer::Acl));
            if acl_run && acl_could_grant && rbp_layer {
                return with_check(v, Check::Acl, CheckWhy::NoAclGrant);
            }
            return v;
        }
        // 4. The KMS request.
        if let Some((i, e)) = evals
            .iter()
            .enumerate()
            .find(|(i, e)| role(*i) == Some(StepRole::Kms) && e.decision() != Decision::Allow)
        {
            return with_check(
                ServiceVerdict::of_step(i, e),
                Check::Kms,
                CheckWhy::KmsDenied,
            );
        }
        // 5. The object's existence.
        if let Some((i, e)) = evals
            .iter()
            .enumerate()
            .find(|(i, _)| role(*i) == Some(StepRole::ListBucket))
        {
            if e.decision() == Decision::Allow {
                return ServiceVerdict::missing_object(0);
            }
            return with_check(
                ServiceVerdict {
                    decision: Decision::ImplicitDeny,
                    ..ServiceVerdict::of_step(i, e)
                },
                Check::ObjectMissing,
                CheckWhy::MissingNotListable,
            );
        }
        match evals.first() {
            Some(e) => ServiceVerdict::of_step(0, e),
            None => crate::service::first_denial(plan, evals),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Pos;

    fn grant(grantee: Grantee, permission: Permission) -> Grant {
        Grant {
            grantee,
            permission,
            pos: Pos::default(),
        }
    }

    #[test]
    fn acl_grants_become_allow_statements() {
        let state = ResourceState::default();
        let acl = Acl {
            owner: None,
            grants: vec![
                grant(
                    Grantee::Account("111122223333".into()),
                    Permission::FullControl,
                ),
                grant(Grantee::AllUsers, Permission::Read),
            ],
            file: None,
        };
        let p = acl_policy(&acl, AclOf::Object, &state, false);
        assert_eq!(p.statements.len(), 2);
        let read = p.statements.get(1).map(|s| &s.action.items);
        assert!(read.is_some_and(|a| a.iter().any(|x| x.matches("s3:GetObject"))));
        assert!(read.is_some_and(|a| !a.iter().any(|x| x.matches("s3:GetObjectAcl"))));
        let ignored = acl_policy(&acl, AclOf::Object, &state, true);
        assert_eq!(ignored.statements.len(), 1);
    }

    #[test]
    fn object_acls_grant_no_write_and_bucket_acls_no_get() {
        assert!(actions_of(Permission::Write, AclOf::Object).is_empty());
        assert!(!actions_of(Permission::FullControl, AclOf::Bucket).contains(&"s3:GetObject"));
    }

    #[test]
    fn public_acl_headers() {
        assert!(canned_acl_is_public("public-read"));
        assert!(!canned_acl_is_public("bucket-owner-full-control"));
        assert!(grant_header_is_public(
            "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""
        ));
    }
}
