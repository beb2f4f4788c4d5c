//! `polsim eval`: one request against a policy stack folder.

use crate::load::{self, load_stack, LoadedStack};
use crate::output;
use crate::render::{self, Style};
use crate::{EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use polsim_core::state::{RequestExtras, Signed};
use polsim_core::{Cloud, CtxValue, Decision, Layer, Request};
use polsim_parse::testfile::parse_caller;
use polsim_parse::Diagnostic;
use std::path::PathBuf;

#[derive(clap::Args, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["action", "operation", "requests", "cloudtrail"])))]
#[command(
    after_help = "Examples:\n  polsim eval --policy policies-examples/aws/boundary-without-s3 \\\n      --action s3:GetObject --resource arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg\n  polsim eval --policy policies-examples/aliyun/bucket-policy-deny-outside-ip --action oss:ListObjects \\\n      --resource 'acs:oss:*:174649585760xxxx:examplebucket' --context acs:SourceIp=10.1.2.3\n  polsim eval --account policies-examples/aws/account-snapshot/auth.json \\\n      --cloudtrail policies-examples/aws/account-snapshot/event.json\n\nThe cloud is read from the policies (2012-10-17, \"1\", \"2.0\") and the names (arn:, acs:, qcs:).\nThe folder holds identity/, permissions-boundary/, session/, resource/, scp/<level>/,\nrcp/<level>/, vpc-endpoint/, access-point/ and kms-key/ (one policy per *.json file), an optional\nstate file (s3.json, oss.json or cos.json: ACLs, Object Ownership, Block Public Access, ...), and an\noptional polsim.json with `principal`, `principal_id`, `federated_by`, `resource_account`, `cloud`,\n`context` and `canonical_ids`.\nExit codes: 0 allowed, 1 denied, 2 invalid input."
)]
pub struct Args {
    /// The policy stack folder (with --account: extra layers, which win over the snapshot's)
    #[arg(long, value_name = "DIR", required_unless_present_any = ["account", "organization"])]
    policy: Option<PathBuf>,
    /// An AWS account snapshot (the output of `aws iam get-account-authorization-details`): the
    /// caller's identity policies, permissions boundary and, for sts:AssumeRole, the role's trust
    /// policy are read from it
    #[arg(long, value_name = "AUTH.json", conflicts_with = "requests")]
    account: Option<PathBuf>,
    /// An AWS Organizations export of the SCPs and RCPs from the root down to the account
    /// (`{"Path": [{"Target", "Name", "Policies": [describe-policy outputs]}]}`, docs/cli.md)
    #[arg(long, value_name = "ORG.json", conflicts_with = "requests")]
    organization: Option<PathBuf>,
    /// The action: s3:GetObject, oss:GetObject, cos:GetObject (or name/cos:GetObject); give it, --operation, or both
    #[arg(long)]
    action: Option<String>,
    /// The API operation the error names (HeadObject, CopyObject, ...): checked as the action(s) the service checks for it
    #[arg(long)]
    operation: Option<String>,
    /// The resource name (arn:..., acs:..., qcs:...), or * for actions that take no resource
    #[arg(long, required_unless_present_any = ["requests", "cloudtrail"])]
    resource: Option<String>,
    /// A batch: a file of requests, one JSON object per line (`-` for standard input), each
    /// judged against the stack; one JSON result per line on standard output, in order
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["action", "operation", "resource", "principal", "principal_id", "federated_by", "resource_account", "access_point", "context", "context_file", "header", "copy_source", "version_id", "signed", "request_policy"])]
    requests: Option<String>,
    /// With --requests: put the full explanation (polsim.evaluation/v1) in each result
    #[arg(long, requires = "requests")]
    explain: bool,
    /// With --requests: worker threads (default: one per core)
    #[arg(long, value_name = "N", requires = "requests")]
    jobs: Option<usize>,
    /// With --requests: judge only the lines whose number is K modulo N (1-based K), so that N
    /// machines split one batch
    #[arg(long, value_name = "K/N", requires = "requests")]
    shard: Option<String>,
    /// With --requests: the longest request line read, in bytes (a longer line is an error of
    /// its own)
    #[arg(long, value_name = "BYTES", requires = "requests", default_value_t = load::DEFAULT_MAX_FILE_SIZE)]
    max_line: u64,
    /// A CloudTrail event (AWS): the request it records is judged (the caller from userIdentity,
    /// the operation or action, the resource, its account, and the source address, VPC endpoint,
    /// MFA, user agent, region and time); flags given beside it win
    #[arg(long, value_name = "EVENT.json", conflicts_with = "requests")]
    cloudtrail: Option<PathBuf>,
    /// Who calls (an arn:/acs:/qcs: principal, a service name, or `anonymous`); default: polsim.json, else a user of the resource's account
    #[arg(long)]
    principal: Option<String>,
    /// The caller's unique id (aws:userid; the UID an OSS bucket policy names a RAM user by)
    #[arg(long, value_name = "ID")]
    principal_id: Option<String>,
    /// For an AWS federated-user principal: the IAM user (or root user) that called
    /// GetFederationToken, whose identity policies then also bound the session
    #[arg(long, value_name = "ARN")]
    federated_by: Option<String>,
    /// The account that owns the resource (S3 ARNs carry none; COS names carry the APPID)
    #[arg(long, value_name = "ID")]
    resource_account: Option<String>,
    /// The access point the request goes through
    #[arg(long, value_name = "ARN")]
    access_point: Option<String>,
    /// A condition key: KEY=VALUE, or KEY=[a,b] (JSON list) for a multi-valued key; repeatable
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// A JSON file of condition keys and values
    #[arg(long, value_name = "FILE")]
    context_file: Option<PathBuf>,
    /// A request header that changes what is checked (x-amz-acl=public-read, Referer=https://...); repeatable
    #[arg(long = "header", value_name = "NAME=VALUE")]
    header: Vec<String>,
    /// For CopyObject / UploadPartCopy: the source object's resource name
    #[arg(long, value_name = "RESOURCE")]
    copy_source: Option<String>,
    /// The object version the request names
    #[arg(long, value_name = "ID")]
    version_id: Option<String>,
    /// How the request is signed (default: none for anonymous, header otherwise)
    #[arg(long, value_parser = ["header", "url", "none"])]
    signed: Option<String>,
    /// The policy document PutBucketPolicy / PutAccessPointPolicy carries
    #[arg(long, value_name = "FILE")]
    request_policy: Option<PathBuf>,
    /// Output format
    #[arg(long, default_value = "human", value_parser = ["human", "json"])]
    format: String,
    /// The largest policy, polsim.json or context file read, in bytes (larger files are an error)
    #[arg(long, value_name = "BYTES", default_value_t = load::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

pub fn run(args: &Args, color: bool) -> u8 {
    let mut loaded = match &args.policy {
        Some(dir) => match load_stack(dir, None, args.max_file_size) {
            Ok(l) => l,
            Err(e) => return invalid(args, &e.diags, &[], color),
        },
        // `--account` alone: every layer comes from the snapshot.
        None => LoadedStack {
            stack: polsim_core::Stack::new(),
            defaults: load::StackDefaults::default(),
            warnings: Vec::new(),
            cloud: None,
        },
    };
    let from_event;
    let mut session = None;
    let args = match &args.cloudtrail {
        Some(path) => match with_event(args, path) {
            Ok((a, s)) => {
                from_event = a;
                session = s;
                &from_event
            }
            Err(diags) => return invalid(args, &diags, &loaded.warnings, color),
        },
        None => args,
    };
    let account = match super::account::add_layers(
        &super::account::Inputs {
            account: args.account.as_deref(),
            organization: args.organization.as_deref(),
            principal: args.principal.as_deref(),
            action: args.action.as_deref().unwrap_or(""),
            resource: args.resource.as_deref().unwrap_or(""),
            session: session.as_ref(),
            max: args.max_file_size,
            human: args.format != "json",
        },
        &mut loaded,
    ) {
        Ok(a) => a,
        Err(diags) => return invalid(args, &diags, &loaded.warnings, color),
    };
    let code = run_stack(args, &loaded, account.as_ref(), color);
    // The process ends next: freeing a large stack piece by piece (a folder of 10,000
    // policies is millions of small allocations, about a tenth of the run) would only delay the
    // exit, so the operating system takes the memory back at once.
    std::mem::forget(loaded);
    code
}

fn run_stack(
    args: &Args,
    loaded: &LoadedStack,
    account: Option<&super::account::AccountUse>,
    color: bool,
) -> u8 {
    if let Some(requests) = &args.requests {
        let shard = match args
            .shard
            .as_deref()
            .map(super::batch::parse_shard)
            .transpose()
        {
            Ok(s) => s,
            Err(m) => {
                let d = Diagnostic::error(polsim_core::Pos::default(), m)
                    .with_help("--shard 2/4 judges lines 2, 6, 10, ... of the batch");
                return invalid(args, &[d], &[], color);
            }
        };
        render::print_diags(&loaded.warnings, color);
        let batch = super::batch::Batch {
            requests,
            explain: args.explain,
            jobs: args.jobs.unwrap_or(0),
            shard,
            max_line: args.max_line,
        };
        return match super::batch::run(loaded, &batch) {
            Ok(code) => code,
            Err(d) => {
                render::print_diags(&d, color);
                EXIT_INVALID
            }
        };
    }
    match run_loaded(args, loaded, account, color) {
        Ok(code) => code,
        Err(diags) => invalid(args, &diags, &loaded.warnings, color),
    }
}

/// The derived request is printed on standard error (human output) for the user to check.
type WithEvent = (Args, Option<polsim_parse::cloudtrail::Session>);

/// `args` with the request a CloudTrail event records filled in where no flag gave it, and the
/// caller's session policies when the file also holds the `AssumeRole` event that made it.
fn with_event(args: &Args, path: &std::path::Path) -> Result<WithEvent, Vec<Diagnostic>> {
    let (source, j) = load::read_json(path, args.max_file_size).map_err(|e| e.diags)?;
    let r =
        polsim_parse::cloudtrail::request_of_event(&j).map_err(|d| vec![d.in_source(&source)])?;
    let mut a = args.clone();
    let own_principal = a.principal.is_none();
    if own_principal {
        a.principal = r.principal.clone();
        if a.principal_id.is_none() {
            a.principal_id = r.principal_id.clone();
        }
    }
    if a.action.is_none() && a.operation.is_none() {
        a.action = r.action.clone();
        a.operation = r.operation.clone();
    }
    if a.resource.is_none() {
        a.resource = r.resource.clone();
    }
    if a.resource_account.is_none() {
        a.resource_account = r.resource_account.clone();
    }
    // The event's keys first: a --context given beside it is inserted after, and wins.
    let mut context: Vec<String> = r.context.iter().map(|(k, v)| format!("{k}={v}")).collect();
    context.extend(a.context.iter().cloned());
    a.context = context;
    let missing = |what: &str, flag: &str| {
        vec![Diagnostic::error(
            polsim_core::Pos::default(),
            format!("the CloudTrail event `{}` names no {what}", path.display()),
        )
        .with_help(format!("give it with {flag}"))]
    };
    if a.action.is_none() && a.operation.is_none() {
        return Err(missing("operation", "--action or --operation"));
    }
    if a.resource.is_none() {
        return Err(missing("resource", "--resource"));
    }
    if args.format != "json" {
        let mut lines = vec![format!(
            "request read from the CloudTrail event {} (flags given beside --cloudtrail win):",
            path.display()
        )];
        lines.extend(
            r.sources
                .iter()
                .map(|(what, from)| format!("  {what}   (from {from})")),
        );
        if let Some(s) = r.session.as_ref().filter(|_| own_principal) {
            lines.push(format!(
                "  session policies: {} managed policy ARN(s){}   (from requestParameters.policyArns of {}, which made the session)",
                s.policy_arns.len(),
                if s.inline_policy { " and an inline policy" } else { "" },
                s.event
            ));
        }
        if let Some((code, msg)) = &r.error {
            lines.push(format!("  the event recorded: {code}: {msg}"));
        }
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "{}", lines.join("\n"));
    }
    // The session's policies go with the event's caller, not with a --principal given beside.
    let session = r.session.filter(|_| own_principal);
    Ok((a, session))
}

/// Reports invalid input: on standard error (human), or as a `polsim.error/v1` document on
/// standard output and nothing on standard error (JSON), with the stack's warnings.
fn invalid(args: &Args, diags: &[Diagnostic], warnings: &[Diagnostic], color: bool) -> u8 {
    if args.format == "json" {
        let all: Vec<Diagnostic> = diags.iter().chain(warnings).cloned().collect();
        output::print(&output::ErrorReport::new(&all));
    } else {
        render::print_diags(diags, color);
    }
    EXIT_INVALID
}

fn run_loaded(
    args: &Args,
    loaded: &LoadedStack,
    account: Option<&super::account::AccountUse>,
    color: bool,
) -> Result<u8, Vec<Diagnostic>> {
    let cloud = loaded.cloud.unwrap_or(Cloud::Aws);
    let d = &loaded.defaults;

    let mut context = d.context.clone();
    if let Some(f) = &args.context_file {
        let (source, j) = load::read_json(f, args.max_file_size).map_err(|e| e.diags)?;
        for (k, v) in load::read_context(&j, source.name())
            .map_err(|e| e.in_source(&source).diags)?
            .iter()
        {
            context.insert(k, v.clone());
        }
    }
    for kv in &args.context {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(vec![Diagnostic::error(polsim_core::Pos::default(), format!("`--context {kv}` is not KEY=VALUE"))
                .with_help("write `--context aws:SourceIp=203.0.113.7`, or `--context 'aws:TagKeys=[\"a\",\"b\"]'` for a list")]);
        };
        let value = if v.starts_with('[') {
            match polsim_parse::json::parse(v)
                .ok()
                .as_ref()
                .and_then(polsim_parse::testfile::context_value)
            {
                Some(val) => val,
                None => {
                    return Err(vec![Diagnostic::error(
                        polsim_core::Pos::default(),
                        format!("`{v}` is not a JSON list of strings"),
                    )
                    .with_help("write the list as JSON, e.g. `[\"a\",\"b\"]`")])
                }
            }
        } else {
            CtxValue::One(v.to_string())
        };
        context.insert(k.trim(), value);
    }

    let resource_account = args.resource_account.clone().or(d.resource_account.clone());
    let (principal, defaulted) = match args.principal.clone().or(d.principal.clone()) {
        Some(p) => (p, false),
        None => (
            polsim_core::clouds::of(cloud).default_principal(
                resource_account
                    .as_deref()
                    .or(loaded.stack.state.bucket_owner()),
                args.resource.as_deref().unwrap_or(""),
            ),
            true,
        ),
    };
    let mut caller = parse_caller(
        cloud,
        &principal,
        // polsim.json's `principal_id` is its `principal`'s: a `--principal` names its own.
        args.principal_id.as_deref().or(d
            .principal_id
            .as_deref()
            .filter(|_| args.principal.is_none())),
    )
    .map_err(|m| {
        vec![Diagnostic::error(polsim_core::Pos::default(), m)
            .with_help("pass --principal, or set `principal` in the folder's polsim.json")]
    })?;
    // polsim.json's `federated_by` goes with its `principal`: a `--principal` names its own.
    let federated_by = args
        .federated_by
        .as_ref()
        .or(d.federated_by.as_ref().filter(|_| args.principal.is_none()));
    if let Some(user) = federated_by {
        polsim_core::aws::federating_user(&caller, user).map_err(|m| {
            vec![Diagnostic::error(polsim_core::Pos::default(), m).with_help(
                "`--federated-by` names the IAM user (or root user) that called GetFederationToken, for a `federated-user` principal of the same account",
            )]
        })?;
        caller.federated_by = Some(user.clone());
    }
    let (extras, policy_warnings) = extras(args, cloud)?;
    let warnings: Vec<Diagnostic> = loaded
        .warnings
        .iter()
        .cloned()
        .chain(policy_warnings)
        .collect();
    let req = Request {
        cloud,
        caller,
        // With only --operation, the core resolves the operation to its action(s).
        action: args.action.clone().unwrap_or_default(),
        resource: args.resource.clone().unwrap_or_default(),
        resource_account,
        access_point: args.access_point.clone(),
        context,
        extras,
    };
    let (eval, req, more) = judge(&loaded.stack, req)?;
    let account = account.map(|a| {
        let mut out = a.out.clone();
        if eval.decision != Decision::Allow {
            out.allowed_instead = a.allowed_instead(&loaded.stack, &req);
        }
        out
    });
    let mut warnings = warnings;
    warnings.extend(more);
    if args.format == "json" {
        let mut doc = output::Evaluation::new(&eval, &req, defaulted, &warnings);
        doc.account = account.clone();
        output::print(&doc);
    } else {
        render::print_diags(&warnings, color);
        let mut notes: Vec<String> = Vec::new();
        if defaulted {
            notes.push(format!(
                "(no --principal and no `principal` in polsim.json: assumed `{principal}`)"
            ));
        }
        // Shown under the caller, beside the decision: a layer the snapshot names but does not
        // hold could change it.
        if let Some(a) = &account {
            for why in &a.incomplete {
                notes.push(format!(
                    "INCOMPLETE: {why}; this decision could change once it is read"
                ));
            }
            if !a.allowed_instead.is_empty() {
                notes.push(format!(
                    "allowed instead, in {}: {} (is the caller using the wrong credentials?)",
                    a.file.as_deref().unwrap_or("the snapshot"),
                    a.allowed_instead.join(", ")
                ));
            }
        }
        let note = (!notes.is_empty()).then(|| notes.join("\n              "));
        out!(
            "{}",
            render::human(&eval, &req, note.as_deref(), &Style::new(color))
        );
    }
    Ok(if eval.decision == Decision::Allow {
        EXIT_OK
    } else {
        EXIT_DENIED
    })
}

use polsim_edge::judge::judge;

/// The request's extras and the warnings about its request policy.
type Extras = (RequestExtras, Vec<Diagnostic>);

/// What the request carries beyond action and resource: `--operation`, `--header`,
/// `--copy-source`, `--version-id`, `--signed`, `--request-policy`; and the warnings about the
/// request policy.
fn extras(args: &Args, cloud: Cloud) -> Result<Extras, Vec<Diagnostic>> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for kv in &args.header {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(vec![Diagnostic::error(
                polsim_core::Pos::default(),
                format!("`--header {kv}` is not NAME=VALUE"),
            )
            .with_help("write `--header x-amz-acl=public-read`")]);
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(vec![Diagnostic::error(
                polsim_core::Pos::default(),
                format!("`--header {kv}` names no header"),
            )
            .with_help("write `--header x-amz-acl=public-read`")]);
        }
        if headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
            return Err(vec![Diagnostic::error(
                polsim_core::Pos::default(),
                format!("the header `{k}` is given twice (header names are case-insensitive)"),
            )
            .with_help("give each header once")]);
        }
        headers.push((k.to_string(), v.to_string()));
    }
    let (request_policy, warnings) = match &args.request_policy {
        Some(f) => {
            let (p, w) = load::read_policy(f, cloud, Layer::Resource, args.max_file_size)
                .map_err(|e| e.diags)?;
            (Some(p), w)
        }
        None => (None, Vec::new()),
    };
    let extras = RequestExtras {
        operation: args.operation.clone(),
        headers,
        copy_source: args.copy_source.clone(),
        version_id: args.version_id.clone(),
        signed: args.signed.as_deref().and_then(Signed::from_name),
        request_policy,
    };
    Ok((extras, warnings))
}
