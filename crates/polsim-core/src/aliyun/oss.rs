//! Alibaba Cloud OSS's own checks around its policies (resource-controls spec §2): hotlink
//! (Referer) protection and pay-by-requester before the policies, the canned ACLs a data API
//! request falls back to when no policy allows, Block Public Access (public ACLs and anonymous
//! access ignored, public ACLs refused), the KMS request for a KMS-encrypted object, and the
//! 404 an allowed read of a missing object gets.

use crate::decide::{Check, Decision};
use crate::explain::Evaluation;
use crate::ir::Layer;
use crate::request::{CallerKind, Request};
use crate::service::{
    action_steps, CheckWhy, Plan, Rejection, ServiceVerdict, Step, StepRole, StorageRules, Wanted,
};
use crate::stack::Stack;
use crate::state::{canned_acl_allows, RefererOutcome, Signed};
use std::borrow::Cow;

/// OSS's own checks.
pub struct Oss;

/// The object reads OSS's ACLs cover; every other data API request on an object is a write for
/// them (§2.2).
const READS: &[&str] = &["oss:GetObject", "oss:GetObjectVersion"];

fn is(list: &[&str], action: &str) -> bool {
    list.iter().any(|a| a.eq_ignore_ascii_case(action))
}

/// Whether hotlink protection applies: anonymous and URL-signed requests only ("Requests that
/// contain the Authorization field in the header are not verified").
pub fn referer_checked(req: &Request) -> bool {
    let signed = req
        .extras
        .signed
        .unwrap_or(if req.caller.kind == CallerKind::Anonymous {
            Signed::None
        } else {
            Signed::Header
        });
    signed != Signed::Header && req.extras.header("Authorization").is_none()
}

/// Whether the caller belongs to the bucket owner's account.
fn owner_account(stack: &Stack, req: &Request) -> bool {
    let (owner, _) = crate::profile::CloudProfile::resource_account(&super::Aliyun, stack, req);
    req.caller.account.is_some() && req.caller.account.as_deref() == owner
}

/// Whether the request sets a public canned ACL (`x-oss-acl` on a bucket, `x-oss-object-acl` on
/// an object).
fn sets_public_acl(req: &Request) -> bool {
    ["x-oss-acl", "x-oss-object-acl"].iter().any(|h| {
        req.extras.header(h).is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("public-read") || v.eq_ignore_ascii_case("public-read-write")
        })
    })
}

/// Whether the step reads an object (the ACL read class; a missing object's 404).
fn reads(action: &str) -> bool {
    is(READS, action) || action.eq_ignore_ascii_case("oss:GetObjectMeta")
}

impl StorageRules for Oss {
    fn plan<'a>(
        &self,
        stack: &'a Stack,
        req: &'a Request,
        wanted: &[Wanted],
        resolved: Option<&crate::ops::Resolved>,
    ) -> Plan<'a> {
        let mut plan = Plan {
            steps: action_steps(Cow::Borrowed(stack), req, wanted),
            rejections: Vec::new(),
        };
        let Some(oss) = &stack.state.oss else {
            return plan;
        };
        if let Some(r) = &oss.referer {
            if referer_checked(req) {
                let outcome = r.judge(req.extras.header("Referer"));
                if outcome != RefererOutcome::Pass {
                    plan.rejections.push(Rejection::Referer(outcome));
                }
            }
        }
        // Pay-by-requester: "anonymous users are not allowed to access the bucket", and a
        // request without `x-oss-request-payer: requester` "fail[s] to pass authentication";
        // "Bucket owners do not need to specify" it (the owner's account, its RAM users and
        // roles included [?]).
        if oss.requester_pays {
            let pays = req
                .extras
                .header("x-oss-request-payer")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("requester"));
            let anonymous = req.caller.kind == CallerKind::Anonymous;
            if anonymous || (!owner_account(stack, req) && !pays) {
                plan.rejections.push(Rejection::RequesterPays);
            }
        }
        // Block Public Access: "To use public-read or public-read-write, disable Block Public
        // Access first": a request setting a public ACL is refused.
        if oss.block_public_access && sets_public_acl(req) {
            plan.rejections.push(Rejection::BlockPublicAcls);
        }
        // The KMS requests: those the operation's table names (the object's key for reads, the
        // requested key for KMS writes), or, for an action, a read of a KMS-encrypted object.
        let mut needs: Vec<(String, String)> = Vec::new();
        match resolved {
            Some(r) => {
                for need in &r.kms {
                    let key = match need.rule.when {
                        crate::ops::KmsWhen::ObjectEncrypted => oss.object.kms_key.clone(),
                        crate::ops::KmsWhen::Requested { .. } => need.key_id.clone(),
                    };
                    if let Some(key) = key {
                        needs.extend(
                            need.rule
                                .actions
                                .iter()
                                .map(|a| (a.to_string(), key.clone())),
                        );
                    }
                }
            }
            None => {
                if let Some(key) = oss
                    .object
                    .kms_key
                    .as_ref()
                    .filter(|_| is(READS, &req.action))
                {
                    needs.push(("kms:Decrypt".into(), key.clone()));
                }
            }
        }
        for (kms_action, key) in needs {
            // The KMS request is judged by the caller's RAM policies, the key policy acting as
            // its resource-based policy where one is given (§2.4, [?]).
            let mut kms = Stack::new();
            for layer in [Layer::Identity, Layer::Session, Layer::Scp] {
                for lv in stack.levels(layer).unwrap_or(&[]) {
                    let level = layer.has_levels().then_some(lv.name.as_str());
                    kms.declare(layer, level);
                    for p in &lv.policies {
                        kms.push(layer, level, p.clone());
                    }
                }
            }
            for p in stack.policies(Layer::KmsKey).unwrap_or(&[]) {
                kms.push(Layer::Resource, None, p.clone());
            }
            let mut r = req.clone();
            r.action = kms_action;
            r.resource = key;
            r.access_point = None;
            plan.steps.push(Step {
                role: StepRole::Kms,
                request: Cow::Owned(r),
                stack: Cow::Owned(kms),
            });
        }
        plan
    }

    fn decide(&self, plan: &Plan<'_>, evals: &[Evaluation<'_>]) -> ServiceVerdict {
        let Some(main) = evals.first() else {
            return crate::service::first_denial(plan, evals);
        };
        // 1. Hotlink protection, before the session and RAM checks.
        if let Some(r) = plan.rejections.first() {
            // No grant lifts a refusal: an explicit deny (spec §0).
            return ServiceVerdict {
                decision: Decision::ExplicitDeny,
                check: Some(r.check()),
                why: Some(CheckWhy::Rejected(*r)),
                status: 403,
                error_code: "AccessDenied",
                ..ServiceVerdict::of_step(0, main)
            };
        }
        let default = crate::state::OssState::default();
        let oss = plan
            .steps
            .first()
            .and_then(|s| s.stack.state.oss.as_ref())
            .unwrap_or(&default);
        // 2-5. Every action the request needs must be allowed: a Deny denies, an Allow allows,
        // and with neither a data API request falls back to the ACLs.
        let actions: Vec<(usize, &Evaluation<'_>)> = evals
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                matches!(
                    plan.steps.get(*i).map(|s| s.role),
                    Some(StepRole::Action | StepRole::CopySource)
                )
            })
            .collect();
        if let Some((i, e)) = actions
            .iter()
            .find(|(_, e)| e.decision() == Decision::ExplicitDeny)
        {
            return ServiceVerdict::of_step(*i, e);
        }
        let mut granted_by_acl = None;
        for (i, e) in &actions {
            let v = step_verdict(*i, e, oss);
            // Block Public Access ignores public access: an anonymous caller let in by a
            // bucket policy is not let in [?]; explicit, as S3's RestrictPublicBuckets is, since
            // no grant lifts it.
            if oss.block_public_access
                && v.decision == Decision::Allow
                && v.check.is_none()
                && e.request.caller.kind == CallerKind::Anonymous
            {
                return ServiceVerdict {
                    decision: Decision::ExplicitDeny,
                    check: Some(Check::BlockPublicAccess),
                    why: Some(CheckWhy::PublicPolicyIgnored),
                    status: 403,
                    error_code: "AccessDenied",
                    ..v
                };
            }
            if v.decision != Decision::Allow {
                return v;
            }
            if v.check.is_some() && granted_by_acl.is_none() {
                granted_by_acl = Some(v);
            }
        }
        // The KMS request.
        if let Some((i, e)) = evals.iter().enumerate().find(|(i, e)| {
            plan.steps.get(*i).map(|s| s.role) == Some(StepRole::Kms)
                && e.decision() != Decision::Allow
        }) {
            return ServiceVerdict {
                check: Some(Check::Kms),
                why: Some(CheckWhy::KmsDenied),
                ..ServiceVerdict::of_step(i, e)
            };
        }
        // A read of a missing object the caller may read: OSS authorizes first, then finds no
        // object (404 NoSuchKey) [?].
        let first_read = plan
            .steps
            .iter()
            .position(|s| s.role == StepRole::Action && reads(&s.request.action));
        if let Some(i) = first_read.filter(|_| !oss.object.exists) {
            return ServiceVerdict::missing_object(i);
        }
        granted_by_acl.unwrap_or_else(|| ServiceVerdict::of_step(0, main))
    }
}

/// One action's verdict: its policies', or, when no policy allows a data API request (and no
/// session policy's implicit deny stands), the object's and bucket's ACLs'.
fn step_verdict(i: usize, e: &Evaluation<'_>, oss: &crate::state::OssState) -> ServiceVerdict {
    let base = ServiceVerdict::of_step(i, e);
    if e.decision() != Decision::ImplicitDeny {
        return base;
    }
    // Data API requests name an object; bucket and service requests are management.
    let data = e
        .request
        .resource
        .splitn(5, ':')
        .nth(4)
        .is_some_and(|r| r.contains('/'));
    if !data || e.layer() == Some(Layer::Session) {
        return base;
    }
    let write = !reads(&e.request.action);
    let grants = canned_acl_allows(oss.bucket_acl, oss.object.acl_in_force(), write);
    if grants && oss.block_public_access {
        // Every grant a canned ACL makes is public, and Block Public Access ignores it.
        return ServiceVerdict {
            check: Some(Check::BlockPublicAccess),
            why: Some(CheckWhy::PublicAclIgnored),
            ..base
        };
    }
    ServiceVerdict::canned_acl(base, grants)
}
