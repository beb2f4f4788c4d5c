//! Requests and policies checked against the catalogs (issue 10, "What a new user found"): each
//! mistyped input gives a warning or an error, never a silent decision.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[path = "support/mod.rs"]
mod support;

use std::process::{Command, Output};
use support::root;

const STACK: &str = "policies-examples/aws/bucket-policy-vpce-only";
const RES: &str = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg";

fn polsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

fn eval(action: &str, resource: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec![
        "eval",
        "--policy",
        STACK,
        "--action",
        action,
        "--resource",
        resource,
    ];
    args.extend_from_slice(extra);
    let o = polsim(&args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn mistyped_context_key_is_a_warning_with_did_you_mean() {
    let (code, out, err) = eval(
        "s3:GetObject",
        RES,
        &["--context", "aws:SourceVcpe=vpce-1a2b3c4d"],
    );
    // Evaluated (the key is absent from the policy's view: denied), with the warning.
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("warning: the context key `aws:SourceVcpe`"),
        "{err}"
    );
    assert!(err.contains("did you mean `aws:SourceVpce`?"), "{err}");
}

#[test]
fn mistyped_values_are_errors_naming_key_value_and_type() {
    for (kv, want) in [
        ("aws:MultiFactorAuthPresent=yes", "Bool"),
        ("aws:SourceIp=10.0.0.999", "IPAddress"),
        ("aws:CurrentTime=tomorrow", "Date"),
        ("aws:MultiFactorAuthAge=ten", "Numeric"),
    ] {
        let (code, out, err) = eval("s3:GetObject", RES, &["--context", kv]);
        assert_eq!(code, Some(2), "{kv}: {out}{err}");
        let (k, v) = kv.split_once('=').unwrap();
        assert!(err.contains("error: the context value"), "{err}");
        assert!(
            err.contains(&format!("`{v}`")) && err.contains(k) && err.contains(want),
            "{err}"
        );
        assert!(out.is_empty(), "no decision is printed: {out}");
    }
    let (code, _, err) = eval(
        "s3:GetObject",
        RES,
        &["--context", "aws:MultiFactorAuthPresent=TRUE"],
    );
    assert_ne!(code, Some(2), "{err}");
}

#[test]
fn a_context_file_is_checked_too() {
    let dir = std::env::temp_dir().join(format!("polsim-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("ctx.json");
    std::fs::write(&f, r#"{"aws:MultiFactorAuthPresent": "yes"}"#).unwrap();
    let (code, _, err) = eval(
        "s3:GetObject",
        RES,
        &["--context-file", f.to_str().unwrap()],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("`yes`") && err.contains("Bool"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unknown_action_is_a_warning_and_no_prefix_is_an_error() {
    let (code, out, err) = eval(
        "s3:GetObjct",
        RES,
        &["--context", "aws:SourceVpce=vpce-1a2b3c4d"],
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("warning: the action `s3:GetObjct`"), "{err}");
    assert!(err.contains("did you mean `s3:GetObject`?"), "{err}");

    let (code, out, err) = eval("GetObject", RES, &[]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("error: the action `GetObject` has no service prefix"),
        "{err}"
    );
    assert!(err.contains("write `s3:GetObject`"), "{err}");
}

#[test]
fn s3_url_resource_is_converted_with_a_note() {
    let (code, out, err) = eval(
        "s3:GetObject",
        "s3://DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        &["--context", "aws:SourceVpce=vpce-1a2b3c4d"],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        err.contains("is read as `arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg`"),
        "{err}"
    );
    assert!(out.contains("ALLOWED"), "{out}");
    let (code, _, err) = eval("s3:GetObject", "s3:///key", &[]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn json_output_carries_the_warnings_and_the_error_document() {
    let (code, out, _) = eval("s3:GetObjct", RES, &["--format", "json"]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let w = v["warnings"].to_string();
    assert!(w.contains("s3:GetObjct"), "{w}");
    let (code, out, _) = eval(
        "s3:GetObject",
        RES,
        &[
            "--format",
            "json",
            "--context",
            "aws:MultiFactorAuthPresent=yes",
        ],
    );
    assert_eq!(code, Some(2));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["errors"].to_string().contains("Bool"), "{v}");
}

fn test_file(name: &str, body: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("polsim-catalog-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("t.json");
    std::fs::write(&f, body).unwrap();
    let o = polsim(&["test", f.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjects","Resource":"*"},
  {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;

#[test]
fn test_file_cases_are_checked_and_located() {
    let (code, out) = test_file(
        "mfa",
        &format!(
            r#"{{"principal":"arn:aws:iam::111122223333:user/u","policies":{{"identity":[{POLICY}]}},
  "cases":[{{"name":"mfa","action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
    "context":{{"aws:MultiFactorAuthPresent":"yes"}},"expect":"allow"}}]}}"#
        ),
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("`yes`") && out.contains("Bool"), "{out}");
    assert!(out.contains(":4:16"), "located at the context key: {out}");

    let (code, out) = test_file(
        "typo",
        &format!(
            r#"{{"principal":"arn:aws:iam::111122223333:user/u","policies":{{"identity":[{POLICY}]}},
  "cases":[{{"name":"typo","action":"s3:GetObjct","resource":"s3://b/k",
    "context":{{"aws:MultiFactorAuthPresent":"true","aws:SourceVcpe":"v"}},"expect":"implicit_deny"}}]}}"#
        ),
    );
    assert_eq!(code, Some(0), "{out}");
    for want in [
        "`s3:GetObjects` is not an action of `s3`",
        "did you mean `s3:GetObject`?",
        "the action `s3:GetObjct`",
        "the context key `aws:SourceVcpe`",
        "is read as `arn:aws:s3:::b/k`",
        "Access Analyzer",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
}

#[test]
fn a_key_one_typo_from_a_documented_key_stays_an_error_in_a_policy() {
    let (code, out) = test_file(
        "policy-key",
        r#"{"principal":"arn:aws:iam::111122223333:user/u","policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVcpe":"v"}}}]}]},
  "cases":[{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"implicit_deny"}]}"#,
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("did you mean `aws:SourceVpce`?"), "{out}");
}

#[test]
fn access_point_object_arn_as_resource_is_explained_not_doubled() {
    let (code, out, err) = eval(
        "s3:GetObject",
        "arn:aws:s3:us-east-1:111122223333:accesspoint/my-ap/object/report.csv",
        &[],
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("is an access point's name for the object"),
        "{err}"
    );
    assert!(
        err.contains("--access-point arn:aws:s3:us-east-1:111122223333:accesspoint/my-ap"),
        "{err}"
    );
    assert!(!out.contains("object/my-ap/object"), "{out}");
}

#[test]
fn operation_named_as_an_action_is_judged_as_the_operation() {
    let (code, out, err) = eval(
        "s3:HeadObject",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        &["--context", "aws:SourceVpce=vpce-1a2b3c4d"],
    );
    assert!(err.contains("names the API operation HeadObject"), "{err}");
    assert!(
        out.contains("HeadObject (checked as s3:GetObject)"),
        "{out}"
    );
    assert_eq!(code, Some(0), "{out}{err}");
}

#[test]
fn mistyped_flag_gets_did_you_mean() {
    let o = polsim(&[
        "eval",
        "--policy",
        STACK,
        "--actoin",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a similar argument exists: '--action'"),
        "{err}"
    );
}

/// Regression: a denial of a misspelt action advised adding the typo to a policy statement
/// ("add `s3:GetObjct` to the Action of statement ..."); the fix is in the request.
#[test]
fn misspelt_request_action_is_not_advised_into_a_policy() {
    let (code, out, _) = eval("s3:GetObjct", RES, &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.contains("add `s3:GetObjct`"), "{out}");
    assert!(
        out.contains("to change:  check the request's action: `s3:GetObjct` is not an action of its service (did you mean `s3:GetObject`?)"),
        "{out}"
    );
}
