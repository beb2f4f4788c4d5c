//! What the fuzz targets run: the targets in `fuzz_targets/` are one line each. The bytes
//! targets call `polsim_proptest::targets` (where a regression test replays a saved input);
//! `eval_grammar` builds a `polsim_proptest::grammar::Case` from `arbitrary` bytes.
//!
//! A target reports a finding by panicking (libFuzzer saves the input under `artifacts/`):
//! a panic inside polsim, or an invariant of `polsim_proptest::invariants` that fails.

#![allow(clippy::panic)] // a panic is how a fuzz target reports a finding

use arbitrary::{Result, Unstructured};
use polsim_core::Cloud;
use polsim_proptest::grammar::{Case, PolicyShape, RequestShape, StatementShape, Vocab};
use polsim_proptest::{invariants, targets, Harness};

/// Panics with the finding, so libFuzzer saves the input.
pub fn report(r: std::result::Result<(), String>) {
    if let Err(e) = r {
        panic!("finding: {e}");
    }
}

/// `parse_<cloud>`.
pub fn lower_every_layer(data: &[u8], cloud: Cloud) {
    report(targets::lower_every_layer(data, cloud));
}

/// `parse_testfile`.
pub fn parse_test_file(data: &[u8]) {
    report(targets::parse_test_file(data));
}

/// `eval_testfile`.
pub fn test_file_invariants(data: &[u8]) {
    report(targets::test_file_invariants(data));
}

/// The vocabulary of `cloud`.
pub fn vocab(cloud: Cloud) -> &'static Vocab {
    match cloud {
        Cloud::Aws => &polsim_proptest::aws::VOCAB,
        Cloud::Aliyun => &polsim_proptest::aliyun::VOCAB,
        Cloud::Tencent => &polsim_proptest::tencent::VOCAB,
    }
}

fn small_vec<T>(
    u: &mut Unstructured<'_>,
    min: usize,
    max: usize,
    mut f: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(min..=max)?;
    (0..n).map(|_| f(u)).collect()
}

fn statement(u: &mut Unstructured<'_>) -> Result<StatementShape> {
    Ok(StatementShape {
        allow: u.ratio(3, 5)?,
        not_action: u.ratio(1, 8)?,
        actions: small_vec(u, 1, 3, |u| u.arbitrary())?,
        resources: small_vec(u, 1, 3, |u| u.arbitrary())?,
        not_resource: u.ratio(1, 10)?,
        principal: (u.arbitrary()?, u.ratio(1, 5)?),
        condition: if u.ratio(2, 5)? {
            Some(u.arbitrary()?)
        } else {
            None
        },
    })
}

fn policy(u: &mut Unstructured<'_>) -> Result<PolicyShape> {
    Ok(PolicyShape {
        layer: u.arbitrary()?,
        level: u.arbitrary()?,
        statements: small_vec(u, 1, 4, statement)?,
    })
}

fn request(u: &mut Unstructured<'_>) -> Result<RequestShape> {
    Ok(RequestShape {
        caller: u.arbitrary()?,
        action: u.arbitrary()?,
        resource: u.arbitrary()?,
        resource_account: u.arbitrary()?,
        access_point: if u.ratio(1, 6)? {
            Some(u.arbitrary()?)
        } else {
            None
        },
        context: small_vec(u, 0, 4, |u| u.arbitrary())?,
    })
}

/// `eval_grammar`'s input: a cloud and a case over its vocabulary, from `arbitrary` bytes.
pub fn grammar_case(u: &mut Unstructured<'_>) -> Result<(Cloud, Case)> {
    let cloud = *u.choose(&[Cloud::Aws, Cloud::Aliyun, Cloud::Tencent])?;
    let request = request(u)?;
    let policies = small_vec(u, 1, 6, policy)?;
    Ok((cloud, Case { policies, request }))
}

/// `eval_grammar`: the case's stack and request through all the invariants. A case whose
/// documents do not lower is skipped (the property `generated_stacks_lower` watches the
/// grammar).
pub fn grammar_invariants(cloud: Cloud, case: &Case) {
    let v = vocab(cloud);
    let Ok(stack) = v.harness(&case.policies).stack() else {
        return;
    };
    let Ok(req) = Harness::request(&v.request(&case.request)) else {
        return;
    };
    if let Err(e) = invariants::check(&stack, &req) {
        panic!("invariant failed ({}): {e}", cloud.name());
    }
}
