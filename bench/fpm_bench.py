#!/usr/bin/env python3
"""The PHP-FPM benchmark (issue 11): web requests through php-fpm over HTTPS
with a round-trip time added, the library (a new JustClick\\Client per
request, persistent => true) against the seeds' PHP (curl, a new connection
and TLS handshake per request), and the 1-RTT limit beside them.

Setup, all on loopback: justclick-sandbox --tls, delay_proxy.py in front of
it (RTT_MS, default 10), Debian's php-fpm with a static pool of 2 workers in
the documented ffi.preload + opcache.preload setup, and a FastCGI client
here that sends one request at a time (as nginx would; no process is
started per request). Rounds alternate between the two scripts; the figure
is the median over rounds. Prints a table row and the ratio.

Run through fpm_bench.sh (builds the release library and sandbox first).
Environment: FPM_BENCH_RTT_MS (10), FPM_BENCH_REQUESTS (per round, 40),
FPM_BENCH_ROUNDS (5), JUSTCLICK_PHP_FPM (php-fpm binary).
Exit status 0 when measured (the target is reported, not enforced), 1 when
a measurement failed.
"""

import glob
import os
import secrets
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
# JUSTCLICK_LIB measures another build, e.g. the one a Debian package
# installed (/usr/lib/x86_64-linux-gnu/libjustclick.so.0).
LIB = os.environ.get("JUSTCLICK_LIB") or os.path.join(TARGET, "release", "libjustclick.so")
SANDBOX = os.path.join(TARGET, "release", "justclick-sandbox")

RTT_MS = float(os.environ.get("FPM_BENCH_RTT_MS", "10"))
REQUESTS = int(os.environ.get("FPM_BENCH_REQUESTS", "40"))
ROUNDS = int(os.environ.get("FPM_BENCH_ROUNDS", "5"))
WORKERS = 2
TARGET_RATIO = 3.0


def fail(message):
    print(f"fpm_bench: {message}", file=sys.stderr)
    sys.exit(1)


def find_fpm():
    env = os.environ.get("JUSTCLICK_PHP_FPM")
    if env:
        return env
    for name in ("php-fpm8.2", "php-fpm"):
        path = shutil.which(name)
        if path:
            return path
    found = sorted(glob.glob("/usr/sbin/php-fpm*"))
    if not found:
        fail("php-fpm not found: install the Debian package php-fpm")
    return found[0]


def read_line_with(proc, prefix, timeout=20):
    """The rest of the first stdout line of `proc` starting with prefix."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        line = line.decode().strip()
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    fail(f"{proc.args[0]} did not print {prefix!r}")


# -- FastCGI (the subset a web server uses) ---------------------------------

FCGI_BEGIN, FCGI_END, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def _record(kind, content, request_id=1):
    return struct.pack(">BBHHBx", 1, kind, request_id, len(content), 0) + content


def _pair(name, value):
    out = b""
    for n in (len(name), len(value)):
        out += bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def fcgi_request(sock_path, params):
    """One request over a new connection; returns (stdout bytes, app status)."""
    body = b"".join(_pair(k.encode(), v.encode()) for k, v in params.items())
    msg = (
        _record(FCGI_BEGIN, struct.pack(">HB5x", 1, 0))  # responder, close after
        + _record(FCGI_PARAMS, body)
        + _record(FCGI_PARAMS, b"")
        + _record(FCGI_STDIN, b"")
    )
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    try:
        s.connect(sock_path)
        s.sendall(msg)
        buf, out = b"", b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                fail("php-fpm closed the connection before FCGI_END_REQUEST")
            buf += chunk
            while len(buf) >= 8:
                _, kind, _, length, pad = struct.unpack(">BBHHB", buf[:7])
                if len(buf) < 8 + length + pad:
                    break
                content = buf[8 : 8 + length]
                buf = buf[8 + length + pad :]
                if kind == FCGI_STDOUT:
                    out += content
                elif kind == FCGI_END:
                    return out, struct.unpack(">I", content[:4])[0]
    finally:
        s.close()


def main():
    fpm = find_fpm()
    for path in (LIB, SANDBOX):
        if not os.path.exists(path):
            fail(f"{path} missing: run `cargo build --release`")
    tmp = tempfile.mkdtemp(prefix="justclick-fpm-bench-")
    os.chmod(tmp, 0o755)
    procs = []
    try:
        secret = "bench-" + secrets.token_hex(12)
        ca = os.path.join(tmp, "ca.pem")
        sandbox = subprocess.Popen(
            [SANDBOX, "--port", "0", "--login", "demo", "--tls", "--ca-out", ca,
             "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "JUSTCLICK_SANDBOX_SECRET": secret},
        )
        procs.append(sandbox)
        sandbox_port = read_line_with(sandbox, "listening on ").rsplit(":", 1)[1]
        read_line_with(sandbox, "ca_file ")
        os.chmod(ca, 0o644)
        proxy = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "delay_proxy.py"), "127.0.0.1",
             sandbox_port, str(RTT_MS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        procs.append(proxy)
        url = "https://127.0.0.1:" + read_line_with(proxy, "listening on ")

        # The documented FPM setup of a root master: ffi.preload with an
        # absolute FFI_LIB, opcache.preload for the classes.
        header = os.path.join(tmp, "justclick_php.h")
        with open(header, "wb") as f:
            f.write(subprocess.run(
                ["php", os.path.join(ROOT, "bindings/php/ffi-header.php"), LIB],
                check=True, stdout=subprocess.PIPE).stdout)
        os.chmod(header, 0o644)
        sock = os.path.join(tmp, "fpm.sock")
        conf = os.path.join(tmp, "fpm.conf")
        with open(conf, "w") as f:
            f.write(f"""[global]
error_log = {tmp}/fpm.log
daemonize = no
[www]
listen = {sock}
listen.mode = 0666
pm = static
pm.max_children = {WORKERS}
clear_env = yes
""")
        root = os.geteuid() == 0
        cmd = [fpm, "--nodaemonize", "--fpm-config", conf]
        ini = {
            "ffi.enable": "preload", "ffi.preload": header, "opcache.enable": "1",
            "opcache.preload": os.path.join(ROOT, "bindings/php/preload.php"),
        }
        if root:
            cmd.append("--allow-to-run-as-root")
            ini["opcache.preload_user"] = "nobody"
        for k, v in ini.items():
            cmd += ["-d", f"{k}={v}"]
        php_fpm = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(php_fpm)
        deadline = time.monotonic() + 20
        while not (os.path.exists(sock) and "ready to handle" in open(f"{tmp}/fpm.log").read()):
            if php_fpm.poll() is not None or time.monotonic() > deadline:
                fail("php-fpm did not start:\n" + open(f"{tmp}/fpm.log").read())
            time.sleep(0.02)

        def one(script):
            out, status = fcgi_request(sock, {
                "SCRIPT_FILENAME": os.path.join(HERE, script),
                "SCRIPT_NAME": "/" + script, "REQUEST_METHOD": "GET", "QUERY_STRING": "",
                "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
                "JC_BENCH_URL": url, "JC_BENCH_CA": ca, "JC_BENCH_SECRET": secret,
            })
            text = out.split(b"\r\n\r\n", 1)[-1]
            if status != 0 or text != b"ok":
                fail(f"{script} failed: {out[:300]!r}")

        scripts = {"library": "fpm_library.php", "seeds": "fpm_seeds.php"}
        rates = {name: [] for name in scripts}
        for script in scripts.values():  # warm-up: opcache, pools of both workers
            for _ in range(2 * WORKERS):
                one(script)
        for _ in range(ROUNDS):
            for name, script in scripts.items():
                t0 = time.perf_counter()
                for _ in range(REQUESTS):
                    one(script)
                rates[name].append(REQUESTS / (time.perf_counter() - t0))
        lib = statistics.median(rates["library"])
        seeds = statistics.median(rates["seeds"])
        limit = 1000.0 / RTT_MS
        ratio = lib / seeds
        met = "yes" if ratio >= TARGET_RATIO else "no"
        print(f"rounds: library {[round(r, 1) for r in rates['library']]} req/s, "
              f"seeds {[round(r, 1) for r in rates['seeds']]} req/s")
        print("| #  | measurement | measured (median) | ratio | target | met |")
        print(f"| 7  | PHP-FPM web requests over HTTPS, {RTT_MS:g} ms RTT added, one call each: "
              f"library (new Client per request, persistent) vs PHP seeds' approach "
              f"(1-RTT limit: {limit:.0f} req/s) | {lib:.1f} vs {seeds:.1f} req/s "
              f"({lib / limit:.0%} of the 1-RTT limit) | {ratio:.2f}x | >= {TARGET_RATIO:g}x | {met} |")
        print(f"ratio {ratio:.2f}")
    finally:
        for p in reversed(procs):
            if p.stdin:
                p.stdin.close()  # the sandbox and the proxy stop on EOF
            if p.poll() is None:
                p.terminate()  # our own php-fpm master (SIGTERM stops its workers)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
