//! The policy test file (`polsim test`), read into stacks and requests, and the check of one
//! case. Files a test refers to are read through a caller-supplied function, so this module does
//! no I/O itself.

use crate::diag::{Diagnostic, Source};
use crate::json::{self, Json, JsonKind};
use crate::{lower_policy, PolicySource};
use polsim_core::clouds::{detect, Evidence};
use polsim_core::{Cloud, Context, CtxValue, Decision, Evaluation, Layer, Pos, Request, Stack};

/// Reads a file named in a test file, relative to the test file's folder: returns the path to
/// show in reports and the text.
pub type Reader<'a> = dyn FnMut(&str) -> Result<(String, String), String> + 'a;

/// A test file, read.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// `name`, if any.
    pub name: Option<String>,
    /// The cloud, given or inferred.
    pub cloud: Cloud,
    /// The shared stack.
    pub stack: Stack,
    /// The cases.
    pub cases: Vec<TestCase>,
    /// Warnings found while reading.
    pub warnings: Vec<Diagnostic>,
}

/// One case, with the top-level defaults already applied.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// `name`, or `case N`.
    pub name: String,
    /// Where the case starts.
    pub pos: Pos,
    /// The request.
    pub request: Request,
    /// The stack for this case (top level with the case's replacements).
    pub stack: Stack,
    /// The expected decision.
    pub expect: Decision,
    /// The expected deciding layer.
    pub expect_layer: Option<Layer>,
    /// The expected deciding statement (`Sid` or `POLICY#N`).
    pub expect_statement: Option<String>,
    /// Text the message must contain.
    pub expect_message: Option<String>,
}

/// What a case got, when it did not get what it expected.
#[derive(Debug, Clone)]
pub struct Failure {
    /// One line per unmet expectation.
    pub problems: Vec<String>,
}

/// Checks a case's evaluation against its expectations.
pub fn check(case: &TestCase, eval: &Evaluation<'_>) -> Option<Failure> {
    let mut problems = Vec::new();
    if eval.decision() != case.expect {
        problems.push(format!(
            "expected {}, got {}",
            case.expect.name(),
            eval.decision().name()
        ));
    }
    if let Some(l) = case.expect_layer {
        if eval.layer() != Some(l) {
            problems.push(format!(
                "expected layer {}, got {}",
                l.name(),
                eval.layer().map_or("none", Layer::name)
            ));
        }
    }
    if let Some(s) = &case.expect_statement {
        let ok =
            eval.decision() != Decision::Allow && eval.statement().is_some_and(|st| st.is_named(s));
        if !ok {
            problems.push(format!(
                "expected statement {s}, got {}",
                eval.statement().map_or("none".to_string(), |st| st.label())
            ));
        }
    }
    if let Some(m) = &case.expect_message {
        // The message is worded only when a case asks for it.
        let got = (eval.decision() != Decision::Allow).then(|| {
            eval.profile
                .message(&eval.case(), eval.layer().unwrap_or(Layer::Identity))
                .text
        });
        if !got.as_deref().is_some_and(|got| got.contains(m.as_str())) {
            problems.push(format!(
                "expected the message to contain `{m}`, got `{}`",
                got.as_deref().unwrap_or("(no message)")
            ));
        }
    }
    (!problems.is_empty()).then_some(Failure { problems })
}

/// Reads a test file. `file` is the name shown in diagnostics; `read` opens files it names.
pub fn parse_test_file(
    text: &str,
    file: &str,
    read: &mut Reader<'_>,
) -> Result<TestFile, Vec<Diagnostic>> {
    let source = Source::new(file, text);
    let doc = json::parse(text).map_err(|e| vec![e.diagnostic(&source)])?;
    let mut cx = Cx {
        federated_by: None,
        source,
        diags: Vec::new(),
        read,
    };
    let tf = cx.test_file(&doc);
    let (errors, warnings): (Vec<_>, Vec<_>) = cx.diags.into_iter().partition(Diagnostic::is_error);
    match tf {
        Some(mut tf) if errors.is_empty() => {
            tf.warnings = warnings;
            Ok(tf)
        }
        _ => Err(errors),
    }
}

const TOP: &[&str] = &[
    "name",
    "description",
    "cloud",
    "principal",
    "principal_id",
    "federated_by",
    "resource_account",
    "context",
    "policies",
    "cases",
];
const CASE: &[&str] = &[
    "name",
    "description",
    "principal",
    "principal_id",
    "federated_by",
    "policies",
    "action",
    "resource",
    "resource_account",
    "access_point",
    "context",
    "expect",
    "expect_layer",
    "expect_statement",
    "expect_message",
];

struct Cx<'r, 'a> {
    /// The file's `federated_by`, with its place.
    federated_by: Option<(String, Pos)>,
    /// The test file's text: diagnostics about it carry it for their frame.
    source: Source,
    diags: Vec<Diagnostic>,
    read: &'r mut Reader<'a>,
}

/// The cloud a policy document is written for, from its version marker.
pub fn cloud_of_document(doc: &Json) -> Option<Cloud> {
    let v = doc
        .get("Version")
        .or_else(|| doc.get("version"))?
        .as_str()?;
    polsim_core::clouds::cloud_of_version(v)
}

impl Cx<'_, '_> {
    fn err(&mut self, pos: Pos, msg: impl Into<String>, help: Option<&str>) {
        let source = self.source.clone();
        self.err_in(&source, pos, msg, help);
    }

    /// An error located in `source` (the test file, or a policy file it names).
    fn err_in(&mut self, source: &Source, pos: Pos, msg: impl Into<String>, help: Option<&str>) {
        let mut d = Diagnostic::error(pos, msg).in_source(source);
        d.help = help.map(str::to_string);
        self.diags.push(d);
    }

    fn check_members(&mut self, v: &Json, known: &[&str], what: &str) {
        if let Some(members) = v.as_object() {
            for m in members {
                if !known.contains(&m.key.as_str()) {
                    let help = crate::diag::suggest(&m.key, known.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"));
                    self.err(
                        m.key_pos,
                        format!("unknown field `{}` in {what}", m.key),
                        help.as_deref(),
                    );
                }
            }
        }
    }

    fn str_field(&mut self, v: &Json, key: &str) -> Option<String> {
        let f = v.get(key)?;
        match f.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.err(
                    f.pos,
                    format!("`{key}` must be a string, found {}", f.type_name()),
                    None,
                );
                None
            }
        }
    }

    fn test_file(&mut self, doc: &Json) -> Option<TestFile> {
        if doc.as_object().is_none() {
            self.err(
                doc.pos,
                format!(
                    "a test file must be a JSON object, found {}",
                    doc.type_name()
                ),
                Some("see docs/test-format.md"),
            );
            return None;
        }
        self.check_members(doc, TOP, "a test file");
        let name = self.str_field(doc, "name");
        let principal = self.str_field(doc, "principal");
        let principal_id = self.str_field(doc, "principal_id");
        self.federated_by = match doc.get("federated_by") {
            Some(f) => self.str_field(doc, "federated_by").map(|s| (s, f.pos)),
            None => None,
        };
        let resource_account = self.account_field(doc);
        let context = self.context(doc.get("context"));
        let cloud = match doc.get("cloud") {
            Some(c) => match c.as_str().and_then(Cloud::from_name) {
                Some(cl) => Some(cl),
                None => {
                    self.err(c.pos, "`cloud` must be `aws`, `aliyun` or `tencent`", None);
                    None
                }
            },
            None => None,
        };
        let cases_json = match doc.get("cases") {
            Some(Json {
                kind: JsonKind::Array(items),
                ..
            }) if !items.is_empty() => items.clone(),
            Some(c) => {
                self.err(c.pos, "`cases` must be a non-empty array of cases", None);
                return None;
            }
            None => {
                self.err(doc.pos, "the test file has no `cases`", Some("add `\"cases\": [{\"action\": ..., \"resource\": ..., \"expect\": \"allow\"}]`"));
                return None;
            }
        };
        // The cloud, with the one precedence every input shares (`clouds::detect`).
        let mut names: Vec<&str> = principal.iter().map(String::as_str).collect();
        names.extend(
            cases_json
                .iter()
                .filter_map(|c| c.get("resource").and_then(Json::as_str)),
        );
        let mut documents = Vec::new();
        inline_document_clouds(doc.get("policies"), &mut documents);
        for c in &cases_json {
            inline_document_clouds(c.get("policies"), &mut documents);
        }
        let evidence = Evidence {
            given: cloud,
            documents: documents
                .iter()
                .map(|(c, pos)| (*c, pos.as_str()))
                .collect(),
            names,
        };
        let cloud = match detect(&evidence) {
            Ok(c) => c,
            Err(m) => {
                let pos = documents
                    .iter()
                    .find(|(c, _)| *c == m.other)
                    .and_then(|(_, p)| p.split_once(':'))
                    .and_then(|(l, c)| {
                        Some(Pos {
                            line: l.parse().ok()?,
                            col: c.parse().ok()?,
                        })
                    })
                    .unwrap_or(doc.pos);
                self.err(
                    pos,
                    format!(
                        "this policy is written for {}, but the test is for {}",
                        m.other.title(),
                        m.first.title()
                    ),
                    Some("a stack cannot mix clouds"),
                );
                return None;
            }
        };
        let stack = match doc.get("policies") {
            Some(p) => self.stack(p, cloud, &Stack::default())?,
            None => Stack::default(),
        };
        let mut cases = Vec::new();
        for (i, c) in cases_json.iter().enumerate() {
            if let Some(case) = self.case(
                c,
                i,
                cloud,
                &stack,
                principal.as_deref(),
                principal_id.as_deref(),
                resource_account.as_deref(),
                &context,
            ) {
                cases.push(case);
            }
        }
        Some(TestFile {
            name,
            cloud,
            stack,
            cases,
            warnings: Vec::new(),
        })
    }

    fn account_field(&mut self, v: &Json) -> Option<String> {
        let f = v.get("resource_account")?;
        match f.scalar_text() {
            Some(s) if !matches!(f.kind, JsonKind::Bool(_)) => Some(s),
            _ => {
                self.err(f.pos, "`resource_account` must be a string", None);
                None
            }
        }
    }

    fn context(&mut self, v: Option<&Json>) -> Context {
        let mut ctx = Context::new();
        let Some(v) = v else { return ctx };
        let Some(members) = v.as_object() else {
            self.err(
                v.pos,
                format!(
                    "`context` must be an object of keys and values, found {}",
                    v.type_name()
                ),
                None,
            );
            return ctx;
        };
        let mut seen: std::collections::HashMap<&str, Pos> = std::collections::HashMap::new();
        for m in members {
            // Trimmed as the CLI trims `--context KEY=VALUE`: `"aws:SourceVpce "` would
            // otherwise be a key no policy names, and a Deny on it would be skipped.
            let key = m.key.trim();
            if key.is_empty() {
                self.err(
                    m.key_pos,
                    "a context key is empty",
                    Some("name the condition key, as in `aws:SourceVpce`"),
                );
                continue;
            }
            if key != m.key {
                let mut d = Diagnostic::warning(
                    m.key_pos,
                    format!("the context key `{}` has white space around it; polsim reads it as `{key}`", m.key.escape_debug()),
                )
                .in_source(&self.source);
                d.help = Some("remove the spaces".into());
                self.diags.push(d);
            }
            if let Some(first) = seen.get(key) {
                let msg = format!(
                    "the context key `{key}` is given twice (first at line {}, column {})",
                    first.line, first.col
                );
                self.err(
                    m.key_pos,
                    msg,
                    Some("give each key once; a list value holds several values"),
                );
                continue;
            }
            seen.insert(key, m.key_pos);
            match context_value(&m.value) {
                Some(val) => ctx.insert(key, val),
                None => self.err(m.value.pos, format!("the value of context key `{key}` must be a string, number, boolean or a list of them"), None),
            }
        }
        ctx
    }

    #[allow(clippy::too_many_arguments)]
    fn case(
        &mut self,
        c: &Json,
        i: usize,
        cloud: Cloud,
        stack: &Stack,
        principal: Option<&str>,
        principal_id: Option<&str>,
        resource_account: Option<&str>,
        context: &Context,
    ) -> Option<TestCase> {
        if c.as_object().is_none() {
            self.err(c.pos, "a case must be an object", None);
            return None;
        }
        self.check_members(c, CASE, "a case");
        let name = self
            .str_field(c, "name")
            .unwrap_or_else(|| format!("case {}", i + 1));
        let principal = self
            .str_field(c, "principal")
            .or(principal.map(str::to_string));
        let principal_id = self
            .str_field(c, "principal_id")
            .or(principal_id.map(str::to_string));
        let Some(principal) = principal else {
            self.err(c.pos, format!("case `{name}` has no `principal` and the file gives none"), Some("add `\"principal\": \"arn:aws:iam::111122223333:user/Dave\"` at the top level or on the case"));
            return None;
        };
        let action = self.str_field(c, "action");
        let resource = self.str_field(c, "resource");
        if action.is_none() {
            self.err(c.pos, format!("case `{name}` has no `action`"), None);
        }
        if resource.is_none() {
            self.err(
                c.pos,
                format!("case `{name}` has no `resource`"),
                Some("use `\"*\"` for actions that take no resource"),
            );
        }
        let expect = match c.get("expect") {
            Some(e) => match e.as_str().and_then(Decision::from_name) {
                Some(d) => Some(d),
                None => {
                    self.err(
                        e.pos,
                        "`expect` must be `allow`, `explicit_deny` or `implicit_deny`",
                        None,
                    );
                    None
                }
            },
            None => {
                self.err(c.pos, format!("case `{name}` has no `expect`"), None);
                None
            }
        };
        let expect_layer = match c.get("expect_layer") {
            Some(e) => match e.as_str().and_then(Layer::from_name) {
                Some(l) => Some(l),
                None => {
                    self.err(e.pos, "`expect_layer` must name a layer: identity, permissions_boundary, session, resource, scp, rcp, vpc_endpoint or access_point", None);
                    None
                }
            },
            None => None,
        };
        let mut ctx = context.clone();
        for (k, v) in self.context(c.get("context")).iter() {
            ctx.insert(k, v.clone());
        }
        let mut caller = match parse_caller(cloud, &principal, principal_id.as_deref()) {
            Ok(caller) => caller,
            Err(msg) => {
                let pos = c.get("principal").map_or(c.pos, |p| p.pos);
                self.err(pos, msg, None);
                return None;
            }
        };
        // The file's `federated_by` goes with the file's principal: a case that names its own
        // principal names its own `federated_by`.
        let federated_by = match c.get("federated_by") {
            Some(f) => self.str_field(c, "federated_by").map(|s| (s, f.pos)),
            None if c.get("principal").is_none() => self.federated_by.clone(),
            None => None,
        };
        if let Some((user, pos)) = federated_by {
            match polsim_core::aws::federating_user(&caller, &user) {
                Ok(()) => caller.federated_by = Some(user),
                Err(msg) => {
                    self.err(pos, msg, Some("`federated_by` names the IAM user (or root user) that called GetFederationToken, for a `federated-user` principal of the same account"));
                    return None;
                }
            }
        }
        let case_stack = match c.get("policies") {
            Some(p) => self.stack(p, cloud, stack)?,
            None => stack.clone(),
        };
        let mut request = Request {
            cloud,
            caller,
            action: action?,
            resource: resource?,
            resource_account: self
                .account_field(c)
                .or(resource_account.map(str::to_string)),
            access_point: self.str_field(c, "access_point"),
            context: ctx,
            extras: Default::default(),
        };
        // Catalog checks: unknown actions and keys warn, mistyped values are errors (validate.rs).
        self.diags
            .extend(crate::validate::case_request(&mut request, c, &self.source));
        Some(TestCase {
            name,
            pos: c.pos,
            request,
            stack: case_stack,
            expect: expect?,
            expect_layer,
            expect_statement: self.str_field(c, "expect_statement"),
            expect_message: self.str_field(c, "expect_message"),
        })
    }

    /// Reads a `policies` object; layers it names replace those of `base`.
    fn stack(&mut self, p: &Json, cloud: Cloud, base: &Stack) -> Option<Stack> {
        let Some(members) = p.as_object() else {
            self.err(p.pos, "`policies` must be an object of layers", None);
            return None;
        };
        let mut stack = base.clone();
        for m in members {
            let Some(layer) = Layer::from_name(&m.key) else {
                let names = Layer::ALL.iter().map(|l| l.name()).collect::<Vec<_>>();
                let help = crate::diag::suggest(&m.key, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                self.err(m.key_pos, format!("unknown policy layer `{}`", m.key), help.as_deref().or(Some("layers: identity, permissions_boundary, session, resource, scp, rcp, vpc_endpoint, access_point")));
                continue;
            };
            let JsonKind::Array(items) = &m.value.kind else {
                self.err(
                    m.value.pos,
                    format!("layer `{}` must be a list", m.key),
                    None,
                );
                continue;
            };
            // A layer the case names replaces the file's.
            stack.clear(layer);
            if layer.has_levels() {
                for (i, lv) in items.iter().enumerate() {
                    let name = lv
                        .get("level")
                        .and_then(Json::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("level-{}", i + 1));
                    let Some(JsonKind::Array(ps)) = lv.get("policies").map(|p| &p.kind) else {
                        self.err(
                            lv.pos,
                            format!(
                                "each `{}` entry is `{{\"level\": NAME, \"policies\": [...]}}`",
                                m.key
                            ),
                            None,
                        );
                        continue;
                    };
                    stack.declare(layer, Some(&name));
                    for (j, d) in ps.iter().enumerate() {
                        let id = format!("{}-{name}-{}", layer.name(), j + 1);
                        if let Some(p) = self.policy(d, layer, cloud, &id) {
                            stack.push(layer, Some(&name), p);
                        }
                    }
                }
            } else {
                // `[]` removes a layer, except identity, where it means "no policies".
                if !items.is_empty() || layer == Layer::Identity {
                    stack.declare(layer, None);
                }
                for (j, d) in items.iter().enumerate() {
                    let id = format!("{}-{}", layer.name(), j + 1);
                    if let Some(p) = self.policy(d, layer, cloud, &id) {
                        stack.push(layer, None, p);
                    }
                }
            }
        }
        Some(stack)
    }

    /// Reads one `POLICY` entry: a document, a path, `{id, document}`, `{id, file}`, or a
    /// document in a JSON string.
    fn policy(
        &mut self,
        d: &Json,
        layer: Layer,
        cloud: Cloud,
        default_id: &str,
    ) -> Option<polsim_core::ir::Policy> {
        let (id, file, doc_owned, source);
        let doc: &Json = match &d.kind {
            JsonKind::String(s) if s.trim_start().starts_with('{') => {
                source = self.source.clone();
                doc_owned = self.inner_document(d, &source)?;
                id = default_id.to_string();
                file = None;
                &doc_owned
            }
            JsonKind::String(path) => {
                let (fid, f, text) = self.read_file(path, d.pos)?;
                (doc_owned, source) = self.parse_file(text, &f)?;
                (id, file) = (fid, Some(f));
                &doc_owned
            }
            JsonKind::Object(_) if d.get("document").is_some() || d.get("file").is_some() => {
                let given = d.get("id").and_then(Json::as_str).map(str::to_string);
                if let Some(path) = d.get("file").and_then(Json::as_str) {
                    let (fid, f, text) = self.read_file(path, d.pos)?;
                    (doc_owned, source) = self.parse_file(text, &f)?;
                    file = Some(f);
                    id = given.unwrap_or(fid);
                    &doc_owned
                } else {
                    id = given.unwrap_or_else(|| default_id.to_string());
                    file = None;
                    source = self.source.clone();
                    match d.get("document") {
                        Some(
                            s @ Json {
                                kind: JsonKind::String(_),
                                ..
                            },
                        ) => {
                            doc_owned = self.inner_document(s, &source)?;
                            &doc_owned
                        }
                        Some(doc) => doc,
                        None => return None,
                    }
                }
            }
            _ => {
                id = default_id.to_string();
                file = None;
                source = self.source.clone();
                d
            }
        };
        let src = PolicySource { id, file, layer };
        let doc_cloud = cloud_of_document(doc).unwrap_or(cloud);
        if doc_cloud != cloud {
            self.err_in(
                &source,
                doc.pos,
                format!(
                    "this policy is written for {}, but the test is for {}",
                    doc_cloud.title(),
                    cloud.title()
                ),
                Some("a stack cannot mix clouds"),
            );
            return None;
        }
        let (policy, diags) = lower_policy(doc, &src, cloud);
        self.diags
            .extend(diags.into_iter().map(|dg| dg.in_source(&source)));
        policy
    }

    /// The document inside the JSON string `node` of `source`, located inside the string.
    fn inner_document(&mut self, node: &Json, source: &Source) -> Option<Json> {
        match json::parse_embedded(node, source)? {
            Ok(j) => Some(j),
            Err(e) => {
                let d = e.diagnostic(source);
                self.diags.push(Diagnostic {
                    message: format!("the policy string is not valid JSON: {}", e.message),
                    ..d
                });
                None
            }
        }
    }

    fn read_file(&mut self, path: &str, pos: Pos) -> Option<(String, String, String)> {
        match (self.read)(path) {
            Ok((shown, text)) => {
                let stem = std::path::Path::new(path)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or(path)
                    .to_string();
                Some((stem, shown, text))
            }
            Err(e) => {
                self.err(
                    pos,
                    format!("cannot read policy file `{path}`: {e}"),
                    Some("paths are relative to the test file's folder"),
                );
                None
            }
        }
    }

    /// Parses a policy file named `file` holding `text`: a document, or a document in a JSON
    /// string (as CloudTrail prints it).
    fn parse_file(&mut self, text: String, file: &str) -> Option<(Json, Source)> {
        let source = Source::new(file, text);
        match json::parse(source.text()) {
            Ok(j) => match &j.kind {
                JsonKind::String(_) => Some((self.inner_document(&j, &source)?, source)),
                _ => Some((j, source)),
            },
            Err(e) => {
                self.diags.push(e.diagnostic(&source));
                None
            }
        }
    }
}

/// The clouds the inline documents of a `policies` object are marked for, each with its
/// `line:col`.
fn inline_document_clouds(p: Option<&Json>, out: &mut Vec<(Cloud, String)>) {
    let Some(members) = p.and_then(Json::as_object) else {
        return;
    };
    let mut push = |d: &Json| {
        if let Some(c) = cloud_of_document(d) {
            out.push((c, format!("{}:{}", d.pos.line, d.pos.col)));
        }
    };
    for m in members {
        if let JsonKind::Array(items) = &m.value.kind {
            for it in items {
                push(it.get("document").unwrap_or(it));
                if let Some(JsonKind::Array(ps)) = it.get("policies").map(|p| &p.kind) {
                    for d in ps {
                        push(d.get("document").unwrap_or(d));
                    }
                }
            }
        }
    }
}

/// A context value from JSON.
pub fn context_value(v: &Json) -> Option<CtxValue> {
    match &v.kind {
        JsonKind::Array(items) => items
            .iter()
            .map(Json::scalar_text)
            .collect::<Option<Vec<_>>>()
            .map(CtxValue::Many),
        _ => v.scalar_text().map(CtxValue::One),
    }
}

/// Reads a caller name for `cloud`.
pub fn parse_caller(
    cloud: Cloud,
    text: &str,
    id: Option<&str>,
) -> Result<polsim_core::Caller, String> {
    polsim_core::clouds::of(cloud).parse_caller(text, id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    fn read(text: &str) -> Result<TestFile, Vec<Diagnostic>> {
        let mut read = |_: &str| Err::<(String, String), String>("no files here".into());
        parse_test_file(text, "t.json", &mut read)
    }

    const DENY_OUTSIDE_VPCE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

    fn case_with_context(context: &str) -> String {
        format!(
            r#"{{"principal":"arn:aws:iam::111122223333:user/Dave","policies":{{"identity":[{DENY_OUTSIDE_VPCE}]}},
            "cases":[{{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{context},"expect":"explicit_deny"}}]}}"#
        )
    }

    #[test]
    fn context_key_with_spaces_is_trimmed_with_a_warning() {
        let tf = read(&case_with_context(r#"{"aws:SourceVpce ":"vpce-2"}"#)).unwrap();
        assert_eq!(tf.warnings.len(), 1, "{:?}", tf.warnings);
        assert!(tf.warnings[0]
            .message
            .contains("reads it as `aws:SourceVpce`"));
        assert_eq!(tf.warnings[0].pos, Pos { line: 2, col: 88 });
        let ctx = &tf.cases[0].request.context;
        assert!(ctx.contains("aws:SourceVpce"));
        // The Deny applies, as with the CLI's trimmed `--context`.
        let got = polsim_core::evaluate(&tf.cases[0].stack, &tf.cases[0].request);
        assert_eq!(got.verdict.decision, Decision::ExplicitDeny);
        // Without spaces: no warning.
        let tf = read(&case_with_context(r#"{"aws:SourceVpce":"vpce-2"}"#)).unwrap();
        assert!(tf.warnings.is_empty());
    }

    #[test]
    fn context_key_given_twice_is_an_error() {
        let e = read(&case_with_context(
            r#"{"aws:SourceVpce":"vpce-1","aws:SourceVpce ":"vpce-2"}"#,
        ))
        .unwrap_err();
        assert!(e.iter().any(|d| d.message.contains("given twice")), "{e:?}");
        let e = read(&case_with_context(r#"{" ":"x"}"#)).unwrap_err();
        assert!(e.iter().any(|d| d.message.contains("empty")), "{e:?}");
    }
}
