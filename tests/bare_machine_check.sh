#!/usr/bin/env bash
# The README's quick start on a bare machine: a fresh clone of this repository's HEAD, with
# every `deno` hidden from PATH, so ./lth must install its own pinned Deno (into .tools/).
# Checks that
#   1. ./lth test sets up what is missing and the test suite passes;
#   2. ./lth reproduce weak-lth runs (smoke profile here; the default quick profile takes
#      15-20 min on a 2-core CPU) and prints its verdicts and report path; the time to its first
#      progress line and to its end are printed;
#   3. a second run sets nothing up (no "setup:" line);
#   4. the clone's work tree is unchanged: deno.lock not rewritten, nothing untracked.
# Needs git, Node/npm and the npm registry (for deno@2.9.6 and the npm dependencies); the Vulkan
# driver may already be installed. Usage: bash tests/bare_machine_check.sh [clone-dir]
set -uo pipefail
repo=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/lth-bare-XXXXXX")}
clone=$work/fresh
fail() {
  echo "bare machine check FAILED: $*" >&2
  exit 1
}

# PATH without deno: each PATH folder holding a `deno` is replaced by a folder of links to
# everything else in it.
hidden=$work/path
mkdir -p "$hidden"
bare_path=
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  if [ -e "$dir/deno" ]; then
    shadow=$hidden/$(echo "$dir" | tr / _)
    mkdir -p "$shadow"
    for entry in "$dir"/*; do
      [ "$(basename "$entry")" = deno ] || ln -sf "$entry" "$shadow/"
    done
    dir=$shadow
  fi
  bare_path=${bare_path:+$bare_path:}$dir
done
if PATH=$bare_path command -v deno >/dev/null 2>&1; then fail "deno is still on the PATH: $bare_path"; fi

rm -rf "$clone"
git clone --quiet "$repo" "$clone" || fail "git clone $repo"
cd "$clone" || fail "cd $clone"
git checkout --quiet "$(git -C "$repo" rev-parse HEAD)" || fail "checkout of HEAD"
lock_before=$(sha256sum deno.lock)
run() { env -u XDG_RUNTIME_DIR PATH="$bare_path" "$@"; }

echo "--- ./lth test (fresh clone, no deno on PATH)"
start=$(date +%s)
run ./lth test >"$work/test.log" 2>&1
code=$?
tail -n 5 "$work/test.log"
[ "$code" -eq 0 ] || fail "./lth test exited $code (log: $work/test.log)"
grep -q "^setup: installing Deno" "$work/test.log" || fail "./lth test did not install Deno"
echo "./lth test: $(($(date +%s) - start)) s including set-up"

echo "--- ./lth reproduce weak-lth --profile smoke"
ms() { date +%s%3N; }
start=$(ms)
first=
code=
while IFS= read -r line; do
  if [ -z "$first" ] && [[ $line == level* ]]; then first=$(($(ms) - start)); fi
  if [[ $line == "exit "* ]]; then code=${line#exit }; else echo "$line"; fi
done < <(run ./lth reproduce weak-lth --profile smoke 2>&1; echo "exit $?")
total=$(($(ms) - start))
# Smoke claims are not evaluated: exit 1 (INCONCLUSIVE) is the expected outcome, 2 and 3 errors.
[ "$code" = 0 ] || [ "$code" = 1 ] || fail "reproduce exited $code"
[ -n "$first" ] || fail "reproduce printed no progress line"
echo "time to the first progress line: $((first / 1000)).$((first % 1000 / 100)) s; to the end: $((total / 1000)).$((total % 1000 / 100)) s"
report=$(find results/weak-lth -name report.md | head -n 1)
[ -n "$report" ] || fail "no report.md under results/weak-lth"

echo "--- a second run sets nothing up"
run ./lth reproduce weak-lth --profile smoke --print-config >/dev/null 2>"$work/second.log" ||
  fail "second run exited $? ($(cat "$work/second.log"))"
if grep -q "^setup:" "$work/second.log"; then fail "the second run set up again: $(cat "$work/second.log")"; fi

echo "--- the clone's work tree is unchanged"
[ "$(sha256sum deno.lock)" = "$lock_before" ] || fail "deno.lock was rewritten"
status=$(git status --porcelain --ignored=no)
[ -z "$status" ] || fail "the work tree is dirty: $status"
echo "bare machine check passed"
rm -rf "$work"
