//! Properties of a repository's stacks, checked over requests drawn from each stack's own
//! vocabulary ([`crate::vocab`]), judged by the same path as `polsim eval`
//! (`polsim_edge::judge`), and on failure shrunk to a minimal request that is printed with
//! polsim's explanation of it and the `polsim eval` command that reproduces it.
//!
//! The presets state the properties policy repositories write; [`Property::new`] builds
//! others. A property is a rule over the requests of a space: by default "no request of the
//! space is allowed", narrowed by [`Property::actions`], [`Property::resources`],
//! [`Property::callers`] and [`Property::unless`], or replaced by [`Property::rule`].
//!
//! ```no_run
//! use polsim_proptest::{property::Property, repo};
//!
//! let stack = repo::load("stacks/aws/data-bucket").unwrap();
//! polsim_proptest::property::assert_holds(&stack, &Property::never_public());
//! polsim_proptest::property::assert_holds(
//!     &stack,
//!     &Property::never_allows(&["s3:DeleteBucket", "s3:PutBucketPolicy"]),
//! );
//! ```

use crate::repo::RepoStack;
use crate::vocab::{Probe, Vocabulary};
use polsim_core::{clouds, Cloud, CtxValue, Decision, Report, Request};
use proptest::test_runner::{RngAlgorithm, RngSeed, TestCaseError, TestError, TestRunner};
use std::cell::Cell;
use std::sync::Arc;

/// The requests a property judges by default.
pub const DEFAULT_CASES: u32 = 1024;

/// One judged request, as a rule sees it.
pub struct Outcome<'a> {
    /// The request as drawn.
    pub probe: &'a Probe,
    /// The request as polsim judged it (operation settled, defaults applied).
    pub request: &'a Request,
    /// polsim's report: the decision, the layer and statement that decided, and why.
    pub report: &'a Report,
    /// The account that owns the resource, where it is known.
    pub owner: Option<&'a str>,
    /// The stack it was judged against (for [`Outcome::public_grant`]).
    stack: &'a RepoStack,
}

impl Outcome<'_> {
    /// Whether the request is allowed.
    pub fn allowed(&self) -> bool {
        self.report.decision == Decision::Allow
    }

    /// The value the request gives `key` (compared ignoring ASCII case).
    pub fn value(&self, key: &str) -> Option<&CtxValue> {
        self.request.context.get(key, false)
    }

    /// The caller's account, if it has one (the anonymous caller and services have none).
    pub fn caller_account(&self) -> Option<&str> {
        self.request.caller.account.as_deref()
    }

    /// Whether the statement that allowed it grants publicly (S3's meaning of public: to
    /// everyone, with no condition on a key that fixes who or where), as `polsim check
    /// --public` reads it. Worked out when asked (it judges the request once more), so a rule
    /// that does not ask costs nothing.
    pub fn public_grant(&self) -> bool {
        let side = polsim_diff::Side {
            stack: &self.stack.stack,
            resource_account: self.stack.defaults.resource_account.as_deref(),
            principal: None,
        };
        self.allowed()
            && polsim_diff::judge(&side, polsim_diff::Which::Head, self.request)
                .is_some_and(|j| j.public_grant)
    }
}

/// What a rule says of one request: `Some(why)` when the request breaks the property.
pub type Rule = Arc<dyn Fn(&Outcome<'_>) -> Option<String> + Send + Sync>;
/// An exemption: requests for which it is true are not judged by the rule.
pub type Exempt = Arc<dyn Fn(&Outcome<'_>) -> bool + Send + Sync>;

/// Which callers a property draws.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CallerSpace {
    /// Every caller of the vocabulary.
    #[default]
    All,
    /// The stack's own caller: `polsim.json`'s `principal`, or a test file's principals.
    Own,
    /// The public: the anonymous caller and callers of accounts no policy names.
    Public,
    /// Callers whose account is not one of these (the anonymous caller and services
    /// included).
    Outside(Vec<String>),
}

/// A property of a stack.
#[derive(Clone)]
pub struct Property {
    name: String,
    actions: Vec<String>,
    resources: Vec<String>,
    callers: CallerSpace,
    values: Vec<(String, Vec<String>)>,
    pinned: Vec<String>,
    clouds: Option<(Vec<Cloud>, String)>,
    cases: u32,
    exempt: Vec<Exempt>,
    rule: Rule,
}

impl std::fmt::Debug for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Property")
            .field("name", &self.name)
            .field("callers", &self.callers)
            .field("cases", &self.cases)
            .finish_non_exhaustive()
    }
}

fn never_allowed() -> Rule {
    Arc::new(|o: &Outcome<'_>| o.allowed().then(|| "it is allowed".to_string()))
}

impl Property {
    /// A property named `name`: by default, no request of its space is allowed.
    pub fn new(name: &str) -> Property {
        Property {
            name: name.to_string(),
            actions: Vec::new(),
            resources: Vec::new(),
            callers: CallerSpace::All,
            values: Vec::new(),
            pinned: Vec::new(),
            clouds: None,
            cases: DEFAULT_CASES,
            exempt: Vec::new(),
            rule: never_allowed(),
        }
    }

    /// The property's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Only requests whose action matches one of `patterns` (`*` and `?`; compared ignoring
    /// case), which are also added to the vocabulary where literal.
    pub fn actions(mut self, patterns: &[&str]) -> Property {
        self.actions
            .extend(patterns.iter().map(|p| (*p).to_string()));
        self
    }

    /// Only requests whose resource matches one of `patterns` (added to the vocabulary
    /// with their wildcards filled, as the stack's own patterns are).
    pub fn resources(mut self, patterns: &[&str]) -> Property {
        self.resources
            .extend(patterns.iter().map(|p| (*p).to_string()));
        self
    }

    /// Which callers are drawn.
    pub fn callers(mut self, callers: CallerSpace) -> Property {
        self.callers = callers;
        self
    }

    /// Values of a context key to draw besides the stack's own.
    pub fn values(mut self, key: &str, values: &[&str]) -> Property {
        self.values.push((
            key.to_string(),
            values.iter().map(|v| (*v).to_string()).collect(),
        ));
        self
    }

    /// A key every request carries (one of its values, never absent).
    pub fn pin(mut self, key: &str) -> Property {
        self.pinned.push(key.to_string());
        self
    }

    /// How many requests to judge (`PROPTEST_CASES` overrides it).
    pub fn cases(mut self, cases: u32) -> Property {
        self.cases = cases;
        self
    }

    /// Requests for which `exempt` is true are not held to the rule.
    pub fn unless(
        mut self,
        exempt: impl Fn(&Outcome<'_>) -> bool + Send + Sync + 'static,
    ) -> Property {
        self.exempt.push(Arc::new(exempt));
        self
    }

    /// Replaces the rule: `rule` returns why a request breaks the property, or `None`.
    pub fn rule(
        mut self,
        rule: impl Fn(&Outcome<'_>) -> Option<String> + Send + Sync + 'static,
    ) -> Property {
        self.rule = Arc::new(rule);
        self
    }

    fn only_for(mut self, clouds: &[Cloud], why: &str) -> Property {
        self.clouds = Some((clouds.to_vec(), why.to_string()));
        self
    }

    /// No request whose action matches one of `actions` is allowed, to anyone, under any
    /// context.
    pub fn never_allows(actions: &[&str]) -> Property {
        Property::new(&format!("never_allows({})", actions.join(", "))).actions(actions)
    }

    /// Nothing is allowed to the public: no request by the anonymous caller or a caller of
    /// an account no policy names is allowed unless it sets one of the cloud's limiting keys
    /// (source address, VPC, endpoint, organization, ...: S3's list, and the other clouds'
    /// keys of the same kind). This is access as it is decided, so a public `Allow` fenced by
    /// a `Deny` on those keys holds; `polsim check --public` asks the static question
    /// (does any statement grant publicly) as well.
    pub fn never_public() -> Property {
        Property::new("never_public")
            .callers(CallerSpace::Public)
            .rule(|o| {
                if !o.allowed() {
                    return None;
                }
                let limiting = clouds::of(o.request.cloud).traits().limiting_keys;
                let limited = o
                    .probe
                    .context
                    .iter()
                    .any(|(k, _)| limiting.iter().any(|l| l.eq_ignore_ascii_case(k)));
                (!limited).then(|| {
                    "it is allowed to a caller outside every account the policies name, with no limiting key (source address, VPC, endpoint, organization) set".to_string()
                })
            })
    }

    /// Only callers of the AWS organization `org` are allowed anything: every allowed request
    /// carries `aws:PrincipalOrgID` = `org`. (AWS only: Alibaba Cloud and Tencent Cloud have
    /// no organization key in polsim's catalogs; use [`Property::only_from_accounts`].)
    pub fn only_from_org(org: &str) -> Property {
        let want = org.to_string();
        // The same id with its last character changed: one a prefix match would let in.
        let near = match org.chars().last() {
            Some('x') => format!("{}y", &org[..org.len() - 1]),
            Some(c) => format!("{}x", &org[..org.len() - c.len_utf8()]),
            None => "o-x".to_string(),
        };
        Property::new(&format!("only_from_org({org})"))
            .values("aws:PrincipalOrgID", &[org, &near, "o-polsimother"])
            .only_for(&[Cloud::Aws], "aws:PrincipalOrgID is AWS Organizations' key")
            .rule(move |o| {
                if !o.allowed() {
                    return None;
                }
                match o.value("aws:PrincipalOrgID") {
                    Some(CtxValue::One(v)) if *v == want => None,
                    Some(v) => Some(format!("it is allowed with aws:PrincipalOrgID = {}", text(v))),
                    None => Some("it is allowed with no aws:PrincipalOrgID (a caller outside every organization)".into()),
                }
            })
    }

    /// Only callers of `accounts` are allowed anything (the anonymous caller and services
    /// count as outside).
    pub fn only_from_accounts(accounts: &[&str]) -> Property {
        let inside: Vec<String> = accounts.iter().map(|a| (*a).to_string()).collect();
        Property::new(&format!("only_from_accounts({})", accounts.join(", ")))
            .callers(CallerSpace::Outside(inside.clone()))
            .rule(move |o| {
                if !o.allowed() {
                    return None;
                }
                match o.caller_account() {
                    Some(a) if inside.iter().any(|i| i == a) => None,
                    Some(a) => Some(format!("it is allowed to a caller of account {a}")),
                    None => Some("it is allowed to a caller of no account".into()),
                }
            })
    }

    /// Nothing is allowed without MFA: every allowed request carries the cloud's MFA key
    /// (`aws:MultiFactorAuthPresent`, `acs:MFAPresent`) = `true`. (polsim's references give
    /// no values for Tencent Cloud's `qcs:mfa`; there, state the property with
    /// [`Property::new`] and [`Property::rule`].)
    pub fn requires_mfa() -> Property {
        let p = Property::new("requires_mfa")
            .values("aws:MultiFactorAuthPresent", &["true", "false"])
            .values("acs:MFAPresent", &["true", "false"])
            .only_for(
                &[Cloud::Aws, Cloud::Aliyun],
                "the MFA key's values are documented for AWS (aws:MultiFactorAuthPresent) and Alibaba Cloud (acs:MFAPresent) only",
            );
        p.rule(|o| {
            if !o.allowed() {
                return None;
            }
            let key = match o.request.cloud {
                Cloud::Aliyun => "acs:MFAPresent",
                _ => "aws:MultiFactorAuthPresent",
            };
            match o.value(key) {
                Some(CtxValue::One(v)) if v.eq_ignore_ascii_case("true") => None,
                Some(v) => Some(format!("it is allowed with {key} = {}", text(v))),
                None => Some(format!(
                    "it is allowed with no {key} (a request signed without MFA)"
                )),
            }
        })
    }

    /// Nothing is allowed outside `regions`. On AWS the region is `aws:RequestedRegion`
    /// (every request carries one); on Alibaba Cloud and Tencent Cloud it is the region the
    /// resource's name gives, and requests whose resource names no region (OSS names carry
    /// `*`) are not judged.
    pub fn region_locked(regions: &[&str]) -> Property {
        let inside: Vec<String> = regions.iter().map(|r| (*r).to_string()).collect();
        let mut tried: Vec<&str> = regions.to_vec();
        tried.extend(["us-east-1", "eu-west-1", "ap-southeast-2"]);
        Property::new(&format!("region_locked({})", regions.join(", ")))
            .values("aws:RequestedRegion", &tried)
            .pin("aws:RequestedRegion")
            .rule(move |o| {
                if !o.allowed() {
                    return None;
                }
                let region = match o.request.cloud {
                    Cloud::Aws => match o.value("aws:RequestedRegion") {
                        Some(CtxValue::One(v)) => Some(v.clone()),
                        _ => None,
                    },
                    cloud => resource_region(cloud, &o.request.resource),
                };
                match region {
                    Some(r) if inside.iter().any(|i| i.eq_ignore_ascii_case(&r)) => None,
                    Some(r) => Some(format!("it is allowed in region `{r}`")),
                    None if o.request.cloud == Cloud::Aws => {
                        Some("it is allowed with no aws:RequestedRegion".into())
                    }
                    None => None,
                }
            })
    }

    /// No caller writes to another account's resources: an allowed request by a caller of
    /// an account other than the resource's owner is read-only. An action is read-only when
    /// its name begins with a reading verb (`Get`, `List`, `Describe`, `Head`, ...); every
    /// other action counts as a write (failing closed). The owner is the stack's
    /// `resource_account` (`polsim.json`), the S3 state's bucket owner, or the account the
    /// resource's name carries; requests whose owner is unknown are not judged.
    pub fn no_cross_account_write() -> Property {
        Property::new("no_cross_account_write").rule(|o| {
            if !o.allowed() {
                return None;
            }
            let owner = o.owner?;
            let action = o
                .request
                .extras
                .operation
                .as_deref()
                .unwrap_or(&o.request.action);
            if o.caller_account() == Some(owner) || !is_write(o.request.cloud, action) {
                return None;
            }
            Some(format!(
                "it writes ({action}) to account {owner}'s resource as {}",
                match o.caller_account() {
                    Some(a) => format!("a caller of account {a}"),
                    None => "a caller of no account".to_string(),
                }
            ))
        })
    }

    /// The vocabulary this property draws from, for `stack`.
    pub fn vocabulary(&self, stack: &RepoStack) -> Vocabulary {
        let mut v = stack.vocabulary.clone();
        for (k, vs) in &self.values {
            let key_cloud = key_cloud(k);
            if key_cloud.is_none_or(|c| c == stack.cloud) {
                let refs: Vec<&str> = vs.iter().map(String::as_str).collect();
                v.add_values(k, &refs);
            }
        }
        // Literal actions of the stack's cloud join the vocabulary (an `oss:` name means
        // nothing to an AWS stack).
        let catalog = polsim_catalog::catalog(stack.cloud);
        for a in &self.actions {
            let service = a.split_once(':').map_or("", |(s, _)| s);
            if !a.contains(['*', '?']) && catalog.service(service).is_some() {
                v.add_action(a);
            }
        }
        let globs: Vec<polsim_core::pattern::Glob> = self
            .actions
            .iter()
            .map(|a| polsim_core::pattern::Glob::new(&a.to_lowercase()))
            .collect();
        let owner = v.resource_account.clone().unwrap_or_default();
        for r in &self.resources {
            v.add_resource(&crate::vocab::fill_resource(stack.cloud, r, &owner));
        }
        let resource_globs: Vec<polsim_core::pattern::Glob> = self
            .resources
            .iter()
            .map(|r| polsim_core::pattern::Glob::new(r))
            .collect();
        if !self.actions.is_empty() {
            v.actions.retain(|a| {
                let name = a.action.to_lowercase();
                let op = a.operation.as_deref().map(str::to_lowercase);
                globs
                    .iter()
                    .any(|g| g.matches(&name) || op.as_deref().is_some_and(|o| g.matches(o)))
            });
        }
        if !self.resources.is_empty() {
            v.resources
                .retain(|r| resource_globs.iter().any(|g| g.matches(r)));
        }
        match &self.callers {
            CallerSpace::All => {}
            CallerSpace::Own => {
                let own: Vec<&str> = stack
                    .defaults
                    .principal
                    .iter()
                    .map(String::as_str)
                    .chain(stack.seeds.iter().map(|s| s.principal.as_str()))
                    .collect();
                v.callers.retain(|(p, _)| own.contains(&p.as_str()));
            }
            CallerSpace::Public => {
                // The anonymous caller, and callers of an account no policy names.
                let named = &stack.vocabulary.accounts;
                let cloud = stack.cloud;
                v.callers.retain(|(p, id)| {
                    clouds::of(cloud)
                        .parse_caller(p, id.as_deref())
                        .is_ok_and(|c| match &c.account {
                            None => c.kind == polsim_core::request::CallerKind::Anonymous,
                            Some(a) => !named.contains(a),
                        })
                });
            }
            CallerSpace::Outside(inside) => {
                let cloud = stack.cloud;
                v.callers.retain(|(p, id)| {
                    clouds::of(cloud)
                        .parse_caller(p, id.as_deref())
                        .is_ok_and(|c| c.account.as_ref().is_none_or(|a| !inside.contains(a)))
                });
            }
        }
        v
    }
}

/// The cloud a condition key belongs to, by its prefix, where it is a global one.
fn key_cloud(key: &str) -> Option<Cloud> {
    let prefix = key.split(':').next()?.to_ascii_lowercase();
    match prefix.as_str() {
        "aws" => Some(Cloud::Aws),
        "acs" => Some(Cloud::Aliyun),
        "qcs" => Some(Cloud::Tencent),
        _ => None,
    }
}

fn text(v: &CtxValue) -> String {
    match v {
        CtxValue::One(s) => format!("`{s}`"),
        CtxValue::Many(vs) => format!("{vs:?}"),
    }
}

/// The region a resource name gives ([`crate::vocab::region_segment`]), where it names one.
pub fn resource_region(cloud: Cloud, resource: &str) -> Option<String> {
    let r = resource
        .split(':')
        .nth(crate::vocab::region_segment(cloud))?;
    (!r.is_empty() && !r.contains(['*', '?'])).then(|| r.to_string())
}

/// Whether an action (or operation) name writes: every name but those that begin with a
/// reading verb (`Get`, `List`, `Describe`, `Head`, ...). A name is read as the catalog spells
/// it where the catalog lists it ignoring case (`s3:gEToBJECT` reads), so that the verb's
/// boundary is seen (`CheckoutLicense` writes).
pub fn is_write(cloud: Cloud, action: &str) -> bool {
    const READS: &[&str] = &[
        "Get", "List", "Describe", "Head", "Search", "Select", "Query", "Scan", "View", "Read",
        "Lookup", "Check", "BatchGet", "Download",
    ];
    let bare = action.rsplit('/').next().unwrap_or(action);
    let spelt = bare.split_once(':').and_then(|(service, name)| {
        polsim_catalog::catalog(cloud)
            .service(service)?
            .actions()
            .iter()
            .find(|a| a.eq_ignore_ascii_case(name))
            .copied()
    });
    let name = spelt.unwrap_or_else(|| bare.rsplit(':').next().unwrap_or(bare));
    !READS.iter().any(|r| {
        name.strip_prefix(r)
            .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_ascii_lowercase()))
    })
}

/// A property that held: how much was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The property.
    pub property: String,
    /// The stack.
    pub stack: String,
    /// Requests judged.
    pub judged: u32,
    /// Requests drawn that polsim refused to judge (an operation that does not take the
    /// action drawn, say), skipped.
    pub refused: u32,
    /// Distinct requests the vocabulary makes (saturating).
    pub space: u128,
    /// Whether every one of them was judged (a space no larger than the cases asked for):
    /// the property then holds over all of the stack's words, not over a sample.
    pub exhaustive: bool,
}

/// A property that failed: broken by a request (`found`), or not checkable on the stack.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The property.
    pub property: String,
    /// The stack.
    pub stack: String,
    /// Why the request breaks it, or why it cannot be checked.
    pub why: String,
    /// The request that breaks it; `None` when the property cannot be checked here.
    pub found: Option<Box<Found>>,
}

/// The request that breaks a property, shrunk, with what reproduces it.
#[derive(Debug, Clone)]
pub struct Found {
    /// The minimal request, after shrinking.
    pub probe: Probe,
    /// polsim's explanation of that request.
    pub explanation: String,
    /// The `polsim eval` command (or the `polsim test` case) that reproduces it.
    pub command: String,
    /// The seed that replays the run (`POLSIM_PROPTEST_SEED`); `None` when the whole
    /// vocabulary was walked (no draw to replay).
    pub seed: Option<u64>,
}

impl Failure {
    /// The minimal request, for a broken property.
    pub fn probe(&self) -> Option<&Probe> {
        self.found.as_ref().map(|f| &f.probe)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(found) = &self.found else {
            return write!(
                f,
                "property `{}` cannot be checked on `{}`: {}",
                self.property, self.stack, self.why
            );
        };
        let probe = &found.probe;
        writeln!(
            f,
            "property `{}` does not hold for `{}`: {}",
            self.property, self.stack, self.why
        )?;
        writeln!(f, "minimal request (shrunk):")?;
        writeln!(f, "  principal: {}", probe.principal)?;
        if let Some(id) = &probe.principal_id {
            writeln!(f, "  principal id: {id}")?;
        }
        match &probe.operation {
            Some(op) => writeln!(f, "  operation: {op}")?,
            None => writeln!(f, "  action: {}", probe.action)?,
        }
        writeln!(f, "  resource: {}", probe.resource)?;
        if probe.context.is_empty() {
            writeln!(f, "  context: (none)")?;
        }
        for (k, v) in &probe.context {
            writeln!(f, "  context: {k} = {}", text(v))?;
        }
        writeln!(f, "reproduce: {}", found.command)?;
        match found.seed {
            Some(seed) => writeln!(f, "replay this run: POLSIM_PROPTEST_SEED={seed}")?,
            None => writeln!(
                f,
                "found walking every request of the stack's vocabulary, plainest first"
            )?,
        }
        writeln!(f, "polsim's explanation:")?;
        for l in found.explanation.lines() {
            writeln!(f, "  {l}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// The seed of a check: `POLSIM_PROPTEST_SEED` when set, else one made of the property's and
/// the stack's names, so that CI runs are repeatable.
fn seed_for(property: &str, stack: &str) -> u64 {
    crate::seed_from_env().unwrap_or_else(|| {
        format!("{property}\u{0}{stack}")
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    })
}

/// The request polsim judges for a probe.
pub fn request_of(stack: &RepoStack, probe: &Probe) -> Result<Request, String> {
    let profile = clouds::of(stack.cloud);
    let caller = profile.parse_caller(&probe.principal, probe.principal_id.as_deref())?;
    // The folder's `context` is not laid under every request: its values are the first the
    // vocabulary draws for their keys, and a property sees requests without them too.
    let mut context = polsim_core::Context::new();
    for (k, v) in &probe.context {
        // The anonymous caller carries nothing of a principal (no organization, tag or MFA).
        if caller.kind == polsim_core::request::CallerKind::Anonymous && of_the_principal(k) {
            continue;
        }
        context.insert(k, v.clone());
    }
    let mut extras = polsim_core::state::RequestExtras::default();
    extras.operation.clone_from(&probe.operation);
    Ok(Request {
        cloud: stack.cloud,
        caller,
        action: if probe.operation.is_some() {
            String::new()
        } else {
            probe.action.clone()
        },
        resource: probe.resource.clone(),
        resource_account: probe.resource_account.clone(),
        access_point: None,
        context,
        extras,
    })
}

/// Whether a key describes the signed caller (`aws:PrincipalOrgID`, `aws:PrincipalTag/x`,
/// `aws:MultiFactorAuthPresent`, `acs:MFAPresent`, ...), which an anonymous request cannot carry.
fn of_the_principal(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "aws:principal",
        "acs:principal",
        "aws:multifactorauth",
        "acs:mfapresent",
        "qcs:mfa",
        "aws:userid",
        "aws:username",
        "aws:sourceidentity",
        "aws:tokenissuetime",
    ]
    .iter()
    .any(|p| k.starts_with(p))
}

/// Judges one probe against the stack: polsim's report and the request as judged.
pub fn judge(stack: &RepoStack, probe: &Probe) -> Result<(Report, Request), String> {
    let req = request_of(stack, probe)?;
    let (report, req, _) = polsim_edge::judge::judge(&stack.stack, req).map_err(|d| {
        d.iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Ok((report, req))
}

/// Checks a property on a stack.
pub fn check(stack: &RepoStack, property: &Property) -> Result<Checked, Failure> {
    let name = stack.name();
    let unusable = |why: String| Failure {
        property: property.name.clone(),
        stack: name.clone(),
        why,
        found: None,
    };
    if let Some((clouds, why)) = &property.clouds {
        if !clouds.contains(&stack.cloud) {
            return Err(unusable(format!(
                "it is not for {} ({why})",
                stack.cloud.title()
            )));
        }
    }
    let vocab = property.vocabulary(stack);
    for (what, empty) in [
        ("caller", vocab.callers.is_empty()),
        ("action", vocab.actions.is_empty()),
        ("resource", vocab.resources.is_empty()),
    ] {
        if empty {
            return Err(unusable(format!(
                "no {what} of the stack's vocabulary is in the property's space; add one (Property::actions, Property::resources, `principal` in polsim.json for CallerSpace::Own) or widen the space"
            )));
        }
    }
    let seed = seed_for(&property.name, &name);
    let mut config = crate::config(property.cases);
    config.failure_persistence = None;
    config.rng_algorithm = RngAlgorithm::ChaCha;
    config.rng_seed = RngSeed::Fixed(seed);
    config.max_global_rejects = config.cases.saturating_mul(4).max(1024);
    let cases = config.cases;
    let judged = Cell::new(0u32);
    let refused = Cell::new(0u32);
    // One request: `Ok(None)` holds, `Ok(Some(why))` breaks the property, `Err` polsim
    // refused to judge it.
    let one = |probe: &Probe| -> Result<Option<String>, String> {
        let (report, request) = judge(stack, probe).inspect_err(|_| {
            refused.set(refused.get() + 1);
        })?;
        judged.set(judged.get() + 1);
        let owner = probe
            .resource_account
            .clone()
            .or_else(|| polsim_diff::account_in(stack.cloud, &probe.resource));
        let outcome = Outcome {
            probe,
            request: &request,
            report: &report,
            owner: owner.as_deref(),
            stack,
        };
        if property.exempt.iter().any(|e| e(&outcome)) {
            return Ok(None);
        }
        Ok((property.rule)(&outcome))
    };
    let space = vocab.size();
    // A vocabulary no larger than the cases asked for is walked whole, plainest requests
    // first: the answer is then exact over the stack's words, and the first failure is the
    // plainest.
    let exhaustive = space <= u128::from(cases);
    let broken: Option<(String, Probe)> = if exhaustive {
        let mut found = None;
        for probe in vocab.all_requests(&property.pinned) {
            if let Ok(Some(why)) = one(&probe) {
                found = Some((why, probe));
                break;
            }
        }
        found
    } else {
        let mut runner = TestRunner::new(config);
        let strategy = vocab.requests(&property.pinned);
        let result = runner.run(&strategy, |probe| match one(&probe) {
            Ok(None) => Ok(()),
            Ok(Some(why)) => Err(TestCaseError::fail(why)),
            Err(why) => Err(TestCaseError::reject(why)),
        });
        match result {
            Ok(()) => None,
            Err(TestError::Fail(why, probe)) => Some((why.message().to_string(), probe)),
            Err(TestError::Abort(why)) => {
                return Err(unusable(format!(
                    "polsim refused {} of the {cases} requests drawn ({why}); the vocabulary makes requests polsim cannot judge",
                    refused.get()
                )))
            }
        }
    };
    let Some((why, probe)) = broken else {
        if judged.get() == 0 {
            return Err(unusable(format!(
                "polsim refused every request of the property's space ({} of them)",
                refused.get()
            )));
        }
        return Ok(Checked {
            property: property.name.clone(),
            stack: name,
            judged: judged.get(),
            refused: refused.get(),
            space,
            exhaustive,
        });
    };
    let (explanation, decision) = match judge(stack, &probe) {
        Ok((report, request)) => (
            polsim_edge::render::human(
                &report,
                &request,
                None,
                &polsim_edge::render::Style::new(false),
            ),
            report.decision,
        ),
        Err(e) => (
            format!("(polsim refused the request: {e})"),
            Decision::ImplicitDeny,
        ),
    };
    let command = match stack.origin {
        crate::repo::Origin::Folder => probe.eval_args().command(&stack.path.display().to_string()),
        // A test file's stack is no folder `eval` reads: the case, pinned, is the
        // reproduction (`polsim test` runs it).
        crate::repo::Origin::TestFile => format!(
            "add this case to {} and run polsim test on it: {}",
            stack.path.display(),
            probe.test_case(decision)
        ),
    };
    Err(Failure {
        property: property.name.clone(),
        stack: name,
        why,
        found: Some(Box::new(Found {
            probe,
            explanation,
            command,
            seed: (!exhaustive).then_some(seed),
        })),
    })
}

/// Checks a property on every stack (`load_all`'s), and returns every failure: none when it
/// holds on all of them. No stack at all is a failure: a check of nothing never passes.
pub fn check_all(stacks: &[RepoStack], property: &Property) -> Vec<Failure> {
    if stacks.is_empty() {
        return vec![Failure {
            property: property.name.clone(),
            stack: String::new(),
            why: "no stack was given, so nothing was checked".into(),
            found: None,
        }];
    }
    stacks
        .iter()
        .filter_map(|s| check(s, property).err())
        .collect()
}

/// [`check_all`], panicking with every failure if there is one.
#[allow(clippy::panic)] // an assertion helper: panicking is how a test fails
pub fn assert_holds_all(stacks: &[RepoStack], property: &Property) {
    let failures = check_all(stacks, property);
    if !failures.is_empty() {
        let text: Vec<String> = failures.iter().map(Failure::to_string).collect();
        panic!(
            "property `{}` fails on {} of {} stacks:\n\n{}",
            property.name,
            failures.len(),
            stacks.len(),
            text.join("\n")
        );
    }
}

/// Checks a property and panics with the failure (the minimal request and polsim's
/// explanation) if it does not hold: for `#[test]` functions.
#[allow(clippy::panic)] // an assertion helper: panicking is how a test fails
pub fn assert_holds(stack: &RepoStack, property: &Property) -> Checked {
    match check(stack, property) {
        Ok(c) => c,
        Err(f) => panic!("{f}"),
    }
}

/// Checks a property that is meant not to hold (a planted mistake) and returns the failure;
/// panics if it holds or cannot be checked.
#[allow(clippy::panic)] // an assertion helper: panicking is how a test fails
pub fn assert_breaks(stack: &RepoStack, property: &Property) -> Failure {
    match check(stack, property) {
        Ok(c) => panic!(
            "property `{}` was expected to break on `{}`, but it held over {} requests",
            c.property, c.stack, c.judged
        ),
        Err(f) if f.found.is_some() => f,
        Err(f) => panic!("{f}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_verbs_are_reads_and_everything_else_writes() {
        for r in [
            "s3:GetObject",
            "s3:gEToBJECT",
            "ec2:DescribeInstances",
            "HeadObject",
        ] {
            assert!(!is_write(Cloud::Aws, r), "{r}");
        }
        assert!(!is_write(Cloud::Aliyun, "oss:ListObjects"));
        assert!(!is_write(Cloud::Tencent, "name/cos:HeadObject"));
        for w in [
            "s3:PutObject",
            "s3:DeleteObject",
            "iam:PassRole",
            "s3:Getaway",
            "s3:*",
            "kms:Decrypt",
            "license-manager:CheckoutLicense",
        ] {
            assert!(is_write(Cloud::Aws, w), "{w}");
        }
        assert!(is_write(Cloud::Aliyun, "oss:PutBucketAcl"));
    }

    #[test]
    fn a_region_is_read_from_the_fourth_segment() {
        assert_eq!(
            resource_region(
                Cloud::Tencent,
                "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"
            ),
            Some("ap-guangzhou".into())
        );
        assert_eq!(resource_region(Cloud::Aliyun, "acs:oss:*:1:b"), None);
        assert_eq!(
            resource_region(Cloud::Aliyun, "acs:ecs:cn-hangzhou:1:instance/i-1"),
            Some("cn-hangzhou".into())
        );
        assert_eq!(resource_region(Cloud::Aws, "arn:aws:s3:::b"), None);
    }
}
