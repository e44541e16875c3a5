//! A local JustClick emulator for tests, demos, benchmarks and users' CI.
//!
//! Built only with the `sandbox` feature. It checks request signatures the
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
mod faults;
mod http;
mod notify;
pub mod phpjson;
pub mod store;
mod tls;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::{json, Value as Json};

use crate::sign::Secret;
use http::accept_loop;
use store::Store;

pub use faults::{parse_fault_form, Fault, FaultConfig};

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (default 127.0.0.1).
    pub host: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// The emulated account's login.
    pub login: String,
    /// The emulated account's API key.
    pub secret: String,
    /// Serve HTTPS with a fresh test CA.
    pub tls: bool,
    /// Initial fault setting.
    pub fault: FaultConfig,
    /// Seed for fault randomness (reproducible storms).
    pub seed: u64,
    /// PHP's `max_input_vars`: pairs after the first `max_input_vars + 1`
    /// are dropped, as PHP's POST reader does (so the signature then fails,
    /// as on a real PHP server).
    pub max_input_vars: usize,
    /// Where `Redirect` points.
    pub redirect_to: String,
    /// Idle keep-alive connections are closed after this long.
    pub idle_timeout: Duration,
    /// AddLeadToGroup's per-IP limit: successful subscriptions allowed per
    /// caller address in 24 h before code 8, as the service does (10);
    /// 0 disables it for test suites that subscribe more.
    pub subscribe_limit: u32,
    /// AddGood reads `good_type` as the service's code does (only `real`
    /// is physical, `0` is missing) instead of the documented 1/0.
    pub strict_good_type: bool,
    /// Send notifications to any host. Off by default: only loopback URLs
    /// are posted to, so a sandbox never calls out by accident.
    pub allow_external_notify: bool,
    /// Sign new/cancel/payment notifications with an empty time
    /// (`md5(id . email . secret)`, what the documents' PHP snippet
    /// implies) instead of the documented `created`/`paid`.
    pub notify_empty_time: bool,
    /// Answer every API call as the service answers a login it does not
    /// know (error 5, signed with an empty secret); also a run-time setting.
    pub unknown_login: bool,
}

/// Settings an admin request may change at run time (reset restores the
/// `Config` ones).
#[derive(Clone, Debug)]
struct Settings {
    subscribe_limit: u32,
    strict_good_type: bool,
    notify_empty_time: bool,
    account_disabled: bool,
    /// Answer every API call as the service answers a login it does not
    /// know (error 5, signed with an empty secret): a client whose base
    /// URL has no login in its host (`http://127.0.0.1:PORT`) cannot
    /// otherwise be given a wrong one.
    unknown_login: bool,
    /// Where `cancel_order` notifications go; the service configures it
    /// only in its UI, so the sandbox takes it from an admin request.
    cancel_url: Option<String>,
}

impl Settings {
    fn from_config(c: &Config) -> Settings {
        Settings {
            subscribe_limit: c.subscribe_limit,
            strict_good_type: c.strict_good_type,
            notify_empty_time: c.notify_empty_time,
            account_disabled: false,
            unknown_login: c.unknown_login,
            cancel_url: None,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            login: "demo".into(),
            secret: "demo-secret".into(),
            tls: false,
            fault: FaultConfig::default(),
            seed: 1,
            max_input_vars: 1000,
            redirect_to: "http://redirect.invalid".into(),
            idle_timeout: Duration::from_secs(60),
            subscribe_limit: 10,
            strict_good_type: false,
            allow_external_notify: false,
            notify_empty_time: false,
            unknown_login: false,
        }
    }
}

/// Counters since start (or the last reset).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// TCP (or TLS) connections accepted, admin ones included.
    pub connections: u64,
    /// Connections that carried at least one API request.
    pub api_connections: u64,
    /// API requests received.
    pub requests: u64,
    /// Requests whose signature did not verify (answered with error 4).
    pub bad_signatures: u64,
    /// Correctly signed write calls (DeleteOrder, UpdateOrderStatus,
    /// UpdateGood, AddLeadToGroup and other non-Get methods).
    pub writes: u64,
    /// Write calls whose exact body had been received before.
    pub duplicate_writes: u64,
    /// Requests per API method.
    pub by_method: BTreeMap<String, u64>,
    /// The User-Agent of the last API request.
    pub last_user_agent: String,
    /// The body of the last API request (for tests of the wire format).
    pub last_body: String,
    /// Most API requests being handled at the same time (a client's
    /// concurrency as the server saw it).
    pub max_in_flight: u64,
    /// Faults injected, by mode name (`reset`, `stall`, ...; a `storm`
    /// counts the mode it drew), so that tests can compare what the client
    /// reported with what it was given.
    pub faults: BTreeMap<String, u64>,
    /// Answers the client hung up on before the sandbox had finished them:
    /// a `stall` it stopped waiting for, a `slow` trickle or a `huge` body
    /// it stopped reading. Tests wait for this instead of timing the client.
    pub hangups: u64,
    /// Keep-alive connections the sandbox closed after `idle_timeout`
    /// without a request, counted once the socket is closed.
    pub idle_closed: u64,
    /// Notifications the API calls queued. Each is sent from a background
    /// thread and then logged (`/__sandbox/notifications`): once the log has
    /// this many entries, the sender has tried every one of them.
    pub notifications_queued: u64,
}

impl Stats {
    /// As JSON (the admin endpoint's answer).
    pub fn to_json(&self) -> Json {
        json!({
            "connections": self.connections,
            "api_connections": self.api_connections,
            "requests": self.requests,
            "bad_signatures": self.bad_signatures,
            "writes": self.writes,
            "duplicate_writes": self.duplicate_writes,
            "by_method": self.by_method,
            "last_user_agent": self.last_user_agent,
            "last_body": self.last_body,
            "max_in_flight": self.max_in_flight,
            "faults": self.faults,
            "hangups": self.hangups,
            "idle_closed": self.idle_closed,
            "notifications_queued": self.notifications_queued,
        })
    }
}

struct Shared {
    login: String,
    secret: Secret,
    config: Config,
    fault: Mutex<FaultConfig>,
    store: Mutex<Store>,
    stats: Mutex<Stats>,
    settings: Mutex<Settings>,
    /// Notifications sent (or attempted), for `/__sandbox/notifications`;
    /// shared with the sending threads.
    notifications: Arc<Mutex<Vec<Json>>>,
    seen_writes: Mutex<HashSet<[u8; 16]>>,
    draws: AtomicU64,
    /// API requests being handled now (for `Stats::max_in_flight`).
    in_flight: AtomicU64,
    stop: AtomicBool,
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
}

/// Locks a mutex even if a connection thread panicked while holding it: the
/// sandbox's state stays usable for the other connections.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

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

impl Shared {
    fn reset(&self) {
        *lock(&self.store) = Store::seed();
        *lock(&self.stats) = Stats::default();
        lock(&self.seen_writes).clear();
        *lock(&self.settings) = Settings::from_config(&self.config);
        lock(&self.notifications).clear();
    }
}
