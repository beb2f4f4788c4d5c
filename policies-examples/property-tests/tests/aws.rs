//! AWS: the data lake is reached only from the organization and only in the EU regions, and
//! the administrator does nothing without MFA.

use polsim_proptest::{assert_holds, load, CallerSpace, Property};

/// The lake's bucket and objects (other buckets are not this stack's business).
const LAKE: &[&str] = &[
    "arn:aws:s3:::acme-data-lake",
    "arn:aws:s3:::acme-data-lake/*",
];

#[test]
fn the_data_lake_is_only_reached_from_the_organization() {
    let lake = load("stacks/aws/data-lake").unwrap();
    assert_holds(
        &lake,
        &Property::only_from_org("o-a1b2c3d4e5").resources(LAKE),
    );
}

#[test]
fn the_data_lake_is_used_only_in_the_eu() {
    let lake = load("stacks/aws/data-lake").unwrap();
    assert_holds(
        &lake,
        &Property::region_locked(&["eu-west-1", "eu-central-1"]),
    );
}

#[test]
fn the_administrator_needs_mfa_except_to_set_it_up() {
    let admin = load("stacks/aws/admin").unwrap();
    // The Deny's NotAction leaves what a user needs to set up MFA: those are exempt.
    let setup = ["iam:changepassword", "iam:getuser", "sts:getsessiontoken"];
    let property = Property::requires_mfa()
        .callers(CallerSpace::Own)
        .unless(move |o| setup.contains(&o.request.action.to_lowercase().as_str()));
    assert_holds(&admin, &property);
}
