//! Options checked on every path (Rust `Client::new` as well as JSON), base
//! URLs (plain HTTP only to loopback, valid ports) and proxy credentials kept
//! out of `Debug` and error messages. No test here changes the environment
//! or sends a request anywhere but loopback.

mod common;

use std::time::Duration;

use common::*;
use justclick::{Client, ErrorKind, Options, ProxySetting};

fn refused(o: Options) -> String {
    let err = Client::new(LOGIN, SECRET, o).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    err.to_string()
}

fn direct() -> Options {
    Options {
        proxy: ProxySetting::Direct,
        ..Options::default()
    }
}

#[test]
fn bounds_hold_for_rust_callers() {
    let cases: Vec<(Options, &str)> = vec![
        (
            Options {
                max_response_bytes: u64::MAX,
                ..direct()
            },
            "max_response_bytes",
        ),
        (
            Options {
                max_response_bytes: 0,
                ..direct()
            },
            "max_response_bytes",
        ),
        (
            Options {
                rate_limit_backoff: Duration::MAX,
                ..direct()
            },
            "rate_limit_backoff",
        ),
        (
            Options {
                rate_limit_backoff: Duration::ZERO,
                ..direct()
            },
            "rate_limit_backoff",
        ),
        (
            Options {
                rate_limit_retries: u32::MAX,
                ..direct()
            },
            "rate_limit_retries",
        ),
        (
            Options {
                timeout: Duration::ZERO,
                ..direct()
            },
            "timeout",
        ),
        (
            Options {
                timeout: Duration::from_micros(500),
                ..direct()
            },
            "timeout",
        ),
        (
            Options {
                timeout: Duration::MAX,
                ..direct()
            },
            "timeout",
        ),
        (
            Options {
                connect_timeout: Duration::ZERO,
                ..direct()
            },
            "connect_timeout",
        ),
        (
            Options {
                connect_timeout: Duration::from_secs(u64::MAX),
                ..direct()
            },
            "connect_timeout",
        ),
    ];
    for (o, needle) in cases {
        let shown = format!("{o:?}");
        let err = refused(o);
        assert!(err.contains(needle), "{shown}: {err}");
        assert!(err.contains("between"), "{shown}: {err}");
    }
    // The bounds themselves are accepted.
    let o = Options {
        max_response_bytes: 1 << 30,
        rate_limit_backoff: Duration::from_secs(60),
        rate_limit_retries: 10,
        timeout: Duration::from_secs(3600),
        connect_timeout: Duration::from_millis(1),
        ..direct()
    };
    Client::new(LOGIN, SECRET, o).unwrap();
    // JSON reports the same bounds.
    for (json, needle) in [
        (r#"{"max_response_bytes":0}"#, "max_response_bytes"),
        (r#"{"timeout_ms":0}"#, "timeout"),
        (r#"{"rate_limit_backoff_ms":60001}"#, "rate_limit_backoff"),
        (r#"{"rate_limit_retries":-1}"#, "rate_limit_retries"),
    ] {
        let err = Options::from_json(Some(json)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{json}: {err}");
        assert!(err.to_string().contains(needle), "{json}: {err}");
    }
}

#[test]
fn plain_http_only_to_loopback() {
    for url in [
        "http://127.0.0.1:8089",
        "http://127.5.6.7",
        "http://[::1]:8089",
        "http://localhost:8089",
        "http://LOCALHOST",
        "https://example.com",
    ] {
        let o = Options {
            base_url: Some(url.into()),
            ..direct()
        };
        Client::new(LOGIN, SECRET, o).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    for url in [
        "http://example.com",
        "http://10.0.0.1:8089",
        "http://128.0.0.1",
        "http://[::2]",
        "http://localhost.example.com",
        "http://127.0.0.1.example.com",
        "http://[::ffff:10.0.0.1]",
    ] {
        let o = Options {
            base_url: Some(url.into()),
            ..direct()
        };
        let err = refused(o);
        assert!(err.contains("allow_insecure_http"), "{url}: {err}");
    }
}

#[test]
fn ports_must_be_1_to_65535() {
    for url in [
        "https://h:99999",
        "https://h:65536",
        "https://h:0",
        "http://127.0.0.1:0",
        "https://h:",
        "https://h:+443",
        "https://[::1]:70000",
        "https://h:00000000000000000443x",
    ] {
        let o = Options {
            base_url: Some(url.into()),
            ..direct()
        };
        let err = refused(o);
        assert!(err.contains("port"), "{url}: {err}");
    }
    let o = Options {
        base_url: Some("https://h:65535/".into()),
        ..direct()
    };
    assert_eq!(
        Client::new(LOGIN, SECRET, o).unwrap().base_url(),
        "https://h:65535"
    );
}

#[test]
fn proxy_passwords_with_slashes_are_hidden() {
    for url in [
        "http://user:pa/ss@proxy:3128",
        "http://user:pa/ss@proxy:99999",
        "socks5h://user:pa/ss@proxy",
        "ftp://user:pa/ss@proxy",
        "user:pa/ss@proxy:3128",
        "http://user:pa/ss@",
    ] {
        let o = Options {
            proxy: ProxySetting::Url(url.into()),
            ..Options::default()
        };
        let shown = format!("{o:?}");
        assert!(!shown.contains("ss@") && !shown.contains("pa/"), "{shown}");
        if let Err(err) = Client::new(LOGIN, SECRET, o) {
            let err = err.to_string();
            assert!(!err.contains("pa/ss") && !err.contains("ss@"), "{err}");
        }
    }
}

#[test]
fn allow_insecure_http_opens_plain_http_to_other_hosts() {
    let o = Options {
        base_url: Some("http://10.0.0.1:8089".into()),
        allow_insecure_http: true,
        ..direct()
    };
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    assert_eq!(c.base_url(), "http://10.0.0.1:8089");

    let json = r#"{"base_url":"http://example.com","allow_insecure_http":true,"proxy":""}"#;
    let o = Options::from_json(Some(json)).unwrap();
    assert!(o.allow_insecure_http);
    Client::new(LOGIN, SECRET, o).unwrap();
    let o = Options::from_json(Some(r#"{"base_url":"http://example.com","proxy":""}"#)).unwrap();
    assert!(!o.allow_insecure_http);
    assert!(refused(o).contains("allow_insecure_http"));
    let err = Options::from_json(Some(r#"{"allow_insecure_http":1}"#)).unwrap_err();
    assert!(err.to_string().contains("true or false"), "{err}");
    assert!(justclick::OPTION_NAMES.contains(&"allow_insecure_http"));
    // It does not relax anything else.
    let o = Options {
        base_url: Some("http://example.com:99999".into()),
        allow_insecure_http: true,
        ..direct()
    };
    assert!(refused(o).contains("port"));
}
