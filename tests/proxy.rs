//! Proxy precedence: the explicit option, then the environment; `""` means
//! direct. A tiny CONNECT proxy in the test counts what goes through it.
//! (One test function: it changes the process environment.)
#![cfg(feature = "sandbox")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use common::*;
use justclick::{Client, Options, ProxySetting};

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

fn opts(sb: &justclick::sandbox::Sandbox, proxy: ProxySetting) -> Options {
    Options {
        proxy,
        ..options(sb)
    }
}

#[test]
fn explicit_option_then_environment_then_direct() {
    let sb = sandbox();
    let proxy = start_proxy();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(var);
    }

    // 1. Explicit option.
    let c = Client::new(
        LOGIN,
        SECRET,
        opts(&sb, ProxySetting::Url(proxy_url.clone())),
    )
    .unwrap();
    for _ in 0..3 {
        c.get_bills("client@example.com", None).unwrap();
    }
    assert_eq!(
        proxy.tunnels.load(Ordering::SeqCst),
        1,
        "one kept-alive tunnel"
    );
    assert_eq!(
        proxy.targets.lock().unwrap()[0],
        format!("127.0.0.1:{}", sb.port())
    );

    // 2. From the environment (read when the client is built).
    std::env::set_var("HTTP_PROXY", &proxy_url);
    std::env::set_var("HTTPS_PROXY", &proxy_url);
    let c = Client::new(LOGIN, SECRET, opts(&sb, ProxySetting::FromEnv)).unwrap();
    c.get_bills("client@example.com", None).unwrap();
    assert_eq!(
        proxy.tunnels.load(Ordering::SeqCst),
        2,
        "environment proxy used"
    );

    // 3. `""` / Direct ignores the environment.
    let json = format!(r#"{{"base_url":"{}","proxy":""}}"#, sb.base_url());
    let c = Client::new(LOGIN, SECRET, Options::from_json(Some(&json)).unwrap()).unwrap();
    c.get_bills("client@example.com", None).unwrap();
    assert_eq!(
        proxy.tunnels.load(Ordering::SeqCst),
        2,
        "direct means direct"
    );

    // 4. NO_PROXY exempts the host.
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let c = Client::new(LOGIN, SECRET, opts(&sb, ProxySetting::FromEnv)).unwrap();
    c.get_bills("client@example.com", None).unwrap();
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), 2, "NO_PROXY honoured");

    // 5. A bad explicit proxy URL is an invalid argument, not a silent direct connection.
    let err = Client::new(
        LOGIN,
        SECRET,
        opts(&sb, ProxySetting::Url("::not a url::".into())),
    )
    .unwrap_err();
    assert_eq!(err.kind(), justclick::ErrorKind::InvalidArgument, "{err}");

    // 6. A proxy that is down is a transport error naming no secret.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://127.0.0.1:{}", dead.local_addr().unwrap().port());
    drop(dead);
    let c = Client::new(LOGIN, SECRET, opts(&sb, ProxySetting::Url(dead_url))).unwrap();
    let err = c.get_bills("client@example.com", None).unwrap_err();
    assert_eq!(err.kind(), justclick::ErrorKind::Transport, "{err}");
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"] {
        std::env::remove_var(var);
    }
}
