//! `polsim diff`: what a policy change newly allows or denies, with witness requests.
//!
//! The sides are stack folders, or folders of stacks matched by relative path (a stack only
//! one side has is compared with an empty stack). The comparison itself is `polsim_diff::diff`;
//! here every witness it returns is judged again through `polsim eval`'s own path
//! ([`polsim_edge::judge::judge`]) on both sides, with explanations, before it is printed. A witness
//! that does not reproduce is a polsim bug: it is reported as one (exit 2), never shown as a
//! finding.

use crate::load::{self, load_stack, LoadedStack};
use crate::output::{self, DiffDoc, DiffRegionOut, DiffStackOut, DiffWitnessOut, ProbeOut};
use crate::render::{self, Style};
use crate::{EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use polsim_core::{Cloud, CtxValue, Decision, Report, Stack};
use polsim_diff::{Change, Diff, Finding, Limits, Probe, Region, Side, StmtLoc};
use polsim_parse::Diagnostic;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  polsim diff --base policies-examples/pre-merge/aws-ifexists-opens-bucket/base \\\n      --head policies-examples/pre-merge/aws-ifexists-opens-bucket/head\n  polsim diff --base old-policies/ --head policies/ --format markdown\n  polsim diff --base origin/main policies\n  terraform show -json plan.out | polsim diff --terraform-plan -\n  polsim diff --base before.yaml --head after.yaml\n\nEach side is a stack folder (the `eval` layout), a folder of stack folders (matched by relative\npath), a git revision of PATH, or a CloudFormation template. Every finding carries a witness request\nthat `polsim eval` decides differently on the two sides; the comparison is exact on the fragment docs/diff.md states, and says so when it is not.\nExit codes: 0 no change, 1 access widened (see --fail-on), 2 invalid input."
)]
pub struct Args {
    /// The policies before the change: a stack folder, a folder of stacks, a git revision
    /// (`origin/main`) of PATH, or a CloudFormation template (JSON or YAML)
    #[arg(
        long,
        value_name = "DIR|REV|FILE",
        required_unless_present = "terraform_plan"
    )]
    base: Option<String>,
    /// The policies after the change: a folder, or a git revision of PATH (default with a
    /// revision --base: PATH as it is in the work tree)
    #[arg(long, value_name = "DIR|REV")]
    head: Option<String>,
    /// With git revisions: the folder of the repository to compare (default: the current folder)
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    /// A Terraform plan in JSON (`terraform show -json plan.out`; `-` for standard input): its
    /// policy-bearing resources' before and after documents are compared
    #[arg(long, value_name = "FILE", conflicts_with_all = ["base", "head", "path"])]
    terraform_plan: Option<String>,
    /// With a Terraform plan or CloudFormation templates: write the stacks polsim compares into
    /// this new folder and keep them, so that the witness commands can be run
    #[arg(long, value_name = "DIR")]
    write_stacks: Option<PathBuf>,

    /// Output format
    #[arg(long, default_value = "human", value_parser = ["human", "json", "markdown", "sarif"])]
    format: String,
    /// Which changes make the exit status 1: widened (access newly allowed), narrowed (newly denied), or any
    #[arg(long, default_value = "widened", value_parser = ["widened", "narrowed", "any"])]
    fail_on: String,
    /// The most requests evaluated per stack and side (past it the answer is marked not exact)
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_requests)]
    max_requests: usize,
    /// The largest policy or polsim.json file read, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = load::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

/// What to do with a folder holding no stack, or a link to one.
const STACKS_HELP: [&str; 2] = [
    "--base and --head take a stack folder (identity/, resource/, ...) or a folder of them",
    "point --base/--head at the folder the link leads to, or copy the stack in",
];

/// One stack of one side: loaded, or absent (a stack the other side has).
struct Loaded {
    dir: Option<PathBuf>,
    stack: Option<LoadedStack>,
}

fn load(root: &Path, rel: &str, present: bool, max: u64) -> Result<Loaded, Vec<Diagnostic>> {
    if !present {
        return Ok(Loaded {
            dir: None,
            stack: None,
        });
    }
    let dir = if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    let stack = load_stack(&dir, None, max).map_err(|e| e.diags)?;
    Ok(Loaded {
        dir: Some(dir),
        stack: Some(stack),
    })
}

/// One witness, judged again as `polsim eval` judges it on each side.
struct Checked {
    finding: Finding,
    base: Report,
    head: Report,
    base_req: polsim_core::Request,
    head_req: polsim_core::Request,
}

/// One stack's comparison, its witnesses checked.
struct Compared {
    rel: String,
    /// Where the stack comes from, for a Terraform plan or a template (address, logical id).
    origin: Option<String>,
    /// For a plan or template: the file and line a code-scanning annotation goes on.
    source: Option<(String, u32)>,
    base_dir: Option<PathBuf>,
    head_dir: Option<PathBuf>,
    cloud: Cloud,
    diff: Diff,
    regions: Vec<(Region, Vec<Checked>)>,
    unreproduced: Vec<Finding>,
}

fn judge_on(
    stack: &Stack,
    cloud: Cloud,
    account: Option<&str>,
    p: &Probe,
) -> Option<(Report, polsim_core::Request)> {
    let req = p.request(cloud, account).ok()?;
    polsim_edge::judge::judge(stack, req)
        .ok()
        .map(|(r, req, _)| (r, req))
}

fn allowed(d: Decision) -> bool {
    d == Decision::Allow
}

pub fn run(args: &Args, color: bool) -> u8 {
    let machine = matches!(args.format.as_str(), "json" | "sarif");
    super::exit_with(run_checked(args, color), machine, color)
}

/// One side as given: a folder, or a git revision read into a temporary folder (removed when
/// the run ends), with the label it is shown by.
struct Given {
    dir: PathBuf,
    label: String,
    _tmp: Option<super::git::Extracted>,
}

/// The sides written out from infrastructure as code (a Terraform plan, CloudFormation).
struct Iac {
    m: super::iac::Materialized,
    labels: (String, String),
}

fn given(
    arg: Option<&str>,
    path: Option<&Path>,
    other_is_rev: bool,
) -> Result<Given, Vec<Diagnostic>> {
    let Some(arg) = arg else {
        // No --head with a revision --base: the work tree's PATH.
        let dir = path.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        return Ok(Given {
            label: dir.display().to_string(),
            dir,
            _tmp: None,
        });
    };
    let p = Path::new(arg);
    if p.is_dir() {
        if path.is_some() && !other_is_rev {
            return Err(vec![Diagnostic::error(
                polsim_core::Pos::default(),
                "PATH is for git revisions; both sides are folders here",
            )
            .with_help("drop PATH, or give --base (and --head) as revisions")]);
        }
        return Ok(Given {
            dir: p.to_path_buf(),
            label: arg.to_string(),
            _tmp: None,
        });
    }
    let folder = path.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let x = super::git::extract(&folder, arg).map_err(|m| {
        vec![Diagnostic::error(polsim_core::Pos::default(), m).with_help(
            "--base and --head take a folder, or a git revision (origin/main, HEAD~1, a commit) of PATH",
        )]
    })?;
    Ok(Given {
        dir: x.dir.clone(),
        label: x.label.clone(),
        _tmp: Some(x),
    })
}

/// The largest Terraform plan read (plans of big configurations run to tens of megabytes).
const MAX_PLAN: u64 = 256 * 1024 * 1024;

fn run_checked(args: &Args, color: bool) -> Result<u8, Vec<Diagnostic>> {
    if let Some(plan) = &args.terraform_plan {
        let (text, name) = if plan == "-" {
            let mut t = String::new();
            std::io::stdin()
                .lock()
                .take(MAX_PLAN + 1)
                .read_to_string(&mut t)
                .map_err(|e| {
                    vec![Diagnostic::error(polsim_core::Pos::default(), format!("cannot read the plan from standard input: {e}"))
                        .with_help("pipe `terraform show -json plan.out` into `polsim diff --terraform-plan -`")]
                })?;
            (t, "<stdin>".to_string())
        } else {
            let t = load::read_text(Path::new(plan), MAX_PLAN).map_err(|e| e.diags)?;
            (t, plan.clone())
        };
        let m = super::iac::terraform_plan(&text, &name, args.write_stacks.as_deref())?;
        let iac = Iac {
            labels: (format!("{name} (before)"), format!("{name} (after)")),
            m,
        };
        return run_iac(args, &iac, color);
    }
    let base_arg = args.base.clone().unwrap_or_default();
    if let Some(head) = &args.head {
        let (b, h) = (Path::new(&base_arg), Path::new(head));
        if b.is_file() && h.is_file() {
            let m =
                super::iac::cloudformation(b, h, args.max_file_size, args.write_stacks.as_deref())?;
            let iac = Iac {
                labels: (base_arg.clone(), head.clone()),
                m,
            };
            return run_iac(args, &iac, color);
        }
    }
    let base_is_rev = !Path::new(&base_arg).is_dir();
    let head_is_rev = args.head.as_deref().is_some_and(|h| !Path::new(h).is_dir());
    if args.head.is_none() && !base_is_rev {
        return Err(vec![Diagnostic::error(
            polsim_core::Pos::default(),
            "--head is missing",
        )
        .with_help(
            "give --head DIR, or give --base a git revision to compare with the work tree",
        )]);
    }
    let base_given = given(Some(&base_arg), args.path.as_deref(), head_is_rev)?;
    let head_given = given(args.head.as_deref(), args.path.as_deref(), base_is_rev)?;
    let result = compare_all(args, &base_given, &head_given, None, color);
    drop(base_given);
    drop(head_given);
    result
}

fn run_iac(args: &Args, iac: &Iac, color: bool) -> Result<u8, Vec<Diagnostic>> {
    let base = Given {
        dir: iac.m.base.clone(),
        label: iac.labels.0.clone(),
        _tmp: None,
    };
    let head = Given {
        dir: iac.m.head.clone(),
        label: iac.labels.1.clone(),
        _tmp: None,
    };
    compare_all(args, &base, &head, Some(iac), color)
}

fn compare_all(
    args: &Args,
    base: &Given,
    head: &Given,
    iac: Option<&Iac>,
    color: bool,
) -> Result<u8, Vec<Diagnostic>> {
    let shown = |text: String| -> String {
        let mut t = text;
        for g in [base, head] {
            if g._tmp.is_some() || iac.is_some_and(|i| !i.m.kept) {
                t = t.replace(&g.dir.display().to_string(), &g.label);
            }
        }
        t
    };
    let not_compared: &[String] = iac.map_or(&[], |i| &i.m.not_compared);
    let base_stacks = load::stacks_in(&base.dir, STACKS_HELP).map_err(|d| vec![d])?;
    let head_stacks = load::stacks_in(&head.dir, STACKS_HELP).map_err(|d| vec![d])?;
    if base_stacks.is_empty() && head_stacks.is_empty() && iac.is_none() {
        return Err(vec![Diagnostic::error(
            polsim_core::Pos::default(),
            format!(
                "no stack folder under `{}` or `{}`",
                base.label, head.label
            ),
        )
        .with_help("a stack folder holds identity/, resource/, scp/<level>/, ... (see README); a folder of them is searched")]);
    }
    let mut rels: Vec<String> = base_stacks.iter().chain(&head_stacks).cloned().collect();
    rels.sort();
    rels.dedup();
    let limits = Limits {
        max_requests: args.max_requests,
        ..Limits::default()
    };
    let mut compared = Vec::new();
    let mut warnings = Vec::new();
    for rel in &rels {
        let relabelled = |d: Vec<Diagnostic>| -> Vec<Diagnostic> {
            d.into_iter().map(|d| relabel(d, &shown)).collect()
        };
        let b = load(
            &base.dir,
            rel,
            base_stacks.contains(rel),
            args.max_file_size,
        )
        .map_err(relabelled)?;
        let h = load(
            &head.dir,
            rel,
            head_stacks.contains(rel),
            args.max_file_size,
        )
        .map_err(relabelled)?;
        // The head side's warnings: what the change would land (the base side's are old news,
        // and the same ones twice for an unchanged file).
        if let Some(s) = &h.stack {
            warnings.extend(s.warnings.iter().cloned());
        }
        let mut c = compare(rel, &b, &h, &limits)?;
        c.origin = iac.and_then(|i| i.m.origins.get(rel).cloned());
        c.source = iac.and_then(|i| i.m.sources.get(rel).cloned());
        compared.push(c);
    }
    let widened = compared.iter().any(|c| c.diff.widened());
    let narrowed = compared.iter().any(|c| c.diff.narrowed());
    let unreproduced: usize = compared.iter().map(|c| c.unreproduced.len()).sum();
    let fails = match args.fail_on.as_str() {
        "narrowed" => narrowed,
        "any" => widened || narrowed,
        _ => widened,
    };
    // What could not be compared may widen access: it is never "no change".
    let code = if unreproduced > 0 {
        EXIT_INVALID
    } else if fails || !not_compared.is_empty() || compared.iter().any(|c| !c.diff.complete()) {
        // A walk cut short by a bound cannot rule a change out either.
        EXIT_DENIED
    } else {
        EXIT_OK
    };
    let labels = (base.label.as_str(), head.label.as_str());
    let pretty = |v: &dyn erased::Json| v.pretty();
    let text = match args.format.as_str() {
        "json" => {
            let mut d = doc(labels, &compared, &warnings, code);
            d.not_compared = not_compared.to_vec();
            pretty(&d)
        }
        "markdown" => markdown(labels, &compared, not_compared, code),
        "sarif" => pretty(&sarif(&compared)),
        _ => {
            let warnings: Vec<Diagnostic> =
                warnings.into_iter().map(|d| relabel(d, &shown)).collect();
            render::print_diags(&warnings, color);
            human(
                labels,
                &args.fail_on,
                &compared,
                not_compared,
                code,
                &Style::new(color),
            )
        }
    };
    let text = match iac {
        Some(i) if !i.m.kept && args.format == "human" => format!(
            "{text}(the stacks compared were written from the input into a temporary folder; give --write-stacks DIR to keep them and run the witness commands)\n"
        ),
        _ => text,
    };
    let _ = write!(std::io::stdout().lock(), "{}", shown(text));
    Ok(code)
}

fn compare(
    rel: &str,
    b: &Loaded,
    h: &Loaded,
    limits: &Limits,
) -> Result<Compared, Vec<Diagnostic>> {
    let cloud_of = |l: &Loaded| l.stack.as_ref().and_then(|s| s.cloud);
    let cloud = match (cloud_of(b), cloud_of(h)) {
        (Some(x), Some(y)) if x != y => {
            return Err(vec![Diagnostic::error(
                polsim_core::Pos::default(),
                format!(
                    "the stack `{}` is for {} on the base side and for {} on the head side",
                    if rel.is_empty() { "." } else { rel },
                    x.title(),
                    y.title()
                ),
            )
            .with_help("compare stacks of one cloud; a change of cloud is not a policy change polsim can diff")]);
        }
        (Some(x), _) | (None, Some(x)) => x,
        (None, None) => Cloud::Aws,
    };
    let empty = Stack::new();
    let side = |l: &'_ Loaded| -> (Option<String>, Option<(String, Option<String>)>) {
        match &l.stack {
            Some(s) => (
                s.defaults.resource_account.clone(),
                s.defaults
                    .principal
                    .clone()
                    .map(|p| (p, s.defaults.principal_id.clone())),
            ),
            None => (None, None),
        }
    };
    let (b_acct, b_principal) = side(b);
    let (h_acct, h_principal) = side(h);
    // A stack only one side has: the other side's owner stands for both.
    let b_acct = b_acct.or_else(|| h.stack.is_some().then(|| h_acct.clone()).flatten());
    let h_acct = h_acct.or_else(|| b.stack.is_some().then(|| b_acct.clone()).flatten());
    let bs = b.stack.as_ref().map_or(&empty, |s| &s.stack);
    let hs = h.stack.as_ref().map_or(&empty, |s| &s.stack);
    let base = Side {
        stack: bs,
        resource_account: b_acct.as_deref(),
        principal: b_principal
            .as_ref()
            .map(|(p, id)| (p.as_str(), id.as_deref())),
    };
    let head = Side {
        stack: hs,
        resource_account: h_acct.as_deref(),
        principal: h_principal
            .as_ref()
            .map(|(p, id)| (p.as_str(), id.as_deref())),
    };
    let diff = polsim_diff::diff(cloud, &base, &head, limits);
    let mut regions = Vec::new();
    let mut unreproduced = Vec::new();
    for r in &diff.regions {
        let mut checked = Vec::new();
        for w in &r.witnesses {
            let jb = judge_on(bs, cloud, base.resource_account, &w.probe);
            let jh = judge_on(hs, cloud, head.resource_account, &w.probe);
            match (jb, jh) {
                (Some((rb, qb)), Some((rh, qh)))
                    if allowed(rb.decision) == allowed(w.base.decision)
                        && allowed(rh.decision) == allowed(w.head.decision) =>
                {
                    checked.push(Checked {
                        finding: w.clone(),
                        base: rb,
                        head: rh,
                        base_req: qb,
                        head_req: qh,
                    })
                }
                _ => unreproduced.push(w.clone()),
            }
        }
        if !checked.is_empty() {
            regions.push((r.clone(), checked));
        }
    }
    Ok(Compared {
        rel: rel.to_string(),
        origin: None,
        source: None,
        base_dir: b.dir.clone(),
        head_dir: h.dir.clone(),
        cloud,
        diff,
        regions,
        unreproduced,
    })
}

/// A region's requests in words, one line a dimension (as `diff` and `check` print them); with
/// `no_context`, a region that needs no context key says so.
pub(crate) fn region_lines(r: &Region, no_context: bool) -> String {
    let mut out = format!("     actions:    {}\n", list(&r.actions, 6));
    if !r.operations.is_empty() {
        out.push_str(&format!("     operations: {}\n", list(&r.operations, 6)));
    }
    out.push_str(&format!("     resources:  {}\n", list(&r.resources, 4)));
    out.push_str(&format!("     principals: {}\n", list(&r.principals, 4)));
    if !r.context_keys.is_empty() {
        out.push_str(&format!(
            "     context:    some requests set {}\n",
            list(&r.context_keys, 6)
        ));
    } else if no_context {
        out.push_str("     context:    none needed\n");
    }
    out
}

/// What decided a region without a statement: the resource's state (its ACL, ...) or a layer.
pub(crate) fn no_statement(check: Option<&str>) -> String {
    match check {
        Some("acl") => "the resource's ACL (its state file), not a policy statement".to_string(),
        Some(c) => {
            format!("the service's `{c}` check (the resource's state), not a policy statement")
        }
        None => "no single statement (a layer, or a caller the cloud always allows)".to_string(),
    }
}

/// The `polsim eval` command that shows a region's witness where it is allowed: on the head
/// side for a widening, the base side for a narrowing (the head side where that one is absent).
fn witness_command(c: &Compared, r: &Region, p: &Probe) -> String {
    let allowed_on = match r.change {
        Change::Widened => c.head_dir.as_deref(),
        Change::Narrowed => c.base_dir.as_deref(),
    };
    eval_command(allowed_on.or(c.head_dir.as_deref()), p)
}

/// The `polsim eval` command that reproduces a witness on one side.
pub(crate) fn eval_command(dir: Option<&Path>, p: &Probe) -> String {
    let dir = dir.map_or_else(|| "<empty stack>".to_string(), |d| d.display().to_string());
    polsim_edge::command::EvalArgs {
        principal: &p.principal,
        principal_id: p.principal_id.as_deref(),
        action: &p.action,
        operation: None,
        resource: &p.resource,
        resource_account: p.resource_account.as_deref(),
        context: &p.context,
    }
    .command(&dir)
}

/// Where a statement is, with the side it is on.
pub(crate) fn loc_text(l: &StmtLoc) -> String {
    format!("{} {}", l.side.name(), place_text(l))
}

/// Where a statement is: `file:line:col Sid "S" (layer)`.
pub(crate) fn place_text(l: &StmtLoc) -> String {
    let file = l.file.clone().unwrap_or_else(|| l.policy.clone());
    let sid = l.sid.as_ref().map_or_else(
        || format!("statement #{}", l.index),
        |s| format!("Sid \"{s}\""),
    );
    format!(
        "{file}:{}:{} {sid} ({} layer)",
        l.pos.line,
        l.pos.col,
        l.layer.name().replace('_', " ")
    )
}

pub(crate) fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "ALLOWED",
        Decision::ExplicitDeny => "DENIED (explicit deny)",
        Decision::ImplicitDeny => "DENIED (implicit deny)",
    }
}

pub(crate) fn list(v: &[String], max: usize) -> String {
    let shown: Vec<String> = v.iter().take(max).map(|s| format!("`{s}`")).collect();
    let more = v.len().saturating_sub(max);
    if more > 0 {
        format!("{} (and {more} more)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn stack_title(c: &Compared) -> String {
    let name = if let Some(o) = &c.origin {
        o.clone()
    } else if c.rel.is_empty() {
        ".".to_string()
    } else {
        c.rel.clone()
    };
    match (&c.base_dir, &c.head_dir) {
        (None, Some(_)) => format!("{name} (new stack: compared with an empty stack)"),
        (Some(_), None) => format!("{name} (removed: compared with an empty stack)"),
        _ => name,
    }
}

fn exactness(c: &Compared) -> String {
    let d = &c.diff;
    let how = format!(
        "{} requests evaluated on each side; {} of {} action cells decided by comparing the statements they reach",
        d.requests, d.unchanged_cells, d.action_cells
    );
    if d.exact() {
        format!("exact ({how})")
    } else {
        let why: Vec<String> = d.inexact.iter().map(|i| i.describe()).collect();
        format!("NOT EXACT: {} ({how})", why.join("; "))
    }
}

fn human(
    labels: (&str, &str),
    fail_on: &str,
    compared: &[Compared],
    not_compared: &[String],
    code: u8,
    st: &Style,
) -> String {
    let mut out = format!("polsim diff: {} → {}\n", labels.0, labels.1);
    for c in compared {
        out.push_str(&format!(
            "\n{} [{}]\n",
            st.bold(&stack_title(c)),
            c.cloud.title()
        ));
        if c.regions.is_empty() && c.unreproduced.is_empty() {
            out.push_str("  no change in access\n");
        }
        for (i, (r, checked)) in c.regions.iter().enumerate() {
            let head = match r.change {
                Change::Widened => st.red("NEWLY ALLOWED"),
                Change::Narrowed => st.yellow("NEWLY DENIED"),
            };
            let cause = r
                .cause
                .as_ref()
                .map_or_else(|| super::diff::no_statement(r.check), loc_text);
            out.push_str(&format!("  {}. {head} by {cause}\n", i + 1));
            if let Some(c) = &r.cause {
                out.push_str(&format!("     statement:  {}\n", c.summary));
            }
            out.push_str(&region_lines(r, true));
            out.push_str(&format!(
                "     requests of the partition in this region: {}\n",
                r.requests
            ));
            for w in checked {
                out.push_str(&format!(
                    "     witness: {}\n",
                    st.dim(&witness_command(c, r, &w.finding.probe))
                ));
                out.push_str(&format!(
                    "       base: {} — {}\n",
                    decision_word(w.base.decision),
                    w.base.reason
                ));
                out.push_str(&format!(
                    "       head: {} — {}\n",
                    decision_word(w.head.decision),
                    w.head.reason
                ));
            }
        }
        if !c.unreproduced.is_empty() {
            out.push_str(&format!(
                "  {}: {} witness request(s) did not reproduce through `polsim eval`; this is a polsim bug (please report it with both folders)\n",
                st.red("POLSIM BUG"),
                c.unreproduced.len()
            ));
        }
        out.push_str(&format!("  {}\n", exactness(c)));
    }
    if !not_compared.is_empty() {
        out.push_str(&format!(
            "\n{} (a widening cannot be ruled out):\n",
            st.yellow("NOT COMPARED")
        ));
        for n in not_compared {
            out.push_str(&format!("  - {n}\n"));
        }
    }
    let verdict = match code {
                EXIT_DENIED if !not_compared.is_empty() && !compared.iter().any(|c| c.diff.widened()) => {
            "exit 1: some policies could not be compared".to_string()
        }
        EXIT_DENIED if compared.iter().any(|c| !c.diff.complete()) && !compared.iter().any(|c| c.diff.widened()) => {
            "exit 1: the comparison was cut short by a bound, so a change cannot be ruled out (see NOT EXACT above; --max-requests raises the request budget)".to_string()
        }
        EXIT_OK => "exit 0: no change the --fail-on setting counts".to_string(),
        EXIT_DENIED => format!(
            "exit 1: access {}",
            if fail_on == "widened" {
                "widened".to_string()
            } else {
                format!("changed (--fail-on {fail_on})")
            }
        ),
        _ => "exit 2: a witness did not reproduce".to_string(),
    };
    out.push_str(&format!("\n{verdict}\n"));
    out
}

fn markdown(
    labels: (&str, &str),
    compared: &[Compared],
    not_compared: &[String],
    code: u8,
) -> String {
    let widened: usize = compared
        .iter()
        .map(|c| {
            c.regions
                .iter()
                .filter(|(r, _)| r.change == Change::Widened)
                .count()
        })
        .sum();
    let narrowed: usize = compared
        .iter()
        .map(|c| {
            c.regions
                .iter()
                .filter(|(r, _)| r.change == Change::Narrowed)
                .count()
        })
        .sum();
    let mut out = String::from("## polsim diff\n\n");
    if widened + narrowed == 0 {
        out.push_str("**No change in access.**\n\n");
    } else {
        out.push_str(&format!(
            "**{widened} newly allowed** and **{narrowed} newly denied** region(s) of requests.\n\n"
        ));
    }
    out.push_str(
        "| stack | cloud | newly allowed | newly denied | exact |\n|---|---|---|---|---|\n",
    );
    for c in compared {
        let n = |ch: Change| c.regions.iter().filter(|(r, _)| r.change == ch).count();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            if c.rel.is_empty() { "." } else { &c.rel },
            c.cloud.title(),
            n(Change::Widened),
            n(Change::Narrowed),
            if c.diff.exact() { "yes" } else { "no" }
        ));
    }
    for c in compared {
        for (r, checked) in &c.regions {
            let cause = r
                .cause
                .as_ref()
                .map_or_else(|| super::diff::no_statement(r.check), loc_text);
            out.push_str(&format!(
                "\n### {} — {}\n\n{}\n\n- actions: {}\n- resources: {}\n- principals: {}\n",
                match r.change {
                    Change::Widened => "🔓 Newly allowed",
                    Change::Narrowed => "🔒 Newly denied",
                },
                stack_title(c),
                cause,
                list(&r.actions, 6),
                list(&r.resources, 4),
                list(&r.principals, 4)
            ));
            if let Some(c) = &r.cause {
                out.push_str(&format!("- statement: `{}`\n", c.summary.replace('`', "'")));
            }
            if !r.operations.is_empty() {
                out.push_str(&format!("- operations: {}\n", list(&r.operations, 6)));
            }
            if let Some(w) = checked.first() {
                out.push_str(&format!(
                    "\nWitness:\n\n```sh\n{}\n```\n\n- base: **{}**: {}\n- head: **{}**: {}\n",
                    witness_command(c, r, &w.finding.probe),
                    decision_word(w.base.decision),
                    w.base.reason,
                    decision_word(w.head.decision),
                    w.head.reason
                ));
            }
        }
        if !c.diff.exact() {
            out.push_str(&format!(
                "\n> `{}`: {}\n",
                if c.rel.is_empty() { "." } else { &c.rel },
                exactness(c)
            ));
        }
    }
    if !not_compared.is_empty() {
        out.push_str("\n### ⚠️ Not compared (a widening cannot be ruled out)\n\n");
        for n in not_compared {
            out.push_str(&format!("- {n}\n"));
        }
    }
    out.push_str(&format!(
        "\n<sub>polsim diff `{}` → `{}`, exit {code}</sub>\n",
        labels.0, labels.1
    ));
    out
}

pub(crate) fn probe_out(p: &Probe) -> ProbeOut {
    ProbeOut {
        action: p.action.clone(),
        context: p
            .context
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    match v {
                        CtxValue::One(s) => output::ContextValueOut::One(s.clone()),
                        CtxValue::Many(l) => output::ContextValueOut::Many(l.clone()),
                    },
                )
            })
            .collect(),
        principal: p.principal.clone(),
        principal_id: p.principal_id.clone(),
        resource: p.resource.clone(),
        resource_account: p.resource_account.clone(),
    }
}

fn doc(labels: (&str, &str), compared: &[Compared], warnings: &[Diagnostic], code: u8) -> DiffDoc {
    let stacks = compared
        .iter()
        .map(|c| DiffStackOut {
            origin: c.origin.clone(),
            base: c.base_dir.as_ref().map(|d| d.display().to_string()),
            cloud: c.cloud.name().to_string(),
            exact: c.diff.exact(),
            head: c.head_dir.as_ref().map(|d| d.display().to_string()),
            inexact: c.diff.inexact.iter().map(|i| i.describe()).collect(),
            path: c.rel.clone(),
            regions: c
                .regions
                .iter()
                .map(|(r, checked)| DiffRegionOut {
                    actions: r.actions.clone(),
                    operations: r.operations.clone(),
                    cause: r.cause.as_ref().map(output::StmtLocOut::new),
                    check: r.check.map(str::to_string),
                    change: r.change.name().to_string(),
                    context_keys: r.context_keys.clone(),
                    principals: r.principals.clone(),
                    requests: r.requests,
                    resources: r.resources.clone(),
                    witnesses: checked
                        .iter()
                        .map(|w| DiffWitnessOut {
                            base: output::Evaluation::new(&w.base, &w.base_req, false, &[]),
                            command: witness_command(c, r, &w.finding.probe),
                            head: output::Evaluation::new(&w.head, &w.head_req, false, &[]),
                            request: probe_out(&w.finding.probe),
                        })
                        .collect(),
                })
                .collect(),
            requests: c.diff.requests,
            unreproduced: c.unreproduced.iter().map(|f| probe_out(&f.probe)).collect(),
        })
        .collect();
    DiffDoc {
        base: labels.0.to_string(),
        exit: code,
        head: labels.1.to_string(),
        narrowed: compared.iter().any(|c| c.diff.narrowed()),
        not_compared: Vec::new(),
        schema: output::DIFF_V1.to_string(),
        stacks,
        warnings: warnings.iter().map(output::DiagnosticOut::from).collect(),
        widened: compared.iter().any(|c| c.diff.widened()),
    }
}

/// Where a region is located in the files of the change: the statement that caused it, when
/// it is in the head side's files; for a cause on the base side (a statement removed or
/// edited), the same file on the head side if it still exists, else the head stack's folder.
fn sarif_location(c: &Compared, r: &Region) -> (String, u32, u32) {
    // A plan's or template's stack: the template line (or the plan file) it was written from.
    if let Some((file, line)) = &c.source {
        return (file.clone(), *line, 1);
    }
    let folder = || {
        c.head_dir
            .as_ref()
            .or(c.base_dir.as_ref())
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    };
    let Some(cause) = &r.cause else {
        return (folder(), 1, 1);
    };
    let file = cause.file.clone().unwrap_or_else(folder);
    match cause.side {
        polsim_diff::Which::Head => (file, cause.pos.line.max(1), cause.pos.col.max(1)),
        polsim_diff::Which::Base => {
            let moved = match (&c.base_dir, &c.head_dir) {
                (Some(b), Some(h)) => Path::new(&file)
                    .strip_prefix(b)
                    .ok()
                    .map(|rel| h.join(rel))
                    .filter(|p| p.is_file()),
                _ => None,
            };
            match moved {
                Some(p) => (p.display().to_string(), 1, 1),
                None => (folder(), 1, 1),
            }
        }
    }
}

/// SARIF 2.1.0, for code-scanning annotations: one result per region, on the policy line that
/// caused it.
fn sarif(compared: &[Compared]) -> serde_json::Value {
    use serde_json::json;
    let mut results = Vec::new();
    for c in compared {
        for (r, checked) in &c.regions {
            let (uri, line, col) = sarif_location(c, r);
            let (rule, level) = match r.change {
                Change::Widened => ("polsim/access-widened", "error"),
                Change::Narrowed => ("polsim/access-narrowed", "warning"),
            };
            let witness = checked
                .first()
                .map(|w| witness_command(c, r, &w.finding.probe))
                .unwrap_or_default();
            let text = format!(
                "{}: {} on {} for {} ({} requests of the partition). Witness: {witness}{}",
                r.change.words(),
                list(&r.actions, 4),
                list(&r.resources, 2),
                list(&r.principals, 3),
                r.requests,
                if c.diff.exact() { "" } else { " (not exact)" }
            );
            results.push(json!({
                "ruleId": rule,
                "level": level,
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri.replace('\\', "/") },
                        "region": { "startLine": line, "startColumn": col }
                    }
                }],
                "properties": {
                    "stack": c.rel,
                    "cloud": c.cloud.name(),
                    "exact": c.diff.exact(),
                    "witness": witness,
                }
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "polsim",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/polsim",
                "rules": [
                    {
                        "id": "polsim/access-widened",
                        "name": "AccessWidened",
                        "shortDescription": { "text": "The change newly allows requests" },
                        "fullDescription": { "text": "polsim diff found requests that the head side allows and the base side denies; the message carries a witness request that polsim eval confirms." },
                        "defaultConfiguration": { "level": "error" }
                    },
                    {
                        "id": "polsim/access-narrowed",
                        "name": "AccessNarrowed",
                        "shortDescription": { "text": "The change newly denies requests" },
                        "fullDescription": { "text": "polsim diff found requests that the base side allows and the head side denies." },
                        "defaultConfiguration": { "level": "warning" }
                    }
                ]
            }},
            "results": results
        }]
    })
}

/// A diagnostic with the temporary folders of git revisions shown by their labels.
fn relabel(mut d: Diagnostic, shown: &dyn Fn(String) -> String) -> Diagnostic {
    d.message = shown(std::mem::take(&mut d.message));
    if let Some(f) = d.file.take() {
        d.file = Some(shown(f));
    }
    d
}

/// The documents this command prints, as pretty JSON text.
mod erased {
    /// A document that prints as pretty JSON.
    pub trait Json {
        fn pretty(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> String {
            match serde_json::to_string_pretty(self) {
                Ok(s) => format!("{s}\n"),
                Err(e) => format!("{{\"error\": \"cannot write JSON: {e}\"}}\n"),
            }
        }
    }
}
