//! Properties of `polsim diff`, on generated base/head pairs for the three clouds: every
//! witness really changes the decision, and when the diff reports no change exactly, sampled
//! requests find none.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_core::{Decision, Stack};
use polsim_diff::{diff, judge, Change, Limits, Probe, Side, Which};
use polsim_proptest::grammar::{self, PolicyShape, RequestShape, StatementShape, Vocab};
use polsim_proptest::{aliyun, aws, tencent};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How the head side is made from the base side.
#[derive(Debug, Clone)]
enum Edit {
    /// Allow becomes Deny or back.
    FlipEffect(u8, u8),
    /// One action entry is replaced.
    Action(u8, u8, u8),
    /// One resource entry is replaced.
    Resource(u8, u8, u8),
    /// The condition is replaced (or dropped).
    Condition(u8, u8, Option<u8>),
    /// The principal is replaced.
    Principal(u8, u8, u8),
    /// A statement is dropped.
    Drop(u8, u8),
    /// A statement is added.
    Add(u8, StatementShape),
    /// Statements reversed and every policy split into one-statement policies: no change.
    Refactor,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<u8>(), any::<u8>()).prop_map(|(p, s)| Edit::FlipEffect(p, s)),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(p, s, a)| Edit::Action(p, s, a)),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(p, s, a)| Edit::Resource(p, s, a)),
        (any::<u8>(), any::<u8>(), prop::option::of(any::<u8>()))
            .prop_map(|(p, s, c)| Edit::Condition(p, s, c)),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(p, s, a)| Edit::Principal(p, s, a)),
        (any::<u8>(), any::<u8>()).prop_map(|(p, s)| Edit::Drop(p, s)),
        (any::<u8>(), grammar::statement_shape(0.6)).prop_map(|(p, s)| Edit::Add(p, s)),
        Just(Edit::Refactor),
    ]
}

fn at<T>(v: &mut [T], i: u8) -> Option<&mut T> {
    let n = v.len();
    if n == 0 {
        None
    } else {
        v.get_mut(usize::from(i) % n)
    }
}

fn with(head: &mut [PolicyShape], p: u8, s: u8, f: impl FnOnce(&mut StatementShape)) {
    if let Some(pol) = at(head, p) {
        if let Some(st) = at(&mut pol.statements, s) {
            f(st);
        }
    }
}

fn apply(base: &[PolicyShape], e: &Edit) -> Vec<PolicyShape> {
    let mut head = base.to_vec();
    match e {
        Edit::FlipEffect(p, s) => with(&mut head, *p, *s, |st| st.allow = !st.allow),
        Edit::Action(p, s, a) => with(&mut head, *p, *s, |st| {
            if let Some(x) = st.actions.first_mut() {
                *x = *a;
            }
        }),
        Edit::Resource(p, s, a) => with(&mut head, *p, *s, |st| {
            if let Some(x) = st.resources.first_mut() {
                *x = *a;
            }
        }),
        Edit::Condition(p, s, c) => with(&mut head, *p, *s, |st| st.condition = *c),
        Edit::Principal(p, s, a) => with(&mut head, *p, *s, |st| st.principal.0 = *a),
        Edit::Drop(p, s) => {
            if let Some(pol) = at(&mut head, *p) {
                if pol.statements.len() > 1 {
                    let n = pol.statements.len();
                    pol.statements.remove(usize::from(*s) % n);
                }
            }
        }
        Edit::Add(p, st) => {
            if let Some(pol) = at(&mut head, *p) {
                pol.statements.push(st.clone());
            }
        }
        Edit::Refactor => {
            head = head
                .iter()
                .flat_map(|pol| {
                    pol.statements.iter().rev().map(|st| PolicyShape {
                        layer: pol.layer,
                        level: pol.level,
                        statements: vec![st.clone()],
                    })
                })
                .collect();
        }
    }
    head
}

fn stack_of(v: &Vocab, shapes: &[PolicyShape]) -> Option<Stack> {
    v.harness(shapes).stack().ok()
}

fn allowed(side: &Side<'_>, which: Which, cloud: polsim_core::Cloud, p: &Probe) -> Option<bool> {
    let req = p.request(cloud, side.resource_account).ok()?;
    judge(side, which, &req).map(|j| j.decision == Decision::Allow)
}

static EXACT_SAME: AtomicUsize = AtomicUsize::new(0);
static CHANGED: AtomicUsize = AtomicUsize::new(0);

fn check(v: &'static Vocab, cases: u32) {
    let mut runner = TestRunner::new(polsim_proptest::config(cases));
    let strategy = (
        prop::collection::vec(grammar::policy_shape(), 1..4),
        edit(),
        prop::collection::vec(grammar::request_shape(), 48),
    );
    let result = runner.run(&strategy, |(base, e, samples)| {
        let head = apply(&base, &e);
        let (Some(bs), Some(hs)) = (stack_of(v, &base), stack_of(v, &head)) else {
            return Ok(());
        };
        let b = Side {
            stack: &bs,
            resource_account: None,
            principal: None,
        };
        let h = Side {
            stack: &hs,
            resource_account: None,
            principal: None,
        };
        let limits = Limits {
            max_requests: 60_000,
            ..Limits::default()
        };
        let d = diff(v.cloud, &b, &h, &limits);
        for r in &d.regions {
            for w in &r.witnesses {
                let ab = allowed(&b, Which::Base, v.cloud, &w.probe);
                let ah = allowed(&h, Which::Head, v.cloud, &w.probe);
                let want = match r.change {
                    Change::Widened => (Some(false), Some(true)),
                    Change::Narrowed => (Some(true), Some(false)),
                };
                prop_assert_eq!((ab, ah), want, "witness {:?} of {:?}", w.probe, r.change);
            }
        }
        if !d.regions.is_empty() {
            CHANGED.fetch_add(1, Ordering::Relaxed);
        }
        if matches!(e, Edit::Refactor) {
            prop_assert!(
                d.regions.is_empty(),
                "a refactor changed access: {:?}",
                d.regions.first().map(|r| &r.witnesses[0].probe)
            );
        }
        if d.regions.is_empty() && d.exact() {
            EXACT_SAME.fetch_add(1, Ordering::Relaxed);
            for s in &samples {
                let mut s: RequestShape = s.clone();
                s.resource_account = None;
                s.access_point = None;
                let g = v.request(&s);
                let p = Probe {
                    principal: g.principal.clone(),
                    principal_id: g.principal_id.clone(),
                    action: g.action.clone(),
                    resource: g.resource.clone(),
                    resource_account: None,
                    context: g
                        .context
                        .iter()
                        .map(|(k, v)| (k.clone(), polsim_core::CtxValue::One(v.clone())))
                        .collect(),
                };
                let ab = allowed(&b, Which::Base, v.cloud, &p);
                let ah = allowed(&h, Which::Head, v.cloud, &p);
                prop_assert_eq!(ab, ah, "diff said no change (exactly), but {:?} differs", p);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{}: {e}", v.cloud.name());
    }
}

#[test]
fn diff_witnesses_change_the_decision_and_exact_no_change_holds_aws() {
    check(&aws::VOCAB, 32);
    assert!(EXACT_SAME.load(Ordering::Relaxed) > 0 && CHANGED.load(Ordering::Relaxed) > 0);
}

#[test]
fn diff_witnesses_change_the_decision_and_exact_no_change_holds_aliyun() {
    check(&aliyun::VOCAB, 32);
}

#[test]
fn diff_witnesses_change_the_decision_and_exact_no_change_holds_tencent() {
    check(&tencent::VOCAB, 32);
}
