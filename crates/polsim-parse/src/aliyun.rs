//! The Alibaba Cloud RAM policy dialect (`"Version": "1"`): RAM policies, OSS bucket and access
//! point policies, role trust policies, STS `Policy` parameters, control policies and endpoint
//! policies.

use crate::diag::Diagnostic;
use crate::json::{Json, JsonKind};
use crate::lower::{
    self, judge_key, lookup_operator, operator_hint, Cx, KeyVerdict, PolicySource, Spec,
    PASCAL_OPERATORS,
};
use polsim_core::ir::{Cloud, Operator, Policy, PrincipalEntry, PrincipalKind};

/// The RAM dialect.
pub static SPEC: Spec = Spec {
    keys: &[ACS_KEYS, OSS_KEYS],
    cloud: Cloud::Aliyun,
    name: "RAM",
    top: &["Version", "Statement"],
    statement: &["Sid", "Effect", "Principal", "Action", "NotAction", "Resource", "NotResource", "Condition"],
    fold_names: false,
    version_required: false,
    variables: |_| false,
    effect_any_case: false,
    operator: parse_operator,
    key: check_key,
    principal: read_principal,
    not_principal: false,
    not_resource_warning: Some("`NotResource` appears only in an older RAM grammar; polsim accepts it and matches every resource not listed (UNCERTAIN, docs/semantics/aliyun.md)"),
    if_exists_warning: Some("RAM's operator reference lists no `IfExists` forms, though one RAM guide mentions `IfExists` variants of the date operators; polsim gives them the AWS meaning (true when the key is absent) (UNCERTAIN, docs/semantics/aliyun.md)"),
    check_resource: None,
    variable_names: None,
    literal_variables_from: None,
    example: "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"oss:GetObject\", \"Resource\": \"acs:oss:*:*:mybucket/*\"}]}",
};

/// Lowers a RAM policy document.
pub fn lower(doc: &Json, src: &PolicySource) -> (Option<Policy>, Vec<Diagnostic>) {
    lower::lower(&SPEC, doc, src)
}

const PRINCIPAL_KINDS: &[&str] = &["RAM", "Service", "Federated"];

/// OSS bucket, access point and endpoint policies: `"*"` or a flat list of UIDs, role-session
/// ARNs (`arn:sts::UID:assumed-role/ROLE/SESSION`) or `*` (`[]` means everyone). Trust policies:
/// `{"RAM": [...], "Service": [...], "Federated": [...]}`.
fn read_principal(cx: &mut Cx<'_>, v: &Json, name: &str) -> Option<Vec<PrincipalEntry>> {
    let mut items = Vec::new();
    match &v.kind {
        JsonKind::String(_) | JsonKind::Array(_) => {
            let list = match &v.kind {
                JsonKind::Array(a) if a.is_empty() => Vec::new(),
                _ => cx.strings(v, name)?,
            };
            if list.is_empty() {
                // `[]` means everyone (OSS bucket policy documentation).
                items.push(polsim_core::clouds::principal_entry(
                    Cloud::Aliyun,
                    PrincipalKind::Any,
                    "*".into(),
                    v.pos,
                ));
            }
            for (text, p) in list {
                if !cx.check_principal_text(&text, p, name) {
                    continue;
                }
                let kind = if text == "*" {
                    PrincipalKind::Any
                } else {
                    PrincipalKind::Uid
                };
                items.push(polsim_core::clouds::principal_entry(
                    Cloud::Aliyun,
                    kind,
                    text,
                    p,
                ));
            }
        }
        JsonKind::Object(members) => {
            cx.check_members(members, PRINCIPAL_KINDS, name);
            for m in members {
                let kind = match m.key.as_str() {
                    "RAM" => PrincipalKind::Ram,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    _ => continue,
                };
                for (text, p) in cx.strings(&m.value, &m.key)? {
                    if !cx.check_principal_text(&text, p, &m.key) {
                        continue;
                    }
                    let k = if text == "*" {
                        PrincipalKind::Any
                    } else {
                        kind
                    };
                    items.push(polsim_core::clouds::principal_entry(
                        Cloud::Aliyun,
                        k,
                        text,
                        p,
                    ));
                }
            }
        }
        _ => {
            cx.err(v.pos, format!("`{name}` must be a list of principals or an object, found {}", v.type_name()), Some("bucket policies write `\"Principal\": [\"<UID>\"]`; trust policies write `\"Principal\": {\"RAM\": [\"acs:ram::<UID>:root\"]}`".into()));
            return None;
        }
    }
    Some(items)
}

/// Reads a RAM condition operator (the PascalCase names AWS shares); qualifiers RAM does not
/// document are refused.
pub fn parse_operator(text: &str) -> Result<Operator, String> {
    if text.contains(':') {
        let base = text.rsplit(':').next().unwrap_or(text);
        return Err(format!(
            "RAM documents no `ForAnyValue:` or `ForAllValues:` qualifiers, and polsim will not guess what Alibaba Cloud does with them; write `{base}` and list the values the key may take"
        ));
    }
    let (base, if_exists) = match text.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (text, false),
    };
    match lookup_operator(&[PASCAL_OPERATORS], base) {
        Some((family, negated)) => Ok(Operator { family, negated, if_exists, set: None }),
        None => Err(operator_hint(&[PASCAL_OPERATORS], base, "", Some("IfExists"), "RAM's operators are StringEquals, StringLike, NumericLessThan, DateGreaterThan, Bool, IpAddress, NotIpAddress, ... (docs/semantics/aliyun.md)")),
    }
}

/// Documented `acs:` global keys; entries ending in `/` take a tag suffix.
pub const ACS_KEYS: &[&str] = &[
    "acs:CurrentTime",
    "acs:SecureTransport",
    "acs:SourceIp",
    "acs:MFAPresent",
    "acs:UserAgent",
    "acs:AccessId",
    "acs:SourceVpc",
    "acs:SourceVpcId",
    "acs:SourceVpcIp",
    "acs:ResourceTag/",
    "acs:RequestTag/",
    "acs:PrincipalARN",
    "acs:Referer",
    "acs:SourceIdentity",
];

/// Documented `oss:` keys.
pub const OSS_KEYS: &[&str] = &[
    "oss:Prefix",
    "oss:Delimiter",
    "oss:BucketTag/",
    "oss:ExistingObjectTag/",
    "oss:RequestObjectTag/",
    "oss:DataAccessPointArn",
    "oss:DataAccessPointAccount",
    "oss:AccessPointNetworkOrigin",
    "oss:x-oss-acl",
    "oss:x-oss-object-acl",
    "oss:x-oss-storage-class",
    "oss:x-oss-server-side-encryption",
    "oss:VersionId",
    "oss:TLSVersion",
];

fn check_key(key: &str) -> KeyVerdict {
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("acs:") {
        judge_key(key, ACS_KEYS, Some("is not a documented Alibaba Cloud global condition key; requests will never carry it"))
    } else if lower.starts_with("oss:") {
        judge_key(key, OSS_KEYS, None)
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

    #[test]
    fn qualifiers_are_refused() {
        for op in ["ForAnyValue:StringEquals", "ForAllValues:StringLike"] {
            let e = parse_operator(op).unwrap_err();
            assert!(e.contains("RAM documents no"), "{op}: {e}");
        }
        // One RAM guide mentions IfExists variants: accepted with the AWS meaning, and a warning.
        assert!(parse_operator("DateLessThanIfExists").unwrap().if_exists);
        let (p, d) = lower_text(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"DateLessThanIfExists":{"acs:CurrentTime":"2026-01-01T00:00:00Z"}}}]}"#,
            Layer::Identity,
        );
        assert!(p.is_some());
        assert!(d.iter().any(|d| d.message.contains("UNCERTAIN")));
        assert!(parse_operator("StringEqual")
            .unwrap_err()
            .contains("StringEquals"));
    }

    #[test]
    fn principals() {
        let (p, d) = lower_text(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Principal":[],"Resource":"*"}]}"#,
            Layer::Resource,
        );
        let p = p.unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!(
            p.statements[0].principal.as_ref().unwrap().items[0].kind,
            PrincipalKind::Any
        );
        let (p, _) = lower_text(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1:root"]}}]}"#,
            Layer::Resource,
        );
        assert!(p.is_some());
        let (p, d) = lower_text(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Principal":["1"],"Resource":"*"}]}"#,
            Layer::Identity,
        );
        assert!(p.is_none());
        assert!(d[0].message.contains("not allowed"));
    }

    #[test]
    fn misspelled_key() {
        let (p, d) = lower_text(
            r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Resource":"*","Condition":{"NotIpAddress":{"acs:SourceIP2":"10.0.0.0/8"}}}]}"#,
            Layer::Identity,
        );
        assert!(p.is_none(), "{d:?}");
    }
}
