#!/usr/bin/env bash
# The Python binding's tests (pytest) against the sandbox.
#
#   bindings/python/run-tests.sh [pytest arguments]
#
# Tests the library JUSTCLICK_TEST_LIB names: `make test` (and `make
# test-python`) set it to the release archive's lib/libjustclick.so, the bytes
# users install; without it, target/release/libjustclick.so. The panic tests
# need the test hooks of the `test-hooks` build and load
# target/release/hooks/libjustclick.so for them (JUSTCLICK_HOOKS_LIB;
# tests/hooks-lib.sh makes it). JUSTCLICK_TEST_PROFILE=debug uses the debug
# build instead of the release build. JUSTCLICK_TEST_PRINT_PATHS=1 prints the
# libraries and sandbox it would use and exits (tests/suites.rs checks them).
#
# Uses $PYTHON if set, else the first python3 (on PATH, then /usr/bin) that
# has pytest. Fails, naming the package to install, when a tool is missing.
set -euo pipefail

here=${BASH_SOURCE[0]%/*}
[[ "$here" == "${BASH_SOURCE[0]}" ]] && here=.
cd "$here/../.."
root=$PWD

candidates=()
if [[ -n "${PYTHON:-}" ]]; then
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "run-tests.sh: PYTHON=$PYTHON is not an executable: install Debian's python3 package (apt-get install python3 python3-pytest) or fix PYTHON" >&2
        exit 1
    fi
    candidates=("$PYTHON")
else
    if command -v python3 >/dev/null 2>&1; then candidates+=("$(command -v python3)"); fi
    if [[ -x /usr/bin/python3 ]]; then candidates+=(/usr/bin/python3); fi
fi
if [[ ${#candidates[@]} -eq 0 ]]; then
    echo "run-tests.sh: python3 not found: install Debian's python3 package (apt-get install python3 python3-pytest)" >&2
    exit 1
fi

python=""
for c in "${candidates[@]}"; do
    if "$c" -c 'import pytest' >/dev/null 2>&1; then
        python=$c
        break
    fi
done
if [[ -z "$python" ]]; then
    echo "run-tests.sh: pytest is not installed for ${candidates[*]}: install Debian's python3-pytest (apt-get install python3-pytest) or run 'pip install pytest'" >&2
    exit 1
fi

profile=${JUSTCLICK_TEST_PROFILE:-release}
case "$profile" in
release) build="cargo build --release && tests/hooks-lib.sh release" ;;
debug) build="cargo build && tests/hooks-lib.sh debug" ;;
*)
    echo "run-tests.sh: JUSTCLICK_TEST_PROFILE must be release or debug, not '$profile'" >&2
    exit 1
    ;;
esac
lib="${JUSTCLICK_TEST_LIB:-$root/target/$profile/libjustclick.so}"
hooks="$root/target/$profile/hooks/libjustclick.so"
sandbox="$root/target/$profile/justclick-sandbox"
if [[ -n "${JUSTCLICK_TEST_PRINT_PATHS:-}" ]]; then
    echo "library $lib"
    echo "hooks $hooks"
    echo "sandbox $sandbox"
    exit 0
fi
for f in "$lib" "$hooks" "$sandbox"; do
    if [[ ! -f "$f" ]]; then
        echo "run-tests.sh: $f is missing: run '$build' first (or 'make test-python')" >&2
        exit 1
    fi
done

export JUSTCLICK_LIB="$lib"
export JUSTCLICK_HOOKS_LIB="$hooks"
export JUSTCLICK_SANDBOX="$sandbox"
export PYTHONDONTWRITEBYTECODE=1 # leave no __pycache__ in the work tree
echo "python tests: $("$python" --version 2>&1), pytest $("$python" -c 'import pytest; print(pytest.__version__)'), library $lib (hooks: $hooks)"
exec "$python" -m pytest -q -p no:cacheprovider "$@" bindings/python/tests
