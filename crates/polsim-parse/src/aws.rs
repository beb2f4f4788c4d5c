//! The AWS IAM policy dialect lowered into the IR, with validation (§2 of the AWS spec).

use crate::diag::{suggest, Diagnostic};
use crate::json::{Json, JsonKind, Member};
use polsim_core::condition::{parse_date, parse_net};
use polsim_core::ir::{
    ActionPattern, Clause, Cloud, Cmp, Condition, ConditionValue, Effect, Layer, OpFamily,
    Operator, Policy, PrincipalEntry, PrincipalKind, ResourcePattern, SetQualifier, Statement,
};
use polsim_core::pattern::Template;
use polsim_core::Pos;

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

/// Lowers an AWS policy document. Returns the policy unless there were errors, and every
/// diagnostic (errors and warnings).
pub fn lower(doc: &Json, src: &PolicySource) -> (Option<Policy>, Vec<Diagnostic>) {
    let mut cx = Cx {
        diags: Vec::new(),
        layer: src.layer,
        variables: true,
    };
    let policy = cx.policy(doc, src);
    let file = src.file.as_deref();
    let diags = cx
        .diags
        .into_iter()
        .map(|d| d.in_file(file))
        .collect::<Vec<_>>();
    if diags.iter().any(Diagnostic::is_error) {
        (None, diags)
    } else {
        (policy, diags)
    }
}

const TOP_LEVEL: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const PRINCIPAL_KINDS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

struct Cx {
    diags: Vec<Diagnostic>,
    layer: Layer,
    variables: bool,
}

impl Cx {
    fn err(&mut self, pos: Pos, msg: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::error(pos, msg);
        d.help = help;
        self.diags.push(d);
    }

    fn warn(&mut self, pos: Pos, msg: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::warning(pos, msg);
        d.help = help;
        self.diags.push(d);
    }

    /// Checks member names against `known` (exact case), reporting unknown and repeated ones.
    fn check_members(&mut self, members: &[Member], known: &[&str], what: &str) {
        let mut seen: Vec<&str> = Vec::new();
        for m in members {
            if !known.contains(&m.key.as_str()) {
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
            } else if seen.contains(&m.key.as_str()) {
                self.err(
                    m.key_pos,
                    format!("`{}` appears twice in {what}", m.key),
                    Some("each element may appear once; merge the values into one list".into()),
                );
            } else {
                seen.push(&m.key);
            }
        }
    }

    fn policy(&mut self, doc: &Json, src: &PolicySource) -> Option<Policy> {
        let Some(members) = doc.as_object() else {
            self.err(
                doc.pos,
                format!(
                    "a policy document must be a JSON object, found {}",
                    doc.type_name()
                ),
                Some("write `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`".into()),
            );
            return None;
        };
        self.check_members(members, TOP_LEVEL, "a policy");
        let version = match doc.get("Version") {
            None => {
                self.variables = false;
                None
            }
            Some(v) => match v.as_str() {
                Some("2012-10-17") => Some("2012-10-17".to_string()),
                Some("2008-10-17") => {
                    self.variables = false;
                    Some("2008-10-17".to_string())
                }
                Some(other) => {
                    self.err(
                        v.pos,
                        format!("unknown policy version `{other}`"),
                        Some("AWS accepts `2012-10-17` (current) and `2008-10-17`".into()),
                    );
                    None
                }
                None => {
                    self.err(
                        v.pos,
                        format!("`Version` must be a string, found {}", v.type_name()),
                        Some("write `\"Version\": \"2012-10-17\"`".into()),
                    );
                    None
                }
            },
        };
        if let Some(id) = doc.get("Id") {
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
                self.warn(
                    id.pos,
                    "IAM does not accept `Id` in identity-based policies",
                    Some("remove `Id`; it is meant for resource-based policies".into()),
                );
            }
        }
        let stmts: Vec<&Json> = match doc.get("Statement") {
            None => {
                self.err(
                    doc.pos,
                    "the policy has no `Statement`",
                    Some("add `\"Statement\": [{\"Effect\": \"Allow\", ...}]`".into()),
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
                            "`Statement` must be an object or an array of objects, found {}",
                            s.type_name()
                        ),
                        None,
                    );
                    return None;
                }
            },
        };
        let mut statements = Vec::new();
        let mut sids: Vec<(String, Pos)> = Vec::new();
        for (i, s) in stmts.into_iter().enumerate() {
            if let Some(st) = self.statement(s, i + 1) {
                if let Some(sid) = &st.sid {
                    if let Some((_, first)) = sids.iter().find(|(x, _)| x == sid) {
                        let msg =
                            format!("`Sid` `{sid}` is used twice (first at line {})", first.line);
                        if self.layer == Layer::Identity || self.layer == Layer::PermissionsBoundary
                        {
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
                    sids.push((sid.clone(), st.pos));
                }
                statements.push(st);
            }
        }
        Some(Policy {
            id: src.id.clone(),
            file: src.file.clone(),
            cloud: Cloud::Aws,
            version,
            variables: self.variables,
            pos: doc.pos,
            statements,
        })
    }

    fn statement(&mut self, s: &Json, index: usize) -> Option<Statement> {
        let Some(members) = s.as_object() else {
            self.err(
                s.pos,
                format!("a statement must be a JSON object, found {}", s.type_name()),
                None,
            );
            return None;
        };
        let errors_before = self.diags.iter().filter(|d| d.is_error()).count();
        self.check_members(members, STATEMENT, "a statement");
        let sid = match s.get("Sid") {
            None => None,
            Some(v) => match v.as_str() {
                Some(t) => {
                    if !t.chars().all(|c| c.is_ascii_alphanumeric())
                        && matches!(self.layer, Layer::Identity | Layer::PermissionsBoundary)
                    {
                        self.warn(v.pos, format!("IAM accepts only letters and digits in a `Sid`, and `{t}` has others"), None);
                    }
                    Some(t.to_string())
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
        let effect = match s.get("Effect") {
            None => {
                self.err(
                    s.pos,
                    "the statement has no `Effect`",
                    Some("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`".into()),
                );
                None
            }
            Some(v) => match v.as_str() {
                Some("Allow") => Some(Effect::Allow),
                Some("Deny") => Some(Effect::Deny),
                Some(other) => {
                    let help = if other.eq_ignore_ascii_case("allow")
                        || other.eq_ignore_ascii_case("deny")
                    {
                        format!(
                            "`Effect` is case-sensitive: write `{}`",
                            if other.eq_ignore_ascii_case("allow") {
                                "Allow"
                            } else {
                                "Deny"
                            }
                        )
                    } else {
                        "`Effect` is `Allow` or `Deny`".into()
                    };
                    self.err(v.pos, format!("unknown effect `{other}`"), Some(help));
                    None
                }
                None => {
                    self.err(
                        v.pos,
                        format!("`Effect` must be a string, found {}", v.type_name()),
                        None,
                    );
                    None
                }
            },
        };
        let action = self
            .pair(s, "Action", "NotAction", true)
            .map(|(neg, pos, items)| Clause {
                negated: neg,
                pos,
                items: items
                    .into_iter()
                    .map(|(t, p)| ActionPattern::new(&t, p, true))
                    .collect(),
            });
        let resource = self.resource(s, action.as_ref());
        let principal = self.principal(s);
        let conditions = match s.get("Condition") {
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
        match (s.get(pos_name), s.get(neg_name)) {
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
                    self.err(
                        s.pos,
                        format!("the statement has neither `{pos_name}` nor `{neg_name}`"),
                        Some(format!("add `\"{pos_name}\": [...]`")),
                    );
                }
                None
            }
            (Some(v), None) => Some((false, v.pos, self.strings(v, pos_name)?)),
            (None, Some(v)) => Some((true, v.pos, self.strings(v, neg_name)?)),
        }
    }

    /// A string or a non-empty array of strings.
    fn strings(&mut self, v: &Json, what: &str) -> Option<Vec<(String, Pos)>> {
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
        let has = s.get("Resource").is_some() || s.get("NotResource").is_some();
        if !has {
            // Trust policies (sts:AssumeRole...) carry no Resource; anything else must.
            let trust_like = self.layer == Layer::Resource
                && action.is_some_and(|a| {
                    !a.negated
                        && a.items
                            .iter()
                            .all(|i| i.text.to_ascii_lowercase().starts_with("sts:"))
                });
            if !trust_like {
                self.err(s.pos, "the statement has neither `Resource` nor `NotResource`", Some("add `\"Resource\": \"arn:...\"` (or `\"*\"`); only role trust policies omit it".into()));
            }
            return None;
        }
        let (negated, pos, items) = self.pair(s, "Resource", "NotResource", false)?;
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
                any: true,
            };
        }
        if text.trim() != text {
            self.warn(pos, format!("the resource `{text}` has leading or trailing white space, so it matches nothing"), Some("remove the spaces".into()));
        } else if text.contains(' ') && text.starts_with("arn:") {
            self.warn(pos, format!("the resource `{text}` contains a space; AWS resource names have none, so it probably matches nothing"), Some("remove the space".into()));
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        if text.starts_with("arn:")
            && parts
                .get(2)
                .is_some_and(|s| s.contains('*') || s.contains('?'))
        {
            self.warn(
                pos,
                format!("the service part of `{text}` has a wildcard, which AWS does not allow"),
                None,
            );
        }
        let mut segments = Vec::new();
        for (i, seg) in parts.iter().enumerate() {
            let last = i == 5 || i + 1 == parts.len() && !text.starts_with("arn:");
            let (t, warns) = Template::new(seg, self.variables && (i == 5 || last), i < 5 && !last);
            for w in warns {
                self.warn(pos, w.message, None);
            }
            if i < 5 && self.variables && seg.contains("${") {
                self.warn(pos, "policy variables are substituted only in the resource part of an ARN (after the fifth `:`)", None);
            }
            segments.push(t);
        }
        ResourcePattern {
            text: text.into(),
            pos,
            segments,
            any: false,
        }
    }

    fn principal(&mut self, s: &Json) -> Option<Clause<PrincipalEntry>> {
        let (negated, v) = match (s.get("Principal"), s.get("NotPrincipal")) {
            (Some(_), Some(n)) => {
                self.err(
                    n.pos,
                    "a statement may have `Principal` or `NotPrincipal`, not both",
                    None,
                );
                return None;
            }
            (None, None) => {
                if self.layer.has_principal() {
                    self.warn(s.pos, format!("this {} statement has no `Principal`, so it applies to nobody", layer_policy_name(self.layer)), Some("add `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}` or `\"Principal\": \"*\"`".into()));
                }
                return None;
            }
            (Some(p), None) => (false, p),
            (None, Some(p)) => (true, p),
        };
        let name = if negated { "NotPrincipal" } else { "Principal" };
        if !self.layer.has_principal() {
            let key_pos = s
                .as_object()
                .and_then(|m| m.iter().find(|m| m.key == name))
                .map_or(v.pos, |m| m.key_pos);
            self.err(
                key_pos,
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
        let mut items = Vec::new();
        match &v.kind {
            JsonKind::String(t) if t == "*" => items.push(PrincipalEntry {
                kind: PrincipalKind::Any,
                value: "*".into(),
                pos: v.pos,
            }),
            JsonKind::String(t) => {
                self.err(
                    v.pos,
                    format!("`{name}` must be `\"*\"` or an object such as `{{\"AWS\": \"{t}\"}}`"),
                    None,
                );
                return None;
            }
            JsonKind::Object(members) => {
                self.check_members(members, PRINCIPAL_KINDS, name);
                for m in members {
                    let kind = match m.key.as_str() {
                        "AWS" => PrincipalKind::Aws,
                        "Service" => PrincipalKind::Service,
                        "Federated" => PrincipalKind::Federated,
                        "CanonicalUser" => PrincipalKind::CanonicalUser,
                        _ => continue,
                    };
                    for (text, p) in self.strings(&m.value, &m.key)? {
                        if kind == PrincipalKind::Aws && text.contains('*') && text != "*" {
                            self.warn(p, format!("`{text}`: AWS does not allow wildcards inside a principal; it matches nothing"), Some("use `\"*\"` with a condition on `aws:PrincipalArn` (ArnLike) instead".into()));
                        }
                        let k = if kind == PrincipalKind::Aws && text == "*" {
                            PrincipalKind::Any
                        } else {
                            kind
                        };
                        items.push(PrincipalEntry {
                            kind: k,
                            value: text,
                            pos: p,
                        });
                    }
                }
            }
            _ => {
                self.err(
                    v.pos,
                    format!(
                        "`{name}` must be `\"*\"` or an object, found {}",
                        v.type_name()
                    ),
                    None,
                );
                return None;
            }
        }
        Some(Clause {
            negated,
            pos: v.pos,
            items,
        })
    }

    fn conditions(&mut self, c: &Json) -> Vec<Condition> {
        let Some(blocks) = c.as_object() else {
            self.err(c.pos, format!("`Condition` must be an object of operators, found {}", c.type_name()), Some("write `\"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"blue\"}}`".into()));
            return Vec::new();
        };
        let mut out = Vec::new();
        for block in blocks {
            let op = match parse_operator(&block.key) {
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
            for k in keys {
                self.check_key(&k.key, k.key_pos);
                let raw: Vec<&Json> = match &k.value.kind {
                    JsonKind::Array(items) => items.iter().collect(),
                    _ => vec![&k.value],
                };
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
                    values.push(ConditionValue {
                        text,
                        template,
                        pos: r.pos,
                    });
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

    fn check_key(&mut self, key: &str, pos: Pos) {
        let lower = key.to_ascii_lowercase();
        let (known, prefix) = if lower.starts_with("aws:") {
            (AWS_GLOBAL_KEYS, "aws:")
        } else if lower.starts_with("s3:") {
            (S3_KEYS, "s3:")
        } else {
            return;
        };
        let base = lower.split('/').next().unwrap_or(&lower);
        if known.iter().any(|k| {
            k.eq_ignore_ascii_case(base)
                || (k.ends_with('/') && lower.starts_with(&k.to_ascii_lowercase()))
        }) {
            return;
        }
        if let Some(s) = suggest(key, known.iter().copied()) {
            self.err(pos, format!("unknown condition key `{key}`"), Some(format!("did you mean `{s}`? a misspelled key is absent from every request, which silently changes what the condition does")));
        } else if prefix == "aws:" {
            self.warn(pos, format!("`{key}` is not a documented AWS global condition key; requests will never carry it"), None);
        }
    }

    fn check_value(&mut self, op: Operator, op_text: &str, text: &str, pos: Pos) {
        let bad = match op.family {
            OpFamily::Numeric(_) => text.trim().parse::<f64>().is_err().then_some("a number"),
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
        }
    }
}

fn layer_policy_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Identity => "identity-based policies",
        Layer::PermissionsBoundary => "permissions boundaries",
        Layer::Session => "session policies",
        Layer::Scp => "service control policies",
        Layer::Rcp => "resource control policy",
        Layer::Resource => "resource-based policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::AccessPoint => "access point policy",
    }
}

/// Every AWS condition operator without qualifiers, for suggestions.
pub const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Reads an AWS condition operator (`ForAnyValue:StringLikeIfExists`); `Err` carries a hint.
pub fn parse_operator(text: &str) -> Result<Operator, String> {
    let (set, rest) = if let Some(r) = text.strip_prefix("ForAnyValue:") {
        (Some(SetQualifier::ForAnyValue), r)
    } else if let Some(r) = text.strip_prefix("ForAllValues:") {
        (Some(SetQualifier::ForAllValues), r)
    } else {
        (None, text)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    let (family, negated) = match base {
        "StringEquals" => (OpFamily::StringEquals, false),
        "StringNotEquals" => (OpFamily::StringEquals, true),
        "StringEqualsIgnoreCase" => (OpFamily::StringEqualsIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (OpFamily::StringEqualsIgnoreCase, true),
        "StringLike" => (OpFamily::StringLike, false),
        "StringNotLike" => (OpFamily::StringLike, true),
        "NumericEquals" => (OpFamily::Numeric(Cmp::Eq), false),
        "NumericNotEquals" => (OpFamily::Numeric(Cmp::Eq), true),
        "NumericLessThan" => (OpFamily::Numeric(Cmp::Lt), false),
        "NumericLessThanEquals" => (OpFamily::Numeric(Cmp::Le), false),
        "NumericGreaterThan" => (OpFamily::Numeric(Cmp::Gt), false),
        "NumericGreaterThanEquals" => (OpFamily::Numeric(Cmp::Ge), false),
        "DateEquals" => (OpFamily::Date(Cmp::Eq), false),
        "DateNotEquals" => (OpFamily::Date(Cmp::Eq), true),
        "DateLessThan" => (OpFamily::Date(Cmp::Lt), false),
        "DateLessThanEquals" => (OpFamily::Date(Cmp::Le), false),
        "DateGreaterThan" => (OpFamily::Date(Cmp::Gt), false),
        "DateGreaterThanEquals" => (OpFamily::Date(Cmp::Ge), false),
        "Bool" => (OpFamily::Bool, false),
        "BinaryEquals" => (OpFamily::Binary, false),
        "IpAddress" => (OpFamily::Ip, false),
        "NotIpAddress" => (OpFamily::Ip, true),
        "ArnEquals" | "ArnLike" => (OpFamily::Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (OpFamily::Arn, true),
        "Null" if !if_exists => (OpFamily::Null, false),
        "Null" => {
            return Err(
                "`Null` cannot take `IfExists`: it already tests whether the key exists".into(),
            )
        }
        _ => {
            let lower = text.to_ascii_lowercase();
            let prefixes = ["ForAnyValue:", "ForAllValues:"];
            if let Some(p) = prefixes
                .iter()
                .find(|p| lower.starts_with(&p.to_ascii_lowercase()) && !text.starts_with(*p))
            {
                return Err(format!("set qualifiers are case-sensitive: write `{p}`"));
            }
            let candidates: Vec<String> = OPERATORS
                .iter()
                .map(|o| o.to_string())
                .chain(OPERATORS.iter().map(|o| format!("{o}IfExists")))
                .collect();
            let hint = suggest(base, candidates.iter().map(String::as_str))
                .map(|s| format!("did you mean `{}{s}`? an unknown operator would otherwise make the condition meaningless", text.get(..text.len() - rest.len()).unwrap_or("")))
                .unwrap_or_else(|| "operators are listed in docs/semantics/aws.md (StringEquals, StringLike, NumericLessThan, DateGreaterThan, Bool, IpAddress, ArnLike, Null, ...)".into());
            return Err(hint);
        }
    };
    Ok(Operator {
        family,
        negated,
        if_exists,
        set,
    })
}

/// Documented AWS global condition keys; entries ending in `/` take a tag or key suffix.
pub const AWS_GLOBAL_KEYS: &[&str] = &[
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/",
    "aws:PrincipalType",
    "aws:referer",
    "aws:RequestedRegion",
    "aws:RequestTag/",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceVpcArn",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "aws:VpcSourceIp",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:AssumedRoot",
    "aws:ChatbotSourceArn",
    "aws:PrincipalTag",
    "aws:RequestTag",
    "aws:ResourceTag",
];

/// Amazon S3 condition keys; entries ending in `/` take a tag suffix.
pub const S3_KEYS: &[&str] = &[
    "s3:x-amz-acl",
    "s3:x-amz-content-sha256",
    "s3:x-amz-copy-source",
    "s3:x-amz-grant-full-control",
    "s3:x-amz-grant-read",
    "s3:x-amz-grant-read-acp",
    "s3:x-amz-grant-write",
    "s3:x-amz-grant-write-acp",
    "s3:x-amz-metadata-directive",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:x-amz-server-side-encryption-customer-algorithm",
    "s3:x-amz-storage-class",
    "s3:x-amz-website-redirect-location",
    "s3:x-amz-object-ownership",
    "s3:x-amz-write-offset-bytes",
    "s3:prefix",
    "s3:delimiter",
    "s3:max-keys",
    "s3:VersionId",
    "s3:LocationConstraint",
    "s3:ResourceAccount",
    "s3:TlsVersion",
    "s3:signatureversion",
    "s3:signatureAge",
    "s3:authType",
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
    "s3:AccessPointNetworkOrigin",
    "s3:ExistingObjectTag/",
    "s3:RequestObjectTag/",
    "s3:RequestObjectTagKeys",
    "s3:ExistingJobPriority",
    "s3:ExistingJobOperation",
    "s3:JobSuspendedCause",
    "s3:RequestJobPriority",
    "s3:RequestJobOperation",
    "s3:object-lock-mode",
    "s3:object-lock-retain-until-date",
    "s3:object-lock-remaining-retention-days",
    "s3:object-lock-legal-hold",
    "s3:BucketObjectLockMode",
    "s3:if-match",
    "s3:if-none-match",
    "s3:ObjectCreationOperation",
    "s3:ObjectOwnerOverrideToBucketOwner",
    "s3:x-amz-checksum-algorithm",
    "s3:ExistingObjectTag",
    "s3:RequestObjectTag",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn lower_text(text: &str, layer: Layer) -> (Option<Policy>, Vec<Diagnostic>) {
        let doc = parse(text).unwrap();
        lower(
            &doc,
            &PolicySource {
                id: "p".into(),
                file: None,
                layer,
            },
        )
    }

    #[test]
    fn operators() {
        assert!(parse_operator("ForAnyValue:StringLikeIfExists").is_ok());
        assert!(parse_operator("NullIfExists").is_err());
        let e = parse_operator("StringEqual").unwrap_err();
        assert!(e.contains("StringEquals"), "{e}");
        let e = parse_operator("ForAnyValue:StringEqualz").unwrap_err();
        assert!(e.contains("ForAnyValue:StringEquals"), "{e}");
    }

    #[test]
    fn misspelled_operator_is_an_error_with_position() {
        let (p, d) = lower_text(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*",
            "Condition":{"StringNotEqual":{"aws:SourceVpce":"vpce-1"}}}]}"#,
            Layer::Identity,
        );
        assert!(p.is_none());
        assert_eq!(d[0].pos, Pos { line: 2, col: 26 });
        assert!(d[0].help.as_deref().unwrap().contains("StringNotEquals"));
    }

    #[test]
    fn misspelled_key_is_an_error() {
        let (p, d) = lower_text(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVcpe":"vpce-1"}}}}"#,
            Layer::Identity,
        );
        assert!(p.is_none(), "{d:?}");
        assert!(d[0].help.as_deref().unwrap().contains("aws:SourceVpce"));
    }

    #[test]
    fn structural_errors() {
        for (text, want) in [
            (
                r#"{"Statement":[{"Action":"s3:*","Resource":"*"}]}"#,
                "no `Effect`",
            ),
            (
                r#"{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}"#,
                "unknown effect",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}"#,
                "not both",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Actions":"s3:*","Resource":"*"}]}"#,
                "unknown element `Actions`",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}"#,
                "not allowed",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":5,"Resource":"*"}]}"#,
                "must be a string",
            ),
            (
                r#"{"Version":"2012-10-18","Statement":[]}"#,
                "unknown policy version",
            ),
        ] {
            let (p, d) = lower_text(text, Layer::Identity);
            assert!(p.is_none(), "{text}");
            assert!(d.iter().any(|d| d.message.contains(want)), "{text}: {d:?}");
        }
    }

    #[test]
    fn trust_policy_without_resource() {
        let (p, d) = lower_text(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}"#,
            Layer::Resource,
        );
        assert!(p.is_some(), "{d:?}");
    }
}
