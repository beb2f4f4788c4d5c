#!/usr/bin/env bash
# A long fuzz run, one target after another, one fuzz process at a time (-jobs=1: the machine
# is shared), each target for its budget in seconds; a run that stops on a finding is started
# again for the time left. Totals (seconds, executions, findings) are appended to
# $LOG_DIR/summary.tsv. Usage: fuzz/long.sh eval_grammar=1200 parse_aws=480 ...
# Run it under nohup to outlive the shell: nohup fuzz/long.sh ... >/dev/null 2>&1 &
set -uo pipefail
cd "$(dirname "$0")"
fuzz_dir=$PWD
log_dir=${LOG_DIR:-$fuzz_dir/artifacts/long}
mkdir -p "$log_dir"
[ -d corpus ] || ./seed.sh
cargo +nightly fuzz build -s none -a >"$log_dir/build.log" 2>&1 || { echo "build failed: $log_dir/build.log" >&2; exit 2; }
for spec in "$@"; do
  target=${spec%%=*}
  budget=${spec#*=}
  mkdir -p "corpus/$target" "artifacts/$target"
  left=$budget
  while [ "$left" -gt 5 ]; do
    start=$(date +%s)
    (cd "$log_dir" && rm -f fuzz-0.log && \
      cargo +nightly fuzz run --fuzz-dir "$fuzz_dir" -s none -a "$target" -- \
        -jobs=1 -workers=1 -max_total_time="$left" -rss_limit_mb=2048 \
        -artifact_prefix="$fuzz_dir/artifacts/$target/" >/dev/null 2>&1)
    rc=$?
    secs=$(( $(date +%s) - start ))
    runs=$(grep -ao 'Done [0-9]* runs' "$log_dir/fuzz-0.log" 2>/dev/null | tail -1 | awk '{print $2}')
    [ -n "$runs" ] || runs=$(grep -aoE '^#[0-9]+' "$log_dir/fuzz-0.log" 2>/dev/null | tail -1 | tr -d '#')
    finding=$(grep -aE 'panicked|ERROR: libFuzzer|Test unit written' "$log_dir/fuzz-0.log" 2>/dev/null | head -3 | tr '\t\n' '  ')
    cp "$log_dir/fuzz-0.log" "$log_dir/$target-$start.log" 2>/dev/null
    printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$secs" "${runs:-0}" "$rc" "$finding" >>"$log_dir/summary.tsv"
    left=$(( left - secs ))
    [ "$secs" -ge 1 ] || break
  done
done
