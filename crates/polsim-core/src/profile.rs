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
use crate::ir::{Cloud, Effect, Layer, PrincipalEntry, ResourcePattern};
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

/// Everything one cloud is.
pub trait CloudProfile: Sync {
    /// Which cloud.
    fn cloud(&self) -> Cloud;

    // --- Recognising the cloud ---

    /// The `Version` values of the cloud's policy documents.
    fn version_markers(&self) -> &'static [&'static str];
    /// The prefix of the cloud's principal and resource names (`arn:`, `acs:`, `qcs:`).
    fn name_prefix(&self) -> &'static str;

    // --- Callers ---

    /// Reads a caller as the test format writes it.
    fn parse_caller(&self, text: &str, id: Option<&str>) -> Result<Caller, String>;
    /// A user of the resource's account, for `polsim eval` without `--principal`.
    fn default_principal(&self, resource_account: Option<&str>, resource: &str) -> String;

    // --- Names ---

    /// Whether action names compare case-insensitively.
    fn actions_case_insensitive(&self) -> bool;
    /// The action as the cloud compares it (CAM drops its `name/` prefix).
    fn normalize_action<'a>(&self, action: &'a str) -> &'a str {
        action
    }
    /// The canonical form of a resource name (CAM's legacy forms).
    fn normalize_resource<'a>(&self, name: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(name)
    }
    /// Whether condition keys compare case-sensitively.
    fn keys_case_sensitive(&self) -> bool;
    /// Whether a negated operator holds when the key is absent (AWS, RAM: yes; CAM: no).
    fn negated_holds_on_missing_key(&self) -> bool {
        true
    }
    /// Whether `pattern` matches `resource`; `Err(key)` when a policy variable has no value.
    fn resource_matches<'p>(
        &self,
        pattern: &'p ResourcePattern,
        resource: &str,
        layer: Layer,
        facts: &Facts,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<bool, &'p str>;
    /// How `entry` names `caller`, if it does, in a statement with `effect`.
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
    /// The layers in the order they are evaluated.
    fn layer_order(&self) -> &'static [Layer];
    /// Whether `layer` takes part in `pass`.
    fn applies(&self, layer: Layer, pass: Pass, facts: &Facts) -> Applies;
    /// The decision over the evaluated layers: pure, no strings, no allocation.
    fn decide<'s>(&self, outcomes: &Outcomes<'s>, facts: &Facts) -> Verdict<'s>;

    // --- Words (reports only) ---

    /// How the cloud's console names a layer (`bucket policy`, `RAM policy`, ...).
    fn layer_title(&self, layer: Layer, action: &str, resource: &str) -> &'static str;
    /// The error code and message the cloud would return for a denial.
    fn message(&self, eval: &Evaluation<'_>) -> Message;
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
        .find(|p| p.version_markers().contains(&version))
        .map(|p| p.cloud())
}

/// The cloud a principal or resource name belongs to, from its prefix.
pub fn cloud_of_name(name: &str) -> Option<Cloud> {
    ALL.iter()
        .find(|p| name.starts_with(p.name_prefix()))
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
