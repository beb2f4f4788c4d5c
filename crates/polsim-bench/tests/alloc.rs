//! A decision with explain off builds no prose and clones no context: counted with a counting
//! global allocator, on the benchmark workload.
//!
//! Counts, not times, so the assertions are exact and never flaky: the evaluation is
//! deterministic, and this test runs in its own process without the test harness
//! (`harness = false`), on one thread, after a warm-up call, so nothing else allocates while it
//! counts. The figures are printed; docs/benchmarks.md records them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use polsim_bench::{realistic_stack, request};
use polsim_core::{CtxValue, Request, Stack};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::hint::black_box;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// What one call allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Count {
    /// Allocation calls, reallocations included.
    calls: usize,
    /// Bytes asked for by allocations (growth by reallocation included).
    bytes: usize,
}

/// Counts what `f` allocates, after one warm-up call; checks that a second count agrees.
fn count(mut f: impl FnMut()) -> Count {
    f();
    let once = |f: &mut dyn FnMut()| {
        let region = Region::new(GLOBAL);
        f();
        let s = region.change();
        Count {
            calls: s.allocations + s.reallocations,
            bytes: s
                .bytes_allocated
                .saturating_add_signed(s.bytes_reallocated.max(0)),
        }
    };
    let first = once(&mut f);
    let second = once(&mut f);
    assert_eq!(first, second, "the count is not deterministic");
    first
}

fn decision(stack: &Stack, req: &Request) -> Count {
    count(|| {
        let e = polsim_core::evaluate_with(black_box(stack), black_box(req), false);
        black_box(&e);
    })
}

fn explained(stack: &Stack, req: &Request) -> Count {
    count(|| {
        let e = polsim_core::evaluate_with(black_box(stack), black_box(req), true);
        let r = polsim_core::Report::new(&e);
        black_box((&e, &r));
    })
}

fn main() {
    let req = request().unwrap();
    let mut wide = req.clone();
    for i in 0..200 {
        wide.context.insert(
            &format!("polsim:Extra{i:03}"),
            CtxValue::One(format!("value number {i}")),
        );
    }
    assert_eq!(wide.context.len(), req.context.len() + 200);

    let mut rows = Vec::new();
    for n in [10usize, 100, 1000] {
        let stack = realistic_stack(n).unwrap();
        assert_eq!(
            polsim_core::evaluate_with(&stack, &req, false).decision(),
            polsim_core::Decision::Allow
        );
        rows.push((
            n,
            decision(&stack, &req),
            decision(&stack, &wide),
            explained(&stack, &req),
        ));
    }

    println!(
        "allocations per request (calls / bytes), realistic stack, role session reading an object:"
    );
    println!("statements | decision | decision, +200 context keys | explained + Report");
    for (n, off, off_wide, on) in &rows {
        println!(
            "{n:>10} | {:>4} / {:>6} | {:>4} / {:>6} | {:>6} / {:>8}",
            off.calls, off.bytes, off_wide.calls, off_wide.bytes, on.calls, on.bytes
        );
    }

    let mut failures = Vec::new();
    for (n, off, off_wide, on) in &rows {
        // (b) The context is read in place: 200 more keys cost no allocation.
        if off != off_wide {
            failures.push(format!(
                "{n} statements: 200 more context keys change the decision's allocations ({off:?} -> {off_wide:?}): is the context cloned?"
            ));
        }
        // Explain off builds no per-statement report and no prose: at least ten times fewer
        // allocations than explaining and wording (about 13x at 10 statements, 600x at 1000).
        if off.calls.saturating_mul(10) > on.calls {
            failures.push(format!(
                "{n} statements: explain off allocates {} times, not far less than explain on ({})",
                off.calls, on.calls
            ));
        }
    }
    // (c) Explain off does not allocate per statement: in this workload the same statements
    // match whatever `n` is, so the outcome vectors, and the count, are the same.
    if let (Some((_, small, _, _)), Some((_, large, _, _))) = (rows.first(), rows.last()) {
        if small != large {
            failures.push(format!(
                "explain off allocates per statement: {small:?} at 10 statements, {large:?} at 1000"
            ));
        }
    }
    if failures.is_empty() {
        println!("alloc: 3 passed, 0 failed");
    } else {
        panic!("{}", failures.join("\n"));
    }
}
