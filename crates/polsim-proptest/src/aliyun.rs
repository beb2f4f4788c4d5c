//! Strategies for Alibaba Cloud RAM policy documents (`"Version": "1"`) and requests: RAM
//! policies, OSS bucket policies, STS `Policy` parameters, Resource Directory control policies,
//! PrivateLink endpoint policies and OSS access point policies; RAM users, role sessions, the
//! account itself, another account's user, anonymous callers and services.

use crate::grammar::{self, CallerName, Vocab};
use crate::GenRequest;
use polsim_core::{Cloud, Layer};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The account (UID) that owns the generated callers and most resources.
pub const ACCOUNT: &str = "1500000000000001";

/// The Alibaba Cloud vocabulary.
pub static VOCAB: Vocab = Vocab {
    cloud: Cloud::Aliyun,
    layers: &[
        Layer::Identity,
        Layer::Identity,
        Layer::Resource,
        Layer::Resource,
        Layer::Session,
        Layer::Scp,
        Layer::VpcEndpoint,
        Layer::AccessPoint,
    ],
    not_action: true,
    not_resource: true,
    not_principal: false,
    action_patterns: &[
        "oss:GetObject",
        "oss:PutObject",
        "oss:ListObjects",
        "oss:*",
        "oss:Get*",
        "ecs:Describe*",
        "ram:UpdateUser",
        "sts:AssumeRole",
        "*",
    ],
    resource_patterns: &[
        "acs:oss:*:*:staging/*",
        "acs:oss:*:1500000000000001:staging/*",
        "acs:oss:*:*:staging",
        "acs:oss:*:*:other/*",
        "acs:oss:*:1500000000000001:*",
        "acs:oss:cn-hangzhou:1500000000000001:accesspoint/ap1/object/*",
        "acs:ecs:*:*:instance/*",
        "acs:ram:*:1500000000000001:user/*",
        "acs:ram:*:*:role/mover",
        "*",
    ],
    principals: &[
        r#"["*"]"#,
        r#"[]"#,
        r#"["1500000000000001"]"#,
        r#"["1600000000000002"]"#,
        r#"["203000000000000001"]"#,
        r#"["arn:sts::1500000000000001:assumed-role/mover/*"]"#,
        r#"{"RAM": ["acs:ram::1500000000000001:root"]}"#,
        r#"{"RAM": ["acs:ram::1500000000000001:user/alice"]}"#,
        r#"{"Service": ["ecs.aliyuncs.com"]}"#,
    ],
    conditions: &[
        r#"{"StringEquals": {"acs:SourceVpc": "vpc-1"}}"#,
        r#"{"StringNotEquals": {"acs:SourceVpc": "vpc-1"}}"#,
        r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
        r#"{"NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
        r#"{"Bool": {"acs:SecureTransport": "true"}}"#,
        r#"{"StringLike": {"oss:Prefix": "logs/*"}}"#,
        r#"{"StringEquals": {"acs:PrincipalARN": "acs:ram::1500000000000001:role/mover"}}"#,
    ],
    callers: &[
        CallerName {
            name: "acs:ram::1500000000000001:user/alice",
            id: Some("203000000000000001"),
        },
        CallerName {
            name: "acs:ram::1500000000000001:assumed-role/mover/job-5",
            id: None,
        },
        CallerName {
            name: "1500000000000001",
            id: None,
        },
        CallerName {
            name: "acs:ram::1600000000000002:user/bob",
            id: Some("203000000000000002"),
        },
        CallerName {
            name: "anonymous",
            id: None,
        },
        CallerName {
            name: "ecs.aliyuncs.com",
            id: None,
        },
        CallerName {
            name: "acs:ram::1500000000000001:role/AliyunServiceRoleForOSS/s",
            id: None,
        },
    ],
    actions: &[
        "oss:GetObject",
        "oss:PutObject",
        "oss:ListObjects",
        "ecs:DescribeInstances",
        "ram:UpdateUser",
        "sts:AssumeRole",
    ],
    resources: &[
        "acs:oss:*:1500000000000001:staging/logs/a.txt",
        "acs:oss:*:1500000000000001:staging",
        "acs:oss:*:1600000000000002:other/b.txt",
        "acs:ecs:cn-hangzhou:1500000000000001:instance/i-1",
        "acs:ram::1500000000000001:user/alice",
        "acs:ram::1500000000000001:role/mover",
        "*",
    ],
    resource_accounts: &["1500000000000001", "1600000000000002"],
    access_points: &["acs:oss:cn-hangzhou:1500000000000001:accesspoint/ap1"],
    context: &[
        ("acs:SourceVpc", &["vpc-1", "vpc-2"]),
        ("acs:SourceIp", &["10.1.2.3", "192.0.2.1"]),
        ("acs:SecureTransport", &["true", "false"]),
        ("oss:Prefix", &["logs/a", "tmp/"]),
    ],
};

/// A RAM policy (identity).
pub fn identity_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Identity)
}

/// An OSS bucket policy.
pub fn bucket_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Resource)
}

/// An STS `Policy` parameter (session policy).
pub fn session_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Session)
}

/// A Resource Directory control policy (the SCP layer).
pub fn control_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Scp)
}

/// A PrivateLink endpoint policy.
pub fn endpoint_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::VpcEndpoint)
}

/// An OSS access point policy.
pub fn access_point_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::AccessPoint)
}

/// A request by the RAM user `alice` of [`ACCOUNT`].
pub fn request() -> impl Strategy<Value = GenRequest> {
    grammar::request_shape().prop_map(|mut r| {
        r.caller = 0;
        VOCAB.request(&r)
    })
}

/// A request by a caller of any kind: RAM user, role session, the account, another account's
/// user, anonymous, a service, a service-linked role.
pub fn any_request() -> impl Strategy<Value = GenRequest> {
    grammar::request(&VOCAB)
}

/// A policy that denies everything.
pub fn deny_all() -> Value {
    json!({"Version": "1", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
}
