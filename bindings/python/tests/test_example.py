"""example.py, the seeds' four calls, runs against the sandbox."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import LOGIN, SECRET

# The repository's example, or the copy test-installed.sh names (the suite
# run against the installed wheel, outside the repository).
EXAMPLE = Path(os.environ.get("JUSTCLICK_TEST_EXAMPLE")
               or Path(__file__).resolve().parents[3] / "examples" / "python" / "example.py")


def run_example(base_url, ca_file=None):
    env = dict(os.environ, JUSTCLICK_LOGIN=LOGIN, JUSTCLICK_SECRET=SECRET,
               JUSTCLICK_BASE_URL=base_url, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    env.pop("JUSTCLICK_CA_FILE", None)
    if ca_file:
        env["JUSTCLICK_CA_FILE"] = ca_file
    return subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True,
                          text=True, timeout=60)


def test_example_against_the_sandbox(sandbox):
    r = run_example(sandbox.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        "DeleteOrder 1111: Заказ удален",
        "UpdateOrderStatus 100000 -> sent: Статус заказа изменен",
        "GetBills client@example.com (paid): 2 order(s)",
        "  order 258367: oplata (12549) Оплата за тренинг",
        "  order 258368: sales (13011) Продажи в кинотеатрах",
        "  order 258368: 222 (28363) 222 способа",
        "UpdateGood super_tovar: Продукт обновлен",
    ]
    assert SECRET not in r.stdout + r.stderr
    # Order 1111 is gone now: the second run reports the API error and fails.
    r = run_example(sandbox.url)
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "DeleteOrder 1111: JustClick error 200: Заказ не существует"


def test_example_over_tls(tls_sandbox):
    r = run_example(tls_sandbox.url, tls_sandbox.ca_file)
    assert "UpdateGood super_tovar: Продукт обновлен" in r.stdout, r.stdout + r.stderr
    r = run_example(tls_sandbox.url)  # no CA: every call refused, nothing sent
    assert r.returncode == 1
    assert r.stdout.count("failed (transport)") == 4, r.stdout


def test_example_needs_credentials():
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUSTCLICK_")}
    r = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "JUSTCLICK_LOGIN" in r.stderr
