//! CLI tests: exit codes, and located error output for bad input (never a panic).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[path = "support/mod.rs"]
mod support;

use std::process::{Command, Output};
use support::root;

fn polsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .arg("--color")
        .arg("never")
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// (file under tests/cli/bad, the location the error must point at, a fragment of the message or hint)
const BAD: &[(&str, &str, &str)] = &[
    (
        "misspelled-operator.json",
        "13:28",
        "did you mean `StringNotEquals`?",
    ),
    (
        "misspelled-key.json",
        "13:49",
        "did you mean `aws:SourceVpce`?",
    ),
    (
        "operator-wrong-case.json",
        "13:28",
        "unknown condition operator `stringNotEquals`",
    ),
    (
        "null-ifexists.json",
        "13:28",
        "`Null` cannot take `IfExists`",
    ),
    ("unknown-element.json", "11:13", "unknown element `Actions`"),
    ("action-and-notaction.json", "12:26", "not both"),
    ("missing-effect.json", "9:11", "no `Effect`"),
    ("effect-lowercase.json", "10:23", "write `Allow`"),
    (
        "wrong-value-type.json",
        "11:40",
        "must be strings, found a number",
    ),
    (
        "principal-in-identity-policy.json",
        "11:13",
        "`Principal` is not allowed in identity-based policies",
    ),
    (
        "notprincipal-in-boundary.json",
        "11:13",
        "`NotPrincipal` is not allowed in permissions boundaries",
    ),
    (
        "unknown-version.json",
        "7:20",
        "unknown policy version `2012-10-18`",
    ),
    (
        "bad-ip-value.json",
        "13:59",
        "not a valid value for `IpAddress`",
    ),
    (
        "bad-date-value.json",
        "13:65",
        "not a valid value for `DateLessThan`",
    ),
    (
        "missing-resource.json",
        "9:11",
        "neither `Resource` nor `NotResource`",
    ),
    (
        "trailing-comma.json",
        "4:69",
        "trailing commas are not allowed",
    ),
    (
        "wildcard-service-segment.json",
        "12:63",
        "has a wildcard in its service segment",
    ),
    ("missing-expect.json", "5:5", "has no `expect`"),
    ("bad-principal.json", "", "not a 12-digit account ID"),
    (
        "unknown-layer.json",
        "3:17",
        "unknown policy layer `idententity`",
    ),
    // A policy given as a JSON string: located inside the string, not at its start.
    (
        "string-document-misspelled-operator.json",
        "6:175",
        "did you mean `StringNotEquals`?",
    ),
    // Alibaba Cloud RAM
    (
        "ram-set-qualifier.json",
        "14:28",
        "RAM documents no `ForAnyValue:`",
    ),
    (
        "ram-misspelled-operator.json",
        "14:28",
        "did you mean `NotIpAddress`?",
    ),
    (
        "ram-misspelled-key.json",
        "14:49",
        "did you mean `acs:SourceVpc`?",
    ),
    (
        "ram-principal-in-ram-policy.json",
        "12:13",
        "`Principal` is not allowed",
    ),
    ("ram-effect-lowercase.json", "11:23", "write `Allow`"),
    // Tencent Cloud CAM
    (
        "cam-misspelled-operator.json",
        "15:28",
        "did you mean `ip_not_equal`?",
    ),
    (
        "cam-aws-style-operator.json",
        "15:28",
        "CAM operators are snake_case",
    ),
    ("cam-misspelled-key.json", "15:46", "did you mean `qcs:ip`?"),
    (
        "cam-unknown-element.json",
        "13:13",
        "unknown element `actions`",
    ),
    (
        "cam-bad-principal-type.json",
        "13:28",
        "unknown principal type `qsc`",
    ),
    // Issue 9, documents: inputs that used to be accepted and match nothing (or everything).
    (
        "duplicate-condition-block.json",
        "12:15",
        "`StringEquals` appears twice",
    ),
    (
        "duplicate-condition-key.json",
        "10:74",
        "`aws:SourceVpce` appears twice",
    ),
    (
        "action-without-service-prefix.json",
        "9:58",
        "`s3` is not an action name",
    ),
    (
        "resource-not-an-arn.json",
        "9:99",
        "`s3` is not a resource name",
    ),
    (
        "look-alike-action.json",
        "9:41",
        "look-alike letter, `Ο` (U+039F)",
    ),
    ("empty-condition.json", "9:80", "an empty condition"),
    (
        "empty-condition-block.json",
        "9:100",
        "names no condition key",
    ),
    (
        "sid-with-spaces.json",
        "9:20",
        "only letters and digits in a `Sid`",
    ),
    ("id-in-identity-policy.json", "8:15", "does not accept `Id`"),
    (
        "epoch-milliseconds-date.json",
        "10:68",
        "looks like epoch milliseconds",
    ),
    (
        "bucket-policy-without-principal.json",
        "9:11",
        "has no `Principal`",
    ),
    (
        "principal-truncated-arn.json",
        "9:53",
        "not a whole principal ARN",
    ),
    (
        "principal-partial-wildcard.json",
        "9:53",
        "does not allow wildcards inside a principal",
    ),
    ("principal-empty.json", "9:53", "an empty `AWS` principal"),
    (
        "ram-action-without-service-prefix.json",
        "10:41",
        "`GetObject` is not an action name",
    ),
    (
        "cam-duplicate-condition-key.json",
        "11:70",
        "`qcs:ip` appears twice",
    ),
];

#[test]
fn bad_input_gets_a_located_error_and_exit_2() {
    for (file, at, fragment) in BAD {
        let path = format!("tests/cli/bad/{file}");
        let o = polsim(&["test", &path]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: exit code\n{out}");
        assert!(
            out.contains(&format!("{path}:{at}")),
            "{file}: location {at}\n{out}"
        );
        assert!(out.contains(fragment), "{file}: message\n{out}");
        assert!(out.contains("error: "), "{file}: severity\n{out}");
        assert!(!out.contains("panicked"), "{file}: panic\n{out}");
    }
}

#[test]
fn every_bad_file_is_covered() {
    let n = std::fs::read_dir(root().join("tests/cli/bad"))
        .unwrap()
        .count();
    assert_eq!(n, BAD.len(), "add the new bad input to the BAD table");
}

#[test]
fn eval_exit_codes() {
    let dir = "policies-examples/aws/bucket-policy-vpce-only";
    let res = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg";
    let allowed = polsim(&[
        "eval",
        "--policy",
        dir,
        "--action",
        "s3:GetObject",
        "--resource",
        res,
        "--context",
        "aws:SourceVpce=vpce-1a2b3c4d",
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed));
    assert!(text(&allowed).contains("ALLOWED"));
    let denied = polsim(&[
        "eval",
        "--policy",
        dir,
        "--action",
        "s3:GetObject",
        "--resource",
        res,
        "--context",
        "aws:SourceVpce=vpce-99999999",
    ]);
    assert_eq!(denied.status.code(), Some(1), "{}", text(&denied));
    let out = text(&denied);
    assert!(out.contains("DENIED (explicit deny)"), "{out}");
    assert!(
        out.contains("with an explicit deny in a resource-based policy"),
        "{out}"
    );
    assert!(out.contains("bucket-policy.json:"), "{out}");
}

#[test]
fn eval_bad_input_exits_2() {
    let res = "arn:aws:s3:::b/k";
    for args in [
        vec![
            "eval",
            "--policy",
            "no/such/folder",
            "--action",
            "s3:GetObject",
            "--resource",
            res,
        ],
        vec![
            "eval",
            "--policy",
            "tests/cli/bad-stack",
            "--action",
            "s3:GetObject",
            "--resource",
            res,
        ],
        vec![
            "eval",
            "--policy",
            "policies-examples/aws/arn-extra-space",
            "--action",
            "s3:GetObject",
            "--resource",
            res,
            "--context",
            "novalue",
        ],
        vec![
            "eval",
            "--policy",
            "policies-examples/aws/arn-extra-space",
            "--action",
            "s3:GetObject",
            "--resource",
            res,
            "--principal",
            "bob",
        ],
        vec!["eval", "--policy", "policies-examples/aws/arn-extra-space"],
        vec![
            "eval",
            "--policy",
            "policies-examples/aws/arn-extra-space",
            "--action",
            "s3:GetObject",
            "--resource",
            res,
            "--format",
            "yaml",
        ],
    ] {
        let o = polsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}\n{}", text(&o));
        assert!(!text(&o).contains("panicked"));
    }
    let o = polsim(&[
        "eval",
        "--policy",
        "tests/cli/bad-stack",
        "--action",
        "s3:GetObject",
        "--resource",
        res,
    ]);
    assert!(
        text(&o).contains("tests/cli/bad-stack/identity/typo.json:8:22"),
        "{}",
        text(&o)
    );
}

#[test]
fn test_exit_codes_and_summary() {
    let ok = polsim(&["test", "policies-examples/aws/arn-extra-space/test.json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).lines().any(|l| l.ends_with("passed, 0 failed")));
    let failing = polsim(&["test", "tests/cli/failing.json"]);
    assert_eq!(failing.status.code(), Some(1));
    let out = text(&failing);
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(out.contains("expected allow, got implicit_deny"), "{out}");
    let missing = polsim(&["test", "no/such/file.json"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// A stack folder made for one test, removed when dropped.
struct TempStack(std::path::PathBuf);

impl TempStack {
    fn new(name: &str, files: &[(&str, &str)]) -> TempStack {
        let dir = std::env::temp_dir().join(format!("polsim-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        TempStack(dir)
    }
}

impl Drop for TempStack {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_policy_file_holding_a_json_string_is_located_inside_the_string() {
    // As CloudTrail prints `requestParameters.policy`: the whole file is one JSON string. A
    // misspelled operator and a syntax error inside it are reported where they are written,
    // with the frame drawn from the text read when the stack was loaded.
    let operator = r#""{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"StringEqual\": {\"aws:SourceVpce\": \"v\"}}}}""#;
    let syntax = "\"{\\\"Version\\\": \\\"2012-10-17\\\",\\n  \\\"Statement\\\": [,]}\"";
    for (policy, needle, fragment) in [
        (operator, r#"\"StringEqual"#, "did you mean `StringEquals`?"),
        (syntax, ",]", "the policy string is not valid JSON"),
    ] {
        let stack = TempStack::new("string", &[("identity/ct.json", policy)]);
        let dir = stack.0.display().to_string();
        let o = polsim(&[
            "eval",
            "--policy",
            &dir,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::b/k",
        ]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{out}");
        let col = policy.find(needle).unwrap() + 1;
        assert!(
            out.contains(&format!("{dir}/identity/ct.json:1:{col}")),
            "{col}\n{out}"
        );
        assert!(out.contains(fragment), "{out}");
        assert!(out.contains("1 | "), "no frame\n{out}");
    }
}

#[test]
fn control_characters_in_policies_never_reach_the_terminal() {
    let stack = TempStack::new(
        "escape",
        &[(
            "identity/p.json",
            "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"\u{1b}]0;pwned\u{7}\u{1b}[2J\": 1}}",
        )],
    );
    let dir = stack.0.display().to_string();
    for color in ["never", "always"] {
        let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
            .args(["--color", color, "eval", "--policy", &dir])
            .args(["--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("control character in a string"), "{err}");
        // The only ESC bytes are the colour codes polsim writes itself (`ESC [ digits;... m`).
        let mut rest = err.as_ref();
        while let Some(i) = rest.find('\u{1b}') {
            let sgr = rest[i + 1..].strip_prefix('[').and_then(|r| {
                let n = r.find(|c: char| !c.is_ascii_digit() && c != ';')?;
                r[n..].starts_with('m').then(|| &r[n + 1..])
            });
            rest = sgr.unwrap_or_else(|| panic!("a raw ESC reached the terminal: {err:?}"));
        }
        assert!(!err.contains('\u{7}'), "{err:?}");
    }
}

#[test]
fn help_has_examples() {
    for cmd in [
        vec!["--help"],
        vec!["eval", "--help"],
        vec!["test", "--help"],
    ] {
        let o = polsim(&cmd);
        assert_eq!(o.status.code(), Some(0));
        assert!(text(&o).contains("Example"), "{cmd:?}");
    }
}

#[test]
fn garbage_never_panics() {
    // Truncations of a real policy and a few hostile inputs: the parser must answer with
    // diagnostics, never a panic.
    let policy =
        std::fs::read_to_string(root().join("tests/cli/bad-stack/identity/typo.json")).unwrap();
    let mut inputs: Vec<String> = (0..policy.len())
        .filter(|i| policy.is_char_boundary(*i))
        .map(|i| policy[..i].to_string())
        .collect();
    inputs.extend([
        "[".repeat(10_000),
        "\"\\u".into(),
        "{\"Statement\": {\"Condition\": 1}}".into(),
        "\u{feff}{}".into(),
    ]);
    for input in inputs {
        if let Ok(doc) = polsim_parse::json::parse(&input) {
            let src = polsim_parse::PolicySource {
                id: "p".into(),
                file: None,
                layer: polsim_core::Layer::Identity,
            };
            let _ = polsim_parse::aws::lower(&doc, &src);
        }
    }
}

/// Runs polsim with `--format json` and returns the exit code and the parsed standard output,
/// checking that nothing went to standard error.
fn polsim_json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let o = polsim(args);
    assert!(o.stderr.is_empty(), "{args:?}: stderr\n{}", text(&o));
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e})\n{}", text(&o)));
    (o.status.code(), v)
}

#[test]
fn test_json_reports_cases_files_and_summary() {
    let (code, v) = polsim_json(&["test", "--format", "json", "tests/cli/failing.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["schema"], "polsim.test/v1");
    assert_eq!(
        v["summary"],
        serde_json::json!({"passed": 1, "failed": 1, "invalid_files": 0})
    );
    let file = &v["files"][0];
    assert_eq!(file["path"], "tests/cli/failing.json");
    assert_eq!(file["cloud"], "aws");
    assert!(file["name"].as_str().unwrap().starts_with("a test file"));
    let (right, wrong) = (&file["cases"][0], &file["cases"][1]);
    assert_eq!(right["name"], "right");
    assert_eq!(right["passed"], true);
    assert!(right["evaluation"].is_null());
    assert_eq!(wrong["name"], "wrong");
    assert_eq!(wrong["line"], 7);
    assert_eq!(wrong["passed"], false);
    assert_eq!(
        wrong["problems"],
        serde_json::json!(["expected allow, got implicit_deny"])
    );
    let eval = &wrong["evaluation"];
    assert_eq!(eval["schema"], "polsim.evaluation/v1");
    assert_eq!(eval["decision"], "implicit_deny");
    assert_eq!(eval["request"]["action"], "s3:PutObject");
    assert_eq!(
        eval["layers"][0]["statements"][0]["failed_element"],
        "Action"
    );

    // A bad file beside a good one: the good one still runs; the bad one is listed with its
    // located errors; exit 2.
    let (code, v) = polsim_json(&[
        "test",
        "--format",
        "json",
        "tests/cli/bad/misspelled-operator.json",
        "policies-examples/aws/arn-extra-space/test.json",
    ]);
    assert_eq!(code, Some(2));
    assert_eq!(v["summary"]["invalid_files"], 1);
    assert_eq!(v["summary"]["passed"], 3);
    let bad = &v["files"][0];
    assert!(bad["cloud"].is_null() && bad["cases"].as_array().unwrap().is_empty());
    let e = &bad["errors"][0];
    assert_eq!(e["severity"], "error");
    assert_eq!(e["file"], "tests/cli/bad/misspelled-operator.json");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(13), Some(28))
    );
    assert!(e["help"].as_str().unwrap().contains("StringNotEquals"));
    let w = &v["files"][1]["warnings"][0];
    assert_eq!(w["severity"], "warning");
    assert_eq!(w["help"], "remove the space");

    // No test file at all: the error document.
    let (code, v) = polsim_json(&["test", "--format", "json", "no/such/file.json"]);
    assert_eq!(code, Some(2));
    assert_eq!(v["schema"], "polsim.error/v1");
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("does not exist"));
}

#[test]
fn eval_json_input_errors_are_an_error_document() {
    let res = "arn:aws:s3:::b/k";
    let base = [
        "eval",
        "--format",
        "json",
        "--action",
        "s3:GetObject",
        "--resource",
        res,
    ];
    // A policy that does not parse.
    let (code, v) = polsim_json(&[&base[..], &["--policy", "tests/cli/bad-stack"]].concat());
    assert_eq!(code, Some(2));
    assert_eq!(v["schema"], "polsim.error/v1");
    assert_eq!(v["warnings"], serde_json::json!([]));
    let e = &v["errors"][0];
    assert_eq!(e["severity"], "error");
    assert_eq!(e["file"], "tests/cli/bad-stack/identity/typo.json");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(8), Some(22))
    );
    assert_eq!(e["message"], "unknown condition operator `StringNotEqual`");
    // A bad option after the stack loaded: the stack's warnings come along.
    let (code, v) = polsim_json(
        &[
            &base[..],
            &[
                "--policy",
                "policies-examples/aws/arn-extra-space",
                "--context",
                "novalue",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, Some(2));
    let e = &v["errors"][0];
    assert!(e["message"].as_str().unwrap().contains("is not KEY=VALUE"));
    assert_eq!((e["line"].as_u64(), e["file"].is_null()), (Some(0), true));
    assert_eq!(v["warnings"][0]["help"], "remove the space");
}

#[test]
fn eval_json_conditions_are_structured() {
    let run = |vpce: &str| {
        polsim_json(&[
            "eval",
            "--format",
            "json",
            "--policy",
            "policies-examples/aws/bucket-policy-vpce-only",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
            "--context",
            &format!("aws:SourceVpce={vpce}"),
        ])
    };
    let find_deny = |v: &serde_json::Value| {
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|l| l["statements"].as_array().unwrap().clone())
            .find(|s| s["effect"] == "Deny")
            .unwrap()
    };
    // Denied: the Deny's condition held.
    let (code, v) = run("vpce-99999999");
    assert_eq!(code, Some(1));
    let deny = find_deny(&v);
    assert!(deny["failed_condition"].is_null());
    let held = deny["held_conditions"].as_array().unwrap();
    assert_eq!(
        held.len(),
        deny["conditions_held"].as_array().unwrap().len()
    );
    assert_eq!(held[0]["operator"], "StringNotEquals");
    assert_eq!(held[0]["key"], "aws:SourceVpce");
    assert_eq!(held[0]["holds"], true);
    assert_eq!(
        held[0]["request_values"],
        serde_json::json!(["vpce-99999999"])
    );
    assert_eq!(
        held[0]["policy_values"],
        serde_json::json!(["vpce-1a2b3c4d"])
    );
    assert!(held[0]["reason"].as_str().unwrap().contains("matches none"));
    // Allowed: the Deny's condition failed.
    let (code, v) = run("vpce-1a2b3c4d");
    assert_eq!(code, Some(0));
    let deny = find_deny(&v);
    assert_eq!(deny["failed_element"], "Condition");
    let c = &deny["failed_condition"];
    assert_eq!(c["holds"], false);
    assert_eq!(c["key"], "aws:SourceVpce");
    assert_eq!(c["request_values"], serde_json::json!(["vpce-1a2b3c4d"]));
    assert!(deny["detail"]
        .as_str()
        .unwrap()
        .contains(c["reason"].as_str().unwrap()));
}

#[test]
fn eval_json_absent_key_has_null_request_values() {
    let (code, v) = polsim_json(&[
        "eval",
        "--format",
        "json",
        "--policy",
        "policies-examples/aws/bucket-policy-vpce-only",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
    ]);
    assert!(code == Some(0) || code == Some(1));
    let conds: Vec<serde_json::Value> = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["statements"].as_array().unwrap().clone())
        .flat_map(|s| {
            let mut c = s["held_conditions"].as_array().unwrap().clone();
            c.push(s["failed_condition"].clone());
            c
        })
        .filter(|c| c["key"] == "aws:SourceVpce")
        .collect();
    assert!(!conds.is_empty(), "{v}");
    for c in conds {
        assert!(c["request_values"].is_null(), "{c}");
        assert!(c.get("policy_values").is_some_and(|p| p.is_array()));
    }
}

/// `--federated-by` gives `polsim eval` what a test file's `federated_by` gives: a bucket-policy
/// entry naming the IAM user who called GetFederationToken reaches the federated session; without
/// it the entry does not match; a user of another account is refused (exit 2).
#[test]
fn eval_federated_by_names_the_federating_user() {
    let base = [
        "eval",
        "--policy",
        "tests/cli/federated-by",
        "--principal",
        "arn:aws:sts::111122223333:federated-user/Bob-session",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/by-user/a.txt",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        polsim(&a)
    };
    let o = with(&["--federated-by", "arn:aws:iam::111122223333:user/Bob"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("Sid `NamesUserBob`"));
    assert_eq!(with(&[]).status.code(), Some(1));
    let o = with(&["--federated-by", "arn:aws:iam::444455556666:user/Eve"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("not an IAM user (or root user) of the session's account"));
}

/// Regression: polsim.json's `principal_id` was given to any `--principal`, so a witness of
/// `polsim diff` for another RAM user was judged as the configured user (the id an OSS bucket
/// policy names). It goes with polsim.json's own `principal` only, as `federated_by` does.
#[test]
fn polsim_json_principal_id_goes_with_its_principal_only() {
    let dir = "policies-examples/pre-merge/aliyun-resource-tidy-opens-bucket/base";
    let res = "acs:oss:*:174649585760xxxx:examplebucket/private.csv";
    let own = polsim(&[
        "eval",
        "--policy",
        dir,
        "--action",
        "oss:GetObject",
        "--resource",
        res,
    ]);
    assert_eq!(own.status.code(), Some(0), "{}", text(&own));
    let other = polsim(&[
        "eval",
        "--policy",
        dir,
        "--principal",
        "acs:ram::174649585760xxxx:user/someone-else",
        "--action",
        "oss:GetObject",
        "--resource",
        res,
    ]);
    assert_eq!(other.status.code(), Some(1), "{}", text(&other));
}

/// Regression: `polsim eval ... | head -1` panicked ("failed printing to stdout: Broken pipe")
/// when the explanation was longer than the pipe holds: a reader that goes away is not an error
/// worth a panic.
#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    use std::io::Read as _;
    let dir = std::env::temp_dir().join(format!("polsim-test-pipe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("identity")).unwrap();
    let sts: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"Sid": "S{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b{i}/*"}}"#))
        .collect();
    std::fs::write(
        dir.join("identity/p.json"),
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            sts.join(",")
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .args(["eval", "--policy"])
        .arg(&dir)
        .args([
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::nowhere/k",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, with most of the explanation unread.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

/// `polsim test` judges cases as it reads them (one in memory at a time); a file whose last case
/// is invalid must still be invalid as a whole: no case of it counted, none printed, exit 2.
#[test]
fn an_invalid_case_after_judged_ones_makes_the_whole_file_invalid() {
    let dir = TempStack::new(
        "stream-invalid",
        &[(
            "t.json",
            r#"{"principal": "arn:aws:iam::111122223333:user/Dave",
                "policies": {"identity": [{"id": "p", "document": {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]},
                "cases": [
                  {"name": "judged first", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"},
                  {"name": "fails", "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"},
                  {"name": "invalid", "action": "s3:GetObject", "expect": "allow"}
                ]}"#,
        )],
    );
    let file = dir.0.join("t.json");
    let o = polsim(&["test", file.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("case `invalid` has no `resource`"), "{out}");
    assert!(out.contains("0 passed, 0 failed"), "{out}");
    assert!(
        !out.contains("FAIL"),
        "a case of an invalid file was reported: {out}"
    );
    let (code, v) = polsim_json(&["test", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert_eq!(v["summary"]["passed"], 0, "{v}");
    assert_eq!(v["summary"]["invalid_files"], 1, "{v}");
}

/// `polsim test --format junit` is well-formed JUnit XML (read back with an XML parser): a suite
/// per file, a failure with its unmet expectation and explanation, an invalid file as an error
/// that CI counts, and hostile text from a test file escaped.
#[test]
fn test_junit_is_valid_xml_that_counts_failures_and_invalid_files() {
    let dir = TempStack::new(
        "junit",
        &[
            (
                "hostile.json",
                "{\"principal\": \"arn:aws:iam::111122223333:user/Dave\",
                  \"policies\": {\"identity\": [{\"id\": \"p\", \"document\": {\"Version\": \"2012-10-17\",
                    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}]},
                  \"cases\": [
                    {\"name\": \"<b>&amp; \\\"quoted\\\" \\u0001 ]]>\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\", \"expect\": \"allow\"}
                  ]}",
            ),
            ("bad.json", "{\"cases\": [ {\"action\": }"),
        ],
    );
    let failing = support::root().join("tests/cli/failing.json");
    let o = polsim(&[
        "test",
        "--format",
        "junit",
        failing.to_str().unwrap(),
        dir.0.join("hostile.json").to_str().unwrap(),
        dir.0.join("bad.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        o.stderr.is_empty(),
        "junit writes nothing on stderr: {}",
        text(&o)
    );
    let xml = String::from_utf8(o.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("failures"), Some("1"), "{xml}");
    assert_eq!(root.attribute("errors"), Some("1"), "{xml}");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 3, "{xml}");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure element");
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("expected allow, got implicit_deny"),
        "{xml}"
    );
    assert!(
        failure.text().unwrap_or("").contains("| "),
        "the explanation is in the body: {xml}"
    );
    let hostile = cases
        .iter()
        .find(|c| c.attribute("name").is_some_and(|n| n.contains("quoted")))
        .expect("the hostile case");
    assert_eq!(
        hostile.attribute("name"),
        Some("<b>&amp; \"quoted\" \u{fffd} ]]>"),
        "names are escaped and characters XML cannot hold replaced"
    );
    let error = doc
        .descendants()
        .find(|n| n.has_tag_name("error"))
        .expect("an error element");
    assert!(error.text().unwrap_or("").contains("bad.json"), "{xml}");
}

/// A stack folder holding a bucket policy as `aws s3api get-bucket-policy` prints it: the policy
/// in the `Policy` string is read (a located warning says so, pointing inside the string), and
/// its Deny decides.
#[test]
fn a_stack_folder_reads_a_policy_pasted_from_get_bucket_policy() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#;
    let wrapped = serde_json::json!({ "Policy": policy }).to_string();
    let dir = TempStack::new(
        "wrapped",
        &[
            (
                "identity/p.json",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            ),
            ("resource/bucket.json", wrapped.as_str()),
        ],
    );
    let o = polsim(&[
        "eval",
        "--policy",
        dir.0.to_str().unwrap(),
        "--principal",
        "arn:aws:iam::111122223333:user/Dave",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("DenyAll"), "{out}");
    assert!(
        out.contains("read the policy from `Policy`, as `aws s3api get-bucket-policy` prints it"),
        "{out}"
    );
    assert!(
        out.contains("bucket.json:1:12"),
        "the note points inside the string: {out}"
    );
}

/// The S3 troubleshooting guide's CloudTrail snippet (the seed guide, "session policy"), wrapped
/// in braces as a user pastes it into a file: its session policy string has a stray `}`. It was
/// reported at 1:1 (the file read as a policy with unknown elements); it is now read as a
/// CloudTrail event and the error points at the stray brace inside the string.
#[test]
fn the_s3_guides_cloudtrail_session_policy_is_located_at_its_stray_brace() {
    let event = r#"{"requestParameters": {
        "roleArn": "arn:aws:iam::123412341234:role/S3AdminAccess",
        "roleSessionName": "s3rolesession",
        "policy": "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n  {\n  \"Effect\": \"Allow\",\n           \"Action\": [\n   \"s3:GetObject\"\n ],\n    \"Resource\": [\n \"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*\"\n  ]\n   }  }\n    ]\n}\n"
    }
}"#;
    let dir = TempStack::new(
        "cloudtrail-snippet",
        &[
            (
                "identity/p.json",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            ),
            ("session/assume-role.json", event),
        ],
    );
    let o = polsim(&[
        "eval",
        "--policy",
        dir.0.to_str().unwrap(),
        "--principal",
        "arn:aws:sts::123412341234:assumed-role/S3AdminAccess/s3rolesession",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("the policy string is not valid JSON"), "{out}");
    // Line 4 holds the string; the stray `}` is far into it, not at its start.
    let at = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .unwrap_or_default()
        .to_string();
    let col: u32 = at.rsplit(':').next().unwrap().parse().unwrap();
    assert!(at.contains("assume-role.json:4:"), "{out}");
    assert!(col > 200, "the error points at the stray brace: {out}");
}

/// `eval --cloudtrail`: the denied event is the request (README walk-through,
/// policies-examples/aws/cloudtrail-access-denied): the derived request is printed with where
/// each value came from, the bucket policy's MFA Deny decides, and a flag beside the event wins.
#[test]
fn eval_cloudtrail_judges_the_denied_event() {
    let dir = "policies-examples/aws/cloudtrail-access-denied";
    let stack = format!("{dir}/stack");
    let event = format!("{dir}/event.json");
    let o = polsim(&["eval", "--policy", &stack, "--cloudtrail", &event]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "principal arn:aws:sts::111122223333:assumed-role/App/worker   (from userIdentity)"
        ),
        "{err}"
    );
    assert!(
        err.contains("operation GetObject   (from eventName)"),
        "{err}"
    );
    assert!(err.contains("aws:MultiFactorAuthPresent=false"), "{err}");
    assert!(err.contains("the event recorded: AccessDenied"), "{err}");
    assert!(out.contains("DenyWithoutMFA"), "{out}");
    let o = polsim(&[
        "eval",
        "--policy",
        &stack,
        "--cloudtrail",
        &event,
        "--context",
        "aws:MultiFactorAuthPresent=true",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // JSON output: the document alone on standard output, nothing on standard error.
    let o = polsim(&[
        "eval",
        "--policy",
        &stack,
        "--cloudtrail",
        &event,
        "--format",
        "json",
    ]);
    assert!(o.stderr.is_empty(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "explicit_deny", "{v}");
    // Not an event: a located error, exit 2.
    let o = polsim(&[
        "eval",
        "--policy",
        &stack,
        "--cloudtrail",
        &format!("{stack}/resource/bucket-policy.json"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not a CloudTrail event"), "{}", text(&o));
}

/// The account snapshot of the README walk-through and its example folder.
const AUTH: &str = "policies-examples/aws/account-snapshot/auth.json";

/// `eval --account`: a user's identity layer is its own inline policy, its group's inline and
/// attached policies, and its permissions boundary, each listed with its place in the snapshot;
/// the AWS managed policy the snapshot lacks is a located warning and an INCOMPLETE note.
#[test]
fn account_user_with_group_attached_and_boundary() {
    let user = "arn:aws:iam::111122223333:user/alice";
    let args = |resource: &'static str, format: &'static str| {
        vec![
            "eval",
            "--account",
            AUTH,
            "--principal",
            user,
            "--action",
            "s3:PutObject",
            "--resource",
            resource,
            "--format",
            format,
        ]
    };
    let o = polsim(&args(
        "arn:aws:s3:::amzn-s3-demo-bucket/logs/app.log",
        "human",
    ));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let err = String::from_utf8_lossy(&o.stderr);
    for place in [
        "identity: UserDetailList[alice].UserPolicyList[alice-own-reports] at policies-examples/aws/account-snapshot/auth.json:",
        "identity: GroupDetailList[Developers].GroupPolicyList[developers-assume-reports]",
        "identity: Policies[AppLogsWrite].PolicyVersionList[v1]",
        "attached at GroupDetailList[Developers].AttachedManagedPolicies[AppLogsWrite], through group Developers",
        "permissions_boundary: Policies[DeveloperBoundary].PolicyVersionList[v3]",
    ] {
        assert!(err.contains(place), "{place}\n{err}");
    }
    // The boundary's Deny decides, located in the snapshot.
    assert!(out.contains("NoWritesOutsideOwnFolder"), "{out}");
    assert!(out.contains("auth.json:317:29"), "{out}");
    // Incomplete: a warning at the attachment, and a note beside the decision.
    assert!(
        err.contains(
            "warning: the identity layer is incomplete: `arn:aws:iam::aws:policy/ReadOnlyAccess`"
        ),
        "{err}"
    );
    assert!(
        err.contains("--> policies-examples/aws/account-snapshot/auth.json:32:17"),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("INCOMPLETE: the identity layer is incomplete"),
        "{out}"
    );
    // JSON: the `account` member, and nothing on standard error.
    let o = polsim(&args(
        "arn:aws:s3:::amzn-s3-demo-bucket/reports/alice/x.csv",
        "json",
    ));
    assert!(o.stderr.is_empty(), "{}", text(&o));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = &v["account"];
    assert_eq!(a["complete"], false, "{a}");
    assert_eq!(a["caller"], "user alice (UserDetailList[alice])", "{a}");
    assert_eq!(a["policies"].as_array().unwrap().len(), 4, "{a}");
    assert_eq!(a["policies"][3]["layer"], "permissions_boundary", "{a}");
    assert_eq!(a["policies"][0]["line"], 15, "{a}");
    assert!(
        a["incomplete"][0]
            .as_str()
            .unwrap()
            .contains("ReadOnlyAccess"),
        "{a}"
    );
}

/// A role session's layers are its role's; after the denial, the snapshot's role that the
/// same request is allowed to is named (the wrong credentials).
#[test]
fn account_role_session_and_allowed_instead() {
    let o = polsim(&[
        "eval",
        "--account",
        AUTH,
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/WebAppRole/i-0abcd1234efgh5678",
        "--operation",
        "GetObject",
        "--resource",
        "arn:aws:s3:::amzn-s3-demo-bucket/reports/2026/q3.csv",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "implicit_deny");
    assert_eq!(v["layer"], "identity");
    let a = &v["account"];
    assert_eq!(a["complete"], true, "{a}");
    assert_eq!(
        a["allowed_instead"],
        serde_json::json!(["arn:aws:iam::111122223333:role/ReportsReaderRole"]),
        "{a}"
    );
    let places: Vec<&str> = a["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["place"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "RoleDetailList[WebAppRole].RolePolicyList[web-assets]",
            "Policies[AppLogsWrite].PolicyVersionList[v1]",
            "Policies[WebAppBoundary].PolicyVersionList[v1]"
        ]
    );
}

/// `sts:AssumeRole` on a role: its trust policy (held URL-encoded, as the IAM API returns it)
/// is the resource layer, located at the string's start and said to be URL-encoded.
#[test]
fn account_assume_role_reads_the_url_encoded_trust_policy() {
    let run = |who: &str| {
        polsim(&[
            "eval",
            "--account",
            AUTH,
            "--principal",
            who,
            "--action",
            "sts:AssumeRole",
            "--resource",
            "arn:aws:iam::111122223333:role/ReportsReaderRole",
        ])
    };
    let o = run("arn:aws:sts::111122223333:assumed-role/WebAppRole/i-0abcd1234efgh5678");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("resource: RoleDetailList[ReportsReaderRole].AssumeRolePolicyDocument at policies-examples/aws/account-snapshot/auth.json:170:41 (the trust policy of the role assumed) [URL-encoded: positions are the string's start]"), "{out}");
    assert!(out.contains("WebAppMayAssume"), "{out}");
    // alice's group lets her call AssumeRole, but the trust policy does not name her.
    let o = run("arn:aws:iam::111122223333:user/alice");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("role trust policy"), "{}", text(&o));
}

/// A caller the snapshot does not hold: exit 2 with the nearest names; a non-AWS stack is
/// refused with what RAM and CAM lack.
#[test]
fn account_principal_missing_is_an_error_with_near_names() {
    let o = polsim(&[
        "eval",
        "--account",
        AUTH,
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/WebApRole/s",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::amzn-s3-demo-bucket/a",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("the role `WebApRole` of `arn:aws:sts::111122223333:assumed-role/WebApRole/s` is not in the snapshot's `RoleDetailList`"), "{out}");
    assert!(
        out.contains("the nearest roles in the snapshot: `WebAppRole`"),
        "{out}"
    );
    let o = polsim(&[
        "eval",
        "--account",
        AUTH,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::amzn-s3-demo-bucket/a",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("needs the caller"), "{}", text(&o));
    let o = polsim(&[
        "eval",
        "--account",
        AUTH,
        "--principal",
        "acs:ram::1234567890123456:user/alice",
        "--action",
        "oss:GetObject",
        "--resource",
        "acs:oss:*:1234567890123456:b/k",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("read AWS exports only"), "{}", text(&o));
    // Not a snapshot at all.
    let o = polsim(&[
        "eval",
        "--account",
        "tests/cli/account/org.json",
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not an account snapshot"), "{}", text(&o));
}

/// `--account` with `--cloudtrail`: the one-command diagnosis (README); with `--policy`, the
/// folder's layers are added (its bucket policy's Deny decides); with `--organization`, the
/// SCP levels come from the export.
#[test]
fn account_with_cloudtrail_policy_folder_and_organization() {
    let event = "policies-examples/aws/account-snapshot/event.json";
    let o = polsim(&["eval", "--account", AUTH, "--cloudtrail", event]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("for role WebAppRole (RoleDetailList[WebAppRole])"),
        "{out}"
    );
    assert!(out.contains("decided by: identity layer"), "{out}");
    assert!(out.contains("allowed instead, in policies-examples/aws/account-snapshot/auth.json: arn:aws:iam::111122223333:role/ReportsReaderRole"), "{out}");
    let o = polsim(&[
        "eval",
        "--account",
        AUTH,
        "--policy",
        "tests/cli/account/stack",
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/ReportsReaderRole/job",
        "--operation",
        "GetObject",
        "--resource",
        "arn:aws:s3:::amzn-s3-demo-bucket/reports/2026/q3.csv",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("DenyOutsideVpce"), "{}", text(&o));
    let o = polsim(&[
        "eval",
        "--account",
        AUTH,
        "--organization",
        "tests/cli/account/org.json",
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/ReportsReaderRole/job",
        "--operation",
        "GetObject",
        "--resource",
        "arn:aws:s3:::amzn-s3-demo-bucket/reports/2026/q3.csv",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("scp 2-Workloads: Path[Workloads].Policies[NoReportsOutsideUsEast1]"),
        "{out}"
    );
    assert!(out.contains("OnlyUsEast1"), "{out}");
}

/// The CloudTrail file's AssumeRole record gives the session's `policyArns`: held by the
/// snapshot, they are the session layer (which here allows only log writes); without a
/// snapshot, the session layer is said to be incomplete.
#[test]
fn account_cloudtrail_session_policy_arns() {
    let records = "tests/cli/account/records.json";
    let o = polsim(&["eval", "--account", AUTH, "--cloudtrail", records]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("session policies: 1 managed policy ARN(s)"),
        "{out}"
    );
    assert!(out.contains("session: Policies[AppLogsWrite].PolicyVersionList[v1] at policies-examples/aws/account-snapshot/auth.json:249:33 (a session policy passed by the AssumeRole event of 2026-11-30T09:58:00Z)"), "{out}");
    assert!(out.contains("decided by: session layer"), "{out}");
    let o = polsim(&[
        "eval",
        "--policy",
        "tests/cli/account/stack",
        "--cloudtrail",
        records,
    ]);
    let out = text(&o);
    assert!(out.contains("the session layer is incomplete"), "{out}");
    assert!(out.contains("INCOMPLETE"), "{out}");
}

/// A test file's `"account"`: every case's caller gets its layers from the snapshot.
#[test]
fn account_in_a_test_file() {
    let o = polsim(&["test", "policies-examples/aws/account-snapshot/test.json"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("8 passed, 0 failed"), "{out}");
    // One warning for the missing AWS managed policy, though several cases meet it.
    assert_eq!(
        out.matches("warning: the identity layer is incomplete")
            .count(),
        1,
        "{out}"
    );
}

/// A layer the `--policy` folder gives is the folder's alone: the snapshot's gaps in it are not
/// reported, and the list says the snapshot's layer was not used; the boundary still comes from
/// the snapshot (and its Deny still decides).
#[test]
fn account_folder_layer_wins_over_the_snapshots() {
    let o = polsim(&[
        "eval",
        "--account",
        AUTH,
        "--policy",
        "tests/cli/account/with-identity",
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::amzn-s3-demo-bucket/logs/app.log",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "identity: the --policy folder gives this layer, so the snapshot's is not used"
        ),
        "{out}"
    );
    assert!(!out.contains("INCOMPLETE"), "{out}");
    assert!(!out.contains("ReadOnlyAccess"), "{out}");
    assert!(out.contains("NoWritesOutsideOwnFolder"), "{out}");
    assert!(out.contains("ProposedLogWrites"), "{out}");
}
