//! polsim-proptest: property tests of cloud policies, with [proptest].
//!
//! **For a policy repository**: load its own stacks ([`repo::load`], [`repo::load_all`]: stack
//! folders, folders of stacks, test files, read as `polsim eval` and `polsim test` read them),
//! state properties ([`property::Property`]: `never_allows`, `never_public`, `only_from_org`,
//! `only_from_accounts`, `requires_mfa`, `region_locked`, `no_cross_account_write`, or a rule of
//! its own), and check them over requests drawn from each stack's own words and their near
//! misses ([`vocab`]). A failure is shrunk and printed with polsim's explanation
//! (docs/property-testing.md):
//!
//! ```no_run
//! use polsim_proptest::{assert_holds, load, Property};
//!
//! let bucket = load("stacks/aliyun/media-bucket").unwrap();
//! assert_holds(&bucket, &Property::never_public());
//! ```
//!
//! **For polsim's own tests**: generated documents are policy JSON (`serde_json::Value`) in
//! each cloud's dialect, so they go through the same parser as files do.
//!
//! - [`repo`], [`vocab`], [`property`]: a repository's stacks, their vocabulary, properties.
//! - [`aws`], [`aliyun`], [`tencent`]: each cloud's vocabulary ([`grammar::Vocab`]) and its
//!   strategies: a policy for each layer the cloud has, requests by callers of every kind, and
//!   whole multi-layer stacks ([`grammar::Case`]).
//! - [`grammar`]: the shapes generated stacks are made of (indices into a vocabulary), shared
//!   with the fuzz targets in `fuzz/`, which build the same shapes from `arbitrary` bytes.
//! - [`invariants`]: the evaluator's invariants (explain on/off agree, order does not matter,
//!   a Deny twin leaves no Allow, intersecting layers only restrict, reports never panic), as
//!   one function both the properties and the fuzz targets call.
//!
//! ```
//! use polsim_proptest::{aws, Harness};
//! use proptest::prelude::*;
//!
//! proptest!(|(doc in aws::identity_policy(), req in aws::request())| {
//!     // An explicit Deny of everything wins over any Allow.
//!     let h = Harness::new().identity(doc).identity(aws::deny_all());
//!     prop_assert_ne!(h.decide(&req), polsim_core::Decision::Allow);
//! });
//! ```
//!
//! Reproducing a failure: proptest prints the failing input and keeps its seed in
//! `proptest-regressions/`; to replay a whole run, set `POLSIM_PROPTEST_SEED` to a number
//! (see [`config`]).

pub mod aliyun;
pub mod aws;
pub mod grammar;
pub mod invariants;
pub mod property;
pub mod repo;
pub mod targets;
pub mod tencent;
pub mod vocab;

pub use property::{
    assert_breaks, assert_holds, assert_holds_all, check, check_all, CallerSpace, Property,
};
pub use repo::{load, load_all, RepoStack};

use polsim_core::{Cloud, Decision, Layer, Report, Request, Stack};
use polsim_parse::{json, PolicySource};
use proptest::test_runner::{Config, RngAlgorithm};
use serde_json::Value;

/// A generated request: the caller, action, resource and context.
#[derive(Debug, Clone)]
pub struct GenRequest {
    /// The cloud whose rules judge it.
    pub cloud: Cloud,
    /// The caller's name, as a test file writes it (an ARN, an account, `anonymous`, a service).
    pub principal: String,
    /// The caller's unique id (`principal_id` of a test file), if given.
    pub principal_id: Option<String>,
    /// The action.
    pub action: String,
    /// The resource name or `*`.
    pub resource: String,
    /// The account that owns the resource, if given (COS names carry no owner).
    pub resource_account: Option<String>,
    /// The access point the request goes through, if any.
    pub access_point: Option<String>,
    /// Context keys and values.
    pub context: Vec<(String, String)>,
}

impl GenRequest {
    /// An AWS request by `principal`, with no context.
    pub fn aws(principal: &str, action: &str, resource: &str) -> GenRequest {
        GenRequest {
            cloud: Cloud::Aws,
            principal: principal.to_string(),
            principal_id: None,
            action: action.to_string(),
            resource: resource.to_string(),
            resource_account: None,
            access_point: None,
            context: Vec::new(),
        }
    }
}

/// Builds a stack from JSON documents and evaluates requests against it.
#[derive(Debug, Clone)]
pub struct Harness {
    cloud: Cloud,
    docs: Vec<(Layer, Option<String>, Value)>,
}

impl Default for Harness {
    fn default() -> Harness {
        Harness::for_cloud(Cloud::Aws)
    }
}

impl Harness {
    /// An empty AWS stack.
    pub fn new() -> Harness {
        Harness::default()
    }

    /// An empty stack whose documents are written in `cloud`'s dialect.
    pub fn for_cloud(cloud: Cloud) -> Harness {
        Harness {
            cloud,
            docs: Vec::new(),
        }
    }

    /// The cloud of the stack.
    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// Adds an identity policy.
    pub fn identity(self, doc: Value) -> Harness {
        self.with(Layer::Identity, doc)
    }

    /// Adds a policy to any layer (SCPs and RCPs go to a single level named `root`).
    pub fn with(self, layer: Layer, doc: Value) -> Harness {
        self.with_level(layer, "root", doc)
    }

    /// Adds a policy to a layer; for a chain layer (SCP, RCP), to the level named `level`
    /// (levels keep the order they are first named in).
    pub fn with_level(mut self, layer: Layer, level: &str, doc: Value) -> Harness {
        let level = layer.has_levels().then(|| level.to_string());
        self.docs.push((layer, level, doc));
        self
    }

    /// The documents, with their layers and levels.
    pub fn documents(&self) -> impl Iterator<Item = (Layer, Option<&str>, &Value)> {
        self.docs.iter().map(|(l, lv, d)| (*l, lv.as_deref(), d))
    }

    /// The stack, or the first diagnostic if a document does not lower.
    pub fn stack(&self) -> Result<Stack, String> {
        let mut stack = Stack::default();
        for (i, (layer, level, doc)) in self.docs.iter().enumerate() {
            let text = doc.to_string();
            let j = json::parse(&text).map_err(|e| e.message)?;
            let src = PolicySource {
                id: format!("gen-{}", i + 1),
                file: None,
                layer: *layer,
            };
            let (p, diags) = polsim_parse::lower_policy(&j, &src, self.cloud);
            let errors: Vec<String> = diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.clone())
                .collect();
            let p = p.ok_or_else(|| format!("{text}: {}", errors.join("; ")))?;
            stack.push(*layer, level.as_deref(), p);
        }
        Ok(stack)
    }

    /// The request as polsim models it.
    pub fn request(req: &GenRequest) -> Result<Request, String> {
        let caller = polsim_core::clouds::of(req.cloud)
            .parse_caller(&req.principal, req.principal_id.as_deref())?;
        let mut context = polsim_core::Context::new();
        for (k, v) in &req.context {
            context.insert(k, polsim_core::CtxValue::One(v.clone()));
        }
        Ok(Request {
            cloud: req.cloud,
            caller,
            action: req.action.clone(),
            resource: req.resource.clone(),
            resource_account: req.resource_account.clone(),
            access_point: req.access_point.clone(),
            context,
            extras: Default::default(),
        })
    }

    /// Evaluates a request with explanation, and words the result.
    pub fn evaluate(&self, req: &GenRequest) -> Result<Report, String> {
        let stack = self.stack()?;
        let request = Harness::request(req)?;
        Ok(Report::new(&polsim_core::evaluate(&stack, &request)))
    }

    /// The decision for a request; an invalid stack or request counts as an implicit deny.
    pub fn decide(&self, req: &GenRequest) -> Decision {
        self.evaluate(req)
            .map_or(Decision::ImplicitDeny, |e| e.decision)
    }
}

/// The seed a run of the properties uses, when one is asked for: `POLSIM_PROPTEST_SEED` (a
/// decimal number; any other text is hashed into one).
pub fn seed_from_env() -> Option<u64> {
    let text = std::env::var("POLSIM_PROPTEST_SEED").ok()?;
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(text.parse::<u64>().unwrap_or_else(|_| {
        // FNV-1a: any label names a seed.
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }))
}

/// A proptest configuration with `cases` cases (`PROPTEST_CASES` still overrides it), run from
/// a fixed seed when `POLSIM_PROPTEST_SEED` is set: the same seed generates the same inputs,
/// so a failure seen in CI replays locally with `POLSIM_PROPTEST_SEED=N cargo test -p
/// polsim-proptest`.
pub fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    let mut c = Config::with_cases(cases);
    if let Some(seed) = seed_from_env() {
        c.rng_algorithm = RngAlgorithm::ChaCha;
        c.rng_seed = proptest::test_runner::RngSeed::Fixed(seed);
    }
    c
}
