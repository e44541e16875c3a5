//! The sandbox's state: its configuration, the settings an admin request
//! changes, the counters, and what every connection thread shares. Below
//! everything that serves (`http`, `checks`, `admin`, `notify`, `faults`),
//! which all read and lock it; it uses only the store and the fault config.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use justclick::Secret;
use serde_json::{json, Value as Json};

use super::fault_config::FaultConfig;
use super::store::Store;

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
pub(crate) struct Settings {
    pub(crate) subscribe_limit: u32,
    pub(crate) strict_good_type: bool,
    pub(crate) notify_empty_time: bool,
    pub(crate) account_disabled: bool,
    /// Answer every API call as the service answers a login it does not
    /// know (error 5, signed with an empty secret): a client whose base
    /// URL has no login in its host (`http://127.0.0.1:PORT`) cannot
    /// otherwise be given a wrong one.
    pub(crate) unknown_login: bool,
    /// Where `cancel_order` notifications go; the service configures it
    /// only in its UI, so the sandbox takes it from an admin request.
    pub(crate) cancel_url: Option<String>,
}

impl Settings {
    pub(crate) fn from_config(c: &Config) -> Settings {
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

pub(crate) struct Shared {
    pub(crate) login: String,
    pub(crate) secret: Secret,
    pub(crate) config: Config,
    pub(crate) fault: Mutex<FaultConfig>,
    pub(crate) store: Mutex<Store>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) settings: Mutex<Settings>,
    /// Notifications sent (or attempted), for `/__sandbox/notifications`;
    /// shared with the sending threads.
    pub(crate) notifications: Arc<Mutex<Vec<Json>>>,
    pub(crate) seen_writes: Mutex<HashSet<[u8; 16]>>,
    pub(crate) draws: AtomicU64,
    /// API requests being handled now (for `Stats::max_in_flight`).
    pub(crate) in_flight: AtomicU64,
    pub(crate) stop: AtomicBool,
    pub(crate) conns: Mutex<HashMap<u64, TcpStream>>,
    pub(crate) next_conn: AtomicU64,
}

/// Locks a mutex even if a connection thread panicked while holding it: the
/// sandbox's state stays usable for the other connections.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn reset(&self) {
        *lock(&self.store) = Store::seed();
        *lock(&self.stats) = Stats::default();
        lock(&self.seen_writes).clear();
        *lock(&self.settings) = Settings::from_config(&self.config);
        lock(&self.notifications).clear();
    }
}
