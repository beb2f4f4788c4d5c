//! Reading a folder as it is at a git revision, for `polsim diff --base origin/main`.
//!
//! The files are read with git itself (`git ls-tree`, `git cat-file`) into a temporary folder
//! of polsim's own, removed when the run ends: the user's work tree, index and refs are never
//! touched. Symbolic links and submodules in the folder are refused (a link could point outside
//! what the user named; a submodule's policies are not in the revision).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A folder read from a revision. Dropping it removes the temporary copy.
pub struct Extracted {
    /// The copy of the folder the user named.
    pub dir: PathBuf,
    /// `REV:path/in/repo` (or `REV` for the top of the repository).
    pub label: String,
    root: PathBuf,
}

impl Drop for Extracted {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            err.lines().next().unwrap_or("").trim()
        ));
    }
    Ok(out.stdout)
}

fn line(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// A temporary folder name no other run uses.
fn temp_root() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!(
        "polsim-diff-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Reads `folder` (inside a git work tree) as it is at `rev`.
pub fn extract(folder: &Path, rev: &str) -> Result<Extracted, String> {
    if rev.starts_with('-') {
        return Err(format!("`{rev}` is not a folder or a git revision"));
    }
    if !folder.is_dir() {
        return Err(format!("`{}` is not a folder", folder.display()));
    }
    let top = line(git(folder, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        format!(
            "`{rev}` is not a folder, and `{}` is not in a git repository to read it as a revision ({e})",
            folder.display()
        )
    })?);
    let prefix = line(git(folder, &["rev-parse", "--show-prefix"])?);
    let commit = line(
        git(
            folder,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| {
            format!("`{rev}` is not a folder, nor a revision of the repository at `{top}`")
        })?,
    );
    let top = PathBuf::from(top);
    let mut ls = vec!["ls-tree", "-r", "-z", "--full-tree", commit.as_str()];
    if !prefix.is_empty() {
        ls.extend(["--", prefix.as_str()]);
    }
    let listing = git(&top, &ls)?;
    let root = temp_root();
    let dir = root.join("tree");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let x = Extracted {
        dir: dir.clone(),
        label: if prefix.is_empty() {
            rev.to_string()
        } else {
            format!("{rev}:{}", prefix.trim_end_matches('/'))
        },
        root,
    };
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut m = meta.split(' ');
        let (mode, kind, sha) = (
            m.next().unwrap_or(""),
            m.next().unwrap_or(""),
            m.next().unwrap_or(""),
        );
        let rel = path.strip_prefix(prefix.as_str()).unwrap_or(path);
        // Paths come from git: refuse anything that could climb out of the copy.
        if rel.split('/').any(|c| c == ".." || c.is_empty()) || rel.starts_with('/') {
            return Err(format!("`{path}` at {rev}: not a path polsim writes"));
        }
        match (mode, kind) {
            ("120000", _) => {
                return Err(format!(
                    "`{path}` is a symbolic link at {rev}: polsim does not follow links read from a revision"
                ))
            }
            (_, "commit") => {
                return Err(format!(
                    "`{path}` is a submodule at {rev}: its policies are not in the revision"
                ))
            }
            (_, "blob") => {}
            _ => continue,
        }
        let bytes = git(&top, &["cat-file", "blob", sha])?;
        let target = dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot write the copy of `{path}`: {e}"))?;
        }
        std::fs::write(&target, bytes)
            .map_err(|e| format!("cannot write the copy of `{path}`: {e}"))?;
    }
    Ok(x)
}
