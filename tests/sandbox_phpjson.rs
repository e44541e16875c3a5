//! Differential test with real PHP (issue 14 point 6, sandbox half): every
//! result shape the sandbox gained (group lists, counts, order objects with
//! items, partners and UTM, `bill_id` results, empty `[]`, partner stats,
//! the code-5 answer) is byte-identical to PHP's `json_encode` of the same
//! data. Needs `php` (or `$PHP`).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use justclick::{encode, request_hash, Params, Secret, Value};
use justclick_sandbox::Sandbox;

/// The sandbox's raw answer body to a correctly signed call.
fn raw(sb: &Sandbox, host: &str, method: &str, params: &Params) -> String {
    let body = encode(params).unwrap();
    let hash = request_hash(body.as_bytes(), LOGIN, &Secret::new(SECRET.as_bytes()));
    let hash = std::str::from_utf8(&hash).unwrap();
    let body = if body.is_empty() {
        format!("hash={hash}")
    } else {
        format!("{body}&hash={hash}")
    };
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST /api/{method} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp.split_once("\r\n\r\n").unwrap().1.to_owned()
}

fn goods(names: &[&str]) -> Value {
    Value::List(
        names
            .iter()
            .map(|n| Value::Map(Params::new().with("good_name", *n)))
            .collect(),
    )
}

#[test]
fn every_new_result_shape_is_phps_json_encode() {
    let sb = sandbox();
    let host = "127.0.0.1";
    let mut bodies = Vec::new();
    let mut call = |method: &str, p: Params| {
        let b = raw(&sb, host, method, &p);
        assert!(b.starts_with("{\"error_code\":"), "{method}: {b}");
        bodies.push((method.to_owned(), b));
    };
    call(
        "AddLeadToGroup",
        Params::new()
            .with("rid", Value::List(vec!["second".into()]))
            .with("lead_email", "a/b@example.com"),
    );
    call(
        "GetLeadGroupStatuses",
        Params::new().with("email", "client@example.com"),
    );
    call(
        "GetLeadGroups",
        Params::new().with("email", "a/b@example.com"),
    );
    call("GetAllGroups", Params::new());
    call(
        "GetCountSubscribe",
        Params::new().with("group_name", "unique"),
    );
    let order = Params::new()
        .with("goods", goods(&["sales", "super_tovar"]))
        .with("bill_email", "buyer@example.com")
        .with("bill_first_name", "Иван \"Ваня\"")
        .with("bill_domain", "http://shop.example")
        .with("bill_aff", "501")
        .with(
            "utm",
            Value::Map(
                Params::new()
                    .with("utm_source", "vk/ads")
                    .with("utm_term", "курс"),
            ),
        );
    call("CreateOrder", order.clone());
    call("CreateOrder", order); // 601 with the existing bill_id
    call(
        "getOrderDetails",
        Params::new().with("bill_id", "300002").with("good_info", 1),
    );
    call("GetOrderInfo", Params::new().with("bill_id", "258368"));
    call(
        "getOrdersWithGoods",
        Params::new()
            .with("begin_date", "01.03.2013")
            .with("end_date", "02.03.2013"),
    );
    call(
        "getOrdersWithGoods",
        Params::new()
            .with("begin_date", "01.01.2001")
            .with("end_date", "02.01.2001"),
    );
    call(
        "GetOrders",
        Params::new()
            .with("date_s", 0)
            .with("date_e", 1_362_300_000),
    );
    call("GetPartnerStats", Params::new().with("partner", "partner1"));
    for g in ["oplata", "sales", "222", "super_tovar"] {
        call("DeleteGood", Params::new().with("good_name", g));
    }
    call("GetAllGoods", Params::new()); // empty shop: []
    bodies.push((
        "code 5".into(),
        raw(&sb, "nobody.justclick.ru", "GetAllGoods", &Params::new()),
    ));

    let php = std::env::var("PHP").unwrap_or_else(|_| "php".into());
    let mut child = Command::new(&php)
        .args([
            "-r",
            "while (($l = fgets(STDIN)) !== false) { echo json_encode(json_decode(rtrim($l, \"\\n\"), true)), \"\\n\"; }",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {php}: {e}"));
    let input: String = bodies.iter().map(|(_, b)| format!("{b}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), bodies.len());
    for ((method, ours), php) in bodies.iter().zip(lines) {
        assert_eq!(ours, php, "{method}");
    }
    // The shapes really are there (the comparison is not vacuous).
    let all = bodies
        .iter()
        .map(|(_, b)| b.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        r#""result":{"bill_id":300002}"#,
        r#""error_code":601"#,
        r#""partners":[{"partner_lvl":"1","partner_id":"501""#,
        r#""utm":{"source":"vk\/ads","term":"\u043a\u0443\u0440\u0441"}"#,
        r#""result":[]}"#,
        r#""result":1}"#,
        r#""rass_status":"STATUS_SUBSCRIBE""#,
        r#""earned_total":"1500""#,
    ] {
        assert!(all.contains(needle), "{needle} missing in\n{all}");
    }
}
