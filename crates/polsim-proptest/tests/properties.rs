//! Properties of the evaluator, over generated policies and requests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_core::{Decision, Layer};
use polsim_proptest::{aws, Harness};
use proptest::prelude::*;

proptest! {
    #![proptest_config(polsim_proptest::config(256))]

    /// Every generated document is valid: the generators stay inside the grammar.
    #[test]
    fn generated_policies_lower(doc in aws::identity_policy()) {
        prop_assert!(Harness::new().identity(doc).stack().is_ok());
    }

    /// An explicit deny of everything wins over any allow.
    #[test]
    fn deny_all_wins(doc in aws::identity_policy(), req in aws::request()) {
        let h = Harness::new().identity(doc).identity(aws::deny_all());
        prop_assert_eq!(h.decide(&req), Decision::ExplicitDeny);
    }

    /// Adding a permissions boundary never allows more.
    #[test]
    fn boundary_only_restricts(doc in aws::identity_policy(), pb in aws::identity_policy(), req in aws::request()) {
        let without = Harness::new().identity(doc.clone());
        let with = without.clone().with(Layer::PermissionsBoundary, pb);
        if with.decide(&req) == Decision::Allow {
            prop_assert_eq!(without.decide(&req), Decision::Allow);
        }
    }

    /// Adding an SCP level never allows more.
    #[test]
    fn scp_only_restricts(doc in aws::identity_policy(), scp in aws::identity_policy(), req in aws::request()) {
        let without = Harness::new().identity(doc.clone());
        let with = without.clone().with(Layer::Scp, scp);
        if with.decide(&req) == Decision::Allow {
            prop_assert_eq!(without.decide(&req), Decision::Allow);
        }
    }

    /// A policy with no Allow statement allows nothing (for an IAM user, with no resource policy).
    #[test]
    fn no_allow_no_access(doc in aws::identity_policy(), req in aws::request()) {
        let mut doc = doc;
        if let Some(st) = doc.get_mut("Statement").and_then(|s| s.as_array_mut()) {
            for s in st.iter_mut() {
                s["Effect"] = serde_json::json!("Deny");
            }
        }
        prop_assert_ne!(Harness::new().identity(doc).decide(&req), Decision::Allow);
    }

    /// The decision, layer and statement do not depend on whether explanations are built, and
    /// an explicit deny always names its statement.
    #[test]
    fn explain_does_not_change_the_decision(doc in aws::identity_policy(), pb in aws::identity_policy(), req in aws::request()) {
        let h = Harness::new().identity(doc).with(Layer::PermissionsBoundary, pb);
        let stack = h.stack().unwrap();
        let r = Harness::request(&req).unwrap();
        let full = polsim_core::evaluate_with(&stack, &r, true);
        let fast = polsim_core::evaluate_with(&stack, &r, false);
        prop_assert_eq!(&full.verdict, &fast.verdict);
        if full.decision() == Decision::ExplicitDeny {
            prop_assert!(full.statement().is_some());
        }
        if full.decision() != Decision::Allow {
            prop_assert!(polsim_core::Report::new(&full).message.is_some());
        }
    }
}
