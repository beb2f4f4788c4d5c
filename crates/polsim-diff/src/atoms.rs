//! The atoms of each dimension of the request space, read from the IR of both sides, and the
//! representatives of the cells they induce.
//!
//! Every function here is pure: it reads statements and returns patterns, candidate values,
//! and the reasons a dimension is not decided exactly.

use crate::automaton::{self, Class, Pat};
use crate::inexact::Inexact;
use polsim_core::ir::{
    ActionPattern, NamePart, OpFamily, PrincipalForm, ResourcePattern, SegmentRule, Statement,
    Typed,
};
use polsim_core::pattern::Piece;
use polsim_core::profile::{CallerNames, ResourceNames};
use polsim_core::CtxValue;
use std::collections::BTreeSet;

/// The most product states one dimension's exploration visits.
pub const MAX_STATES: usize = 40_000;

/// The work one comparison may do in automata, in automaton steps over all its explorations
/// (about a second): past it, explorations stop and the answer is marked not exact, so that a
/// comparison always ends.
pub const MAX_TOTAL_WORK: usize = 100_000_000;

/// The work left to a comparison.
#[derive(Debug, Clone, Copy)]
pub struct Work {
    /// Automaton steps left.
    pub steps: usize,
}

impl Default for Work {
    fn default() -> Work {
        Work {
            steps: MAX_TOTAL_WORK,
        }
    }
}

impl Work {
    /// Explores the cells of `pats` within what is left, and counts what it used.
    pub fn cells(&mut self, pats: &[Pat], shape: Option<&Pat>, extra: &[char]) -> automaton::Cells {
        let c = automaton::cells_within(pats, shape, extra, MAX_STATES, self.steps);
        self.steps = self.steps.saturating_sub(c.work);
        c
    }
}

/// The automaton of an action pattern, as the cloud compares it.
pub fn action_pat(a: &ActionPattern) -> Pat {
    let mut p = Pat::new();
    p.push_glob(&a.glob, Class::Any, a.case_insensitive);
    p
}

/// The shape of an action name: `service:name`, both parts non-empty.
pub fn action_shape() -> Pat {
    let mut p = Pat::new();
    p.push_pattern("?*:?*", Class::Any, false);
    p
}

/// Appends a template's pieces: literals, wildcards admitting `class`; a policy variable is
/// any run (an over-approximation, reported as not exact).
fn push_template(
    p: &mut Pat,
    pieces: &[Piece],
    class: Class,
    fold: bool,
    inexact: &mut Vec<Inexact>,
) {
    for piece in pieces {
        match piece {
            Piece::Lit(s) => p.push_lit(&fold_text(s, fold), fold),
            Piece::Pattern(s) => p.push_pattern(&fold_text(s, fold), class, fold),
            Piece::Var { key, .. } => {
                push_unique(inexact, Inexact::Variables(key.clone()));
                p.push_star(class);
            }
        }
    }
}

fn fold_text(s: &str, fold: bool) -> String {
    if fold {
        s.to_lowercase()
    } else {
        s.to_string()
    }
}

/// Adds `x` unless it is there.
pub fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// The shape of a name of the cloud's form: the prefix and as many `:`-separated segments as
/// the cloud's names have.
pub fn resource_shape(names: &ResourceNames) -> Pat {
    let mut p = Pat::new();
    p.push_lit(names.prefix, false);
    for _ in 1..names.segments.saturating_sub(1) {
        p.push_lit(":", false);
        p.push_star(Class::NotColon);
    }
    p.push_lit(":", false);
    p.push_star(Class::Any);
    p
}

/// The automata that decide one resource pattern, by the cloud's rules
/// (`polsim_core::eval::match_resource_name`): the pattern read whole (for names not of the
/// cloud's form), and segment by segment (every segment but the last folded, its wildcards
/// confined to it; the last compared exactly). A segment the cloud may read as "the policy
/// owner's account" adds a twin in which it is empty; a request segment written `*` (OSS)
/// adds twins in which each leading segment accepts anything.
pub fn resource_pats(
    r: &ResourcePattern,
    names: &ResourceNames,
    inexact: &mut Vec<Inexact>,
) -> Vec<Pat> {
    if r.any {
        return vec![Pat::any()];
    }
    let mut whole = Pat::new();
    whole.push_glob(&r.whole, Class::Any, false);
    let mut out = vec![whole];
    let n = names.segments;
    let last = n.saturating_sub(1);
    // The segmented reading, with `own_empty` choosing the empty twin of an own-account
    // segment and `loose` a segment read as "any".
    let build = |own_empty: bool, loose: Option<usize>, inexact: &mut Vec<Inexact>| {
        let mut p = Pat::new();
        for i in 0..n {
            if i > 0 {
                p.push_lit(":", false);
            }
            let class = if i < last {
                Class::NotColon
            } else {
                Class::Any
            };
            let fold = i < last;
            if loose == Some(i) {
                p.push_star(class);
                continue;
            }
            let Some(seg) = r.segments.get(i) else {
                // A short pattern: the rest of the name is accepted (the profile's rule; the
                // whole reading covers the other one).
                p.push_star(class);
                continue;
            };
            match r.rules.get(i).copied().unwrap_or(SegmentRule::Compare) {
                SegmentRule::AnyValue => p.push_star(class),
                SegmentRule::OwnAccount if !own_empty => p.push_star(class),
                SegmentRule::OwnAccount => {}
                SegmentRule::Compare => push_template(&mut p, seg.pieces(), class, fold, inexact),
            }
        }
        p
    };
    if r.segments.len() >= 2 {
        out.push(build(false, None, inexact));
        if r.rules.contains(&SegmentRule::OwnAccount) {
            out.push(build(true, None, inexact));
        }
        if names.request_star_is_any {
            for i in 1..last {
                out.push(build(false, Some(i), inexact));
            }
        }
    }
    out
}

/// The automata of "segment `i` of the request's name is exactly `*`", for clouds that read
/// such a segment as matching any pattern's (OSS).
pub fn star_segment_pats(names: &ResourceNames) -> Vec<Pat> {
    if !names.request_star_is_any {
        return Vec::new();
    }
    let last = names.segments.saturating_sub(1);
    (1..last)
        .map(|star| {
            let mut p = Pat::new();
            p.push_lit(names.prefix, false);
            for i in 1..names.segments {
                p.push_lit(":", false);
                if i == star {
                    p.push_lit("*", false);
                } else if i < last {
                    p.push_star(Class::NotColon);
                } else {
                    p.push_star(Class::Any);
                }
            }
            p
        })
        .collect()
}

/// One condition key's representative values: absent (`None`) and one value of each cell the
/// policy values of every condition on the key induce.
pub fn key_values(
    conds: &[&polsim_core::ir::Condition],
    work: &mut Work,
    inexact: &mut Vec<Inexact>,
) -> Vec<Option<CtxValue>> {
    let key = conds.first().map(|c| c.key.clone()).unwrap_or_default();
    let mut strings: Vec<Pat> = Vec::new();
    let mut literals: Vec<String> = Vec::new();
    let mut numbers: Vec<polsim_core::values::Decimal> = Vec::new();
    let mut dates: Vec<i64> = Vec::new();
    let mut nets: Vec<ipnet::IpNet> = Vec::new();
    let mut families: BTreeSet<&'static str> = BTreeSet::new();
    let mut sets = false;
    for c in conds {
        if c.op.set.is_some() {
            sets = true;
        }
        let fam = match c.op.family {
            OpFamily::Numeric(_) => "number",
            OpFamily::Date(_) => "date",
            OpFamily::Ip => "ip",
            OpFamily::Null => "null",
            OpFamily::Bool => "bool",
            _ => "string",
        };
        if fam != "null" {
            families.insert(fam);
        }
        for v in &c.values {
            let Some(t) = &v.typed else {
                push_unique(inexact, Inexact::Variables(v.text.clone()));
                literals.push(v.text.clone());
                continue;
            };
            match t {
                Typed::Text(s) => {
                    let mut p = Pat::new();
                    p.push_lit(s, c.op.family == OpFamily::Bool);
                    strings.push(p);
                    literals.push(s.clone());
                }
                Typed::Folded(s) => {
                    let mut p = Pat::new();
                    p.push_lit(s, true);
                    strings.push(p);
                    literals.push(s.clone());
                    if !s.is_ascii() {
                        push_unique(inexact, Inexact::Folding(key.clone()));
                    }
                }
                Typed::Like(g) => {
                    let mut p = Pat::new();
                    p.push_glob(g, Class::Any, false);
                    strings.push(p);
                    literals.push(v.text.replace(['*', '?'], ""));
                }
                Typed::Arn(globs) => {
                    let mut p = Pat::new();
                    for (i, g) in globs.iter().enumerate() {
                        if i > 0 {
                            p.push_lit(":", false);
                        }
                        let class = if i + 1 < globs.len() {
                            Class::NotColon
                        } else {
                            Class::Any
                        };
                        p.push_glob(g, class, false);
                    }
                    strings.push(p);
                    let mut shape = Pat::new();
                    shape.push_lit("arn", false);
                    for _ in 0..4 {
                        shape.push_lit(":", false);
                        shape.push_star(Class::NotColon);
                    }
                    shape.push_lit(":", false);
                    shape.push_star(Class::Any);
                    strings.push(shape);
                }
                Typed::Number(d) => numbers.push(d.clone()),
                Typed::Date(ms) => dates.push(*ms),
                Typed::Net(n) => nets.push(*n),
                Typed::Invalid => {}
            }
        }
    }
    if families.len() > 1 {
        push_unique(inexact, Inexact::MixedOperators(key.clone()));
    }
    let mut values: Vec<String> = Vec::new();
    if !strings.is_empty() {
        strings.dedup();
        let cells = work.cells(&strings, None, &[]);
        if !cells.complete {
            push_unique(
                inexact,
                Inexact::Truncated(format!("the values of `{key}`")),
            );
        }
        // The values as written come first, so that witnesses read like the policies.
        let mut seen: Vec<Vec<bool>> = Vec::new();
        for l in literals
            .iter()
            .cloned()
            .chain(cells.cells.iter().map(|c| c.witness.clone()))
        {
            let m: Vec<bool> = strings.iter().map(|p| p.matches(&l)).collect();
            if !seen.contains(&m) {
                seen.push(m);
                values.push(l);
            }
        }
    }
    if !numbers.is_empty() {
        let places = numbers.iter().map(|d| d.scale()).max().unwrap_or(0) + 1;
        for d in &numbers {
            for v in [d.nudged(false, places), d.clone(), d.nudged(true, places)] {
                push_unique(&mut values, v.to_text());
            }
        }
    }
    if !dates.is_empty() {
        for ms in &dates {
            for t in [ms.saturating_sub(1), *ms, ms.saturating_add(1)] {
                if let Some(d) = chrono::DateTime::from_timestamp_millis(t) {
                    push_unique(
                        &mut values,
                        d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    );
                }
            }
        }
    }
    if !nets.is_empty() {
        for n in &nets {
            for a in net_edges(n) {
                push_unique(&mut values, a);
            }
        }
    }
    if families.contains("bool") {
        push_unique(&mut values, "true".to_string());
        push_unique(&mut values, "false".to_string());
    }
    if values.is_empty() {
        // `Null` alone: present, with some value.
        values.push("polsim-present".to_string());
    }
    let mut out: Vec<Option<CtxValue>> = vec![None];
    if sets {
        push_unique(inexact, Inexact::SetOperators(key.clone()));
        out.push(Some(CtxValue::Many(Vec::new())));
        for v in &values {
            out.push(Some(CtxValue::Many(vec![v.clone()])));
        }
        for pair in values.windows(2) {
            out.push(Some(CtxValue::Many(pair.to_vec())));
        }
    }
    out.extend(values.into_iter().map(|v| Some(CtxValue::One(v))));
    out
}

/// The addresses at a network's edges and just outside them: every interval the networks'
/// endpoints cut the address line into starts at one of them.
fn net_edges(n: &ipnet::IpNet) -> Vec<String> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    // Both families as numbers on one line, with the family's largest address.
    let (lo, hi, max, v4) = match n {
        ipnet::IpNet::V4(v) => (
            u128::from(u32::from(v.network())),
            u128::from(u32::from(v.broadcast())),
            u128::from(u32::MAX),
            true,
        ),
        ipnet::IpNet::V6(v) => (
            u128::from(v.network()),
            u128::from(v.broadcast()),
            u128::MAX,
            false,
        ),
    };
    let mut out = vec![lo, hi];
    out.extend(lo.checked_sub(1));
    out.extend(hi.checked_add(1).filter(|a| *a <= max));
    out.into_iter()
        .map(|a| match u32::try_from(a) {
            Ok(a4) if v4 => IpAddr::V4(Ipv4Addr::from(a4)).to_string(),
            _ => IpAddr::V6(Ipv6Addr::from(a)).to_string(),
        })
        .collect()
}

/// A name part as literal text (a wildcard pattern gets its literals, and is not exact).
fn part_text(p: &NamePart, inexact: &mut Vec<Inexact>) -> String {
    match p {
        NamePart::Exact(s) | NamePart::Folded(s) => s.clone(),
        NamePart::Pattern(g) | NamePart::FoldedPattern(g) => {
            if g.has_wildcard() {
                push_unique(inexact, Inexact::PrincipalPatterns);
            }
            literal_of(g)
        }
    }
}

/// The literals of a glob, its wildcards left out: a string it often matches.
pub fn literal_of(g: &polsim_core::pattern::Glob) -> String {
    g.tokens()
        .iter()
        .map(|t| match t {
            polsim_core::pattern::Token::Literal(s) => s.clone(),
            _ => String::new(),
        })
        .collect()
}

/// What principal entries name: accounts, user names, role names, session names, services,
/// unique ids.
#[derive(Debug, Default)]
pub struct Names {
    /// Accounts.
    pub accounts: Vec<String>,
    /// User names.
    pub users: Vec<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Session names.
    pub sessions: Vec<String>,
    /// Service principals.
    pub services: Vec<String>,
    /// Unique ids.
    pub ids: Vec<String>,
    /// Whole caller names (OSS role-session patterns).
    pub whole: Vec<String>,
}

/// Reads the names one statement's principal entries give.
pub fn principal_names(stmt: &Statement, names: &mut Names, inexact: &mut Vec<Inexact>) {
    let Some(clause) = &stmt.principal else {
        return;
    };
    for e in &clause.items {
        match &e.form {
            PrincipalForm::Account(a) => push_unique(&mut names.accounts, part_text(a, inexact)),
            PrincipalForm::User { account, name }
            | PrincipalForm::FederatedUser { account, name } => {
                push_unique(&mut names.accounts, part_text(account, inexact));
                push_unique(&mut names.users, part_text(name, inexact));
            }
            PrincipalForm::Role { account, name } => {
                push_unique(&mut names.accounts, part_text(account, inexact));
                push_unique(&mut names.roles, part_text(name, inexact));
            }
            PrincipalForm::Session {
                account,
                role,
                session,
            } => {
                push_unique(&mut names.accounts, part_text(account, inexact));
                push_unique(&mut names.roles, part_text(role, inexact));
                push_unique(&mut names.sessions, part_text(session, inexact));
            }
            PrincipalForm::Service(s) => push_unique(&mut names.services, s.clone()),
            PrincipalForm::Id(id) => push_unique(&mut names.ids, id.clone()),
            PrincipalForm::UniqueId(g) => {
                if g.has_wildcard() {
                    push_unique(inexact, Inexact::PrincipalPatterns);
                }
                let uid = literal_of(g);
                push_unique(&mut names.accounts, uid.clone());
                push_unique(&mut names.ids, uid);
            }
            PrincipalForm::SessionPattern(g) => {
                if g.has_wildcard() {
                    push_unique(inexact, Inexact::PrincipalPatterns);
                }
                push_unique(&mut names.whole, literal_of(g));
            }
            PrincipalForm::Everyone
            | PrincipalForm::AnySigned
            | PrincipalForm::Anyone
            | PrincipalForm::Unsupported => {}
        }
    }
}

/// One caller to try: its name as `eval --principal` reads it, and its unique id.
pub type CallerProbe = (String, Option<String>);

/// The callers that tell the named principals apart: for every account named (and the
/// resource's, and one no policy names), its root, a user of every user name named (and of
/// one that is not), a session of every role named (every session named, and another), a
/// federated user; every service named and one that is not; every unique id named, carried by
/// a user; and the anonymous caller.
pub fn callers(
    cn: &CallerNames,
    names: &Names,
    anonymous: &str,
    service_suffix: &str,
) -> Vec<CallerProbe> {
    let other = cn.other_name.to_string();
    let mut out: Vec<CallerProbe> = vec![(anonymous.to_string(), None)];
    let with_other = |v: &[String]| {
        let mut v = v.to_vec();
        push_unique(&mut v, other.clone());
        v
    };
    let users = with_other(&names.users);
    let roles = with_other(&names.roles);
    let sessions = with_other(&names.sessions);
    for a in &names.accounts {
        push_unique(&mut out, (CallerNames::fill(cn.root, a, "", ""), None));
        for u in &users {
            push_unique(&mut out, (CallerNames::fill(cn.user, a, u, ""), None));
            if let Some(f) = cn.federated_user {
                push_unique(&mut out, (CallerNames::fill(f, a, u, ""), None));
            }
        }
        for r in &roles {
            for s in &sessions {
                push_unique(
                    &mut out,
                    (CallerNames::fill(cn.role_session, a, r, s), None),
                );
            }
        }
        for id in &names.ids {
            push_unique(
                &mut out,
                (CallerNames::fill(cn.user, a, &other, ""), Some(id.clone())),
            );
        }
    }
    for a in &names.accounts {
        for t in cn.special {
            push_unique(&mut out, (CallerNames::fill(t, a, "", ""), None));
        }
    }
    for s in &names.services {
        push_unique(&mut out, (s.clone(), None));
    }
    let other_service = format!(
        "polsim-other{}",
        if service_suffix.is_empty() {
            ".amazonaws.com"
        } else {
            service_suffix
        }
    );
    push_unique(&mut out, (other_service, None));
    for w in &names.whole {
        push_unique(&mut out, (w.clone(), None));
    }
    out
}
