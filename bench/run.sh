#!/bin/sh
# The benchmark harness of issue 6 (what `make bench` runs after
# `cargo build --release`).
#
# Measures, against justclick-sandbox processes on loopback, the library
# (Rust and through PHP FFI) against the seeds' PHP approach (curl, new
# connection per call, certificates verified), a raw kept-alive floor and
# curl's own keep-alive; batches with 20 ms server latency; CPU per call
# counted by callgrind; RSS over 100,000 calls (HTTP and HTTPS). Prints a table of ratios
# measured side by side in this run. Takes a few minutes.
#
# Knobs (environment): BENCH_ROUNDS (default 7), BENCH_SCALE (calls per
# repetition, default 1.0), BENCH_ONLY=seq,batch,cpu,rss,faults (a subset),
# BENCH_QUICK=1 (a smoke run whose numbers mean little).
#
# Exit status: 0 when every measurement was taken (whether or not a target
# was met: timings never fail the build), 1 when one could not be taken,
# 2 when a required tool is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

missing=""
need() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need php php-cli
need curl curl
need valgrind valgrind
need callgrind_annotate valgrind
need cargo "cargo (rustup)"
if command -v php >/dev/null 2>&1; then
    php -r 'exit(function_exists("curl_init") ? 0 : 1);' || missing="$missing php-curl"
    php -r 'exit(extension_loaded("FFI") ? 0 : 1);' || missing="$missing php-cli(FFI)"
fi
if [ -n "$missing" ]; then
    echo "bench: missing tools; install the Debian packages:$missing" >&2
    exit 2
fi

# The harness itself (a cargo example), next to the release library and
# sandbox that `make bench` has just built.
cargo build --release --example bench
exec "${CARGO_TARGET_DIR:-$root/target}/release/examples/bench" all
