//! One lowering engine for every dialect: a policy document (with positions) into the IR.
//!
//! What differs between AWS IAM, Alibaba Cloud RAM and Tencent Cloud CAM (element names and
//! their case, versions, effect spelling, condition operators and keys, principal forms, how a
//! resource name is segmented) is data in a [`Spec`]; the walk over the document, the type
//! checks and the diagnostics are shared.

use crate::checks;
use crate::diag::{suggest, Diagnostic};
use crate::json::{Json, JsonKind, Member};
use polsim_core::ir::{
    ActionPattern, Clause, Cloud, Cmp, Condition, ConditionValue, Effect, Layer, OpFamily,
    Operator, Policy, PrincipalEntry, ResourcePattern, Statement,
};
use polsim_core::pattern::{Glob, Template};
use polsim_core::values::{parse_date, parse_net};
use polsim_core::Pos;
use std::collections::HashMap;

/// Where a policy comes from and what layer it is used in.
#[derive(Debug, Clone)]
pub struct PolicySource {
    /// Its name in reports.
    pub id: String,
    /// The file, if any.
    pub file: Option<String>,
    /// The layer it is attached to (decides which elements are allowed).
    pub layer: Layer,
}

/// What a dialect says about a condition key.
pub enum KeyVerdict {
    /// A known key, or one of a family the dialect does not list.
    Known,
    /// One typo away from this documented key: an error.
    Misspelled(&'static str),
    /// Not documented: a warning with this text.
    Unknown(String),
}

/// Reads the principal element's value into entries (or reports why it cannot).
pub type PrincipalReader = fn(&mut Cx<'_>, &Json, &str) -> Option<Vec<PrincipalEntry>>;

/// The rules of one dialect.
pub struct Spec {
    /// The cloud.
    pub cloud: Cloud,
    /// How users call the dialect in messages (`IAM`, `RAM`, `CAM`).
    pub name: &'static str,
    /// Top-level element names, in their documented case.
    pub top: &'static [&'static str],
    /// Statement element names, in their documented case.
    pub statement: &'static [&'static str],
    /// Whether element names compare case-insensitively (COS writes `Statement` and `statement`).
    pub fold_names: bool,
    /// Whether `Version` must be present.
    pub version_required: bool,
    /// Whether policy variables are substituted under this version.
    pub variables: fn(Option<&str>) -> bool,
    /// Whether `allow`/`deny` may be written in any case.
    pub effect_any_case: bool,
    /// Reads a condition operator; `Err` carries the hint.
    pub operator: fn(&str) -> Result<Operator, String>,
    /// Judges a condition key.
    pub key: fn(&str) -> KeyVerdict,
    /// Reads the principal element.
    pub principal: PrincipalReader,
    /// Whether `NotPrincipal` exists in the dialect.
    pub not_principal: bool,
    /// A warning for `NotResource`, where the dialect only half documents it.
    pub not_resource_warning: Option<&'static str>,
    /// A policy example for hints.
    pub example: &'static str,
    /// The dialect's own condition-key tables (keys whose near misses are errors); the catalog
    /// check leaves these alone.
    pub keys: &'static [&'static [&'static str]],
    /// A warning for every `...IfExists` operator, where the dialect documents them only thinly.
    pub if_exists_warning: Option<&'static str>,
    /// Checks a resource name (other than `*`) before it is compiled; `Some((message, help))`
    /// refuses the policy with that error at the resource.
    pub check_resource: Option<ResourceCheck>,
    /// The policy variables the dialect documents, for a warning (with a did-you-mean) on any
    /// other name; `None` when every context key can be a variable (AWS).
    pub variable_names: Option<&'static [&'static str]>,
    /// For dialects that substitute variables in only part of the last resource segment: given
    /// the resource name's segments, the byte offset in the last one from which `${...}` is
    /// literal text, with the warning to give when a variable is written there.
    pub literal_variables_from: Option<LiteralVariablesFrom>,
}

/// A dialect's check of one resource name: `Some((message, help))` is an error.
pub type ResourceCheck = fn(&str) -> Option<(String, String)>;

/// Given a resource name's segments, where in the last one `${...}` becomes literal text, and
/// the warning to give (see [`Spec::literal_variables_from`]).
pub type LiteralVariablesFrom = fn(&[&str]) -> Option<(usize, &'static str)>;

impl Spec {
    /// What the cloud's profile says about it (versions, name case, resource names).
    pub fn traits(&self) -> &'static polsim_core::profile::Traits {
        polsim_core::clouds::of(self.cloud).traits()
    }
}

/// Lowers a policy document with a dialect's rules. Returns the policy unless there were
/// errors, and every diagnostic (errors and warnings).
pub fn lower(spec: &Spec, doc: &Json, src: &PolicySource) -> (Option<Policy>, Vec<Diagnostic>) {
    let mut cx = Cx {
        spec,
        diags: Vec::new(),
        layer: src.layer,
        variables: false,
        top_principal: None,
        segments: Default::default(),
    };
    cx.duplicate_names(doc);
    let policy = cx.policy(doc, src);
    let file = src.file.as_deref();
    let diags: Vec<Diagnostic> = cx.diags.into_iter().map(|d| d.in_file(file)).collect();
    if diags.iter().any(Diagnostic::is_error) {
        (None, diags)
    } else {
        (policy, diags)
    }
}

/// The lowering state: the dialect, the diagnostics so far, and the policy being read.
pub struct Cx<'s> {
    /// The dialect.
    pub spec: &'s Spec,
    diags: Vec<Diagnostic>,
    /// The layer the policy is attached to.
    pub layer: Layer,
    variables: bool,
    /// A document-level principal (CAM), inherited by statements that name none.
    top_principal: Option<Json>,
    /// The resource segments compiled so far, by (text, variables, case folding), with the
    /// warnings their compilation gave: a policy names the same `arn`, `aws`, service and
    /// account segments in every resource, and each is compiled once and shared.
    /// One map per (variables, folding) pair, indexed `2 * variables + folding`.
    segments: [std::collections::HashMap<String, (Template, Vec<String>)>; 4],
}

impl Cx<'_> {
    /// Reports an error.
    pub fn err(&mut self, pos: Pos, msg: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::error(pos, msg);
        d.help = help;
        self.diags.push(d);
    }

    /// Reports a warning.
    pub fn warn(&mut self, pos: Pos, msg: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::warning(pos, msg);
        d.help = help;
        self.diags.push(d);
    }

    fn name_eq(&self, written: &str, canonical: &str) -> bool {
        if self.spec.fold_names {
            written.eq_ignore_ascii_case(canonical)
        } else {
            written == canonical
        }
    }

    /// The member named `canonical` (case-folded where the dialect says so).
    pub fn get<'j>(&self, v: &'j Json, canonical: &str) -> Option<&'j Json> {
        v.as_object()?
            .iter()
            .find(|m| self.name_eq(&m.key, canonical))
            .map(|m| &m.value)
    }

    fn key_pos(&self, v: &Json, canonical: &str) -> Pos {
        v.as_object()
            .and_then(|ms| ms.iter().find(|m| self.name_eq(&m.key, canonical)))
            .map_or(v.pos, |m| m.key_pos)
    }

    /// Checks member names against `known`, reporting unknown and repeated ones.
    /// Repeated names that differ only in case (where the dialect folds names) are reported
    /// here; exactly repeated names anywhere in the document by `duplicate_names`.
    pub fn check_members(&mut self, members: &[Member], known: &[&str], what: &str) {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for m in members {
            let canonical = known.iter().find(|k| self.name_eq(&m.key, k));
            match canonical {
                None => {
                    let help = match known.iter().find(|k| k.eq_ignore_ascii_case(&m.key)) {
                        Some(k) => Some(format!("element names are case-sensitive: write `{k}`")),
                        None => suggest(&m.key, known.iter().copied())
                            .map(|k| format!("did you mean `{k}`?"))
                            .or_else(|| {
                                Some(format!(
                                    "the elements of {what} are {}",
                                    known
                                        .iter()
                                        .map(|k| format!("`{k}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ))
                            }),
                    };
                    self.err(
                        m.key_pos,
                        format!("unknown element `{}` in {what}", m.key),
                        help,
                    );
                }
                Some(k) if seen.iter().any(|(c, _)| c == k) => {
                    // An exact repeat is reported once, by `duplicate_names`.
                    if !seen.iter().any(|(c, w)| c == k && *w == m.key) {
                        self.err(
                            m.key_pos,
                            format!("`{}` appears twice in {what}", m.key),
                            Some(
                                "each element may appear once; merge the values into one list"
                                    .into(),
                            ),
                        );
                    }
                }
                Some(k) => seen.push((k, m.key.as_str())),
            }
        }
    }

    /// Every member name written twice in one object, anywhere in the document, is an error.
    /// The reader keeps both copies; the policy grammars forbid repeating a key ("Individual
    /// elements must not contain multiple instances of the same key", IAM grammar notes), and a
    /// JSON reader in a cloud may keep the first, the last, or refuse: polsim will not guess.
    /// (Two `StringNotEquals` blocks with `vpce-1` and `vpce-2` would otherwise be ANDed, and a
    /// Deny on either endpoint would let the other through.)
    fn duplicate_names(&mut self, v: &Json) {
        for (key, first, again) in crate::json::repeated_names(v) {
            self.err(
                again,
                format!(
                    "`{key}` appears twice in this object (first at line {}, column {})",
                    first.line, first.col
                ),
                Some(format!(
                    "{} policies may not repeat a name in one object, and which copy counts is not defined; merge them into one `\"{key}\"` with all the values",
                    self.spec.name
                )),
            );
        }
    }

    /// Checks one written name that is compared as ASCII (an action, a principal): its length,
    /// and no control, invisible, look-alike or other non-ASCII character. `false` after an
    /// error.
    pub fn check_ascii_name(&mut self, text: &str, pos: Pos, what: &str) -> bool {
        if let Some((msg, help)) = checks::too_long(text, what) {
            self.err(pos, msg, Some(help));
            return false;
        }
        if let Some(bad) = checks::non_ascii(text) {
            self.err(
                pos,
                format!("the {what} `{}` contains {bad}", text.escape_debug()),
                Some(format!(
                    "{} {what}s are ASCII; a look-alike or invisible character makes a name that matches nothing, so a Deny written with it would never apply: retype it",
                    self.spec.name
                )),
            );
            return false;
        }
        true
    }

    /// Checks a principal value: not empty, ASCII, not too long. `false` after an error.
    pub fn check_principal_text(&mut self, text: &str, pos: Pos, what: &str) -> bool {
        if text.trim().is_empty() {
            self.err(
                pos,
                format!("an empty `{what}` principal names nobody"),
                Some("name a principal, or write `\"*\"` for everyone".into()),
            );
            return false;
        }
        self.check_ascii_name(text, pos, "principal")
    }

    fn check_action(&mut self, text: &str, pos: Pos) {
        if !self.check_ascii_name(text, pos, "action") {
            return;
        }
        if text == "*" {
            return;
        }
        let profile = polsim_core::clouds::of(self.spec.cloud);
        let name = profile.normalize_action(text);
        let ok = match name.split_once(':') {
            Some((service, action)) => {
                !service.is_empty() && !action.is_empty() && !name.contains(char::is_whitespace)
            }
            None => false,
        };
        if !ok {
            let example = match self.spec.cloud {
                Cloud::Aws => "`s3:GetObject`",
                Cloud::Aliyun => "`oss:GetObject`",
                Cloud::Tencent => "`name/cos:GetObject`",
            };
            let why = match self.spec.cloud {
                Cloud::Aws => "an IAM action \"consists of a service namespace, a colon, and the name of an action\" (IAM policy grammar)",
                _ => "it matches no request, so the statement would do nothing",
            };
            self.err(
                pos,
                format!("`{}` is not an action name: {why}", text.escape_debug()),
                Some(format!(
                    "write `service:ActionName`, as in {example}, or `*` for every action"
                )),
            );
        }
    }

    fn policy(&mut self, doc: &Json, src: &PolicySource) -> Option<Policy> {
        let spec = self.spec;
        let Some(members) = doc.as_object() else {
            self.err(
                doc.pos,
                format!(
                    "a policy document must be a JSON object, found {}",
                    doc.type_name()
                ),
                Some(format!("write `{}`", spec.example)),
            );
            return None;
        };
        self.check_members(members, spec.top, "a policy");
        let version_name = spec.top.first().copied().unwrap_or("Version");
        let version = match self.get(doc, version_name) {
            None => {
                if spec.version_required {
                    self.err(
                        doc.pos,
                        format!("the policy has no `{version_name}`"),
                        Some(format!(
                            "add `\"{version_name}\": \"{}\"`",
                            spec.traits().version_markers.first().unwrap_or(&"")
                        )),
                    );
                }
                None
            }
            Some(v) => match v.scalar_text() {
                Some(t) if spec.traits().version_markers.contains(&t.as_str()) => Some(t),
                Some(other) => {
                    let accepted = spec
                        .traits()
                        .version_markers
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(" and ");
                    self.err(
                        v.pos,
                        format!("unknown policy version `{other}`"),
                        Some(format!("{} accepts {accepted}", spec.name)),
                    );
                    None
                }
                None => {
                    self.err(
                        v.pos,
                        format!("`{version_name}` must be a string, found {}", v.type_name()),
                        None,
                    );
                    None
                }
            },
        };
        self.variables = (spec.variables)(version.as_deref());
        if let Some(p) = spec
            .top
            .iter()
            .find(|t| t.eq_ignore_ascii_case("principal"))
        {
            self.top_principal = self.get(doc, p).cloned();
        }
        if spec.top.contains(&"Id") {
            if let Some(id) = self.get(doc, "Id") {
                if id.as_str().is_none() {
                    self.err(
                        id.pos,
                        format!("`Id` must be a string, found {}", id.type_name()),
                        None,
                    );
                } else if matches!(
                    self.layer,
                    Layer::Identity | Layer::PermissionsBoundary | Layer::Session
                ) {
                    // "The id_block ... must *not* be included in identity-based policies"
                    // (IAM grammar notes).
                    self.err(
                        id.pos,
                        format!(
                            "{} does not accept `Id` in identity-based policies",
                            spec.name
                        ),
                        Some("remove `Id`; it is meant for resource-based policies (the IAM grammar: it \"must not be included in identity-based policies\")".into()),
                    );
                }
            }
        }
        let stmt_name = spec
            .top
            .iter()
            .find(|t| t.eq_ignore_ascii_case("statement"))
            .copied()
            .unwrap_or("Statement");
        let stmts: Vec<&Json> = match self.get(doc, stmt_name) {
            None => {
                self.err(
                    doc.pos,
                    format!("the policy has no `{stmt_name}`"),
                    Some(format!("write `{}`", spec.example)),
                );
                return None;
            }
            Some(s) => match &s.kind {
                JsonKind::Array(items) => items.iter().collect(),
                JsonKind::Object(_) => vec![s],
                _ => {
                    self.err(
                        s.pos,
                        format!(
                            "`{stmt_name}` must be an object or an array of objects, found {}",
                            s.type_name()
                        ),
                        None,
                    );
                    return None;
                }
            },
        };
        let mut statements = Vec::new();
        let mut sids: HashMap<String, Pos> = HashMap::new();
        for (i, s) in stmts.into_iter().enumerate() {
            if let Some(st) = self.statement(s, i + 1) {
                if let Some(sid) = &st.sid {
                    if let Some(first) = sids.get(sid) {
                        let msg =
                            format!("`Sid` `{sid}` is used twice (first at line {})", first.line);
                        if spec.cloud == Cloud::Aws && iam_policy(self.layer) {
                            self.err(
                                st.pos,
                                msg,
                                Some(
                                    "IAM requires statement ids to be unique within a policy"
                                        .into(),
                                ),
                            );
                        } else {
                            self.warn(st.pos, msg, None);
                        }
                    }
                    sids.entry(sid.clone()).or_insert(st.pos);
                }
                statements.push(st);
            }
        }
        Some(Policy {
            id: src.id.clone(),
            file: src.file.clone(),
            cloud: spec.cloud,
            version,
            variables: self.variables,
            pos: doc.pos,
            statements,
        })
    }

    fn el(&self, canonical: &'static str) -> &'static str {
        self.spec
            .statement
            .iter()
            .find(|s| s.eq_ignore_ascii_case(canonical))
            .copied()
            .unwrap_or(canonical)
    }

    fn statement(&mut self, s: &Json, index: usize) -> Option<Statement> {
        let spec = self.spec;
        let Some(members) = s.as_object() else {
            self.err(
                s.pos,
                format!("a statement must be a JSON object, found {}", s.type_name()),
                None,
            );
            return None;
        };
        let errors_before = self.diags.iter().filter(|d| d.is_error()).count();
        self.check_members(members, spec.statement, "a statement");
        let sid = match self.get(s, self.el("Sid")) {
            None => None,
            Some(v) => match v.scalar_text() {
                Some(t) => {
                    if let Some((msg, help)) = checks::too_long(&t, "`Sid`") {
                        self.err(v.pos, msg, Some(help));
                    } else if spec.cloud == Cloud::Aws
                        && !t.chars().all(|c| c.is_ascii_alphanumeric())
                        && iam_policy(self.layer)
                    {
                        // "For IAM policies, basic alphanumeric characters (A-Z,a-z,0-9) are the
                        // only allowed characters in the Sid value" (IAM grammar, sid_string).
                        self.err(v.pos, format!("IAM accepts only letters and digits in a `Sid`, and `{}` has others", t.escape_debug()), Some("IAM refuses such a policy; keep A-Z, a-z and 0-9 (resource-based policies of other services may allow more)".into()));
                    }
                    Some(t)
                }
                None => {
                    self.err(
                        v.pos,
                        format!("`Sid` must be a string, found {}", v.type_name()),
                        None,
                    );
                    None
                }
            },
        };
        let effect_name = self.el("Effect");
        let (allow_w, deny_w) = if spec.effect_any_case && effect_name == "effect" {
            ("allow", "deny")
        } else {
            ("Allow", "Deny")
        };
        let effect = match self.get(s, effect_name) {
            None => {
                self.err(s.pos, format!("the statement has no `{effect_name}`"), Some(format!("add `\"{effect_name}\": \"{allow_w}\"` or `\"{effect_name}\": \"{deny_w}\"`")));
                None
            }
            Some(v) => match v.as_str() {
                Some(e)
                    if e == allow_w
                        || (spec.effect_any_case && e.eq_ignore_ascii_case("allow")) =>
                {
                    Some(Effect::Allow)
                }
                Some(e)
                    if e == deny_w || (spec.effect_any_case && e.eq_ignore_ascii_case("deny")) =>
                {
                    Some(Effect::Deny)
                }
                Some(other) => {
                    let help = if other.eq_ignore_ascii_case("allow")
                        || other.eq_ignore_ascii_case("deny")
                    {
                        format!(
                            "`{effect_name}` is case-sensitive: write `{}`",
                            if other.eq_ignore_ascii_case("allow") {
                                allow_w
                            } else {
                                deny_w
                            }
                        )
                    } else {
                        format!("`{effect_name}` is `{allow_w}` or `{deny_w}`")
                    };
                    self.err(v.pos, format!("unknown effect `{other}`"), Some(help));
                    None
                }
                None => {
                    self.err(
                        v.pos,
                        format!("`{effect_name}` must be a string, found {}", v.type_name()),
                        None,
                    );
                    None
                }
            },
        };
        let ci = spec.traits().actions_case_insensitive;
        let action = self
            .pair(s, self.el("Action"), self.el("NotAction"), true)
            .map(|(neg, pos, items)| Clause {
                negated: neg,
                pos,
                items: items
                    .into_iter()
                    .map(|(t, p)| {
                        self.check_action(&t, p);
                        if let Some((m, h)) =
                            crate::validate::policy_action(spec.cloud, self.layer, &t)
                        {
                            self.warn(p, m, h);
                        }
                        let normal = polsim_core::clouds::of(spec.cloud).normalize_action(&t);
                        ActionPattern::new(&t, normal, p, ci)
                    })
                    .collect(),
            });
        let resource = self.resource(s, action.as_ref());
        let principal = self.principal(s);
        let conditions = match self.get(s, self.el("Condition")) {
            None => Vec::new(),
            Some(c) => self.conditions(c),
        };
        let errors_after = self.diags.iter().filter(|d| d.is_error()).count();
        if errors_after > errors_before {
            return None;
        }
        Some(Statement {
            index,
            sid,
            pos: s.pos,
            effect: effect?,
            action: action?,
            resource,
            principal,
            conditions,
        })
    }

    /// Reads one of two mutually exclusive list elements (`Action`/`NotAction`, ...).
    #[allow(clippy::type_complexity)]
    fn pair(
        &mut self,
        s: &Json,
        pos_name: &str,
        neg_name: &str,
        required: bool,
    ) -> Option<(bool, Pos, Vec<(String, Pos)>)> {
        let neg_known = self.spec.statement.contains(&neg_name);
        let neg = if neg_known {
            self.get(s, neg_name)
        } else {
            None
        };
        match (self.get(s, pos_name), neg) {
            (Some(_), Some(n)) => {
                self.err(
                    n.pos,
                    format!("a statement may have `{pos_name}` or `{neg_name}`, not both"),
                    Some(format!(
                        "keep one of them; `{neg_name}` matches everything except its values"
                    )),
                );
                None
            }
            (None, None) => {
                if required {
                    let what = if neg_known {
                        format!("neither `{pos_name}` nor `{neg_name}`")
                    } else {
                        format!("no `{pos_name}`")
                    };
                    self.err(
                        s.pos,
                        format!("the statement has {what}"),
                        Some(format!("add `\"{pos_name}\": [...]`")),
                    );
                }
                None
            }
            (Some(v), None) => Some((false, v.pos, self.strings(v, pos_name)?)),
            (None, Some(v)) => Some((true, v.pos, self.strings(v, neg_name)?)),
        }
    }

    /// A string or an array of strings.
    pub fn strings(&mut self, v: &Json, what: &str) -> Option<Vec<(String, Pos)>> {
        match &v.kind {
            JsonKind::String(s) => Some(vec![(s.clone(), v.pos)]),
            JsonKind::Array(items) => {
                let mut out = Vec::new();
                for it in items {
                    match it.as_str() {
                        Some(s) => out.push((s.to_string(), it.pos)),
                        None => {
                            self.err(
                                it.pos,
                                format!(
                                    "the values of `{what}` must be strings, found {}",
                                    it.type_name()
                                ),
                                None,
                            );
                            return None;
                        }
                    }
                }
                if out.is_empty() {
                    self.warn(
                        v.pos,
                        format!("`{what}` is an empty list, so it matches nothing"),
                        None,
                    );
                }
                Some(out)
            }
            _ => {
                self.err(
                    v.pos,
                    format!(
                        "`{what}` must be a string or an array of strings, found {}",
                        v.type_name()
                    ),
                    None,
                );
                None
            }
        }
    }

    fn resource(
        &mut self,
        s: &Json,
        action: Option<&Clause<ActionPattern>>,
    ) -> Option<Clause<ResourcePattern>> {
        let (res_name, not_name) = (self.el("Resource"), self.el("NotResource"));
        let has_not = self.spec.statement.contains(&not_name) && self.get(s, not_name).is_some();
        if self.get(s, res_name).is_none() && !has_not {
            // Role trust policies carry no Resource; anything else must.
            let trust_like = self.layer == Layer::Resource
                && action.is_some_and(|a| {
                    !a.negated
                        && a.items.iter().all(|i| {
                            i.text
                                .to_ascii_lowercase()
                                .trim_start_matches("name/")
                                .starts_with("sts:")
                        })
                });
            if !trust_like {
                let what = if self.spec.statement.contains(&not_name) {
                    format!("neither `{res_name}` nor `{not_name}`")
                } else {
                    format!("no `{res_name}`")
                };
                self.err(s.pos, format!("the statement has {what}"), Some(format!("add `\"{res_name}\": \"*\"` or a resource name; only role trust policies omit it")));
            }
            return None;
        }
        if has_not {
            if let Some(w) = self.spec.not_resource_warning {
                let pos = self.key_pos(s, not_name);
                self.warn(pos, w, None);
            }
        }
        let (negated, pos, items) = self.pair(s, res_name, not_name, false)?;
        let mut out = Vec::new();
        for (text, p) in items {
            out.push(self.resource_pattern(&text, p));
        }
        Some(Clause {
            negated,
            pos,
            items: out,
        })
    }

    fn resource_pattern(&mut self, text: &str, pos: Pos) -> ResourcePattern {
        if text == "*" {
            return ResourcePattern {
                text: text.into(),
                pos,
                segments: Vec::new(),
                rules: Vec::new(),
                whole: Glob::new(text),
                any: true,
            };
        }
        if let Some((msg, help)) = self.spec.check_resource.and_then(|f| f(text)) {
            self.err(pos, msg, Some(help));
        }
        self.check_resource_text(text, pos);
        if text.trim() != text {
            self.warn(pos, format!("the resource `{text}` has leading or trailing white space, so it matches nothing"), Some("remove the spaces".into()));
        } else if strip_variables(text).contains(' ') {
            self.warn(pos, format!("the resource `{text}` contains a space; resource names have none, so it probably matches nothing"), Some("remove the space".into()));
        }
        let profile = polsim_core::clouds::of(self.spec.cloud);
        let n = profile.traits().resources.segments;
        let canonical = profile.normalize_resource(text);
        let parts: Vec<&str> = canonical.splitn(n, ':').collect();
        // Where the last segment's variables stop being substituted (COS object paths).
        let literal_from = if self.variables && parts.len() == n {
            self.spec.literal_variables_from.and_then(|f| f(&parts))
        } else {
            None
        };
        let mut segments = Vec::new();
        for (i, seg) in parts.iter().enumerate() {
            let last = i + 1 == n;
            let escaped;
            let seg: &str = match literal_from {
                Some((off, why)) if last && seg.get(off..).is_some_and(|t| t.contains("${")) => {
                    self.warn(pos, why, None);
                    // `${$}` is the template's literal `$`: what follows stays text.
                    let (head, tail) = seg.split_at(off);
                    escaped = format!("{head}{}", tail.replace("${", "${$}{"));
                    &escaped
                }
                _ => seg,
            };
            let (vars, fold) = (self.variables && last, !last);
            let map = self
                .segments
                .get_mut(usize::from(vars) * 2 + usize::from(fold));
            let (t, warns) = match map {
                Some(map) => match map.get(seg) {
                    Some((t, w)) => (t.clone(), w.clone()),
                    None => {
                        let (t, w) = Template::new(seg, vars, fold);
                        let w: Vec<String> = w.into_iter().map(|w| w.message).collect();
                        map.insert(seg.to_string(), (t.clone(), w.clone()));
                        (t, w)
                    }
                },
                None => {
                    let (t, w) = Template::new(seg, vars, fold);
                    (t, w.into_iter().map(|w| w.message).collect())
                }
            };
            for w in warns {
                self.warn(pos, w, None);
            }
            if last {
                self.check_variable_names(&t, pos);
            }
            if !last && self.variables && seg.contains("${") {
                self.warn(
                    pos,
                    "policy variables are substituted only in the last part of a resource name",
                    None,
                );
            }
            segments.push(t);
        }
        // How each segment compares, decided once here from the cloud's naming rules.
        let names = profile.traits().resources;
        let rules = parts
            .iter()
            .enumerate()
            .map(|(i, seg)| names.rule_for(i, seg))
            .collect();
        ResourcePattern {
            text: text.into(),
            pos,
            segments,
            rules,
            whole: Glob::new(text),
            any: false,
        }
    }

    /// A resource name other than `*`: not too long, in the cloud's name form (`arn:`, `acs:`,
    /// `qcs:`), ASCII before its last segment; the last segment (an object key, a path) may hold
    /// any Unicode but gets a warning for control and invisible characters and mixed scripts.
    fn check_resource_text(&mut self, text: &str, pos: Pos) {
        if let Some((msg, help)) = checks::too_long(text, "resource name") {
            self.err(pos, msg, Some(help));
            return;
        }
        let traits = self.spec.traits();
        let prefix = traits.name_prefix;
        let has_prefix = text
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
        if !has_prefix {
            let why = match self.spec.cloud {
                Cloud::Aws => "an IAM resource is `*` or an ARN (IAM policy grammar), so this matches no request",
                _ => "it matches no request, so the statement would do nothing",
            };
            self.err(
                pos,
                format!("`{}` is not a resource name: {why}", text.escape_debug()),
                Some(format!(
                    "write a name that starts with `{prefix}`, or `*` for every resource"
                )),
            );
            return;
        }
        let n = traits.resources.segments;
        let parts: Vec<&str> = text.splitn(n, ':').collect();
        let (head, last) = if parts.len() == n {
            let last = parts.last().copied().unwrap_or("");
            (text.get(..text.len() - last.len()).unwrap_or(text), last)
        } else {
            (text, "")
        };
        if let Some(bad) = checks::non_ascii(head) {
            self.err(
                pos,
                format!("the resource `{}` contains {bad} before its last part", text.escape_debug()),
                Some("partitions, services, regions and accounts are ASCII; a look-alike or invisible character makes a name that matches nothing, so a Deny written with it would never apply: retype it".into()),
            );
            return;
        }
        match checks::lenient(last) {
            Err(bad) => self.err(pos, format!("the resource `{}` contains {bad}", text.escape_debug()), Some("no resource name holds one; remove it".into())),
            Ok(Some(w)) => self.warn(pos, format!("the resource `{}`: {w}", text.escape_debug()), Some("check that the name is written as the requests carry it; a look-alike matches nothing".into())),
            Ok(None) => {}
        }
    }

    /// Warns about variables the dialect does not document (CAM knows three).
    fn check_variable_names(&mut self, t: &Template, pos: Pos) {
        let Some(known) = self.spec.variable_names else {
            return;
        };
        let unknown: Vec<String> = t
            .variables()
            .filter(|v| !known.contains(v))
            .map(str::to_string)
            .collect();
        for v in unknown {
            let list = known
                .iter()
                .map(|k| format!("`${{{k}}}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let help = suggest(&v, known.iter().copied())
                .map(|s| format!("did you mean `${{{s}}}`?"))
                .unwrap_or_else(|| format!("{} documents {list}", self.spec.name));
            self.warn(
                pos,
                format!("`${{{v}}}` is not a {} policy variable, so it has no value and this entry matches nothing", self.spec.name),
                Some(help),
            );
        }
    }

    fn principal(&mut self, s: &Json) -> Option<Clause<PrincipalEntry>> {
        let (p_name, np_name) = (self.el("Principal"), self.el("NotPrincipal"));
        let np = if self.spec.not_principal {
            self.get(s, np_name)
        } else {
            None
        };
        let inherited = self.top_principal.clone();
        let (negated, v) = match (self.get(s, p_name).or(inherited.as_ref()), np) {
            (Some(_), Some(n)) => {
                self.err(
                    n.pos,
                    format!("a statement may have `{p_name}` or `{np_name}`, not both"),
                    None,
                );
                return None;
            }
            (None, None) => {
                if self.layer.has_principal() {
                    let msg = format!(
                        "this {} statement has no `{p_name}`, so it applies to nobody",
                        layer_policy_name(self.layer)
                    );
                    if self.spec.cloud == Cloud::Aws {
                        // "The principal_block element is required in resource-based policies"
                        // (IAM grammar notes); S3 refuses such a bucket policy (MalformedPolicy).
                        self.err(s.pos, msg, Some("AWS requires `Principal` in resource-based policies: name who the statement is for, or `\"*\"` with conditions".into()));
                    } else {
                        self.warn(s.pos, msg, None);
                    }
                }
                return None;
            }
            (Some(p), None) => (false, p),
            (None, Some(p)) => (true, p),
        };
        let name = if negated { np_name } else { p_name };
        if !self.layer.has_principal() {
            if self.layer == Layer::Session && self.spec.cloud == Cloud::Tencent {
                self.warn(
                    self.key_pos(s, name),
                    "a temporary-key policy has no principal; it is ignored",
                    Some("the key's holder is the principal; remove it".into()),
                );
                return None;
            }
            let pos = self.key_pos(s, name);
            self.err(
                pos,
                format!(
                    "`{name}` is not allowed in {}",
                    layer_policy_name(self.layer)
                ),
                Some(format!(
                    "{} apply to the identity they are attached to; remove `{name}`",
                    layer_policy_name(self.layer)
                )),
            );
            return None;
        }
        let items = (self.spec.principal)(self, v, name)?;
        Some(Clause {
            negated,
            pos: v.pos,
            items,
        })
    }

    fn conditions(&mut self, c: &Json) -> Vec<Condition> {
        let Some(blocks) = c.as_object() else {
            self.err(
                c.pos,
                format!(
                    "a condition must be an object of operators, found {}",
                    c.type_name()
                ),
                None,
            );
            return Vec::new();
        };
        if blocks.is_empty() {
            // "Condition": {} matches every request: an Allow becomes unconditional. The IAM
            // grammar writes a condition map with at least one entry.
            self.err(
                c.pos,
                "an empty condition: it holds for every request, so the statement applies unconditionally",
                Some("write the condition the statement needs, or remove `Condition` if it should apply always".into()),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for block in blocks {
            let op = match (self.spec.operator)(&block.key) {
                Ok(op) => op,
                Err(help) => {
                    self.err(
                        block.key_pos,
                        format!("unknown condition operator `{}`", block.key),
                        Some(help),
                    );
                    continue;
                }
            };
            if op.if_exists {
                if let Some(w) = self.spec.if_exists_warning {
                    self.warn(block.key_pos, w, None);
                }
            }
            let Some(keys) = block.value.as_object() else {
                self.err(
                    block.value.pos,
                    format!(
                        "the `{}` block must be an object of condition keys, found {}",
                        block.key,
                        block.value.type_name()
                    ),
                    None,
                );
                continue;
            };
            if keys.is_empty() {
                self.err(
                    block.value.pos,
                    format!(
                        "the `{}` block names no condition key, so it tests nothing",
                        block.key
                    ),
                    Some(format!(
                        "write `\"{}\": {{\"<key>\": [\"<value>\"]}}`, or remove the block",
                        block.key
                    )),
                );
                continue;
            }
            for k in keys {
                self.check_key_text(&k.key, k.key_pos);
                match (self.spec.key)(&k.key) {
                    KeyVerdict::Known => {
                        if let Some((m, h)) = crate::validate::policy_key(self.spec.cloud, self.spec.keys, &k.key) {
                            self.warn(k.key_pos, m, h);
                        }
                    }
                    KeyVerdict::Misspelled(s) => self.err(k.key_pos, format!("unknown condition key `{}`", k.key), Some(format!("did you mean `{s}`? a misspelled key is absent from every request, which silently changes what the condition does"))),
                    KeyVerdict::Unknown(w) => self.warn(k.key_pos, w, None),
                }
                let raw: Vec<&Json> = match &k.value.kind {
                    JsonKind::Array(items) => items.iter().collect(),
                    _ => vec![&k.value],
                };
                if raw.is_empty() {
                    if op.set == Some(polsim_core::ir::SetQualifier::ForAllValues) {
                        self.warn(
                            k.value.pos,
                            format!("`{}` with no values holds only when the request carries no `{}` at all", block.key, k.key),
                            None,
                        );
                    } else {
                        self.err(
                            k.value.pos,
                            format!("`{}` has no values for `{}`, so this condition has the same outcome for every request", block.key, k.key),
                            Some("list the values to compare with".into()),
                        );
                    }
                }
                let mut values = Vec::new();
                for r in raw {
                    let Some(text) = r.scalar_text() else {
                        self.err(
                            r.pos,
                            format!(
                                "condition values must be strings, numbers or booleans, found {}",
                                r.type_name()
                            ),
                            None,
                        );
                        continue;
                    };
                    if let Some((msg, help)) = checks::too_long(&text, "condition value") {
                        self.err(r.pos, msg, Some(help));
                        continue;
                    }
                    if text.contains('\0') {
                        self.err(
                            r.pos,
                            "a condition value contains a NUL character (U+0000)",
                            Some("no request value holds one; remove it".into()),
                        );
                        continue;
                    }
                    self.check_value(op, &block.key, &text, r.pos);
                    let vars = self.variables
                        && matches!(
                            op.family,
                            OpFamily::StringEquals
                                | OpFamily::StringEqualsIgnoreCase
                                | OpFamily::StringLike
                                | OpFamily::Arn
                                | OpFamily::Bool
                        );
                    let (template, warns) = Template::new(&text, vars, false);
                    for w in warns {
                        self.warn(r.pos, w.message, None);
                    }
                    self.check_variable_names(&template, r.pos);
                    values.push(ConditionValue::new(text, template, r.pos, op.family));
                }
                out.push(Condition {
                    op,
                    op_text: block.key.clone(),
                    op_pos: block.key_pos,
                    key: k.key.clone(),
                    key_pos: k.key_pos,
                    values,
                });
            }
        }
        out
    }

    fn check_value(&mut self, op: Operator, op_text: &str, text: &str, pos: Pos) {
        let bad = match op.family {
            OpFamily::Numeric(_) => polsim_core::values::Decimal::parse(text)
                .is_none()
                .then_some("a number (digits, with an optional sign, decimal point and exponent)"),
            OpFamily::Date(_) => parse_date(text)
                .is_none()
                .then_some("a date (ISO 8601 such as `2025-01-01T00:00:00Z`, or epoch seconds)"),
            OpFamily::Ip => parse_net(text)
                .is_none()
                .then_some("an IP address or CIDR such as `203.0.113.0/24`"),
            OpFamily::Bool | OpFamily::Null => (!text.eq_ignore_ascii_case("true")
                && !text.eq_ignore_ascii_case("false")
                && !text.contains("${"))
            .then_some("`true` or `false`"),
            _ => None,
        };
        if let Some(want) = bad {
            self.err(
                pos,
                format!("`{text}` is not a valid value for `{op_text}`"),
                Some(format!("`{op_text}` compares {want}")),
            );
            return;
        }
        let t = text.trim();
        if matches!(op.family, OpFamily::Date(_))
            && t.len() >= 13
            && t.bytes().all(|b| b.is_ascii_digit())
        {
            // Dates are "in epoch (UNIX) time" (seconds) or ISO 8601 (IAM condition operators);
            // 13 digits of seconds is past the year 33,000: these are milliseconds.
            self.err(
                pos,
                format!("`{t}` read as epoch seconds is a date after the year 33,000; it looks like epoch milliseconds"),
                Some(format!("`{op_text}` takes epoch seconds or ISO 8601: write `{}` or a date such as `2025-01-01T00:00:00Z`", t.get(..t.len() - 3).unwrap_or(t))),
            );
        }
    }

    /// A condition key: not too long, not empty or padded, ASCII in its prefix (a tag name after
    /// `/` may be any Unicode, with the warnings for invisible characters and mixed scripts).
    fn check_key_text(&mut self, key: &str, pos: Pos) {
        if let Some((msg, help)) = checks::too_long(key, "condition key") {
            self.err(pos, msg, Some(help));
            return;
        }
        if key.trim().is_empty() || key.trim() != key {
            self.err(
                pos,
                format!("the condition key `{}` is empty or has white space around it, so no request carries it", key.escape_debug()),
                Some("remove the spaces".into()),
            );
            return;
        }
        let (head, tail) = match key.find('/') {
            Some(i) => key.split_at(i),
            None => (key, ""),
        };
        if let Some(bad) = checks::non_ascii(head) {
            self.err(
                pos,
                format!("the condition key `{}` contains {bad}", key.escape_debug()),
                Some("condition key names are ASCII; a look-alike character makes a key no request carries: retype it".into()),
            );
            return;
        }
        match checks::lenient(tail) {
            Err(bad) => self.err(
                pos,
                format!("the condition key `{}` contains {bad}", key.escape_debug()),
                None,
            ),
            Ok(Some(w)) => self.warn(
                pos,
                format!("the condition key `{}`: {w}", key.escape_debug()),
                Some("check that the tag key is written as the requests carry it".into()),
            ),
            Ok(None) => {}
        }
    }
}

/// A condition operator name and what it means: (name, family, negated).
pub type OperatorName = (&'static str, OpFamily, bool);

/// The operators AWS IAM and Alibaba RAM share, with their PascalCase names.
pub const PASCAL_OPERATORS: &[OperatorName] = &[
    ("StringEquals", OpFamily::StringEquals, false),
    ("StringNotEquals", OpFamily::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        OpFamily::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        OpFamily::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", OpFamily::StringLike, false),
    ("StringNotLike", OpFamily::StringLike, true),
    ("NumericEquals", OpFamily::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", OpFamily::Numeric(Cmp::Eq), true),
    ("NumericLessThan", OpFamily::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", OpFamily::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", OpFamily::Numeric(Cmp::Gt), false),
    (
        "NumericGreaterThanEquals",
        OpFamily::Numeric(Cmp::Ge),
        false,
    ),
    ("DateEquals", OpFamily::Date(Cmp::Eq), false),
    ("DateNotEquals", OpFamily::Date(Cmp::Eq), true),
    ("DateLessThan", OpFamily::Date(Cmp::Lt), false),
    ("DateLessThanEquals", OpFamily::Date(Cmp::Le), false),
    ("DateGreaterThan", OpFamily::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", OpFamily::Date(Cmp::Ge), false),
    ("Bool", OpFamily::Bool, false),
    ("IpAddress", OpFamily::Ip, false),
    ("NotIpAddress", OpFamily::Ip, true),
];

/// Looks an operator name up in the tables, in order.
pub fn lookup_operator(tables: &[&[OperatorName]], name: &str) -> Option<(OpFamily, bool)> {
    tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|(n, ..)| *n == name)
        .map(|(_, f, neg)| (*f, *neg))
}

/// "did you mean" over the tables' names (each also with `suffix`, where the dialect has one),
/// or `fallback`.
pub fn operator_hint(
    tables: &[&[OperatorName]],
    name: &str,
    prefix: &str,
    suffix: Option<&str>,
    fallback: &str,
) -> String {
    let names: Vec<String> = tables
        .iter()
        .flat_map(|t| t.iter())
        .flat_map(|(n, ..)| std::iter::once(n.to_string()).chain(suffix.map(|s| format!("{n}{s}"))))
        .collect();
    match suggest(name, names.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{prefix}{s}`? an unknown operator would otherwise make the condition meaningless"),
        None => fallback.to_string(),
    }
}

/// The text without its `${...}` policy variables (whose defaults may hold spaces).
fn strip_variables(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        match rest.get(start..).and_then(|r| r.find('}')) {
            Some(end) => rest = rest.get(start + end + 1..).unwrap_or(""),
            None => {
                rest = rest.get(start..).unwrap_or("");
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How users name the policies of a layer.
pub fn layer_policy_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Identity => "identity-based policies",
        Layer::PermissionsBoundary => "permissions boundaries",
        Layer::Session => "session policies",
        Layer::Scp => "service control policies",
        Layer::Rcp => "resource control policy",
        Layer::Resource => "resource-based policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::AccessPoint => "access point policy",
        Layer::KmsKey => "KMS key policy",
        Layer::Acl => "ACL",
    }
}

/// Looks `key` up in `known` (entries ending in `/` take a suffix); a near miss is misspelled.
pub fn judge_key(
    key: &str,
    known: &'static [&'static str],
    unknown_warning: Option<&str>,
) -> KeyVerdict {
    let lower = key.to_ascii_lowercase();
    let base = lower.split('/').next().unwrap_or(&lower);
    if known.iter().any(|k| {
        k.eq_ignore_ascii_case(base)
            || (k.ends_with('/') && lower.starts_with(&k.to_ascii_lowercase()))
    }) {
        return KeyVerdict::Known;
    }
    match suggest(key, known.iter().copied()) {
        Some(s) => KeyVerdict::Misspelled(s),
        None => match unknown_warning {
            Some(w) => KeyVerdict::Unknown(format!("`{key}` {w}")),
            None => KeyVerdict::Known,
        },
    }
}

/// Lowers `text` with `spec` as a policy of `layer`, for the dialects' unit tests.
#[cfg(test)]
pub(crate) fn lower_text(
    spec: &Spec,
    text: &str,
    layer: Layer,
) -> (Option<Policy>, Vec<Diagnostic>) {
    match crate::json::parse(text) {
        Ok(doc) => lower(
            spec,
            &doc,
            &PolicySource {
                id: "p".into(),
                file: None,
                layer,
            },
        ),
        Err(e) => (None, vec![Diagnostic::error(e.pos, e.message)]),
    }
}

/// The policies IAM (and STS, for session policies) itself stores or takes as a parameter, and
/// validates with IAM's rules on `Sid`s: identity-based policies, boundaries, session policies.
fn iam_policy(layer: Layer) -> bool {
    matches!(
        layer,
        Layer::Identity | Layer::PermissionsBoundary | Layer::Session
    )
}

/// Regression tests for the silent no-ops of issue 9 ("Documents"), one per finding, each with
/// the near variant that must stay accepted (docs/robustness.md, "Policy documents").
#[cfg(test)]
mod robustness {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    fn lower_with(spec: &Spec, text: &str, layer: Layer) -> (Option<Policy>, Vec<Diagnostic>) {
        lower_text(spec, text, layer)
    }

    fn aws(text: &str, layer: Layer) -> (Option<Policy>, Vec<Diagnostic>) {
        lower_with(&crate::aws::SPEC, text, layer)
    }

    /// An AWS identity statement with `body` spliced in after the effect.
    fn aws_stmt(body: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny",{body}}}]}}"#)
    }

    fn error_containing(d: &[Diagnostic], want: &str) -> bool {
        d.iter().any(|d| d.is_error() && d.message.contains(want))
    }

    fn assert_refused(text: &str, layer: Layer, want: &str) {
        let (p, d) = aws(text, layer);
        assert!(p.is_none(), "{text}: accepted, {d:?}");
        assert!(error_containing(&d, want), "{text}: {d:?}");
    }

    /// A policy's resources share one compiled copy of each repeated segment, and a segment's
    /// warning is still given at every resource that has it.
    #[test]
    fn repeated_resource_segments_are_compiled_once() {
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]},
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::c/${aws:username"}]}"#;
        let (p, d) = aws(text, Layer::Identity);
        let p = p.unwrap();
        let seg = |s: usize, r: usize, i: usize| {
            p.statements[s].resource.as_ref().unwrap().items[r].segments[i].clone()
        };
        assert!(seg(0, 0, 0).is_shared_with(&seg(0, 1, 0)));
        assert!(seg(0, 0, 2).is_shared_with(&seg(1, 0, 2)));
        assert!(!seg(0, 0, 5).is_shared_with(&seg(0, 1, 5)));
        assert_eq!(seg(0, 1, 5).text(), "b/*");
        assert!(
            d.iter().any(|d| d.message.contains("without a closing")),
            "{d:?}"
        );
    }

    fn assert_clean(text: &str, layer: Layer) {
        let (p, d) = aws(text, layer);
        assert!(p.is_some(), "{text}: {d:?}");
        assert!(d.is_empty(), "{text}: {d:?}");
    }

    #[test]
    fn duplicate_condition_operator_is_an_error() {
        let t = aws_stmt(
            r#""Action":"s3:*","Resource":"*","Condition":{
            "StringNotEquals":{"aws:SourceVpce":"vpce-1"},
            "StringNotEquals":{"aws:SourceVpce":"vpce-2"}}"#,
        );
        let (p, d) = aws(&t, Layer::Identity);
        assert!(p.is_none());
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0]
            .message
            .contains("appears twice in this object (first at line 2"));
        assert_eq!(d[0].pos, Pos { line: 3, col: 13 });
        assert!(d[0].help.as_deref().unwrap().contains("merge them"));
    }

    #[test]
    fn duplicate_condition_key_is_an_error() {
        let t = aws_stmt(
            r#""Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1","aws:SourceVpce":"vpce-2"}}"#,
        );
        assert_refused(&t, Layer::Identity, "`aws:SourceVpce` appears twice");
        // Two different keys, and the same key under two operators, stay accepted.
        assert_clean(
            &aws_stmt(
                r#""Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1","aws:SourceVpc":"vpc-1"},"StringNotLike":{"aws:SourceVpce":"vpce-2*"}}"#,
            ),
            Layer::Identity,
        );
    }

    #[test]
    fn duplicate_member_anywhere_is_an_error_in_every_dialect() {
        // An element twice is reported once (not by both checks).
        let (_, d) = aws(
            &aws_stmt(r#""Action":"s3:GetObject","Action":"s3:PutObject","Resource":"*""#),
            Layer::Identity,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_refused(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333","AWS":"444455556666"},"Action":"s3:*","Resource":"*"}]}"#,
            Layer::Resource,
            "`AWS` appears twice",
        );
        let (p, d) = lower_with(
            &crate::aliyun::SPEC,
            r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"},"IpAddress":{"acs:SourceIp":"192.168.0.0/16"}}}]}"#,
            Layer::Identity,
        );
        assert!(
            p.is_none() && error_containing(&d, "appears twice"),
            "{d:?}"
        );
        let (p, d) = lower_with(
            &crate::tencent::SPEC,
            r#"{"version":"2.0","statement":[{"effect":"deny","action":"cos:*","resource":"*","condition":{"ip_not_equal":{"qcs:ip":"10.0.0.0/8","qcs:ip":"192.168.0.0/16"}}}]}"#,
            Layer::Identity,
        );
        assert!(
            p.is_none() && error_containing(&d, "appears twice"),
            "{d:?}"
        );
    }

    #[test]
    fn action_without_service_prefix_is_an_error() {
        for bad in [
            "",
            "s3:",
            "s3",
            "invalid-action",
            ":GetObject",
            "s3 :GetObject",
        ] {
            let t = aws_stmt(&format!(r#""Action":"{bad}","Resource":"*""#));
            assert_refused(&t, Layer::Identity, "is not an action name");
        }
        for good in [
            "s3:GetObject",
            "s3:*",
            "*",
            "s3:Get*",
            "S3:getobject",
            "*:*",
        ] {
            assert_clean(
                &aws_stmt(&format!(r#""Action":"{good}","Resource":"*""#)),
                Layer::Identity,
            );
        }
        let (p, d) = lower_with(
            &crate::aliyun::SPEC,
            r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss","Resource":"*"}]}"#,
            Layer::Identity,
        );
        assert!(
            p.is_none() && error_containing(&d, "not an action name"),
            "{d:?}"
        );
        let (p, d) = lower_with(
            &crate::tencent::SPEC,
            r#"{"version":"2.0","statement":[{"effect":"deny","action":["name/cos:GetObject","name/cos"],"resource":"*"}]}"#,
            Layer::Identity,
        );
        assert!(p.is_none() && error_containing(&d, "`name/cos`"), "{d:?}");
    }

    #[test]
    fn resource_not_an_arn_is_an_error() {
        for bad in ["", "s3", "bucket/*", " arn:aws:s3:::b"] {
            let t = aws_stmt(&format!(r#""Action":"s3:*","Resource":"{bad}""#));
            assert_refused(&t, Layer::Identity, "is not a resource name");
        }
        for good in [
            "arn:aws:s3:::b/*",
            "*",
            "arn:aws:s3:::b",
            "ARN:aws:s3:::b/*",
        ] {
            assert_clean(
                &aws_stmt(&format!(r#""Action":"s3:*","Resource":"{good}""#)),
                Layer::Identity,
            );
        }
        let (p, d) = lower_with(
            &crate::aliyun::SPEC,
            r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Resource":"mybucket/*"}]}"#,
            Layer::Identity,
        );
        assert!(
            p.is_none() && error_containing(&d, "not a resource name"),
            "{d:?}"
        );
        assert!(d[0].help.as_deref().unwrap().contains("`acs:`"), "{d:?}");
    }

    #[test]
    fn empty_or_truncated_principal_is_an_error() {
        for bad in [
            r#"{"AWS":""}"#,
            r#"{"AWS":"arn:aws:iam::012345678910"}"#,
            r#"{"AWS":"arn:aws:iam::012345678910:"}"#,
            r#"{"Service":""}"#,
        ] {
            let t = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":{bad},"Action":"s3:*","Resource":"*"}}]}}"#
            );
            let (p, d) = aws(&t, Layer::Resource);
            assert!(p.is_none(), "{bad}: {d:?}");
        }
        assert_clean(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":["012345678910","arn:aws:iam::012345678910:root","arn:aws:iam::012345678910:user/jo"]},"Action":"s3:*","Resource":"*"}]}"#,
            Layer::Resource,
        );
        let (p, d) = lower_with(
            &crate::tencent::SPEC,
            r#"{"version":"2.0","statement":[{"effect":"deny","principal":{"qcs":[""]},"action":"cos:*","resource":"*"}]}"#,
            Layer::Resource,
        );
        assert!(p.is_none() && error_containing(&d, "empty"), "{d:?}");
    }

    #[test]
    fn partial_wildcard_principal_is_an_error() {
        assert_refused(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/jo*"},"Action":"s3:*","Resource":"*"}]}"#,
            Layer::Resource,
            "does not allow wildcards inside a principal",
        );
        assert_clean(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}]}"#,
            Layer::Resource,
        );
    }

    #[test]
    fn look_alike_characters_are_errors() {
        // Greek capital omicron, Cyrillic а and к, a zero-width space, a fullwidth colon, NUL.
        for action in [
            "s3:GetΟbject",
            "s3:GetObjeсt",
            "s3:Get\u{200B}Object",
            "s3：GetObject",
            "s3:Get\\u0000Object",
        ] {
            let t = aws_stmt(&format!(r#""Action":"{action}","Resource":"*""#));
            assert_refused(&t, Layer::Identity, "the action");
        }
        for res in [
            "arn:аws:s3:::b/*",
            "arn:aws:s3:::b\\u0000/*",
            "arn:aws:s3\u{200B}:::b/*",
        ] {
            let t = aws_stmt(&format!(r#""Action":"s3:*","Resource":"{res}""#));
            assert_refused(&t, Layer::Identity, "the resource");
        }
        let t = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/jоe"},"Action":"s3:*","Resource":"*"}]}"#;
        assert_refused(t, Layer::Resource, "look-alike");
    }

    #[test]
    fn unicode_in_an_object_key_is_accepted_and_look_alikes_there_warn() {
        assert_clean(
            &aws_stmt(
                r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/фото/résumé-文件.pdf""#,
            ),
            Layer::Identity,
        );
        for res in [
            "arn:aws:s3:::b/pаyroll/*",
            "arn:aws:s3:::b/pay\u{200B}roll/*",
        ] {
            let (p, d) = aws(
                &aws_stmt(&format!(r#""Action":"s3:GetObject","Resource":"{res}""#)),
                Layer::Identity,
            );
            assert!(p.is_some(), "{d:?}");
            assert_eq!(d.len(), 1, "{d:?}");
            assert!(!d[0].is_error(), "{d:?}");
        }
    }

    #[test]
    fn empty_condition_and_empty_block_are_errors() {
        assert_refused(
            &aws_stmt(r#""Action":"s3:*","Resource":"*","Condition":{}"#),
            Layer::Identity,
            "an empty condition",
        );
        assert_refused(
            &aws_stmt(r#""Action":"s3:*","Resource":"*","Condition":{"StringEquals":{}}"#),
            Layer::Identity,
            "names no condition key",
        );
    }

    #[test]
    fn empty_condition_value_list_is_an_error() {
        assert_refused(
            &aws_stmt(
                r#""Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":[]}}"#,
            ),
            Layer::Identity,
            "has no values",
        );
        // ForAllValues with no values has a meaning (the request carries none): a warning.
        let (p, d) = aws(
            &aws_stmt(
                r#""Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}"#,
            ),
            Layer::Identity,
        );
        assert!(p.is_some(), "{d:?}");
        assert_eq!(d.len(), 1);
        assert!(!d[0].is_error());
    }

    #[test]
    fn sid_with_spaces_in_an_identity_policy_is_an_error() {
        let t = aws_stmt(r#""Sid":"Deny all","Action":"s3:*","Resource":"*""#);
        assert_refused(&t, Layer::Identity, "only letters and digits");
        assert_refused(&t, Layer::Session, "only letters and digits");
        // Bucket policies (S3 allows spaces) and SCPs: accepted.
        let t = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Deny all","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        assert_clean(t, Layer::Resource);
        assert_clean(
            &aws_stmt(r#""Sid":"DenyAll1","Action":"s3:*","Resource":"*""#),
            Layer::Identity,
        );
    }

    #[test]
    fn id_in_an_identity_policy_is_an_error() {
        let t = r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
        assert_refused(t, Layer::Identity, "does not accept `Id`");
        let t = r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        assert_clean(t, Layer::Resource);
    }

    #[test]
    fn bucket_policy_statement_without_principal_is_an_error() {
        let t = aws_stmt(r#""Action":"s3:*","Resource":"arn:aws:s3:::b/*""#);
        assert_refused(&t, Layer::Resource, "has no `Principal`");
        // Alibaba and Tencent: their documents are silent; a warning, as before.
        let (p, d) = lower_with(
            &crate::aliyun::SPEC,
            r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Resource":"acs:oss:*:*:b/*"}]}"#,
            Layer::Resource,
        );
        assert!(p.is_some() && d.len() == 1 && !d[0].is_error(), "{d:?}");
    }

    #[test]
    fn epoch_milliseconds_date_is_an_error() {
        let t = aws_stmt(
            r#""Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"1735689600000"}}"#,
        );
        let (p, d) = aws(&t, Layer::Identity);
        assert!(p.is_none());
        assert!(d[0].message.contains("epoch milliseconds"), "{d:?}");
        assert!(
            d[0].help.as_deref().unwrap().contains("`1735689600`"),
            "{d:?}"
        );
        assert_clean(
            &aws_stmt(
                r#""Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"1735689600"},"NumericGreaterThan":{"s3:max-keys":"1735689600000"}}"#,
            ),
            Layer::Identity,
        );
    }

    #[test]
    fn padded_or_look_alike_condition_key_is_an_error() {
        for key in ["aws:SourceVpce ", "", "aws:SourceVрce"] {
            let t = aws_stmt(&format!(
                r#""Action":"s3:*","Resource":"*","Condition":{{"StringNotEquals":{{"{key}":"vpce-1"}}}}"#
            ));
            assert_refused(&t, Layer::Identity, "condition key");
        }
        // A tag key may be any Unicode.
        assert_clean(
            &aws_stmt(
                r#""Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/отдел":"x"}}"#,
            ),
            Layer::Identity,
        );
    }

    #[test]
    fn patterns_keys_and_values_over_64_kib_are_errors() {
        let long = "a".repeat(crate::checks::MAX_TEXT_LEN + 1);
        for body in [
            format!(r#""Action":"s3:{long}","Resource":"*""#),
            format!(r#""Action":"s3:*","Resource":"arn:aws:s3:::{long}""#),
            format!(
                r#""Action":"s3:*","Resource":"*","Condition":{{"StringEquals":{{"aws:{long}":"x"}}}}"#
            ),
            format!(
                r#""Action":"s3:*","Resource":"*","Condition":{{"StringEquals":{{"aws:SourceVpce":"{long}"}}}}"#
            ),
            format!(r#""Sid":"{long}","Action":"s3:*","Resource":"*""#),
        ] {
            assert_refused(
                &aws_stmt(&body),
                Layer::Identity,
                "polsim reads at most 65536",
            );
        }
        let ok = "a".repeat(crate::checks::MAX_TEXT_LEN - 20);
        assert_clean(
            &aws_stmt(&format!(
                r#""Action":"s3:*","Resource":"arn:aws:s3:::{ok}""#
            )),
            Layer::Identity,
        );
    }

    #[test]
    fn many_sids_are_checked_in_linear_time() {
        // 64k statements with Sids took 33 s with the quadratic check; a duplicate is still found.
        let mut stmts: Vec<String> = (0..20_000)
            .map(|i| format!(r#"{{"Sid":"S{i}","Effect":"Deny","Action":"s3:*","Resource":"*"}}"#))
            .collect();
        stmts.push(r#"{"Sid":"S7","Effect":"Deny","Action":"s3:*","Resource":"*"}"#.into());
        let t = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            stmts.join(",")
        );
        let (p, d) = aws(&t, Layer::Identity);
        assert!(p.is_none());
        assert_eq!(d.len(), 1, "{:?}", d.first());
        assert!(d[0].message.contains("`S7` is used twice"));
    }
}
