//! One profile per cloud: everything a cloud is, reached through one trait.
//!
//! A [`CloudProfile`] says how the cloud is recognised (version markers, name prefix), how a
//! caller is read, how names compare (actions, resources, principals, condition keys), which
//! layers take part for which caller, what the request facts are, how the cloud decides
//! (`decide`, a pure function over [`Outcomes`] and [`Facts`]), and how its console and error
//! messages word things. Adding a cloud means one profile (with its `decide`) here, one dialect
//! spec in `polsim-parse`, and one arm in [`of`] and [`ALL`].

use crate::decide::{Facts, Notes, Outcomes, Pass, PrincipalHow, Skip, Verdict};
use crate::ir::{
    Cloud, Effect, Layer, PrincipalEntry, PrincipalForm, PrincipalKind, ResourcePattern,
};
use crate::request::{Caller, Derived, Request};
use crate::stack::Stack;
use std::borrow::Cow;

/// The user name of the principal `polsim eval` assumes when none is given.
pub const DEFAULT_USER: &str = "polsim-user";

/// Whether a layer takes part in a pass of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// It is evaluated.
    Yes,
    /// It does not take part in this pass, and there is nothing to say (the other half of an
    /// access-point request, a request that needs no policy).
    Quietly,
    /// It does not take part, for this reason (shown in reports).
    Skip(Skip),
}

/// Whom a principal entry is asked about: the caller, in a layer, for a statement's effect.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// The caller.
    pub caller: &'a Caller,
    /// The layer the statement is in.
    pub layer: Layer,
    /// The statement's effect.
    pub effect: Effect,
}

/// How a cloud's resource names are built, as data.
#[derive(Debug, Clone, Copy)]
pub struct ResourceNames {
    /// How many `:`-separated segments a name has (the last holds the rest).
    pub segments: usize,
    /// The first segment (`arn`, `acs`, `qcs`).
    pub prefix: &'static str,
    /// Where the account is, by place, if names carry it in a form polsim reads directly.
    pub account_segment: Option<usize>,
    /// Segments a policy may leave empty to mean "any" (CAM: project and region).
    pub empty_means_any: &'static [usize],
    /// The segment a policy may leave empty to mean "the policy owner's account" (CAM).
    pub empty_means_own_account: Option<usize>,
    /// Whether a request segment written `*` is accepted by any pattern segment before the
    /// last (OSS names carry `*` for the region).
    pub request_star_is_any: bool,
}

impl ResourceNames {
    /// How segment `i` of a pattern, written `seg`, compares: an empty segment other than the
    /// last one can mean "any" or "the policy owner's account" where the cloud says so.
    pub fn rule_for(&self, i: usize, seg: &str) -> crate::ir::SegmentRule {
        use crate::ir::SegmentRule;
        if !seg.is_empty() || i + 1 == self.segments {
            SegmentRule::Compare
        } else if self.empty_means_any.contains(&i) {
            SegmentRule::AnyValue
        } else if self.empty_means_own_account == Some(i) {
            SegmentRule::OwnAccount
        } else {
            SegmentRule::Compare
        }
    }
}

/// How a cloud writes a caller of each kind, as `eval --principal` reads it, with `{account}`,
/// `{user}`, `{role}` and `{session}` to fill in: the callers `polsim diff` and `polsim check`
/// try against the principals policies name.
#[derive(Debug, Clone, Copy)]
pub struct CallerNames {
    /// The account itself (root user, Alibaba Cloud account, Tencent root account).
    pub root: &'static str,
    /// A user of the account.
    pub user: &'static str,
    /// A session of a role.
    pub role_session: &'static str,
    /// A federated-user session (AWS GetFederationToken), where the cloud has one.
    pub federated_user: Option<&'static str>,
    /// Callers the cloud treats apart (service-linked roles, which control policies do not
    /// bind), with `{account}`.
    pub special: &'static [&'static str],
    /// Accounts tried as "an account no policy names" (the first one neither side names).
    pub other_accounts: &'static [&'static str],
    /// A user, role or session name tried as "a name no policy names".
    pub other_name: &'static str,
}

impl CallerNames {
    /// Fills a template with an account, a user or role name, and a session name.
    pub fn fill(template: &str, account: &str, name: &str, session: &str) -> String {
        template
            .replace("{account}", account)
            .replace("{user}", name)
            .replace("{role}", name)
            .replace("{session}", session)
    }
}

/// Whether a statement grants publicly in S3's sense ("The meaning of public", S3 Block Public
/// Access; aws-semantics §1.5), with `limiting` the keys whose fixed values make an Allow
/// non-public: an Allow to everyone (`"*"`, CAM's `anyone`, or through `NotPrincipal`) without a
/// condition that fixes one of those keys to values without wildcards (an IP range no broader
/// than /8, or /32 for IPv6, RFC 1918 ranges excepted).
pub fn grants_publicly(limiting: &[&str], st: &crate::ir::Statement) -> bool {
    use crate::ir::PrincipalForm;
    st.effect == Effect::Allow
        && st.principal.as_ref().is_some_and(|p| {
            p.negated
                || p.items
                    .iter()
                    .any(|e| matches!(e.form, PrincipalForm::Everyone | PrincipalForm::Anyone))
        })
        && !st
            .conditions
            .iter()
            .any(|c| limits_to_fixed_values(limiting, c))
}

fn limits_to_fixed_values(limiting: &[&str], c: &crate::ir::Condition) -> bool {
    use crate::ir::OpFamily;
    if c.op.negated || c.op.if_exists || c.values.is_empty() {
        return false;
    }
    if !limiting.iter().any(|k| k.eq_ignore_ascii_case(&c.key)) {
        return false;
    }
    let fixed =
        |v: &crate::ir::ConditionValue| !v.text.contains(['*', '?']) && !v.template.has_variables();
    match c.op.family {
        OpFamily::StringEquals
        | OpFamily::StringEqualsIgnoreCase
        | OpFamily::Arn
        | OpFamily::StringLike => c.values.iter().all(fixed),
        OpFamily::Ip => c.values.iter().all(|v| {
            crate::values::parse_net(&v.text).is_some_and(|n| match n {
                ipnet::IpNet::V4(n) => n.prefix_len() >= 8 || n.addr().is_private(),
                ipnet::IpNet::V6(n) => n.prefix_len() >= 32,
            })
        }),
        _ => false,
    }
}

/// What a cloud is, as data: how it is recognised and how its names compare.
#[derive(Debug, Clone, Copy)]
pub struct Traits {
    /// Which cloud.
    pub cloud: Cloud,
    /// The `Version` values of the cloud's policy documents.
    pub version_markers: &'static [&'static str],
    /// The prefix of the cloud's principal and resource names (`arn:`, `acs:`, `qcs:`).
    pub name_prefix: &'static str,
    /// Whether action names compare case-insensitively.
    pub actions_case_insensitive: bool,
    /// A prefix action names may carry that is not part of the name (CAM's `name/`).
    pub action_prefix: Option<&'static str>,
    /// Whether condition keys compare case-sensitively.
    pub keys_case_sensitive: bool,
    /// Whether a negated operator holds when the key is absent (AWS, RAM: yes; CAM: no).
    pub negated_holds_on_missing_key: bool,
    /// Resource names.
    pub resources: ResourceNames,
    /// The partition callers are in (`aws`; `acs`, `qcs` for the other clouds).
    pub partition: &'static str,
    /// The names a test file gives an unsigned caller.
    pub anonymous_names: &'static [&'static str],
    /// How a service principal's name ends (`.aliyuncs.com`); empty where any host name is one.
    pub service_suffix: &'static str,
    /// The principal `polsim eval` assumes when none is given, with `{account}` and `{user}`.
    pub default_principal: &'static str,
    /// The account used in it when the resource names none.
    pub default_account: &'static str,
    /// How the cloud writes a caller of each kind: the callers `polsim diff` tries.
    pub callers: CallerNames,
    /// A bucket and an object of the cloud's storage service, with `{account}` (the bucket
    /// owner): the resources `polsim diff` and `polsim check` try where the resource's state
    /// (ACLs, ...) can grant what no policy names.
    pub storage_names: [&'static str; 2],
    /// Condition keys whose fixed values keep an Allow to everyone from being public
    /// ([`grants_publicly`]; S3's list, and the other clouds' keys of the same kind).
    pub limiting_keys: &'static [&'static str],
    /// Whether explanations answer the cloud's troubleshooting guide's per-statement checks
    /// (action, resource, principal, effect, condition: the OSS and COS 403 guides ask them).
    pub statement_checks: bool,
    /// What the cloud's services check that polsim does not model, said beside an allow.
    pub unmodelled: &'static str,
    /// The layers in the order they are evaluated (and explicit denies reported).
    pub layer_order: [Layer; Layer::COUNT],
}

/// Everything one cloud is: its [`Traits`] (data) and the functions that cannot be data.
pub trait CloudProfile: Sync {
    /// The cloud's traits.
    fn traits(&self) -> &'static Traits;

    /// Which cloud.
    fn cloud(&self) -> Cloud {
        self.traits().cloud
    }

    /// The cloud's storage operations and the actions its service checks for them (empty
    /// where polsim has no table).
    fn operations(&self) -> &'static [crate::ops::Operation] {
        &[]
    }

    /// Reads a caller as the test format writes it: an anonymous caller (one of the cloud's
    /// names for it), a service (a host name such as `s3.amazonaws.com`), else what
    /// [`CloudProfile::parse_identity`] reads.
    fn parse_caller(&self, text: &str, id: Option<&str>) -> Result<Caller, String> {
        let t = self.traits();
        let text = text.trim();
        let mut c = Caller::anonymous(text, t.partition, id);
        if t.anonymous_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(text))
        {
            return Ok(c);
        }
        let host = !text.contains([':', '/']) && text.contains('.');
        if host && text.ends_with(t.service_suffix) {
            c.kind = crate::request::CallerKind::Service;
            c.name = Some(text.to_string());
            c.display_arn = text.to_string();
            return Ok(c);
        }
        self.parse_identity(text, c)
    }

    /// Reads a signed caller named `text` into `c` (an anonymous caller so far).
    fn parse_identity(&self, text: &str, c: Caller) -> Result<Caller, String>;

    /// The account that owns the resource: as given (`resource_account`, the state's bucket
    /// owner), else named in the resource (or the access point it goes through), else the
    /// caller's own, and then `true`: an assumption the report says out loud.
    fn resource_account<'s>(&self, stack: &'s Stack, req: &'s Request) -> (Option<&'s str>, bool) {
        let t = self.traits();
        let given = req
            .resource_account
            .as_deref()
            .or_else(|| stack.state.bucket_owner())
            .or_else(|| resource_account_in(t, &req.resource))
            .or_else(|| {
                req.access_point
                    .as_deref()
                    .and_then(|ap| resource_account_in(t, ap))
            });
        match given {
            Some(a) => (Some(a), false),
            // Assumed only where a resource is named and a caller's account could stand in.
            None => (
                req.caller.account.as_deref(),
                req.resource != "*" && req.caller.account.is_some(),
            ),
        }
    }

    /// The account a resource name carries, in the form callers' accounts are written, if it
    /// carries one (CAM writes `uin/OWNER` in the resource's account segment).
    fn account_named_in<'r>(&self, resource: &'r str) -> Option<&'r str> {
        resource_account_in(self.traits(), resource)
    }

    /// A user of the resource's account, for `polsim eval` without `--principal`.
    fn default_principal(&self, resource_account: Option<&str>, resource: &str) -> String {
        let t = self.traits();
        let account = resource_account
            .or_else(|| resource_account_in(t, resource))
            .unwrap_or(t.default_account);
        t.default_principal
            .replace("{account}", account)
            .replace("{user}", DEFAULT_USER)
    }

    /// The action as the cloud compares it (CAM drops its `name/` prefix).
    fn normalize_action<'a>(&self, action: &'a str) -> &'a str {
        match self.traits().action_prefix {
            Some(p) => action.strip_prefix(p).unwrap_or(action),
            None => action,
        }
    }

    /// The bucket a storage resource name is in (`arn:aws:s3:::b/k` → `arn:aws:s3:::b`): the
    /// name up to the first `/` of its resource part.
    fn bucket_of(&self, resource: &str) -> String {
        let segments = self.traits().resources.segments;
        let head_len: usize = resource
            .splitn(segments, ':')
            .take(segments.saturating_sub(1))
            .map(|p| p.len() + 1)
            .sum();
        let (head, rest) = resource.split_at(head_len.min(resource.len()));
        let bucket = rest.split('/').next().unwrap_or(rest);
        format!("{head}{bucket}")
    }

    /// The canonical form of a resource name (CAM's legacy forms).
    fn normalize_resource<'a>(&self, name: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(name)
    }

    /// Whether condition keys compare case-sensitively.
    fn keys_case_sensitive(&self) -> bool {
        self.traits().keys_case_sensitive
    }

    /// Whether a negated operator holds when the key is absent.
    fn negated_holds_on_missing_key(&self) -> bool {
        self.traits().negated_holds_on_missing_key
    }

    /// For a pattern with fewer segments than the cloud's names: whether it matches, or `None`
    /// to compare the segments it has (the rest of the name accepted). By default it compares
    /// whole, as one wildcard string; AWS has its own rule for short ARNs.
    fn short_resource_pattern(
        &self,
        pattern: &ResourcePattern,
        resource: &str,
        _layer: Layer,
    ) -> Option<bool> {
        Some(pattern.whole.matches(resource))
    }

    /// What a principal entry names in this cloud (called once, when the policy is lowered).
    fn principal_form(&self, kind: PrincipalKind, value: &str) -> PrincipalForm;

    /// How an entry's form names the caller `who` asks about, if it does; the forms every
    /// cloud reads alike are matched by [`crate::eval::common_principal`] first.
    fn principal_matches(&self, form: &PrincipalForm, who: &Who<'_>) -> Option<PrincipalHow>;

    /// Whether a `NotPrincipal` list exempts the caller from a statement with `effect`.
    fn not_principal_exempts(
        &self,
        _entries: &[PrincipalEntry],
        _caller: &Caller,
        _effect: Effect,
        _facts: &Facts,
    ) -> bool {
        false
    }

    // --- The flow ---

    /// The action, passes, derived keys and facts of a request.
    fn prepare<'s>(&self, stack: &'s Stack, req: &'s Request) -> Prepared<'s>;
    /// Whether `layer` takes part in `pass`.
    fn applies(&self, layer: Layer, pass: Pass, facts: &Facts) -> Applies;
    /// The decision over the evaluated layers: pure, no strings, no allocation.
    fn decide<'s>(&self, outcomes: &Outcomes<'s>, facts: &Facts) -> Verdict<'s>;

    // --- Words (reports only) ---

    /// How the cloud's console names a layer (`bucket policy`, `RAM policy`, ...).
    fn layer_title(&self, layer: Layer, action: &str, resource: &str) -> &'static str;
    /// The error code and message the cloud would return for a denial decided by `layer`.
    fn message(&self, case: &Case<'_, '_>, layer: Layer) -> Message;
    /// A hint for a principal near miss (say, a user name differing in case).
    fn principal_note(&self, _entries: &[PrincipalEntry], _caller: &Caller) -> Option<String> {
        None
    }
    /// The questions of the cloud's 403 troubleshooting guide, answered (empty where polsim
    /// has no such list for the cloud).
    fn checklist(&self, _case: &Case<'_, '_>) -> Vec<ChecklistItem> {
        Vec::new()
    }
}

/// The account a resource name carries, where the cloud's names carry it readably.
pub fn resource_account_in<'a>(t: &Traits, name: &'a str) -> Option<&'a str> {
    let i = t.resources.account_segment?;
    let a = name.split(':').nth(i)?;
    (!a.is_empty() && a != "*").then_some(a)
}

/// What a cloud's words for one evaluated request read: the request, what the profile
/// prepared, the evaluated layers and the verdict.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a, 's> {
    /// The request.
    pub request: &'s Request,
    /// What the profile worked out from it.
    pub prepared: &'a Prepared<'s>,
    /// The evaluated layers.
    pub outcomes: &'a Outcomes<'s>,
    /// The decision and why.
    pub verdict: &'a Verdict<'s>,
}

/// The resources one pass of a request is judged against.
#[derive(Debug, Clone)]
pub struct PassPlan<'s> {
    /// Which pass.
    pub pass: Pass,
    /// The resource name every layer of the pass is judged against.
    pub resource: Cow<'s, str>,
    /// For the access point layer, the access point's form of the resource, if it differs.
    pub access_point: Option<Cow<'s, str>>,
}

impl PassPlan<'_> {
    /// The resource `layer` is judged against in this pass.
    pub fn resource_for(&self, layer: Layer) -> &str {
        match (&self.access_point, layer) {
            (Some(ap), Layer::AccessPoint) => ap,
            _ => &self.resource,
        }
    }
}

/// What a cloud's profile works out from the request before any policy is read: the action as
/// the cloud compares it, the passes, the derived context keys and the facts.
#[derive(Debug, Clone)]
pub struct Prepared<'s> {
    /// The action, normalised for the cloud.
    pub action: &'s str,
    /// One pass, or two for an AWS access-point request.
    pub passes: Vec<PassPlan<'s>>,
    /// The account that owns the resource, as given or assumed.
    pub resource_account: Option<&'s str>,
    /// Context keys that follow from the caller and the resource.
    pub derived: Derived<'s>,
    /// The facts `decide` reads.
    pub facts: Facts,
    /// Notes that follow from the request alone.
    pub notes: Notes,
}

impl<'s> Prepared<'s> {
    /// The plan of a pass.
    pub fn plan(&self, pass: Pass) -> Option<&PassPlan<'s>> {
        self.passes.iter().find(|p| p.pass == pass)
    }
}

/// The error code and message a cloud returns, and any note on how polsim chose them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The error code (`AccessDenied`, an OSS EC code, `UnauthorizedOperation`).
    pub code: String,
    /// The message text.
    pub text: String,
    /// Notes on the choice of wording (where the documentation is silent).
    pub notes: Vec<String>,
}

impl Message {
    /// A message with no note.
    pub fn new(code: impl Into<String>, text: impl Into<String>) -> Message {
        Message {
            code: code.into(),
            text: text.into(),
            notes: Vec::new(),
        }
    }

    /// The same message with a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Message {
        self.notes.push(note.into());
        self
    }
}

/// One question of a troubleshooting guide and its answer for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    /// The question, as the guide asks it.
    pub question: String,
    /// The answer, from the policies.
    pub answer: String,
}
