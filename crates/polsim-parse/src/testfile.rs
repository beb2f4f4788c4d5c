//! The policy test file (`polsim test`), read into stacks and requests, and the check of one
//! case. Files a test refers to are read through a caller-supplied function, so this module does
//! no I/O itself.

use crate::diag::{Diagnostic, Source};
use crate::json::{self, Json, JsonKind};
use crate::{lower_policy, PolicySource};
use polsim_core::clouds::{detect, Evidence};
use polsim_core::decide::Check;
use polsim_core::service::{CheckWhy, Plan, ServiceEvaluation};
use polsim_core::state::{RequestExtras, ResourceState, Signed};
use polsim_core::{
    Cloud, Context, CtxValue, Decision, Evaluation, Layer, Pos, Report, Request, Stack,
};

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
    pub stack: std::sync::Arc<Stack>,
    /// The cases.
    pub cases: Vec<TestCase>,
    /// Warnings found while reading.
    pub warnings: Vec<Diagnostic>,
}

/// One case, with the top-level defaults already applied.
///
/// A case names the action (`request.action`), the API operation (`request.extras.operation`),
/// or both. With only an operation, `request.action` is the first action the service checks for
/// it (the plan resolves them all); with both, the action must be one of them.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// `name`, or `case N`.
    pub name: String,
    /// Where the case starts.
    pub pos: Pos,
    /// The request.
    pub request: Request,
    /// The stack for this case (top level with the case's replacements), with the resource's
    /// state (`s3` / `oss` / `cos` / `canonical_ids`, the case's keys over the file's). A case
    /// that replaces nothing shares the file's stack (memory stays flat in the number of cases).
    pub stack: std::sync::Arc<Stack>,
    /// The expected decision.
    pub expect: Decision,
    /// The expected deciding layer.
    pub expect_layer: Option<Layer>,
    /// The expected deciding statement (`Sid` or `POLICY#N`).
    pub expect_statement: Option<String>,
    /// Text the message must contain.
    pub expect_message: Option<String>,
    /// For a deny decided by a service's own check (not a policy layer): that check.
    pub expect_check: Option<Check>,
    /// The HTTP status the service answers with.
    pub expect_status: Option<u16>,
    /// The error code the service answers with (`AccessDenied`, `NoSuchKey`, ...).
    pub expect_error_code: Option<String>,
}

/// What a case got, when it did not get what it expected.
#[derive(Debug, Clone)]
pub struct Failure {
    /// One line per unmet expectation.
    pub problems: Vec<String>,
}

/// Checks a case's evaluation against its expectations.
pub fn check(case: &TestCase, plan: &Plan<'_>, se: &ServiceEvaluation<'_>) -> Option<Failure> {
    let mut problems = Vec::new();
    let v = se.verdict;
    let eval = se.deciding();
    // A refusal of the service itself is decided by no policy layer or statement.
    let rejected = matches!(v.why, Some(CheckWhy::Rejected(_)));
    let layer = eval.and_then(Evaluation::layer).filter(|_| !rejected);
    let statement = eval.and_then(Evaluation::statement).filter(|_| !rejected);
    if v.decision != case.expect {
        problems.push(format!(
            "expected {}, got {}",
            case.expect.name(),
            v.decision.name()
        ));
    }
    if let Some(l) = case.expect_layer {
        if layer != Some(l) {
            problems.push(format!(
                "expected layer {}, got {}",
                l.name(),
                layer.map_or("none", Layer::name)
            ));
        }
    }
    if let Some(s) = &case.expect_statement {
        let ok = v.decision != Decision::Allow && statement.is_some_and(|st| st.is_named(s));
        if !ok {
            problems.push(format!(
                "expected statement {s}, got {}",
                statement.map_or("none".to_string(), |st| st.label())
            ));
        }
    }
    if let Some(m) = &case.expect_message {
        // The message is worded only when a case asks for it.
        let got = Report::for_service(plan, se).and_then(|r| r.message);
        if !got.as_deref().is_some_and(|got| got.contains(m.as_str())) {
            problems.push(format!(
                "expected the message to contain `{m}`, got `{}`",
                got.as_deref().unwrap_or("(no message)")
            ));
        }
    }
    if let Some(c) = case.expect_check {
        if v.check != Some(c) {
            problems.push(format!(
                "expected check {}, got {}",
                c.name(),
                v.check
                    .map_or("none (no service check decided)", Check::name)
            ));
        }
    }
    if let Some(want) = case.expect_status {
        if want != v.status {
            problems.push(format!("expected status {want}, got {}", v.status));
        }
    }
    if let Some(want) = &case.expect_error_code {
        if want != v.error_code {
            let got = if v.error_code.is_empty() {
                "none"
            } else {
                v.error_code
            };
            problems.push(format!("expected error code {want}, got {got}"));
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
    let mut cases = Vec::new();
    let mut tf = read_test_file(text, file, read, &mut |c| cases.push(c))?;
    tf.cases = cases;
    Ok(tf)
}

/// Reads a test file and hands each valid case to `on_case` as soon as it is read, so that a
/// file of many cases is judged with one case in memory at a time (the returned `TestFile` has
/// no `cases`). An `Err` means the file is invalid even if some cases were handed over: the
/// caller must then drop what it made of them (`polsim test` keeps their results aside until the
/// file is read to its end).
///
/// `text` is taken by value so that a caller that owns it does not hold two copies (the
/// diagnostics' [`Source`] keeps it).
pub fn read_test_file(
    text: impl Into<String>,
    file: &str,
    read: &mut Reader<'_>,
    on_case: &mut dyn FnMut(TestCase),
) -> Result<TestFile, Vec<Diagnostic>> {
    let source = Source::new(file, text);
    let doc = json::parse(source.text()).map_err(|e| vec![e.diagnostic(&source)])?;
    let mut cx = Cx {
        federated_by: None,
        source,
        diags: Vec::new(),
        read,
        account: None,
        named: Vec::new(),
    };
    let tf = cx.test_file(&doc, on_case);
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
    "s3",
    "oss",
    "cos",
    "canonical_ids",
    "account",
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
    "operation",
    "copy_source",
    "headers",
    "version_id",
    "signed",
    "request_policy",
    "expect_check",
    "expect_status",
    "expect_error_code",
    "s3",
    "oss",
    "cos",
    "canonical_ids",
];

/// The members a batch request line may have (`polsim eval --requests`): a test case's request
/// fields, and an `id` echoed in its result.
const REQUEST: &[&str] = &[
    "id",
    "principal",
    "principal_id",
    "federated_by",
    "action",
    "operation",
    "resource",
    "resource_account",
    "access_point",
    "context",
    "headers",
    "copy_source",
    "version_id",
    "signed",
];

/// What a stack folder's `polsim.json` gives every request of a batch.
#[derive(Debug, Clone, Copy)]
pub struct RequestDefaults<'a> {
    /// The caller, when a line names none.
    pub principal: &'a str,
    /// Its unique id (only with `principal`).
    pub principal_id: Option<&'a str>,
    /// The IAM user behind a federated-user `principal` (only with it).
    pub federated_by: Option<&'a str>,
    /// The resource's owner.
    pub resource_account: Option<&'a str>,
    /// Context keys every request carries (a line's own keys win).
    pub context: &'a Context,
    /// `principal` (with `principal_id`) already read, when it reads: a line that names no
    /// caller of its own gets a copy instead of reading the name again.
    pub caller: Option<&'a polsim_core::Caller>,
}

/// Reads one request of a batch: a JSON object with a test case's request fields (`principal`,
/// `action` or `operation`, `resource`, `resource_account`, `context`, `headers`, ...; `id` is
/// echoed back). `name` is shown in diagnostics, whose positions are within `text`. Returns the
/// request, checked against the catalog as a test case is, with its warnings and the line's
/// `id`; or the errors.
pub fn parse_request(
    text: &str,
    name: &str,
    cloud: Cloud,
    d: &RequestDefaults<'_>,
) -> Result<(Request, Option<String>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let source = Source::new(name, text);
    let doc = json::parse(text).map_err(|e| vec![e.diagnostic(&source)])?;
    let mut refuse =
        |_: &str| Err::<(String, String), String>("a batch request names no file".into());
    let mut cx = Cx {
        federated_by: None,
        source,
        diags: Vec::new(),
        read: &mut refuse,
        account: None,
        named: Vec::new(),
    };
    let req = cx.request_line(&doc, cloud, d);
    let (errors, warnings): (Vec<_>, Vec<_>) = cx.diags.into_iter().partition(Diagnostic::is_error);
    match req {
        Some((r, id)) if errors.is_empty() => Ok((r, id, warnings)),
        _ if errors.is_empty() => Err(vec![Diagnostic::error(
            doc.pos,
            "the request is incomplete",
        )]),
        _ => Err(errors),
    }
}

struct Cx<'r, 'a> {
    /// The file's `federated_by`, with its place.
    federated_by: Option<(String, Pos)>,
    /// The test file's text: diagnostics about it carry it for their frame.
    source: Source,
    diags: Vec<Diagnostic>,
    read: &'r mut Reader<'a>,
    /// The file's `account` snapshot, read.
    account: Option<crate::account::Snapshot>,
    /// The layers the file's `policies` names (they win over the snapshot's).
    named: Vec<Layer>,
}

/// The layers a `policies` object names.
fn named_layers(p: Option<&Json>) -> Vec<Layer> {
    p.and_then(Json::as_object)
        .map(|members| {
            members
                .iter()
                .filter_map(|m| Layer::from_name(&m.key))
                .collect()
        })
        .unwrap_or_default()
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

    fn test_file(&mut self, doc: &Json, on_case: &mut dyn FnMut(TestCase)) -> Option<TestFile> {
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
            }) if !items.is_empty() => items.as_slice(),
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
        for c in cases_json {
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
        let mut stack = match doc.get("policies") {
            Some(p) => self.stack(p, cloud, &Stack::default())?,
            None => Stack::default(),
        };
        self.state(doc, cloud, &mut stack.state);
        self.named = named_layers(doc.get("policies"));
        if let Some(a) = doc.get("account") {
            self.account_snapshot(a, cloud)?;
        }
        let stack = std::sync::Arc::new(stack);
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
                on_case(case);
            }
        }
        Some(TestFile {
            name,
            cloud,
            stack,
            cases: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// Reads the file's `account`: the path of an AWS account snapshot
    /// (`aws iam get-account-authorization-details`), relative to the test file.
    fn account_snapshot(&mut self, a: &Json, cloud: Cloud) -> Option<()> {
        let Some(path) = a.as_str() else {
            self.err(
                a.pos,
                format!("`account` must be a path (a string), found {}", a.type_name()),
                Some("write `\"account\": \"auth.json\"`, the output of `aws iam get-account-authorization-details` saved beside the test file"),
            );
            return None;
        };
        if cloud != Cloud::Aws {
            self.err(
                a.pos,
                format!("`account` reads an AWS account snapshot, but the test is for {}", cloud.title()),
                Some("Alibaba Cloud RAM and Tencent Cloud CAM have no one-call export of a caller's policies: give them in `policies` (docs/cli.md)"),
            );
            return None;
        }
        match (self.read)(path) {
            Ok((shown, text)) => match crate::account::Snapshot::read(Source::new(shown, text)) {
                Ok(snap) => {
                    self.account = Some(snap);
                    Some(())
                }
                Err(e) => {
                    self.diags.extend(e);
                    None
                }
            },
            Err(e) => {
                self.err(
                    a.pos,
                    format!("cannot read the account snapshot `{path}`: {e}"),
                    Some("paths are relative to the test file's folder"),
                );
                None
            }
        }
    }

    /// The case's stack with the layers the account snapshot gives its caller, except those
    /// the file's or the case's `policies` names.
    fn with_account(
        &mut self,
        c: &Json,
        name: &str,
        principal: &str,
        request: &Request,
        stack: std::sync::Arc<Stack>,
    ) -> Option<std::sync::Arc<Stack>> {
        let picked = self
            .account
            .as_ref()
            .map(|s| s.pick(principal, &request.action, &request.resource));
        let picked = match picked {
            None => return Some(stack),
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                self.diags.extend(e.into_iter().map(|d| Diagnostic {
                    message: format!("case `{name}`: {}", d.message),
                    ..d
                }));
                return None;
            }
        };
        let mut named = self.named.clone();
        named.extend(named_layers(c.get("policies")));
        let mut s = Stack::clone(&stack);
        for (layer, level) in &picked.layers {
            if !named.contains(layer) {
                s.declare(*layer, level.as_deref());
            }
        }
        for t in picked.taken {
            if !named.contains(&t.layer) {
                s.push(t.layer, t.level.as_deref(), t.policy);
            }
        }
        // One warning for all the cases that meet it; none for a layer `policies` gives.
        let gaps = picked
            .incomplete
            .into_iter()
            .filter(|g| !g.layer.is_some_and(|l| named.contains(&l)))
            .map(|g| g.warning);
        for w in picked.warnings.into_iter().chain(gaps) {
            if !self
                .diags
                .iter()
                .any(|d| d.message == w.message && d.pos == w.pos && d.file == w.file)
            {
                self.diags.push(w);
            }
        }
        Some(std::sync::Arc::new(s))
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
        stack: &std::sync::Arc<Stack>,
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
        let operation = self.str_field(c, "operation");
        let resource = self.str_field(c, "resource");
        if action.is_none()
            && operation.is_none()
            && c.get("action").is_none()
            && c.get("operation").is_none()
        {
            self.err(
                c.pos,
                format!("case `{name}` has no `action` or `operation`"),
                Some("name the action (`\"action\": \"s3:GetObject\"`) or the API operation the error names (`\"operation\": \"HeadObject\"`)"),
            );
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
                    self.err(e.pos, "`expect_layer` must name a layer: identity, permissions_boundary, session, resource, scp, rcp, vpc_endpoint, access_point or kms_key", None);
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
        // A case with its own policies or state gets its own stack; the others share the file's.
        let own_state = crate::state::MEMBERS.iter().any(|m| c.get(m).is_some());
        let case_stack = match c.get("policies") {
            Some(p) => {
                let mut s = self.stack(p, cloud, stack)?;
                self.state(c, cloud, &mut s.state);
                std::sync::Arc::new(s)
            }
            None if own_state => {
                let mut s = Stack::clone(stack);
                self.state(c, cloud, &mut s.state);
                std::sync::Arc::new(s)
            }
            None => std::sync::Arc::clone(stack),
        };
        let extras = self.extras(c, cloud, operation);
        let expect_check = self.expect_check(c);
        let expect_status = self.expect_status(c);
        let action = match (action, &extras.operation) {
            (Some(a), _) => a,
            // The core resolves the operation to its action(s).
            (None, Some(_)) => String::new(),
            (None, None) => return None,
        };
        let mut request = Request {
            cloud,
            caller,
            action,
            resource: resource?,
            resource_account: self
                .account_field(c)
                .or(resource_account.map(str::to_string)),
            access_point: self.str_field(c, "access_point"),
            context: ctx,
            extras,
        };
        self.resolve_operation(c, &mut request);
        // Catalog checks: unknown actions and keys warn, mistyped values are errors (validate.rs).
        let keys = crate::dialect_keys(request.cloud);
        self.diags.extend(crate::validate::case_request(
            &mut request,
            keys,
            c,
            &self.source,
        ));
        let case_stack = self.with_account(c, &name, &principal, &request, case_stack)?;
        Some(TestCase {
            name,
            pos: c.pos,
            request,
            stack: case_stack,
            expect: expect?,
            expect_layer,
            expect_statement: self.str_field(c, "expect_statement"),
            expect_message: self.str_field(c, "expect_message"),
            expect_check,
            expect_status,
            expect_error_code: self.str_field(c, "expect_error_code"),
        })
    }

    /// One request of a batch (see [`parse_request`]).
    fn request_line(
        &mut self,
        c: &Json,
        cloud: Cloud,
        d: &RequestDefaults<'_>,
    ) -> Option<(Request, Option<String>)> {
        if c.as_object().is_none() {
            self.err(c.pos, format!("a request must be a JSON object, found {}", c.type_name()), Some("one request per line: `{\"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\"}`"));
            return None;
        }
        self.check_members(c, REQUEST, "a request");
        let id = c.get("id").and_then(Json::scalar_text);
        let own = c.get("principal").is_some();
        let principal = self
            .str_field(c, "principal")
            .unwrap_or_else(|| d.principal.to_string());
        let principal_id = self
            .str_field(c, "principal_id")
            .or_else(|| (!own).then(|| d.principal_id.map(str::to_string)).flatten());
        let action = self.str_field(c, "action");
        let operation = self.str_field(c, "operation");
        if action.is_none()
            && operation.is_none()
            && c.get("action").is_none()
            && c.get("operation").is_none()
        {
            self.err(c.pos, "the request has no `action` or `operation`", Some("name the action (`\"action\": \"s3:GetObject\"`) or the API operation (`\"operation\": \"HeadObject\"`)"));
        }
        let resource = self.str_field(c, "resource");
        if resource.is_none() && c.get("resource").is_none() {
            self.err(
                c.pos,
                "the request has no `resource`",
                Some("use `\"*\"` for actions that take no resource"),
            );
        }
        let mut ctx = d.context.clone();
        for (k, v) in self.context(c.get("context")).iter() {
            ctx.insert(k, v.clone());
        }
        let reuse = d.caller.filter(|_| !own && c.get("principal_id").is_none());
        let read = match reuse {
            Some(caller) => Ok(caller.clone()),
            None => parse_caller(cloud, &principal, principal_id.as_deref()),
        };
        let mut caller = match read {
            Ok(caller) => caller,
            Err(msg) => {
                let pos = c.get("principal").map_or(c.pos, |p| p.pos);
                self.err(pos, msg, None);
                return None;
            }
        };
        let federated_by = match c.get("federated_by") {
            Some(f) => self.str_field(c, "federated_by").map(|s| (s, f.pos)),
            None if !own => d.federated_by.map(|s| (s.to_string(), c.pos)),
            None => None,
        };
        if let Some((user, pos)) = federated_by {
            match polsim_core::aws::federating_user(&caller, &user) {
                Ok(()) => caller.federated_by = Some(user),
                Err(msg) => {
                    self.err(pos, msg, None);
                    return None;
                }
            }
        }
        let extras = self.extras(c, cloud, operation);
        let action = match (action, &extras.operation) {
            (Some(a), _) => a,
            (None, Some(_)) => String::new(),
            (None, None) => return None,
        };
        let mut request = Request {
            cloud,
            caller,
            action,
            resource: resource?,
            resource_account: self
                .account_field(c)
                .or(d.resource_account.map(str::to_string)),
            access_point: self.str_field(c, "access_point"),
            context: ctx,
            extras,
        };
        self.resolve_operation(c, &mut request);
        let keys = crate::dialect_keys(request.cloud);
        self.diags.extend(crate::validate::case_request(
            &mut request,
            keys,
            c,
            &self.source,
        ));
        Some((request, id))
    }

    /// Checks a case's `operation` against the cloud's operation table: an unknown operation is
    /// an error with did-you-mean; an `action` given beside it must be one the operation is
    /// checked as; with none, the first such action stands for the request.
    fn resolve_operation(&mut self, c: &Json, request: &mut Request) {
        let Some(op) = request.extras.operation.clone() else {
            return;
        };
        let profile = polsim_core::clouds::of(request.cloud);
        let given = request.action.clone();
        if let Err(problem) = polsim_core::service::settle_action(profile, request) {
            let field = match problem {
                polsim_core::service::OperationProblem::Unknown(_) => "operation",
                polsim_core::service::OperationProblem::Disagrees { .. } => "action",
            };
            let pos = c.get(field).map_or(c.pos, |v| v.pos);
            let (msg, help) = operation_problem(request.cloud, &op, &given, problem);
            self.err(pos, msg, Some(&help));
        }
    }

    /// Reads the state members of a test file or case (`v`) over `state`.
    fn state(&mut self, v: &Json, cloud: Cloud, state: &mut ResourceState) {
        let Some(members) = v.as_object() else {
            return;
        };
        let mut diags = Vec::new();
        let file = self.source.name().to_string();
        for m in members {
            if crate::state::MEMBERS.contains(&m.key.as_str()) {
                crate::state::read_member(&m.key, &m.value, cloud, state, Some(&file), &mut diags);
            }
        }
        let source = self.source.clone();
        self.diags
            .extend(diags.into_iter().map(|d| d.in_source(&source)));
    }

    /// What a case's request carries beyond action and resource (format version 2).
    fn extras(&mut self, c: &Json, cloud: Cloud, operation: Option<String>) -> RequestExtras {
        let mut x = RequestExtras {
            operation,
            copy_source: self.str_field(c, "copy_source"),
            version_id: self.str_field(c, "version_id"),
            ..RequestExtras::default()
        };
        if let Some(h) = c.get("headers") {
            x.headers = self.headers(h);
        }
        if let Some(sv) = c.get("signed") {
            match sv.as_str().and_then(Signed::from_name) {
                Some(sg) => x.signed = Some(sg),
                None => self.err(
                    sv.pos,
                    "`signed` must be `header`, `url` or `none`",
                    Some("how the request was signed: in the Authorization header, in the URL (a presigned URL), or not at all"),
                ),
            }
        }
        if let Some(p) = c.get("request_policy") {
            // The document PutBucketPolicy / PutAccessPointPolicy carries: a resource policy.
            x.request_policy = self.policy(p, Layer::Resource, cloud, "request_policy");
        }
        x
    }

    /// A case's `headers`: an object of strings; a name given twice (in any case) is an error.
    fn headers(&mut self, h: &Json) -> Vec<(String, String)> {
        let Some(members) = h.as_object() else {
            self.err(
                h.pos,
                format!(
                    "`headers` must be an object of header names and values, found {}",
                    h.type_name()
                ),
                Some("write `\"headers\": {\"x-amz-acl\": \"public-read\"}`"),
            );
            return Vec::new();
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for m in members {
            let name = m.key.trim();
            if name.is_empty() || name != m.key {
                self.err(
                    m.key_pos,
                    format!("`{}` is not a header name", m.key.escape_debug()),
                    Some("a header name has no white space around it"),
                );
                continue;
            }
            if let Some(first) = members
                .iter()
                .take_while(|f| !std::ptr::eq(*f, m))
                .find(|f| f.key.eq_ignore_ascii_case(name))
            {
                let msg = format!(
                    "the header `{name}` is given twice (first at line {}, column {}; header names are case-insensitive)",
                    first.key_pos.line, first.key_pos.col
                );
                self.err(m.key_pos, msg, None);
                continue;
            }
            match m.value.as_str() {
                Some(v) => out.push((name.to_string(), v.to_string())),
                None => self.err(
                    m.value.pos,
                    format!(
                        "the value of header `{name}` must be a string, found {}",
                        m.value.type_name()
                    ),
                    None,
                ),
            }
        }
        out
    }

    fn expect_check(&mut self, c: &Json) -> Option<Check> {
        let e = c.get("expect_check")?;
        match e.as_str().and_then(Check::from_name) {
            Some(ch) => Some(ch),
            None => {
                let names: Vec<&str> = Check::ALL.iter().map(|c| c.name()).collect();
                let help = e
                    .as_str()
                    .and_then(|s| crate::diag::suggest(s, names.iter().copied()))
                    .map(|s| format!("did you mean `{s}`?"));
                self.err(
                    e.pos,
                    format!("`expect_check` must be one of {}", names.join(", ")),
                    help.as_deref()
                        .or(Some("for a deny decided by a policy, use `expect_layer`")),
                );
                None
            }
        }
    }

    fn expect_status(&mut self, c: &Json) -> Option<u16> {
        let e = c.get("expect_status")?;
        let status = match &e.kind {
            JsonKind::Number(n) => n.parse::<u16>().ok().filter(|s| (100..=599).contains(s)),
            _ => None,
        };
        if status.is_none() {
            self.err(
                e.pos,
                format!(
                    "`expect_status` must be an HTTP status (an integer from 100 to 599), found {}",
                    match &e.kind {
                        JsonKind::Number(n) => format!("`{n}`"),
                        _ => e.type_name().to_string(),
                    }
                ),
                Some("write `\"expect_status\": 404`"),
            );
        }
        status
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
                self.err(m.key_pos, format!("unknown policy layer `{}`", m.key), help.as_deref().or(Some("layers: identity, permissions_boundary, session, resource, scp, rcp, vpc_endpoint, access_point, kms_key")));
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
    /// A policy pasted from a tool's output (`aws s3api get-bucket-policy`, ...) is unwrapped,
    /// with a located warning saying so (`crate::wrapped`).
    fn parse_file(&mut self, text: String, file: &str) -> Option<(Json, Source)> {
        let source = Source::new(file, text);
        match json::parse(source.text()) {
            Ok(j) => match crate::wrapped::policy_document(j, &source) {
                Ok(found) => {
                    self.diags.extend(found.note);
                    Some((found.doc, source))
                }
                Err(d) => {
                    self.diags.push(d);
                    None
                }
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

/// The words for a case's or command line's operation problem: (message, hint). Shared by test
/// files and `polsim eval`.
pub fn operation_problem(
    cloud: Cloud,
    op: &str,
    action: &str,
    problem: polsim_core::service::OperationProblem,
) -> (String, String) {
    use polsim_core::service::OperationProblem;
    match problem {
        OperationProblem::Unknown(u) => {
            let help = if u.candidates.is_empty() {
                "operations are the API names the error gives (`GetObject`, `HeadObject`, `PutObject`, `ListObjectsV2`, ...)".to_string()
            } else {
                format!(
                    "did you mean {}?",
                    u.candidates
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            (format!("unknown {} operation `{op}`", cloud.title()), help)
        }
        OperationProblem::Disagrees { checked } => {
            let checked = checked
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            (
                format!("`action` `{action}` does not agree with `operation` `{op}`, which is checked as {checked}"),
                "give one of them, or an action the operation is checked as".into(),
            )
        }
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

    const SNAPSHOT: &str = r#"{"RoleDetailList": [{"RoleName": "App", "Arn": "arn:aws:iam::111122223333:role/App",
        "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}],
        "AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::111122223333:policy/Gone"}]}]}"#;

    fn with_snapshot(text: &str) -> Result<TestFile, Vec<Diagnostic>> {
        let mut cases = Vec::new();
        let mut read = |p: &str| match p {
            "auth.json" => Ok(("auth.json".to_string(), SNAPSHOT.to_string())),
            _ => Err("no such file".to_string()),
        };
        let mut tf = read_test_file(text, "t.json", &mut read, &mut |c| cases.push(c))?;
        tf.cases = cases;
        Ok(tf)
    }

    #[test]
    fn an_account_snapshot_gives_each_case_its_callers_layers() {
        let tf = with_snapshot(
            r#"{"account": "auth.json", "principal": "arn:aws:sts::111122223333:assumed-role/App/s",
            "cases": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"},
                      {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/j", "expect": "allow"},
                      {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "implicit_deny",
                       "policies": {"identity": []}}]}"#,
        )
        .unwrap();
        let ids: Vec<&str> = tf.cases[0]
            .stack
            .policies(Layer::Identity)
            .unwrap()
            .iter()
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(ids, ["RoleDetailList[App].RolePolicyList[read]"]);
        // The case's own identity layer wins, and its gap is not reported for it.
        assert!(tf.cases[2]
            .stack
            .policies(Layer::Identity)
            .unwrap()
            .is_empty());
        // One warning for the two cases that meet the missing policy.
        assert_eq!(tf.warnings.len(), 1, "{:?}", tf.warnings);
        assert!(tf.warnings[0]
            .message
            .contains("identity layer is incomplete"));
        assert_eq!(tf.warnings[0].file.as_deref(), Some("auth.json"));
    }

    #[test]
    fn an_account_snapshot_fails_closed() {
        let e = with_snapshot(
            r#"{"account": "auth.json", "cases": [{"name": "who", "principal": "arn:aws:iam::111122223333:role/Ap",
            "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"}]}"#,
        )
        .unwrap_err();
        assert!(
            e[0].message.starts_with("case `who`: the role `Ap`"),
            "{:?}",
            e[0]
        );
        assert!(e[0].help.as_deref().unwrap().contains("`App`"));
        let e = with_snapshot(
            r#"{"account": "missing.json", "principal": "arn:aws:iam::111122223333:role/App",
            "cases": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"}]}"#,
        )
        .unwrap_err();
        assert!(
            e[0].message.contains("cannot read the account snapshot"),
            "{:?}",
            e[0]
        );
        let e = with_snapshot(
            r#"{"account": "auth.json", "cloud": "aliyun", "principal": "acs:ram::1234567890123456:user/a",
            "cases": [{"action": "oss:GetObject", "resource": "acs:oss:*:1234567890123456:b/k", "expect": "allow"}]}"#,
        )
        .unwrap_err();
        assert!(
            e[0].message.contains("reads an AWS account snapshot"),
            "{:?}",
            e[0]
        );
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

    /// A one-case AWS file with `top` members at the top level and `case` members on the case.
    fn v2(top: &str, case: &str) -> String {
        let sep = |m: &str| {
            if m.is_empty() {
                String::new()
            } else {
                format!("{m},")
            }
        };
        format!(
            r#"{{{}"principal":"arn:aws:iam::111122223333:user/Dave","policies":{{"identity":[{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]}}]}},
            "cases":[{{{}"resource":"arn:aws:s3:::b/k","expect":"allow"}}]}}"#,
            sep(top),
            sep(case)
        )
    }

    fn v2_err(top: &str, case: &str) -> Diagnostic {
        let e = read(&v2(top, case)).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        e.into_iter().next().unwrap()
    }

    #[test]
    fn case_request_fields() {
        let tf = read(&v2(
            "",
            r#""operation":"CopyObject","copy_source":"arn:aws:s3:::src/k","version_id":"v1","signed":"url",
               "headers":{"x-amz-acl":"public-read","Referer":"https://example.com/"},
               "request_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        ))
        .unwrap();
        let r = &tf.cases[0].request;
        assert_eq!(
            r.action, "s3:PutObject",
            "the operation's first action on its own resource"
        );
        let x = &r.extras;
        assert_eq!(x.operation.as_deref(), Some("CopyObject"));
        assert_eq!(x.copy_source.as_deref(), Some("arn:aws:s3:::src/k"));
        assert_eq!(x.version_id.as_deref(), Some("v1"));
        assert_eq!(x.signed, Some(Signed::Url));
        assert_eq!(x.header("X-Amz-Acl"), Some("public-read"));
        assert_eq!(x.header("referer"), Some("https://example.com/"));
        let p = x.request_policy.as_ref().unwrap();
        assert_eq!(p.id, "request_policy");
        assert_eq!(p.statements.len(), 1);
        // Both given: both kept.
        let tf = read(&v2(
            "",
            r#""action":"s3:GetObject","operation":"HeadObject""#,
        ))
        .unwrap();
        let r = &tf.cases[0].request;
        assert_eq!(
            (r.action.as_str(), r.extras.operation.as_deref()),
            ("s3:GetObject", Some("HeadObject"))
        );
        // Neither: an error.
        let e = v2_err("", "");
        assert!(
            e.message.contains("has no `action` or `operation`"),
            "{e:?}"
        );
        // Without v2 fields the request carries no extras.
        let tf = read(&v2("", r#""action":"s3:GetObject""#)).unwrap();
        assert_eq!(tf.cases[0].request.extras, RequestExtras::default());
        assert_eq!(tf.cases[0].stack.state, ResourceState::default());
    }

    #[test]
    fn case_request_field_errors() {
        let a = r#""action":"s3:GetObject","#;
        let e = v2_err("", &format!(r#"{a}"signed":"presigned""#));
        assert!(e.message.contains("`header`, `url` or `none`"), "{e:?}");
        let e = v2_err("", &format!(r#"{a}"headers":["x-amz-acl"]"#));
        assert!(e.message.contains("`headers` must be an object"), "{e:?}");
        let e = v2_err(
            "",
            &format!(r#"{a}"headers":{{"x-amz-request-payer":true}}"#),
        );
        assert!(
            e.message.contains("must be a string, found a boolean"),
            "{e:?}"
        );
        let e = v2_err(
            "",
            &format!(r#"{a}"headers":{{"x-amz-acl":"private","X-Amz-Acl":"public-read"}}"#),
        );
        assert!(e.message.contains("given twice"), "{e:?}");
        let e = v2_err("", &format!(r#"{a}"headers":{{" Referer":"x"}}"#));
        assert!(e.message.contains("is not a header name"), "{e:?}");
        let e = v2_err("", &format!(r#"{a}"copy_source":1"#));
        assert!(
            e.message.contains("`copy_source` must be a string"),
            "{e:?}"
        );
        let e = v2_err("", &format!(r#"{a}"operation":["GetObject"]"#));
        assert!(e.message.contains("`operation` must be a string"), "{e:?}");
        let e = v2_err(
            "",
            &format!(
                r#"{a}"request_policy":{{"Version":"2012-10-17","Statement":[{{"Effect":"Alow","Principal":"*","Action":"s3:*","Resource":"*"}}]}}"#
            ),
        );
        assert!(e.message.contains("Alow"), "{e:?}");
        // Lowered as a resource policy: it needs a Principal.
        let e = v2_err(
            "",
            &format!(
                r#"{a}"request_policy":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]}}"#
            ),
        );
        assert!(e.message.contains("no `Principal`"), "{e:?}");
        let e = v2_err("", &format!(r#"{a}"operaton":"GetObject""#));
        assert_eq!(e.help.as_deref(), Some("did you mean `operation`?"));
    }

    #[test]
    fn expectations_v2() {
        let a = r#""action":"s3:GetObject","#;
        let tf = read(&v2("", &format!(r#"{a}"expect_check":"object_missing","expect_status":404,"expect_error_code":"NoSuchKey""#))).unwrap();
        let c = &tf.cases[0];
        assert_eq!(c.expect_check, Some(Check::ObjectMissing));
        assert_eq!(c.expect_status, Some(404));
        assert_eq!(c.expect_error_code.as_deref(), Some("NoSuchKey"));
        // Unmet: the service verdict carries no check and answers 200.
        let plan = polsim_core::flow::plan(&c.stack, &c.request).unwrap();
        let se = polsim_core::flow::evaluate_plan(&plan, true);
        let f = check(c, &plan, &se).unwrap();
        assert_eq!(
            f.problems,
            [
                "expected check object_missing, got none (no service check decided)",
                "expected status 404, got 200",
                "expected error code NoSuchKey, got none"
            ]
        );
        // Met.
        let tf = read(&v2(
            "",
            &format!(r#"{a}"expect_status":200,"expect_error_code":"""#),
        ))
        .unwrap();
        let c = &tf.cases[0];
        let plan = polsim_core::flow::plan(&c.stack, &c.request).unwrap();
        assert!(check(c, &plan, &polsim_core::flow::evaluate_plan(&plan, true)).is_none());

        let e = v2_err("", &format!(r#"{a}"expect_check":"ACL""#));
        assert!(e.message.contains("acl, object_ownership, block_public_access, kms, requester_pays, object_missing, referer"), "{e:?}");
        assert_eq!(e.help.as_deref(), Some("did you mean `acl`?"));
        let e = v2_err("", &format!(r#"{a}"expect_status":"404""#));
        assert!(e.message.contains("found a string"), "{e:?}");
        let e = v2_err("", &format!(r#"{a}"expect_status":40.4"#));
        assert!(e.message.contains("found `40.4`"), "{e:?}");
        let e = v2_err("", &format!(r#"{a}"expect_status":1000"#));
        assert!(e.message.contains("from 100 to 599"), "{e:?}");
        let e = v2_err("", &format!(r#"{a}"expect_error_code":403"#));
        assert!(
            e.message.contains("`expect_error_code` must be a string"),
            "{e:?}"
        );
    }

    #[test]
    fn state_members_file_and_case() {
        let tf = read(&v2(
            r#""s3":{"bucket_owner":"111122223333","object_ownership":"ObjectWriter","object":{"owner":"444455556666"}},
               "canonical_ids":{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be":"111122223333"}"#,
            r#""action":"s3:GetObject","s3":{"object":{"exists":false}}"#,
        ))
        .unwrap();
        let file = tf.stack.state.s3.as_ref().unwrap();
        assert_eq!(file.object.owner.as_deref(), Some("444455556666"));
        assert_eq!(file.bucket_acl, None);
        let case = tf.cases[0].stack.state.s3.as_ref().unwrap();
        assert_eq!(case.bucket_owner.as_deref(), Some("111122223333"));
        assert_eq!(
            case.object_ownership,
            polsim_core::state::ObjectOwnership::ObjectWriter
        );
        assert_eq!(
            case.object.owner, None,
            "the case's object replaces the file's whole"
        );
        assert!(!case.object.exists);
        assert_eq!(tf.cases[0].stack.state.canonical_ids.len(), 1);
        // A case's canonical_ids replace the file's.
        let tf = read(&v2(
            r#""canonical_ids":{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be":"111122223333"}"#,
            r#""action":"s3:GetObject","canonical_ids":{}"#,
        ))
        .unwrap();
        assert!(tf.cases[0].stack.state.canonical_ids.is_empty());
        // Located in the test file.
        let e = v2_err(
            r#""s3":{"object_ownership":"Enforced"}"#,
            r#""action":"s3:GetObject""#,
        );
        assert_eq!(e.file.as_deref(), Some("t.json"));
        assert_eq!(e.pos, Pos { line: 1, col: 27 });
        let e = v2_err("", r#""action":"s3:GetObject","oss":{}"#);
        assert!(e.message.contains("but the test is for AWS"), "{e:?}");
        let e = v2_err(r#""S3":{}"#, r#""action":"s3:GetObject""#);
        assert_eq!(e.help.as_deref(), Some("did you mean `s3`?"));
    }

    #[test]
    fn kms_key_layer() {
        let tf = read(&v2(
            "",
            r#""action":"s3:GetObject","policies":{"kms_key":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}]}]},"expect_layer":"kms_key""#,
        ))
        .unwrap();
        let c = &tf.cases[0];
        assert_eq!(c.stack.policies(Layer::KmsKey).map(<[_]>::len), Some(1));
        assert_eq!(c.expect_layer, Some(Layer::KmsKey));
        let e = v2_err("", r#""action":"s3:GetObject","policies":{"acl":[]}"#);
        assert!(e.message.contains("unknown policy layer `acl`"), "{e:?}");
    }
}
