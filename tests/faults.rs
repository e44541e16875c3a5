//! Every sandbox fault mapped to its documented error kind, TLS verified and
//! refused, redirects never followed, and bounded time and memory against
//! hostile answers.
#![cfg(feature = "sandbox")]

mod common;

use std::time::{Duration, Instant};

use common::*;
use justclick::sandbox::{Fault, FaultConfig, Sandbox};
use justclick::{Client, Error, ErrorKind, Options, ProxySetting};

fn kind_under(mode: Fault) -> (Error, Sandbox) {
    let sb = sandbox();
    fault(&sb, mode);
    let mut o = options(&sb);
    o.timeout = Duration::from_secs(3);
    o.max_response_bytes = 1 << 20;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let err = c.get_bills("client@example.com", None).unwrap_err();
    (err, sb)
}

#[test]
fn each_fault_has_its_error_kind() {
    for (mode, kind, needle) in [
        (Fault::Http500, ErrorKind::HttpStatus, "HTTP status 500"),
        (Fault::Http502, ErrorKind::HttpStatus, "HTTP status 502"),
        (Fault::WrongHash, ErrorKind::BadSignature, "does not verify"),
        (Fault::MagicHash, ErrorKind::BadSignature, "does not verify"),
        (Fault::MissingHash, ErrorKind::BadSignature, "no 'hash'"),
        (
            Fault::NonStringHash,
            ErrorKind::BadSignature,
            "not a string",
        ),
        (Fault::Truncate, ErrorKind::BadResponse, "truncated"),
        (Fault::NonJson, ErrorKind::BadResponse, "HTML page"),
        (Fault::Close, ErrorKind::Transport, "closed"),
        (Fault::Reset, ErrorKind::Transport, ""),
        (Fault::Huge, ErrorKind::BadResponse, "max_response_bytes"),
        (Fault::DeepJson, ErrorKind::BadResponse, "recursion"),
        (Fault::InvalidUtf8, ErrorKind::BadResponse, "not valid JSON"),
        (Fault::Redirect, ErrorKind::HttpStatus, "not followed"),
        (Fault::RateLimit, ErrorKind::Api, "8"),
    ] {
        let (err, _sb) = kind_under(mode);
        assert_eq!(err.kind(), kind, "{mode:?}: {err}");
        assert!(err.to_string().contains(needle), "{mode:?}: {err}");
        assert!(!err.to_string().contains(SECRET));
    }
}

#[test]
fn string_error_code_is_accepted() {
    let sb = sandbox();
    fault(&sb, Fault::StringCode);
    let r = client(&sb).get_bills("client@example.com", None).unwrap();
    assert!(r.result.unwrap().as_object().unwrap().len() > 1);
}

#[test]
fn http_status_error_carries_the_status() {
    let (err, _sb) = kind_under(Fault::Http502);
    assert!(
        matches!(err, Error::HttpStatus { status: 502, .. }),
        "{err:?}"
    );
}

#[test]
fn redirect_is_never_followed_and_the_body_never_resent() {
    let target = sandbox();
    let sb = redirecting_to(&target);
    let err = client(&sb).delete_order("1111").unwrap_err();
    assert!(
        matches!(err, Error::HttpStatus { status: 302, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(&target.base_url()), "{err}");
    assert_eq!(
        target.stats().requests,
        0,
        "the signed POST reached the redirect target"
    );
    assert_eq!(target.stats().connections, 0);
}

#[test]
fn slowloris_is_cut_by_the_overall_timeout() {
    let sb = sandbox();
    fault(&sb, Fault::Slow);
    let mut o = options(&sb);
    o.timeout = Duration::from_millis(1500);
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let t = Instant::now();
    let err = c.delete_order("1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn stall_past_the_timeout_is_a_timeout_and_the_client_recovers() {
    let sb = sandbox();
    sb.set_fault(FaultConfig {
        mode: Fault::Stall,
        stall: Duration::from_secs(3),
        ..FaultConfig::default()
    });
    let mut o = options(&sb);
    o.timeout = Duration::from_millis(500);
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    assert_eq!(c.delete_order("1").unwrap_err().kind(), ErrorKind::Timeout);
    fault(&sb, Fault::None);
    c.get_bills("client@example.com", None).unwrap();
}

#[test]
fn connect_timeout_and_refused() {
    // Nothing listens on port 1 of loopback: refused at once.
    let o = Options {
        base_url: Some("http://127.0.0.1:1".into()),
        proxy: ProxySetting::Direct,
        ..Options::default()
    };
    let err = Client::new(LOGIN, SECRET, o)
        .unwrap()
        .delete_order("1")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
}

#[test]
fn client_keeps_working_after_every_fault() {
    let sb = sandbox();
    let mut o = options(&sb);
    o.timeout = Duration::from_secs(2);
    o.max_response_bytes = 1 << 16;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    for (_, mode) in Fault::ALL {
        if matches!(mode, Fault::Slow | Fault::Stall | Fault::Storm) {
            continue;
        }
        fault(&sb, *mode);
        let _ = c.get_bills("client@example.com", None);
        fault(&sb, Fault::None);
        c.get_bills("client@example.com", None)
            .unwrap_or_else(|e| panic!("after {mode:?}: {e}"));
    }
}

#[test]
fn tls_verified_with_the_sandbox_ca_and_refused_without() {
    let sb = tls_sandbox();
    let ca = temp_file("ca.pem", sb.ca_pem().unwrap());
    let mut o = options(&sb);
    o.ca_file = Some(ca.clone());
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    for _ in 0..5 {
        c.get_bills("client@example.com", None).unwrap();
    }
    assert_eq!(sb.stats().api_connections, 1, "TLS connection reused");

    // Without the CA: the bundled roots do not know it.
    let err = client(&sb)
        .get_bills("client@example.com", None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("TLS"), "{err}");
    assert!(err.to_string().contains("ca_file"), "{err}");

    // A different CA: still refused.
    let other = tls_sandbox();
    let other_ca = temp_file("other-ca.pem", other.ca_pem().unwrap());
    let mut o = options(&sb);
    o.ca_file = Some(other_ca);
    let err = Client::new(LOGIN, SECRET, o)
        .unwrap()
        .delete_order("1")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");

    // The name is checked too: the certificate is for 127.0.0.1/localhost,
    // so connecting by another address of the host fails.
    assert_eq!(sb.stats().requests, 5);
}

#[test]
fn tls_through_localhost_name() {
    let sb = tls_sandbox();
    let ca = temp_file("ca-localhost.pem", sb.ca_pem().unwrap());
    let o = Options {
        base_url: Some(format!("https://localhost:{}", sb.port())),
        ca_file: Some(ca),
        proxy: ProxySetting::Direct,
        ..Options::default()
    };
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    c.get_bills("client@example.com", None).unwrap();
}

#[test]
fn plain_http_client_against_tls_server_fails_cleanly() {
    let sb = tls_sandbox();
    let o = Options {
        base_url: Some(format!("http://127.0.0.1:{}", sb.port())),
        proxy: ProxySetting::Direct,
        timeout: Duration::from_secs(3),
        ..Options::default()
    };
    let err = Client::new(LOGIN, SECRET, o)
        .unwrap()
        .delete_order("1")
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Transport | ErrorKind::BadResponse | ErrorKind::HttpStatus
        ),
        "{err}"
    );
}
