//! Statement and layer evaluation shared by every cloud.
//!
//! A [`Dialect`] supplies what differs between clouds (how resource names, principals and
//! action names compare); this module walks statements in order, stops at the first element
//! that fails, and records the outcome for the explanation. The cloud modules combine layer
//! results into a decision.

use crate::condition::{self, KeyLookup};
use crate::explain::{
    Checks, Decision, Evaluation, LayerReport, LayerStatus, Mismatch, StatementRef, StatementReport,
};
use crate::ir::{Clause, Effect, Layer, Policy, PrincipalEntry, ResourcePattern, Statement};
use crate::request::{Caller, Context};
use std::collections::BTreeSet;

/// How a principal entry matched, which decides what a resource-policy allow overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalHow {
    /// The layer has no principals (identity, boundary, session, SCP).
    NotApplicable,
    /// The entry names the caller's account: a delegation to the account's own policies.
    Account,
    /// The entry names the role a session belongs to.
    Role,
    /// The entry names the IAM user that federated (limited like a role).
    FederatingUser,
    /// The entry names the caller itself (user, session, federated user, service).
    Direct,
    /// `*`, or `NotPrincipal` that does not list the caller.
    Any,
}

/// What differs between clouds when one statement is matched.
pub trait Dialect {
    /// Whether action names compare case-insensitively.
    fn actions_case_insensitive(&self) -> bool;
    /// Whether condition keys compare case-sensitively.
    fn keys_case_sensitive(&self) -> bool;
    /// Whether a negated operator (`StringNotEquals`, ...) holds when the key is absent: true on
    /// AWS (and, by that analogy, RAM); false in CAM, whose documentation says every operator
    /// without `_if_exist` is false when the request lacks the key.
    fn negated_holds_on_missing_key(&self) -> bool {
        true
    }
    /// Whether `pattern` matches `resource`; `Err(key)` when a policy variable has no value.
    fn resource_matches(
        &self,
        pattern: &ResourcePattern,
        resource: &str,
        layer: Layer,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<bool, String>;
    /// How `entry` names `caller`, if it does, in a statement with `effect`.
    fn principal_matches(
        &self,
        entry: &PrincipalEntry,
        caller: &Caller,
        layer: Layer,
        effect: Effect,
    ) -> Option<PrincipalHow>;
    /// Whether a `NotPrincipal` list exempts the caller from a statement with `effect` (only
    /// dialects that have `NotPrincipal` need to say).
    fn not_principal_exempts(
        &self,
        _entries: &[PrincipalEntry],
        _caller: &Caller,
        _effect: Effect,
        _has_boundary: bool,
    ) -> bool {
        false
    }
    /// A hint for a principal near miss (say, a user name differing in case).
    fn principal_note(&self, _entries: &[PrincipalEntry], _caller: &Caller) -> Option<String> {
        None
    }
}

/// What every dialect decides before comparing segments: `*` matches everything; only `*`
/// matches a request with no resource (`*`); a name that is not `n` segments long (or, with
/// `full_pattern`, a pattern that is not) compares whole, as one wildcard string. `Err` carries
/// such a decision, `Ok` the request name's segments.
pub fn split_resource<'r>(
    pattern: &ResourcePattern,
    resource: &'r str,
    n: usize,
    prefix: &str,
    full_pattern: bool,
) -> Result<Vec<&'r str>, bool> {
    if pattern.any {
        return Err(true);
    }
    if resource == "*" {
        return Err(false);
    }
    let parts: Vec<&str> = resource.splitn(n, ':').collect();
    if parts.len() != n
        || parts.first() != Some(&prefix)
        || (full_pattern && pattern.segments.len() != n)
    {
        return Err(crate::pattern::Glob::new(&pattern.text).matches(resource));
    }
    Ok(parts)
}

/// Matches a resource name already split into `parts` against a pattern, segment by segment:
/// every segment but the last compares case-insensitively with `*` and `?` confined to it; the
/// last (the resource part) compares case-sensitively, `*` spanning `/` and `:`, with policy
/// variables substituted by `lookup`. `skip(i, pattern_segment, part)` lets a dialect accept a
/// segment without comparing it. Pattern segments beyond the name's never match; name segments
/// beyond a (short) pattern's are accepted.
pub fn match_segments(
    pattern: &ResourcePattern,
    parts: &[&str],
    lookup: &dyn Fn(&str) -> Option<String>,
    skip: impl Fn(usize, &str, &str) -> bool,
) -> Result<bool, String> {
    let last = parts.len().saturating_sub(1);
    for (i, seg) in pattern.segments.iter().enumerate() {
        let Some(part) = parts.get(i) else {
            return Ok(false);
        };
        if skip(i, &seg.text, part) {
            continue;
        }
        let ok = if i < last {
            seg.resolve(|_| None, true)?.matches(&part.to_lowercase())
        } else {
            seg.resolve(lookup, false)?.matches(part)
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Everything one statement is matched against.
#[derive(Clone)]
pub struct Scope<'a> {
    /// The cloud's rules.
    pub dialect: &'a dyn Dialect,
    /// Who calls.
    pub caller: &'a Caller,
    /// The action, normalised for the dialect.
    pub action: &'a str,
    /// The action as requested (for explanations).
    pub action_display: &'a str,
    /// The resource this layer is judged against.
    pub resource: &'a str,
    /// The context, derived keys included.
    pub context: &'a Context,
    /// Whether the caller has a permissions boundary (AWS Deny + NotPrincipal rule).
    pub has_boundary: bool,
    /// Whether to build explanations.
    pub explain: bool,
}

/// The result of one layer (or one level).
#[derive(Debug, Clone, Default)]
pub struct LayerEval {
    /// Matching Allow statements and how their principal matched.
    pub allows: Vec<(StatementRef, PrincipalHow)>,
    /// Matching Deny statements.
    pub denies: Vec<StatementRef>,
    /// Per-statement outcomes (empty unless explaining).
    pub statements: Vec<StatementReport>,
}

impl LayerEval {
    /// The strongest way an Allow matched, if any.
    pub fn best_allow(&self) -> Option<PrincipalHow> {
        self.allows.iter().map(|(_, h)| *h).max()
    }

    /// The status for a report.
    pub fn status(&self) -> LayerStatus {
        if !self.denies.is_empty() {
            LayerStatus::Denies
        } else if !self.allows.is_empty() {
            LayerStatus::Allows
        } else {
            LayerStatus::NoAllow
        }
    }

    /// A report of this layer.
    pub fn report(
        &self,
        layer: Layer,
        level: Option<&str>,
        pass: Option<&str>,
        resource: &str,
    ) -> LayerReport {
        LayerReport {
            layer,
            level: level.map(str::to_string),
            pass: pass.map(str::to_string),
            resource: resource.to_string(),
            status: self.status(),
            statements: self.statements.clone(),
        }
    }
}

/// Evaluates every statement of `policies` as layer `layer`.
pub fn eval_layer(
    scope: &Scope<'_>,
    layer: Layer,
    policies: &[Policy],
    missing: &mut BTreeSet<String>,
) -> LayerEval {
    let mut out = LayerEval::default();
    for policy in policies {
        for stmt in &policy.statements {
            let mut held = Vec::new();
            let r = match_statement(scope, layer, policy, stmt, missing, &mut held);
            let sref = || StatementRef {
                policy: policy.id.clone(),
                file: policy.file.clone(),
                index: stmt.index,
                sid: stmt.sid.clone(),
                pos: stmt.pos,
                effect: stmt.effect,
            };
            if let Ok(how) = &r {
                match stmt.effect {
                    Effect::Allow => out.allows.push((sref(), *how)),
                    Effect::Deny => out.denies.push(sref()),
                }
            }
            if scope.explain {
                out.statements.push(StatementReport {
                    stmt: sref(),
                    mismatch: r.err().flatten().map(|b| *b),
                    conditions_held: held,
                    checks: statement_checks(scope, layer, policy, stmt),
                });
            }
        }
    }
    out
}

/// Why a statement did not match, when explaining (boxed: the common path carries none).
pub type MatchErr = Option<Box<Mismatch>>;

/// Matches one statement: `Ok` with how the principal matched, or `Err` with the first element
/// that failed (`None` when not explaining). Elements are tried in the order a reader checks
/// them: action, resource, principal, conditions.
pub fn match_statement(
    scope: &Scope<'_>,
    layer: Layer,
    policy: &Policy,
    stmt: &Statement,
    missing: &mut BTreeSet<String>,
    held: &mut Vec<String>,
) -> Result<PrincipalHow, MatchErr> {
    check_action(scope, stmt)?;
    if let Some(clause) = &stmt.resource {
        match_resource(scope, layer, policy, clause, missing)?;
    }
    let how = check_principal(scope, layer, stmt)?;
    check_conditions(scope, policy, stmt, missing, held)?;
    Ok(how)
}

/// The four checks of the OSS troubleshooting guide (action, resource, effect, condition),
/// plus the principal, each judged on its own by the same element matchers.
pub fn statement_checks(
    scope: &Scope<'_>,
    layer: Layer,
    policy: &Policy,
    stmt: &Statement,
) -> Checks {
    let quiet = Scope {
        explain: false,
        ..scope.clone()
    };
    let mut scratch = BTreeSet::new();
    let mut held = Vec::new();
    Checks {
        action: check_action(&quiet, stmt).is_ok(),
        resource: stmt
            .resource
            .as_ref()
            .is_none_or(|c| match_resource(&quiet, layer, policy, c, &mut scratch).is_ok()),
        principal: layer
            .has_principal()
            .then(|| check_principal(&quiet, layer, stmt).is_ok()),
        effect: stmt.effect,
        condition: check_conditions(&quiet, policy, stmt, &mut scratch, &mut held).is_ok(),
    }
}

fn check_action(scope: &Scope<'_>, stmt: &Statement) -> Result<(), MatchErr> {
    let explain = scope.explain;
    let hit = stmt.action.items.iter().find(|a| a.matches(scope.action));
    match (stmt.action.negated, hit) {
        (false, None) => Err(explain.then(|| {
            Box::new(Mismatch::Action {
                requested: scope.action_display.to_string(),
                listed: stmt.action.items.iter().map(|a| a.text.clone()).collect(),
            })
        })),
        (true, Some(a)) => Err(explain.then(|| {
            Box::new(Mismatch::NotAction {
                requested: scope.action_display.to_string(),
                matched: a.text.clone(),
            })
        })),
        _ => Ok(()),
    }
}

fn check_principal(
    scope: &Scope<'_>,
    layer: Layer,
    stmt: &Statement,
) -> Result<PrincipalHow, MatchErr> {
    let explain = scope.explain;
    if !layer.has_principal() {
        return Ok(PrincipalHow::NotApplicable);
    }
    match &stmt.principal {
        None => Err(explain.then(|| Box::new(Mismatch::NoPrincipal))),
        Some(p) if p.negated => {
            if scope.dialect.not_principal_exempts(
                &p.items,
                scope.caller,
                stmt.effect,
                scope.has_boundary,
            ) {
                return Err(explain.then(|| {
                    Box::new(Mismatch::NotPrincipal {
                        caller: scope.caller.text.clone(),
                        listed: p.items.iter().map(|e| e.value.clone()).collect(),
                    })
                }));
            }
            Ok(PrincipalHow::Any)
        }
        Some(p) => p
            .items
            .iter()
            .filter_map(|e| {
                scope
                    .dialect
                    .principal_matches(e, scope.caller, layer, stmt.effect)
            })
            .max()
            .ok_or_else(|| {
                explain.then(|| {
                    Box::new(Mismatch::Principal {
                        caller: scope.caller.text.clone(),
                        listed: p.items.iter().map(|e| e.value.clone()).collect(),
                        note: scope.dialect.principal_note(&p.items, scope.caller),
                    })
                })
            }),
    }
}

/// Conditions, in document order; all must hold.
fn check_conditions(
    scope: &Scope<'_>,
    policy: &Policy,
    stmt: &Statement,
    missing: &mut BTreeSet<String>,
    held: &mut Vec<String>,
) -> Result<(), MatchErr> {
    let explain = scope.explain;
    let env = KeyLookup {
        context: scope.context,
        case_sensitive: scope.dialect.keys_case_sensitive(),
        negated_missing: scope.dialect.negated_holds_on_missing_key(),
        variables: policy.variables,
    };
    for cond in &stmt.conditions {
        let v = condition::evaluate(cond, &env);
        if v.request.is_none() {
            missing.insert(cond.key.clone());
        }
        missing.extend(v.unresolved.iter().cloned());
        if v.holds && explain {
            let req = match &v.request {
                None => "absent".to_string(),
                Some(vals) => vals
                    .iter()
                    .map(|x| format!("`{x}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let pol = cond
                .values
                .iter()
                .map(|x| format!("`{}`", x.text))
                .collect::<Vec<_>>()
                .join(", ");
            held.push(format!(
                "{} `{}`: request {req}, policy [{pol}]: {}",
                cond.op_text, cond.key, v.reason
            ));
        }
        if !v.holds {
            return Err(explain.then(|| {
                Box::new(Mismatch::Condition {
                    operator: cond.op_text.clone(),
                    key: cond.key.clone(),
                    pos: cond.key_pos,
                    request: v.request.clone(),
                    policy: cond.values.iter().map(|x| x.text.clone()).collect(),
                    reason: v.reason.clone(),
                })
            }));
        }
    }
    Ok(())
}

fn match_resource(
    scope: &Scope<'_>,
    layer: Layer,
    policy: &Policy,
    clause: &Clause<ResourcePattern>,
    missing: &mut BTreeSet<String>,
) -> Result<(), MatchErr> {
    let case_sensitive = scope.dialect.keys_case_sensitive();
    let vars = |k: &str| scope.context.get_single(k, case_sensitive);
    let lookup: &dyn Fn(&str) -> Option<String> = &vars;
    let no_vars = |_: &str| None;
    let lookup: &dyn Fn(&str) -> Option<String> = if policy.variables { lookup } else { &no_vars };
    let mut unresolved = Vec::new();
    let mut hit = None;
    for r in &clause.items {
        match scope
            .dialect
            .resource_matches(r, scope.resource, layer, lookup)
        {
            Ok(true) => {
                hit = Some(r);
                break;
            }
            Ok(false) => {}
            Err(key) => {
                missing.insert(key.clone());
                unresolved.push(key);
            }
        }
    }
    match (clause.negated, hit) {
        (false, None) => Err(scope.explain.then(|| {
            Box::new(Mismatch::Resource {
                requested: scope.resource.to_string(),
                listed: clause.items.iter().map(|r| r.text.clone()).collect(),
                unresolved,
            })
        })),
        (true, Some(r)) => Err(scope.explain.then(|| {
            Box::new(Mismatch::NotResource {
                requested: scope.resource.to_string(),
                matched: r.text.clone(),
            })
        })),
        _ => Ok(()),
    }
}

/// Sets a context key the simulator derives from the caller or the resource, unless the user
/// gave it, and records it for the explanation.
pub fn derive_key(
    ctx: &mut Context,
    derived: &mut Vec<(String, String)>,
    key: &str,
    value: Option<String>,
) {
    if let Some(v) = value {
        if !ctx.contains(key) {
            ctx.insert(key, crate::request::CtxValue::One(v.clone()));
            derived.push((key.to_string(), v));
        }
    }
}

/// What a cloud's decision flow concluded; the message is attached afterwards.
pub enum Verdict {
    /// Allowed, with the statement that granted (if one did) and why.
    Allow(Option<StatementRef>, String),
    /// A Deny statement matched in this layer (and level).
    Explicit(Layer, Option<String>, StatementRef),
    /// This layer (and level) did not allow, and why.
    Implicit(Layer, Option<String>, String),
}

/// The layers one request was judged against, with the notes and missing keys gathered on the
/// way: what every cloud's flow reads and what its report is built from.
#[derive(Default)]
pub struct Run {
    /// Evaluated layers: (layer, level, result, resource judged).
    pub layers: Vec<(Layer, Option<String>, LayerEval, String)>,
    /// Layers in the stack that do not take part, with the reason.
    pub not_applicable: Vec<(Layer, String)>,
    /// Rules applied where the documentation leaves a choice.
    pub notes: Vec<String>,
    /// Keys conditions referenced that the request lacked.
    pub missing: BTreeSet<String>,
}

impl Run {
    /// Evaluates `policies` as `layer` (at `level`) and keeps the result.
    pub fn eval(
        &mut self,
        scope: &Scope<'_>,
        layer: Layer,
        level: Option<String>,
        policies: &[Policy],
    ) {
        let e = eval_layer(scope, layer, policies, &mut self.missing);
        self.layers
            .push((layer, level, e, scope.resource.to_string()));
    }

    /// Records a layer of the stack that does not take part.
    pub fn skip(&mut self, layer: Layer, why: impl Into<String>) {
        self.not_applicable.push((layer, why.into()));
    }

    /// Adds a note once.
    pub fn note(&mut self, note: impl Into<String>) {
        let n = note.into();
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    /// The result of a (single-level) layer.
    pub fn get(&self, layer: Layer) -> Option<&LayerEval> {
        self.layers
            .iter()
            .find(|(l, ..)| *l == layer)
            .map(|(_, _, e, _)| e)
    }

    /// The first Allow statement of a layer.
    pub fn first_allow(&self, layer: Layer) -> Option<StatementRef> {
        self.get(layer)
            .and_then(|e| e.allows.first())
            .map(|(s, _)| s.clone())
    }

    /// The first matching Deny, layers taken in `order` (levels in stack order); `exempt`
    /// drops denies that a rule says do not apply.
    pub fn first_deny(
        &self,
        order: &[Layer],
        mut exempt: impl FnMut(Layer, &StatementRef) -> bool,
    ) -> Option<(Layer, Option<String>, StatementRef)> {
        for l in order {
            for (layer, level, e, _) in self.layers.iter().filter(|(x, ..)| x == l) {
                if let Some(d) = e.denies.iter().find(|d| !exempt(*layer, d)) {
                    return Some((*layer, level.clone(), d.clone()));
                }
            }
        }
        None
    }

    /// The first level of a chain layer (SCP, RCP) where nothing allows.
    pub fn level_without_allow(&self, layer: Layer) -> Option<Option<String>> {
        self.layers
            .iter()
            .find(|(l, _, e, _)| *l == layer && e.allows.is_empty())
            .map(|(_, level, ..)| level.clone())
    }

    /// The explanation: every layer's report, the verdict, and the message `message` gives for a
    /// deny (`(code, text)`).
    pub fn finish(
        mut self,
        caller: &Caller,
        derived: Vec<(String, String)>,
        verdict: Verdict,
        describe: impl Fn(Layer) -> &'static str,
        message: impl FnOnce(Decision, Layer, &mut Vec<String>) -> (String, String),
    ) -> Evaluation {
        let mut out = Evaluation::new(caller, derived);
        out.missing_keys = std::mem::take(&mut self.missing).into_iter().collect();
        for (layer, level, e, res) in &self.layers {
            out.layers
                .push(e.report(*layer, level.as_deref(), None, res));
        }
        let resource = self
            .layers
            .first()
            .map(|(.., r)| r.clone())
            .unwrap_or_default();
        for (layer, why) in &self.not_applicable {
            out.layers.push(LayerReport {
                layer: *layer,
                level: None,
                pass: None,
                resource: resource.clone(),
                status: LayerStatus::NotApplicable(why.clone()),
                statements: Vec::new(),
            });
        }
        let deny = match verdict {
            Verdict::Allow(stmt, reason) => {
                out.statement = stmt;
                out.reason = reason;
                None
            }
            Verdict::Explicit(layer, level, stmt) => {
                out.reason = format!(
                    "explicit deny by statement {} of {} in the {}",
                    stmt.label(),
                    stmt.policy,
                    describe(layer)
                );
                out.decision = Decision::ExplicitDeny;
                out.statement = Some(stmt);
                Some((layer, level))
            }
            Verdict::Implicit(layer, level, reason) => {
                out.decision = Decision::ImplicitDeny;
                out.reason = reason;
                Some((layer, level))
            }
        };
        if let Some((layer, level)) = deny {
            let (code, text) = message(out.decision, layer, &mut self.notes);
            out.layer = Some(layer);
            out.level = level;
            out.code = Some(code);
            out.message = Some(text);
        }
        let mut seen = BTreeSet::new();
        out.notes = self
            .notes
            .into_iter()
            .filter(|n| seen.insert(n.clone()))
            .collect();
        out
    }
}

/// The reason given for an allow.
pub fn allow_reason(stmt: &Option<StatementRef>, otherwise: &str) -> String {
    match stmt {
        Some(s) => format!(
            "allowed: statement {} of {} allows and nothing denies",
            s.label(),
            s.policy
        ),
        None => otherwise.to_string(),
    }
}
