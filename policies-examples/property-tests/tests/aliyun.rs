//! Alibaba Cloud: the media bucket is never public (the renditions are open only inside the
//! VPC), and the operator needs MFA for ECS and OSS.

use polsim_proptest::{assert_holds, load, CallerSpace, Property};

#[test]
fn the_media_bucket_is_never_public() {
    let media = load("stacks/aliyun/media-bucket").unwrap();
    assert_holds(&media, &Property::never_public());
}

#[test]
fn the_operator_needs_mfa_for_ecs_and_oss() {
    let ops = load("stacks/aliyun/ops-user").unwrap();
    let property = Property::requires_mfa()
        .callers(CallerSpace::Own)
        .actions(&["ecs:*", "oss:*"]);
    assert_holds(&ops, &property);
}
