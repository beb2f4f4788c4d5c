//! A small grammar of stacks and requests over a cloud's vocabulary.
//!
//! A [`Vocab`] lists, for one cloud, the names generated policies and requests share (action
//! names and patterns, resources and patterns, principal entries, condition blocks, callers of
//! every kind, context keys), so that matches and near misses are both common. A [`Case`] is
//! plain data: indices into the vocabulary (taken modulo its lists' lengths, so any numbers
//! make a valid case). Proptest strategies ([`case`]) and the fuzz targets (from `arbitrary`
//! bytes) build the same shapes, and [`Vocab::harness`] and [`Vocab::request`] turn them into
//! documents in the cloud's dialect and a request.

use crate::{GenRequest, Harness};
use polsim_core::{Cloud, Layer};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// One caller of a vocabulary: its name as a test file writes it, and its unique id.
#[derive(Debug, Clone, Copy)]
pub struct CallerName {
    /// The name (`arn:aws:iam::111122223333:user/Dave`, `anonymous`, `ecs.aliyuncs.com`, ...).
    pub name: &'static str,
    /// The `principal_id`, where the cloud's principals can name it.
    pub id: Option<&'static str>,
}

/// The names one cloud's generated stacks and requests are made of.
#[derive(Debug, Clone, Copy)]
pub struct Vocab {
    /// The cloud.
    pub cloud: Cloud,
    /// The layers generated policies go to.
    pub layers: &'static [Layer],
    /// Whether the dialect has `NotAction`.
    pub not_action: bool,
    /// Whether the dialect has `NotPrincipal`.
    pub not_principal: bool,
    /// Whether the dialect has `NotResource`.
    pub not_resource: bool,
    /// `Action` entries of policies.
    pub action_patterns: &'static [&'static str],
    /// `Resource` entries of policies.
    pub resource_patterns: &'static [&'static str],
    /// `Principal` values (JSON text), for layers with principals.
    pub principals: &'static [&'static str],
    /// `Condition` blocks (JSON text).
    pub conditions: &'static [&'static str],
    /// Callers of every kind the cloud has.
    pub callers: &'static [CallerName],
    /// Request actions.
    pub actions: &'static [&'static str],
    /// Request resources.
    pub resources: &'static [&'static str],
    /// Accounts a request may name as the resource's owner.
    pub resource_accounts: &'static [&'static str],
    /// Access points a request may go through.
    pub access_points: &'static [&'static str],
    /// Context keys and the values they may take.
    pub context: &'static [(&'static str, &'static [&'static str])],
}

/// One generated statement: indices into a [`Vocab`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementShape {
    /// Allow or Deny.
    pub allow: bool,
    /// `NotAction` instead of `Action` (where the dialect has it).
    pub not_action: bool,
    /// `Action` entries (at least one is written).
    pub actions: Vec<u8>,
    /// `Resource` entries (at least one is written).
    pub resources: Vec<u8>,
    /// `NotResource` instead of `Resource` (where the dialect has it).
    pub not_resource: bool,
    /// The principal (layers with principals only), and whether it is `NotPrincipal` (where the
    /// dialect has it).
    pub principal: (u8, bool),
    /// A condition block, if any.
    pub condition: Option<u8>,
}

/// One generated policy: its layer (an index into [`Vocab::layers`]), its level (for chain
/// layers) and its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyShape {
    /// Index into [`Vocab::layers`].
    pub layer: u8,
    /// Which of three levels, for chain layers.
    pub level: u8,
    /// The statements (at least one is written).
    pub statements: Vec<StatementShape>,
}

/// One generated request: indices into a [`Vocab`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestShape {
    /// Index into [`Vocab::callers`].
    pub caller: u8,
    /// Index into [`Vocab::actions`].
    pub action: u8,
    /// Index into [`Vocab::resources`].
    pub resource: u8,
    /// Index into [`Vocab::resource_accounts`], if the request names the owner.
    pub resource_account: Option<u8>,
    /// Index into [`Vocab::access_points`], if the request goes through one.
    pub access_point: Option<u8>,
    /// Context entries: (key index, value index).
    pub context: Vec<(u8, u8)>,
}

/// A generated stack and request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The policies.
    pub policies: Vec<PolicyShape>,
    /// The request.
    pub request: RequestShape,
}

/// The three levels generated chain layers use, in order.
pub const LEVELS: [&str; 3] = ["root", "ou", "account"];

fn pick<T: Copy>(list: &[T], i: u8) -> Option<T> {
    if list.is_empty() {
        return None;
    }
    list.get(usize::from(i) % list.len()).copied()
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

impl Vocab {
    fn el(&self, name: &'static str) -> String {
        match self.cloud {
            Cloud::Tencent => name.to_ascii_lowercase(),
            _ => name.to_string(),
        }
    }

    fn version(&self) -> (&'static str, &'static str) {
        match self.cloud {
            Cloud::Aws => ("Version", "2012-10-17"),
            Cloud::Aliyun => ("Version", "1"),
            Cloud::Tencent => ("version", "2.0"),
        }
    }

    /// The layer a policy shape goes to.
    pub fn layer(&self, p: &PolicyShape) -> Layer {
        pick(self.layers, p.layer).unwrap_or(Layer::Identity)
    }

    /// One statement in the dialect, for `layer`.
    pub fn statement(&self, layer: Layer, s: &StatementShape) -> Value {
        let mut m = Map::new();
        let effect = match (self.cloud, s.allow) {
            (Cloud::Tencent, true) => "allow",
            (Cloud::Tencent, false) => "deny",
            (_, true) => "Allow",
            (_, false) => "Deny",
        };
        m.insert(self.el("Effect"), json!(effect));
        let mut actions: Vec<&str> = s
            .actions
            .iter()
            .filter_map(|i| pick(self.action_patterns, *i))
            .collect();
        actions.dedup();
        if actions.is_empty() {
            actions.extend(pick(self.action_patterns, 0));
        }
        let action_el = if s.not_action && self.not_action {
            "NotAction"
        } else {
            "Action"
        };
        m.insert(self.el(action_el), json!(actions));
        let mut resources: Vec<&str> = s
            .resources
            .iter()
            .filter_map(|i| pick(self.resource_patterns, *i))
            .collect();
        resources.dedup();
        if resources.is_empty() {
            resources.extend(pick(self.resource_patterns, 0));
        }
        let resource_el = if s.not_resource && self.not_resource {
            "NotResource"
        } else {
            "Resource"
        };
        m.insert(self.el(resource_el), json!(resources));
        if layer.has_principal() {
            if let Some(p) = pick(self.principals, s.principal.0) {
                let negated = s.principal.1 && self.not_principal && !s.allow;
                let name = if negated { "NotPrincipal" } else { "Principal" };
                m.insert(self.el(name), parsed(p));
            }
        }
        if let Some(c) = s.condition.and_then(|i| pick(self.conditions, i)) {
            m.insert(self.el("Condition"), parsed(c));
        }
        Value::Object(m)
    }

    /// A policy document of `statements` for `layer`.
    pub fn document(&self, layer: Layer, statements: &[StatementShape]) -> Value {
        let (v, marker) = self.version();
        let st: Vec<Value> = statements
            .iter()
            .map(|s| self.statement(layer, s))
            .collect();
        let mut m = Map::new();
        m.insert(v.into(), json!(marker));
        m.insert(self.el("Statement"), Value::Array(st));
        Value::Object(m)
    }

    /// The stack of a case, as documents.
    pub fn harness(&self, policies: &[PolicyShape]) -> Harness {
        let mut h = Harness::for_cloud(self.cloud);
        for p in policies {
            let layer = self.layer(p);
            let level = pick(&LEVELS, p.level).unwrap_or("root");
            h = h.with_level(layer, level, self.document(layer, &p.statements));
        }
        h
    }

    /// The request of a case.
    pub fn request(&self, r: &RequestShape) -> GenRequest {
        let caller = pick(self.callers, r.caller).unwrap_or(CallerName {
            name: "anonymous",
            id: None,
        });
        let mut context: Vec<(String, String)> = Vec::new();
        for (k, v) in &r.context {
            if let Some((key, values)) = pick(self.context, *k) {
                if context.iter().any(|(have, _)| have == key) {
                    continue;
                }
                if let Some(value) = pick(values, *v) {
                    context.push((key.to_string(), value.to_string()));
                }
            }
        }
        GenRequest {
            cloud: self.cloud,
            principal: caller.name.to_string(),
            principal_id: caller.id.map(str::to_string),
            action: pick(self.actions, r.action).unwrap_or("*").to_string(),
            resource: pick(self.resources, r.resource).unwrap_or("*").to_string(),
            resource_account: r
                .resource_account
                .and_then(|i| pick(self.resource_accounts, i))
                .map(str::to_string),
            access_point: r
                .access_point
                .and_then(|i| pick(self.access_points, i))
                .map(str::to_string),
            context,
        }
    }
}

// --- Strategies over the shapes ---

/// A statement shape, Allow with probability `allow`.
pub fn statement_shape(allow: f64) -> impl Strategy<Value = StatementShape> {
    (
        prop::bool::weighted(allow),
        prop::bool::weighted(0.15),
        prop::collection::vec(any::<u8>(), 1..3),
        (
            prop::collection::vec(any::<u8>(), 1..3),
            prop::bool::weighted(0.1),
        ),
        (any::<u8>(), prop::bool::weighted(0.2)),
        prop::option::weighted(0.4, any::<u8>()),
    )
        .prop_map(
            |(allow, not_action, actions, (resources, not_resource), principal, condition)| {
                StatementShape {
                    allow,
                    not_action,
                    actions,
                    resources,
                    not_resource,
                    principal,
                    condition,
                }
            },
        )
}

/// A policy of one to four statements for `layer`.
pub fn policy(v: &'static Vocab, layer: Layer) -> impl Strategy<Value = Value> {
    prop::collection::vec(statement_shape(0.6), 1..5).prop_map(move |st| v.document(layer, &st))
}

/// A policy shape for any of the vocabulary's layers.
pub fn policy_shape() -> impl Strategy<Value = PolicyShape> {
    (
        any::<u8>(),
        any::<u8>(),
        prop::collection::vec(statement_shape(0.6), 1..4),
    )
        .prop_map(|(layer, level, statements)| PolicyShape {
            layer,
            level,
            statements,
        })
}

/// A request shape: any caller, action and resource, sometimes an owner account or an access
/// point, and up to three context entries.
pub fn request_shape() -> impl Strategy<Value = RequestShape> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        prop::option::weighted(0.5, any::<u8>()),
        prop::option::weighted(0.15, any::<u8>()),
        prop::collection::vec((any::<u8>(), any::<u8>()), 0..4),
    )
        .prop_map(
            |(caller, action, resource, resource_account, access_point, context)| RequestShape {
                caller,
                action,
                resource,
                resource_account,
                access_point,
                context,
            },
        )
}

/// A request by any of the vocabulary's callers.
pub fn request(v: &'static Vocab) -> impl Strategy<Value = GenRequest> {
    request_shape().prop_map(move |r| v.request(&r))
}

/// A multi-layer stack (one to five policies over the vocabulary's layers) and a request.
pub fn case() -> impl Strategy<Value = Case> {
    (prop::collection::vec(policy_shape(), 1..6), request_shape())
        .prop_map(|(policies, request)| Case { policies, request })
}
