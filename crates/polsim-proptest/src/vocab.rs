//! A stack's own vocabulary: the actions, resources, callers, condition keys and values that
//! occur in its policies (and in the requests of the test file it came from), with the API
//! operations whose actions it names, and near misses of each: a character off either side of
//! a wildcard, changed case, the neighbouring address at a CIDR's edge, a second either side of
//! a date bound, another account, another region, an anonymous caller, a missing key.
//!
//! Requests are drawn from it by [`Vocabulary::requests`]. Every list puts the plain words
//! first and their near misses after them, and a context key is absent unless drawn, so
//! proptest's shrinking (towards the first element, towards `None`) moves towards the plainest
//! request that still fails a property.

use polsim_core::ir::{Clause, OpFamily, Statement};
use polsim_core::{clouds, Cloud, CtxValue, Stack};
use polsim_diff::atoms::{self, Names, Work};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// The most words of one kind kept (the plain ones first, then near misses).
pub const MAX_WORDS: usize = 96;

/// One request polsim is asked about: what `polsim eval` is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `--principal`.
    pub principal: String,
    /// `--principal-id`.
    pub principal_id: Option<String>,
    /// `--action` (with an operation: the first action it is checked as).
    pub action: String,
    /// `--operation`, for requests made as an API operation.
    pub operation: Option<String>,
    /// `--resource`.
    pub resource: String,
    /// `--resource-account`.
    pub resource_account: Option<String>,
    /// `--context` entries, over the stack's own defaults.
    pub context: Vec<(String, CtxValue)>,
}

impl Probe {
    /// The value given for `key` (compared ignoring ASCII case), if any.
    pub fn value(&self, key: &str) -> Option<&CtxValue> {
        self.context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The request as `polsim eval` takes it.
    pub fn eval_args(&self) -> polsim_edge::command::EvalArgs<'_> {
        polsim_edge::command::EvalArgs {
            principal: &self.principal,
            principal_id: self.principal_id.as_deref(),
            action: &self.action,
            operation: self.operation.as_deref(),
            resource: &self.resource,
            resource_account: self.resource_account.as_deref(),
            context: &self.context,
        }
    }

    /// The request as a `polsim test` case (JSON), expecting `decision`.
    pub fn test_case(&self, decision: polsim_core::Decision) -> String {
        let mut case = serde_json::Map::new();
        case.insert("principal".into(), self.principal.clone().into());
        if let Some(id) = &self.principal_id {
            case.insert("principal_id".into(), id.clone().into());
        }
        match &self.operation {
            Some(op) => case.insert("operation".into(), op.clone().into()),
            None => case.insert("action".into(), self.action.clone().into()),
        };
        case.insert("resource".into(), self.resource.clone().into());
        if let Some(a) = &self.resource_account {
            case.insert("resource_account".into(), a.clone().into());
        }
        if !self.context.is_empty() {
            let ctx: serde_json::Map<String, serde_json::Value> = self
                .context
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        CtxValue::One(s) => serde_json::Value::from(s.clone()),
                        CtxValue::Many(vs) => serde_json::Value::from(vs.clone()),
                    };
                    (k.clone(), v)
                })
                .collect();
            case.insert("context".into(), ctx.into());
        }
        let expect = match decision {
            polsim_core::Decision::Allow => "allow",
            polsim_core::Decision::ExplicitDeny => "explicit_deny",
            polsim_core::Decision::ImplicitDeny => "implicit_deny",
        };
        case.insert("expect".into(), expect.into());
        serde_json::Value::Object(case).to_string()
    }
}

/// A caller: its name as `eval --principal` reads it, and its unique id.
pub type CallerWord = (String, Option<String>);

/// An action, or an API operation with the first action it is checked as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionWord {
    /// The action.
    pub action: String,
    /// The operation, when the request is made as one.
    pub operation: Option<String>,
}

/// The words requests are made of, read from one stack.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Callers, the stack's own first.
    pub callers: Vec<CallerWord>,
    /// Actions and operations.
    pub actions: Vec<ActionWord>,
    /// Resource names.
    pub resources: Vec<String>,
    /// Each condition key with its values (a request may also leave the key out).
    pub keys: Vec<(String, Vec<CtxValue>)>,
    /// The account that owns the resource, where the stack says (`polsim.json`).
    pub resource_account: Option<String>,
    /// Accounts the policies and the stack's folder name (not the "other account" tried).
    pub accounts: Vec<String>,
}

/// Where a name carries its region: `arn:aws:SERVICE:REGION:...`,
/// `acs:SERVICE:REGION:ACCOUNT:...`, `qcs::SERVICE:REGION:...`.
pub fn region_segment(cloud: Cloud) -> usize {
    match cloud {
        Cloud::Aliyun => 2,
        Cloud::Aws | Cloud::Tencent => 3,
    }
}

/// Regions tried as "another region" where a name carries one, per cloud.
fn other_regions(cloud: Cloud) -> &'static [&'static str] {
    match cloud {
        Cloud::Aws => &["us-east-1", "eu-west-1", "ap-southeast-2"],
        Cloud::Aliyun => &["cn-hangzhou", "cn-shanghai", "ap-southeast-1"],
        Cloud::Tencent => &["ap-guangzhou", "ap-beijing", "ap-singapore"],
    }
}

impl Vocabulary {
    /// The vocabulary of `stack`, with the caller, resource owner and context the stack's
    /// folder gives, and `seeds`: requests already written for it (a test file's cases).
    pub fn of(cloud: Cloud, stack: &Stack, defaults: &Defaults, seeds: &[Probe]) -> Vocabulary {
        let profile = clouds::of(cloud);
        let traits = profile.traits();
        let mut v = Vocabulary {
            resource_account: defaults.resource_account.clone(),
            ..Vocabulary::default()
        };
        let statements: Vec<&Statement> = stack
            .all_policies()
            .flat_map(|(_, p)| p.statements.iter())
            .collect();

        // Callers: the stack's own and the seeds' first, then every caller that tells the
        // principals named apart (accounts named and not, each kind of caller, anonymous).
        let mut names = Names::default();
        let mut ignored = Vec::new();
        for s in &statements {
            atoms::principal_names(s, &mut names, &mut ignored);
        }
        for a in defaults.resource_account.iter().chain(
            defaults
                .principal
                .as_deref()
                .and_then(|p| account_of(cloud, p))
                .as_ref(),
        ) {
            atoms::push_unique(&mut names.accounts, a.clone());
        }
        for s in &statements {
            for r in s.resource.iter().flat_map(|c| c.items.iter()) {
                if let Some(a) = polsim_diff::account_in(cloud, &r.text) {
                    atoms::push_unique(&mut names.accounts, a);
                }
            }
        }
        if names.accounts.is_empty() {
            names.accounts.push(traits.default_account.to_string());
        }
        v.accounts = names.accounts.clone();
        // A resource with no owner given belongs to the first account named (else the cloud's
        // default one), never to whichever caller asks: another account stays another.
        if v.resource_account.is_none() {
            v.resource_account = names.accounts.first().cloned();
        }
        if let Some(other) = traits
            .callers
            .other_accounts
            .iter()
            .find(|a| !names.accounts.iter().any(|n| n == *a))
        {
            names.accounts.push((*other).to_string());
        }
        if let Some(p) = &defaults.principal {
            push(&mut v.callers, (p.clone(), defaults.principal_id.clone()));
        }
        for s in seeds {
            push(
                &mut v.callers,
                (s.principal.clone(), s.principal_id.clone()),
            );
        }
        let anonymous = traits
            .anonymous_names
            .first()
            .copied()
            .unwrap_or("anonymous");
        // A unique id names one user: it is tried with the resource owner's account (the
        // stack's own pairs come from its folder), never as a user of every account.
        let owner = v.resource_account.clone();
        // Service-linked roles, which SCPs and other control policies do not bind, are the
        // cloud's own callers: not drawn (add one with `add_caller` to ask about it).
        let special: Vec<String> = names
            .accounts
            .iter()
            .flat_map(|a| {
                traits
                    .callers
                    .special
                    .iter()
                    .map(move |t| polsim_core::profile::CallerNames::fill(t, a, "", ""))
            })
            .collect();
        for c in atoms::callers(&traits.callers, &names, anonymous, traits.service_suffix) {
            if (c.1.is_some() && account_of(cloud, &c.0) != owner) || special.contains(&c.0) {
                continue;
            }
            push(&mut v.callers, c);
        }

        // Actions: the seeds', each literal action, the catalog's actions each pattern
        // matches (and some it does not), the operations whose actions the stack names, and
        // near misses.
        for s in seeds {
            push(
                &mut v.actions,
                ActionWord {
                    action: s.action.clone(),
                    operation: s.operation.clone(),
                },
            );
        }
        let patterns: Vec<&polsim_core::ir::ActionPattern> = statements
            .iter()
            .flat_map(|s| s.action.items.iter())
            .collect();
        let mut near: Vec<String> = Vec::new();
        let strip = |t: &str| -> String {
            match traits.action_prefix {
                Some(p) => t.strip_prefix(p).unwrap_or(t).to_string(),
                None => t.to_string(),
            }
        };
        for p in &patterns {
            let text = strip(&p.text);
            if !p.glob.has_wildcard() {
                push_action(&mut v.actions, &text);
            } else {
                let listed = catalog_actions(cloud, &text, &p.glob, p.case_insensitive);
                if listed.is_empty() && text != "*" {
                    // A service the catalog does not list: the pattern's own text, filled.
                    push_action(&mut v.actions, &fill_wildcards(&text));
                }
                for a in listed {
                    push_action(&mut v.actions, &a);
                }
                if text != "*" {
                    near.extend(
                        wildcard_near_misses(&text)
                            .iter()
                            .map(|n| fill_wildcards(n)),
                    );
                }
            }
            near.push(case_changed(&text));
        }
        // Where the resource has state (ACLs, ownership, Block Public Access, ...), the
        // service's own checks can allow or refuse what no policy names: every operation of
        // the cloud's table is tried.
        let st = &stack.state;
        let stateful = st.s3.is_some() || st.oss.is_some() || st.cos.is_some();
        for op in profile.operations() {
            let named = stateful
                || op.actions().any(|a| {
                    patterns.iter().any(|p| {
                        let a = a.to_string();
                        if p.case_insensitive {
                            p.glob.matches_folded(&a.to_lowercase())
                        } else {
                            p.glob.matches(&a)
                        }
                    })
                });
            if named {
                if let Some(first) = op.actions().next() {
                    push(
                        &mut v.actions,
                        ActionWord {
                            action: first.to_string(),
                            operation: Some(op.name.to_string()),
                        },
                    );
                }
            }
        }
        for n in near {
            if n.contains(':') && !n.ends_with(':') && !n.starts_with(':') {
                push_action(&mut v.actions, &n);
            }
        }

        // Resources: the seeds', each pattern's own text filled in, the cloud's storage
        // names, then near misses (wildcard edges, case, another account, another region).
        for s in seeds {
            push(&mut v.resources, s.resource.clone());
        }
        let mut plain: Vec<String> = Vec::new();
        let mut near: Vec<String> = Vec::new();
        for s in &statements {
            for r in s.resource.iter().flat_map(|c: &Clause<_>| c.items.iter()) {
                if r.any {
                    continue;
                }
                let text = fill_variables(&r.text, &names);
                let owner = v.resource_account.as_deref().unwrap_or("");
                let filled = fill_resource(cloud, &text, owner);
                plain.push(filled.clone());
                near.extend(
                    wildcard_near_misses(&text)
                        .iter()
                        .map(|n| fill_resource(cloud, n, owner)),
                );
                near.push(case_changed(&filled));
            }
        }
        let owner = v.resource_account.clone().unwrap_or_default();
        // The cloud's storage names, where the resource's state (ACLs, ...) can grant what
        // no policy names, or where no policy names a resource.
        if stateful || plain.is_empty() {
            for n in traits.storage_names {
                plain.push(n.replace("{account}", &owner));
            }
        }
        let others: Vec<String> = plain
            .iter()
            .flat_map(|r| {
                let mut out: Vec<String> = Vec::new();
                if let Some(a) = names
                    .accounts
                    .iter()
                    .find(|a| !a.is_empty() && r.contains(a.as_str()))
                {
                    if let Some(o) = traits.callers.other_accounts.iter().find(|o| *o != a) {
                        out.push(r.replace(a.as_str(), o));
                    }
                }
                out.extend(region_swapped(cloud, r));
                out
            })
            .collect();
        for r in plain.into_iter().chain(near).chain(others) {
            push(&mut v.resources, r);
        }
        push(&mut v.resources, "*".to_string());

        // Context: every key the conditions read, with the values that tell the conditions
        // apart (each literal, each cell of the patterns, the bounds of numbers, dates and
        // networks and just past them), then near misses; the stack's defaults and the seeds'
        // values first.
        let mut by_key: BTreeMap<String, Vec<&polsim_core::ir::Condition>> = BTreeMap::new();
        for s in &statements {
            for c in &s.conditions {
                by_key
                    .entry(c.key.to_ascii_lowercase())
                    .or_default()
                    .push(c);
            }
        }
        let mut work = Work::default();
        for conds in by_key.values() {
            let key = conds.first().map(|c| c.key.clone()).unwrap_or_default();
            let mut values: Vec<CtxValue> = Vec::new();
            if let Some(d) = defaults
                .context
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&key))
            {
                push(&mut values, d.1.clone());
            }
            for s in seeds {
                if let Some(x) = s.value(&key) {
                    push(&mut values, x.clone());
                }
            }
            let reps = atoms::key_values(conds, &mut work, &mut ignored);
            let mut nears: Vec<CtxValue> = Vec::new();
            for r in reps.into_iter().flatten() {
                if let CtxValue::One(t) = &r {
                    for f in conds.iter().map(|c| c.op.family) {
                        nears.extend(value_near_misses(f, t).into_iter().map(CtxValue::One));
                    }
                }
                push(&mut values, r);
            }
            for n in nears {
                push(&mut values, n);
            }
            values.truncate(MAX_WORDS);
            v.keys.push((key, values));
        }
        for (k, val) in defaults.context.iter() {
            if !v.keys.iter().any(|(key, _)| key.eq_ignore_ascii_case(k)) {
                v.keys.push((k.clone(), vec![val.clone()]));
            }
        }
        v.callers.truncate(MAX_WORDS);
        v.actions.truncate(MAX_WORDS);
        v.resources.truncate(MAX_WORDS);
        v
    }

    /// Adds a caller (after the ones there).
    pub fn add_caller(&mut self, principal: &str, id: Option<&str>) {
        push(
            &mut self.callers,
            (principal.to_string(), id.map(str::to_string)),
        );
    }

    /// Adds an action.
    pub fn add_action(&mut self, action: &str) {
        push_action(&mut self.actions, action);
    }

    /// Adds a resource.
    pub fn add_resource(&mut self, resource: &str) {
        push(&mut self.resources, resource.to_string());
    }

    /// Adds values of a context key (the key too, if it is new).
    pub fn add_values(&mut self, key: &str, values: &[&str]) {
        let i = match self
            .keys
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some(i) => i,
            None => {
                self.keys.push((key.to_string(), Vec::new()));
                self.keys.len() - 1
            }
        };
        if let Some((_, vs)) = self.keys.get_mut(i) {
            for v in values {
                push(vs, CtxValue::One((*v).to_string()));
            }
        }
    }

    /// The number of distinct requests the vocabulary makes (saturating).
    pub fn size(&self) -> u128 {
        let mut n: u128 = 1;
        for x in [self.callers.len(), self.actions.len(), self.resources.len()] {
            n = n.saturating_mul(x as u128);
        }
        for (_, vs) in &self.keys {
            n = n.saturating_mul(vs.len() as u128 + 1);
        }
        n
    }

    /// Every request the vocabulary makes, plainest first: fewer context keys set, then
    /// earlier words. Meant for a small vocabulary ([`Vocabulary::size`]); `pinned` keys
    /// always carry a value.
    pub fn all_requests(&self, pinned: &[String]) -> Vec<Probe> {
        let keys: Vec<(&String, &Vec<CtxValue>, bool)> = self
            .keys
            .iter()
            .filter(|(_, vs)| !vs.is_empty())
            .map(|(k, vs)| (k, vs, pinned.iter().any(|p| p.eq_ignore_ascii_case(k))))
            .collect();
        // Every choice of value per key (`None`: absent, unless pinned).
        let mut contexts: Vec<Vec<(String, CtxValue)>> = vec![Vec::new()];
        for (k, vs, pin) in &keys {
            let mut next = Vec::new();
            for c in &contexts {
                if !pin {
                    next.push(c.clone());
                }
                for v in *vs {
                    let mut c = c.clone();
                    c.push(((*k).clone(), v.clone()));
                    next.push(c);
                }
            }
            contexts = next;
        }
        contexts.sort_by_key(Vec::len);
        let mut out = Vec::new();
        for ctx in &contexts {
            for (principal, principal_id) in &self.callers {
                for a in &self.actions {
                    for r in &self.resources {
                        out.push(Probe {
                            principal: principal.clone(),
                            principal_id: principal_id.clone(),
                            action: a.action.clone(),
                            operation: a.operation.clone(),
                            resource: r.clone(),
                            resource_account: self.resource_account.clone(),
                            context: ctx.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    /// Requests drawn from the vocabulary: a caller, an action, a resource, and for each key
    /// either no value or one of its values. `pinned` keys always carry a value.
    pub fn requests(&self, pinned: &[String]) -> BoxedStrategy<Probe> {
        let or_one = |v: &Vec<CallerWord>| {
            if v.is_empty() {
                vec![("anonymous".to_string(), None)]
            } else {
                v.clone()
            }
        };
        let callers = prop::sample::select(or_one(&self.callers));
        let actions = prop::sample::select(if self.actions.is_empty() {
            vec![ActionWord {
                action: "polsim:NoAction".into(),
                operation: None,
            }]
        } else {
            self.actions.clone()
        });
        let resources = prop::sample::select(if self.resources.is_empty() {
            vec!["*".to_string()]
        } else {
            self.resources.clone()
        });
        let keys: Vec<BoxedStrategy<Option<(String, CtxValue)>>> = self
            .keys
            .iter()
            .filter(|(_, vs)| !vs.is_empty())
            .map(|(k, vs)| {
                let k = k.clone();
                let pin = pinned.iter().any(|p| p.eq_ignore_ascii_case(&k));
                let one = prop::sample::select(vs.clone()).prop_map(move |v| (k.clone(), v));
                if pin {
                    one.prop_map(Some).boxed()
                } else {
                    prop::option::of(one).boxed()
                }
            })
            .collect();
        let owner = self.resource_account.clone();
        (callers, actions, resources, keys)
            .prop_map(move |((principal, principal_id), a, resource, ctx)| Probe {
                principal,
                principal_id,
                action: a.action,
                operation: a.operation,
                resource,
                resource_account: owner.clone(),
                context: ctx.into_iter().flatten().collect(),
            })
            .boxed()
    }
}

/// What a stack folder's `polsim.json` (or a test file's top level) gives every request.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// The caller.
    pub principal: Option<String>,
    /// The caller's unique id.
    pub principal_id: Option<String>,
    /// The account that owns the resource.
    pub resource_account: Option<String>,
    /// Context every request carries.
    pub context: Vec<(String, CtxValue)>,
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if v.len() < MAX_WORDS * 4 && !v.contains(&x) {
        v.push(x);
    }
}

fn push_action(v: &mut Vec<ActionWord>, a: &str) {
    push(
        v,
        ActionWord {
            action: a.to_string(),
            operation: None,
        },
    );
}

/// The account a caller's name carries (`arn:aws:iam::111122223333:user/x`).
fn account_of(cloud: Cloud, principal: &str) -> Option<String> {
    clouds::of(cloud)
        .parse_caller(principal, None)
        .ok()
        .and_then(|c| c.account)
}

/// The catalog's actions of the pattern's service that it matches (at most eight), and two
/// that it does not, so that requests reach both sides of it.
fn catalog_actions(
    cloud: Cloud,
    text: &str,
    glob: &polsim_core::pattern::Glob,
    folded: bool,
) -> Vec<String> {
    let Some((service, _)) = text.split_once(':') else {
        return Vec::new();
    };
    if service.contains(['*', '?']) {
        return Vec::new();
    }
    let Some(s) = polsim_catalog::catalog(cloud).service(service) else {
        return Vec::new();
    };
    let matches = |a: &str| {
        let full = format!("{service}:{a}");
        if folded {
            glob.matches_folded(&full.to_lowercase())
        } else {
            glob.matches(&full)
        }
    };
    let (yes, no): (Vec<&str>, Vec<&str>) = s.actions().iter().partition(|a| matches(a));
    yes.iter()
        .take(8)
        .chain(no.iter().take(2))
        .map(|a| format!("{service}:{a}"))
        .collect()
}

/// A pattern with its wildcards filled: `*` by `x`, `?` by `q`.
pub fn fill_wildcards(pattern: &str) -> String {
    pattern.replace('*', "x").replace('?', "q")
}

/// A resource pattern made a name a request can carry: a segment that is all wildcards gets
/// the owner's account where the cloud's names carry it there, a region where the cloud
/// names one (OSS names keep `*`, which requests carry), `x` elsewhere; the rest as
/// [`fill_wildcards`] fills it.
pub fn fill_resource(cloud: Cloud, pattern: &str, owner: &str) -> String {
    let names = &clouds::of(cloud).traits().resources;
    let parts: Vec<&str> = pattern.splitn(names.segments.max(1), ':').collect();
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            let wild = !seg.is_empty() && seg.chars().all(|c| c == '*' || c == '?');
            if i == last || !wild {
                fill_wildcards(seg)
            } else if Some(i) == names.account_segment
                && cloud != Cloud::Tencent
                && !owner.is_empty()
            {
                owner.to_string()
            } else if i == region_segment(cloud) && names.request_star_is_any {
                "*".to_string()
            } else if i == region_segment(cloud) {
                other_regions(cloud)
                    .first()
                    .copied()
                    .unwrap_or("x")
                    .to_string()
            } else {
                "x".to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// Policy variables (`${aws:username}`) filled with a user name the policies name (or
/// `polsim-other`): a resource the variable's own caller can reach.
fn fill_variables(text: &str, names: &Names) -> String {
    let name = names.users.first().map_or("polsim-other", String::as_str);
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => {
                out.push_str(name);
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Patterns a character off either side of each wildcard: the literal character just before
/// or just after it dropped or changed, the wildcards kept (fill them with [`fill_wildcards`]
/// or [`fill_resource`]). Each, filled, is a name the pattern just misses, or, where the
/// wildcard swallows the change, one it just matches.
pub fn wildcard_near_misses(pattern: &str) -> Vec<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out: Vec<String> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '*' && *c != '?' {
            continue;
        }
        for j in [i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
            let Some(&n) = chars.get(j) else { continue };
            if n == '*' || n == '?' {
                continue;
            }
            let mut dropped = chars.clone();
            dropped.remove(j);
            let mut changed = chars.clone();
            if let Some(x) = changed.get_mut(j) {
                *x = other_char(n);
            }
            for v in [dropped, changed] {
                let s: String = v.into_iter().collect();
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

fn other_char(c: char) -> char {
    match c {
        'a'..='y' | 'A'..='Y' | '0'..='8' => char::from_u32(c as u32 + 1).unwrap_or('x'),
        'z' => 'a',
        'Z' => 'A',
        '9' => '0',
        '/' => '_',
        ':' => '-',
        _ => 'x',
    }
}

/// The name with the case of its last part changed (after the last `:` or `/`): a name that
/// differs only in case, which some comparisons fold and some do not.
pub fn case_changed(text: &str) -> String {
    let cut = text.rfind([':', '/']).map_or(0, |i| i + 1);
    let (head, tail) = text.split_at(cut);
    let swapped: String = tail
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    format!("{head}{swapped}")
}

/// The name with its region ([`region_segment`], where it names one) replaced by
/// another region of the cloud.
pub fn region_swapped(cloud: Cloud, name: &str) -> Option<String> {
    let at = region_segment(cloud);
    let mut parts: Vec<&str> = name.splitn(at + 2, ':').collect();
    let region = *parts.get(at)?;
    if region.is_empty() || region.contains(['*', '?']) || parts.len() < at + 2 {
        return None;
    }
    let other = other_regions(cloud).iter().find(|r| **r != region)?;
    if let Some(p) = parts.get_mut(at) {
        *p = other;
    }
    Some(parts.join(":"))
}

/// Near misses of one representative value, for its operator family: a date a second either
/// side; a string with its case changed and with its last character dropped.
pub fn value_near_misses(family: OpFamily, value: &str) -> Vec<String> {
    match family {
        OpFamily::Date(_) => polsim_core::values::parse_date(value)
            .map(|ms| {
                [ms - 1000, ms + 1000]
                    .into_iter()
                    .filter_map(chrono::DateTime::from_timestamp_millis)
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .collect()
            })
            .unwrap_or_default(),
        OpFamily::StringEquals
        | OpFamily::StringEqualsIgnoreCase
        | OpFamily::StringLike
        | OpFamily::Arn => {
            let mut out = Vec::new();
            let c = case_changed(value);
            if c != value {
                out.push(c);
            }
            let mut chars = value.chars();
            if chars.next_back().is_some() && !chars.as_str().is_empty() {
                out.push(chars.as_str().to_string());
            }
            out
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_sit_a_character_off_each_side_of_a_wildcard() {
        let fill = |p: &str| {
            wildcard_near_misses(p)
                .iter()
                .map(|n| fill_wildcards(n))
                .collect::<Vec<_>>()
        };
        let n = fill("s3:Get*");
        assert!(n.contains(&"s3:Gex".to_string()), "{n:?}");
        assert!(n.contains(&"s3:Geux".to_string()), "{n:?}");
        let g = polsim_core::pattern::Glob::new("s3:Get*");
        assert!(n.iter().all(|x| !g.matches(x)), "{n:?}");
        let n = fill("arn:aws:s3:::b/home/*/x");
        assert!(n.contains(&"arn:aws:s3:::b/homex/x".to_string()), "{n:?}");
        assert!(n.contains(&"arn:aws:s3:::b/home/xx".to_string()), "{n:?}");
    }

    #[test]
    fn case_changes_only_the_last_part() {
        assert_eq!(case_changed("s3:GetObject"), "s3:gEToBJECT");
        assert_eq!(case_changed("arn:aws:s3:::b/Key"), "arn:aws:s3:::b/kEY");
    }

    #[test]
    fn a_region_is_swapped_only_where_the_name_has_one() {
        assert_eq!(
            region_swapped(
                Cloud::Aws,
                "arn:aws:dynamodb:eu-west-1:111122223333:table/t"
            ),
            Some("arn:aws:dynamodb:us-east-1:111122223333:table/t".into())
        );
        assert_eq!(region_swapped(Cloud::Aws, "arn:aws:s3:::b/k"), None);
        assert_eq!(region_swapped(Cloud::Aliyun, "acs:oss:*:1:b"), None);
        assert_eq!(
            region_swapped(Cloud::Aliyun, "acs:oss:cn-shanghai:1:b"),
            Some("acs:oss:cn-hangzhou:1:b".into())
        );
    }

    #[test]
    fn a_date_bound_is_missed_by_a_second_either_side() {
        let n = value_near_misses(
            OpFamily::Date(polsim_core::ir::Cmp::Lt),
            "2026-01-01T00:00:00Z",
        );
        assert_eq!(n, vec!["2025-12-31T23:59:59Z", "2026-01-01T00:00:01Z"]);
    }
}
