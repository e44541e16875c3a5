#!/usr/bin/env bash
# `make test-dist`: every install route tested INSTALLED, from directories
# outside the repository, against the sandbox (target/release/justclick-sandbox,
# the only thing taken from the build directory):
#   1. the release archive unpacked in a temporary directory: SHA256SUMS, the
#      library's glibc/size/SONAME checks, the C example built through
#      PKG_CONFIG_PATH, the PHP example with only JUSTCLICK_LIB;
#   2. the wheel in a fresh venv: the Python suite against the installed package;
#   3. the Debian packages (apt-get install ./dist/*.deb): a C program built
#      with pkg-config from an empty directory, `php -r 'require
#      "JustClick/autoload.php"; ...'` with no environment variable, PHP-FPM
#      with the preload opt-in serving a request, Composer offline from a path
#      repository; then `apt-get purge`, after which no file they installed
#      may remain.
# Needs root (apt-get install). Cleans up even on failure: purges the packages
# if they are still installed, stops what it started, removes its directory.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

[ "$(id -u)" = 0 ] || die "needs root (it installs and purges the Debian packages): run it as root, e.g. sudo make test-dist"
need cc gcc
need pkg-config pkg-config
need php php-cli
need cgi-fcgi libfcgi-bin
need composer composer
need curl curl
need apt-get apt
need setpriv util-linux
FPM=$(command -v php-fpm8.2 || command -v php-fpm || ls /usr/sbin/php-fpm* 2>/dev/null | head -n 1 || true)
[ -n "$FPM" ] && [ -x "$FPM" ] || die "php-fpm not found: install the Debian package php-fpm"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 not found: install the Debian package python3"
/usr/bin/python3 -c 'import pytest, venv, ensurepip' 2>/dev/null ||
    die "/usr/bin/python3 lacks pytest or venv: install the Debian packages python3-pytest python3-venv"
php -r 'exit(extension_loaded("ffi") && extension_loaded("Zend OPcache") ? 0 : 1);' ||
    die "PHP lacks FFI or OPcache: install the Debian packages php-cli php-opcache"

SANDBOX="$ROOT/target/release/justclick-sandbox"
[ -x "$SANDBOX" ] || die "$SANDBOX not found: run 'cargo build --release' (make test-dist does)"
[ -f "$ARCHIVE" ] || die "$ARCHIVE not found: run 'make dist'"
WHEEL=$(ls "$DIST"/justclick-"$VERSION"-py3-none-manylinux_2_17_x86_64.whl 2>/dev/null) ||
    die "the wheel is missing in $DIST: run 'make wheel'"
DEBS=(libjustclick0 libjustclick-dev php-justclick justclick-tools)
for p in "${DEBS[@]}"; do
    ls "$DIST/${p}_$VERSION"-*.deb >/dev/null 2>&1 || die "$DIST/${p}_$VERSION-*.deb is missing: run 'make deb'"
    ! dpkg -s "$p" >/dev/null 2>&1 ||
        die "the Debian package $p is already installed; this test installs and purges it: apt-get purge ${DEBS[*]}"
done
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
PHPVER=$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')

T=$(mktemp -d "${TMPDIR:-/tmp}/justclick-installed.XXXXXX")
chmod 0755 "$T" # the FPM workers run as nobody
sandbox_pid=""
fpm_pid=""
debs_installed=no
cleanup() {
    local rc=$?
    set +e
    [ -n "$fpm_pid" ] && kill "$fpm_pid" 2>/dev/null && wait "$fpm_pid" 2>/dev/null
    if [ "$debs_installed" = yes ]; then
        echo "test-installed: purging ${DEBS[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${DEBS[@]}" >/dev/null 2>&1
    fi
    exec 3>&- 2>/dev/null # closing its stdin stops the sandbox
    [ -n "$sandbox_pid" ] && wait "$sandbox_pid" 2>/dev/null
    rm -rf "$T"
    [ $rc = 0 ] && echo "test-installed: every route passed" || echo "test-installed: FAILED (exit $rc)" >&2
}
trap cleanup EXIT
step() { echo; echo "== $*"; }
fail() { echo "test-installed: FAILED: $*" >&2; exit 1; }

# --- the sandbox (HTTPS, its CA in $T/ca.pem, readable by nobody)
secret="inst-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkfifo "$T/sandbox.in"
"$SANDBOX" --port 0 --login demo --secret "$secret" --tls --ca-out "$T/ca.pem" \
    --exit-on-stdin-eof <"$T/sandbox.in" >"$T/sandbox.out" 2>"$T/sandbox.err" &
sandbox_pid=$!
exec 3>"$T/sandbox.in"
for _ in $(seq 200); do
    grep -q '^ca_file ' "$T/sandbox.out" 2>/dev/null && break
    kill -0 "$sandbox_pid" 2>/dev/null || fail "sandbox did not start: $(cat "$T/sandbox.err")"
    sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$T/sandbox.out")
[ -n "$url" ] || fail "sandbox did not print its address"
chmod 0644 "$T/ca.pem"
export JUSTCLICK_LOGIN=demo JUSTCLICK_SECRET="$secret" JUSTCLICK_BASE_URL="$url" JUSTCLICK_CA_FILE="$T/ca.pem"
unset JUSTCLICK_LIB JUSTCLICK_HEADER
reset_sandbox() { curl -sSf --cacert "$T/ca.pem" -X POST "$url/__sandbox/reset" >/dev/null || fail "sandbox reset failed"; }

# ======================================================= 1. the archive
step "archive: $ARCHIVE"
(cd "$DIST" && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS does not match"
mkdir "$T/archive"
tar -xzf "$ARCHIVE" -C "$T/archive"
A="$T/archive/$NAME"
for f in lib/libjustclick.so."$VERSION" lib/libjustclick.so."$VERSION".debug lib/libjustclick.so.0 lib/libjustclick.so \
    lib/libjustclick.a lib/pkgconfig/justclick.pc include/justclick.h include/justclick_php.h include/justclick.hpp \
    share/justclick/php/autoload.php share/justclick/php/composer.json share/justclick/python/justclick/__init__.py \
    share/justclick/python/justclick/py.typed share/justclick/examples/php/example.php share/justclick/examples/c/example.c \
    share/justclick/php/resources/roots/default.pem bin/justclick README.md LICENSE-MIT LICENSE-APACHE; do
    [ -e "$A/$f" ] || fail "the archive lacks $f"
done
packaging/check-so.sh "$A/lib/libjustclick.so.$VERSION" shipped
# Text files only: the .debug file records where it was compiled, as it should.
grep -rlI "$ROOT" "$A" && fail "the archive refers to the build directory $ROOT (files above)"

step "archive: bin/justclick calls the sandbox"
reset_sandbox
"$A/bin/justclick" --version | grep -qx "justclick $VERSION" || fail "bin/justclick --version: $("$A/bin/justclick" --version 2>&1)"
out=$("$A/bin/justclick" call DeleteOrder bill_id=1111 --full 2>&1) || fail "bin/justclick call: $out"
echo "$out" | grep -q '"error_text": "Заказ удален"' || fail "bin/justclick call printed: $out"
rc=0
"$A/bin/justclick" call DeleteOrder bill_id=1111 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "bin/justclick: an API error must exit 1, not $rc"

mkdir "$T/c-archive"
cp examples/c/example.c "$T/c-archive/app.c"
(
    cd "$T/c-archive"
    export PKG_CONFIG_PATH="$A/lib/pkgconfig"
    libdir=$(pkg-config --variable=libdir justclick)
    cc -std=c11 -Wall -Werror app.c -o app $(pkg-config --cflags --libs justclick) -Wl,-rpath,"$libdir" -pthread
    ldd ./app | grep -q "=> $(realpath "$A/lib")/libjustclick.so.0\|=> $A/lib/../lib/libjustclick.so.0\|=> $libdir/libjustclick.so.0" ||
        fail "the C example does not load the archive's library: $(ldd ./app | grep justclick)"
    reset_sandbox
    ./app
) || fail "the C example against the archive"

step "archive: C example linked statically (libjustclick.a only, pkg-config --static)"
mkdir -p "$T/c-static/lib/pkgconfig"
cp "$A/lib/libjustclick.a" "$T/c-static/lib/"
cp "$A/lib/pkgconfig/justclick.pc" "$T/c-static/lib/pkgconfig/"
cp -r "$A/include" "$T/c-static/"
(
    cd "$T/c-static"
    export PKG_CONFIG_PATH="$T/c-static/lib/pkgconfig"
    grep -q '^Libs.private: -l' lib/pkgconfig/justclick.pc && ! grep -q '@' lib/pkgconfig/justclick.pc ||
        fail "justclick.pc has no usable Libs.private: $(cat lib/pkgconfig/justclick.pc)"
    cc -std=c11 -Wall -Werror "$ROOT/examples/c/example.c" -o app $(pkg-config --cflags --libs --static justclick)
    ! ldd ./app | grep -q libjustclick || fail "the static program still loads libjustclick: $(ldd ./app)"
    reset_sandbox
    ./app
) || fail "the C example linked statically against the archive"

step "archive: PHP example with only JUSTCLICK_LIB"
reset_sandbox
(cd "$T" && JUSTCLICK_LIB="$A/lib/libjustclick.so" php "$A/share/justclick/examples/php/example.php") ||
    fail "the PHP example against the archive"

# ======================================================= 2. the wheel
step "wheel: $WHEEL in a fresh venv, the Python suite from outside the repository"
/usr/bin/python3 -m venv --system-site-packages "$T/venv" # pytest from Debian's python3-pytest
"$T/venv/bin/pip" install -q --no-index --no-deps "$WHEEL"
where=$(cd "$T" && "$T/venv/bin/python" -c 'import justclick; print(justclick.find_library())')
case "$where" in
"$T/venv/"*/site-packages/justclick/libjustclick.so) echo "the binding loads $where" ;;
*) fail "the installed binding does not use its own library: $where" ;;
esac
mkdir "$T/pytests"
cp -r bindings/python/tests "$T/pytests/tests"
cp examples/python/example.py "$T/pytests/" # the example, importing the installed package
cp -r tests/data "$T/pytests/data"          # test input (PHP-made notification vectors)
# JUSTCLICK_LIB: the tests that copy the library read it there. The panic
# tests need the sandbox build's jc_test_panic hook, which is not shipped:
# they load the test build (JUSTCLICK_HOOKS_LIB), every other test the wheel's.
(cd "$T/pytests" && JUSTCLICK_LIB="$where" JUSTCLICK_TEST_EXAMPLE="$T/pytests/example.py" JUSTCLICK_HOOKS_LIB="$ROOT/target/release/hooks/libjustclick.so" JUSTCLICK_SANDBOX="$SANDBOX" \
    JUSTCLICK_TEST_DATA="$T/pytests/data" PYTHONDONTWRITEBYTECODE=1 \
    "$T/venv/bin/python" -m pytest -q -p no:cacheprovider tests) || fail "the Python suite against the installed wheel"

# ======================================================= 3. the Debian packages
step "deb: apt-get install ./dist/*.deb"
debs_installed=yes
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    $(for p in "${DEBS[@]}"; do ls "$DIST/${p}_$VERSION"-*.deb; done) >"$T/apt.log" 2>&1 ||
    fail "apt-get install: $(cat "$T/apt.log")"
for p in "${DEBS[@]}"; do dpkg -L "$p"; done | sort -u >"$T/installed-files"
grep -rlI "$ROOT" /usr/share/php/JustClick /etc/php/"$PHPVER"/mods-available/justclick.ini /usr/include/justclick*.h* \
    /usr/lib/"$MULTIARCH"/pkgconfig/justclick.pc &&
    fail "an installed file refers to the build directory $ROOT"

pkg-config --static --libs justclick | grep -q -- '-lpthread' && ! pkg-config --static --libs justclick | grep -q '@' ||
    fail "the Debian justclick.pc has no usable Libs.private: $(pkg-config --static --libs justclick)"

step "deb: justclick (justclick-tools) from the PATH"
[ "$(command -v justclick)" = /usr/bin/justclick ] || fail "justclick is not /usr/bin/justclick: $(command -v justclick)"
justclick --version | grep -qx "justclick $VERSION" || fail "justclick --version: $(justclick --version 2>&1)"
justclick methods --json | php -r 'exit(count(json_decode(stream_get_contents(STDIN), true)) > 10 ? 0 : 1);' ||
    fail "justclick methods --json"

step "deb: C program built with pkg-config from an empty directory"
mkdir "$T/c-deb"
cp examples/c/example.c "$T/c-deb/app.c"
(
    cd "$T/c-deb"
    cc -std=c11 -Wall -Werror app.c -o app $(pkg-config --cflags --libs justclick)
    # /lib is /usr/lib on merged-/usr systems: either is the package's file.
    ldd ./app | grep -q "=> \(/usr\)\?/lib/$MULTIARCH/libjustclick.so.0" || fail "the program does not load the system library: $(ldd ./app)"
    reset_sandbox
    ./app
) || fail "the C program against the Debian packages"

step "deb: php -r with no environment variable"
mkdir "$T/php-deb"
reset_sandbox
out=$(cd "$T/php-deb" && php -r '
    require "JustClick/autoload.php";
    $jc = new JustClick\Client(getenv("JUSTCLICK_LOGIN"), getenv("JUSTCLICK_SECRET"),
        ["base_url" => getenv("JUSTCLICK_BASE_URL"), "ca_file" => getenv("JUSTCLICK_CA_FILE")]);
    echo JustClick\Library::defaultPath(), " ", $jc->libraryVersion(), " ", $jc->deleteOrder("1111"), "\n";') ||
    fail "php -r with the Debian packages: $out"
echo "$out"
[ "$(realpath "${out%% *}")" = "$(realpath "/usr/lib/$MULTIARCH/libjustclick.so.0")" ] && [ "$(echo "$out" | cut -d' ' -f2)" = "$VERSION" ] ||
    fail "php did not use the system library: $out"

step "deb: PHP-FPM with the preload opt-in of justclick.ini serves a request"
mkdir "$T/fpm" "$T/www"
cat >"$T/www/index.php" <<'PHP'
<?php
require "JustClick/autoload.php";
$jc = new JustClick\Client(getenv("JUSTCLICK_LOGIN"), getenv("JUSTCLICK_SECRET"),
    ["base_url" => getenv("JUSTCLICK_BASE_URL"), "ca_file" => getenv("JUSTCLICK_CA_FILE")]);
echo "fpm: libjustclick ", $jc->libraryVersion(), ", ", $jc->deleteOrder("1111"), "\n";
PHP
chmod -R a+rX "$T/www"
cat >"$T/fpm/fpm.conf" <<CONF
[global]
error_log = $T/fpm/fpm.log
pid = $T/fpm/fpm.pid
daemonize = no
[www]
user = nobody
group = nogroup
listen = $T/fpm/fpm.sock
pm = static
pm.max_children = 1
catch_workers_output = yes
php_admin_value[error_log] = $T/fpm/php.log
env[JUSTCLICK_LOGIN] = demo
env[JUSTCLICK_SECRET] = $secret
env[JUSTCLICK_BASE_URL] = $url
env[JUSTCLICK_CA_FILE] = $T/ca.pem
CONF
# The lines justclick.ini has commented out for the admin to opt in.
mapfile -t optin < <(sed -n 's/^;\(opcache\.enable\|ffi\.preload\|opcache\.preload\|opcache\.preload_user\)=\(.*\)$/\1=\2/p' \
    "/etc/php/$PHPVER/mods-available/justclick.ini" | sed 's/preload_user=www-data/preload_user=nobody/')
[ ${#optin[@]} = 4 ] || fail "justclick.ini does not carry the 4 preload opt-in lines: ${optin[*]}"
"$FPM" --nodaemonize --fpm-config "$T/fpm/fpm.conf" $(printf -- '-d %s ' "${optin[@]}") >"$T/fpm/fpm.out" 2>&1 &
fpm_pid=$!
for _ in $(seq 200); do
    [ -S "$T/fpm/fpm.sock" ] && grep -q 'ready to handle connections' "$T/fpm/fpm.log" 2>/dev/null && break
    kill -0 "$fpm_pid" 2>/dev/null || fail "php-fpm did not start: $(cat "$T/fpm/fpm.out" "$T/fpm/fpm.log" 2>/dev/null)"
    sleep 0.05
done
reset_sandbox
body=$(SCRIPT_FILENAME="$T/www/index.php" SCRIPT_NAME=/index.php REQUEST_METHOD=GET QUERY_STRING= \
    SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 cgi-fcgi -bind -connect "$T/fpm/fpm.sock" | tr -d '\r')
echo "$body" | grep -q "^fpm: libjustclick $VERSION, " ||
    fail "FPM did not serve the request: $body $(cat "$T/fpm/fpm.log" "$T/fpm/php.log" 2>/dev/null)"
echo "$body" | grep '^fpm:'
kill "$fpm_pid"
wait "$fpm_pid" 2>/dev/null || true
fpm_pid=""

step "composer: a throwaway project requires the package from a path repository, offline"
mkdir "$T/composer-app"
cat >"$T/composer-app/composer.json" <<JSON
{
    "name": "test/justclick-app",
    "repositories": [
        {"type": "path", "url": "$A/share/justclick/php", "options": {"symlink": false, "versions": {"libjustclick/justclick-ffi": "$VERSION"}}},
        {"packagist.org": false}
    ],
    "require": {"libjustclick/justclick-ffi": "$VERSION"}
}
JSON
(cd "$T/composer-app" && COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_HOME="$T/composer-home" composer install -q --no-interaction) ||
    fail "composer install"
reset_sandbox
out=$(cd "$T/composer-app" && php -r '
    require "vendor/autoload.php";
    $jc = new JustClick\Client(getenv("JUSTCLICK_LOGIN"), getenv("JUSTCLICK_SECRET"),
        ["base_url" => getenv("JUSTCLICK_BASE_URL"), "ca_file" => getenv("JUSTCLICK_CA_FILE")]);
    echo (new ReflectionClass($jc))->getFileName(), " ", $jc->libraryVersion(), " ", $jc->deleteOrder("1111"), "\n";') ||
    fail "the Composer project: $out"
echo "$out"
case "$out" in "$T/composer-app/vendor/"*" $VERSION "*) ;; *) fail "the Composer project did not use its vendor copy: $out" ;; esac
php -r '$c = json_decode(file_get_contents($argv[1]), true); exit(isset($c["require"]["ext-ffi"]) || !isset($c["suggest"]["ext-ffi"]) ? 1 : 0);' \
    "$T/composer-app/vendor/libjustclick/justclick-ffi/composer.json" ||
    fail "the Composer package must suggest ext-ffi, not require it (the pure-PHP engine needs none)"
reset_sandbox
# A host where FFI cannot load (ffi.enable=0, no library): the same package
# serves through its pure-PHP engine, TLS verified against the sandbox's CA.
out=$(cd "$T/composer-app" && JUSTCLICK_LIB=/nonexistent/libjustclick.so php -d ffi.enable=0 -r '
    require "vendor/autoload.php";
    $jc = new JustClick\Client(getenv("JUSTCLICK_LOGIN"), getenv("JUSTCLICK_SECRET"),
        ["base_url" => getenv("JUSTCLICK_BASE_URL"), "ca_file" => getenv("JUSTCLICK_CA_FILE")]);
    echo $jc->engine(), " ", $jc->libraryVersion(), " ", $jc->deleteOrder("1111"), "\n";' 2>&1) ||
    fail "the Composer project without FFI: $out"
echo "$out"
[ "$out" = "php $VERSION Заказ удален" ] || fail "the Composer project without FFI did not use the pure-PHP engine: $out"

step "deb: apt-get purge removes everything"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${DEBS[@]}" >"$T/apt.log" 2>&1 || fail "apt-get purge: $(cat "$T/apt.log")"
debs_installed=no
left=""
while read -r f; do
    if [ -L "$f" ] || { [ -e "$f" ] && [ ! -d "$f" ]; }; then left+=" $f"; fi
done <"$T/installed-files"
for f in /etc/php/"$PHPVER"/*/conf.d/*justclick* /var/lib/php/modules/"$PHPVER"/*/*/justclick /usr/share/php/JustClick \
    /etc/php/"$PHPVER"/mods-available/justclick.ini; do
    [ -e "$f" ] || [ -L "$f" ] && left+=" $f"
done
[ -z "$left" ] || fail "left after apt-get purge:$left"
for p in "${DEBS[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 && fail "$p is still known to dpkg after purge"
done
echo "purged: no file remains"
