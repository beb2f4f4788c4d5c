//! One module per subcommand.

pub mod check;
pub mod diff;
pub mod eval;
pub mod git;
pub mod iac;
pub mod test;
