//! Terminal concerns of the command: whether to colour, and diagnostics on standard error. The
//! explanation's text is `polsim_edge::render`.

use polsim_parse::Diagnostic;
use std::io::{IsTerminal, Write as _};

pub use polsim_edge::render::{human, Style};

/// Whether to colour standard output.
pub fn use_color(choice: &str) -> bool {
    match choice {
        "always" => true,
        "never" => false,
        _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Prints diagnostics to standard error, each with a frame drawn from the source text it
/// carries: no file is read here (a file read twice could have changed, or be a FIFO).
/// Coloured when the CLI's colour is on.
pub fn print_diags(diags: &[Diagnostic], color: bool) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = err.write_all(d.render_color(color).as_bytes());
    }
}
