//! polsim-edge: where polsim meets the disk and the reader, shared by the `polsim` command and
//! the property-test kit (`polsim-proptest`), so that a property test loads a repository's
//! stacks exactly as `polsim eval` and `polsim test` do and explains a failure in the same words.
//!
//! - [`load`]: stack folders (layer sub-folders, `polsim.json`, resource state), test files
//!   and context files, bounded in size, refusing links and anything but files and folders.
//! - [`named`]: the files a test file names, confined to its folder tree.
//! - [`command`]: the `polsim eval` command line that asks a request again.
//! - [`judge`]: one request judged as `polsim eval` judges it, with its report.
//! - [`render`]: the human explanation of a decision.

pub mod command;
pub mod judge;
pub mod load;
pub mod named;
pub mod render;
