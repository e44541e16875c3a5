//! A local JustClick emulator for tests, demos, benchmarks and users' CI.
//!
//! A crate of its own beside the library (which never compiles server
//! code): it uses the library's documented public surface only, PHP's form
//! parse ([`justclick::php`]), the lenient encoder, the signatures and the
//! calendar, so it checks exactly what the client signs. It checks request signatures the
//! way the real service does (PHP-style parse of the body, `hash` removed,
//! re-encoded with `http_build_query`, md5 compared), answers with signed
//! JSON byte-identical to PHP's `json_encode`, emulates every API 1.0
//! method over one in-memory account, sends the order notifications, and
//! can inject faults. It serves many connections at once with HTTP/1.1
//! keep-alive; each response leaves in one write with TCP_NODELAY so that
//! it never adds delayed-ACK stalls to a benchmark.
//!
//! Layout: `store` (the account's state), `api` (the methods, one module
//! per area), `checks` (the common checks and the signed answer), `http`
//! (serving and routing), `notify` (sending notifications), `faults`,
//! `admin` (`/__sandbox/...`), `phpjson`, `tls`.
//!
//! Start it in-process with [`Sandbox::start`] or as the
//! `justclick-sandbox` binary.

mod admin;
mod api;
mod checks;
mod fault_config;
mod faults;
mod http;
mod notify;
pub mod phpjson;
mod state;
pub mod store;
mod tls;
mod wire;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::Value as Json;

use http::accept_loop;
use justclick::Secret;
use store::Store;

pub use fault_config::{parse_fault_form, Fault, FaultConfig};
use state::{lock, Settings, Shared};
pub use state::{Config, Stats};

/// A running sandbox; stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    tls: bool,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Sandbox {
    /// Binds, generates certificates if `tls`, and starts serving.
    pub fn start(config: Config) -> Result<Sandbox, String> {
        let listener = TcpListener::bind((config.host, config.port))
            .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
        // std's backlog is 128; a batch benchmark opens many connections at once.
        // SAFETY: listen(2) on a socket we own; re-listening only updates the backlog.
        unsafe {
            libc::listen(listener.as_raw_fd(), 1024);
        }
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let pki = if config.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let shared = Arc::new(Shared {
            login: config.login.clone(),
            secret: Secret::new(config.secret.as_bytes()),
            fault: Mutex::new(config.fault.clone()),
            store: Mutex::new(Store::seed()),
            stats: Mutex::new(Stats::default()),
            settings: Mutex::new(Settings::from_config(&config)),
            notifications: Arc::new(Mutex::new(Vec::new())),
            seen_writes: Mutex::new(HashSet::new()),
            draws: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
            config,
        });
        let server_tls = pki.as_ref().map(|p| p.server.clone());
        let accept_shared = shared.clone();
        let accept = thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || accept_loop(listener, accept_shared, server_tls))
            .map_err(|e| e.to_string())?;
        Ok(Sandbox {
            addr,
            tls: pki.is_some(),
            ca_pem: pki.map(|p| p.ca_pem),
            shared,
            accept: Some(accept),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` (or `https://`): the client's `base_url`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        match self.addr.ip() {
            IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", self.addr.port()),
            ip => format!("{scheme}://{ip}:{}", self.addr.port()),
        }
    }

    /// The test CA (PEM) when serving TLS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Changes the fault setting for subsequent requests.
    pub fn set_fault(&self, fault: FaultConfig) {
        *lock(&self.shared.fault) = fault;
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// The notifications sent so far (oldest first), each
    /// `{event, url, body, status, error}`.
    pub fn notifications(&self) -> Vec<Json> {
        lock(&self.shared.notifications).clone()
    }

    /// Restores the seed data and zeroes the counters.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting, closes every connection and waits for the acceptor.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for (_, s) in lock(&self.shared.conns).drain() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}
