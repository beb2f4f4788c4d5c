//! `polsim test`: run policy test files.

use crate::load::{self, read_text};
use crate::output;
use crate::render::{self, Style};
use crate::{EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use polsim_parse::testfile::{check, parse_test_file};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  polsim test policies-examples/aws tests/corpus\n\nA folder means every *.json test file under it (files whose top level has `cases`; policy\ndocuments beside them are skipped). The format is described in docs/test-format.md.\nWith --format json, one polsim.test/v1 document is printed on standard output (docs/cli.md).\nExit codes: 0 all passed, 1 a case failed, 2 a file could not be read or parsed."
)]
pub struct Args {
    /// Test files or folders (glob patterns are expanded)
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<String>,
    /// Print every case, not only failures (human output; JSON always lists every case)
    #[arg(long, short)]
    verbose: bool,
    /// Output format
    #[arg(long, default_value = "human", value_parser = ["human", "json"])]
    format: String,
}

pub fn run(args: &Args, color: bool) -> u8 {
    let json = args.format == "json";
    let st = Style::new(color);
    // Diagnostics: on standard error (human), or into the JSON document (nothing on stderr).
    let files = match load::test_files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            if json {
                output::print(&output::ErrorReport::new(&e.diags));
            } else {
                render::print_diags(&e.diags, color);
            }
            return EXIT_INVALID;
        }
    };
    let mut run = output::TestRun::new();
    // Policy files named by several tests or cases are read once.
    let mut read_once: HashMap<PathBuf, Result<String, String>> = HashMap::new();
    for load::TestInput { path, text } in files {
        let shown = path.display().to_string();
        let text = match text.map_or_else(|| read_text(&path), Ok) {
            Ok(t) => t,
            Err(e) => {
                if json {
                    run.files
                        .push(output::TestFileOut::invalid(&shown, &e.diags));
                } else {
                    render::print_diags(&e.diags, color);
                }
                run.summary.invalid_files += 1;
                continue;
            }
        };
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut reader = |rel: &str| {
            let p = dir.join(rel);
            let text = read_once
                .entry(p.clone())
                .or_insert_with(|| std::fs::read_to_string(&p).map_err(|e| e.to_string()));
            text.clone().map(|t| (p.display().to_string(), t))
        };
        let tf = match parse_test_file(&text, &shown, &mut reader) {
            Ok(tf) => tf,
            Err(diags) => {
                if json {
                    run.files.push(output::TestFileOut::invalid(&shown, &diags));
                } else {
                    render::print_diags(&diags, color);
                }
                run.summary.invalid_files += 1;
                continue;
            }
        };
        if !json {
            render::print_diags(&tf.warnings, color);
        }
        let mut cases = Vec::new();
        for case in &tf.cases {
            let eval = polsim_core::evaluate(&case.stack, &case.request);
            match check(case, &eval) {
                None => {
                    run.summary.passed += 1;
                    if json {
                        cases.push(output::CaseOut {
                            evaluation: None,
                            line: case.pos.line,
                            name: case.name.clone(),
                            passed: true,
                            problems: Vec::new(),
                        });
                    } else if args.verbose {
                        println!("{} {shown}: {}", st.green("ok"), case.name);
                    }
                }
                Some(f) => {
                    run.summary.failed += 1;
                    let report = polsim_core::Report::new(&eval);
                    if json {
                        cases.push(output::CaseOut {
                            evaluation: Some(output::Evaluation::new(
                                &report,
                                &case.request,
                                false,
                                &[],
                            )),
                            line: case.pos.line,
                            name: case.name.clone(),
                            passed: false,
                            problems: f.problems,
                        });
                        continue;
                    }
                    println!(
                        "{} {shown}:{}: {}",
                        st.red("FAIL"),
                        case.pos.line,
                        case.name
                    );
                    for p in &f.problems {
                        println!("    {p}");
                    }
                    for line in render::human(&report, &case.request, None, &st).lines() {
                        println!("    | {line}");
                    }
                }
            }
        }
        if json {
            run.files.push(output::TestFileOut {
                cases,
                cloud: Some(tf.cloud.name().into()),
                errors: Vec::new(),
                name: tf.name.clone(),
                path: shown,
                warnings: tf
                    .warnings
                    .iter()
                    .map(output::DiagnosticOut::from)
                    .collect(),
            });
        }
    }
    let output::TestSummary {
        passed,
        failed,
        invalid_files: invalid,
    } = run.summary;
    if json {
        output::print(&run);
    } else {
        if invalid > 0 {
            println!("{invalid} file(s) could not be read or parsed");
        }
        println!("{passed} passed, {failed} failed");
    }
    if invalid > 0 {
        EXIT_INVALID
    } else if failed > 0 {
        EXIT_DENIED
    } else {
        EXIT_OK
    }
}
