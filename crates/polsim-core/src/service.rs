//! The whole 403: a storage service's decision over one API request, beyond its policies.
//!
//! A service decides a request in steps (resource-controls spec §1.1, §2.1, §3.1): each action
//! the request needs is judged by the policies (one [`crate::flow::evaluate`] each), the
//! service may make further requests for the caller (S3's KMS request for an SSE-KMS object,
//! its `s3:ListBucket` request for a missing object), and it applies checks of its own (Object
//! Ownership, Block Public Access, Requester Pays, Referer). A cloud's [`StorageRules`] plans the
//! steps ([`Plan`]) and decides over their outcomes ([`ServiceVerdict`]); like `decide`, the
//! decision is codes, worded only in reports.

use crate::decide::{Check, Decision};
use crate::explain::Evaluation;
use crate::request::Request;
use crate::stack::Stack;
use std::borrow::Cow;

/// Why a step of a plan is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepRole {
    /// An action the request needs (the operation's, or the action given).
    Action,
    /// The read of a copy's source object.
    CopySource,
    /// The KMS request the service makes for the caller.
    Kms,
    /// S3's `s3:ListBucket` request for a read of a missing object.
    ListBucket,
}

impl StepRole {
    /// A few words for reports.
    pub fn name(self) -> &'static str {
        match self {
            StepRole::Action => "action",
            StepRole::CopySource => "copy source",
            StepRole::Kms => "KMS request",
            StepRole::ListBucket => "missing-object check",
        }
    }
}

/// One policy evaluation of a plan: its request and the stack it is judged against.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    /// Why.
    pub role: StepRole,
    /// The request (the original, or one derived from it).
    pub request: Cow<'a, Request>,
    /// The stack (the original, or one with the ACL layer or the KMS key policy).
    pub stack: Cow<'a, Stack>,
}

/// A refusal of the service itself that no grant can lift, decided from the request and the
/// resource's state alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// An ACL-carrying write to a bucket whose Object Ownership is BucketOwnerEnforced
    /// (400 AccessControlListNotSupported).
    AclsDisabled,
    /// A public ACL set under Block Public Access's BlockPublicAcls.
    BlockPublicAcls,
    /// A public policy put under Block Public Access's BlockPublicPolicy.
    BlockPublicPolicy,
    /// A public bucket policy under RestrictPublicBuckets, for a caller outside the owner's
    /// account.
    RestrictPublicBuckets,
    /// Requester Pays without `x-amz-request-payer: requester`.
    RequesterPays,
    /// Hotlink protection refuses the Referer.
    Referer(crate::state::RefererOutcome),
}

impl Rejection {
    /// The check it belongs to.
    pub fn check(self) -> Check {
        match self {
            Rejection::AclsDisabled => Check::ObjectOwnership,
            Rejection::BlockPublicAcls
            | Rejection::BlockPublicPolicy
            | Rejection::RestrictPublicBuckets => Check::BlockPublicAccess,
            Rejection::RequesterPays => Check::RequesterPays,
            Rejection::Referer(_) => Check::Referer,
        }
    }
}

/// What a service will evaluate for one request, and the refusals it already knows of.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// The policy evaluations, in the order the service makes them.
    pub steps: Vec<Step<'a>>,
    /// Refusals of the service itself, in the order it reports them.
    pub rejections: Vec<Rejection>,
}

impl<'a> Plan<'a> {
    /// A plan of the request alone, judged by its policies.
    pub fn single(stack: &'a Stack, req: &'a Request) -> Plan<'a> {
        Plan {
            steps: vec![Step {
                role: StepRole::Action,
                request: Cow::Borrowed(req),
                stack: Cow::Borrowed(stack),
            }],
            rejections: Vec::new(),
        }
    }
}

/// Why the service decided as it did, beyond a policy layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckWhy {
    /// A rejection of the service itself.
    Rejected(Rejection),
    /// No grant: ACLs were consulted and granted nothing.
    NoAclGrant,
    /// An Allow of the bucket policy does not count for an object another account owns.
    ForeignObject,
    /// The only grant was a public ACL grant, ignored under IgnorePublicAcls (OSS: Block Public
    /// Access).
    PublicAclIgnored,
    /// An anonymous caller let in by a bucket policy, refused under OSS Block Public Access.
    PublicPolicyIgnored,
    /// The KMS request was denied.
    KmsDenied,
    /// The object is missing and the caller may not list the bucket (403, not 404).
    MissingNotListable,
    /// The object is missing and the caller may list the bucket (404 NoSuchKey).
    MissingListable,
    /// No policy allows, and the object's (or bucket's) canned ACL does not let everyone in.
    CannedAclPrivate,
    /// No policy allows, but the canned ACL lets everyone in.
    CannedAclGrants,
}

/// The service's decision over a plan's evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceVerdict {
    /// Allow, explicit deny or implicit deny.
    pub decision: Decision,
    /// The step whose evaluation decided (or, for a rejection, the first action step).
    pub step: usize,
    /// The service check that decided, where it was not a policy layer.
    pub check: Option<Check>,
    /// Why, for a check.
    pub why: Option<CheckWhy>,
    /// The HTTP status the service answers.
    pub status: u16,
    /// The error code it answers with (empty for a success).
    pub error_code: &'static str,
}

impl ServiceVerdict {
    /// A policy-denied object request judged by the OSS/COS canned ACLs: allowed when they let
    /// everyone in (`grants`), else the policies' denial, now attributed to the ACLs.
    pub fn canned_acl(base: ServiceVerdict, grants: bool) -> ServiceVerdict {
        if grants {
            ServiceVerdict {
                decision: Decision::Allow,
                check: Some(Check::Acl),
                why: Some(CheckWhy::CannedAclGrants),
                status: 200,
                error_code: "",
                ..base
            }
        } else {
            ServiceVerdict {
                check: Some(Check::Acl),
                why: Some(CheckWhy::CannedAclPrivate),
                ..base
            }
        }
    }

    /// An allowed read of a missing object, answered 404 `NoSuchKey`; `step` is the read.
    pub fn missing_object(step: usize) -> ServiceVerdict {
        ServiceVerdict {
            decision: Decision::Allow,
            step,
            check: Some(Check::ObjectMissing),
            why: Some(CheckWhy::MissingListable),
            status: 404,
            error_code: "NoSuchKey",
        }
    }

    /// The verdict of a step's policy evaluation, as the service answers it.
    pub fn of_step(step: usize, e: &Evaluation<'_>) -> ServiceVerdict {
        let decision = e.decision();
        ServiceVerdict {
            decision,
            step,
            check: None,
            why: None,
            status: if decision == Decision::Allow {
                200
            } else {
                403
            },
            error_code: if decision == Decision::Allow {
                ""
            } else {
                "AccessDenied"
            },
        }
    }
}

/// An action a request needs, on the resource it is checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Why (an action of the operation, or a copy's source read).
    pub role: StepRole,
}

/// The actions `req` needs: its operation's (resolved by the cloud's table, with the KMS needs
/// it implies), or its action alone. `Err` for an operation the table does not know.
pub fn wanted(
    profile: &dyn crate::profile::CloudProfile,
    req: &Request,
) -> Result<(Vec<Wanted>, Option<crate::ops::Resolved>), crate::ops::UnknownOperation> {
    let Some(op) = req.extras.operation.as_deref() else {
        return Ok((
            vec![Wanted {
                action: req.action.clone(),
                resource: req.resource.clone(),
                role: StepRole::Action,
            }],
            None,
        ));
    };
    let resolved =
        crate::ops::resolve(profile.operations(), op, &req.extras, &req.resource, |r| {
            profile.bucket_of(r)
        })?;
    let wanted = resolved
        .steps
        .iter()
        .map(|s| Wanted {
            action: s.action.to_string(),
            resource: s.resource.clone(),
            role: if matches!(s.why, crate::ops::Why::CopySource) {
                StepRole::CopySource
            } else {
                StepRole::Action
            },
        })
        .collect();
    Ok((wanted, Some(resolved)))
}

/// Why a request's `operation` and `action` cannot stand together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationProblem {
    /// The cloud's table does not know the operation.
    Unknown(crate::ops::UnknownOperation),
    /// The action given is none of those the operation is checked as.
    Disagrees {
        /// The actions the operation is checked as.
        checked: Vec<String>,
    },
}

/// Settles a request's action against its operation: with none given, the operation's first
/// action on its own resource stands for the request; with one given, it must be one the
/// operation is checked as. An action that names an API operation (`s3:HeadObject`) is read as
/// that operation.
pub fn settle_action(
    profile: &dyn crate::profile::CloudProfile,
    req: &mut Request,
) -> Result<(), OperationProblem> {
    if req.extras.operation.is_none() {
        // An "action" that is really an API operation's name (`s3:HeadObject`): the service
        // checks that operation's actions, so the request is the operation.
        // (A name without a service prefix stays an action, refused as such by validation.)
        let prefixed = req.action.contains(':');
        match crate::ops::by_action(profile.operations(), &req.action).filter(|_| prefixed) {
            Some(op) => {
                req.extras.operation = Some(op.name.to_string());
                req.action.clear();
            }
            None => return Ok(()),
        }
    }
    let (wanted, _) = wanted(profile, req).map_err(OperationProblem::Unknown)?;
    if req.action.is_empty() {
        if let Some(w) = wanted.iter().find(|w| w.role == StepRole::Action) {
            req.action = w.action.clone();
        }
        Ok(())
    } else if wanted
        .iter()
        .any(|w| w.action.eq_ignore_ascii_case(&req.action))
    {
        Ok(())
    } else {
        Err(OperationProblem::Disagrees {
            checked: wanted.into_iter().map(|w| w.action).collect(),
        })
    }
}

/// Steps of `wanted` judged against `stack`: the request itself where it asks for exactly
/// this, else a copy of it with the action and resource replaced.
pub fn action_steps<'a>(
    stack: Cow<'a, Stack>,
    req: &'a Request,
    wanted: &[Wanted],
) -> Vec<Step<'a>> {
    wanted
        .iter()
        .map(|w| {
            let request = if w.action == req.action && w.resource == req.resource {
                Cow::Borrowed(req)
            } else {
                let mut r = req.clone();
                r.action = w.action.clone();
                r.resource = w.resource.clone();
                Cow::Owned(r)
            };
            Step {
                role: w.role,
                request,
                stack: stack.clone(),
            }
        })
        .collect()
}

/// What a storage service adds to its policies' decision.
pub trait StorageRules: Sync {
    /// The evaluations and refusals for `req`, given the actions it needs (and what its
    /// operation implies, when it names one).
    fn plan<'a>(
        &self,
        stack: &'a Stack,
        req: &'a Request,
        wanted: &[Wanted],
        _resolved: Option<&crate::ops::Resolved>,
    ) -> Plan<'a> {
        Plan {
            steps: action_steps(Cow::Borrowed(stack), req, wanted),
            rejections: Vec::new(),
        }
    }

    /// The decision over the plan's evaluations (one per step, in order).
    fn decide(&self, plan: &Plan<'_>, evals: &[Evaluation<'_>]) -> ServiceVerdict {
        first_denial(plan, evals)
    }
}

/// The plain rule: the first step that does not allow decides, else the first step allows.
pub fn first_denial(_plan: &Plan<'_>, evals: &[Evaluation<'_>]) -> ServiceVerdict {
    let denied = evals
        .iter()
        .position(|e| e.decision() == Decision::ExplicitDeny)
        .or_else(|| evals.iter().position(|e| e.decision() != Decision::Allow))
        .unwrap_or(0);
    match evals.get(denied) {
        Some(e) => ServiceVerdict::of_step(denied, e),
        None => ServiceVerdict {
            decision: Decision::ImplicitDeny,
            step: 0,
            check: None,
            why: None,
            status: 403,
            error_code: "AccessDenied",
        },
    }
}

/// The plan's evaluations and the service's verdict over them.
pub struct ServiceEvaluation<'p> {
    /// One evaluation per step of the plan.
    pub evals: Vec<Evaluation<'p>>,
    /// The verdict.
    pub verdict: ServiceVerdict,
}

impl<'p> ServiceEvaluation<'p> {
    /// The evaluation of the deciding step.
    pub fn deciding(&self) -> Option<&Evaluation<'p>> {
        self.evals.get(self.verdict.step)
    }
}
