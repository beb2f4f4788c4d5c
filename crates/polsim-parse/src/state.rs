//! The resource's own state (test format version 2, "Beyond policies"): a test file's `s3` /
//! `oss` / `cos` and `canonical_ids` members, a stack folder's `s3.json` / `oss.json` /
//! `cos.json`, read into [`polsim_core::state`] types.
//!
//! Fail closed: an unknown member, a value of the wrong type, an unknown ACL permission, grantee
//! or group, Object Ownership value or canned ACL is an error at the value's line and column,
//! never a silent default. Nothing here fills in defaults that depend on the request
//! (`bucket_owner` defaults to the resource account, `object.owner` to the bucket owner): the
//! core does, when it reads the state. Canned ACLs in request headers (`x-amz-acl`) are expanded
//! by the service rules, not here.
//!
//! A case's member is read over the file's: each key the case gives replaces the file's whole
//! (`object`, `block_public_access`, `bucket_acl` are not merged further), so every reader takes
//! the state to start from.

use crate::diag::{suggest, Diagnostic};
use crate::json::{Json, JsonKind, Member};
use polsim_core::state::{
    Acl, BlockPublicAccess, BpaSettings, CannedAcl, CannedObject, CosState, Grant, Grantee,
    ObjectOwnership, OssState, Permission, RefererConfig, ResourceState, S3Object, S3State,
};
use polsim_core::{Cloud, Pos};
use std::collections::BTreeMap;

/// The state members a test file takes at its top level and on a case.
pub const MEMBERS: [&str; 4] = ["s3", "oss", "cos", "canonical_ids"];

/// The state member (`s3`, `oss`, `cos`) that describes `cloud`'s storage service.
pub fn member_of(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "s3",
        Cloud::Aliyun => "oss",
        Cloud::Tencent => "cos",
    }
}

/// The cloud whose storage service a state member (`s3`, `oss`, `cos`) describes.
pub fn cloud_of_member(member: &str) -> Option<Cloud> {
    match member {
        "s3" => Some(Cloud::Aws),
        "oss" => Some(Cloud::Aliyun),
        "cos" => Some(Cloud::Tencent),
        _ => None,
    }
}

/// Reads the state member `key` (one of [`MEMBERS`]) of a test file or case for a request of
/// `cloud` over `state`: `s3`/`oss`/`cos` key by key over the service's state already there,
/// `canonical_ids` whole. `file` is the file shown in explanations of the ACLs read. A service
/// member of another cloud than `cloud` is an error. Diagnostics go to `diags` (without their
/// source: the caller attaches it).
pub fn read_member(
    key: &str,
    v: &Json,
    cloud: Cloud,
    state: &mut ResourceState,
    file: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(c) = cloud_of_member(key) {
        if c != cloud {
            diags.push(
                Diagnostic::error(
                    v.pos,
                    format!(
                        "`{key}` describes {} state, but the test is for {}",
                        c.title(),
                        cloud.title()
                    ),
                )
                .with_help(format!(
                    "write the state of this {} resource as `{}`",
                    cloud.title(),
                    member_of(cloud)
                )),
            );
            return;
        }
    }
    let mut r = Reader {
        diags,
        file: file.map(str::to_string),
    };
    match key {
        "s3" => {
            let base = state.s3.take().unwrap_or_default();
            state.s3 = Some(r.s3(v, base));
        }
        "oss" => {
            let base = state.oss.take().unwrap_or_default();
            state.oss = Some(r.oss(v, base));
        }
        "cos" => {
            let base = state.cos.take().unwrap_or_default();
            state.cos = Some(r.cos(v, base));
        }
        "canonical_ids" => state.canonical_ids = r.canonical_ids(v),
        _ => r.err(
            v.pos,
            format!("`{key}` is not a state member"),
            Some("state members: s3, oss, cos, canonical_ids"),
        ),
    }
}

/// Reads an `s3` member (or `s3.json`) over `base`.
pub fn read_s3(
    v: &Json,
    base: S3State,
    file: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> S3State {
    Reader {
        diags,
        file: file.map(str::to_string),
    }
    .s3(v, base)
}

/// Reads an `oss` member (or `oss.json`) over `base`.
pub fn read_oss(v: &Json, base: OssState, diags: &mut Vec<Diagnostic>) -> OssState {
    Reader { diags, file: None }.oss(v, base)
}

/// Reads a `cos` member (or `cos.json`) over `base`.
pub fn read_cos(v: &Json, base: CosState, diags: &mut Vec<Diagnostic>) -> CosState {
    Reader { diags, file: None }.cos(v, base)
}

/// Reads an S3 ACL: `aws s3api get-bucket-acl` / `get-object-acl` output, or the short form
/// `[{"grantee": ..., "permission": ...}]`. `None` when it holds an error.
pub fn read_acl(v: &Json, file: Option<&str>, diags: &mut Vec<Diagnostic>) -> Option<Acl> {
    Reader {
        diags,
        file: file.map(str::to_string),
    }
    .acl(v)
}

/// Reads `canonical_ids`: canonical user IDs and the 12-digit accounts they belong to.
pub fn read_canonical_ids(v: &Json, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, String> {
    Reader { diags, file: None }.canonical_ids(v)
}

const S3_KEYS: &[&str] = &[
    "bucket_owner",
    "object_ownership",
    "block_public_access",
    "bucket_acl",
    "requester_pays",
    "object",
];
const S3_OBJECT_KEYS: &[&str] = &["owner", "acl", "exists", "kms_key"];
const BPA_LEVELS: &[&str] = &["account", "bucket", "access_point"];
const BPA_SETTINGS: &[&str] = &[
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];
const OSS_KEYS: &[&str] = &[
    "bucket_owner",
    "bucket_acl",
    "object",
    "referer",
    "requester_pays",
    "block_public_access",
];
const OSS_OBJECT_KEYS: &[&str] = &["acl", "exists", "kms_key"];
const COS_KEYS: &[&str] = &["bucket_owner", "bucket_acl", "object", "referer"];
const COS_OBJECT_KEYS: &[&str] = &["acl", "exists"];
const REFERER_KEYS: &[&str] = &["allow_empty", "allow", "deny"];
const SHORT_GRANT_KEYS: &[&str] = &["grantee", "permission"];
const S3API_ACL_KEYS: &[&str] = &["Owner", "Grants"];
const S3API_OWNER_KEYS: &[&str] = &["ID", "DisplayName"];
const S3API_GRANT_KEYS: &[&str] = &["Grantee", "Permission"];
const S3API_GRANTEE_KEYS: &[&str] = &["Type", "ID", "URI", "DisplayName", "EmailAddress"];
const GRANTEE_TYPES: &[&str] = &["CanonicalUser", "Group", "AmazonCustomerByEmail"];
const GROUPS: &[&str] = &["AllUsers", "AuthenticatedUsers", "LogDelivery"];
const GROUP_URIS: &[(&str, Grantee)] = &[
    (
        "http://acs.amazonaws.com/groups/global/AllUsers",
        Grantee::AllUsers,
    ),
    (
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        Grantee::AuthenticatedUsers,
    ),
    (
        "http://acs.amazonaws.com/groups/s3/LogDelivery",
        Grantee::LogDelivery,
    ),
];
const PERMISSIONS: &[&str] = &["READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"];
const OWNERSHIPS: &[&str] = &[
    "BucketOwnerEnforced",
    "BucketOwnerPreferred",
    "ObjectWriter",
];
const CANNED_BUCKET: &[&str] = &["private", "public-read", "public-read-write"];
const CANNED_OBJECT: &[&str] = &["default", "private", "public-read", "public-read-write"];

/// How an S3 principal ID is written.
enum IdKind {
    Account,
    Canonical,
}

/// An AWS account ID (12 digits) or a canonical user ID (hex digits, 64 of them as S3 prints
/// them; shorter hex strings are accepted for examples), else why not.
fn id_kind(s: &str) -> Result<IdKind, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(IdKind::Account);
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{s}` is not an AWS account ID: an account ID has 12 digits, this has {}",
            s.len()
        ));
    }
    if s.len() >= 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(IdKind::Canonical);
    }
    Err(format!(
        "`{s}` is neither a 12-digit AWS account ID nor a canonical user ID (64 hex digits)"
    ))
}

struct Reader<'d> {
    diags: &'d mut Vec<Diagnostic>,
    file: Option<String>,
}

impl Reader<'_> {
    fn err(&mut self, pos: Pos, msg: impl Into<String>, help: Option<&str>) {
        let mut d = Diagnostic::error(pos, msg);
        d.help = help.map(str::to_string);
        self.diags.push(d);
    }

    /// The members of an object, with every unknown or repeated member an error; `None` (and an
    /// error) when `v` is not an object.
    fn object<'j>(&mut self, v: &'j Json, what: &str, known: &[&str]) -> Option<&'j [Member]> {
        let Some(members) = v.as_object() else {
            self.err(
                v.pos,
                format!("{what} must be an object, found {}", v.type_name()),
                Some(&format!("it takes {}", list(known))),
            );
            return None;
        };
        for (i, m) in members.iter().enumerate() {
            if !known.contains(&m.key.as_str()) {
                let help = match suggest(&m.key, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("{what} takes {}", list(known)),
                };
                self.err(
                    m.key_pos,
                    format!("unknown field `{}` in {what}", m.key),
                    Some(&help),
                );
            } else if let Some(first) = members.iter().take(i).find(|f| f.key == m.key) {
                let msg = format!(
                    "`{}` is given twice in {what} (first at line {}, column {})",
                    m.key, first.key_pos.line, first.key_pos.col
                );
                self.err(m.key_pos, msg, Some("give each field once"));
            }
        }
        Some(members)
    }

    fn bool(&mut self, v: &Json, name: &str) -> Option<bool> {
        match v.kind {
            JsonKind::Bool(b) => Some(b),
            _ => {
                self.err(
                    v.pos,
                    format!(
                        "`{name}` must be `true` or `false`, found {}",
                        v.type_name()
                    ),
                    None,
                );
                None
            }
        }
    }

    fn string<'j>(&mut self, v: &'j Json, name: &str) -> Option<&'j str> {
        match v.as_str() {
            Some(s) => Some(s),
            None => {
                self.err(
                    v.pos,
                    format!("`{name}` must be a string, found {}", v.type_name()),
                    None,
                );
                None
            }
        }
    }

    /// One of `names` (exactly as written), else an error with a did-you-mean.
    fn name<'j>(&mut self, v: &'j Json, field: &str, names: &[&str]) -> Option<&'j str> {
        let s = self.string(v, field)?;
        if names.contains(&s) {
            return Some(s);
        }
        let help = match suggest(s, names.iter().copied()) {
            Some(n) => format!("did you mean `{n}`?"),
            None => format!("`{field}` is one of {}", list(names)),
        };
        self.err(v.pos, format!("unknown `{field}` value `{s}`"), Some(&help));
        None
    }

    /// An account of the cloud's own kind: a string of digits.
    fn account(&mut self, v: &Json, field: &str, digits: Option<usize>) -> Option<String> {
        let s = self.string(v, field)?;
        let ok = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && digits.is_none_or(|n| s.len() == n);
        if ok {
            return Some(s.to_string());
        }
        let want = match digits {
            Some(n) => format!("{n} digits"),
            None => "digits".to_string(),
        };
        self.err(
            v.pos,
            format!("`{field}` must be an account ID ({want}), found `{s}`"),
            None,
        );
        None
    }

    /// An S3 owner: a 12-digit account or a canonical user ID.
    fn s3_principal(&mut self, v: &Json, field: &str) -> Option<String> {
        let s = self.string(v, field)?;
        match id_kind(s) {
            Ok(_) => Some(s.to_string()),
            Err(why) => {
                self.err(
                    v.pos,
                    why,
                    Some("an owner is an account (`111122223333`) or a canonical user ID tied to one in `canonical_ids`"),
                );
                None
            }
        }
    }

    fn s3(&mut self, v: &Json, mut s3: S3State) -> S3State {
        let Some(members) = self.object(v, "`s3`", S3_KEYS) else {
            return s3;
        };
        for m in members {
            let v = &m.value;
            match m.key.as_str() {
                "bucket_owner" => {
                    if let Some(a) = self.account(v, "s3.bucket_owner", Some(12)) {
                        s3.bucket_owner = Some(a);
                    }
                }
                "object_ownership" => {
                    if let Some(o) = self
                        .name(v, "object_ownership", OWNERSHIPS)
                        .and_then(ObjectOwnership::from_name)
                    {
                        s3.object_ownership = o;
                    }
                }
                "block_public_access" => s3.block_public_access = self.bpa(v),
                "bucket_acl" => s3.bucket_acl = self.acl(v),
                "requester_pays" => {
                    if let Some(b) = self.bool(v, "requester_pays") {
                        s3.requester_pays = b;
                    }
                }
                "object" => s3.object = self.s3_object(v),
                _ => {} // reported by `object`
            }
        }
        s3
    }

    fn s3_object(&mut self, v: &Json) -> S3Object {
        let mut o = S3Object::default();
        let Some(members) = self.object(v, "`s3.object`", S3_OBJECT_KEYS) else {
            return o;
        };
        for m in members {
            let v = &m.value;
            match m.key.as_str() {
                "owner" => o.owner = self.s3_principal(v, "object.owner"),
                "acl" => o.acl = self.acl(v),
                "exists" => o.exists = self.bool(v, "exists").unwrap_or(true),
                "kms_key" => o.kms_key = self.string(v, "kms_key").map(str::to_string),
                _ => {}
            }
        }
        o
    }

    fn bpa(&mut self, v: &Json) -> BlockPublicAccess {
        let mut bpa = BlockPublicAccess::default();
        let Some(members) = self.object(v, "`block_public_access`", BPA_LEVELS) else {
            return bpa;
        };
        for m in members {
            let settings = self.bpa_settings(&m.value, &m.key);
            match m.key.as_str() {
                "account" => bpa.account = settings,
                "bucket" => bpa.bucket = settings,
                "access_point" => bpa.access_point = settings,
                _ => {}
            }
        }
        bpa
    }

    fn bpa_settings(&mut self, v: &Json, level: &str) -> BpaSettings {
        let mut s = BpaSettings::default();
        let what = format!("`block_public_access.{level}`");
        let Some(members) = self.object(v, &what, BPA_SETTINGS) else {
            return s;
        };
        for m in members {
            let Some(b) = self.bool(&m.value, &m.key) else {
                continue;
            };
            match m.key.as_str() {
                "BlockPublicAcls" => s.block_public_acls = b,
                "IgnorePublicAcls" => s.ignore_public_acls = b,
                "BlockPublicPolicy" => s.block_public_policy = b,
                "RestrictPublicBuckets" => s.restrict_public_buckets = b,
                _ => {}
            }
        }
        s
    }

    fn acl(&mut self, v: &Json) -> Option<Acl> {
        let before = self.diags.len();
        let acl = match &v.kind {
            JsonKind::Array(items) => Acl {
                owner: None,
                grants: items.iter().filter_map(|g| self.short_grant(g)).collect(),
                file: self.file.clone(),
            },
            JsonKind::Object(_) => self.s3api_acl(v)?,
            _ => {
                self.err(
                    v.pos,
                    format!("an S3 ACL must be a list of grants or `aws s3api get-bucket-acl` output, found {}", v.type_name()),
                    Some("write `[{\"grantee\": \"111122223333\", \"permission\": \"READ\"}]`, or paste `{\"Owner\": ..., \"Grants\": [...]}` as the AWS CLI prints it"),
                );
                return None;
            }
        };
        (self.diags.len() == before).then_some(acl)
    }

    fn permission(&mut self, v: &Json, field: &str) -> Option<Permission> {
        self.name(v, field, PERMISSIONS)
            .and_then(Permission::from_name)
    }

    /// `{"grantee": "111122223333" | "AllUsers" | ..., "permission": "READ"}`.
    fn short_grant(&mut self, g: &Json) -> Option<Grant> {
        let before = self.diags.len();
        self.object(g, "an ACL grant", SHORT_GRANT_KEYS)?;
        if self.diags.len() > before {
            return None; // a misspelt member: not also "needs ..."
        }
        let (Some(gv), Some(pv)) = (g.get("grantee"), g.get("permission")) else {
            self.err(
                g.pos,
                "an ACL grant needs `grantee` and `permission`",
                Some("write `{\"grantee\": \"111122223333\", \"permission\": \"READ\"}`"),
            );
            return None;
        };
        let grantee = self.short_grantee(gv);
        let permission = self.permission(pv, "permission");
        Some(Grant {
            grantee: grantee?,
            permission: permission?,
            pos: g.pos,
        })
    }

    fn short_grantee(&mut self, v: &Json) -> Option<Grantee> {
        let s = self.string(v, "grantee")?;
        match s {
            "AllUsers" => return Some(Grantee::AllUsers),
            "AuthenticatedUsers" => return Some(Grantee::AuthenticatedUsers),
            "LogDelivery" => return Some(Grantee::LogDelivery),
            _ => {}
        }
        if let Some((_, g)) = GROUP_URIS.iter().find(|(uri, _)| *uri == s) {
            return Some(g.clone());
        }
        match id_kind(s) {
            Ok(IdKind::Account) => Some(Grantee::Account(s.to_string())),
            Ok(IdKind::Canonical) => Some(Grantee::Canonical(s.to_string())),
            Err(why) => {
                let help = match suggest(s, GROUPS.iter().copied()) {
                    Some(g) => format!("did you mean `{g}`?"),
                    None => "a grantee is a 12-digit account, a canonical user ID, or one of `AllUsers`, `AuthenticatedUsers`, `LogDelivery`".to_string(),
                };
                self.err(v.pos, why, Some(&help));
                None
            }
        }
    }

    /// `{"Owner": {"ID": ...}, "Grants": [{"Grantee": {...}, "Permission": ...}]}`.
    fn s3api_acl(&mut self, v: &Json) -> Option<Acl> {
        self.object(v, "an S3 ACL", S3API_ACL_KEYS)?;
        let mut acl = Acl {
            owner: None,
            grants: Vec::new(),
            file: self.file.clone(),
        };
        if let Some(o) = v.get("Owner") {
            if self.object(o, "`Owner`", S3API_OWNER_KEYS).is_some() {
                match o.get("ID") {
                    Some(id) => acl.owner = self.s3_principal(id, "Owner.ID"),
                    None => self.err(o.pos, "`Owner` has no `ID`", None),
                }
            }
        }
        match v.get("Grants") {
            Some(Json {
                kind: JsonKind::Array(items),
                ..
            }) => acl.grants = items.iter().filter_map(|g| self.s3api_grant(g)).collect(),
            Some(g) => self.err(
                g.pos,
                format!("`Grants` must be a list, found {}", g.type_name()),
                None,
            ),
            None => self.err(
                v.pos,
                "an S3 ACL in the AWS CLI's form needs `Grants`",
                Some("paste the whole output of `aws s3api get-bucket-acl` / `get-object-acl`, or write the short form `[{\"grantee\": ..., \"permission\": ...}]`"),
            ),
        }
        Some(acl)
    }

    fn s3api_grant(&mut self, g: &Json) -> Option<Grant> {
        let before = self.diags.len();
        self.object(g, "a grant", S3API_GRANT_KEYS)?;
        if self.diags.len() > before {
            return None;
        }
        let (Some(gv), Some(pv)) = (g.get("Grantee"), g.get("Permission")) else {
            self.err(g.pos, "a grant needs `Grantee` and `Permission`", None);
            return None;
        };
        let grantee = self.s3api_grantee(gv);
        let permission = self.permission(pv, "Permission");
        Some(Grant {
            grantee: grantee?,
            permission: permission?,
            pos: g.pos,
        })
    }

    fn s3api_grantee(&mut self, v: &Json) -> Option<Grantee> {
        self.object(v, "`Grantee`", S3API_GRANTEE_KEYS)?;
        let Some(t) = v.get("Type") else {
            self.err(
                v.pos,
                "`Grantee` has no `Type`",
                Some("`Type` is `CanonicalUser` (with `ID`) or `Group` (with `URI`)"),
            );
            return None;
        };
        match self.name(t, "Type", GRANTEE_TYPES)? {
            "CanonicalUser" => {
                let Some(idv) = v.get("ID") else {
                    self.err(v.pos, "a `CanonicalUser` grantee has no `ID`", None);
                    return None;
                };
                let id = self.string(idv, "ID")?;
                match id_kind(id) {
                    Ok(IdKind::Canonical) => Some(Grantee::Canonical(id.to_string())),
                    Ok(IdKind::Account) => {
                        self.err(
                            idv.pos,
                            format!("`{id}` is an AWS account ID, not a canonical user ID"),
                            Some("S3 prints a canonical user ID (64 hex digits) here; to grant an account, write the short form `{\"grantee\": \"111122223333\", ...}`, or tie the canonical ID to the account in `canonical_ids`"),
                        );
                        None
                    }
                    Err(why) => {
                        self.err(idv.pos, why, None);
                        None
                    }
                }
            }
            "Group" => {
                let Some(uv) = v.get("URI") else {
                    self.err(v.pos, "a `Group` grantee has no `URI`", None);
                    return None;
                };
                let uri = self.string(uv, "URI")?;
                match GROUP_URIS.iter().find(|(u, _)| *u == uri) {
                    Some((_, g)) => Some(g.clone()),
                    None => {
                        let uris: Vec<&str> = GROUP_URIS.iter().map(|(u, _)| *u).collect();
                        let help = match suggest(uri, uris.iter().copied()) {
                            Some(u) => format!("did you mean `{u}`?"),
                            None => format!("the S3 groups are {}", list(&uris)),
                        };
                        self.err(uv.pos, format!("unknown S3 group `{uri}`"), Some(&help));
                        None
                    }
                }
            }
            _ => {
                self.err(
                    t.pos,
                    "a grantee by e-mail address (`AmazonCustomerByEmail`) is not modelled",
                    Some("S3 resolves the address to the account's canonical user ID: write that as a `CanonicalUser` grantee (and tie it to the account in `canonical_ids`), or the account in the short form"),
                );
                None
            }
        }
    }

    fn canonical_ids(&mut self, v: &Json) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(members) = v.as_object() else {
            self.err(
                v.pos,
                format!(
                    "`canonical_ids` must be an object of canonical user IDs and accounts, found {}",
                    v.type_name()
                ),
                Some("write `{\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\": \"111122223333\"}`"),
            );
            return out;
        };
        for m in members {
            match id_kind(&m.key) {
                Ok(IdKind::Canonical) => {}
                Ok(IdKind::Account) => {
                    self.err(
                        m.key_pos,
                        format!("`{}` is an account ID, not a canonical user ID", m.key),
                        Some("`canonical_ids` maps a canonical user ID to its account: `{\"CANONICAL-ID\": \"111122223333\"}`"),
                    );
                    continue;
                }
                Err(why) => {
                    self.err(m.key_pos, why, None);
                    continue;
                }
            }
            if out.contains_key(&m.key) {
                self.err(
                    m.key_pos,
                    format!("the canonical ID `{}` is given twice", m.key),
                    None,
                );
                continue;
            }
            if let Some(a) = self.account(&m.value, "canonical_ids", Some(12)) {
                out.insert(m.key.clone(), a);
            }
        }
        out
    }

    fn canned(&mut self, v: &Json, field: &str, names: &[&str]) -> Option<CannedAcl> {
        self.name(v, field, names).and_then(CannedAcl::from_name)
    }

    fn canned_object(&mut self, v: &Json, what: &str, known: &[&str]) -> CannedObject {
        let mut o = CannedObject::default();
        let Some(members) = self.object(v, what, known) else {
            return o;
        };
        for m in members {
            let v = &m.value;
            match m.key.as_str() {
                "acl" => {
                    if let Some(a) = self.canned(v, "object.acl", CANNED_OBJECT) {
                        o.acl = a;
                    }
                }
                "exists" => o.exists = self.bool(v, "exists").unwrap_or(true),
                "kms_key" => o.kms_key = self.string(v, "kms_key").map(str::to_string),
                _ => {}
            }
        }
        o
    }

    fn referer(&mut self, v: &Json, what: &str) -> Option<RefererConfig> {
        let members = self.object(v, what, REFERER_KEYS)?;
        let mut r = RefererConfig::default();
        for m in members {
            let v = &m.value;
            match m.key.as_str() {
                "allow_empty" => {
                    if let Some(b) = self.bool(v, "allow_empty") {
                        r.allow_empty = b;
                    }
                }
                "allow" => r.allow = self.strings(v, "referer.allow"),
                "deny" => r.deny = self.strings(v, "referer.deny"),
                _ => {}
            }
        }
        Some(r)
    }

    fn strings(&mut self, v: &Json, field: &str) -> Vec<String> {
        let JsonKind::Array(items) = &v.kind else {
            self.err(
                v.pos,
                format!(
                    "`{field}` must be a list of strings, found {}",
                    v.type_name()
                ),
                Some("write `[\"*.example.com\"]`"),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|i| match i.as_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    self.err(
                        i.pos,
                        format!(
                            "each entry of `{field}` must be a string, found {}",
                            i.type_name()
                        ),
                        None,
                    );
                    None
                }
            })
            .collect()
    }

    fn oss(&mut self, v: &Json, mut oss: OssState) -> OssState {
        let Some(members) = self.object(v, "`oss`", OSS_KEYS) else {
            return oss;
        };
        for m in members {
            let v = &m.value;
            match m.key.as_str() {
                "bucket_owner" => {
                    if let Some(a) = self.account(v, "oss.bucket_owner", None) {
                        oss.bucket_owner = Some(a);
                    }
                }
                "bucket_acl" => {
                    if let Some(a) = self.canned(v, "bucket_acl", CANNED_BUCKET) {
                        oss.bucket_acl = a;
                    }
                }
                "object" => oss.object = self.canned_object(v, "`oss.object`", OSS_OBJECT_KEYS),
                "referer" => oss.referer = self.referer(v, "`oss.referer`"),
                "requester_pays" => {
                    if let Some(b) = self.bool(v, "requester_pays") {
                        oss.requester_pays = b;
                    }
                }
                "block_public_access" => {
                    if let Some(b) = self.bool(v, "oss.block_public_access") {
                        oss.block_public_access = b;
                    }
                }
                _ => {}
            }
        }
        oss
    }

    fn cos(&mut self, v: &Json, mut cos: CosState) -> CosState {
        let Some(members) = self.object(v, "`cos`", COS_KEYS) else {
            return cos;
        };
        for m in members {
            let v = &m.value;
            match m.key.as_str() {
                "bucket_owner" => {
                    if let Some(a) = self.account(v, "cos.bucket_owner", None) {
                        cos.bucket_owner = Some(a);
                    }
                }
                "bucket_acl" => {
                    if let Some(a) = self.canned(v, "bucket_acl", CANNED_BUCKET) {
                        cos.bucket_acl = a;
                    }
                }
                "object" => cos.object = self.canned_object(v, "`cos.object`", COS_OBJECT_KEYS),
                "referer" => cos.referer = self.referer(v, "`cos.referer`"),
                _ => {}
            }
        }
        cos
    }
}

/// `a`, `b` and `c`, each in backticks.
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;
    use crate::json::parse;

    /// Reads `text` as the member `key` of an `cloud` test over `state`; the diagnostics.
    fn member(key: &str, text: &str, cloud: Cloud, state: &mut ResourceState) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        read_member(
            key,
            &parse(text).unwrap(),
            cloud,
            state,
            Some("t.json"),
            &mut diags,
        );
        diags
    }

    fn s3(text: &str) -> Result<S3State, Vec<Diagnostic>> {
        let mut st = ResourceState::default();
        let d = member("s3", text, Cloud::Aws, &mut st);
        if d.is_empty() {
            Ok(st.s3.unwrap())
        } else {
            Err(d)
        }
    }

    /// The one error `text` gives, as `line:col message`.
    fn s3_err(text: &str) -> Diagnostic {
        let e = s3(text).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        e.into_iter().next().unwrap()
    }

    #[test]
    fn s3_all_members() {
        let s = s3(r#"{"bucket_owner":"111122223333","object_ownership":"ObjectWriter",
            "block_public_access":{"account":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true},
              "bucket":{"RestrictPublicBuckets":true},"access_point":{"IgnorePublicAcls":true}},
            "bucket_acl":[{"grantee":"111122223333","permission":"FULL_CONTROL"},{"grantee":"AllUsers","permission":"READ"}],
            "requester_pays":true,
            "object":{"owner":"444455556666","acl":[{"grantee":"LogDelivery","permission":"WRITE"}],"exists":false,"kms_key":"arn:aws:kms:us-east-1:111122223333:key/k"}}"#).unwrap();
        assert_eq!(s.bucket_owner.as_deref(), Some("111122223333"));
        assert_eq!(s.object_ownership, ObjectOwnership::ObjectWriter);
        assert!(s.block_public_access.account.block_public_policy);
        assert!(s.block_public_access.bucket.restrict_public_buckets);
        assert!(!s.block_public_access.bucket.block_public_acls);
        assert!(s.block_public_access.access_point.ignore_public_acls);
        let acl = s.bucket_acl.unwrap();
        assert_eq!(acl.file.as_deref(), Some("t.json"));
        assert_eq!(acl.grants.len(), 2);
        assert_eq!(
            acl.grants[0].grantee,
            Grantee::Account("111122223333".into())
        );
        assert_eq!(acl.grants[0].permission, Permission::FullControl);
        assert_eq!(acl.grants[1].grantee, Grantee::AllUsers);
        assert_eq!(acl.grants[1].pos, Pos { line: 4, col: 82 });
        assert!(s.requester_pays);
        assert_eq!(s.object.owner.as_deref(), Some("444455556666"));
        assert!(!s.object.exists);
        assert_eq!(
            s.object.acl.unwrap().grants[0].grantee,
            Grantee::LogDelivery
        );
        assert!(s.object.kms_key.is_some());
    }

    #[test]
    fn s3_defaults() {
        let s = s3("{}").unwrap();
        assert_eq!(s, S3State::default());
        assert_eq!(s.object_ownership, ObjectOwnership::BucketOwnerEnforced);
        assert!(s.object.exists);
        assert!(
            s.bucket_owner.is_none(),
            "the core defaults it to the resource account"
        );
    }

    #[test]
    fn s3api_acl_form() {
        let s = s3(r#"{"bucket_acl":{"Owner":{"DisplayName":"o","ID":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            "Grants":[{"Grantee":{"DisplayName":"o","ID":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","Type":"CanonicalUser"},"Permission":"FULL_CONTROL"},
                      {"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"READ"},
                      {"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},"Permission":"READ_ACP"},
                      {"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/s3/LogDelivery"},"Permission":"WRITE_ACP"}]}}"#).unwrap();
        let acl = s.bucket_acl.unwrap();
        assert!(acl.owner.unwrap().starts_with("79a59df9"));
        let g: Vec<_> = acl
            .grants
            .iter()
            .map(|g| (g.grantee.clone(), g.permission))
            .collect();
        assert!(matches!(
            g[0],
            (Grantee::Canonical(_), Permission::FullControl)
        ));
        assert_eq!(g[1], (Grantee::AllUsers, Permission::Read));
        assert_eq!(g[2], (Grantee::AuthenticatedUsers, Permission::ReadAcp));
        assert_eq!(g[3], (Grantee::LogDelivery, Permission::WriteAcp));
        assert_eq!(acl.grants[1].pos, Pos { line: 3, col: 23 });
    }

    #[test]
    fn acl_errors() {
        let e = s3_err(r#"{"bucket_acl":[{"grantee":"AllUsers","permission":"READS"}]}"#);
        assert!(
            e.message.contains("unknown `permission` value `READS`"),
            "{e:?}"
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `READ`?"));
        assert_eq!(e.pos, Pos { line: 1, col: 51 });
        let e = s3_err(r#"{"bucket_acl":[{"grantee":"AllUser","permission":"READ"}]}"#);
        assert_eq!(e.help.as_deref(), Some("did you mean `AllUsers`?"));
        let e = s3_err(r#"{"bucket_acl":[{"grantee":"11112222333","permission":"READ"}]}"#);
        assert!(e.message.contains("12 digits, this has 11"), "{e:?}");
        let e = s3_err(r#"{"bucket_acl":[{"grantee":"AllUsers","permision":"READ"}]}"#);
        assert!(e.message.contains("unknown field `permision`"), "{e:?}");
        assert_eq!(e.help.as_deref(), Some("did you mean `permission`?"));
        let e = s3_err(r#"{"bucket_acl":[{"grantee":"AllUsers"}]}"#);
        assert!(
            e.message.contains("needs `grantee` and `permission`"),
            "{e:?}"
        );
        let e = s3_err(r#"{"bucket_acl":"public-read"}"#);
        assert!(e.message.contains("list of grants"), "{e:?}");
        let e = s3_err(
            r#"{"bucket_acl":{"Grants":[{"Grantee":{"Type":"AmazonCustomerByEmail","EmailAddress":"a@example.com"},"Permission":"READ"}]}}"#,
        );
        assert!(e.message.contains("not modelled"), "{e:?}");
        assert!(e.help.unwrap().contains("CanonicalUser"));
        let e = s3_err(
            r#"{"bucket_acl":{"Grants":[{"Grantee":{"Type":"Canonical","ID":"abc"},"Permission":"READ"}]}}"#,
        );
        assert!(
            e.message.contains("unknown `Type` value `Canonical`"),
            "{e:?}"
        );
        let e = s3_err(
            r#"{"bucket_acl":{"Grants":[{"Grantee":{"Type":"CanonicalUser","ID":"111122223333"},"Permission":"READ"}]}}"#,
        );
        assert!(
            e.message
                .contains("is an AWS account ID, not a canonical user ID"),
            "{e:?}"
        );
        let e = s3_err(
            r#"{"bucket_acl":{"Grants":[{"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUser"},"Permission":"READ"}]}}"#,
        );
        assert!(e.message.contains("unknown S3 group"), "{e:?}");
        assert!(e.help.unwrap().contains("global/AllUsers"));
        let e = s3_err(r#"{"bucket_acl":{"Owner":{"ID":"111122223333"}}}"#);
        assert!(e.message.contains("needs `Grants`"), "{e:?}");
        let e = s3_err(r#"{"bucket_acl":{"Grants":[],"ResponseMetadata":{}}}"#);
        assert!(
            e.message.contains("unknown field `ResponseMetadata`"),
            "{e:?}"
        );
    }

    #[test]
    fn s3_errors() {
        let e = s3_err(r#"{"object_ownership":"BucketOwnerEnforce"}"#);
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `BucketOwnerEnforced`?")
        );
        assert_eq!(e.pos, Pos { line: 1, col: 21 });
        let e = s3_err(r#"{"bucket_owners":"111122223333"}"#);
        assert_eq!(e.help.as_deref(), Some("did you mean `bucket_owner`?"));
        let e = s3_err(r#"{"bucket_owner":"1111"}"#);
        assert!(e.message.contains("12 digits"), "{e:?}");
        let e = s3_err(r#"{"bucket_owner":111122223333}"#);
        assert!(
            e.message.contains("must be a string, found a number"),
            "{e:?}"
        );
        let e = s3_err(r#"{"requester_pays":"yes"}"#);
        assert!(e.message.contains("`true` or `false`"), "{e:?}");
        let e = s3_err(r#"{"block_public_access":{"account":{"BlockPublicACLs":true}}}"#);
        assert_eq!(e.help.as_deref(), Some("did you mean `BlockPublicAcls`?"));
        let e = s3_err(r#"{"block_public_access":{"acount":{}}}"#);
        assert_eq!(e.help.as_deref(), Some("did you mean `account`?"));
        let e = s3_err(r#"{"object":{"owner":"bob"}}"#);
        assert!(e.message.contains("neither a 12-digit"), "{e:?}");
        let e = s3_err(r#"{"object":{"exist":false}}"#);
        assert_eq!(e.help.as_deref(), Some("did you mean `exists`?"));
        let e = s3_err(r#"{"requester_pays":true,"requester_pays":false}"#);
        assert!(e.message.contains("given twice"), "{e:?}");
        let e = s3_err("[]");
        assert!(
            e.message.contains("`s3` must be an object, found an array"),
            "{e:?}"
        );
    }

    #[test]
    fn a_case_replaces_keys_whole() {
        let mut st = ResourceState::default();
        let file = r#"{"bucket_owner":"111122223333","object_ownership":"ObjectWriter","object":{"owner":"444455556666","kms_key":"k"},
            "block_public_access":{"account":{"BlockPublicAcls":true},"bucket":{"IgnorePublicAcls":true}}}"#;
        assert!(member("s3", file, Cloud::Aws, &mut st).is_empty());
        let file_state = st.clone();
        let case = r#"{"object":{"exists":false},"block_public_access":{"bucket":{"RestrictPublicBuckets":true}}}"#;
        assert!(member("s3", case, Cloud::Aws, &mut st).is_empty());
        let s = st.s3.unwrap();
        // Keys the case does not give stay.
        assert_eq!(s.bucket_owner.as_deref(), Some("111122223333"));
        assert_eq!(s.object_ownership, ObjectOwnership::ObjectWriter);
        // Keys it gives replace the file's whole.
        assert_eq!(s.object.owner, None);
        assert_eq!(s.object.kms_key, None);
        assert!(!s.object.exists);
        assert!(!s.block_public_access.account.block_public_acls);
        assert!(s.block_public_access.bucket.restrict_public_buckets);
        assert!(!s.block_public_access.bucket.ignore_public_acls);
        assert_ne!(file_state, ResourceState::default());
    }

    #[test]
    fn oss_and_cos() {
        let mut st = ResourceState::default();
        let d = member(
            "oss",
            r#"{"bucket_owner":"1746495857602745","bucket_acl":"public-read","object":{"acl":"private","exists":false,"kms_key":"k"},
                "referer":{"allow_empty":false,"allow":["*.example.com"],"deny":["bad.test"]},"requester_pays":true,"block_public_access":true}"#,
            Cloud::Aliyun,
            &mut st,
        );
        assert!(d.is_empty(), "{d:?}");
        let o = st.oss.unwrap();
        assert_eq!(o.bucket_acl, CannedAcl::PublicRead);
        assert_eq!(o.object.acl, CannedAcl::Private);
        assert!(!o.object.exists);
        let r = o.referer.unwrap();
        assert!(!r.allow_empty);
        assert_eq!(r.allow, ["*.example.com"]);
        assert_eq!(r.deny, ["bad.test"]);
        assert!(o.requester_pays && o.block_public_access);

        let mut st = ResourceState::default();
        let d = member(
            "cos",
            r#"{"bucket_owner":"100000000001","bucket_acl":"private","object":{"acl":"default"},"referer":{"allow":["a.example.com"]}}"#,
            Cloud::Tencent,
            &mut st,
        );
        assert!(d.is_empty(), "{d:?}");
        let c = st.cos.unwrap();
        assert_eq!(c.object.acl, CannedAcl::Default);
        assert!(c.referer.unwrap().allow_empty, "absent: true");

        // Defaults.
        let mut st = ResourceState::default();
        assert!(member("oss", "{}", Cloud::Aliyun, &mut st).is_empty());
        let o = st.oss.unwrap();
        assert_eq!(
            (o.bucket_acl, o.object.acl),
            (CannedAcl::Private, CannedAcl::Default)
        );
    }

    #[test]
    fn oss_and_cos_errors() {
        let one = |key: &str, text: &str, cloud: Cloud| {
            let d = member(key, text, cloud, &mut ResourceState::default());
            assert_eq!(d.len(), 1, "{d:?}");
            d.into_iter().next().unwrap()
        };
        let e = one("oss", r#"{"bucket_acl":"public_read"}"#, Cloud::Aliyun);
        assert_eq!(e.help.as_deref(), Some("did you mean `public-read`?"));
        let e = one("oss", r#"{"bucket_acl":"default"}"#, Cloud::Aliyun);
        assert!(
            e.message.contains("unknown `bucket_acl` value `default`"),
            "{e:?}"
        );
        let e = one(
            "oss",
            r#"{"object":{"acl":"authenticated-read"}}"#,
            Cloud::Aliyun,
        );
        assert!(e.message.contains("unknown `object.acl`"), "{e:?}");
        let e = one(
            "oss",
            r#"{"referer":{"allow":"*.example.com"}}"#,
            Cloud::Aliyun,
        );
        assert!(e.message.contains("must be a list of strings"), "{e:?}");
        let e = one("oss", r#"{"referer":{"allow":["a", 1]}}"#, Cloud::Aliyun);
        assert!(
            e.message.contains("must be a string, found a number"),
            "{e:?}"
        );
        assert_eq!(e.pos, Pos { line: 1, col: 27 });
        let e = one("oss", r#"{"referer":{"allowEmpty":true}}"#, Cloud::Aliyun);
        assert_eq!(e.help.as_deref(), Some("did you mean `allow_empty`?"));
        let e = one("cos", r#"{"object":{"kms_key":"k"}}"#, Cloud::Tencent);
        assert!(
            e.message
                .contains("unknown field `kms_key` in `cos.object`"),
            "{e:?}"
        );
        let e = one("cos", r#"{"requester_pays":true}"#, Cloud::Tencent);
        assert!(
            e.message
                .contains("unknown field `requester_pays` in `cos`"),
            "{e:?}"
        );
        let e = one("oss", r#"{"bucket_owner":"alice"}"#, Cloud::Aliyun);
        assert!(e.message.contains("account ID (digits)"), "{e:?}");
        // A member of another cloud.
        let e = one("oss", "{}", Cloud::Aws);
        assert!(
            e.message
                .contains("describes Alibaba Cloud state, but the test is for AWS"),
            "{e:?}"
        );
        let e = one("s3", "{}", Cloud::Tencent);
        assert_eq!(
            e.help.as_deref(),
            Some("write the state of this Tencent Cloud resource as `cos`")
        );
    }

    #[test]
    fn canonical_ids() {
        let mut st = ResourceState::default();
        let id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
        let d = member(
            "canonical_ids",
            &format!(r#"{{"{id}":"111122223333"}}"#),
            Cloud::Aws,
            &mut st,
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            st.canonical_ids.get(id).map(String::as_str),
            Some("111122223333")
        );
        let mut diags = Vec::new();
        read_canonical_ids(
            &parse(
                r#"{"111122223333":"111122223333","79a59df900b949e5":"12","zz":"111122223333"}"#,
            )
            .unwrap(),
            &mut diags,
        );
        assert_eq!(diags.len(), 3, "{diags:?}");
        assert!(diags[0]
            .message
            .contains("is an account ID, not a canonical user ID"));
        assert!(diags[1].message.contains("(12 digits), found `12`"));
        assert!(diags[2].message.contains("neither"));
        read_canonical_ids(&parse("[]").unwrap(), &mut diags);
        assert!(diags[3].message.contains("must be an object"));
    }
}
