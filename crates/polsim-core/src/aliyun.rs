//! Alibaba Cloud: RAM users, roles and STS sessions; RAM policies, OSS bucket policies, role trust
//! policies, STS `Policy` parameters, Resource Directory control policies, OSS access point
//! policies and PrivateLink endpoint policies.
//!
//! The rules and their sources are in `docs/semantics/aliyun.md`; UNCERTAIN points of the spec
//! are chosen there and reported in `Evaluation.notes` when they apply.

use crate::eval::{eval_layer, match_segments, Dialect, LayerEval, PrincipalHow, Scope};
use crate::explain::{Decision, Evaluation, LayerReport, LayerStatus, StatementRef};
use crate::ir::{Effect, Layer, Policy, PrincipalEntry, PrincipalKind, ResourcePattern};
use crate::pattern::Glob;
use crate::request::{Caller, CallerKind, CtxValue, Request};
use crate::stack::Stack;
use std::collections::BTreeSet;

/// Reads a caller as the test format writes it for Alibaba Cloud.
pub fn parse_caller(text: &str, id: Option<&str>) -> Result<Caller, String> {
    let t = text.trim();
    let mut c = Caller {
        kind: CallerKind::Anonymous,
        text: t.to_string(),
        account: None,
        partition: "acs".into(),
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
    if !t.contains(':') && t.ends_with(".aliyuncs.com") {
        c.kind = CallerKind::Service;
        c.name = Some(t.to_string());
        c.display_arn = t.to_string();
        return Ok(c);
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        c.kind = CallerKind::Root;
        c.account = Some(t.to_string());
        c.display_arn = format!("acs:ram::{t}:root");
        c.principal_arn = Some(c.display_arn.clone());
        return Ok(c);
    }
    let parts: Vec<&str> = t.splitn(5, ':').collect();
    let ["acs", "ram", _, account, res] = parts.as_slice() else {
        return Err(format!(
            "`{t}` is not an Alibaba Cloud principal: expected `acs:ram::UID:user/NAME`, `acs:ram::UID:role/NAME/SESSION`, `acs:ram::UID:root`, a service such as `ecs.aliyuncs.com`, or `anonymous`"
        ));
    };
    // Documentation examples mask UIDs (`174649585760xxxx`); accept them as written.
    if account.is_empty()
        || !account
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'x' || b == b'*')
    {
        return Err(format!(
            "`{t}`: the account part `{account}` is not an Alibaba Cloud account UID"
        ));
    }
    c.account = Some(account.to_string());
    let mut segs = res.split('/');
    match (segs.next(), segs.next(), segs.next(), segs.next()) {
        (Some("root"), None, ..) => {
            c.kind = CallerKind::Root;
            c.display_arn = t.to_string();
            c.principal_arn = Some(t.to_string());
        }
        (Some("user"), Some(name), None, _) if !name.is_empty() => {
            c.kind = CallerKind::User;
            c.name = Some(name.to_string());
            c.display_arn = t.to_string();
            c.principal_arn = Some(t.to_string());
        }
        (Some("role" | "assumed-role"), Some(role), session, None) if !role.is_empty() => {
            c.kind = CallerKind::RoleSession;
            c.name = Some(role.to_string());
            c.session = session.filter(|s| !s.is_empty()).map(str::to_string);
            c.principal_arn = Some(format!("acs:ram::{account}:role/{role}"));
            c.display_arn = match &c.session {
                Some(s) => format!("acs:ram::{account}:assumed-role/{role}/{s}"),
                None => format!("acs:ram::{account}:role/{role}"),
            };
            if role.to_ascii_lowercase().starts_with("aliyunservicerolefor") {
                c.path = "/service-linked/".into();
            }
        }
        _ => {
            return Err(format!(
                "`{t}` is not a RAM principal: expected `user/NAME`, `role/NAME[/SESSION]`, `assumed-role/NAME/SESSION` or `root` after the account"
            ))
        }
    }
    Ok(c)
}

/// The account field of an `acs:` resource name.
pub fn acs_account(name: &str) -> Option<String> {
    let a = name.split(':').nth(3)?;
    (!a.is_empty() && a != "*").then(|| a.to_string())
}

/// The caller as OSS bucket policies name a role session: `arn:sts::UID:assumed-role/ROLE/SESSION`.
fn sts_form(caller: &Caller) -> Option<String> {
    if caller.kind != CallerKind::RoleSession {
        return None;
    }
    // An unknown session name matches only a wildcard in the session part.
    let session = caller.session.as_deref().unwrap_or("\u{0}");
    Some(format!(
        "arn:sts::{}:assumed-role/{}/{session}",
        caller.account.as_deref().unwrap_or(""),
        caller.name.as_deref().unwrap_or("")
    ))
}

/// The Alibaba Cloud dialect.
pub struct Aliyun;

impl Dialect for Aliyun {
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
        _layer: Layer,
        _lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<bool, String> {
        if pattern.any {
            return Ok(true);
        }
        if resource == "*" {
            return Ok(false);
        }
        let res: Vec<&str> = resource.splitn(5, ':').collect();
        if res.len() != 5 || pattern.segments.len() != 5 {
            return Ok(Glob::new(&pattern.text).matches(resource));
        }
        // OSS names carry `*` for the region: a request segment `*` is not specific.
        match_segments(pattern, &res, &|_| None, |i, _, part| i < 4 && part == "*")
    }

    fn principal_matches(
        &self,
        entry: &PrincipalEntry,
        caller: &Caller,
        _layer: Layer,
        _effect: Effect,
    ) -> Option<PrincipalHow> {
        let v = entry.value.as_str();
        match entry.kind {
            PrincipalKind::Any => Some(PrincipalHow::Any),
            PrincipalKind::Uid => {
                if v == "*" {
                    return Some(PrincipalHow::Any);
                }
                if !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_digit() || b == b'x' || b == b'*')
                    && !v.starts_with("arn:")
                {
                    // A UID: a RAM user's UID (the test format's principal_id), or an account's.
                    let g = Glob::new(v);
                    let user = caller.kind == CallerKind::User
                        && caller.id.as_deref().is_some_and(|id| g.matches(id));
                    let root = caller.kind == CallerKind::Root
                        && caller.account.as_deref().is_some_and(|a| g.matches(a));
                    return (user || root).then_some(PrincipalHow::Direct);
                }
                if v.starts_with("arn:sts:") {
                    return sts_form(caller)
                        .filter(|s| Glob::new(v).matches(s))
                        .map(|_| PrincipalHow::Direct);
                }
                ram_arn(v, caller)
            }
            PrincipalKind::Ram => ram_arn(v, caller),
            PrincipalKind::Service => (caller.kind == CallerKind::Service
                && caller
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(v)))
            .then_some(PrincipalHow::Direct),
            PrincipalKind::Federated => {
                (caller.id.as_deref() == Some(v)).then_some(PrincipalHow::Direct)
            }
            _ => None,
        }
    }

    fn not_principal_exempts(
        &self,
        _entries: &[PrincipalEntry],
        _caller: &Caller,
        _effect: Effect,
        _has_boundary: bool,
    ) -> bool {
        false
    }
}

/// `acs:ram::UID:root` (the account: any of its identities), `acs:ram::UID:user/NAME`,
/// `acs:ram::UID:role/NAME`.
fn ram_arn(v: &str, caller: &Caller) -> Option<PrincipalHow> {
    let p: Vec<&str> = v.splitn(5, ':').collect();
    let ["acs", "ram", _, acct, res] = p.as_slice() else {
        return None;
    };
    if !caller.is_identity() || !Glob::new(acct).matches(caller.account.as_deref().unwrap_or("")) {
        return None;
    }
    let (kind, name) = res.split_once('/').unwrap_or((res, ""));
    match (kind, caller.kind) {
        ("root", _) => Some(if caller.kind == CallerKind::Root {
            PrincipalHow::Direct
        } else {
            PrincipalHow::Account
        }),
        ("user", CallerKind::User) | ("role", CallerKind::RoleSession) => {
            let role_part = name.split('/').next().unwrap_or(name);
            caller
                .name
                .as_deref()
                .is_some_and(|n| Glob::new(&role_part.to_lowercase()).matches(&n.to_lowercase()))
                .then_some(PrincipalHow::Direct)
        }
        _ => None,
    }
}

fn is_oss(action: &str) -> bool {
    action.starts_with("oss:")
}

fn is_role_assumption(action: &str, resource: &str) -> bool {
    action == "sts:assumerole"
        && resource.starts_with("acs:ram:")
        && resource
            .split(':')
            .nth(4)
            .is_some_and(|r| r.starts_with("role/"))
}

/// Evaluates an Alibaba Cloud request.
pub fn evaluate(stack: &Stack, req: &Request, explain: bool) -> Evaluation {
    let caller = &req.caller;
    let action = req.action.to_lowercase();
    let mut notes: Vec<String> = Vec::new();
    let mut missing = BTreeSet::new();
    let resource_account = req
        .resource_account
        .clone()
        .or_else(|| acs_account(&req.resource))
        .or_else(|| req.access_point.as_deref().and_then(acs_account))
        .or_else(|| caller.account.clone());

    let mut ctx = req.context.clone();
    let mut derived = Vec::new();
    let mut derive = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            if !ctx.contains(key) {
                ctx.insert(key, CtxValue::One(v.clone()));
                derived.push((key.to_string(), v));
            }
        }
    };
    derive("acs:PrincipalARN", caller.principal_arn.clone());
    if let Some(ap) = &req.access_point {
        derive("oss:DataAccessPointArn", Some(ap.clone()));
        derive("oss:DataAccessPointAccount", acs_account(ap));
    }

    let mut base = Evaluation {
        decision: Decision::Allow,
        layer: None,
        level: None,
        statement: None,
        reason: String::new(),
        message: None,
        code: None,
        layers: Vec::new(),
        missing_keys: Vec::new(),
        derived_keys: derived,
        notes: Vec::new(),
        caller: caller.display_arn.clone(),
    };

    let ap_resource = req
        .access_point
        .as_deref()
        .map(|ap| access_point_resource(ap, &req.resource));
    let scope = Scope {
        dialect: &Aliyun,
        caller,
        action: &action,
        action_display: &req.action,
        resource: &req.resource,
        context: &ctx,
        has_boundary: false,
        explain,
    };
    let mut layers: Vec<(Layer, Option<String>, LayerEval, String)> = Vec::new();
    let mut not_applicable: Vec<(Layer, String)> = Vec::new();

    // Control policies: RAM users and roles of a member account; not the account itself, not
    // service-linked roles, not anonymous or service callers.
    if let Some(levels) = stack.levels(Layer::Scp) {
        let why = match caller.kind {
            CallerKind::Root => Some(
                "control policies do not apply to the Alibaba Cloud account (root identity) itself",
            ),
            CallerKind::Anonymous | CallerKind::Service => {
                Some("control policies apply to the RAM identities of member accounts only")
            }
            _ if caller.path == "/service-linked/" => {
                Some("control policies do not apply to service-linked roles")
            }
            _ => None,
        };
        match why {
            Some(w) => not_applicable.push((Layer::Scp, w.into())),
            None => {
                for lv in levels {
                    layers.push((
                        Layer::Scp,
                        Some(lv.name.clone()),
                        eval_layer(&scope, Layer::Scp, &lv.policies, &mut missing),
                        req.resource.clone(),
                    ));
                }
            }
        }
    }
    if let Some(p) = stack.vpc_endpoint.as_deref() {
        layers.push((
            Layer::VpcEndpoint,
            None,
            eval_layer(&scope, Layer::VpcEndpoint, p, &mut missing),
            req.resource.clone(),
        ));
    }
    if let Some(p) = stack.session.as_deref() {
        if caller.kind == CallerKind::RoleSession {
            layers.push((
                Layer::Session,
                None,
                eval_layer(&scope, Layer::Session, p, &mut missing),
                req.resource.clone(),
            ));
        } else {
            not_applicable.push((
                Layer::Session,
                "the STS Policy parameter applies to role sessions only; the caller is not one"
                    .into(),
            ));
        }
    }
    if let (Some(p), Some(apr)) = (stack.access_point.as_deref(), ap_resource.as_deref()) {
        let s = Scope {
            resource: apr,
            ..scope.clone()
        };
        layers.push((
            Layer::AccessPoint,
            None,
            eval_layer(&s, Layer::AccessPoint, p, &mut missing),
            apr.to_string(),
        ));
    }
    if let Some(p) = stack.resource.as_deref() {
        layers.push((
            Layer::Resource,
            None,
            eval_layer(&scope, Layer::Resource, p, &mut missing),
            req.resource.clone(),
        ));
    }
    if let Some(p) = stack.identity.as_deref() {
        match caller.kind {
            CallerKind::User | CallerKind::RoleSession => layers.push((Layer::Identity, None, eval_layer(&scope, Layer::Identity, p, &mut missing), req.resource.clone())),
            CallerKind::Root => not_applicable.push((Layer::Identity, "the Alibaba Cloud account has every permission on its own resources; RAM policies attach to RAM identities".into())),
            _ => not_applicable.push((Layer::Identity, "RAM policies apply to RAM users and roles only".into())),
        }
    }
    if stack.permissions_boundary.is_some() {
        not_applicable.push((
            Layer::PermissionsBoundary,
            "Alibaba Cloud RAM has no permissions boundaries".into(),
        ));
    }
    if stack.rcp.is_some() {
        not_applicable.push((
            Layer::Rcp,
            "Alibaba Cloud has no resource control policies".into(),
        ));
    }
    base.missing_keys = missing.into_iter().collect();
    for (layer, level, e, res) in &layers {
        base.layers
            .push(e.report(*layer, level.as_deref(), None, res));
    }
    for (layer, why) in &not_applicable {
        base.layers.push(LayerReport {
            layer: *layer,
            level: None,
            pass: None,
            resource: req.resource.clone(),
            status: LayerStatus::NotApplicable(why.clone()),
            statements: Vec::new(),
        });
    }

    let owner = caller.kind == CallerKind::Root
        && caller.account.is_some()
        && caller.account == resource_account;
    let get = |l: Layer| layers.iter().find(|(x, ..)| *x == l).map(|(_, _, e, _)| e);

    // 1. Explicit deny: control policy, endpoint, session, access point, bucket, RAM.
    let order = [
        Layer::Scp,
        Layer::VpcEndpoint,
        Layer::Session,
        Layer::AccessPoint,
        Layer::Resource,
        Layer::Identity,
    ];
    for l in order {
        for (layer, level, e, _) in layers.iter().filter(|(x, ..)| *x == l) {
            let denies: Vec<&StatementRef> = e
                .denies
                .iter()
                .filter(|d| {
                    let exempt = owner && *layer == Layer::Resource && wildcard_without_condition(stack, d);
                    if exempt {
                        notes.push("a bucket-policy statement with Principal `*` and no Condition does not apply to the bucket owner (OSS bucket policy documentation)".into());
                    }
                    !exempt
                })
                .collect();
            if let Some(d) = denies.first() {
                base.decision = Decision::ExplicitDeny;
                base.layer = Some(*layer);
                base.level = level.clone();
                base.statement = Some((*d).clone());
                base.reason = format!(
                    "explicit deny by statement {} of {} in the {}",
                    d.label(),
                    d.policy,
                    title(*layer, &action, &req.resource)
                );
                let (code, msg) = message(
                    caller,
                    &action,
                    &req.resource,
                    Decision::ExplicitDeny,
                    *layer,
                    &mut notes,
                );
                base.code = Some(code);
                base.message = Some(msg);
                base.notes = dedup(notes);
                return base;
            }
        }
    }

    // 2. What must allow.
    let deny = |base: &mut Evaluation,
                layer: Layer,
                level: Option<String>,
                why: String,
                notes: &mut Vec<String>| {
        base.decision = Decision::ImplicitDeny;
        base.layer = Some(layer);
        base.level = level;
        base.reason = why;
        let (code, msg) = message(
            caller,
            &action,
            &req.resource,
            Decision::ImplicitDeny,
            layer,
            notes,
        );
        base.code = Some(code);
        base.message = Some(msg);
    };
    for (layer, level, e, _) in layers.iter().filter(|(l, ..)| *l == Layer::Scp) {
        if e.allows.is_empty() {
            let why = format!("no control policy at level `{}` allows the action (every level from the account up to the Root must allow)", level.clone().unwrap_or_default());
            deny(&mut base, *layer, level.clone(), why, &mut notes);
            base.notes = dedup(notes);
            return base;
        }
    }
    if get(Layer::VpcEndpoint).is_some_and(|e| e.allows.is_empty()) {
        deny(&mut base, Layer::VpcEndpoint, None, "the endpoint policy does not allow the request (it intersects with, and never replaces, RAM and bucket policies)".into(), &mut notes);
        base.notes = dedup(notes);
        return base;
    }
    if get(Layer::Session).is_some_and(|e| e.allows.is_empty()) {
        deny(&mut base, Layer::Session, None, "the STS Policy parameter does not allow the action (the token's permissions are the role's policies intersected with it)".into(), &mut notes);
        base.notes = dedup(notes);
        return base;
    }
    let identity_allows = get(Layer::Identity)
        .and_then(|e| e.allows.first())
        .map(|(s, _)| s.clone());
    let resource_allows = get(Layer::Resource)
        .and_then(|e| e.allows.first())
        .map(|(s, _)| s.clone());
    let same_account = caller.account.is_some() && caller.account == resource_account;
    if is_role_assumption(&action, &req.resource) {
        if caller.kind == CallerKind::Root {
            deny(
                &mut base,
                Layer::Identity,
                None,
                "an Alibaba Cloud account (root identity) cannot assume a RAM role".into(),
                &mut notes,
            );
            base.message = Some("Roles may not be assumed by root accounts.".into());
            base.notes = dedup(notes);
            return base;
        }
        if identity_allows.is_none() && caller.is_identity() {
            deny(&mut base, Layer::Identity, None, "assuming a role needs an Allow for sts:AssumeRole in the caller's RAM policies as well as in the role's trust policy".into(), &mut notes);
            base.notes = dedup(notes);
            return base;
        }
        if resource_allows.is_none() {
            if stack.resource.is_none() {
                notes.push("the stack has no trust policy for the role; a role can be assumed only if its trust policy allows".into());
            }
            deny(
                &mut base,
                Layer::Resource,
                None,
                "the role's trust policy does not allow the caller".into(),
                &mut notes,
            );
            base.notes = dedup(notes);
            return base;
        }
        base.statement = resource_allows;
    } else {
        let identity_counts = same_account && identity_allows.is_some();
        if identity_allows.is_some() && !same_account {
            notes.push("RAM policies grant access to the account's own resources only; another account's resources must be granted by their bucket policy".into());
        }
        if owner {
            if identity_allows.is_none() && resource_allows.is_none() {
                notes.push("the resource owner (Alibaba Cloud account) has every permission on its own resources".into());
            }
        } else if !identity_counts && resource_allows.is_none() {
            let layer = if same_account && caller.is_identity() {
                Layer::Identity
            } else {
                Layer::Resource
            };
            let why = if layer == Layer::Identity {
                "no RAM policy and no bucket policy allows the action".to_string()
            } else {
                "no bucket policy allows the caller, and only the bucket policy can grant access to another account's or an anonymous caller".to_string()
            };
            if is_oss(&action) {
                notes.push("with no Allow from RAM or bucket policies, OSS falls back to the object and bucket ACLs; polsim takes them to be private (ACLs are not modelled)".into());
            }
            deny(&mut base, layer, None, why, &mut notes);
            base.notes = dedup(notes);
            return base;
        }
        base.statement = if identity_counts {
            identity_allows
        } else {
            resource_allows
        };
    }
    if ap_resource.is_some() {
        match get(Layer::AccessPoint) {
            Some(e) if !e.allows.is_empty() => {}
            _ => {
                deny(&mut base, Layer::AccessPoint, None, "the access point policy does not allow the request (a request through an access point needs the RAM or bucket policy AND the access point policy to allow)".into(), &mut notes);
                base.notes = dedup(notes);
                return base;
            }
        }
    }
    base.reason = match &base.statement {
        Some(s) => format!(
            "allowed: statement {} of {} allows and nothing denies",
            s.label(),
            s.policy
        ),
        None => "allowed: the caller owns the resource and nothing denies".into(),
    };
    base.notes = dedup(notes);
    base
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v
}

/// Whether a resource-layer statement names `*` alone and has no condition.
fn wildcard_without_condition(stack: &Stack, s: &StatementRef) -> bool {
    let policies: &[Policy] = stack.resource.as_deref().unwrap_or(&[]);
    policies
        .iter()
        .filter(|p| p.id == s.policy)
        .flat_map(|p| p.statements.iter())
        .find(|st| st.index == s.index)
        .is_some_and(|st| {
            st.conditions.is_empty()
                && st.principal.as_ref().is_some_and(|p| {
                    p.items
                        .iter()
                        .all(|e| e.kind == PrincipalKind::Any || e.value == "*")
                })
        })
}

/// `acs:oss:REGION:UID:accesspoint/NAME/object/KEY` for a bucket or object name.
fn access_point_resource(ap: &str, resource: &str) -> String {
    match resource
        .splitn(5, ':')
        .nth(4)
        .and_then(|r| r.split_once('/'))
    {
        Some((_, key)) => format!("{ap}/object/{key}"),
        None => ap.to_string(),
    }
}

/// The layer as the Alibaba Cloud console names it.
pub fn title(layer: Layer, action: &str, resource: &str) -> &'static str {
    match layer {
        Layer::Scp => "control policy",
        Layer::VpcEndpoint => "endpoint policy",
        Layer::Session => "STS policy",
        Layer::AccessPoint => "access point policy",
        Layer::Resource if is_role_assumption(&action.to_lowercase(), resource) => "trust policy",
        Layer::Resource => "bucket policy",
        Layer::Identity => "RAM policy",
        Layer::PermissionsBoundary | Layer::Rcp => "policy",
    }
}

/// The error code and message the request would get (OSS table of the spec; RAM's for other
/// services). UNCERTAIN wordings add a note.
fn message(
    caller: &Caller,
    action: &str,
    resource: &str,
    decision: Decision,
    layer: Layer,
    notes: &mut Vec<String>,
) -> (String, String) {
    if !is_oss(action) {
        if action.starts_with("sts:") || action.starts_with("ram:") {
            return (
                "NoPermission".into(),
                "You are not authorized to do this action. You should be authorized by RAM.".into(),
            );
        }
        notes.push("for services other than OSS polsim reports RAM's generic `Forbidden.RAM` error; each service words it its own way".into());
        return ("Forbidden.RAM".into(), "User not authorized to operate on the specified resource, or this API doesn't support RAM.".into());
    }
    let object = resource
        .splitn(5, ':')
        .nth(4)
        .is_some_and(|r| r.contains('/'));
    match (decision, layer) {
        (_, Layer::Session) => (
            "AccessDenied (EC 0003-00000301)".into(),
            "Access denied by authorizer's policy.".into(),
        ),
        (Decision::ExplicitDeny, Layer::Resource) => (
            "AccessDenied (EC 0003-00000101)".into(),
            "Access denied by bucket policy.".into(),
        ),
        (Decision::ExplicitDeny, Layer::Identity) => (
            "AccessDenied (EC 0003-00000201)".into(),
            "Access denied by bucket policy.".into(),
        ),
        (Decision::ExplicitDeny, Layer::Scp) | (Decision::ImplicitDeny, Layer::Scp) => {
            notes.push("OSS documents no message for a control-policy denial; polsim reports RAM's `Access denied by authorizer's policy.` wording without an EC code (UNCERTAIN)".into());
            (
                "AccessDenied".into(),
                "Access denied by authorizer's policy.".into(),
            )
        }
        (_, Layer::VpcEndpoint) | (_, Layer::AccessPoint) => {
            notes.push(format!("OSS documents no message for an {} denial; polsim reports the generic `You have no right to access this object.` (UNCERTAIN)", title(layer, action, resource)));
            (
                "AccessDenied".into(),
                "You have no right to access this object.".into(),
            )
        }
        _ if caller.kind == CallerKind::Anonymous => {
            let what = if object { "object" } else { "bucket" };
            (
                "AccessDenied".into(),
                format!("Anonymous user has no right to access this {what}."),
            )
        }
        _ if action == "oss:listbuckets" => (
            "AccessDenied".into(),
            "You are forbidden to list buckets.".into(),
        ),
        _ if object || action == "oss:listobjects" || action == "oss:listobjectversions" => (
            "AccessDenied".into(),
            "You have no right to access this object because of bucket acl.".into(),
        ),
        _ => (
            "AccessDenied".into(),
            "The bucket you visit is not belong to you.".into(),
        ),
    }
}
