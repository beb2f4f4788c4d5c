//! The clouds polsim knows, and how a stack's cloud is recognised.
//!
//! This is the one place that lists the clouds: [`of`] and [`ALL`] reach each cloud's
//! [`CloudProfile`]; [`detect`] settles a stack's cloud with one precedence for folders and
//! test files alike; [`principal_entry`] reads a principal entry with its cloud's rules.

use crate::ir::{Cloud, Pos, PrincipalEntry, PrincipalForm, PrincipalKind};
use crate::profile::CloudProfile;

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

/// What `cloud`'s storage service adds to its policies' decision (S3, OSS, COS).
pub fn storage(cloud: Cloud) -> &'static dyn crate::service::StorageRules {
    match cloud {
        Cloud::Aws => &crate::aws::s3::S3,
        Cloud::Aliyun => &crate::aliyun::oss::Oss,
        Cloud::Tencent => &crate::tencent::cos::Cos,
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

/// A principal entry of `cloud`'s dialect, its form read once: the kinds every cloud reads
/// alike here, the cloud's own name forms by its profile.
pub fn principal_entry(
    cloud: Cloud,
    kind: PrincipalKind,
    value: String,
    pos: Pos,
) -> PrincipalEntry {
    let form = match kind {
        PrincipalKind::Any => PrincipalForm::Everyone,
        PrincipalKind::Service => PrincipalForm::Service(value.clone()),
        PrincipalKind::Federated | PrincipalKind::CanonicalUser => PrincipalForm::Id(value.clone()),
        _ => of(cloud).principal_form(kind, &value),
    };
    PrincipalEntry {
        kind,
        value,
        pos,
        form,
    }
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
