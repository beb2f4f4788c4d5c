//! polsim-diff: what a policy change newly allows or denies, decided on a partition of the
//! request space, every finding with a concrete witness request.
//!
//! [`diff`] reads the atoms of both sides (action and resource patterns, principal entries,
//! condition values), splits each dimension into the cells those atoms induce (wildcard
//! patterns through the product of their automata, [`automaton`]; numbers, dates and
//! addresses at their bounds; principals by the accounts and names they give), and evaluates
//! one representative request per combination of cells on both sides with the same
//! `flow::plan` / `flow::evaluate_plan` as `polsim eval`. Requests whose decisions differ are
//! the findings, grouped by the statement that caused them into [`Region`]s.
//!
//! Dimensions are split per action cell over only the statements that action reaches, and an
//! action cell whose reachable statements are the same on both sides (ignoring order, Sids,
//! positions and how statements are spread over policies) is decided without evaluating it.
//! Where the partition is not exact (policy variables, set operators, a bound hit), the result
//! says so in [`Diff::inexact`]. The crate does no I/O (docs/diff.md).

pub mod atoms;
pub mod automaton;
pub mod inexact;

pub use inexact::Inexact;

use atoms::{push_unique, CallerProbe, Names};
use automaton::Pat;
use polsim_core::ir::{Cloud, Layer, Policy, Pos, Statement};
use polsim_core::{clouds, CtxValue, Decision, Request, Stack};
use std::collections::{BTreeMap, HashMap};

/// One side of a comparison: a stack and the request defaults its folder gives.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The policies and the resource's state.
    pub stack: &'a Stack,
    /// The account that owns the resource (`polsim.json`'s `resource_account`).
    pub resource_account: Option<&'a str>,
    /// The caller `polsim.json` names, with its unique id, tried besides the others.
    pub principal: Option<(&'a str, Option<&'a str>)>,
}

/// Bounds on the work.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most requests evaluated (on each side).
    pub max_requests: usize,
    /// The most context combinations tried per action, resource and caller.
    pub max_contexts: usize,
    /// The most witnesses kept per region.
    pub witnesses: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_requests: 400_000,
            max_contexts: 256,
            witnesses: 3,
        }
    }
}

/// A concrete request: what `polsim eval` is given to reproduce a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `--principal`.
    pub principal: String,
    /// `--principal-id`, where it matters.
    pub principal_id: Option<String>,
    /// `--action`.
    pub action: String,
    /// `--resource`.
    pub resource: String,
    /// `--resource-account`, where the side names no owner and the probe does.
    pub resource_account: Option<String>,
    /// `--context` entries.
    pub context: Vec<(String, CtxValue)>,
}

impl Probe {
    /// The request `polsim eval` makes of the probe, for `cloud`, with the resource's owner.
    pub fn request(&self, cloud: Cloud, resource_account: Option<&str>) -> Result<Request, String> {
        let resource_account = self.resource_account.as_deref().or(resource_account);
        let profile = clouds::of(cloud);
        let caller = profile.parse_caller(&self.principal, self.principal_id.as_deref())?;
        let mut context = polsim_core::Context::new();
        for (k, v) in &self.context {
            context.insert(k, v.clone());
        }
        let mut req = Request {
            cloud,
            caller,
            action: self.action.clone(),
            resource: self.resource.clone(),
            resource_account: resource_account.map(str::to_string),
            access_point: None,
            context,
            extras: Default::default(),
        };
        polsim_core::service::settle_action(profile, &mut req)
            .map_err(|_| format!("`{}` is not an action polsim can judge alone", self.action))?;
        Ok(req)
    }
}

/// Which way access changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Allowed on the head side, not on the base side.
    Widened,
    /// Allowed on the base side, not on the head side.
    Narrowed,
}

impl Change {
    /// `newly allowed` / `newly denied`.
    pub fn words(self) -> &'static str {
        match self {
            Change::Widened => "newly allowed",
            Change::Narrowed => "newly denied",
        }
    }

    /// `widened` / `narrowed`.
    pub fn name(self) -> &'static str {
        match self {
            Change::Widened => "widened",
            Change::Narrowed => "narrowed",
        }
    }
}

/// Base or head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Which {
    /// The side before the change.
    Base,
    /// The side after it.
    Head,
}

impl Which {
    /// `base` / `head`.
    pub fn name(self) -> &'static str {
        match self {
            Which::Base => "base",
            Which::Head => "head",
        }
    }
}

/// Where a statement is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StmtLoc {
    /// Which side.
    pub side: Which,
    /// Its layer.
    pub layer: Layer,
    /// Its policy's name.
    pub policy: String,
    /// Its policy's file, if any.
    pub file: Option<String>,
    /// Where it starts.
    pub pos: Pos,
    /// Its Sid, if any.
    pub sid: Option<String>,
    /// Its place in the policy, from 1.
    pub index: usize,
    /// The statement in one line, as written: `Allow s3:GetObject on arn:aws:s3:::b/* to * when
    /// StringEquals aws:SourceVpce vpce-1`: the region's patterns.
    pub summary: String,
}

impl StmtLoc {
    fn of(side: Which, layer: Layer, policy: &Policy, stmt: &Statement) -> StmtLoc {
        StmtLoc {
            side,
            layer,
            policy: policy.id.clone(),
            file: policy.file.clone(),
            pos: stmt.pos,
            sid: stmt.sid.clone().filter(|s| !s.is_empty()),
            index: stmt.index,
            summary: summary(stmt),
        }
    }
}

/// A statement in one line, with its patterns as written.
fn summary(stmt: &Statement) -> String {
    fn clause<T>(c: &polsim_core::ir::Clause<T>, text: impl Fn(&T) -> &str) -> String {
        let items: Vec<&str> = c.items.iter().map(text).collect();
        let shown = if items.len() > 6 {
            format!(
                "{}, ... ({} in all)",
                items.iter().take(6).copied().collect::<Vec<_>>().join(", "),
                items.len()
            )
        } else {
            items.join(", ")
        };
        if c.negated {
            format!("everything but {shown}")
        } else {
            shown
        }
    }
    let mut out = format!(
        "{} {}",
        stmt.effect.name(),
        clause(&stmt.action, |a| a.text.as_str())
    );
    if let Some(r) = &stmt.resource {
        out.push_str(&format!(" on {}", clause(r, |r| r.text.as_str())));
    }
    if let Some(p) = &stmt.principal {
        out.push_str(&format!(" to {}", clause(p, |p| p.value.as_str())));
    }
    let conds: Vec<String> = stmt
        .conditions
        .iter()
        .map(|c| {
            let v: Vec<&str> = c.values.iter().map(|v| v.text.as_str()).collect();
            format!("{} {} {}", c.op_text, c.key, v.join(", "))
        })
        .collect();
    if !conds.is_empty() {
        out.push_str(&format!(" when {}", conds.join(" and ")));
    }
    out
}

/// How one side decided a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The decision.
    pub decision: Decision,
    /// The statement that decided (the Deny, or the granting Allow), if one did.
    pub statement: Option<StmtLoc>,
    /// Whether that statement grants publicly by the cloud's definition
    /// (`polsim_core::profile::grants_publicly`).
    pub public_grant: bool,
    /// Every statement that matched the request, with its effect and meaning
    /// ([`judge_matching`] only; empty from [`judge`]).
    pub matched: Vec<(StmtLoc, polsim_core::ir::Effect, String)>,
    /// The service check that decided, where no policy layer did (`acl`, `block_public_access`,
    /// ... as test files name them).
    pub check: Option<&'static str>,
}

/// One request decided differently on the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which way.
    pub change: Change,
    /// The request.
    pub probe: Probe,
    /// The base side's decision.
    pub base: Judged,
    /// The head side's decision.
    pub head: Judged,
    /// The statement that made the difference, where one that changed could be named (see
    /// [`Finding::cause`]).
    pub cause: Option<StmtLoc>,
}

impl Finding {
    /// The statement that made the difference: for a widening, the base side's Deny that is
    /// gone if the base side denied explicitly, else the head side's granting Allow; for a
    /// narrowing, the head side's new Deny if it denies explicitly, else the base side's
    /// Allow that no longer grants.
    pub fn cause(&self) -> Option<&StmtLoc> {
        if self.cause.is_some() {
            return self.cause.as_ref();
        }
        match self.change {
            Change::Widened if self.base.decision == Decision::ExplicitDeny => {
                self.base.statement.as_ref()
            }
            Change::Widened => self.head.statement.as_ref(),
            Change::Narrowed if self.head.decision == Decision::ExplicitDeny => {
                self.head.statement.as_ref()
            }
            Change::Narrowed => self.base.statement.as_ref(),
        }
    }
}

/// The findings one statement caused, one way: the region of requests it opened or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Which way.
    pub change: Change,
    /// The statement that made the difference, if one did (else a layer or a service check).
    pub cause: Option<StmtLoc>,
    /// Without a statement: the service check that decided on the side that changed (`acl`,
    /// ...), if one did.
    pub check: Option<&'static str>,
    /// The actions of the region's requests (one per action cell).
    pub actions: Vec<String>,
    /// The API operations among its requests (`s3:HeadObject`: judged as the actions the
    /// service checks for it).
    pub operations: Vec<String>,
    /// Its resources (one per resource cell).
    pub resources: Vec<String>,
    /// Its callers.
    pub principals: Vec<String>,
    /// The context keys its witnesses set (a region without any holds with no context).
    pub context_keys: Vec<String>,
    /// How many of the requests polsim evaluated fall in it.
    pub requests: usize,
    /// The first witnesses (at least one).
    pub witnesses: Vec<Finding>,
}

/// What a comparison found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// The cloud.
    pub cloud: Cloud,
    /// The regions, widenings first.
    pub regions: Vec<Region>,
    /// How many requests were evaluated on each side.
    pub requests: usize,
    /// How many action cells there were, and how many were decided without evaluating
    /// (their reachable statements are the same on both sides).
    pub action_cells: usize,
    /// Of those, how many were decided by comparing statements.
    pub unchanged_cells: usize,
    /// Why the result is not exact (empty: it is).
    pub inexact: Vec<Inexact>,
}

impl Diff {
    /// Whether anything is newly allowed.
    pub fn widened(&self) -> bool {
        self.regions.iter().any(|r| r.change == Change::Widened)
    }

    /// Whether anything is newly denied.
    pub fn narrowed(&self) -> bool {
        self.regions.iter().any(|r| r.change == Change::Narrowed)
    }

    /// Whether the result is exact.
    pub fn exact(&self) -> bool {
        self.inexact.is_empty()
    }

    /// Whether the walk reached every cell it meant to (no bound cut it short): when it did
    /// not, a change cannot be ruled out.
    pub fn complete(&self) -> bool {
        !self.inexact.iter().any(Inexact::cuts_short)
    }
}

/// One statement of one side, where it sits.
#[derive(Debug, Clone, Copy)]
struct St<'a> {
    /// Its place in the walk's list of statements (and of their meanings).
    id: usize,
    side: Which,
    layer: Layer,
    level: &'a str,
    policy: &'a Policy,
    stmt: &'a Statement,
}

fn statements(stack: &Stack, side: Which) -> Vec<St<'_>> {
    let mut out = Vec::new();
    for layer in Layer::ALL {
        for lv in stack.levels(layer).unwrap_or(&[]) {
            for policy in &lv.policies {
                for stmt in &policy.statements {
                    out.push(St {
                        id: 0,
                        side,
                        layer,
                        level: &lv.name,
                        policy,
                        stmt,
                    });
                }
            }
        }
    }
    out
}

/// A statement's meaning as text: everything but positions, Sid and index.
fn canon(policy: &Policy, stmt: &Statement) -> String {
    let mut s = stmt.clone();
    s.index = 0;
    s.sid = None;
    s.pos = Pos::default();
    s.action.pos = Pos::default();
    for a in &mut s.action.items {
        a.pos = Pos::default();
        a.text.clear();
    }
    if let Some(r) = &mut s.resource {
        r.pos = Pos::default();
        for i in &mut r.items {
            i.pos = Pos::default();
        }
        r.items.sort_by(|a, b| a.text.cmp(&b.text));
        r.items.dedup_by(|a, b| a.text == b.text);
    }
    if let Some(p) = &mut s.principal {
        p.pos = Pos::default();
        for i in &mut p.items {
            i.pos = Pos::default();
        }
    }
    for c in &mut s.conditions {
        c.op_pos = Pos::default();
        c.key_pos = Pos::default();
        c.key = c.key.to_ascii_lowercase();
        for v in &mut c.values {
            v.pos = Pos::default();
        }
    }
    s.conditions
        .sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    let mut actions: Vec<String> = s.action.items.iter().map(|a| format!("{a:?}")).collect();
    actions.sort();
    actions.dedup();
    s.action.items.clear();
    format!(
        "{}|{}|{actions:?}|{s:?}",
        policy.variables,
        policy.cloud.name()
    )
}

/// What decides the requests an action cell reaches, on one side: for every layer, whether it
/// takes part and, per level, the meanings of the statements the action reaches.
fn reach_key<'m>(
    stack: &Stack,
    reached: &[St<'_>],
    meanings: &'m [String],
) -> Vec<Option<BTreeMap<String, Vec<&'m str>>>> {
    Layer::ALL
        .iter()
        .map(|&layer| {
            let levels = stack.levels(layer)?;
            let mut m: BTreeMap<String, Vec<&'m str>> = levels
                .iter()
                .map(|lv| (lv.name.clone(), Vec::new()))
                .collect();
            for st in reached.iter().filter(|s| s.layer == layer) {
                m.entry(st.level.to_string())
                    .or_default()
                    .push(meanings.get(st.id).map_or("", String::as_str));
            }
            for v in m.values_mut() {
                v.sort();
                v.dedup();
            }
            Some(m)
        })
        .collect()
}

fn action_reaches(cloud: Cloud, st: &St<'_>, action: &str) -> bool {
    let normal = clouds::of(cloud).normalize_action(action);
    let hit = st.stmt.action.items.iter().any(|a| a.matches(normal));
    hit != st.stmt.action.negated
}

/// Whether a statement may reach `resource` (by the model's automata; a superset).
fn resource_reaches(
    st: &St<'_>,
    resource: &str,
    pats: &HashMap<*const Statement, Vec<Pat>>,
) -> bool {
    let Some(clause) = &st.stmt.resource else {
        return true;
    };
    if clause.negated {
        return true;
    }
    if resource == "*" {
        return clause.items.iter().any(|r| r.any);
    }
    pats.get(&(st.stmt as *const Statement))
        .is_none_or(|ps| ps.iter().any(|p| p.matches(resource)))
}

/// The representative actions: one per cell of the action patterns of both sides, named by a
/// policy's own text or the cloud's catalog where one lies in the cell.
/// An action `settle_action` reads as an API operation (`s3:HeadObject`): evaluated as the
/// actions that operation needs, so it is a point of its own, never a cell's representative.
fn operation_actions(cloud: Cloud) -> Vec<(String, Vec<&'static str>)> {
    let table = clouds::of(cloud).operations();
    let mut out = Vec::new();
    for op in table {
        let Some(service) = op.required.first().and_then(|a| a.name.split(':').next()) else {
            continue;
        };
        for name in std::iter::once(op.name).chain(op.aliases.iter().copied()) {
            if name.contains(' ') {
                continue;
            }
            let action = format!("{service}:{name}");
            if polsim_core::ops::by_action(table, &action).is_some() {
                let mut acts: Vec<&'static str> = op.actions().collect();
                acts.extend(op.kms.iter().flat_map(|k| k.actions.iter().copied()));
                out.push((action, acts));
            }
        }
    }
    out
}

fn action_cells(
    cloud: Cloud,
    all: &[St<'_>],
    work: &mut atoms::Work,
    inexact: &mut Vec<Inexact>,
) -> Vec<String> {
    let profile = clouds::of(cloud);
    let ops = operation_actions(cloud);
    let is_op = |a: &str| ops.iter().any(|(o, _)| o.eq_ignore_ascii_case(a));
    let mut pats: Vec<Pat> = Vec::new();
    let mut src = Vec::new();
    for st in all {
        for a in &st.stmt.action.items {
            let p = atoms::action_pat(a);
            if !pats.contains(&p) {
                pats.push(p);
                src.push(a);
            }
        }
    }
    let cells = work.cells(&pats, Some(&atoms::action_shape()), &[]);
    if !cells.complete {
        push_unique(inexact, Inexact::Truncated("the action patterns".into()));
    }
    let vector = |action: &str| -> Vec<bool> {
        let n = profile.normalize_action(action);
        src.iter().map(|a| a.matches(n)).collect()
    };
    let mut named: HashMap<Vec<bool>, String> = HashMap::new();
    for st in all {
        for a in &st.stmt.action.items {
            if !a.glob.has_wildcard() && !a.text.trim().is_empty() && !is_op(&a.text) {
                named
                    .entry(vector(&a.text))
                    .or_insert_with(|| a.text.clone());
            }
        }
    }
    let catalog = polsim_catalog::catalog(cloud);
    let wanted: Vec<&Vec<bool>> = cells.cells.iter().map(|c| &c.member).collect();
    'services: for svc in catalog.services() {
        for name in svc.actions() {
            if wanted.iter().all(|w| named.contains_key(*w)) {
                break 'services;
            }
            let full = format!("{}:{name}", svc.prefix);
            if !is_op(&full) {
                named.entry(vector(&full)).or_insert(full);
            }
        }
    }
    let mut out = Vec::new();
    for cell in &cells.cells {
        if let Some(n) = named.get(&cell.member) {
            push_unique(&mut out, n.clone());
            continue;
        }
        // No action of the policies or the catalog lies in the cell: it is empty if its
        // witness's service is one the catalog lists completely.
        let prefix = cell.witness.split(':').next().unwrap_or("");
        let listed = catalog.service(prefix).is_some_and(|s| s.complete);
        if !listed {
            push_unique(&mut out, cell.witness.clone());
        }
    }
    // Operation names of the services the policies reach.
    for (op, _) in &ops {
        if all.iter().any(|st| action_reaches(cloud, st, op)) {
            push_unique(&mut out, op.clone());
        } else if let Some((_, acts)) = ops.iter().find(|(o, _)| o == op) {
            if acts
                .iter()
                .any(|a| all.iter().any(|st| action_reaches(cloud, st, a)))
            {
                push_unique(&mut out, op.clone());
            }
        }
    }
    out
}

/// The representative resources of the statements an action reaches.
fn resource_cells(
    cloud: Cloud,
    reached: &[St<'_>],
    pats_of: &mut HashMap<*const Statement, Vec<Pat>>,
    cache: &mut HashMap<Vec<String>, Vec<String>>,
    work: &mut atoms::Work,
    inexact: &mut Vec<Inexact>,
) -> Vec<String> {
    // Many action cells reach statements with the same resource patterns: their partition is
    // found once.
    let mut key: Vec<String> = reached
        .iter()
        .filter_map(|st| st.stmt.resource.as_ref())
        .flat_map(|c| c.items.iter().map(|r| r.text.clone()))
        .collect();
    key.sort();
    key.dedup();
    let cached = cache.get(&key).cloned();
    let names = clouds::of(cloud).traits().resources;
    // Each automaton with whether it decides names of the cloud's form (`Some(true)`), other
    // names (`Some(false)`), or both (`None`); the first is the form itself.
    let mut pats: Vec<Pat> = vec![atoms::resource_shape(&names)];
    let mut kinds: Vec<Option<bool>> = vec![None];
    for p in atoms::star_segment_pats(&names) {
        pats.push(p);
        kinds.push(Some(true));
    }
    let mut literals: Vec<String> = Vec::new();
    for st in reached {
        let Some(clause) = &st.stmt.resource else {
            continue;
        };
        let mut mine = Vec::new();
        for r in &clause.items {
            for (i, p) in atoms::resource_pats(r, &names, inexact)
                .into_iter()
                .enumerate()
            {
                push_unique(&mut mine, p.clone());
                if !pats.contains(&p) {
                    pats.push(p);
                    kinds.push(if r.any { None } else { Some(i > 0) });
                }
            }
            if r.text.contains("${") || r.any {
                continue;
            }
            if !r.whole.has_wildcard() {
                push_unique(&mut literals, r.text.clone());
            } else {
                // The pattern with its wildcards filled in the way requests name things: a
                // leading segment's `*` left empty (or `*` where the cloud's names write it),
                // the last one's as `example`.
                let n = names.segments;
                let lead = if names.request_star_is_any { "*" } else { "" };
                let parts: Vec<&str> = r.text.splitn(n, ':').collect();
                if parts.len() == n {
                    for last_fill in ["example", ""] {
                        let filled: Vec<String> = parts
                            .iter()
                            .enumerate()
                            .map(|(i, p)| {
                                let star = if i + 1 == n { last_fill } else { lead };
                                p.replace('*', star).replace('?', "x")
                            })
                            .collect();
                        push_unique(&mut literals, filled.join(":"));
                    }
                }
            }
        }
        pats_of.insert(st.stmt as *const Statement, mine);
    }
    if let Some(c) = cached {
        return c;
    }
    let extra: &[char] = if names.request_star_is_any {
        &['*']
    } else {
        &[]
    };
    let cells = work.cells(&pats, None, extra);
    if !cells.complete {
        push_unique(inexact, Inexact::Truncated("the resource patterns".into()));
    }
    // What decides a name: the form, then only the automata for names of its kind.
    let vector = |s: &str| -> Vec<bool> {
        let form = pats.first().is_some_and(|p| p.matches(s));
        pats.iter()
            .zip(&kinds)
            .map(|(p, k)| k.is_none_or(|k| k == form) && p.matches(s))
            .collect()
    };
    let mut seen: Vec<Vec<bool>> = Vec::new();
    let mut out = vec!["*".to_string()];
    let candidates = literals.into_iter().chain(cells.cells.iter().flat_map(|c| {
        // Readable first: the leading segments (compared folded) in lowercase, an empty last
        // part filled in; the witness as found last.
        let w = c.witness.clone();
        let n = names.segments;
        let parts: Vec<&str> = w.splitn(n, ':').collect();
        let lowered = if parts.len() == n {
            let (head, last) = parts.split_at(n - 1);
            let mut s: Vec<String> = head.iter().map(|p| p.to_ascii_lowercase()).collect();
            s.extend(last.iter().map(|p| p.to_string()));
            s.join(":")
        } else {
            w.clone()
        };
        let filled =
            |s: &str| (s.ends_with('/') || s.ends_with(':')).then(|| format!("{s}example"));
        [filled(&lowered), Some(lowered.clone()), filled(&w), Some(w)]
            .into_iter()
            .flatten()
    }));
    for cand in candidates {
        let v = vector(&cand);
        if !seen.contains(&v) {
            seen.push(v);
            push_unique(&mut out, cand);
        }
    }
    if out.len() > MAX_CELLS {
        out.truncate(MAX_CELLS);
        push_unique(inexact, Inexact::Truncated("the resource patterns".into()));
    }
    cache.insert(key, out.clone());
    out
}

/// The most representatives one dimension contributes (resources, callers, contexts) per
/// action and resource cell: past it, the rest are left out and the answer marked not exact.
const MAX_CELLS: usize = 2_000;

/// The representative contexts of the statements an action and resource reach: every
/// combination of each key's representative values, or (past `max`) each key varied alone.
fn contexts(
    cloud: Cloud,
    reached: &[St<'_>],
    max: usize,
    work: &mut atoms::Work,
    inexact: &mut Vec<Inexact>,
) -> Vec<Vec<(String, CtxValue)>> {
    let sensitive = clouds::of(cloud).keys_case_sensitive();
    let mut by_key: BTreeMap<String, Vec<&polsim_core::ir::Condition>> = BTreeMap::new();
    for st in reached {
        for c in &st.stmt.conditions {
            let k = if sensitive {
                c.key.clone()
            } else {
                c.key.to_ascii_lowercase()
            };
            by_key.entry(k).or_default().push(c);
        }
    }
    let keys: Vec<(String, Vec<Option<CtxValue>>)> = by_key
        .values()
        .map(|conds| {
            let written = conds.first().map(|c| c.key.clone()).unwrap_or_default();
            (written, atoms::key_values(conds, work, inexact))
        })
        .collect();
    let total = keys
        .iter()
        .try_fold(1usize, |acc, (_, v)| acc.checked_mul(v.len()))
        .unwrap_or(usize::MAX);
    let mut out: Vec<Vec<(String, CtxValue)>> = Vec::new();
    if total <= max {
        out.push(Vec::new());
        for (k, values) in &keys {
            let mut next = Vec::with_capacity(out.len() * values.len());
            for ctx in &out {
                for v in values {
                    let mut c = ctx.clone();
                    if let Some(v) = v {
                        c.push((k.clone(), v.clone()));
                    }
                    next.push(c);
                }
            }
            out = next;
        }
    } else {
        push_unique(
            inexact,
            Inexact::Truncated("the context keys' combinations".into()),
        );
        out.push(Vec::new());
        let firsts: Vec<(String, CtxValue)> = keys
            .iter()
            .filter_map(|(k, v)| v.iter().flatten().next().map(|x| (k.clone(), x.clone())))
            .collect();
        for (i, (k, values)) in keys.iter().enumerate() {
            for v in values.iter().flatten() {
                out.push(vec![(k.clone(), v.clone())]);
                let mut with: Vec<(String, CtxValue)> = firsts
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, x)| x.clone())
                    .collect();
                with.push((k.clone(), v.clone()));
                out.push(with);
            }
        }
    }
    out
}

/// The account the cloud's resource name carries, if it carries one (not a pattern).
pub fn account_in(cloud: Cloud, resource: &str) -> Option<String> {
    let a = clouds::of(cloud).account_named_in(resource)?;
    (!a.contains(['*', '?'])).then(|| a.to_string())
}

/// Judges one request on one side, as `polsim eval` does: the decision, the service check and
/// whether the deciding statement grants publicly (where statements are: [`judge_matching`]).
pub fn judge(side: &Side<'_>, which: Which, req: &Request) -> Option<Judged> {
    judged(side, which, req, false)
}

/// [`judge`], also listing every statement that matched (for naming a finding's cause).
pub fn judge_matching(side: &Side<'_>, which: Which, req: &Request) -> Option<Judged> {
    judged(side, which, req, true)
}

fn judged(side: &Side<'_>, which: Which, req: &Request, matching: bool) -> Option<Judged> {
    let plan = polsim_core::flow::plan(side.stack, req).ok()?;
    let se = polsim_core::flow::evaluate_plan(&plan, false);
    let deciding = se
        .deciding()
        .and_then(|e| e.verdict.statement.map(|s| (e, s)));
    let limiting = clouds::of(req.cloud).traits().limiting_keys;
    let mut out = Judged {
        decision: se.verdict.decision,
        statement: None,
        public_grant: deciding
            .is_some_and(|(_, s)| polsim_core::profile::grants_publicly(limiting, s.stmt)),
        matched: Vec::new(),
        check: se.verdict.check.map(polsim_core::decide::Check::name),
    };
    // Where statements are: only for a request being reported (every probe is judged, few
    // are findings).
    if matching {
        for e in &se.evals {
            for run in &e.outcomes.runs {
                let hits = run
                    .allows
                    .iter()
                    .map(|(s, _)| (*s, polsim_core::ir::Effect::Allow))
                    .chain(
                        run.denies
                            .iter()
                            .map(|s| (*s, polsim_core::ir::Effect::Deny)),
                    );
                for (s, effect) in hits {
                    let loc = StmtLoc::of(which, run.layer, s.policy, s.stmt);
                    if out.statement.is_none() && deciding.is_some_and(|(_, d)| d == s) {
                        out.statement = Some(loc.clone());
                    }
                    out.matched.push((loc, effect, canon(s.policy, s.stmt)));
                }
            }
        }
    }
    Some(out)
}

/// Which part of the request space [`explore`] walks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Only this action (else every action cell).
    pub action: Option<String>,
    /// Only this resource (else every resource cell).
    pub resource: Option<String>,
    /// Which callers.
    pub callers: Callers,
    /// Context keys never set (left to what the caller and the resource give).
    pub absent: Vec<String>,
    /// Values never tried for a key: `(key, value)`, the key compared ignoring ASCII case.
    pub excluded: Vec<(String, String)>,
    /// For [`check`]: keep only public access: an allow granted by a statement that grants
    /// publicly, or by a request that sets none of the cloud's limiting keys.
    pub public: bool,
}

/// Which callers [`explore`] tries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Callers {
    /// Every caller the partition needs.
    #[default]
    All,
    /// The public: the anonymous caller and callers of an account no policy names.
    Public,
    /// Callers outside these accounts (the anonymous caller and services included).
    Outside(Vec<String>),
}

/// How much [`explore`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Walked {
    /// Requests evaluated (on each side).
    pub requests: usize,
    /// Action cells.
    pub action_cells: usize,
    /// Action cells decided by comparing the statements they reach (two sides only).
    pub unchanged_cells: usize,
}

/// Walks the partition of the request space that the statements of `sides` induce, restricted
/// by `query`, and calls `visit` with each representative probe and its request on each side
/// (in `sides`' order). With two sides, a cell whose reachable statements are the same on
/// both is skipped. Reasons the walk is not exact are added to `inexact`.
pub fn explore(
    cloud: Cloud,
    sides: &[Side<'_>],
    query: &Query,
    limits: &Limits,
    inexact: &mut Vec<Inexact>,
    visit: &mut dyn FnMut(Probe, &[Request]),
) -> Walked {
    let profile = clouds::of(cloud);
    let traits = profile.traits();
    let mut all: Vec<St<'_>> = Vec::new();
    for (i, side) in sides.iter().enumerate() {
        all.extend(statements(
            side.stack,
            if i == 0 { Which::Base } else { Which::Head },
        ));
    }
    // Each statement's meaning, worked out once (the pruning compares them per cell).
    for (i, st) in all.iter_mut().enumerate() {
        st.id = i;
    }
    let meanings: Vec<String> = all.iter().map(|st| canon(st.policy, st.stmt)).collect();
    for side in sides {
        if side.stack.levels(Layer::AccessPoint).is_some() {
            push_unique(inexact, Inexact::AccessPoints);
        }
        if side.stack.state != polsim_core::ResourceState::default() {
            push_unique(inexact, Inexact::Headers);
        }
    }
    let mut prune = false;
    if let [base, head] = sides {
        let same_state = base.stack.state == head.stack.state;
        if !same_state {
            push_unique(inexact, Inexact::State);
        }
        if base.resource_account != head.resource_account {
            push_unique(inexact, Inexact::ResourceAccount);
        }
        let public = |s: &Stack| {
            s.levels(Layer::Resource).unwrap_or(&[]).iter().any(|lv| {
                lv.policies
                    .iter()
                    .any(polsim_core::aws::s3::policy_is_public)
            })
        };
        prune = same_state
            && base.resource_account == head.resource_account
            && public(base.stack) == public(head.stack);
    }
    let key_of = |side: usize| if side == 0 { Which::Base } else { Which::Head };

    // An account no policy names.
    let mut texts = String::new();
    for st in &all {
        texts.push_str(&format!("{:?}", st.stmt.principal));
        texts.push_str(&format!("{:?}", st.stmt.conditions));
    }
    let other_account = traits
        .callers
        .other_accounts
        .iter()
        .find(|a| !texts.contains(*a))
        .copied()
        .unwrap_or(traits.default_account);

    // The resource's state (ACLs, ...) grants without a statement: with state, the storage
    // service's actions and a bucket and an object of it are tried too.
    let stateful = sides
        .iter()
        .any(|s| s.stack.state != polsim_core::ResourceState::default());
    let mut work = atoms::Work::default();
    let mut actions = match &query.action {
        Some(a) => vec![a.clone()],
        None => action_cells(cloud, &all, &mut work, inexact),
    };
    let mut storage_resources: Vec<String> = Vec::new();
    if stateful {
        if query.action.is_none() {
            for op in profile.operations() {
                for a in op.actions() {
                    push_unique(&mut actions, a.to_string());
                }
            }
        }
        let owner = sides
            .iter()
            .find_map(|s| s.resource_account.or_else(|| s.stack.state.bucket_owner()))
            .unwrap_or(traits.default_account);
        for t in traits.storage_names {
            storage_resources.push(t.replace("{account}", owner));
        }
    }
    let ops = operation_actions(cloud);
    let mut walked = Walked {
        action_cells: actions.len(),
        ..Walked::default()
    };
    let same_on_both = |reached: &[St<'_>]| -> bool {
        let [base, head] = sides else { return false };
        let (b, h): (Vec<St<'_>>, Vec<St<'_>>) = reached.iter().partition(|s| s.side == key_of(0));
        reach_key(base.stack, &b, &meanings) == reach_key(head.stack, &h, &meanings)
    };
    let mut resource_cache = HashMap::new();
    'actions: for action in &actions {
        // An operation name reaches what any action it is judged as reaches.
        let judged_as: Vec<&str> = std::iter::once(action.as_str())
            .chain(
                ops.iter()
                    .filter(|(o, _)| o == action)
                    .flat_map(|(_, acts)| acts.iter().copied()),
            )
            .collect();
        let reached: Vec<St<'_>> = all
            .iter()
            .copied()
            .filter(|s| judged_as.iter().any(|a| action_reaches(cloud, s, a)))
            .collect();
        if prune && same_on_both(&reached) {
            walked.unchanged_cells += 1;
            continue;
        }
        let mut pats_of = HashMap::new();
        let only_any = reached.iter().all(|s| {
            s.stmt
                .resource
                .as_ref()
                .is_none_or(|c| c.items.iter().all(|r| r.any))
        });
        let mut resources = if !only_any || stateful {
            resource_cells(
                cloud,
                &reached,
                &mut pats_of,
                &mut resource_cache,
                &mut work,
                inexact,
            )
        } else {
            // No statement the action reaches names a resource other than `*` (trust
            // policies): the name matters only through its owner, a dimension of its own.
            vec!["*".to_string()]
        };
        for r in &storage_resources {
            push_unique(&mut resources, r.clone());
        }
        if let Some(r) = &query.resource {
            resources = vec![r.clone()];
        }
        for resource in &resources {
            let here: Vec<St<'_>> = reached
                .iter()
                .copied()
                .filter(|s| query.resource.is_some() || resource_reaches(s, resource, &pats_of))
                .collect();
            if prune && same_on_both(&here) {
                continue;
            }
            let mut names = Names::default();
            for st in &here {
                atoms::principal_names(st.stmt, &mut names, inexact);
            }
            for side in sides {
                if let Some(a) = side.resource_account {
                    push_unique(&mut names.accounts, a.to_string());
                }
            }
            // Every account the action's resource patterns name, and the representative's.
            for r in resources.iter().chain(std::iter::once(resource)) {
                if let Some(a) = account_in(cloud, r) {
                    push_unique(&mut names.accounts, a);
                }
            }
            push_unique(&mut names.accounts, traits.default_account.to_string());
            push_unique(&mut names.accounts, other_account.to_string());
            let anonymous = traits
                .anonymous_names
                .first()
                .copied()
                .unwrap_or("anonymous");
            let mut callers: Vec<CallerProbe> = Vec::new();
            for side in sides {
                if let Some((p, id)) = side.principal {
                    push_unique(&mut callers, (p.to_string(), id.map(str::to_string)));
                }
            }
            for c in atoms::callers(&traits.callers, &names, anonymous, traits.service_suffix) {
                push_unique(&mut callers, c);
            }
            callers.retain(|(p, id)| {
                let Ok(c) = profile.parse_caller(p, id.as_deref()) else {
                    return false;
                };
                match &query.callers {
                    Callers::All => true,
                    Callers::Public => {
                        !c.is_identity() && c.kind == polsim_core::request::CallerKind::Anonymous
                            || c.account.as_deref() == Some(other_account)
                    }
                    Callers::Outside(accounts) => c
                        .account
                        .as_deref()
                        .is_none_or(|a| !accounts.iter().any(|x| x == a)),
                }
            });
            let mut ctxs = contexts(cloud, &here, limits.max_contexts, &mut work, inexact);
            if ctxs.len() > MAX_CELLS {
                ctxs.truncate(MAX_CELLS);
                push_unique(
                    inexact,
                    Inexact::Truncated("the context keys' values".into()),
                );
            }
            if callers.len() > MAX_CELLS {
                callers.truncate(MAX_CELLS);
                push_unique(inexact, Inexact::Truncated("the callers".into()));
            }
            if !query.absent.is_empty() || !query.excluded.is_empty() {
                let absent = |k: &str| query.absent.iter().any(|a| a.eq_ignore_ascii_case(k));
                let excluded = |k: &str, v: &CtxValue| {
                    query.excluded.iter().any(|(ek, ev)| {
                        ek.eq_ignore_ascii_case(k) && v.view().iter().any(|x| x == ev)
                    })
                };
                ctxs.retain(|c| c.iter().all(|(k, v)| !absent(k) && !excluded(k, v)));
                if ctxs.is_empty() {
                    ctxs.push(Vec::new());
                }
            }
            // Where no side names the resource's owner, it is one more dimension: the owner
            // the name carries (or the caller's, as eval assumes), or each account named.
            let mut owners: Vec<Option<String>> = vec![None];
            if sides.iter().all(|s| s.resource_account.is_none()) {
                owners.extend(names.accounts.iter().cloned().map(Some));
            }
            for (principal, id) in &callers {
                for owner in &owners {
                    for ctx in &ctxs {
                        if walked.requests >= limits.max_requests {
                            push_unique(inexact, Inexact::Budget(walked.requests));
                            break 'actions;
                        }
                        let probe = Probe {
                            principal: principal.clone(),
                            principal_id: id.clone(),
                            action: action.clone(),
                            resource: resource.clone(),
                            resource_account: owner.clone(),
                            context: ctx.clone(),
                        };
                        let reqs: Result<Vec<Request>, String> = sides
                            .iter()
                            .map(|s| probe.request(cloud, s.resource_account))
                            .collect();
                        let Ok(reqs) = reqs else { continue };
                        walked.requests += 1;
                        visit(probe, &reqs);
                    }
                }
            }
        }
    }
    walked
}

/// Compares `base` and `head` for `cloud`: every request whose decision differs, by region.
pub fn diff(cloud: Cloud, base: &Side<'_>, head: &Side<'_>, limits: &Limits) -> Diff {
    let mut inexact: Vec<Inexact> = Vec::new();
    let meanings = |stack: &Stack, which| -> std::collections::HashSet<String> {
        statements(stack, which)
            .iter()
            .map(|st| canon(st.policy, st.stmt))
            .collect()
    };
    let canons = [
        meanings(base.stack, Which::Base),
        meanings(head.stack, Which::Head),
    ];
    let mut findings: Vec<Finding> = Vec::new();
    let walked = explore(
        cloud,
        &[*base, *head],
        &Query::default(),
        limits,
        &mut inexact,
        &mut |probe, reqs| {
            let [rb, rh] = reqs else { return };
            let (Some(jb), Some(jh)) = (judge(base, Which::Base, rb), judge(head, Which::Head, rh))
            else {
                return;
            };
            let allowed = |j: &Judged| j.decision == Decision::Allow;
            let change = match (allowed(&jb), allowed(&jh)) {
                (false, true) => Change::Widened,
                (true, false) => Change::Narrowed,
                _ => return,
            };
            let (Some(mb), Some(mh)) = (
                judge_matching(base, Which::Base, rb),
                judge_matching(head, Which::Head, rh),
            ) else {
                return;
            };
            let cause = changed_cause(change, &mb, &mh, &canons);
            findings.push(Finding {
                change,
                probe,
                base: mb,
                head: mh,
                cause,
            });
        },
    );
    inexact.sort();
    inexact.dedup();
    Diff {
        cloud,
        regions: regions(cloud, findings, limits.witnesses),
        requests: walked.requests,
        action_cells: walked.action_cells,
        unchanged_cells: walked.unchanged_cells,
        inexact,
    }
}

/// The statement a finding is owed to: among the statements that matched on the side that
/// changed, one whose meaning the other side does not have (the new Allow or Deny, or the
/// removed one), of the effect that explains the change; `None` to fall back on the deciding
/// statement.
fn changed_cause(
    change: Change,
    base: &Judged,
    head: &Judged,
    canons: &[std::collections::HashSet<String>; 2],
) -> Option<StmtLoc> {
    use polsim_core::ir::Effect;
    let [base_meanings, head_meanings] = canons;
    let pick = |j: &Judged, effect: Effect, other: &std::collections::HashSet<String>| {
        j.matched
            .iter()
            .find(|(_, e, c)| *e == effect && !other.contains(c))
            .map(|(l, _, _)| l.clone())
    };
    match change {
        Change::Widened if base.decision == Decision::ExplicitDeny => {
            pick(base, Effect::Deny, head_meanings)
        }
        Change::Widened => pick(head, Effect::Allow, base_meanings),
        Change::Narrowed if head.decision == Decision::ExplicitDeny => {
            pick(head, Effect::Deny, base_meanings)
        }
        Change::Narrowed => pick(base, Effect::Allow, head_meanings),
    }
}

/// What [`check`] found: the requests of the query's space that are allowed, grouped by the
/// statement that grants them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The cloud.
    pub cloud: Cloud,
    /// The allowed requests, by granting statement ([`Change::Widened`] regions: allowed on
    /// the checked side, with nothing to compare against).
    pub regions: Vec<Region>,
    /// Requests evaluated.
    pub requests: usize,
    /// Why the answer is not exact (empty: it is).
    pub inexact: Vec<Inexact>,
}

impl Checked {
    /// Whether the walk reached every cell it meant to (see [`Diff::complete`]).
    pub fn complete(&self) -> bool {
        !self.inexact.iter().any(Inexact::cuts_short)
    }
}

/// Answers "is any request of `query`'s space allowed?" on one stack, with witnesses.
pub fn check(cloud: Cloud, side: &Side<'_>, query: &Query, limits: &Limits) -> Checked {
    let mut inexact: Vec<Inexact> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let none = Judged {
        decision: Decision::ImplicitDeny,
        statement: None,
        public_grant: false,
        matched: Vec::new(),
        check: None,
    };
    let limiting = clouds::of(cloud).traits().limiting_keys;
    let walked = explore(
        cloud,
        &[*side],
        query,
        limits,
        &mut inexact,
        &mut |probe, reqs| {
            let [req] = reqs else { return };
            let Some(j) = judge(side, Which::Head, req) else {
                return;
            };
            // Public access: granted by a public statement, or with no limiting key set.
            let public_enough = !query.public
                || j.public_grant
                || !probe
                    .context
                    .iter()
                    .any(|(k, _)| limiting.iter().any(|l| l.eq_ignore_ascii_case(k)));
            if j.decision == Decision::Allow && public_enough {
                let Some(j) = judge_matching(side, Which::Head, req) else {
                    return;
                };
                findings.push(Finding {
                    change: Change::Widened,
                    probe,
                    base: none.clone(),
                    head: j,
                    cause: None,
                });
            }
        },
    );
    inexact.sort();
    inexact.dedup();
    Checked {
        cloud,
        regions: regions(cloud, findings, limits.witnesses),
        requests: walked.requests,
        inexact,
    }
}

/// Groups findings by which way they go and the statement that caused them.
fn regions(cloud: Cloud, findings: Vec<Finding>, keep: usize) -> Vec<Region> {
    let ops = operation_actions(cloud);
    let mut by: BTreeMap<(Change, Option<StmtLoc>), Region> = BTreeMap::new();
    for f in findings {
        let key = (f.change, f.cause().cloned());
        let r = by.entry(key.clone()).or_insert_with(|| Region {
            change: key.0,
            cause: key.1.clone(),
            check: match f.change {
                Change::Widened => f.head.check,
                Change::Narrowed => f.base.check,
            },
            actions: Vec::new(),
            operations: Vec::new(),
            resources: Vec::new(),
            principals: Vec::new(),
            context_keys: Vec::new(),
            requests: 0,
            witnesses: Vec::new(),
        });
        r.requests += 1;
        if ops.iter().any(|(o, _)| *o == f.probe.action) {
            push_unique(&mut r.operations, f.probe.action.clone());
        } else {
            push_unique(&mut r.actions, f.probe.action.clone());
        }
        push_unique(&mut r.resources, f.probe.resource.clone());
        push_unique(&mut r.principals, f.probe.principal.clone());
        for (k, _) in &f.probe.context {
            push_unique(&mut r.context_keys, k.clone());
        }
        // Candidates: the first few of the region; the witnesses are chosen among them.
        if r.witnesses.len() < CANDIDATES {
            r.witnesses.push(f);
        }
    }
    by.into_values()
        .map(|mut r| {
            r.witnesses = pick_witnesses(std::mem::take(&mut r.witnesses), keep.max(1));
            r
        })
        .collect()
}

/// How many findings of a region are kept to choose its witnesses from.
const CANDIDATES: usize = 64;

/// The plainest witnesses first (fewest context keys, no resource owner given), each one
/// differing from the others in caller, action or resource.
fn pick_witnesses(mut all: Vec<Finding>, keep: usize) -> Vec<Finding> {
    all.sort_by_key(|w| (w.probe.context.len(), w.probe.resource_account.is_some()));
    let mut out: Vec<Finding> = Vec::new();
    let key = |w: &Finding| {
        (
            w.probe.principal.clone(),
            w.probe.action.clone(),
            w.probe.resource.clone(),
        )
    };
    for w in &all {
        if out.len() < keep && !out.iter().any(|o| key(o) == key(w)) {
            out.push(w.clone());
        }
    }
    for w in all {
        if out.len() >= keep {
            break;
        }
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}
