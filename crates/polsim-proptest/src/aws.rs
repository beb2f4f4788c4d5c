//! Strategies for AWS IAM policy documents and requests.
//!
//! Vocabularies are small on purpose: generated statements and requests share action names,
//! resources and condition keys, so that matches and near misses are both common. The
//! functions at the top are the original single-layer strategies (an IAM user's identity
//! policies); [`VOCAB`] and the strategies after it cover every layer and every kind of caller.

use crate::grammar::{self, CallerName, Vocab};
use crate::GenRequest;
use polsim_core::{Cloud, Layer};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The account used by generated principals and resources.
pub const ACCOUNT: &str = "111122223333";

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "ec2:DescribeInstances",
    "iam:GetUser",
];
const ACTION_PATTERNS: &[&str] = &[
    "s3:*",
    "s3:Get*",
    "s3:*Object",
    "ec2:Describe*",
    "iam:Get?ser",
    "*",
];
const BUCKETS: &[&str] = &["alpha", "beta"];
const KEYS: &[&str] = &["a.txt", "logs/b.txt", "team/c.csv"];
const VPCES: &[&str] = &["vpce-1a2b3c4d", "vpce-99999999"];
const IPS: &[&str] = &["203.0.113.7", "198.51.100.1"];

/// An action name from the shared vocabulary.
pub fn action() -> impl Strategy<Value = String> {
    prop::sample::select(ACTIONS).prop_map(str::to_string)
}

/// An `Action` entry: a name or a wildcard pattern.
pub fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        action(),
        prop::sample::select(ACTION_PATTERNS).prop_map(str::to_string)
    ]
}

/// An S3 object or bucket ARN from the shared vocabulary, or `*`.
pub fn resource() -> impl Strategy<Value = String> {
    (
        prop::sample::select(BUCKETS),
        prop::option::of(prop::sample::select(KEYS)),
    )
        .prop_map(|(b, k)| match k {
            Some(k) => format!("arn:aws:s3:::{b}/{k}"),
            None => format!("arn:aws:s3:::{b}"),
        })
}

/// A `Resource` entry: an ARN, a bucket-wide pattern, or `*`.
pub fn resource_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        resource(),
        prop::sample::select(BUCKETS).prop_map(|b| format!("arn:aws:s3:::{b}/*")),
        Just("arn:aws:s3:::*".to_string()),
        Just("*".to_string()),
    ]
}

/// A condition block on the shared keys, or none.
pub fn condition() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop_oneof![
        prop::sample::select(VPCES).prop_map(|v| json!({"StringEquals": {"aws:SourceVpce": v}})),
        prop::sample::select(VPCES).prop_map(|v| json!({"StringNotEquals": {"aws:SourceVpce": v}})),
        prop::sample::select(IPS)
            .prop_map(|ip| json!({"IpAddress": {"aws:SourceIp": format!("{ip}/32")}})),
        Just(json!({"Bool": {"aws:SecureTransport": "true"}})),
        Just(json!({"Null": {"aws:SourceVpce": "true"}})),
    ])
}

/// One identity-policy statement.
pub fn statement() -> impl Strategy<Value = Value> {
    (
        prop::bool::ANY,
        prop::bool::weighted(0.15),
        prop::collection::vec(action_pattern(), 1..3),
        prop::collection::vec(resource_pattern(), 1..3),
        condition(),
    )
        .prop_map(|(allow, not_action, actions, resources, cond)| {
            let mut s = serde_json::Map::new();
            s.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
            s.insert(
                if not_action { "NotAction" } else { "Action" }.into(),
                json!(actions),
            );
            s.insert("Resource".into(), json!(resources));
            if let Some(c) = cond {
                s.insert("Condition".into(), c);
            }
            Value::Object(s)
        })
}

/// An identity policy of one to four statements.
pub fn identity_policy() -> impl Strategy<Value = Value> {
    prop::collection::vec(statement(), 1..5)
        .prop_map(|st| json!({"Version": "2012-10-17", "Statement": st}))
}

/// A policy that denies everything.
pub fn deny_all() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
}

/// A request by the IAM user `Dave` of [`ACCOUNT`], with some of the shared context keys.
pub fn request() -> impl Strategy<Value = GenRequest> {
    (
        action(),
        resource(),
        prop::option::of(prop::sample::select(VPCES)),
        prop::option::of(prop::sample::select(IPS)),
        prop::option::of(prop::bool::ANY),
    )
        .prop_map(|(action, resource, vpce, ip, tls)| {
            let mut context = Vec::new();
            if let Some(v) = vpce {
                context.push(("aws:SourceVpce".to_string(), v.to_string()));
            }
            if let Some(ip) = ip {
                context.push(("aws:SourceIp".to_string(), ip.to_string()));
            }
            if let Some(t) = tls {
                context.push(("aws:SecureTransport".to_string(), t.to_string()));
            }
            GenRequest {
                context,
                ..GenRequest::aws(
                    &format!("arn:aws:iam::{ACCOUNT}:user/Dave"),
                    &action,
                    &resource,
                )
            }
        })
}

/// The whole AWS vocabulary: every layer, callers of every kind.
pub static VOCAB: Vocab = Vocab {
    cloud: Cloud::Aws,
    layers: &[
        Layer::Identity,
        Layer::Identity,
        Layer::Resource,
        Layer::Resource,
        Layer::PermissionsBoundary,
        Layer::Session,
        Layer::Scp,
        Layer::Rcp,
        Layer::VpcEndpoint,
        Layer::AccessPoint,
    ],
    not_action: true,
    not_resource: true,
    not_principal: true,
    action_patterns: &[
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:GetBucketPolicy",
        "s3:*",
        "s3:Get*",
        "s3:*Object",
        "ec2:Describe*",
        "kms:Decrypt",
        "sts:AssumeRole",
        "iam:Get?ser",
        "*",
    ],
    resource_patterns: &[
        "arn:aws:s3:::alpha",
        "arn:aws:s3:::alpha/*",
        "arn:aws:s3:::alpha/a.txt",
        "arn:aws:s3:::beta/*",
        "arn:aws:s3:::alpha/${aws:username}/*",
        "arn:aws:s3:::*",
        "arn:aws:s3:us-east-1:111122223333:accesspoint/ap1/object/*",
        "arn:aws:kms:*:111122223333:key/*",
        "arn:aws:iam::111122223333:role/Ops",
        "*",
    ],
    principals: &[
        r#""*""#,
        r#"{"AWS": "*"}"#,
        r#"{"AWS": "111122223333"}"#,
        r#"{"AWS": "arn:aws:iam::111122223333:root"}"#,
        r#"{"AWS": "arn:aws:iam::111122223333:user/Dave"}"#,
        r#"{"AWS": ["arn:aws:iam::444455556666:user/Eve", "arn:aws:iam::444455556666:root"]}"#,
        r#"{"AWS": "arn:aws:iam::111122223333:role/Ops"}"#,
        r#"{"AWS": "arn:aws:sts::111122223333:assumed-role/Ops/s1"}"#,
        r#"{"AWS": "arn:aws:sts::111122223333:federated-user/Fed"}"#,
        r#"{"Service": "s3.amazonaws.com"}"#,
    ],
    conditions: &[
        r#"{"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}"#,
        r#"{"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}"#,
        r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
        r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
        r#"{"Bool": {"aws:SecureTransport": "true"}}"#,
        r#"{"BoolIfExists": {"aws:SecureTransport": "false"}}"#,
        r#"{"Null": {"aws:SourceVpce": "true"}}"#,
        r#"{"StringEquals": {"aws:PrincipalAccount": "111122223333"}}"#,
        r#"{"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:*"}}"#,
        r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}}"#,
    ],
    callers: &[
        CallerName { name: "arn:aws:iam::111122223333:user/Dave", id: None },
        CallerName { name: "arn:aws:sts::111122223333:assumed-role/Ops/s1", id: None },
        CallerName { name: "111122223333", id: None },
        CallerName { name: "arn:aws:sts::111122223333:federated-user/Fed", id: None },
        CallerName { name: "arn:aws:iam::444455556666:user/Eve", id: None },
        CallerName { name: "anonymous", id: None },
        CallerName { name: "s3.amazonaws.com", id: None },
        CallerName { name: "arn:aws:iam::111122223333:role/aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3", id: None },
    ],
    actions: &[
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:GetBucketPolicy",
        "ec2:DescribeInstances",
        "kms:Decrypt",
        "sts:AssumeRole",
        "iam:GetUser",
        "sts:GetCallerIdentity",
    ],
    resources: &[
        "arn:aws:s3:::alpha",
        "arn:aws:s3:::alpha/a.txt",
        "arn:aws:s3:::alpha/Dave/b.txt",
        "arn:aws:s3:::beta/logs/c.txt",
        "arn:aws:kms:us-east-1:111122223333:key/k1",
        "arn:aws:iam::111122223333:role/Ops",
        "*",
    ],
    resource_accounts: &["111122223333", "444455556666"],
    access_points: &["arn:aws:s3:us-east-1:111122223333:accesspoint/ap1"],
    context: &[
        ("aws:SourceVpce", &["vpce-1a2b3c4d", "vpce-99999999"]),
        ("aws:SourceIp", &["203.0.113.7", "198.51.100.1"]),
        ("aws:SecureTransport", &["true", "false"]),
        ("aws:TagKeys", &["team", "owner"]),
    ],
};

/// An identity policy over the whole vocabulary.
pub fn any_identity_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Identity)
}

/// A bucket (or key, or trust) policy: statements with principals.
pub fn resource_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Resource)
}

/// A session policy.
pub fn session_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Session)
}

/// A permissions boundary.
pub fn boundary_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::PermissionsBoundary)
}

/// A service control policy.
pub fn scp_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Scp)
}

/// A VPC endpoint policy.
pub fn endpoint_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::VpcEndpoint)
}

/// A request by a caller of any kind: IAM user, role session, root user, federated user,
/// another account's user, anonymous, a service, a service-linked role.
pub fn any_request() -> impl Strategy<Value = GenRequest> {
    grammar::request(&VOCAB)
}
