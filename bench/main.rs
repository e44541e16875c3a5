//! `make bench`: the benchmark harness of issue 6.
//!
//! Everything runs against `justclick-sandbox` processes on loopback and
//! every ratio compares contenders measured side by side in the same run:
//! many short repetitions, interleaved round by round, medians reported.
//! Run it through `bench/run.sh` (what `make bench` calls); the
//! subcommands below are used by the harness itself:
//!
//! ```text
//! bench [all]               the whole benchmark, table at the end
//! bench cpu VARIANT N       N iterations of a CPU-only loop (for callgrind; see cpu.rs)
//! bench net WHO BASE CA|- N N sequential GetBills calls after 5 warm-up calls, WHO one
//!                           of lib, lean, raw, ureq-stock, ureq-coalesced, ureq-lean
//!                           (for callgrind and strace)
//! bench rss BASE CALLS [CA] RSS after 1,000 and after CALLS calls of one client
//! ```
//!
//! Environment: `BENCH_ROUNDS` (default 7), `BENCH_SCALE` (default 1.0,
//! multiplies the calls per repetition), `BENCH_ONLY=seq,batch,cpu,rss,faults` (a
//! subset), `BENCH_QUICK=1` (a fast smoke run: 2 rounds, small counts; its
//! numbers mean little).
//!
//! Files: `raw.rs` the raw floor client, `sandbox_proc.rs` the sandbox
//! process, `cpu.rs` the CPU-only loops (with a borrowing-parse prototype),
//! `lean_transport.rs` a prototype transport with fewer system calls per
//! call (measured here, not used by the library),
//! `seeds.php` the seeds' PHP approach, `ffi.php` the library through PHP FFI.

mod cpu;
mod lean_transport;
mod raw;
mod sandbox_proc;

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use justclick::{encode, request_hash, BatchCall, Client, Good, Options, Params, Secret};
use serde_json::Value as Json;

use raw::{post_request, RawClient};
use sandbox_proc::{SandboxProc, LOGIN};

/// The sandbox account's key (a dummy; passed to children by environment).
const SECRET: &str = "bench-0123456789abcdef0123456789abcdef0123";
const EMAIL: &str = "client@example.com";
/// DeleteOrder of an order that does not exist: a small signed API error.
const MISSING_ORDER: &str = "999999999";
const BATCH_CALLS: usize = 1000;
const BATCH_CONCURRENCY: usize = 16;
const BATCH_DELAY_MS: u64 = 20;
const RSS_LIMIT_KIB: i64 = 2048;

const NOTES: &str = "
PHP seeds' approach: a new curl handle per call (a new TCP connection and, over HTTPS, a full TLS
handshake), http_build_query + md5, json_decode + md5 check, certificates verified against the
sandbox CA. Raw floor: one kept-alive connection, a pre-built signed request in one write, the
answer read by Content-Length, no signing or parsing (rustls for HTTPS, like the library). Batch
ratios may exceed 16x: PHP pays its own per-call cost on top of the 20 ms; 16x is the limit for
equal per-call costs. Timings on a shared machine are noisy; compare ratios from one run.";
const CPU_TARGET: f64 = 85_000.0;

// ---------------------------------------------------------------------------
// Allocation counting (cheap relaxed counters; used for allocations per call
// and live heap bytes in the RSS check).

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static ALLOC_BYTES: AtomicU64 = AtomicU64::new(0);
static FREED_BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every request unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(l.size() as u64, Relaxed);
        System.alloc(l)
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(l.size() as u64, Relaxed);
        System.alloc_zeroed(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        FREED_BYTES.fetch_add(l.size() as u64, Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(new as u64, Relaxed);
        FREED_BYTES.fetch_add(l.size() as u64, Relaxed);
        System.realloc(p, l, new)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.load(Relaxed)
}

fn live_heap_bytes() -> i64 {
    ALLOC_BYTES.load(Relaxed) as i64 - FREED_BYTES.load(Relaxed) as i64
}

// ---------------------------------------------------------------------------

type Res<T> = Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("all") => run_all(),
        Some("cpu") => cpu_cmd(&args[1..]),
        Some("net") => net_cmd(&args[1..]),
        Some("rss") => rss_cmd(&args[1..]),
        Some(other) => Err(format!(
            "unknown subcommand {other:?}; use all, cpu, net or rss (see bench/main.rs)"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, name: &str) -> Res<T> {
    args.get(i)
        .ok_or_else(|| format!("missing argument {name}"))?
        .parse()
        .map_err(|_| format!("bad argument {name}: {:?}", args[i]))
}

fn median(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(|a, b| a.total_cmp(b));
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn client_for(sb: &SandboxProc) -> Res<Client> {
    let options = Options {
        base_url: Some(sb.base.clone()),
        ca_file: sb.ca_file.clone(),
        ..Options::default()
    };
    Client::new(LOGIN, SECRET, options).map_err(|e| e.to_string())
}

fn signed_getbills_body() -> Vec<u8> {
    signed_body(&Params::new().with("email", EMAIL))
}

// ---------------------------------------------------------------------------
// Subcommands used by the harness on itself.

/// `cpu VARIANT N`: N iterations of a CPU-only variant.
fn cpu_cmd(args: &[String]) -> Res<()> {
    let variant: String = arg(args, 0, "VARIANT")?;
    let n: u64 = arg(args, 1, "N")?;
    let f = cpu::Fixture::new()?;
    let a0 = allocs();
    let t0 = Instant::now();
    for _ in 0..n {
        f.iteration(&variant)?;
    }
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "{{\"variant\":\"{variant}\",\"n\":{n},\"update_good_body_bytes\":{},\"ns_per_iter\":{:.0},\"allocs_per_iter\":{:.2}}}",
        f.body.len(),
        dt * 1e9 / n as f64,
        (allocs() - a0) as f64 / n as f64
    );
    Ok(())
}

/// `net lib|raw BASE CA|- N`: N sequential GetBills calls over one
/// kept-alive connection, after a few untimed warm-up calls.
fn net_cmd(args: &[String]) -> Res<()> {
    let who: String = arg(args, 0, "lib|raw")?;
    let base: String = arg(args, 1, "BASE")?;
    let ca: String = arg(args, 2, "CA")?;
    let n: u64 = arg(args, 3, "N")?;
    let ca_file = (ca != "-").then(|| PathBuf::from(&ca));
    let (a0, t0);
    match who.as_str() {
        "lib" => {
            let options = Options {
                base_url: Some(base),
                ca_file,
                ..Options::default()
            };
            let client = Client::new(LOGIN, SECRET, options).map_err(|e| e.to_string())?;
            for _ in 0..5 {
                client.get_bills(EMAIL, None).map_err(|e| e.to_string())?;
            }
            a0 = allocs();
            t0 = Instant::now();
            for _ in 0..n {
                client.get_bills(EMAIL, None).map_err(|e| e.to_string())?;
            }
        }
        "raw" | "lean" => {
            let hostport = base.split("://").nth(1).unwrap_or("");
            let addr = hostport.parse().map_err(|_| format!("bad base {base}"))?;
            let tls = match &ca_file {
                Some(p) => Some(raw::tls_config(
                    &std::fs::read(p).map_err(|e| e.to_string())?,
                )?),
                None => None,
            };
            let mut c = RawClient::connect(addr, tls.as_ref()).map_err(|e| e.to_string())?;
            let req = post_request(hostport, "/api/GetBills", &signed_getbills_body());
            let secret = Secret::new(SECRET.as_bytes());
            let params = Params::new().with("email", EMAIL);
            let lean = who == "lean";
            let one = |c: &mut RawClient| -> Res<()> {
                let (status, _) = if lean {
                    let mut body = encode(&params).map_err(|e| e.to_string())?.into_bytes();
                    let hash = request_hash(&body, LOGIN, &secret);
                    body.extend_from_slice(b"&hash=");
                    body.extend_from_slice(&hash);
                    c.roundtrip(&[&post_request(hostport, "/api/GetBills", &body)])
                } else {
                    c.roundtrip(&[&req])
                }
                .map_err(|e| e.to_string())?;
                if status != 200 {
                    return Err(format!("HTTP {status}"));
                }
                if lean {
                    let r =
                        justclick::parse_response(c.body(), &secret).map_err(|e| e.to_string())?;
                    std::hint::black_box(r);
                }
                Ok(())
            };
            for _ in 0..5 {
                one(&mut c)?;
            }
            a0 = allocs();
            t0 = Instant::now();
            for _ in 0..n {
                one(&mut c)?;
            }
        }
        "ureq-stock" | "ureq-coalesced" | "ureq-lean" => {
            let kind = match who.as_str() {
                "ureq-stock" => lean_transport::Kind::Stock,
                "ureq-coalesced" => lean_transport::Kind::Coalesced,
                _ => lean_transport::Kind::Lean,
            };
            let pem = match &ca_file {
                Some(p) => Some(std::fs::read(p).map_err(|e| e.to_string())?),
                None => None,
            };
            let agent = lean_transport::agent(kind, pem.as_deref());
            let url = format!("{base}/api/GetBills");
            let secret = Secret::new(SECRET.as_bytes());
            let body = signed_getbills_body();
            for _ in 0..5 {
                lean_transport::call(&agent, &url, &body, &secret)?;
            }
            a0 = allocs();
            t0 = Instant::now();
            for _ in 0..n {
                std::hint::black_box(lean_transport::call(&agent, &url, &body, &secret)?);
            }
        }
        other => return Err(format!("net: unknown client {other:?}")),
    }
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "{{\"n\":{n},\"calls_per_s\":{:.0},\"allocs_per_call\":{:.2}}}",
        n as f64 / dt,
        (allocs() - a0) as f64 / n as f64
    );
    Ok(())
}

fn vm_rss_kib() -> Res<i64> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc/self/status".into())
}

/// `rss BASE CALLS`: one client, a rotation of GetBills (success, with a
/// result), DeleteOrder of a missing order (API error), UpdateGood with every
/// field (large request), and every 1,000th call an unknown method (HTTP 404,
/// the connection is not reused). Prints RSS and live heap bytes after 1,000
/// calls and at the end.
fn rss_cmd(args: &[String]) -> Res<()> {
    let base: String = arg(args, 0, "BASE")?;
    let total: u64 = arg(args, 1, "CALLS")?;
    // Optional third argument: the sandbox's CA file for an https:// BASE.
    let ca_file = args.get(2).filter(|a| *a != "-").map(PathBuf::from);
    let options = Options {
        base_url: Some(base),
        ca_file,
        ..Options::default()
    };
    let client = Client::new(LOGIN, SECRET, options).map_err(|e| e.to_string())?;
    let good = Good::from_json(cpu::SUPER_TOVAR).map_err(|e| e.to_string())?;
    let mut points = Vec::new();
    let t0 = Instant::now();
    let mut unexpected = 0u64;
    for i in 0..total {
        let outcome_ok = if i % 1000 == 999 {
            matches!(
                client.call("NoSuchMethod", &Params::new()),
                Err(justclick::Error::HttpStatus { status: 404, .. })
            )
        } else {
            match i % 3 {
                0 => client.get_bills(EMAIL, None).is_ok(),
                1 => matches!(
                    client.delete_order("999999999"),
                    Err(justclick::Error::Api { .. })
                ),
                _ => client.update_good(&good).is_ok(),
            }
        };
        if !outcome_ok {
            unexpected += 1;
        }
        let done = i + 1;
        if [1000, total / 10, total / 2, total].contains(&done) {
            points.push(format!("[{done},{},{}]", vm_rss_kib()?, live_heap_bytes()));
        }
    }
    println!(
        "{{\"points\":[{}],\"unexpected\":{unexpected},\"seconds\":{:.2}}}",
        points.join(","),
        t0.elapsed().as_secs_f64()
    );
    if unexpected > 0 {
        return Err(format!("{unexpected} calls had an unexpected outcome"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The harness.

struct Paths {
    exe: PathBuf,
    sandbox: PathBuf,
    lib: PathBuf,
    header: PathBuf,
    scripts: PathBuf,
    out: PathBuf,
}

impl Paths {
    fn find() -> Res<Paths> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        // target/<profile>/examples/bench
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .ok_or("cannot find the target directory")?
            .to_path_buf();
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let out = profile_dir.parent().unwrap_or(&profile_dir).join("bench");
        std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        let p = Paths {
            sandbox: profile_dir.join("justclick-sandbox"),
            lib: profile_dir.join("libjustclick.so"),
            header: manifest.join("include/justclick_php.h"),
            scripts: manifest.join("bench"),
            exe,
            out,
        };
        for (f, hint) in [
            (&p.sandbox, "cargo build --release"),
            (&p.lib, "cargo build --release"),
            (&p.header, "the repository's include/"),
        ] {
            if !f.exists() {
                return Err(format!("{} is missing (build it: {hint})", f.display()));
            }
        }
        Ok(p)
    }
}

/// Calls per repetition, scaled.
struct Sizes {
    rounds: usize,
    lib: usize,
    ffi: usize,
    php_https: usize,
    php_http: usize,
    curl: usize,
    batch_rounds: usize,
    php_batch: usize,
    php_batch_https_rounds: usize,
    cpu_n: u64,
    net_n: u64,
    rss_calls: u64,
    /// Sections to run (`BENCH_ONLY=seq,batch,cpu,rss,faults`); all by default.
    only: Option<Vec<String>>,
}

impl Sizes {
    fn wants(&self, section: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|s| s == section))
    }

    fn from_env() -> Sizes {
        let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1");
        let scale: f64 = std::env::var("BENCH_SCALE")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|s: &f64| *s > 0.0)
            .unwrap_or(if quick { 0.1 } else { 1.0 });
        let rounds = std::env::var("BENCH_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|r: &usize| *r > 0)
            .unwrap_or(if quick { 2 } else { 7 });
        let s = |n: usize| ((n as f64 * scale).round() as usize).max(2);
        Sizes {
            rounds,
            lib: s(2000),
            ffi: s(2000),
            php_https: s(100),
            php_http: s(500),
            curl: s(2000),
            batch_rounds: if quick { 1 } else { 4 },
            php_batch: if quick { 20 } else { BATCH_CALLS / 4 },
            php_batch_https_rounds: if quick { 1 } else { 2 },
            cpu_n: if quick { 100 } else { 1000 },
            net_n: if quick { 20 } else { 200 },
            rss_calls: if quick { 5_000 } else { 100_000 },
            only: std::env::var("BENCH_ONLY")
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect()),
        }
    }
}

/// Repetitions of one contender: seconds per repetition, calls each, and
/// what the sandbox saw.
struct Series {
    name: &'static str,
    calls: usize,
    secs: Vec<f64>,
    conns: u64,
    requests: u64,
    allocs: u64,
    /// CPU seconds of this thread during the repetitions (in-process only).
    cpu: f64,
    /// Requests per repetition beyond `calls` (warm-up, curl's 1-request run).
    extra_requests: u64,
    /// New connections allowed per repetition (least, most); checked like
    /// the request count (see `check_requests`).
    conns_per_rep: (u64, u64),
    error: Option<String>,
}

impl Series {
    fn new(name: &'static str, calls: usize) -> Series {
        Series {
            name,
            calls,
            secs: Vec::new(),
            conns: 0,
            requests: 0,
            allocs: 0,
            cpu: 0.0,
            extra_requests: 0,
            conns_per_rep: (0, 0),
            error: None,
        }
    }

    fn extra(mut self, n: u64) -> Series {
        self.extra_requests = n;
        self
    }

    /// Between `least` and `most` new connections per repetition (the
    /// default, 0: the contender connected before the repetitions).
    fn conns(mut self, least: u64, most: u64) -> Series {
        self.conns_per_rep = (least, most);
        self
    }

    /// Median calls per second, NaN when the contender failed.
    fn rate(&self) -> f64 {
        if self.error.is_some() {
            return f64::NAN;
        }
        median(
            &self
                .secs
                .iter()
                .map(|s| self.calls as f64 / s)
                .collect::<Vec<_>>(),
        )
    }

    fn spread(&self) -> String {
        let rates: Vec<f64> = self.secs.iter().map(|s| self.calls as f64 / s).collect();
        let lo = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = rates.iter().copied().fold(0.0, f64::max);
        format!("{lo:.0}..{hi:.0}")
    }
}

/// One PHP run: `{"seconds":[...],"calls":N,"failed":N}`.
fn run_php(script: &Path, args: &[String]) -> Res<Vec<f64>> {
    let out = Command::new("php")
        .arg("-d")
        .arg("ffi.enable=1")
        .arg(script)
        .args(args)
        .env("JC_BENCH_SECRET", SECRET)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run php: {e} (Debian package php-cli)"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc: Json = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| {
            format!(
                "{} printed no result (exit {}): {}{}",
                script.display(),
                out.status,
                stdout.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })?;
    let failed = doc.get("failed").and_then(Json::as_u64).unwrap_or(u64::MAX);
    if !out.status.success() || failed != 0 {
        return Err(format!(
            "{}: {failed} failed calls (exit {}) {}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(doc
        .get("seconds")
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_f64).collect())
        .unwrap_or_default())
}

/// A config file for one curl process making `n` requests on one connection.
fn curl_config(sb: &SandboxProc, n: usize, dir: &Path) -> Res<PathBuf> {
    let path = dir.join(format!(
        "curl-{}-{n}.cfg",
        if sb.ca_file.is_some() { "tls" } else { "plain" }
    ));
    let mut cfg = String::new();
    if let Some(ca) = &sb.ca_file {
        let _ = writeln!(cfg, "cacert = \"{}\"", ca.display());
    }
    let body = String::from_utf8(signed_getbills_body()).expect("ASCII");
    let _ = writeln!(cfg, "silent\nshow-error\nfail\ndata = \"{body}\"");
    for _ in 0..n {
        let _ = writeln!(cfg, "url = \"{}/api/GetBills\"", sb.base);
    }
    std::fs::write(&path, cfg).map_err(|e| e.to_string())?;
    Ok(path)
}

fn run_curl(config: &Path) -> Res<f64> {
    let t0 = Instant::now();
    let out = Command::new("curl")
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run curl: {e} (Debian package curl)"))?;
    let dt = t0.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "curl failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(dt)
}

/// A contender: runs one repetition, returns seconds.
type Rep<'a> = Box<dyn FnMut() -> Res<f64> + 'a>;

/// Runs `rounds` rounds; in each, every contender runs one repetition, the
/// starting contender rotating so that no one always goes first.
fn interleave(sb: &mut SandboxProc, rounds: usize, contenders: &mut [(Series, Rep<'_>)]) {
    for round in 0..rounds {
        let n = contenders.len();
        for k in 0..n {
            let (series, rep) = &mut contenders[(round + k) % n];
            if series.error.is_some() {
                continue;
            }
            let before = sb.counters();
            let a0 = allocs();
            let cpu0 = thread_cpu_seconds();
            match rep() {
                Ok(s) => series.secs.push(s),
                Err(e) => series.error = Some(e),
            }
            series.cpu += thread_cpu_seconds() - cpu0;
            series.allocs += allocs() - a0;
            match (before, sb.counters()) {
                (Ok((c0, r0)), Ok((c1, r1))) => {
                    series.conns += c1 - c0;
                    series.requests += r1 - r0;
                }
                (Err(e), _) | (_, Err(e)) => {
                    series.error.get_or_insert(format!("sandbox stats: {e}"));
                }
            }
        }
    }
}

/// User + system CPU time of the calling thread: what an in-process
/// contender itself consumed, whatever else the machine is doing.
fn thread_cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct we pass; RUSAGE_THREAD is Linux's.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut u) } != 0 {
        return f64::NAN;
    }
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// How a raw-floor contender talks.
#[derive(Clone, Copy)]
enum RawMode {
    /// The whole request in one write.
    OneWrite,
    /// Two writes plus ureq's probes and socket-timeout calls.
    UreqLike,
}

/// A raw-floor repetition: `n` pre-built requests over one connection.
fn raw_rep(c: &mut RawClient, req: &[u8], body_len: usize, mode: RawMode, n: usize) -> Res<f64> {
    let (head, body) = req.split_at(req.len() - body_len);
    let t0 = Instant::now();
    for _ in 0..n {
        let (st, _) = match mode {
            RawMode::OneWrite => c.roundtrip(&[req]),
            RawMode::UreqLike => c.roundtrip_ureq_like(head, body),
        }
        .map_err(|e| e.to_string())?;
        if st != 200 {
            return Err(format!("HTTP {st}"));
        }
    }
    Ok(t0.elapsed().as_secs_f64())
}

/// A signed form body for `params` (what the library sends).
fn signed_body(params: &Params) -> Vec<u8> {
    let secret = Secret::new(SECRET.as_bytes());
    let mut body = encode(params).expect("valid params").into_bytes();
    let hash = request_hash(&body, LOGIN, &secret);
    body.extend_from_slice(b"&hash=");
    body.extend_from_slice(&hash);
    body
}

/// The sequential contenders over one sandbox (HTTPS or plain HTTP).
fn sequential(p: &Paths, z: &Sizes, sb: &mut SandboxProc) -> Res<Vec<Series>> {
    let client = client_for(sb)?;
    client.get_bills(EMAIL, None).map_err(|e| e.to_string())?; // connect once
    let host = sb.host();
    let bills_body = signed_getbills_body();
    let bills_req = post_request(&host, "/api/GetBills", &bills_body);
    let delete_params = Params::new().with("bill_id", MISSING_ORDER);
    let delete_body = signed_body(&delete_params);
    let delete_req = post_request(&host, "/api/DeleteOrder", &delete_body);
    let connect = || -> Res<RawClient> {
        let mut c = RawClient::connect(sb.addr, sb.tls.as_ref()).map_err(|e| e.to_string())?;
        // Let TLS 1.3 session tickets arrive before any probe runs.
        raw_rep(&mut c, &bills_req, bills_body.len(), RawMode::OneWrite, 1)?;
        Ok(c)
    };
    let (mut raw1, mut raw3, mut raw4, mut raw5) = (connect()?, connect()?, connect()?, connect()?);
    let curl_n = curl_config(sb, z.curl, &p.out)?;
    let curl_1 = curl_config(sb, 1, &p.out)?;
    let ffi_script = p.scripts.join("ffi.php");
    let seeds_script = p.scripts.join("seeds.php");
    let ffi_args = vec![
        p.lib.display().to_string(),
        p.header.display().to_string(),
        sb.base.clone(),
        sb.ca_arg(),
        "seq".into(),
        z.ffi.to_string(),
        "1".into(),
    ];
    let php_n = if sb.tls.is_some() {
        z.php_https
    } else {
        z.php_http
    };
    let seeds_args = vec![sb.base.clone(), sb.ca_arg(), php_n.to_string(), "1".into()];
    let n = z.lib;
    let secret = Secret::new(SECRET.as_bytes());
    let bills_params = Params::new().with("email", EMAIL);
    let mut curl_one_secs = Vec::new();
    let curl_one = &mut curl_one_secs;
    // ureq agents configured like the library's, with prototype transports.
    let ca_pem = match &sb.ca_file {
        Some(p) => Some(std::fs::read(p).map_err(|e| e.to_string())?),
        None => None,
    };
    let url = format!("{}/api/GetBills", sb.base);
    let agents: Vec<ureq::Agent> = [
        lean_transport::Kind::Stock,
        lean_transport::Kind::Coalesced,
        lean_transport::Kind::Lean,
    ]
    .iter()
    .map(|k| lean_transport::agent(*k, ca_pem.as_deref()))
    .collect();
    for a in &agents {
        lean_transport::call(a, &url, &bills_body, &secret)?; // connect once
    }
    let agent_rep = |a: &ureq::Agent| -> Res<f64> {
        let t0 = Instant::now();
        for _ in 0..n {
            let mut body = encode(&bills_params)
                .map_err(|e| e.to_string())?
                .into_bytes();
            let hash = request_hash(&body, LOGIN, &secret);
            body.extend_from_slice(b"&hash=");
            body.extend_from_slice(&hash);
            std::hint::black_box(lean_transport::call(a, &url, &body, &secret)?);
        }
        Ok(t0.elapsed().as_secs_f64())
    };
    let mut contenders: Vec<(Series, Rep<'_>)> = vec![
        (
            Series::new("library (Rust)", n).conns(0, 1),
            Box::new(|| {
                let t0 = Instant::now();
                for _ in 0..n {
                    let r = client.get_bills(EMAIL, None).map_err(|e| e.to_string())?;
                    std::hint::black_box(r);
                }
                Ok(t0.elapsed().as_secs_f64())
            }),
        ),
        (
            Series::new("raw floor (Rust, 1 write)", n),
            Box::new(|| {
                raw_rep(
                    &mut raw1,
                    &bills_req,
                    bills_body.len(),
                    RawMode::OneWrite,
                    n,
                )
            }),
        ),
        (
            Series::new("raw floor (Rust, ureq's system calls)", n),
            Box::new(|| {
                raw_rep(
                    &mut raw3,
                    &bills_req,
                    bills_body.len(),
                    RawMode::UreqLike,
                    n,
                )
            }),
        ),
        (
            Series::new("lean prototype (sign+parse, raw client)", n),
            Box::new(|| {
                // The library's necessary work (public encode, request_hash,
                // parse_response) over the raw client: what a minimal
                // transport would give.
                let t0 = Instant::now();
                for _ in 0..n {
                    let mut body = encode(&bills_params)
                        .map_err(|e| e.to_string())?
                        .into_bytes();
                    let hash = request_hash(&body, LOGIN, &secret);
                    body.extend_from_slice(b"&hash=");
                    body.extend_from_slice(&hash);
                    let req = post_request(&host, "/api/GetBills", &body);
                    let (st, _) = raw4.roundtrip(&[&req]).map_err(|e| e.to_string())?;
                    if st != 200 {
                        return Err(format!("HTTP {st}"));
                    }
                    let r = justclick::parse_response(raw4.body(), &secret)
                        .map_err(|e| e.to_string())?;
                    std::hint::black_box(r);
                }
                Ok(t0.elapsed().as_secs_f64())
            }),
        ),
        (
            Series::new("ureq as configured by the library (prototype)", n).conns(0, 1),
            Box::new(|| agent_rep(&agents[0])),
        ),
        (
            Series::new("ureq + coalesced head/body (prototype)", n).conns(0, 1),
            Box::new(|| agent_rep(&agents[1])),
        ),
        (
            Series::new("ureq + lean TCP + coalesced (prototype)", n).conns(0, 1),
            Box::new(|| agent_rep(&agents[2])),
        ),
        (
            Series::new("library, DeleteOrder (small answer)", n).conns(0, 1),
            Box::new(|| {
                let t0 = Instant::now();
                for _ in 0..n {
                    match client.delete_order(MISSING_ORDER) {
                        Err(justclick::Error::Api { code: 200, .. }) => {}
                        other => return Err(format!("DeleteOrder: {other:?}")),
                    }
                }
                Ok(t0.elapsed().as_secs_f64())
            }),
        ),
        (
            Series::new("raw floor, DeleteOrder (1 write)", n),
            Box::new(|| {
                raw_rep(
                    &mut raw5,
                    &delete_req,
                    delete_body.len(),
                    RawMode::OneWrite,
                    n,
                )
            }),
        ),
        (
            // (n - 1) requests in (time of n) - (time of 1): start-up,
            // connect and handshake cancel; 2 more requests than counted.
            Series::new("curl keep-alive (1 process)", z.curl - 1)
                .extra(2)
                .conns(2, 2),
            Box::new(move || {
                curl_one.push(run_curl(&curl_1)?);
                let t = run_curl(&curl_n)?;
                Ok(t - median(curl_one))
            }),
        ),
        (
            Series::new("library via PHP FFI", z.ffi)
                .extra(1)
                .conns(1, 1),
            Box::new(|| Ok(run_php(&ffi_script, &ffi_args)?.iter().sum())),
        ),
        (
            Series::new("PHP seeds' approach", php_n).conns(php_n as u64, php_n as u64),
            Box::new(|| Ok(run_php(&seeds_script, &seeds_args)?.iter().sum())),
        ),
    ];
    interleave(sb, z.rounds, &mut contenders);
    let mut out: Vec<Series> = contenders.into_iter().map(|(s, _)| s).collect();
    check_requests(&mut out);
    Ok(out)
}

/// Every call must have reached the server, and no more: a contender that
/// short-circuits or retries would make its numbers lie. The connections the
/// sandbox accepted must be what each contender claims: the library keeps
/// one per thread alive across calls (a sequential client at most one per
/// repetition, should the pool have dropped an idle one between
/// repetitions), PHP's seeds open one per call.
fn check_requests(v: &mut [Series]) {
    for s in v {
        let reps = s.secs.len() as u64;
        let expected = reps * (s.calls as u64 + s.extra_requests);
        if s.error.is_none() && s.requests != expected {
            s.error = Some(format!(
                "the sandbox saw {} requests, expected {expected}",
                s.requests
            ));
        }
        let (least, most) = (reps * s.conns_per_rep.0, reps * s.conns_per_rep.1);
        if s.error.is_none() && !(least..=most).contains(&s.conns) {
            s.error = Some(format!(
                "the sandbox accepted {} connections, expected {least}..={most} over {reps} repetitions",
                s.conns
            ));
        }
    }
}

fn find<'a>(v: &'a [Series], prefix: &str) -> &'a Series {
    v.iter()
        .find(|s| s.name.starts_with(prefix))
        .expect("known series")
}

// ---------------------------------------------------------------------------
// Result table.

struct Row {
    id: &'static str,
    what: String,
    detail: String,
    ratio: String,
    target: String,
    met: Option<bool>,
}

struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
    failures: Vec<String>,
}

impl Report {
    /// Client CPU per call (user+sys of the calling thread) of `b` over
    /// that of `a`: how much cheaper `a` would have to be to match `b`;
    /// much less sensitive to other load than calls/s.
    fn cpu_row(&mut self, id: &'static str, what: &str, a: &Series, b: &Series) {
        let per_call = |s: &Series| s.cpu * 1e6 / (s.secs.len() * s.calls).max(1) as f64;
        let (ca, cb) = (per_call(a), per_call(b));
        let ok = a.error.is_none() && b.error.is_none() && ca > 0.0 && cb > 0.0;
        self.rows.push(Row {
            id,
            what: what.into(),
            detail: if ok {
                format!("{ca:.1} vs {cb:.1} us CPU/call")
            } else {
                "not measured".into()
            },
            ratio: if ok {
                format!("{:.2}x", cb / ca)
            } else {
                "n/a".into()
            },
            target: "info".into(),
            met: None,
        });
    }

    fn ratio_row(
        &mut self,
        id: &'static str,
        what: &str,
        a: &Series,
        b: &Series,
        target: Option<f64>,
    ) {
        let (ra, rb) = (a.rate(), b.rate());
        for s in [a, b] {
            if let Some(e) = &s.error {
                let msg = format!("{id} {}: {e}", s.name);
                if !self.failures.contains(&msg) {
                    self.failures.push(msg);
                }
            }
        }
        let ratio = ra / rb;
        let ok = ratio.is_finite();
        self.rows.push(Row {
            id,
            what: what.into(),
            detail: if ok {
                format!("{ra:.0} vs {rb:.0} calls/s")
            } else {
                "not measured".into()
            },
            ratio: if ok {
                format!("{ratio:.2}x")
            } else {
                "n/a".into()
            },
            target: target.map_or("info".into(), |t| format!(">= {t}x")),
            met: target.filter(|_| ok).map(|t| ratio >= t),
        });
    }

    fn print(&mut self) {
        self.rows.sort_by(|a, b| a.id.cmp(b.id));
        let w = self.rows.iter().map(|r| r.what.len()).max().unwrap_or(10);
        let d = self.rows.iter().map(|r| r.detail.len()).max().unwrap_or(10);
        println!(
            "\n| #  | {:w$} | {:d$} | ratio   | target      | met |",
            "measurement", "measured (median)"
        );
        println!(
            "|----|-{}-|-{}-|---------|-------------|-----|",
            "-".repeat(w),
            "-".repeat(d)
        );
        for r in &self.rows {
            println!(
                "| {:2} | {:w$} | {:d$} | {:7} | {:11} | {:3} |",
                r.id,
                r.what,
                r.detail,
                r.ratio,
                r.target,
                match r.met {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "-",
                }
            );
        }
        for n in &self.notes {
            println!("{n}");
        }
    }
}

fn describe(label: &str, v: &[Series]) {
    println!("\n{label}:\n  median calls/s (min..max over repetitions); connections the sandbox accepted; for in-process\n  contenders, client CPU (user+sys of the calling thread; batches: the caller only) and allocations per call");
    for s in v {
        match &s.error {
            Some(e) => println!("  {:47} FAILED: {e}", s.name),
            None => {
                let calls = (s.secs.len() * s.calls).max(1) as f64;
                let external = s.name.contains("PHP") || s.name.starts_with("curl");
                let per_call = if external {
                    String::new()
                } else {
                    format!(
                        "  CPU {:>5.1} us/call  allocs {:>5.1}/call",
                        s.cpu * 1e6 / calls,
                        s.allocs as f64 / calls
                    )
                };
                println!(
                    "  {:47} {:>6.0}/s ({:>11}) {:>5} conns/{:>6} req{per_call}",
                    s.name,
                    s.rate(),
                    s.spread(),
                    s.conns,
                    s.requests
                );
            }
        }
    }
}

/// Total instructions of a callgrind run of this binary with `args`.
fn callgrind(p: &Paths, tag: &str, args: &[String]) -> Res<(u64, PathBuf)> {
    let file = p.out.join(format!("callgrind.{tag}.out"));
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(&p.exe)
        .args(args)
        .env("JC_BENCH_SECRET", SECRET)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run valgrind: {e} (Debian package valgrind)"))?;
    if !out.status.success() {
        return Err(format!(
            "valgrind {tag} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" / ")
        ));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let total = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no instruction total in {}", file.display()))?;
    Ok((total, file))
}

/// Instructions per iteration: (count(2N) - count(N)) / N, runs in parallel.
fn per_iteration(p: &Paths, tag: &str, args_for: impl Fn(u64) -> Vec<String>, n: u64) -> Res<f64> {
    let args_n = args_for(n);
    let (a, b) = std::thread::scope(|s| {
        let one = s.spawn(|| callgrind(p, &format!("{tag}.n"), &args_n));
        let two = callgrind(p, &format!("{tag}.2n"), &args_for(2 * n));
        (one.join().expect("callgrind thread"), two)
    });
    let (a, _) = a?;
    let (b, _) = b?;
    Ok((b as f64 - a as f64) / n as f64)
}

fn run_all() -> Res<()> {
    let started = Instant::now();
    let p = Paths::find()?;
    let z = Sizes::from_env();
    let mut report = Report {
        rows: Vec::new(),
        notes: Vec::new(),
        failures: Vec::new(),
    };
    println!("justclick benchmark: the library vs the seeds' PHP approach, against justclick-sandbox on loopback");
    println!(
        "cpus {}, load average at start {}; {} rounds; calls per repetition: library {}, PHP HTTPS {}, PHP HTTP {}, curl {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        z.rounds,
        z.lib,
        z.php_https,
        z.php_http,
        z.curl
    );
    println!("scratch files and callgrind outputs: {}", p.out.display());
    if let Some(only) = &z.only {
        println!("partial run: only {} (BENCH_ONLY)", only.join(","));
    }

    // 1, 2: sequential over HTTPS; 4: over plain HTTP.
    if z.wants("seq") {
        if let Err(e) = seq_rows(&p, &z, &mut report) {
            report.failures.push(format!("1/2/4 sequential: {e}"));
        }
    }
    // 3: batches with 20 ms server latency.
    if z.wants("batch") {
        if let Err(e) = batch_rows(&p, &z, &mut report) {
            report.failures.push(format!("3 batch: {e}"));
        }
    }
    // 5: CPU per call (callgrind).
    if z.wants("cpu") {
        cpu_rows(&p, &z, &mut report);
    }
    // 6: RSS.
    if z.wants("rss") {
        rss_rows(&p, &z, &mut report);
    }
    // 8: how long hostile answers take to cut off (row 7 is fpm_bench.sh).
    if z.wants("faults") {
        if let Err(e) = fault_rows(&p, &z, &mut report) {
            report.failures.push(format!("8 faults: {e}"));
        }
    }

    report.notes.push(NOTES.to_owned());
    report.print();
    println!(
        "\nload average at end {}; total time {:.0} s",
        load_average(),
        started.elapsed().as_secs_f64()
    );
    println!("command: make bench   (= cargo build --release && bench/run.sh)");
    if !report.failures.is_empty() {
        println!("\nmeasurements that could not be taken:");
        for f in &report.failures {
            println!("  {f}");
        }
        return Err(format!("{} measurement(s) failed", report.failures.len()));
    }
    Ok(())
}

fn seq_rows(p: &Paths, z: &Sizes, report: &mut Report) -> Res<()> {
    let seq_https = {
        let mut sb = SandboxProc::start(&p.sandbox, SECRET, true, 0, &p.out)?;
        sequential(p, z, &mut sb)?
    };
    describe(
        "Sequential GetBills over HTTPS (certificates verified)",
        &seq_https,
    );
    let seq_http = {
        let mut sb = SandboxProc::start(&p.sandbox, SECRET, false, 0, &p.out)?;
        sequential(p, z, &mut sb)?
    };
    describe("Sequential GetBills over plain HTTP", &seq_http);

    let lib = find(&seq_https, "library (Rust)");
    let php = find(&seq_https, "PHP seeds");
    report.ratio_row(
        "1a",
        "HTTPS sequential: library (Rust) vs PHP seeds' approach",
        lib,
        php,
        Some(10.0),
    );
    report.ratio_row(
        "1b",
        "HTTPS sequential: library via PHP FFI vs PHP seeds' approach",
        find(&seq_https, "library via PHP FFI"),
        php,
        Some(10.0),
    );
    report.ratio_row(
        "2a",
        "HTTPS sequential: library vs raw floor (rustls, no signing/parsing)",
        lib,
        find(&seq_https, "raw floor (Rust, 1 write)"),
        Some(0.9),
    );
    report.ratio_row(
        "2b",
        "HTTPS sequential: library vs curl keep-alive (1 process)",
        lib,
        find(&seq_https, "curl"),
        Some(0.9),
    );
    report.ratio_row(
        "2c",
        "HTTPS sequential, DeleteOrder (small answer): library vs raw floor",
        find(&seq_https, "library, DeleteOrder"),
        find(&seq_https, "raw floor, DeleteOrder"),
        None,
    );
    report.ratio_row(
        "2d",
        "HTTPS sequential: lean prototype (library's sign+parse over the raw client) vs raw floor",
        find(&seq_https, "lean prototype"),
        find(&seq_https, "raw floor (Rust, 1 write)"),
        None,
    );
    report.cpu_row(
        "2e",
        "HTTPS sequential, client CPU per call: library vs raw floor",
        lib,
        find(&seq_https, "raw floor (Rust, 1 write)"),
    );
    let lib_h = find(&seq_http, "library (Rust)");
    let php_h = find(&seq_http, "PHP seeds");
    report.ratio_row(
        "4a",
        "HTTP sequential: library (Rust) vs PHP seeds' approach",
        lib_h,
        php_h,
        None,
    );
    report.ratio_row(
        "4b",
        "HTTP sequential: library via PHP FFI vs PHP seeds' approach",
        find(&seq_http, "library via PHP FFI"),
        php_h,
        None,
    );
    report.ratio_row(
        "4c",
        "HTTP sequential: library vs raw floor",
        lib_h,
        find(&seq_http, "raw floor (Rust, 1 write)"),
        None,
    );
    report.cpu_row(
        "4d",
        "HTTP sequential, client CPU per call: library vs raw floor",
        lib_h,
        find(&seq_http, "raw floor (Rust, 1 write)"),
    );
    Ok(())
}

fn batch_rows(p: &Paths, z: &Sizes, report: &mut Report) -> Res<()> {
    let batch = batches(p, z)?;
    report.ratio_row(
        "3a",
        "batch 1000, 20 ms latency, concurrency 16 (HTTP): Client::call_batch vs PHP seeds sequential",
        &batch[0],
        &batch[2],
        Some(14.0),
    );
    report.ratio_row(
        "3b",
        "the same batch through jc_call_batch from PHP FFI vs PHP seeds sequential",
        &batch[1],
        &batch[2],
        Some(14.0),
    );
    report.ratio_row(
        "3c",
        "the same over HTTPS: Client::call_batch vs PHP seeds sequential (handshake per call)",
        &batch[3],
        &batch[4],
        None,
    );
    Ok(())
}

/// [lib batch HTTP, FFI batch HTTP, PHP seq HTTP, lib batch HTTPS, PHP seq HTTPS]
fn batches(p: &Paths, z: &Sizes) -> Res<Vec<Series>> {
    let calls: Vec<BatchCall> = (0..BATCH_CALLS)
        .map(|_| BatchCall::new("GetBills", Params::new().with("email", EMAIL)))
        .collect();
    let batch_rep = |client: &Client| -> Res<f64> {
        let t0 = Instant::now();
        let results = client
            .call_batch(&calls, BATCH_CONCURRENCY)
            .map_err(|e| e.to_string())?;
        let dt = t0.elapsed().as_secs_f64();
        let failed = results.iter().filter(|r| r.is_err()).count();
        if failed > 0 {
            return Err(format!("{failed} calls of the batch failed"));
        }
        Ok(dt)
    };
    let seeds = p.scripts.join("seeds.php");
    let ffi = p.scripts.join("ffi.php");
    // The library opens at most one connection per batch thread.
    let batch_threads = BATCH_CONCURRENCY as u64;

    let mut http = SandboxProc::start(&p.sandbox, SECRET, false, BATCH_DELAY_MS, &p.out)?;
    let client = client_for(&http)?;
    let seeds_args = vec![
        http.base.clone(),
        "-".into(),
        z.php_batch.to_string(),
        "1".into(),
    ];
    let ffi_args = vec![
        p.lib.display().to_string(),
        p.header.display().to_string(),
        http.base.clone(),
        "-".into(),
        "batch".into(),
        BATCH_CALLS.to_string(),
        "1".into(),
        BATCH_CONCURRENCY.to_string(),
    ];
    let mut c: Vec<(Series, Rep<'_>)> = vec![
        (
            Series::new("Client::call_batch (HTTP)", BATCH_CALLS).conns(0, batch_threads),
            Box::new(|| batch_rep(&client)),
        ),
        (
            Series::new("jc_call_batch via PHP FFI (HTTP)", BATCH_CALLS)
                .extra(1)
                .conns(1, batch_threads),
            Box::new(|| Ok(run_php(&ffi, &ffi_args)?.iter().sum())),
        ),
        (
            Series::new("PHP seeds sequential (HTTP)", z.php_batch)
                .conns(z.php_batch as u64, z.php_batch as u64),
            Box::new(|| Ok(run_php(&seeds, &seeds_args)?.iter().sum())),
        ),
    ];
    interleave(&mut http, z.batch_rounds, &mut c);
    let mut out: Vec<Series> = c.into_iter().map(|(s, _)| s).collect();
    check_requests(&mut out);
    drop(client);
    drop(http);

    let mut https = SandboxProc::start(&p.sandbox, SECRET, true, BATCH_DELAY_MS, &p.out)?;
    let client = client_for(&https)?;
    let seeds_args = vec![
        https.base.clone(),
        https.ca_arg(),
        z.php_batch.to_string(),
        "1".into(),
    ];
    let mut c: Vec<(Series, Rep<'_>)> = vec![
        (
            Series::new("Client::call_batch (HTTPS)", BATCH_CALLS).conns(0, batch_threads),
            Box::new(|| batch_rep(&client)),
        ),
        (
            Series::new("PHP seeds sequential (HTTPS)", z.php_batch)
                .conns(z.php_batch as u64, z.php_batch as u64),
            Box::new(|| Ok(run_php(&seeds, &seeds_args)?.iter().sum())),
        ),
    ];
    interleave(&mut https, z.php_batch_https_rounds, &mut c);
    let mut more: Vec<Series> = c.into_iter().map(|(s, _)| s).collect();
    check_requests(&mut more);
    out.extend(more);
    describe(
        &format!("Batches of {BATCH_CALLS} GetBills, {BATCH_DELAY_MS} ms server latency, concurrency {BATCH_CONCURRENCY} (PHP: the same calls one after another)"),
        &out,
    );
    Ok(out)
}

fn cpu_rows(p: &Paths, z: &Sizes, report: &mut Report) {
    println!(
        "\nCPU per call without the network: valgrind --tool=callgrind, (instructions(2N) - instructions(N)) / N, N = {}",
        z.cpu_n
    );
    let (mut headline, mut through_c) = (None, None);
    for (variant, what) in cpu::VARIANTS {
        let args_for = |n: u64| vec!["cpu".to_owned(), variant.to_string(), n.to_string()];
        match per_iteration(p, &format!("cpu.{variant}"), args_for, z.cpu_n) {
            Ok(ir) => {
                println!("  {:>9.0} instructions  {variant:20} {what}", ir);
                if *variant == "update_good" {
                    headline = Some(ir);
                }
                if *variant == "update_good_ffi" {
                    through_c = Some(ir);
                }
            }
            Err(e) => {
                println!("  FAILED {variant}: {e}");
                report.failures.push(format!("5 cpu {variant}: {e}"));
            }
        }
    }
    for (id, what, ir) in [
        (
            "5a",
            "CPU per UpdateGood (all fields), Rust: encode + sign + parse + verify",
            headline,
        ),
        (
            "5b",
            "the same from JSON, the path of C, PHP and Python (jc_update_good)",
            through_c,
        ),
    ] {
        report.rows.push(Row {
            id,
            what: what.into(),
            detail: ir.map_or("not measured".into(), |ir| {
                format!("{ir:.0} instructions/call (callgrind)")
            }),
            ratio: "-".into(),
            target: format!("< {CPU_TARGET:.0}"),
            met: ir.map(|ir| ir < CPU_TARGET),
        });
    }
    println!(
        "  (per-function profiles: callgrind_annotate {}/callgrind.cpu.update_good.2n.out)",
        p.out.display()
    );

    // The whole client side of a call, network included (informational).
    println!(
        "\nClient-side instructions per sequential GetBills call, network path included (callgrind, N = {}):",
        z.net_n
    );
    for tls in [false, true] {
        let sb = match SandboxProc::start(&p.sandbox, SECRET, tls, 0, &p.out) {
            Ok(sb) => sb,
            Err(e) => {
                report.failures.push(format!("net profile sandbox: {e}"));
                continue;
            }
        };
        let scheme = if tls { "https" } else { "http" };
        for who in ["lib", "lean", "raw"] {
            let args_for = |n: u64| {
                vec![
                    "net".to_owned(),
                    who.to_owned(),
                    sb.base.clone(),
                    sb.ca_arg(),
                    n.to_string(),
                ]
            };
            match per_iteration(p, &format!("net.{who}.{scheme}"), args_for, z.net_n) {
                Ok(ir) => println!(
                    "  {:>9.0} instructions  {} over {scheme}",
                    ir,
                    match who {
                        "lib" => "library (Client::get_bills)",
                        "lean" => "lean prototype (encode+sign+parse_response over the raw client)",
                        _ => "raw floor (pre-built request, no parsing)",
                    }
                ),
                Err(e) => report
                    .failures
                    .push(format!("net profile {who} {scheme}: {e}")),
            }
        }
    }
}

/// Rows 6a (plain HTTP) and 6b (HTTPS: TLS sessions and buffers too).
fn rss_rows(p: &Paths, z: &Sizes, report: &mut Report) {
    rss_row(p, z, report, false);
    rss_row(p, z, report, true);
}

fn rss_row(p: &Paths, z: &Sizes, report: &mut Report, tls: bool) {
    let (id, scheme) = if tls {
        ("6b", "HTTPS")
    } else {
        ("6a", "plain HTTP")
    };
    let result = (|| -> Res<(i64, i64, i64, i64, String)> {
        let sb = SandboxProc::start(&p.sandbox, SECRET, tls, 0, &p.out)?;
        let out = Command::new(&p.exe)
            .args(["rss", &sb.base, &z.rss_calls.to_string(), &sb.ca_arg()])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "rss run failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let doc: Json = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
        let points = doc
            .get("points")
            .and_then(Json::as_array)
            .ok_or("no points")?;
        let get = |i: usize, k: usize| {
            points
                .get(i)
                .and_then(|p| p.get(k))
                .and_then(Json::as_i64)
                .unwrap_or(0)
        };
        let first = points
            .iter()
            .position(|p| p.get(0).and_then(Json::as_i64) == Some(1000))
            .ok_or("no point at 1,000 calls")?;
        let last = points.len() - 1;
        let shape = points
            .iter()
            .map(|p| {
                format!(
                    "{} calls: {} KiB",
                    p[0].as_i64().unwrap_or(0),
                    p[1].as_i64().unwrap_or(0)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        Ok((
            get(first, 1),
            get(last, 1),
            get(first, 2),
            get(last, 2),
            shape,
        ))
    })();
    match result {
        Ok((rss1, rss2, heap1, heap2, shape)) => {
            println!(
                "\nRSS of one client over {} calls ({scheme}; GetBills, DeleteOrder error, UpdateGood, every 1000th a 404): {shape}; live heap {heap1} -> {heap2} bytes",
                z.rss_calls
            );
            let diff = rss2 - rss1;
            report.rows.push(Row {
                id,
                what: format!(
                    "RSS after {} calls vs after 1,000 (one client, {scheme})",
                    z.rss_calls
                ),
                detail: format!("{rss1} -> {rss2} KiB (diff {diff:+} KiB)"),
                ratio: "-".into(),
                target: format!("<= {RSS_LIMIT_KIB} KiB"),
                met: Some(diff <= RSS_LIMIT_KIB),
            });
        }
        Err(e) => {
            report.failures.push(format!("{id} rss: {e}"));
            report.rows.push(Row {
                id,
                what: format!("RSS after 100,000 calls vs after 1,000 ({scheme})"),
                detail: "not measured".into(),
                ratio: "-".into(),
                target: format!("<= {RSS_LIMIT_KIB} KiB"),
                met: None,
            });
        }
    }
}

// ---------------------------------------------------------------------------
// 8: the cut-off times that tests/hostile.rs, tests/faults.rs and
// tests/storm.rs prove by construction but never time (a test that reads a
// clock fails on a loaded machine). Printed, never a failure.

const FAULT_TIMEOUT_MS: u64 = 1000;

/// Milliseconds `f` took, and its result.
fn timed<R>(f: impl FnOnce() -> R) -> (f64, R) {
    let t = Instant::now();
    let r = f();
    (t.elapsed().as_secs_f64() * 1e3, r)
}

fn fault_client(sb: &SandboxProc, timeout_ms: u64, max_response_bytes: u64) -> Res<Client> {
    let o = Options::from_json(Some(&format!(
        r#"{{"base_url":"{}","proxy":"","timeout_ms":{timeout_ms},"max_response_bytes":{max_response_bytes}}}"#,
        sb.base
    )))
    .map_err(|e| e.to_string())?;
    Client::new(LOGIN, SECRET, o).map_err(|e| e.to_string())
}

/// `n` calls under the current fault; the milliseconds of each, which must
/// all end with `kind`.
fn cut_off_times(c: &Client, n: usize, kind: justclick::ErrorKind) -> Res<Vec<f64>> {
    (0..n)
        .map(|_| {
            let (ms, r) = timed(|| c.delete_order(MISSING_ORDER));
            match r {
                Err(e) if e.kind() == kind => Ok(ms),
                other => Err(format!("expected {kind:?}, got {other:?}")),
            }
        })
        .collect()
}

fn fault_row(report: &mut Report, id: &'static str, what: &str, ms: &[f64]) {
    let max = ms.iter().copied().fold(f64::NAN, f64::max);
    report.rows.push(Row {
        id,
        what: what.into(),
        detail: format!(
            "{:.1} ms (median of {}, max {max:.1} ms)",
            median(ms),
            ms.len()
        ),
        ratio: "-".into(),
        target: "info".into(),
        met: None,
    });
}

fn fault_rows(p: &Paths, z: &Sizes, report: &mut Report) -> Res<()> {
    use justclick::ErrorKind;
    let mut sb = SandboxProc::start(&p.sandbox, SECRET, false, 0, &p.out)?;
    let quick = z.rounds < 3;

    sb.set_fault("mode=huge")?;
    let c = fault_client(&sb, 60_000, 1 << 20)?;
    let huge = cut_off_times(&c, if quick { 3 } else { 10 }, ErrorKind::BadResponse)?;
    fault_row(
        report,
        "8a",
        "64 MiB answer, max_response_bytes 1 MiB: until bad_response",
        &huge,
    );

    let c = fault_client(&sb, FAULT_TIMEOUT_MS, 1 << 20)?;
    sb.set_fault("mode=slow")?;
    let slow = cut_off_times(&c, 3, ErrorKind::Timeout)?;
    fault_row(
        report,
        "8b",
        "slowloris (a byte every 200 ms), timeout 1 s: until timeout",
        &slow,
    );
    sb.set_fault("mode=stall&stall_ms=3600000")?;
    let stall = cut_off_times(&c, 3, ErrorKind::Timeout)?;
    fault_row(
        report,
        "8c",
        "stalled answer (held an hour), timeout 1 s: until timeout",
        &stall,
    );

    // The storm of tests/storm.rs, shorter: the slowest of its calls.
    sb.set_fault("mode=storm&rate=0.3&stall_ms=3600000")?;
    let seconds = if quick { 1 } else { 5 };
    let deadline = Instant::now() + std::time::Duration::from_secs(seconds);
    let mut per_call: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|t| {
                let c = &c;
                s.spawn(move || {
                    let mut ms = Vec::new();
                    let mut i = 0;
                    while Instant::now() < deadline {
                        let email = format!("bench-storm-{t}-{i}@example.com");
                        let params = Params::new().with("rid", "1").with("lead_email", email);
                        ms.push(timed(|| c.call("SandboxWrite", &params)).0);
                        i += 1;
                    }
                    ms
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("storm thread"))
            .collect()
    });
    sb.set_fault("mode=none")?;
    per_call.sort_by(|a, b| a.total_cmp(b));
    let slowest = per_call.last().copied().unwrap_or(f64::NAN);
    println!(
        "\nfault cut-offs (timeout {FAULT_TIMEOUT_MS} ms): huge {huge:.1?} ms, slowloris {slow:.0?} ms, stall {stall:.0?} ms; storm of {seconds} s, 16 threads: {} calls, slowest {slowest:.0} ms",
        per_call.len()
    );
    report.rows.push(Row {
        id: "8d",
        what: format!("fault storm, 16 threads, {seconds} s, timeout 1 s: slowest call"),
        detail: format!("{slowest:.0} ms of {} calls", per_call.len()),
        ratio: "-".into(),
        target: "info".into(),
        met: None,
    });
    Ok(())
}
