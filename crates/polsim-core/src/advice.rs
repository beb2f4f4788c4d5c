//! What to change: for a request the policies deny, the smallest edits that would change the
//! decision, each one checked by evaluating the edited stack (or request) again.
//!
//! An edit is typed ([`Edit`]) and small: one exact name added to one element of one statement
//! (the requested action, the resource, the caller), one new statement holding exactly those,
//! or a change of the request (a context key the caller can send, such as `aws:SourceVpce` or
//! MFA). Nothing here widens a policy by more than the request: names are added exactly as the
//! request carries them (never a wildcard), no condition is removed, no statement loosened;
//! removing a Deny is offered only when nothing else gets past it, and then says it opens more.
//!
//! Every candidate is applied to a copy of the stack and the request and judged again by
//! [`flow::evaluate`]; it is kept only when the request is then allowed, or gets past the layer
//! (or Deny) that decided, in which case the next edit is looked for from there. The edits are
//! codes; [`Advice::describe`] words them for [`crate::report::Report`].

use crate::condition::{self, KeyLookup};
use crate::decide::{Decision, Pass, Reason};
use crate::eval::StatementReport;
use crate::explain::Evaluation;
use crate::flow;
use crate::ir::{
    ActionPattern, Clause, Cloud, Condition, Effect, Layer, OpFamily, Policy, Pos, PrincipalKind,
    ResourcePattern, Statement, Typed,
};
use crate::pattern::{Glob, Template};
use crate::request::{CallerKind, CtxValue, Request};
use crate::stack::{Stack, StatementRef};

/// How many edits one piece of advice chains at most (a denial decided by several layers in
/// turn needs one edit per layer).
const MAX_EDITS: usize = 6;

/// Where a statement is in a stack, by place (so that it can be found again in a copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// The layer.
    pub layer: Layer,
    /// The level of the layer (0 for layers without levels).
    pub level: usize,
    /// The policy, by place in the level.
    pub policy: usize,
    /// The statement, by place in the policy.
    pub stmt: usize,
}

/// A statement, named for the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The layer.
    pub layer: Layer,
    /// The policy's id.
    pub policy: String,
    /// The statement's `Sid`, if it has one.
    pub sid: Option<String>,
    /// 1-based place in the policy.
    pub index: usize,
    /// Where it starts.
    pub pos: Pos,
    /// Its effect.
    pub effect: Effect,
}

impl Place {
    fn of(s: StatementRef<'_>, layer: Layer) -> Place {
        Place {
            layer,
            policy: s.policy.id.clone(),
            sid: s.sid().map(str::to_string),
            index: s.stmt.index,
            pos: s.stmt.pos,
            effect: s.stmt.effect,
        }
    }

    /// `statement `Sid` of `policy` (line L, column C)`.
    fn name(&self) -> String {
        let which = match &self.sid {
            Some(s) => format!("`{s}`"),
            None => format!("#{}", self.index),
        };
        format!(
            "{which} of `{}` (line {}, column {})",
            self.policy, self.pos.line, self.pos.col
        )
    }
}

/// One context key the request must carry (or leave out), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChange {
    /// The key, as the condition writes it.
    pub key: String,
    /// The value to send; `None` to send the request without the key.
    pub value: Option<CtxValue>,
    /// The request's values before the change (`None`: absent).
    pub was: Option<Vec<String>>,
    /// The condition's values, as written.
    pub policy: Vec<String>,
}

/// A small typed change of a policy or of the request.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Add the requested action, exactly, to a statement's `Action`.
    AddAction {
        /// The statement.
        at: At,
        /// The action as the request names it.
        action: String,
    },
    /// Add the requested resource, exactly, to a statement's `Resource`.
    AddResource {
        /// The statement.
        at: At,
        /// The resource name.
        resource: String,
    },
    /// Add the caller, exactly, to a statement's `Principal`.
    AddPrincipal {
        /// The statement.
        at: At,
        /// How the entry is written.
        kind: PrincipalKind,
        /// The caller's name.
        value: String,
    },
    /// Add a statement (to the layer's first policy, or in a new policy where it has none):
    /// Allow, exactly the action, the resource and, in layers with principals, the caller.
    NewStatement {
        /// The layer.
        layer: Layer,
        /// The level's name, for chain layers.
        level: Option<String>,
        /// The policy it goes into (`None`: a new policy).
        policy: Option<String>,
        /// The action.
        action: String,
        /// The resource (`None` where the policy type has none: trust policies).
        resource: Option<String>,
        /// The caller, in layers with principals.
        principal: Option<(PrincipalKind, String)>,
    },
    /// Change the request: the context keys the caller sends.
    Request {
        /// The statement whose condition reads them.
        at: At,
        /// The keys.
        changes: Vec<KeyChange>,
    },
    /// Remove a Deny statement: offered only when nothing else gets past it, and it opens more
    /// than the request.
    RemoveDeny {
        /// The statement.
        at: At,
    },
}

/// What the request comes to once an edit (and those before it) is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// It is allowed.
    Allows,
    /// It gets past the layer (or Deny) that decided, and is now denied by this layer.
    MovesOn(Option<Layer>),
}

/// One verified edit, with the statement it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    /// The change.
    pub edit: Edit,
    /// The statement it is about (the one edited, or the one whose condition the request
    /// change satisfies); `None` for a new policy.
    pub place: Option<Place>,
    /// The layer that decided before the edit.
    pub decided_by: Option<Layer>,
    /// What the request comes to with it.
    pub after: After,
}

impl Edit {
    /// Applies the edit to a stack and a request (copies of those the advice was made for).
    pub fn apply(&self, stack: &mut Stack, req: &mut Request) {
        let cloud = req.cloud;
        match self {
            Edit::AddAction { at, action } => {
                if let Some(s) = stmt_mut(stack, *at) {
                    s.action.items.push(action_pattern(cloud, action));
                }
            }
            Edit::AddResource { at, resource } => {
                if let Some(c) = stmt_mut(stack, *at).and_then(|s| s.resource.as_mut()) {
                    c.items.push(resource_pattern(cloud, resource));
                }
            }
            Edit::AddPrincipal { at, kind, value } => {
                if let Some(c) = stmt_mut(stack, *at).and_then(|s| s.principal.as_mut()) {
                    c.items.push(crate::clouds::principal_entry(
                        cloud,
                        *kind,
                        value.clone(),
                        Pos::default(),
                    ));
                }
            }
            Edit::NewStatement {
                layer,
                level,
                policy,
                action,
                resource,
                principal,
            } => {
                let clause = |items| Clause {
                    negated: false,
                    pos: Pos::default(),
                    items,
                };
                let mut stmt = Statement {
                    index: 1,
                    sid: None,
                    pos: Pos::default(),
                    effect: Effect::Allow,
                    action: clause(vec![action_pattern(cloud, action)]),
                    resource: resource.as_ref().map(|r| Clause {
                        negated: false,
                        pos: Pos::default(),
                        items: vec![resource_pattern(cloud, r)],
                    }),
                    principal: principal.as_ref().map(|(k, v)| Clause {
                        negated: false,
                        pos: Pos::default(),
                        items: vec![crate::clouds::principal_entry(
                            cloud,
                            *k,
                            v.clone(),
                            Pos::default(),
                        )],
                    }),
                    conditions: Vec::new(),
                };
                let lv = level_index(stack, *layer, level.as_deref());
                let existing = match (policy, lv) {
                    (Some(_), Some(l)) => stack.policy_mut(*layer, l, 0),
                    _ => None,
                };
                match existing {
                    Some(p) => {
                        stmt.index = p.statements.len() + 1;
                        p.statements.push(stmt);
                    }
                    None => {
                        let t = crate::clouds::of(cloud).traits();
                        stack.push(
                            *layer,
                            level.as_deref(),
                            Policy {
                                id: NEW_POLICY.into(),
                                file: None,
                                cloud,
                                version: t.version_markers.first().map(|v| v.to_string()),
                                variables: false,
                                pos: Pos::default(),
                                statements: vec![stmt],
                            },
                        );
                    }
                }
            }
            Edit::Request { changes, .. } => {
                for c in changes {
                    match &c.value {
                        Some(v) => req.context.insert(&c.key, v.clone()),
                        None => req.context.remove(&c.key),
                    }
                }
            }
            Edit::RemoveDeny { at } => {
                if let Some(p) = stack.policy_mut(at.layer, at.level, at.policy) {
                    if at.stmt < p.statements.len() {
                        p.statements.remove(at.stmt);
                    }
                }
            }
        }
    }

    /// Whether the edit widens a policy (it never widens one by more than the request: the
    /// names it adds are the request's own, and only [`Edit::RemoveDeny`] takes anything out).
    pub fn opens_more(&self) -> bool {
        matches!(self, Edit::RemoveDeny { .. })
    }
}

/// The id given to a policy an edit creates.
const NEW_POLICY: &str = "new-policy";

impl Advice {
    /// The advice in words.
    pub fn describe(&self) -> String {
        let place = self.place.as_ref().map(Place::name).unwrap_or_default();
        let mut s = match &self.edit {
            Edit::AddAction { action, .. } => {
                format!("add `{action}` to the Action of statement {place}")
            }
            Edit::AddResource { resource, .. } => {
                format!("add `{resource}` to the Resource of statement {place}")
            }
            Edit::AddPrincipal { value, kind, .. } => {
                let public = if *kind == PrincipalKind::Any {
                    " (the request is anonymous: this makes the action public)"
                } else {
                    ""
                };
                format!("add `{value}` to the Principal of statement {place}{public}")
            }
            Edit::NewStatement {
                layer,
                policy,
                action,
                resource,
                principal,
                ..
            } => {
                let into = match policy {
                    Some(p) => format!("to `{p}` ({} layer)", layer.name()),
                    None => format!("a new policy in the {} layer with", layer.name()),
                };
                let on = resource
                    .as_ref()
                    .map(|r| format!(" on `{r}`"))
                    .unwrap_or_default();
                let who = principal
                    .as_ref()
                    .map(|(k, p)| {
                        let public = if *k == PrincipalKind::Any {
                            " (the request is anonymous: this makes the action public)"
                        } else {
                            ""
                        };
                        format!(" for principal `{p}`{public}")
                    })
                    .unwrap_or_default();
                format!("add {into} a statement: Allow `{action}`{on}{who}")
            }
            Edit::Request { changes, .. } => {
                let fixes: Vec<String> = changes.iter().map(key_fix).collect();
                let causes: Vec<String> = changes.iter().map(key_cause).collect();
                match &self.place {
                    Some(p) if p.effect == Effect::Deny => format!(
                        "the Deny {place} matched because {}: {}",
                        causes.join(" and "),
                        fixes.join(" and ")
                    ),
                    _ => format!(
                        "statement {place} allows once the request changes ({}): {}",
                        causes.join(" and "),
                        fixes.join(" and ")
                    ),
                }
            }
            Edit::RemoveDeny { .. } => format!(
                "only removing (or narrowing) the Deny {place} lets the request through, and that opens more than this request: no change of the request gets past it"
            ),
        };
        if let After::MovesOn(next) = self.after {
            let past = self.decided_by.map_or("that", Layer::name);
            let next = next.map_or("another", Layer::name);
            s.push_str(&format!(
                "; this gets the request past the {past} layer, then the {next} layer decides (next item)"
            ));
        }
        s
    }
}

fn values_text(v: &CtxValue) -> String {
    match v {
        CtxValue::One(s) => format!("`{s}`"),
        CtxValue::Many(v) => format!(
            "[{}]",
            v.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Why the condition came out as it did: the request's value of the key.
fn key_cause(c: &KeyChange) -> String {
    match &c.was {
        None => format!("`{}` is absent", c.key),
        Some(v) if v.len() == 1 => {
            format!("`{}` is `{}`", c.key, v.first().map_or("", String::as_str))
        }
        Some(v) => format!(
            "`{}` is [{}]",
            c.key,
            v.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What the caller does to send the key's new value, in its words where it has some.
fn key_fix(c: &KeyChange) -> String {
    let name = c
        .key
        .rsplit(':')
        .next()
        .unwrap_or(&c.key)
        .to_ascii_lowercase();
    let one = match &c.value {
        Some(CtxValue::One(v)) => Some(v.as_str()),
        _ => None,
    };
    match (name.as_str(), one) {
        ("multifactorauthpresent" | "mfapresent", Some(v)) if v.eq_ignore_ascii_case("true") => {
            format!("sign the request with MFA (`{}` = `true`)", c.key)
        }
        ("securetransport", Some(v)) if v.eq_ignore_ascii_case("true") => {
            format!("send it over HTTPS (`{}` = `true`)", c.key)
        }
        ("sourcevpce", Some(v)) => {
            format!("come through the VPC endpoint `{v}` (`{}`)", c.key)
        }
        ("sourcevpc", Some(v)) => format!("come from the VPC `{v}` (`{}`)", c.key),
        ("sourceip", Some(_)) => format!(
            "send it from an address in [{}] (`{}`)",
            c.policy
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            c.key
        ),
        _ => match &c.value {
            Some(v) => format!("send `{}` = {}", c.key, values_text(v)),
            None => format!("send the request without `{}`", c.key),
        },
    }
}

// --- Building IR as lowering builds it ---

fn action_pattern(cloud: Cloud, action: &str) -> ActionPattern {
    let profile = crate::clouds::of(cloud);
    ActionPattern::new(
        action,
        profile.normalize_action(action),
        Pos::default(),
        profile.traits().actions_case_insensitive,
    )
}

fn resource_pattern(cloud: Cloud, text: &str) -> ResourcePattern {
    let profile = crate::clouds::of(cloud);
    let names = profile.traits().resources;
    if text == "*" {
        return ResourcePattern {
            text: text.into(),
            pos: Pos::default(),
            segments: Vec::new(),
            rules: Vec::new(),
            whole: Glob::new(text),
            any: true,
        };
    }
    let canonical = profile.normalize_resource(text);
    let parts: Vec<&str> = canonical.splitn(names.segments, ':').collect();
    let segments = parts
        .iter()
        .enumerate()
        .map(|(i, p)| Template::new(p, false, i + 1 != names.segments).0)
        .collect();
    let rules = parts
        .iter()
        .enumerate()
        .map(|(i, p)| names.rule_for(i, p))
        .collect();
    ResourcePattern {
        text: text.into(),
        pos: Pos::default(),
        segments,
        rules,
        whole: Glob::new(text),
        any: false,
    }
}

fn stmt_mut(stack: &mut Stack, at: At) -> Option<&mut Statement> {
    stack
        .policy_mut(at.layer, at.level, at.policy)?
        .statements
        .get_mut(at.stmt)
}

fn level_index(stack: &Stack, layer: Layer, level: Option<&str>) -> Option<usize> {
    let levels = stack.levels(layer)?;
    match level {
        Some(name) => levels.iter().position(|l| l.name == name),
        None => (!levels.is_empty()).then_some(0),
    }
}

/// Where `s` is in `stack`.
fn locate(stack: &Stack, s: StatementRef<'_>) -> Option<At> {
    for layer in Layer::ALL {
        for (li, lv) in stack.levels(layer).unwrap_or(&[]).iter().enumerate() {
            for (pi, p) in lv.policies.iter().enumerate() {
                if std::ptr::eq(p, s.policy) {
                    let si = p.statements.iter().position(|x| std::ptr::eq(x, s.stmt))?;
                    return Some(At {
                        layer,
                        level: li,
                        policy: pi,
                        stmt: si,
                    });
                }
            }
        }
    }
    None
}

/// A name that a policy would read as a pattern (or a variable) cannot be added exactly.
fn literal(name: &str) -> bool {
    !name.is_empty() && !name.contains(['*', '?']) && !name.contains("${")
}

/// Whether a resource name can be written exactly as a policy resource: its last segment
/// (the bucket, object, path) without wildcards or variables, or `*` alone where the request
/// itself names no single resource (OSS's `ListBuckets` on `acs:oss:*:UID:*`); a segment
/// before it may be `*` only where the cloud's request names carry `*` there themselves (OSS's
/// region).
fn exact_resource(cloud: Cloud, name: &str) -> bool {
    let names = crate::clouds::of(cloud).traits().resources;
    let parts: Vec<&str> = name.splitn(names.segments, ':').collect();
    if parts.len() != names.segments {
        return literal(name);
    }
    parts.iter().enumerate().all(|(i, p)| {
        if i + 1 == names.segments {
            literal(p) || *p == "*"
        } else {
            (*p == "*" && names.request_star_is_any) || !p.contains(['*', '?'])
        }
    })
}

// --- Finding the edits ---

/// The edits that change a denial, in the order to make them (the last one allows, unless no
/// verified edit gets past a layer: then the list stops there). Empty for an allow and for an
/// evaluation made without explaining.
pub fn advise(e: &Evaluation<'_>) -> Vec<Advice> {
    if e.decision() == Decision::Allow || e.explained.is_none() {
        return Vec::new();
    }
    let mut stack = e.stack.clone();
    let mut req = e.request.clone();
    let mut out = Vec::new();
    while out.len() < MAX_EDITS {
        let found = {
            let cur = flow::evaluate(&stack, &req, true);
            if cur.decision() == Decision::Allow {
                break;
            }
            first_verified(&cur)
        };
        let Some(advice) = found else { break };
        advice.edit.apply(&mut stack, &mut req);
        let done = advice.after == After::Allows;
        out.push(advice);
        if done {
            break;
        }
    }
    out
}

/// What identifies a denial: decision, layer, level, pass and the deciding statement's place.
type Key = (
    Decision,
    Option<Layer>,
    Option<String>,
    Pass,
    Option<(String, usize)>,
);

fn key_of(e: &Evaluation<'_>) -> Key {
    let v = &e.verdict;
    (
        v.decision,
        v.layer,
        v.level.map(str::to_string),
        v.pass,
        v.statement.map(|s| (s.policy.id.clone(), s.stmt.index)),
    )
}

/// The first candidate that, applied to copies, allows, else the first that gets past the
/// deciding layer; removing a Deny only when no other candidate does either.
fn first_verified(e: &Evaluation<'_>) -> Option<Advice> {
    let before = key_of(e);
    let mut moves_on = None;
    let (normal, removal): (Vec<_>, Vec<_>) = candidates(e)
        .into_iter()
        .partition(|(edit, _)| !edit.opens_more());
    for (edit, place) in normal {
        let mut stack = e.stack.clone();
        let mut req = e.request.clone();
        edit.apply(&mut stack, &mut req);
        let after = flow::evaluate(&stack, &req, false);
        let advice = |after| Advice {
            edit: edit.clone(),
            place: place.clone(),
            decided_by: e.layer(),
            after,
        };
        if after.decision() == Decision::Allow {
            return Some(advice(After::Allows));
        }
        if moves_on.is_none() && key_of(&after) != before {
            moves_on = Some(advice(After::MovesOn(after.layer())));
        }
    }
    if moves_on.is_some() {
        return moves_on;
    }
    for (edit, place) in removal {
        let mut stack = e.stack.clone();
        let mut req = e.request.clone();
        edit.apply(&mut stack, &mut req);
        let after = flow::evaluate(&stack, &req, false);
        let after = if after.decision() == Decision::Allow {
            After::Allows
        } else if key_of(&after) != before {
            After::MovesOn(after.layer())
        } else {
            continue;
        };
        return Some(Advice {
            edit,
            place,
            decided_by: e.layer(),
            after,
        });
    }
    None
}

/// Candidate edits, smallest first.
fn candidates(e: &Evaluation<'_>) -> Vec<(Edit, Option<Place>)> {
    match e.decision() {
        Decision::Allow => Vec::new(),
        Decision::ExplicitDeny => explicit(e),
        Decision::ImplicitDeny => implicit(e),
    }
}

/// The layers a grant can be added to for an implicit deny: the deciding layer, then the
/// layer the reason names where the flow needs the grant elsewhere.
fn target_layers(e: &Evaluation<'_>) -> Vec<Layer> {
    let named: &[Layer] = match e.verdict.reason {
        Reason::CrossAccountNoResourcePolicy
        | Reason::CrossAccountNoGrant
        | Reason::AnonymousNeedsResourcePolicy
        | Reason::ResourcePolicyRequired
        | Reason::OnlyBucketPolicyCanGrant
        | Reason::AnonymousNoBucketGrant
        | Reason::TrustPolicyNoAllow
        | Reason::AccessPointNeedsDelegation
        | Reason::BucketNeedsAccessPointDelegation => &[Layer::Resource],
        Reason::CrossAccountNeedsIdentity
        | Reason::NoIdentityAllow
        | Reason::NoIdentityAllowAccountOnly
        | Reason::DelegationWithoutIdentity
        | Reason::AssumeRoleNeedsIdentity
        | Reason::CrossAccountNeedsSubAccountGrant => &[Layer::Identity],
        Reason::NoIdentityNoBucketAllow => &[Layer::Identity, Layer::Resource],
        Reason::BoundaryNoAllow => &[Layer::PermissionsBoundary],
        Reason::SessionNoAllow => &[Layer::Session],
        Reason::EndpointNoAllow => &[Layer::VpcEndpoint],
        Reason::AccessPointNoAllow => &[Layer::AccessPoint],
        _ => &[],
    };
    let mut out: Vec<Layer> = e.layer().into_iter().collect();
    for l in named {
        if !out.contains(l) {
            out.push(*l);
        }
    }
    // ACL grants are the resource's state, not policy statements.
    out.retain(|l| *l != Layer::Acl);
    out
}

/// The caller as a principal entry of `layer` may name it, exact forms only, in the order to
/// try them.
fn caller_names(
    e: &Evaluation<'_>,
    layer: Layer,
    like: Option<PrincipalKind>,
) -> Vec<(PrincipalKind, String)> {
    let c = &e.request.caller;
    match c.kind {
        CallerKind::Anonymous => return vec![(PrincipalKind::Any, "*".into())],
        CallerKind::Service => {
            return c
                .name
                .iter()
                .map(|n| (PrincipalKind::Service, n.clone()))
                .collect()
        }
        _ => {}
    }
    let kind = match (like, e.request.cloud) {
        (Some(k), _) if !matches!(k, PrincipalKind::Any | PrincipalKind::Service) => k,
        (_, Cloud::Aws) => PrincipalKind::Aws,
        (_, Cloud::Tencent) => PrincipalKind::Qcs,
        (_, Cloud::Aliyun)
            if layer == Layer::Resource
                && e.prepared.facts.resource == crate::decide::ResourceKind::RoleTrust =>
        {
            PrincipalKind::Ram
        }
        (_, Cloud::Aliyun) => PrincipalKind::Uid,
    };
    let mut names: Vec<(PrincipalKind, String)> = Vec::new();
    for n in [Some(&c.text), Some(&c.display_arn), c.id.as_ref()]
        .into_iter()
        .flatten()
    {
        if literal(n) && !names.iter().any(|(_, x)| x == n) {
            names.push((kind, n.clone()));
        }
    }
    names
}

fn implicit(e: &Evaluation<'_>) -> Vec<(Edit, Option<Place>)> {
    let mut out = Vec::new();
    let Some(x) = e.explained.as_ref() else {
        return out;
    };
    let v = &e.verdict;
    let req = e.request;
    let action = req.action.as_str();
    for layer in target_layers(e) {
        // The runs of the layer in the deciding pass (the deciding level, for a chain).
        let runs: Vec<usize> = e
            .outcomes
            .runs
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.layer == layer
                    && r.pass == v.pass
                    && (Some(layer) != v.layer || v.level.is_none() || r.level == v.level)
            })
            .map(|(i, _)| i)
            .collect();
        let resource = e
            .plan(v.pass)
            .map_or(req.resource.as_str(), |p| p.resource_for(layer))
            .to_string();
        for i in &runs {
            for s in x.statements.get(*i).into_iter().flatten() {
                if s.stmt.effect() == Effect::Allow {
                    if let Some(at) = locate(e.stack, s.stmt) {
                        let place = Some(Place::of(s.stmt, layer));
                        for edit in statement_edits(e, layer, at, s, &resource) {
                            out.push((edit, place.clone()));
                        }
                    }
                }
            }
        }
        // No statement is one element away: a new minimal statement.
        if literal(action) && (exact_resource(req.cloud, &resource) || resource == "*") {
            let level = runs
                .first()
                .and_then(|i| e.outcomes.runs.get(*i))
                .and_then(|r| r.level)
                .or(if Some(layer) == v.layer {
                    v.level
                } else {
                    None
                })
                .map(str::to_string);
            let policy = level_index(e.stack, layer, level.as_deref())
                .and_then(|l| e.stack.levels(layer)?.get(l)?.policies.first())
                .map(|p| p.id.clone());
            let trust = layer == Layer::Resource
                && e.prepared.facts.resource == crate::decide::ResourceKind::RoleTrust;
            let principals = if layer.has_principal() {
                caller_names(e, layer, None).into_iter().map(Some).collect()
            } else {
                vec![None]
            };
            for principal in principals {
                out.push((
                    Edit::NewStatement {
                        layer,
                        level: level.clone(),
                        policy: policy.clone(),
                        action: action.to_string(),
                        resource: (!trust).then(|| resource.clone()),
                        principal,
                    },
                    None,
                ));
            }
        }
    }
    out
}

/// The one-element edits of an Allow statement that fails in exactly one element.
fn statement_edits(
    e: &Evaluation<'_>,
    layer: Layer,
    at: At,
    s: &StatementReport<'_>,
    resource: &str,
) -> Vec<Edit> {
    let stmt = s.stmt.stmt;
    let c = s.checks;
    let failing = usize::from(!c.action)
        + usize::from(!c.resource)
        + usize::from(c.principal == Some(false))
        + usize::from(!c.condition);
    if failing != 1 {
        return Vec::new();
    }
    let action = &e.request.action;
    if !c.action {
        return if stmt.action.negated || !literal(action) {
            Vec::new()
        } else {
            vec![Edit::AddAction {
                at,
                action: action.clone(),
            }]
        };
    }
    if !c.resource {
        return match &stmt.resource {
            Some(r) if !r.negated && exact_resource(e.request.cloud, resource) => {
                vec![Edit::AddResource {
                    at,
                    resource: resource.to_string(),
                }]
            }
            _ => Vec::new(),
        };
    }
    if c.principal == Some(false) {
        return match &stmt.principal {
            Some(p) if !p.negated => {
                let like = p.items.first().map(|x| x.kind);
                caller_names(e, layer, like)
                    .into_iter()
                    .map(|(kind, value)| Edit::AddPrincipal { at, kind, value })
                    .collect()
            }
            _ => Vec::new(),
        };
    }
    // The conditions: what the request must send for each failing one to hold.
    let lookup = KeyLookup {
        env: e.env(),
        variables: s.stmt.policy.variables,
        negated_missing: e.profile.negated_holds_on_missing_key(),
    };
    let mut options: Vec<Vec<KeyChange>> = Vec::new();
    for cond in &stmt.conditions {
        if condition::evaluate(cond, &lookup).holds {
            continue;
        }
        let alts = to_hold(e, cond, lookup.negated_missing);
        if alts.is_empty() {
            return Vec::new();
        }
        options.push(alts);
    }
    request_edits(at, options)
}

/// One request edit per alternative where a single condition needs a change; with several,
/// the first alternative of each.
fn request_edits(at: At, options: Vec<Vec<KeyChange>>) -> Vec<Edit> {
    match options.len() {
        0 => Vec::new(),
        1 => options
            .into_iter()
            .flatten()
            .map(|c| Edit::Request {
                at,
                changes: vec![c],
            })
            .collect(),
        _ => {
            let changes: Vec<KeyChange> = options
                .into_iter()
                .filter_map(|o| o.into_iter().next())
                .collect();
            vec![Edit::Request { at, changes }]
        }
    }
}

/// Whether the request may send `key`: not a key polsim derives from the caller or the
/// resource (those are facts of the caller, not of the request), unless the request already
/// sets it.
fn sendable(e: &Evaluation<'_>, key: &str) -> bool {
    let user = &e.request.context;
    user.contains(key)
        || !e
            .prepared
            .derived
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(key))
}

fn was(e: &Evaluation<'_>, key: &str) -> Option<Vec<String>> {
    e.env()
        .get(key)
        .map(|v| v.iter().map(str::to_string).collect())
}

/// The policy values a request value can be set to, exactly (no wildcard, no variable).
fn exact_values(cond: &Condition) -> Vec<String> {
    let mut out = Vec::new();
    for v in &cond.values {
        let text = match (&v.typed, cond.op.family) {
            (None, _) => continue,
            (Some(Typed::Net(n)), _) => n.network().to_string(),
            (Some(_), OpFamily::Numeric(c) | OpFamily::Date(c))
                if matches!(c, crate::ir::Cmp::Lt | crate::ir::Cmp::Gt) =>
            {
                continue
            }
            (Some(Typed::Invalid), _) => continue,
            (Some(_), OpFamily::StringLike | OpFamily::Arn) if !literal(&v.text) => continue,
            (Some(_), OpFamily::Bool) => v.text.to_ascii_lowercase(),
            (Some(_), _) => v.text.clone(),
        };
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

fn value_for(cond: &Condition, text: String) -> CtxValue {
    if cond.op.set.is_some() {
        CtxValue::Many(vec![text])
    } else {
        CtxValue::One(text)
    }
}

/// Request changes under which a failing condition holds.
fn to_hold(e: &Evaluation<'_>, cond: &Condition, negated_missing: bool) -> Vec<KeyChange> {
    if !sendable(e, &cond.key) {
        return Vec::new();
    }
    let change = |value| KeyChange {
        key: cond.key.clone(),
        value,
        was: was(e, &cond.key),
        policy: cond.values.iter().map(|v| v.text.clone()).collect(),
    };
    let op = cond.op;
    if op.family == OpFamily::Null {
        // `Null: true` holds when the key is absent; `false` needs a value polsim cannot pick.
        return if cond
            .values
            .iter()
            .any(|v| v.text.eq_ignore_ascii_case("true"))
        {
            vec![change(None)]
        } else {
            Vec::new()
        };
    }
    if op.negated {
        return if op.if_exists || (negated_missing && op.set.is_none()) {
            vec![change(None)]
        } else {
            Vec::new()
        };
    }
    exact_values(cond)
        .into_iter()
        .map(|t| change(Some(value_for(cond, t))))
        .collect()
}

/// Request changes under which a condition that holds (in a Deny) fails.
fn to_fail(e: &Evaluation<'_>, cond: &Condition) -> Vec<KeyChange> {
    if !sendable(e, &cond.key) {
        return Vec::new();
    }
    let change = |value| KeyChange {
        key: cond.key.clone(),
        value,
        was: was(e, &cond.key),
        policy: cond.values.iter().map(|v| v.text.clone()).collect(),
    };
    let op = cond.op;
    let present = e.env().get(&cond.key).is_some();
    match op.family {
        OpFamily::Null => {
            if cond
                .values
                .iter()
                .any(|v| v.text.eq_ignore_ascii_case("true"))
            {
                // The key must be there: the values other conditions of the stack give it.
                values_elsewhere(e, &cond.key)
                    .into_iter()
                    .map(|t| change(Some(CtxValue::One(t))))
                    .collect()
            } else {
                vec![change(None)]
            }
        }
        OpFamily::Bool if !op.negated => {
            // The opposite of the value that matched.
            let mut out = Vec::new();
            for v in &cond.values {
                let opposite = if v.text.eq_ignore_ascii_case("true") {
                    "false"
                } else {
                    "true"
                };
                let c = change(Some(value_for(cond, opposite.into())));
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            out
        }
        _ if op.negated => exact_values(cond)
            .into_iter()
            .map(|t| change(Some(value_for(cond, t))))
            .collect(),
        _ if present && !op.if_exists => vec![change(None)],
        _ => Vec::new(),
    }
}

/// Values the stack's other conditions give `key` (a key that must be present: `Null`), and
/// `true` for a key whose conditions are booleans.
fn values_elsewhere(e: &Evaluation<'_>, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, p) in e.stack.all_policies() {
        for s in &p.statements {
            for c in &s.conditions {
                if c.key.eq_ignore_ascii_case(key) && c.op.family != OpFamily::Null {
                    for t in exact_values(c) {
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                    if c.op.family == OpFamily::Bool {
                        for t in ["true", "false"] {
                            if !out.iter().any(|x| x == t) {
                                out.push(t.into());
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn explicit(e: &Evaluation<'_>) -> Vec<(Edit, Option<Place>)> {
    let mut out = Vec::new();
    let (Some(deny), Some(layer)) = (e.statement(), e.layer()) else {
        return out;
    };
    let Some(at) = locate(e.stack, deny) else {
        return out;
    };
    let place = Some(Place::of(deny, layer));
    let lookup = KeyLookup {
        env: e.env(),
        variables: deny.policy.variables,
        negated_missing: e.profile.negated_holds_on_missing_key(),
    };
    // Any one of the Deny's conditions failing is enough: one request change per condition.
    for cond in &deny.stmt.conditions {
        if !condition::evaluate(cond, &lookup).holds {
            continue;
        }
        for c in to_fail(e, cond) {
            out.push((
                Edit::Request {
                    at,
                    changes: vec![c],
                },
                place.clone(),
            ));
        }
    }
    // Nothing the request can change: the Deny itself, said to open more.
    out.push((Edit::RemoveDeny { at }, place));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConditionValue, Operator};
    use crate::request::Context;

    const DAVE: &str = "arn:aws:iam::111122223333:user/Dave";
    const OBJECT: &str = "arn:aws:s3:::bucket/key";

    fn statement(
        effect: Effect,
        sid: &str,
        actions: &[&str],
        conditions: Vec<Condition>,
    ) -> Statement {
        let clause = |items| Clause {
            negated: false,
            pos: Pos::default(),
            items,
        };
        Statement {
            index: 1,
            sid: Some(sid.into()),
            pos: Pos { line: 5, col: 9 },
            effect,
            action: clause(
                actions
                    .iter()
                    .map(|a| action_pattern(Cloud::Aws, a))
                    .collect(),
            ),
            resource: Some(Clause {
                negated: false,
                pos: Pos::default(),
                items: vec![resource_pattern(Cloud::Aws, "arn:aws:s3:::bucket/*")],
            }),
            principal: None,
            conditions,
        }
    }

    fn condition(
        op_text: &str,
        family: OpFamily,
        negated: bool,
        key: &str,
        value: &str,
    ) -> Condition {
        let (template, _) = Template::new(value, false, false);
        Condition {
            op: Operator {
                family,
                negated,
                if_exists: false,
                set: None,
            },
            op_text: op_text.into(),
            op_pos: Pos::default(),
            key: key.into(),
            key_pos: Pos::default(),
            values: vec![ConditionValue::new(
                value.into(),
                template,
                Pos::default(),
                family,
            )],
        }
    }

    fn policy(id: &str, statements: Vec<Statement>) -> Policy {
        Policy {
            id: id.into(),
            file: None,
            cloud: Cloud::Aws,
            version: Some("2012-10-17".into()),
            variables: true,
            pos: Pos::default(),
            statements,
        }
    }

    fn request(action: &str) -> Request {
        let caller = crate::clouds::of(Cloud::Aws)
            .parse_caller(DAVE, None)
            .unwrap_or_else(|_| Caller::anonymous("x", "aws", None));
        Request {
            cloud: Cloud::Aws,
            caller,
            action: action.into(),
            resource: OBJECT.into(),
            resource_account: Some("111122223333".into()),
            access_point: None,
            context: Context::new(),
            extras: Default::default(),
        }
    }
    use crate::request::Caller;

    fn advice_for(stack: &Stack, req: &Request) -> Vec<Advice> {
        advise(&flow::evaluate(stack, req, true))
    }

    /// Applies the advice to copies and judges again.
    fn applied(stack: &Stack, req: &Request, advice: &[Advice]) -> Decision {
        let (mut s, mut r) = (stack.clone(), req.clone());
        for a in advice {
            a.edit.apply(&mut s, &mut r);
        }
        flow::evaluate(&s, &r, false).decision()
    }

    #[test]
    fn a_missing_action_is_added_exactly_to_the_closest_statement() {
        let mut stack = Stack::new();
        stack.push(
            Layer::Identity,
            None,
            policy(
                "dave",
                vec![statement(
                    Effect::Allow,
                    "Stmt1",
                    &["s3:GetObject"],
                    Vec::new(),
                )],
            ),
        );
        let req = request("s3:PutObjectAcl");
        let advice = advice_for(&stack, &req);
        assert_eq!(advice.len(), 1);
        let a = &advice[0];
        assert!(matches!(&a.edit, Edit::AddAction { action, .. } if action == "s3:PutObjectAcl"));
        assert_eq!(a.after, After::Allows);
        assert_eq!(
            a.describe(),
            "add `s3:PutObjectAcl` to the Action of statement `Stmt1` of `dave` (line 5, column 9)"
        );
        assert_eq!(applied(&stack, &req, &advice), Decision::Allow);
        // Exactly the action: another action is still denied after the edit.
        let mut s = stack.clone();
        let mut r = req.clone();
        a.edit.apply(&mut s, &mut r);
        let other = request("s3:DeleteObject");
        assert_eq!(
            flow::evaluate(&s, &other, false).decision(),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn with_no_statement_close_a_minimal_statement_is_added() {
        let mut stack = Stack::new();
        stack.declare(Layer::Identity, None);
        let req = request("s3:GetObject");
        let advice = advice_for(&stack, &req);
        assert_eq!(advice.len(), 1);
        match &advice[0].edit {
            Edit::NewStatement {
                action,
                resource,
                principal,
                ..
            } => {
                assert_eq!(action, "s3:GetObject");
                assert_eq!(resource.as_deref(), Some(OBJECT));
                assert_eq!(principal, &None);
            }
            e => panic!("{e:?}"),
        }
        assert_eq!(applied(&stack, &req, &advice), Decision::Allow);
    }

    #[test]
    fn an_mfa_deny_is_lifted_by_signing_with_mfa_not_by_removing_it() {
        let deny = statement(
            Effect::Deny,
            "DenyNoMFA",
            &["s3:*"],
            vec![condition(
                "BoolIfExists",
                OpFamily::Bool,
                false,
                "aws:MultiFactorAuthPresent",
                "false",
            )],
        );
        let mut deny = deny;
        if let Some(c) = deny.conditions.first_mut() {
            c.op.if_exists = true;
        }
        let mut stack = Stack::new();
        stack.push(
            Layer::Identity,
            None,
            policy(
                "dave",
                vec![
                    statement(Effect::Allow, "Read", &["s3:GetObject"], Vec::new()),
                    deny,
                ],
            ),
        );
        let req = request("s3:GetObject");
        assert_eq!(
            flow::evaluate(&stack, &req, false).decision(),
            Decision::ExplicitDeny
        );
        let advice = advice_for(&stack, &req);
        assert_eq!(advice.len(), 1);
        let a = &advice[0];
        assert!(!a.edit.opens_more());
        assert!(matches!(&a.edit, Edit::Request { changes, .. }
            if changes.first().is_some_and(|c| c.value == Some(CtxValue::One("true".into())))));
        assert_eq!(
            a.describe(),
            "the Deny `DenyNoMFA` of `dave` (line 5, column 9) matched because `aws:MultiFactorAuthPresent` is absent: sign the request with MFA (`aws:MultiFactorAuthPresent` = `true`)"
        );
        assert_eq!(applied(&stack, &req, &advice), Decision::Allow);
    }

    #[test]
    fn an_unconditional_deny_can_only_be_removed_and_that_says_it_opens_more() {
        let mut stack = Stack::new();
        stack.push(
            Layer::Identity,
            None,
            policy(
                "dave",
                vec![
                    statement(Effect::Allow, "Read", &["s3:GetObject"], Vec::new()),
                    statement(Effect::Deny, "DenyAll", &["s3:*"], Vec::new()),
                ],
            ),
        );
        let req = request("s3:GetObject");
        let advice = advice_for(&stack, &req);
        assert_eq!(advice.len(), 1);
        assert!(advice[0].edit.opens_more());
        assert!(advice[0]
            .describe()
            .contains("opens more than this request"));
        assert_eq!(applied(&stack, &req, &advice), Decision::Allow);
    }

    #[test]
    fn a_denial_of_two_layers_gets_one_edit_per_layer() {
        let mut stack = Stack::new();
        stack.push(
            Layer::Identity,
            None,
            policy(
                "dave",
                vec![statement(Effect::Allow, "Ec2", &["ec2:*"], Vec::new())],
            ),
        );
        stack.push(
            Layer::PermissionsBoundary,
            None,
            policy(
                "boundary",
                vec![statement(Effect::Allow, "Ec2", &["ec2:*"], Vec::new())],
            ),
        );
        let req = request("s3:GetObject");
        let advice = advice_for(&stack, &req);
        assert_eq!(advice.len(), 2, "{advice:?}");
        assert!(matches!(advice[0].after, After::MovesOn(Some(_))));
        assert!(advice[0].describe().contains("then the"));
        assert_eq!(advice[1].after, After::Allows);
        for a in &advice {
            // Exactly the action, never `s3:*`.
            assert!(matches!(&a.edit, Edit::AddAction { action, .. } if action == "s3:GetObject"));
        }
        assert_eq!(applied(&stack, &req, &advice), Decision::Allow);
    }

    #[test]
    fn no_advice_for_an_allow_or_without_explaining() {
        let mut stack = Stack::new();
        stack.push(
            Layer::Identity,
            None,
            policy(
                "dave",
                vec![statement(
                    Effect::Allow,
                    "Read",
                    &["s3:GetObject"],
                    Vec::new(),
                )],
            ),
        );
        assert!(advice_for(&stack, &request("s3:GetObject")).is_empty());
        let req = request("s3:PutObject");
        assert!(advise(&flow::evaluate(&stack, &req, false)).is_empty());
    }

    #[test]
    fn names_with_wildcards_are_never_added() {
        assert!(!literal("s3:Get*"));
        assert!(!literal("arn:aws:s3:::b/${aws:username}"));
        assert!(exact_resource(Cloud::Aliyun, "acs:oss:*:1234:bucket/key"));
        assert!(!exact_resource(Cloud::Aws, "arn:aws:s3:::b/k*"));
        let mut stack = Stack::new();
        stack.declare(Layer::Identity, None);
        assert!(advice_for(&stack, &request("s3:Get*")).is_empty());
    }
}
