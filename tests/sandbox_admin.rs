//! The sandbox's admin endpoints over HTTP, as non-Rust test suites use them.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use justclick::ErrorKind;

fn http(sb: &justclick_sandbox::Sandbox, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("the sandbox answers");
    let status = resp[9..12].parse().unwrap();
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn fault_switching_over_http() {
    let sb = sandbox();
    let c = client(&sb);
    let (status, body) = http(&sb, "POST", "/__sandbox/fault", "mode=http502&rate=1");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"mode\":\"http502\""), "{body}");
    assert_eq!(
        c.delete_order("1").unwrap_err().kind(),
        ErrorKind::HttpStatus
    );
    assert_eq!(http(&sb, "POST", "/__sandbox/fault", "mode=none").0, 200);
    c.get_bills("client@example.com", None).unwrap();
    let (status, body) = http(&sb, "POST", "/__sandbox/fault", "mode=bogus");
    assert_eq!(status, 400);
    assert!(body.contains("unknown fault mode"), "{body}");
}

#[test]
fn stats_and_reset_over_http() {
    let sb = sandbox();
    let c = client(&sb);
    c.delete_order("1111").unwrap();
    let (status, body) = http(&sb, "GET", "/__sandbox/stats", "");
    assert_eq!(status, 200);
    let stats: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stats["requests"], 1);
    assert_eq!(stats["writes"], 1);
    assert_eq!(stats["by_method"]["DeleteOrder"], 1);
    assert_eq!(http(&sb, "POST", "/__sandbox/reset", "").0, 200);
    // The seed data is back: order 1111 exists again.
    c.delete_order("1111").unwrap();
    assert_eq!(http(&sb, "GET", "/nope", "").0, 404);
}

/// The counters tests wait on instead of clocks: faults injected per mode,
/// answers the client hung up on, idle connections closed, notifications
/// queued (the log reaches that length once all were tried).
#[test]
fn stats_count_faults_hangups_idle_closes_and_queued_notifications() {
    // A connection that never sends a request is closed after idle_timeout,
    // and counted once it is (alone on its sandbox: any kept-alive client
    // connection would be closed and counted too).
    let quick = justclick_sandbox::Sandbox::start(justclick_sandbox::Config {
        login: LOGIN.into(),
        secret: SECRET.into(),
        idle_timeout: Duration::from_millis(50),
        ..justclick_sandbox::Config::default()
    })
    .unwrap();
    let mut idle = TcpStream::connect(quick.addr()).unwrap();
    wait_until("the idle connection closed", || {
        quick.stats().idle_closed == 1
    });
    idle.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    assert_eq!(
        idle.read(&mut [0u8; 1]).unwrap(),
        0,
        "closed by the sandbox"
    );
    let (_, body) = http(&quick, "GET", "/__sandbox/stats", "");
    assert!(body.contains("\"idle_closed\":1"), "{body}");

    let sb = sandbox();
    let stats = || -> serde_json::Value {
        serde_json::from_str(&http(&sb, "GET", "/__sandbox/stats", "").1).unwrap()
    };
    let c = client(&sb);

    assert_eq!(http(&sb, "POST", "/__sandbox/fault", "mode=http500").0, 200);
    c.delete_order("1").unwrap_err();
    assert_eq!(stats()["faults"], serde_json::json!({"http500": 1}));

    // A stall of an hour, cut by a client that stops waiting.
    let form = "mode=stall&stall_ms=3600000";
    assert_eq!(http(&sb, "POST", "/__sandbox/fault", form).0, 200);
    let mut o = options(&sb);
    o.timeout = Duration::from_millis(300);
    let impatient = justclick::Client::new(LOGIN, SECRET, o).unwrap();
    let e = impatient.delete_order("1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    wait_until("the stall counted as hung up on", || {
        stats()["hangups"] == 1
    });
    assert_eq!(stats()["faults"]["stall"], 1);

    assert_eq!(http(&sb, "POST", "/__sandbox/fault", "mode=none").0, 200);
    let (url, requests) = common::receiver::notification_receiver();
    c.add_good(
        &justclick::Params::new()
            .with("good_name", "counted")
            .with("good_type", "0")
            .with("good_title", "Counted")
            .with("good_sum", 10)
            .with("good_api_url_new_order", format!("{url}/new")),
    )
    .unwrap();
    let order = justclick::Params::new()
        .with(
            "goods",
            justclick::Value::List(vec![justclick::Value::Map(
                justclick::Params::new().with("good_name", "counted"),
            )]),
        )
        .with("bill_first_name", "Counted")
        .with("bill_email", "counted@example.com");
    c.create_order(&order).unwrap();
    assert_eq!(stats()["notifications_queued"], 1);
    wait_until("the notification tried", || sb.notifications().len() == 1);
    assert_eq!(sb.notifications()[0]["status"], 200);
    requests.recv().expect("the receiver got it");
}
