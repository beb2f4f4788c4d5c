//! The wildcard matcher on hostile patterns against a 1 MB name (issue 9, "Bounded work").
//! Run with `cargo bench -p polsim-bench --bench glob`; figures go to docs/benchmarks.md.
//!
//! The matcher splits a pattern at its stars and finds each group leftmost, so its work is at
//! most the text length times the pattern length (O(n·m)); a group that is one literal run is
//! found with the standard library's linear substring search. Lowering refuses patterns over
//! 64 KiB (`polsim_parse::checks::MAX_TEXT_LEN`), which bounds m.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use polsim_core::pattern::Glob;
use std::hint::black_box;

const TEXT_LEN: usize = 1 << 20;

fn hostile(c: &mut Criterion) {
    let text = "a".repeat(TEXT_LEN);
    let lit = format!("{}b", "a".repeat(10 * 1024 - 1));
    let cases: Vec<(&str, String)> = vec![
        // Many stars, each group found at once, the last anchored at the end.
        ("star-a-x1000-b", format!("{}b", "*a".repeat(1000))),
        // A 10 KB literal after a star: anchored at the end of the text.
        ("star-10k-literal", format!("*{lit}")),
        // A 10 KB literal between stars: searched for in the whole text (almost matches
        // everywhere: the worst case for a naive search).
        ("star-10k-literal-star", format!("*{lit}*")),
        // The same with a `?` in the group: no single-literal fast path.
        ("star-10k-literal-qmark-star", format!("*{lit}?*")),
        // A short lead before `?`: tried at every position, each try up to 10 KB: the O(n·m)
        // worst case that the 64 KiB cap bounds (m = 1 KB here to keep the run short).
        (
            "star-a-qmark-1k-literal-star",
            format!("*a?{}*", &lit[lit.len() - 1024..]),
        ),
    ];
    let mut group = c.benchmark_group("glob-1MB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(TEXT_LEN as u64));
    for (name, pattern) in &cases {
        let g = Glob::new(pattern);
        group.bench_with_input(BenchmarkId::new("matches", name), &g, |b, g| {
            b.iter(|| g.matches(black_box(&text)))
        });
        group.bench_with_input(BenchmarkId::new("matches_folded", name), &g, |b, g| {
            b.iter(|| g.matches_folded(black_box(&text)))
        });
    }
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
