#!/usr/bin/env bash
# Long fuzz runs: each target (all, or those named as arguments) for
# FUZZ_SECONDS (default 600) with ASan, one after the other, keeping the
# corpora in fuzz/corpus/<target>/ (seeded from fuzz/seeds/<target>/) and
# the crashes in fuzz/artifacts/<target>/. Logs: fuzz/artifacts/logs/.
#
#   fuzz/run.sh                       # every target, 10 minutes each
#   FUZZ_SECONDS=3600 fuzz/run.sh php # one target, one hour
#
# Prints one line per target (seconds, executions, corpus size, crashes)
# and exits 1 if any target crashed.
set -euo pipefail

cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1

ALL=(response encoder json ffi php)
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi

command -v cargo >/dev/null || { echo "run.sh: cargo not found" >&2; exit 1; }
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
cargo fuzz build

mkdir -p artifacts/logs
crashed=()
printf '%-9s %8s %12s %8s %s\n' target seconds executions corpus result
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    dirs=("corpus/$t")
    [ -d "seeds/$t" ] && dirs+=("seeds/$t")
    flags=(-max_total_time="$FUZZ_SECONDS" -timeout=20 -print_final_stats=1)
    [ -f "dicts/$t.dict" ] && flags+=(-dict="dicts/$t.dict")
    log="artifacts/logs/$t.log"
    before=$(find "artifacts/$t" -type f | wc -l)
    t0=$(date +%s)
    status=ok
    cargo fuzz run "$t" "${dirs[@]}" -- "${flags[@]}" >"$log" 2>&1 || status=CRASH
    t1=$(date +%s)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ -z "$execs" ]; then
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    corpus=$(find "corpus/$t" -type f | wc -l)
    after=$(find "artifacts/$t" -type f | wc -l)
    if [ "$status" = CRASH ]; then
        crashed+=("$t")
        status="CRASH ($((after - before)) new in artifacts/$t; log $log)"
    fi
    printf '%-9s %8s %12s %8s %s\n' "$t" "$((t1 - t0))" "${execs:-?}" "$corpus" "$status"
done
if [ ${#crashed[@]} -gt 0 ]; then
    echo "run.sh: crashes in ${crashed[*]}; see the logs and fuzz/README.md (minimize with cargo fuzz tmin)" >&2
    exit 1
fi
