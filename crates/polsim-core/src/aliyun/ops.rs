//! Alibaba Cloud OSS operations and the actions OSS checks for them (`resource-controls.md`
//! §2.5, KMS §2.4, ACL classes §2.2).
//!
//! Source keys (`resource-controls.md` §6): OSSAUTHSYN =
//! <https://www.alibabacloud.com/help/en/oss/user-guide/authorization-syntax-and-elements>
//! (archived `aliyun-docs/oss-acl-referer-actions-excerpts.md`); OSSMPU = the OSS multipart
//! upload "API和权限说明" table; OSSOACL = <https://help.aliyun.com/en/oss/developer-reference/putobjectacl>
//! (the read and write operations of ACLs). `D` stated, `?` a choice
//! (`docs/semantics/aliyun.md`, "Operations"). The class follows the action where OSSOACL
//! is silent: operations checked as `oss:GetObject` read, as `oss:PutObject` or
//! `oss:DeleteObject` write, the others are management (ACLs grant nothing).

use crate::ops::{Act, Class, Conditional, KmsRule, KmsWhen, Operation, Target, Trigger};

const fn act(name: &'static str) -> Act {
    Act {
        name,
        version: None,
    }
}

/// The header that names the KMS key of a write.
pub const KMS_KEY_HEADER: &str = "x-oss-server-side-encryption-key-id";

const GET: Act = Act {
    name: "oss:GetObject",
    version: Some("oss:GetObjectVersion"),
};
const PUT: Act = act("oss:PutObject");

/// `x-oss-server-side-encryption: KMS`: both actions on the key (§2.4).
const KMS_WRITE: KmsRule = KmsRule {
    actions: &["kms:GenerateDataKey", "kms:Decrypt"],
    when: KmsWhen::Requested {
        trigger: Trigger::HeaderValue {
            name: "x-oss-server-side-encryption",
            value: "KMS",
        },
        key_header: KMS_KEY_HEADER,
    },
};

/// Reading a KMS-encrypted object (`oss.object.kms_key`).
const KMS_READ: KmsRule = KmsRule {
    actions: &["kms:Decrypt"],
    when: KmsWhen::ObjectEncrypted,
};

const READ: Operation = Operation {
    name: "",
    aliases: &[],
    target: Target::Object,
    required: &[act("oss:GetObject")],
    copy_source: None,
    conditional: &[],
    kms: &[],
    class: Class::Read,
    creates_object: false,
    source: "D OSSAUTHSYN; class D OSSOACL",
};

const WRITE: Operation = Operation {
    required: &[PUT],
    class: Class::Write,
    creates_object: true,
    ..READ
};

const OBJECT_MANAGEMENT: Operation = Operation {
    class: Class::Management,
    source: "D OSSAUTHSYN; class ?",
    ..READ
};

const BUCKET: Operation = Operation {
    target: Target::Bucket,
    ..OBJECT_MANAGEMENT
};

const fn bucket(name: &'static str, required: &'static [Act]) -> Operation {
    Operation {
        name,
        required,
        source: "D OSSAUTHSYN (same-named action)",
        ..BUCKET
    }
}

/// The OSS operations, in the order of §2.5.
pub static OPERATIONS: &[Operation] = &[
    // --- Reads, checked as oss:GetObject ---
    Operation {
        name: "GetObject",
        required: &[GET],
        kms: &[KMS_READ],
        ..READ
    },
    Operation {
        name: "HeadObject",
        ..READ
    },
    Operation {
        name: "GetObjectMeta",
        source: "D OSSAUTHSYN; class ? (§4.11)",
        ..READ
    },
    Operation {
        name: "SelectObject",
        source: "D OSSAUTHSYN; class ? (by its action)",
        ..READ
    },
    Operation {
        name: "GetSymlink",
        source: "D OSSAUTHSYN; class ? (by its action)",
        ..READ
    },
    // --- Writes, checked as oss:PutObject ---
    Operation {
        name: "PutObject",
        conditional: &[Conditional {
            action: "oss:PutObjectTagging",
            when: &[Trigger::Header {
                name: "x-oss-tagging",
                except: &[],
            }],
        }],
        kms: &[KMS_WRITE],
        ..WRITE
    },
    Operation {
        name: "PostObject",
        ..WRITE
    },
    Operation {
        name: "AppendObject",
        ..WRITE
    },
    Operation {
        name: "InitiateMultipartUpload",
        kms: &[KMS_WRITE],
        source: "D OSSAUTHSYN, OSSMPU; class ? (§4.11)",
        ..WRITE
    },
    Operation {
        name: "UploadPart",
        source: "D OSSAUTHSYN, OSSMPU; class ? (§4.11)",
        ..WRITE
    },
    Operation {
        name: "CompleteMultipartUpload",
        ..WRITE
    },
    Operation {
        name: "PutSymlink",
        source: "D OSSAUTHSYN; class ? (by its action)",
        ..WRITE
    },
    Operation {
        name: "CopyObject",
        copy_source: Some(&[GET]),
        kms: &[KMS_WRITE],
        ..WRITE
    },
    Operation {
        name: "UploadPartCopy",
        copy_source: Some(&[GET]),
        ..WRITE
    },
    // --- Other object operations ---
    Operation {
        name: "AbortMultipartUpload",
        required: &[act("oss:AbortMultipartUpload")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "ListParts",
        required: &[act("oss:ListParts")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "DeleteObject",
        required: &[act("oss:DeleteObject")],
        class: Class::Write,
        ..READ
    },
    Operation {
        name: "DeleteMultipleObjects",
        required: &[act("oss:DeleteObject")],
        class: Class::Write,
        ..READ
    },
    Operation {
        name: "PutObjectACL",
        required: &[act("oss:PutObjectAcl")],
        source: "D OSSAUTHSYN; ACLs grant nothing for it ? (§4.11)",
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "GetObjectACL",
        required: &[act("oss:GetObjectAcl")],
        source: "D OSSAUTHSYN; ACLs grant nothing for it ? (§4.11)",
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "RestoreObject",
        required: &[act("oss:RestoreObject")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "PutObjectTagging",
        required: &[act("oss:PutObjectTagging")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "GetObjectTagging",
        required: &[act("oss:GetObjectTagging")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "DeleteObjectTagging",
        required: &[act("oss:DeleteObjectTagging")],
        ..OBJECT_MANAGEMENT
    },
    // --- Bucket operations ---
    Operation {
        name: "GetBucket",
        aliases: &["ListObjects"],
        required: &[act("oss:ListObjects")],
        ..BUCKET
    },
    bucket("ListObjectVersions", &[act("oss:ListObjectVersions")]),
    Operation {
        name: "ListMultipartUploads",
        required: &[act("oss:ListMultipartUploads")],
        source: "D OSSMPU; class ?",
        ..BUCKET
    },
    bucket("PutBucketAcl", &[act("oss:PutBucketAcl")]),
    bucket("GetBucketAcl", &[act("oss:GetBucketAcl")]),
    bucket("PutBucket", &[act("oss:PutBucket")]),
    bucket("DeleteBucket", &[act("oss:DeleteBucket")]),
    bucket("GetBucketInfo", &[act("oss:GetBucketInfo")]),
    bucket("GetBucketLocation", &[act("oss:GetBucketLocation")]),
    bucket("PutBucketReferer", &[act("oss:PutBucketReferer")]),
    bucket("GetBucketReferer", &[act("oss:GetBucketReferer")]),
    bucket("PutBucketPolicy", &[act("oss:PutBucketPolicy")]),
    bucket("GetBucketPolicy", &[act("oss:GetBucketPolicy")]),
    bucket("DeleteBucketPolicy", &[act("oss:DeleteBucketPolicy")]),
    // --- No resource ---
    Operation {
        name: "ListBuckets",
        aliases: &["GetService"],
        target: Target::Star,
        required: &[act("oss:ListBuckets")],
        ..BUCKET
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{by_action, resolve, Resolved};
    use crate::state::RequestExtras;

    const OBJ: &str = "acs:oss:*:1746495857602745:bucket/key";
    const SRC: &str = "acs:oss:*:1746495857602745:src/key";
    const BUCKET_NAME: &str = "acs:oss:*:1746495857602745:bucket";

    fn run(op: &str, headers: &[(&str, &str)], version: bool, copy: bool) -> Resolved {
        let e = RequestExtras {
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            version_id: version.then(|| "v".to_string()),
            copy_source: copy.then(|| SRC.to_string()),
            ..RequestExtras::default()
        };
        resolve(OPERATIONS, op, &e, OBJ, |r| {
            r.split_once('/').map_or(r, |(b, _)| b).to_string()
        })
        .unwrap()
    }

    fn steps(r: &Resolved) -> Vec<(&'static str, &str)> {
        r.steps
            .iter()
            .map(|s| (s.action, s.resource.as_str()))
            .collect()
    }

    #[test]
    fn operations_resolve_to_the_actions_oss_checks() {
        type Row<'a> = (
            &'a str,
            &'a [(&'a str, &'a str)],
            bool,
            bool,
            &'a [(&'a str, &'a str)],
        );
        let rows: &[Row] = &[
            (
                "InitiateMultipartUpload",
                &[],
                false,
                false,
                &[("oss:PutObject", OBJ)],
            ),
            (
                "initiatemultipartupload",
                &[],
                false,
                false,
                &[("oss:PutObject", OBJ)],
            ),
            ("HeadObject", &[], false, false, &[("oss:GetObject", OBJ)]),
            (
                "GetObject",
                &[],
                true,
                false,
                &[("oss:GetObjectVersion", OBJ)],
            ),
            (
                "PutObject",
                &[("X-Oss-Tagging", "a=b")],
                false,
                false,
                &[("oss:PutObject", OBJ), ("oss:PutObjectTagging", OBJ)],
            ),
            (
                "CopyObject",
                &[],
                false,
                true,
                &[("oss:GetObject", SRC), ("oss:PutObject", OBJ)],
            ),
            (
                "DeleteMultipleObjects",
                &[],
                false,
                false,
                &[("oss:DeleteObject", OBJ)],
            ),
            (
                "ListObjects",
                &[],
                false,
                false,
                &[("oss:ListObjects", BUCKET_NAME)],
            ),
            ("GetService", &[], false, false, &[("oss:ListBuckets", "*")]),
            (
                "PutObjectAcl",
                &[],
                false,
                false,
                &[("oss:PutObjectAcl", OBJ)],
            ),
        ];
        for (op, headers, version, copy, want) in rows {
            assert_eq!(steps(&run(op, headers, *version, *copy)), *want, "{op}");
        }
    }

    #[test]
    fn kms_and_classes() {
        let r = run(
            "PutObject",
            &[
                ("x-oss-server-side-encryption", "KMS"),
                (KMS_KEY_HEADER, "key-1"),
            ],
            false,
            false,
        );
        assert_eq!(r.kms.len(), 1);
        assert_eq!(
            r.kms[0].rule.actions,
            ["kms:GenerateDataKey", "kms:Decrypt"]
        );
        assert_eq!(r.kms[0].key_id.as_deref(), Some("key-1"));
        assert!(run(
            "PutObject",
            &[("x-oss-server-side-encryption", "AES256")],
            false,
            false
        )
        .kms
        .is_empty());
        let r = run("GetObject", &[], false, false);
        assert_eq!(r.kms[0].rule.when, KmsWhen::ObjectEncrypted);
        assert!(run("HeadObject", &[], false, false).kms.is_empty());
        assert_eq!(run("GetObjectMeta", &[], false, false).class, Class::Read);
        assert_eq!(run("UploadPart", &[], false, false).class, Class::Write);
        assert_eq!(run("DeleteObject", &[], false, false).class, Class::Write);
        assert_eq!(
            run("GetObjectACL", &[], false, false).class,
            Class::Management
        );
        assert_eq!(
            run("GetBucketAcl", &[], false, false).class,
            Class::Management
        );
    }

    #[test]
    fn actions_that_are_operation_names() {
        let op = |a: &str| by_action(OPERATIONS, a).map(|o| o.name);
        assert_eq!(op("oss:HeadObject"), Some("HeadObject"));
        assert_eq!(
            op("oss:InitiateMultipartUpload"),
            Some("InitiateMultipartUpload")
        );
        assert_eq!(op("oss:GetBucket"), Some("GetBucket"));
        assert_eq!(op("oss:ListObjects"), None);
        assert_eq!(op("oss:PutObject"), None);
        assert_eq!(op("s3:HeadObject"), None);
    }

    #[test]
    fn the_table_is_well_formed() {
        for (i, op) in OPERATIONS.iter().enumerate() {
            for a in op.actions() {
                assert!(a.starts_with("oss:"), "{}: {a}", op.name);
            }
            for other in &OPERATIONS[i + 1..] {
                assert!(!other.is_named(op.name), "{} twice", op.name);
            }
        }
    }
}
