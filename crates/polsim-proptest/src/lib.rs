//! polsim-proptest: [proptest] strategies and helpers for property tests over cloud policies.
//!
//! Policy repositories use it to state properties of their own policies ("no request from outside
//! the VPC endpoint is ever allowed", "adding this guardrail never allows anything new"), and polsim
//! uses it to test its evaluator. Generated documents are AWS policy JSON (`serde_json::Value`), so
//! they go through the same parser as files do.
//!
//! ```
//! use polsim_proptest::{aws, Harness};
//! use proptest::prelude::*;
//!
//! proptest!(|(doc in aws::identity_policy(), req in aws::request())| {
//!     // An explicit Deny of everything wins over any Allow.
//!     let h = Harness::new().identity(doc).identity(aws::deny_all());
//!     prop_assert_ne!(h.decide(&req), polsim_core::Decision::Allow);
//! });
//! ```

pub mod aws;

use polsim_core::{Cloud, Decision, Layer, Report, Request, Stack};
use polsim_parse::{json, PolicySource};
use serde_json::Value;

/// A generated request: action, resource and context, for a fixed caller.
#[derive(Debug, Clone)]
pub struct GenRequest {
    /// The caller's ARN.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource ARN or `*`.
    pub resource: String,
    /// Context keys and values.
    pub context: Vec<(String, String)>,
}

/// Builds a stack from JSON documents and evaluates requests against it.
#[derive(Debug, Clone, Default)]
pub struct Harness {
    docs: Vec<(Layer, Value)>,
}

impl Harness {
    /// An empty stack.
    pub fn new() -> Harness {
        Harness::default()
    }

    /// Adds an identity policy.
    pub fn identity(self, doc: Value) -> Harness {
        self.with(Layer::Identity, doc)
    }

    /// Adds a policy to any layer (SCPs go to a single level named `root`).
    pub fn with(mut self, layer: Layer, doc: Value) -> Harness {
        self.docs.push((layer, doc));
        self
    }

    /// The stack, or the first diagnostic if a document does not lower.
    pub fn stack(&self) -> Result<Stack, String> {
        let mut stack = Stack::default();
        for (i, (layer, doc)) in self.docs.iter().enumerate() {
            let text = doc.to_string();
            let j = json::parse(&text).map_err(|e| e.message)?;
            let src = PolicySource {
                id: format!("gen-{}", i + 1),
                file: None,
                layer: *layer,
            };
            let (p, diags) = polsim_parse::lower_policy(&j, &src, Cloud::Aws);
            let p = p.ok_or_else(|| {
                diags
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            // SCPs and RCPs go to a single level named `root`.
            stack.push(*layer, Some("root"), p);
        }
        Ok(stack)
    }

    /// The request as polsim models it.
    pub fn request(req: &GenRequest) -> Result<Request, String> {
        let caller = polsim_core::clouds::of(Cloud::Aws).parse_caller(&req.principal, None)?;
        let mut context = polsim_core::Context::new();
        for (k, v) in &req.context {
            context.insert(k, polsim_core::CtxValue::One(v.clone()));
        }
        Ok(Request {
            cloud: Cloud::Aws,
            caller,
            action: req.action.clone(),
            resource: req.resource.clone(),
            resource_account: None,
            access_point: None,
            context,
            extras: Default::default(),
        })
    }

    /// Evaluates a request with explanation, and words the result.
    pub fn evaluate(&self, req: &GenRequest) -> Result<Report, String> {
        let stack = self.stack()?;
        let request = Harness::request(req)?;
        Ok(Report::new(&polsim_core::evaluate(&stack, &request)))
    }

    /// The decision for a request; an invalid stack or request counts as an implicit deny.
    pub fn decide(&self, req: &GenRequest) -> Decision {
        self.evaluate(req)
            .map_or(Decision::ImplicitDeny, |e| e.decision)
    }
}
