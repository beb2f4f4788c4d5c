//! `polsim diff` and `polsim check` end to end: the pre-merge examples' findings are confirmed
//! by `polsim eval`, refactors report no change, exit codes, folders of stacks, formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[path = "support/mod.rs"]
mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::root;

const EX: &str = "policies-examples/pre-merge";

fn polsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .arg("--color")
        .arg("never")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(o)))
}

fn diff(base: &str, head: &str, extra: &[&str]) -> Output {
    let mut args = vec!["diff", "--base", base, "--head", head];
    args.extend_from_slice(extra);
    polsim(&args)
}

/// The `polsim eval` arguments of a witness request, against `dir`.
fn eval_args(dir: &str, req: &Value) -> Vec<String> {
    let mut a = vec![
        "eval".to_string(),
        "--policy".into(),
        dir.into(),
        "--principal".into(),
        req["principal"].as_str().unwrap().into(),
        "--action".into(),
        req["action"].as_str().unwrap().into(),
        "--resource".into(),
        req["resource"].as_str().unwrap().into(),
    ];
    if let Some(owner) = req["resource_account"].as_str() {
        a.push("--resource-account".into());
        a.push(owner.into());
    }
    if let Some(id) = req["principal_id"].as_str() {
        a.push("--principal-id".into());
        a.push(id.into());
    }
    for (k, v) in req["context"].as_object().unwrap() {
        a.push("--context".into());
        match v {
            Value::String(s) => a.push(format!("{k}={s}")),
            other => a.push(format!("{k}={other}")),
        }
    }
    a
}

fn eval_code(dir: &str, req: &Value) -> i32 {
    let args = eval_args(dir, req);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    polsim(&refs).status.code().unwrap()
}

/// Every witness of a diff document is decided as reported by `polsim eval` on both sides.
fn witnesses_confirmed_by_eval(doc: &Value, base: &str, head: &str) -> usize {
    let mut n = 0;
    for stack in doc["stacks"].as_array().unwrap() {
        let path = stack["path"].as_str().unwrap();
        let side = |root: &str| {
            if path.is_empty() {
                root.to_string()
            } else {
                format!("{root}/{path}")
            }
        };
        for region in stack["regions"].as_array().unwrap() {
            let widened = region["change"] == "widened";
            for w in region["witnesses"].as_array().unwrap() {
                let req = &w["request"];
                let (b, h) = (eval_code(&side(base), req), eval_code(&side(head), req));
                if widened {
                    assert_eq!((b, h), (1, 0), "witness {req} of {base} → {head}");
                } else {
                    assert_eq!((b, h), (0, 1), "witness {req} of {base} → {head}");
                }
                assert!(w["command"]
                    .as_str()
                    .unwrap()
                    .starts_with("polsim eval --policy "));
                n += 1;
            }
        }
    }
    n
}

#[test]
fn pre_merge_widenings_are_reported_with_witnesses_eval_confirms() {
    for (name, cloud) in [
        ("aws-ifexists-opens-bucket", "aws"),
        ("aliyun-resource-tidy-opens-bucket", "aliyun"),
        ("tencent-cidr-typo", "tencent"),
    ] {
        let base = format!("{EX}/{name}/base");
        let head = format!("{EX}/{name}/head");
        let o = diff(&base, &head, &["--format", "json"]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stdout(&o));
        let doc = json(&o);
        assert_eq!(doc["schema"], "polsim.diff/v1");
        assert_eq!(doc["widened"], true, "{name}");
        assert_eq!(doc["stacks"][0]["cloud"], cloud);
        assert_eq!(
            doc["stacks"][0]["exact"], true,
            "{name}: {}",
            doc["stacks"][0]["inexact"]
        );
        assert!(doc["stacks"][0]["unreproduced"]
            .as_array()
            .unwrap()
            .is_empty());
        let cause = &doc["stacks"][0]["regions"][0]["cause"];
        assert_eq!(cause["side"], "head", "{name}");
        assert!(cause["file"]
            .as_str()
            .unwrap()
            .ends_with("bucket-policy.json"));
        assert!(
            witnesses_confirmed_by_eval(&doc, &base, &head) > 0,
            "{name}"
        );
    }
}

#[test]
fn the_ifexists_widening_names_its_statement_and_the_outside_callers() {
    let o = diff(
        &format!("{EX}/aws-ifexists-opens-bucket/base"),
        &format!("{EX}/aws-ifexists-opens-bucket/head"),
        &[],
    );
    let out = stdout(&o);
    assert!(out.contains("NEWLY ALLOWED by head"), "{out}");
    assert!(
        out.contains("bucket-policy.json:4:5 Sid \"OrgReadReports\""),
        "{out}"
    );
    // Anonymous callers and callers of an account no policy names get in.
    assert!(out.contains("--principal anonymous"), "{out}");
    assert!(out.contains("exit 1: access widened"), "{out}");
    let doc = json(&diff(
        &format!("{EX}/aws-ifexists-opens-bucket/base"),
        &format!("{EX}/aws-ifexists-opens-bucket/head"),
        &["--format", "json"],
    ));
    let principals = doc["stacks"][0]["regions"][0]["principals"].to_string();
    assert!(
        principals.contains("arn:aws:iam::999999999999:root"),
        "{principals}"
    );
}

#[test]
fn a_refactor_reports_no_change_exactly() {
    let o = diff(
        &format!("{EX}/aws-refactor-no-change/base"),
        &format!("{EX}/aws-refactor-no-change/head"),
        &["--format", "json", "--fail-on", "any"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["widened"], false);
    assert_eq!(doc["narrowed"], false);
    assert_eq!(doc["stacks"][0]["exact"], true);
    assert!(doc["stacks"][0]["regions"].as_array().unwrap().is_empty());
    // And a stack compared with itself changes nothing.
    let same = format!("{EX}/aws-ifexists-opens-bucket/head");
    assert_eq!(
        diff(&same, &same, &["--fail-on", "any"]).status.code(),
        Some(0)
    );
}

#[test]
fn dropping_one_action_from_an_expanded_list_is_a_narrowing() {
    let tmp = tempdir("narrow");
    copy_dir(&root().join(EX).join("aws-refactor-no-change"), &tmp);
    let f = tmp.join("head/identity/app-role.json");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, text.replace("\"s3:GetObjectTagging\",", "")).unwrap();
    let (b, h) = (tmp.join("base"), tmp.join("head"));
    let o = diff(
        b.to_str().unwrap(),
        h.to_str().unwrap(),
        &["--format", "json"],
    );
    // Narrowed only: exit 0 unless --fail-on says so.
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["narrowed"], true);
    let region = &doc["stacks"][0]["regions"][0];
    assert_eq!(region["change"], "narrowed");
    assert_eq!(region["actions"][0], "s3:GetObjectTagging");
    assert_eq!(region["cause"]["side"], "base");
    witnesses_confirmed_by_eval(&doc, b.to_str().unwrap(), h.to_str().unwrap());
    let o = diff(
        b.to_str().unwrap(),
        h.to_str().unwrap(),
        &["--fail-on", "narrowed"],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = diff(
        b.to_str().unwrap(),
        h.to_str().unwrap(),
        &["--fail-on", "any"],
    );
    assert_eq!(o.status.code(), Some(1));
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("polsim-test-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

#[test]
fn folders_of_stacks_are_matched_by_relative_path() {
    let tmp = tempdir("repo");
    let ex = root().join(EX);
    copy_dir(
        &ex.join("aws-ifexists-opens-bucket/base"),
        &tmp.join("base/buckets/reports"),
    );
    copy_dir(
        &ex.join("aws-ifexists-opens-bucket/head"),
        &tmp.join("head/buckets/reports"),
    );
    copy_dir(
        &ex.join("aws-refactor-no-change/base"),
        &tmp.join("base/roles/app"),
    );
    copy_dir(
        &ex.join("aws-refactor-no-change/head"),
        &tmp.join("head/roles/app"),
    );
    // A stack only the head side has: compared with an empty stack.
    copy_dir(&ex.join("check-public-read"), &tmp.join("head/buckets/new"));
    let (b, h) = (tmp.join("base"), tmp.join("head"));
    let o = diff(
        b.to_str().unwrap(),
        h.to_str().unwrap(),
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    let stacks = doc["stacks"].as_array().unwrap();
    let paths: Vec<&str> = stacks.iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["buckets/new", "buckets/reports", "roles/app"]);
    assert!(stacks[0]["base"].is_null());
    assert!(!stacks[0]["regions"].as_array().unwrap().is_empty());
    assert!(!stacks[1]["regions"].as_array().unwrap().is_empty());
    assert!(stacks[2]["regions"].as_array().unwrap().is_empty());
    let human = stdout(&diff(b.to_str().unwrap(), h.to_str().unwrap(), &[]));
    assert!(
        human.contains("buckets/new (new stack: compared with an empty stack)"),
        "{human}"
    );
    // A link to a folder is never followed, and never a stack left out without a word.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.join("head/roles/app"), tmp.join("head/linked")).unwrap();
        let o = diff(b.to_str().unwrap(), h.to_str().unwrap(), &[]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("is a link to a folder"));
    }
}

#[test]
fn bad_input_is_exit_2_with_a_location() {
    let o = diff(
        "no/such/folder",
        &format!("{EX}/aws-refactor-no-change/head"),
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a folder"));
    let tmp = tempdir("bad");
    copy_dir(&root().join(EX).join("aws-refactor-no-change"), &tmp);
    std::fs::write(tmp.join("head/identity/app-role.json"), "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Actions\": \"s3:*\"}]}").unwrap();
    let o = diff(
        tmp.join("base").to_str().unwrap(),
        tmp.join("head").to_str().unwrap(),
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("app-role.json") && err.contains("1:"), "{err}");
    // Two folders without any stack.
    let empty = tempdir("empty");
    let o = diff(empty.to_str().unwrap(), empty.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no stack folder"));
}

#[test]
fn markdown_and_sarif_carry_the_findings() {
    let base = format!("{EX}/aws-ifexists-opens-bucket/base");
    let head = format!("{EX}/aws-ifexists-opens-bucket/head");
    let md = stdout(&diff(&base, &head, &["--format", "markdown"]));
    assert!(md.starts_with("## polsim diff"), "{md}");
    assert!(md.contains("Newly allowed"), "{md}");
    assert!(md.contains("```sh\npolsim eval --policy"), "{md}");
    let o = diff(&base, &head, &["--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let sarif = json(&o);
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "polsim/access-widened");
    let loc = &result["locations"][0]["physicalLocation"];
    assert!(loc["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("head/resource/bucket-policy.json"));
    assert_eq!(loc["region"]["startLine"], 4);
}

#[test]
fn check_public_finds_the_public_read_grant_and_not_the_endpoint_restricted_one() {
    let public = format!("{EX}/check-public-read");
    let o = polsim(&["check", "--policy", &public, "--public", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["answer"], true);
    assert_eq!(doc["exact"], true);
    let region = &doc["regions"][0];
    assert_eq!(region["public_by_definition"], true);
    assert_eq!(region["cause"]["sid"], "PublicRead");
    let req = &region["witnesses"][0]["request"];
    assert_eq!(req["principal"], "anonymous");
    assert_eq!(eval_code(&public, req), 0, "the witness is allowed");

    let vpce = format!("{EX}/check-vpce-restricted");
    let o = polsim(&["check", "--policy", &vpce, "--public"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("NO: no such request is allowed"));
}

#[test]
fn check_outside_account_and_never() {
    let dir = format!("{EX}/aws-ifexists-opens-bucket/head");
    let o = polsim(&[
        "check",
        "--policy",
        &dir,
        "--outside-account",
        "111122223333",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    for r in doc["regions"].as_array().unwrap() {
        for w in r["witnesses"].as_array().unwrap() {
            let p = w["request"]["principal"].as_str().unwrap();
            assert!(!p.contains("111122223333"), "{p}");
            assert_eq!(eval_code(&dir, &w["request"]), 0);
        }
    }
    let base = format!("{EX}/aws-ifexists-opens-bucket/base");
    let o = polsim(&[
        "check",
        "--policy",
        &base,
        "--outside-org",
        "o-exampleorgid",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = polsim(&["check", "--policy", &dir, "--outside-org", "o-exampleorgid"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // The bucket owner's root user can delete: "never" is answered with it.
    let o = polsim(&[
        "check",
        "--policy",
        &base,
        "--never",
        "--action",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/a",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(
        doc["regions"][0]["witnesses"][0]["request"]["principal"],
        "arn:aws:iam::111122223333:root"
    );
    // A Deny to everyone makes it never allowed.
    let tmp = tempdir("never");
    copy_dir(&root().join(&base), &tmp);
    std::fs::write(
        tmp.join("resource/deny-delete.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let o = polsim(&[
        "check",
        "--policy",
        tmp.to_str().unwrap(),
        "--never",
        "--action",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/a",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = polsim(&[
        "check",
        "--policy",
        &base,
        "--never",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/a",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("aws:PrincipalOrgID=o-exampleorgid"),
        "{}",
        stdout(&o)
    );
    let o = polsim(&[
        "check",
        "--policy",
        &base,
        "--never",
        "--action",
        "s3:GetObject",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn git_revisions_are_read_without_touching_the_work_tree() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: skipped");
        return;
    }
    let repo = tempdir("git");
    let ex = root().join(EX).join("aws-ifexists-opens-bucket");
    copy_dir(&ex.join("base"), &repo.join("policies"));
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .current_dir(&repo)
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    let policy = repo.join("policies/resource/bucket-policy.json");
    std::fs::copy(ex.join("head/resource/bucket-policy.json"), &policy).unwrap();
    let before = std::fs::read_to_string(&policy).unwrap();
    // --base REV against the work tree.
    let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(&repo)
        .args([
            "--color", "never", "diff", "--base", "HEAD", "policies", "--format", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let doc = json(&o);
    assert_eq!(doc["base"], "HEAD:policies");
    let cause = doc["stacks"][0]["regions"][0]["cause"]["file"]
        .as_str()
        .unwrap();
    assert_eq!(cause, "policies/resource/bucket-policy.json");
    // Two revisions.
    git(&["commit", "-qam", "head"]);
    let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(&repo)
        .args(["diff", "--base", "HEAD~1", "--head", "HEAD", "policies"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("HEAD:policies/resource/bucket-policy.json:4:5"),
        "{}",
        stdout(&o)
    );
    // The work tree is as it was, and no temporary copy is left behind.
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), before);
    let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(&repo)
        .args(["diff", "--base", "no-such-rev", "policies"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-rev"));
}

/// The witnesses of a diff run with `--write-stacks`: each stack's folders are real, and each
/// witness is decided as reported by `polsim eval` on both of them.
fn written_witnesses_confirmed(doc: &Value) -> usize {
    let mut n = 0;
    for stack in doc["stacks"].as_array().unwrap() {
        for region in stack["regions"].as_array().unwrap() {
            let widened = region["change"] == "widened";
            for w in region["witnesses"].as_array().unwrap() {
                let req = &w["request"];
                let side = |k: &str| stack[k].as_str().map(|d| eval_code(d, req));
                // A stack only one side has: the other side is an empty stack (denies).
                let (b, h) = (side("base").unwrap_or(1), side("head").unwrap_or(1));
                assert_eq!((b, h), if widened { (1, 0) } else { (0, 1) }, "{req}");
                n += 1;
            }
        }
    }
    n
}

#[test]
fn a_terraform_plan_is_reviewed_end_to_end() {
    let plan = format!("{EX}/terraform-plan/plan.json");
    let out = tempdir("tf").join("stacks");
    let o = polsim(&[
        "diff",
        "--terraform-plan",
        &plan,
        "--format",
        "json",
        "--write-stacks",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    let stacks = doc["stacks"].as_array().unwrap();
    let by = |origin: &str| {
        stacks
            .iter()
            .find(|s| s["origin"].as_str().is_some_and(|o| o.starts_with(origin)))
            .unwrap_or_else(|| panic!("no stack for {origin}"))
    };
    let bucket = by("aws_s3_bucket_policy.reports.policy (update)");
    assert_eq!(bucket["regions"][0]["change"], "widened");
    assert_eq!(
        bucket["regions"][0]["principals"][0],
        "arn:aws:iam::444455556666:root"
    );
    assert_eq!(bucket["regions"][0]["cause"]["sid"], "ReportsReader");
    // Splitting the deploy policy's statement changes nothing.
    assert!(by("aws_iam_policy.deploy.policy")["regions"]
        .as_array()
        .unwrap()
        .is_empty());
    let cam = by("tencentcloud_cam_policy.uploader.document");
    assert_eq!(cam["cloud"], "tencent");
    assert_eq!(cam["regions"][0]["change"], "narrowed");
    let not: Vec<&str> = doc["not_compared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        not.iter()
            .any(|n| n.starts_with("aws_iam_policy.audit.policy: known only after apply")),
        "{not:?}"
    );
    assert!(
        not.iter()
            .any(|n| n.starts_with("aws_iam_role_policy_attachment.app_deploy")),
        "{not:?}"
    );
    assert!(written_witnesses_confirmed(&doc) > 0);

    // From standard input, and without --write-stacks nothing is left behind.
    let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .args(["diff", "--terraform-plan", "-"])
        .stdin(std::fs::File::open(root().join(&plan)).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let human = stdout(&o);
    assert!(
        human.contains("NOT COMPARED (a widening cannot be ruled out)"),
        "{human}"
    );
    assert!(
        human.contains("aws_s3_bucket_policy.reports.policy (update) [AWS]"),
        "{human}"
    );
    assert!(human.contains("<stdin> (after)"), "{human}");

    // A file that is not a plan: exit 2, located.
    let bad = tempdir("tf-bad").join("plan.json");
    std::fs::write(&bad, "{\n  \"resource_changes\": [,]\n}").unwrap();
    let o = polsim(&["diff", "--terraform-plan", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("plan.json:2:"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_cloudformation_template_pair_is_reviewed_end_to_end() {
    let base = format!("{EX}/cloudformation/before.yaml");
    let head = format!("{EX}/cloudformation/after.yaml");
    let out = tempdir("cfn").join("stacks");
    let o = diff(
        &base,
        &head,
        &["--format", "json", "--write-stacks", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    let stacks = doc["stacks"].as_array().unwrap();
    let trust = stacks
        .iter()
        .find(|s| s["path"] == "ReaderRole.AssumeRolePolicyDocument")
        .unwrap();
    assert!(
        trust["origin"].as_str().unwrap().contains("after.yaml:22"),
        "{}",
        trust["origin"]
    );
    assert_eq!(
        trust["regions"][0]["principals"][0],
        "arn:aws:iam::444455556666:root"
    );
    // The bucket policy's Deny no longer covers the bucket itself.
    let bucket = stacks
        .iter()
        .find(|s| s["path"] == "ReportsBucketPolicy.PolicyDocument")
        .unwrap();
    let region = &bucket["regions"][0];
    assert_eq!(region["cause"]["sid"], "DenyInsecureTransport");
    assert_eq!(region["cause"]["side"], "base");
    assert!(region["resources"]
        .to_string()
        .contains("arn:aws:s3:::ReportsBucket\""));
    assert!(written_witnesses_confirmed(&doc) > 0);

    // SARIF annotates the template line the stack was written from.
    let o = diff(&base, &head, &["--format", "sarif"]);
    let sarif = json(&o);
    let lines: Vec<(String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(lines.contains(&(head.clone(), 22)), "{lines:?}");

    // JSON templates too; a key given twice is refused where it is.
    let dir = tempdir("cfn-json");
    let t = |doc: &str| {
        format!(
            r#"{{"Resources": {{"P": {{"Type": "AWS::IAM::ManagedPolicy", "Properties": {{"PolicyDocument": {doc}}}}}}}}}"#
        )
    };
    let a = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let b = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}}]}"#;
    std::fs::write(dir.join("a.json"), t(a)).unwrap();
    std::fs::write(dir.join("b.json"), t(b)).unwrap();
    let o = diff(
        dir.join("a.json").to_str().unwrap(),
        dir.join("b.json").to_str().unwrap(),
        &["--format", "json", "--fail-on", "any"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    let changes: Vec<&str> = doc["stacks"][0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["change"].as_str().unwrap())
        .collect();
    assert!(
        changes.contains(&"widened") && changes.contains(&"narrowed"),
        "{changes:?}"
    );
    std::fs::write(
        dir.join("dup.json"),
        t(r#"{"Version": "2012-10-17", "Statement": [], "Statement": []}"#),
    )
    .unwrap();
    let o = diff(
        dir.join("a.json").to_str().unwrap(),
        dir.join("dup.json").to_str().unwrap(),
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`Statement` is given twice") && err.contains("dup.json:1:"),
        "{err}"
    );
}

#[test]
fn a_public_acl_is_public_access_and_making_it_public_is_a_widening() {
    let dir = tempdir("acl");
    let stack = |name: &str, acl: &str| {
        let d = dir.join(name);
        std::fs::create_dir_all(d.join("identity")).unwrap();
        std::fs::write(
            d.join("oss.json"),
            format!(r#"{{"bucket_owner": "1746495857602745", "bucket_acl": "{acl}", "object": {{"acl": "default"}}}}"#),
        )
        .unwrap();
        std::fs::write(
            d.join("polsim.json"),
            r#"{"resource_account": "1746495857602745", "cloud": "aliyun"}"#,
        )
        .unwrap();
        d
    };
    let private = stack("private", "private");
    let public = stack("public", "public-read");
    let o = polsim(&[
        "check",
        "--policy",
        public.to_str().unwrap(),
        "--public",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["regions"][0]["check"], "acl");
    assert_eq!(
        doc["regions"][0]["witnesses"][0]["request"]["principal"],
        "anonymous"
    );
    let o = polsim(&["check", "--policy", private.to_str().unwrap(), "--public"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // The state changes, not a policy: found, and marked not exact.
    let o = diff(
        private.to_str().unwrap(),
        public.to_str().unwrap(),
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["stacks"][0]["exact"], false);
    assert_eq!(doc["stacks"][0]["regions"][0]["check"], "acl");
    witnesses_confirmed_by_eval(&doc, private.to_str().unwrap(), public.to_str().unwrap());
}

/// Regression: a stack of many-star patterns (`arn:aws:s3:::ab*cd*ef*...`, `*:*x*`) made the
/// product of the resource automata explode, and `polsim diff` ran for minutes. Every
/// exploration now has a bound; a walk cut short says so (NOT EXACT) and cannot report "no
/// change": exit 1.
#[test]
fn many_star_patterns_end_within_their_bounds_and_never_claim_no_change() {
    let dir = tempdir("stars");
    let letters = ["ab", "cd", "ef", "gh", "ba", "dc", "fe", "hg"];
    let stmt = |i: usize, effect: &str| {
        let pat = |k: usize| {
            let parts: Vec<&str> = (0..6)
                .map(|j| letters[(i * 7 + k * 3 + j * 5) % letters.len()])
                .collect();
            format!("\"arn:aws:s3:::{}*\"", parts.join("*"))
        };
        format!(
            r#"{{"Effect": "{effect}", "Action": ["s3:GetObject", "s3:Put*", "*:*{}*"], "Resource": [{}], "Condition": {{"StringLike": {{"aws:PrincipalTag/t{}": "*{}*"}}, "NumericLessThan": {{"s3:max-keys": "{i}"}}}}}}"#,
            ["a", "b", "c", "d"][i % 4],
            (0..4).map(pat).collect::<Vec<_>>().join(", "),
            i % 5,
            ["e", "f", "g"][i % 3],
        )
    };
    for (side, flip) in [("base", usize::MAX), ("head", 7)] {
        let d = dir.join(side).join("identity");
        std::fs::create_dir_all(&d).unwrap();
        let sts: Vec<String> = (0..12)
            .map(|i| stmt(i, if i == flip { "Deny" } else { "Allow" }))
            .collect();
        std::fs::write(
            d.join("p.json"),
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
                sts.join(", ")
            ),
        )
        .unwrap();
    }
    let o = diff(
        dir.join("base").to_str().unwrap(),
        dir.join("head").to_str().unwrap(),
        &["--max-requests", "2000", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["stacks"][0]["exact"], false);
    assert!(doc["stacks"][0]["inexact"]
        .to_string()
        .contains("budget ran out"));
}
