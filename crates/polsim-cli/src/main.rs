//! `polsim`: evaluate, explain and test cloud access policies offline.
//!
//! `main` only parses the command line and dispatches to one module per subcommand under
//! [`command`]; reading files lives in [`load`], human output in [`render`], the JSON
//! documents in [`output`].

/// `print!` that ignores a closed standard output (a reader such as `head` that went away)
/// rather than panicking, as `print!` does.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `println!` that ignores a closed standard output (see `out!`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// See the workspace's `Cargo.toml`: small allocations dominate loading and batch mode.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod command;
mod junit;
use polsim_edge::load;
mod output;
mod render;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code for allowed / all tests passed.
pub const EXIT_OK: u8 = 0;
/// Exit code for denied / a test failed.
pub const EXIT_DENIED: u8 = 1;
/// Exit code for invalid input.
pub const EXIT_INVALID: u8 = 2;

#[derive(Parser)]
#[command(
    name = "polsim",
    version,
    about = "Offline policy simulator for AWS IAM, Alibaba Cloud RAM and Tencent Cloud CAM: finds the policy and statement behind a 403 Access Denied",
    after_help = "Examples:\n  polsim eval --policy policies-examples/aws/bucket-policy-vpce-only --action s3:GetObject \\\n      --resource arn:aws:s3:::DOC-EXAMPLE-BUCKET/report.csv --context aws:SourceVpce=vpce-99999999\n  polsim test policies-examples/aws\n  polsim diff --base origin/main policies\n  polsim check --policy policies-examples/pre-merge/check-public-read --public\n\nExit codes: 0 allowed / all tests passed / no change, 1 denied / a test failed / access widened, 2 invalid input."
)]
struct Cli {
    /// Colour: auto (when writing to a terminal), always or never
    #[arg(long, global = true, default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one request against a policy stack and explain the decision
    Eval(Box<command::eval::Args>),
    /// Run policy test files and report the cases that do not get their expected decision
    Test(command::test::Args),
    /// Show what a policy change newly allows or denies, each finding with a witness request
    Diff(command::diff::Args),
    /// Answer a reviewer's question about a stack (--public, --outside-account, --outside-org, --never), with a witness
    Check(command::check::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = render::use_color(&cli.color);
    let code = match cli.command {
        Command::Eval(args) => command::eval::run(&args, color),
        Command::Test(args) => command::test::run(&args, color),
        Command::Diff(args) => command::diff::run(&args, color),
        Command::Check(args) => command::check::run(&args, color),
    };
    ExitCode::from(code)
}
