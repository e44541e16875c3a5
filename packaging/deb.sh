#!/usr/bin/env bash
# `make deb`: libjustclick0, libjustclick-dev, php-justclick and
# justclick-tools in dist/,
# repackaged from the release archive that `make dist` built (the same
# stripped glibc-2.17 library), with dpkg-deb; then lintian, which must report
# no error. The PHP package targets the PHP version installed here (its conf
# lives in /etc/php/<version>/mods-available).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

need dpkg-deb dpkg
need dpkg-architecture dpkg-dev
need lintian lintian
need php php-cli
[ -f "$ARCHIVE" ] || die "$ARCHIVE not found: run 'make dist' first"

ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
PHPVER=$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
DEBVER="$VERSION-1"
MAINT="justclick maintainers <justclick-maintainers@example.org>"
LIBDIR="usr/lib/$MULTIARCH"

work="$ROOT/target/deb"
rm -rf "$work"
mkdir -p "$work"
tar -xzf "$ARCHIVE" -C "$work"
src="$work/$NAME"

# The copyright file with the MIT text indented as Debian wants (" ." for blank lines).
copyright() {
    local mit
    mit=$(sed -e 's/^$/./' -e 's/^/ /' LICENSE-MIT)
    awk -v mit="$mit" '{ if ($0 == "@MIT@") print mit; else print }' packaging/debian/copyright
}

# Common files of a package: copyright, changelog, md5sums, control (Installed-Size).
# finish PKG ARCH DESCRIPTION-AND-FIELDS...
finish() {
    local pkg=$1 root=$work/$1
    install -d "$root/usr/share/doc/$pkg" "$root/DEBIAN"
    copyright >"$root/usr/share/doc/$pkg/copyright"
    printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
        "$pkg" "$DEBVER" "$VERSION" "$MAINT" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" |
        gzip -9n >"$root/usr/share/doc/$pkg/changelog.Debian.gz"
    (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
    local size
    size=$(du -k -s --exclude=DEBIAN "$root" | cut -f1)
    {
        echo "Package: $pkg"
        echo "Source: justclick"
        echo "Version: $DEBVER"
        echo "Maintainer: $MAINT"
        echo "Installed-Size: $size"
        cat
    } >"$root/DEBIAN/control"
    find "$root" -type d -exec chmod 0755 {} +
    dpkg-deb --build --root-owner-group "$root" "$DIST/${pkg}_${DEBVER}_$(sed -n 's/^Architecture: //p' "$root/DEBIAN/control").deb" >/dev/null
}

rm -f "$DIST"/*.deb

# --- libjustclick0: the shared library, with shlibs and symbols files so a
# package built against it gets "Depends: libjustclick0 (>= <version>)".
r="$work/libjustclick0"
install -d "$r/$LIBDIR"
install -m 0644 "$src/lib/libjustclick.so.$VERSION" "$r/$LIBDIR/"
ln -s "libjustclick.so.$VERSION" "$r/$LIBDIR/libjustclick.so.$MAJOR"
install -d "$r/DEBIAN"
echo "libjustclick $MAJOR libjustclick0 (>= $VERSION)" >"$r/DEBIAN/shlibs"
{
    echo "libjustclick.so.$MAJOR libjustclick0 #MINVER#"
    objdump -T "$src/lib/libjustclick.so.$VERSION" | awk '$2 == "g" && $4 == ".text" { print " " $NF "@Base '"$VERSION"'" }' | sort
} >"$r/DEBIAN/symbols"
grep -q ' jc_version@Base' "$r/DEBIAN/symbols" || die "no jc_* symbols found for the symbols file"
echo "activate-noawait ldconfig" >"$r/DEBIAN/triggers"
finish libjustclick0 <<EOF2
Architecture: $ARCH
Multi-Arch: same
Section: libs
Priority: optional
Depends: libc6 (>= 2.17)
Homepage: https://justclick.ru/
Description: client library for the JustClick API (C ABI)
 libjustclick signs JustClick API requests, verifies TLS and every response
 signature, and keeps connections alive. Unofficial; written in Rust, with a
 C ABI used from C, C++, PHP (FFI) and Python.
EOF2

# --- libjustclick-dev: headers, static library, .so link, pkg-config.
r="$work/libjustclick-dev"
install -d "$r/usr/include" "$r/$LIBDIR/pkgconfig"
install -m 0644 "$src/include/justclick.h" "$src/include/justclick_php.h" "$src/include/justclick.hpp" "$r/usr/include/"
install -m 0644 "$src/lib/libjustclick.a" "$r/$LIBDIR/"
ln -s "libjustclick.so.$MAJOR" "$r/$LIBDIR/libjustclick.so"
sed -e "s|@PREFIX@|/usr|" -e "s|@VERSION@|$VERSION|" -e "s|^libdir=.*|libdir=\${prefix}/lib/$MULTIARCH|" \
    -e "s|@LIBS_PRIVATE@|$(native_static_libs)|" \
    justclick.pc.in >"$r/$LIBDIR/pkgconfig/justclick.pc"
finish libjustclick-dev <<EOF2
Architecture: $ARCH
Multi-Arch: same
Section: libdevel
Priority: optional
Depends: libjustclick0 (= $DEBVER)
Homepage: https://justclick.ru/
Description: client library for the JustClick API (development files)
 Headers for C (justclick.h) and C++ (justclick.hpp), the static library and
 the pkg-config file of libjustclick:
  cc app.c \$(pkg-config --cflags --libs justclick)
EOF2

# --- php-justclick: the PHP library under /usr/share/php (on PHP's default
# include_path), its header with an absolute FFI_LIB, and a conf enabled with
# phpenmod.
r="$work/php-justclick"
phpdir="$r/usr/share/php/JustClick"
install -d "$phpdir" "$r/etc/php/$PHPVER/mods-available"
# The layout of the repository and the archive (autoload.php, preload.php and
# ffi-header.php beside src/JustClick/), which their code and messages assume.
# Both engines: FFI (Engine/) and pure PHP (Pure/, with its CA roots).
install -d "$phpdir/src/JustClick" "$phpdir/src/JustClick/Engine" "$phpdir/src/JustClick/Pure" "$phpdir/resources/roots"
install -m 0644 "$src"/share/justclick/php/src/JustClick/*.php "$phpdir/src/JustClick/"
install -m 0644 "$src"/share/justclick/php/src/JustClick/Engine/*.php "$phpdir/src/JustClick/Engine/"
install -m 0644 "$src"/share/justclick/php/src/JustClick/Pure/*.php "$phpdir/src/JustClick/Pure/"
install -m 0644 "$src"/share/justclick/php/resources/roots/* "$phpdir/resources/roots/"
install -m 0644 "$src/share/justclick/php/autoload.php" "$src/share/justclick/php/preload.php" \
    "$src/share/justclick/php/ffi-header.php" "$phpdir/"
sed -e "s|^#define FFI_LIB .*|#define FFI_LIB \"/$LIBDIR/libjustclick.so.$MAJOR\"|" "$src/include/justclick_php.h" >"$phpdir/justclick_php.h"
chmod 0644 "$phpdir/justclick_php.h"
sed -e "s|@PHPVER@|$PHPVER|g" -e "s|@MULTIARCH@|$MULTIARCH|g" packaging/debian/justclick.ini >"$r/etc/php/$PHPVER/mods-available/justclick.ini"
install -d "$r/DEBIAN"
echo "/etc/php/$PHPVER/mods-available/justclick.ini" >"$r/DEBIAN/conffiles"
cat >"$r/DEBIAN/postinst" <<EOF2
#!/bin/sh
set -e
if [ "\$1" = configure ] && command -v phpenmod >/dev/null; then
    phpenmod -v $PHPVER -s ALL -m justclick
fi
EOF2
cat >"$r/DEBIAN/prerm" <<EOF2
#!/bin/sh
set -e
if [ "\$1" = remove ] && command -v phpdismod >/dev/null; then
    phpdismod -v $PHPVER -s ALL -m justclick
fi
EOF2
cat >"$r/DEBIAN/postrm" <<EOF2
#!/bin/sh
set -e
# purge: forget phpenmod's record of the module too, one SAPI at a time
# (with -s ALL, phpdismod -p forgets it for the last SAPI only).
if [ "\$1" = purge ] && command -v phpdismod >/dev/null && command -v phpquery >/dev/null; then
    for sapi in \$(phpquery -v $PHPVER -S 2>/dev/null); do
        phpdismod -v $PHPVER -s "\$sapi" -m -p justclick || true
    done
fi
EOF2
chmod 0755 "$r/DEBIAN/postinst" "$r/DEBIAN/prerm" "$r/DEBIAN/postrm"
finish php-justclick <<EOF2
Architecture: all
Section: php
Priority: optional
Depends: php$PHPVER-common, php$PHPVER-curl, php-common
Recommends: libjustclick0 (>= $VERSION), php$PHPVER-cli
Suggests: php$PHPVER-fpm, php$PHPVER-opcache
Homepage: https://justclick.ru/
Description: JustClick API client for PHP (libjustclick over FFI, or pure PHP)
 The JustClick\\ classes under /usr/share/php: require "JustClick/autoload.php";
 then new JustClick\\Client(\$login, \$secret). Calls go through libjustclick
 (PHP FFI) where it can be loaded, else through the pure-PHP engine (ext-curl),
 with the same behaviour. PHP-FPM preloads the library when the admin opts in
 (see /etc/php/$PHPVER/mods-available/justclick.ini).
EOF2

# --- justclick-tools: the justclick command line (the library is linked in).
r="$work/justclick-tools"
install -d "$r/usr/bin"
install -m 0755 "$src/bin/justclick" "$r/usr/bin/justclick"
finish justclick-tools <<EOF2
Architecture: $ARCH
Section: utils
Priority: optional
Depends: libc6 (>= $CLI_GLIBC_MAX)
Homepage: https://justclick.ru/
Description: JustClick API from the shell (the justclick command)
 justclick calls any JustClick API method with the library's validation and
 prints the answer as JSON, verifies notification bodies, sends correctly
 signed test notifications of every event to a shop's receiver, and runs the
 local sandbox. Exit status 0 success, 1 API error, 2 bad arguments, 3
 transport or signature failure.
EOF2

echo "lintian:"
# Errors fail the build; warnings are printed for the record.
lintian_out=$(lintian --tag-display-limit 0 "$DIST"/*.deb 2>&1) || true
echo "$lintian_out"
if echo "$lintian_out" | grep -q '^E: '; then
    die "lintian reports errors (above)"
fi
ls -l "$DIST"/*.deb
