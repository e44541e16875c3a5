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

/// The command line of `justclick-sandbox` and `justclick sandbox`.
const USAGE: &str = "\
PROGRAM: a local JustClick API emulator

usage: PROGRAM --port N --login LOGIN --secret SECRET [options]

  --port N             port to listen on; 0 picks a free one (printed)
  --login LOGIN        the emulated account's login
  --secret SECRET      its API key (or set JUSTCLICK_SANDBOX_SECRET)
  --host IP            address to bind (default 127.0.0.1)
  --tls                serve HTTPS with a fresh test CA
  --ca-out PATH        write that CA as PEM here (default: a temp file, printed)
  --fault MODE         inject a fault: MODES
  --fault-rate P       probability 0..1 that a request gets the fault (default 1)
  --delay-ms N         latency added to every API answer
  --stall-ms N         how long the 'stall' fault holds an answer (default 5000;
                       a client that hangs up ends it)
  --seed N             seed for fault randomness
  --redirect-to URL    target of the 'redirect' fault
  --max-input-vars N   PHP's max_input_vars (default 1000)
  --subscribe-limit N  AddLeadToGroup subscriptions per caller IP in 24 h
                       before error 8 (default 10, as the service; 0 = none)
  --strict-good-type   AddGood reads good_type as the service's code does
                       (only 'real' is physical; '0' is missing)
  --allow-external-notify
                       also send notifications to non-loopback URLs (for
                       your own CI); by default only loopback receivers
  --notify-empty-time  sign notifications md5(id . email . secret), the
                       variant the documents' PHP snippet implies
  --unknown-login      answer every call as the service answers a login it
                       does not know (error 5, signed with an empty secret)
  --exit-on-stdin-eof  stop when standard input closes (for test harnesses)

Prints 'listening on URL' (and 'ca_file PATH' with --tls), then serves until
killed. Admin: GET /__sandbox/stats, GET /__sandbox/notifications (what was
sent), POST /__sandbox/fault (mode, rate, delay_ms, stall_ms), POST
/__sandbox/settings (subscribe_limit, strict_good_type, notify_empty_time,
account_disabled, unknown_login, cancel_url), POST /__sandbox/reset.
";

fn usage(program: &str) -> String {
    let modes: Vec<&str> = Fault::ALL.iter().map(|(n, _)| *n).collect();
    USAGE
        .replace("MODES", &modes.join(", "))
        .replace("PROGRAM", program)
}

fn run(args: Vec<String>, program: &str) -> Result<(), String> {
    use std::io::{Read, Write};
    let mut args = args.into_iter();
    let mut cfg = Config {
        secret: String::new(),
        login: String::new(),
        ..Config::default()
    };
    let mut fault = FaultConfig::default();
    let mut ca_out: Option<std::path::PathBuf> = None;
    let mut port_given = false;
    let mut watch_stdin = false;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{name}: {v:?} is not a valid number"))
        }
        match arg.as_str() {
            "--port" => {
                cfg.port = num("--port", value("--port")?)?;
                port_given = true;
            }
            "--login" => cfg.login = value("--login")?,
            "--secret" => cfg.secret = value("--secret")?,
            "--host" => cfg.host = num("--host", value("--host")?)?,
            "--tls" => cfg.tls = true,
            "--ca-out" => ca_out = Some(value("--ca-out")?.into()),
            "--fault" => {
                let m = value("--fault")?;
                fault.mode = Fault::from_name(&m)
                    .ok_or(format!("unknown fault {m:?}\n\n{}", usage(program)))?;
            }
            "--fault-rate" => {
                fault.rate = num("--fault-rate", value("--fault-rate")?)?;
                if !(0.0..=1.0).contains(&fault.rate) {
                    return Err("--fault-rate must be between 0 and 1".into());
                }
            }
            "--delay-ms" => {
                fault.delay =
                    std::time::Duration::from_millis(num("--delay-ms", value("--delay-ms")?)?)
            }
            "--stall-ms" => {
                fault.stall =
                    std::time::Duration::from_millis(num("--stall-ms", value("--stall-ms")?)?)
            }
            "--seed" => cfg.seed = num("--seed", value("--seed")?)?,
            "--redirect-to" => cfg.redirect_to = value("--redirect-to")?,
            "--max-input-vars" => {
                cfg.max_input_vars = num("--max-input-vars", value("--max-input-vars")?)?
            }
            "--subscribe-limit" => {
                cfg.subscribe_limit = num("--subscribe-limit", value("--subscribe-limit")?)?
            }
            "--strict-good-type" => cfg.strict_good_type = true,
            "--allow-external-notify" => cfg.allow_external_notify = true,
            "--notify-empty-time" => cfg.notify_empty_time = true,
            "--unknown-login" => cfg.unknown_login = true,
            "--exit-on-stdin-eof" => watch_stdin = true,
            "-h" | "--help" => {
                print!("{}", usage(program));
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n\n{}", usage(program))),
        }
    }
    if cfg.secret.is_empty() {
        cfg.secret = std::env::var("JUSTCLICK_SANDBOX_SECRET").unwrap_or_default();
    }
    if !port_given || cfg.login.is_empty() || cfg.secret.is_empty() {
        return Err(format!(
            "--port, --login and --secret are required\n\n{}",
            usage(program)
        ));
    }
    cfg.fault = fault;
    let sandbox = Sandbox::start(cfg)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", sandbox.base_url()).map_err(|e| e.to_string())?;
    if let Some(pem) = sandbox.ca_pem() {
        let path = ca_out.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("justclick-sandbox-ca-{}.pem", std::process::id()))
        });
        std::fs::write(&path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        writeln!(out, "ca_file {}", path.display()).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    if watch_stdin {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        sandbox.stop();
        return Ok(());
    }
    loop {
        std::thread::park();
    }
}

// ---------------------------------------------------------------------------
// The command line, shared by the `justclick-sandbox` binary and `justclick
// sandbox`: parses the options, starts the server, prints where it listens
// (and its CA with `--tls`), and serves until killed or, with
// `--exit-on-stdin-eof`, until standard input closes.

/// Runs the sandbox with `args` (without the program name); `program`
/// names it in the usage text and in errors. Exit status 2 on bad options.
pub fn cli_main(args: Vec<String>, program: &str) -> std::process::ExitCode {
    match run(args, program) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{program}: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
