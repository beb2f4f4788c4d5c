//! The resource's own state that the services check besides policies: ACLs, object ownership,
//! Block Public Access, the KMS key behind an object, Requester Pays, hotlink (Referer)
//! protection and whether the object exists (test format version 2, "Beyond policies").
//!
//! Plain data, read by `polsim-parse` from a test file's `s3` / `oss` / `cos` members or a stack
//! folder's `s3.json` / `oss.json` / `cos.json`; the rules that read it are in each cloud's
//! module. Absent members mean what the format says: no ACL grants anything, nothing is
//! blocked, objects exist, nothing is encrypted.

use crate::ir::Pos;
use std::collections::BTreeMap;

/// Everything the services check besides policies, for one request's resource.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceState {
    /// Amazon S3.
    pub s3: Option<S3State>,
    /// Alibaba Cloud OSS.
    pub oss: Option<OssState>,
    /// Tencent Cloud COS.
    pub cos: Option<CosState>,
    /// Canonical user IDs and the accounts they belong to (S3 ACL grantees and owners).
    pub canonical_ids: BTreeMap<String, String>,
}

impl ResourceState {
    /// The bucket owner the state names, whichever service's state it is.
    pub fn bucket_owner(&self) -> Option<&str> {
        self.s3
            .as_ref()
            .and_then(|s| s.bucket_owner.as_deref())
            .or_else(|| self.oss.as_ref().and_then(|s| s.bucket_owner.as_deref()))
            .or_else(|| self.cos.as_ref().and_then(|s| s.bucket_owner.as_deref()))
    }
}

/// S3 Object Ownership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectOwnership {
    /// ACLs disabled; the bucket owner owns every object (the default for new buckets).
    #[default]
    BucketOwnerEnforced,
    /// ACLs honoured; `bucket-owner-full-control` uploads are owned by the bucket owner.
    BucketOwnerPreferred,
    /// ACLs honoured; the writer owns what it writes.
    ObjectWriter,
}

impl ObjectOwnership {
    /// Reads the S3 API name.
    pub fn from_name(s: &str) -> Option<ObjectOwnership> {
        match s {
            "BucketOwnerEnforced" => Some(ObjectOwnership::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(ObjectOwnership::BucketOwnerPreferred),
            "ObjectWriter" => Some(ObjectOwnership::ObjectWriter),
            _ => None,
        }
    }

    /// Whether ACLs are honoured.
    pub fn acls_enabled(self) -> bool {
        self != ObjectOwnership::BucketOwnerEnforced
    }
}

/// The four S3 Block Public Access settings of one level; an absent setting is `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BpaSettings {
    /// Reject requests that set a public ACL.
    pub block_public_acls: bool,
    /// Ignore public grants in ACLs.
    pub ignore_public_acls: bool,
    /// Reject bucket (and access point) policies that are public.
    pub block_public_policy: bool,
    /// Restrict a bucket with a public policy to service principals and the owner's account.
    pub restrict_public_buckets: bool,
}

impl BpaSettings {
    /// The most restrictive combination of two levels.
    pub fn or(self, other: BpaSettings) -> BpaSettings {
        BpaSettings {
            block_public_acls: self.block_public_acls || other.block_public_acls,
            ignore_public_acls: self.ignore_public_acls || other.ignore_public_acls,
            block_public_policy: self.block_public_policy || other.block_public_policy,
            restrict_public_buckets: self.restrict_public_buckets || other.restrict_public_buckets,
        }
    }
}

/// S3 Block Public Access at each level that can set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockPublicAccess {
    /// The bucket owner's account.
    pub account: BpaSettings,
    /// The bucket.
    pub bucket: BpaSettings,
    /// The access point (only for requests through it).
    pub access_point: BpaSettings,
}

impl BlockPublicAccess {
    /// The effective settings: account and bucket, and the access point's for a request through
    /// one.
    pub fn effective(&self, via_access_point: bool) -> BpaSettings {
        let base = self.account.or(self.bucket);
        if via_access_point {
            base.or(self.access_point)
        } else {
            base
        }
    }
}

/// Who an S3 ACL grant is to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grantee {
    /// An account, by its 12-digit ID.
    Account(String),
    /// A canonical user ID (an account, if `canonical_ids` says which).
    Canonical(String),
    /// The `AllUsers` group: everyone, signed or not.
    AllUsers,
    /// The `AuthenticatedUsers` group: any signed request.
    AuthenticatedUsers,
    /// The S3 log delivery group.
    LogDelivery,
}

/// An S3 ACL permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// READ.
    Read,
    /// WRITE.
    Write,
    /// READ_ACP.
    ReadAcp,
    /// WRITE_ACP.
    WriteAcp,
    /// FULL_CONTROL.
    FullControl,
}

impl Permission {
    /// Reads the S3 API name (`READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`).
    pub fn from_name(s: &str) -> Option<Permission> {
        match s {
            "READ" => Some(Permission::Read),
            "WRITE" => Some(Permission::Write),
            "READ_ACP" => Some(Permission::ReadAcp),
            "WRITE_ACP" => Some(Permission::WriteAcp),
            "FULL_CONTROL" => Some(Permission::FullControl),
            _ => None,
        }
    }

    /// The S3 API name.
    pub fn name(self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
        }
    }
}

/// One grant of an S3 ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// To whom.
    pub grantee: Grantee,
    /// What.
    pub permission: Permission,
    /// Where the grant is written (for explanations).
    pub pos: Pos,
}

/// An S3 ACL: exactly the grants it lists (the owner's FULL_CONTROL is a grant like any other).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Acl {
    /// The owner, as written (an account or canonical ID), if given.
    pub owner: Option<String>,
    /// The grants.
    pub grants: Vec<Grant>,
    /// The file the ACL was read from, if any (for explanations).
    pub file: Option<String>,
}

/// The S3 object a request reads or writes (for a copy, the source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Object {
    /// The owner (an account or canonical ID); absent: the bucket owner.
    pub owner: Option<String>,
    /// The object ACL.
    pub acl: Option<Acl>,
    /// Whether the object exists.
    pub exists: bool,
    /// The KMS key that encrypts it (SSE-KMS), if any.
    pub kms_key: Option<String>,
}

impl Default for S3Object {
    fn default() -> S3Object {
        S3Object {
            owner: None,
            acl: None,
            exists: true,
            kms_key: None,
        }
    }
}

/// Amazon S3 state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct S3State {
    /// The bucket owner's account; absent: the request's resource account.
    pub bucket_owner: Option<String>,
    /// Object Ownership.
    pub object_ownership: ObjectOwnership,
    /// Block Public Access.
    pub block_public_access: BlockPublicAccess,
    /// The bucket ACL.
    pub bucket_acl: Option<Acl>,
    /// Requester Pays.
    pub requester_pays: bool,
    /// The object.
    pub object: S3Object,
}

/// An OSS or COS canned ACL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CannedAcl {
    /// Only the owner.
    #[default]
    Private,
    /// Everyone reads.
    PublicRead,
    /// Everyone reads and writes.
    PublicReadWrite,
    /// An object's ACL follows its bucket's.
    Default,
}

impl CannedAcl {
    /// Reads `private`, `public-read`, `public-read-write` or `default`.
    pub fn from_name(s: &str) -> Option<CannedAcl> {
        match s {
            "private" => Some(CannedAcl::Private),
            "public-read" => Some(CannedAcl::PublicRead),
            "public-read-write" => Some(CannedAcl::PublicReadWrite),
            "default" => Some(CannedAcl::Default),
            _ => None,
        }
    }
}

/// Whether a bucket's and object's canned ACLs let everyone read (or, with `write`, write) the
/// object: the object's ACL decides unless it is `default`, which follows the bucket's ("Object
/// ACLs take precedence over bucket ACLs").
pub fn canned_acl_allows(bucket: CannedAcl, object: CannedAcl, write: bool) -> bool {
    let acl = if object == CannedAcl::Default {
        bucket
    } else {
        object
    };
    match acl {
        CannedAcl::PublicReadWrite => true,
        CannedAcl::PublicRead => !write,
        CannedAcl::Private | CannedAcl::Default => false,
    }
}

/// How hotlink protection judges a Referer (OSS's documented order; COS likewise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefererOutcome {
    /// The request passes.
    Pass,
    /// An empty Referer is refused (OSS EC 0003-00000501).
    EmptyRefused,
    /// The Referer is on the blacklist (0003-00000502).
    Blacklisted,
    /// The Referer is not on the whitelist (0003-00000503).
    NotWhitelisted,
}

impl RefererConfig {
    /// Judges a request's Referer (`None` or empty: no Referer). Wildcards `*` and `?`; the query
    /// string is dropped before matching.
    pub fn judge(&self, referer: Option<&str>) -> RefererOutcome {
        let referer = referer.map(str::trim).filter(|r| !r.is_empty());
        let Some(r) = referer else {
            return if self.allow_empty || self.allow.is_empty() {
                RefererOutcome::Pass
            } else {
                RefererOutcome::EmptyRefused
            };
        };
        let r = r.split('?').next().unwrap_or(r);
        let hit = |list: &[String]| list.iter().any(|p| crate::pattern::Glob::new(p).matches(r));
        if hit(&self.deny) {
            RefererOutcome::Blacklisted
        } else if self.allow.is_empty() || hit(&self.allow) {
            RefererOutcome::Pass
        } else {
            RefererOutcome::NotWhitelisted
        }
    }
}

/// Hotlink (Referer) protection of an OSS or COS bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefererConfig {
    /// Whether a request without a Referer passes.
    pub allow_empty: bool,
    /// The whitelist (`*` and `?` wildcards).
    pub allow: Vec<String>,
    /// The blacklist.
    pub deny: Vec<String>,
}

impl Default for RefererConfig {
    fn default() -> RefererConfig {
        RefererConfig {
            allow_empty: true,
            allow: Vec::new(),
            deny: Vec::new(),
        }
    }
}

/// An OSS or COS object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedObject {
    /// The object ACL (`default`: the bucket's).
    pub acl: CannedAcl,
    /// Whether it exists.
    pub exists: bool,
    /// The KMS key that encrypts it (OSS), if any.
    pub kms_key: Option<String>,
}

impl CannedObject {
    /// The object's ACL as it applies: a missing object has no ACL of its own, so the bucket's
    /// applies (`default`).
    pub fn acl_in_force(&self) -> CannedAcl {
        if self.exists {
            self.acl
        } else {
            CannedAcl::Default
        }
    }
}

impl Default for CannedObject {
    fn default() -> CannedObject {
        CannedObject {
            acl: CannedAcl::Default,
            exists: true,
            kms_key: None,
        }
    }
}

/// Alibaba Cloud OSS state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OssState {
    /// The bucket owner's account UID.
    pub bucket_owner: Option<String>,
    /// The bucket ACL.
    pub bucket_acl: CannedAcl,
    /// The object.
    pub object: CannedObject,
    /// Hotlink protection.
    pub referer: Option<RefererConfig>,
    /// Pay-by-requester.
    pub requester_pays: bool,
    /// OSS Block Public Access.
    pub block_public_access: bool,
}

/// Tencent Cloud COS state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CosState {
    /// The bucket owner's root account UIN.
    pub bucket_owner: Option<String>,
    /// The bucket ACL.
    pub bucket_acl: CannedAcl,
    /// The object.
    pub object: CannedObject,
    /// Hotlink protection.
    pub referer: Option<RefererConfig>,
}

/// How a request is signed, where it matters (OSS Referer checks, anonymous access).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// In the `Authorization` header.
    Header,
    /// In the URL (a presigned URL).
    Url,
    /// Not signed.
    None,
}

impl Signed {
    /// Reads `header`, `url` or `none`.
    pub fn from_name(s: &str) -> Option<Signed> {
        match s {
            "header" => Some(Signed::Header),
            "url" => Some(Signed::Url),
            "none" => Some(Signed::None),
            _ => None,
        }
    }
}

/// What a request carries beyond the action and resource: the API operation, headers, a copy
/// source, a version, how it is signed, the policy it puts (test format version 2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestExtras {
    /// The API operation the user called (`HeadObject`), when given instead of the action.
    pub operation: Option<String>,
    /// Request headers (names as written; compared case-insensitively).
    pub headers: Vec<(String, String)>,
    /// For `CopyObject` / `UploadPartCopy`: the source object's resource name.
    pub copy_source: Option<String>,
    /// The object version the request names.
    pub version_id: Option<String>,
    /// How the request is signed; `None` means the default for the caller.
    pub signed: Option<Signed>,
    /// The policy document `PutBucketPolicy` / `PutAccessPointPolicy` carries.
    pub request_policy: Option<crate::ir::Policy>,
}

impl RequestExtras {
    /// A header's value (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_acls() {
        use CannedAcl::*;
        assert!(canned_acl_allows(PublicRead, Default, false));
        assert!(!canned_acl_allows(PublicRead, Default, true));
        assert!(!canned_acl_allows(PublicReadWrite, Private, false));
        assert!(canned_acl_allows(Private, PublicReadWrite, true));
    }

    #[test]
    fn referer_rules() {
        let c = RefererConfig {
            allow_empty: false,
            allow: vec!["*.example.com".into()],
            deny: vec!["evil.example.com".into()],
        };
        assert_eq!(c.judge(None), RefererOutcome::EmptyRefused);
        assert_eq!(c.judge(Some("www.example.com")), RefererOutcome::Pass);
        assert_eq!(
            c.judge(Some("evil.example.com")),
            RefererOutcome::Blacklisted
        );
        assert_eq!(c.judge(Some("other.org")), RefererOutcome::NotWhitelisted);
        assert_eq!(
            RefererConfig::default().judge(Some("x")),
            RefererOutcome::Pass
        );
    }
}
