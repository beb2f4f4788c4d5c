//! Policies from infrastructure as code, for `polsim diff`: a Terraform plan (`terraform show
//! -json plan.out`) or a pair of CloudFormation templates (JSON or YAML).
//!
//! Every policy-bearing resource becomes a stack folder, written into a temporary folder of
//! polsim's own (removed at the end) on the side(s) where it exists, and the two sides are then
//! compared as folders of stacks. What a resource's policy is compared in:
//!
//! - identity policies (IAM / RAM / CAM policies, inline role, user and group policies): the
//!   identity layer alone;
//! - resource-based policies (bucket, key, queue, topic, secret policies, role trust policies):
//!   twice, alone (the callers' own policies grant nothing) and beside an identity policy that
//!   allows everything (`@callers-allowed`: what the resource policy opens to callers whose own
//!   policies let them);
//! - limits (SCPs, RCPs, Resource Directory control policies, VPC endpoint policies): beside an
//!   identity policy that allows everything, so that what the limit takes away shows.
//!
//! A policy whose value is unknown until apply, and a change polsim does not compare (policy
//! attachments, access point policies), is listed as such: the run cannot rule out a widening.

use polsim_core::Cloud;
use polsim_parse::Diagnostic;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a policy is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identity,
    Resource,
    Scp,
    Rcp,
    Endpoint,
}

/// One policy-bearing attribute of one resource, on both sides.
struct Doc {
    rel: String,
    origin: String,
    /// The file and line to annotate (SARIF): the template's, or the plan file.
    source: (String, u32),
    cloud: Cloud,
    kind: Kind,
    before: Option<String>,
    after: Option<String>,
}

/// Both sides written out as folders of stacks.
pub struct Materialized {
    /// The folder of the "before" stacks.
    pub base: PathBuf,
    /// The folder of the "after" stacks.
    pub head: PathBuf,
    /// For each stack's relative path: where it comes from (a Terraform address, a template's
    /// logical id and line).
    pub origins: BTreeMap<String, String>,
    /// For each stack's relative path: the file and line a code-scanning annotation goes on.
    pub sources: BTreeMap<String, (String, u32)>,
    /// What could not be compared, and why: each one means a widening cannot be ruled out.
    pub not_compared: Vec<String>,
    /// Whether the stacks stay (`--write-stacks`), else they are removed at the end.
    pub kept: bool,
    root: PathBuf,
}

impl Drop for Materialized {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

fn err(message: String, help: &str) -> Vec<Diagnostic> {
    vec![Diagnostic::error(polsim_core::Pos::default(), message).with_help(help)]
}

fn allow_all(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => {
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#
        }
        Cloud::Aliyun => {
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#
        }
        Cloud::Tencent => {
            r#"{"version": "2.0", "statement": [{"effect": "allow", "action": ["*"], "resource": ["*"]}]}"#
        }
    }
}

/// A stack folder name for a resource address: path-safe, readable.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@[]=".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn write(path: &Path, text: &str) -> Result<(), Vec<Diagnostic>> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).map_err(|e| {
            err(
                format!("cannot write a temporary stack: {e}"),
                "check the temporary folder ($TMPDIR)",
            )
        })?;
    }
    std::fs::write(path, text).map_err(|e| {
        err(
            format!("cannot write a temporary stack: {e}"),
            "check the temporary folder ($TMPDIR)",
        )
    })
}

fn materialize(
    docs: Vec<Doc>,
    not_compared: Vec<String>,
    label: &str,
    keep: Option<&Path>,
) -> Result<Materialized, Vec<Diagnostic>> {
    if let Some(k) = keep {
        let empty = std::fs::read_dir(k).map_or(true, |mut d| d.next().is_none());
        if k.exists() && (!k.is_dir() || !empty) {
            return Err(err(
                format!("`{}` exists and is not an empty folder", k.display()),
                "--write-stacks takes a new (or empty) folder: polsim never writes over files",
            ));
        }
    }
    let root = keep.map(Path::to_path_buf).unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "polsim-iac-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ))
    });
    let mut m = Materialized {
        base: root.join(format!("{label}-before")),
        head: root.join(format!("{label}-after")),
        origins: BTreeMap::new(),
        sources: BTreeMap::new(),
        not_compared,
        kept: keep.is_some(),
        root,
    };
    for dir in [&m.base, &m.head] {
        std::fs::create_dir_all(dir).map_err(|e| {
            err(
                format!("cannot make the folder for the stacks: {e}"),
                "check $TMPDIR (or the --write-stacks folder)",
            )
        })?;
    }
    for d in docs {
        let variants: Vec<(String, bool, String)> = match d.kind {
            Kind::Identity => vec![(d.rel.clone(), false, d.origin.clone())],
            Kind::Resource => vec![
                (d.rel.clone(), false, d.origin.clone()),
                (
                    format!("{}@callers-allowed", d.rel),
                    true,
                    format!(
                        "{} (beside callers' own policies that allow everything)",
                        d.origin
                    ),
                ),
            ],
            Kind::Scp | Kind::Rcp | Kind::Endpoint => vec![(
                d.rel.clone(),
                true,
                format!(
                    "{} (beside an identity policy that allows everything)",
                    d.origin
                ),
            )],
        };
        let layer_file = match d.kind {
            Kind::Identity => "identity/policy.json",
            Kind::Resource => "resource/policy.json",
            Kind::Scp => "scp/organization/policy.json",
            Kind::Rcp => "rcp/organization/policy.json",
            Kind::Endpoint => "vpc-endpoint/policy.json",
        };
        for (rel, with_identity, origin) in variants {
            for (dir, text) in [(&m.base, &d.before), (&m.head, &d.after)] {
                let Some(text) = text else { continue };
                let stack = dir.join(&rel);
                write(&stack.join(layer_file), text)?;
                if with_identity {
                    write(
                        &stack.join("identity/allow-everything.json"),
                        allow_all(d.cloud),
                    )?;
                }
            }
            m.sources.insert(rel.clone(), d.source.clone());
            m.origins.insert(rel, origin);
        }
    }
    Ok(m)
}

/// The cloud of a Terraform resource type, by its provider.
fn provider_cloud(ty: &str) -> Option<Cloud> {
    if ty.starts_with("aws_") {
        Some(Cloud::Aws)
    } else if ty.starts_with("alicloud_") {
        Some(Cloud::Aliyun)
    } else if ty.starts_with("tencentcloud_") {
        Some(Cloud::Tencent)
    } else {
        None
    }
}

/// The policy attributes of the Terraform resource types polsim compares.
const TERRAFORM: &[(&str, &str, Kind)] = &[
    ("aws_iam_policy", "policy", Kind::Identity),
    ("aws_iam_role_policy", "policy", Kind::Identity),
    ("aws_iam_user_policy", "policy", Kind::Identity),
    ("aws_iam_group_policy", "policy", Kind::Identity),
    ("aws_iam_role", "assume_role_policy", Kind::Resource),
    ("aws_s3_bucket_policy", "policy", Kind::Resource),
    ("aws_kms_key", "policy", Kind::Resource),
    ("aws_sqs_queue_policy", "policy", Kind::Resource),
    ("aws_sns_topic_policy", "policy", Kind::Resource),
    ("aws_secretsmanager_secret_policy", "policy", Kind::Resource),
    ("aws_ecr_repository_policy", "policy", Kind::Resource),
    ("aws_vpc_endpoint", "policy", Kind::Endpoint),
    ("aws_vpc_endpoint_policy", "policy", Kind::Endpoint),
    ("alicloud_ram_policy", "document", Kind::Identity),
    ("alicloud_ram_policy", "policy_document", Kind::Identity),
    ("alicloud_ram_role", "document", Kind::Resource),
    (
        "alicloud_ram_role",
        "assume_role_policy_document",
        Kind::Resource,
    ),
    ("alicloud_oss_bucket_policy", "policy", Kind::Resource),
    (
        "alicloud_resource_manager_control_policy",
        "policy_document",
        Kind::Scp,
    ),
    ("tencentcloud_cam_policy", "document", Kind::Identity),
    ("tencentcloud_cam_role", "document", Kind::Resource),
    ("tencentcloud_cos_bucket_policy", "policy", Kind::Resource),
];

/// Resource types whose changes change access but that polsim does not compare.
fn not_compared_kind(ty: &str) -> Option<&'static str> {
    if ty.ends_with("_attachment") || ty.ends_with("_attachments") || ty.ends_with("_membership") {
        Some("an attachment: polsim compares each policy document on its own, not who it is attached to")
    } else if ty == "aws_s3_access_point" || ty == "aws_s3control_access_point_policy" {
        Some("an access point policy: requests through access points are not compared")
    } else if ty == "aws_iam_role_policy_attachments_exclusive"
        || ty == "aws_iam_user_login_profile"
    {
        Some("not a policy document")
    } else {
        None
    }
}

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(_) | Value::Array(_) => serde_json::to_string_pretty(v?).ok(),
        _ => None,
    }
}

/// One policy attribute of a planned resource: where, kind, before, after, unknown after apply.
type Attr = (String, Kind, Option<String>, Option<String>, bool);

/// Reads a Terraform plan's JSON (`terraform show -json plan.out`).
pub fn terraform_plan(
    text: &str,
    name: &str,
    keep: Option<&Path>,
) -> Result<Materialized, Vec<Diagnostic>> {
    let plan: Value = serde_json::from_str(text).map_err(|e| {
        vec![Diagnostic::error(
            polsim_core::Pos {
                line: u32::try_from(e.line()).unwrap_or(u32::MAX),
                col: u32::try_from(e.column()).unwrap_or(u32::MAX),
            },
            format!("not a Terraform plan in JSON: {e}"),
        )
        .with_help("write it with `terraform show -json plan.out`")
        .in_file(Some(name))]
    })?;
    let Some(changes) = plan.get("resource_changes").and_then(Value::as_array) else {
        return Err(err(
            format!("`{name}` has no `resource_changes`: it is not the JSON of a saved plan"),
            "run `terraform plan -out plan.out` and `terraform show -json plan.out`",
        ));
    };
    let mut docs = Vec::new();
    let mut not_compared = Vec::new();
    for rc in changes {
        let address = rc.get("address").and_then(Value::as_str).unwrap_or("?");
        let ty = rc.get("type").and_then(Value::as_str).unwrap_or("");
        if rc.get("mode").and_then(Value::as_str) == Some("data") {
            continue;
        }
        let change = rc.get("change").unwrap_or(&Value::Null);
        let actions: Vec<&str> = change
            .get("actions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let changing = !actions.iter().all(|a| *a == "no-op" || *a == "read");
        let before = change.get("before").filter(|v| !v.is_null());
        let after = change.get("after").filter(|v| !v.is_null());
        let unknown = change.get("after_unknown");
        let Some(cloud) = provider_cloud(ty) else {
            continue;
        };
        if let Some(why) = not_compared_kind(ty) {
            if changing {
                not_compared.push(format!("{address} ({}): {why}", actions.join(", ")));
            }
            continue;
        }
        let mut attrs: Vec<Attr> = Vec::new();
        for (t, attr, kind) in TERRAFORM {
            if *t != ty {
                continue;
            }
            let b = text_of(before.and_then(|v| v.get(*attr)));
            let a = text_of(after.and_then(|v| v.get(*attr)));
            let unk = unknown.and_then(|u| u.get(*attr)) == Some(&Value::Bool(true));
            if b.is_some() || a.is_some() || unk {
                attrs.push((format!("{address}.{attr}"), *kind, b, a, unk));
            }
        }
        if ty == "aws_organizations_policy" {
            let kind_of =
                |v: Option<&Value>| match v.and_then(|v| v.get("type")).and_then(Value::as_str) {
                    Some("RESOURCE_CONTROL_POLICY") => Some(Kind::Rcp),
                    Some("SERVICE_CONTROL_POLICY") | None => Some(Kind::Scp),
                    _ => None,
                };
            if let Some(kind) = kind_of(after.or(before)) {
                let b = text_of(before.and_then(|v| v.get("content")));
                let a = text_of(after.and_then(|v| v.get("content")));
                let unk = unknown.and_then(|u| u.get("content")) == Some(&Value::Bool(true));
                attrs.push((format!("{address}.content"), kind, b, a, unk));
            }
        }
        // Inline policies of roles, users and groups, by name.
        if matches!(ty, "aws_iam_role" | "aws_iam_user" | "aws_iam_group") {
            let inline = |v: Option<&Value>| -> BTreeMap<String, String> {
                v.and_then(|v| v.get("inline_policy"))
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .filter_map(|p| {
                                let n = p.get("name").and_then(Value::as_str)?;
                                Some((n.to_string(), text_of(p.get("policy"))?))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (b, a) = (inline(before), inline(after));
            let names: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for n in names {
                attrs.push((
                    format!("{address}.inline_policy[{n}]"),
                    Kind::Identity,
                    b.get(n).cloned(),
                    a.get(n).cloned(),
                    false,
                ));
            }
            if unknown
                .and_then(|u| u.get("inline_policy"))
                .is_some_and(|v| v.to_string().contains("true"))
            {
                not_compared.push(format!("{address}.inline_policy: known only after apply"));
            }
        }
        for (origin, kind, b, a, unk) in attrs {
            if unk {
                not_compared.push(format!("{origin}: known only after apply"));
                continue;
            }
            docs.push(Doc {
                rel: safe(&origin),
                origin: format!("{origin} ({})", actions.join(", ")),
                source: (name.to_string(), 1),
                cloud,
                kind,
                before: b,
                after: a,
            });
        }
    }
    materialize(docs, not_compared, "terraform-plan", keep)
}

/// A CloudFormation template's policy documents: logical id, where, kind, document.
type TemplateDocs = BTreeMap<String, (String, Kind, String, (String, u32))>;

/// Resolves CloudFormation's intrinsic functions in a policy document to placeholder text
/// (`Ref X` → `X`, `Fn::GetAtt [X, Arn]` → `X.Arn`, `Fn::Sub` with `${X}` → `X`, `Fn::Join`),
/// the same on both sides; `Err` names one that has no fixed text (`Fn::If`, `Fn::Select`, ...).
fn resolve(v: &Value) -> Result<Value, String> {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let Some((k, arg)) = m.iter().next() else {
                return Ok(v.clone());
            };
            match k.as_str() {
                "Ref" => Ok(Value::String(placeholder(arg.as_str().unwrap_or("?")))),
                "Fn::GetAtt" => Ok(Value::String(match arg {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("."),
                    Value::String(s) => s.clone(),
                    _ => "?".into(),
                })),
                "Fn::Sub" => {
                    let template = match arg {
                        Value::String(s) => s.clone(),
                        Value::Array(a) => {
                            a.first().and_then(Value::as_str).unwrap_or("").to_string()
                        }
                        _ => return Err("Fn::Sub".into()),
                    };
                    Ok(Value::String(sub_placeholders(&template)))
                }
                "Fn::Join" => {
                    let Some([sep, Value::Array(items)]) = arg.as_array().map(Vec::as_slice) else {
                        return Err("Fn::Join".into());
                    };
                    let sep = sep.as_str().unwrap_or("");
                    let parts: Result<Vec<String>, String> = items
                        .iter()
                        .map(|i| match resolve(i)? {
                            Value::String(s) => Ok(s),
                            _ => Err("Fn::Join".to_string()),
                        })
                        .collect();
                    Ok(Value::String(parts?.join(sep)))
                }
                f if f.starts_with("Fn::") || f == "Condition" => Err(f.to_string()),
                _ => Ok(Value::Object(
                    m.iter()
                        .map(|(k, v)| Ok((k.clone(), resolve(v)?)))
                        .collect::<Result<_, String>>()?,
                )),
            }
        }
        Value::Object(m) => Ok(Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), resolve(v)?)))
                .collect::<Result<_, String>>()?,
        )),
        Value::Array(a) => Ok(Value::Array(
            a.iter().map(resolve).collect::<Result<_, _>>()?,
        )),
        other => Ok(other.clone()),
    }
}

/// The text a reference stands for: a pseudo parameter's usual value (`AWS::Partition` is
/// `aws`; `AWS::AccountId` is polsim's default account, the same on both sides), else the
/// logical id or attribute itself.
fn placeholder(name: &str) -> String {
    match name {
        "AWS::Partition" => "aws".into(),
        "AWS::AccountId" => "123456789012".into(),
        "AWS::Region" => "us-east-1".into(),
        "AWS::URLSuffix" => "amazonaws.com".into(),
        "AWS::StackName" => "stack".into(),
        other => other.to_string(),
    }
}

/// `Fn::Sub` text with each `${Name}` replaced by `Name` (and `${!Literal}` by `${Literal}`),
/// so that a template's references do not read as policy variables.
fn sub_placeholders(t: &str) -> String {
    let mut out = String::new();
    let mut rest = t;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        match after.find('}') {
            Some(j) => {
                let name = after.get(..j).unwrap_or("");
                if let Some(lit) = name.strip_prefix('!') {
                    out.push_str(&format!("${{{lit}}}"));
                } else {
                    out.push_str(&placeholder(name));
                }
                rest = after.get(j + 1..).unwrap_or("");
            }
            None => {
                out.push_str(rest.get(i..).unwrap_or(""));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// YAML's CloudFormation tags (`!Ref X`, `!Sub ...`) as the JSON form (`{"Ref": "X"}`).
fn yaml_to_json(v: serde_yaml_ng::Value) -> Result<Value, String> {
    use serde_yaml_ng::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            serde_json::from_str(&n.to_string()).unwrap_or(Value::String(n.to_string()))
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("a mapping key that is not text: {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let func = if name == "Ref" || name == "Condition" {
                name.to_string()
            } else {
                format!("Fn::{name}")
            };
            let mut inner = yaml_to_json(t.value)?;
            if func == "Fn::GetAtt" {
                if let Value::String(s) = &inner {
                    inner =
                        Value::Array(s.splitn(2, '.').map(|p| Value::String(p.into())).collect());
                }
            }
            let mut m = serde_json::Map::new();
            m.insert(func, inner);
            Value::Object(m)
        }
    })
}

fn template_docs(
    path: &Path,
    max: u64,
    not_compared: &mut Vec<String>,
) -> Result<TemplateDocs, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let text = crate::load::read_text(path, max).map_err(|e| e.diags)?;
    let yaml = !name.ends_with(".json") && !text.trim_start().starts_with('{');
    let doc: Value = if yaml {
        let y: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).map_err(|e| {
            let pos = e
                .location()
                .map(|l| polsim_core::Pos {
                    line: u32::try_from(l.line()).unwrap_or(0),
                    col: u32::try_from(l.column()).unwrap_or(0),
                })
                .unwrap_or_default();
            vec![
                Diagnostic::error(pos, format!("not a CloudFormation template in YAML: {e}"))
                    .with_help("polsim reads CloudFormation templates in JSON or YAML")
                    .in_file(Some(&name)),
            ]
        })?;
        yaml_to_json(y).map_err(|m| err(format!("{name}: {m}"), "CloudFormation keys are text"))?
    } else {
        // polsim's own reader first: it refuses duplicate keys, which serde_json would merge.
        let source = polsim_parse::Source::new(&name, &text);
        let j = polsim_parse::json::parse(&text).map_err(|e| vec![e.diagnostic(&source)])?;
        if let Some((pos, key)) = first_duplicate(&j) {
            return Err(vec![Diagnostic::error(
                pos,
                format!("the key `{key}` is given twice"),
            )
            .with_help("CloudFormation would keep one of them; say which you mean")
            .in_file(Some(&name))
            .in_source(&source)]);
        }
        serde_json::from_str(&text)
            .map_err(|e| err(format!("{name}: {e}"), "the template is not JSON"))?
    };
    let Some(resources) = doc.get("Resources").and_then(Value::as_object) else {
        return Err(err(
            format!("`{name}` has no `Resources`: it is not a CloudFormation template"),
            "give a CloudFormation template (JSON or YAML)",
        ));
    };
    let line_of = |id: &str| -> usize {
        text.lines()
            .position(|l| {
                let t = l.trim_start().trim_start_matches('"');
                t.starts_with(id)
                    && t[id.len()..]
                        .trim_start_matches('"')
                        .trim_start()
                        .starts_with(':')
            })
            .map_or(0, |i| i + 1)
    };
    let mut out = TemplateDocs::new();
    for (id, r) in resources {
        let ty = r.get("Type").and_then(Value::as_str).unwrap_or("");
        let props = r.get("Properties").unwrap_or(&Value::Null);
        let mut found: Vec<(String, Kind, &Value)> = Vec::new();
        let prop = |k: &str| props.get(k).filter(|v| !v.is_null());
        match ty {
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                if let Some(d) = prop("PolicyDocument") {
                    found.push((format!("{id}.PolicyDocument"), Kind::Identity, d));
                }
            }
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                if let Some(d) = prop("AssumeRolePolicyDocument") {
                    found.push((format!("{id}.AssumeRolePolicyDocument"), Kind::Resource, d));
                }
                for p in prop("Policies")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let n = p.get("PolicyName").and_then(Value::as_str).unwrap_or("?");
                    if let Some(d) = p.get("PolicyDocument") {
                        found.push((format!("{id}.Policies[{n}]"), Kind::Identity, d));
                    }
                }
                if prop("ManagedPolicyArns").is_some() {
                    not_compared.push(format!(
                        "{name}: {id}.ManagedPolicyArns: attachments are not compared (each policy document is compared on its own)"
                    ));
                }
            }
            "AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" => {
                if let Some(d) = prop("PolicyDocument") {
                    found.push((format!("{id}.PolicyDocument"), Kind::Resource, d));
                }
            }
            "AWS::KMS::Key" => {
                if let Some(d) = prop("KeyPolicy") {
                    found.push((format!("{id}.KeyPolicy"), Kind::Resource, d));
                }
            }
            "AWS::SecretsManager::ResourcePolicy" => {
                if let Some(d) = prop("ResourcePolicy") {
                    found.push((format!("{id}.ResourcePolicy"), Kind::Resource, d));
                }
            }
            "AWS::EC2::VPCEndpoint" => {
                if let Some(d) = prop("PolicyDocument") {
                    found.push((format!("{id}.PolicyDocument"), Kind::Endpoint, d));
                }
            }
            "AWS::Organizations::Policy" => {
                let kind = match prop("Type").and_then(Value::as_str) {
                    Some("RESOURCE_CONTROL_POLICY") => Some(Kind::Rcp),
                    Some("SERVICE_CONTROL_POLICY") => Some(Kind::Scp),
                    _ => None,
                };
                if let (Some(kind), Some(d)) = (kind, prop("Content")) {
                    found.push((format!("{id}.Content"), kind, d));
                }
            }
            "AWS::S3::AccessPoint" if prop("Policy").is_some() => {
                not_compared.push(format!(
                    "{name}: {id}.Policy: an access point policy (requests through access points are not compared)"
                ));
            }
            _ => {}
        }
        for (what, kind, d) in found {
            let resolved = match d {
                // Organizations' Content may be the document as a JSON string.
                Value::String(s) => serde_json::from_str::<Value>(s).map_err(|e| {
                    err(
                        format!("{name}: {what} is not a JSON policy document: {e}"),
                        "write the document as JSON",
                    )
                })?,
                other => other.clone(),
            };
            match resolve(&resolved) {
                Ok(v) => {
                    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
                    let at = format!("{what} ({name}:{})", line_of(id));
                    let line = u32::try_from(line_of(id)).unwrap_or(1).max(1);
                    out.insert(what, (at, kind, text, (name.clone(), line)));
                }
                Err(f) => not_compared.push(format!(
                    "{name}: {what}: uses {f}, whose value is known only when the stack is deployed"
                )),
            }
        }
    }
    Ok(out)
}

fn first_duplicate(j: &polsim_parse::json::Json) -> Option<(polsim_core::Pos, String)> {
    use polsim_parse::json::JsonKind;
    match &j.kind {
        JsonKind::Object(members) => {
            for (i, m) in members.iter().enumerate() {
                if members.iter().take(i).any(|o| o.key == m.key) {
                    return Some((m.key_pos, m.key.clone()));
                }
                if let Some(d) = first_duplicate(&m.value) {
                    return Some(d);
                }
            }
            None
        }
        JsonKind::Array(items) => items.iter().find_map(first_duplicate),
        _ => None,
    }
}

/// Reads a pair of CloudFormation templates (JSON or YAML).
pub fn cloudformation(
    base: &Path,
    head: &Path,
    max: u64,
    keep: Option<&Path>,
) -> Result<Materialized, Vec<Diagnostic>> {
    let mut not_compared = Vec::new();
    let b = template_docs(base, max, &mut not_compared)?;
    let h = template_docs(head, max, &mut not_compared)?;
    let keys: std::collections::BTreeSet<&String> = b.keys().chain(h.keys()).collect();
    let docs = keys
        .into_iter()
        .filter_map(|k| {
            let (origin, kind, source) = h
                .get(k)
                .or_else(|| b.get(k))
                .map(|(o, kind, _, src)| (o.clone(), *kind, src.clone()))?;
            Some(Doc {
                rel: safe(k),
                origin,
                source,
                cloud: Cloud::Aws,
                kind,
                before: b.get(k).map(|x| x.2.clone()),
                after: h.get(k).map(|x| x.2.clone()),
            })
        })
        .collect();
    materialize(docs, not_compared, "cloudformation", keep)
}
