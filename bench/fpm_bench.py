#!/usr/bin/env python3
"""The PHP-FPM benchmark (issues 11 and 19): web requests through php-fpm
over HTTPS with a round-trip time added, against the seeds' PHP (curl, a new
connection and TLS handshake per call), and the 1-RTT limit beside them.

Row 7: the FFI engine (a new JustClick\\Client per request, persistent =>
true) in the documented ffi.preload + opcache.preload setup. Row 7b: the
pure-PHP engine on a second pool whose php.ini is Debian's (FFI only for
preloaded code, nothing preloaded: what a shared host gives), one call per
request. Row 7c: the same pool, MANY calls in one request (one client, its
kept-alive connection) against the snippet pasted MANY times.

Setup, all on loopback: justclick-sandbox --tls, delay_proxy.py in front of
it (RTT_MS, default 10), Debian's php-fpm with static pools of 2 workers,
and a FastCGI client here that sends one request at a time (as nginx would;
no process is started per request). Rounds alternate between the scripts;
the figure is the median over rounds. Prints the table rows and ratios.

Run through fpm_bench.sh (builds the release library and sandbox first).
Environment: FPM_BENCH_RTT_MS (10), FPM_BENCH_REQUESTS (per round, 40),
FPM_BENCH_ROUNDS (5), FPM_BENCH_MANY (calls per request in 7c, 20),
FPM_BENCH_MANY_REQUESTS (per round in 7c, 4), JUSTCLICK_PHP_FPM.
Exit status 0 when measured (the targets are reported, not enforced), 1
when a measurement failed.
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
# Rows 7c: calls per request, requests per round, and the target.
MANY = int(os.environ.get("FPM_BENCH_MANY", "20"))
MANY_REQUESTS = int(os.environ.get("FPM_BENCH_MANY_REQUESTS", "4"))
MANY_TARGET = 2.5


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
        root = os.geteuid() == 0

        def start_pool(name, ini):
            """A php-fpm master with a static pool; returns its socket."""
            sock = os.path.join(tmp, f"{name}.sock")
            conf = os.path.join(tmp, f"{name}.conf")
            log = os.path.join(tmp, f"{name}.log")
            with open(conf, "w") as f:
                f.write(f"""[global]
error_log = {log}
pid = {tmp}/{name}.pid
daemonize = no
[www]
listen = {sock}
listen.mode = 0666
pm = static
pm.max_children = {WORKERS}
clear_env = yes
""")
            cmd = [fpm, "--nodaemonize", "--fpm-config", conf]
            if root:
                cmd.append("--allow-to-run-as-root")
                if "opcache.preload" in ini:
                    ini = {**ini, "opcache.preload_user": "nobody"}
            for k, v in ini.items():
                cmd += ["-d", f"{k}={v}"]
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(proc)
            deadline = time.monotonic() + 20
            while not (os.path.exists(sock) and os.path.exists(log) and "ready to handle" in open(log).read()):
                if proc.poll() is not None or time.monotonic() > deadline:
                    fail(f"php-fpm ({name}) did not start:\n" + (open(log).read() if os.path.exists(log) else ""))
                time.sleep(0.02)
            return sock

        # The documented FPM setup of a root master: ffi.preload with an
        # absolute FFI_LIB, opcache.preload for the classes.
        ffi_sock = start_pool("ffi", {
            "ffi.enable": "preload", "ffi.preload": header, "opcache.enable": "1",
            "opcache.preload": os.path.join(ROOT, "bindings/php/preload.php"),
        })
        # A shared host: php.ini as Debian ships it (FFI only for preloaded
        # code, nothing preloaded), so the client runs on the pure-PHP engine.
        plain_sock = start_pool("plain", {"opcache.enable": "1"})

        def one(sock, script, calls, expect):
            out, status = fcgi_request(sock, {
                "SCRIPT_FILENAME": os.path.join(HERE, script),
                "SCRIPT_NAME": "/" + script, "REQUEST_METHOD": "GET", "QUERY_STRING": "",
                "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
                "JC_BENCH_URL": url, "JC_BENCH_CA": ca, "JC_BENCH_SECRET": secret,
                "JC_BENCH_CALLS": str(calls),
            })
            text = out.split(b"\r\n\r\n", 1)[-1]
            if status != 0 or text != b"ok " + expect.encode():
                fail(f"{script} failed (expected 'ok {expect}'): {out[:300]!r}")

        # name: (socket, script, calls per request, what it must print)
        cases = {
            "library": (ffi_sock, "fpm_library.php", 1, "ffi"),
            "seeds": (ffi_sock, "fpm_seeds.php", 1, "seeds"),
            "pure": (plain_sock, "fpm_library.php", 1, "php"),
            "pure_seeds": (plain_sock, "fpm_seeds.php", 1, "seeds"),
            "pure_many": (plain_sock, "fpm_library.php", MANY, "php"),
            "seeds_many": (plain_sock, "fpm_seeds.php", MANY, "seeds"),
        }
        rates = {name: [] for name in cases}
        for case in cases.values():  # warm-up: opcache, pools of both workers
            for _ in range(2 * WORKERS):
                one(*case)
        for _ in range(ROUNDS):
            for name, case in cases.items():
                n = REQUESTS if case[2] == 1 else MANY_REQUESTS
                t0 = time.perf_counter()
                for _ in range(n):
                    one(*case)
                rates[name].append(n / (time.perf_counter() - t0))
        med = {name: statistics.median(r) for name, r in rates.items()}
        limit = 1000.0 / RTT_MS
        ratio = med["library"] / med["seeds"]
        pure_ratio = med["pure"] / med["pure_seeds"]
        many_ratio = med["pure_many"] / med["seeds_many"]
        met = "yes" if ratio >= TARGET_RATIO else "no"
        for name, r in rates.items():
            print(f"rounds: {name} {[round(x, 1) for x in r]} req/s")
        print("| #  | measurement | measured (median) | ratio | target | met |")
        print(f"| 7  | PHP-FPM web requests over HTTPS, {RTT_MS:g} ms RTT added, one call each: "
              f"library (new Client per request, persistent) vs PHP seeds' approach "
              f"(1-RTT limit: {limit:.0f} req/s) | {med['library']:.1f} vs {med['seeds']:.1f} req/s "
              f"({med['library'] / limit:.0%} of the 1-RTT limit) | {ratio:.2f}x | >= {TARGET_RATIO:g}x | {met} |")
        print(f"| 7b | the same on a PHP-FPM without FFI (Debian's php.ini, nothing preloaded): "
              f"pure-PHP engine vs the seeds' approach, one call per request | "
              f"{med['pure']:.1f} vs {med['pure_seeds']:.1f} req/s | {pure_ratio:.2f}x | >= 1x | "
              f"{'yes' if pure_ratio >= 1.0 else 'no'} |")
        print(f"| 7c | the same pool, {MANY} calls within one request: pure-PHP engine (one client, "
              f"kept-alive connection) vs the seeds' snippet {MANY} times | "
              f"{med['pure_many'] * MANY:.1f} vs {med['seeds_many'] * MANY:.1f} calls/s | {many_ratio:.2f}x | "
              f">= {MANY_TARGET:g}x | {'yes' if many_ratio >= MANY_TARGET else 'no'} |")
        print(f"ratio {ratio:.2f}")
        print(f"pure ratio {pure_ratio:.2f}")
        print(f"pure many ratio {many_ratio:.2f}")
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
