//! AWS IAM: principals, resource matching, the decision flow and access-denied messages.
//!
//! Rules and their sources are listed in `docs/semantics/aws.md`; the section marks (§) below
//! refer to the project's AWS semantics spec.

use crate::eval::{
    derive_key, eval_layer, match_segments, split_resource, Dialect, LayerEval, PrincipalHow, Scope,
};
use crate::explain::{Decision, Evaluation, LayerReport, LayerStatus, StatementRef};
use crate::ir::{Effect, Layer, Policy, PrincipalEntry, PrincipalKind, ResourcePattern};
use crate::pattern::Glob;
use crate::request::{Caller, CallerKind, Request};
use crate::stack::Stack;
use std::collections::BTreeSet;

/// Services whose resources resource control policies govern (AWS Organizations, 2025).
pub const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-identity",
    "logs",
    "dynamodb",
    "ecr",
    "aoss",
];

/// Reads a caller as the test format writes it (§ Principals of the test format).
pub fn parse_caller(text: &str, id: Option<&str>) -> Result<Caller, String> {
    let t = text.trim();
    let mut c = Caller {
        kind: CallerKind::Anonymous,
        text: t.to_string(),
        account: None,
        partition: "aws".into(),
        name: None,
        path: "/".into(),
        session: None,
        id: id.map(str::to_string),
        display_arn: "anonymous".into(),
        principal_arn: None,
    };
    if t.eq_ignore_ascii_case("anonymous") || t == "*" {
        return Ok(c);
    }
    if is_account_id(t) {
        c.kind = CallerKind::Root;
        c.account = Some(t.to_string());
        c.display_arn = format!("arn:aws:iam::{t}:root");
        c.principal_arn = Some(c.display_arn.clone());
        return Ok(c);
    }
    if !t.starts_with("arn:") {
        if t.contains('.') && !t.contains(':') && !t.contains('/') {
            c.kind = CallerKind::Service;
            c.name = Some(t.to_string());
            c.display_arn = t.to_string();
            return Ok(c);
        }
        return Err(format!(
            "`{t}` is not an AWS principal: expected an ARN such as `arn:aws:iam::111122223333:user/Dave`, a service name such as `s3.amazonaws.com`, or `anonymous`"
        ));
    }
    let parts: Vec<&str> = t.splitn(6, ':').collect();
    let [_, partition, service, _region, account, res] = parts.as_slice() else {
        return Err(format!(
            "`{t}` is not a well-formed ARN (expected six `:`-separated parts)"
        ));
    };
    if !is_account_id(account) {
        return Err(format!(
            "`{t}`: the account part `{account}` is not a 12-digit account ID"
        ));
    }
    c.partition = partition.to_string();
    c.account = Some(account.to_string());
    let (kind_word, rest) = res.split_once('/').unwrap_or((res, ""));
    match (*service, kind_word) {
        ("iam", "root") if rest.is_empty() => {
            c.kind = CallerKind::Root;
            c.display_arn = t.to_string();
            c.principal_arn = Some(t.to_string());
        }
        ("iam", "user") | ("iam", "role") if !rest.is_empty() => {
            let (path, name) = match rest.rsplit_once('/') {
                Some((p, n)) => (format!("/{p}/"), n),
                None => ("/".to_string(), rest),
            };
            c.name = Some(name.to_string());
            c.path = path;
            c.principal_arn = Some(t.to_string());
            c.display_arn = t.to_string();
            c.kind = if kind_word == "user" {
                CallerKind::User
            } else {
                CallerKind::RoleSession
            };
        }
        ("sts", "assumed-role") => {
            let Some((role, session)) = rest.split_once('/') else {
                return Err(format!("`{t}`: an assumed-role ARN reads `assumed-role/ROLE/SESSION`"));
            };
            c.kind = CallerKind::RoleSession;
            c.name = Some(role.to_string());
            c.session = Some(session.to_string());
            c.display_arn = t.to_string();
            c.principal_arn = Some(format!("arn:{partition}:iam::{account}:role/{role}"));
        }
        ("sts", "federated-user") if !rest.is_empty() => {
            c.kind = CallerKind::FederatedUser;
            c.name = Some(rest.to_string());
            c.display_arn = t.to_string();
            c.principal_arn = Some(t.to_string());
        }
        _ => {
            return Err(format!(
                "`{t}` is not a principal ARN: expected `iam::ACCOUNT:user/NAME`, `iam::ACCOUNT:role/NAME`, `iam::ACCOUNT:root`, `sts::ACCOUNT:assumed-role/ROLE/SESSION` or `sts::ACCOUNT:federated-user/NAME`"
            ))
        }
    }
    Ok(c)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account named in an ARN's fifth field, if any.
pub fn arn_account(arn: &str) -> Option<String> {
    let a = arn.split(':').nth(4)?;
    (!a.is_empty() && a != "*").then(|| a.to_string())
}

fn arn_service(arn: &str) -> Option<&str> {
    arn.split(':').nth(2)
}

/// The AWS dialect.
pub struct Aws;

impl Dialect for Aws {
    fn actions_case_insensitive(&self) -> bool {
        true
    }

    fn keys_case_sensitive(&self) -> bool {
        false
    }

    fn resource_matches(
        &self,
        pattern: &ResourcePattern,
        resource: &str,
        layer: Layer,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<bool, String> {
        let res = match split_resource(pattern, resource, 6, "arn", false) {
            Ok(parts) => parts,
            Err(decided) => return Ok(decided),
        };
        if pattern.segments.len() < 6 {
            let identity_like = matches!(
                layer,
                Layer::Identity | Layer::PermissionsBoundary | Layer::Session
            );
            if layer == Layer::Rcp {
                // RCPs do not accept short ARNs at all.
                return Ok(false);
            }
            if !identity_like {
                // Resource-based, endpoint and organization policies: a short ARN matches only
                // through a trailing wildcard.
                return Ok(
                    pattern.text.ends_with('*') && Glob::new(&pattern.text).matches(resource)
                );
            }
        }
        // Missing trailing segments of a short identity-policy ARN are `*`.
        match_segments(pattern, &res, lookup, |_, _, _| false)
    }

    fn principal_matches(
        &self,
        entry: &PrincipalEntry,
        caller: &Caller,
        layer: Layer,
        _effect: Effect,
    ) -> Option<PrincipalHow> {
        match entry.kind {
            PrincipalKind::Any => Some(PrincipalHow::Any),
            PrincipalKind::Aws => aws_entry(&entry.value, caller, layer),
            PrincipalKind::Service => (caller.kind == CallerKind::Service
                && caller
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&entry.value)))
            .then_some(PrincipalHow::Direct),
            PrincipalKind::Federated | PrincipalKind::CanonicalUser => {
                (caller.id.as_deref() == Some(entry.value.as_str())).then_some(PrincipalHow::Direct)
            }
            _ => None,
        }
    }

    fn not_principal_exempts(
        &self,
        entries: &[PrincipalEntry],
        caller: &Caller,
        effect: Effect,
        has_boundary: bool,
    ) -> bool {
        if entries
            .iter()
            .any(|e| e.kind == PrincipalKind::Any || e.value == "*")
        {
            return true;
        }
        match effect {
            Effect::Allow => entries.iter().any(|e| {
                self.principal_matches(e, caller, Layer::Resource, effect)
                    .is_some()
            }),
            Effect::Deny => {
                // A principal with a permissions boundary is always denied (§3 NotPrincipal).
                if has_boundary {
                    return false;
                }
                // Exempt only when every identity the request carries is listed.
                let listed = |want: &str| {
                    entries
                        .iter()
                        .any(|e| e.kind == PrincipalKind::Aws && e.value == want)
                };
                let account_listed = caller.account.as_deref().is_some_and(|a| {
                    listed(a) || listed(&format!("arn:{}:iam::{a}:root", caller.partition))
                });
                match caller.kind {
                    CallerKind::Anonymous => false,
                    CallerKind::Service => entries.iter().any(|e| {
                        e.kind == PrincipalKind::Service
                            && caller
                                .name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(&e.value))
                    }),
                    CallerKind::Root => account_listed,
                    CallerKind::User | CallerKind::FederatedUser => {
                        account_listed && listed(&caller.display_arn)
                    }
                    CallerKind::RoleSession => {
                        let role_listed = entries.iter().any(|e| {
                            e.kind == PrincipalKind::Aws
                                && aws_entry(&e.value, caller, Layer::Resource)
                                    == Some(PrincipalHow::Role)
                        });
                        let session_listed =
                            caller.session.is_some() && listed(&caller.display_arn);
                        account_listed && role_listed && session_listed
                    }
                }
            }
        }
    }

    fn principal_note(&self, entries: &[PrincipalEntry], caller: &Caller) -> Option<String> {
        let arn = &caller.display_arn;
        if entries
            .iter()
            .any(|e| e.value != *arn && e.value.eq_ignore_ascii_case(arn))
        {
            return Some(
                "an entry differs from the caller only in case: principal names are case-sensitive"
                    .into(),
            );
        }
        if caller.kind == CallerKind::RoleSession
            && caller.session.is_none()
            && entries.iter().any(|e| e.value.contains(":assumed-role/"))
        {
            return Some("the caller is given as a role without a session name, so it matches no entry naming one session".into());
        }
        if entries
            .iter()
            .any(|e| e.value.contains('*') && e.value != "*")
        {
            return Some("a partial wildcard in a principal matches nothing".into());
        }
        None
    }
}

/// Matches one `AWS` principal entry (§2 Principal forms, §3 Principal).
fn aws_entry(value: &str, caller: &Caller, layer: Layer) -> Option<PrincipalHow> {
    if value == "*" {
        return Some(PrincipalHow::Any);
    }
    if value.contains('*') {
        return None;
    }
    let account_entry = if is_account_id(value) {
        Some(value.to_string())
    } else {
        let p: Vec<&str> = value.splitn(6, ':').collect();
        match p.as_slice() {
            ["arn", _, "iam", "", acct, "root"] => Some(acct.to_string()),
            _ => None,
        }
    };
    if let Some(acct) = account_entry {
        if !caller.is_identity() || caller.account.as_deref() != Some(acct.as_str()) {
            return None;
        }
        // In an endpoint policy an account entry means that account's root user only (§1.4).
        if layer == Layer::VpcEndpoint {
            return (caller.kind == CallerKind::Root).then_some(PrincipalHow::Direct);
        }
        return Some(PrincipalHow::Account);
    }
    let p: Vec<&str> = value.splitn(6, ':').collect();
    let [_, _, service, _, acct, res] = p.as_slice() else {
        return None;
    };
    if caller.account.as_deref() != Some(*acct) {
        return None;
    }
    let (kind, rest) = res.split_once('/').unwrap_or((res, ""));
    match (*service, kind, caller.kind) {
        ("iam", "user", CallerKind::User) => {
            (value == caller.display_arn).then_some(PrincipalHow::Direct)
        }
        ("iam", "role", CallerKind::RoleSession) => {
            let name = rest.rsplit('/').next().unwrap_or(rest);
            caller
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
                .then_some(PrincipalHow::Role)
        }
        ("sts", "assumed-role", CallerKind::RoleSession) => (caller.session.is_some()
            && value == caller.display_arn)
            .then_some(PrincipalHow::Direct),
        ("sts", "federated-user", CallerKind::FederatedUser) => {
            (value == caller.display_arn).then_some(PrincipalHow::Direct)
        }
        _ => None,
    }
}

/// How far a same-account resource-policy allow reaches (§1.3 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    /// Only delegates to the account's own policies.
    Delegation,
    /// Overrides an identity-policy implicit deny only.
    IdentityOnly,
    /// Overrides identity, boundary and session-policy implicit denies.
    Full,
}

fn reach(how: PrincipalHow) -> Reach {
    match how {
        PrincipalHow::Account | PrincipalHow::NotApplicable => Reach::Delegation,
        PrincipalHow::Role | PrincipalHow::FederatingUser => Reach::IdentityOnly,
        PrincipalHow::Direct | PrincipalHow::Any => Reach::Full,
    }
}

/// One evaluation of the stack against one resource name (two for access-point requests).
struct Pass<'a> {
    label: Option<&'static str>,
    resource: String,
    resource_account: Option<String>,
    rbp_layer: Layer,
    rbp: Option<&'a [Policy]>,
}

struct PassEval {
    /// Applicable layers in the order explicit denies are reported: (layer, level, result).
    layers: Vec<(Layer, Option<String>, LayerEval)>,
    not_applicable: Vec<(Layer, String)>,
    rbp_layer: Layer,
    resource: String,
    resource_account: Option<String>,
    label: Option<&'static str>,
}

impl PassEval {
    fn get(&self, layer: Layer) -> Option<&LayerEval> {
        self.layers
            .iter()
            .find(|(l, _, _)| *l == layer)
            .map(|(_, _, e)| e)
    }
}

/// The outcome of one pass.
enum Verdict {
    Allow(Option<StatementRef>),
    Implicit(Layer, Option<String>, String),
}

/// Evaluates an AWS request against a stack.
pub fn evaluate(stack: &Stack, req: &Request, explain: bool) -> Evaluation {
    let caller = &req.caller;
    let action = req.action.to_lowercase();
    let mut notes: Vec<String> = Vec::new();
    let mut missing = BTreeSet::new();

    let resource_account = req
        .resource_account
        .clone()
        .or_else(|| arn_account(&req.resource))
        .or_else(|| req.access_point.as_deref().and_then(arn_account))
        .or_else(|| caller.account.clone());

    // Context keys that follow from the caller and the resource.
    let mut ctx = req.context.clone();
    let mut derived = Vec::new();
    let mut derive =
        |key: &str, value: Option<String>| derive_key(&mut ctx, &mut derived, key, value);
    if caller.is_identity() {
        derive("aws:PrincipalArn", caller.principal_arn.clone());
        derive("aws:PrincipalAccount", caller.account.clone());
        derive(
            "aws:PrincipalType",
            Some(
                match caller.kind {
                    CallerKind::Root => "Account",
                    CallerKind::User => "User",
                    CallerKind::RoleSession => "AssumedRole",
                    CallerKind::FederatedUser => "FederatedUser",
                    _ => "Anonymous",
                }
                .to_string(),
            ),
        );
        if caller.kind == CallerKind::User {
            derive("aws:username", caller.name.clone());
        }
        let userid = match caller.kind {
            CallerKind::Root => caller.account.clone(),
            CallerKind::FederatedUser => caller
                .account
                .as_ref()
                .zip(caller.name.as_ref())
                .map(|(a, n)| format!("{a}:{n}")),
            _ => caller.id.clone(),
        };
        derive("aws:userid", caller.id.clone().or(userid));
    }
    derive(
        "aws:PrincipalIsAWSService",
        Some((caller.kind == CallerKind::Service).to_string()),
    );
    if caller.kind == CallerKind::Service {
        derive("aws:PrincipalServiceName", caller.name.clone());
    }
    derive("aws:ResourceAccount", resource_account.clone());
    if arn_service(&req.resource) == Some("s3") {
        derive("s3:ResourceAccount", resource_account.clone());
    }
    if let Some(ap) = &req.access_point {
        derive("s3:DataAccessPointArn", Some(ap.clone()));
        derive("s3:DataAccessPointAccount", arn_account(ap));
    }

    let mut base = Evaluation::new(caller, derived);

    // sts:GetCallerIdentity always succeeds (§1.1 special cases).
    if action == "sts:getcalleridentity" {
        base.reason = "sts:GetCallerIdentity is always allowed, whatever the policies say".into();
        base.notes
            .push("sts:GetCallerIdentity needs no permission and cannot be denied (§1.1)".into());
        return base;
    }

    let passes: Vec<Pass<'_>> = match &req.access_point {
        Some(ap) => {
            notes.push("access-point request: judged once against the access point (identity + access point policy) and once against the bucket (identity + bucket policy); both must allow (docs/semantics/aws.md, access points)".into());
            vec![
                Pass {
                    label: Some("access point"),
                    resource: access_point_resource(ap, &req.resource),
                    resource_account: arn_account(ap).or(resource_account.clone()),
                    rbp_layer: Layer::AccessPoint,
                    rbp: stack.access_point.as_deref(),
                },
                Pass {
                    label: Some("bucket"),
                    resource: req.resource.clone(),
                    resource_account: resource_account.clone(),
                    rbp_layer: Layer::Resource,
                    rbp: stack.resource.as_deref(),
                },
            ]
        }
        None => vec![Pass {
            label: None,
            resource: req.resource.clone(),
            resource_account: resource_account.clone(),
            rbp_layer: Layer::Resource,
            rbp: stack.resource.as_deref(),
        }],
    };

    let has_boundary = stack.permissions_boundary.is_some()
        && matches!(
            caller.kind,
            CallerKind::User | CallerKind::RoleSession | CallerKind::FederatedUser
        );
    let service = action.split(':').next().unwrap_or("").to_string();

    let evals: Vec<PassEval> = passes
        .iter()
        .map(|pass| {
            let scope = Scope {
                dialect: &Aws,
                caller,
                action: &action,
                action_display: &req.action,
                resource: &pass.resource,
                context: &ctx,
                has_boundary,
                explain,
            };
            eval_pass(stack, pass, &scope, &service, &mut missing, &mut notes)
        })
        .collect();

    base.missing_keys = missing.into_iter().collect();
    for pe in &evals {
        for (layer, level, e) in &pe.layers {
            base.layers
                .push(e.report(*layer, level.as_deref(), pe.label, &pe.resource));
        }
        for (layer, why) in &pe.not_applicable {
            base.layers.push(LayerReport {
                layer: *layer,
                level: None,
                pass: pe.label.map(str::to_string),
                resource: pe.resource.clone(),
                status: LayerStatus::NotApplicable(why.clone()),
                statements: Vec::new(),
            });
        }
    }

    // 1. An explicit deny anywhere wins; report the first layer in §1.1 order.
    let bucket_policy_action = matches!(
        action.as_str(),
        "s3:getbucketpolicy" | "s3:putbucketpolicy" | "s3:deletebucketpolicy"
    );
    let owner_root = caller.kind == CallerKind::Root
        && caller.account.is_some()
        && caller.account == resource_account;
    let mut explicit: Option<(usize, Layer, Option<String>, StatementRef)> = None;
    for pe in &evals {
        for (layer, level, e) in &pe.layers {
            let Some(first) = e.denies.first() else {
                continue;
            };
            if *layer == Layer::Resource && bucket_policy_action && owner_root {
                notes.push("the bucket owner's root user can always get, put and delete the bucket policy; the bucket policy's Deny is not applied (§1.1)".into());
                continue;
            }
            let rank = Layer::ALL
                .iter()
                .position(|l| l == layer)
                .unwrap_or(usize::MAX);
            if explicit.as_ref().is_none_or(|(r, ..)| rank < *r) {
                explicit = Some((rank, *layer, level.clone(), first.clone()));
            }
        }
    }
    base.notes = notes;
    if let Some((_, layer, level, stmt)) = explicit {
        base.decision = Decision::ExplicitDeny;
        base.reason = format!(
            "explicit deny by statement {} of {} in the {} layer",
            stmt.label(),
            stmt.policy,
            layer_title(layer, &req.action, &req.resource)
        );
        base.message = Some(message(
            caller,
            &req.action,
            &req.resource,
            Decision::ExplicitDeny,
            layer,
        ));
        base.code = Some("AccessDenied".into());
        base.layer = Some(layer);
        base.level = level;
        base.statement = Some(stmt);
        return base;
    }

    // 2. Every pass must allow; the first that does not decides.
    let mut allow_stmt = None;
    for pe in &evals {
        match decide_pass(stack, pe, caller, &action, &mut base.notes) {
            Verdict::Allow(s) => {
                if allow_stmt.is_none() {
                    allow_stmt = s;
                }
            }
            Verdict::Implicit(layer, level, why) => {
                base.decision = Decision::ImplicitDeny;
                base.reason = why;
                base.message = Some(message(
                    caller,
                    &req.action,
                    &req.resource,
                    Decision::ImplicitDeny,
                    layer,
                ));
                base.code = Some("AccessDenied".into());
                base.layer = Some(layer);
                base.level = level;
                return base;
            }
        }
    }
    base.statement = allow_stmt;
    base.reason = match &base.statement {
        Some(s) => format!(
            "allowed: statement {} of {} allows and nothing denies",
            s.label(),
            s.policy
        ),
        None => "allowed and nothing denies".into(),
    };
    base
}

/// The access-point form of a bucket or object ARN (`.../accesspoint/NAME/object/KEY`).
fn access_point_resource(ap: &str, resource: &str) -> String {
    let key = resource
        .splitn(6, ':')
        .nth(5)
        .and_then(|r| r.split_once('/'))
        .map(|(_, k)| k);
    match key {
        Some(k) => format!("{ap}/object/{k}"),
        None => ap.to_string(),
    }
}

fn eval_pass(
    stack: &Stack,
    pass: &Pass<'_>,
    scope: &Scope<'_>,
    service: &str,
    missing: &mut BTreeSet<String>,
    notes: &mut Vec<String>,
) -> PassEval {
    let caller = scope.caller;
    let mut pe = PassEval {
        layers: Vec::new(),
        not_applicable: Vec::new(),
        rbp_layer: pass.rbp_layer,
        resource: pass.resource.clone(),
        resource_account: pass.resource_account.clone(),
        label: pass.label,
    };

    // RCP levels: every caller, but not service-linked roles; only the services RCPs cover.
    if let Some(levels) = stack.levels(Layer::Rcp) {
        if caller.is_service_linked_role() {
            pe.not_applicable.push((
                Layer::Rcp,
                "RCPs do not restrict service-linked roles".into(),
            ));
        } else if !RCP_SERVICES.contains(&service) {
            pe.not_applicable.push((
                Layer::Rcp,
                format!("RCPs do not cover the `{service}` service"),
            ));
        } else {
            for lv in levels {
                pe.layers.push((
                    Layer::Rcp,
                    Some(lv.name.clone()),
                    eval_layer(scope, Layer::Rcp, &lv.policies, missing),
                ));
            }
        }
    }
    // SCP levels: principals of the caller's (member) account only.
    if let Some(levels) = stack.levels(Layer::Scp) {
        if !caller.is_identity() {
            pe.not_applicable.push((Layer::Scp, "SCPs apply only to the principals of an organization's accounts, not to anonymous or service callers".into()));
        } else if caller.is_service_linked_role() {
            pe.not_applicable.push((
                Layer::Scp,
                "SCPs do not restrict service-linked roles".into(),
            ));
        } else {
            for lv in levels {
                pe.layers.push((
                    Layer::Scp,
                    Some(lv.name.clone()),
                    eval_layer(scope, Layer::Scp, &lv.policies, missing),
                ));
            }
        }
    }
    if let Some(p) = stack.vpc_endpoint.as_deref() {
        pe.layers.push((
            Layer::VpcEndpoint,
            None,
            eval_layer(scope, Layer::VpcEndpoint, p, missing),
        ));
    }
    if let Some(p) = pass.rbp {
        pe.layers.push((
            pass.rbp_layer,
            None,
            eval_layer(scope, pass.rbp_layer, p, missing),
        ));
    }
    if let Some(p) = stack.identity.as_deref() {
        match caller.kind {
            CallerKind::Anonymous | CallerKind::Service => pe.not_applicable.push((
                Layer::Identity,
                "identity policies apply only to signed IAM principals".into(),
            )),
            CallerKind::Root => {
                if !p.is_empty() {
                    notes.push("the root user is allowed by default; identity policies cannot be attached to it and are not evaluated (§1.1)".into());
                }
                pe.not_applicable.push((
                    Layer::Identity,
                    "the root user is allowed by default".into(),
                ));
            }
            _ => pe.layers.push((
                Layer::Identity,
                None,
                eval_layer(scope, Layer::Identity, p, missing),
            )),
        }
    }
    if let Some(p) = stack.permissions_boundary.as_deref() {
        if scope.has_boundary {
            pe.layers.push((
                Layer::PermissionsBoundary,
                None,
                eval_layer(scope, Layer::PermissionsBoundary, p, missing),
            ));
        } else {
            pe.not_applicable.push((
                Layer::PermissionsBoundary,
                "permissions boundaries apply to IAM users and roles only".into(),
            ));
        }
    }
    if let Some(p) = stack.session.as_deref() {
        if matches!(
            caller.kind,
            CallerKind::RoleSession | CallerKind::FederatedUser
        ) {
            pe.layers.push((
                Layer::Session,
                None,
                eval_layer(scope, Layer::Session, p, missing),
            ));
        } else {
            pe.not_applicable.push((Layer::Session, "session policies apply to role and federated-user sessions only; the caller is not a session".into()));
        }
    }
    pe
}

fn is_kms_key(resource: &str) -> bool {
    let p: Vec<&str> = resource.splitn(6, ':').collect();
    matches!(p.as_slice(), ["arn", _, "kms", _, _, r] if r.starts_with("key/"))
}

fn is_role_trust(action: &str, resource: &str) -> bool {
    let p: Vec<&str> = resource.splitn(6, ':').collect();
    let role = matches!(p.as_slice(), ["arn", _, "iam", _, _, r] if r.starts_with("role/"));
    role && (action.starts_with("sts:assumerole")
        || action == "sts:tagsession"
        || action == "sts:setsourceidentity"
        || action == "sts:setcontext")
}

fn decide_pass(
    stack: &Stack,
    pe: &PassEval,
    caller: &Caller,
    action: &str,
    notes: &mut Vec<String>,
) -> Verdict {
    // Organization chains: every applicable level must allow.
    for chain in [Layer::Rcp, Layer::Scp] {
        for (layer, level, e) in &pe.layers {
            if *layer == chain && e.allows.is_empty() {
                let lv = level.clone().unwrap_or_default();
                return Verdict::Implicit(
                    chain,
                    level.clone(),
                    format!("no {} at level `{lv}` allows the action (every level from the root down must allow)", layer_title(chain, action, "")),
                );
            }
        }
    }
    if let Some(e) = pe.get(Layer::VpcEndpoint) {
        if e.allows.is_empty() {
            return Verdict::Implicit(
                Layer::VpcEndpoint,
                None,
                "the VPC endpoint policy does not allow the request".into(),
            );
        }
    }

    let rbp_layer = pe.rbp_layer;
    let rbp = pe.get(rbp_layer);
    let rbp_best = rbp.and_then(LayerEval::best_allow);
    let identity = pe.get(Layer::Identity);
    let identity_allows =
        caller.kind == CallerKind::Root || identity.is_some_and(|e| !e.allows.is_empty());
    let same_account = caller.account.is_some() && caller.account == pe.resource_account;
    let explicit_rbp = is_kms_key(&pe.resource) || is_role_trust(action, &pe.resource);
    let rbp_name = layer_title(rbp_layer, action, &pe.resource);
    let first_allow =
        |e: Option<&LayerEval>| e.and_then(|e| e.allows.first()).map(|(s, _)| s.clone());

    let reach_now: Option<Reach>;
    let granted_by;
    if !caller.is_identity() {
        // Anonymous and service callers: only the resource policy can grant.
        match rbp_best {
            Some(h) if h != PrincipalHow::Account => {
                reach_now = Some(Reach::Full);
                granted_by = first_allow(rbp);
            }
            _ => {
                return Verdict::Implicit(rbp_layer, None, format!("no {rbp_name} allows the caller, and for an unsigned or service caller only a resource-based policy can grant"));
            }
        }
    } else if explicit_rbp {
        if rbp.is_none() {
            notes.push(format!("the stack has no {rbp_name}; for KMS keys and role trust a resource-based policy must allow explicitly, so its absence denies"));
        }
        match rbp_best {
            None => {
                return Verdict::Implicit(rbp_layer, None, format!("no {rbp_name} allows the caller, and this resource needs an explicit allow in it; identity policies alone cannot grant"));
            }
            Some(PrincipalHow::Account) => {
                if !identity_allows {
                    return Verdict::Implicit(Layer::Identity, None, format!("the {rbp_name} only delegates to the account, and no identity-based policy allows the action"));
                }
                reach_now = None;
                granted_by = first_allow(identity);
            }
            Some(h) => {
                if !same_account && !identity_allows {
                    return Verdict::Implicit(Layer::Identity, None, "cross-account: the caller's identity-based policies must allow as well, and none does".into());
                }
                reach_now = same_account.then(|| reach(h));
                granted_by = first_allow(rbp);
            }
        }
    } else if same_account {
        let r = rbp_best.map(reach);
        let rbp_grants = r.is_some_and(|r| r >= Reach::IdentityOnly);
        if !identity_allows && !rbp_grants {
            if pe.label == Some("bucket") {
                // The identity policies were judged against the access point already; what the
                // bucket half lacks is the bucket policy's delegation.
                return Verdict::Implicit(rbp_layer, None, format!("the {rbp_name} does not allow the request made through the access point (it must delegate to access points, e.g. with `s3:DataAccessPointAccount`)"));
            }
            let why = if rbp_best == Some(PrincipalHow::Account) {
                format!("no identity-based policy allows the action (the {rbp_name} names only the account, which delegates to the identity policies)")
            } else {
                "no identity-based policy allows the action, and no resource-based policy names the caller".into()
            };
            return Verdict::Implicit(Layer::Identity, None, why);
        }
        reach_now = r;
        granted_by = if rbp_grants {
            first_allow(rbp)
        } else {
            first_allow(identity)
        };
        if granted_by.is_none() && caller.kind == CallerKind::Root {
            notes.push("the root user is allowed by default in its own account (§1.1)".into());
        }
    } else {
        // Cross-account: both sides must allow.
        if rbp_best.is_none() {
            let why = if rbp.is_none() {
                "cross-account: the resource's account must grant through a resource-based policy, and the stack has none".to_string()
            } else {
                format!("cross-account: no {rbp_name} statement allows the caller or its account")
            };
            return Verdict::Implicit(rbp_layer, None, why);
        }
        if !identity_allows {
            return Verdict::Implicit(Layer::Identity, None, "cross-account: the caller's identity-based policies must allow as well, and none does".into());
        }
        reach_now = None;
        granted_by = first_allow(identity);
    }

    let full = reach_now == Some(Reach::Full);
    if let Some(e) = pe.get(Layer::PermissionsBoundary) {
        if e.allows.is_empty() {
            if full {
                notes.push("the resource-based policy names the caller directly, so the permissions boundary's implicit deny does not limit it (§1.3)".into());
            } else {
                return Verdict::Implicit(Layer::PermissionsBoundary, None, "the permissions boundary does not allow the action (a boundary limits, it never grants)".into());
            }
        }
    }
    if matches!(
        caller.kind,
        CallerKind::RoleSession | CallerKind::FederatedUser
    ) {
        match pe.get(Layer::Session) {
            Some(e) if e.allows.is_empty() => {
                if full {
                    notes.push("the resource-based policy names the session (or `*`), so the session policy's implicit deny does not limit it (§1.3)".into());
                } else {
                    return Verdict::Implicit(Layer::Session, None, "no session policy allows the action (the session's permissions are the intersection of its identity policies and its session policies)".into());
                }
            }
            None if caller.kind == CallerKind::FederatedUser
                && stack.session.is_none()
                && !full =>
            {
                notes.push("a GetFederationToken session with no session policy has no permissions (§1.1 step 7)".into());
                return Verdict::Implicit(Layer::Session, None, "a federated-user session was given no session policy, so it has no permissions".into());
            }
            _ => {}
        }
    }
    Verdict::Allow(granted_by)
}

/// The policy type as AWS names it in messages.
pub fn layer_title(layer: Layer, action: &str, resource: &str) -> &'static str {
    match layer {
        Layer::Rcp => "resource control policy",
        Layer::Scp => "service control policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::AccessPoint => "access point policy",
        Layer::Resource if is_role_trust(&action.to_lowercase(), resource) => "role trust policy",
        Layer::Resource if is_kms_key(resource) => "key policy",
        Layer::Resource => "resource-based policy",
        Layer::Identity => "identity-based policy",
        Layer::PermissionsBoundary => "permissions boundary",
        Layer::Session => "session policy",
    }
}

/// The access-denied message AWS returns (§5).
pub fn message(
    caller: &Caller,
    action: &str,
    resource: &str,
    decision: Decision,
    layer: Layer,
) -> String {
    let who = &caller.display_arn;
    let on = if resource == "*" || resource.is_empty() {
        String::new()
    } else if arn_service(resource) == Some("s3") {
        format!(" on resource: \"{resource}\"")
    } else {
        format!(" on resource: {resource}")
    };
    let trust = layer == Layer::Resource && is_role_trust(&action.to_lowercase(), resource);
    let ctx = match (decision, layer) {
        (Decision::ExplicitDeny, _) if trust => {
            "with an explicit deny in the role trust policy".to_string()
        }
        (Decision::ExplicitDeny, Layer::Identity) => {
            "with an explicit deny in an identity-based policy".into()
        }
        (Decision::ExplicitDeny, l) => format!("with an explicit deny in a {}", message_type(l)),
        (_, _) if trust => format!("because no role trust policy allows the {action} action"),
        (_, l) => format!("because no {} allows the {action} action", message_type(l)),
    };
    format!("User: {who} is not authorized to perform: {action}{on} {ctx}")
}

fn message_type(layer: Layer) -> &'static str {
    match layer {
        Layer::Rcp => "resource control policy",
        Layer::Scp => "service control policy",
        Layer::VpcEndpoint => "VPC endpoint policy",
        Layer::AccessPoint | Layer::Resource => "resource-based policy",
        Layer::Identity => "identity-based policy",
        Layer::PermissionsBoundary => "permissions boundary",
        Layer::Session => "session policy",
    }
}
