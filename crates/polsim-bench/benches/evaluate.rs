//! Decisions per second on realistic stacks, with and without explanations, and policy parsing.
//! Run with `cargo bench -p polsim-bench`; figures go to docs/benchmarks.md with the machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use polsim_bench::{realistic_stack, request};
use std::hint::black_box;

fn evaluate(c: &mut Criterion) {
    let req = request().unwrap();
    let mut group = c.benchmark_group("evaluate");
    for n in [10usize, 100, 1000] {
        let stack = realistic_stack(n).unwrap();
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::new("decision", n), &stack, |b, s| {
            b.iter(|| polsim_core::evaluate_with(black_box(s), black_box(&req), false))
        });
        group.bench_with_input(BenchmarkId::new("explained", n), &stack, |b, s| {
            b.iter(|| polsim_core::evaluate_with(black_box(s), black_box(&req), true))
        });
    }
    group.finish();
}

/// The workloads of the side-by-side table (`polsim_bench::workloads`), every cloud.
fn workloads(c: &mut Criterion) {
    use polsim_bench::workloads::{w1, w2, w3};
    use polsim_core::Cloud;
    let mut group = c.benchmark_group("workload");
    group.throughput(Throughput::Elements(1));
    for cloud in [Cloud::Aws, Cloud::Aliyun, Cloud::Tencent] {
        for w in [w1(cloud), w2(cloud), w3(cloud)] {
            let stack = w.stack().unwrap().clone_indexed();
            let req = w.request().unwrap();
            let id = format!("{}/{}", cloud.name(), w.name);
            group.bench_with_input(BenchmarkId::new("decision", &id), &stack, |b, s| {
                b.iter(|| polsim_core::evaluate_with(black_box(s), black_box(&req), false))
            });
            group.bench_with_input(BenchmarkId::new("explained", &id), &stack, |b, s| {
                b.iter(|| {
                    let e = polsim_core::evaluate_with(black_box(s), black_box(&req), true);
                    polsim_core::Report::new(&e).decision
                })
            });
        }
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies-examples/aws/scp-denies-s3/identity/dave.json"
    ))
    .unwrap();
    c.bench_function("parse/identity-policy", |b| {
        b.iter(|| {
            polsim_bench::policy("p", polsim_core::Layer::Identity, black_box(&text)).unwrap()
        })
    });
}

criterion_group!(benches, evaluate, workloads, parse);
criterion_main!(benches);
