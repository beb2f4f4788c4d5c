//! polsim-core: the policy IR, the request model, each cloud's decision and its explanation.
//!
//! Every cloud's dialect is lowered by `polsim-parse` into [`ir::Policy`]; a [`stack::Stack`]
//! groups the policies of one request by layer (one builder for every input). [`evaluate`] runs
//! one skeleton ([`flow`]) for every cloud: the cloud's [`profile::CloudProfile`] prepares the
//! request, each layer is evaluated into [`decide::Outcomes`], and the cloud's pure `decide`
//! returns a [`decide::Verdict`] of codes. [`report::Report`] words it: the decision, the layer
//! and statement that decided, why every other statement did not match, the context keys that
//! were missing, and the message the cloud would return.
//!
//! Architecture invariants: this crate does no I/O, never panics on any input, builds no prose
//! unless a report is asked for, and explains from the one evaluation that decides (there is no
//! second copy of the rules).

pub mod advice;
pub mod aliyun;
pub mod aws;
pub mod clouds;
pub mod condition;
pub mod decide;
pub mod eval;
pub mod explain;
pub mod flow;
pub mod index;
pub mod ir;
pub mod ops;
pub mod pattern;
pub mod profile;
pub mod report;
pub mod request;
pub mod service;
pub mod stack;
pub mod state;
pub mod tencent;
pub mod values;

pub use decide::{Decision, Verdict};
pub use explain::Evaluation;
pub use ir::{Cloud, Layer, Pos};
pub use report::Report;
pub use request::{Caller, Context, CtxValue, Request};
pub use stack::{Level, Stack, StatementRef};
pub use state::ResourceState;

/// Judges `req` against `stack` with the rules of `req.cloud`, recording every statement's
/// outcome for the explanation.
pub fn evaluate<'s>(stack: &'s Stack, req: &'s Request) -> Evaluation<'s> {
    flow::evaluate(stack, req, true)
}

/// Like [`evaluate`]; with `explain` false no per-statement outcome is recorded (the decision,
/// deciding layer and statement are the same).
pub fn evaluate_with<'s>(stack: &'s Stack, req: &'s Request, explain: bool) -> Evaluation<'s> {
    flow::evaluate(stack, req, explain)
}
