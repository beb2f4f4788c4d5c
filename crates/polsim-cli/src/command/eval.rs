//! `polsim eval`: one request against a policy stack folder.

use crate::load::{self, load_stack, LoadedStack};
use crate::output;
use crate::render::{self, Style};
use crate::{EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use polsim_core::{Cloud, CtxValue, Decision, Request};
use polsim_parse::testfile::parse_caller;
use polsim_parse::Diagnostic;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  polsim eval --policy policies-examples/aws/boundary-without-s3 \\\n      --action s3:GetObject --resource arn:aws:s3:::DOC-EXAMPLE-BUCKET/exampleobject.jpg\n  polsim eval --policy policies-examples/aliyun/bucket-policy-deny-outside-ip --action oss:ListObjects \\\n      --resource 'acs:oss:*:174649585760xxxx:examplebucket' --context acs:SourceIp=10.1.2.3\n\nThe cloud is read from the policies (2012-10-17, \"1\", \"2.0\") and the names (arn:, acs:, qcs:).\nThe folder holds identity/, permissions-boundary/, session/, resource/, scp/<level>/,\nrcp/<level>/, vpc-endpoint/ and access-point/ (one policy per *.json file), and an optional\npolsim.json with `principal`, `principal_id`, `resource_account` and `context`.\nExit codes: 0 allowed, 1 denied, 2 invalid input."
)]
pub struct Args {
    /// The policy stack folder
    #[arg(long, value_name = "DIR")]
    policy: PathBuf,
    /// The action: s3:GetObject, oss:GetObject, cos:GetObject (or name/cos:GetObject)
    #[arg(long)]
    action: String,
    /// The resource name (arn:..., acs:..., qcs:...), or * for actions that take no resource
    #[arg(long)]
    resource: String,
    /// Who calls (an arn:/acs:/qcs: principal, a service name, or `anonymous`); default: polsim.json, else a user of the resource's account
    #[arg(long)]
    principal: Option<String>,
    /// The caller's unique id (aws:userid; the UID an OSS bucket policy names a RAM user by)
    #[arg(long, value_name = "ID")]
    principal_id: Option<String>,
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
    /// Output format
    #[arg(long, default_value = "human", value_parser = ["human", "json"])]
    format: String,
    /// The largest policy, polsim.json or context file read, in bytes (larger files are an error)
    #[arg(long, value_name = "BYTES", default_value_t = load::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

pub fn run(args: &Args, color: bool) -> u8 {
    let loaded = match load_stack(&args.policy, None, args.max_file_size) {
        Ok(l) => l,
        Err(e) => return invalid(args, &e.diags, &[], color),
    };
    match run_loaded(args, &loaded, color) {
        Ok(code) => code,
        Err(diags) => invalid(args, &diags, &loaded.warnings, color),
    }
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

fn run_loaded(args: &Args, loaded: &LoadedStack, color: bool) -> Result<u8, Vec<Diagnostic>> {
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
            polsim_core::clouds::of(cloud)
                .default_principal(resource_account.as_deref(), &args.resource),
            true,
        ),
    };
    let caller = parse_caller(
        cloud,
        &principal,
        args.principal_id.as_deref().or(d.principal_id.as_deref()),
    )
    .map_err(|m| {
        vec![Diagnostic::error(polsim_core::Pos::default(), m)
            .with_help("pass --principal, or set `principal` in the folder's polsim.json")]
    })?;
    let mut req = Request {
        cloud,
        caller,
        action: args.action.clone(),
        resource: args.resource.clone(),
        resource_account,
        access_point: args.access_point.clone(),
        context,
        extras: Default::default(),
    };
    // Catalog checks (polsim-parse validate.rs): errors refuse the request, warnings are printed.
    let mut warnings = polsim_parse::validate::request(&mut req);
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(warnings);
    }
    warnings.splice(0..0, loaded.warnings.iter().cloned());
    let eval = polsim_core::Report::new(&polsim_core::evaluate(&loaded.stack, &req));
    if args.format == "json" {
        output::print(&output::Evaluation::new(&eval, &req, defaulted, &warnings));
    } else {
        render::print_diags(&warnings, color);
        let note = defaulted.then(|| {
            format!("(no --principal and no `principal` in polsim.json: assumed `{principal}`)")
        });
        print!(
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
