#!/usr/bin/env bash
# The PHP suite: starts target/release/justclick-sandbox on a free loopback
# port, then runs the PHPUnit tests in bindings/php/tests against the library
# JUSTCLICK_TEST_LIB names: `make test` (and `make test-php`) set it to the
# release archive's lib/libjustclick.so, the bytes users install; without it,
# target/release/libjustclick.so. The panic test needs the jc_test_panic hook,
# which only the `test-hooks` build has: it loads target/release/hooks/
# (JUSTCLICK_HOOKS_LIB; tests/hooks-lib.sh makes it). JUSTCLICK_TEST_PROFILE=debug
# uses the debug build instead of the release build.
# Extra arguments go to phpunit (e.g. --filter Memory). The suite runs
# twice, once per engine (see the end of this script).
# JUSTCLICK_TEST_PRINT_PATHS=1 prints the libraries and sandbox it would use
# and exits (tests/suites.rs checks them).
#
# Needs the Debian packages php-cli, php-curl, phpunit, php-fpm and libfcgi-bin; a
# missing one fails the suite with its name.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

fail() {
    echo "bindings/php/run-tests.sh: $*" >&2
    exit 1
}
need() { # command package
    command -v "$1" >/dev/null 2>&1 || fail "'$1' not found: install the Debian package $2 (apt-get install $2)"
}

need php php-cli
need phpunit phpunit
need cgi-fcgi libfcgi-bin
FPM=""
for c in php-fpm8.2 php-fpm /usr/sbin/php-fpm8.2 /usr/sbin/php-fpm; do
    if command -v "$c" >/dev/null 2>&1; then
        FPM=$(command -v "$c")
        break
    fi
done
if [ -z "$FPM" ]; then
    FPM=$(ls /usr/sbin/php-fpm* 2>/dev/null | head -n 1 || true)
fi
[ -n "$FPM" ] && [ -x "$FPM" ] || fail "php-fpm not found: install the Debian package php-fpm (apt-get install php-fpm)"
php -r 'exit(extension_loaded("ffi") ? 0 : 1);' ||
    fail "the PHP FFI extension is not loaded: install the Debian package php-cli (php8.2-common ships ffi.so) and enable extension=ffi"
php -r 'exit(extension_loaded("curl") ? 0 : 1);' ||
    fail "the PHP curl extension is not loaded (the pure-PHP engine needs it): install the Debian package php-curl"
php -r 'exit(extension_loaded("Zend OPcache") ? 0 : 1);' ||
    fail "the PHP OPcache extension is not loaded: install the Debian package php-opcache"

# JUSTCLICK_TEST_LIB / JUSTCLICK_TEST_SANDBOX_BIN override the build
# (e.g. a private copy while other builds share target/).
PROFILE="${JUSTCLICK_TEST_PROFILE:-release}"
case "$PROFILE" in
release) BUILD="cargo build --release && tests/hooks-lib.sh release" ;;
debug) BUILD="cargo build && tests/hooks-lib.sh debug" ;;
*) fail "JUSTCLICK_TEST_PROFILE must be release or debug, not '$PROFILE'" ;;
esac
LIB="${JUSTCLICK_TEST_LIB:-$ROOT/target/$PROFILE/libjustclick.so}"
HOOKS="$ROOT/target/$PROFILE/hooks/libjustclick.so"
SANDBOX="${JUSTCLICK_TEST_SANDBOX_BIN:-$ROOT/target/$PROFILE/justclick-sandbox}"
if [ -n "${JUSTCLICK_TEST_PRINT_PATHS:-}" ]; then
    echo "library $LIB"
    echo "hooks $HOOKS"
    echo "sandbox $SANDBOX"
    exit 0
fi
[ -f "$LIB" ] || fail "$LIB not found: run '$BUILD' first, or 'make dist' for the archive's (make test-php does)"
[ -f "$HOOKS" ] || fail "$HOOKS not found: run '$BUILD' first (make test-php does)"
[ -x "$SANDBOX" ] || fail "$SANDBOX not found: run '$BUILD' first (make test-php does)"
php -r 'try { FFI::cdef("unsigned int jc_test_panic(char **);", $argv[1]); } catch (FFI\Exception $e) { exit(1); }' "$HOOKS" ||
    fail "$HOOKS has no jc_test_panic (not the test-hooks build): run 'tests/hooks-lib.sh $PROFILE'"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/justclick-php-tests.XXXXXX")
SANDBOX_PID=""
cleanup() {
    exec 3>&- 2>/dev/null || true # EOF on the sandbox's stdin stops it
    if [ -n "$SANDBOX_PID" ]; then
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# A fresh secret per run, handed over in the environment, never printed.
SECRET="php-test-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
mkfifo "$TMP/sandbox.stdin"
JUSTCLICK_SANDBOX_SECRET="$SECRET" "$SANDBOX" --port 0 --login demo --exit-on-stdin-eof \
    <"$TMP/sandbox.stdin" >"$TMP/sandbox.out" 2>"$TMP/sandbox.err" &
SANDBOX_PID=$!
exec 3>"$TMP/sandbox.stdin" # held open until this script exits

URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$TMP/sandbox.out" | head -n 1)
    [ -n "$URL" ] && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || break
    sleep 0.05
done
[ -n "$URL" ] || fail "the sandbox did not start: $(cat "$TMP/sandbox.err")"

export JUSTCLICK_LIB="$LIB"
export JUSTCLICK_HOOKS_LIB="$HOOKS"
export JUSTCLICK_SANDBOX_BIN="$SANDBOX"
export JUSTCLICK_TEST_BASE_URL="$URL"
export JUSTCLICK_TEST_SECRET="$SECRET"
export JUSTCLICK_PHP_FPM="$FPM"
export JUSTCLICK_CGI_FCGI
JUSTCLICK_CGI_FCGI=$(command -v cgi-fcgi)

echo "PHP suite: $(php -r 'echo PHP_VERSION;'), $(phpunit --version | head -n 1), $FPM, library $LIB (hooks: $HOOKS), sandbox $URL"
# Two runs: every test against the FFI engine, then every test that is
# about behaviour (not about loading the library, and not the differential
# tests, which drive both engines themselves: group "once") against the
# pure-PHP engine. JUSTCLICK_TEST_ENGINES=php (or ffi) runs one of them.
start=$(date +%s)
status=0
for engine in ${JUSTCLICK_TEST_ENGINES:-ffi php}; do
    case "$engine" in
    ffi) extra=() ;;
    php) extra=(--exclude-group once) ;;
    *) fail "JUSTCLICK_TEST_ENGINES names an unknown engine '$engine' (ffi, php)" ;;
    esac
    echo "PHP suite, engine $engine:"
    JUSTCLICK_TEST_ENGINE=$engine phpunit --configuration "$ROOT/bindings/php/tests/phpunit.xml" "${extra[@]}" "$@" || status=$?
done
echo "PHP suite: $(($(date +%s) - start)) s, exit $status"
exit "$status"
