#!/usr/bin/env bash
# polsim side by side with iam-rs and @cloud-copilot/iam-simulate: prints the table of
# docs/benchmarks.md (workloads W1-W5, three clouds, decision and explained, ratios).
#
#   crates/polsim-bench/compare.sh [--quick]
#
# Everything it writes goes to a temporary folder, removed at the end: the workloads (about
# 500 MB, W4's request files included), and iam-simulate, installed there from npm (it is AGPL
# and driven as a black box; nothing of it enters this repository). Without npm or the network,
# the iam-simulate column says so. A full run takes about ten minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)

cargo build --release --quiet -p polsim-cli
cargo bench --quiet -p polsim-bench --bench peers --no-run 2>/dev/null
out=$(mktemp -d "${TMPDIR:-/tmp}/polsim-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT

cargo bench --quiet -p polsim-bench --bench peers -- write "$out" >&2
version=0.1.173
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 \
  && npm install --silent --no-audit --no-fund --prefix "$out/node" \
     "@cloud-copilot/iam-simulate@$version" >/dev/null 2>&1; then
  echo "timing iam-simulate $version ..." >&2
  node crates/polsim-bench/peers/iam-simulate.mjs "$out" "${quick[@]}" > "$out/iam-simulate.json" \
    || { echo "(iam-simulate run failed)" >&2; rm -f "$out/iam-simulate.json"; }
else
  echo "(npm or the registry is not reachable: iam-simulate is not measured)" >&2
fi
echo "timing polsim and iam-rs ..." >&2
cargo bench --quiet -p polsim-bench --bench peers -- measure "$out" \
  --polsim "$PWD/target/release/polsim" "${quick[@]}"
