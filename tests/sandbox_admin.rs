//! The sandbox's admin endpoints over HTTP, as non-Rust test suites use them.
#![cfg(feature = "sandbox")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use justclick::ErrorKind;

fn http(sb: &justclick::sandbox::Sandbox, method: &str, path: &str, body: &str) -> (u16, String) {
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
