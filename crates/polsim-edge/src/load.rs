//! Reading policy stacks, test files and context files from disk.

use polsim_core::clouds::{cloud_of_name, detect, Evidence};
use polsim_core::state::ResourceState;
use polsim_core::{Cloud, Context, Layer, Stack};
use polsim_parse::json::{self, Json};
use polsim_parse::testfile::{cloud_of_document, context_value};
use polsim_parse::{lower_policy, Diagnostic, PolicySource, Source};
use rayon::prelude::*;
use std::collections::BTreeMap;
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
    /// The caller (`principal`).
    pub principal: Option<String>,
    /// The caller's unique id (`principal_id`).
    pub principal_id: Option<String>,
    /// The IAM user behind a federated-user `principal` (AWS).
    pub federated_by: Option<String>,
    /// The account that owns the resource (`resource_account`).
    pub resource_account: Option<String>,
    /// The cloud (`cloud`).
    pub cloud: Option<Cloud>,
    /// Context keys every request carries (`context`).
    pub context: Context,
    /// Canonical user IDs and their accounts (S3 ACL grantees and owners).
    pub canonical_ids: BTreeMap<String, String>,
}

/// A stack read from a folder, with the warnings found.
pub struct LoadedStack {
    /// The policies and the resource's state.
    pub stack: Stack,
    /// What `polsim.json` gives.
    pub defaults: StackDefaults,
    /// Located warnings (the cloud accepts the input, polsim points at it).
    pub warnings: Vec<Diagnostic>,
    /// The cloud, named or detected from the documents.
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
    ("kms-key", Layer::KmsKey),
];

/// The state files a stack folder may hold at its top (the test file's `s3` / `oss` / `cos`
/// member, same shape), each with the cloud it describes.
pub const STATE_FILES: &[(&str, Cloud)] = &[
    ("s3.json", Cloud::Aws),
    ("oss.json", Cloud::Aliyun),
    ("cos.json", Cloud::Tencent),
];

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    path_error(path, e.to_string())
}

/// An error about `path` as a whole (no line): `cannot read PATH: WHY`.
/// An error about the stack-folder entry at `path` that is not a usable policy file.
fn entry_error(path: &Path, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(polsim_core::Pos::default(), message)
        .with_help(help)
        .in_file(Some(&path.display().to_string()))
}

fn path_error(path: &Path, why: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        polsim_core::Pos { line: 0, col: 0 },
        format!("cannot read `{}`: {why}", path.display()),
    )
    .in_file(Some(&path.display().to_string()))
}

/// The largest file polsim reads unless `--max-file-size` says otherwise: 1 MiB, far above the
/// clouds' own limits (an IAM managed policy holds at most 6,144 characters, a bucket policy
/// 20 KB, a RAM or CAM policy 6,144 or so), so that `/dev/zero` or a huge file cannot eat memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// What a file that is not a regular file is, in words.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads `path` as UTF-8 text if it is a regular file (after resolving links) of at most `max`
/// bytes; else says why not (without the path). The type is checked before the file is opened
/// (opening a FIFO would wait for a writer) and again on the open file, and at most `max + 1`
/// bytes are read whatever the file claims to hold.
pub fn read_bounded(path: &Path, max: u64) -> Result<String, String> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|e| link_reason(path, &e))?;
    if !meta.is_file() {
        return Err(format!(
            "it is {}, not a policy file",
            kind_of(meta.file_type())
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!(
            "it is {}, not a policy file",
            kind_of(meta.file_type())
        ));
    }
    let mut buf = Vec::with_capacity(meta.len().min(max.saturating_add(1)) as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > max {
        return Err(format!(
            "it is larger than {max} bytes (`--max-file-size BYTES` raises the limit)"
        ));
    }
    String::from_utf8(buf).map_err(|e| format!("it is not UTF-8 text ({e})"))
}

/// Why `path` cannot be read: a dangling symbolic link says where it points.
fn link_reason(path: &Path, e: &std::io::Error) -> String {
    match std::fs::read_link(path) {
        Ok(target) => format!(
            "it is a symbolic link to `{}`, which cannot be read ({e})",
            target.display()
        ),
        Err(_) => e.to_string(),
    }
}

/// Reads a file as text, bounded as [`read_bounded`] says.
pub fn read_text(path: &Path, max: u64) -> Result<String, LoadError> {
    read_bounded(path, max).map_err(|why| path_error(path, why).into())
}

/// Reads and parses a JSON file, with a located error. The file is read once: its text comes
/// back as a [`Source`] for the diagnostics about it to carry.
pub fn read_json(path: &Path, max: u64) -> Result<(Source, Json), LoadError> {
    let source = Source::new(path.display().to_string(), read_text(path, max)?);
    match json::parse(source.text()) {
        Ok(j) => Ok((source, j)),
        Err(e) => Err(e.diagnostic(&source).into()),
    }
}

/// What a folder of a stack holds, once every entry has been judged.
#[derive(Default)]
struct Entries {
    /// `*.json` regular files (after resolving links), sorted.
    policies: Vec<PathBuf>,
    /// Sub-folders (only where `levels` was asked), sorted.
    folders: Vec<PathBuf>,
}

/// The entries of a layer folder (`levels` false) or of `scp/`, `rcp/` (`levels` true: its
/// sub-folders are levels). Nothing is skipped silently: every entry that is not a usable policy
/// file (or a level folder where one belongs) is an error naming it, pushed to `errors`. Only
/// dot-files (`.gitkeep`, `.DS_Store`) are ignored, unless they end in `.json`.
fn layer_entries(dir: &Path, levels: bool, errors: &mut Vec<Diagnostic>) -> Entries {
    let mut out = Entries::default();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(io_error(dir, &e));
            return out;
        }
    };
    for entry in rd {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(io_error(dir, &e));
                continue;
            }
        };
        let p = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let is_json = |n: &str| {
            n.len() > 5
                && n.get(n.len() - 5..)
                    .is_some_and(|e| e.eq_ignore_ascii_case(".json"))
        };
        if name.starts_with('.') && !is_json(&name) {
            continue;
        }
        let meta =
            match std::fs::metadata(&p) {
                Ok(m) => m,
                Err(e) => {
                    errors.push(path_error(&p, link_reason(&p, &e)).with_help(
                        "a policy the stack cannot read could be a Deny: fix or remove it",
                    ));
                    continue;
                }
            };
        let shown = p.display();
        if meta.is_dir() {
            if levels {
                out.folders.push(p);
            } else {
                errors.push(
                    entry_error(&p, format!("`{shown}` is a folder where only policy files belong: the policies in it would not be read"), "put policy files directly in the layer folder; only scp/ and rcp/ hold level folders (scp/<level>/*.json)"),
                );
            }
        } else if !meta.is_file() {
            errors.push(
                Diagnostic::error(
                    polsim_core::Pos::default(),
                    format!(
                        "`{shown}` is {}, not a policy file",
                        kind_of(meta.file_type())
                    ),
                )
                .with_help("a layer folder holds only regular `*.json` policy files")
                .in_file(Some(&shown.to_string())),
            );
        } else if name.starts_with('.') {
            errors.push(entry_error(
                &p,
                format!("`{shown}` is a hidden policy file"),
                "dot-files are ignored in a stack; rename it without the leading dot, or remove it",
            ));
        } else if p.extension().is_some_and(|e| e == "json") {
            out.policies.push(p);
        } else if is_json(&name) {
            errors.push(
                Diagnostic::error(
                    polsim_core::Pos::default(),
                    format!("`{shown}` does not end in `.json` (lowercase), so it would not be read as a policy"),
                )
                .with_help(format!("rename it to `{}.json`", &name[..name.len() - 5]))
                .in_file(Some(&shown.to_string())),
            );
        } else {
            errors.push(
                entry_error(&p, format!("`{shown}` is not a policy file (`*.json`)"), "a layer folder holds only `*.json` policy files: keep notes such as README.md at the top of the stack folder (dot-files such as .gitkeep are ignored)"),
            );
        }
    }
    out.policies.sort();
    out.folders.sort();
    out
}

/// The folder of a layer (`identity`, or `permissions_boundary` for `permissions-boundary`),
/// if present. A name that exists but is not a usable folder (a dangling link, a file) is an
/// error, and so is a layer given under both spellings.
fn layer_dir(dir: &Path, name: &str, errors: &mut Vec<Diagnostic>) -> Option<PathBuf> {
    let alt = name.replace('-', "_");
    let mut names = vec![name.to_string()];
    if alt != name {
        names.push(alt);
    }
    let present: Vec<PathBuf> = names
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .collect();
    if present.len() > 1 {
        errors.push(
            Diagnostic::error(
                polsim_core::Pos::default(),
                format!(
                    "both `{}` and `{}` are present: one of them would be ignored",
                    present[0].display(),
                    present[1].display()
                ),
            )
            .with_help("keep one folder per layer")
            .in_file(Some(&dir.display().to_string())),
        );
        return None;
    }
    let d = present.into_iter().next()?;
    match std::fs::metadata(&d) {
        Ok(m) if m.is_dir() => Some(d),
        Ok(m) => {
            errors.push(
                Diagnostic::error(
                    polsim_core::Pos::default(),
                    format!(
                        "`{}` is {}, not a layer folder",
                        d.display(),
                        kind_of(m.file_type())
                    ),
                )
                .with_help("a layer is a folder of `*.json` policy files")
                .in_file(Some(&d.display().to_string())),
            );
            None
        }
        Err(e) => {
            errors
                .push(path_error(&d, link_reason(&d, &e)).with_help(
                    "a layer the stack cannot read could hold a Deny: fix or remove it",
                ));
            None
        }
    }
}

/// A policy file of a stack, read: its layer, its SCP/RCP level, its path, its text and JSON.
type ReadPolicy = (Layer, Option<String>, PathBuf, (Source, Json));

/// A file read, with its policy unwrapped from a tool's output and the note saying so.
type Unwrapped = (Source, Json, Option<Diagnostic>);

/// The layer folder names, for hints.
const LAYOUT_HINT: &str = "policies go in identity/, permissions-boundary/, session/, resource/, scp/<level>/, rcp/<level>/, vpc-endpoint/, access-point/, kms-key/";

/// Reads a stack folder (docs/cli.md, "The stack folder"). Every policy file is a regular file
/// of at most `max` bytes; any entry of a layer folder that is not one is an error naming it.
pub fn load_stack(dir: &Path, forced: Option<Cloud>, max: u64) -> Result<LoadedStack, LoadError> {
    if !std::fs::metadata(dir).is_ok_and(|m| m.is_dir()) {
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
    let mut errors = Vec::new();
    let config = dir.join("polsim.json");
    if std::fs::symlink_metadata(&config).is_ok() {
        defaults = read_defaults(&config, max)?;
    }
    // Judge every entry first, so that all the folder's problems are reported at once.
    let mut files: Vec<(Layer, Option<String>, PathBuf)> = Vec::new();
    let mut known = vec!["polsim.json".to_string()];
    // The resource's state files, read once the cloud is known.
    let mut state_files: Vec<(Cloud, PathBuf, (Source, Json))> = Vec::new();
    for (name, cloud) in STATE_FILES {
        known.push(name.to_string());
        let p = dir.join(name);
        if std::fs::symlink_metadata(&p).is_ok() {
            match read_json(&p, max) {
                Ok(read) => state_files.push((*cloud, p, read)),
                Err(e) => errors.extend(e.diags),
            }
        }
    }
    let mut declared: Vec<(Layer, Option<String>)> = Vec::new();
    for (name, layer) in LAYER_DIRS {
        known.push(name.to_string());
        known.push(name.replace('-', "_"));
        let Some(d) = layer_dir(dir, name, &mut errors) else {
            continue;
        };
        if *layer == Layer::Identity {
            declared.push((*layer, None));
        }
        if matches!(layer, Layer::Scp | Layer::Rcp) {
            let top = layer_entries(&d, true, &mut errors);
            for f in top.policies {
                files.push((*layer, Some(name.to_string()), f));
            }
            for lv in top.folders {
                let level = lv
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| "level".to_string());
                declared.push((*layer, Some(level.clone())));
                for f in layer_entries(&lv, false, &mut errors).policies {
                    files.push((*layer, Some(level.clone()), f));
                }
            }
        } else {
            for f in layer_entries(&d, false, &mut errors).policies {
                files.push((*layer, None, f));
            }
        }
    }
    top_level_entries(dir, &known, max, &mut errors);
    // Files are read and parsed across the cores (rayon keeps their order), and every result
    // is taken in that order, so diagnostics come out as a one-thread load would give them.
    // A policy pasted from a tool's output (`aws s3api get-bucket-policy`, `aws iam
    // get-policy-version`, ...) is unwrapped here, with a located warning saying so.
    let read: Vec<Result<Unwrapped, LoadError>> = files
        .par_iter()
        .map(|(_, _, f)| {
            let (source, j) = read_json(f, max)?;
            let found = polsim_parse::wrapped::policy_document(j, &source)?;
            Ok((source, found.doc, found.note))
        })
        .collect();
    let mut docs: Vec<ReadPolicy> = Vec::new();
    for ((layer, level, f), r) in files.into_iter().zip(read) {
        match r {
            Ok((source, doc, note)) => {
                warnings.extend(note);
                docs.push((layer, level, f, (source, doc)));
            }
            Err(e) => errors.extend(e.diags),
        }
    }
    if !errors.is_empty() {
        return Err(LoadError { diags: errors });
    }

    // The cloud, with the one precedence every input shares (`clouds::detect`).
    let labels: Vec<String> = docs
        .iter()
        .map(|(_, _, path, _)| path.display().to_string())
        .collect();
    let evidence = Evidence {
        given: forced.or(defaults.cloud),
        documents: docs
            .iter()
            .zip(&labels)
            .filter_map(|((_, _, _, (_, doc)), l)| Some((cloud_of_document(doc)?, l.as_str())))
            .collect(),
        names: defaults.principal.iter().map(String::as_str).collect(),
    };
    // Whether anything named the cloud (else `detect` falls back to AWS, and a state file can
    // name it instead).
    let named = evidence.given.is_some()
        || !evidence.documents.is_empty()
        || evidence.names.iter().any(|n| cloud_of_name(n).is_some());
    let cloud_used = match detect(&evidence) {
        Ok(c) if named => c,
        Ok(c) => state_files.first().map_or(c, |(sc, _, _)| *sc),
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
    stack.state = read_state_files(&state_files, cloud_used, &mut errors);
    stack.state.canonical_ids = defaults.canonical_ids.clone();
    // An empty identity/ means "no identity policies"; an empty SCP or RCP level folder takes
    // part and allows nothing (as `"policies": []` does in a test file).
    for (layer, level) in &declared {
        stack.declare(*layer, level.as_deref());
    }
    // Lowered across the cores too; pushed onto the stack in the folder's order.
    let lowered: Vec<_> = docs
        .par_iter()
        .map(|(layer, _, path, (source, doc))| {
            let id = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("policy")
                .to_string();
            let src = PolicySource {
                id,
                file: Some(path.display().to_string()),
                layer: *layer,
            };
            (lower_policy(doc, &src, cloud_used), source)
        })
        .collect();
    for ((layer, level, _, _), lowered) in docs.iter().zip(lowered) {
        let ((policy, diags), source) = lowered;
        let layer = *layer;
        for d in diags.into_iter().map(|d| d.in_source(source)) {
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

/// Reads one policy file (a document, or a document in a JSON string) for `layer` of a `cloud`
/// stack, as `--request-policy` names it: the policy and the warnings about it.
pub fn read_policy(
    path: &Path,
    cloud: Cloud,
    layer: Layer,
    max: u64,
) -> Result<(polsim_core::ir::Policy, Vec<Diagnostic>), LoadError> {
    let (source, j) = read_json(path, max)?;
    let found = polsim_parse::wrapped::policy_document(j, &source)?;
    let doc = found.doc;
    let file = path.display().to_string();
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("policy")
        .to_string();
    let doc_cloud = cloud_of_document(&doc).unwrap_or(cloud);
    if doc_cloud != cloud {
        return Err(Diagnostic::error(
            doc.pos,
            format!(
                "this policy is written for {}, but the stack is for {}",
                doc_cloud.title(),
                cloud.title()
            ),
        )
        .with_help("a request cannot mix clouds")
        .in_source(&source)
        .into());
    }
    let src = PolicySource {
        id,
        file: Some(file.clone()),
        layer,
    };
    let (policy, diags) = lower_policy(&doc, &src, cloud);
    let (errors, mut warnings): (Vec<_>, Vec<_>) = diags
        .into_iter()
        .map(|d| d.in_source(&source))
        .partition(Diagnostic::is_error);
    warnings.splice(0..0, found.note);
    match policy {
        Some(p) if errors.is_empty() => Ok((p, warnings)),
        _ if errors.is_empty() => Err(path_error(path, "it holds no policy").into()),
        _ => Err(LoadError { diags: errors }),
    }
}

/// Reads a stack folder's state files (`s3.json`, ...) for a stack of `cloud`; a file of another
/// cloud is an error.
fn read_state_files(
    files: &[(Cloud, PathBuf, (Source, Json))],
    cloud: Cloud,
    errors: &mut Vec<Diagnostic>,
) -> ResourceState {
    let mut state = ResourceState::default();
    for (file_cloud, path, (source, j)) in files {
        let shown = path.display().to_string();
        if *file_cloud != cloud {
            errors.push(
                Diagnostic::error(
                    polsim_core::Pos::default(),
                    format!(
                        "`{shown}` describes {} state, but the stack is for {}",
                        file_cloud.title(),
                        cloud.title()
                    ),
                )
                .with_help(format!(
                    "the state file of this {} stack is `{}.json`; keep each cloud's stack in its own folder",
                    cloud.title(),
                    polsim_parse::state::member_of(cloud)
                ))
                .in_file(Some(&shown)),
            );
            continue;
        }
        let mut diags = Vec::new();
        polsim_parse::state::read_member(
            polsim_parse::state::member_of(cloud),
            j,
            cloud,
            &mut state,
            Some(&shown),
            &mut diags,
        );
        errors.extend(diags.into_iter().map(|d| d.in_source(source)));
    }
    state
}

/// The entries at the top of a stack folder besides the layers and `polsim.json`. Dot-files and
/// files not named `*.json` (README.md, notes) are ignored; a test file (top level with `cases`)
/// is ignored by `eval`. A folder or a `*.json` file that is in no layer is an error: it looks
/// like policies that would not be read (a misspelt `identiy/`, a `deny.json` put at the top).
fn top_level_entries(dir: &Path, known: &[String], max: u64, errors: &mut Vec<Diagnostic>) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(io_error(dir, &e));
            return;
        }
    };
    for entry in rd {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(io_error(dir, &e));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().to_string();
        let p = entry.path();
        let shown = p.display().to_string();
        let json_name = name.len() > 5
            && name
                .get(name.len() - 5..)
                .is_some_and(|e| e.eq_ignore_ascii_case(".json"));
        if known.contains(&name) || name.starts_with('.') {
            continue;
        }
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) if json_name || std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_symlink()) => {
                errors.push(
                    path_error(&p, link_reason(&p, &e))
                        .with_help("an entry of the stack folder that cannot be read could hold a Deny: fix or remove it"),
                );
                continue;
            }
            Err(_) => continue,
        };
        if meta.is_dir() {
            let candidates = LAYER_DIRS.iter().map(|(n, _)| *n);
            let hint = match polsim_parse::diag::suggest(&name, candidates) {
                Some(s) => format!("did you mean `{s}/`? {LAYOUT_HINT}"),
                None => LAYOUT_HINT.to_string(),
            };
            errors.push(
                Diagnostic::error(
                    polsim_core::Pos::default(),
                    format!(
                        "`{shown}` is not a layer folder: the policies in it would not be read"
                    ),
                )
                .with_help(hint)
                .in_file(Some(&shown)),
            );
        } else if json_name {
            match read_json(&p, max) {
                Ok((_, j)) if j.get("cases").is_some() => {} // a test file kept beside the stack
                Ok(_) => errors.push(
                    Diagnostic::error(
                        polsim_core::Pos::default(),
                        format!("`{shown}` is in no layer: it would not be read as a policy"),
                    )
                    .with_help(format!("{LAYOUT_HINT}; the top of the folder holds only polsim.json, the state file (s3.json, oss.json or cos.json), test files (with `cases`) and notes"))
                    .in_file(Some(&shown)),
                ),
                Err(e) => errors.extend(e.diags),
            }
        }
    }
}

fn read_defaults(path: &Path, max: u64) -> Result<StackDefaults, LoadError> {
    let (source, j) = read_json(path, max)?;
    read_defaults_in(&j, &path.display().to_string()).map_err(|e| e.in_source(&source))
}

fn read_defaults_in(j: &Json, file: &str) -> Result<StackDefaults, LoadError> {
    let mut d = StackDefaults::default();
    let Some(members) = j.as_object() else {
        return Err(Diagnostic::error(j.pos, "polsim.json must be an object")
            .in_file(Some(file))
            .into());
    };
    // A value of the wrong type is an error, not a default: a `principal` that is not read
    // would evaluate someone else's request.
    let text = |m: &polsim_parse::json::Member, what: &str| -> Result<String, LoadError> {
        m.value.as_str().map(str::to_string).ok_or_else(|| {
            Diagnostic::error(
                m.value.pos,
                format!("`{}` in polsim.json must be a string", m.key),
            )
            .with_help(what.to_string())
            .in_file(Some(file))
            .into()
        })
    };
    for m in members {
        match m.key.as_str() {
            "principal" => d.principal = Some(text(m, "write the caller's ARN (or `anonymous`) in quotes")?),
            "principal_id" => d.principal_id = Some(text(m, "write the caller's unique id in quotes")?),
            "federated_by" => d.federated_by = Some(text(m, "write the federating IAM user's ARN in quotes")?),
            "resource_account" => {
                d.resource_account = Some(m.value.scalar_text().ok_or_else(|| {
                    LoadError::from(
                        Diagnostic::error(m.value.pos, "`resource_account` in polsim.json must be an account id")
                            .with_help("write the account id as a string, e.g. \"111122223333\"")
                            .in_file(Some(file)),
                    )
                })?)
            }
            "cloud" => {
                let name = text(m, "write `aws`, `aliyun` or `tencent`")?;
                d.cloud = Some(Cloud::from_name(&name).ok_or_else(|| {
                    LoadError::from(
                        Diagnostic::error(m.value.pos, format!("unknown cloud `{name}` in polsim.json"))
                            .with_help("write `aws`, `aliyun` or `tencent`")
                            .in_file(Some(file)),
                    )
                })?);
            }
            "context" => d.context = read_context(&m.value, file)?,
            "canonical_ids" => {
                let mut diags = Vec::new();
                d.canonical_ids = polsim_parse::state::read_canonical_ids(&m.value, &mut diags);
                if !diags.is_empty() {
                    return Err(LoadError {
                        diags: diags.into_iter().map(|d| d.in_file(Some(file))).collect(),
                    });
                }
            }
            "name" | "description" => {}
            other => {
                return Err(Diagnostic::error(m.key_pos, format!("unknown field `{other}` in polsim.json"))
                    .with_help("polsim.json takes `principal`, `principal_id`, `federated_by`, `resource_account`, `cloud`, `context` and `canonical_ids`")
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

/// What the arguments of `polsim test` name: the test files to run, and the problems met
/// finding them (each with the path shown; counted as invalid files, the others still run).
#[derive(Default)]
pub struct Found {
    /// The test files, each once (a file reached twice, through links or two arguments, runs once).
    pub inputs: Vec<TestInput>,
    /// A path that could not be read or held no test, and why.
    pub problems: Vec<(String, Vec<Diagnostic>)>,
}

/// The test files among `paths`: files as given; folders searched for `*.json` files whose top
/// level has `cases` (policy documents beside them are skipped); glob patterns matched against a
/// walk of the folder their pattern starts in (a matching folder is searched as a folder is). A
/// folder or pattern that finds no test file is a problem (`no test case found in ...`), and so
/// is an entry that cannot be read; a symbolic-link loop or a folder reached twice is walked once.
pub fn test_files(paths: &[String], max: u64) -> Found {
    let mut found = Found::default();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let path = Path::new(p);
        let before = found.inputs.len();
        let problems = found.problems.len();
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, None, max, &mut seen, &mut found),
            Ok(_) => {
                let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                if seen.insert(key) {
                    found.inputs.push(TestInput::unread(path.to_path_buf()));
                }
                continue;
            }
            Err(_) if p.contains(['*', '?', '[']) => match glob::Pattern::new(p) {
                Ok(pattern) => {
                    let (base, depth, strip_dot) = glob_base(p);
                    let filter = Filter {
                        pattern,
                        depth,
                        strip_dot,
                    };
                    walk(&base, Some(&filter), max, &mut seen, &mut found);
                }
                Err(e) => {
                    found.problems.push((
                        p.clone(),
                        vec![Diagnostic::error(
                            polsim_core::Pos::default(),
                            format!("bad pattern `{p}`: {e}"),
                        )],
                    ));
                    continue;
                }
            },
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound
                    && std::fs::symlink_metadata(path).is_err()
                {
                    format!("`{p}` does not exist")
                } else {
                    format!("cannot read `{p}`: {}", link_reason(path, &e))
                };
                found.problems.push((
                    p.clone(),
                    vec![Diagnostic::error(polsim_core::Pos::default(), why).in_file(Some(p))],
                ));
                continue;
            }
        }
        if found.inputs.len() == before && found.problems.len() == problems {
            found.problems.push((
                p.clone(),
                vec![Diagnostic::error(
                    polsim_core::Pos::default(),
                    format!("no test case found in `{p}`"),
                )
                .with_help("a folder or pattern is searched for `*.json` files whose top level has `cases`; a run that tests nothing fails")
                .in_file(Some(p))],
            ));
        }
    }
    found
}

/// A glob pattern's walk: what to match, and how deep a match can be (`None` with `**`).
struct Filter {
    pattern: glob::Pattern,
    depth: Option<usize>,
    /// The walk starts at `.`: match paths without their leading `./`.
    strip_dot: bool,
}

impl Filter {
    fn matches(&self, path: &Path) -> bool {
        let path = if self.strip_dot {
            path.strip_prefix(".").unwrap_or(path)
        } else {
            path
        };
        self.pattern.matches_path_with(
            path,
            glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: true,
                require_literal_leading_dot: false,
            },
        )
    }
}

/// The folder a pattern's walk starts in (its leading components free of `*`, `?`, `[`), and
/// how many components below it a match has (`None` when the pattern holds `**`), and whether
/// the walk starts at a `.` the pattern does not write.
fn glob_base(pattern: &str) -> (PathBuf, Option<usize>, bool) {
    let mut base = PathBuf::new();
    let mut rest = 0;
    let mut globbed = false;
    let mut deep = false;
    for c in Path::new(pattern).components() {
        let text = c.as_os_str().to_string_lossy();
        if !globbed && !text.contains(['*', '?', '[']) {
            base.push(c);
            continue;
        }
        globbed = true;
        rest += 1;
        deep |= text.contains("**");
    }
    let implicit = base.as_os_str().is_empty();
    if implicit {
        base.push(".");
    }
    (base, (!deep).then_some(rest), implicit)
}

/// Walks `root` for test files (with a `filter`, only the paths it matches and the folders under
/// a matching folder). Links are followed, but a folder is entered once (by its resolved path),
/// so a loop or two links to one folder do not multiply the tests; a file reached twice runs
/// once. An entry that cannot be read is a problem, reported with the path; the walk goes on.
fn walk(
    root: &Path,
    filter: Option<&Filter>,
    max: u64,
    seen: &mut std::collections::HashSet<PathBuf>,
    found: &mut Found,
) {
    let mut dirs = std::collections::HashSet::new();
    let mut it = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    // The depth of the matching folder the walk is inside, if any.
    let mut inside: Option<usize> = None;
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.loop_ancestor().is_some() => continue, // already being walked
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                let relevant = filter.is_none_or(|f| {
                    inside.is_some_and(|d| e.depth() > d)
                        || f.matches(&path)
                        || std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir())
                });
                if relevant {
                    let why = e
                        .io_error()
                        .map_or_else(|| e.to_string(), |io| link_reason(&path, io));
                    let shown = path.display().to_string();
                    found.problems.push((shown, vec![path_error(&path, why)]));
                }
                continue;
            }
        };
        let depth = entry.depth();
        if inside.is_some_and(|d| depth <= d) {
            inside = None;
        }
        let path = entry.path();
        let selected = match filter {
            None => true,
            Some(_) if inside.is_some() => true,
            Some(f) => f.matches(path),
        };
        if entry.file_type().is_dir() {
            let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            if !dirs.insert(key) {
                it.skip_current_dir();
                continue;
            }
            if let Some(f) = filter {
                if selected && inside.is_none() && depth > 0 {
                    inside = Some(depth);
                } else if !selected && f.depth.is_some_and(|n| depth >= n) {
                    it.skip_current_dir();
                }
            }
            continue;
        }
        if !selected || path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        if inside.is_none() && filter.is_some_and(|f| f.depth.is_some_and(|n| depth != n)) {
            continue;
        }
        if filter.is_none() && path.file_name().is_some_and(|n| n == "polsim.json") {
            continue;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !seen.insert(key) {
            continue;
        }
        let shown = path.display().to_string();
        let text = match read_text(path, max) {
            Ok(t) => t,
            Err(e) => {
                found.problems.push((shown, e.diags));
                continue;
            }
        };
        // Only a text holding `cases` (or an escape that could spell it) can be a test file:
        // the other JSON files of a big tree are not parsed.
        if !text.contains("cases") && !text.contains("\\u") {
            continue;
        }
        let source = Source::new(shown.clone(), text);
        match json::parse(source.text()) {
            Ok(j) if j.get("cases").is_some() => found.inputs.push(TestInput {
                path: path.to_path_buf(),
                text: Some(source.text().to_string()),
            }),
            Ok(_) => {} // a policy document beside the tests
            Err(e) => found.problems.push((shown, vec![e.diagnostic(&source)])),
        }
    }
}

/// Whether `dir` is a stack folder: it holds a layer folder, a state file or `polsim.json`.
pub fn is_stack(dir: &Path) -> bool {
    dir.join("polsim.json").exists()
        || STATE_FILES.iter().any(|(f, _)| dir.join(f).is_file())
        || LAYER_DIRS
            .iter()
            .any(|(d, _)| dir.join(d).is_dir() || dir.join(d.replace('-', "_")).is_dir())
}

/// The stack folders under `root`, by path relative to it (`""` when `root` is one). Links are
/// not followed, and a stack's own folders are not searched for more stacks.
pub fn stacks_in(root: &Path, help: [&str; 2]) -> Result<Vec<String>, Diagnostic> {
    if !root.is_dir() {
        return Err(Diagnostic::error(
            polsim_core::Pos::default(),
            format!("`{}` is not a folder", root.display()),
        )
        .with_help(help[0]));
    }
    if is_stack(root) {
        return Ok(vec![String::new()]);
    }
    let mut out = Vec::new();
    let mut it = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(12)
        .sort_by_file_name()
        .into_iter();
    let mut links = Vec::new();
    while let Some(entry) = it.next() {
        let entry = entry.map_err(|e| {
            Diagnostic::error(
                polsim_core::Pos::default(),
                format!("cannot read `{}`: {e}", root.display()),
            )
        })?;
        // A link is never followed (it could lead outside the folder named); one that leads
        // to a folder could hold a stack, so it is an error rather than a stack left out.
        if entry.path_is_symlink() && entry.path().is_dir() {
            links.push(entry.path().display().to_string());
            continue;
        }
        if !entry.file_type().is_dir() || entry.depth() == 0 {
            continue;
        }
        if is_stack(entry.path()) {
            if let Ok(rel) = entry.path().strip_prefix(root) {
                out.push(rel.display().to_string());
            }
            it.skip_current_dir();
        }
    }
    if let Some(first) = links.first() {
        return Err(Diagnostic::error(
            polsim_core::Pos::default(),
            format!(
                "`{first}` is a link to a folder{}: polsim does not follow links while looking for stacks",
                if links.len() > 1 { format!(" (and {} more)", links.len() - 1) } else { String::new() }
            ),
        )
        .with_help(help[1]));
    }
    Ok(out)
}
