"""Fixtures: the justclick-sandbox binary on an ephemeral loopback port, and
clients pointed at it. Run through bindings/python/run-tests.sh, which sets
JUSTCLICK_LIB to the library under test (the release archive's under `make
test`), JUSTCLICK_HOOKS_LIB to the `test-hooks` build (its test hooks,
for the panic tests only) and JUSTCLICK_SANDBOX to the sandbox binary.
"""

import json
import os
import secrets
import select
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
sys.path.insert(0, str(HERE.parent))

# The release library of this repository, unless JUSTCLICK_LIB
# names another. Copied out of the repository (packaging/test-installed.sh
# runs the suite against the installed wheel), there is none: the binding
# finds its own.
_BUILT = REPO / "target" / os.environ.get("JUSTCLICK_TEST_PROFILE", "release") / "libjustclick.so"
if _BUILT.is_file():
    os.environ.setdefault("JUSTCLICK_LIB", str(_BUILT))
# The build with the test hooks (jc_test_panic, SandboxPanic in batches),
# which the shipped library does not have.
HOOKS_LIB = Path(os.environ.get("JUSTCLICK_HOOKS_LIB") or _BUILT.parent / "hooks" / "libjustclick.so")

import justclick  # noqa: E402

SANDBOX_BIN = Path(
    os.environ.get("JUSTCLICK_SANDBOX") or REPO / "target" / "release" / "justclick-sandbox"
)
LOGIN = "demo"
# A fresh secret per run: tests assert it never shows up in any output.
SECRET = "py-secret-" + secrets.token_hex(12)

# Admin requests go straight to loopback, whatever proxy the environment sets.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Sandbox:
    """A running justclick-sandbox process and its admin endpoints."""

    def __init__(self, *extra_args):
        if not SANDBOX_BIN.is_file():
            pytest.fail(
                f"{SANDBOX_BIN} is missing: run `cargo build --release` first",
                pytrace=False,
            )
        self.proc = subprocess.Popen(
            [str(SANDBOX_BIN), "--port", "0", "--login", LOGIN, "--secret", SECRET,
             "--exit-on-stdin-eof", *extra_args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.url = None
        self.ca_file = None
        want_ca = "--tls" in extra_args
        deadline = time.monotonic() + 30
        buf = b""
        while self.url is None or (want_ca and self.ca_file is None):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                err = self.proc.stderr.read() if self.proc.poll() is not None else b""
                self.stop()
                raise RuntimeError(f"sandbox did not start: {buf!r} {err!r}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                continue
            buf += chunk
            for line in buf.decode().splitlines():
                if line.startswith("listening on "):
                    self.url = line[len("listening on "):].strip()
                elif line.startswith("ca_file "):
                    self.ca_file = line[len("ca_file "):].strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()  # --exit-on-stdin-eof
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()

    def admin(self, method, path, form=None, timeout=10):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        opener = _DIRECT
        if self.ca_file:  # HTTPS, verified against the sandbox's own CA
            ctx = ssl.create_default_context(cafile=self.ca_file)
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx)
            )
        with opener.open(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode())

    def fault(self, mode, **fields):
        """Changes the fault at run time (POST /__sandbox/fault)."""
        form = {"mode": mode, "rate": "1"}
        form.update({k: str(v) for k, v in fields.items()})
        try:
            answer = self.admin("POST", "/__sandbox/fault", form, timeout=5)
        except OSError as e:  # socket timeouts included
            raise AssertionError(f"POST /__sandbox/fault did not answer: {e}") from None
        assert answer["ok"] and answer["mode"] == mode
        return answer

    def reset(self):
        """Seed data back, fault off, counters zero."""
        self.admin("POST", "/__sandbox/reset", {})

    def stats(self):
        return self.admin("GET", "/__sandbox/stats")

    def client(self, lib=None, **options):
        opts = {"base_url": self.url, "proxy": "", "timeout_ms": 10000}
        opts.update(options)
        return justclick.Client(LOGIN, SECRET, opts, lib=lib)


@pytest.fixture(scope="session")
def sandbox():
    sb = Sandbox()
    yield sb
    sb.stop()


@pytest.fixture(scope="session")
def tls_sandbox(tmp_path_factory):
    ca = tmp_path_factory.mktemp("tls") / "sandbox-ca.pem"
    sb = Sandbox("--tls", "--ca-out", str(ca))
    assert sb.url.startswith("https://127.0.0.1:"), sb.url
    assert Path(sb.ca_file) == ca and ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
    yield sb
    sb.stop()


@pytest.fixture
def start_sandbox():
    """Starts private sandboxes (e.g. with --fault MODE) stopped after the test."""
    started = []

    def start(*args):
        sb = Sandbox(*args)
        started.append(sb)
        return sb

    yield start
    for sb in started:
        sb.stop()


@pytest.fixture(autouse=True)
def _fresh_sandbox(request):
    """Every test starts from the seed data with no fault."""
    for name in ("sandbox", "tls_sandbox"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()


@pytest.fixture
def client(sandbox):
    c = sandbox.client()
    yield c
    c.close()


def assert_no_secret(*texts):
    for t in texts:
        assert SECRET not in str(t) and SECRET not in repr(t)


@pytest.fixture
def hooks_lib():
    """The path of the library with the test hooks; fails (never skips) when
    it is missing or lacks them."""
    import ctypes
    if not HOOKS_LIB.is_file():
        pytest.fail(f"{HOOKS_LIB} is missing: run `tests/hooks-lib.sh release` (make test-build does)",
                    pytrace=False)
    if not hasattr(ctypes.CDLL(str(HOOKS_LIB)), "jc_test_panic"):
        pytest.fail(f"{HOOKS_LIB} is not the test-hooks build (no jc_test_panic)",
                    pytrace=False)
    return str(HOOKS_LIB)
