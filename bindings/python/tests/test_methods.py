"""The per-method calls (add_lead_to_group, ...) and verify_notification."""

import json
import os
import hashlib
from pathlib import Path

import pytest

import justclick
from conftest import LOGIN, assert_no_secret

# The PHP-made vectors of tests/data; JUSTCLICK_TEST_DATA names their folder
# when the suite runs outside the repository (packaging/test-installed.sh).
VECTORS = Path(
    os.environ.get("JUSTCLICK_TEST_DATA") or Path(__file__).resolve().parents[3] / "tests" / "data"
) / "notify_vectors.jsonl"

REQUIRED = {
    "add_lead_to_group": "rid",
    "update_subscriber_data": "lead_email",
    "delete_subscribe": "lead_email",
    "get_lead_group_statuses": "email",
    "get_lead_groups": "email",
    "get_count_subscribe": "group_name",
    "create_order": "goods",
    "get_order_details": "bill_id",
    "get_order_info": "bill_id",
    "add_good": "good_name",
    "delete_good": "good_name",
    "get_partner_stats": "partner",
}


def test_every_table_method_exists():
    names = {snake for _, snake in justclick.METHODS}
    assert len(names) == 16
    assert set(REQUIRED) <= names
    for snake in names:
        assert callable(getattr(justclick.Client, snake))


@pytest.mark.parametrize("snake", [snake for _, snake in justclick.METHODS])
def test_validation_errors_before_traffic(client, sandbox, snake):
    before = sandbox.stats()["requests"]
    method = getattr(client, snake)
    with pytest.raises(justclick.InvalidArgumentError, match="bogus_param"):
        method(bogus_param=1)
    with pytest.raises(justclick.InvalidArgumentError, match="bogus_param"):
        method({"bogus_param": 1})
    if snake in REQUIRED:
        with pytest.raises(justclick.InvalidArgumentError, match=REQUIRED[snake]):
            method()
    with pytest.raises(justclick.InvalidArgumentError, match="twice"):
        method({"a": 1}, a=2)
    with pytest.raises(justclick.InvalidArgumentError):
        method("not a dict")
    assert sandbox.stats()["requests"] == before


def test_rules_of_single_methods(client):
    with pytest.raises(justclick.InvalidArgumentError, match="lead_email"):
        client.add_lead_to_group(rid=["second"], lead_email="no-at")
    with pytest.raises(justclick.InvalidArgumentError, match="goods"):
        client.create_order(goods=[], bill_email="a@b.ru")
    with pytest.raises(justclick.InvalidArgumentError, match="begin_date"):
        client.get_orders_with_goods(begin_date="2017-01-01")


def test_add_lead_to_group_reaches_the_service(client):
    r = client.add_lead_to_group({"rid": ["second"]}, lead_email="py@example.com", lead_name="Py")
    assert isinstance(r, justclick.Response)
    # A new contact on an account that confirms subscriptions (the default).
    assert r.error_text == "Activation email sent to subscriber"
    assert r.outcome is None and not r.already_registered


def test_get_all_goods(client):
    r = client.get_all_goods()
    assert isinstance(r.result, list) and r.result
    assert "good_name" in r.result[0]


def _vectors():
    with open(VECTORS, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("v", _vectors(), ids=lambda v: v["name"])
def test_notification_vectors(sandbox, v):
    with justclick.Client(LOGIN, v["secret"], base_url=sandbox.url) as jc:
        body = v["body"].encode()
        if "error" in v:
            cls = {"bad_signature": justclick.BadSignatureError,
                   "invalid_argument": justclick.InvalidArgumentError}[v["error"]]
            with pytest.raises(cls) as e:
                jc.verify_notification(body)
            assert v["secret"] not in str(e.value)
        else:
            n = jc.verify_notification(body)
            assert isinstance(n, justclick.Notification)
            assert (n.event, n.verified, n.hash_rule) == (v["event"], v["verified"], v["hash_rule"])
            assert n.fields == v["fields"]
            assert n.email == v["fields"].get("email")


def test_notification_accessors_and_bytes(client, sandbox):
    secret = "s3cr3t-for-notifications"
    with justclick.Client(LOGIN, secret, base_url=sandbox.url) as jc:
        h = hashlib.md5(("7" + "a@b.ru" + "1700000000" + secret).encode()).hexdigest()
        body = f"id=7&email=a%40b.ru&paid=1700000000&items[0][id]=15&utm[source]=ya&hash={h}".encode()
        n = jc.verify_notification(body)
        assert (n.event, n.verified, n.hash_rule) == ("payment", True, "documented")
        assert (n.id, n.paid, n.created) == ("7", 1700000000, None)
        assert n.items == [{"id": "15"}]
        assert n.utm == {"source": "ya"}
        assert jc.verify_notification(bytearray(body)).verified
        with pytest.raises(justclick.BadSignatureError):
            jc.verify_notification(body.replace(b"id=7", b"id=8"))
        # A NUL is data, passed with the length: the hash no longer matches.
        with pytest.raises(justclick.BadSignatureError):
            jc.verify_notification(body + b"\0")
        with pytest.raises(justclick.InvalidArgumentError):
            jc.verify_notification(b"")
        with pytest.raises(justclick.InvalidArgumentError, match="bytes"):
            jc.verify_notification(body.decode())
        assert_no_secret(repr(n))


def _fake_service(secret, answers):
    """A loopback HTTP server answering each API method (last path segment)
    with answers[method] = (error_code, error_text, result[, key]), signed as
    the service signs: md5(code::text::key), key = secret unless given.
    Returns (server, base_url)."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            code, text, result, *key = answers.get(self.path.rstrip("/").rsplit("/", 1)[-1], (0, "OK", None))
            key = key[0] if key else secret
            h = hashlib.md5(f"{code}::{text}::{key}".encode()).hexdigest()
            body = json.dumps({"error_code": code, "error_text": text, "result": result,
                               "hash": h}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_outcomes_are_surfaced():
    secret = "fake-service-secret"
    server, url = _fake_service(secret, {
        "CreateOrder": (601, "Order already exist", {"bill_id": "1111"}),
        "AddLeadToGroup": (0, "The subscriber is already registered", None),
    })
    try:
        with justclick.Client(LOGIN, secret, base_url=url, proxy="") as jc:
            r = jc.create_order(goods=[{"good_name": "course"}], bill_email="a@b.ru")
            assert r.already_exists and r.outcome == "already_exists"
            assert r.bill_id == "1111"
            r = jc.add_lead_to_group(rid=["second"], lead_email="a@b.ru")
            assert r.already_registered and not r.already_exists
            r = jc.delete_good(good_name="g")
            assert r.outcome is None and r.error_text == "OK"
    finally:
        server.shutdown()


@pytest.mark.parametrize("text, outcome", [
    ("Subscriber queued for moderation", "unknown"),
    ("Подписчик поставлен в очередь", "unknown"),
    ("", "unknown"),
    ("the subscriber is already registered.", "already_registered"),
    ("activation email sent to subscriber", None),
])
def test_add_lead_to_group_text_never_seen_is_no_plain_success(text, outcome):
    secret = "fake-service-secret"
    server, url = _fake_service(secret, {"AddLeadToGroup": (0, text, None)})
    try:
        with justclick.Client(LOGIN, secret, base_url=url, proxy="") as jc:
            r = jc.add_lead_to_group(rid=["second"], lead_email="a@b.ru")
            assert r.outcome == outcome and r.error_text == text
            assert r.outcome_unknown == (outcome == "unknown")
    finally:
        server.shutdown()


def _assert_unknown_login(jc):
    for call in (lambda: jc.get_all_goods(), lambda: jc.delete_order("1111")):
        with pytest.raises(justclick.ApiError) as e:
            call()
        assert e.value.code == 5
        assert e.value.text.startswith("Invalid user name (login 'demo' not found"), e.value.text


def test_unknown_login_is_api_error_5_naming_the_login(start_sandbox):
    secret = "fake-service-secret"
    # A fake service signing error 5 with an empty key, as the service does.
    server, url = _fake_service(secret, {
        "GetAllGoods": (5, "Invalid user name", None, ""),
        "DeleteOrder": (5, "Invalid user name", None, ""),
    })
    try:
        with justclick.Client(LOGIN, secret, base_url=url, proxy="") as jc:
            _assert_unknown_login(jc)
    finally:
        server.shutdown()
    # The sandbox, told to answer as for a login it does not know.
    sb = start_sandbox()
    sb.admin("POST", "/__sandbox/settings", {"unknown_login": "1"})
    with sb.client() as jc:
        _assert_unknown_login(jc)
