//! Shared helpers for the integration tests: an in-process sandbox on an
//! ephemeral loopback port and clients pointed at it.
#![allow(dead_code)]

use std::time::Duration;

use justclick::{Client, Options, ProxySetting};
use justclick_sandbox::{Config, Fault, FaultConfig, Sandbox};

pub const LOGIN: &str = "demo";
pub const SECRET: &str = "Xq7-test-secret-0123456789abcdef";

pub fn sandbox() -> Sandbox {
    Sandbox::start(Config {
        login: LOGIN.into(),
        secret: SECRET.into(),
        ..Config::default()
    })
    .expect("sandbox starts")
}

pub fn tls_sandbox() -> Sandbox {
    Sandbox::start(Config {
        login: LOGIN.into(),
        secret: SECRET.into(),
        tls: true,
        ..Config::default()
    })
    .expect("tls sandbox starts")
}

/// A sandbox whose every API answer is a 302 to `target`.
pub fn redirecting_to(target: &Sandbox) -> Sandbox {
    Sandbox::start(Config {
        login: LOGIN.into(),
        secret: SECRET.into(),
        redirect_to: target.base_url(),
        fault: FaultConfig {
            mode: Fault::Redirect,
            ..FaultConfig::default()
        },
        ..Config::default()
    })
    .expect("redirecting sandbox starts")
}

pub fn options(sb: &Sandbox) -> Options {
    Options {
        base_url: Some(sb.base_url()),
        proxy: ProxySetting::Direct,
        timeout: Duration::from_secs(10),
        ..Options::default()
    }
}

pub fn client(sb: &Sandbox) -> Client {
    Client::new(LOGIN, SECRET, options(sb)).expect("client builds")
}

pub fn fault(sb: &Sandbox, mode: Fault) {
    sb.set_fault(FaultConfig {
        mode,
        ..FaultConfig::default()
    });
}

/// Writes `pem` to a fresh temporary file and returns its path.
pub fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "justclick-test-{}-{}",
        std::process::id(),
        name.replace('/', "_")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}
pub mod c;
pub mod fake;
pub mod hooks;
pub mod php;
pub mod receiver;

/// Posts `form` to the sandbox's admin `path` (`/__sandbox/settings`, ...)
/// and returns the whole HTTP response; panics unless it is a 200.
pub fn admin(sb: &Sandbox, path: &str, form: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{path} {form}: {resp}");
    resp
}

/// Waits until `happened` holds: the way tests wait for an event the
/// sandbox or a scripted server reports, instead of sleeping for a time
/// that a loaded machine may overrun. The 60 s bound only turns a hang into
/// a failure: it can fail a test as "`what` never happened", never as
/// "`what` was slow".
pub fn wait_until(what: &str, mut happened: impl FnMut() -> bool) {
    let give_up = std::time::Instant::now() + Duration::from_secs(60);
    while !happened() {
        assert!(
            std::time::Instant::now() < give_up,
            "{what} never happened (waited 60 s)"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
