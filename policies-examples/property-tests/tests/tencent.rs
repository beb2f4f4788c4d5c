//! Tencent Cloud: nobody outside the account deletes the assets bucket or rewrites its policy,
//! and the partner account, meant to read `shared/`, writes nothing: the planted mistake
//! (`name/cos:*` where `name/cos:GetObject` was meant) is caught, and shrunk to the partner's
//! own write.

use polsim_proptest::{assert_breaks, assert_holds, load, CallerSpace, Property};

const OWNER: &str = "100000000001";
const BUCKET: &str = "qcs::cos:ap-guangzhou:uid/1250000000:acme-assets-1250000000";

#[test]
fn nobody_outside_the_account_deletes_the_bucket_or_rewrites_its_policy() {
    let assets = load("stacks/tencent/cos-assets").unwrap();
    let property = Property::never_allows(&["cos:DeleteBucket", "cos:PutBucketPolicy"])
        .resources(&[BUCKET])
        .callers(CallerSpace::Outside(vec![OWNER.to_string()]));
    assert_holds(&assets, &property);
}

#[test]
fn the_planted_mistake_lets_the_partner_write() {
    let assets = load("stacks/tencent/cos-assets").unwrap();
    let failure = assert_breaks(&assets, &Property::no_cross_account_write());
    let probe = failure.probe().unwrap();
    // Shrunk to the partner, on the prefix the mistaken statement names.
    assert_eq!(
        probe.principal,
        "qcs::cam::uin/100000000002:uin/100000000002"
    );
    assert!(probe.resource.contains("/shared/"), "{failure}");
    // The report names the statement that grants it, as `polsim eval` does.
    assert!(
        failure.to_string().contains("bucket-policy.json:10"),
        "{failure}"
    );
}
