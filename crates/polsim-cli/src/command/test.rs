//! `polsim test`: run policy test files.

use crate::load::{self, read_text};
use crate::output;
use crate::render::{self, Style};
use crate::{EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use polsim_edge::named::{allowed_roots, read_named};
use polsim_parse::diag::visible as v;
use polsim_parse::testfile::{check, read_test_file};
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  polsim test policies-examples/aws tests/corpus\n\nA folder means every *.json test file under it (files whose top level has `cases`; policy\ndocuments beside them are skipped). The format is described in docs/test-format.md.\nWith --format json, one polsim.test/v1 document is printed on standard output; with --format junit, JUnit XML (docs/cli.md).\nFiles a test file names must lie in its folder tree (--allow-path widens it).\nExit codes: 0 all passed, 1 a case failed, 2 a file could not be read or parsed, or no test case was found."
)]
pub struct Args {
    /// Test files or folders (glob patterns are expanded)
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<String>,
    /// Print every case, not only failures (human output; JSON always lists every case)
    #[arg(long, short)]
    verbose: bool,
    /// Output format
    #[arg(long, default_value = "human", value_parser = ["human", "json", "junit"])]
    format: String,
    /// Also let test files name files under DIR (by default only files in the test file's own
    /// folder tree); repeatable
    #[arg(long, value_name = "DIR")]
    allow_path: Vec<PathBuf>,
    /// The largest test or policy file read, in bytes (larger files are an error)
    #[arg(long, value_name = "BYTES", default_value_t = load::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

pub fn run(args: &Args, color: bool) -> u8 {
    // `json` and `junit` both collect the run into `polsim.test/v1` types and print one
    // document on standard output, with nothing on standard error.
    let junit = args.format == "junit";
    let json = args.format == "json" || junit;
    let st = Style::new(color);
    let error_document = |diags: &[polsim_parse::Diagnostic]| {
        if junit {
            let mut run = output::TestRun::new();
            run.files
                .push(output::TestFileOut::invalid("polsim test", diags));
            run.summary.invalid_files = 1;
            out!("{}", crate::junit::render(&run, &[]));
        } else {
            output::print(&output::ErrorReport::new(diags));
        }
    };
    // Diagnostics: on standard error (human), or into the JSON document (nothing on stderr).
    for a in &args.allow_path {
        if !std::fs::metadata(a).is_ok_and(|m| m.is_dir()) {
            let d = polsim_parse::Diagnostic::error(
                polsim_core::Pos::default(),
                format!("`--allow-path {}` is not a folder", a.display()),
            );
            if json {
                error_document(&[d]);
            } else {
                render::print_diags(&[d], color);
            }
            return EXIT_INVALID;
        }
    }
    let load::Found {
        inputs: files,
        problems,
    } = load::test_files(&args.paths, args.max_file_size);
    if files.is_empty() {
        let diags: Vec<_> = problems.into_iter().flat_map(|(_, d)| d).collect();
        if json {
            error_document(&diags);
        } else {
            render::print_diags(&diags, color);
        }
        return EXIT_INVALID;
    }
    let mut run = output::TestRun::new();
    // For JUnit, each file's failure explanations, by case (beside `run.files`).
    let mut details: Vec<Vec<String>> = Vec::new();
    // Policy files named by several tests or cases are read once.
    let mut read_once: HashMap<PathBuf, Result<String, String>> = HashMap::new();
    // A folder, file or pattern that could not be read or held no test: reported, counted, and
    // the other files still run.
    for (shown, diags) in &problems {
        if json {
            run.files.push(output::TestFileOut::invalid(shown, diags));
        } else {
            render::print_diags(diags, color);
        }
        run.summary.invalid_files += 1;
    }
    for load::TestInput { path, text } in files {
        let shown = path.display().to_string();
        let text = match text.map_or_else(|| read_text(&path, args.max_file_size), Ok) {
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
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let roots = allowed_roots(&dir, &args.allow_path);
        let max = args.max_file_size;
        let mut reader = |rel: &str| read_named(&dir, rel, &roots, max, &mut read_once);
        // Cases are judged as they are read (one in memory at a time); their results are kept
        // aside until the file is read to its end, since a later error makes the whole file
        // invalid and its cases are then not run.
        let mut file = FileResults::default();
        let read = read_test_file(text, &shown, &mut reader, &mut |case| {
            judge_case(&case, &shown, json, junit, args.verbose, &st, &mut file)
        });
        let tf = match read {
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
            out!("{}", file.text);
        }
        run.summary.passed += file.passed;
        run.summary.failed += file.failed;
        if json {
            details.push(file.details);
            run.files.push(output::TestFileOut {
                cases: file.cases,
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
    if junit {
        // Files that were not run have no details: `render` finds none for them.
        let mut aligned: Vec<Vec<String>> = Vec::with_capacity(run.files.len());
        let mut given = details.into_iter();
        for f in &run.files {
            aligned.push(if f.errors.is_empty() {
                given.next().unwrap_or_default()
            } else {
                Vec::new()
            });
        }
        out!("{}", crate::junit::render(&run, &aligned));
    } else if json {
        output::print(&run);
    } else {
        if invalid > 0 {
            outln!("{invalid} file(s) could not be read or parsed");
        }
        outln!("{passed} passed, {failed} failed");
    }
    // A run that tested nothing never passes. (Every test file has a case, since a file without
    // is invalid, so `invalid > 0` already holds then; this is the belt to those braces.)
    if invalid > 0 || passed + failed == 0 {
        EXIT_INVALID
    } else if failed > 0 {
        EXIT_DENIED
    } else {
        EXIT_OK
    }
}

/// What the cases of one test file gave, kept until the file is read to its end.
#[derive(Default)]
struct FileResults {
    passed: usize,
    failed: usize,
    /// The human output of its cases.
    text: String,
    /// The JSON output of its cases.
    cases: Vec<output::CaseOut>,
    /// For JUnit, by case: the unmet expectations and the explanation of a failure (empty for
    /// a pass).
    details: Vec<String>,
}

/// Judges one case: the decision path first, the explanation only for a failure.
fn judge_case(
    case: &polsim_parse::testfile::TestCase,
    shown: &str,
    json: bool,
    junit: bool,
    verbose: bool,
    st: &Style,
    file: &mut FileResults,
) {
    use std::fmt::Write as _;
    // The request as the cloud's storage service judges it: every action its operation
    // needs, the service's own requests and checks.
    let plan = match polsim_core::flow::plan(&case.stack, &case.request) {
        Ok(p) => p,
        Err(u) => {
            // The test-file parser refuses unknown operations; this is a defect if seen.
            file.failed += 1;
            let _ = writeln!(
                file.text,
                "{} {}: unknown operation `{}`",
                st.red("FAIL"),
                v(&case.name),
                v(&u.name)
            );
            return;
        }
    };
    // The decision path first; the explanation is built only for a failure (the same
    // evaluation with per-statement records: the invariants test that both agree).
    let fast = polsim_core::flow::evaluate_plan(&plan, false);
    let failed = check(case, &plan, &fast);
    let se = if failed.is_some() {
        polsim_core::flow::evaluate_plan(&plan, true)
    } else {
        fast
    };
    match failed.and_then(|_| check(case, &plan, &se)) {
        None => {
            file.passed += 1;
            if json {
                file.cases.push(output::CaseOut {
                    evaluation: None,
                    line: case.pos.line,
                    name: case.name.clone(),
                    passed: true,
                    problems: Vec::new(),
                });
                if junit {
                    file.details.push(String::new());
                }
            } else if verbose {
                let _ = writeln!(
                    file.text,
                    "{} {}: {}",
                    st.green("ok"),
                    v(shown),
                    v(&case.name)
                );
            }
        }
        Some(f) => {
            file.failed += 1;
            let Some(report) = polsim_core::Report::for_service(&plan, &se) else {
                return;
            };
            if junit {
                let mut detail = f.problems.join("\n");
                let plain = Style::new(false);
                for line in render::human(&report, &case.request, None, &plain).lines() {
                    let _ = write!(detail, "\n| {line}");
                }
                file.details.push(detail);
                file.cases.push(output::CaseOut {
                    evaluation: None,
                    line: case.pos.line,
                    name: case.name.clone(),
                    passed: false,
                    problems: f.problems,
                });
                return;
            }
            if json {
                file.cases.push(output::CaseOut {
                    evaluation: Some(output::Evaluation::new(&report, &case.request, false, &[])),
                    line: case.pos.line,
                    name: case.name.clone(),
                    passed: false,
                    problems: f.problems,
                });
                return;
            }
            let _ = writeln!(
                file.text,
                "{} {}:{}: {}",
                st.red("FAIL"),
                v(shown),
                case.pos.line,
                v(&case.name)
            );
            for p in &f.problems {
                let _ = writeln!(file.text, "    {}", v(p));
            }
            for line in render::human(&report, &case.request, None, st).lines() {
                let _ = writeln!(file.text, "    | {line}");
            }
        }
    }
}
