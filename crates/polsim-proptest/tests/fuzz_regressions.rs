//! Inputs the fuzz targets found (fuzz/regressions/TARGET/NAME), replayed through the same
//! functions the targets run (`polsim_proptest::targets`), and the invariants over every case
//! of the corpora (tests/corpus, policies-examples, ../shared/conformance and
//! ../shared/conformance-controls).
//!
//! A finding gets a test named after it below, as well as its file: when it is fixed the test
//! passes; a finding in code another engineer owns stays `#[ignore]`d until they fix it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_core::Cloud;
use polsim_parse::testfile;
use polsim_proptest::{invariants, targets};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a saved input through its target's function.
fn replay(target: &str, data: &[u8]) -> Result<(), String> {
    match target {
        "parse_aws" => targets::lower_every_layer(data, Cloud::Aws),
        "parse_aliyun" => targets::lower_every_layer(data, Cloud::Aliyun),
        "parse_tencent" => targets::lower_every_layer(data, Cloud::Tencent),
        "parse_testfile" => targets::parse_test_file(data),
        "eval_testfile" => targets::test_file_invariants(data),
        other => panic!("fuzz/regressions/{other}: no such bytes target"),
    }
}

/// Replays one saved finding (the tests named after findings call it).
#[allow(dead_code)]
fn finding(target: &str, name: &str) {
    let path = repo().join("fuzz/regressions").join(target).join(name);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Err(e) = replay(target, &data) {
        panic!("{target}/{name}: {e}");
    }
}

/// Every saved input still passes (those of `#[ignore]`d findings are listed in `OPEN`).
#[test]
fn every_saved_input_replays() {
    const OPEN: &[&str] = &[];
    let dir = repo().join("fuzz/regressions");
    let Ok(targets) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut failed = Vec::new();
    for t in targets.flatten() {
        let target = t.file_name().to_string_lossy().to_string();
        if !t.path().is_dir() || target == "eval_grammar" {
            continue;
        }
        for f in std::fs::read_dir(t.path()).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            if OPEN.contains(&name.as_str()) || name.ends_with(".md") {
                continue;
            }
            if let Err(e) = replay(&target, &std::fs::read(f.path()).unwrap()) {
                failed.push(format!("{target}/{name}: {e}"));
            }
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

fn test_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            test_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            if let Ok(t) = std::fs::read_to_string(&p) {
                if t.contains("\"cases\"") {
                    out.push(p);
                }
            }
        }
    }
}

/// Every case of every test file of the corpora keeps the invariants: the stacks people wrote,
/// with the files they name read from beside them.
#[test]
fn corpus_cases_keep_the_invariants() {
    let mut files = Vec::new();
    for d in ["tests/corpus", "policies-examples"] {
        test_files(&repo().join(d), &mut files);
    }
    // The shared corpora beside the checkout, where present (CI has them): the policy cases and
    // the services' own checks, with their state.
    test_files(&repo().join("../shared/conformance"), &mut files);
    test_files(&repo().join("../shared/conformance-controls"), &mut files);
    assert!(files.len() > 50, "only {} test files found", files.len());
    let mut cases = 0;
    let mut failed = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let dir = f.parent().unwrap().to_path_buf();
        let mut read = |p: &str| {
            let path = dir.join(p);
            std::fs::read_to_string(&path)
                .map(|t| (path.display().to_string(), t))
                .map_err(|e| e.to_string())
        };
        let Ok(tf) = testfile::parse_test_file(&text, &f.display().to_string(), &mut read) else {
            continue;
        };
        for case in &tf.cases {
            cases += 1;
            if let Err(e) = invariants::check(&case.stack, &case.request) {
                failed.push(format!("{} `{}`: {e}", f.display(), case.name));
            }
        }
    }
    assert!(cases > 200, "only {cases} cases read");
    assert!(failed.is_empty(), "{failed:#?}");
}
