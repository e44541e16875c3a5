//! Whole flows against the sandbox as the service (issue 14 point 5), over
//! the client's generic signed `call`: subscribe then read the contact's
//! groups; create an order, pay it and receive the notifications on a
//! loopback listener, checking their fields and hash; each method's errors;
//! the common checks 5 and 7.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::*;
use justclick::{php::parse_query, Error, Params, Value};
use justclick_sandbox::{Config, Sandbox};
use md5::{Digest, Md5};
use serde_json::{json, Value as Json};

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn code(r: justclick::Result<justclick::Response>) -> (i64, String) {
    match r {
        Ok(r) => (0, r.error_text),
        Err(Error::Api { code, text }) => (code, text),
        Err(e) => panic!("not an API answer: {e}"),
    }
}

/// The loopback receiver of tests/common, the body as text.
fn receiver() -> (String, mpsc::Receiver<(String, String)>) {
    let (url, requests) = common::receiver::notification_receiver();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for (head, body) in requests {
            if tx
                .send((head, String::from_utf8_lossy(&body).into_owned()))
                .is_err()
            {
                return;
            }
        }
    });
    (url, rx)
}

fn field<'a>(p: &'a Params, path: &[&str]) -> &'a str {
    let mut cur = p;
    for (i, k) in path.iter().enumerate() {
        match cur.get(k) {
            Some(Value::Str(s)) if i + 1 == path.len() => return s,
            Some(Value::Map(m)) => cur = m,
            other => panic!("{path:?}: {other:?}"),
        }
    }
    panic!("{path:?} is a map")
}

/// The sandbox's record of sent notifications once it holds `n` entries
/// (the sender records an attempt after the receiver has answered).
fn wait_records(sb: &Sandbox, n: usize) -> Vec<Json> {
    for _ in 0..500 {
        let sent = sb.notifications();
        if sent.len() >= n {
            assert_eq!(sent.len(), n, "{sent:?}");
            return sent;
        }
        thread::sleep(Duration::from_millis(20));
    }
    panic!("{} records, {n} expected", sb.notifications().len());
}

#[test]
fn subscribe_then_read_the_contacts_groups() {
    let sb = sandbox();
    let c = client(&sb);
    let lead = Params::new()
        .with(
            "rid",
            Value::List(vec!["second".into(), "clients_super_tovar".into()]),
        )
        .with("lead_email", "Anna@Example.com")
        .with("lead_name", "Анна");
    let r = c.call("AddLeadToGroup", &lead).unwrap();
    assert_eq!(r.error_text, "Activation email sent to subscriber");
    assert_eq!(r.result, None);
    // Same call again: the service's code 0 with a text, not an error.
    assert_eq!(
        c.call("AddLeadToGroup", &lead).unwrap().error_text,
        "The subscriber is already registered"
    );
    let groups = c
        .call(
            "GetLeadGroupStatuses",
            &Params::new().with("email", "anna@example.com"),
        )
        .unwrap()
        .result
        .unwrap();
    let names: Vec<&str> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rass_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clients_super_tovar", "second"]);
    assert_eq!(groups[1]["rass_title"], "Вторая группа");
    assert_eq!(groups[1]["rass_status"], "STATUS_WAIT");
    let n = c
        .call(
            "GetCountSubscribe",
            &Params::new().with("group_name", "all"),
        )
        .unwrap()
        .result;
    assert_eq!(n, Some(json!(2)));
    c.call(
        "DeleteSubscribe",
        &Params::new()
            .with("lead_email", "anna@example.com")
            .with("rass_name", "second"),
    )
    .unwrap();
    let groups = c
        .call(
            "GetLeadGroups",
            &Params::new().with("email", "ANNA@example.com"),
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 2);
}

#[test]
fn create_order_pay_it_and_receive_both_notifications() {
    let sb = sandbox();
    let c = client(&sb);
    let (url, rx) = receiver();
    let good = Params::new()
        .with("good_name", "hook_course")
        .with("good_type", "0")
        .with("good_title", "Курс / hooks")
        .with("good_sum", "990")
        .with("good_api_url_new_order", format!("{url}/jc?a=new"))
        .with("good_api_url_notif", format!("{url}/jc?a=paid"))
        .with("good_partner_fee_perc", "10");
    c.call("AddGood", &good).unwrap();
    let order = Params::new()
        .with(
            "goods",
            Value::List(vec![Value::Map(
                Params::new().with("good_name", "hook_course"),
            )]),
        )
        .with("bill_first_name", "Иван")
        .with("bill_email", "Ivan@Example.com")
        .with("bill_domain", "https://shop.example")
        .with("bill_aff_name", "partner1")
        .with(
            "utm",
            Value::Map(Params::new().with("utm_source", "newsletter")),
        );
    let r = c.call("CreateOrder", &order).unwrap();
    assert_eq!(r.error_text, "Order created");
    let id = r.result.unwrap()["bill_id"].as_u64().unwrap().to_string();

    let (head, body) = rx
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("new_order: {e}; sent: {:?}", sb.notifications()));
    assert!(head.starts_with("POST /jc?a=new HTTP/1.1"), "{head}");
    assert!(head.contains("Content-Type: application/x-www-form-urlencoded"));
    let f = parse_query(body.as_bytes());
    assert_eq!(field(&f, &["status"]), "new_order");
    assert_eq!(field(&f, &["id"]), id);
    assert_eq!(field(&f, &["email"]), "ivan@example.com");
    assert_eq!(field(&f, &["domain"]), "shop.example");
    assert_eq!(field(&f, &["utm", "source"]), "newsletter");
    assert_eq!(field(&f, &["items", "0", "id"]), "hook_course");
    assert_eq!(field(&f, &["items", "0", "title"]), "Курс / hooks");
    assert!(f.get("paid").is_none());
    let created = field(&f, &["created"]);
    assert_eq!(
        field(&f, &["hash"]),
        md5_hex(&format!("{id}ivan@example.com{created}{SECRET}"))
    );

    c.call(
        "UpdateOrderStatus",
        &Params::new()
            .with("bill_id", id.as_str())
            .with("status", "paid")
            .with("date", "1700000000"),
    )
    .unwrap();
    let (head, body) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("payment arrives");
    assert!(head.starts_with("POST /jc?a=paid HTTP/1.1"), "{head}");
    let f = parse_query(body.as_bytes());
    assert!(f.get("status").is_none(), "payment has no status");
    assert_eq!(field(&f, &["paid"]), "1700000000");
    assert_eq!(field(&f, &["last_payment_sum"]), "990");
    assert_eq!(
        field(&f, &["items", "0", "partners", "0", "partner_lvl"]),
        "1"
    );
    assert_eq!(
        field(&f, &["items", "0", "partners", "0", "partner_fee"]),
        "99"
    );
    assert_eq!(
        field(&f, &["hash"]),
        md5_hex(&format!("{id}ivan@example.com1700000000{SECRET}"))
    );
    // The sender's nesting is PHP's: the body is what http_build_query writes.
    assert!(body.contains("&items%5B0%5D%5Bpartners%5D%5B0%5D%5Bpartner_fee%5D=99&"));

    let sent = wait_records(&sb, 2);
    // Each call's notifications leave from their own thread: any order.
    for event in ["new_order", "payment"] {
        let n = sent.iter().find(|n| n["event"] == event).unwrap();
        assert_eq!(n["status"], 200, "{n}");
    }
    let details = c
        .call(
            "getOrderDetails",
            &Params::new().with("bill_id", id.as_str()),
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(details["pay_status"], "paid");
    assert_eq!(details["paid"], "1700000000");
}

#[test]
fn notifications_go_to_loopback_only_and_can_sign_with_the_empty_time() {
    let sb = Sandbox::start(Config {
        login: LOGIN.into(),
        secret: SECRET.into(),
        notify_empty_time: true,
        ..Config::default()
    })
    .unwrap();
    let c = client(&sb);
    let (url, rx) = receiver();
    for (name, hook) in [
        ("far", "http://10.255.255.1:9/hook".to_owned()),
        ("near", url),
    ] {
        c.call(
            "UpdateGood",
            &Params::new()
                .with("good_name", "sales")
                .with("good_sum", "990")
                .with("good_api_url_new_order", hook),
        )
        .unwrap();
        let r = c
            .call(
                "CreateOrder",
                &Params::new()
                    .with(
                        "goods",
                        Value::List(vec![Value::Map(Params::new().with("good_name", "sales"))]),
                    )
                    .with("bill_email", format!("{name}@example.com")),
            )
            .unwrap();
        assert_eq!(r.error_text, "Order created");
    }
    let (_, body) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let f = parse_query(body.as_bytes());
    let id = field(&f, &["id"]);
    assert_eq!(
        field(&f, &["hash"]),
        md5_hex(&format!("{id}near@example.com{SECRET}"))
    );
    let sent = wait_records(&sb, 2);
    let far = sent
        .iter()
        .find(|n| n["url"].as_str().unwrap().contains("10.255"))
        .unwrap();
    assert_eq!(far["status"], Json::Null);
    assert!(
        far["error"]
            .as_str()
            .unwrap()
            .contains("--allow-external-notify"),
        "{far}"
    );
}

#[test]
fn errors_per_method() {
    let sb = sandbox();
    let c = client(&sb);
    let p = |pairs: &[(&str, &str)]| {
        let mut p = Params::new();
        for (k, v) in pairs {
            p.push(*k, *v);
        }
        p
    };
    let goods = |name: &str| {
        Params::new().with("bill_email", "a@example.com").with(
            "goods",
            Value::List(vec![Value::Map(Params::new().with("good_name", name))]),
        )
    };
    let cases: Vec<(&str, Params, i64, &str)> = vec![
        (
            "AddLeadToGroup",
            p(&[("rid", "second"), ("lead_email", "nope")]),
            100,
            "Email is missing",
        ),
        (
            "AddLeadToGroup",
            p(&[("rid", "nope"), ("lead_email", "a@example.com")]),
            0,
            "Has an invalid subscriptions group",
        ),
        (
            "UpdateSubscriberData",
            p(&[("lead_email", "ghost@example.com")]),
            500,
            "Subscriber not found",
        ),
        (
            "DeleteSubscribe",
            p(&[("lead_email", "client@example.com"), ("rass_name", "nope")]),
            800,
            "Group subscribers is not found",
        ),
        (
            "DeleteSubscribe",
            p(&[("lead_email", "ghost@example.com"), ("rass_name", "super")]),
            801,
            "Subscriber with such address is not found",
        ),
        (
            "GetLeadGroupStatuses",
            p(&[("email", "ghost@example.com")]),
            500,
            "Subscriber not found",
        ),
        (
            "GetLeadGroups",
            p(&[("email", "not an email")]),
            3,
            "Wrong posted data",
        ),
        (
            "GetCountSubscribe",
            p(&[("group_name", "nope")]),
            501,
            "Group not found",
        ),
        (
            "GetCountSubscribe",
            p(&[("x", "1")]),
            2,
            "No transmitted data",
        ),
        (
            "CreateOrder",
            p(&[("bill_email", "bad")]),
            600,
            "Wrong email: 'bad'",
        ),
        (
            "CreateOrder",
            p(&[("bill_email", "a@example.com")]),
            603,
            "Missing products",
        ),
        ("CreateOrder", goods("nope"), 604, "Product not exist: nope"),
        (
            "getOrderDetails",
            p(&[("bill_id", "42")]),
            400,
            "Order not found",
        ),
        (
            "GetOrderInfo",
            p(&[("bill_id", "42")]),
            400,
            "Order not found",
        ),
        (
            "getOrdersWithGoods",
            p(&[("begin_date", "2013-01-01")]),
            3,
            "Wrong posted data",
        ),
        (
            "GetOrders",
            p(&[("date_s", "1"), ("date_e", "2")]),
            401,
            "Orders not found",
        ),
        (
            "AddGood",
            p(&[
                ("good_name", "x"),
                ("good_type", "0"),
                ("good_title", "X"),
                ("good_sum", "0"),
            ]),
            2,
            "No transmitted data",
        ),
        (
            "AddGood",
            p(&[
                ("good_name", "sales"),
                ("good_type", "0"),
                ("good_title", "X"),
                ("good_sum", "5"),
            ]),
            301,
            "Product already exist",
        ),
        (
            "DeleteGood",
            p(&[("good_name", "nope")]),
            302,
            "Failed to remove product",
        ),
        (
            "GetPartnerStats",
            p(&[("partner", "nope")]),
            1000,
            "Partner not found",
        ),
    ];
    for (method, params, want, text) in cases {
        assert_eq!(
            code(c.call(method, &params)),
            (want, text.to_owned()),
            "{method}"
        );
    }
    // 601 carries the existing order's id in `result`.
    let first = c
        .call("CreateOrder", &goods("sales"))
        .unwrap()
        .result
        .unwrap();
    match c.call("CreateOrder", &goods("sales")) {
        Err(Error::Api { code: 601, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(sb.stats().by_method["CreateOrder"], 5);
    assert!(first["bill_id"].is_u64());
}

/// A raw request with a chosen `Host`, signed for the sandbox's account.
fn raw(sb: &Sandbox, host: &str, method: &str, body: &str) -> String {
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST /api/{method} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp.split_once("\r\n\r\n").unwrap().1.to_owned()
}

#[test]
fn unknown_login_is_5_signed_with_an_empty_secret_and_disabled_account_is_7() {
    let sb = sandbox();
    let body = raw(
        &sb,
        &format!("other.justclick.ru:{}", sb.port()),
        "GetAllGoods",
        "hash=x",
    );
    let want_hash = md5_hex("5::Invalid user name::");
    assert_eq!(
        body,
        format!(r#"{{"error_code":5,"error_text":"Invalid user name","hash":"{want_hash}"}}"#)
    );
    // The account's own subdomain passes the check.
    let ok = raw(
        &sb,
        &format!("{LOGIN}.justclick.ru"),
        "GetAllGoods",
        "hash=x",
    );
    assert!(ok.starts_with(r#"{"error_code":4,"#), "{ok}");

    let mut s = TcpStream::connect(sb.addr()).unwrap();
    let form = "account_disabled=1";
    write!(
        s,
        "POST /__sandbox/settings HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert_eq!(
        code(client(&sb).call("GetAllGoods", &Params::new())),
        (7, "Account disabled".to_owned())
    );
    sb.reset();
    client(&sb).call("GetAllGoods", &Params::new()).unwrap();
}

fn admin(sb: &Sandbox, form: &str) -> String {
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST /__sandbox/settings HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp
}

#[test]
fn cancel_notification_goes_to_the_admin_configured_url() {
    let sb = sandbox();
    let c = client(&sb);
    let (url, rx) = receiver();
    let resp = admin(&sb, &format!("cancel_url={url}/cancel"));
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    c.call(
        "UpdateOrderStatus",
        &Params::new()
            .with("bill_id", "300001")
            .with("status", "cancel"),
    )
    .unwrap();
    let (head, body) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(head.starts_with("POST /cancel HTTP/1.1"), "{head}");
    let f = parse_query(body.as_bytes());
    assert_eq!(field(&f, &["status"]), "cancel_order");
    assert_eq!(field(&f, &["id"]), "300001");
    let created = field(&f, &["created"]);
    assert_eq!(
        field(&f, &["hash"]),
        md5_hex(&format!("300001ivan@example.com{created}{SECRET}"))
    );
    assert!(f.get("link").is_none() && f.get("address").is_none());
    assert!(admin(&sb, "bogus=1").starts_with("HTTP/1.1 400"));
}

#[test]
fn per_ip_subscription_limit_over_http_is_configurable() {
    let sb = sandbox();
    let c = client(&sb);
    assert!(admin(&sb, "subscribe_limit=2").starts_with("HTTP/1.1 200"));
    let sub = |email: &str| {
        code(
            c.call(
                "AddLeadToGroup",
                &Params::new()
                    .with("rid", "second")
                    .with("lead_email", email),
            ),
        )
    };
    assert_eq!(sub("a1@example.com").0, 0);
    assert_eq!(sub("a2@example.com").0, 0);
    let (code8, text) = sub("a3@example.com");
    assert_eq!(code8, 8);
    assert!(
        text.starts_with("Limit to subscribe for this IP exided. Try later.")
            && text.contains("127.0.0.1"),
        "{text}"
    );
    assert!(admin(&sb, "subscribe_limit=0").starts_with("HTTP/1.1 200"));
    assert_eq!(sub("a3@example.com").0, 0);
}
