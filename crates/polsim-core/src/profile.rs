//! One profile per cloud: everything a cloud is, reached through one trait.
//!
//! A [`CloudProfile`] says how the cloud is recognised (version markers, name prefix), how a
//! caller is read, how names compare (actions, resources, principals, condition keys), which
//! layers take part for which caller, what the request facts are, how the cloud decides
//! (`decide`, a pure function over [`Outcomes`] and [`Facts`]), and how its console and error
//! messages word things. Adding a cloud means one profile (with its `decide`) here, one dialect
//! spec in `polsim-parse`, and one arm in [`of`] and [`ALL`].

use crate::decide::{Facts, Outcomes, Pass, PrincipalHow, Skip, Verdict};
use crate::explain::{Evaluation, Prepared};
use crate::ir::{
    Cloud, Effect, Layer, PrincipalEntry, PrincipalForm, PrincipalKind, ResourcePattern,
};
use crate::report::{ChecklistItem, Message};
use crate::request::{Caller, Request};
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

    /// The account that owns the resource: as given, else named in the resource (or the
    /// access point it goes through), else the caller's own.
    fn resource_account<'s>(&self, req: &'s Request) -> Option<&'s str> {
        let t = self.traits();
        req.resource_account
            .as_deref()
            .or_else(|| resource_account_in(t, &req.resource))
            .or_else(|| {
                req.access_point
                    .as_deref()
                    .and_then(|ap| resource_account_in(t, ap))
            })
            .or(req.caller.account.as_deref())
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

    /// How an entry's form names `caller`, if it does, in a statement with `effect`; the
    /// forms every cloud reads alike are matched by [`crate::eval::common_principal`] first.
    fn principal_matches(
        &self,
        entry: &PrincipalEntry,
        caller: &Caller,
        layer: Layer,
        effect: Effect,
    ) -> Option<PrincipalHow>;

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
    fn message(&self, eval: &Evaluation<'_>, layer: Layer) -> Message;
    /// A hint for a principal near miss (say, a user name differing in case).
    fn principal_note(&self, _entries: &[PrincipalEntry], _caller: &Caller) -> Option<String> {
        None
    }
    /// The questions of the cloud's 403 troubleshooting guide, answered (empty where polsim
    /// has no such list for the cloud).
    fn checklist(&self, _eval: &Evaluation<'_>) -> Vec<ChecklistItem> {
        Vec::new()
    }
}

/// The account a resource name carries, where the cloud's names carry it readably.
pub fn resource_account_in<'a>(t: &Traits, name: &'a str) -> Option<&'a str> {
    let i = t.resources.account_segment?;
    let a = name.split(':').nth(i)?;
    (!a.is_empty() && a != "*").then_some(a)
}

/// Every cloud's profile.
pub const ALL: [&'static dyn CloudProfile; 3] = [
    &crate::aws::Aws,
    &crate::aliyun::Aliyun,
    &crate::tencent::Tencent,
];

/// The profile of `cloud`.
pub fn of(cloud: Cloud) -> &'static dyn CloudProfile {
    match cloud {
        Cloud::Aws => &crate::aws::Aws,
        Cloud::Aliyun => &crate::aliyun::Aliyun,
        Cloud::Tencent => &crate::tencent::Tencent,
    }
}

/// The cloud a policy document's `Version` value marks.
pub fn cloud_of_version(version: &str) -> Option<Cloud> {
    ALL.iter()
        .find(|p| p.traits().version_markers.contains(&version))
        .map(|p| p.cloud())
}

/// The cloud a principal or resource name belongs to, from its prefix.
pub fn cloud_of_name(name: &str) -> Option<Cloud> {
    ALL.iter()
        .find(|p| name.starts_with(p.traits().name_prefix))
        .map(|p| p.cloud())
}

/// What a stack folder or test file says about its cloud.
#[derive(Debug, Clone, Default)]
pub struct Evidence<'a> {
    /// The cloud named outright (`cloud` in a test file or `polsim.json`, a command-line flag).
    pub given: Option<Cloud>,
    /// The policies' version markers, with a label for each (a file name, a policy id).
    pub documents: Vec<(Cloud, &'a str)>,
    /// Principal and resource names.
    pub names: Vec<&'a str>,
}

/// Two policies of one stack marked for different clouds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixedClouds<'a> {
    /// The cloud settled first.
    pub first: Cloud,
    /// The policy written for another.
    pub other: Cloud,
    /// That policy's label.
    pub label: &'a str,
}

/// Settles the cloud of a stack, with one precedence for folders and test files alike: the
/// cloud named outright, else the policies' version markers (which must agree with each other
/// and with a named cloud), else the principal and resource names, else AWS.
pub fn detect<'a>(evidence: &Evidence<'a>) -> Result<Cloud, MixedClouds<'a>> {
    let mut cloud = evidence.given;
    for (c, label) in &evidence.documents {
        match cloud {
            None => cloud = Some(*c),
            Some(first) if first != *c => {
                return Err(MixedClouds {
                    first,
                    other: *c,
                    label,
                })
            }
            _ => {}
        }
    }
    Ok(cloud
        .or_else(|| evidence.names.iter().find_map(|n| cloud_of_name(n)))
        .unwrap_or(Cloud::Aws))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_precedence() {
        let e = Evidence {
            given: None,
            documents: vec![(Cloud::Aliyun, "a.json")],
            names: vec!["arn:aws:iam::111122223333:user/x"],
        };
        assert_eq!(detect(&e), Ok(Cloud::Aliyun));
        let e = Evidence {
            names: vec!["qcs::cam::uin/1:uin/2"],
            ..Evidence::default()
        };
        assert_eq!(detect(&e), Ok(Cloud::Tencent));
        assert_eq!(detect(&Evidence::default()), Ok(Cloud::Aws));
        let e = Evidence {
            given: Some(Cloud::Aws),
            documents: vec![(Cloud::Tencent, "t.json")],
            names: vec![],
        };
        assert_eq!(
            detect(&e),
            Err(MixedClouds {
                first: Cloud::Aws,
                other: Cloud::Tencent,
                label: "t.json"
            })
        );
        assert_eq!(cloud_of_version("2012-10-17"), Some(Cloud::Aws));
        assert_eq!(cloud_of_version("1"), Some(Cloud::Aliyun));
        assert_eq!(cloud_of_version("2.0"), Some(Cloud::Tencent));
    }
}
