//! `polsim eval --requests`: batch mode. Results come in input order, one per line; an invalid
//! line gets its errors (with its line number) and the batch goes on; the decision path agrees
//! with the explaining path line by line; `--shard` splits a batch.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[path = "support/mod.rs"]
mod support;

use serde_json::Value;
use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use support::root;

const STACK: &str = "policies-examples/aws/bucket-policy-vpce-only";

const LINES: &str = r#"{"id": "vpce", "action": "s3:GetObject", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg", "context": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
{"id": "internet", "action": "s3:GetObject", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg"}

{"id": "typo", "action": "s3:GetObjct", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x"}
{"id": 7, "resource": "x"}
not json
{"id": "head", "operation": "HeadObject", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg", "principal": "anonymous", "context": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
{"id": "acl", "action": "s3:PutObject", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/up", "headers": {"x-amz-acl": "public-read"}, "context": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
{"id": "other", "principal": "arn:aws:iam::444455556666:user/Eve", "action": "s3:GetObject", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg", "context": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
"#;

fn batch(extra: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .args(["eval", "--policy", STACK, "--requests", "-"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn results(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn one_result_per_line_in_order_and_invalid_lines_do_not_stop_the_batch() {
    let o = batch(&[], LINES);
    assert_eq!(o.status.code(), Some(2), "two lines are invalid");
    let r = results(&o);
    let lines: Vec<u64> = r.iter().map(|x| x["line"].as_u64().unwrap()).collect();
    assert_eq!(
        lines,
        [1, 2, 4, 5, 6, 7, 8, 9],
        "the blank line 3 has no result"
    );
    assert!(r.iter().all(|x| x["schema"] == "polsim.batch/v1"));
    assert_eq!(r[0]["decision"], "allow");
    assert_eq!(r[1]["decision"], "explicit_deny");
    assert_eq!(r[1]["statement"]["sid"], "Statement2");
    assert_eq!(r[1]["status"], 403);
    // A misspelt action is a warning on its own line, not an error.
    assert_eq!(r[2]["warnings"][0]["line"], 4);
    assert_eq!(r[3]["id"], "7");
    assert_eq!(r[3]["error"][0]["line"], 5);
    assert!(r[3]["error"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no `action` or `operation`"));
    assert!(r[4]["error"].is_array());
    assert!(String::from_utf8_lossy(&o.stderr).contains("2 of 8 request lines are not valid"));
}

#[test]
fn the_decision_path_agrees_with_the_explaining_path_line_by_line() {
    let fast = results(&batch(&[], LINES));
    let explained = results(&batch(&["--explain"], LINES));
    assert_eq!(fast.len(), explained.len());
    for (f, e) in fast.iter().zip(&explained) {
        assert_eq!(f["line"], e["line"]);
        assert_eq!(f["decision"], e["decision"], "line {}", f["line"]);
        if let Some(ev) = e.get("evaluation") {
            assert_eq!(ev["decision"], f["decision"]);
            assert_eq!(ev["layer"], f["layer"], "line {}", f["line"]);
            assert_eq!(
                ev["statement"]["sid"], f["statement"]["sid"],
                "line {}",
                f["line"]
            );
        }
    }
    // And each agrees with `polsim eval` run alone.
    for (f, line) in fast
        .iter()
        .zip(LINES.lines().filter(|l| !l.trim().is_empty()))
    {
        let Ok(req) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if f["decision"].is_null() || req.get("operation").is_some() || req.get("headers").is_some()
        {
            continue;
        }
        let mut args = vec!["eval".to_string(), "--policy".into(), STACK.into()];
        for k in ["action", "resource", "principal"] {
            if let Some(v) = req[k].as_str() {
                args.push(format!("--{k}"));
                args.push(v.into());
            }
        }
        if let Some(ctx) = req["context"].as_object() {
            for (k, v) in ctx {
                args.push("--context".into());
                args.push(format!("{k}={}", v.as_str().unwrap()));
            }
        }
        let code = Command::new(env!("CARGO_BIN_EXE_polsim"))
            .current_dir(root())
            .args(&args)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap();
        assert_eq!(code == 0, f["decision"] == "allow", "{line}");
    }
}

#[test]
fn shards_split_a_batch_and_together_cover_it() {
    let all = results(&batch(&[], LINES));
    let mut joined: Vec<Value> = Vec::new();
    for k in 1..=3 {
        let part = results(&batch(
            &["--shard", &format!("{k}/3"), "--jobs", "1"],
            LINES,
        ));
        for x in &part {
            assert_eq!((x["line"].as_u64().unwrap() - 1) % 3, k - 1);
        }
        joined.extend(part);
    }
    joined.sort_by_key(|x| x["line"].as_u64().unwrap());
    assert_eq!(joined, all);
    let o = batch(&["--shard", "4/3"], LINES);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not K/N"));
}

#[test]
fn batch_flags_are_refused_beside_single_request_flags() {
    let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .args([
            "eval",
            "--policy",
            STACK,
            "--requests",
            "-",
            "--action",
            "s3:GetObject",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .args(["eval", "--policy", STACK, "--action", "s3:GetObject"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "--resource is still required for one request"
    );
}

#[test]
fn a_line_longer_than_the_limit_is_an_error_of_its_own() {
    let long = format!(
        "{{\"action\": \"s3:GetObject\", \"resource\": \"{}\"}}\n{}\n",
        "x".repeat(5000),
        LINES.lines().next().unwrap()
    );
    let o = batch(&["--max-line", "1000"], &long);
    assert_eq!(o.status.code(), Some(2));
    let r = results(&o);
    assert_eq!(r.len(), 2);
    assert!(r[0]["error"][0]["message"]
        .as_str()
        .unwrap()
        .contains("longer than 1000 bytes"));
    assert_eq!(r[1]["decision"], "allow");
}
