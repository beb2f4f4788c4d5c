//! What the fuzz targets in `fuzz/` run on raw bytes, as functions returning `Err` on a
//! finding: the targets panic on it (so libFuzzer saves the input), and a regression test
//! replays a saved input through the same function (`tests/fuzz_regressions.rs`).

use crate::invariants;
use polsim_core::{Cloud, Layer, Stack};
use polsim_parse::{json, lower_policy, testfile, PolicySource};

/// How many cases of one test file go through the invariants (each case costs tens of
/// evaluations).
const CASES_PER_FILE: usize = 8;

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A request of `cloud` that policies of the corpora often match: a user of the account
/// reading an object.
fn sample_request(cloud: Cloud) -> Option<polsim_core::Request> {
    let (who, id, action, res, account) = match cloud {
        Cloud::Aws => (
            "arn:aws:iam::111122223333:user/Dave",
            None,
            "s3:GetObject",
            "arn:aws:s3:::alpha/Dave/a.txt",
            None,
        ),
        Cloud::Aliyun => (
            "acs:ram::1500000000000001:user/alice",
            Some("203000000000000001"),
            "oss:GetObject",
            "acs:oss:*:1500000000000001:staging/logs/a.txt",
            None,
        ),
        Cloud::Tencent => (
            "qcs::cam::uin/100000200001:uin/100000200011",
            None,
            "cos:GetObject",
            "qcs::cos:ap-shanghai:uid/1300000001:projdata-1300000001/a.txt",
            Some("100000200001"),
        ),
    };
    let caller = testfile::parse_caller(cloud, who, id).ok()?;
    Some(polsim_core::Request {
        cloud,
        caller,
        action: action.into(),
        resource: res.into(),
        resource_account: account.map(str::to_string),
        access_point: None,
        context: polsim_core::Context::new(),
        extras: Default::default(),
    })
}

/// `parse_<cloud>`: bytes → JSON → the cloud's lowering for every layer; what lowers is
/// evaluated (explain on and off agree, reports never panic).
pub fn lower_every_layer(data: &[u8], cloud: Cloud) -> Result<(), String> {
    let Some(t) = text(data) else { return Ok(()) };
    let Ok(doc) = json::parse(t) else {
        return Ok(());
    };
    let req = sample_request(cloud);
    for layer in Layer::ALL {
        let src = PolicySource {
            id: "fuzz".into(),
            file: None,
            layer,
        };
        let (policy, diags) = lower_policy(&doc, &src, cloud);
        let source = polsim_parse::Source::new("fuzz.json", t);
        for d in diags.iter().take(4) {
            // Rendering a diagnostic against its source never panics either.
            let _ = d.clone().in_source(&source).render();
        }
        if let (Some(p), Some(req)) = (policy, req.as_ref()) {
            let mut stack = Stack::new();
            stack.push(layer, Some("root"), p);
            invariants::explain_agrees(&stack, req)
                .map_err(|e| format!("{} policy: {e}", layer.name()))?;
        }
    }
    Ok(())
}

/// A reader that refuses every path.
fn refuse(_: &str) -> std::result::Result<(String, String), String> {
    Err("the fuzz target reads no files".into())
}

/// `parse_testfile`: bytes → a test file; each case is evaluated and checked against its
/// expectations.
pub fn parse_test_file(data: &[u8]) -> Result<(), String> {
    let Some(t) = text(data) else { return Ok(()) };
    match testfile::parse_test_file(t, "fuzz.json", &mut refuse) {
        Ok(tf) => {
            for case in &tf.cases {
                let e = polsim_core::evaluate(&case.stack, &case.request);
                let _ = polsim_core::Report::new(&e);
                if let Ok(plan) = polsim_core::flow::plan(&case.stack, &case.request) {
                    let se = polsim_core::flow::evaluate_plan(&plan, true);
                    let _ = testfile::check(case, &plan, &se);
                    let _ = polsim_core::Report::for_service(&plan, &se);
                }
            }
        }
        Err(diags) => {
            for d in diags.iter().take(4) {
                let _ = d.render();
            }
        }
    }
    Ok(())
}

/// `eval_testfile`: every case of a test file (the first few) through all the invariants.
pub fn test_file_invariants(data: &[u8]) -> Result<(), String> {
    let Some(t) = text(data) else { return Ok(()) };
    let Ok(tf) = testfile::parse_test_file(t, "fuzz.json", &mut refuse) else {
        return Ok(());
    };
    for case in tf.cases.iter().take(CASES_PER_FILE) {
        invariants::check(&case.stack, &case.request)
            .map_err(|e| format!("case `{}`: {e}", case.name))?;
    }
    Ok(())
}
