//! Advice for policy denials (`polsim_core::advice`), end to end on parsed stacks: every denial
//! of the bundled examples and of the corpus gets edits that, applied to the stack and the
//! request, allow; no edit opens more than the request (exact names only, no wildcard, no
//! condition removed; removing a Deny is offered only as the last resort and says so).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_core::advice::{advise, After, Edit};
use polsim_core::ir::Layer;
use polsim_core::{Decision, Request, Stack};
use polsim_parse::testfile::parse_test_file;
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
                .unwrap_or(false)
            {
                out.push(p);
            }
        }
    }
}

/// Every case of every test file under `dir`: (name, stack, request).
fn cases(dir: &str) -> Vec<(String, Stack, Request)> {
    let mut files = Vec::new();
    json_tests(&root().join(dir), &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let base = f.parent().unwrap().to_path_buf();
        let mut read = |rel: &str| {
            let p = base.join(rel);
            std::fs::read_to_string(&p)
                .map(|t| (p.display().to_string(), t))
                .map_err(|e| e.to_string())
        };
        let Ok(tf) = parse_test_file(&text, &f.display().to_string(), &mut read) else {
            continue;
        };
        for c in tf.cases {
            out.push((
                format!("{}: {}", f.display(), c.name),
                (*c.stack).clone(),
                c.request,
            ));
        }
    }
    out
}

/// Whether the edit adds only the request's own names, exactly.
fn exact(edit: &Edit, req: &Request) -> bool {
    let literal = |s: &str| !s.contains(['*', '?']) && !s.contains("${");
    // The resource exactly as the request names it (OSS names carry `*` for the region).
    let exact_resource =
        |s: &str| s == req.resource && !s.is_empty() || literal(s.rsplit(':').next().unwrap_or(s));
    match edit {
        Edit::AddAction { action, .. } => action == &req.action && literal(action),
        Edit::AddResource { resource, .. } => exact_resource(resource),
        Edit::AddPrincipal { value, .. } => {
            value == "*" && !req.caller.is_identity()
                || literal(value)
                    && [
                        Some(&req.caller.text),
                        Some(&req.caller.display_arn),
                        req.caller.id.as_ref(),
                    ]
                    .contains(&Some(value))
        }
        Edit::NewStatement {
            action, resource, ..
        } => {
            action == &req.action
                && resource
                    .as_deref()
                    .is_none_or(|r| exact_resource(r) || r == "*")
        }
        Edit::Request { .. } | Edit::RemoveDeny { .. } => true,
    }
}

/// Statements and conditions of `before` are all in `after` (edits only add, except a removed
/// Deny).
fn nothing_removed(before: &Stack, after: &Stack, removed_deny: bool) -> bool {
    let count = |s: &Stack| -> (usize, usize) {
        s.all_policies()
            .flat_map(|(_, p)| &p.statements)
            .fold((0, 0), |(n, c), st| (n + 1, c + st.conditions.len()))
    };
    let (n0, c0) = count(before);
    let (n1, c1) = count(after);
    removed_deny || (n1 >= n0 && c1 >= c0)
}

/// Denials no policy edit can lift.
const NO_POLICY_EDIT: &[polsim_core::decide::Reason] = &[
    // An Alibaba Cloud account cannot assume a RAM role, whatever the trust policy says.
    polsim_core::decide::Reason::RootCannotAssumeRole,
];

/// Applies the advice for every denial of `dir`; returns the cases whose advice does not end
/// in an allow (with why), and how many denials got advice.
fn check(dir: &str) -> (Vec<String>, usize) {
    let mut problems = Vec::new();
    let mut advised = 0;
    for (name, case_stack, case_req) in cases(dir) {
        // The request as its storage service judges it; a denial decided by one of the service's
        // own checks (ACLs, ownership, Block Public Access, ...) carries the check's hint, not
        // policy advice. Otherwise the deciding step's evaluation is advised.
        let plan = polsim_core::flow::plan(&case_stack, &case_req).unwrap();
        let se = polsim_core::flow::evaluate_plan(&plan, true);
        if se.verdict.check.is_some() {
            continue;
        }
        let step = &plan.steps[se.verdict.step];
        let (stack, req): (&Stack, &Request) = (&step.stack, &step.request);
        let e = polsim_core::evaluate(stack, req);
        if e.decision() == Decision::Allow {
            assert!(advise(&e).is_empty(), "{name}: advice for an allow");
            continue;
        }
        let advice = advise(&e);
        if advice.is_empty() {
            if NO_POLICY_EDIT.contains(&e.verdict.reason) {
                continue;
            }
            problems.push(format!("{name}: no advice ({:?})", e.verdict.reason));
            continue;
        }
        advised += 1;
        let (mut s, mut r) = (stack.clone(), req.clone());
        for (i, a) in advice.iter().enumerate() {
            assert!(exact(&a.edit, req), "{name}: {:?} is not exact", a.edit);
            assert_eq!(
                a.edit.opens_more(),
                matches!(a.edit, Edit::RemoveDeny { .. }),
                "{name}"
            );
            if a.edit.opens_more() {
                assert!(
                    a.describe().contains("opens more"),
                    "{name}: {}",
                    a.describe()
                );
            }
            let before = s.clone();
            a.edit.apply(&mut s, &mut r);
            assert!(
                nothing_removed(&before, &s, a.edit.opens_more()),
                "{name}: an edit removed a statement or condition"
            );
            // Only the last edit can allow; the ones before get past a layer.
            if i + 1 < advice.len() {
                assert!(matches!(a.after, After::MovesOn(_)), "{name}: {advice:?}");
            }
        }
        let again = polsim_core::evaluate(&s, &r);
        if again.decision() != Decision::Allow {
            problems.push(format!(
                "{name}: after {} edit(s), still {:?} in {:?}",
                advice.len(),
                again.decision(),
                again.layer()
            ));
        }
        let _: Option<Layer> = again.layer();
    }
    (problems, advised)
}

#[test]
fn every_example_denial_gets_advice_that_allows() {
    let (problems, advised) = check("policies-examples");
    assert!(advised > 0);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn corpus_denials_get_advice_that_allows() {
    let (problems, advised) = check("tests/corpus");
    eprintln!(
        "{advised} corpus denials advised; without: {}",
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Regression: a copy denied on both its source read and its destination write advised only
/// the deciding step's edit, so fixing it just revealed the next denial.
#[test]
fn copy_denied_on_both_steps_advises_both() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(root())
        .args([
            "--color",
            "never",
            "eval",
            "--policy",
            "tests/cli/copy-both-denied",
        ])
        .args(["--principal", "arn:aws:iam::111122223333:user/copier"])
        .args(["--operation", "CopyObject"])
        .args(["--copy-source", "arn:aws:s3:::src-bucket/a.csv"])
        .args(["--resource", "arn:aws:s3:::dst-bucket/a.csv"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("CopyObject (checked as s3:GetObject on arn:aws:s3:::src-bucket/a.csv)"),
        "{text}"
    );
    assert!(text.contains("s3:GetObject"), "{text}");
    assert!(
        text.contains(
            "to change:  also, for the action (s3:PutObject on arn:aws:s3:::dst-bucket/a.csv): "
        ),
        "{text}"
    );
}
