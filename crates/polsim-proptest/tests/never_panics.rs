//! Parsing never panics: arbitrary text, and valid policies with bytes cut, repeated or replaced,
//! go through the JSON reader and every dialect's lowering and come back as values or diagnostics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_core::{Cloud, Layer};
use polsim_parse::{json, lower_policy, testfile, PolicySource};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/Bob"]},"Action":["s3:*"],"Resource":["arn:aws:s3:::b/${aws:username}/*"],"Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
    r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Principal":["1234"],"Resource":["acs:oss:*:1:b/*"],"Condition":{"StringNotEquals":{"acs:SourceVpc":["vpc-1"]}}}]}"#,
    r#"{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":"name/cos:*","resource":"qcs::cos:gz:uid/1:prefix//1/b/*","condition":{"for_all_value:string_equal_if_exist":{"qcs:request_tag":["a&b"]}}}]}"#,
];

fn lower_all(text: &str) {
    if let Ok(doc) = json::parse(text) {
        for cloud in [Cloud::Aws, Cloud::Aliyun, Cloud::Tencent] {
            for layer in Layer::ALL {
                let (policy, _) = lower_policy(
                    &doc,
                    &PolicySource {
                        id: "p".into(),
                        file: None,
                        layer,
                    },
                    cloud,
                );
                // What lowers also evaluates without panicking.
                if let Some(p) = policy {
                    let mut stack = polsim_core::Stack::new();
                    stack.push(polsim_core::Layer::Identity, None, p.clone());
                    stack.push(polsim_core::Layer::Resource, None, p);
                    let (who, res) = match cloud {
                        Cloud::Aws => {
                            ("arn:aws:iam::111122223333:user/Bob", "arn:aws:s3:::b/Bob/x")
                        }
                        Cloud::Aliyun => ("acs:ram::1:user/bob", "acs:oss:*:1:b/x"),
                        Cloud::Tencent => {
                            ("qcs::cam::uin/1:uin/2", "qcs::cos:ap-guangzhou:uid/1:b-1/x")
                        }
                    };
                    let caller = testfile::parse_caller(cloud, who, None).unwrap();
                    let req = polsim_core::Request {
                        cloud,
                        caller,
                        action: "s3:GetObject".into(),
                        resource: res.into(),
                        resource_account: None,
                        access_point: None,
                        context: polsim_core::Context::new(),
                        extras: Default::default(),
                    };
                    let _ = polsim_core::Report::new(&polsim_core::evaluate(&stack, &req));
                }
            }
        }
    }
    let mut read = |_: &str| Err::<(String, String), String>("no files here".into());
    let _ = testfile::parse_test_file(text, "t.json", &mut read);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text(text in "\\PC{0,200}") {
        lower_all(&text);
    }

    #[test]
    fn mutated_policies(seed in 0..SEEDS.len(), at in any::<prop::sample::Index>(), len in 0usize..8, with in "[{}\\[\\]\":,*?$a-z0-9 ]{0,4}") {
        let s = SEEDS[seed];
        let cut = at.index(s.len());
        let cut = (0..=cut).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        let end = (cut + len).min(s.len());
        let end = (end..=s.len()).find(|i| s.is_char_boundary(*i)).unwrap_or(s.len());
        let mutated = format!("{}{}{}", &s[..cut], with, &s[end..]);
        lower_all(&mutated);
    }
}
