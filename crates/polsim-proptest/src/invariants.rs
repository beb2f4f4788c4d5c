//! The evaluator's invariants, checked on one stack and request: one copy that the property
//! tests (`tests/invariants.rs`) and the fuzz targets (`fuzz/`) both call.
//!
//! - **Explain on/off agree**: `evaluate_with(.., true)` and `(.., false)` give the same
//!   [`Verdict`](polsim_core::Verdict), and [`Report::new`] words both without panicking.
//! - **Order does not matter**: reversing the statements of every policy, the policies of every
//!   layer and level, and the levels of every chain gives the same decision.
//! - **Deny wins**: a Deny twin (same elements, `Effect` Deny) of any matching Allow, added
//!   beside it, leaves no Allow.
//! - **Intersecting layers only restrict**: a layer that must also allow (a new SCP or RCP
//!   level, a boundary, a session policy, an endpoint policy, where the stack has none), added
//!   with statements taken from the stack itself, never turns a deny into Allow, and never
//!   lifts an explicit deny.
//!
//! The documented exceptions, where the clouds' own rules make a property false, are
//! written in [`deny_twin_exception`] and [`intersecting_exception`], and in
//! `docs/robustness.md` ("Fuzzing and invariants").

use polsim_core::decide::Facts;
use polsim_core::ir::{Effect, Policy, PrincipalForm, Statement};
use polsim_core::request::CallerKind;
use polsim_core::{Cloud, Decision, Layer, Report, Request, Stack, StatementRef};

/// Where a statement of a stack sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The layer.
    pub layer: Layer,
    /// The level, for chain layers.
    pub level: Option<String>,
}

/// The name of the level [`check`] adds to a chain layer.
pub const EXTRA_LEVEL: &str = "polsim-extra";

/// How many single statements [`check`] tries as an intersecting layer, at most.
const SINGLE_STATEMENTS: usize = 6;

/// Checks every invariant; `Err` says which failed and how.
pub fn check(stack: &Stack, req: &Request) -> Result<(), String> {
    let decision = explain_agrees(stack, req)?;
    order_independent(stack, req, decision)?;
    deny_twins(stack, req)?;
    intersecting_layers(stack, req, decision)?;
    service_agrees(stack, req)?;
    Ok(())
}

/// The service's plan (the operation's steps and the service's own checks, the request's
/// state): explain on and off give the same service verdict, the report is worded without
/// panicking, a denial carries an HTTP error status, and an Allow has no explicitly denied step
/// (explicit deny wins across a plan's steps too). An unknown operation is a diagnostic of the
/// readers, not a finding.
pub fn service_agrees(stack: &Stack, req: &Request) -> Result<(), String> {
    let Ok(plan) = polsim_core::flow::plan(stack, req) else {
        return Ok(());
    };
    let full = polsim_core::flow::evaluate_plan(&plan, true);
    let fast = polsim_core::flow::evaluate_plan(&plan, false);
    if full.verdict != fast.verdict {
        return Err(format!(
            "explain changes the service verdict: with {:?}, without {:?}",
            full.verdict, fast.verdict
        ));
    }
    let _ = Report::for_service(&plan, &full);
    let v = full.verdict;
    if v.decision == Decision::Allow {
        if let Some(e) = full
            .evals
            .iter()
            .find(|e| e.decision() == Decision::ExplicitDeny)
        {
            return Err(format!(
                "the service allows although a step is explicitly denied: {:?}",
                e.verdict
            ));
        }
    } else if v.status < 400 {
        return Err(format!("a denial answers HTTP {}", v.status));
    }
    Ok(())
}

/// Explain on and off give the same verdict, and both are worded without panicking. Returns the
/// decision.
pub fn explain_agrees(stack: &Stack, req: &Request) -> Result<Decision, String> {
    let full = polsim_core::evaluate_with(stack, req, true);
    let fast = polsim_core::evaluate_with(stack, req, false);
    if full.verdict != fast.verdict {
        return Err(format!(
            "explain changes the verdict: with {:?}, without {:?}",
            full.verdict, fast.verdict
        ));
    }
    let report = Report::new(&full);
    let _ = Report::new(&fast);
    if full.decision() == Decision::ExplicitDeny && full.statement().is_none() {
        return Err("an explicit deny names no statement".into());
    }
    if full.decision() != Decision::Allow && report.message.is_none() {
        return Err("a denial has no message".into());
    }
    Ok(full.decision())
}

fn decision(stack: &Stack, req: &Request) -> Decision {
    polsim_core::evaluate_with(stack, req, false).decision()
}

/// Every statement of the stack, with its place.
pub fn statements(stack: &Stack) -> Vec<(Place, &Policy, &Statement)> {
    let mut out = Vec::new();
    for layer in Layer::ALL {
        for lv in stack.levels(layer).unwrap_or(&[]) {
            let place = Place {
                layer,
                level: layer.has_levels().then(|| lv.name.clone()),
            };
            for p in &lv.policies {
                for s in &p.statements {
                    out.push((place.clone(), p, s));
                }
            }
        }
    }
    out
}

/// The stack with statements, policies and levels in reverse order.
pub fn reversed(stack: &Stack) -> Stack {
    let mut out = Stack::new();
    out.state = stack.state.clone();
    for layer in Layer::ALL {
        let Some(levels) = stack.levels(layer) else {
            continue;
        };
        out.declare(layer, None);
        for lv in levels.iter().rev() {
            let level = layer.has_levels().then_some(lv.name.as_str());
            out.declare(layer, level);
            for p in lv.policies.iter().rev() {
                let mut p = p.clone();
                p.statements.reverse();
                out.push(layer, level, p);
            }
        }
    }
    out
}

/// Reversing every order gives the same decision.
pub fn order_independent(stack: &Stack, req: &Request, expected: Decision) -> Result<(), String> {
    let got = decision(&reversed(stack), req);
    if got != expected {
        return Err(format!(
            "order matters: {} in document order, {} reversed",
            expected.name(),
            got.name()
        ));
    }
    Ok(())
}

/// Where `s` sits in `stack`.
pub fn place_of(stack: &Stack, s: StatementRef<'_>) -> Option<Place> {
    statements(stack)
        .into_iter()
        .find(|(_, p, st)| std::ptr::eq(*p, s.policy) && std::ptr::eq(*st, s.stmt))
        .map(|(place, _, _)| place)
}

/// `stack` with `stmts` added to `place` as one policy modelled on `model` (its cloud, version
/// and variables).
pub fn with_policy(stack: &Stack, place: &Place, model: &Policy, stmts: Vec<Statement>) -> Stack {
    let mut out = stack.clone();
    let mut p = model.clone();
    p.id = format!("{}-added", model.id);
    p.statements = stmts;
    for (i, s) in p.statements.iter_mut().enumerate() {
        s.index = i + 1;
    }
    out.push(place.layer, place.level.as_deref(), p);
    out
}

/// Why a Deny twin of `allow` (in `layer`) may leave the request allowed, by the cloud's own
/// documented rules; `None` where it must not.
pub fn deny_twin_exception(
    cloud: Cloud,
    facts: &Facts,
    layer: Layer,
    allow: &Statement,
) -> Option<&'static str> {
    match cloud {
        // The bucket owner's root user can always get, put and delete its bucket policy: a
        // bucket-policy Deny does not stop it (docs/semantics/aws.md).
        Cloud::Aws if layer == Layer::Resource && facts.bucket_policy_action && facts.owner_root() => {
            Some("AWS: a bucket-policy deny does not stop the owner's root user on the bucket-policy actions")
        }
        // A bucket-policy statement for `*` without a condition does not apply to the bucket
        // owner (OSS bucket policy documentation).
        Cloud::Aliyun
            if layer == Layer::Resource
                && facts.owner_root()
                && allow.conditions.is_empty()
                && allow.principal.as_ref().is_some_and(|p| {
                    p.items.iter().all(|e| {
                        e.kind == polsim_core::ir::PrincipalKind::Any || e.value == "*"
                    })
                }) =>
        {
            Some("OSS: a wildcard bucket-policy deny without a condition does not apply to the bucket owner")
        }
        // "Deny all users" (`qcs::cam::anyone:anyone`) denies anonymous users only, never CAM
        // users (COS bucket policy documentation); an Allow for everyone covers everyone.
        Cloud::Tencent
            if facts.caller != CallerKind::Anonymous
                && allow.principal.as_ref().is_some_and(|p| {
                    p.items.iter().any(|e| e.form == PrincipalForm::Anyone)
                }) =>
        {
            Some("COS: a deny for `anyone` reaches unsigned callers only")
        }
        _ => None,
    }
}

/// A Deny twin of every matching Allow, added beside it, leaves no Allow (except where
/// [`deny_twin_exception`] says the cloud itself lets the request through).
pub fn deny_twins(stack: &Stack, req: &Request) -> Result<(), String> {
    let e = polsim_core::evaluate_with(stack, req, false);
    let facts = e.prepared.facts;
    let mut seen: Vec<StatementRef<'_>> = Vec::new();
    for run in &e.outcomes.runs {
        for (s, _) in &run.allows {
            if seen.contains(s) {
                continue;
            }
            seen.push(*s);
            if deny_twin_exception(req.cloud, &facts, run.layer, s.stmt).is_some() {
                continue;
            }
            let Some(place) = place_of(stack, *s) else {
                return Err(format!("statement {} is not in the stack", s.label()));
            };
            let mut twin = s.stmt.clone();
            twin.effect = Effect::Deny;
            let with = with_policy(stack, &place, s.policy, vec![twin]);
            let got = decision(&with, req);
            if got == Decision::Allow {
                return Err(format!(
                    "a Deny twin of {} ({}) in {} leaves the request allowed",
                    s.label(),
                    s.location(),
                    place.layer.name()
                ));
            }
        }
    }
    Ok(())
}

/// The layers of `cloud` that only restrict.
pub fn intersecting(cloud: Cloud) -> &'static [Layer] {
    match cloud {
        Cloud::Aws => &[
            Layer::Scp,
            Layer::Rcp,
            Layer::PermissionsBoundary,
            Layer::Session,
            Layer::VpcEndpoint,
        ],
        Cloud::Aliyun => &[Layer::Scp, Layer::Session, Layer::VpcEndpoint],
        Cloud::Tencent => &[Layer::PermissionsBoundary, Layer::Session],
    }
}

/// Why adding `layer` may turn a deny into Allow, by the cloud's own documented rules; `None`
/// where it must not.
pub fn intersecting_exception(
    cloud: Cloud,
    stack: &Stack,
    req: &Request,
    layer: Layer,
) -> Option<&'static str> {
    // A GetFederationToken session given no session policy has no permissions (AWS STS
    // documentation): giving it one can allow what it could not do before.
    (cloud == Cloud::Aws
        && layer == Layer::Session
        && req.caller.kind == CallerKind::FederatedUser
        && !stack.has(Layer::Session))
    .then_some("AWS: a federated-user session with no session policy has no permissions")
}

/// A statement moved to `layer`: principals kept only where the layer has them.
fn moved(s: &Statement, layer: Layer) -> Statement {
    let mut s = s.clone();
    if !layer.has_principal() {
        s.principal = None;
    }
    s
}

/// An intersecting layer made of the stack's own statements (all of them, and each of the first
/// few alone) never turns a deny into Allow, and never lifts an explicit deny.
pub fn intersecting_layers(stack: &Stack, req: &Request, before: Decision) -> Result<(), String> {
    if before == Decision::Allow {
        return Ok(());
    }
    let all = statements(stack);
    let Some((_, model, _)) = all.first() else {
        return Ok(());
    };
    for &layer in intersecting(req.cloud) {
        // A policy added to a layer the stack has widens that layer (its policies are a
        // union): what intersects is a new layer, or a new level of a chain.
        if (stack.has(layer) && !layer.has_levels())
            || intersecting_exception(req.cloud, stack, req, layer).is_some()
        {
            continue;
        }
        let place = Place {
            layer,
            level: layer.has_levels().then(|| EXTRA_LEVEL.to_string()),
        };
        let mut tries: Vec<Vec<Statement>> =
            vec![all.iter().map(|(_, _, s)| moved(s, layer)).collect()];
        tries.extend(
            all.iter()
                .take(SINGLE_STATEMENTS)
                .map(|(_, _, s)| vec![moved(s, layer)]),
        );
        for stmts in tries {
            let n = stmts.len();
            let with = with_policy(stack, &place, model, stmts);
            let after = decision(&with, req);
            let lifted = after == Decision::Allow
                || (before == Decision::ExplicitDeny && after != Decision::ExplicitDeny);
            if lifted {
                return Err(format!(
                    "adding a {} layer of {n} of the stack's statements turns {} into {}",
                    layer.name(),
                    before.name(),
                    after.name()
                ));
            }
        }
    }
    Ok(())
}
