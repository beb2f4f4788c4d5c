//! What a cloud's decision reads and returns: [`Outcomes`] (each evaluated layer's matching
//! Allow and Deny statements), [`Facts`] (the request facts the flow depends on), and the
//! [`Verdict`] with its [`Reason`] and [`Notes`] codes.
//!
//! Each cloud's `decide(&Outcomes, &Facts) -> Verdict` is a pure function over these: no string
//! is built and nothing is allocated. Words for the codes are written in one place
//! ([`crate::report`]), only when a report is made.

use crate::ir::Layer;
use crate::request::{CallerKind, Request};
use crate::stack::Stack;
use crate::stack::StatementRef;

/// How a principal entry matched, which decides what a resource-policy allow overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalHow {
    /// The layer has no principals (identity, boundary, session, SCP).
    NotApplicable,
    /// The entry names the caller's account: a delegation to the account's own policies.
    Account,
    /// The entry names the role a session belongs to.
    Role,
    /// The entry names the IAM user that federated (limited like a role).
    FederatingUser,
    /// The entry names the caller itself (user, session, federated user, service).
    Direct,
    /// `*`, or `NotPrincipal` that does not list the caller.
    Any,
}

/// Which of a request's evaluations a layer belongs to: most requests have one; an AWS request
/// through an access point is judged once against the access point and once against the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pass {
    /// The only evaluation.
    Only,
    /// The access-point half of an AWS access-point request.
    AccessPoint,
    /// The bucket half of an AWS access-point request.
    Bucket,
}

impl Pass {
    /// `access point` or `bucket` for the two halves; `None` for the only pass.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Pass::Only => None,
            Pass::AccessPoint => Some("access point"),
            Pass::Bucket => Some("bucket"),
        }
    }
}

/// What kind of resource the request names, where the flow depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// Anything else.
    Other,
    /// A KMS key: its key policy must allow explicitly (AWS).
    KmsKey,
    /// A role, with an action on its trust policy (`sts:AssumeRole`, ...).
    RoleTrust,
}

/// The request facts a cloud's decision depends on, computed once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// Who calls.
    pub caller: CallerKind,
    /// The caller is a service-linked role.
    pub service_linked: bool,
    /// The caller's account owns the resource.
    pub same_account: bool,
    /// The caller's account owns the access point the request goes through.
    pub access_point_same_account: bool,
    /// The object belongs to another account than the bucket's (S3 with ACLs enabled): only the
    /// object's ACL can grant on it; the bucket policy's Denies still apply.
    pub foreign_object: bool,
    /// The stack has a KMS key policy layer (the resource-based policy of a KMS request).
    pub kms_key_layer: bool,
    /// The stack describes the storage service's own state (ACLs, ...): the service's checks
    /// read it, so no ACL needs to be assumed.
    pub service_state: bool,
    /// What the resource is.
    pub resource: ResourceKind,
    /// The action belongs to the cloud's object-storage service (S3, OSS, COS).
    pub storage: bool,
    /// The request goes through an access point.
    pub via_access_point: bool,
    /// The stack has a resource-based policy layer.
    pub has_resource_layer: bool,
    /// The stack has a session-policy layer.
    pub has_session_layer: bool,
    /// The caller has a permissions boundary that applies to it.
    pub has_boundary: bool,
    /// The action reads or writes the bucket policy itself (`s3:GetBucketPolicy`, ...).
    pub bucket_policy_action: bool,
    /// RCPs cover the action's service (AWS).
    pub rcp_covers_service: bool,
    /// The action is `sts:GetCallerIdentity`, which needs no permission (AWS).
    pub caller_identity: bool,
    /// The stack's identity layer holds at least one policy.
    pub identity_policies: bool,
}

impl Facts {
    /// Facts of a request by `caller`, everything else off.
    pub fn new(caller: CallerKind) -> Facts {
        Facts {
            caller,
            service_linked: false,
            same_account: false,
            access_point_same_account: false,
            foreign_object: false,
            kms_key_layer: false,
            service_state: false,
            resource: ResourceKind::Other,
            storage: false,
            via_access_point: false,
            has_resource_layer: false,
            has_session_layer: false,
            has_boundary: false,
            bucket_policy_action: false,
            rcp_covers_service: false,
            caller_identity: false,
            identity_policies: false,
        }
    }

    /// The facts every cloud reads alike: who calls, whether the caller's account owns the
    /// resource (`resource_account`), whether the request goes through an access point, and
    /// which layers the stack has. The cloud's profile adds its own.
    pub fn common(stack: &Stack, req: &Request, resource_account: Option<&str>) -> Facts {
        let caller = &req.caller;
        let mut f = Facts::new(caller.kind);
        f.same_account = caller.account.is_some() && caller.account.as_deref() == resource_account;
        f.via_access_point = req.access_point.is_some();
        let st = &stack.state;
        f.service_state = st.s3.is_some() || st.oss.is_some() || st.cos.is_some();
        f.has_resource_layer = stack.has(Layer::Resource);
        f.has_session_layer = stack.has(Layer::Session);
        f.identity_policies = stack
            .policies(Layer::Identity)
            .is_some_and(|p| !p.is_empty());
        f
    }

    /// The caller is a principal of the cloud's identity system (not anonymous, not a service).
    pub fn signed_identity(&self) -> bool {
        !matches!(self.caller, CallerKind::Anonymous | CallerKind::Service)
    }

    /// The caller is the account itself and owns the resource.
    pub fn owner_root(&self) -> bool {
        self.caller == CallerKind::Root && self.same_account
    }
}

/// One evaluated layer (or level of a chain) of one pass.
#[derive(Debug, Clone)]
pub struct LayerRun<'s> {
    /// Which pass.
    pub pass: Pass,
    /// The layer.
    pub layer: Layer,
    /// The level's name, for chain layers.
    pub level: Option<&'s str>,
    /// Matching Allow statements and how their principal matched.
    pub allows: Vec<(StatementRef<'s>, PrincipalHow)>,
    /// Matching Deny statements.
    pub denies: Vec<StatementRef<'s>>,
}

impl LayerRun<'_> {
    /// The strongest way an Allow matched, if any.
    pub fn best_allow(&self) -> Option<PrincipalHow> {
        self.allows.iter().map(|(_, h)| *h).max()
    }
}

/// Why a layer of the stack does not take part in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// SCPs/RCPs/control policies do not restrict service-linked roles.
    ServiceLinkedRole,
    /// RCPs do not cover the action's service.
    RcpServiceNotCovered,
    /// SCPs apply only to principals of the organization's accounts.
    ScpNotForAnonymousOrService,
    /// Identity policies apply only to signed principals.
    IdentityNeedsSignedPrincipal,
    /// The root user is allowed by default (its identity policies are not evaluated).
    RootAllowedByDefault,
    /// Permissions boundaries apply to users and roles only.
    BoundaryUsersAndRolesOnly,
    /// Session policies apply to sessions only.
    SessionPolicyNeedsSession,
    /// Control policies do not apply to the account itself.
    ControlPolicyNotForAccount,
    /// The layer does not exist in this cloud.
    NoSuchLayer,
    /// A temporary-key policy applies only to requests signed with that key.
    TempKeyNeedsSignature,
}

/// The result of evaluating the stack's layers for one request: the input of `decide`.
#[derive(Debug, Clone, Default)]
pub struct Outcomes<'s> {
    /// Evaluated layers, in the order the cloud evaluates them.
    pub runs: Vec<LayerRun<'s>>,
    /// Layers of the stack that do not take part, with the reason.
    pub skipped: Vec<(Pass, Layer, Skip)>,
}

impl<'s> Outcomes<'s> {
    /// The result of a (single-level) layer of a pass.
    pub fn get(&self, pass: Pass, layer: Layer) -> Option<&LayerRun<'s>> {
        self.runs
            .iter()
            .find(|r| r.pass == pass && r.layer == layer)
    }

    /// Whether a layer of a pass was evaluated and nothing in it allows.
    pub fn no_allow(&self, pass: Pass, layer: Layer) -> bool {
        self.get(pass, layer).is_some_and(|r| r.allows.is_empty())
    }

    /// Whether a layer of a pass has a matching Deny.
    pub fn denies(&self, pass: Pass, layer: Layer) -> bool {
        self.get(pass, layer).is_some_and(|r| !r.denies.is_empty())
    }

    /// The first Allow statement of a layer.
    pub fn first_allow(&self, pass: Pass, layer: Layer) -> Option<StatementRef<'s>> {
        self.get(pass, layer)
            .and_then(|r| r.allows.first())
            .map(|(s, _)| *s)
    }

    /// The strongest way an Allow of a layer matched.
    pub fn best_allow(&self, pass: Pass, layer: Layer) -> Option<PrincipalHow> {
        self.get(pass, layer).and_then(LayerRun::best_allow)
    }

    /// The first level of a chain layer of a pass where nothing allows.
    pub fn level_without_allow(&self, pass: Pass, layer: Layer) -> Option<&LayerRun<'s>> {
        self.runs
            .iter()
            .find(|r| r.pass == pass && r.layer == layer && r.allows.is_empty())
    }

    /// The first matching Deny with its run, layers taken in `order` (levels and passes in
    /// evaluation order); `exempt` drops denies a rule says do not apply.
    pub fn first_deny(
        &self,
        order: &[Layer],
        mut exempt: impl FnMut(&LayerRun<'s>, &StatementRef<'s>) -> bool,
    ) -> Option<(&LayerRun<'s>, StatementRef<'s>)> {
        for l in order {
            for run in self.runs.iter().filter(|r| r.layer == *l) {
                if let Some(d) = run.denies.iter().find(|d| !exempt(run, d)) {
                    return Some((run, *d));
                }
            }
        }
        None
    }
}

/// Why a request was decided as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A statement allows and nothing denies.
    Allowed,
    /// Allowed, with no single statement to name (the root user), and nothing denies.
    AllowedByDefault,
    /// The caller owns the resource and nothing denies (Alibaba Cloud, Tencent Cloud).
    AllowedOwner,
    /// `sts:GetCallerIdentity` is always allowed.
    AlwaysAllowed,
    /// A Deny statement matched.
    ExplicitDeny,
    /// A level of a chain (SCP, RCP, control policy) allows nothing.
    ChainLevelNoAllow,
    /// The endpoint policy does not allow the request.
    EndpointNoAllow,
    /// An unsigned or service caller needs a resource-based policy grant.
    AnonymousNeedsResourcePolicy,
    /// A KMS key or role trust needs an explicit allow in its resource policy.
    ResourcePolicyRequired,
    /// The resource policy only delegates to the account, and no identity policy allows.
    DelegationWithoutIdentity,
    /// Cross-account: the caller's identity policies must allow too.
    CrossAccountNeedsIdentity,
    /// The bucket half of an access-point request lacks the bucket policy's delegation.
    AccessPointNeedsDelegation,
    /// No identity policy allows; the resource policy names only the account.
    NoIdentityAllowAccountOnly,
    /// No identity policy allows, and no resource policy names the caller.
    NoIdentityAllow,
    /// Cross-account, and the stack has no resource policy.
    CrossAccountNoResourcePolicy,
    /// Cross-account, and no resource-policy statement allows the caller.
    CrossAccountNoGrant,
    /// The permissions boundary does not allow.
    BoundaryNoAllow,
    /// No session policy allows.
    SessionNoAllow,
    /// A GetFederationToken session was given no session policy.
    FederatedWithoutSessionPolicy,
    /// An Alibaba Cloud account (root) cannot assume a role.
    RootCannotAssumeRole,
    /// Assuming a role needs an identity-policy Allow as well.
    AssumeRoleNeedsIdentity,
    /// The role's trust policy does not allow the caller.
    TrustPolicyNoAllow,
    /// Neither an identity policy nor a bucket policy allows.
    NoIdentityNoBucketAllow,
    /// Only a bucket policy can grant (another account's or anonymous caller), and none does.
    OnlyBucketPolicyCanGrant,
    /// The bucket policy does not delegate to the access point (Alibaba Cloud).
    BucketNeedsAccessPointDelegation,
    /// The access point policy does not allow.
    AccessPointNoAllow,
    /// No bucket policy allows anonymous access (Tencent Cloud).
    AnonymousNoBucketGrant,
    /// Cross-account: the caller's account must grant its sub-account through CAM.
    CrossAccountNeedsSubAccountGrant,
}

/// A rule applied where the documentation leaves a choice, or a fact worth saying, recorded as
/// a code when it affects the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Note {
    /// The root user's identity policies are not evaluated (AWS).
    RootIdentityNotEvaluated,
    /// `sts:GetCallerIdentity` needs no permission (AWS).
    CallerIdentityAlwaysAllowed,
    /// An access-point request is judged twice (AWS).
    AccessPointTwoPasses,
    /// The bucket owner's root user is not stopped by a bucket-policy Deny on the bucket
    /// policy actions (AWS).
    OwnerRootBucketPolicyDenyNotApplied,
    /// The stack has no resource policy, and this resource needs one (AWS KMS, trust).
    ResourcePolicyMissing,
    /// The root user is allowed by default in its own account (AWS).
    RootAllowedByDefault,
    /// A resource policy naming the caller directly lifts the boundary's implicit deny (AWS).
    BoundaryLiftedByDirectGrant,
    /// A resource policy naming the session lifts the session policy's implicit deny (AWS).
    SessionLiftedByDirectGrant,
    /// A GetFederationToken session without a session policy has no permissions (AWS).
    FederatedWithoutSessionPolicy,
    /// A bucket-policy `*` statement without Condition does not apply to the owner (OSS).
    OwnerExemptFromWildcardDeny,
    /// An Alibaba Cloud account cannot assume a RAM role.
    RootCannotAssumeRole,
    /// The stack has no trust policy for the role.
    NoTrustPolicy,
    /// RAM policies grant access to the account's own resources only.
    RamPoliciesOwnAccountOnly,
    /// The resource owner has every permission (Alibaba Cloud).
    OwnerHasEveryPermission,
    /// OSS falls back to ACLs, taken to be private.
    OssAclFallbackPrivate,
    /// COS names carry the APPID: the bucket is taken to be the caller's account's.
    CosAccountAssumed,
    /// A Tencent root account may do anything with its own resources.
    TencentRootOwner,
    /// A bucket policy granting everyone lets a signed caller of another account in (COS).
    CosEveryoneGrantCrossAccount,
    /// A permission boundary also caps bucket-policy grants (Tencent, UNCERTAIN).
    BoundaryCapsBucketGrants,
    /// The identity that federated (GetFederationToken) is named by the resource policy, so
    /// the grant is limited like a role's (AWS).
    FederatingUserNamed,
    /// The object belongs to another account than the bucket: only its ACL can grant (S3).
    ForeignObjectAclOnly,
    /// The resource's account was not given and is taken to be the caller's.
    ResourceAccountAssumed,
}

impl Note {
    /// Every note, in the order they are reported.
    pub const ALL: [Note; 22] = [
        Note::RootIdentityNotEvaluated,
        Note::CallerIdentityAlwaysAllowed,
        Note::AccessPointTwoPasses,
        Note::OwnerRootBucketPolicyDenyNotApplied,
        Note::ResourcePolicyMissing,
        Note::RootAllowedByDefault,
        Note::BoundaryLiftedByDirectGrant,
        Note::SessionLiftedByDirectGrant,
        Note::FederatedWithoutSessionPolicy,
        Note::OwnerExemptFromWildcardDeny,
        Note::RootCannotAssumeRole,
        Note::NoTrustPolicy,
        Note::RamPoliciesOwnAccountOnly,
        Note::OwnerHasEveryPermission,
        Note::OssAclFallbackPrivate,
        Note::CosAccountAssumed,
        Note::TencentRootOwner,
        Note::CosEveryoneGrantCrossAccount,
        Note::BoundaryCapsBucketGrants,
        Note::FederatingUserNamed,
        Note::ForeignObjectAclOnly,
        Note::ResourceAccountAssumed,
    ];
}

/// A set of [`Note`]s (a bit set: adding one never allocates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Notes(u64);

impl Notes {
    /// Adds a note.
    pub fn add(&mut self, n: Note) {
        self.0 |= 1 << (n as u8);
    }

    /// Whether a note is in the set.
    pub fn has(self, n: Note) -> bool {
        self.0 & (1 << (n as u8)) != 0
    }

    /// Both sets.
    pub fn union(self, other: Notes) -> Notes {
        Notes(self.0 | other.0)
    }

    /// The notes, in [`Note::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Note> {
        Note::ALL.into_iter().filter(move |n| self.has(*n))
    }
}

/// The three outcomes of an authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// A statement with `Deny` matched.
    ExplicitDeny,
    /// Nothing that had to allow did.
    ImplicitDeny,
}

impl Decision {
    /// `allow`, `explicit_deny` or `implicit_deny` (the test-file spelling).
    pub fn name(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }

    /// Reads the test-file spelling.
    pub fn from_name(s: &str) -> Option<Decision> {
        match s {
            "allow" => Some(Decision::Allow),
            "explicit_deny" => Some(Decision::ExplicitDeny),
            "implicit_deny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

/// A check of the storage service itself (not a policy layer) that can decide a request
/// (test format version 2, `expect_check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// ACLs were consulted and granted nothing.
    Acl,
    /// S3 Object Ownership: an ACL-carrying write under BucketOwnerEnforced, or an object owned
    /// by another account than the bucket's.
    ObjectOwnership,
    /// S3 Block Public Access.
    BlockPublicAccess,
    /// The KMS request the service makes for the caller.
    Kms,
    /// Requester Pays without the requester's agreement to pay.
    RequesterPays,
    /// A read of a missing object by a caller who may not list the bucket.
    ObjectMissing,
    /// Hotlink (Referer) protection.
    Referer,
}

impl Check {
    /// Every check.
    pub const ALL: [Check; 7] = [
        Check::Acl,
        Check::ObjectOwnership,
        Check::BlockPublicAccess,
        Check::Kms,
        Check::RequesterPays,
        Check::ObjectMissing,
        Check::Referer,
    ];

    /// The test-file spelling (`acl`, `object_ownership`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Check::Acl => "acl",
            Check::ObjectOwnership => "object_ownership",
            Check::BlockPublicAccess => "block_public_access",
            Check::Kms => "kms",
            Check::RequesterPays => "requester_pays",
            Check::ObjectMissing => "object_missing",
            Check::Referer => "referer",
        }
    }

    /// Reads the test-file spelling.
    pub fn from_name(s: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// What a cloud's decision concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict<'s> {
    /// Allow, explicit deny or implicit deny.
    pub decision: Decision,
    /// The layer that decided a deny.
    pub layer: Option<Layer>,
    /// The level of a chain layer that decided, if any.
    pub level: Option<&'s str>,
    /// The pass that decided a deny.
    pub pass: Pass,
    /// The statement that decided (the Deny, or the granting Allow).
    pub statement: Option<StatementRef<'s>>,
    /// Why.
    pub reason: Reason,
    /// Rules applied on the way.
    pub notes: Notes,
}

impl<'s> Verdict<'s> {
    /// An allow, granted by `statement` (if one is named).
    pub fn allow(statement: Option<StatementRef<'s>>, reason: Reason) -> Verdict<'s> {
        Verdict {
            decision: Decision::Allow,
            layer: None,
            level: None,
            pass: Pass::Only,
            statement,
            reason,
            notes: Notes::default(),
        }
    }

    /// An allow granted by `statement` ([`Reason::Allowed`]), or, with none to name, for
    /// `otherwise`.
    pub fn granted(statement: Option<StatementRef<'s>>, otherwise: Reason) -> Verdict<'s> {
        let reason = if statement.is_some() {
            Reason::Allowed
        } else {
            otherwise
        };
        Verdict::allow(statement, reason)
    }

    /// An explicit deny by `stmt` in `run`.
    pub fn explicit(run: &LayerRun<'s>, stmt: StatementRef<'s>) -> Verdict<'s> {
        Verdict {
            decision: Decision::ExplicitDeny,
            layer: Some(run.layer),
            level: run.level,
            pass: run.pass,
            statement: Some(stmt),
            reason: Reason::ExplicitDeny,
            notes: Notes::default(),
        }
    }

    /// An implicit deny decided by `layer`.
    pub fn implicit(layer: Layer, reason: Reason) -> Verdict<'s> {
        Verdict {
            decision: Decision::ImplicitDeny,
            layer: Some(layer),
            level: None,
            pass: Pass::Only,
            statement: None,
            reason,
            notes: Notes::default(),
        }
    }

    /// An implicit deny decided by a level of a chain layer.
    pub fn implicit_level(run: &LayerRun<'s>, reason: Reason) -> Verdict<'s> {
        Verdict {
            level: run.level,
            pass: run.pass,
            ..Verdict::implicit(run.layer, reason)
        }
    }

    /// The same verdict with `notes` added.
    pub fn with_notes(mut self, notes: Notes) -> Verdict<'s> {
        self.notes = self.notes.union(notes);
        self
    }

    /// The same verdict decided in `pass`.
    pub fn in_pass(mut self, pass: Pass) -> Verdict<'s> {
        self.pass = pass;
        self
    }
}
