//! Operations as data: which actions a storage service checks for one API call, on which
//! resource, and what else the call implies (copy source, headers, KMS, the class the
//! service's own checks read it by).
//!
//! Each cloud holds one table (`aws::ops::OPERATIONS`, `aliyun::ops::OPERATIONS`,
//! `tencent::ops::OPERATIONS`), reached through [`crate::profile::CloudProfile::operations`].
//! The tables are `&'static` data: reading them allocates nothing. [`resolve`] turns an
//! operation name and a request's [`RequestExtras`] into the list of (action, resource, why)
//! the service checks, in its order; [`by_action`] tells when an `--action` is really an
//! operation name (`s3:HeadObject`).
//!
//! Rules and their sources: `resource-controls.md` §0, §1.2, §2.4, §2.5, §3.3 and the
//! `docs/semantics/<cloud>.md` section "Operations"; every row carries its source.

use crate::state::RequestExtras;

/// What an operation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An object: the request's resource as given.
    Object,
    /// A bucket: the bucket of the request's resource.
    Bucket,
    /// No resource: the actions are checked on `*` (`ListBuckets`, COS `GetService`).
    Star,
}

/// The class a service's own checks read an operation by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Reads an object (OSS/COS ACL read class; the S3 missing-object rule, §1.7).
    Read,
    /// Writes or deletes an object (OSS/COS ACL write class).
    Write,
    /// Anything else: bucket and account operations, ACL management (ACLs grant nothing, OSS
    /// §2.2).
    Management,
}

/// One required action, and the one checked instead when the request names a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Act {
    /// The action (`s3:GetObject`).
    pub name: &'static str,
    /// The action checked with `version_id` (`s3:GetObjectVersion`), if it differs.
    pub version: Option<&'static str>,
}

/// What makes a conditionally required action (or a KMS request) required: a header.
/// Header names compare ASCII-case-insensitively, and so do the values named here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The header is present, with any value but those listed (`x-amz-acl`, except
    /// `bucket-owner-full-control`).
    Header {
        /// The header's name.
        name: &'static str,
        /// Values that do not trigger.
        except: &'static [&'static str],
    },
    /// Any header whose name starts with this prefix (`x-amz-grant-`).
    HeaderPrefix(&'static str),
    /// The header has this value (`x-amz-server-side-encryption: aws:kms`).
    HeaderValue {
        /// The header's name.
        name: &'static str,
        /// The value that triggers.
        value: &'static str,
    },
}

impl Trigger {
    /// The header of `extras` that fires the trigger (its name as written), if one does.
    pub fn fired_by<'e>(&self, extras: &'e RequestExtras) -> Option<&'e str> {
        extras.headers.iter().find_map(|(k, v)| {
            let fires = match *self {
                Trigger::Header { name, except } => {
                    k.eq_ignore_ascii_case(name)
                        && !except.iter().any(|e| v.trim().eq_ignore_ascii_case(e))
                }
                Trigger::HeaderPrefix(p) => k
                    .get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p)),
                Trigger::HeaderValue { name, value } => {
                    k.eq_ignore_ascii_case(name) && v.trim().eq_ignore_ascii_case(value)
                }
            };
            fires.then_some(k.as_str())
        })
    }
}

/// An action required only when the request carries a header, checked on the operation's
/// resource (for a copy, the destination).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conditional {
    /// The action.
    pub action: &'static str,
    /// Any of these makes it required.
    pub when: &'static [Trigger],
}

/// When the service makes a KMS request for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KmsWhen {
    /// The object the operation reads (for a copy, the source; for a multipart upload in
    /// progress, the upload) is encrypted with a KMS key: state (`object.kms_key`), not
    /// known to [`resolve`].
    ObjectEncrypted,
    /// The request asks for KMS encryption; the key is named by the header `key_header`.
    Requested {
        /// What asks for it.
        trigger: Trigger,
        /// The header naming the key.
        key_header: &'static str,
    },
}

/// A KMS request an operation implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KmsRule {
    /// The KMS actions asked for, in order (`kms:GenerateDataKey`, `kms:Decrypt`).
    pub actions: &'static [&'static str],
    /// When.
    pub when: KmsWhen,
}

/// One API operation of a storage service, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name as the service's API reference writes it (`HeadObject`).
    pub name: &'static str,
    /// Other names for it (`InitiateMultipartUpload`, `PUT Object - Copy`).
    pub aliases: &'static [&'static str],
    /// What it names.
    pub target: Target,
    /// The actions always checked, on the target.
    pub required: &'static [Act],
    /// For a copy (`CopyObject`, `UploadPartCopy`): the actions checked on `copy_source`, the
    /// object read; `version_id` then names the source's version.
    pub copy_source: Option<&'static [Act]>,
    /// Actions required when headers say so, on the target.
    pub conditional: &'static [Conditional],
    /// The KMS requests the service makes.
    pub kms: &'static [KmsRule],
    /// The class the service's own checks read it by (for a copy, the destination's; the
    /// source is always read).
    pub class: Class,
    /// Whether it creates (or replaces) an object: S3 writes granted by the bucket owner
    /// (§1.3).
    pub creates_object: bool,
    /// Where the row comes from (a source key of `resource-controls.md` §6 and its tag).
    pub source: &'static str,
}

impl Operation {
    /// Whether `name` names this operation (its name or an alias, ASCII-case-insensitively).
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        self.name.eq_ignore_ascii_case(name)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }

    /// Every action the operation can check, KMS actions left out.
    pub fn actions(&self) -> impl Iterator<Item = &'static str> {
        let acts = self
            .required
            .iter()
            .chain(self.copy_source.unwrap_or(&[]).iter());
        acts.flat_map(|a| std::iter::once(a.name).chain(a.version))
            .chain(self.conditional.iter().map(|c| c.action))
    }
}

/// Why an action is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The operation always requires it.
    Required,
    /// Read on the copy source.
    CopySource,
    /// A header made it required.
    Conditional {
        /// The table's trigger.
        trigger: &'static Trigger,
    },
}

/// One action the service checks, and on what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The action.
    pub action: &'static str,
    /// The resource it is checked on.
    pub resource: String,
    /// Why.
    pub why: Why,
    /// Whether `version_id` chose this action (`s3:GetObjectVersion`).
    pub versioned: bool,
    /// For a conditional action, the header that fired it, as written.
    pub header: Option<String>,
}

/// A KMS request the operation implies for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsNeed {
    /// The table's rule (its actions, and when).
    pub rule: &'static KmsRule,
    /// For [`KmsWhen::Requested`], the key the request names (the key header's value), if
    /// any; for [`KmsWhen::ObjectEncrypted`] always `None` (the key is the object's).
    pub key_id: Option<String>,
    /// For [`KmsWhen::Requested`], the header that asked for it, as written.
    pub header: Option<String>,
}

/// An operation resolved for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The operation.
    pub operation: &'static Operation,
    /// The actions the service checks, in its order: copy source, required, conditional.
    pub steps: Vec<Step>,
    /// The KMS requests it implies: header-requested ones that fired, and every
    /// [`KmsWhen::ObjectEncrypted`] one (the caller checks the object's state).
    pub kms: Vec<KmsNeed>,
    /// The class of the operation on its target.
    pub class: Class,
    /// A copy operation without `copy_source`: its source actions are not in `steps`.
    pub copy_source_missing: bool,
}

/// An operation name that is in no row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperation {
    /// The name as given.
    pub name: String,
    /// The closest names of the table (at most 3, closest first).
    pub candidates: Vec<&'static str>,
}

/// The row of `table` named `operation` (name or alias, ASCII-case-insensitively).
pub fn find(table: &'static [Operation], operation: &str) -> Option<&'static Operation> {
    table.iter().find(|op| op.is_named(operation))
}

/// The actions the service checks for `operation`, on which resource and why, in the order it
/// checks them; plus the KMS requests and the class. `resource` is the resource the request
/// names; `bucket_of` gives the bucket's name of a resource name (for bucket operations; an
/// object-less bucket resource should come back as it is).
pub fn resolve(
    table: &'static [Operation],
    operation: &str,
    extras: &RequestExtras,
    resource: &str,
    bucket_of: impl Fn(&str) -> String,
) -> Result<Resolved, UnknownOperation> {
    let op = find(table, operation).ok_or_else(|| UnknownOperation {
        name: operation.to_string(),
        candidates: closest(table, operation, 3),
    })?;
    let target = match op.target {
        Target::Object => resource.to_string(),
        Target::Bucket => bucket_of(resource),
        Target::Star => "*".to_string(),
    };
    let versioned = extras.version_id.as_deref().is_some_and(|v| !v.is_empty());
    let pick = |a: &Act| match (versioned, a.version) {
        (true, Some(v)) => (v, true),
        _ => (a.name, false),
    };
    let mut steps = Vec::new();
    let mut copy_source_missing = false;
    if let Some(source_acts) = op.copy_source {
        match extras.copy_source.as_deref() {
            Some(src) => steps.extend(source_acts.iter().map(|a| {
                let (action, versioned) = pick(a);
                Step {
                    action,
                    resource: src.to_string(),
                    why: Why::CopySource,
                    versioned,
                    header: None,
                }
            })),
            None => copy_source_missing = true,
        }
    }
    // For a copy, the version names the source: the destination's actions stay unversioned.
    let target_versioned = versioned && op.copy_source.is_none();
    steps.extend(op.required.iter().map(|a| {
        let (action, v) = match (target_versioned, a.version) {
            (true, Some(v)) => (v, true),
            _ => (a.name, false),
        };
        Step {
            action,
            resource: target.clone(),
            why: Why::Required,
            versioned: v,
            header: None,
        }
    }));
    for c in op.conditional {
        let fired = c
            .when
            .iter()
            .find_map(|t| t.fired_by(extras).map(|h| (t, h)));
        if let Some((trigger, header)) = fired {
            if !steps
                .iter()
                .any(|s| s.action == c.action && s.resource == target)
            {
                steps.push(Step {
                    action: c.action,
                    resource: target.clone(),
                    why: Why::Conditional { trigger },
                    versioned: false,
                    header: Some(header.to_string()),
                });
            }
        }
    }
    let kms = op
        .kms
        .iter()
        .filter_map(|rule| match rule.when {
            KmsWhen::ObjectEncrypted => Some(KmsNeed {
                rule,
                key_id: None,
                header: None,
            }),
            KmsWhen::Requested {
                ref trigger,
                key_header,
            } => trigger.fired_by(extras).map(|h| KmsNeed {
                rule,
                key_id: extras.header(key_header).map(str::to_string),
                header: Some(h.to_string()),
            }),
        })
        .collect();
    Ok(Resolved {
        operation: op,
        steps,
        kms,
        class: op.class,
        copy_source_missing,
    })
}

/// The operation an action really names, when it is not an action of the table: `s3:HeadObject`
/// (S3 checks `s3:GetObject` for HeadObject). The name part (after the service prefix, if any)
/// is compared with the operations' names and aliases, and the action with the table's actions,
/// ASCII-case-insensitively (a miscased action is the catalogs' business); an action whose
/// prefix is not the table's service prefix names no operation.
pub fn by_action(table: &'static [Operation], action: &str) -> Option<&'static Operation> {
    let action = action.trim();
    let (prefix, name) = match action.split_once(':') {
        Some((p, n)) => (Some(p), n),
        None => (None, action),
    };
    let op = find(table, name)?;
    if let Some(p) = prefix {
        let service = op.required.first()?.name.split(':').next()?;
        if !service.eq_ignore_ascii_case(p) {
            return None;
        }
    }
    // Most requests name an action that is the found operation's own (`s3:GetObject` for
    // GetObject): that answers without scanning the whole table.
    let own = op.actions().any(|a| a.eq_ignore_ascii_case(action));
    let known = own
        || table
            .iter()
            .flat_map(Operation::actions)
            .any(|a| a.eq_ignore_ascii_case(action));
    (!known).then_some(op)
}

/// The `n` operation names (or aliases) of `table` closest to `name`, closest first; one per
/// operation.
pub fn closest(table: &'static [Operation], name: &str, n: usize) -> Vec<&'static str> {
    let name = name.trim().to_ascii_lowercase();
    let mut scored: Vec<(usize, &'static str)> = table
        .iter()
        .filter_map(|op| {
            std::iter::once(op.name)
                .chain(op.aliases.iter().copied())
                .map(|c| (distance(&name, &c.to_ascii_lowercase()), c))
                .min()
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// Levenshtein distance over bytes.
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if ca == cb {
                diag
            } else {
                1 + diag.min(up).min(row[j])
            };
            diag = up;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    static TABLE: &[Operation] = &[
        Operation {
            name: "GetThing",
            aliases: &["FetchThing"],
            target: Target::Object,
            required: &[Act {
                name: "x:GetThing",
                version: Some("x:GetThingVersion"),
            }],
            copy_source: None,
            conditional: &[],
            kms: &[],
            class: Class::Read,
            creates_object: false,
            source: "test",
        },
        Operation {
            name: "ListThings",
            aliases: &[],
            target: Target::Bucket,
            required: &[Act {
                name: "x:ListBucket",
                version: None,
            }],
            copy_source: None,
            conditional: &[],
            kms: &[],
            class: Class::Management,
            creates_object: false,
            source: "test",
        },
    ];

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("getobjct", "getobject"), 1);
    }

    #[test]
    fn triggers_fire_on_headers() {
        let extras = RequestExtras {
            headers: vec![
                ("X-Amz-Grant-Read".into(), "id=1".into()),
                ("x-amz-acl".into(), " Bucket-Owner-Full-Control ".into()),
            ],
            ..RequestExtras::default()
        };
        let acl = Trigger::Header {
            name: "x-amz-acl",
            except: &["bucket-owner-full-control"],
        };
        assert_eq!(acl.fired_by(&extras), None);
        assert_eq!(
            Trigger::HeaderPrefix("x-amz-grant-").fired_by(&extras),
            Some("X-Amz-Grant-Read")
        );
        let v = Trigger::HeaderValue {
            name: "X-AMZ-ACL",
            value: "bucket-owner-full-control",
        };
        assert_eq!(v.fired_by(&extras), Some("x-amz-acl"));
        // A prefix longer than the name, or cut inside a multi-byte character, fires nothing.
        let odd = RequestExtras {
            headers: vec![("x-é".into(), String::new())],
            ..RequestExtras::default()
        };
        assert_eq!(Trigger::HeaderPrefix("x-a").fired_by(&odd), None);
        assert_eq!(Trigger::HeaderPrefix("x-amz-grant-").fired_by(&odd), None);
    }

    #[test]
    fn bucket_and_alias_and_unknown() {
        let e = RequestExtras::default();
        let r = resolve(TABLE, "listthings", &e, "b/k", |r| {
            r.split('/').next().unwrap_or(r).to_string()
        })
        .unwrap();
        assert_eq!(r.steps[0].resource, "b");
        let r = resolve(TABLE, "FETCHTHING", &e, "b/k", str::to_string).unwrap();
        assert_eq!(r.operation.name, "GetThing");
        let err = resolve(TABLE, "GetThng", &e, "b/k", str::to_string).unwrap_err();
        assert_eq!(err.name, "GetThng");
        assert_eq!(err.candidates, ["GetThing", "ListThings"]);
    }

    #[test]
    fn by_action_names_operations_only() {
        assert_eq!(
            by_action(TABLE, "x:FetchThing").map(|o| o.name),
            Some("GetThing")
        );
        assert_eq!(by_action(TABLE, "x:GetThing"), None);
        assert_eq!(by_action(TABLE, "X:getthing"), None);
        assert_eq!(by_action(TABLE, "y:ListThings"), None);
        assert_eq!(
            by_action(TABLE, "ListThings").map(|o| o.name),
            Some("ListThings")
        );
        assert_eq!(by_action(TABLE, "x:Nothing"), None);
    }
}
