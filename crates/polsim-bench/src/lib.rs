//! polsim-bench: workloads for measuring polsim. The benchmarks live in `benches/`; this library
//! builds the stacks and requests they run, so that the same workloads can be reused by
//! whole-command measurements (see docs/benchmarks.md).

use polsim_core::{Cloud, Context, CtxValue, Request, Stack};
use polsim_parse::{json, lower_policy, PolicySource};

pub mod workloads;

/// Lowers one AWS policy document given as JSON text.
pub fn policy(
    id: &str,
    layer: polsim_core::Layer,
    text: &str,
) -> Result<polsim_core::ir::Policy, String> {
    policy_in(Cloud::Aws, id, layer, text)
}

/// Lowers one policy document of `cloud` given as JSON text; an error names every diagnostic.
pub fn policy_in(
    cloud: Cloud,
    id: &str,
    layer: polsim_core::Layer,
    text: &str,
) -> Result<polsim_core::ir::Policy, String> {
    let doc = json::parse(text).map_err(|e| e.message)?;
    let (p, d) = lower_policy(
        &doc,
        &PolicySource {
            id: id.into(),
            file: None,
            layer,
        },
        cloud,
    );
    p.ok_or_else(|| {
        d.iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// A realistic AWS stack: `n` identity statements over several services (with wildcards and
/// conditions), a bucket policy with a VPC-endpoint guard, a permissions boundary and three SCP
/// levels.
pub fn realistic_stack(n: usize) -> Result<Stack, String> {
    use polsim_core::Layer;
    let services = [
        "s3", "ec2", "dynamodb", "sqs", "kms", "iam", "logs", "lambda",
    ];
    let mut stmts = Vec::new();
    for i in 0..n {
        let svc = services.get(i % services.len()).copied().unwrap_or("s3");
        let effect = if i % 11 == 10 { "Deny" } else { "Allow" };
        let cond = match i % 4 {
            0 => {
                r#","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}"#
                    .to_string()
            }
            1 => r#","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#.to_string(),
            _ => String::new(),
        };
        stmts.push(format!(
            r#"{{"Sid":"S{i}","Effect":"{effect}","Action":["{svc}:Get*","{svc}:List*","{svc}:Describe*Thing{i}"],"Resource":"arn:aws:{svc}:*:111122223333:thing-{i}/*"{cond}}}"#
        ));
    }
    stmts.push(r#"{"Sid":"ReadBucket","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::app-bucket","arn:aws:s3:::app-bucket/*"]}"#.into());
    let identity = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        stmts.join(",")
    );
    let bucket = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"AllowApp","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::app-bucket/*"},
        {"Sid":"VpceOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::app-bucket","arn:aws:s3:::app-bucket/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}"#;
    let boundary = r#"{"Version":"2012-10-17","Statement":[{"Sid":"B","Effect":"Allow","Action":["s3:*","ec2:*","dynamodb:*","sqs:*","kms:*","logs:*"],"Resource":"*"}]}"#;
    let full = r#"{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let deny_regions = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Regions","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}"#;
    let mut stack = Stack::new();
    stack.push(
        Layer::Identity,
        None,
        policy("identity", Layer::Identity, &identity)?,
    );
    stack.push(
        Layer::PermissionsBoundary,
        None,
        policy("boundary", Layer::PermissionsBoundary, boundary)?,
    );
    stack.push(
        Layer::Resource,
        None,
        policy("bucket", Layer::Resource, bucket)?,
    );
    stack.push(Layer::Scp, Some("root"), policy("full", Layer::Scp, full)?);
    stack.push(Layer::Scp, Some("ou"), policy("full", Layer::Scp, full)?);
    stack.push(
        Layer::Scp,
        Some("ou"),
        policy("regions", Layer::Scp, deny_regions)?,
    );
    stack.push(
        Layer::Scp,
        Some("account"),
        policy("full", Layer::Scp, full)?,
    );
    Ok(stack)
}

/// A request against [`realistic_stack`]: a role session reading from the bucket through the
/// VPC endpoint.
pub fn request() -> Result<Request, String> {
    let mut context = Context::new();
    context.insert("aws:SourceVpce", CtxValue::One("vpce-1a2b3c4d".into()));
    context.insert("aws:RequestedRegion", CtxValue::One("us-east-1".into()));
    context.insert("aws:SourceIp", CtxValue::One("203.0.113.9".into()));
    Ok(Request {
        cloud: Cloud::Aws,
        caller: polsim_core::clouds::of(Cloud::Aws)
            .parse_caller("arn:aws:sts::111122223333:assumed-role/App/worker", None)?,
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::app-bucket/reports/2025/q1.csv".into(),
        resource_account: Some("111122223333".into()),
        access_point: None,
        context,
        extras: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_is_valid_and_allowed() {
        let stack = realistic_stack(50).unwrap();
        let req = request().unwrap();
        let e = polsim_core::evaluate(&stack, &req);
        assert_eq!(
            e.decision(),
            polsim_core::Decision::Allow,
            "{}",
            polsim_core::report::reason_text(&e)
        );
    }
}
