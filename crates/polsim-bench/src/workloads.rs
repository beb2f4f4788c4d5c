//! The workloads of the side-by-side benchmark (docs/benchmarks.md), for the three clouds.
//!
//! Each workload is a stack written as policy documents in the cloud's own dialect, one request
//! that every layer must allow (so the whole stack is evaluated), and the same documents written
//! out as a stack folder, so that whole-command runs (`polsim eval --requests`) and the peers
//! (iam-rs, iam-simulate) read exactly what polsim reads.
//!
//! - **W1**: one identity policy of 5 statements.
//! - **W2**: a realistic stack of about 200 statements: 10 managed identity policies, a
//!   permissions boundary (where the cloud has them), three control-policy levels (where the
//!   cloud has them) and a bucket policy.
//! - **W3**: about 2,550 statements, one of them with 600 action patterns.
//! - **W4**: one million requests to the W2 stack through batch mode ([`batch_lines`]).
//! - **W5**: 10,000 policies to parse ([`parse_corpus`]).

use polsim_core::{Cloud, Context, CtxValue, Layer, Request, Stack};
use std::fmt::Write as _;

/// One policy document of a workload.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The layer it is attached as.
    pub layer: Layer,
    /// The level, for control policies (`01-root`, `02-ou`, `03-account`).
    pub level: Option<&'static str>,
    /// Its file name in the stack folder (and its policy id).
    pub name: String,
    /// The document, in the cloud's dialect.
    pub text: String,
}

/// A workload: documents and the request judged against them.
#[derive(Debug, Clone)]
pub struct Workload {
    /// `W1`, `W2`, ...
    pub name: &'static str,
    /// The cloud.
    pub cloud: Cloud,
    /// Every document.
    pub docs: Vec<Doc>,
    /// The caller, as the cloud names it.
    pub principal: &'static str,
    /// The action.
    pub action: &'static str,
    /// The resource.
    pub resource: &'static str,
    /// The account that owns the resource.
    pub resource_account: &'static str,
    /// The request's context keys.
    pub context: Vec<(&'static str, &'static str)>,
}

/// A statement, written in each cloud's dialect by [`render`].
#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    actions: Vec<String>,
    resources: Vec<String>,
    /// `Some("*")` for everyone.
    principal: Option<String>,
    cond: Option<Cond>,
    not_action: bool,
}

#[derive(Debug, Clone)]
enum Cond {
    /// The key equals one of the values.
    Equals(&'static str, Vec<&'static str>),
    /// The key does not equal the value.
    NotEquals(&'static str, &'static str),
    /// The address key is in the range.
    Ip(&'static str, &'static str),
}

/// What differs between the clouds' workloads.
struct Dialect {
    cloud: Cloud,
    services: [&'static str; 8],
    /// The resource a generated statement names (never the request's).
    thing: fn(&str, usize) -> String,
    storage: &'static str,
    principal: &'static str,
    /// How bucket policies name the caller.
    bucket_principal: &'static str,
    action: &'static str,
    /// The action that lists the bucket.
    list_action: &'static str,
    /// How bucket policies name everyone.
    everyone: &'static str,
    resource: &'static str,
    bucket: &'static str,
    bucket_objects: &'static str,
    account: &'static str,
    /// (key, value) of the "region" equality condition.
    equal_key: &'static str,
    equal_values: [&'static str; 2],
    ip_key: &'static str,
    /// The network key a bucket policy requires (with the value the request has).
    network_key: &'static str,
    network_value: &'static str,
    boundary: bool,
    control_policies: bool,
}

const AWS: Dialect = Dialect {
    cloud: Cloud::Aws,
    services: [
        "s3", "ec2", "dynamodb", "sqs", "kms", "iam", "logs", "lambda",
    ],
    thing: |svc, i| format!("arn:aws:{svc}:*:111122223333:thing-{i}/*"),
    storage: "s3",
    principal: "arn:aws:sts::111122223333:assumed-role/App/worker",
    bucket_principal: "arn:aws:iam::111122223333:role/App",
    action: "s3:GetObject",
    list_action: "s3:ListBucket",
    everyone: "*",
    resource: "arn:aws:s3:::app-bucket/reports/2025/q1.csv",
    bucket: "arn:aws:s3:::app-bucket",
    bucket_objects: "arn:aws:s3:::app-bucket/*",
    account: "111122223333",
    equal_key: "aws:RequestedRegion",
    equal_values: ["us-east-1", "eu-west-1"],
    ip_key: "aws:SourceIp",
    network_key: "aws:SourceVpce",
    network_value: "vpce-1a2b3c4d",
    boundary: true,
    control_policies: true,
};

const ALIYUN: Dialect = Dialect {
    cloud: Cloud::Aliyun,
    services: ["oss", "ecs", "rds", "kms", "ram", "log", "fc", "vpc"],
    thing: |svc, i| format!("acs:{svc}:*:1234567890123456:thing-{i}/*"),
    storage: "oss",
    principal: "acs:ram::1234567890123456:assumed-role/app/worker",
    bucket_principal: "*",
    action: "oss:GetObject",
    list_action: "oss:ListObjects",
    everyone: "*",
    resource: "acs:oss:*:1234567890123456:app-bucket/reports/2025/q1.csv",
    bucket: "acs:oss:*:1234567890123456:app-bucket",
    bucket_objects: "acs:oss:*:1234567890123456:app-bucket/*",
    account: "1234567890123456",
    equal_key: "acs:SourceVpc",
    equal_values: ["vpc-main", "vpc-backup"],
    ip_key: "acs:SourceIp",
    network_key: "acs:SourceVpc",
    network_value: "vpc-main",
    boundary: false,
    control_policies: true,
};

const TENCENT: Dialect = Dialect {
    cloud: Cloud::Tencent,
    services: ["cos", "cvm", "cdb", "kms", "cam", "cls", "scf", "vpc"],
    thing: |svc, i| format!("qcs::{svc}:ap-guangzhou:uin/100000000001:thing-{i}/*"),
    storage: "cos",
    principal: "qcs::cam::uin/100000000001:uin/100000000013",
    bucket_principal: "qcs::cam::uin/100000000001:uin/100000000013",
    action: "cos:GetObject",
    list_action: "cos:GetBucket",
    everyone: "qcs::cam::anyone:anyone",
    resource: "qcs::cos:ap-guangzhou:uid/1250000000:app-1250000000/reports/2025/q1.csv",
    bucket: "qcs::cos:ap-guangzhou:uid/1250000000:app-1250000000/",
    bucket_objects: "qcs::cos:ap-guangzhou:uid/1250000000:app-1250000000/*",
    account: "100000000001",
    equal_key: "vpc:requester_vpc",
    equal_values: ["vpc-main", "vpc-backup"],
    ip_key: "qcs:ip",
    network_key: "vpc:requester_vpc",
    network_value: "vpc-main",
    boundary: true,
    control_policies: false,
};

fn dialect(cloud: Cloud) -> &'static Dialect {
    match cloud {
        Cloud::Aws => &AWS,
        Cloud::Aliyun => &ALIYUN,
        Cloud::Tencent => &TENCENT,
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(","))
}

/// One statement in the cloud's dialect.
fn render(cloud: Cloud, sid: &str, s: &Stmt) -> String {
    let mut out = String::from("{");
    let tencent = cloud == Cloud::Tencent;
    let actions: Vec<String> = if tencent {
        s.actions
            .iter()
            .map(|a| {
                if a == "*" {
                    a.clone()
                } else {
                    format!("name/{a}")
                }
            })
            .collect()
    } else {
        s.actions.clone()
    };
    match cloud {
        Cloud::Aws => {
            let _ = write!(out, "\"Sid\":\"{sid}\",");
        }
        Cloud::Aliyun | Cloud::Tencent => {}
    }
    let effect = match (tencent, s.allow) {
        (false, true) => "\"Effect\":\"Allow\"",
        (false, false) => "\"Effect\":\"Deny\"",
        (true, true) => "\"effect\":\"allow\"",
        (true, false) => "\"effect\":\"deny\"",
    };
    out.push_str(effect);
    if let Some(p) = &s.principal {
        let _ = match cloud {
            Cloud::Aws if p == "*" => write!(out, ",\"Principal\":\"*\""),
            Cloud::Aws => write!(out, ",\"Principal\":{{\"AWS\":\"{p}\"}}"),
            Cloud::Aliyun => write!(out, ",\"Principal\":[\"{p}\"]"),
            Cloud::Tencent => write!(out, ",\"principal\":{{\"qcs\":[\"{p}\"]}}"),
        };
    }
    let (action_key, resource_key) = match (tencent, s.not_action) {
        (true, _) => ("action", "resource"),
        (false, false) => ("Action", "Resource"),
        (false, true) => ("NotAction", "Resource"),
    };
    let _ = write!(
        out,
        ",\"{action_key}\":{},\"{resource_key}\":{}",
        list(&actions),
        list(&s.resources)
    );
    if let Some(c) = &s.cond {
        let (op, key, values) = match (cloud, c) {
            (Cloud::Tencent, Cond::Equals(k, v)) => ("string_equal", *k, v.clone()),
            (Cloud::Tencent, Cond::NotEquals(k, v)) => ("string_not_equal", *k, vec![*v]),
            (Cloud::Tencent, Cond::Ip(k, v)) => ("ip_equal", *k, vec![*v]),
            (_, Cond::Equals(k, v)) => ("StringEquals", *k, v.clone()),
            (_, Cond::NotEquals(k, v)) => ("StringNotEquals", *k, vec![*v]),
            (_, Cond::Ip(k, v)) => ("IpAddress", *k, vec![*v]),
        };
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let cond_key = if tencent { "condition" } else { "Condition" };
        let _ = write!(
            out,
            ",\"{cond_key}\":{{\"{op}\":{{\"{key}\":{}}}}}",
            list(&values)
        );
    }
    out.push('}');
    out
}

fn document(cloud: Cloud, stmts: &[String]) -> String {
    match cloud {
        Cloud::Aws => format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
            stmts.join(",")
        ),
        Cloud::Aliyun => format!("{{\"Version\":\"1\",\"Statement\":[{}]}}", stmts.join(",")),
        Cloud::Tencent => format!(
            "{{\"version\":\"2.0\",\"statement\":[{}]}}",
            stmts.join(",")
        ),
    }
}

/// The actions of the catalog's service `svc`, where the catalog lists them all (AWS); empty
/// otherwise (the Alibaba Cloud and Tencent Cloud catalogs leave these services unchecked).
fn catalog_actions(cloud: Cloud, svc: &str) -> &'static [&'static str] {
    match polsim_catalog::catalog(cloud).service(svc) {
        Some(s) if s.complete => s.actions(),
        _ => &[],
    }
}

/// Three action patterns of statement `i` for service `svc`: from the service's real actions
/// where the catalog has them (a prefix wildcard, an exact name, `List*`), so that no pattern
/// draws a "matches no action" warning; made-up wildcards elsewhere.
fn actions_of(cloud: Cloud, svc: &str, i: usize) -> Vec<String> {
    let real = catalog_actions(cloud, svc);
    match (
        real.get(i % real.len().max(1)),
        real.get((i * 7 + 3) % real.len().max(1)),
    ) {
        (Some(a), Some(b)) => vec![
            format!("{svc}:{}*", a.get(..4).unwrap_or(a)),
            format!("{svc}:{b}"),
            format!("{svc}:List*"),
        ],
        _ => vec![
            format!("{svc}:Get*"),
            format!("{svc}:List*"),
            format!("{svc}:Describe*Thing{i}"),
        ],
    }
}

/// The `i`-th generated statement: over eight services, wildcard actions, the service's own
/// resources (never the request's), a quarter with an equality condition and a quarter with an
/// address condition, one in eleven a Deny.
fn generated(d: &Dialect, i: usize) -> Stmt {
    let svc = d
        .services
        .get(i % d.services.len())
        .copied()
        .unwrap_or("s3");
    Stmt {
        allow: i % 11 != 10,
        actions: actions_of(d.cloud, svc, i),
        resources: vec![(d.thing)(svc, i)],
        principal: None,
        cond: match i % 4 {
            0 => Some(Cond::Equals(d.equal_key, d.equal_values.to_vec())),
            1 => Some(Cond::Ip(d.ip_key, "203.0.113.0/24")),
            _ => None,
        },
        not_action: false,
    }
}

/// The statement that grants the request.
fn grant(d: &Dialect) -> Stmt {
    Stmt {
        allow: true,
        actions: vec![d.action.to_string(), d.list_action.to_string()],
        resources: vec![d.bucket.to_string(), d.bucket_objects.to_string()],
        principal: None,
        cond: None,
        not_action: false,
    }
}

fn all(allow: bool) -> Stmt {
    Stmt {
        allow,
        actions: vec!["*".into()],
        resources: vec!["*".into()],
        principal: None,
        cond: None,
        not_action: false,
    }
}

fn identity_docs(d: &Dialect, policies: usize, per_policy: usize, big: usize) -> Vec<Doc> {
    let mut docs = Vec::new();
    let mut n = 0;
    for p in 0..policies {
        let mut stmts = Vec::new();
        for _ in 0..per_policy {
            stmts.push(render(d.cloud, &format!("S{n}"), &generated(d, n)));
            n += 1;
        }
        if p == 0 && big > 0 {
            let svc = d.services.get(1).copied().unwrap_or("ec2");
            let s = Stmt {
                allow: true,
                actions: (0..big)
                    .map(|k| match catalog_actions(d.cloud, svc).get(k) {
                        Some(a) => format!("{svc}:{a}"),
                        None => format!("{svc}:Operation{k}On*Thing"),
                    })
                    .collect(),
                resources: vec!["*".into()],
                principal: None,
                cond: None,
                not_action: false,
            };
            stmts.push(render(d.cloud, "ManyActions", &s));
        }
        if p + 1 == policies {
            stmts.push(render(d.cloud, "ReadBucket", &grant(d)));
        }
        docs.push(Doc {
            layer: Layer::Identity,
            level: None,
            name: format!("managed-{p:02}.json"),
            text: document(d.cloud, &stmts),
        });
    }
    docs
}

fn stack_docs(d: &Dialect, policies: usize, per_policy: usize, big: usize) -> Vec<Doc> {
    let mut docs = identity_docs(d, policies, per_policy, big);
    if d.boundary {
        let services: Vec<String> = d
            .services
            .iter()
            .take(6)
            .map(|s| format!("{s}:*"))
            .collect();
        let s = Stmt {
            allow: true,
            actions: services,
            resources: vec!["*".into()],
            principal: None,
            cond: None,
            not_action: false,
        };
        docs.push(Doc {
            layer: Layer::PermissionsBoundary,
            level: None,
            name: "boundary.json".into(),
            text: document(d.cloud, &[render(d.cloud, "B", &s)]),
        });
    }
    // The bucket policy: the caller may read; nobody may reach the bucket from outside the
    // network.
    let read = Stmt {
        allow: true,
        actions: vec![d.action.to_string()],
        resources: vec![d.bucket_objects.to_string()],
        principal: Some(d.bucket_principal.to_string()),
        cond: None,
        not_action: false,
    };
    let fence = Stmt {
        allow: false,
        actions: vec![format!("{}:*", d.storage)],
        resources: vec![d.bucket.to_string(), d.bucket_objects.to_string()],
        principal: Some(d.everyone.into()),
        cond: Some(Cond::NotEquals(d.network_key, d.network_value)),
        not_action: false,
    };
    docs.push(Doc {
        layer: Layer::Resource,
        level: None,
        name: "bucket-policy.json".into(),
        text: document(
            d.cloud,
            &[
                render(d.cloud, "AllowApp", &read),
                render(d.cloud, "NetworkOnly", &fence),
            ],
        ),
    });
    if d.control_policies {
        let full = document(d.cloud, &[render(d.cloud, "FullAccess", &all(true))]);
        for level in ["01-root", "02-ou", "03-account"] {
            docs.push(Doc {
                layer: Layer::Scp,
                level: Some(level),
                name: "full-access.json".into(),
                text: full.clone(),
            });
        }
        let (actions, not_action, cond) = match d.cloud {
            Cloud::Aws => (
                vec!["iam:*".to_string(), "sts:*".to_string()],
                true,
                Some(Cond::NotEquals(d.equal_key, "us-east-1")),
            ),
            _ => (vec!["ram:*".to_string()], false, None),
        };
        let guard = Stmt {
            allow: false,
            actions,
            resources: vec!["*".into()],
            principal: None,
            cond,
            not_action,
        };
        docs.push(Doc {
            layer: Layer::Scp,
            level: Some("02-ou"),
            name: "guard.json".into(),
            text: document(d.cloud, &[render(d.cloud, "Guard", &guard)]),
        });
    }
    docs
}

impl Workload {
    fn new(name: &'static str, cloud: Cloud, docs: Vec<Doc>) -> Workload {
        let d = dialect(cloud);
        let mut context = vec![(d.network_key, d.network_value), (d.ip_key, "203.0.113.9")];
        // Where the equality condition's key is the network key (Alibaba Cloud, Tencent Cloud),
        // the request already carries it.
        if d.equal_key != d.network_key {
            context.push((d.equal_key, d.equal_values[0]));
        }
        Workload {
            name,
            cloud,
            docs,
            principal: d.principal,
            action: d.action,
            resource: d.resource,
            resource_account: d.account,
            context,
        }
    }

    /// How many statements the workload's documents hold.
    pub fn statements(&self) -> Result<usize, String> {
        Ok(self
            .stack()?
            .all_policies()
            .map(|(_, p)| p.statements.len())
            .sum())
    }

    /// The stack, each document parsed and lowered by polsim.
    pub fn stack(&self) -> Result<Stack, String> {
        let mut stack = Stack::new();
        for doc in &self.docs {
            let p = crate::policy_in(self.cloud, &doc.name, doc.layer, &doc.text)?;
            stack.push(doc.layer, doc.level, p);
        }
        Ok(stack)
    }

    /// The request every layer allows.
    pub fn request(&self) -> Result<Request, String> {
        let mut context = Context::new();
        for (k, v) in &self.context {
            context.insert(k, CtxValue::One((*v).into()));
        }
        Ok(Request {
            cloud: self.cloud,
            caller: polsim_core::clouds::of(self.cloud).parse_caller(self.principal, None)?,
            action: self.action.into(),
            resource: self.resource.into(),
            resource_account: Some(self.resource_account.into()),
            access_point: None,
            context,
            extras: Default::default(),
        })
    }

    /// The documents as a stack folder (the layout `polsim eval --policy` reads), with a
    /// `polsim.json` naming the caller; `(relative path, text)` pairs.
    pub fn folder(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = self
            .docs
            .iter()
            .map(|doc| {
                let dir = match doc.layer {
                    Layer::Identity => "identity".to_string(),
                    Layer::PermissionsBoundary => "permissions-boundary".to_string(),
                    Layer::Resource => "resource".to_string(),
                    Layer::Scp => format!("scp/{}", doc.level.unwrap_or("01-root")),
                    other => other.name().to_string(),
                };
                (format!("{dir}/{}", doc.name), doc.text.clone())
            })
            .collect();
        files.push((
            "polsim.json".into(),
            format!(
                "{{\"cloud\":\"{}\",\"principal\":\"{}\",\"resource_account\":\"{}\"}}\n",
                self.cloud.name(),
                self.principal,
                self.resource_account
            ),
        ));
        files
    }

    /// The request as one line of `polsim eval --requests`.
    pub fn request_line(&self) -> String {
        let ctx: Vec<String> = self
            .context
            .iter()
            .map(|(k, v)| format!("\"{k}\":\"{v}\""))
            .collect();
        format!(
            "{{\"action\":\"{}\",\"resource\":\"{}\",\"context\":{{{}}}}}",
            self.action,
            self.resource,
            ctx.join(",")
        )
    }
}

/// W1: one identity policy of 5 statements.
pub fn w1(cloud: Cloud) -> Workload {
    let d = dialect(cloud);
    Workload::new("W1", cloud, identity_docs(d, 1, 4, 0))
}

/// W2: the realistic stack of about 200 statements.
pub fn w2(cloud: Cloud) -> Workload {
    let d = dialect(cloud);
    Workload::new("W2", cloud, stack_docs(d, 10, 19, 0))
}

/// W3: about 2,550 statements, one with 600 action patterns.
pub fn w3(cloud: Cloud) -> Workload {
    let d = dialect(cloud);
    Workload::new("W3", cloud, stack_docs(d, 24, 106, 600))
}

/// A stack of `n` identity statements (and the other layers of W2), for the scaling rows.
pub fn sized(cloud: Cloud, n: usize) -> Workload {
    let d = dialect(cloud);
    let policies = n.div_ceil(100).max(1);
    Workload::new(
        "scale",
        cloud,
        stack_docs(d, policies, n.div_ceil(policies), 0),
    )
}

/// W4: `n` request lines for the W2 stack: the workload's request and its neighbours (other
/// actions, other objects, without the network key), so that allows and denies mix.
pub fn batch_lines(w: &Workload, n: usize) -> String {
    let d = dialect(w.cloud);
    let mut out = String::with_capacity(n * 200);
    let actions = [
        d.action.to_string(),
        format!("{}:PutObject", d.storage),
        format!("{}:DeleteObject", d.storage),
    ];
    for i in 0..n {
        let action = actions
            .get(i % actions.len())
            .map_or(d.action, |s| s.as_str());
        let resource = format!(
            "{}reports/{}/part-{i}.csv",
            d.bucket_objects.trim_end_matches('*'),
            i % 97
        );
        let network = if i % 2 == 0 {
            format!(",\"{}\":\"{}\"", d.network_key, d.network_value)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{{\"action\":\"{action}\",\"resource\":\"{resource}\",\"context\":{{\"{}\":\"203.0.113.{}\"{network}}}}}",
            d.ip_key,
            i % 250
        );
    }
    out
}

/// W5: `n` policies of about 2.7 KB each (ten statements), as `(file name, text)`.
pub fn parse_corpus(cloud: Cloud, n: usize) -> Vec<(String, String)> {
    let d = dialect(cloud);
    (0..n)
        .map(|p| {
            let stmts: Vec<String> = (0..10)
                .map(|k| {
                    let i = p * 10 + k;
                    let mut s = generated(d, i);
                    s.actions.push(format!("{}:*Tag*", d.services[i % 8]));
                    s.resources.push((d.thing)(d.services[(i + 1) % 8], i));
                    render(cloud, &format!("Statement{i}"), &s)
                })
                .collect();
            (format!("policy-{p:05}.json"), document(cloud, &stmts))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_is_valid_and_allowed() {
        for cloud in [Cloud::Aws, Cloud::Aliyun, Cloud::Tencent] {
            for w in [w1(cloud), w2(cloud), w3(cloud), sized(cloud, 10)] {
                let stack = w.stack().unwrap();
                let req = w.request().unwrap();
                let e = polsim_core::evaluate(&stack, &req);
                assert_eq!(
                    e.decision(),
                    polsim_core::Decision::Allow,
                    "{} {cloud:?}: {}",
                    w.name,
                    polsim_core::report::reason_text(&e)
                );
            }
        }
    }

    #[test]
    fn the_workloads_have_the_documented_sizes() {
        for cloud in [Cloud::Aws, Cloud::Aliyun, Cloud::Tencent] {
            assert_eq!(w1(cloud).statements().unwrap(), 5);
            let n2 = w2(cloud).statements().unwrap();
            assert!((190..=205).contains(&n2), "{cloud:?} W2 has {n2}");
            let n3 = w3(cloud).statements().unwrap();
            assert!((2540..=2560).contains(&n3), "{cloud:?} W3 has {n3}");
        }
    }

    #[test]
    fn parse_corpus_policies_lower() {
        for cloud in [Cloud::Aws, Cloud::Aliyun, Cloud::Tencent] {
            for (name, text) in parse_corpus(cloud, 3) {
                crate::policy_in(cloud, &name, Layer::Identity, &text).unwrap();
            }
        }
    }

    #[test]
    fn request_lines_name_each_key_once() {
        for cloud in [Cloud::Aws, Cloud::Aliyun, Cloud::Tencent] {
            let w = w1(cloud);
            let mut keys: Vec<&str> = w.context.iter().map(|(k, _)| *k).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), w.context.len(), "{cloud:?}");
        }
    }

    #[test]
    fn batch_lines_mix_allows_and_denies() {
        let w = w2(Cloud::Aws);
        let lines = batch_lines(&w, 6);
        assert_eq!(lines.lines().count(), 6);
        for line in lines.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }
}
