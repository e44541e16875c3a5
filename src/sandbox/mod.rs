//! A local JustClick emulator for tests, demos, benchmarks and users' CI.
//!
//! Built only with the `sandbox` feature. It checks request signatures the
//! way the real service does (PHP-style parse of the body, `hash` removed,
//! re-encoded with `http_build_query`, md5 compared), answers with signed
//! JSON byte-identical to PHP's `json_encode`, keeps orders and goods in
//! memory, and can inject faults. It serves many connections at once with
//! HTTP/1.1 keep-alive; each response leaves in one write with TCP_NODELAY
//! so that it never adds delayed-ACK stalls to a benchmark.
//!
//! Start it in-process with [`Sandbox::start`] or as the
//! `justclick-sandbox` binary.

pub mod phpjson;
pub mod store;
mod tls;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use serde_json::{json, Value as Json};

use crate::encode::{encode_lenient, Value};
use crate::php::parse_query;
use crate::sign::{ct_eq, request_hash, response_hash, Secret};
use store::{Answer, Store};

/// A fault the sandbox can inject into API answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Normal operation.
    None,
    /// HTTP 500 with an HTML body.
    Http500,
    /// HTTP 502 with an HTML body.
    Http502,
    /// A valid hash of *another* answer (a replay).
    WrongHash,
    /// A `"0e..."` hash that PHP's `==` would accept.
    MagicHash,
    /// No `hash` field.
    MissingHash,
    /// `hash` as a number.
    NonStringHash,
    /// `error_code` as a numeric string (valid: clients must accept it).
    StringCode,
    /// Content-Length promises more than is sent, then the connection closes.
    Truncate,
    /// HTTP 200 with an HTML page.
    NonJson,
    /// The connection is closed without an answer.
    Close,
    /// The connection is reset (RST) without an answer.
    Reset,
    /// A 64 MiB body.
    Huge,
    /// Headers, then one body byte every 200 ms (slowloris).
    Slow,
    /// The answer is held back for `stall` before it is sent.
    Stall,
    /// Valid signature, `result` nested 100,000 levels deep.
    DeepJson,
    /// Invalid UTF-8 inside the JSON.
    InvalidUtf8,
    /// HTTP 302 to another host (`redirect_to`).
    Redirect,
    /// Signed API error 8 (request limit reached); the call is not executed.
    RateLimit,
    /// Randomly one of Reset, Close, Http500, Http502, Stall.
    Storm,
}

impl Fault {
    /// Every mode with its command-line name.
    pub const ALL: &'static [(&'static str, Fault)] = &[
        ("none", Fault::None),
        ("http500", Fault::Http500),
        ("http502", Fault::Http502),
        ("wrong-hash", Fault::WrongHash),
        ("magic-hash", Fault::MagicHash),
        ("missing-hash", Fault::MissingHash),
        ("nonstring-hash", Fault::NonStringHash),
        ("string-code", Fault::StringCode),
        ("truncate", Fault::Truncate),
        ("non-json", Fault::NonJson),
        ("close", Fault::Close),
        ("reset", Fault::Reset),
        ("huge", Fault::Huge),
        ("slow", Fault::Slow),
        ("stall", Fault::Stall),
        ("deep-json", Fault::DeepJson),
        ("invalid-utf8", Fault::InvalidUtf8),
        ("redirect", Fault::Redirect),
        ("rate-limit", Fault::RateLimit),
        ("storm", Fault::Storm),
    ];

    /// Parses a command-line name such as `wrong-hash`.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        Fault::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("none")
    }
}

/// Which fault fires, how often, and added latency.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    /// The fault.
    pub mode: Fault,
    /// Probability (0..=1) that an API request gets the fault.
    pub rate: f64,
    /// Latency added to every API answer (e.g. 20 ms for batch benchmarks).
    pub delay: Duration,
    /// How long `Stall` (and `Storm`'s stall) holds an answer.
    pub stall: Duration,
}

impl Default for FaultConfig {
    fn default() -> FaultConfig {
        FaultConfig {
            mode: Fault::None,
            rate: 1.0,
            delay: Duration::ZERO,
            stall: Duration::from_secs(5),
        }
    }
}

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
    }

    /// Decides whether this request gets a fault, and which.
    fn draw(&self) -> Fault {
        let cfg = lock(&self.fault).clone();
        if cfg.mode == Fault::None {
            return Fault::None;
        }
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let r = splitmix64(self.config.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let p = (r >> 11) as f64 / (1u64 << 53) as f64;
        if p >= cfg.rate {
            return Fault::None;
        }
        if cfg.mode == Fault::Storm {
            const STORM: [Fault; 5] = [
                Fault::Reset,
                Fault::Close,
                Fault::Http500,
                Fault::Http502,
                Fault::Stall,
            ];
            return STORM[(splitmix64(r) % STORM.len() as u64) as usize];
        }
        cfg.mode
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tls: Option<Arc<rustls::ServerConfig>>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        lock(&shared.stats).connections += 1;
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        if let Ok(c) = stream.try_clone() {
            lock(&shared.conns).insert(id, c);
        }
        let shared = shared.clone();
        let tls = tls.clone();
        let spawned = thread::Builder::new()
            .name("sandbox-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                serve_connection(stream, &shared, tls);
                lock(&shared.conns).remove(&id);
            });
        if spawned.is_err() {
            // Out of threads: the stream was moved into the failed closure and
            // is closed; the client sees a reset, as from an overloaded server.
            continue;
        }
    }
}

/// A plain or TLS connection.
enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// One parsed HTTP request.
struct Request {
    method: String,
    path: String,
    user_agent: String,
    body: Vec<u8>,
    keep_alive: bool,
}

const MAX_HEAD: usize = 64 * 1024;
const MAX_REQUEST_BODY: usize = 16 << 20;

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// Reads one request; `Ok(None)` on a clean close between requests.
fn read_request(conn: &mut Conn, buf: &mut Vec<u8>) -> io::Result<Option<Request>> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = find_head_end(buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "header too large",
            ));
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let version = parts.next().unwrap_or("");
    let mut keep_alive = version == "HTTP/1.1";
    let mut length = 0usize;
    let mut user_agent = String::new();
    let mut expect_continue = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                length = value
                    .parse()
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?
            }
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    keep_alive = false;
                } else if v.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            "user-agent" => user_agent = value.to_owned(),
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            "transfer-encoding" => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "chunked bodies not supported",
                ))
            }
            _ => {}
        }
    }
    if length > MAX_REQUEST_BODY {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
    }
    buf.drain(..head_end);
    if expect_continue && buf.len() < length {
        // curl (and so PHP) waits a second for this before sending bodies over 1 KiB.
        conn.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        conn.flush()?;
    }
    while buf.len() < length {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buf.drain(..length).collect();
    Ok(Some(Request {
        method,
        path,
        user_agent,
        body,
        keep_alive,
    }))
}

/// What to do after a request.
enum Action {
    /// Send these bytes; keep the connection if true.
    Send(Vec<u8>, bool),
    /// Send these bytes, then close.
    SendClose(Vec<u8>),
    /// Close without answer.
    Close,
    /// Reset the connection.
    Reset,
    /// Stream a huge body.
    Huge,
    /// Trickle a body.
    Slow,
}

fn serve_connection(stream: TcpStream, shared: &Shared, tls: Option<Arc<rustls::ServerConfig>>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(shared.config.idle_timeout));
    let mut conn = match tls {
        None => Conn::Plain(stream),
        Some(cfg) => match rustls::ServerConnection::new(cfg) {
            Ok(sc) => Conn::Tls(Box::new(rustls::StreamOwned::new(sc, stream))),
            Err(_) => return,
        },
    };
    let mut buf = Vec::with_capacity(4096);
    let mut counted_api = false;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let req = match read_request(&mut conn, &mut buf) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                let _ = send(
                    &mut conn,
                    &http_response(400, "text/plain", e.to_string().as_bytes(), false),
                );
                return;
            }
            Err(_) => return,
        };
        let is_api = req.path.starts_with("/api/");
        if is_api && !counted_api {
            counted_api = true;
            lock(&shared.stats).api_connections += 1;
        }
        let action = if is_api {
            handle_api(shared, &req)
        } else {
            handle_admin(shared, &req)
        };
        let reset = matches!(action, Action::Reset);
        let keep = match action {
            Action::Send(bytes, keep) => send(&mut conn, &bytes).is_ok() && keep && req.keep_alive,
            Action::SendClose(bytes) => {
                let _ = send(&mut conn, &bytes);
                false
            }
            Action::Close => false,
            Action::Reset => {
                set_linger_zero(conn.tcp());
                false
            }
            Action::Huge => {
                stream_huge(&mut conn);
                false
            }
            Action::Slow => {
                trickle(&mut conn, shared);
                false
            }
        };
        if !keep {
            if let (Conn::Tls(s), false) = (&mut conn, reset) {
                s.conn.send_close_notify();
                let _ = s.flush();
            }
            return;
        }
    }
}

fn send(conn: &mut Conn, bytes: &[u8]) -> io::Result<()> {
    conn.write_all(bytes)?;
    conn.flush()
}

fn set_linger_zero(s: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt with a valid linger struct on an open socket; closing
    // it afterwards sends RST instead of FIN.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

fn stream_huge(conn: &mut Conn) {
    const TOTAL: usize = 64 << 20;
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {TOTAL}\r\nConnection: close\r\n\r\n"
    );
    if conn.write_all(head.as_bytes()).is_err() {
        return;
    }
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < TOTAL {
        if conn.write_all(&chunk).is_err() {
            return;
        }
        sent += chunk.len();
    }
    let _ = conn.flush();
}

fn trickle(conn: &mut Conn, shared: &Shared) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n{";
    if send(conn, head.as_bytes()).is_err() {
        return;
    }
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(600) && !shared.stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(200));
        if send(conn, b" ").is_err() {
            return;
        }
    }
}

fn http_response(status: u16, content_type: &str, body: &[u8], keep_alive: bool) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Unknown",
    };
    let mut out = Vec::with_capacity(160 + body.len());
    let _ = write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nServer: justclick-sandbox\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    out.extend_from_slice(body);
    out
}

fn html_page(status: u16, title: &str) -> Vec<u8> {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{status} {title}</title></head><body><h1>{title}</h1><p>justclick-sandbox</p></body></html>\n"
    );
    http_response(status, "text/html; charset=UTF-8", body.as_bytes(), true)
}

/// Write methods: everything that is not a read.
fn is_write(method: &str) -> bool {
    !method.starts_with("Get") && method != "SandboxEcho"
}

/// Counts one API request as in flight until dropped.
struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle_api(shared: &Shared, req: &Request) -> Action {
    let method = req.path["/api/".len()..]
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    {
        let mut st = lock(&shared.stats);
        st.requests += 1;
        *st.by_method.entry(method.clone()).or_insert(0) += 1;
        st.last_user_agent = req.user_agent.clone();
        st.last_body = String::from_utf8_lossy(&req.body).into_owned();
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        st.max_in_flight = st.max_in_flight.max(now);
    }
    let _done = InFlight(&shared.in_flight);
    let fault = shared.draw();
    let answer = if fault == Fault::RateLimit {
        Some(Answer::err(8, "Превышен лимит запросов к API"))
    } else {
        verify_and_run(shared, &method, &req.body)
    };
    let cfg = lock(&shared.fault).clone();
    if !cfg.delay.is_zero() {
        thread::sleep(cfg.delay);
    }
    let Some(answer) = answer else {
        return Action::Send(html_page(404, "Not Found"), true);
    };
    match fault {
        Fault::Http500 => return Action::Send(html_page(500, "Internal Server Error"), true),
        Fault::Http502 => return Action::Send(html_page(502, "Bad Gateway"), true),
        Fault::NonJson => return Action::Send(html_page(200, "Магазин временно недоступен"), true),
        Fault::Close => return Action::Close,
        Fault::Reset => return Action::Reset,
        Fault::Huge => return Action::Huge,
        Fault::Slow => return Action::Slow,
        Fault::Redirect => {
            let body = b"<html><body>Moved</body></html>";
            let mut resp = http_response(302, "text/html", body, true);
            let location = format!("Location: {}/api/{method}\r\n", shared.config.redirect_to);
            let at = resp
                .windows(2)
                .position(|w| w == b"\r\n")
                .map_or(0, |p| p + 2);
            resp.splice(at..at, location.into_bytes());
            return Action::Send(resp, true);
        }
        Fault::Stall => thread::sleep(cfg.stall),
        _ => {}
    }
    let body = render(shared, &answer, fault);
    if fault == Fault::Truncate {
        let mut resp = http_response(200, "application/json", &body, false);
        let cut = resp.len() - body.len() / 2;
        resp.truncate(cut);
        return Action::SendClose(resp);
    }
    Action::Send(
        http_response(200, "application/json; charset=UTF-8", &body, true),
        true,
    )
}

/// Checks the signature like the service and runs the method. `None` for an
/// unknown method.
fn verify_and_run(shared: &Shared, method: &str, body: &[u8]) -> Option<Answer> {
    if body.is_empty() {
        return Some(Answer::err(2, "Нет данных"));
    }
    let body = post_vars_read(body, shared.config.max_input_vars);
    let mut params = parse_query(body);
    let hash = match params.remove("hash") {
        Some(Value::Str(h)) => h,
        _ => return Some(Answer::err(1, "Ошибка авторизации")),
    };
    let expected = request_hash(
        encode_lenient(&params).as_bytes(),
        &shared.login,
        &shared.secret,
    );
    if !ct_eq(&expected, hash.as_bytes()) {
        lock(&shared.stats).bad_signatures += 1;
        return Some(Answer::err(4, "incorrect hash"));
    }
    if is_write(method) {
        let digest: [u8; 16] = Md5::digest(body).into();
        let fresh = lock(&shared.seen_writes).insert(digest);
        let mut st = lock(&shared.stats);
        st.writes += 1;
        if !fresh {
            st.duplicate_writes += 1;
        }
    }
    lock(&shared.store).call(method, &params)
}

/// The part of a form body PHP's POST reader reads with `max_input_vars`
/// set to `max`: it stores a `&`-separated piece (empty ones included), then
/// counts it and stops once the count passes `max`, so the first `max + 1`
/// pieces are kept (PHP-FPM 8.2; `parse_str` stops one earlier).
fn post_vars_read(body: &[u8], max: usize) -> &[u8] {
    match body.split(|&b| b == b'&').nth(max.saturating_add(1)) {
        Some(rest) => &body[..rest.as_ptr() as usize - body.as_ptr() as usize],
        None => body,
    }
}

/// The signed JSON body, with the fault's alteration if any.
fn render(shared: &Shared, a: &Answer, fault: Fault) -> Vec<u8> {
    let code = a.code.to_string();
    let hash_of = |code: &str, text: &str| {
        String::from_utf8(response_hash(code, text, &shared.secret).to_vec()).expect("hex")
    };
    let hash = match fault {
        Fault::WrongHash => {
            let other = if a.text == "OK" {
                "Заказ удален"
            } else {
                "OK"
            };
            json!(hash_of(&code, other))
        }
        Fault::MagicHash => json!("0e462097431906509019562988736854"),
        Fault::NonStringHash => json!(1234567),
        _ => json!(hash_of(&code, &a.text)),
    };
    let mut obj = serde_json::Map::new();
    obj.insert(
        "error_code".into(),
        if fault == Fault::StringCode {
            json!(code)
        } else {
            json!(a.code)
        },
    );
    obj.insert("error_text".into(), json!(a.text));
    if fault != Fault::MissingHash {
        obj.insert("hash".into(), hash);
    }
    if let Some(r) = &a.result {
        obj.insert("result".into(), r.clone());
    }
    let mut body = phpjson::encode(&Json::Object(obj)).into_bytes();
    match fault {
        Fault::DeepJson => {
            body.pop(); // the closing '}'
            body.extend_from_slice(b",\"deep\":");
            body.extend(std::iter::repeat_n(b'[', 100_000));
            body.extend(std::iter::repeat_n(b']', 100_000));
            body.push(b'}');
        }
        Fault::InvalidUtf8 => {
            let at = body.len() - 1;
            body.splice(at..at, b",\"x\":\"\xff\xfe\xfd\"".iter().copied());
        }
        _ => {}
    }
    body
}

fn handle_admin(shared: &Shared, req: &Request) -> Action {
    let ok = |v: Json| {
        Action::Send(
            http_response(200, "application/json", v.to_string().as_bytes(), true),
            true,
        )
    };
    let bad = |msg: String| {
        Action::Send(
            http_response(400, "text/plain; charset=UTF-8", msg.as_bytes(), true),
            true,
        )
    };
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/__sandbox/stats") => ok(lock(&shared.stats).to_json()),
        ("POST", "/__sandbox/reset") => {
            shared.reset();
            *lock(&shared.fault) = shared.config.fault.clone();
            ok(json!({"ok": true}))
        }
        ("POST", "/__sandbox/fault") => {
            // Clone first: a guard in the match scrutinee would live through
            // the arms, and locking again there would deadlock.
            let current = lock(&shared.fault).clone();
            match parse_fault_form(&req.body, &current) {
                Ok(cfg) => {
                    let v = json!({"ok": true, "mode": cfg.mode.name(), "rate": cfg.rate});
                    *lock(&shared.fault) = cfg;
                    ok(v)
                }
                Err(e) => bad(e),
            }
        }
        ("GET", "/") => Action::Send(
            http_response(
                200,
                "text/plain; charset=UTF-8",
                b"justclick-sandbox: POST /api/{Method}; admin: GET /__sandbox/stats, POST /__sandbox/fault, POST /__sandbox/reset\n",
                true,
            ),
            true,
        ),
        _ => Action::Send(html_page(404, "Not Found"), true),
    }
}

/// Parses `mode=..&rate=..&delay_ms=..&stall_ms=..` into a fault setting,
/// starting from `current` for the fields not given.
pub fn parse_fault_form(body: &[u8], current: &FaultConfig) -> Result<FaultConfig, String> {
    let mut cfg = current.clone();
    for (k, v) in parse_query(body).iter() {
        let Value::Str(v) = v else {
            return Err(format!("bad value for {k}"));
        };
        match k {
            "mode" => {
                cfg.mode = Fault::from_name(v).ok_or_else(|| {
                    let names: Vec<&str> = Fault::ALL.iter().map(|(n, _)| *n).collect();
                    format!("unknown fault mode {v:?}; modes: {}", names.join(", "))
                })?
            }
            "rate" => {
                cfg.rate = v
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or("rate must be a number between 0 and 1")?
            }
            "delay_ms" => cfg.delay = Duration::from_millis(v.parse().map_err(|_| "bad delay_ms")?),
            "stall_ms" => cfg.stall = Duration::from_millis(v.parse().map_err(|_| "bad stall_ms")?),
            other => return Err(format!("unknown field {other:?}")),
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_round_trip() {
        for (name, f) in Fault::ALL {
            assert_eq!(Fault::from_name(name), Some(*f));
            assert_eq!(f.name(), *name);
        }
        assert_eq!(Fault::from_name("nope"), None);
    }

    /// Boundaries measured with PHP-FPM 8.2 and max_input_vars = 1000.
    #[test]
    fn post_vars_read_like_php_fpm() {
        let body = |n: usize, tail: &str| {
            let mut b: Vec<String> = (0..n).map(|i| format!("k{i}=v")).collect();
            b.push(tail.to_owned());
            b.join("&")
        };
        let kept = |b: &str| {
            parse_query(post_vars_read(b.as_bytes(), 1000))
                .get("hash")
                .is_some()
        };
        assert!(kept(&body(1000, "hash=h")));
        assert!(!kept(&body(1001, "hash=h")));
        // Empty pieces count.
        assert!(kept(&body(998, "&&hash=h")));
        assert!(!kept(&body(1000, "&hash=h")));
        assert_eq!(post_vars_read(b"a=1&b=2&c=3", 1), b"a=1&b=2&");
        assert_eq!(post_vars_read(b"a=1&b=2", 1), b"a=1&b=2");
        assert_eq!(post_vars_read(b"", 0), b"");
    }

    #[test]
    fn fault_form() {
        let base = FaultConfig::default();
        let c = parse_fault_form(b"mode=storm&rate=0.5&delay_ms=20&stall_ms=100", &base).unwrap();
        assert_eq!(c.mode, Fault::Storm);
        assert_eq!(c.rate, 0.5);
        assert_eq!(c.delay, Duration::from_millis(20));
        assert_eq!(c.stall, Duration::from_millis(100));
        assert!(parse_fault_form(b"mode=x", &base).is_err());
        assert!(parse_fault_form(b"rate=2", &base).is_err());
        assert!(parse_fault_form(b"bogus=1", &base).is_err());
    }
}
