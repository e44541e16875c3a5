"""Every method of justclick.Client against the sandbox: the seeds' calls,
results, API errors, and the wire bytes the sandbox received."""

import datetime

import pytest

import justclick
from conftest import LOGIN, SECRET, assert_no_secret

# The seed snippet's UpdateGood, every field (Cyrillic URLs and text included).
SUPER_TOVAR = {
    "good_name": "super_tovar",
    "good_title": "Супер набор из 10 DVD по приготовлению яичницы",
    "parent_id": 111,
    "good_sum": 999887,
    "good_api_url_notif": "https://мойсайт.рф/мой_скрипт_приёма_заказов.php",
    "good_api_url_new_order": "https://мойсайт.рф/мой_скрипт_оформления_заказов3.php",
    "good_success_link": "https://мойсайт.рф/спасибо_за_покупку.php",
    "good_client_rassilki": "second, clients_super_tovar",
    "good_nalozh_only": 0,
    "good_quickpost_article": 12345678,
    "good_post_service": "quickpost",
    "good_only_countries": "RUS,UKR",
    "good_download": "https://мойсайт.рф/downloads/yaichnica_10dvd.zip",
    "good_mail_subject": 'Спасибо за покупку "Супер набора из 10 DVD по приготовлению яичницы"',
    "good_mail_format": "text",
    "good_mail_body": "",
    "good_mail_text": "Спасибо за покупку! Ссылка для скачивания: {$download}",
    "good_partner_fee": 90,
    "good_partner_fee_perc": "5",
    "good_partner_pfee": 10,
    "good_partner_pfee_perc": "5",
    "good_partner_show": 1,
    "good_partner_SL_link": "https://мойсайт.рф/яичница_это_вкусно.html",
    "good_partner_addition_link": "https://мойсайт.рф/banners.html",
    "good_partner_text": "Рекламируйте быстрее, это хорошо покупают.",
    "good_pay_text": "<h1>Оформление заказа</h1><p>#PRODUCT#</p><p>#PRICE#</p> 🍳",
    "good_timer": 1,
    "good_timer_unit": "day",
    "good_timer_duration": 2,
    "good_use_short": 0,
    "good_rashod": 10,
    "good_rashod_perc": 6,
    "good_publish": 1,
}


def goods_by_name(client):
    return {g["good_name"]: g for g in client.call("GetAllGoods")}


def signed_body(sandbox):
    """The last request body the sandbox received, without its hash."""
    body = sandbox.stats()["last_body"]
    head, sep, digest = body.rpartition("&hash=")
    assert sep and len(digest) == 32, body
    return head


def test_delete_order(client, sandbox):
    assert client.delete_order("1111") == "Заказ удален"
    assert signed_body(sandbox) == "bill_id=1111"
    with pytest.raises(justclick.ApiError) as e:
        client.delete_order("1111")
    assert (e.value.code, e.value.text) == (200, "Заказ не существует")
    assert e.value.status == "api" and "200" in e.value.message
    # The seed passes the order number as an integer.
    assert client.delete_order(258367) == "Заказ удален"
    assert signed_body(sandbox) == "bill_id=258367"


def test_update_order_status_seed(client, sandbox):
    assert (
        client.update_order_status("100000", "sent", 1362254400, "10000000000000")
        == "Статус заказа изменен"
    )
    assert signed_body(sandbox) == "bill_id=100000&status=sent&date=1362254400&rpo=10000000000000"


def test_update_order_status_datetime_and_effect(client, sandbox):
    msk = datetime.timezone(datetime.timedelta(hours=4))  # Moscow time in 2013
    client.update_order_status("300001", "paid", datetime.datetime(2013, 3, 3, tzinfo=msk))
    assert signed_body(sandbox) == "bill_id=300001&status=paid&date=1362254400"
    bills = client.get_bills("ivan@example.com", "paid")
    assert bills == {
        "300001": {
            "30001": {
                "good_name": "super_tovar",
                "good_title": "Супер набор из 10 DVD по приготовлению яичницы",
            }
        }
    }
    # cancel needs neither date nor rpo; an empty rpo is "not given".
    client.update_order_status(300001, "cancel", rpo="")
    assert signed_body(sandbox) == "bill_id=300001&status=cancel"
    with pytest.raises(justclick.ApiError) as e:
        client.update_order_status("424242", "cancel")
    assert e.value.code == 200


@pytest.mark.parametrize(
    "args, needle",
    [
        (("100000", "shipped", 5), "'shipped'"),
        (("100000", "paid"), "date is required"),
        (("100000", "sent", 1362254400), "rpo"),
        (("100000", "sent", 1362254400, "   "), "rpo"),
        (("100000", "paid", 0), "positive"),
        (("100000", "paid", -5), "positive"),
        (("100000", "paid", 2**63), "positive"),
        (("100000", "paid", "1362254400"), "timestamp"),
        (("100000", "paid", True), "timestamp"),
        (("100000", "paid", datetime.datetime(2013, 3, 3)), "naive"),
        (("", "cancel"), "bill_id"),
        ((None, "cancel"), "bill_id"),
        (("100000", None), "status"),
    ],
)
def test_update_order_status_invalid(client, sandbox, args, needle):
    with pytest.raises(justclick.InvalidArgumentError, match=needle) as e:
        client.update_order_status(*args)
    assert isinstance(e.value, ValueError)
    assert sandbox.stats()["requests"] == 0  # rejected before any traffic


def test_get_bills(client, sandbox):
    everything = client.get_bills("client@example.com")
    assert sorted(everything) == ["1111", "258367", "258368", "258369"]
    paid = client.get_bills("client@example.com", pay_status="paid")
    assert signed_body(sandbox) == "email=client%40example.com&pay_status=paid"
    assert paid == {
        "258367": {"12549": {"good_name": "oplata", "good_title": "Оплата за тренинг"}},
        "258368": {
            "13011": {"good_name": "sales", "good_title": "Продажи в кинотеатрах"},
            "28363": {"good_name": "222", "good_title": "222 способа"},
        },
    }
    assert client.get_bills("client@example.com", "") == everything
    assert list(client.get_bills("CLIENT@example.com", "cancel")) == ["258369"]
    with pytest.raises(justclick.ApiError) as e:
        client.get_bills("nobody@example.com")
    assert e.value.code == 400


@pytest.mark.parametrize(
    "email, pay_status, needle",
    [
        ("not-an-email", None, "not a valid e-mail"),
        ("", None, "email is required"),
        ("a b@example.com", None, "not a valid e-mail"),
        ("client@example.com", "bogus", "'bogus'"),
        (None, None, "email must be a string"),
        ("client@example.com", 5, "pay_status must be a string or None"),
    ],
)
def test_get_bills_invalid(client, sandbox, email, pay_status, needle):
    with pytest.raises(justclick.InvalidArgumentError, match=needle):
        client.get_bills(email, pay_status)
    assert sandbox.stats()["requests"] == 0


def test_update_good_seed_round_trip(client):
    assert client.update_good(SUPER_TOVAR) == "Продукт обновлен"
    stored = goods_by_name(client)["super_tovar"]
    # The sandbox stores what PHP received: every value a string.
    for key, value in SUPER_TOVAR.items():
        assert stored[key] == str(value), key
    assert stored["good_id"] == "30001"


def test_update_good_zero_price_quirk_and_none(client):
    client.update_good({"good_name": "sales", "good_title": "Новое 🎬", "good_sum": None})
    sales = goods_by_name(client)["sales"]
    assert sales["good_title"] == "Новое 🎬"
    assert sales["good_sum"] == "0"  # the service's documented behaviour


@pytest.mark.parametrize(
    "good, needle",
    [
        ({"good_name": "sales", "good_partner_sl_link": "x"}, "did you mean 'good_partner_SL_link'"),
        ({"good_name": "sales", "bogus": 1}, "unknown UpdateGood field"),
        ({"good_title": "x"}, "good_name is required"),
        ({"good_name": "sales", "good_sum": -1}, "non-negative"),
        ({"good_name": "sales", "good_sum": float("nan")}, "JSON"),
        ({"good_name": "sales", "good_timer_unit": "week"}, "'week'"),
        ({"good_name": "sales", "good_only_countries": "RUS, UKR"}, "spaces"),
        (["good_name", "sales"], "good must be a dict"),
    ],
)
def test_update_good_invalid(client, sandbox, good, needle):
    with pytest.raises(justclick.InvalidArgumentError, match=needle):
        client.update_good(good)
    assert sandbox.stats()["requests"] == 0


def test_update_good_unknown_product(client):
    with pytest.raises(justclick.ApiError) as e:
        client.update_good({"good_name": "nope", "good_sum": 1})
    assert e.value.code == 3 and e.value.text == "Продукт не найден"


def test_call_any_method(client, sandbox):
    goods = client.call("GetAllGoods")
    assert [g["good_name"] for g in goods] == ["oplata", "sales", "222", "super_tovar"]
    lead = {"rid": ["group1", "group2"], "lead_email": "ivan@example.com", "lead_name": "Иван Петров"}
    # Unknown groups: the service answers code 0 without a result.
    assert client.call("AddLeadToGroup", lead) is None
    assert signed_body(sandbox) == (
        "rid%5B0%5D=group1&rid%5B1%5D=group2&lead_email=ivan%40example.com"
        "&lead_name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2"
    )
    assert client.call("SandboxEcho", lead) == lead
    with pytest.raises(justclick.ApiError) as e:
        client.call("AddLeadToGroup", {})
    assert e.value.code == 100
    assert client.call("DeleteOrder", {"bill_id": "1111"}) is None  # no result field


def test_unicode_round_trip(client, sandbox):
    params = {
        "name": "Иван Петров",
        "emoji": "hi 😀 👍🏽 👨‍👩‍👧",
        "php_specials": "a*b ~c 'd' (e) !f +g &h=i%j",
        "nested": {"list": ["x", "я", "🎉"], "map": {"ключ": "значение"}},
        "flag": True,
        "off": False,
        "n": 5,
        "price": 12.5,
        "skipped": None,
        "nul_in_value": "a\0b",  # inside JSON a NUL is escaped, not cut
    }
    echoed = client.call("SandboxEcho", params)
    assert echoed == {
        "name": "Иван Петров",
        "emoji": "hi 😀 👍🏽 👨‍👩‍👧",
        "php_specials": "a*b ~c 'd' (e) !f +g &h=i%j",
        "nested": {"list": ["x", "я", "🎉"], "map": {"ключ": "значение"}},
        "flag": "1",
        "off": "0",
        "n": "5",
        "price": "12.5",
        "nul_in_value": "a\0b",
    }
    assert list(echoed) == [k for k in params if k != "skipped"]  # order kept
    # API.md's test vector: "hi 😀" is signed as comment=hi+%F0%9F%98%80.
    assert signed_body_of(client, sandbox, "hi 😀") == "hi+%F0%9F%98%80"


def signed_body_of(client, sandbox, comment):
    client.call("SandboxEcho", {"comment": comment})
    return signed_body(sandbox)[len("comment="):]


@pytest.mark.parametrize(
    "method, params, needle",
    [
        ("Bad Method", None, "letters and digits"),
        ("", None, "method name is empty"),
        ("SandboxEcho", {"a.b": "1"}, "a.b"),
        ("SandboxEcho", {"hash": "1"}, "hash"),
        ("SandboxEcho", {"": "1"}, ""),
        ("SandboxEcho", {"x": {1, 2}}, "JSON"),
        ("SandboxEcho", {(1, 2): "x"}, "JSON"),
        ("SandboxEcho", {"x": "\ud800"}, "JSON"),
        ("SandboxEcho", ["x"], "params must be a dict"),
        (b"GetAllGoods", None, "method must be a string"),
    ],
)
def test_call_invalid(client, sandbox, method, params, needle):
    with pytest.raises(justclick.InvalidArgumentError, match=needle):
        client.call(method, params)
    assert sandbox.stats()["requests"] == 0


def test_unknown_method_is_http_404(client):
    with pytest.raises(justclick.HttpStatusError) as e:
        client.call("NoSuchMethod")
    assert e.value.http_status == 404 and e.value.status == "http_status"


def test_nul_bytes_are_rejected_not_cut(client, sandbox):
    cases = [
        lambda: client.delete_order("1111\0junk"),
        lambda: client.update_order_status("1111\0", "cancel"),
        lambda: client.update_order_status("1111", "cancel\0"),
        lambda: client.update_order_status("100000", "sent", 1362254400, "1\0"),
        lambda: client.get_bills("client@example.com\0"),
        lambda: client.get_bills("client@example.com", "paid\0"),
        lambda: client.call("GetAllGoods\0"),
    ]
    for case in cases:
        with pytest.raises(justclick.InvalidArgumentError, match="NUL"):
            case()
    assert sandbox.stats()["requests"] == 0
    assert "1111" in client.get_bills("client@example.com")  # not deleted
    for login, secret in [("demo\0x", SECRET), (LOGIN, SECRET + "\0")]:
        with pytest.raises(justclick.InvalidArgumentError, match="NUL") as e:
            justclick.Client(login, secret)
        assert_no_secret(e.value)


@pytest.mark.parametrize(
    "login, options, kwargs, needle",
    [
        ("evil.com/x?", None, {}, "not a valid JustClick login"),
        ("", None, {}, "login"),
        (5, None, {}, "login must be a string"),
        ("demo", {"bogus": 1}, {}, 'unknown option "bogus"'),
        ("demo", None, {"timeout": 5}, 'unknown option "timeout"'),
        ("demo", {"timeout_ms": "5"}, {}, "'timeout_ms' must be an integer"),
        ("demo", None, {"timeout_ms": 0}, "between 1 and"),
        ("demo", {"timeout_ms": 5}, {"timeout_ms": 6}, "given twice"),
        ("demo", [("timeout_ms", 5)], {}, "options must be a dict"),
        ("demo", None, {"base_url": "ftp://x"}, "base_url"),
        ("demo", None, {"ca_file": "/nonexistent/ca.pem"}, "ca.pem"),
    ],
)
def test_client_new_invalid(login, options, kwargs, needle):
    with pytest.raises(justclick.InvalidArgumentError, match=needle) as e:
        justclick.Client(login, SECRET, options, **kwargs)
    assert_no_secret(e.value)


def test_options_dict_and_keywords(sandbox):
    with justclick.Client(
        LOGIN, SECRET, {"base_url": sandbox.url, "proxy": ""}, user_agent="shop-sync/2.0", timeout_ms=5000
    ) as c:
        c.call("GetAllGoods")
    assert sandbox.stats()["last_user_agent"] == "shop-sync/2.0"


def test_wrong_secret_is_an_api_error(sandbox):
    with justclick.Client(LOGIN, "not-the-secret", base_url=sandbox.url, proxy="") as c:
        # The sandbox rejects the request's signature (error 4) and signs its
        # answer with the real secret, which our check of the answer rejects.
        with pytest.raises(justclick.BadSignatureError):
            c.call("GetAllGoods")
    assert sandbox.stats()["bad_signatures"] == 1


def test_close_and_context_manager(sandbox):
    c = sandbox.client()
    assert not c.closed and "open" in repr(c)
    c.close()
    c.close()  # twice is fine
    assert c.closed and "closed" in repr(c)
    with pytest.raises(justclick.InvalidArgumentError, match="closed"):
        c.call("GetAllGoods")
    with sandbox.client() as c2:
        assert len(c2.call("GetAllGoods")) == 4
    assert c2.closed


def test_client_cannot_be_copied_or_pickled(client):
    import copy
    import pickle

    for f in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="cannot be"):
            f(client)


def test_repr_never_shows_the_secret(client):
    assert LOGIN in repr(client)
    assert_no_secret(repr(client), str(client), vars(client))
