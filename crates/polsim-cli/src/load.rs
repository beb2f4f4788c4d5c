//! Reading policy stacks, test files and context files from disk.

use polsim_core::clouds::{detect, Evidence};
use polsim_core::{Cloud, Context, Layer, Stack};
use polsim_parse::json::{self, Json};
use polsim_parse::testfile::{cloud_of_document, context_value};
use polsim_parse::{lower_policy, Diagnostic, PolicySource, Source};
use std::path::{Path, PathBuf};

/// A problem while loading, with the source text when there is one (for the frame).
pub struct LoadError {
    /// The diagnostics.
    pub diags: Vec<Diagnostic>,
}

impl LoadError {
    /// Attaches `source` to the diagnostics that point into it and carry no text yet.
    pub fn in_source(self, source: &Source) -> LoadError {
        LoadError {
            diags: self
                .diags
                .into_iter()
                .map(|d| d.in_source(source))
                .collect(),
        }
    }
}

impl From<Diagnostic> for LoadError {
    fn from(d: Diagnostic) -> Self {
        LoadError { diags: vec![d] }
    }
}

/// The defaults a stack folder's `polsim.json` gives.
#[derive(Default)]
pub struct StackDefaults {
    pub principal: Option<String>,
    pub principal_id: Option<String>,
    pub resource_account: Option<String>,
    pub cloud: Option<Cloud>,
    pub context: Context,
}

/// A stack read from a folder, with the warnings found.
pub struct LoadedStack {
    pub stack: Stack,
    pub defaults: StackDefaults,
    pub warnings: Vec<Diagnostic>,
    pub cloud: Option<Cloud>,
}

/// The sub-folders of a stack folder and their layers.
pub const LAYER_DIRS: &[(&str, Layer)] = &[
    ("identity", Layer::Identity),
    ("permissions-boundary", Layer::PermissionsBoundary),
    ("session", Layer::Session),
    ("resource", Layer::Resource),
    ("vpc-endpoint", Layer::VpcEndpoint),
    ("access-point", Layer::AccessPoint),
    ("scp", Layer::Scp),
    ("rcp", Layer::Rcp),
];

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        polsim_core::Pos { line: 0, col: 0 },
        format!("cannot read `{}`: {e}", path.display()),
    )
    .in_file(Some(&path.display().to_string()))
}

/// Reads a file as text.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|e| io_error(path, &e).into())
}

/// Reads and parses a JSON file, with a located error. The file is read once: its text comes
/// back as a [`Source`] for the diagnostics about it to carry.
pub fn read_json(path: &Path) -> Result<(Source, Json), LoadError> {
    let source = Source::new(path.display().to_string(), read_text(path)?);
    match json::parse(source.text()) {
        Ok(j) => Ok((source, j)),
        Err(e) => Err(e.diagnostic(&source).into()),
    }
}

/// The `*.json` files directly in `dir`, sorted by name.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    for entry in rd.flatten() {
        let p = entry.path();
        if p.is_file() && p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

fn sub_dirs(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    for entry in rd.flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// A policy file of a stack, read: its layer, its SCP/RCP level, its path, its text and JSON.
type ReadPolicy = (Layer, Option<String>, PathBuf, (Source, Json));

/// Reads a stack folder (see the README for the layout).
pub fn load_stack(dir: &Path, forced: Option<Cloud>) -> Result<LoadedStack, LoadError> {
    if !dir.is_dir() {
        return Err(Diagnostic::error(
            polsim_core::Pos::default(),
            format!("`{}` is not a folder", dir.display()),
        )
        .with_help(
            "--policy takes a folder holding identity/, resource/, scp/<level>/, ... (see README)",
        )
        .into());
    }
    let mut defaults = StackDefaults::default();
    let mut warnings = Vec::new();
    let config = dir.join("polsim.json");
    if config.is_file() {
        defaults = read_defaults(&config)?;
    }
    // Read every document first, so the cloud can be settled before lowering.
    let mut docs: Vec<ReadPolicy> = Vec::new();
    let mut known = vec!["polsim.json".to_string()];
    let mut declared: Vec<(Layer, Option<String>)> = Vec::new();
    for (name, layer) in LAYER_DIRS {
        let d = dir.join(name);
        let alt = dir.join(name.replace('-', "_"));
        let d = if d.is_dir() {
            d
        } else if alt.is_dir() {
            alt
        } else {
            continue;
        };
        known.push(
            d.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(name)
                .to_string(),
        );
        if *layer == Layer::Identity {
            declared.push((*layer, None));
        }
        if matches!(layer, Layer::Scp | Layer::Rcp) {
            for f in json_files(&d)? {
                docs.push((*layer, Some(name.to_string()), f.clone(), read_json(&f)?));
            }
            for lv in sub_dirs(&d)? {
                let level = lv
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("level")
                    .to_string();
                declared.push((*layer, Some(level.clone())));
                for f in json_files(&lv)? {
                    docs.push((*layer, Some(level.clone()), f.clone(), read_json(&f)?));
                }
            }
        } else {
            for f in json_files(&d)? {
                docs.push((*layer, None, f.clone(), read_json(&f)?));
            }
        }
    }
    for entry in std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().to_string();
        let p = entry.path();
        if known.contains(&name)
            || name.starts_with('.')
            || !(p.is_dir() || name.ends_with(".json"))
        {
            continue;
        }
        if p.is_file() && read_json(&p).is_ok_and(|(_, j)| j.get("cases").is_some()) {
            continue; // a test file kept beside the stack
        }
        warnings.push(
            Diagnostic::warning(polsim_core::Pos::default(), format!("`{name}` is not part of the stack layout and is ignored"))
                .with_help("policies go in identity/, permissions-boundary/, session/, resource/, scp/<level>/, rcp/<level>/, vpc-endpoint/, access-point/")
                .in_file(Some(&p.display().to_string())),
        );
    }

    // The cloud, with the one precedence every input shares (`clouds::detect`).
    let inners: Vec<Option<Json>> = docs
        .iter()
        .map(|(_, _, _, (source, doc))| inner(doc, source).ok())
        .collect();
    let labels: Vec<String> = docs
        .iter()
        .map(|(_, _, path, _)| path.display().to_string())
        .collect();
    let evidence = Evidence {
        given: forced.or(defaults.cloud),
        documents: inners
            .iter()
            .zip(&labels)
            .filter_map(|(d, l)| Some((d.as_ref().and_then(cloud_of_document)?, l.as_str())))
            .collect(),
        names: defaults.principal.iter().map(String::as_str).collect(),
    };
    let cloud_used = match detect(&evidence) {
        Ok(c) => c,
        Err(m) => {
            let source = docs
                .iter()
                .find(|(_, _, p, _)| p.display().to_string() == m.label)
                .map(|(_, _, _, (s, _))| s.clone());
            let mut d = Diagnostic::error(
                polsim_core::Pos { line: 1, col: 1 },
                format!(
                    "this policy is written for {}, but the stack is for {}",
                    m.other.title(),
                    m.first.title()
                ),
            )
            .with_help("a stack cannot mix clouds; put each cloud's policies in its own folder")
            .in_file(Some(m.label));
            if let Some(s) = &source {
                d = d.in_source(s);
            }
            return Err(d.into());
        }
    };
    let mut stack = Stack::new();
    // An empty identity/ means "no identity policies"; an empty SCP or RCP level folder takes
    // part and allows nothing (as `"policies": []` does in a test file).
    for (layer, level) in &declared {
        stack.declare(*layer, level.as_deref());
    }
    let mut errors = Vec::new();
    for (layer, level, path, (source, doc)) in docs {
        let file = path.display().to_string();
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("policy")
            .to_string();
        let doc = match inner(&doc, &source) {
            Ok(doc) => doc,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        let (policy, diags) = lower_policy(
            &doc,
            &PolicySource {
                id,
                file: Some(file),
                layer,
            },
            cloud_used,
        );
        for d in diags.into_iter().map(|d| d.in_source(&source)) {
            if d.is_error() {
                errors.push(d)
            } else {
                warnings.push(d)
            }
        }
        let Some(policy) = policy else { continue };
        stack.push(layer, level.as_deref(), policy);
    }
    if !errors.is_empty() {
        return Err(LoadError { diags: errors });
    }
    Ok(LoadedStack {
        stack,
        defaults,
        warnings,
        cloud: Some(cloud_used),
    })
}

/// A document, or the document inside a JSON string (CloudTrail's `requestParameters.policy`),
/// with positions inside the string; a syntax error in the string is located there too.
fn inner(doc: &Json, source: &Source) -> Result<Json, Diagnostic> {
    match json::parse_embedded(doc, source) {
        None => Ok(doc.clone()),
        Some(Ok(j)) => Ok(j),
        Some(Err(e)) => Err(Diagnostic {
            message: format!("the policy string is not valid JSON: {}", e.message),
            ..e.diagnostic(source)
        }),
    }
}

fn read_defaults(path: &Path) -> Result<StackDefaults, LoadError> {
    let (source, j) = read_json(path)?;
    read_defaults_in(&j, &path.display().to_string()).map_err(|e| e.in_source(&source))
}

fn read_defaults_in(j: &Json, file: &str) -> Result<StackDefaults, LoadError> {
    let mut d = StackDefaults::default();
    let Some(members) = j.as_object() else {
        return Err(Diagnostic::error(j.pos, "polsim.json must be an object")
            .in_file(Some(file))
            .into());
    };
    for m in members {
        match m.key.as_str() {
            "principal" => d.principal = m.value.as_str().map(str::to_string),
            "principal_id" => d.principal_id = m.value.as_str().map(str::to_string),
            "resource_account" => d.resource_account = m.value.scalar_text(),
            "cloud" => d.cloud = m.value.as_str().and_then(Cloud::from_name),
            "context" => d.context = read_context(&m.value, file)?,
            "name" | "description" => {}
            other => {
                return Err(Diagnostic::error(m.key_pos, format!("unknown field `{other}` in polsim.json"))
                    .with_help("polsim.json takes `principal`, `principal_id`, `resource_account`, `cloud` and `context`")
                    .in_file(Some(file))
                    .into())
            }
        }
    }
    Ok(d)
}

/// Reads a context object (`{"aws:SourceIp": "203.0.113.7", "aws:TagKeys": ["a", "b"]}`).
pub fn read_context(v: &Json, file: &str) -> Result<Context, LoadError> {
    let mut ctx = Context::new();
    let Some(members) = v.as_object() else {
        return Err(
            Diagnostic::error(v.pos, "a context must be an object of keys and values")
                .in_file(Some(file))
                .into(),
        );
    };
    for m in members {
        match context_value(&m.value) {
            Some(val) => ctx.insert(&m.key, val),
            None => {
                return Err(Diagnostic::error(
                    m.value.pos,
                    format!(
                        "the value of `{}` must be a string, number, boolean or list",
                        m.key
                    ),
                )
                .in_file(Some(file))
                .into())
            }
        }
    }
    Ok(ctx)
}

/// A test file to run, with its text when finding it meant reading it (so it is not read again).
pub struct TestInput {
    /// The file.
    pub path: PathBuf,
    /// Its text, if read already.
    pub text: Option<String>,
}

impl TestInput {
    fn unread(path: PathBuf) -> TestInput {
        TestInput { path, text: None }
    }
}

/// The test files among `paths`: files as given; folders searched for `*.json` files whose top
/// level has `cases` (policy documents beside them are skipped); glob patterns expanded.
pub fn test_files(paths: &[String]) -> Result<Vec<TestInput>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if path.is_dir() {
            walk(path, &mut out)?;
        } else if path.is_file() {
            out.push(TestInput::unread(path.to_path_buf()));
        } else if p.contains(['*', '?', '[']) {
            let entries = glob::glob(p).map_err(|e| {
                Diagnostic::error(
                    polsim_core::Pos::default(),
                    format!("bad pattern `{p}`: {e}"),
                )
            })?;
            for e in entries.flatten() {
                if e.is_dir() {
                    walk(&e, &mut out)?;
                } else {
                    out.push(TestInput::unread(e));
                }
            }
        } else {
            return Err(Diagnostic::error(
                polsim_core::Pos::default(),
                format!("`{p}` does not exist"),
            )
            .in_file(Some(p))
            .into());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<TestInput>) -> Result<(), LoadError> {
    for f in json_files(dir)? {
        if f.file_name().is_some_and(|n| n == "polsim.json") {
            continue;
        }
        match read_json(&f) {
            Ok((source, j)) if j.get("cases").is_some() => out.push(TestInput {
                path: f,
                text: Some(source.text().to_string()),
            }),
            Ok(_) => {}
            Err(_) => out.push(TestInput::unread(f)), // reported when it is read as a test
        }
    }
    for d in sub_dirs(dir)? {
        walk(&d, out)?;
    }
    Ok(())
}
