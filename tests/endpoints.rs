//! Every endpoint against the in-process sandbox: the wire format, the
//! sandbox's state changes, validation before traffic, connection reuse and
//! sharing one client between threads.

mod common;

use std::sync::Arc;

use common::*;
use justclick::{
    Client, Error, ErrorKind, Good, OrderStatus, Params, PayStatus, PostService, Value,
};
use serde_json::json;

#[test]
fn delete_order_deletes_and_then_reports_missing() {
    let sb = sandbox();
    let c = client(&sb);
    let r = c.delete_order("1111").unwrap();
    assert_eq!(r.error_text, "Заказ удален");
    assert_eq!(r.result, None);
    assert_eq!(
        sb.stats().last_body.split("&hash=").next(),
        Some("bill_id=1111")
    );
    match c.delete_order("1111").unwrap_err() {
        Error::Api { code, text } => {
            assert_eq!(code, 200);
            assert_eq!(text, "Заказ не существует");
        }
        other => panic!("expected API error 200, got {other:?}"),
    }
}

#[test]
fn update_order_status_sent_then_filtered_by_get_bills() {
    let sb = sandbox();
    let c = client(&sb);
    c.update_order_status(
        "100000",
        OrderStatus::Sent,
        Some(1362254400),
        Some("10000000000000"),
    )
    .unwrap();
    assert_eq!(
        sb.stats().last_body.split("&hash=").next(),
        Some("bill_id=100000&status=sent&date=1362254400&rpo=10000000000000")
    );
    // 300001 is waiting; paying it moves it between GetBills filters.
    let waiting = c
        .get_bills("ivan@example.com", Some(PayStatus::Waiting))
        .unwrap();
    assert!(waiting.result.unwrap().get("300001").is_some());
    c.update_order_status("300001", OrderStatus::Paid, Some(1700000000), None)
        .unwrap();
    let err = c
        .get_bills("ivan@example.com", Some(PayStatus::Waiting))
        .unwrap_err();
    assert!(matches!(err, Error::Api { code: 400, .. }), "{err:?}");
    let paid = c
        .get_bills("ivan@example.com", Some(PayStatus::Paid))
        .unwrap();
    assert!(paid.result.unwrap().get("300001").is_some());
    let missing = c
        .update_order_status("999", OrderStatus::Cancel, None, None)
        .unwrap_err();
    assert!(
        matches!(missing, Error::Api { code: 200, .. }),
        "{missing:?}"
    );
}

#[test]
fn get_bills_returns_the_docs_example_as_a_map() {
    let sb = sandbox();
    let c = client(&sb);
    let r = c
        .get_bills("client@example.com", Some(PayStatus::Paid))
        .unwrap();
    let expected = json!({
        "258367": {"12549": {"good_name": "oplata", "good_title": "Оплата за тренинг"}},
        "258368": {
            "13011": {"good_name": "sales", "good_title": "Продажи в кинотеатрах"},
            "28363": {"good_name": "222", "good_title": "222 способа"}
        }
    });
    assert_eq!(r.result.unwrap(), expected);
    let all = c
        .get_bills("client@example.com", None)
        .unwrap()
        .result
        .unwrap();
    assert_eq!(all.as_object().unwrap().len(), 4);
    let none = c.get_bills("nobody@example.com", None).unwrap_err();
    assert_eq!(none.kind(), ErrorKind::Api);
}

#[test]
fn update_good_with_every_field_changes_the_stored_good() {
    let sb = sandbox();
    let c = client(&sb);
    let mut good = Good::new("super_tovar");
    good.good_title = Some("Яичница 😀 & <b>DVD</b> / 100%".into());
    good.good_sum = Some(1234.5);
    good.good_post_service = Some(PostService::Rps);
    good.good_partner_sl_link = Some("https://мойсайт.рф/яичница.html?a=1&b=2".into());
    good.good_publish = Some(true);
    c.update_good(&good).unwrap();
    let all = c
        .call("GetAllGoods", &Params::new())
        .unwrap()
        .result
        .unwrap();
    let stored = all
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["good_name"] == "super_tovar")
        .unwrap();
    assert_eq!(stored["good_title"], "Яичница 😀 & <b>DVD</b> / 100%");
    assert_eq!(stored["good_sum"], "1234.5");
    assert_eq!(stored["good_post_service"], "rps");
    assert_eq!(
        stored["good_partner_SL_link"],
        "https://мойсайт.рф/яичница.html?a=1&b=2"
    );
    assert_eq!(stored["good_publish"], "1");
    let missing = c.update_good(&Good::new("no_such_good")).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Api);
}

#[test]
fn generic_call_round_trips_nested_unicode_params() {
    let sb = sandbox();
    let c = client(&sb);
    let params = Params::new()
        .with("lead_name", "Иван Петров 😀")
        .with("punct", "a+b&c=d%e ~*'()!\n\"")
        .with("rid", Value::List(vec!["group1".into(), "группа 2".into()]))
        .with("meta", Params::new().with("x.y z", true).with("n", 1.25))
        .with("empty", "")
        .with("skipped", Value::Null);
    let echoed = c.call("SandboxEcho", &params).unwrap().result.unwrap();
    assert_eq!(
        echoed,
        json!({
            "lead_name": "Иван Петров 😀",
            "punct": "a+b&c=d%e ~*'()!\n\"",
            "rid": ["group1", "группа 2"],
            "meta": {"x.y z": "1", "n": "1.25"},
            "empty": ""
        })
    );
    assert_eq!(sb.stats().bad_signatures, 0);
    // Unknown methods reach the server, which has no such page.
    let err = c.call("NoSuchMethod", &Params::new()).unwrap_err();
    assert!(
        matches!(err, Error::HttpStatus { status: 404, .. }),
        "{err:?}"
    );
}

#[test]
fn wrong_secret_is_api_error_4_after_verifying() {
    let sb = sandbox();
    // The sandbox signs its "incorrect hash" answer with the real secret, so
    // a client with the wrong one sees a bad signature, never a trusted text.
    let c = Client::new(LOGIN, "wrong-secret", options(&sb)).unwrap();
    let err = c.delete_order("1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadSignature, "{err}");
    assert_eq!(sb.stats().bad_signatures, 1);
    // Right secret, wrong login: the server's hash differs too.
    let c = Client::new("other", SECRET, options(&sb)).unwrap();
    let err = c.delete_order("1").unwrap_err();
    assert_eq!(
        err,
        Error::Api {
            code: 4,
            text: "incorrect hash".into()
        }
    );
}

#[test]
fn validation_errors_send_nothing() {
    let sb = sandbox();
    let c = client(&sb);
    let cases: Vec<(Error, &str)> = vec![
        (c.delete_order("").unwrap_err(), "bill_id is required"),
        (
            c.update_order_status("1", OrderStatus::Sent, None, Some("1"))
                .unwrap_err(),
            "date is required",
        ),
        (
            c.update_order_status("1", OrderStatus::Sent, Some(1), None)
                .unwrap_err(),
            "rpo",
        ),
        (c.get_bills("", None).unwrap_err(), "email is required"),
        (
            c.get_bills("not-an-email", None).unwrap_err(),
            "not a valid e-mail",
        ),
        (
            c.update_good(&Good::new("")).unwrap_err(),
            "good_name is required",
        ),
        (
            c.update_good(&Good {
                good_only_countries: Some("RUS, UKR".into()),
                ..Good::new("x")
            })
            .unwrap_err(),
            "must not contain spaces",
        ),
        (
            c.call("Get Bills", &Params::new()).unwrap_err(),
            "letters and digits",
        ),
        (
            c.call("X", &Params::new().with("hash", "1")).unwrap_err(),
            "reserved",
        ),
        (
            c.call("X", &Params::new().with("a[b]", "1")).unwrap_err(),
            "array index",
        ),
        (
            c.call("X", &Params::new().with("a", 1).with("a", 2))
                .unwrap_err(),
            "duplicate",
        ),
    ];
    for (err, needle) in cases {
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        assert!(
            err.to_string().contains(needle),
            "{err} should mention {needle}"
        );
    }
    let e = "shipped".parse::<OrderStatus>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "status 'shipped' is not one of sent, paid, return, cancel"
    );
    let e = Good::from_json(r#"{"good_name":"x","good_partner_sl_link":"u"}"#).unwrap_err();
    assert!(e.to_string().contains("good_partner_SL_link"), "{e}");
    assert_eq!(sb.stats().requests, 0, "no request may reach the server");
}

#[test]
fn hundred_sequential_calls_use_one_connection() {
    let sb = sandbox();
    let c = client(&sb);
    for _ in 0..100 {
        c.get_bills("client@example.com", None).unwrap();
    }
    let st = sb.stats();
    assert_eq!(st.requests, 100);
    assert_eq!(st.api_connections, 1, "{st:?}");
}

#[test]
fn many_threads_share_one_client() {
    let sb = sandbox();
    let c = Arc::new(client(&sb));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let c = c.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let r = c
                        .call("SandboxEcho", &Params::new().with("t", t).with("i", i))
                        .unwrap();
                    assert_eq!(
                        r.result.unwrap(),
                        json!({"t": t.to_string(), "i": i.to_string()})
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let st = sb.stats();
    assert_eq!(st.requests, 400);
    assert!(st.api_connections <= 8, "{st:?}");
    assert_eq!(st.bad_signatures, 0);
}

#[test]
fn user_agent_default_and_override() {
    let sb = sandbox();
    client(&sb).get_bills("client@example.com", None).unwrap();
    assert_eq!(
        sb.stats().last_user_agent,
        format!("justclick/{}", justclick::VERSION)
    );
    let mut o = options(&sb);
    o.user_agent = "my-shop/2.0".into();
    Client::new(LOGIN, SECRET, o)
        .unwrap()
        .get_bills("client@example.com", None)
        .unwrap();
    assert_eq!(sb.stats().last_user_agent, "my-shop/2.0");
}

#[test]
fn options_from_json_drive_the_client() {
    let sb = sandbox();
    let json = format!(
        r#"{{"base_url":"{}","timeout_ms":5000,"connect_timeout_ms":1000,"proxy":"","user_agent":"json-ua"}}"#,
        sb.base_url()
    );
    let o = justclick::Options::from_json(Some(&json)).unwrap();
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    c.delete_order("258369").unwrap();
    assert_eq!(sb.stats().last_user_agent, "json-ua");
}

#[test]
fn login_is_validated_before_any_url_is_built() {
    for login in ["evil.com/x?", "a.b", "", "user@host", "-x"] {
        let err = Client::new(login, SECRET, justclick::Options::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(
            err.to_string().contains("not a valid JustClick login"),
            "{err}"
        );
    }
}

/// 999 values plus `hash` fill PHP's `max_input_vars` (1000) exactly
/// (tests/php_differential.rs checks the boundary against a real PHP-FPM):
/// such a call verifies; one value more is refused before any traffic.
#[test]
fn at_most_max_values_per_request() {
    let sb = sandbox();
    let c = client(&sb);
    let values = |n: usize| {
        Params::new()
            .with(
                "a",
                Value::List((0..n as i64 / 2).map(Value::from).collect()),
            )
            .with(
                "b",
                Params::from_iter((n / 2..n).map(|i| (format!("k{i}"), "v"))),
            )
    };
    let echoed = c
        .call("SandboxEcho", &values(justclick::MAX_VALUES))
        .unwrap()
        .result
        .unwrap();
    assert_eq!(echoed["a"].as_array().unwrap().len(), 499);
    assert_eq!(echoed["b"].as_object().unwrap().len(), 500);
    let requests = sb.stats().requests;
    let err = c
        .call("SandboxEcho", &values(justclick::MAX_VALUES + 1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("max_input_vars"), "{err}");
    assert_eq!(sb.stats().requests, requests, "sent anyway");
}
