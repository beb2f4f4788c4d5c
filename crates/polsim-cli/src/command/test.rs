//! `polsim test`: run policy test files.

use crate::load::{self, read_text};
use crate::render::{self, Style};
use crate::{EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use polsim_parse::testfile::{check, parse_test_file};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  polsim test policies-examples/aws tests/corpus\n\nA folder means every *.json test file under it (files whose top level has `cases`; policy\ndocuments beside them are skipped). The format is described in docs/test-format.md.\nExit codes: 0 all passed, 1 a case failed, 2 a file could not be read or parsed."
)]
pub struct Args {
    /// Test files or folders (glob patterns are expanded)
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<String>,
    /// Print every case, not only failures
    #[arg(long, short)]
    verbose: bool,
}

pub fn run(args: &Args, color: bool) -> u8 {
    let st = Style::new(color);
    let files = match load::test_files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            render::print_diags(&e.diags, color);
            return EXIT_INVALID;
        }
    };
    let (mut passed, mut failed, mut invalid) = (0usize, 0usize, 0usize);
    // Policy files named by several tests or cases are read once.
    let mut read_once: HashMap<PathBuf, Result<String, String>> = HashMap::new();
    for load::TestInput { path, text } in files {
        let shown = path.display().to_string();
        let text = match text.map_or_else(|| read_text(&path), Ok) {
            Ok(t) => t,
            Err(e) => {
                render::print_diags(&e.diags, color);
                invalid += 1;
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
                render::print_diags(&diags, color);
                invalid += 1;
                continue;
            }
        };
        render::print_diags(&tf.warnings, color);
        for case in &tf.cases {
            let eval = polsim_core::evaluate(&case.stack, &case.request);
            match check(case, &eval) {
                None => {
                    passed += 1;
                    if args.verbose {
                        println!("{} {shown}: {}", st.green("ok"), case.name);
                    }
                }
                Some(f) => {
                    failed += 1;
                    println!(
                        "{} {shown}:{}: {}",
                        st.red("FAIL"),
                        case.pos.line,
                        case.name
                    );
                    for p in &f.problems {
                        println!("    {p}");
                    }
                    let report = polsim_core::Report::new(&eval);
                    for line in render::human(&report, &case.request, None, &st).lines() {
                        println!("    | {line}");
                    }
                }
            }
        }
    }
    if invalid > 0 {
        println!("{invalid} file(s) could not be read or parsed");
    }
    println!("{passed} passed, {failed} failed");
    if invalid > 0 {
        EXIT_INVALID
    } else if failed > 0 {
        EXIT_DENIED
    } else {
        EXIT_OK
    }
}
