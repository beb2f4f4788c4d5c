//! Statement and layer evaluation shared by every cloud.
//!
//! The cloud's [`CloudProfile`] supplies what differs (how resource names, principals and
//! condition keys compare); this module walks statements in order and, for each, either
//! returns how its principal matched or the first element that failed, as a [`Fail`] code.
//! Explaining is a boundary, not a flag inside the matchers: [`eval_layer`] records per-statement
//! outcomes only when it is given a [`Trace`].

use crate::condition::{self, CondOutcome, KeyLookup};
use crate::decide::{Facts, LayerRun, Pass, PrincipalHow};
use crate::ir::{
    Clause, Effect, Layer, Policy, PrincipalEntry, PrincipalForm, ResourcePattern, SegmentRule,
    Statement,
};
use crate::profile::{CloudProfile, Who};
use crate::request::{Caller, CallerKind, Env};
use crate::stack::StatementRef;

/// The first element of a statement that did not match the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fail {
    /// No `Action` entry matches.
    Action,
    /// The `NotAction` entry at this place matches.
    NotAction(usize),
    /// No `Resource` entry matches.
    Resource,
    /// The `NotResource` entry at this place matches.
    NotResource(usize),
    /// No `Principal` entry names the caller.
    Principal,
    /// `NotPrincipal` exempts the caller.
    NotPrincipal,
    /// A statement of a layer with principals has no `Principal`.
    NoPrincipal,
    /// The condition at this place does not hold.
    Condition(usize, CondOutcome),
}

/// Everything one statement is matched against.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The cloud's rules.
    pub profile: &'a dyn CloudProfile,
    /// Who calls.
    pub caller: &'a Caller,
    /// The action, normalised for the cloud (case is folded while matching where it folds).
    pub action: &'a str,
    /// The resource this layer is judged against.
    pub resource: &'a str,
    /// `resource` split into the cloud's segments, once per layer run ([`Parts::of`]).
    pub parts: Parts<'a>,
    /// The context, derived keys included.
    pub env: Env<'a>,
    /// The request facts.
    pub facts: &'a Facts,
}

/// Each element of a statement judged on its own: the questions the OSS and COS troubleshooting
/// guides tell users to answer by hand for every statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// Does the action match?
    pub action: bool,
    /// Does the resource match?
    pub resource: bool,
    /// Does the principal match (layers with principals only)?
    pub principal: Option<bool>,
    /// The statement's effect.
    pub effect: Effect,
    /// Do all conditions hold?
    pub condition: bool,
}

/// What happened to one statement, as recorded by the evaluation that decided.
#[derive(Debug, Clone)]
pub struct StatementReport<'s> {
    /// Which statement.
    pub stmt: StatementRef<'s>,
    /// `None` when it matched the request, else the first element that failed.
    pub fail: Option<Fail>,
    /// For a statement whose conditions were judged: those that held, by place.
    pub conditions_held: Vec<(usize, CondOutcome)>,
    /// Each element judged on its own.
    pub checks: Checks,
}

/// What explaining records while a layer is evaluated.
#[derive(Debug, Default)]
pub struct Trace<'s> {
    /// Per-statement outcomes of the layer just evaluated.
    pub statements: Vec<StatementReport<'s>>,
    /// Keys that conditions or policy variables referenced and the request lacked.
    pub missing: Vec<&'s str>,
}

/// Evaluates every statement of `policies` as layer `layer`; with a `trace`, also records each
/// statement's outcome and the keys that were missing.
pub fn eval_layer<'s>(
    scope: &Scope<'_>,
    pass: Pass,
    layer: Layer,
    level: Option<&'s str>,
    policies: &'s [Policy],
    index: Option<&crate::index::LevelIndex>,
    mut trace: Option<&mut Trace<'s>>,
) -> LayerRun<'s> {
    let mut run = LayerRun {
        pass,
        layer,
        level,
        allows: Vec::new(),
        denies: Vec::new(),
    };
    // The decision path visits only the statements that can match the action (crate::index);
    // explaining visits every statement, since it reports on each.
    if let (None, Some(index)) = (trace.as_ref(), index) {
        for place in index.candidates(scope.action) {
            let (pi, si) = crate::index::unplace(place);
            let Some(policy) = policies.get(pi) else {
                continue;
            };
            let Some(stmt) = policy.statements.get(si) else {
                continue;
            };
            if let Ok(how) = match_statement(scope, layer, policy, stmt, None) {
                let sref = StatementRef { policy, stmt };
                match stmt.effect {
                    Effect::Allow => run.allows.push((sref, how)),
                    Effect::Deny => run.denies.push(sref),
                }
            }
        }
        return run;
    }
    for policy in policies {
        for stmt in &policy.statements {
            let sref = StatementRef { policy, stmt };
            let mut held = Vec::new();
            let r = match_statement(
                scope,
                layer,
                policy,
                stmt,
                trace.as_deref_mut().map(|t| (&mut t.missing, &mut held)),
            );
            if let Ok(how) = r {
                match stmt.effect {
                    Effect::Allow => run.allows.push((sref, how)),
                    Effect::Deny => run.denies.push(sref),
                }
            }
            if let Some(t) = trace.as_deref_mut() {
                t.statements.push(StatementReport {
                    stmt: sref,
                    fail: r.err(),
                    conditions_held: held,
                    checks: statement_checks(scope, layer, policy, stmt),
                });
            }
        }
    }
    run
}

/// Where explaining collects missing keys and the conditions that held.
type Sink<'m, 's> = Option<(&'m mut Vec<&'s str>, &'m mut Vec<(usize, CondOutcome)>)>;

/// Matches one statement: `Ok` with how the principal matched, or `Err` with the first element
/// that failed. Elements are tried in the order a reader checks them: action, resource,
/// principal, conditions.
pub fn match_statement<'s>(
    scope: &Scope<'_>,
    layer: Layer,
    policy: &'s Policy,
    stmt: &'s Statement,
    mut sink: Sink<'_, 's>,
) -> Result<PrincipalHow, Fail> {
    check_action(scope, stmt)?;
    if let Some(clause) = &stmt.resource {
        let missing = sink.as_mut().map(|(m, _)| &mut **m);
        match_resource(scope, layer, policy, clause, missing)?;
    }
    let how = check_principal(scope, layer, stmt)?;
    check_conditions(scope, policy, stmt, sink)?;
    Ok(how)
}

/// The checks of the OSS and COS troubleshooting guides (action, resource, principal, effect,
/// condition), each element judged on its own by the same matchers.
pub fn statement_checks(
    scope: &Scope<'_>,
    layer: Layer,
    policy: &Policy,
    stmt: &Statement,
) -> Checks {
    Checks {
        action: check_action(scope, stmt).is_ok(),
        resource: stmt
            .resource
            .as_ref()
            .is_none_or(|c| match_resource(scope, layer, policy, c, None).is_ok()),
        principal: layer
            .has_principal()
            .then(|| check_principal(scope, layer, stmt).is_ok()),
        effect: stmt.effect,
        condition: check_conditions(scope, policy, stmt, None).is_ok(),
    }
}

fn check_action(scope: &Scope<'_>, stmt: &Statement) -> Result<(), Fail> {
    let hit = stmt
        .action
        .items
        .iter()
        .position(|a| a.matches(scope.action));
    match (stmt.action.negated, hit) {
        (false, None) => Err(Fail::Action),
        (true, Some(i)) => Err(Fail::NotAction(i)),
        _ => Ok(()),
    }
}

fn check_principal(
    scope: &Scope<'_>,
    layer: Layer,
    stmt: &Statement,
) -> Result<PrincipalHow, Fail> {
    if !layer.has_principal() {
        return Ok(PrincipalHow::NotApplicable);
    }
    let profile = scope.profile;
    match &stmt.principal {
        None => Err(Fail::NoPrincipal),
        Some(p) if p.negated => {
            if profile.not_principal_exempts(&p.items, scope.caller, stmt.effect, scope.facts) {
                Err(Fail::NotPrincipal)
            } else {
                Ok(PrincipalHow::Any)
            }
        }
        Some(p) => p
            .items
            .iter()
            .filter_map(|e| {
                common_principal(e, scope.caller).unwrap_or_else(|| {
                    let who = Who {
                        caller: scope.caller,
                        layer,
                        effect: stmt.effect,
                    };
                    profile.principal_matches(&e.form, &who)
                })
            })
            .max()
            .ok_or(Fail::Principal),
    }
}

/// Conditions, in document order; all must hold.
fn check_conditions<'s>(
    scope: &Scope<'_>,
    policy: &'s Policy,
    stmt: &'s Statement,
    mut sink: Sink<'_, 's>,
) -> Result<(), Fail> {
    let env = KeyLookup {
        env: scope.env,
        variables: policy.variables,
        negated_missing: scope.profile.negated_holds_on_missing_key(),
    };
    for (i, cond) in stmt.conditions.iter().enumerate() {
        let v = condition::evaluate(cond, &env);
        if let Some((missing, held)) = sink.as_mut() {
            if v.absent {
                missing.push(&cond.key);
            }
            if v.unresolved {
                for value in &cond.values {
                    for key in value.template.variables() {
                        if scope.env.single(key).is_none() {
                            missing.push(key);
                        }
                    }
                }
            }
            if v.holds {
                held.push((i, v));
            }
        }
        if !v.holds {
            return Err(Fail::Condition(i, v));
        }
    }
    Ok(())
}

fn match_resource<'s>(
    scope: &Scope<'_>,
    layer: Layer,
    policy: &'s Policy,
    clause: &'s Clause<ResourcePattern>,
    mut missing: Option<&mut Vec<&'s str>>,
) -> Result<(), Fail> {
    let env = scope.env;
    let vars = |k: &str| env.single(k).map(str::to_string);
    let no_vars = |_: &str| None;
    let lookup: &dyn Fn(&str) -> Option<String> = if policy.variables { &vars } else { &no_vars };
    let mut hit = None;
    for (i, r) in clause.items.iter().enumerate() {
        let name = (scope.resource, &scope.parts);
        match match_resource_parts(scope.profile, r, name, layer, scope.facts, lookup) {
            Ok(true) => {
                hit = Some(i);
                break;
            }
            Ok(false) => {}
            Err(key) => {
                if let Some(m) = missing.as_deref_mut() {
                    m.push(key);
                }
            }
        }
    }
    match (clause.negated, hit) {
        (false, None) => Err(Fail::Resource),
        (true, Some(i)) => Err(Fail::NotResource(i)),
        _ => Ok(()),
    }
}

/// How an account, user or role form names `caller` (Alibaba Cloud and Tencent Cloud read
/// them alike): an account names its root identity directly and delegates for the others.
pub fn account_user_role(form: &PrincipalForm, caller: &Caller) -> Option<PrincipalHow> {
    let account = caller.account.as_deref();
    let named = match form {
        PrincipalForm::Account(a) if caller.is_identity() && a.matches_opt(account) => {
            return Some(if caller.kind == CallerKind::Root {
                PrincipalHow::Direct
            } else {
                PrincipalHow::Account
            });
        }
        PrincipalForm::User { account: a, name } => {
            caller.kind == CallerKind::User
                && a.matches_opt(account)
                && name.matches_opt(caller.name.as_deref())
        }
        PrincipalForm::Role { account: a, name } => {
            caller.kind == CallerKind::RoleSession
                && a.matches_opt(account)
                && name.matches_opt(caller.name.as_deref())
        }
        _ => false,
    };
    named.then_some(PrincipalHow::Direct)
}

/// A resource name split into at most `n` `:`-separated parts, the last holding the rest,
/// without allocating.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'r> {
    items: [&'r str; 8],
    len: usize,
}

impl<'r> Parts<'r> {
    /// Splits `name` into at most `n` (up to 8) parts.
    pub fn split(name: &'r str, n: usize) -> Parts<'r> {
        let mut p = Parts {
            items: [""; 8],
            len: 0,
        };
        for (slot, part) in p.items.iter_mut().zip(name.splitn(n.min(8), ':')) {
            *slot = part;
            p.len += 1;
        }
        p
    }

    /// `name` split as `profile`'s resource names are.
    pub fn of(profile: &dyn CloudProfile, name: &'r str) -> Parts<'r> {
        Parts::split(name, profile.traits().resources.segments)
    }

    /// How many parts.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The part at `i`.
    pub fn get(&self, i: usize) -> Option<&'r str> {
        (i < self.len).then(|| self.items.get(i).copied()).flatten()
    }
}

/// Whether resource `pattern` matches the request's `resource` name, by the cloud's rules:
/// `*` matches everything; only `*` matches a request with no resource (`*`); a name that is
/// not of the cloud's shape compares whole, as one wildcard string; a pattern with fewer
/// segments than the cloud's names follows the profile's rule; otherwise
/// segment by segment, by each segment's [`SegmentRule`]: every segment but the last compares
/// case-insensitively with `*` and `?` confined to it; the last (the resource part) compares
/// case-sensitively, `*` spanning `/` and `:`, with policy variables substituted by `lookup`.
/// `Err(key)` names a policy variable that has no value.
pub fn match_resource_name<'p>(
    profile: &dyn CloudProfile,
    pattern: &'p ResourcePattern,
    resource: &str,
    layer: Layer,
    facts: &Facts,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<bool, &'p str> {
    let parts = Parts::of(profile, resource);
    match_resource_parts(profile, pattern, (resource, &parts), layer, facts, lookup)
}

/// [`match_resource_name`] for a name already split by [`Parts::of`] (the decision path splits
/// the request's resource once per layer run, not once per pattern).
pub fn match_resource_parts<'p>(
    profile: &dyn CloudProfile,
    pattern: &'p ResourcePattern,
    (resource, parts): (&str, &Parts<'_>),
    layer: Layer,
    facts: &Facts,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<bool, &'p str> {
    if pattern.any {
        return Ok(true);
    }
    if resource == "*" {
        return Ok(false);
    }
    let names = profile.traits().resources;
    if parts.len() != names.segments || parts.get(0) != Some(names.prefix) {
        return Ok(pattern.whole.matches(resource));
    }
    if pattern.segments.len() < names.segments {
        if let Some(decided) = profile.short_resource_pattern(pattern, resource, layer) {
            return Ok(decided);
        }
    }
    let last = parts.len().saturating_sub(1);
    let own_account = layer == Layer::Resource || facts.same_account;
    let segment = |i: usize, seg: &'p crate::pattern::Template| -> Result<bool, &'p str> {
        let Some(part) = parts.get(i) else {
            return Ok(false);
        };
        match pattern
            .rules
            .get(i)
            .copied()
            .unwrap_or(SegmentRule::Compare)
        {
            SegmentRule::AnyValue => return Ok(true),
            SegmentRule::OwnAccount if own_account => return Ok(true),
            _ => {}
        }
        if i < last && names.request_star_is_any && part == "*" {
            return Ok(true);
        }
        Ok(if i < last {
            seg.resolve(|_| None, true)?.matches_folded(part)
        } else {
            seg.resolve(lookup, false)?.matches(part)
        })
    };
    // The resource part tells most names apart: it is compared first when it holds no policy
    // variable (the answer is the same conjunction; only a variable's "missing key" depends on
    // the order, so a part with variables keeps its place).
    let early = pattern
        .segments
        .get(last)
        .filter(|seg| pattern.segments.len() == parts.len() && !seg.has_variables());
    if let Some(seg) = early {
        if !segment(last, seg)? {
            return Ok(false);
        }
    }
    for (i, seg) in pattern.segments.iter().enumerate() {
        if early.is_some() && i == last {
            continue;
        }
        if !segment(i, seg)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The principal forms every cloud reads alike: `Some(how)` when decided here, `None` when the
/// cloud's profile decides.
pub fn common_principal(entry: &PrincipalEntry, caller: &Caller) -> Option<Option<PrincipalHow>> {
    match &entry.form {
        PrincipalForm::Everyone => Some(Some(PrincipalHow::Any)),
        PrincipalForm::AnySigned => {
            Some((caller.kind != CallerKind::Anonymous).then_some(PrincipalHow::Any))
        }
        PrincipalForm::Service(name) => Some(
            (caller.kind == CallerKind::Service
                && caller
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .then_some(PrincipalHow::Direct),
        ),
        PrincipalForm::Id(id) => {
            Some((caller.id.as_deref() == Some(id.as_str())).then_some(PrincipalHow::Direct))
        }
        PrincipalForm::Unsupported => Some(None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::Facts;
    use crate::ir::{Cloud, NamePart, Pos, PrincipalKind};
    use crate::pattern::{Glob, Template};
    use crate::request::CallerKind;

    /// A resource pattern lowered as the parse crate does, for `cloud`'s naming.
    fn pattern(cloud: Cloud, text: &str) -> ResourcePattern {
        let names = crate::clouds::of(cloud).traits().resources;
        let parts: Vec<&str> = text.splitn(names.segments, ':').collect();
        let n = names.segments;
        let segments = parts
            .iter()
            .enumerate()
            .map(|(i, p)| Template::new(p, i + 1 == n, i + 1 != n).0)
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
            any: text == "*",
        }
    }

    fn matches(cloud: Cloud, p: &str, r: &str, layer: Layer, facts: &Facts) -> bool {
        let profile = crate::clouds::of(cloud);
        match_resource_name(profile, &pattern(cloud, p), r, layer, facts, &|_| None)
            .unwrap_or(false)
    }

    #[test]
    fn resource_names_by_each_clouds_rules() {
        let f = Facts::new(CallerKind::User);
        let (aws, ram, cam) = (Cloud::Aws, Cloud::Aliyun, Cloud::Tencent);
        // Segments before the last fold case; the last does not.
        assert!(matches(
            aws,
            "arn:aws:s3:::b/*",
            "arn:AWS:S3:::b/k",
            Layer::Identity,
            &f
        ));
        assert!(!matches(
            aws,
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::B/k",
            Layer::Identity,
            &f
        ));
        // Only `*` matches a request with no resource.
        assert!(!matches(aws, "arn:aws:s3:::*", "*", Layer::Identity, &f));
        assert!(matches(aws, "*", "*", Layer::Identity, &f));
        // AWS short ARNs: trailing segments are `*` in identity policies, refused in RCPs.
        assert!(matches(
            aws,
            "arn:aws:s3",
            "arn:aws:s3:::b/k",
            Layer::Identity,
            &f
        ));
        assert!(!matches(
            aws,
            "arn:aws:s3",
            "arn:aws:s3:::b/k",
            Layer::Rcp,
            &f
        ));
        // OSS names carry `*` for the region.
        assert!(matches(
            ram,
            "acs:oss:oss-cn-hangzhou:1:b/*",
            "acs:oss:*:1:b/k",
            Layer::Resource,
            &f
        ));
        // CAM: empty project and region mean any; an empty account means the owner's.
        let qcs = "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/k";
        assert!(matches(
            cam,
            "qcs::cos::uid/1250000000:b-1250000000/*",
            qcs,
            Layer::Identity,
            &f
        ));
        assert!(!matches(
            cam,
            "qcs::cos:::b-1250000000/*",
            qcs,
            Layer::Identity,
            &f
        ));
        assert!(matches(
            cam,
            "qcs::cos:::b-1250000000/*",
            qcs,
            Layer::Resource,
            &f
        ));
        let owner = Facts {
            same_account: true,
            ..f
        };
        assert!(matches(
            cam,
            "qcs::cos:::b-1250000000/*",
            qcs,
            Layer::Identity,
            &owner
        ));
    }

    #[test]
    fn principal_forms_every_cloud_reads_alike() {
        let mut c = Caller::anonymous("s3.amazonaws.com", "aws", Some("idp-user"));
        c.kind = CallerKind::Service;
        c.name = Some("s3.amazonaws.com".into());
        let entry = |form| PrincipalEntry {
            kind: PrincipalKind::Aws,
            value: String::new(),
            pos: Pos::default(),
            form,
        };
        let how = |form| common_principal(&entry(form), &c);
        assert_eq!(how(PrincipalForm::Everyone), Some(Some(PrincipalHow::Any)));
        assert_eq!(
            how(PrincipalForm::Service("S3.amazonaws.com".into())),
            Some(Some(PrincipalHow::Direct))
        );
        assert_eq!(
            how(PrincipalForm::Id("idp-user".into())),
            Some(Some(PrincipalHow::Direct))
        );
        assert_eq!(how(PrincipalForm::Unsupported), Some(None));
        assert_eq!(
            how(PrincipalForm::Account(NamePart::Exact("1".into()))),
            None
        );
    }

    #[test]
    fn account_entries_delegate_except_for_the_root() {
        let mut c = Caller::anonymous("x", "acs", None);
        c.kind = CallerKind::User;
        c.account = Some("1234".into());
        c.name = Some("Alice".into());
        let acct = PrincipalForm::Account(NamePart::Pattern(Glob::new("12*")));
        assert_eq!(account_user_role(&acct, &c), Some(PrincipalHow::Account));
        c.kind = CallerKind::Root;
        assert_eq!(account_user_role(&acct, &c), Some(PrincipalHow::Direct));
        c.kind = CallerKind::User;
        let user = PrincipalForm::User {
            account: NamePart::Exact("1234".into()),
            name: NamePart::FoldedPattern(Glob::new("al*")),
        };
        assert_eq!(account_user_role(&user, &c), Some(PrincipalHow::Direct));
        c.kind = CallerKind::RoleSession;
        assert_eq!(account_user_role(&user, &c), None);
    }
}
