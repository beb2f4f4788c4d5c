//! Each cloud's `decide` driven by tables, without parsing: the outcomes of evaluated layers and
//! the request facts are written by hand, and the verdict (decision, deciding layer, level,
//! pass, statement, reason and notes) is compared with the row's expectation.
//!
//! Every `Reason` a cloud's `decide` can return appears in its table (checked at the end of each
//! test), so a new branch without a row, or a row whose branch disappeared, is noticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_core::decide::{
    Decision, Facts, LayerRun, Note, Outcomes, Pass, PrincipalHow, Reason, ResourceKind,
};
use polsim_core::ir::{
    ActionPattern, Clause, Cloud, Condition, ConditionValue, Effect, Layer, OpFamily, Operator,
    Policy, PrincipalKind, Statement,
};
use polsim_core::pattern::Template;
use polsim_core::profile::CloudProfile;
use polsim_core::request::CallerKind;
use polsim_core::stack::StatementRef;
use polsim_core::{Pos, Verdict};

use CallerKind::{Anonymous, FederatedUser, RoleSession, Root, Service, User};
use Layer::{AccessPoint, Identity, PermissionsBoundary, Rcp, Resource, Scp, Session, VpcEndpoint};
use PrincipalHow::{Account, Any, Direct, FederatingUser, Role};

// --- The statements outcomes point at ---

/// What a pool statement's principal and conditions look like (only Alibaba Cloud's owner
/// exemption reads them; every other rule reads outcomes alone).
#[derive(Clone, Copy)]
enum Shape {
    /// No principal (identity-like layers), no condition.
    Plain,
    /// `Principal: *`, no condition.
    Star,
    /// `Principal: *` with a condition.
    StarWithCondition,
    /// A principal naming one account, no condition.
    Named,
}

/// Every statement the tables name, by `Sid`. A `Sid` containing `Deny` is a Deny.
const POOL: &[(&str, Shape)] = &[
    ("IdAllow", Shape::Plain),
    ("IdDeny", Shape::Plain),
    ("RbpAllow", Shape::Named),
    ("RbpDeny", Shape::Named),
    ("ApAllow", Shape::Named),
    ("ApDeny", Shape::Named),
    ("ScpAllow", Shape::Plain),
    ("ScpDeny", Shape::Plain),
    ("RcpAllow", Shape::Star),
    ("RcpDeny", Shape::Star),
    ("EpAllow", Shape::Star),
    ("EpDeny", Shape::Star),
    ("BoundAllow", Shape::Plain),
    ("BoundDeny", Shape::Plain),
    ("SessAllow", Shape::Plain),
    ("SessDeny", Shape::Plain),
    ("StarDeny", Shape::Star),
    ("StarDenyWithCondition", Shape::StarWithCondition),
];

fn statement(index: usize, sid: &str, shape: Shape) -> Statement {
    let pos = Pos::default();
    let entry = |kind, value: &str| {
        polsim_core::clouds::principal_entry(Cloud::Aliyun, kind, value.into(), pos)
    };
    let principal = match shape {
        Shape::Plain => None,
        Shape::Star | Shape::StarWithCondition => Some(vec![entry(PrincipalKind::Any, "*")]),
        Shape::Named => Some(vec![entry(PrincipalKind::Uid, "1234567890123456")]),
    };
    let conditions = match shape {
        Shape::StarWithCondition => {
            let family = OpFamily::StringEquals;
            let (template, _) = Template::new("vpc-1", false, false);
            vec![Condition {
                op: Operator {
                    family,
                    negated: true,
                    if_exists: false,
                    set: None,
                },
                op_text: "StringNotEquals".into(),
                op_pos: pos,
                key: "acs:SourceVpc".into(),
                key_pos: pos,
                values: vec![ConditionValue::new("vpc-1".into(), template, pos, family)],
            }]
        }
        _ => Vec::new(),
    };
    Statement {
        index,
        sid: Some(sid.into()),
        pos,
        effect: if sid.contains("Deny") {
            Effect::Deny
        } else {
            Effect::Allow
        },
        action: Clause {
            negated: false,
            pos,
            items: vec![ActionPattern::new("*", "*", pos, true)],
        },
        resource: None,
        principal: principal.map(|items| Clause {
            negated: false,
            pos,
            items,
        }),
        conditions,
    }
}

fn pool() -> Policy {
    Policy {
        id: "pool".into(),
        file: None,
        cloud: Cloud::Aws,
        version: None,
        variables: false,
        pos: Pos::default(),
        statements: POOL
            .iter()
            .enumerate()
            .map(|(i, (sid, shape))| statement(i + 1, sid, *shape))
            .collect(),
    }
}

fn sref<'s>(policy: &'s Policy, sid: &str) -> StatementRef<'s> {
    let stmt = policy
        .statements
        .iter()
        .find(|s| s.sid.as_deref() == Some(sid))
        .unwrap_or_else(|| panic!("no statement `{sid}` in the pool"));
    StatementRef { policy, stmt }
}

// --- Rows ---

/// One evaluated layer, written by `Sid`.
#[derive(Clone)]
struct Run {
    pass: Pass,
    layer: Layer,
    level: Option<&'static str>,
    allows: Vec<(&'static str, PrincipalHow)>,
    denies: Vec<&'static str>,
}

/// A layer evaluated in the only pass, matching nothing.
fn run(layer: Layer) -> Run {
    Run {
        pass: Pass::Only,
        layer,
        level: None,
        allows: Vec::new(),
        denies: Vec::new(),
    }
}

impl Run {
    /// A matching Allow of a layer without principals.
    fn allow(self, sid: &'static str) -> Run {
        self.grant(sid, PrincipalHow::NotApplicable)
    }
    /// A matching Allow whose principal matched `how`.
    fn grant(mut self, sid: &'static str, how: PrincipalHow) -> Run {
        self.allows.push((sid, how));
        self
    }
    fn deny(mut self, sid: &'static str) -> Run {
        self.denies.push(sid);
        self
    }
    fn level(mut self, name: &'static str) -> Run {
        self.level = Some(name);
        self
    }
    fn pass(mut self, pass: Pass) -> Run {
        self.pass = pass;
        self
    }
    fn build<'s>(&self, policy: &'s Policy) -> LayerRun<'s> {
        LayerRun {
            pass: self.pass,
            layer: self.layer,
            level: self.level,
            allows: self
                .allows
                .iter()
                .map(|(s, h)| (sref(policy, s), *h))
                .collect(),
            denies: self.denies.iter().map(|s| sref(policy, s)).collect(),
        }
    }
}

/// A verdict as the tables write it: the statement by `Sid`, the notes as a list.
#[derive(Debug, Clone, PartialEq)]
struct Shown<'a> {
    decision: Decision,
    layer: Option<Layer>,
    level: Option<&'a str>,
    pass: Pass,
    statement: Option<&'a str>,
    reason: Reason,
    notes: Vec<Note>,
}

/// The verdict a row expects.
type Want = Shown<'static>;

fn allowed(statement: Option<&'static str>, reason: Reason) -> Want {
    Want {
        decision: Decision::Allow,
        layer: None,
        level: None,
        pass: Pass::Only,
        statement,
        reason,
        notes: Vec::new(),
    }
}

fn explicit(layer: Layer, sid: &'static str) -> Want {
    Want {
        decision: Decision::ExplicitDeny,
        layer: Some(layer),
        statement: Some(sid),
        reason: Reason::ExplicitDeny,
        ..allowed(None, Reason::ExplicitDeny)
    }
}

fn implicit(layer: Layer, reason: Reason) -> Want {
    Want {
        decision: Decision::ImplicitDeny,
        layer: Some(layer),
        ..allowed(None, reason)
    }
}

impl Want {
    /// The notes, in any order (a verdict lists them in `Note::ALL` order).
    fn notes(mut self, notes: &[Note]) -> Want {
        self.notes = Note::ALL
            .into_iter()
            .filter(|n| notes.contains(n))
            .collect();
        self
    }
    fn level(mut self, name: &'static str) -> Want {
        self.level = Some(name);
        self
    }
    fn pass(mut self, pass: Pass) -> Want {
        self.pass = pass;
        self
    }
}

impl<'s> Shown<'s> {
    fn of(v: &Verdict<'s>) -> Shown<'s> {
        Shown {
            decision: v.decision,
            layer: v.layer,
            level: v.level,
            pass: v.pass,
            statement: v.statement.map(|s| s.sid().unwrap_or("<no sid>")),
            reason: v.reason,
            notes: v.notes.iter().collect(),
        }
    }
}

struct Row {
    name: &'static str,
    facts: Facts,
    runs: Vec<Run>,
    want: Want,
}

fn row(name: &'static str, facts: Facts, runs: Vec<Run>, want: Want) -> Row {
    Row {
        name,
        facts,
        runs,
        want,
    }
}

/// Runs every row through `decide`, reports every failing row by name, and checks that the
/// table covers `reasons`.
fn check(cloud: &str, rows: &[Row], profile: &dyn CloudProfile, reasons: &[Reason]) {
    let policy = pool();
    let mut failures = Vec::new();
    for r in rows {
        let outcomes = Outcomes {
            runs: r.runs.iter().map(|x| x.build(&policy)).collect(),
            skipped: Vec::new(),
        };
        let v = profile.decide(&outcomes, &r.facts);
        if let Some(s) = v.statement {
            assert!(
                std::ptr::eq(s.policy, &policy),
                "{cloud}: `{}`: the verdict names a statement outside the outcomes",
                r.name
            );
        }
        let got = Shown::of(&v);
        if got != r.want {
            failures.push(format!(
                "{cloud}: row `{}`\n  want {:?}\n  got  {:?}",
                r.name, r.want, got
            ));
        }
    }
    for reason in reasons {
        if !rows.iter().any(|r| r.want.reason == *reason) {
            failures.push(format!("{cloud}: no row returns {reason:?}"));
        }
    }
    let mut names: Vec<&str> = rows.iter().map(|r| r.name).collect();
    names.sort_unstable();
    for w in names.windows(2) {
        if let [a, b] = w {
            if a == b {
                failures.push(format!("{cloud}: two rows are named `{a}`"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// Facts of a request by `caller`, everything else off.
fn by(caller: CallerKind) -> Facts {
    Facts::new(caller)
}

/// A caller of the resource's own account.
fn own(caller: CallerKind) -> Facts {
    Facts {
        same_account: true,
        access_point_same_account: true,
        identity_policies: true,
        ..Facts::new(caller)
    }
}

// --- AWS ---

#[test]
fn aws_decide() {
    use Note::*;
    let kms = |f: Facts| Facts {
        resource: ResourceKind::KmsKey,
        ..f
    };
    let trust = |f: Facts| Facts {
        resource: ResourceKind::RoleTrust,
        ..f
    };
    let ap = |f: Facts| Facts {
        via_access_point: true,
        storage: true,
        ..f
    };
    let bucket_policy = |f: Facts| Facts {
        bucket_policy_action: true,
        storage: true,
        has_resource_layer: true,
        ..f
    };
    let boundary = |f: Facts| Facts {
        has_boundary: true,
        ..f
    };
    let session = |f: Facts| Facts {
        has_session_layer: true,
        ..f
    };
    let (apass, bpass) = (Pass::AccessPoint, Pass::Bucket);
    let rows =
        vec![
        // sts:GetCallerIdentity
        row(
            "GetCallerIdentity is allowed whatever denies",
            Facts {
                caller_identity: true,
                ..own(User)
            },
            vec![run(Identity).deny("IdDeny"), run(Scp).level("root")],
            allowed(None, Reason::AlwaysAllowed),
        ),
        // Explicit deny order: RCP, SCP, endpoint, access point, resource, identity,
        // boundary, session.
        row(
            "an identity deny beats an identity allow",
            own(User),
            vec![run(Identity).allow("IdAllow").deny("IdDeny")],
            explicit(Identity, "IdDeny"),
        ),
        row(
            "RCP deny is reported before SCP, resource and identity denies",
            own(User),
            vec![
                run(Identity).deny("IdDeny"),
                run(Resource).deny("RbpDeny"),
                run(Scp).level("root").deny("ScpDeny"),
                run(Rcp).level("root").deny("RcpDeny"),
            ],
            explicit(Rcp, "RcpDeny").level("root"),
        ),
        row(
            "SCP deny names its level",
            own(User),
            vec![
                run(Scp).level("root").allow("ScpAllow"),
                run(Scp).level("ou").allow("ScpAllow").deny("ScpDeny"),
                run(Identity).deny("IdDeny"),
            ],
            explicit(Scp, "ScpDeny").level("ou"),
        ),
        row(
            "endpoint deny is reported before the resource policy's",
            own(User),
            vec![
                run(Resource).deny("RbpDeny"),
                run(VpcEndpoint).deny("EpDeny"),
            ],
            explicit(VpcEndpoint, "EpDeny"),
        ),
        row(
            "resource deny is reported before identity, boundary and session denies",
            own(RoleSession),
            vec![
                run(Session).deny("SessDeny"),
                run(PermissionsBoundary).deny("BoundDeny"),
                run(Identity).deny("IdDeny"),
                run(Resource).deny("RbpDeny"),
            ],
            explicit(Resource, "RbpDeny"),
        ),
        row(
            "boundary deny is reported before the session policy's",
            boundary(session(own(RoleSession))),
            vec![
                run(Identity).allow("IdAllow"),
                run(Session).deny("SessDeny"),
                run(PermissionsBoundary).deny("BoundDeny"),
            ],
            explicit(PermissionsBoundary, "BoundDeny"),
        ),
        row(
            "a deny in the access-point pass names that pass",
            ap(own(User)),
            vec![
                run(AccessPoint).pass(apass).grant("ApAllow", Any).deny("ApDeny"),
                run(Identity).pass(apass).allow("IdAllow"),
                run(Resource).pass(bpass).grant("RbpAllow", Any),
                run(Identity).pass(bpass).allow("IdAllow"),
            ],
            explicit(AccessPoint, "ApDeny").pass(apass),
        ),
        row(
            "a deny in the bucket pass names that pass",
            ap(own(User)),
            vec![
                run(AccessPoint).pass(apass).grant("ApAllow", Any),
                run(Identity).pass(apass).allow("IdAllow"),
                run(Resource).pass(bpass).deny("RbpDeny"),
                run(Identity).pass(bpass).allow("IdAllow"),
            ],
            explicit(Resource, "RbpDeny").pass(bpass),
        ),
        // The bucket owner's root user and the bucket policy actions.
        row(
            "owner root: a bucket-policy deny on the bucket policy actions does not apply",
            bucket_policy(own(Root)),
            vec![run(Resource).deny("RbpDeny")],
            allowed(None, Reason::AllowedByDefault)
                .notes(&[OwnerRootBucketPolicyDenyNotApplied, RootAllowedByDefault]),
        ),
        row(
            "owner root: an SCP deny still applies (the exemption is noted)",
            bucket_policy(own(Root)),
            vec![
                run(Scp).level("root").deny("ScpDeny"),
                run(Resource).deny("RbpDeny"),
            ],
            explicit(Scp, "ScpDeny")
                .level("root")
                .notes(&[OwnerRootBucketPolicyDenyNotApplied]),
        ),
        row(
            "another account's root: the bucket-policy deny applies",
            bucket_policy(by(Root)),
            vec![run(Resource).grant("RbpAllow", Direct).deny("RbpDeny")],
            explicit(Resource, "RbpDeny"),
        ),
        row(
            "owner's IAM user: the bucket-policy deny applies",
            bucket_policy(own(User)),
            vec![run(Identity).allow("IdAllow"), run(Resource).deny("RbpDeny")],
            explicit(Resource, "RbpDeny"),
        ),
        // Organization chains and the endpoint.
        row(
            "an SCP level without allow denies, naming the level",
            own(User),
            vec![
                run(Scp).level("root").allow("ScpAllow"),
                run(Scp).level("ou"),
                run(Scp).level("account"),
                run(Identity).allow("IdAllow"),
            ],
            implicit(Scp, Reason::ChainLevelNoAllow).level("ou"),
        ),
        row(
            "an RCP level without allow is reported before an SCP level",
            own(User),
            vec![
                run(Scp).level("root"),
                run(Rcp).level("ou"),
                run(Identity).allow("IdAllow"),
            ],
            implicit(Rcp, Reason::ChainLevelNoAllow).level("ou"),
        ),
        row(
            "the endpoint policy must allow",
            own(User),
            vec![run(VpcEndpoint), run(Identity).allow("IdAllow")],
            implicit(VpcEndpoint, Reason::EndpointNoAllow),
        ),
        row(
            "with every chain level and the endpoint allowing, the identity allow grants",
            own(User),
            vec![
                run(Scp).level("root").allow("ScpAllow"),
                run(Rcp).level("root").grant("RcpAllow", Any),
                run(VpcEndpoint).grant("EpAllow", Any),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        // Anonymous and service callers.
        row(
            "anonymous: a bucket policy for everyone grants",
            by(Anonymous),
            vec![run(Resource).grant("RbpAllow", Any)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "anonymous: no resource policy",
            by(Anonymous),
            vec![],
            implicit(Resource, Reason::AnonymousNeedsResourcePolicy),
        ),
        row(
            "service: an account delegation does not grant a service",
            by(Service),
            vec![run(Resource).grant("RbpAllow", Account)],
            implicit(Resource, Reason::AnonymousNeedsResourcePolicy),
        ),
        row(
            "service: a statement naming the service grants",
            by(Service),
            vec![run(Resource).grant("RbpAllow", Direct)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        // KMS keys and role trust: the resource policy must allow explicitly.
        row(
            "KMS: no key policy in the stack",
            kms(own(User)),
            vec![run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::ResourcePolicyRequired).notes(&[ResourcePolicyMissing]),
        ),
        row(
            "KMS: the key policy allows nothing",
            kms(own(User)),
            vec![run(Resource), run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::ResourcePolicyRequired),
        ),
        row(
            "KMS: the key policy delegates to the account, identity allows",
            kms(own(User)),
            vec![
                run(Resource).grant("RbpAllow", Account),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "KMS: the key policy delegates to the account, identity does not allow",
            kms(own(User)),
            vec![run(Resource).grant("RbpAllow", Account), run(Identity)],
            implicit(Identity, Reason::DelegationWithoutIdentity),
        ),
        row(
            "KMS: the account's root user with a delegating key policy",
            kms(own(Root)),
            vec![run(Resource).grant("RbpAllow", Account)],
            allowed(None, Reason::AllowedByDefault),
        ),
        row(
            "KMS: the key policy names the user, same account, no identity allow needed",
            kms(own(User)),
            vec![run(Resource).grant("RbpAllow", Direct), run(Identity)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "KMS: cross-account key policy grant needs the caller's identity allow",
            kms(by(User)),
            vec![run(Resource).grant("RbpAllow", Direct), run(Identity)],
            implicit(Identity, Reason::CrossAccountNeedsIdentity),
        ),
        row(
            "KMS: cross-account, both sides allow",
            kms(by(User)),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "trust: a trust policy naming the role session's role grants",
            trust(own(RoleSession)),
            vec![run(Resource).grant("RbpAllow", Role), run(Identity)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "trust: no trust policy in the stack",
            trust(own(User)),
            vec![run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::ResourcePolicyRequired).notes(&[ResourcePolicyMissing]),
        ),
        row(
            "trust: a service named by the trust policy",
            trust(by(Service)),
            vec![run(Resource).grant("RbpAllow", Direct)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        // Same account.
        row(
            "same account: the identity allow grants",
            own(User),
            vec![run(Identity).allow("IdAllow")],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "same account: a resource policy naming the user grants alone",
            own(User),
            vec![run(Resource).grant("RbpAllow", Direct), run(Identity)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "same account: a resource policy naming the role grants alone",
            own(RoleSession),
            vec![run(Resource).grant("RbpAllow", Role), run(Identity)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "same account: an account-only resource policy does not grant",
            own(User),
            vec![run(Resource).grant("RbpAllow", Account), run(Identity)],
            implicit(Identity, Reason::NoIdentityAllowAccountOnly),
        ),
        row(
            "same account: nothing allows",
            own(User),
            vec![run(Resource), run(Identity)],
            implicit(Identity, Reason::NoIdentityAllow),
        ),
        row(
            "same account: the root user is allowed by default",
            own(Root),
            vec![run(Resource)],
            allowed(None, Reason::AllowedByDefault).notes(&[RootAllowedByDefault]),
        ),
        row(
            "same account: the root user named by the bucket policy",
            own(Root),
            vec![run(Resource).grant("RbpAllow", Direct)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        // Cross-account: both sides.
        row(
            "cross-account: no resource policy in the stack",
            by(User),
            vec![run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::CrossAccountNoResourcePolicy),
        ),
        row(
            "cross-account: the resource policy does not name the caller",
            Facts {
                has_resource_layer: true,
                ..by(User)
            },
            vec![run(Resource), run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::CrossAccountNoGrant),
        ),
        row(
            "cross-account: the resource policy grants, identity does not",
            by(User),
            vec![run(Resource).grant("RbpAllow", Direct), run(Identity)],
            implicit(Identity, Reason::CrossAccountNeedsIdentity),
        ),
        row(
            "cross-account: an account grant and the identity allow",
            by(User),
            vec![
                run(Resource).grant("RbpAllow", Account),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "cross-account: another account's root user, granted by the bucket policy",
            by(Root),
            vec![run(Resource).grant("RbpAllow", Account)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "cross-account: a direct grant does not lift the boundary",
            boundary(by(User)),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity).allow("IdAllow"),
                run(PermissionsBoundary),
            ],
            implicit(PermissionsBoundary, Reason::BoundaryNoAllow),
        ),
        // Access points: two passes.
        row(
            "access point: both passes allow",
            ap(own(User)),
            vec![
                run(AccessPoint).pass(apass).grant("ApAllow", Account),
                run(Identity).pass(apass).allow("IdAllow"),
                run(Resource).pass(bpass).grant("RbpAllow", Any),
                run(Identity).pass(bpass).allow("IdAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "access point: the access-point pass lacks any allow",
            ap(own(User)),
            vec![
                run(AccessPoint).pass(apass),
                run(Identity).pass(apass),
                run(Resource).pass(bpass).grant("RbpAllow", Any),
                run(Identity).pass(bpass),
            ],
            implicit(Identity, Reason::NoIdentityAllow).pass(apass),
        ),
        row(
            "access point: the bucket pass lacks the bucket policy's delegation",
            ap(own(User)),
            vec![
                run(AccessPoint).pass(apass).grant("ApAllow", Direct),
                run(Identity).pass(apass),
                run(Resource).pass(bpass).grant("RbpAllow", Account),
                run(Identity).pass(bpass),
            ],
            implicit(Resource, Reason::AccessPointNeedsDelegation).pass(bpass),
        ),
        row(
            "access point of another account: its policy must grant",
            Facts {
                access_point_same_account: false,
                ..ap(own(User))
            },
            vec![
                run(AccessPoint).pass(apass),
                run(Identity).pass(apass).allow("IdAllow"),
                run(Resource).pass(bpass).grant("RbpAllow", Any),
                run(Identity).pass(bpass).allow("IdAllow"),
            ],
            implicit(AccessPoint, Reason::CrossAccountNoGrant).pass(apass),
        ),
        row(
            "access point: the access point grants directly, the bucket delegates, identity allows",
            ap(own(User)),
            vec![
                run(AccessPoint).pass(apass).grant("ApAllow", Direct),
                run(Identity).pass(apass),
                run(Resource).pass(bpass).grant("RbpAllow", Account),
                run(Identity).pass(bpass).allow("IdAllow"),
            ],
            allowed(Some("ApAllow"), Reason::Allowed),
        ),
        // Permissions boundary and session policy.
        row(
            "boundary: nothing in the boundary allows",
            boundary(own(User)),
            vec![run(Identity).allow("IdAllow"), run(PermissionsBoundary)],
            implicit(PermissionsBoundary, Reason::BoundaryNoAllow),
        ),
        row(
            "boundary: lifted by a resource policy naming the user",
            boundary(own(User)),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity),
                run(PermissionsBoundary),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed).notes(&[BoundaryLiftedByDirectGrant]),
        ),
        row(
            "boundary: not lifted by a resource policy naming the role",
            boundary(own(RoleSession)),
            vec![
                run(Resource).grant("RbpAllow", Role),
                run(Identity),
                run(PermissionsBoundary),
            ],
            implicit(PermissionsBoundary, Reason::BoundaryNoAllow),
        ),
        row(
            "boundary: an identity allow beside an account-only resource policy",
            boundary(own(User)),
            vec![
                run(Resource).grant("RbpAllow", Account),
                run(Identity).allow("IdAllow"),
                run(PermissionsBoundary),
            ],
            implicit(PermissionsBoundary, Reason::BoundaryNoAllow),
        ),
        row(
            "boundary and session both allow",
            boundary(session(own(RoleSession))),
            vec![
                run(Identity).allow("IdAllow"),
                run(PermissionsBoundary).allow("BoundAllow"),
                run(Session).allow("SessAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "session: nothing in the session policy allows",
            session(own(RoleSession)),
            vec![run(Identity).allow("IdAllow"), run(Session)],
            implicit(Session, Reason::SessionNoAllow),
        ),
        row(
            "session: lifted by a resource policy naming the session",
            session(own(RoleSession)),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity),
                run(Session),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed).notes(&[SessionLiftedByDirectGrant]),
        ),
        row(
            "session: not lifted by a resource policy naming the role",
            session(own(RoleSession)),
            vec![
                run(Resource).grant("RbpAllow", Role),
                run(Identity),
                run(Session),
            ],
            implicit(Session, Reason::SessionNoAllow),
        ),
        row(
            "boundary and session lifted together by one direct grant",
            boundary(session(own(RoleSession))),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity),
                run(PermissionsBoundary),
                run(Session),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed)
                .notes(&[BoundaryLiftedByDirectGrant, SessionLiftedByDirectGrant]),
        ),
        row(
            "role session without a session layer needs none",
            own(RoleSession),
            vec![run(Identity).allow("IdAllow")],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        // Federated users (GetFederationToken).
        row(
            "federated user without a session policy has no permissions",
            own(FederatedUser),
            vec![run(Identity).allow("IdAllow")],
            implicit(Session, Reason::FederatedWithoutSessionPolicy)
                .notes(&[FederatedWithoutSessionPolicy]),
        ),
        row(
            "federated user without a session policy, named directly by the resource policy",
            own(FederatedUser),
            vec![run(Resource).grant("RbpAllow", Direct), run(Identity)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "federated user: the federating IAM user named, no session policy",
            own(FederatedUser),
            vec![
                run(Resource).grant("RbpAllow", FederatingUser),
                run(Identity).allow("IdAllow"),
            ],
            implicit(Session, Reason::FederatedWithoutSessionPolicy)
                .notes(&[FederatingUserNamed, FederatedWithoutSessionPolicy]),
        ),
        row(
            "federated user: the federating IAM user named, the session policy allows",
            session(own(FederatedUser)),
            vec![
                run(Resource).grant("RbpAllow", FederatingUser),
                run(Identity),
                run(Session).allow("SessAllow"),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed).notes(&[FederatingUserNamed]),
        ),
        row(
            "federated user: the federating IAM user named, the session policy allows nothing",
            session(own(FederatedUser)),
            vec![
                run(Resource).grant("RbpAllow", FederatingUser),
                run(Identity).allow("IdAllow"),
                run(Session),
            ],
            implicit(Session, Reason::SessionNoAllow).notes(&[FederatingUserNamed]),
        ),
    ];
    check(
        "aws",
        &rows,
        &polsim_core::aws::Aws,
        &[
            Reason::Allowed,
            Reason::AllowedByDefault,
            Reason::AlwaysAllowed,
            Reason::ExplicitDeny,
            Reason::ChainLevelNoAllow,
            Reason::EndpointNoAllow,
            Reason::AnonymousNeedsResourcePolicy,
            Reason::ResourcePolicyRequired,
            Reason::DelegationWithoutIdentity,
            Reason::CrossAccountNeedsIdentity,
            Reason::AccessPointNeedsDelegation,
            Reason::NoIdentityAllowAccountOnly,
            Reason::NoIdentityAllow,
            Reason::CrossAccountNoResourcePolicy,
            Reason::CrossAccountNoGrant,
            Reason::BoundaryNoAllow,
            Reason::SessionNoAllow,
            Reason::FederatedWithoutSessionPolicy,
        ],
    );
}

// --- Alibaba Cloud ---

#[test]
fn aliyun_decide() {
    use Note::*;
    let oss = |f: Facts| Facts {
        storage: true,
        has_resource_layer: true,
        ..f
    };
    let trust = |f: Facts| Facts {
        resource: ResourceKind::RoleTrust,
        has_resource_layer: true,
        ..f
    };
    let ap = |f: Facts| Facts {
        via_access_point: true,
        ..oss(f)
    };
    let rows = vec![
        // Explicit deny order: control policy, endpoint, STS policy, access point, bucket, RAM.
        row(
            "a RAM deny beats a RAM allow",
            own(User),
            vec![run(Identity).allow("IdAllow").deny("IdDeny")],
            explicit(Identity, "IdDeny"),
        ),
        row(
            "control policy deny first, naming its level",
            oss(own(RoleSession)),
            vec![
                run(Identity).deny("IdDeny"),
                run(Session).deny("SessDeny"),
                run(VpcEndpoint).deny("EpDeny"),
                run(Scp).level("rd-root").allow("ScpAllow"),
                run(Scp).level("folder").deny("ScpDeny"),
            ],
            explicit(Scp, "ScpDeny").level("folder"),
        ),
        row(
            "endpoint deny before the STS policy's",
            oss(own(RoleSession)),
            vec![
                run(Session).deny("SessDeny"),
                run(VpcEndpoint).deny("EpDeny"),
            ],
            explicit(VpcEndpoint, "EpDeny"),
        ),
        row(
            "STS policy deny before the access point's",
            ap(own(RoleSession)),
            vec![
                run(AccessPoint).deny("ApDeny"),
                run(Session).deny("SessDeny"),
            ],
            explicit(Session, "SessDeny"),
        ),
        row(
            "access point deny before the bucket's",
            ap(own(User)),
            vec![
                run(Resource).deny("RbpDeny"),
                run(AccessPoint).deny("ApDeny"),
            ],
            explicit(AccessPoint, "ApDeny"),
        ),
        row(
            "bucket deny before the RAM policy's",
            oss(own(User)),
            vec![run(Identity).deny("IdDeny"), run(Resource).deny("RbpDeny")],
            explicit(Resource, "RbpDeny"),
        ),
        // The owner and a bucket-policy `*` deny without condition.
        row(
            "owner: exempt from a `*` bucket deny without condition",
            oss(own(Root)),
            vec![run(Resource).deny("StarDeny")],
            allowed(None, Reason::AllowedOwner)
                .notes(&[OwnerExemptFromWildcardDeny, OwnerHasEveryPermission]),
        ),
        row(
            "owner: exempt, and the bucket policy's allow is named",
            oss(own(Root)),
            vec![run(Resource).grant("RbpAllow", Direct).deny("StarDeny")],
            allowed(Some("RbpAllow"), Reason::Allowed).notes(&[OwnerExemptFromWildcardDeny]),
        ),
        row(
            "owner: a `*` bucket deny with a condition applies",
            oss(own(Root)),
            vec![run(Resource).deny("StarDenyWithCondition")],
            explicit(Resource, "StarDenyWithCondition"),
        ),
        row(
            "owner: a bucket deny naming the account applies",
            oss(own(Root)),
            vec![run(Resource).deny("RbpDeny")],
            explicit(Resource, "RbpDeny"),
        ),
        row(
            "owner: exempt from the `*` deny, stopped by the next one",
            oss(own(Root)),
            vec![run(Resource).deny("StarDeny").deny("RbpDeny")],
            explicit(Resource, "RbpDeny").notes(&[OwnerExemptFromWildcardDeny]),
        ),
        row(
            "a RAM user of the owner: the `*` deny without condition applies",
            oss(own(User)),
            vec![
                run(Identity).allow("IdAllow"),
                run(Resource).deny("StarDeny"),
            ],
            explicit(Resource, "StarDeny"),
        ),
        row(
            "another account: the `*` deny without condition applies",
            oss(by(Root)),
            vec![run(Resource).grant("RbpAllow", Direct).deny("StarDeny")],
            explicit(Resource, "StarDeny"),
        ),
        // What must allow: control policies, endpoint, STS policy.
        row(
            "a control policy level without allow",
            own(User),
            vec![
                run(Scp).level("rd-root").allow("ScpAllow"),
                run(Scp).level("folder"),
                run(Identity).allow("IdAllow"),
            ],
            implicit(Scp, Reason::ChainLevelNoAllow).level("folder"),
        ),
        row(
            "the endpoint policy allows nothing",
            oss(own(User)),
            vec![run(VpcEndpoint), run(Identity).allow("IdAllow")],
            implicit(VpcEndpoint, Reason::EndpointNoAllow),
        ),
        row(
            "the STS policy allows nothing",
            own(RoleSession),
            vec![run(Session), run(Identity).allow("IdAllow")],
            implicit(Session, Reason::SessionNoAllow),
        ),
        row(
            "the STS policy and the RAM policy allow",
            own(RoleSession),
            vec![
                run(Session).allow("SessAllow"),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        // Role assumption.
        row(
            "trust: an account cannot assume a role",
            trust(own(Root)),
            vec![run(Resource).grant("RbpAllow", Direct)],
            implicit(Identity, Reason::RootCannotAssumeRole).notes(&[RootCannotAssumeRole]),
        ),
        row(
            "trust: a RAM user needs a RAM allow too",
            trust(own(User)),
            vec![run(Resource).grant("RbpAllow", Direct), run(Identity)],
            implicit(Identity, Reason::AssumeRoleNeedsIdentity),
        ),
        row(
            "trust: no trust policy in the stack",
            Facts {
                has_resource_layer: false,
                ..trust(own(User))
            },
            vec![run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::TrustPolicyNoAllow).notes(&[NoTrustPolicy]),
        ),
        row(
            "trust: the trust policy does not allow",
            trust(own(User)),
            vec![run(Resource), run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::TrustPolicyNoAllow),
        ),
        row(
            "trust: both allow",
            trust(own(User)),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "trust: a service assumes the role on the trust policy alone",
            trust(by(Service)),
            vec![run(Resource).grant("RbpAllow", Direct)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        // RAM policy OR bucket policy.
        row(
            "same account: the RAM allow grants",
            oss(own(User)),
            vec![run(Resource), run(Identity).allow("IdAllow")],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "same account: the bucket policy grants alone",
            oss(own(User)),
            vec![run(Resource).grant("RbpAllow", Direct), run(Identity)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "same account: nothing allows, OSS falls back to a private ACL",
            oss(own(User)),
            vec![run(Resource), run(Identity)],
            implicit(Identity, Reason::NoIdentityNoBucketAllow).notes(&[OssAclFallbackPrivate]),
        ),
        row(
            "same account, not OSS: the RAM policy decides",
            own(User),
            vec![run(Identity)],
            implicit(Identity, Reason::NoIdentityNoBucketAllow),
        ),
        row(
            "the owner has every permission",
            oss(own(Root)),
            vec![run(Resource)],
            allowed(None, Reason::AllowedOwner).notes(&[OwnerHasEveryPermission]),
        ),
        row(
            "cross-account: RAM policies count for the own account only",
            oss(by(User)),
            vec![run(Resource), run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::OnlyBucketPolicyCanGrant)
                .notes(&[RamPoliciesOwnAccountOnly, OssAclFallbackPrivate]),
        ),
        row(
            "cross-account: the bucket policy grants",
            oss(by(User)),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed).notes(&[RamPoliciesOwnAccountOnly]),
        ),
        row(
            "cross-account, a service without resource policies: RAM decides, and cannot grant",
            by(User),
            vec![run(Identity).allow("IdAllow")],
            implicit(Identity, Reason::NoIdentityNoBucketAllow).notes(&[RamPoliciesOwnAccountOnly]),
        ),
        row(
            "anonymous: no bucket policy grants",
            oss(by(Anonymous)),
            vec![run(Resource)],
            implicit(Resource, Reason::OnlyBucketPolicyCanGrant).notes(&[OssAclFallbackPrivate]),
        ),
        row(
            "anonymous: a public bucket policy grants",
            oss(by(Anonymous)),
            vec![run(Resource).grant("RbpAllow", Any)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        // Access points: the bucket policy must delegate, the access point policy must allow.
        row(
            "access point: no bucket-policy delegation",
            ap(own(User)),
            vec![
                run(AccessPoint).grant("ApAllow", Direct),
                run(Resource),
                run(Identity).allow("IdAllow"),
            ],
            implicit(Resource, Reason::BucketNeedsAccessPointDelegation),
        ),
        row(
            "access point: no bucket policy in the stack",
            Facts {
                has_resource_layer: false,
                ..ap(own(User))
            },
            vec![
                run(AccessPoint).grant("ApAllow", Direct),
                run(Identity).allow("IdAllow"),
            ],
            implicit(Resource, Reason::BucketNeedsAccessPointDelegation),
        ),
        row(
            "access point: its policy allows nothing",
            ap(own(User)),
            vec![
                run(AccessPoint),
                run(Resource).grant("RbpAllow", Any),
                run(Identity).allow("IdAllow"),
            ],
            implicit(AccessPoint, Reason::AccessPointNoAllow),
        ),
        row(
            "access point: delegated, allowed, and the RAM policy grants",
            ap(own(User)),
            vec![
                run(AccessPoint).grant("ApAllow", Direct),
                run(Resource).grant("RbpAllow", Any),
                run(Identity).allow("IdAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
    ];
    check(
        "aliyun",
        &rows,
        &polsim_core::aliyun::Aliyun,
        &[
            Reason::Allowed,
            Reason::AllowedOwner,
            Reason::ExplicitDeny,
            Reason::ChainLevelNoAllow,
            Reason::EndpointNoAllow,
            Reason::SessionNoAllow,
            Reason::RootCannotAssumeRole,
            Reason::AssumeRoleNeedsIdentity,
            Reason::TrustPolicyNoAllow,
            Reason::NoIdentityNoBucketAllow,
            Reason::OnlyBucketPolicyCanGrant,
            Reason::BucketNeedsAccessPointDelegation,
            Reason::AccessPointNoAllow,
        ],
    );
}

// --- Tencent Cloud ---

#[test]
fn tencent_decide() {
    use Note::*;
    let cos = |f: Facts| Facts {
        storage: true,
        has_resource_layer: true,
        ..f
    };
    let trust = |f: Facts| Facts {
        resource: ResourceKind::RoleTrust,
        ..f
    };
    let rows = vec![
        // Any matching deny denies; order: temporary-key policy, boundary, bucket, CAM.
        row(
            "a CAM deny beats a CAM allow",
            own(User),
            vec![run(Identity).allow("IdAllow").deny("IdDeny")],
            explicit(Identity, "IdDeny"),
        ),
        row(
            "temporary-key policy deny first",
            cos(own(User)),
            vec![
                run(Identity).deny("IdDeny"),
                run(Resource).deny("RbpDeny"),
                run(PermissionsBoundary).deny("BoundDeny"),
                run(Session).deny("SessDeny"),
            ],
            explicit(Session, "SessDeny"),
        ),
        row(
            "boundary deny before the bucket's",
            cos(own(User)),
            vec![
                run(Identity).deny("IdDeny"),
                run(Resource).deny("RbpDeny"),
                run(PermissionsBoundary).deny("BoundDeny"),
            ],
            explicit(PermissionsBoundary, "BoundDeny"),
        ),
        row(
            "bucket deny before the CAM policy's",
            cos(own(User)),
            vec![run(Identity).deny("IdDeny"), run(Resource).deny("RbpDeny")],
            explicit(Resource, "RbpDeny"),
        ),
        row(
            "the root owner is stopped by a bucket deny",
            cos(own(Root)),
            vec![run(Resource).deny("StarDeny")],
            explicit(Resource, "StarDeny"),
        ),
        // Role assumption.
        row(
            "trust: a sub-account needs a CAM allow",
            trust(own(User)),
            vec![run(Identity), run(Resource).grant("RbpAllow", Direct)],
            implicit(Identity, Reason::AssumeRoleNeedsIdentity),
        ),
        row(
            "trust: no trust policy in the stack",
            trust(own(User)),
            vec![run(Identity).allow("IdAllow")],
            implicit(Resource, Reason::TrustPolicyNoAllow).notes(&[NoTrustPolicy]),
        ),
        row(
            "trust: the trust policy does not allow",
            trust(own(User)),
            vec![run(Identity).allow("IdAllow"), run(Resource)],
            implicit(Resource, Reason::TrustPolicyNoAllow),
        ),
        row(
            "trust: both allow",
            trust(own(User)),
            vec![
                run(Identity).allow("IdAllow"),
                run(Resource).grant("RbpAllow", Direct),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "trust: a root account needs only the trust policy",
            trust(by(Root)),
            vec![run(Resource).grant("RbpAllow", Account)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "trust: a service named by the trust policy",
            trust(by(Service)),
            vec![run(Resource).grant("RbpAllow", Direct)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        // The root owner.
        row(
            "the root account owns the resource",
            cos(own(Root)),
            vec![run(Resource)],
            allowed(None, Reason::AllowedOwner).notes(&[TencentRootOwner]),
        ),
        row(
            "the root owner with a temporary key whose policy allows nothing",
            cos(own(Root)),
            vec![run(Session)],
            implicit(Session, Reason::SessionNoAllow).notes(&[TencentRootOwner]),
        ),
        // Anonymous callers.
        row(
            "anonymous: a bucket policy for everyone grants",
            cos(by(Anonymous)),
            vec![run(Resource).grant("RbpAllow", Any)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "anonymous: no bucket grant",
            cos(by(Anonymous)),
            vec![run(Resource)],
            implicit(Resource, Reason::AnonymousNoBucketGrant),
        ),
        row(
            "anonymous: an account delegation is no grant",
            cos(by(Anonymous)),
            vec![run(Resource).grant("RbpAllow", Account)],
            implicit(Resource, Reason::AnonymousNoBucketGrant),
        ),
        // Same account: CAM OR bucket policy.
        row(
            "same account: the CAM allow grants",
            cos(own(User)),
            vec![run(Identity).allow("IdAllow"), run(Resource)],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "same account: the bucket policy grants alone",
            cos(own(User)),
            vec![run(Identity), run(Resource).grant("RbpAllow", Direct)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "same account: both grant, the CAM statement is named",
            cos(own(RoleSession)),
            vec![
                run(Identity).allow("IdAllow"),
                run(Resource).grant("RbpAllow", Direct),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "same account: a bucket entry naming the root account only delegates",
            cos(own(User)),
            vec![run(Identity), run(Resource).grant("RbpAllow", Account)],
            implicit(Identity, Reason::NoIdentityNoBucketAllow),
        ),
        row(
            "same account: nothing allows",
            cos(own(User)),
            vec![run(Identity), run(Resource)],
            implicit(Identity, Reason::NoIdentityNoBucketAllow),
        ),
        // Cross-account: the owner's bucket policy and the caller's CAM policy.
        row(
            "cross-account: no bucket grant",
            cos(by(User)),
            vec![run(Identity).allow("IdAllow"), run(Resource)],
            implicit(Resource, Reason::CrossAccountNoGrant),
        ),
        row(
            "cross-account: a grant for everyone lets a signed caller in",
            cos(by(User)),
            vec![run(Identity), run(Resource).grant("RbpAllow", Any)],
            allowed(Some("RbpAllow"), Reason::Allowed).notes(&[CosEveryoneGrantCrossAccount]),
        ),
        row(
            "cross-account: a sub-account grant needs the caller's CAM allow",
            cos(by(User)),
            vec![run(Identity), run(Resource).grant("RbpAllow", Direct)],
            implicit(Identity, Reason::CrossAccountNeedsSubAccountGrant),
        ),
        row(
            "cross-account: an account grant needs the caller's CAM allow",
            cos(by(RoleSession)),
            vec![run(Identity), run(Resource).grant("RbpAllow", Account)],
            implicit(Identity, Reason::CrossAccountNeedsSubAccountGrant),
        ),
        row(
            "cross-account: both sides grant",
            cos(by(User)),
            vec![
                run(Identity).allow("IdAllow"),
                run(Resource).grant("RbpAllow", Direct),
            ],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        row(
            "cross-account: another root account needs no CAM grant",
            cos(by(Root)),
            vec![run(Resource).grant("RbpAllow", Account)],
            allowed(Some("RbpAllow"), Reason::Allowed),
        ),
        // Boundary and temporary-key policy intersect.
        row(
            "boundary: nothing in it allows, it caps the CAM grant",
            cos(own(User)),
            vec![run(Identity).allow("IdAllow"), run(PermissionsBoundary)],
            implicit(PermissionsBoundary, Reason::BoundaryNoAllow)
                .notes(&[BoundaryCapsBucketGrants]),
        ),
        row(
            "boundary: it also caps a bucket-policy grant",
            cos(own(User)),
            vec![
                run(Resource).grant("RbpAllow", Direct),
                run(Identity),
                run(PermissionsBoundary),
            ],
            implicit(PermissionsBoundary, Reason::BoundaryNoAllow)
                .notes(&[BoundaryCapsBucketGrants]),
        ),
        row(
            "temporary-key policy allows nothing",
            cos(own(RoleSession)),
            vec![
                run(Identity).allow("IdAllow"),
                run(PermissionsBoundary).allow("BoundAllow"),
                run(Session),
            ],
            implicit(Session, Reason::SessionNoAllow),
        ),
        row(
            "boundary and temporary-key policy allow",
            cos(own(RoleSession)),
            vec![
                run(Identity).allow("IdAllow"),
                run(PermissionsBoundary).allow("BoundAllow"),
                run(Session).allow("SessAllow"),
            ],
            allowed(Some("IdAllow"), Reason::Allowed),
        ),
        row(
            "cross-account everyone grant, capped by the temporary-key policy",
            cos(by(User)),
            vec![run(Resource).grant("RbpAllow", Any), run(Session)],
            implicit(Session, Reason::SessionNoAllow).notes(&[CosEveryoneGrantCrossAccount]),
        ),
    ];
    check(
        "tencent",
        &rows,
        &polsim_core::tencent::Tencent,
        &[
            Reason::Allowed,
            Reason::AllowedOwner,
            Reason::ExplicitDeny,
            Reason::AssumeRoleNeedsIdentity,
            Reason::TrustPolicyNoAllow,
            Reason::AnonymousNoBucketGrant,
            Reason::NoIdentityNoBucketAllow,
            Reason::CrossAccountNoGrant,
            Reason::CrossAccountNeedsSubAccountGrant,
            Reason::BoundaryNoAllow,
            Reason::SessionNoAllow,
        ],
    );
}

/// The pool's statements carry the shapes the tables rely on.
#[test]
fn pool_shapes() {
    let p = pool();
    assert_eq!(sref(&p, "IdDeny").effect(), Effect::Deny);
    assert_eq!(sref(&p, "IdAllow").effect(), Effect::Allow);
    assert!(sref(&p, "StarDenyWithCondition").stmt.conditions.len() == 1);
    assert!(sref(&p, "StarDeny").stmt.conditions.is_empty());
}
