//! A policy repository's own stacks, loaded exactly as `polsim eval` and `polsim test` load
//! them: a stack folder (`identity/`, `resource/`, ..., `polsim.json`), a test file (its
//! top-level stack, with its cases' requests as seeds of the vocabulary), or a folder of
//! either.
//!
//! Loading fails closed: a file that does not parse, a link to a folder, a folder with no
//! stack, is an error with its diagnostics, never a stack silently left out.

use crate::vocab::{Defaults, Probe, Vocabulary};
use polsim_core::{Cloud, CtxValue, Stack};
use polsim_edge::load::{self, DEFAULT_MAX_FILE_SIZE};
use polsim_parse::Diagnostic;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a repository's stacks could not be loaded: polsim's diagnostics (file, line, column,
/// what was expected, a hint).
#[derive(Debug, Clone)]
pub struct LoadError {
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.diagnostics {
            f.write_str(&d.render())?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

impl From<Vec<Diagnostic>> for LoadError {
    fn from(diagnostics: Vec<Diagnostic>) -> LoadError {
        LoadError { diagnostics }
    }
}

fn error(path: &Path, message: String, help: &str) -> LoadError {
    LoadError {
        diagnostics: vec![Diagnostic::error(polsim_core::Pos::default(), message)
            .with_help(help)
            .in_file(Some(&path.display().to_string()))],
    }
}

/// Where a stack came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A stack folder.
    Folder,
    /// A test file's top-level stack.
    TestFile,
}

/// One stack of the repository, with the request defaults its folder gives and the words
/// requests about it are made of.
#[derive(Debug, Clone)]
pub struct RepoStack {
    /// The path, as given (what `polsim eval --policy` or `polsim test` takes).
    pub path: PathBuf,
    /// A stack folder or a test file.
    pub origin: Origin,
    /// The cloud whose rules judge it.
    pub cloud: Cloud,
    /// The policies and the resource's state.
    pub stack: Arc<Stack>,
    /// The caller, resource owner and context every request carries.
    pub defaults: Defaults,
    /// The requests the test file already asks (none for a folder).
    pub seeds: Vec<Probe>,
    /// The warnings loading it gave, rendered (the cloud accepts the input; polsim points at it).
    pub warnings: Vec<String>,
    /// The words requests are drawn from.
    pub vocabulary: Vocabulary,
}

impl RepoStack {
    /// The name shown in reports: the path.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Loads one stack: a stack folder or a test file.
pub fn load(path: impl AsRef<Path>) -> Result<RepoStack, LoadError> {
    let path = path.as_ref();
    let meta = std::fs::symlink_metadata(path).map_err(|e| {
        error(
            path,
            format!("cannot read `{}`: {e}", path.display()),
            "give a stack folder (identity/, resource/, ..., polsim.json) or a test file",
        )
    })?;
    if meta.is_dir() {
        if !load::is_stack(path) {
            return Err(error(
                path,
                format!("`{}` is not a stack folder: it holds no layer folder, state file or polsim.json", path.display()),
                "a stack folder holds identity/, resource/, scp/<level>/, ... or polsim.json; for a folder of stacks, use load_all",
            ));
        }
        folder(path)
    } else {
        test_file(path)
    }
}

/// Loads every stack under `path`: a stack folder is one; otherwise each stack folder and
/// each test file (a `*.json` file whose top level has `cases`) under it, in name order.
/// Finding none is an error, and so is a link to a folder.
pub fn load_all(path: impl AsRef<Path>) -> Result<Vec<RepoStack>, LoadError> {
    let path = path.as_ref();
    if !path.is_dir() {
        return load(path).map(|s| vec![s]);
    }
    let mut out = Vec::new();
    for rel in load::stacks_in(
        path,
        [
            "load_all takes a stack folder or a folder of them",
            "point at the folder the link leads to, or copy the stack in",
        ],
    )
    .map_err(|d| LoadError::from(vec![d]))?
    {
        out.push(folder(&path.join(rel))?);
    }
    let found = load::test_files(&[path.display().to_string()], DEFAULT_MAX_FILE_SIZE);
    for input in found.inputs {
        // A test file inside a stack folder is that stack's, and tests it: load it too.
        out.push(test_file(&input.path)?);
    }
    if out.is_empty() {
        return Err(error(
            path,
            format!("no stack folder or test file under `{}`", path.display()),
            "a stack folder holds identity/, resource/, ... or polsim.json; a test file is a *.json file with `cases`",
        ));
    }
    Ok(out)
}

fn folder(path: &Path) -> Result<RepoStack, LoadError> {
    let loaded = load::load_stack(path, None, DEFAULT_MAX_FILE_SIZE)
        .map_err(|e| LoadError::from(e.diags))?;
    let cloud = loaded.cloud.unwrap_or(Cloud::Aws);
    let d = &loaded.defaults;
    let defaults = Defaults {
        principal: d.principal.clone(),
        principal_id: d.principal_id.clone(),
        resource_account: d
            .resource_account
            .clone()
            .or_else(|| loaded.stack.state.bucket_owner().map(str::to_string)),
        context: d
            .context
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    };
    let vocabulary = Vocabulary::of(cloud, &loaded.stack, &defaults, &[]);
    Ok(RepoStack {
        path: path.to_path_buf(),
        origin: Origin::Folder,
        cloud,
        warnings: loaded.warnings.iter().map(Diagnostic::render).collect(),
        stack: Arc::new(loaded.stack),
        defaults,
        seeds: Vec::new(),
        vocabulary,
    })
}

fn test_file(path: &Path) -> Result<RepoStack, LoadError> {
    let text =
        load::read_text(path, DEFAULT_MAX_FILE_SIZE).map_err(|e| LoadError::from(e.diags))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let roots = polsim_edge::named::allowed_roots(&dir, &[]);
    let mut read_once = std::collections::HashMap::new();
    let mut reader = |rel: &str| {
        polsim_edge::named::read_named(&dir, rel, &roots, DEFAULT_MAX_FILE_SIZE, &mut read_once)
    };
    let mut seeds: Vec<Probe> = Vec::new();
    let mut owner: Option<String> = None;
    let shown = path.display().to_string();
    let tf = polsim_parse::testfile::read_test_file(text, &shown, &mut reader, &mut |case| {
        let r = &case.request;
        if owner.is_none() {
            owner.clone_from(&r.resource_account);
        }
        seeds.push(Probe {
            principal: r.caller.text.clone(),
            principal_id: r.caller.id.clone(),
            action: r.action.clone(),
            operation: r.extras.operation.clone(),
            resource: r.resource.clone(),
            resource_account: r.resource_account.clone(),
            context: r
                .context
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<Vec<(String, CtxValue)>>(),
        });
    })
    .map_err(LoadError::from)?;
    let defaults = Defaults {
        resource_account: owner.or_else(|| tf.stack.state.bucket_owner().map(str::to_string)),
        ..Defaults::default()
    };
    let vocabulary = Vocabulary::of(tf.cloud, &tf.stack, &defaults, &seeds);
    Ok(RepoStack {
        path: path.to_path_buf(),
        origin: Origin::TestFile,
        cloud: tf.cloud,
        stack: tf.stack,
        defaults,
        seeds,
        warnings: tf.warnings.iter().map(Diagnostic::render).collect(),
        vocabulary,
    })
}
