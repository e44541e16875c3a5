"""Builds the justclick wheel from bindings/python/pyproject.toml, the package
directory (bindings/python/justclick) and a library file, without a build backend (nothing to download, and the
platform tag is ours to set: the library is a ctypes-loaded data file, not an
extension module).

    build-wheel.py PYPROJECT PACKAGE_DIR LIBRARY README VERSION OUTDIR
"""

import base64
import hashlib
import sys
import tomllib
import zipfile
from pathlib import Path


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main():
    pyproject, package, library, readme, version, outdir = sys.argv[1:]
    meta = tomllib.loads(Path(pyproject).read_text().replace("@VERSION@", version))
    project = meta["project"]
    tag = f"py3-none-{meta['tool']['justclick-wheel']['platform-tag']}"
    name = project["name"]
    dist_info = f"{name}-{version}.dist-info"

    lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"License: {project['license']['text']}",
        f"Requires-Python: {project['requires-python']}",
        f"Keywords: {','.join(project['keywords'])}",
    ]
    lines += [f"Classifier: {c}" for c in project["classifiers"]]
    lines += [f"Project-URL: {k}, {v}" for k, v in project["urls"].items()]
    lines.append("Description-Content-Type: text/markdown")
    metadata = ("\n".join(lines) + "\n\n" + Path(readme).read_text()).encode()
    wheel = (
        "Wheel-Version: 1.0\nGenerator: justclick packaging/build-wheel.py\n"
        f"Root-Is-Purelib: false\nTag: {tag}\n"
    ).encode()

    # Every file of the package directory (__init__.py, py.typed), caches
    # excluded, then the library beside them.
    sources = sorted(
        p for p in Path(package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    if not any(p.name == "__init__.py" for p in sources):
        sys.exit(f"build-wheel.py: {package} has no __init__.py")
    files = [
        (f"{name}/{p.relative_to(package).as_posix()}", p.read_bytes(), 0o644) for p in sources
    ]
    files += [
        (f"{name}/libjustclick.so", Path(library).read_bytes(), 0o755),
        (f"{dist_info}/METADATA", metadata, 0o644),
        (f"{dist_info}/WHEEL", wheel, 0o644),
        (f"{dist_info}/top_level.txt", f"{name}\n".encode(), 0o644),
    ]
    record = "\n".join(record_line(n, d) for n, d, _ in files) + f"\n{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode(), 0o644))

    out = Path(outdir) / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data, mode in files:
            info = zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(out)


if __name__ == "__main__":
    main()
