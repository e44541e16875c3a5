#!/usr/bin/env python3
"""What the four PHP snippets of JustClick's documentation do, in Python.

    JUSTCLICK_LOGIN=username JUSTCLICK_SECRET=your-api-key python3 example.py

Optional: JUSTCLICK_BASE_URL (e.g. the sandbox's http://127.0.0.1:PORT),
JUSTCLICK_CA_FILE (a PEM CA added to the trusted roots, e.g. the sandbox's
--ca-out file), JUSTCLICK_LIB (path of libjustclick.so).
"""

import os
import sys

# The installed package (pip install the wheel) is used when there is one;
# run from this repository, the package in bindings/python.
try:
    import justclick
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))
    import justclick  # noqa: E402

GOOD = {
    "good_name": "super_tovar",
    "good_title": "Супер набор из 10 DVD по приготовлению яичницы",
    "parent_id": 111,
    "good_sum": 999887,  # always send the price: the service stores 0 if it is missing
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
    "good_partner_fee_perc": 5,
    "good_partner_pfee": 10,
    "good_partner_pfee_perc": 5,
    "good_partner_show": 1,
    "good_partner_SL_link": "https://мойсайт.рф/яичница_это_вкусно.html",
    "good_partner_addition_link": "https://мойсайт.рф/banners.html",
    "good_partner_text": "Рекламируйте быстрее, это хорошо покупают.",
    "good_pay_text": "<h1>Оформление заказа</h1><p>#PRODUCT#</p><p>#PRICE#</p>",
    "good_timer": 1,
    "good_timer_unit": "day",
    "good_timer_duration": 2,
    "good_use_short": 0,
    "good_rashod": 10,
    "good_rashod_perc": 6,
    "good_publish": 1,
}


def main() -> int:
    login = os.environ.get("JUSTCLICK_LOGIN")
    secret = os.environ.get("JUSTCLICK_SECRET")
    if not login or not secret:
        print("set JUSTCLICK_LOGIN and JUSTCLICK_SECRET (and JUSTCLICK_BASE_URL for the sandbox)",
              file=sys.stderr)
        return 2
    options = {}
    if os.environ.get("JUSTCLICK_BASE_URL"):
        options["base_url"] = os.environ["JUSTCLICK_BASE_URL"]
    if os.environ.get("JUSTCLICK_CA_FILE"):
        options["ca_file"] = os.environ["JUSTCLICK_CA_FILE"]

    failures = 0
    with justclick.Client(login, secret, options) as jc:
        steps = [
            ("DeleteOrder 1111", lambda: jc.delete_order("1111")),
            ("UpdateOrderStatus 100000 -> sent",
             lambda: jc.update_order_status("100000", "sent", date=1362254400, rpo="10000000000000")),
            ("GetBills client@example.com (paid)",
             lambda: jc.get_bills("client@example.com", pay_status="paid")),
            ("UpdateGood super_tovar", lambda: jc.update_good(GOOD)),
        ]
        for title, step in steps:
            try:
                result = step()
            except justclick.ApiError as e:
                print(f"{title}: JustClick error {e.code}: {e.text}")
                failures += 1
                continue
            except justclick.JustClickError as e:
                print(f"{title}: failed ({e.status}): {e}")
                failures += 1
                continue
            if isinstance(result, dict):  # GetBills: {bill_id: {good_id: {...}}}
                print(f"{title}: {len(result)} order(s)")
                for bill_id, goods in result.items():
                    for good_id, good in goods.items():
                        print(f"  order {bill_id}: {good['good_name']} ({good_id}) {good['good_title']}")
            else:
                print(f"{title}: {result}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
