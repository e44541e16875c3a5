//! SOCKS5 proxies given in the `proxy` option: calls go through a small
//! SOCKS5 server written in the test (loopback only). The environment is
//! not touched here (see tests/proxy.rs).

mod common;
#[path = "common/socks5.rs"]
mod socks5;

use common::*;
use justclick::{Client, ErrorKind, Options, ProxySetting};
use socks5::{start_socks5, Asked};

fn through(sb: &justclick_sandbox::Sandbox, proxy: String) -> Options {
    Options {
        proxy: ProxySetting::Url(proxy),
        ..options(sb)
    }
}

#[test]
fn socks5_resolves_locally_and_keeps_the_tunnel() {
    let sb = sandbox();
    let proxy = start_socks5(false);
    let c = Client::new(LOGIN, SECRET, through(&sb, proxy.url("socks5"))).unwrap();
    for _ in 0..3 {
        c.get_bills("client@example.com", None).unwrap();
    }
    assert_eq!(
        *proxy.asked.lock().unwrap(),
        vec![Asked::Ip(sb.addr())],
        "one kept-alive tunnel to the address resolved by the client"
    );
    assert_eq!(sb.stats().requests, 3);
}

#[test]
fn socks5h_leaves_the_name_to_the_proxy() {
    let sb = sandbox();
    let proxy = start_socks5(false);
    let o = Options {
        base_url: Some(format!("http://localhost:{}", sb.port())),
        ..through(&sb, proxy.url("socks5h"))
    };
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    c.get_bills("client@example.com", None).unwrap();
    assert_eq!(
        *proxy.asked.lock().unwrap(),
        vec![Asked::Name("localhost".into(), sb.port())]
    );
}

#[test]
fn socks5_with_password() {
    let sb = sandbox();
    let proxy = start_socks5(true);
    // The password contains '/', percent-encoded as a URL requires.
    let url = format!("socks5://jc:pa%2Fss@127.0.0.1:{}", proxy.port);
    let o = through(&sb, url);
    assert!(!format!("{o:?}").contains("pa%2Fss"), "{o:?}");
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    c.get_bills("client@example.com", None).unwrap();
    assert_eq!(
        *proxy.credentials.lock().unwrap(),
        vec![("jc".to_owned(), "pa/ss".to_owned())]
    );
    assert_eq!(proxy.tunnels(), 1);
}

#[test]
fn socks_failures_are_errors_not_panics() {
    let sb = sandbox();
    // A SOCKS proxy that is down: a transport error.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let c = Client::new(
        LOGIN,
        SECRET,
        through(&sb, format!("socks5://u:hunter2@127.0.0.1:{port}")),
    )
    .unwrap();
    let err = c.get_bills("client@example.com", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");

    // A proxy that wants a password the URL does not give.
    let proxy = start_socks5(true);
    let c = Client::new(LOGIN, SECRET, through(&sb, proxy.url("socks5"))).unwrap();
    let err = c.get_bills("client@example.com", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");

    // Schemes the library does not speak are refused when the client is built.
    for url in [
        "socks4://127.0.0.1:1080",
        "socks4a://127.0.0.1:1080",
        "socks://127.0.0.1:1080",
        "ftp://127.0.0.1:21",
    ] {
        let err = Client::new(LOGIN, SECRET, through(&sb, url.into())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}: {err}");
        assert!(err.to_string().contains("proxy"), "{url}: {err}");
    }
    assert_eq!(sb.stats().requests, 0);
}

#[test]
fn socks5h_reaches_a_name_only_the_proxy_knows() {
    let sb = sandbox();
    let proxy = start_socks5(false);
    // `.invalid` never resolves locally: only the proxy can find it.
    let host = "jc-sandbox.invalid";
    let o = Options {
        base_url: Some(format!("http://{host}:{}", sb.port())),
        allow_insecure_http: true,
        ..through(&sb, proxy.url("socks5h"))
    };
    Client::new(LOGIN, SECRET, o)
        .unwrap()
        .get_bills("client@example.com", None)
        .unwrap();
    assert_eq!(
        *proxy.asked.lock().unwrap(),
        vec![Asked::Name(host.into(), sb.port())]
    );
    assert_eq!(proxy.tunnels(), 1);
}

/// The C ABI path (what PHP, Python and C++ call): a SOCKS proxy from the
/// options JSON works, and a dead one is a transport error, not JC_ERR_PANIC.
#[test]
fn socks5_through_the_c_abi() {
    use justclick::ffi::{self, jc_status};
    use std::ffi::{CStr, CString};

    let sb = sandbox();
    let proxy = start_socks5(false);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("socks5://127.0.0.1:{}", dead.local_addr().unwrap().port());
    drop(dead);
    let run = |proxy_url: &str| -> jc_status {
        let json = CString::new(format!(
            r#"{{"base_url":"{}","proxy":"{proxy_url}","timeout_ms":10000}}"#,
            sb.base_url()
        ))
        .unwrap();
        let (login, secret) = (CString::new(LOGIN).unwrap(), CString::new(SECRET).unwrap());
        let email = CString::new("client@example.com").unwrap();
        unsafe {
            let mut client = std::ptr::null_mut();
            let st =
                ffi::jc_client_new(login.as_ptr(), secret.as_ptr(), json.as_ptr(), &mut client);
            assert_eq!(st, jc_status::JC_OK);
            let mut out = std::ptr::null_mut();
            let st = ffi::jc_get_bills(client, email.as_ptr(), std::ptr::null(), &mut out);
            assert!(!out.is_null());
            let doc = CStr::from_ptr(out).to_string_lossy().into_owned();
            assert!(!doc.contains("panic"), "{doc}");
            ffi::jc_string_free(out);
            ffi::jc_client_free(client);
            st
        }
    };
    assert_eq!(run(&proxy.url("socks5h")), jc_status::JC_OK);
    assert_eq!(proxy.tunnels(), 1);
    assert_eq!(run(&dead_url), jc_status::JC_ERR_TRANSPORT);
}
