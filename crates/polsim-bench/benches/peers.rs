//! polsim side by side with its peers, in one run: the table of docs/benchmarks.md.
//!
//! Run it through `crates/polsim-bench/compare.sh`, which builds the release binary, writes the
//! workloads to a temporary folder (`peers write DIR`), installs and times
//! `@cloud-copilot/iam-simulate` there (`peers/iam-simulate.mjs`, when npm is present), and then
//! measures polsim, iam-rs and the whole commands and prints the table (`peers measure DIR`).
//!
//! Measurements, all on one core but for W4:
//! - throughput: calls in a timed loop, the median of three rounds;
//! - p50 and p99: 20,000 calls timed one by one (the timer's own cost, tens of nanoseconds,
//!   is included);
//! - whole commands: wall time of the process, the median of three runs.
//!
//! iam-rs knows one policy at a time (`PolicyEvaluator`): each layer is its own evaluator, and
//! the layers are combined as AWS documents it (an explicit Deny in any layer denies; identity or
//! bucket policy must allow; the boundary and every SCP level must allow).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use polsim_bench::workloads::{self, Workload};
use polsim_core::{Cloud, Layer, Request, Stack};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CLOUDS: [Cloud; 3] = [Cloud::Aws, Cloud::Aliyun, Cloud::Tencent];

struct Options {
    quick: bool,
}

impl Options {
    fn round(&self) -> Duration {
        Duration::from_millis(if self.quick { 150 } else { 600 })
    }
    fn samples(&self) -> usize {
        if self.quick {
            4_000
        } else {
            20_000
        }
    }
}

/// Throughput (calls per second, median of three rounds) and p50/p99 of one call.
#[derive(Debug, Clone, Copy)]
struct Timing {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

fn time(opts: &Options, mut f: impl FnMut()) -> Timing {
    // Warm up.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(50) {
        f();
    }
    let mut rates = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < opts.round() {
            for _ in 0..16 {
                f();
            }
            n += 16;
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    let budget = Instant::now();
    let mut samples = Vec::with_capacity(opts.samples());
    while samples.len() < opts.samples() && budget.elapsed() < opts.round() * 4 {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).copied().unwrap_or_default()
    };
    Timing {
        per_second: rates[1],
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn decision(stack: &Stack, req: &Request) -> polsim_core::Decision {
    polsim_core::evaluate_with(stack, req, false).decision()
}

fn polsim_timings(opts: &Options, w: &Workload) -> (Timing, Timing, usize) {
    let stack = w.stack().unwrap().clone_indexed();
    let req = w.request().unwrap();
    assert_eq!(
        decision(&stack, &req),
        polsim_core::Decision::Allow,
        "{} {:?}",
        w.name,
        w.cloud
    );
    let fast = time(opts, || {
        black_box(decision(black_box(&stack), black_box(&req)));
    });
    let explained = time(opts, || {
        let e = polsim_core::evaluate_with(black_box(&stack), black_box(&req), true);
        black_box(polsim_core::Report::new(&e));
    });
    (fast, explained, w.statements().unwrap())
}

/// A layer (by its order) and level.
type LevelKey = (u8, Option<&'static str>);

/// A workload's layers as iam-rs evaluators.
struct IamRs {
    /// (layer, level, evaluator).
    layers: Vec<(Layer, Option<&'static str>, iam_rs::PolicyEvaluator)>,
    request: iam_rs::IAMRequest,
}

impl IamRs {
    fn new(w: &Workload, explain: bool) -> IamRs {
        let options = iam_rs::EvaluationOptions {
            stop_on_explicit_deny: true,
            collect_match_details: explain,
            max_statements: usize::MAX,
            ignore_resource_constraints: false,
        };
        let mut groups: BTreeMap<LevelKey, (Layer, Vec<iam_rs::IAMPolicy>)> = BTreeMap::new();
        for doc in &w.docs {
            let p = iam_rs::IAMPolicy::from_json(&doc.text).unwrap();
            groups
                .entry((doc.layer as u8, doc.level))
                .or_insert_with(|| (doc.layer, Vec::new()))
                .1
                .push(p);
        }
        let layers = groups
            .into_iter()
            .map(|((_, level), (layer, policies))| {
                (
                    layer,
                    level,
                    iam_rs::PolicyEvaluator::with_policies(policies).with_options(options.clone()),
                )
            })
            .collect();
        let mut context = iam_rs::Context::new();
        for (k, v) in &w.context {
            context = context.with_string(*k, *v);
        }
        let request = iam_rs::IAMRequest::new_with_context(
            iam_rs::Principal::Aws(iam_rs::PrincipalId::String(w.principal.into())),
            w.action,
            iam_rs::Arn::parse(w.resource).unwrap(),
            context,
        );
        IamRs { layers, request }
    }

    /// The decision, with the layers combined as AWS documents it.
    fn allowed(&self) -> bool {
        use iam_rs::Decision as D;
        let mut grant = false;
        for (layer, _, ev) in &self.layers {
            let d = match ev.evaluate(&self.request) {
                Ok(r) => r.decision,
                Err(_) => return false,
            };
            match (layer, d) {
                (_, D::Deny) => return false,
                (Layer::Identity | Layer::Resource, D::Allow) => grant = true,
                (Layer::Identity | Layer::Resource, _) => {}
                (_, D::Allow) => {}
                (_, D::NotApplicable) => return false,
            }
        }
        grant
    }
}

struct Row {
    label: String,
    statements: usize,
    polsim: Timing,
    polsim_explained: Timing,
    iam_rs: Option<(Timing, Timing, bool)>,
    iam_simulate: Option<(f64, f64, f64, String)>,
}

fn us(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10.0 {
        format!("{us:.2} µs")
    } else if us < 1000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.1} ms", us / 1000.0)
    }
}

fn rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2}M/s", r / 1e6)
    } else if r >= 1e3 {
        format!("{:.1}k/s", r / 1e3)
    } else {
        format!("{r:.0}/s")
    }
}

fn ratio(a: f64, b: f64) -> String {
    if b <= 0.0 {
        "–".into()
    } else if a / b >= 10.0 {
        format!("{:.0}×", a / b)
    } else {
        format!("{:.1}×", a / b)
    }
}

fn write(dir: &Path) {
    for cloud in CLOUDS {
        for w in [
            workloads::w1(cloud),
            workloads::w2(cloud),
            workloads::w3(cloud),
        ] {
            let root = dir.join(cloud.name()).join(w.name);
            write_folder(&root, &w);
            std::fs::write(
                dir.join(cloud.name()).join(format!("{}.peer.json", w.name)),
                peer_json(&w),
            )
            .unwrap();
        }
        let w2 = workloads::w2(cloud);
        for &n in batch_sizes(cloud) {
            std::fs::write(
                dir.join(cloud.name()).join(format!("W4-{n}.jsonl")),
                workloads::batch_lines(&w2, n),
            )
            .unwrap();
        }
        let w5 = dir.join(cloud.name()).join("W5");
        std::fs::create_dir_all(w5.join("identity")).unwrap();
        for (name, text) in workloads::parse_corpus(cloud, 10_000) {
            std::fs::write(w5.join("identity").join(name), text).unwrap();
        }
        // One request: the command then times loading the folder and one decision.
        std::fs::write(
            dir.join(cloud.name()).join("W5-one.jsonl"),
            workloads::w1(cloud).request_line() + "\n",
        )
        .unwrap();
        let folder = workloads::w1(cloud).folder();
        if let Some((_, polsim_json)) = folder.iter().find(|(p, _)| p == "polsim.json") {
            std::fs::write(w5.join("polsim.json"), polsim_json).unwrap();
        }
    }
    println!("workloads written to {}", dir.display());
}

fn write_folder(root: &Path, w: &Workload) {
    for (rel, text) in w.folder() {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
}

/// The workload for the iam-simulate driver: documents by layer, and the request.
fn peer_json(w: &Workload) -> String {
    let docs = |layer: Layer| -> Vec<serde_json::Value> {
        w.docs
            .iter()
            .filter(|d| d.layer == layer)
            .map(|d| serde_json::json!({"name": d.name, "level": d.level, "text": d.text}))
            .collect()
    };
    let context: serde_json::Map<String, serde_json::Value> = w
        .context
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::from(*v)))
        .collect();
    serde_json::json!({
        "workload": w.name,
        "identity": docs(Layer::Identity),
        "boundary": docs(Layer::PermissionsBoundary),
        "scp": docs(Layer::Scp),
        "resource": docs(Layer::Resource),
        "principal": w.principal,
        "action": w.action,
        "resource_name": w.resource,
        "resource_account": w.resource_account,
        "context": context,
    })
    .to_string()
}

/// The W4 batch sizes written and timed: the scaling rows for AWS, one million for every cloud.
fn batch_sizes(cloud: Cloud) -> &'static [usize] {
    if cloud == Cloud::Aws {
        &[10_000, 100_000, 1_000_000]
    } else {
        &[1_000_000]
    }
}

/// Wall time of `polsim eval --policy STACK --requests FILE`, the median of three runs; `None`
/// when it failed.
fn batch(polsim: &Path, stack: &Path, file: &Path) -> Option<Duration> {
    let mut times = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let status = std::process::Command::new(polsim)
            .arg("eval")
            .arg("--policy")
            .arg(stack)
            .arg("--requests")
            .arg(file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        let t = start.elapsed();
        // `eval --requests` exits 1 when some request is denied: that is its result, not a
        // failure.
        if status.code().is_none_or(|c| c > 1) {
            return None;
        }
        times.push(t);
    }
    times.sort();
    times.get(1).copied()
}

fn measure(dir: &Path, polsim: &Path, opts: &Options) {
    let sim: serde_json::Value = std::fs::read_to_string(dir.join("iam-simulate.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    println!(
        "# polsim side by side (one core each; iam-rs and iam-simulate: AWS only)\n\nmachine: {} · {} CPUs · polsim {}\n",
        cpu_name(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        env!("CARGO_PKG_VERSION"),
    );
    let mut rows = Vec::new();
    for cloud in CLOUDS {
        for w in [
            workloads::w1(cloud),
            workloads::w2(cloud),
            workloads::w3(cloud),
        ] {
            let (fast, explained, statements) = polsim_timings(opts, &w);
            let iam_rs = (cloud == Cloud::Aws).then(|| {
                let d = IamRs::new(&w, false);
                let x = IamRs::new(&w, true);
                let allowed = d.allowed();
                (
                    time(opts, || {
                        black_box(d.allowed());
                    }),
                    time(opts, || {
                        black_box(x.allowed());
                    }),
                    allowed,
                )
            });
            let iam_simulate = (cloud == Cloud::Aws)
                .then(|| sim.get(w.name))
                .flatten()
                .and_then(|v| {
                    Some((
                        v.get("per_second")?.as_f64()?,
                        v.get("p50_us")?.as_f64()?,
                        v.get("p99_us")?.as_f64()?,
                        v.get("result")?.as_str()?.to_string(),
                    ))
                });
            rows.push(Row {
                label: format!("{} {}", cloud.name(), w.name),
                statements,
                polsim: fast,
                polsim_explained: explained,
                iam_rs,
                iam_simulate,
            });
        }
    }
    println!("## Decisions (W1 5 statements, W2 ~200, W3 ~2,550 with one of 600 actions)\n");
    println!("| workload | statements | polsim decision | p50 | p99 | polsim explained | explained / decision | iam-rs | polsim / iam-rs | iam-rs explained | iam-simulate core | polsim / iam-simulate |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let (rs, rs_ratio, rs_x) = match &r.iam_rs {
            Some((d, x, allowed)) => (
                format!(
                    "{} ({}){}",
                    rate(d.per_second),
                    us(d.p50),
                    if *allowed { "" } else { " ⚠ denies" }
                ),
                ratio(r.polsim.per_second, d.per_second),
                rate(x.per_second),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        let (sim, sim_ratio) = match &r.iam_simulate {
            Some((per_second, p50, _, result)) => (
                format!(
                    "{} ({p50:.0} µs){}",
                    rate(*per_second),
                    if result == "Allowed" {
                        String::new()
                    } else {
                        format!(" ⚠ {result}")
                    }
                ),
                ratio(r.polsim.per_second, *per_second),
            ),
            None => ("–".into(), "–".into()),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.label,
            r.statements,
            rate(r.polsim.per_second),
            us(r.polsim.p50),
            us(r.polsim.p99),
            rate(r.polsim_explained.per_second),
            ratio(r.polsim.per_second, r.polsim_explained.per_second),
            rs,
            rs_ratio,
            rs_x,
            sim,
            sim_ratio
        );
    }

    println!("\n## Cost against policy size (AWS, identity statements plus the W2 layers)\n");
    println!("| identity statements | polsim decision | p50 | µs per 100 statements |");
    println!("|---|---|---|---|");
    for n in [10usize, 100, 1_000, 10_000] {
        let w = workloads::sized(Cloud::Aws, n);
        let stack = w.stack().unwrap().clone_indexed();
        let req = w.request().unwrap();
        let t = time(opts, || {
            black_box(decision(black_box(&stack), black_box(&req)));
        });
        let per = 1e6 / t.per_second / (n as f64 / 100.0);
        println!(
            "| {n} | {} | {} | {per:.2} |",
            rate(t.per_second),
            us(t.p50)
        );
    }

    println!("\n## W5: parsing 10,000 policies (in process, one core)\n");
    println!("| cloud | MB | polsim (JSON with positions + lowering) | serde_json::Value | iam-rs from_json | iam-simulate loadPolicy |");
    println!("|---|---|---|---|---|---|");
    for cloud in CLOUDS {
        let corpus = workloads::parse_corpus(cloud, 10_000);
        let bytes: usize = corpus.iter().map(|(_, t)| t.len()).sum();
        let mb = bytes as f64 / 1e6;
        let once = |f: &dyn Fn(&str)| {
            let mut best = f64::MAX;
            for _ in 0..3 {
                let start = Instant::now();
                for (_, text) in &corpus {
                    f(text);
                }
                best = best.min(start.elapsed().as_secs_f64());
            }
            best
        };
        let polsim = once(&|t| {
            black_box(polsim_bench::policy_in(cloud, "p", Layer::Identity, t).ok());
        });
        let serde = once(&|t| {
            black_box(serde_json::from_str::<serde_json::Value>(t).ok());
        });
        let iam_rs = (cloud == Cloud::Aws).then(|| {
            once(&|t| {
                black_box(iam_rs::IAMPolicy::from_json(t).ok());
            })
        });
        let per = |secs: f64| format!("{} ({:.0} MB/s)", rate(10_000.0 / secs), mb / secs);
        let sim_parse = (cloud == Cloud::Aws)
            .then(|| sim.get("W5")?.get("per_second")?.as_f64())
            .flatten();
        println!(
            "| {} | {mb:.1} | {} | {} | {} | {} |",
            cloud.name(),
            per(polsim),
            per(serde),
            iam_rs.map_or("–".into(), per),
            sim_parse.map_or("–".into(), rate)
        );
    }

    println!("\n## Whole commands (wall time, median of three runs, both cores)\n");
    println!("| command | requests or policies | wall | per second |");
    println!("|---|---|---|---|");
    for cloud in CLOUDS {
        let stack = dir.join(cloud.name()).join("W2");
        for &n in batch_sizes(cloud) {
            let file = dir.join(cloud.name()).join(format!("W4-{n}.jsonl"));
            let t = batch(polsim, &stack, &file);
            println!(
                "| {} W4: `eval --requests` on the W2 stack | {n} | {} | {} |",
                cloud.name(),
                t.map_or("failed".into(), |t| format!("{:.2} s", t.as_secs_f64())),
                t.map_or("–".into(), |t| rate(n as f64 / t.as_secs_f64()))
            );
        }
        let w5 = dir.join(cloud.name()).join("W5");
        let one = dir.join(cloud.name()).join("W5-one.jsonl");
        let t = batch(polsim, &w5, &one);
        println!(
            "| {} W5: loading a folder of 10,000 policies (`eval --requests`, one request) | 10000 | {} | {} |",
            cloud.name(),
            t.map_or("failed".into(), |t| format!("{:.2} s", t.as_secs_f64())),
            t.map_or("–".into(), |t| rate(10_000.0 / t.as_secs_f64()))
        );
    }
    if sim.is_null() {
        println!(
            "\n(iam-simulate was not measured: no {} — compare.sh installs it with npm)",
            dir.join("iam-simulate.json").display()
        );
    }
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn main() {
    // `cargo bench` passes `--bench`; criterion's other flags are not ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let opts = Options {
        quick: args.iter().any(|a| a == "--quick"),
    };
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let polsim = args
        .iter()
        .position(|a| a == "--polsim")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/polsim"));
    match positional.as_slice() {
        [cmd, dir] if cmd.as_str() == "write" => write(Path::new(dir.as_str())),
        [cmd, dir, ..] if cmd.as_str() == "measure" => measure(Path::new(dir.as_str()), &polsim, &opts),
        _ => eprintln!(
            "usage: peers write DIR | peers measure DIR [--polsim BIN] [--quick] (see crates/polsim-bench/compare.sh)"
        ),
    }
}
