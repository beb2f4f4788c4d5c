//! Tencent Cloud COS operations and the actions COS checks for them (`resource-controls.md`
//! §3.3; ACL classes §3.2). Action names are case-sensitive ("Note that this value is
//! case-sensitive", COSAPI) and written here exactly; operation names are not.
//!
//! Source keys (`resource-controls.md` §6): COSAPI =
//! <https://www.tencentcloud.com/document/product/436/30580>; COSHEAD =
//! <https://www.tencentcloud.com/document/product/436/78082>; COSCOPY =
//! <https://cloud.tencent.com/document/product/436/10881>; COSACL =
//! <https://www.tencentcloud.com/document/product/436/30583> (the READ and WRITE action sets,
//! which give the class); archived `tencent-docs/cos-evaluation-acl-actions-excerpts.md`.
//! Aliases are the COS API reference's page titles (`PUT Object - Copy`). `D` stated, `D~`
//! from the COSAPI examples, `?` a choice (`docs/semantics/tencent.md`, "Operations").

use crate::ops::{Act, Class, Operation, Target};

const fn act(name: &'static str) -> Act {
    Act {
        name,
        version: None,
    }
}

const OBJECT: Operation = Operation {
    name: "",
    aliases: &[],
    target: Target::Object,
    required: &[],
    copy_source: None,
    conditional: &[],
    kms: &[],
    class: Class::Read,
    creates_object: false,
    source: "D~ COSAPI; class D COSACL",
};

/// In the bucket WRITE action set of COSACL.
const WRITE: Operation = Operation {
    class: Class::Write,
    creates_object: true,
    ..OBJECT
};

const OBJECT_MANAGEMENT: Operation = Operation {
    class: Class::Management,
    source: "D~ COSAPI; class ? (in no ACL action set)",
    ..OBJECT
};

const BUCKET: Operation = Operation {
    target: Target::Bucket,
    ..OBJECT_MANAGEMENT
};

/// The COS operations, in the order of §3.3.
pub static OPERATIONS: &[Operation] = &[
    Operation {
        name: "HeadObject",
        aliases: &["HEAD Object"],
        required: &[act("cos:HeadObject")],
        source: "D COSHEAD; class D COSACL",
        ..OBJECT
    },
    // A version is read with cos:GetObject (the cos:versionid condition key restricts it).
    Operation {
        name: "GetObject",
        aliases: &["GET Object"],
        required: &[act("cos:GetObject")],
        ..OBJECT
    },
    Operation {
        name: "PutObject",
        aliases: &["PUT Object"],
        required: &[act("cos:PutObject")],
        ..WRITE
    },
    Operation {
        name: "PostObject",
        aliases: &["POST Object"],
        required: &[act("cos:PostObject")],
        ..WRITE
    },
    Operation {
        name: "CopyObject",
        aliases: &["PUT Object - Copy", "PutObjectCopy"],
        required: &[act("cos:PutObjectCopy")],
        copy_source: Some(&[act("cos:GetObject")]),
        source: "D COSCOPY; class D COSACL",
        ..WRITE
    },
    Operation {
        name: "InitiateMultipartUpload",
        aliases: &["Initiate Multipart Upload"],
        required: &[act("cos:InitiateMultipartUpload")],
        ..WRITE
    },
    Operation {
        name: "UploadPart",
        aliases: &["Upload Part"],
        required: &[act("cos:UploadPart")],
        ..WRITE
    },
    Operation {
        name: "CompleteMultipartUpload",
        aliases: &["Complete Multipart Upload"],
        required: &[act("cos:CompleteMultipartUpload")],
        ..WRITE
    },
    Operation {
        name: "AbortMultipartUpload",
        aliases: &["Abort Multipart Upload"],
        required: &[act("cos:AbortMultipartUpload")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "ListParts",
        aliases: &["List Parts"],
        required: &[act("cos:ListParts")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "ListMultipartUploads",
        aliases: &["List Multipart Uploads"],
        required: &[act("cos:ListMultipartUploads")],
        class: Class::Read,
        source: "D~ COSAPI; class D COSACL (bucket READ)",
        ..BUCKET
    },
    Operation {
        name: "DeleteObject",
        aliases: &["DELETE Object"],
        required: &[act("cos:DeleteObject")],
        creates_object: false,
        ..WRITE
    },
    Operation {
        name: "OptionsObject",
        aliases: &["OPTIONS Object"],
        required: &[act("cos:OptionsObject")],
        ..OBJECT_MANAGEMENT
    },
    Operation {
        name: "GetBucket",
        aliases: &["GET Bucket", "ListObjects"],
        required: &[act("cos:GetBucket")],
        source: "D~ COSAPI; class ? (not in the bucket READ set)",
        ..BUCKET
    },
    Operation {
        name: "HeadBucket",
        aliases: &["HEAD Bucket"],
        required: &[act("cos:HeadBucket")],
        class: Class::Read,
        source: "D~ COSAPI; class D COSACL (bucket READ)",
        ..BUCKET
    },
    Operation {
        name: "PutBucket",
        aliases: &["PUT Bucket"],
        required: &[act("cos:PutBucket")],
        ..BUCKET
    },
    Operation {
        name: "DeleteBucket",
        aliases: &["DELETE Bucket"],
        required: &[act("cos:DeleteBucket")],
        ..BUCKET
    },
    Operation {
        name: "GetService",
        aliases: &["GET Service", "ListBuckets"],
        target: Target::Star,
        required: &[act("cos:GetService")],
        source: "D~ COSAPI (resource *)",
        ..BUCKET
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{by_action, resolve, Resolved};
    use crate::state::RequestExtras;

    const OBJ: &str = "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/key";
    const SRC: &str = "qcs::cos:ap-beijing:uid/1250000000:src-1250000000/key";
    const BUCKET_NAME: &str = "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/*";

    fn run(op: &str, copy: bool) -> Resolved {
        let e = RequestExtras {
            copy_source: copy.then(|| SRC.to_string()),
            version_id: Some("v".to_string()),
            ..RequestExtras::default()
        };
        resolve(OPERATIONS, op, &e, OBJ, |r| match r.rfind('/') {
            Some(i) => format!("{}/*", &r[..i]),
            None => r.to_string(),
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
    fn operations_resolve_to_the_actions_cos_checks() {
        type Row<'a> = (&'a str, bool, &'a [(&'a str, &'a str)]);
        let rows: &[Row] = &[
            ("HeadObject", false, &[("cos:HeadObject", OBJ)]),
            ("head object", false, &[("cos:HeadObject", OBJ)]),
            ("GetObject", false, &[("cos:GetObject", OBJ)]),
            (
                "PUT Object - Copy",
                true,
                &[("cos:GetObject", SRC), ("cos:PutObjectCopy", OBJ)],
            ),
            (
                "copyobject",
                true,
                &[("cos:GetObject", SRC), ("cos:PutObjectCopy", OBJ)],
            ),
            ("GetBucket", false, &[("cos:GetBucket", BUCKET_NAME)]),
            ("ListBuckets", false, &[("cos:GetService", "*")]),
        ];
        for (op, copy, want) in rows {
            assert_eq!(steps(&run(op, *copy)), *want, "{op}");
        }
        assert_eq!(run("HeadObject", false).class, Class::Read);
        assert_eq!(run("PutObject", false).class, Class::Write);
        assert!(run("PutObject", false).kms.is_empty());
    }

    #[test]
    fn actions_that_are_operation_names() {
        let op = |a: &str| by_action(OPERATIONS, a).map(|o| o.name);
        assert_eq!(op("cos:HeadObject"), None);
        assert_eq!(op("cos:CopyObject"), Some("CopyObject"));
        assert_eq!(op("cos:ListBuckets"), Some("GetService"));
        assert_eq!(op("cos:PutObjectCopy"), None);
    }

    #[test]
    fn the_table_is_well_formed() {
        for (i, op) in OPERATIONS.iter().enumerate() {
            for a in op.actions() {
                assert!(a.starts_with("cos:"), "{}: {a}", op.name);
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
