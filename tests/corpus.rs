//! The data-driven corpus: every test file under `tests/corpus/` and every example's test file
//! under `policies-examples/`, run through the library (one runner, many small cases).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_parse::testfile::{check, parse_test_file};
#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use support::root;

fn json_tests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_tests(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&p).unwrap();
            if polsim_parse::json::parse(&text)
                .map(|j| j.get("cases").is_some())
                .unwrap_or(true)
            {
                out.push(p);
            }
        }
    }
}

/// Runs every case of every file; returns (passed, failures).
fn run(dir: &str) -> (usize, Vec<String>) {
    let mut files = Vec::new();
    json_tests(&root().join(dir), &mut files);
    assert!(!files.is_empty(), "no test files under {dir}");
    let mut passed = 0;
    let mut failures = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let base = f.parent().unwrap().to_path_buf();
        let mut read = |rel: &str| {
            let p = base.join(rel);
            std::fs::read_to_string(&p)
                .map(|t| (p.display().to_string(), t))
                .map_err(|e| e.to_string())
        };
        let tf = match parse_test_file(&text, &f.display().to_string(), &mut read) {
            Ok(tf) => tf,
            Err(d) => {
                failures.push(format!(
                    "{}: {}",
                    f.display(),
                    d.iter().map(|d| d.render()).collect::<String>()
                ));
                continue;
            }
        };
        for case in &tf.cases {
            let eval = polsim_core::evaluate(&case.stack, &case.request);
            // The decision must not depend on whether explanations are built.
            let fast = polsim_core::evaluate_with(&case.stack, &case.request, false);
            // The whole verdict (decision, layer, level, statement, reason and notes) is the same
            // in both modes.
            assert_eq!(eval.verdict, fast.verdict, "{}: {}", f.display(), case.name);
            // And wording it never panics.
            let _ = polsim_core::Report::new(&eval);
            // The request as its storage service judges it, in both modes too.
            let plan = polsim_core::flow::plan(&case.stack, &case.request).unwrap();
            let se = polsim_core::flow::evaluate_plan(&plan, true);
            let fast = polsim_core::flow::evaluate_plan(&plan, false);
            assert_eq!(se.verdict, fast.verdict, "{}: {}", f.display(), case.name);
            let _ = polsim_core::Report::for_service(&plan, &se);
            match check(case, &plan, &se) {
                None => passed += 1,
                Some(fail) => failures.push(format!(
                    "{}: {}: {}",
                    f.display(),
                    case.name,
                    fail.problems.join("; ")
                )),
            }
        }
    }
    (passed, failures)
}

#[test]
fn our_corpus() {
    let (passed, failures) = run("tests/corpus");
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        passed >= 150,
        "the corpus should hold at least 150 cases, has {passed}"
    );
}

#[test]
fn bundled_examples() {
    let (passed, failures) = run("policies-examples");
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(passed > 0);
}

/// The shared conformance sets (beside the repository): every case passes, and on every case
/// the decision path and the explaining path give the same verdict (`run` asserts it), so the
/// statement index is checked against the explaining evaluation on the documented cases too.
#[test]
fn shared_conformance_passes_on_both_paths() {
    let mut ran = 0;
    for set in ["../shared/conformance", "../shared/conformance-controls"] {
        for cloud in ["aws", "aliyun", "tencent"] {
            let dir = format!("{set}/{cloud}");
            if !root().join(&dir).is_dir() {
                eprintln!("skipped: {dir} is absent");
                continue;
            }
            let (passed, failures) = run(&dir);
            assert!(failures.is_empty(), "{dir}: {}", failures.join("\n"));
            ran += passed;
        }
    }
    eprintln!("{ran} shared cases, both paths");
}

/// Every file of the shared format-v2 conformance set (`../shared/conformance-controls`) reads
/// without an error. (Whether each case passes depends on the services' checks in the core.)
#[test]
fn shared_controls_parse() {
    let base = root().join("../shared/conformance-controls");
    if !base.is_dir() {
        eprintln!(
            "skipped: {} is absent (the shared conformance set lies beside the repository)",
            base.display()
        );
        return;
    }
    let mut files = Vec::new();
    for cloud in ["aws", "aliyun", "tencent"] {
        json_tests(&base.join(cloud), &mut files);
    }
    assert!(!files.is_empty(), "no test files under {}", base.display());
    let mut errors = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let dir = f.parent().unwrap().to_path_buf();
        let mut read = |rel: &str| {
            let p = dir.join(rel);
            std::fs::read_to_string(&p)
                .map(|t| (p.display().to_string(), t))
                .map_err(|e| e.to_string())
        };
        match parse_test_file(&text, &f.display().to_string(), &mut read) {
            Ok(tf) => assert!(!tf.cases.is_empty(), "{}", f.display()),
            Err(d) => errors.extend(d.iter().map(|d| d.render())),
        }
    }
    assert!(
        errors.is_empty(),
        "{} error(s) in {} files:\n{}",
        errors.len(),
        files.len(),
        errors.join("\n")
    );
}
