"""Issue 14's "Done means" from Python: every snake_case method against the
sandbox as the service, with its typed answer and the named outcomes; then
the notifications the sandbox posts for a new and a paid order, received on
a loopback http.server and verified with verify_notification, as a shop's
handler would."""

import http.server
import queue
import threading

import pytest

import justclick
from conftest import LOGIN


@pytest.fixture
def receiver():
    """A loopback HTTP server: every POST body goes to the queue (raw bytes,
    what a handler reads from the request), answered 200."""
    bodies = queue.Queue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            bodies.put((self.path, self.rfile.read(n)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    server.shutdown()
    server.server_close()


def test_contacts_and_groups(client):
    groups = client.get_all_groups()
    names = [g["rass_name"] for g in groups.result]
    assert "second" in names and "clients_super_tovar" in names

    first = client.add_lead_to_group(
        {"utm": {"utm_source": "python"}},
        rid=["second", "clients_super_tovar"],
        lead_email="py-flow@example.com",
        lead_name="Анна",
        lead_phone="+79001234567",
        lead_city="Москва",
    )
    assert first.error_text == "Activation email sent to subscriber"
    assert first.outcome is None and not first.already_registered
    again = client.add_lead_to_group(rid=["second"], lead_email="py-flow@example.com")
    assert again.already_registered and again.outcome == "already_registered"
    with pytest.raises(justclick.ApiError) as e:
        client.add_lead_to_group(rid="no_such_group", lead_email="py-flow@example.com")
    assert e.value.code == 103

    statuses = {g["rass_name"]: g for g in client.get_lead_group_statuses(email="PY-Flow@example.com").result}
    assert {"second", "clients_super_tovar"} <= set(statuses)
    assert statuses["second"]["rass_status"].startswith("STATUS_")
    assert isinstance(client.get_lead_groups(email="py-flow@example.com").result, list)

    r = client.update_subscriber_data(lead_email="py-flow@example.com", lead_name="Анна П.", lead_city="Казань")
    assert r.error_text == "OK"
    # The seed's contact and this one (waiting for activation); only the
    # seed's is active in "super".
    assert client.get_count_subscribe(group_name="all").result == 2
    assert client.get_count_subscribe(group_name="super").result == 1
    r = client.delete_subscribe(lead_email="py-flow@example.com", rass_name="second")
    assert r.error_text == "OK"


def test_goods_orders_and_verified_notifications(client, sandbox, receiver):
    url, bodies = receiver
    client.add_good(
        good_name="py_flow_course",
        good_type="0",
        good_title="Python flow course",
        good_sum=1500,
        good_api_url_new_order=f"{url}/jc?a=new",
        good_api_url_notif=f"{url}/jc?a=paid",
        good_partner_fee_perc=10,
    )
    assert "py_flow_course" in [g["good_name"] for g in client.get_all_goods().result]

    order = {
        "goods": [{"good_name": "py_flow_course"}],
        "bill_first_name": "Иван",
        "bill_email": "py-buyer@example.com",
        "bill_phone": "+79001234567",
        "bill_created": 1700000000,
        "bill_aff_name": "partner1",
        "utm": {"utm_source": "newsletter"},
    }
    created = client.create_order(order)
    assert created.outcome is None and not created.already_exists
    bill = created.bill_id
    assert bill and bill.isdigit()

    path, body = bodies.get(timeout=10)
    assert path == "/jc?a=new"
    n = client.verify_notification(body)
    assert (n.event, n.verified, n.hash_rule) == ("new_order", True, "documented")
    assert (n.id, n.email, n.created) == (bill, "py-buyer@example.com", 1700000000)
    assert n.items[0]["id"] == "py_flow_course"
    assert n.utm == {"source": "newsletter"}

    # The identical order again: the service's 601 as a named outcome with
    # the existing order's number, not an exception.
    dup = client.create_order(order)
    assert dup.already_exists and dup.bill_id == bill

    details = client.get_order_details(bill_id=bill, good_info=True).result
    assert (details["id"], details["email"], details["pay_status"]) == (bill, "py-buyer@example.com", "waiting")
    assert details["items"][0]["partners"][0]["partner_fee"] == "150"
    info = client.get_order_info(bill_id=bill).result
    assert info[0]["id"] == bill

    client.update_order_status(bill, "paid", 1700003600)
    path, body = bodies.get(timeout=10)
    assert path == "/jc?a=paid", "the duplicate order fired no second new_order"
    paid = client.verify_notification(body)
    assert (paid.event, paid.verified, paid.id, paid.paid) == ("payment", True, bill, 1700003600)
    # Tampered, or checked with another account's key: refused.
    forged = body.replace(f"id={bill}&".encode(), b"id=1&", 1)
    assert forged != body
    with pytest.raises(justclick.BadSignatureError):
        client.verify_notification(forged)
    with sandbox.client() as same:
        assert same.verify_notification(bytearray(body)).verified
    with justclick.Client(LOGIN, "another-secret", {"base_url": sandbox.url, "proxy": ""}) as stranger:
        with pytest.raises(justclick.BadSignatureError):
            stranger.verify_notification(body)

    assert client.get_order_details({"bill_id": bill}).result["pay_status"] == "paid"
    in_range = client.get_orders_with_goods(begin_date="14.11.2023", end_date="15.11.2023").result
    assert bill in [o["id"] for o in in_range]
    # Over a year: split by the library, one list.
    year = client.get_orders_with_goods(begin_date="01.06.2023", end_date="31.05.2024").result
    assert bill in [o["id"] for o in year]
    legacy = client.get_orders(date_s=1699990000, date_e=1700100000).result
    assert bill in [o["id"] for o in legacy]
    stats = client.get_partner_stats(partner="partner1").result
    assert "earned_total" in stats

    client.delete_good(good_name="py_flow_course")
    assert "py_flow_course" not in [g["good_name"] for g in client.get_all_goods().result]
    assert bodies.empty(), "one notification per event"
