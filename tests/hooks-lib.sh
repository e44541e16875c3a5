#!/usr/bin/env bash
# tests/hooks-lib.sh release|debug: the library with the test hooks
# (jc_test_panic, batch calls of SandboxPanic; the `test-hooks` feature) in
# target/<profile>/hooks/, for the panic tests of C, PHP and Python, which
# the shipped library cannot serve. Built in the shared target directory
# (only the justclick crate is compiled again, the dependencies are shared),
# copied out, and the plain library built again so that
# target/<profile>/libjustclick.so is the one without hooks (cargo then only
# copies it back). Prints the directory. `make test-build` and
# tests/common/c.rs run it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
profile=${1:?usage: tests/hooks-lib.sh release|debug}
case "$profile" in
release) flag=(--release) ;;
debug) flag=() ;;
*) echo "tests/hooks-lib.sh: profile must be release or debug, not '$profile'" >&2; exit 2 ;;
esac
target=${CARGO_TARGET_DIR:-target}/$profile
cargo=${CARGO:-cargo}
"$cargo" build -q "${flag[@]}" --lib -p justclick --features test-hooks >&2
mkdir -p "$target/hooks"
for name in libjustclick.so libjustclick.so.0; do
    cp "$target/libjustclick.so" "$target/hooks/.$name.$$"
    mv "$target/hooks/.$name.$$" "$target/hooks/$name" # atomic: a test may be loading it
done
"$cargo" build -q "${flag[@]}" --lib -p justclick >&2
cd "$target/hooks" && pwd
