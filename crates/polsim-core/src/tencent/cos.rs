//! Tencent Cloud COS's own checks around its policies (resource-controls spec §3): the canned
//! ACLs that grant alongside the policies (a signed request is also verified as an anonymous
//! one), and hotlink (Referer) protection.

use crate::decide::{Check, Decision};
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
        let base = ServiceVerdict::of_step(0, main);
        if main.decision() == Decision::ExplicitDeny {
            return base;
        }
        if let Some(r) = plan.rejections.first() {
            return ServiceVerdict {
                decision: Decision::ExplicitDeny,
                check: Some(r.check()),
                why: Some(CheckWhy::Rejected(*r)),
                ..base
            };
        }
        if main.decision() == Decision::Allow {
            return base;
        }
        // No policy allows: an ACL that lets everyone in still grants ("If an explicit allow
        // exists in the ... bucket/object ACL, the above default is overridden").
        let cos = plan.steps.first().and_then(|s| s.stack.state.cos.as_ref());
        let action = main.request.action.as_str();
        let read = READS.contains(&action);
        let write = WRITES.contains(&action);
        match cos {
            Some(c) if read || write => {
                if canned_acl_allows(c.bucket_acl, c.object.acl, write) {
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
            _ => base,
        }
    }
}
