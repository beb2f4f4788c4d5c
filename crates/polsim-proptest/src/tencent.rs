//! Strategies for Tencent Cloud CAM policy documents (`"version": "2.0"`) and requests: CAM
//! policies, COS bucket policies, temporary-key (session) policies and permission boundaries;
//! sub-accounts, roles, root accounts, another account's sub-account and anonymous callers.

use crate::grammar::{self, CallerName, Vocab};
use crate::GenRequest;
use polsim_core::{Cloud, Layer};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The root account (UIN) that owns the generated callers and most resources.
pub const ACCOUNT: &str = "100000200001";

/// The Tencent Cloud vocabulary.
pub static VOCAB: Vocab = Vocab {
    cloud: Cloud::Tencent,
    layers: &[
        Layer::Identity,
        Layer::Identity,
        Layer::Resource,
        Layer::Resource,
        Layer::Session,
        Layer::PermissionsBoundary,
    ],
    not_action: false,
    not_resource: false,
    not_principal: false,
    action_patterns: &[
        "name/cos:GetObject",
        "name/cos:PutObject",
        "cos:GetBucket",
        "name/cos:*",
        "cos:Get*",
        "name/cvm:Describe*",
        "name/sts:AssumeRole",
        "*",
    ],
    resource_patterns: &[
        "qcs::cos:ap-shanghai:uid/1300000001:projdata-1300000001/*",
        "qcs::cos::uid/1300000001:projdata-1300000001/*",
        "qcs::cos:ap-shanghai:uid/1300000001:projdata-1300000001/reports/*",
        "qcs::cos:ap-shanghai:uid/1300000002:other-1300000002/*",
        "qcs::cvm::uin/100000200001:instance/*",
        "qcs::cvm:::instance/*",
        "qcs::cam::uin/100000200001:roleName/*",
        "*",
    ],
    principals: &[
        r#"{"qcs": ["qcs::cam::anyone:anyone"]}"#,
        r#""*""#,
        r#"{"qcs": ["qcs::cam::uin/100000200001:uin/100000200011"]}"#,
        r#"{"qcs": ["qcs::cam::uin/100000200001:root"]}"#,
        r#"{"qcs": ["qcs::cam::uin/100000300001:uin/100000300011"]}"#,
        r#"{"qcs": ["qcs::cam::uin/100000300001:root"]}"#,
        r#"{"qcs": ["qcs::cam::uin/100000200001:roleName/ops"]}"#,
    ],
    conditions: &[
        r#"{"ip_equal": {"qcs:ip": "10.50.0.0/16"}}"#,
        r#"{"ip_not_equal": {"qcs:ip": "10.50.0.0/16"}}"#,
        r#"{"string_equal": {"qcs:vpc": "vpc-1"}}"#,
        r#"{"string_not_equal_if_exist": {"vpc:requester_vpc": "vpc-1"}}"#,
        r#"{"bool_equal": {"cos:secure-transport": "true"}}"#,
        r#"{"string_like": {"cos:prefix": "${uin}/*"}}"#,
        r#"{"for_any_value:string_equal": {"qcs:tag_keys": ["team", "env"]}}"#,
    ],
    callers: &[
        CallerName {
            name: "qcs::cam::uin/100000200001:uin/100000200011",
            id: None,
        },
        CallerName {
            name: "qcs::cam::uin/100000200001:roleName/ops",
            id: None,
        },
        CallerName {
            name: "qcs::cam::uin/100000200001:uin/100000200001",
            id: None,
        },
        CallerName {
            name: "qcs::cam::uin/100000300001:uin/100000300011",
            id: None,
        },
        CallerName {
            name: "qcs::cam::uin/100000300001:root",
            id: None,
        },
        CallerName {
            name: "anonymous",
            id: None,
        },
    ],
    actions: &[
        "cos:GetObject",
        "cos:PutObject",
        "cos:GetBucket",
        "cvm:DescribeInstances",
        "sts:AssumeRole",
    ],
    resources: &[
        "qcs::cos:ap-shanghai:uid/1300000001:projdata-1300000001/reports/a.pdf",
        "qcs::cos:ap-shanghai:uid/1300000001:projdata-1300000001/100000200011/b.txt",
        "qcs::cos:ap-shanghai:uid/1300000001:projdata-1300000001/",
        "qcs::cos:ap-shanghai:uid/1300000002:other-1300000002/c.txt",
        "qcs::cvm:ap-shanghai:uin/100000200001:instance/ins-1",
        "qcs::cam::uin/100000200001:roleName/ops",
        "*",
    ],
    resource_accounts: &["100000200001", "100000300001"],
    access_points: &[],
    context: &[
        ("qcs:ip", &["10.50.1.1", "10.60.1.1"]),
        ("qcs:vpc", &["vpc-1", "vpc-2"]),
        ("vpc:requester_vpc", &["vpc-1", "vpc-2"]),
        ("cos:secure-transport", &["true", "false"]),
        ("cos:prefix", &["100000200011/x", "tmp/"]),
    ],
};

/// A CAM policy (identity).
pub fn identity_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Identity)
}

/// A COS bucket policy.
pub fn bucket_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Resource)
}

/// A temporary-key policy (the session layer).
pub fn session_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::Session)
}

/// A permission boundary.
pub fn boundary_policy() -> impl Strategy<Value = Value> {
    grammar::policy(&VOCAB, Layer::PermissionsBoundary)
}

/// A request by the sub-account `100000200011` of [`ACCOUNT`], naming the owner.
pub fn request() -> impl Strategy<Value = GenRequest> {
    grammar::request_shape().prop_map(|mut r| {
        r.caller = 0;
        r.resource_account = Some(0);
        VOCAB.request(&r)
    })
}

/// A request by a caller of any kind: sub-account, role, root account, another account's
/// sub-account or root, anonymous.
pub fn any_request() -> impl Strategy<Value = GenRequest> {
    grammar::request(&VOCAB)
}

/// A policy that denies everything.
pub fn deny_all() -> Value {
    json!({"version": "2.0", "statement": [{"effect": "deny", "action": "*", "resource": "*"}]})
}
