#!/usr/bin/env bash
# check-so.sh LIB [shipped|unstripped]: fails when the library needs a glibc
# newer than 2.17 (the GLIBC_ versions of its dynamic symbols, objdump -T),
# lacks the SONAME libjustclick.so.0 or NODELETE, or (shipped) is larger than
# 4 MiB or still carries debug sections.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
lib=${1:?usage: check-so.sh LIB [shipped|unstripped]}
mode=${2:-shipped}
[ -f "$lib" ] || die "$lib does not exist"

newest=$(objdump -T "$lib" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
[ -n "$newest" ] || die "$lib: no GLIBC_ symbol versions found (not a glibc build?)"
if [ "$(printf '%s\n%s\n' "$newest" "$GLIBC_MAX" | sort -V | tail -1)" != "$GLIBC_MAX" ]; then
    die "$lib needs GLIBC_$newest, newer than $GLIBC_MAX: build it with 'cargo zigbuild --target $ZIG_TARGET' (make dist)"
fi
readelf -d "$lib" | grep -q "Library soname: \[libjustclick.so.$MAJOR\]" || die "$lib: SONAME is not libjustclick.so.$MAJOR"
readelf -d "$lib" | grep -q 'NODELETE' || die "$lib: not linked with -z nodelete"
if [ "$mode" = shipped ]; then
    size=$(stat -L -c %s "$lib")
    [ "$size" -le $((4 * 1024 * 1024)) ] || die "$lib is $size bytes, more than 4 MiB"
    if readelf -S -W "$lib" | grep -qE '\.debug_(info|line)'; then
        die "$lib still has debug sections"
    fi
    readelf -S -W "$lib" | grep -q '\.gnu_debuglink' || die "$lib has no .gnu_debuglink"
fi
echo "check-so: $lib: GLIBC_$newest at most, SONAME libjustclick.so.$MAJOR, NODELETE${size:+, $size bytes}"
