//! The files a test file names: read only inside the test file's own folder tree (and the
//! folders the user widens it to), checked as written and once links are resolved, each read
//! once per run.

use crate::load::read_bounded;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The folders a test file in `dir` may name files in: its own folder tree, and each
/// `--allow-path`, each both as written (made absolute, `..` removed) and resolved.
pub struct Roots {
    written: Vec<PathBuf>,
    resolved: Vec<PathBuf>,
}

/// The roots for a test file in `dir`, widened by `allow`.
pub fn allowed_roots(dir: &Path, allow: &[PathBuf]) -> Roots {
    let all = || std::iter::once(dir).chain(allow.iter().map(PathBuf::as_path));
    Roots {
        written: all().filter_map(lexical).collect(),
        resolved: all()
            .filter_map(|d| std::fs::canonicalize(d).ok())
            .collect(),
    }
}

/// `path` made absolute with `.` and `..` removed, without looking at the file system.
fn lexical(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in std::path::absolute(path).ok()?.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Reads a file a test file names (`rel`, relative to the test file's folder `dir`), if it lies
/// inside one of `roots`, as written (`..` and absolute paths) and once links are resolved. A
/// path outside is refused before it is opened (or even resolved), so nothing of the file, not
/// even whether it exists, can reach a diagnostic.
pub fn read_named(
    dir: &Path,
    rel: &str,
    roots: &Roots,
    max: u64,
    read_once: &mut HashMap<PathBuf, Result<String, String>>,
) -> Result<(String, String), String> {
    let p = dir.join(rel);
    let outside = || {
        format!(
            "it is outside the test file's folder `{}`; `--allow-path DIR` lets test files name files under DIR",
            dir.display()
        )
    };
    let written = lexical(&p).ok_or_else(|| format!("cannot make `{}` absolute", p.display()))?;
    if !roots.written.iter().any(|r| written.starts_with(r)) {
        return Err(outside());
    }
    let real = std::fs::canonicalize(&p).map_err(|e| match std::fs::read_link(&p) {
        Ok(t) => format!(
            "it is a symbolic link to `{}`, which cannot be read ({e})",
            t.display()
        ),
        Err(_) => e.to_string(),
    })?;
    if !roots.resolved.iter().any(|r| real.starts_with(r)) {
        return Err(format!("{} (through a symbolic link)", outside()));
    }
    let text = read_once
        .entry(real.clone())
        .or_insert_with(|| read_bounded(&real, max));
    text.clone().map(|t| (p.display().to_string(), t))
}
