//! Tencent Cloud COS's own checks around its policies (resource-controls spec §3): the canned
//! ACLs that grant alongside the policies (a signed request is also verified as an anonymous
//! one), and hotlink (Referer) protection.

use crate::decide::Decision;
use crate::explain::Evaluation;
use crate::request::Request;
use crate::service::{
    action_steps, CheckWhy, Plan, Rejection, ServiceVerdict, StorageRules, Wanted,
};
use crate::stack::Stack;
use crate::state::{canned_acl_allows, RefererOutcome};
use std::borrow::Cow;

/// COS's own checks.
pub struct Cos;

/// The object actions COS's ACLs cover: reads, then writes (§3.2).
const READS: &[&str] = &["cos:GetObject", "cos:HeadObject", "cos:GetObjectVersion"];
const WRITES: &[&str] = &[
    "cos:PutObject",
    "cos:PostObject",
    "cos:DeleteObject",
    "cos:InitiateMultipartUpload",
    "cos:UploadPart",
    "cos:CompleteMultipartUpload",
    "cos:AbortMultipartUpload",
    "cos:PutObjectCopy",
];

impl StorageRules for Cos {
    fn plan<'a>(
        &self,
        stack: &'a Stack,
        req: &'a Request,
        wanted: &[Wanted],
        _resolved: Option<&crate::ops::Resolved>,
    ) -> Plan<'a> {
        let mut plan = Plan {
            steps: action_steps(Cow::Borrowed(stack), req, wanted),
            rejections: Vec::new(),
        };
        if let Some(r) = stack.state.cos.as_ref().and_then(|c| c.referer.as_ref()) {
            if crate::aliyun::oss::referer_checked(req) {
                let outcome = r.judge(req.extras.header("Referer"));
                if outcome != RefererOutcome::Pass {
                    plan.rejections.push(Rejection::Referer(outcome));
                }
            }
        }
        plan
    }

    fn decide(&self, plan: &Plan<'_>, evals: &[Evaluation<'_>]) -> ServiceVerdict {
        let Some(main) = evals.first() else {
            return crate::service::first_denial(plan, evals);
        };
        // An explicit deny in any step wins.
        if let Some((i, e)) = evals
            .iter()
            .enumerate()
            .find(|(_, e)| e.decision() == Decision::ExplicitDeny)
        {
            return ServiceVerdict::of_step(i, e);
        }
        if let Some(r) = plan.rejections.first() {
            return ServiceVerdict {
                decision: Decision::ExplicitDeny,
                check: Some(r.check()),
                why: Some(CheckWhy::Rejected(*r)),
                status: 403,
                error_code: "AccessDenied",
                ..ServiceVerdict::of_step(0, main)
            };
        }
        // Without a `cos` state the ACLs are the defaults (private), which grant nothing: the
        // policies' decision stands as it is.
        let Some(cos) = plan.steps.first().and_then(|s| s.stack.state.cos.as_ref()) else {
            return crate::service::first_denial(plan, evals);
        };
        // Every action must be allowed, by a policy or by an ACL that lets everyone in ("If an
        // explicit allow exists in the ... bucket/object ACL, the above default is overridden").
        let mut granted_by_acl = None;
        for (i, e) in evals.iter().enumerate() {
            let v = step_verdict(i, e, cos);
            if v.decision != Decision::Allow {
                return v;
            }
            if v.check.is_some() && granted_by_acl.is_none() {
                granted_by_acl = Some(v);
            }
        }
        // A read of a missing object the caller may read: COS authorizes first, then finds no
        // object (404 NoSuchKey) [?], as OSS does.
        if !cos.object.exists {
            if let Some(i) = plan.steps.iter().position(|s| {
                s.role == crate::service::StepRole::Action
                    && READS.contains(&s.request.action.as_str())
            }) {
                return ServiceVerdict::missing_object(i);
            }
        }
        granted_by_acl.unwrap_or_else(|| ServiceVerdict::of_step(0, main))
    }
}

/// One action's verdict: its policies', or the ACLs' where no policy allows an object request.
fn step_verdict(i: usize, e: &Evaluation<'_>, cos: &crate::state::CosState) -> ServiceVerdict {
    let base = ServiceVerdict::of_step(i, e);
    if e.decision() == Decision::Allow {
        return base;
    }
    let action = e.request.action.as_str();
    let read = READS.contains(&action);
    let write = WRITES.contains(&action);
    if !(read || write) {
        return base;
    }
    let grants = canned_acl_allows(cos.bucket_acl, cos.object.acl_in_force(), write);
    ServiceVerdict::canned_acl(base, grants)
}
