//! polsim-core: the policy IR, the request model, the evaluators and their explanations.
//!
//! Every cloud's dialect is lowered by `polsim-parse` into [`ir::Policy`]; a [`stack::Stack`]
//! groups the policies of one request by layer; [`evaluate`] judges a [`request::Request`]
//! against a stack with the rules of the request's cloud and returns an
//! [`explain::Evaluation`]: the decision, the layer and statement that decided, why every other
//! statement did not match, the context keys that were missing, and the message the cloud would
//! return.
//!
//! Architecture invariants: this crate does no I/O, never panics on any input, and builds the
//! explanation from the one evaluation that decides (there is no second copy of the rules).

pub mod aliyun;
pub mod aws;
pub mod condition;
pub mod eval;
pub mod explain;
pub mod ir;
pub mod pattern;
pub mod request;
pub mod stack;
pub mod tencent;

pub use explain::{Decision, Evaluation};
pub use ir::{Cloud, Layer, Pos};
pub use request::{Caller, Context, CtxValue, Request};
pub use stack::{Level, Stack};

/// How the cloud's console and documentation name a layer (`bucket policy`, `RAM policy`,
/// `permissions boundary`, ...), for explanations.
pub fn layer_title(cloud: Cloud, layer: Layer, action: &str, resource: &str) -> &'static str {
    match cloud {
        Cloud::Aws => aws::layer_title(layer, action, resource),
        Cloud::Tencent => tencent::title(layer),
        Cloud::Aliyun => aliyun::title(layer, action, resource),
    }
}

/// Judges `req` against `stack` with the rules of `req.cloud`, explaining every layer.
pub fn evaluate(stack: &Stack, req: &Request) -> Evaluation {
    evaluate_with(stack, req, true)
}

/// Like [`evaluate`]; with `explain` false the per-statement reports are skipped (the decision,
/// deciding layer and statement, and message are the same).
pub fn evaluate_with(stack: &Stack, req: &Request, explain: bool) -> Evaluation {
    match req.cloud {
        Cloud::Aws => aws::evaluate(stack, req, explain),
        Cloud::Tencent => tencent::evaluate(stack, req, explain),
        Cloud::Aliyun => aliyun::evaluate(stack, req, explain),
    }
}
