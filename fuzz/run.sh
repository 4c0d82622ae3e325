#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/*.rs) from its committed seeds, fuzz/seeds/<target>,
# keeping what it discovers in fuzz/corpus/<target> (not committed) and crashes in
# fuzz/artifacts/<target>/. Needs nightly Rust and cargo-fuzz.
#
#   fuzz/run.sh time 30          # 30 seconds per target, as many targets at once as CPUs (CI)
#   fuzz/run.sh runs 10000000    # 10 million executions per target, one target at a time
#   fuzz/run.sh runs 10000000 gomod gosum    # only these targets
#   FUZZ_JOBS=2 fuzz/run.sh runs 10000000    # two targets at a time
#
# Prints, per target, libFuzzer's final line (executions, coverage `cov`, features `ft`,
# corpus) and exits non-zero when any target crashed. FUZZ_PROFILE=dev builds without
# optimizations (faster to build, slower to run). FUZZ_SANITIZER=none builds without
# AddressSanitizer (7x the executions per second; the fuzzed code has no `unsafe`, so
# what ASan adds is checks on the dependencies' unsafe code), into fuzz/target-nosan.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: fuzz/run.sh time SECONDS | runs N [target...]}
amount=${2:?usage: fuzz/run.sh time SECONDS | runs N [target...]}
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi
build=(cargo +nightly fuzz build)
target_dir=fuzz/target
if [ "${FUZZ_SANITIZER:-address}" = none ]; then
    target_dir=$PWD/fuzz/target-nosan
    build+=(-s none --target-dir "$target_dir")
fi
if [ "${FUZZ_PROFILE:-release}" = dev ]; then
    "${build[@]}" --dev
    bin=$target_dir/x86_64-unknown-linux-gnu/debug
else
    "${build[@]}" -O
    bin=$target_dir/x86_64-unknown-linux-gnu/release
fi
case $mode in
time) limit=(-max_total_time="$amount") jobs=$(nproc) ;;
runs) limit=(-runs="$amount") jobs=1 ;;
*) echo "fuzz/run.sh: mode is 'time' or 'runs'" >&2; exit 2 ;;
esac
jobs=${FUZZ_JOBS:-$jobs}
logs=$(mktemp -d)
run_one() {
    local t=$1
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t" "fuzz/artifacts/$t"
    "$bin/$t" "${limit[@]}" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/" "fuzz/corpus/$t" "fuzz/seeds/$t" \
        >"$logs/$t.log" 2>&1
}
pids=()
status=0
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=("$!")
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
for t in "${targets[@]}"; do
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -1 || true)
    execs=$(grep -E '^stat::number_of_executed_units' "$logs/$t.log" | awk '{print $2}' || true)
    if [ -n "$done_line" ]; then
        printf '%-12s %s executions; %s\n' "$t" "${execs:-?}" "$done_line"
    else
        printf '%-12s FAILED (log follows)\n' "$t"
        tail -40 "$logs/$t.log"
        status=1
    fi
done
rm -rf "$logs"
exit $status
