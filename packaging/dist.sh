#!/usr/bin/env bash
# `make dist`: the portable release archive dist/justclick-<v>-x86_64-linux-gnu.tar.gz
# and dist/SHA256SUMS. The library is built once here, against glibc 2.17
# with cargo-zigbuild, stripped (its debug info kept beside it as
# libjustclick.so.<v>.debug, found through .gnu_debuglink), and checked:
# SONAME, the newest GLIBC_ symbol version it needs, its size. `make deb` and
# `make wheel` repackage this archive, so all three ship the same bytes.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

need objcopy binutils
need objdump binutils
need readelf binutils
need_venv cargo-zigbuild

# cargo-zigbuild runs `python -m ziglang` from the venv.
PATH="$VENV/bin:$PATH" cargo zigbuild --release --lib --target "$ZIG_TARGET"
# The command line. An executable cannot leave glibc symbols undefined as the
# shared library may (Rust's std refers to getrandom, glibc 2.25), so it is
# linked against glibc $CLI_GLIBC_MAX (Debian 10, Ubuntu 18.10, RHEL 8 and
# newer); the rest of the archive keeps $GLIBC_MAX.
PATH="$VENV/bin:$PATH" cargo zigbuild --release -p justclick-cli --bin justclick --target "$CLI_ZIG_TARGET"

so="$ZIG_OUT/libjustclick.so"
packaging/check-so.sh "$so" unstripped

stage="$ROOT/target/dist-stage"
rm -rf "$stage"
top="$stage/$NAME"
mkdir -p "$top/bin" "$top/lib/pkgconfig" "$top/include" "$top/share/justclick/php" "$top/share/justclick/python"

# The justclick command line, stripped, with no GLIBC_ symbol newer than $CLI_GLIBC_MAX.
objcopy --strip-debug --strip-unneeded "$ZIG_OUT/justclick" "$top/bin/justclick"
chmod 0755 "$top/bin/justclick"
newest=$(objdump -T "$top/bin/justclick" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
[ "$(printf '%s\n%s\n' "$newest" "GLIBC_$CLI_GLIBC_MAX" | sort -V | tail -n 1)" = "GLIBC_$CLI_GLIBC_MAX" ] ||
    die "bin/justclick needs $newest, newer than GLIBC_$CLI_GLIBC_MAX"

# Strip, keeping the debug info beside it: gdb and perf find it through the
# debuglink (same directory, or /usr/lib/debug/<dir>/).
real="libjustclick.so.$VERSION"
objcopy --only-keep-debug "$so" "$top/lib/$real.debug"
chmod 0644 "$top/lib/$real.debug"
objcopy --strip-debug --strip-unneeded "$so" "$top/lib/$real.tmp"
(cd "$top/lib" && objcopy --add-gnu-debuglink="$real.debug" "$real.tmp" "$real" && rm "$real.tmp")
chmod 0755 "$top/lib/$real"
ln -s "$real" "$top/lib/libjustclick.so.$MAJOR"
ln -s "libjustclick.so.$MAJOR" "$top/lib/libjustclick.so"
# The static library: debug sections dropped too (it is linked into programs).
objcopy --strip-debug "$ZIG_OUT/libjustclick.a" "$top/lib/libjustclick.a"
chmod 0644 "$top/lib/libjustclick.a"
packaging/check-so.sh "$top/lib/$real" shipped

# Relocatable: pkg-config substitutes ${pcfiledir}, the directory of this file.
sed -e 's|^prefix=.*|prefix=${pcfiledir}/../..|' -e "s|@VERSION@|$VERSION|" \
    -e "s|@LIBS_PRIVATE@|$(native_static_libs)|" \
    justclick.pc.in >"$top/lib/pkgconfig/justclick.pc"

install -m 0644 include/justclick.h include/justclick_php.h "$HPP" "$top/include/"

# The PHP package as Composer and the archive's users see it.
php_src=bindings/php
cp -r "$php_src/src" "$top/share/justclick/php/"
# The pure-PHP engine's CA roots (hashed directory for curl's CAPATH).
mkdir -p "$top/share/justclick/php/resources"
cp -r "$php_src/resources/roots" "$top/share/justclick/php/resources/"
install -m 0644 "$php_src/autoload.php" "$php_src/preload.php" "$php_src/ffi-header.php" \
    "$php_src/README.md" "$top/share/justclick/php/"
install -m 0644 composer.json "$top/share/justclick/php/composer.json"
# Relative to the repository root, composer.json names bindings/php/src/.
sed -i 's|"bindings/php/src/JustClick/"|"src/JustClick/"|' "$top/share/justclick/php/composer.json"

# The Python package (the wheel carries the same files and the library).
mkdir -p "$top/share/justclick/python/justclick"
install -m 0644 bindings/python/justclick/__init__.py bindings/python/justclick/py.typed \
    "$top/share/justclick/python/justclick/"

# The examples a user copies (their autoload finds ../../php from here).
mkdir -p "$top/share/justclick/examples"
cp -r examples/c examples/cpp examples/php examples/python "$top/share/justclick/examples/"
install -m 0644 README.md SECURITY.md LICENSE-MIT LICENSE-APACHE "$top/"

mkdir -p "$DIST"
rm -f "$ARCHIVE"
# Reproducible-ish: fixed owner and order.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" -czf "$ARCHIVE" "$NAME"
(cd "$DIST" && sha256sum "$NAME.tar.gz" >SHA256SUMS)
echo "dist: $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1)); library $(stat -c %s "$top/lib/$real") bytes"
