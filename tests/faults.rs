//! Every sandbox fault mapped to its documented error kind, TLS verified and
//! refused, redirects never followed, and bounded time and memory against
//! hostile answers.
//!
//! No test here reads a clock. A timeout that is not the subject of a test
//! is a guard ([`GUARD`]) far above anything a loaded machine adds, which
//! only turns a hang into a failure; where the timeout is the subject, the
//! server never ends the call itself, so only the client's timeout can.

mod common;

use std::time::Duration;

use common::*;
use justclick::{Client, Error, ErrorKind, Options, ProxySetting};
use justclick_sandbox::{Fault, FaultConfig, Sandbox};

/// The overall timeout of calls that must end some other way.
const GUARD: Duration = Duration::from_secs(60);

/// What a call meets under a fault mode. Exhaustive, so that a new mode
/// has to say what its calls end with.
enum Documented {
    Succeeds,
    /// The error kind and a piece of its message.
    Fails(ErrorKind, &'static str),
    /// `storm` draws another mode for each request.
    Varies,
}

fn documented(mode: Fault) -> Documented {
    use Documented::*;
    match mode {
        Fault::None | Fault::StringCode => Succeeds,
        Fault::Http500 => Fails(ErrorKind::HttpStatus, "HTTP status 500"),
        Fault::Http502 => Fails(ErrorKind::HttpStatus, "HTTP status 502"),
        Fault::WrongHash | Fault::MagicHash => Fails(ErrorKind::BadSignature, "does not verify"),
        Fault::MissingHash => Fails(ErrorKind::BadSignature, "no 'hash'"),
        Fault::NonStringHash => Fails(ErrorKind::BadSignature, "not a string"),
        Fault::Truncate => Fails(ErrorKind::BadResponse, "truncated"),
        Fault::NonJson => Fails(ErrorKind::BadResponse, "HTML page"),
        Fault::Close => Fails(ErrorKind::Transport, "closed"),
        Fault::Reset => Fails(ErrorKind::Transport, ""),
        Fault::Huge => Fails(ErrorKind::BadResponse, "max_response_bytes"),
        Fault::DeepJson => Fails(ErrorKind::BadResponse, "recursion"),
        Fault::InvalidUtf8 => Fails(ErrorKind::BadResponse, "not valid JSON"),
        Fault::Redirect => Fails(ErrorKind::HttpStatus, "not followed"),
        Fault::RateLimit => Fails(ErrorKind::Api, "8"),
        Fault::Slow | Fault::Stall => Fails(ErrorKind::Timeout, "timed out"),
        Fault::Storm => Varies,
    }
}

/// The modes whose answer (or its absence) comes at once: a call under
/// them ends without any timeout firing.
fn immediate(mode: Fault) -> bool {
    !matches!(mode, Fault::Slow | Fault::Stall | Fault::Storm)
}

fn kind_under(mode: Fault) -> (Error, Sandbox) {
    let sb = sandbox();
    fault(&sb, mode);
    let mut o = options(&sb);
    o.timeout = GUARD;
    o.max_response_bytes = 1 << 20;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let err = c.get_bills("client@example.com", None).unwrap_err();
    (err, sb)
}

#[test]
fn each_fault_has_its_error_kind() {
    let mut checked = 0;
    for (_, mode) in Fault::ALL {
        let Documented::Fails(kind, needle) = documented(*mode) else {
            continue;
        };
        if !immediate(*mode) {
            continue; // the two timeouts have tests of their own, below
        }
        let (err, _sb) = kind_under(*mode);
        assert_eq!(err.kind(), kind, "{mode:?}: {err}");
        assert!(err.to_string().contains(needle), "{mode:?}: {err}");
        assert!(!err.to_string().contains(SECRET));
        checked += 1;
    }
    assert_eq!(checked, 15, "every failing mode but slow and stall");
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

/// The `slow` answer trickles one byte every 200 ms of a 100,000-byte
/// body: it would not end within 10 minutes, and no read ever waits long.
/// So only the client's overall timeout can end the call, and `Timeout`
/// proves that it fired, however late a loaded machine lets it fire (no
/// clock is read). The sandbox then sees the client hang up: the call
/// left no connection behind.
#[test]
fn slowloris_is_cut_by_the_overall_timeout() {
    let sb = sandbox();
    fault(&sb, Fault::Slow);
    let mut o = options(&sb);
    o.timeout = Duration::from_millis(1500);
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let err = c.delete_order("1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // The overall deadline, not a per-read one.
    assert!(err.to_string().contains("timed out (global)"), "{err}");
    wait_until(
        "the sandbox seeing the client hang up on the trickle",
        || sb.stats().hangups == 1,
    );
}

/// The stall (an hour) outlasts any delay a loaded machine adds to the
/// 500 ms timeout, and the sandbox holds the answer until the client hangs
/// up: only the timeout can end the call. The client then drops that
/// connection (the sandbox sees it hang up) and the next call, on a new
/// one, succeeds.
#[test]
fn stall_past_the_timeout_is_a_timeout_and_the_client_recovers() {
    let sb = sandbox();
    sb.set_fault(FaultConfig {
        mode: Fault::Stall,
        stall: Duration::from_secs(3600),
        ..FaultConfig::default()
    });
    let mut o = options(&sb);
    o.timeout = Duration::from_millis(500);
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    assert_eq!(c.delete_order("1").unwrap_err().kind(), ErrorKind::Timeout);
    wait_until("the sandbox seeing the client hang up on the stall", || {
        sb.stats().hangups == 1
    });
    fault(&sb, Fault::None);
    c.get_bills("client@example.com", None).unwrap();
    assert_eq!(
        sb.stats().api_connections,
        2,
        "the timed-out connection was reused"
    );
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

/// One client meets every immediate fault in turn: each call during a
/// fault ends with the fault's documented kind (the message may differ
/// from `each_fault_has_its_error_kind`'s: the limit here is 64 KiB), and
/// the next call after it succeeds.
#[test]
fn client_keeps_working_after_every_fault() {
    let sb = sandbox();
    let mut o = options(&sb);
    o.timeout = GUARD;
    o.max_response_bytes = 1 << 16;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let mut faulted = 0;
    for (_, mode) in Fault::ALL {
        if !immediate(*mode) {
            continue;
        }
        fault(&sb, *mode);
        let during = c.get_bills("client@example.com", None);
        match documented(*mode) {
            Documented::Succeeds => {
                during.unwrap_or_else(|e| panic!("under {mode:?}: {e}"));
            }
            Documented::Fails(kind, _) => {
                let e = during.expect_err(&format!("{mode:?} was not noticed"));
                assert_eq!(e.kind(), kind, "under {mode:?}: {e}");
                faulted += 1;
            }
            Documented::Varies => unreachable!("{mode:?} is not immediate"),
        }
        fault(&sb, Fault::None);
        c.get_bills("client@example.com", None)
            .unwrap_or_else(|e| panic!("after {mode:?}: {e}"));
    }
    assert_eq!(faulted, 15);
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
    // The TLS server refuses the plaintext at its first byte; the timeout
    // is only a guard (a Timeout would fail the kinds below).
    let o = Options {
        base_url: Some(format!("http://127.0.0.1:{}", sb.port())),
        proxy: ProxySetting::Direct,
        timeout: GUARD,
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
