#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/TARGET/, not committed) from the policies and test files
# the project has: policies-examples/, tests/corpus/ and, when they are beside the checkout,
# ../shared/conformance and ../shared/conformance-controls (read here at run time, never
# copied into the repository).
# Safe to run again: files are named by their content's hash.
set -euo pipefail
cd "$(dirname "$0")"
root=..

put() { # put TARGET FILE...: copies each file under its hash
  local target=$1; shift
  mkdir -p "corpus/$target"
  local f h
  for f in "$@"; do
    [ -s "$f" ] || continue
    h=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "corpus/$target/$h"
  done
}

# Each inline policy document of a JSON file (an object with a Statement), one per file.
documents() { # documents TARGET FILE...
  local target=$1; shift
  command -v jq >/dev/null 2>&1 || return 0
  local tmp f
  tmp=$(mktemp -d)
  for f in "$@"; do
    jq -c '.. | objects | select(has("Statement") or has("statement"))' "$f" 2>/dev/null \
      | split -l 1 - "$tmp/$(basename "$f" .json)-" || true
  done
  put "$target" "$tmp"/*
  rm -rf "$tmp"
}

dirs=("$root/policies-examples" "$root/tests/corpus")
for shared in "$root/../shared/conformance" "$root/../shared/conformance-controls"; do
  [ -d "$shared" ] && dirs+=("$shared") || echo "(no $shared: seeding without it)"
done

for cloud in aws aliyun tencent; do
  files=()
  for d in "${dirs[@]}"; do
    [ -d "$d/$cloud" ] || continue
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$d/$cloud" -name '*.json' -print0)
  done
  [ ${#files[@]} -gt 0 ] || continue
  # Policy files as they are, and the documents inside test files.
  put "parse_$cloud" "${files[@]}"
  documents "parse_$cloud" "${files[@]}"
  # Test files (anything with cases) for the test-file targets.
  tests=()
  for f in "${files[@]}"; do
    grep -q '"cases"' "$f" && tests+=("$f")
  done
  if [ ${#tests[@]} -gt 0 ]; then
    put parse_testfile "${tests[@]}"
    put eval_testfile "${tests[@]}"
  fi
done
mkdir -p corpus/eval_grammar
for t in corpus/*/; do
  echo "seeded $(ls "$t" | wc -l) inputs in ${t%/}"
done
