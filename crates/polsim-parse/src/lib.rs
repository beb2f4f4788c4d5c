//! polsim-parse: reading policies and test files into the polsim IR.
//!
//! [`json`] keeps positions of every value; [`aws`] lowers AWS IAM documents with the validation
//! the spec requires (unknown elements, misspelled operators and keys are errors, never silent);
//! [`testfile`] reads the `polsim test` format; [`state`] the resource state beside the
//! policies (S3, OSS, COS); [`diag`] renders located diagnostics. This crate does no I/O: files
//! named inside a test file are read through a function the caller supplies.

pub mod account;
pub mod aliyun;
pub mod aws;
pub mod checks;
pub mod cloudtrail;
pub mod diag;
pub mod json;
pub mod lower;
pub mod state;
pub mod tencent;
pub mod testfile;
pub mod validate;
pub mod wrapped;

pub use diag::{Diagnostic, Severity, Source, Span};
pub use lower::PolicySource;

use polsim_core::ir::Policy;
use polsim_core::Cloud;

/// Lowers a policy document written in `cloud`'s dialect.
pub fn lower_policy(
    doc: &json::Json,
    src: &PolicySource,
    cloud: Cloud,
) -> (Option<Policy>, Vec<Diagnostic>) {
    match cloud {
        Cloud::Aws => aws::lower(doc, src),
        Cloud::Aliyun => aliyun::lower(doc, src),
        Cloud::Tencent => tencent::lower(doc, src),
    }
}

/// The condition-key tables of `cloud`'s dialect (its keys whose near misses are errors).
pub fn dialect_keys(cloud: Cloud) -> &'static [&'static [&'static str]] {
    match cloud {
        Cloud::Aws => aws::SPEC.keys,
        Cloud::Aliyun => aliyun::SPEC.keys,
        Cloud::Tencent => tencent::SPEC.keys,
    }
}
