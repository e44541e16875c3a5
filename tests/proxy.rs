//! Proxy precedence: the explicit option, then the environment read as curl
//! reads it; `""` means direct. A tiny CONNECT proxy and a SOCKS5 server in
//! the test count what goes through them.
//! (One test function: it changes the process environment.)

mod common;
#[path = "common/socks5.rs"]
mod socks5;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use common::*;
use justclick::{Client, ErrorKind, Options, ProxySetting};
use socks5::start_socks5;

struct ConnectProxy {
    port: u16,
    tunnels: Arc<AtomicUsize>,
    targets: Arc<Mutex<Vec<String>>>,
}

fn start_proxy() -> ConnectProxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tunnels = Arc::new(AtomicUsize::new(0));
    let targets = Arc::new(Mutex::new(Vec::new()));
    let (t, g) = (tunnels.clone(), targets.clone());
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { continue };
            let (t, g) = (t.clone(), g.clone());
            thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let target = head
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split(' ').next())
                    .unwrap_or("")
                    .to_owned();
                let Ok(upstream) = TcpStream::connect(&target) else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                t.fetch_add(1, Ordering::SeqCst);
                g.lock().unwrap().push(target);
                client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .unwrap();
                let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let (mut c1, mut u1) = (client, upstream);
                thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut u2);
                    let _ = u2.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut u1, &mut c1);
                let _ = c1.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    ConnectProxy {
        port,
        tunnels,
        targets,
    }
}

fn opts(sb: &justclick_sandbox::Sandbox, proxy: ProxySetting) -> Options {
    Options {
        proxy,
        ..options(sb)
    }
}

const PROXY_VARS: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Sets exactly these proxy variables (all others removed).
fn env(vars: &[(&str, &str)]) {
    for var in PROXY_VARS {
        std::env::remove_var(var);
    }
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
}

#[test]
fn explicit_option_then_environment_as_curl_reads_it() {
    let sb = sandbox();
    let tls = tls_sandbox();
    let ca = temp_file("proxy-ca.pem", tls.ca_pem().unwrap());
    let tls_opts = || Options {
        ca_file: Some(ca.clone()),
        proxy: ProxySetting::FromEnv,
        ..options(&tls)
    };
    let proxy = start_proxy();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let socks = start_socks5(false);
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://127.0.0.1:{}", dead.local_addr().unwrap().port());
    drop(dead);
    let tunnels = || proxy.tunnels.load(Ordering::SeqCst);
    let call = |o: Options| Client::new(LOGIN, SECRET, o)?.get_bills("client@example.com", None);
    env(&[]);

    // 1. Explicit option, even with a (dead) proxy in the environment.
    env(&[("ALL_PROXY", &dead_url), ("http_proxy", &dead_url)]);
    let c = Client::new(
        LOGIN,
        SECRET,
        opts(&sb, ProxySetting::Url(proxy_url.clone())),
    )
    .unwrap();
    for _ in 0..3 {
        c.get_bills("client@example.com", None).unwrap();
    }
    assert_eq!(tunnels(), 1, "one kept-alive tunnel");
    assert_eq!(
        proxy.targets.lock().unwrap()[0],
        format!("127.0.0.1:{}", sb.port())
    );

    // 2. http:// base URL: lowercase http_proxy only.
    env(&[("http_proxy", &proxy_url)]);
    call(opts(&sb, ProxySetting::FromEnv)).unwrap();
    assert_eq!(tunnels(), 2, "http_proxy used for http://");
    // Uppercase HTTP_PROXY is ignored (httpoxy: under CGI a request header
    // `Proxy:` arrives as HTTP_PROXY), even with nothing else set.
    env(&[("HTTP_PROXY", &dead_url)]);
    call(opts(&sb, ProxySetting::FromEnv)).unwrap();
    assert_eq!(tunnels(), 2, "HTTP_PROXY ignored");
    // http_proxy is not used for https://.
    env(&[("http_proxy", &dead_url)]);
    call(tls_opts()).unwrap();

    // 3. https:// base URL: https_proxy, then HTTPS_PROXY; both win over ALL_PROXY.
    env(&[("https_proxy", &proxy_url), ("ALL_PROXY", &dead_url)]);
    call(tls_opts()).unwrap();
    assert_eq!(tunnels(), 3, "https_proxy used for https://");
    env(&[("HTTPS_PROXY", &proxy_url), ("all_proxy", &dead_url)]);
    call(tls_opts()).unwrap();
    assert_eq!(tunnels(), 4, "HTTPS_PROXY used for https://");
    assert_eq!(
        proxy.targets.lock().unwrap()[3],
        format!("127.0.0.1:{}", tls.port())
    );

    // 4. ALL_PROXY (or all_proxy) when no scheme variable is set, SOCKS included.
    env(&[("ALL_PROXY", &proxy_url)]);
    call(opts(&sb, ProxySetting::FromEnv)).unwrap();
    assert_eq!(tunnels(), 5, "ALL_PROXY used");
    env(&[("all_proxy", &socks.url("socks5h"))]);
    call(tls_opts()).unwrap();
    assert_eq!(socks.tunnels(), 1, "SOCKS proxy from all_proxy used");

    // 5. NO_PROXY / no_proxy: names (a leading '.' or '*.' ignored, subdomains
    //    included), IP addresses and CIDR ranges, '*' for all.
    for no_proxy in [
        "127.0.0.1",
        "example.com, 127.0.0.0/8",
        "*",
        ".0.0.1,127.0.0.1",
    ] {
        env(&[("https_proxy", &dead_url), ("NO_PROXY", no_proxy)]);
        call(tls_opts()).unwrap_or_else(|e| panic!("{no_proxy}: {e}"));
    }
    let by_name = || Options {
        base_url: Some(format!("https://localhost:{}", tls.port())),
        ..tls_opts()
    };
    for no_proxy in ["localhost", ".localhost", "*.localhost", "a.b,LOCALHOST"] {
        env(&[("https_proxy", &dead_url), ("no_proxy", no_proxy)]);
        call(by_name()).unwrap_or_else(|e| panic!("{no_proxy}: {e}"));
    }
    for no_proxy in ["127.0.0.2", "128.0.0.0/8", "0.0.1", "host"] {
        env(&[("https_proxy", &proxy_url), ("no_proxy", no_proxy)]);
        let before = tunnels();
        call(tls_opts()).unwrap();
        assert_eq!(
            tunnels(),
            before + 1,
            "{no_proxy} does not exempt 127.0.0.1"
        );
    }

    // 6. `""` / Direct ignores the environment.
    env(&[("ALL_PROXY", &dead_url), ("http_proxy", &dead_url)]);
    let json = format!(r#"{{"base_url":"{}","proxy":""}}"#, sb.base_url());
    call(Options::from_json(Some(&json)).unwrap()).unwrap();

    // 7. A proxy that is asked for but unusable is an invalid argument that
    //    names the variable, never a silent direct connection; passwords stay hidden.
    for (var, value) in [
        ("ALL_PROXY", "ftp://user:se/cret@127.0.0.1:21"),
        ("http_proxy", "socks4://user:se%2Fcret@127.0.0.1:1080"),
        ("all_proxy", "::not a url::"),
        ("http_proxy", "http://user:se/cret@127.0.0.1:99999"),
    ] {
        env(&[(var, value)]);
        let err = Client::new(LOGIN, SECRET, opts(&sb, ProxySetting::FromEnv)).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidArgument,
            "{var}={value}: {err}"
        );
        let msg = err.to_string();
        assert!(msg.contains(var), "{var}={value}: {msg}");
        assert!(!msg.contains("cret"), "{var}={value}: {msg}");
    }
    let err = Client::new(
        LOGIN,
        SECRET,
        opts(&sb, ProxySetting::Url("::not a url::".into())),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");

    // 8. A proxy that is down is a transport error naming no secret.
    env(&[]);
    let err = call(opts(&sb, ProxySetting::Url(dead_url.clone()))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    env(&[("http_proxy", &dead_url)]);
    let err = call(opts(&sb, ProxySetting::FromEnv)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    env(&[]);
}
