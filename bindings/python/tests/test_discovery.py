"""Where the library is found without ``lib=`` and ``JUSTCLICK_LIB``: the copy
inside the installed package first, then the system library in the loader's
search path, then the repository build. Each case runs in a child Python, as
the loader's search path and the module's location are per process."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import justclick

MODULE = Path(justclick.__file__).resolve()


def _child(code, cwd, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("JUSTCLICK_LIB", "LD_LIBRARY_PATH")}
    base.update(env)
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=base,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_system_library_comes_before_the_repository_build(tmp_path):
    libdir = tmp_path / "lib"
    libdir.mkdir()
    shutil.copy(os.environ["JUSTCLICK_LIB"], libdir / "libjustclick.so.0")
    # The module alone, wherever it is installed (a wheel's would find its own library).
    (tmp_path / "mod").mkdir()
    shutil.copy(MODULE, tmp_path / "mod" / "justclick.py")
    code = (f"import sys; sys.path.insert(0, {str(tmp_path / 'mod')!r}); import justclick; "
            "print(justclick.find_library()); print(justclick.library_version())")
    path, version = _child(code, tmp_path, LD_LIBRARY_PATH=str(libdir)).splitlines()
    assert path == str(libdir / "libjustclick.so.0")
    assert version.count(".") == 2


def test_the_library_inside_the_package_comes_first(tmp_path):
    pkg = tmp_path / "site" / "justclick"
    pkg.mkdir(parents=True)
    shutil.copy(MODULE, pkg / "__init__.py")
    shutil.copy(os.environ["JUSTCLICK_LIB"], pkg / "libjustclick.so")
    libdir = tmp_path / "lib"
    libdir.mkdir()
    shutil.copy(os.environ["JUSTCLICK_LIB"], libdir / "libjustclick.so.0")
    code = (f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); import justclick; "
            "print(justclick.find_library()); print(justclick.library_version())")
    path, version = _child(code, tmp_path, LD_LIBRARY_PATH=str(libdir)).splitlines()
    assert path == str(pkg / "libjustclick.so")
    assert version.count(".") == 2
    # lib= and JUSTCLICK_LIB still win over it.
    env_lib = str(libdir / "libjustclick.so.0")
    code = (f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); import justclick; "
            "print(justclick.find_library())")
    assert _child(code, tmp_path, JUSTCLICK_LIB=env_lib) == env_lib
