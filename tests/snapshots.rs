//! Snapshot tests of what users read: the human and JSON explanations of `polsim eval` on the
//! bundled examples. A change in the output shows up as a diff in review.
//!
//! Run with `UPDATE_SNAPSHOTS=1 cargo test --test snapshots` to rewrite the stored snapshots
//! after an intended change, then review the diff in `tests/snapshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[path = "support/mod.rs"]
mod support;

use std::process::Command;
use support::root;

/// (snapshot name, example folder, extra arguments)
const REQUESTS: &[(&str, &str, &[&str])] = &[
    ("vpce-only-denied", "aws/bucket-policy-vpce-only",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
            "--context",
            "aws:SourceVpce=vpce-99999999",
        ],
    ),
    ("vpce-only-allowed", "aws/bucket-policy-vpce-only",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
            "--context",
            "aws:SourceVpce=vpce-1a2b3c4d",
        ],
    ),
    ("putobjectacl", "aws/putobject-without-putobjectacl",
        &[
            "--action",
            "s3:PutObjectAcl",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    ("arn-extra-space", "aws/arn-extra-space",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    ("boundary", "aws/boundary-without-s3",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    ("session-policy", "aws/session-policy-from-cloudtrail",
        &[
            "--action",
            "s3:PutObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    ("vpce-policy", "aws/vpce-policy-one-bucket",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET2/exampleobject.jpg",
        ],
    ),
    ("access-point", "aws/access-point-no-delegation",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
            "--access-point",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap1",
        ],
    ),
    ("scp", "aws/scp-denies-s3",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    ("cross-account", "aws/cross-account-one-side",
        &[
            "--action",
            "s3:PutObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    ("oss-acl-fallthrough", "aliyun/oss-bucket-acl-private-fallthrough",
        &[
            "--operation",
            "GetObject",
            "--resource",
            "acs:oss:*:1234567890123456:examplebucket/photos/gate.jpg",
        ],
    ),
    ("headobject-operation", "aws/headobject-needs-getobject",
        &[
            "--operation",
            "HeadObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    ("headobject", "aws/headobject-needs-getobject",
        &[
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg",
        ],
    ),
    (
        "aliyun-bucket-policy-ip",
        "aliyun/bucket-policy-deny-outside-ip",
        &["--action", "oss:ListObjects", "--resource", "acs:oss:*:174649585760xxxx:examplebucket", "--context", "acs:SourceIp=10.1.2.3"],
    ),
    (
        "aliyun-sts-policy",
        "aliyun/sts-token-denied-by-policy-parameter",
        &["--action", "oss:GetObject", "--resource", "acs:oss:*:1234567890123456:examplebucket/uploads/photo.jpg"],
    ),
    (
        "tencent-cross-account",
        "tencent/cross-account-grant",
        &["--action", "cos:GetObject", "--resource", "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/shared/rates.csv"],
    ),
    (
        "tencent-temporary-key",
        "tencent/temporary-key-policy-scope",
        &["--action", "cos:PutObject", "--resource", "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/user-43/photo.jpg"],
    ),
];

fn run(folder: &str, extra: &[&str], format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .args(["--color", "never", "eval", "--format", format, "--policy"])
        .arg(format!("policies-examples/{folder}"))
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "{folder}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    )
}

fn assert_snapshot(name: &str, got: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if want != got {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  - {a}\n  + {b}", i + 1))
            .collect();
        panic!("snapshot {name} changed (UPDATE_SNAPSHOTS=1 to accept):\n{}\n(lines: {} stored, {} now)", diff.join("\n"), want.lines().count(), got.lines().count());
    }
}

#[test]
fn human_explanations() {
    for (name, folder, extra) in REQUESTS {
        assert_snapshot(&format!("{name}.human.txt"), &run(folder, extra, "human"));
    }
}

#[test]
fn json_explanations() {
    for (name, folder, extra) in REQUESTS {
        let text = run(folder, extra, "json");
        // The JSON must parse, and carry the documented top-level fields.
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for field in [
            "schema",
            "decision",
            "layer",
            "statement",
            "reason",
            "message",
            "request",
            "layers",
            "missing_context_keys",
            "notes",
        ] {
            assert!(v.get(field).is_some(), "{name}: no `{field}`");
        }
        assert_snapshot(&format!("{name}.json"), &text);
    }
}

/// (snapshot name, arguments after `polsim --color never`, the exit code)
const DOCUMENTS: &[(&str, &[&str], i32)] = &[
    // polsim.test/v1: a passing file (with a warning) and a failing one.
    (
        "test-passing.json",
        &[
            "test",
            "--format",
            "json",
            "policies-examples/aws/arn-extra-space/test.json",
        ],
        0,
    ),
    (
        "test-failing.json",
        &["test", "--format", "json", "tests/cli/failing.json"],
        1,
    ),
    // polsim.error/v1: a stack with a misspelled operator.
    (
        "eval-error.json",
        &[
            "eval",
            "--format",
            "json",
            "--policy",
            "tests/cli/bad-stack",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::b/k",
        ],
        2,
    ),
];

#[test]
fn json_documents() {
    for (name, args, code) in DOCUMENTS {
        let out = Command::new(env!("CARGO_BIN_EXE_polsim"))
            .current_dir(root())
            .args(["--color", "never"])
            .args(*args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(*code), "{name}: {stdout}");
        // Under --format json, standard output holds the one document and stderr nothing.
        assert!(
            out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(
            v["schema"].as_str().unwrap().starts_with("polsim."),
            "{name}"
        );
        assert_snapshot(name, &stdout);
    }
}

/// What reviewers read: `polsim diff` (human and Markdown) and `polsim check`, on the
/// pre-merge examples.
#[test]
fn pre_merge_reports() {
    let runs: &[(&str, &[&str])] = &[
        (
            "diff-aws-ifexists.human.txt",
            &[
                "diff",
                "--base",
                "policies-examples/pre-merge/aws-ifexists-opens-bucket/base",
                "--head",
                "policies-examples/pre-merge/aws-ifexists-opens-bucket/head",
            ],
        ),
        (
            "diff-tencent-cidr.markdown.md",
            &[
                "diff",
                "--base",
                "policies-examples/pre-merge/tencent-cidr-typo/base",
                "--head",
                "policies-examples/pre-merge/tencent-cidr-typo/head",
                "--format",
                "markdown",
            ],
        ),
        (
            "diff-cloudformation.human.txt",
            &[
                "diff",
                "--base",
                "policies-examples/pre-merge/cloudformation/before.yaml",
                "--head",
                "policies-examples/pre-merge/cloudformation/after.yaml",
            ],
        ),
        (
            "check-public-read.human.txt",
            &[
                "check",
                "--policy",
                "policies-examples/pre-merge/check-public-read",
                "--public",
            ],
        ),
    ];
    for (name, args) in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_polsim"))
            .current_dir(root())
            .args(["--color", "never"])
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        assert_snapshot(name, &text);
    }
}
