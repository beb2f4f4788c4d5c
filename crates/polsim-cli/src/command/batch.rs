//! `polsim eval --requests FILE.jsonl`: many requests against one stack, one JSON result per
//! line in input order, judged across cores.
//!
//! Lines are read in chunks (so memory stays flat however long the batch is), each chunk judged
//! in parallel with rayon and written in order. A line that is not a valid request gets a
//! result with its errors (and the batch goes on); the exit status is then 2. `--shard K/N`
//! keeps the lines whose number is K modulo N, so that N machines split one batch.

use crate::load::LoadedStack;
use crate::output::{self, BatchLineOut, DecidedByOut, DiagnosticOut};
use crate::{EXIT_INVALID, EXIT_OK};
use polsim_core::Request;
use polsim_parse::testfile::{parse_request, RequestDefaults};
use polsim_parse::Diagnostic;
use rayon::prelude::*;
use std::io::{BufRead, IsTerminal as _, Write as _};
use std::path::Path;

/// How a batch is run.
pub struct Batch<'a> {
    /// The file of requests, or `-` for standard input.
    pub requests: &'a str,
    /// Whether each result carries the full explanation.
    pub explain: bool,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// `(k, n)`: keep the lines whose number is k modulo n (1-based k).
    pub shard: Option<(usize, usize)>,
    /// The longest line read, in bytes.
    pub max_line: u64,
}

/// Reads `--shard K/N`.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`--shard {text}` is not K/N with 1 ≤ K ≤ N (such as 1/4)");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// How many lines are judged together (each chunk in parallel, written in order).
const CHUNK: usize = 4096;

enum Line {
    /// A line to judge: its number and text.
    Text(usize, String),
    /// A line that could not be read as text: its number and why.
    Unreadable(usize, String),
}

/// Reads one line of at most `max` bytes; a longer one is skipped to its end and reported.
fn read_line(
    r: &mut dyn BufRead,
    max: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Result<(), String>>> {
    buf.clear();
    let mut too_long = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(if buf.is_empty() && !too_long {
                None
            } else {
                Some(if too_long {
                    Err(format!("the line is longer than {max} bytes"))
                } else {
                    Ok(())
                })
            });
        }
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            buf.extend_from_slice(chunk.get(..take).unwrap_or(&[]));
            if buf.len() as u64 > max + 1 {
                too_long = true;
                buf.clear();
            }
        }
        r.consume(take);
        if done {
            return Ok(Some(if too_long {
                Err(format!("the line is longer than {max} bytes"))
            } else {
                Ok(())
            }));
        }
    }
}

fn statement_out(s: polsim_core::StatementRef<'_>) -> DecidedByOut {
    DecidedByOut {
        col: s.stmt.pos.col,
        effect: s.stmt.effect.name().to_string(),
        file: s.policy.file.clone(),
        line: s.stmt.pos.line,
        policy: s.policy.id.clone(),
        sid: s.stmt.sid.clone().filter(|x| !x.is_empty()),
    }
}

/// Diagnostics about one line, located on it (they were read from the line alone).
fn on_line(line: usize, diags: &[Diagnostic]) -> Vec<DiagnosticOut> {
    diags
        .iter()
        .map(|d| {
            let mut o = DiagnosticOut::from(d);
            o.line = u32::try_from(line).unwrap_or(u32::MAX);
            o
        })
        .collect()
}

fn error_line(line: usize, id: Option<String>, diags: &[Diagnostic]) -> BatchLineOut {
    BatchLineOut {
        error: Some(on_line(line, diags)),
        id,
        line,
        ..BatchLineOut::empty()
    }
}

/// Judges one request: the decision path (no explanation), or with `explain` the path `polsim
/// eval` prints (`polsim_edge::judge::judge`).
fn judge(
    loaded: &LoadedStack,
    line: usize,
    id: Option<String>,
    mut req: Request,
    warnings: Vec<Diagnostic>,
    explain: bool,
) -> BatchLineOut {
    if explain {
        return match polsim_edge::judge::judge(&loaded.stack, req) {
            Ok((report, req, more)) => {
                let all: Vec<Diagnostic> = warnings.into_iter().chain(more).collect();
                let mut out = BatchLineOut {
                    decision: Some(report.decision.name().to_string()),
                    id,
                    line,
                    ..BatchLineOut::empty()
                };
                out.evaluation = Some(output::Evaluation::new(&report, &req, false, &all));
                out
            }
            Err(d) => error_line(line, id, &d),
        };
    }
    let profile = polsim_core::clouds::of(req.cloud);
    if let Err(problem) = polsim_core::service::settle_action(profile, &mut req) {
        let op = req.extras.operation.clone().unwrap_or_default();
        let (msg, help) =
            polsim_parse::testfile::operation_problem(req.cloud, &op, &req.action, problem);
        return error_line(
            line,
            id,
            &[Diagnostic::error(polsim_core::Pos::default(), msg).with_help(help)],
        );
    }
    let plan = match polsim_core::flow::plan(&loaded.stack, &req) {
        Ok(p) => p,
        Err(u) => {
            return error_line(
                line,
                id,
                &[polsim_edge::judge::unknown_operation(req.cloud, &u)],
            )
        }
    };
    let se = polsim_core::flow::evaluate_plan(&plan, false);
    let deciding = se.deciding();
    BatchLineOut {
        check: se.verdict.check.map(|c| c.name().to_string()),
        decision: Some(se.verdict.decision.name().to_string()),
        error_code: Some(se.verdict.error_code.to_string()),
        id,
        layer: deciding
            .and_then(|e| e.verdict.layer)
            .map(|l| l.name().to_string()),
        line,
        statement: deciding
            .and_then(|e| e.verdict.statement)
            .map(statement_out),
        status: Some(se.verdict.status),
        warnings: on_line(line, &warnings),
        ..BatchLineOut::empty()
    }
}

fn judge_line(
    loaded: &LoadedStack,
    defaults: &RequestDefaults<'_>,
    name: &str,
    l: &Line,
    explain: bool,
) -> BatchLineOut {
    match l {
        Line::Unreadable(n, why) => error_line(
            *n,
            None,
            &[Diagnostic::error(polsim_core::Pos::default(), why.clone())],
        ),
        Line::Text(n, text) => {
            let cloud = loaded.cloud.unwrap_or(polsim_core::Cloud::Aws);
            match parse_request(text, name, cloud, defaults) {
                Ok((req, id, warnings)) => judge(loaded, *n, id, req, warnings, explain),
                Err(d) => {
                    let id = polsim_parse::json::parse(text)
                        .ok()
                        .and_then(|j| j.get("id").and_then(polsim_parse::json::Json::scalar_text));
                    error_line(*n, id, &d)
                }
            }
        }
    }
}

/// Runs a batch: one result line per request line on standard output. Exit 0 when every line
/// was a valid request, 2 when any was not (its result line says why).
pub fn run(loaded: &LoadedStack, b: &Batch<'_>) -> Result<u8, Vec<Diagnostic>> {
    let d = &loaded.defaults;
    let cloud = loaded.cloud.unwrap_or(polsim_core::Cloud::Aws);
    let default_principal = match &d.principal {
        Some(p) => p.clone(),
        None => polsim_core::clouds::of(cloud).default_principal(
            d.resource_account
                .as_deref()
                .or(loaded.stack.state.bucket_owner()),
            "",
        ),
    };
    let default_caller =
        polsim_parse::testfile::parse_caller(cloud, &default_principal, d.principal_id.as_deref())
            .ok();
    let defaults = RequestDefaults {
        principal: &default_principal,
        principal_id: d.principal_id.as_deref(),
        federated_by: d.federated_by.as_deref(),
        resource_account: d.resource_account.as_deref(),
        context: &d.context,
        caller: default_caller.as_ref(),
    };
    let fail = |m: String| vec![Diagnostic::error(polsim_core::Pos::default(), m)];
    let (mut reader, total): (Box<dyn BufRead>, Option<u64>) = if b.requests == "-" {
        (Box::new(std::io::BufReader::new(std::io::stdin())), None)
    } else {
        let path = Path::new(b.requests);
        let meta = std::fs::metadata(path)
            .map_err(|e| fail(format!("cannot read `{}`: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(fail(format!("`{}` is not a regular file", path.display())));
        }
        let f = std::fs::File::open(path)
            .map_err(|e| fail(format!("cannot read `{}`: {e}", path.display())))?;
        (
            Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            Some(meta.len()),
        )
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(b.jobs)
        .build()
        .map_err(|e| fail(format!("cannot start the worker threads: {e}")))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = match total {
            Some(t) => indicatif::ProgressBar::new(t),
            None => indicatif::ProgressBar::new_spinner(),
        };
        let style = indicatif::ProgressStyle::with_template(if total.is_some() {
            "{spinner} {bytes}/{total_bytes} [{bar:30}] {msg} ({eta})"
        } else {
            "{spinner} {bytes} read, {msg}"
        })
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    });
    let name = if b.requests == "-" {
        "<stdin>"
    } else {
        b.requests
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line_no = 0usize;
    let mut invalid = 0usize;
    let mut judged = 0usize;
    let mut buf = Vec::new();
    loop {
        let mut chunk: Vec<Line> = Vec::with_capacity(CHUNK);
        let mut bytes = 0u64;
        while chunk.len() < CHUNK {
            let got = read_line(&mut *reader, b.max_line, &mut buf)
                .map_err(|e| fail(format!("cannot read `{name}`: {e}")))?;
            let Some(got) = got else { break };
            line_no += 1;
            bytes += buf.len() as u64;
            if let Some((k, n)) = b.shard {
                if (line_no - 1) % n != k - 1 {
                    continue;
                }
            }
            match got {
                Err(why) => chunk.push(Line::Unreadable(line_no, why)),
                Ok(()) => match std::str::from_utf8(&buf) {
                    Ok(t) if t.trim().is_empty() => {}
                    Ok(t) => chunk.push(Line::Text(
                        line_no,
                        t.trim_end_matches(['\n', '\r']).to_string(),
                    )),
                    Err(_) => chunk.push(Line::Unreadable(
                        line_no,
                        "the line is not UTF-8 text".into(),
                    )),
                },
            }
        }
        if chunk.is_empty() && bytes == 0 {
            break;
        }
        // Judged and written as JSON on the workers; printed here, in order.
        let results: Vec<(bool, String)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|l| {
                    let r = judge_line(loaded, &defaults, name, l, b.explain);
                    let text = serde_json::to_string(&r).unwrap_or_else(|e| {
                        format!("{{\"schema\":\"polsim.batch/v1\",\"line\":{},\"error\":[{{\"message\":\"cannot write the result: {e}\"}}]}}", r.line)
                    });
                    (r.error.is_some(), text)
                })
                .collect()
        });
        for (bad, text) in &results {
            if *bad {
                invalid += 1;
            }
            judged += 1;
            if writeln!(out, "{text}").is_err() {
                // The reader went away (a closed pipe): nothing more to say.
                return Ok(if invalid > 0 { EXIT_INVALID } else { EXIT_OK });
            }
        }
        if let Some(bar) = &bar {
            bar.inc(bytes);
            bar.set_message(format!("{judged} requests, {invalid} invalid"));
        }
    }
    let _ = out.flush();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if invalid > 0 {
        eprintln!("polsim: {invalid} of {judged} request lines are not valid requests (their results say why)");
        return Ok(EXIT_INVALID);
    }
    Ok(EXIT_OK)
}
