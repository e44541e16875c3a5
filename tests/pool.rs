//! Persistent pools (option `persistent`): sharing across handles, per
//! process after fork(), idle retirement, the liveness probe, and a library
//! that is never unloaded. Counted through the sandbox's connection counter.
//!
//! The registry is process-wide, so the tests here run one at a time (each
//! uses its own sandbox, hence its own pool key).
//!
//! No test waits for a time to pass except where idleness is the subject,
//! and there the idle time only grows with any delay the machine adds.
//! Elsewhere the client keeps idle connections for an hour, so a slow
//! machine cannot retire one between two calls.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::*;
use justclick::{Client, ErrorKind, Options};
use justclick_sandbox::{Config, Sandbox};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn persistent(sb: &Sandbox) -> Options {
    Options {
        persistent: true,
        idle_timeout: Duration::from_secs(3600),
        ..options(sb)
    }
}

/// A sandbox that closes idle connections after `idle`.
fn sandbox_idle(idle: Duration) -> Sandbox {
    Sandbox::start(Config {
        login: LOGIN.into(),
        secret: SECRET.into(),
        idle_timeout: idle,
        ..Config::default()
    })
    .unwrap()
}

/// One call through a fresh handle that is dropped right after.
fn call_once(o: &Options) {
    let c = Client::new(LOGIN, SECRET, o.clone()).unwrap();
    let r = c.delete_order("1").map(|_| ()).or_else(|e| match e.kind() {
        ErrorKind::Api => Ok(()),
        _ => Err(e),
    });
    r.unwrap();
}

#[test]
fn handles_share_one_pool_that_outlives_them() {
    let _s = serial();
    let sb = tls_sandbox();
    let ca = temp_file("pool-ca.pem", sb.ca_pem().unwrap());
    let o = Options {
        ca_file: Some(ca),
        ..persistent(&sb)
    };
    for _ in 0..5 {
        call_once(&o);
    }
    assert_eq!(sb.stats().api_connections, 1, "one TLS connection reused");

    // Another secret or other options: another pool.
    let c = Client::new(LOGIN, "another-secret", o.clone()).unwrap();
    assert!(c.delete_order("1").is_err(), "wrong secret must not verify");
    assert_eq!(sb.stats().api_connections, 2);
    call_once(&Options {
        user_agent: "other/1".into(),
        ..o.clone()
    });
    assert_eq!(sb.stats().api_connections, 3);
}

#[test]
fn not_persistent_by_default() {
    let _s = serial();
    let sb = sandbox();
    let o = options(&sb);
    assert!(!o.persistent);
    call_once(&o);
    call_once(&o);
    assert_eq!(sb.stats().api_connections, 2);
}

/// The sleep is the subject: the connection must be idle for longer than
/// the client's 50 ms. A loaded machine only makes the sleep (and so the
/// idle time) longer, never shorter, so the retirement cannot be missed;
/// and the server keeps connections for an hour, so the new connection is
/// the client's doing, not a server close.
#[test]
fn idle_connections_are_retired() {
    let _s = serial();
    let sb = sandbox_idle(Duration::from_secs(3600));
    let o = Options {
        idle_timeout: Duration::from_millis(50),
        ..persistent(&sb)
    };
    call_once(&o);
    std::thread::sleep(Duration::from_millis(200));
    call_once(&o);
    assert_eq!(sb.stats().api_connections, 2, "a too old connection reused");
    assert_eq!(
        sb.stats().idle_closed,
        0,
        "the server closed it, not the client"
    );
}

/// No sleep: the second call waits for the event itself, the sandbox
/// reporting that it has closed the idle connection (its socket is closed
/// when `idle_closed` counts it). The client would keep the connection for
/// an hour, so only the liveness probe can notice the close.
#[test]
fn a_connection_the_server_closed_is_not_written_into() {
    let _s = serial();
    let sb = sandbox_idle(Duration::from_millis(50));
    let o = persistent(&sb);
    call_once(&o);
    wait_until("the sandbox closing the idle connection", || {
        sb.stats().idle_closed == 1
    });
    // The server has closed the idle connection; the call still succeeds on
    // a new one (the liveness probe), and no request was lost or repeated.
    call_once(&o);
    let st = sb.stats();
    assert_eq!(st.api_connections, 2);
    assert_eq!(st.requests, 2);
}

#[test]
fn a_child_after_fork_never_uses_the_parents_pool() {
    let _s = serial();
    let sb = sandbox();
    let o = persistent(&sb);
    call_once(&o);
    assert_eq!(sb.stats().api_connections, 1);
    // SAFETY: the child only makes one call and leaves with _exit; the
    // other tests of this binary wait on SERIAL, not inside the library.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = std::panic::catch_unwind(|| call_once(&o)).is_ok();
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child call failed"
    );
    assert_eq!(
        sb.stats().api_connections,
        2,
        "the child must open its own connection"
    );
    // The parent's connection is intact and still reused.
    call_once(&o);
    assert_eq!(sb.stats().api_connections, 2);
    assert_eq!(sb.stats().requests, 3);
}

#[test]
fn the_library_is_never_unloaded() {
    // The library under test: the shipped one under `make test` (the
    // NODELETE flag is a property of how it was linked).
    let dir = common::c::lib_dir();
    let path = std::ffi::CString::new(dir.join("libjustclick.so.0").to_str().unwrap()).unwrap();
    // SAFETY: plain dlopen/dlclose of our own library; nothing is called.
    unsafe {
        let h = libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        assert!(!h.is_null(), "dlopen failed");
        assert_eq!(libc::dlclose(h), 0);
        let again = libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_NOLOAD);
        assert!(
            !again.is_null(),
            "libjustclick was unloaded by dlclose: persistent pools would dangle (link with -z nodelete)"
        );
        libc::dlclose(again);
    }
}
