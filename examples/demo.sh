#!/usr/bin/env bash
# The demo behind `make demo`: starts the local JustClick sandbox over HTTPS
# (fresh test CA, certificate verified), runs the C example, the PHP example
# (on both engines), a shop's flow in PHP and the justclick command line
# against it, and stops the sandbox. Expects the release build that
# `make demo` makes first (library + sandbox binary).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

fail() { echo "demo: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "'$1' not found: install the Debian package $2 (make demo installs it when run as root)"; }
need "${CC:-cc}" gcc
need php php-cli
php -r 'exit(extension_loaded("FFI") ? 0 : 1);' || fail "PHP's FFI extension is missing: install php-cli (Debian builds it in)"

target="${CARGO_TARGET_DIR:-$repo/target}"
lib="$target/release/libjustclick.so"
sandbox="$target/release/justclick-sandbox"
justclick="$target/release/justclick"
[ -f "$lib" ] && [ -x "$sandbox" ] && [ -x "$justclick" ] || fail "release build missing: run 'make demo' (it builds them)"

work=$(mktemp -d)
sandbox_pid=""
receiver_pid=""
cleanup() {
    if [ -n "$receiver_pid" ]; then
        kill "$receiver_pid" 2>/dev/null || true
        wait "$receiver_pid" 2>/dev/null || true
    fi
    exec 3>&- 2>/dev/null || true          # closing its stdin stops the sandbox
    if [ -n "$sandbox_pid" ]; then
        wait "$sandbox_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The loader looks for the SONAME libjustclick.so.0; give the examples a
# private directory with that name instead of installing anything.
mkdir -p "$work/lib"
ln -s "$lib" "$work/lib/libjustclick.so"
ln -s "$lib" "$work/lib/libjustclick.so.0"

secret="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkfifo "$work/stdin"
"$sandbox" --port 0 --login demo --secret "$secret" --tls --ca-out "$work/ca.pem" \
    --exit-on-stdin-eof <"$work/stdin" >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
exec 3>"$work/stdin"
for _ in $(seq 100); do
    grep -q '^ca_file ' "$work/sandbox.out" 2>/dev/null && break
    kill -0 "$sandbox_pid" 2>/dev/null || fail "sandbox did not start: $(cat "$work/sandbox.err")"
    sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$work/sandbox.out")
[ -n "$url" ] || fail "sandbox did not print its address"

export JUSTCLICK_LOGIN=demo JUSTCLICK_SECRET="$secret" JUSTCLICK_BASE_URL="$url" \
       JUSTCLICK_CA_FILE="$work/ca.pem" JUSTCLICK_LIB="$lib"

reset_sandbox() {
    php -r '$ctx = stream_context_create(["http" => ["method" => "POST"], "ssl" => ["cafile" => $argv[2]]]);
            if (file_get_contents($argv[1] . "/__sandbox/reset", false, $ctx) === false) exit(1);' \
        "$url" "$JUSTCLICK_CA_FILE"
}

echo "== justclick $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1) demo"
echo "   sandbox: $url (HTTPS, certificate verified against its test CA)"
echo

echo "== C example (examples/c/example.c)"
"${CC:-cc}" -std=c11 -Wall -Wextra -Werror -O2 -I"$repo/include" examples/c/example.c \
    -o "$work/example-c" -L"$work/lib" -ljustclick -Wl,-rpath,"$work/lib" -pthread
"$work/example-c"
echo

reset_sandbox
echo "== PHP example (examples/php/example.php, PHP FFI)"
php examples/php/example.php
echo

reset_sandbox
echo "== The same PHP example where FFI cannot load (php -d ffi.enable=0): the pure-PHP engine"
php -d ffi.enable=0 examples/php/example.php
echo

reset_sandbox
echo "== A shop's whole flow from PHP (examples/php/shop.php), notifications verified by examples/php/notify-receiver.php"
port=$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];')
JUSTCLICK_NOTIFY_LOG="$work/notify.log" php -d ffi.enable=1 -S "127.0.0.1:$port" examples/php/notify-receiver.php \
    >"$work/receiver.out" 2>&1 &
receiver_pid=$!
for _ in $(seq 100); do
    php -r '$s = @fsockopen("127.0.0.1", (int) $argv[1]); exit($s ? 0 : 1);' "$port" && break
    kill -0 "$receiver_pid" 2>/dev/null || fail "the receiver did not start: $(cat "$work/receiver.out")"
    sleep 0.05
done
JUSTCLICK_DEMO_RECEIVER="http://127.0.0.1:$port/notify" JUSTCLICK_NOTIFY_LOG="$work/notify.log" \
    php examples/php/shop.php
echo

echo "== The command line (justclick): one call, and a signed test notification to the shop's receiver"
echo "\$ justclick call GetBills email=client@example.com pay_status=paid"
"$justclick" call GetBills email=client@example.com pay_status=paid
echo "\$ justclick trigger payment --url http://127.0.0.1:$port/notify id=300777"
"$justclick" trigger payment --url "http://127.0.0.1:$port/notify" id=300777
echo "the receiver logged: $(tail -n 1 "$work/notify.log" | sed 's/^\S* justclick-notify: //')"
echo

echo "== done: every example ran against the sandbox; it is stopped now."
