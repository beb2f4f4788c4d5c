//! The AWS IAM policy dialect (§2 of the AWS spec): its rules for the shared lowering engine.

use crate::diag::Diagnostic;
use crate::json::{Json, JsonKind};
use crate::lower::{
    self, judge_key, lookup_operator, operator_hint, Cx, KeyVerdict, OperatorName, PolicySource,
    Spec, PASCAL_OPERATORS,
};
use polsim_core::ir::{
    Cloud, OpFamily, Operator, Policy, PrincipalEntry, PrincipalKind, SetQualifier,
};

/// The AWS dialect.
pub static SPEC: Spec = Spec {
    keys: &[AWS_GLOBAL_KEYS, S3_KEYS],
    cloud: Cloud::Aws,
    name: "IAM",
    top: &["Version", "Id", "Statement"],
    statement: &["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"],
    fold_names: false,
    version_required: false,
    variables: |v| v == Some("2012-10-17"),
    effect_any_case: false,
    operator: parse_operator,
    key: check_key,
    principal: read_principal,
    not_principal: true,
    not_resource_warning: None,
    if_exists_warning: None,
    check_resource: Some(check_resource),
    variable_names: None,
    literal_variables_from: None,
    example: "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}",
};

/// "You can't use a wildcard in the service segment that identifies the AWS product"
/// (IAM User Guide, reference_policies_elements_resource.html, "Using wildcards in resource
/// ARNs"): `arn:aws:*:...` and `arn:aws:s3*:...` are refused.
fn check_resource(text: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, _, service, ..] = parts.as_slice() else {
        return None;
    };
    if !arn.eq_ignore_ascii_case("arn") || !service.contains(['*', '?']) {
        return None;
    }
    Some((
        format!("the resource `{text}` has a wildcard in its service segment (`{service}`), which AWS does not allow"),
        "write `*` for every resource, or name the service, as in `arn:aws:s3:::*`".into(),
    ))
}

/// Lowers an AWS policy document.
pub fn lower(doc: &Json, src: &PolicySource) -> (Option<Policy>, Vec<Diagnostic>) {
    lower::lower(&SPEC, doc, src)
}

const PRINCIPAL_KINDS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// `"*"` or `{"AWS": ..., "Service": ..., "Federated": ..., "CanonicalUser": ...}`.
fn read_principal(cx: &mut Cx<'_>, v: &Json, name: &str) -> Option<Vec<PrincipalEntry>> {
    let mut items = Vec::new();
    match &v.kind {
        JsonKind::String(t) if t == "*" => items.push(polsim_core::clouds::principal_entry(
            Cloud::Aws,
            PrincipalKind::Any,
            "*".into(),
            v.pos,
        )),
        JsonKind::String(t) => {
            cx.err(
                v.pos,
                format!("`{name}` must be `\"*\"` or an object such as `{{\"AWS\": \"{t}\"}}`"),
                None,
            );
            return None;
        }
        JsonKind::Object(members) => {
            cx.check_members(members, PRINCIPAL_KINDS, name);
            for m in members {
                let kind = match m.key.as_str() {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    _ => continue,
                };
                for (text, p) in cx.strings(&m.value, &m.key)? {
                    if !cx.check_principal_text(&text, p, &m.key) {
                        continue;
                    }
                    if kind == PrincipalKind::Aws && text.contains(['*', '?']) && text != "*" {
                        // "You cannot use a wildcard to match part of a principal name or ARN"
                        // (IAM, Principal element): AWS refuses such a policy.
                        cx.err(p, format!("`{text}`: AWS does not allow wildcards inside a principal (\"You cannot use a wildcard to match part of a principal name or ARN\")"), Some("use `\"*\"` with a condition on `aws:PrincipalArn` (ArnLike) instead".into()));
                        continue;
                    }
                    if kind == PrincipalKind::Aws
                        && text
                            .get(..4)
                            .is_some_and(|a| a.eq_ignore_ascii_case("arn:"))
                    {
                        let parts: Vec<&str> = text.splitn(6, ':').collect();
                        if parts.len() < 6 || parts.last().is_some_and(|r| r.is_empty()) {
                            cx.err(p, format!("`{text}` is not a whole principal ARN (`arn:PARTITION:iam::ACCOUNT:root`, `...:user/NAME`, `...:role/NAME`)"), Some("it names no principal; for a whole account write its 12-digit ID or `arn:aws:iam::ACCOUNT:root`".into()));
                            continue;
                        }
                    }
                    let k = if kind == PrincipalKind::Aws && text == "*" {
                        PrincipalKind::Any
                    } else {
                        kind
                    };
                    items.push(polsim_core::clouds::principal_entry(Cloud::Aws, k, text, p));
                }
            }
        }
        _ => {
            cx.err(
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
    Some(items)
}

fn check_key(key: &str) -> KeyVerdict {
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("aws:") {
        judge_key(
            key,
            AWS_GLOBAL_KEYS,
            Some("is not a documented AWS global condition key; requests will never carry it"),
        )
    } else if lower.starts_with("s3:") {
        judge_key(key, S3_KEYS, None)
    } else {
        KeyVerdict::Known
    }
}

/// The operators AWS has beyond the ones it shares with RAM.
pub const AWS_ONLY_OPERATORS: &[OperatorName] = &[
    ("BinaryEquals", OpFamily::Binary, false),
    ("ArnEquals", OpFamily::Arn, false),
    ("ArnLike", OpFamily::Arn, false),
    ("ArnNotEquals", OpFamily::Arn, true),
    ("ArnNotLike", OpFamily::Arn, true),
    ("Null", OpFamily::Null, false),
];

const TABLES: &[&[OperatorName]] = &[PASCAL_OPERATORS, AWS_ONLY_OPERATORS];

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
    match lookup_operator(TABLES, base) {
        Some((OpFamily::Null, _)) if if_exists => {
            Err("`Null` cannot take `IfExists`: it already tests whether the key exists".into())
        }
        Some((family, negated)) => Ok(Operator {
            family,
            negated,
            if_exists,
            set,
        }),
        None => {
            let lower = text.to_ascii_lowercase();
            if let Some(p) = ["ForAnyValue:", "ForAllValues:"]
                .iter()
                .find(|p| lower.starts_with(&p.to_ascii_lowercase()) && !text.starts_with(*p))
            {
                return Err(format!("set qualifiers are case-sensitive: write `{p}`"));
            }
            let prefix = text.get(..text.len() - rest.len()).unwrap_or("");
            Err(operator_hint(TABLES, base, prefix, Some("IfExists"), "operators are listed in docs/semantics/aws.md (StringEquals, StringLike, NumericLessThan, DateGreaterThan, Bool, IpAddress, ArnLike, Null, ...)"))
        }
    }
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
    use polsim_core::{Layer, Pos};

    fn lower_text(text: &str, layer: Layer) -> (Option<Policy>, Vec<Diagnostic>) {
        crate::lower::lower_text(&SPEC, text, layer)
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
    fn wildcard_in_service_segment_is_an_error() {
        for bad in [
            "arn:aws:*:*:*:*",
            "arn:aws:s3*:::x",
            "arn:aws:s?:::x",
            "arn:aws:*",
        ] {
            let (p, d) = lower_text(
                &format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*",
            "Resource":["arn:aws:s3:::ok/*","{bad}"]}}]}}"#
                ),
                Layer::Identity,
            );
            assert!(p.is_none(), "{bad}: {d:?}");
            assert_eq!(d.len(), 1, "{bad}: {d:?}");
            assert!(d[0].is_error());
            assert!(d[0].message.contains("service segment"), "{d:?}");
            assert_eq!(d[0].pos, Pos { line: 2, col: 45 });
            assert!(d[0].help.as_deref().unwrap().contains("name the service"));
        }
        for good in [
            "arn:aws:s3:::*",
            "*",
            "arn:aws:s3:*:*:*",
            "arn:*",
            "arn:aws:iam::*:user/*",
        ] {
            let (p, d) = lower_text(
                &format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"{good}"}}]}}"#
                ),
                Layer::Identity,
            );
            assert!(p.is_some(), "{good}: {d:?}");
            assert!(d.is_empty(), "{good}: {d:?}");
        }
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
