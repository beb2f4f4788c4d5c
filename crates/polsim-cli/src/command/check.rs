//! `polsim check`: the reviewer's universal questions about one stack, answered on the same
//! partition of the request space as `polsim diff`, with a witness request when the answer is
//! yes. Every witness is judged again through `polsim eval`'s own path before it is printed.

use super::diff::{decision_word, eval_command, probe_out};
use crate::load::{self, load_stack};
use crate::output::{self, CheckDoc, CheckRegionOut, CheckWitnessOut};
use crate::render::{self, Style};
use crate::{EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use polsim_core::{Cloud, Decision, Report, Request};
use polsim_diff::{Callers, Limits, Query, Region, Side};
use polsim_parse::Diagnostic;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("question").required(true).args(["public", "outside_account", "outside_org", "never"])))]
#[command(
    after_help = "Examples:\n  polsim check --policy policies-examples/pre-merge/aws-ifexists-opens-bucket/head --public\n  polsim check --policy DIR --outside-account 111122223333 --action s3:GetObject\n  polsim check --policy DIR --never --action s3:DeleteBucket --resource arn:aws:s3:::DOC-EXAMPLE-BUCKET\n\n--public uses S3's definition (Block Public Access, \"The meaning of public\"): an Allow to everyone\nwithout a condition that fixes aws:SourceIp, aws:SourceVpce, aws:PrincipalOrgID, ... (and the same\nkinds of keys for Alibaba Cloud and Tencent Cloud).\nExit codes: 0 no such access, 1 found (with a witness), 2 invalid input."
)]
pub struct Args {
    /// The policy stack folder
    #[arg(long, value_name = "DIR")]
    policy: PathBuf,
    /// Is anything allowed to the anonymous caller or to any account, without a limiting condition?
    #[arg(long)]
    public: bool,
    /// Is anything allowed to a principal outside this account?
    #[arg(long, value_name = "ID")]
    outside_account: Option<String>,
    /// Is anything allowed to a principal outside this AWS organization (aws:PrincipalOrgID)?
    #[arg(long, value_name = "o-...")]
    outside_org: Option<String>,
    /// Is --action on --resource ever allowed, to anyone, under any context?
    #[arg(long)]
    never: bool,
    /// Only this action
    #[arg(long)]
    action: Option<String>,
    /// Only this resource
    #[arg(long)]
    resource: Option<String>,
    /// Output format
    #[arg(long, default_value = "human", value_parser = ["human", "json"])]
    format: String,
    /// The most requests evaluated (past it the answer is marked not exact)
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_requests)]
    max_requests: usize,
    /// The largest policy or polsim.json file read, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = load::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

struct Witness {
    probe: polsim_diff::Probe,
    report: Report,
    request: Request,
}

pub fn run(args: &Args, color: bool) -> u8 {
    super::exit_with(run_checked(args, color), args.format != "human", color)
}

fn question(args: &Args) -> String {
    let scope = match (&args.action, &args.resource) {
        (Some(a), Some(r)) => format!(" `{a}` on `{r}`"),
        (Some(a), None) => format!(" `{a}`"),
        (None, Some(r)) => format!(" anything on `{r}`"),
        (None, None) => " anything".to_string(),
    };
    if args.public {
        format!("is{scope} allowed to the public (anonymous, or any account) without a limiting condition?")
    } else if let Some(a) = &args.outside_account {
        format!("is{scope} allowed to a principal outside account {a}?")
    } else if let Some(o) = &args.outside_org {
        format!("is{scope} allowed to a principal outside organization {o}?")
    } else {
        format!("is{scope} ever allowed, to anyone, under any context?")
    }
}

fn run_checked(args: &Args, color: bool) -> Result<u8, Vec<Diagnostic>> {
    let err =
        |m: String, h: &str| vec![Diagnostic::error(polsim_core::Pos::default(), m).with_help(h)];
    if args.never && (args.action.is_none() || args.resource.is_none()) {
        return Err(err(
            "`--never` asks about one action on one resource".into(),
            "give --action and --resource",
        ));
    }
    let loaded = load_stack(&args.policy, None, args.max_file_size).map_err(|e| e.diags)?;
    let cloud = loaded.cloud.unwrap_or(Cloud::Aws);
    let d = &loaded.defaults;
    let mut query = Query {
        action: args.action.clone(),
        resource: args.resource.clone(),
        ..Query::default()
    };
    if args.public {
        query.callers = Callers::Public;
        query.public = true;
    } else if let Some(a) = &args.outside_account {
        query.callers = Callers::Outside(vec![a.clone()]);
    } else if let Some(o) = &args.outside_org {
        if cloud != Cloud::Aws {
            return Err(err(
                format!("--outside-org reads AWS Organizations' aws:PrincipalOrgID; this stack is for {}", cloud.title()),
                "ask --outside-account for each of the organization's accounts instead",
            ));
        }
        let owner = d
            .resource_account
            .clone()
            .or_else(|| loaded.stack.state.bucket_owner().map(str::to_string));
        let Some(owner) = owner else {
            return Err(err(
                "--outside-org needs the resource owner's account (a caller of it is inside the organization)".into(),
                "set `resource_account` in the folder's polsim.json",
            ));
        };
        query.callers = Callers::Outside(vec![owner]);
        query.excluded = vec![("aws:PrincipalOrgID".into(), o.clone())];
    }
    let side = Side {
        stack: &loaded.stack,
        resource_account: d.resource_account.as_deref(),
        principal: d
            .principal
            .as_deref()
            .map(|p| (p, d.principal_id.as_deref())),
    };
    let limits = Limits {
        max_requests: args.max_requests,
        ..Limits::default()
    };
    let found = polsim_diff::check(cloud, &side, &query, &limits);
    let mut regions: Vec<(Region, Vec<Witness>)> = Vec::new();
    let mut unreproduced = 0usize;
    for r in &found.regions {
        let mut ws = Vec::new();
        for w in &r.witnesses {
            let judged = w
                .probe
                .request(cloud, side.resource_account)
                .ok()
                .and_then(|req| polsim_edge::judge::judge(&loaded.stack, req).ok());
            match judged {
                Some((report, request, _)) if report.decision == Decision::Allow => {
                    ws.push(Witness {
                        probe: w.probe.clone(),
                        report,
                        request,
                    })
                }
                _ => unreproduced += 1,
            }
        }
        if !ws.is_empty() {
            regions.push((r.clone(), ws));
        }
    }
    let code = if unreproduced > 0 {
        EXIT_INVALID
    } else if regions.is_empty() && found.complete() {
        EXIT_OK
    } else {
        EXIT_DENIED
    };
    let exact = found.inexact.is_empty();
    let why: Vec<String> = found.inexact.iter().map(|i| i.describe()).collect();
    let dir = args.policy.as_path();
    if args.format == "json" {
        output::print(&CheckDoc {
            answer: !regions.is_empty(),
            cloud: cloud.name().to_string(),
            exact,
            exit: code,
            inexact: why,
            policy: dir.display().to_string(),
            question: question(args),
            regions: regions
                .iter()
                .map(|(r, ws)| CheckRegionOut {
                    actions: r.actions.clone(),
                    operations: r.operations.clone(),
                    cause: r.cause.as_ref().map(output::StmtLocOut::new),
                    check: r.check.map(str::to_string),
                    context_keys: r.context_keys.clone(),
                    principals: r.principals.clone(),
                    public_by_definition: ws.first().is_some_and(|w| {
                        r.witnesses
                            .iter()
                            .any(|f| f.probe == w.probe && f.head.public_grant)
                    }),
                    requests: r.requests,
                    resources: r.resources.clone(),
                    witnesses: ws
                        .iter()
                        .map(|w| CheckWitnessOut {
                            command: eval_command(Some(dir), &w.probe),
                            evaluation: output::Evaluation::new(&w.report, &w.request, false, &[]),
                            request: probe_out(&w.probe),
                        })
                        .collect(),
                })
                .collect(),
            requests: found.requests,
            schema: output::CHECK_V1.to_string(),
            unreproduced,
            warnings: loaded
                .warnings
                .iter()
                .map(output::DiagnosticOut::from)
                .collect(),
        });
        return Ok(code);
    }
    render::print_diags(&loaded.warnings, color);
    let st = Style::new(color);
    let mut out = format!(
        "polsim check {} [{}]\n{}\n\n",
        dir.display(),
        cloud.title(),
        question(args)
    );
    if regions.is_empty() {
        out.push_str(&format!(
            "  {} no such request is allowed\n",
            st.green("NO:")
        ));
    }
    for (i, (r, ws)) in regions.iter().enumerate() {
        let cause = r.cause.as_ref().map_or_else(
            || super::diff::no_statement(r.check),
            super::diff::place_text,
        );
        let public = r.witnesses.iter().any(|f| f.head.public_grant);
        out.push_str(&format!(
            "  {}. {} granted by {cause}\n",
            i + 1,
            st.red("YES:")
        ));
        if let Some(c) = &r.cause {
            out.push_str(&format!("     statement:  {}\n", c.summary));
        }
        if args.public && public {
            let what = if cloud == Cloud::Aws {
                "S3 Block Public Access reads this statement as public"
            } else {
                "this statement grants to everyone without a limiting condition"
            };
            out.push_str(&format!("     ({what})\n"));
            let limiting = polsim_core::clouds::of(cloud).traits().limiting_keys;
            let pinned = ws.iter().all(|w| {
                w.probe
                    .context
                    .iter()
                    .any(|(k, _)| limiting.iter().any(|l| l.eq_ignore_ascii_case(k)))
            });
            if pinned {
                out.push_str("     (every witness sets a limiting key: a Deny elsewhere keeps other requests out, but the statement itself is public)\n");
            }
        }
        out.push_str(&super::diff::region_lines(r, false));
        for w in ws {
            out.push_str(&format!(
                "     witness: {}\n",
                st.dim(&eval_command(Some(dir), &w.probe))
            ));
            out.push_str(&format!(
                "       {} — {}\n",
                decision_word(w.report.decision),
                w.report.reason
            ));
        }
    }
    if unreproduced > 0 {
        out.push_str(&format!("  {}: {unreproduced} witness request(s) did not reproduce through `polsim eval`; please report it\n", st.red("POLSIM BUG")));
    }
    let how = format!("{} requests evaluated", found.requests);
    if exact {
        out.push_str(&format!("  exact ({how})\n"));
    } else {
        out.push_str(&format!("  NOT EXACT: {} ({how})\n", why.join("; ")));
    }
    out.push_str(&format!(
        "\nexit {code}: {}\n",
        match code {
                        EXIT_OK => "no such access",
            EXIT_DENIED if regions.is_empty() => "the search was cut short by a bound, so such access cannot be ruled out (see NOT EXACT above)",
            EXIT_DENIED => "such access exists (witnesses above)",
            _ => "a witness did not reproduce",
        }
    ));
    out!("{out}");
    Ok(code)
}
