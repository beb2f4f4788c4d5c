//! Amazon S3 operations and the actions S3 checks for them (`resource-controls.md` §1.2).
//!
//! Source keys (`resource-controls.md` §6): S3OPS =
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html>
//! (archived `aws-s3-docs/using-with-s3-policy-actions.md`); SAR = the Service Authorization
//! Reference; API_PutObject, API_CopyObject, API_CreateBucket, API_DeleteObject =
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/> pages naming the request headers. `D` is
//! stated in the docs, `D~` read by combining two documented sentences, `?` a choice
//! (`docs/semantics/aws.md`, "Operations").

use crate::ops::{Act, Class, Conditional, KmsRule, KmsWhen, Operation, Target, Trigger};

const fn act(name: &'static str) -> Act {
    Act {
        name,
        version: None,
    }
}

const fn ver(name: &'static str, version: &'static str) -> Act {
    Act {
        name,
        version: Some(version),
    }
}

const fn header(name: &'static str) -> Trigger {
    Trigger::Header { name, except: &[] }
}

/// The header that names the SSE-KMS key of a write.
pub const KMS_KEY_HEADER: &str = "x-amz-server-side-encryption-aws-kms-key-id";

/// `x-amz-server-side-encryption: aws:kms` (SSE-KMS).
const SSE_KMS: Trigger = Trigger::HeaderValue {
    name: "x-amz-server-side-encryption",
    value: "aws:kms",
};

/// An ACL in the request: `x-amz-acl` (except `bucket-owner-full-control`, [?] §4.5) or any
/// `x-amz-grant-*` header.
const OBJECT_ACL: Conditional = Conditional {
    action: "s3:PutObjectAcl",
    when: &[
        Trigger::Header {
            name: "x-amz-acl",
            except: &["bucket-owner-full-control"],
        },
        Trigger::HeaderPrefix("x-amz-grant-"),
    ],
};

const TAGGING: Conditional = Conditional {
    action: "s3:PutObjectTagging",
    when: &[header("x-amz-tagging")],
};

/// Object Lock headers of a write (header names: API_PutObject).
const RETENTION: Conditional = Conditional {
    action: "s3:PutObjectRetention",
    when: &[
        header("x-amz-object-lock-mode"),
        header("x-amz-object-lock-retain-until-date"),
    ],
};

const LEGAL_HOLD: Conditional = Conditional {
    action: "s3:PutObjectLegalHold",
    when: &[header("x-amz-object-lock-legal-hold")],
};

/// `x-amz-bypass-governance-retention: true` (API_DeleteObject, API_PutObjectRetention).
const BYPASS: Conditional = Conditional {
    action: "s3:BypassGovernanceRetention",
    when: &[Trigger::HeaderValue {
        name: "x-amz-bypass-governance-retention",
        value: "true",
    }],
};

/// What PutObject, and CreateMultipartUpload ("as PutObject"), may add.
const PUT_CONDITIONAL: &[Conditional] = &[OBJECT_ACL, TAGGING, RETENTION, LEGAL_HOLD];

/// Reading an SSE-KMS object (for a copy, the source; for an upload in progress, the upload).
const DECRYPT: KmsRule = KmsRule {
    actions: &["kms:Decrypt"],
    when: KmsWhen::ObjectEncrypted,
};

/// Writing with SSE-KMS: the key is named by [`KMS_KEY_HEADER`].
const GENERATE: KmsRule = KmsRule {
    actions: &["kms:GenerateDataKey"],
    when: KmsWhen::Requested {
        trigger: SSE_KMS,
        key_header: KMS_KEY_HEADER,
    },
};

/// Uploading a part of an SSE-KMS upload (the upload's key: `s3.object.kms_key`, §1.5 [?]).
const GENERATE_FOR_UPLOAD: KmsRule = KmsRule {
    actions: &["kms:GenerateDataKey"],
    when: KmsWhen::ObjectEncrypted,
};

const GET_OBJECT: Act = ver("s3:GetObject", "s3:GetObjectVersion");

/// An object read (the missing-object rule applies, §1.7).
const READ: Operation = Operation {
    name: "",
    aliases: &[],
    target: Target::Object,
    required: &[],
    copy_source: None,
    conditional: &[],
    kms: &[],
    class: Class::Read,
    creates_object: false,
    source: "D S3OPS",
};

/// An object write that creates (or replaces) an object: granted by the bucket owner (§1.3).
const CREATE: Operation = Operation {
    class: Class::Write,
    creates_object: true,
    ..READ
};

/// A write to an existing object or its subresources.
const WRITE: Operation = Operation {
    class: Class::Write,
    ..READ
};

/// An operation on an object that is neither (no missing-object rule).
const OBJECT_OTHER: Operation = Operation {
    class: Class::Management,
    ..READ
};

/// A bucket operation.
const BUCKET: Operation = Operation {
    target: Target::Bucket,
    class: Class::Management,
    ..READ
};

/// A bucket operation whose action has the operation's own name.
const fn bucket(name: &'static str, required: &'static [Act]) -> Operation {
    Operation {
        name,
        required,
        ..BUCKET
    }
}

/// The S3 operations, in the order of §1.2.
pub static OPERATIONS: &[Operation] = &[
    // --- Object reads ---
    Operation {
        name: "GetObject",
        required: &[GET_OBJECT],
        kms: &[DECRYPT],
        ..READ
    },
    // [?] §4.6: no KMS request; the table gives s3:GetObject only (no version variant).
    Operation {
        name: "HeadObject",
        required: &[act("s3:GetObject")],
        source: "D S3OPS; KMS and version ? (§4.6)",
        ..READ
    },
    Operation {
        name: "GetObjectAttributes",
        required: &[GET_OBJECT],
        kms: &[DECRYPT],
        ..READ
    },
    Operation {
        name: "GetObjectAcl",
        required: &[ver("s3:GetObjectAcl", "s3:GetObjectVersionAcl")],
        ..READ
    },
    Operation {
        name: "GetObjectTagging",
        required: &[ver("s3:GetObjectTagging", "s3:GetObjectVersionTagging")],
        ..READ
    },
    Operation {
        name: "GetObjectRetention",
        required: &[act("s3:GetObjectRetention")],
        ..READ
    },
    Operation {
        name: "GetObjectLegalHold",
        required: &[act("s3:GetObjectLegalHold")],
        ..READ
    },
    Operation {
        name: "SelectObjectContent",
        required: &[act("s3:GetObject")],
        kms: &[DECRYPT],
        ..READ
    },
    Operation {
        name: "GetObjectTorrent",
        required: &[act("s3:GetObject")],
        ..READ
    },
    // --- Object writes ---
    Operation {
        name: "PutObject",
        required: &[act("s3:PutObject")],
        conditional: PUT_CONDITIONAL,
        kms: &[GENERATE],
        source: "D S3OPS; header names D~ API_PutObject; bucket-owner-full-control ? (§4.5)",
        ..CREATE
    },
    Operation {
        name: "CopyObject",
        required: &[act("s3:PutObject")],
        copy_source: Some(&[GET_OBJECT]),
        conditional: &[OBJECT_ACL, TAGGING],
        kms: &[DECRYPT, GENERATE],
        source: "D S3OPS; header names D~ API_CopyObject",
        ..CREATE
    },
    Operation {
        name: "CreateMultipartUpload",
        aliases: &["InitiateMultipartUpload"],
        required: &[act("s3:PutObject")],
        conditional: PUT_CONDITIONAL,
        kms: &[GENERATE],
        source: "D S3OPS (\"as PutObject\", §1.2)",
        ..CREATE
    },
    Operation {
        name: "UploadPart",
        required: &[act("s3:PutObject")],
        kms: &[GENERATE_FOR_UPLOAD],
        source: "D S3OPS; the upload's key ? (§1.5)",
        ..CREATE
    },
    // The destination's kms:GenerateDataKey needs the upload's encryption, which `s3.object`
    // (the source here) cannot say: not in the table.
    Operation {
        name: "UploadPartCopy",
        required: &[act("s3:PutObject")],
        copy_source: Some(&[GET_OBJECT]),
        kms: &[DECRYPT],
        ..CREATE
    },
    Operation {
        name: "CompleteMultipartUpload",
        required: &[act("s3:PutObject")],
        kms: &[DECRYPT],
        ..CREATE
    },
    Operation {
        name: "AbortMultipartUpload",
        required: &[act("s3:AbortMultipartUpload")],
        ..WRITE
    },
    Operation {
        name: "ListParts",
        required: &[act("s3:ListMultipartUploadParts")],
        kms: &[DECRYPT],
        ..OBJECT_OTHER
    },
    Operation {
        name: "PutObjectAcl",
        required: &[ver("s3:PutObjectAcl", "s3:PutObjectVersionAcl")],
        ..WRITE
    },
    Operation {
        name: "PutObjectTagging",
        required: &[ver("s3:PutObjectTagging", "s3:PutObjectVersionTagging")],
        ..WRITE
    },
    Operation {
        name: "DeleteObjectTagging",
        required: &[ver(
            "s3:DeleteObjectTagging",
            "s3:DeleteObjectVersionTagging",
        )],
        ..WRITE
    },
    Operation {
        name: "PutObjectRetention",
        required: &[act("s3:PutObjectRetention")],
        conditional: &[BYPASS],
        source: "D S3OPS; header name D~ API_PutObjectRetention",
        ..WRITE
    },
    Operation {
        name: "PutObjectLegalHold",
        required: &[act("s3:PutObjectLegalHold")],
        ..WRITE
    },
    Operation {
        name: "RestoreObject",
        required: &[act("s3:RestoreObject")],
        ..WRITE
    },
    Operation {
        name: "DeleteObject",
        required: &[ver("s3:DeleteObject", "s3:DeleteObjectVersion")],
        conditional: &[BYPASS],
        source: "D S3OPS; header name D~ API_DeleteObject",
        ..WRITE
    },
    // [?] checked per key: the request's resource is the one key judged.
    Operation {
        name: "DeleteObjects",
        required: &[ver("s3:DeleteObject", "s3:DeleteObjectVersion")],
        conditional: &[BYPASS],
        source: "D S3OPS; per key ?",
        ..WRITE
    },
    // --- Bucket operations ---
    // s3:GetObjectAcl "if you want to display object owner information" is asked by a query
    // parameter (fetch-owner), not a header: not in the table.
    bucket("ListObjects", &[act("s3:ListBucket")]),
    bucket("ListObjectsV2", &[act("s3:ListBucket")]),
    bucket("ListObjectVersions", &[act("s3:ListBucketVersions")]),
    bucket(
        "ListMultipartUploads",
        &[act("s3:ListBucketMultipartUploads")],
    ),
    bucket("HeadBucket", &[act("s3:ListBucket")]),
    Operation {
        name: "CreateBucket",
        required: &[act("s3:CreateBucket")],
        conditional: &[
            Conditional {
                action: "s3:PutBucketAcl",
                when: &[header("x-amz-acl"), Trigger::HeaderPrefix("x-amz-grant-")],
            },
            Conditional {
                action: "s3:PutBucketOwnershipControls",
                when: &[header("x-amz-object-ownership")],
            },
            Conditional {
                action: "s3:PutBucketObjectLockConfiguration",
                when: &[OBJECT_LOCK_ENABLED],
            },
            Conditional {
                action: "s3:PutBucketVersioning",
                when: &[OBJECT_LOCK_ENABLED],
            },
        ],
        source: "D S3OPS; header names D~ API_CreateBucket",
        ..BUCKET
    },
    bucket("DeleteBucket", &[act("s3:DeleteBucket")]),
    bucket("GetBucketAcl", &[act("s3:GetBucketAcl")]),
    bucket("PutBucketAcl", &[act("s3:PutBucketAcl")]),
    bucket("GetBucketPolicy", &[act("s3:GetBucketPolicy")]),
    bucket("PutBucketPolicy", &[act("s3:PutBucketPolicy")]),
    bucket("DeleteBucketPolicy", &[act("s3:DeleteBucketPolicy")]),
    bucket("GetBucketPolicyStatus", &[act("s3:GetBucketPolicyStatus")]),
    bucket(
        "GetBucketOwnershipControls",
        &[act("s3:GetBucketOwnershipControls")],
    ),
    bucket(
        "PutBucketOwnershipControls",
        &[act("s3:PutBucketOwnershipControls")],
    ),
    bucket(
        "DeleteBucketOwnershipControls",
        &[act("s3:PutBucketOwnershipControls")],
    ),
    bucket(
        "GetPublicAccessBlock",
        &[act("s3:GetBucketPublicAccessBlock")],
    ),
    bucket(
        "PutPublicAccessBlock",
        &[act("s3:PutBucketPublicAccessBlock")],
    ),
    bucket(
        "DeletePublicAccessBlock",
        &[act("s3:PutBucketPublicAccessBlock")],
    ),
    bucket(
        "GetBucketEncryption",
        &[act("s3:GetEncryptionConfiguration")],
    ),
    bucket(
        "PutBucketEncryption",
        &[act("s3:PutEncryptionConfiguration")],
    ),
    bucket(
        "DeleteBucketEncryption",
        &[act("s3:PutEncryptionConfiguration")],
    ),
    bucket("GetBucketVersioning", &[act("s3:GetBucketVersioning")]),
    bucket("PutBucketVersioning", &[act("s3:PutBucketVersioning")]),
    bucket(
        "GetBucketRequestPayment",
        &[act("s3:GetBucketRequestPayment")],
    ),
    bucket(
        "PutBucketRequestPayment",
        &[act("s3:PutBucketRequestPayment")],
    ),
    bucket("GetBucketLocation", &[act("s3:GetBucketLocation")]),
    bucket("DeleteBucketCors", &[act("s3:PutBucketCORS")]),
    bucket(
        "DeleteBucketLifecycle",
        &[act("s3:PutLifecycleConfiguration")],
    ),
    // --- No resource ---
    Operation {
        name: "ListBuckets",
        target: Target::Star,
        required: &[act("s3:ListAllMyBuckets")],
        source: "D~ SAR",
        ..BUCKET
    },
];

/// `x-amz-bucket-object-lock-enabled: true` (API_CreateBucket).
const OBJECT_LOCK_ENABLED: Trigger = Trigger::HeaderValue {
    name: "x-amz-bucket-object-lock-enabled",
    value: "true",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{by_action, resolve, Resolved, Why};
    use crate::state::RequestExtras;

    const OBJ: &str = "arn:aws:s3:::bucket/key";
    const SRC: &str = "arn:aws:s3:::src/key";

    fn bucket_of(r: &str) -> String {
        match r.find('/') {
            Some(i) => r[..i].to_string(),
            None => r.to_string(),
        }
    }

    fn extras(headers: &[(&str, &str)], version: bool, copy: bool) -> RequestExtras {
        RequestExtras {
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            version_id: version.then(|| "v1".to_string()),
            copy_source: copy.then(|| SRC.to_string()),
            ..RequestExtras::default()
        }
    }

    fn run(op: &str, e: &RequestExtras, resource: &str) -> Resolved {
        resolve(OPERATIONS, op, e, resource, bucket_of).unwrap()
    }

    fn steps(r: &Resolved) -> Vec<(&'static str, &str)> {
        r.steps
            .iter()
            .map(|s| (s.action, s.resource.as_str()))
            .collect()
    }

    #[test]
    fn operations_resolve_to_the_actions_s3_checks() {
        type Row<'a> = (
            &'a str,
            &'a [(&'a str, &'a str)],
            bool,
            bool,
            &'a str,
            &'a [(&'a str, &'a str)],
        );
        let rows: &[Row] = &[
            (
                "HeadObject",
                &[],
                false,
                false,
                OBJ,
                &[("s3:GetObject", OBJ)],
            ),
            (
                "headobject",
                &[],
                true,
                false,
                OBJ,
                &[("s3:GetObject", OBJ)],
            ),
            (
                "GetObject",
                &[],
                true,
                false,
                OBJ,
                &[("s3:GetObjectVersion", OBJ)],
            ),
            (
                "GetObject",
                &[],
                false,
                false,
                OBJ,
                &[("s3:GetObject", OBJ)],
            ),
            (
                "PutObject",
                &[("x-amz-acl", "public-read")],
                false,
                false,
                OBJ,
                &[("s3:PutObject", OBJ), ("s3:PutObjectAcl", OBJ)],
            ),
            (
                "PutObject",
                &[("X-Amz-Acl", "bucket-owner-full-control")],
                false,
                false,
                OBJ,
                &[("s3:PutObject", OBJ)],
            ),
            (
                "PutObject",
                &[(
                    "x-amz-grant-read",
                    "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
                )],
                false,
                false,
                OBJ,
                &[("s3:PutObject", OBJ), ("s3:PutObjectAcl", OBJ)],
            ),
            (
                "PutObject",
                &[
                    ("x-amz-tagging", "a=b"),
                    ("x-amz-object-lock-legal-hold", "ON"),
                ],
                false,
                false,
                OBJ,
                &[
                    ("s3:PutObject", OBJ),
                    ("s3:PutObjectTagging", OBJ),
                    ("s3:PutObjectLegalHold", OBJ),
                ],
            ),
            (
                "CopyObject",
                &[],
                false,
                true,
                OBJ,
                &[("s3:GetObject", SRC), ("s3:PutObject", OBJ)],
            ),
            (
                "CopyObject",
                &[("x-amz-acl", "private")],
                true,
                true,
                OBJ,
                &[
                    ("s3:GetObjectVersion", SRC),
                    ("s3:PutObject", OBJ),
                    ("s3:PutObjectAcl", OBJ),
                ],
            ),
            (
                "CreateMultipartUpload",
                &[],
                false,
                false,
                OBJ,
                &[("s3:PutObject", OBJ)],
            ),
            (
                "InitiateMultipartUpload",
                &[],
                false,
                false,
                OBJ,
                &[("s3:PutObject", OBJ)],
            ),
            (
                "ListObjectsV2",
                &[],
                false,
                false,
                "arn:aws:s3:::bucket",
                &[("s3:ListBucket", "arn:aws:s3:::bucket")],
            ),
            (
                "ListObjects",
                &[],
                false,
                false,
                OBJ,
                &[("s3:ListBucket", "arn:aws:s3:::bucket")],
            ),
            (
                "ListBuckets",
                &[],
                false,
                false,
                "arn:aws:s3:::bucket",
                &[("s3:ListAllMyBuckets", "*")],
            ),
            (
                "DeleteObject",
                &[],
                true,
                false,
                OBJ,
                &[("s3:DeleteObjectVersion", OBJ)],
            ),
            (
                "DeleteObject",
                &[("x-amz-bypass-governance-retention", "true")],
                false,
                false,
                OBJ,
                &[
                    ("s3:DeleteObject", OBJ),
                    ("s3:BypassGovernanceRetention", OBJ),
                ],
            ),
            (
                "CreateBucket",
                &[
                    ("x-amz-bucket-object-lock-enabled", "TRUE"),
                    ("x-amz-acl", "private"),
                ],
                false,
                false,
                "arn:aws:s3:::bucket",
                &[
                    ("s3:CreateBucket", "arn:aws:s3:::bucket"),
                    ("s3:PutBucketAcl", "arn:aws:s3:::bucket"),
                    ("s3:PutBucketObjectLockConfiguration", "arn:aws:s3:::bucket"),
                    ("s3:PutBucketVersioning", "arn:aws:s3:::bucket"),
                ],
            ),
            (
                "DeletePublicAccessBlock",
                &[],
                false,
                false,
                "arn:aws:s3:::bucket",
                &[("s3:PutBucketPublicAccessBlock", "arn:aws:s3:::bucket")],
            ),
        ];
        for (op, headers, version, copy, resource, want) in rows {
            let r = run(op, &extras(headers, *version, *copy), resource);
            assert_eq!(steps(&r), *want, "{op} {headers:?} version={version}");
        }
    }

    #[test]
    fn reasons_and_classes() {
        let r = run(
            "CopyObject",
            &extras(&[("x-amz-acl", "public-read")], false, true),
            OBJ,
        );
        let whys: Vec<Why> = r.steps.iter().map(|s| s.why).collect();
        assert!(matches!(
            whys.as_slice(),
            [Why::CopySource, Why::Required, Why::Conditional { .. }]
        ));
        assert_eq!(r.steps[2].header.as_deref(), Some("x-amz-acl"));
        assert_eq!(r.class, Class::Write);
        assert!(r.operation.creates_object);
        assert!(!r.copy_source_missing);
        let r = run("CopyObject", &extras(&[], false, false), OBJ);
        assert!(r.copy_source_missing);
        assert_eq!(steps(&r), [("s3:PutObject", OBJ)]);
        let r = run("GetObject", &extras(&[], true, false), OBJ);
        assert!(r.steps[0].versioned);
        assert_eq!(r.class, Class::Read);
        assert_eq!(
            run("HeadObject", &RequestExtras::default(), OBJ).class,
            Class::Read
        );
        assert_eq!(
            run("ListBuckets", &RequestExtras::default(), OBJ).class,
            Class::Management
        );
    }

    #[test]
    fn kms_needs() {
        let kms = |op: &str, e: &RequestExtras| -> Vec<(&'static [&'static str], Option<String>)> {
            run(op, e, OBJ)
                .kms
                .into_iter()
                .map(|k| (k.rule.actions, k.key_id))
                .collect()
        };
        let none = RequestExtras::default();
        let key = "arn:aws:kms:us-east-1:111122223333:key/k";
        let sse = extras(
            &[
                ("x-amz-server-side-encryption", "aws:kms"),
                (KMS_KEY_HEADER, key),
            ],
            false,
            false,
        );
        assert_eq!(kms("PutObject", &none), []);
        assert_eq!(
            kms("PutObject", &sse),
            [(&["kms:GenerateDataKey"][..], Some(key.to_string()))]
        );
        assert_eq!(
            kms(
                "PutObject",
                &extras(&[("x-amz-server-side-encryption", "AES256")], false, false)
            ),
            []
        );
        // Reads: a need that holds when the object is SSE-KMS encrypted (state).
        let r = run("GetObject", &none, OBJ);
        assert_eq!(r.kms.len(), 1);
        assert_eq!(r.kms[0].rule.when, KmsWhen::ObjectEncrypted);
        assert_eq!(r.kms[0].rule.actions, ["kms:Decrypt"]);
        assert_eq!(kms("HeadObject", &none), []);
        assert_eq!(
            kms("CompleteMultipartUpload", &none),
            [(&["kms:Decrypt"][..], None)]
        );
        assert_eq!(kms("ListParts", &none), [(&["kms:Decrypt"][..], None)]);
        assert_eq!(
            kms("UploadPart", &none),
            [(&["kms:GenerateDataKey"][..], None)]
        );
        assert_eq!(
            kms("CopyObject", &sse),
            [
                (&["kms:Decrypt"][..], None),
                (&["kms:GenerateDataKey"][..], Some(key.to_string()))
            ]
        );
    }

    #[test]
    fn unknown_operations_get_did_you_mean() {
        let err = resolve(
            OPERATIONS,
            "GetObjct",
            &RequestExtras::default(),
            OBJ,
            bucket_of,
        )
        .unwrap_err();
        assert_eq!(err.candidates.len(), 3);
        assert_eq!(err.candidates[0], "GetObject");
        let err = resolve(
            OPERATIONS,
            "initiatemultipartuplod",
            &RequestExtras::default(),
            OBJ,
            bucket_of,
        )
        .unwrap_err();
        assert_eq!(err.candidates[0], "InitiateMultipartUpload");
    }

    #[test]
    fn actions_that_are_operation_names() {
        let op = |a: &str| by_action(OPERATIONS, a).map(|o| o.name);
        assert_eq!(op("s3:HeadObject"), Some("HeadObject"));
        assert_eq!(op("s3:headobject"), Some("HeadObject"));
        assert_eq!(op("s3:ListObjectsV2"), Some("ListObjectsV2"));
        assert_eq!(
            op("s3:InitiateMultipartUpload"),
            Some("CreateMultipartUpload")
        );
        assert_eq!(op("s3:GetObject"), None);
        assert_eq!(op("s3:PutObjectAcl"), None);
        assert_eq!(op("s3:ListBucket"), None);
        assert_eq!(op("kms:HeadObject"), None);
        assert_eq!(
            by_action(OPERATIONS, "s3:HeadObject").map(|o| o.required[0].name),
            Some("s3:GetObject")
        );
    }

    #[test]
    fn the_table_is_well_formed() {
        assert!(OPERATIONS.len() >= 40);
        for (i, op) in OPERATIONS.iter().enumerate() {
            assert!(!op.required.is_empty(), "{}", op.name);
            assert!(!op.source.is_empty(), "{}", op.name);
            for a in op.actions() {
                assert!(a.starts_with("s3:"), "{}: {a}", op.name);
            }
            for other in &OPERATIONS[i + 1..] {
                assert!(!other.is_named(op.name), "{} twice", op.name);
                for a in op.aliases {
                    assert!(!other.is_named(a), "{a} twice");
                }
            }
        }
    }
}
