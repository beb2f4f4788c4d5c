//! One module per subcommand.

pub mod account;
pub mod batch;
pub mod check;
pub mod diff;
pub mod eval;
pub mod git;
pub mod iac;
pub mod test;

/// The exit status of a command that either ran (`Ok(code)`) or was refused as invalid input:
/// its diagnostics go to standard error, or, for a machine-readable format, as a
/// `polsim.error/v1` document to standard output (exit 2).
pub fn exit_with(
    result: Result<u8, Vec<polsim_parse::Diagnostic>>,
    machine: bool,
    color: bool,
) -> u8 {
    match result {
        Ok(code) => code,
        Err(diags) => {
            if machine {
                crate::output::print(&crate::output::ErrorReport::new(&diags));
            } else {
                crate::render::print_diags(&diags, color);
            }
            crate::EXIT_INVALID
        }
    }
}
