//! The Tencent Cloud CAM policy dialect (`"version": "2.0"`): CAM policies, COS bucket policies
//! (whose element names may be capitalised), role trust policies, temporary-key policies and
//! permission boundaries.

use crate::diag::{suggest, Diagnostic};
use crate::json::{Json, JsonKind};
use crate::lower::{
    self, judge_key, lookup_operator, operator_hint, Cx, KeyVerdict, OperatorName, PolicySource,
    Spec,
};
use polsim_core::ir::{
    Cloud, Cmp, OpFamily, Operator, Policy, PrincipalEntry, PrincipalKind, SetQualifier,
};

/// The CAM dialect.
pub static SPEC: Spec = Spec {
    keys: &[KEYS],
    cloud: Cloud::Tencent,
    name: "CAM",
    top: &["version", "principal", "statement"],
    statement: &["sid", "effect", "principal", "action", "resource", "condition"],
    fold_names: true,
    version_required: false,
    variables: |_| true,
    effect_any_case: true,
    operator: parse_operator,
    key: check_key,
    principal: read_principal,
    not_principal: false,
    not_resource_warning: None,
    example: "{\"version\": \"2.0\", \"statement\": [{\"effect\": \"allow\", \"action\": \"name/cos:GetObject\", \"resource\": \"*\"}]}",
    if_exists_warning: None,
    check_resource: None,
    variable_names: Some(VARIABLES),
    literal_variables_from: Some(cos_resources_path),
};

/// The variables of the CAM "Policy Variable" page (tencentcloud.com/document/product/598/10607):
/// `${uin}`, `${owner_uin}`, `${app_id}`. They are substituted in the last segment of a resource
/// name and in condition values (docs/semantics/tencent.md, "Policy variables").
pub const VARIABLES: &[&str] = &["uin", "owner_uin", "app_id"];

/// COS names are `qcs::cos:REGION:uid/APPID:BUCKET-APPID/$ResourcesPath`, and the CAM page says
/// the variables "cannot be used in $ResourcesPath": from the first `/` of a COS name's last
/// segment on, `${...}` is literal text.
fn cos_resources_path(parts: &[&str]) -> Option<(usize, &'static str)> {
    let service = parts.get(2)?;
    if !service.eq_ignore_ascii_case("cos") {
        return None;
    }
    let slash = parts.last()?.find('/')?;
    Some((slash, "CAM policy variables cannot be used in a COS object path ($ResourcesPath); polsim reads this `${...}` as literal text, so the entry matches only keys that contain it as written"))
}

/// Lowers a CAM policy document.
pub fn lower(doc: &Json, src: &PolicySource) -> (Option<Policy>, Vec<Diagnostic>) {
    lower::lower(&SPEC, doc, src)
}

/// `{"qcs": [...]}` and `{"service": [...]}` (names compared case-insensitively, as COS writes
/// them both ways); `"*"` means everyone.
fn read_principal(cx: &mut Cx<'_>, v: &Json, name: &str) -> Option<Vec<PrincipalEntry>> {
    let mut items = Vec::new();
    match &v.kind {
        JsonKind::String(t) if t == "*" => items.push(polsim_core::clouds::principal_entry(
            Cloud::Tencent,
            PrincipalKind::Qcs,
            polsim_core::tencent::ANYONE.into(),
            v.pos,
        )),
        JsonKind::Object(members) => {
            for m in members {
                let kind = if m.key.eq_ignore_ascii_case("qcs") {
                    PrincipalKind::Qcs
                } else if m.key.eq_ignore_ascii_case("service") {
                    PrincipalKind::Service
                } else if m.key.eq_ignore_ascii_case("federated") {
                    PrincipalKind::Federated
                } else {
                    let help = suggest(&m.key, ["qcs", "service", "federated"])
                        .map(|s| format!("did you mean `{s}`?"));
                    cx.err(
                        m.key_pos,
                        format!("unknown principal type `{}`", m.key),
                        help.or(Some(
                            "CAM principals are `{\"qcs\": [...]}` or `{\"service\": [...]}`"
                                .into(),
                        )),
                    );
                    continue;
                };
                for (text, p) in cx.strings(&m.value, &m.key)? {
                    if !cx.check_principal_text(&text, p, &m.key) {
                        continue;
                    }
                    if kind == PrincipalKind::Qcs
                        && text != polsim_core::tencent::ANYONE
                        && !text.starts_with("qcs:")
                    {
                        cx.warn(p, format!("`{text}` is not a CAM principal name (`qcs::cam::uin/OWNER:uin/SUB`, `qcs::cam::anyone:anyone`); it matches nothing"), None);
                    }
                    items.push(polsim_core::clouds::principal_entry(
                        Cloud::Tencent,
                        kind,
                        text,
                        p,
                    ));
                }
            }
        }
        _ => {
            cx.err(v.pos, format!("`{name}` must be an object such as `{{\"qcs\": [\"qcs::cam::uin/100000000001:uin/100000000011\"]}}`, found {}", v.type_name()), None);
            return None;
        }
    }
    Some(items)
}

/// CAM's operators (snake_case).
pub const CAM_OPERATORS: &[OperatorName] = &[
    ("string_equal", OpFamily::StringEquals, false),
    ("string_not_equal", OpFamily::StringEquals, true),
    (
        "string_equal_ignore_case",
        OpFamily::StringEqualsIgnoreCase,
        false,
    ),
    (
        "string_not_equal_ignore_case",
        OpFamily::StringEqualsIgnoreCase,
        true,
    ),
    ("string_like", OpFamily::StringLike, false),
    ("string_not_like", OpFamily::StringLike, true),
    ("numeric_equal", OpFamily::Numeric(Cmp::Eq), false),
    ("numeric_not_equal", OpFamily::Numeric(Cmp::Eq), true),
    ("numeric_less_than", OpFamily::Numeric(Cmp::Lt), false),
    ("numeric_less_than_equal", OpFamily::Numeric(Cmp::Le), false),
    ("numeric_greater_than", OpFamily::Numeric(Cmp::Gt), false),
    (
        "numeric_greater_than_equal",
        OpFamily::Numeric(Cmp::Ge),
        false,
    ),
    ("date_equal", OpFamily::Date(Cmp::Eq), false),
    ("date_not_equal", OpFamily::Date(Cmp::Eq), true),
    ("date_less_than", OpFamily::Date(Cmp::Lt), false),
    ("date_less_than_equal", OpFamily::Date(Cmp::Le), false),
    ("date_greater_than", OpFamily::Date(Cmp::Gt), false),
    ("date_greater_than_equal", OpFamily::Date(Cmp::Ge), false),
    ("bool_equal", OpFamily::Bool, false),
    ("binary_equal", OpFamily::Binary, false),
    ("ip_equal", OpFamily::Ip, false),
    ("ip_not_equal", OpFamily::Ip, true),
    ("null_equal", OpFamily::Null, false),
];

/// Reads a CAM condition operator: `[for_any_value:|for_all_value:]base[_if_exist]`.
pub fn parse_operator(text: &str) -> Result<Operator, String> {
    let (set, rest) = if let Some(r) = text.strip_prefix("for_any_value:") {
        (Some(SetQualifier::ForAnyValue), r)
    } else if let Some(r) = text.strip_prefix("for_all_value:") {
        (Some(SetQualifier::ForAllValues), r)
    } else {
        (None, text)
    };
    let (base, if_exists) = match rest.strip_suffix("_if_exist") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    match lookup_operator(&[CAM_OPERATORS], base) {
        Some((OpFamily::Null, _)) if if_exists => Err("`null_equal` cannot take `_if_exist`: it already tests whether the key exists".into()),
        Some((family, negated)) => Ok(Operator { family, negated, if_exists, set }),
        None if base.chars().any(|c| c.is_ascii_uppercase()) => {
            Err("CAM operators are snake_case (`string_equal`, `ip_equal`, ...); `StringEquals` is the AWS/RAM spelling".into())
        }
        None => {
            let prefix = text.get(..text.len() - rest.len()).unwrap_or("");
            Err(operator_hint(&[CAM_OPERATORS], base, prefix, Some("_if_exist"), "CAM's operators are string_equal, string_like, numeric_less_than, date_greater_than, bool_equal, ip_equal, null_equal, ... with an optional `_if_exist` suffix and `for_any_value:`/`for_all_value:` prefix"))
        }
    }
}

/// Documented CAM keys (`qcs:`, `vpc:`) and COS keys (`cos:`).
pub const KEYS: &[&str] = &[
    "qcs:current_time",
    "qcs:ip",
    "qcs:vpc",
    "qcs:resource_tag",
    "qcs:request_tag",
    "qcs:tag_keys",
    "qcs:mfa",
    "qcs:role_session_name",
    "vpc:requester_vpc",
    "vpc:region",
    "cos:secure-transport",
    "cos:tls-version",
    "cos:x-cos-storage-class",
    "cos:versionid",
    "cos:prefix",
    "cos:x-cos-acl",
    "cos:content-length",
    "cos:content-type",
    "cos:response-content-type",
    "cos:delimiter",
    "cos:max-keys",
    "cos:x-cos-grant-read",
    "cos:x-cos-grant-write",
    "cos:x-cos-grant-full-control",
    "cos:x-cos-server-side-encryption",
    "cos:x-cos-forbid-overwrite",
    "cos:x-cos-traffic-limit",
];

fn check_key(key: &str) -> KeyVerdict {
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("qcs:") || lower.starts_with("cos:") || lower.starts_with("vpc:") {
        if KEYS.contains(&key) {
            return KeyVerdict::Known;
        }
        // Keys are case-sensitive in CAM: a key that differs only in case is misspelled.
        if let Some(k) = KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) {
            return KeyVerdict::Unknown(format!(
                "`{key}` differs from the documented key `{k}` only in case, and CAM condition keys are case-sensitive: this condition never sees the request's `{k}`"
            ));
        }
        judge_key(
            key,
            KEYS,
            Some("is not a documented CAM or COS condition key; requests will never carry it"),
        )
    } else {
        KeyVerdict::Known
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polsim_core::Layer;

    fn lower_text(text: &str, layer: Layer) -> (Option<Policy>, Vec<Diagnostic>) {
        crate::lower::lower_text(&SPEC, text, layer)
    }

    fn last_segment(p: &Policy, i: usize) -> &polsim_core::pattern::Template {
        let r = p.statements[0].resource.as_ref().unwrap();
        r.items[i].segments.last().unwrap()
    }

    #[test]
    fn policy_variables_in_the_last_resource_segment_and_condition_values() {
        let (p, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"allow","action":"name/cmqqueue:*",
            "resource":["qcs::cmqqueue::uin/1000001:queueName/uin/${uin}/*",
                        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-${app_id}/*"],
            "condition":{"string_like":{"cos:prefix":"${uin}/*"}}}]}"#,
            Layer::Identity,
        );
        assert!(d.is_empty(), "{d:?}");
        let p = p.unwrap();
        let t = last_segment(&p, 0);
        assert!(t.has_variables());
        assert_eq!(t.variables().collect::<Vec<_>>(), ["uin"]);
        let g = t
            .resolve(|k| (k == "uin").then(|| "100000000011".into()), false)
            .unwrap();
        assert!(g.matches("queueName/uin/100000000011/q1"));
        assert!(!g.matches("queueName/uin/100000000012/q1"));
        // The bucket part of a COS name is not $ResourcesPath.
        assert_eq!(
            last_segment(&p, 1).variables().collect::<Vec<_>>(),
            ["app_id"]
        );
        let c = &p.statements[0].conditions[0].values[0].template;
        assert_eq!(c.variables().collect::<Vec<_>>(), ["uin"]);
    }

    #[test]
    fn a_variable_in_a_cos_object_path_is_literal_with_a_warning() {
        let (p, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetObject",
            "resource":"qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/${uin}/*"}]}"#,
            Layer::Identity,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(!d[0].is_error());
        assert!(d[0].message.contains("$ResourcesPath"), "{d:?}");
        assert_eq!(d[0].pos, polsim_core::Pos { line: 2, col: 24 });
        let p = p.unwrap();
        let t = last_segment(&p, 0);
        assert!(!t.has_variables());
        let g = t.resolve(|_| None, false).unwrap();
        assert!(g.matches("examplebucket-1250000000/${uin}/a.txt"));
        assert!(!g.matches("examplebucket-1250000000/100000000011/a.txt"));
        // Also in the legacy `prefix//APPID/BUCKET/` form, which becomes the same name.
        let (_, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetObject",
            "resource":"qcs::cos:gz:uid/1250000000:prefix//1250000000/examplebucket/${uin}/*"}]}"#,
            Layer::Identity,
        );
        assert_eq!(d.len(), 1, "{d:?}");
    }

    #[test]
    fn unknown_and_misplaced_variables_warn() {
        let (p, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"allow","action":"name/cmqqueue:*",
            "resource":"qcs::cmqqueue::uin/1000001:queueName/uin/${owner_uni}/*",
            "condition":{"string_equal":{"cos:prefix":"${aws:username}"}}}]}"#,
            Layer::Identity,
        );
        assert!(p.is_some());
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0]
            .message
            .contains("`${owner_uni}` is not a CAM policy variable"));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `${owner_uin}`?"));
        assert!(d[1].message.contains("`${aws:username}`"));
        assert!(d[1]
            .help
            .as_deref()
            .unwrap()
            .contains("`${uin}`, `${owner_uin}`, `${app_id}`"));
        // Before the last segment: not substituted, with the engine's warning.
        let (_, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"allow","action":"name/cvm:*",
            "resource":"qcs::cvm::uin/${uin}:instance/*"}]}"#,
            Layer::Identity,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("only in the last part"), "{d:?}");
    }

    #[test]
    fn operators() {
        let op = parse_operator("for_all_value:string_equal_if_exist").unwrap();
        assert!(op.if_exists && op.set == Some(SetQualifier::ForAllValues));
        assert!(parse_operator("ip_not_equal").unwrap().negated);
        assert!(parse_operator("null_equal_if_exist").is_err());
        assert!(parse_operator("string_equals")
            .unwrap_err()
            .contains("string_equal"));
        assert!(parse_operator("StringEquals")
            .unwrap_err()
            .contains("snake_case"));
    }

    #[test]
    fn capitalised_cos_bucket_policy() {
        let (p, d) = lower_text(
            r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/1:uin/2"]},"Effect":"allow","Action":["name/cos:GetBucket"],"Resource":["qcs::cos:ap-guangzhou:uid/125:b-125/*"]}],"version":"2.0"}"#,
            Layer::Resource,
        );
        assert!(p.is_some(), "{d:?}");
        let (p, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"allow","action":"cos:*","resource":"*","Resource":"*"}]}"#,
            Layer::Identity,
        );
        assert!(p.is_none());
        assert!(d[0].message.contains("twice"), "{d:?}");
    }

    #[test]
    fn keys_are_case_sensitive() {
        // A key differing only in case is legal but never matches: a warning says so.
        let (p, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"deny","action":"cos:*","resource":"*","condition":{"ip_not_equal":{"qcs:IP":"10.0.0.0/8"}}}]}"#,
            Layer::Identity,
        );
        assert!(p.is_some());
        assert!(d[0].message.contains("only in case"), "{d:?}");
        let (p, d) = lower_text(
            r#"{"version":"2.0","statement":[{"effect":"deny","action":"cos:*","resource":"*","condition":{"ip_not_equal":{"qcs:ipp":"10.0.0.0/8"}}}]}"#,
            Layer::Identity,
        );
        assert!(p.is_none());
        assert!(d[0].help.as_deref().unwrap().contains("qcs:ip"));
    }
}
