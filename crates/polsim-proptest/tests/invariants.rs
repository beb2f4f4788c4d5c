//! The evaluator's invariants for every cloud, over generated multi-layer stacks and requests
//! by callers of every kind (`polsim_proptest::invariants`; the fuzz target `eval_grammar`
//! checks the same functions on inputs built from `arbitrary` bytes).
//!
//! Each property runs `CASES` cases; `PROPTEST_CASES` changes that, and
//! `POLSIM_PROPTEST_SEED=N` (or proptest's own `PROPTEST_RNG_SEED`) replays a run.
//!
//! Documented exceptions (the clouds' own rules, not polsim's shortcuts), written in
//! `invariants::deny_twin_exception` and `invariants::intersecting_exception`:
//! - AWS: a GetFederationToken session with no session policy has no permissions, so giving it
//!   a session policy may allow what was denied;
//! - AWS: a bucket-policy Deny does not stop the bucket owner's root user on the bucket-policy
//!   actions;
//! - Alibaba Cloud: a wildcard bucket-policy Deny without a condition does not apply to the
//!   bucket owner;
//! - Tencent Cloud: a Deny for `anyone` reaches unsigned callers only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_core::{Decision, Request, Stack};
use polsim_proptest::grammar::{self, Case, Vocab};
use polsim_proptest::{aliyun, aws, config, invariants, tencent, Harness};
use proptest::prelude::*;

/// Cases per property: a few seconds each in a debug build.
const CASES: u32 = 256;

fn build(v: &Vocab, c: &Case) -> (Stack, Request) {
    let stack = v
        .harness(&c.policies)
        .stack()
        .unwrap_or_else(|e| panic!("a generated document does not lower: {e}"));
    let req = Harness::request(&v.request(&c.request))
        .unwrap_or_else(|e| panic!("a generated request does not parse: {e}"));
    (stack, req)
}

macro_rules! cloud_properties {
    ($name:ident, $vocab:expr) => {
        mod $name {
            use super::*;

            proptest! {
                #![proptest_config(config(CASES))]

                /// The generators stay inside the dialect's grammar.
                #[test]
                fn generated_stacks_lower(c in grammar::case()) {
                    build(&$vocab, &c);
                }

                /// Explain on and off give the same verdict, and `Report::new` words both
                /// without panicking.
                #[test]
                fn explain_does_not_change_the_verdict(c in grammar::case()) {
                    let (stack, req) = build(&$vocab, &c);
                    prop_assert_eq!(invariants::explain_agrees(&stack, &req).map(|_| ()), Ok(()));
                }

                                /// The decision path's statement index never leaves out a statement whose action
                /// clause accepts the request's action (in the request's case, or upper-cased).
                #[test]
                fn the_index_visits_every_statement_that_can_match(c in grammar::case()) {
                    let (stack, req) = build(&$vocab, &c);
                    let profile = polsim_core::clouds::of(req.cloud);
                    for action in [req.action.clone(), req.action.to_uppercase()] {
                        let action = profile.normalize_action(&action).to_string();
                        for layer in polsim_core::Layer::ALL {
                            let (Some(levels), Some(ix)) = (stack.levels(layer), stack.index(layer)) else {
                                continue;
                            };
                            for (lv, lix) in levels.iter().zip(&ix.levels) {
                                let visited: Vec<(usize, usize)> =
                                    lix.candidates(&action).map(polsim_core::index::unplace).collect();
                                for (pi, p) in lv.policies.iter().enumerate() {
                                    for (i, st) in p.statements.iter().enumerate() {
                                        let hit = st.action.items.iter().any(|a| a.matches(&action));
                                        if hit != st.action.negated {
                                            prop_assert!(visited.contains(&(pi, i)), "{action}: statement {} of {} left out", i + 1, p.id);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }

                /// Statement, policy and level order do not matter to the decision.
                #[test]
                fn order_does_not_matter(c in grammar::case()) {
                    let (stack, req) = build(&$vocab, &c);
                    let d = polsim_core::evaluate_with(&stack, &req, false).decision();
                    prop_assert_eq!(invariants::order_independent(&stack, &req, d), Ok(()));
                }

                /// Deny wins: a Deny twin of any matching Allow leaves no Allow.
                #[test]
                fn deny_twin_leaves_no_allow(c in grammar::case()) {
                    let (stack, req) = build(&$vocab, &c);
                    prop_assert_eq!(invariants::deny_twins(&stack, &req), Ok(()));
                }

                /// An intersecting layer built from the stack's own statements never turns a
                /// deny into Allow.
                #[test]
                fn intersecting_layers_only_restrict(c in grammar::case()) {
                    let (stack, req) = build(&$vocab, &c);
                    let d = polsim_core::evaluate_with(&stack, &req, false).decision();
                    prop_assert_eq!(invariants::intersecting_layers(&stack, &req, d), Ok(()));
                }
            }
        }
    };
}

cloud_properties!(aws_stacks, aws::VOCAB);
cloud_properties!(aliyun_stacks, aliyun::VOCAB);
cloud_properties!(tencent_stacks, tencent::VOCAB);

proptest! {
    #![proptest_config(config(CASES))]

    /// A Deny of everything in the identity layer wins for every caller whose identity policies
    /// are evaluated (RAM users and role sessions).
    #[test]
    fn aliyun_deny_all_wins(doc in aliyun::identity_policy(), res in aliyun::bucket_policy(), req in aliyun::request()) {
        let h = Harness::for_cloud(polsim_core::Cloud::Aliyun)
            .identity(doc)
            .with(polsim_core::Layer::Resource, res)
            .identity(aliyun::deny_all());
        prop_assert_eq!(h.decide(&req), Decision::ExplicitDeny);
    }

    /// The same for a CAM sub-account.
    #[test]
    fn tencent_deny_all_wins(doc in tencent::identity_policy(), res in tencent::bucket_policy(), req in tencent::request()) {
        let h = Harness::for_cloud(polsim_core::Cloud::Tencent)
            .identity(doc)
            .with(polsim_core::Layer::Resource, res)
            .identity(tencent::deny_all());
        prop_assert_eq!(h.decide(&req), Decision::ExplicitDeny);
    }
}
