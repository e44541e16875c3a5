#!/usr/bin/env bash
# Fuzz smoke run (`make test-fuzz`, part of `make test`): builds every fuzz
# target once (ASan, debug assertions, release optimizations) and runs each
# for SMOKE_SECONDS (default 20) from its committed seeds in a throwaway
# corpus. Fails if any target crashes, panics, leaks or hangs.
#
# Needs: cargo (stable; RUSTC_BOOTSTRAP=1 lets it take cargo-fuzz's nightly
# flags), a C++ compiler for libFuzzer (Debian: g++). Installs cargo-fuzz
# with `cargo install --locked` if it is missing.
set -euo pipefail

cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1

TARGETS=(response encoder json ffi php)
SMOKE_SECONDS=${SMOKE_SECONDS:-20}
CARGO_FUZZ_VERSION=0.13.2

die() {
    echo "fuzz/smoke.sh: $*" >&2
    exit 1
}

command -v cargo >/dev/null || die "cargo not found (install Rust)"
command -v c++ >/dev/null || command -v g++ >/dev/null ||
    die "no C++ compiler for libFuzzer: install the Debian package g++"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz/smoke.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION (cargo install --locked)"
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" ||
        die "cannot install cargo-fuzz"
fi

start=$(date +%s)
echo "fuzz/smoke.sh: building ${#TARGETS[@]} targets (ASan)"
cargo fuzz build || die "build failed"
built=$(date +%s)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${TARGETS[@]}"; do
    mkdir -p "$work/$t"
    dirs=("$work/$t")
    [ -d "seeds/$t" ] && dirs+=("seeds/$t")
    flags=(-max_total_time="$SMOKE_SECONDS" -timeout=20 -print_final_stats=1)
    [ -f "dicts/$t.dict" ] && flags+=(-dict="dicts/$t.dict")
    log="$work/$t.log"
    if cargo fuzz run "$t" "${dirs[@]}" -- "${flags[@]}" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        echo "fuzz/smoke.sh: $t ok (${SMOKE_SECONDS}s, ${execs:-?} executions, corpus $(find "$work/$t" -type f | wc -l))"
    else
        echo "fuzz/smoke.sh: $t FAILED; the end of its log:" >&2
        grep -E -A12 "panicked at|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)" "$log" | head -60 >&2 ||
            tail -40 "$log" >&2
        grep -E "Test unit written to|Failing input" -A2 "$log" | head -6 >&2 || true
        failed+=("$t")
    fi
done
end=$(date +%s)
echo "fuzz/smoke.sh: build $((built - start))s, runs $((end - built))s"
if [ ${#failed[@]} -gt 0 ]; then
    die "crashes in: ${failed[*]} (inputs in fuzz/artifacts/<target>/; reproduce with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>)"
fi
echo "fuzz/smoke.sh: all ${#TARGETS[@]} targets ran without a crash"
