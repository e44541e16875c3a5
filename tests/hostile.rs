//! Hostile servers: forged, replayed, oversized, endless, malformed and
//! redirecting answers, from the sandbox's fault modes and from small
//! scripted TCP servers for what the sandbox cannot produce.
//!
//! Each case must end with its documented error kind, with bounded memory
//! (a counting global allocator measures what the calling thread
//! allocates), with nothing of a forged answer returned as data, and with
//! the client still working afterwards.
//!
//! No test reads a clock, so none can fail because the machine is slow.
//! Bounded time is shown by construction instead: an answer that ends on
//! its own ends with a kind other than `Timeout` under a [`GUARD`] timeout
//! far above any load delay; an endless answer ends by the client hanging
//! up, which the server reports (the sandbox's `hangups`, the scripted
//! servers' own counters); and where the timeout is the subject, the
//! server never ends the call, so only the client's timeout can. How long
//! these cut-offs take is measured by the benchmark (`make bench`,
//! `BENCH_ONLY=faults`), which prints and never fails.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::{c_char, CStr, CString};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use common::*;
use justclick::ffi::{self, jc_client, jc_status};
use justclick::{
    response_hash, BatchCall, Client, Error, ErrorKind, Good, Options, OrderStatus, Params,
    ProxySetting, Response, Secret,
};
use justclick_sandbox::{Fault, FaultConfig};

// ---------------------------------------------------------------------------
// Memory accounting: bytes allocated by the *calling thread*, so tests that
// run in parallel (and the in-process sandbox's own threads) do not disturb
// the measurement. ureq does all of a call's work on the calling thread.

struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
    static TOTAL: Cell<u64> = const { Cell::new(0) };
}

fn note_alloc(size: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + size as i64;
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
    let _ = TOTAL.try_with(|t| t.set(t.get() + size as u64));
}

fn note_free(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get() - size as i64));
}

// SAFETY: every method forwards to the system allocator unchanged; the
// bookkeeping touches only const-initialized thread-locals without
// destructors, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            note_alloc(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            note_alloc(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_free(layout.size());
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            note_free(layout.size());
            note_alloc(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What `f` cost the calling thread: peak bytes live at once (above the
/// level at the start) and bytes allocated in total.
struct Cost {
    peak: u64,
    total: u64,
}

fn measure<R>(f: impl FnOnce() -> R) -> (R, Cost) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let total0 = TOTAL.with(Cell::get);
    let r = f();
    let peak = (PEAK.with(Cell::get) - base).max(0) as u64;
    let total = TOTAL.with(Cell::get) - total0;
    (r, Cost { peak, total })
}

/// Net bytes still held that the calling thread allocated.
fn live_bytes() -> i64 {
    LIVE.with(Cell::get)
}

/// Resident set size of the whole process.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64
}

const MIB: u64 = 1 << 20;

/// The overall timeout of calls that must end some other way: it only
/// turns a hang into a failure (a `Timeout` then fails the kind checks).
const GUARD: Duration = Duration::from_secs(60);
const GUARD_MS: u64 = 60_000;

/// Counts the connections whose client hung up on a scripted server.
fn hung_up(counter: &AtomicUsize) {
    counter.fetch_add(1, Ordering::SeqCst);
}

// ---------------------------------------------------------------------------
// A scripted hostile server: accepts connections on an ephemeral loopback
// port, reads one request, then lets the script write whatever it likes.

type Script = dyn Fn(&mut TcpStream, &Req) + Send + Sync;

struct Req {
    /// `/api/Method` from the request line.
    path: String,
}

struct Hostile {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    /// Paths of the requests received, recorded before the script runs.
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Hostile {
    fn start(script: impl Fn(&mut TcpStream, &Req) + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        let (conns, reqs, stop2) = (connections.clone(), requests.clone(), stop.clone());
        let accept = thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut stream) = stream else { continue };
                conns.fetch_add(1, Ordering::SeqCst);
                let (script, reqs) = (script.clone(), reqs.clone());
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                    let _ = stream.set_nodelay(true);
                    let Some(req) = read_request(&mut stream) else {
                        return;
                    };
                    reqs.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(req.path.clone());
                    script(&mut stream, &req);
                    let _ = stream.flush();
                });
            }
        });
        Hostile {
            addr,
            connections,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn client(&self, timeout: Duration, max_response_bytes: u64) -> Client {
        Client::new(
            LOGIN,
            SECRET,
            Options {
                base_url: Some(self.base_url()),
                proxy: ProxySetting::Direct,
                timeout,
                max_response_bytes,
                ..Options::default()
            },
        )
        .unwrap()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn read_request(s: &mut TcpStream) -> Option<Req> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("").to_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while raw.len() < head_end + length {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    Some(Req { path })
}

/// Writes, ignoring a client that has gone away.
fn put(s: &mut TcpStream, bytes: &[u8]) -> bool {
    s.write_all(bytes).and_then(|_| s.flush()).is_ok()
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn ok200(body: &[u8]) -> Vec<u8> {
    http("200 OK", "application/json; charset=UTF-8", body)
}

fn secret() -> Secret {
    Secret::new(SECRET.as_bytes())
}

/// The correct response hash for `code`/`text`.
fn hash(code: &str, text: &str) -> String {
    String::from_utf8(response_hash(code, text, &secret()).to_vec()).unwrap()
}

/// A correctly signed answer with `result` (JSON text) if given.
fn signed(code: i64, text: &str, result: Option<&str>) -> String {
    let mut s = format!(
        r#"{{"error_code":{code},"error_text":{},"hash":"{}""#,
        serde_json::to_string(text).unwrap(),
        hash(&code.to_string(), text)
    );
    if let Some(r) = result {
        s.push_str(",\"result\":");
        s.push_str(r);
    }
    s.push('}');
    s
}

/// The case number `i` from a path `/api/CaseN`.
fn case_of(req: &Req) -> usize {
    req.path
        .trim_start_matches("/api/Case")
        .parse()
        .unwrap_or(usize::MAX)
}

fn call_case(c: &Client, i: usize) -> justclick::Result<Response> {
    c.call(&format!("Case{i}"), &Params::new().with("bill_id", "1111"))
}

// ---------------------------------------------------------------------------
// The C ABI view of the same outcomes.

fn ffi_client(base_url: &str, timeout_ms: u64) -> *mut jc_client {
    let opts = CString::new(format!(
        r#"{{"base_url":"{base_url}","proxy":"","timeout_ms":{timeout_ms},"max_response_bytes":1048576}}"#
    ))
    .unwrap();
    let login = CString::new(LOGIN).unwrap();
    let secret = CString::new(SECRET).unwrap();
    let mut c: *mut jc_client = std::ptr::null_mut();
    // SAFETY: valid NUL-terminated strings and a valid out-pointer.
    let st = unsafe { ffi::jc_client_new(login.as_ptr(), secret.as_ptr(), opts.as_ptr(), &mut c) };
    assert_eq!(st, jc_status::JC_OK);
    c
}

/// `jc_call` on `method`: the status and the JSON document.
fn ffi_call(c: *const jc_client, method: &str) -> (jc_status, String) {
    let method = CString::new(method).unwrap();
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: `c` is a live client, strings are valid, out is writable.
    let st = unsafe {
        ffi::jc_call(
            c,
            method.as_ptr(),
            c"{\"bill_id\":\"1111\"}".as_ptr(),
            &mut out,
        )
    };
    assert!(!out.is_null());
    // SAFETY: the library returned a NUL-terminated string we now own.
    let doc = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
    // SAFETY: freed exactly once, with the library's function.
    unsafe { ffi::jc_string_free(out) };
    (st, doc)
}

// ---------------------------------------------------------------------------

/// The five ways into the library, so every endpoint meets every fault.
fn every_endpoint(c: &Client) -> Vec<justclick::Result<Response>> {
    vec![
        c.delete_order("1111"),
        c.update_order_status("100000", OrderStatus::Sent, Some(1362254400), Some("1")),
        c.get_bills("client@example.com", None),
        c.update_good(&Good::new("oplata")),
        c.call(
            "AddLeadToGroup",
            &Params::new()
                .with("rid", "1")
                .with("lead_email", "a@example.com"),
        ),
    ]
}

#[test]
fn sandbox_signature_faults_on_every_endpoint_are_rejected_and_the_client_recovers() {
    let sb = sandbox();
    let c = client(&sb);
    let ffi_c = ffi_client(&sb.base_url(), GUARD_MS);
    for (mode, needle) in [
        (Fault::WrongHash, "does not verify"),
        (Fault::MagicHash, "does not verify"),
        (Fault::MissingHash, "no 'hash'"),
        (Fault::NonStringHash, "not a string"),
    ] {
        fault(&sb, mode);
        for round in 0..10 {
            for r in every_endpoint(&c) {
                let e = r.expect_err("a forged answer was accepted");
                assert_eq!(e.kind(), ErrorKind::BadSignature, "{mode:?}: {e}");
                assert!(e.to_string().contains(needle), "{mode:?}: {e}");
                // The server's error_text is never part of a bad-signature message.
                assert!(!e.to_string().contains("OK\""), "{e}");
            }
            if round == 0 {
                let (st, doc) = ffi_call(ffi_c, "GetAllGoods");
                assert_eq!(st, jc_status::JC_ERR_BAD_SIGNATURE, "{doc}");
                let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
                let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["ok", "status", "message"], "{doc}");
                // GetAllGoods would list the goods: none of it may leak through.
                assert!(!doc.contains("oplata"), "{doc}");
            }
        }
        // The server did execute the writes it answered with a forged
        // signature: an untrusted answer says nothing about the outcome.
        assert!(sb.stats().writes >= 40, "{mode:?}");
        fault(&sb, Fault::None);
        let e = c.delete_order("1111").unwrap_err();
        assert!(matches!(e, Error::Api { code: 200, .. }), "{e:?}");
        sb.reset();
        for r in every_endpoint(&c) {
            r.unwrap_or_else(|e| panic!("after {mode:?}: {e}"));
        }
        sb.reset();
    }
    // SAFETY: created above, freed once.
    unsafe { ffi::jc_client_free(ffi_c) };
}

#[test]
fn forged_answers_from_a_hostile_server_are_never_data() {
    let ok = hash("0", "OK");
    let cases: Vec<String> = vec![
        // 0: a forged API error signed with the hash of a success.
        format!(r#"{{"error_code":4,"error_text":"FORGED-ERROR-TEXT","hash":"{ok}"}}"#),
        // 1: a replayed hash of another answer.
        format!(
            r#"{{"error_code":0,"error_text":"FORGED-ERROR-TEXT","hash":"{ok}","result":{{"FORGED-RESULT":1}}}}"#
        ),
        // 2-9: magic and near-miss hashes.
        r#"{"error_code":0,"error_text":"OK","hash":"0e462097431906509019562988736854"}"#.into(),
        r#"{"error_code":0,"error_text":"OK","hash":"0"}"#.into(),
        r#"{"error_code":0,"error_text":"OK","hash":"0e0"}"#.into(),
        format!(
            r#"{{"error_code":0,"error_text":"OK","hash":"{}"}}"#,
            ok.to_uppercase()
        ),
        format!(r#"{{"error_code":0,"error_text":"OK","hash":"{ok} "}}"#),
        format!(r#"{{"error_code":0,"error_text":"OK","hash":"{ok}\u0000"}}"#),
        format!(
            r#"{{"error_code":0,"error_text":"OK","hash":"{}"}}"#,
            &ok[..31]
        ),
        r#"{"error_code":0,"error_text":"OK","hash":""}"#.into(),
        // 10-15: hashes that are not strings.
        r#"{"error_code":0,"error_text":"OK","hash":null}"#.into(),
        r#"{"error_code":0,"error_text":"OK","hash":0}"#.into(),
        r#"{"error_code":0,"error_text":"OK","hash":true}"#.into(),
        format!(r#"{{"error_code":0,"error_text":"OK","hash":["{ok}"]}}"#),
        format!(r#"{{"error_code":0,"error_text":"OK","hash":{{"h":"{ok}"}}}}"#),
        r#"{"error_code":0,"error_text":"OK","result":{"FORGED-RESULT":1}}"#.into(),
        // 16: the right hash for code 0, but the code was changed to 8.
        format!(r#"{{"error_code":8,"error_text":"OK","hash":"{ok}"}}"#),
        // 17: the code as a string with a leading zero is hashed as sent.
        format!(r#"{{"error_code":"00","error_text":"OK","hash":"{ok}"}}"#),
    ];
    let n = cases.len();
    let bodies = cases.clone();
    let server = Hostile::start(move |s, req| {
        let body = bodies.get(case_of(req)).cloned().unwrap_or_default();
        put(s, &ok200(body.as_bytes()));
    });
    let c = server.client(GUARD, MIB);
    let ffi_c = ffi_client(&server.base_url(), GUARD_MS);
    for round in 0..3 {
        for i in 0..n {
            let e = call_case(&c, i).expect_err(&format!("case {i} was accepted"));
            assert_eq!(e.kind(), ErrorKind::BadSignature, "case {i}: {e}");
            assert!(
                !matches!(e, Error::Api { .. }),
                "case {i}: forged API error reported as one"
            );
            let msg = e.to_string();
            assert!(!msg.contains("FORGED"), "case {i}: {msg}");
            if round == 0 {
                let (st, doc) = ffi_call(ffi_c, &format!("Case{i}"));
                assert_eq!(st, jc_status::JC_ERR_BAD_SIGNATURE, "case {i}: {doc}");
                assert!(!doc.contains("FORGED"), "case {i}: {doc}");
                let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
                let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["ok", "status", "message"], "case {i}: {doc}");
            }
        }
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 4 * n);
    // SAFETY: created above, freed once.
    unsafe { ffi::jc_client_free(ffi_c) };
}

/// What the md5 scheme cannot see (SECURITY.md says so): only `error_code`
/// and `error_text` are signed, and nothing ties an answer to its request.
/// Whoever can change bytes on the wire (no TLS, or a trusted-but-hostile
/// CA) can alter `result` or replay an earlier complete answer.
#[test]
fn known_limits_of_the_md5_scheme_unsigned_result_and_whole_answer_replay() {
    let genuine = signed(0, "OK", Some(r#"{"good_name":"oplata"}"#));
    let altered = signed(0, "OK", Some(r#"{"good_name":"ALTERED-BY-MITM"}"#));
    let (g, a) = (genuine.clone(), altered.clone());
    let server = Hostile::start(move |s, req| {
        let body = if case_of(req) == 0 { &g } else { &a };
        put(s, &ok200(body.as_bytes()));
    });
    let c = server.client(GUARD, MIB);
    // A complete earlier answer replayed to a different request verifies.
    let r = call_case(&c, 0).unwrap();
    assert_eq!(r.result.unwrap()["good_name"], "oplata");
    // An altered result under a genuine (code, text, hash) verifies too.
    let r = call_case(&c, 1).unwrap();
    assert_eq!(r.result.unwrap()["good_name"], "ALTERED-BY-MITM");
}

/// Time is bounded without a clock: each 64 MiB answer must be cut by the
/// client (the sandbox counts it as hung up on), so the client stopped
/// reading near the limit instead of draining the body; how fast that is
/// is row 8a of the benchmark.
#[test]
fn huge_bodies_cost_at_most_about_the_limit() {
    let sb = sandbox();
    fault(&sb, Fault::Huge);
    let mut o = options(&sb);
    o.max_response_bytes = MIB;
    o.timeout = GUARD;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let rss_before = rss_bytes();
    let mut worst = Cost { peak: 0, total: 0 };
    for _ in 0..10 {
        let (r, cost) = measure(|| c.delete_order("1111"));
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
        assert!(e.to_string().contains("max_response_bytes"), "{e}");
        worst.peak = worst.peak.max(cost.peak);
        worst.total = worst.total.max(cost.total);
    }
    let rss_growth = rss_bytes().saturating_sub(rss_before);
    eprintln!(
        "huge body (64 MiB, limit 1 MiB) x10: peak {} KiB, allocated {} KiB per call, RSS growth {} KiB",
        worst.peak >> 10,
        worst.total >> 10,
        rss_growth >> 10
    );
    assert!(worst.peak < 4 * MIB, "peak {} bytes", worst.peak);
    assert!(worst.total < 8 * MIB, "allocated {} bytes", worst.total);
    wait_until("the client cutting all 10 huge answers short", || {
        sb.stats().hangups == 10
    });
    assert!(rss_growth < 48 * MIB, "RSS grew {rss_growth} bytes");

    // The default limit (8 MiB) holds as well.
    let c = client(&sb);
    let (r, cost) = measure(|| c.delete_order("1111"));
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
    assert!(e.to_string().contains("8388608"), "{e}");
    eprintln!("huge body, default limit: peak {} KiB", cost.peak >> 10);
    assert!(
        cost.peak < 8 * MIB * 2 + 4 * MIB,
        "peak {} bytes",
        cost.peak
    );
    wait_until("the client cutting the 11th huge answer short", || {
        sb.stats().hangups == 11
    });

    fault(&sb, Fault::None);
    c.get_bills("client@example.com", None).unwrap();
}

/// The two endless bodies (64 MiB, far more than socket buffers hold) must
/// be cut by the client, which their server sees as a failed write; the
/// others end on their own, so a `Timeout` under the guard would fail the
/// kind checks.
#[test]
fn bodies_without_length_and_lying_lengths_are_bounded_too() {
    let limit: u64 = 64 * 1024;
    let exact = {
        let mut b = signed(0, "OK", None).into_bytes();
        b.resize(limit as usize, b' ');
        b
    };
    let exact2 = exact.clone();
    let cut = Arc::new(AtomicUsize::new(0));
    let cut2 = cut.clone();
    let server = Hostile::start(move |s, req| {
        let fill = vec![b' '; 64 * 1024];
        match case_of(req) {
            // 0: HTTP/1.0, no Content-Length: the body ends when the
            // connection closes, and it never does.
            0 => {
                put(
                    s,
                    b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{",
                );
                for _ in 0..1024 {
                    if !put(s, &fill) {
                        return hung_up(&cut2);
                    }
                }
            }
            // 1: chunked, endless.
            1 => {
                put(s, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                let mut chunk = format!("{:x}\r\n", fill.len()).into_bytes();
                chunk.extend_from_slice(&fill);
                chunk.extend_from_slice(b"\r\n");
                for _ in 0..1024 {
                    if !put(s, &chunk) {
                        return hung_up(&cut2);
                    }
                }
            }
            // 2: a Content-Length of 1 TB with a short body: nothing is
            // reserved up front.
            2 => {
                put(
                    s,
                    b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n{\"error_code\":0",
                );
            }
            // 3: exactly at the limit: accepted.
            3 => {
                put(s, &ok200(&exact2));
            }
            // 4: one byte over: refused.
            4 => {
                let mut b = exact2.clone();
                b.push(b' ');
                put(s, &ok200(&b));
            }
            // 5: HTTP/1.0 close-delimited, a valid answer: accepted.
            _ => {
                let mut b = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n".to_vec();
                b.extend_from_slice(signed(0, "OK", None).as_bytes());
                put(s, &b);
            }
        }
    });
    let c = server.client(GUARD, limit);
    for i in 0..3 {
        let (r, cost) = measure(|| call_case(&c, i));
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadResponse, "case {i}: {e}");
        assert!(cost.peak < 2 * MIB, "case {i}: peak {} bytes", cost.peak);
        if i < 2 {
            assert!(e.to_string().contains("max_response_bytes"), "{e}");
        }
    }
    wait_until("the client cutting both endless bodies short", || {
        cut.load(Ordering::SeqCst) == 2
    });
    assert_eq!(exact.len() as u64, limit);
    call_case(&c, 3).expect("a body of exactly max_response_bytes is accepted");
    let e = call_case(&c, 4).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
    assert!(e.to_string().contains("max_response_bytes"), "{e}");
    call_case(&c, 5).expect("a close-delimited HTTP/1.0 answer is valid");
}

/// None of these servers ever ends a call: the sandbox's trickle would
/// take hours, the scripted ones send a byte or a chunk every 100 ms until
/// the client goes (the header would reach the client's limit only after
/// about two hours), or read and wait until it does. So only the client's
/// overall timeout can end each call, and `Timeout` (with "global") shows
/// it fired, however late a loaded machine lets it fire. Each server then
/// sees the client hang up. How close to the timeout the calls return is
/// row 8b of the benchmark.
#[test]
fn slow_and_silent_servers_are_cut_by_the_overall_timeout() {
    let timeout = Duration::from_secs(1);
    let sb = sandbox();
    sb.set_fault(FaultConfig {
        mode: Fault::Slow,
        ..FaultConfig::default()
    });
    let gone = Arc::new(AtomicUsize::new(0));
    let gone2 = gone.clone();
    let server = Hostile::start(move |s, req| {
        match case_of(req) {
            // 0: the status line and headers one byte every 100 ms.
            0 => {
                let head = b"HTTP/1.1 200 OK\r\nX-Slow: ".iter();
                for b in head.chain(std::iter::repeat(&b'a')) {
                    if !put(s, &[*b]) {
                        break;
                    }
                    thread::sleep(Duration::from_millis(100));
                }
            }
            // 1: chunked, one tiny chunk every 100 ms.
            1 => {
                put(s, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                while put(s, b"1\r\n \r\n") {
                    thread::sleep(Duration::from_millis(100));
                }
            }
            // 2: accepts, reads the request, and never answers: it reads on
            // (through its read timeouts) until the client closes.
            _ => {
                let mut buf = [0u8; 256];
                loop {
                    match s.read(&mut buf) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e)
                            if matches!(
                                e.kind(),
                                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                            ) => {}
                        Err(_) => break,
                    }
                }
            }
        }
        hung_up(&gone2);
    });
    let sb_client = {
        let mut o = options(&sb);
        o.timeout = timeout;
        Client::new(LOGIN, SECRET, o).unwrap()
    };
    let hostile_client = server.client(timeout, MIB);
    // Eight attackers at once on each client, several rounds.
    for round in 0..2 {
        let results: Vec<(String, justclick::Result<Response>, Cost)> = thread::scope(|scope| {
            let mut handles = Vec::new();
            for t in 0..8 {
                let c = &sb_client;
                handles.push(scope.spawn(move || {
                    let (r, cost) = measure(|| c.delete_order("1111"));
                    (format!("sandbox slow #{t}"), r, cost)
                }));
            }
            for i in 0..3 {
                for t in 0..2 {
                    let c = &hostile_client;
                    handles.push(scope.spawn(move || {
                        let (r, cost) = measure(|| call_case(c, i));
                        (format!("case {i} #{t}"), r, cost)
                    }));
                }
            }
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (name, r, cost) in results {
            let e = r.expect_err(&name);
            assert_eq!(e.kind(), ErrorKind::Timeout, "round {round} {name}: {e}");
            assert!(
                e.to_string().contains("timed out (global)"),
                "round {round} {name}: {e}"
            );
            assert!(cost.peak < 2 * MIB, "{name}: peak {}", cost.peak);
        }
        let calls = 8 * (round + 1);
        wait_until("the sandbox seeing every slow call hung up on", || {
            sb.stats().hangups == calls as u64
        });
        wait_until("the scripted servers seeing every client hang up", || {
            gone.load(Ordering::SeqCst) == 6 * (round + 1)
        });
    }
    fault(&sb, Fault::None);
    sb_client.get_bills("client@example.com", None).unwrap();
}

#[test]
fn deeply_nested_json_is_refused_on_a_small_stack() {
    let sb = sandbox();
    fault(&sb, Fault::DeepJson);
    let base = sb.base_url();
    let deep_ok = signed(
        0,
        "OK",
        Some(&format!("{}1{}", "[".repeat(100), "]".repeat(100))),
    );
    let server = Hostile::start(move |s, req| {
        let body = match case_of(req) {
            0 => "{\"a\":".repeat(200_000),
            1 => format!(
                "{{\"error_code\":0,\"error_text\":\"OK\",\"hash\":\"x\",\"result\":{}{}}}",
                "[".repeat(500_000),
                "]".repeat(500_000)
            ),
            _ => deep_ok.clone(),
        };
        put(s, &ok200(body.as_bytes()));
    });
    let hostile_base = server.base_url();
    // A host thread may have a small stack. serde_json stops at 128 levels,
    // so a bounded stack suffices; 512 KiB covers the debug build (about
    // 450 KiB needed there; release frames are much smaller).
    let t = thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let o = |base: String| Options {
                base_url: Some(base),
                proxy: ProxySetting::Direct,
                timeout: GUARD,
                max_response_bytes: 4 * MIB,
                ..Options::default()
            };
            let c = Client::new(LOGIN, SECRET, o(base)).unwrap();
            let h = Client::new(LOGIN, SECRET, o(hostile_base)).unwrap();
            let mut out = Vec::new();
            for _ in 0..5 {
                out.push(measure(|| c.get_bills("client@example.com", None)));
            }
            for i in 0..3 {
                out.push(measure(|| call_case(&h, i)));
            }
            out.into_iter()
                .map(|(r, cost)| (r, cost.peak))
                .collect::<Vec<_>>()
        })
        .unwrap();
    let results = t.join().expect("no stack overflow");
    for (i, (r, peak)) in results.into_iter().enumerate() {
        if i < 7 {
            let e = r.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::BadResponse, "#{i}: {e}");
            assert!(e.to_string().contains("recursion limit"), "#{i}: {e}");
            // The body is at most 4 MiB; the parse stops early.
            assert!(peak < 12 * MIB, "#{i}: peak {peak}");
        } else {
            // 100 levels inside a signed answer are fine.
            let v = r.unwrap().result.unwrap();
            assert!(v.is_array());
        }
    }
}

#[test]
fn invalid_utf8_is_a_bad_response_with_a_clean_message() {
    let sb = sandbox();
    fault(&sb, Fault::InvalidUtf8);
    let c = client(&sb);
    for r in every_endpoint(&c) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
    }
    let server = Hostile::start(|s, req| {
        let body: Vec<u8> = match case_of(req) {
            0 => b"{\"error_code\":0,\"error_text\":\"\xff\xfeOK\",\"hash\":\"x\"}".to_vec(),
            1 => br#"{"error_code":0,"error_text":"\ud800","hash":"x"}"#.to_vec(),
            2 => b"{\"error_code\":0,\"error_text\":\"\xc0\xaf\",\"hash\":\"x\"}".to_vec(),
            3 => b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00\x1b[31m".to_vec(),
            _ => b"\xef\xbb\xbf\x00\x01\x02\x7f\x1b]0;pwned\x07".to_vec(),
        };
        put(s, &ok200(&body));
    });
    let h = server.client(GUARD, MIB);
    let ffi_c = ffi_client(&server.base_url(), GUARD_MS);
    for i in 0..5 {
        let e = call_case(&h, i).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadResponse, "case {i}: {e}");
        let msg = e.to_string();
        // Control characters of the body never reach a log line.
        assert!(
            !msg.chars().any(|c| c.is_control()),
            "case {i}: control characters in {msg:?}"
        );
        let (st, doc) = ffi_call(ffi_c, &format!("Case{i}"));
        assert_eq!(st, jc_status::JC_ERR_BAD_RESPONSE, "{doc}");
        serde_json::from_str::<serde_json::Value>(&doc).expect("the FFI document is JSON");
    }
    // SAFETY: created above, freed once.
    unsafe { ffi::jc_client_free(ffi_c) };
}

#[test]
fn redirects_are_never_followed_by_any_status() {
    let target = sandbox();
    let sb = redirecting_to(&target);
    let c = client(&sb);
    for _ in 0..5 {
        for r in every_endpoint(&c) {
            let e = r.unwrap_err();
            assert!(matches!(e, Error::HttpStatus { status: 302, .. }), "{e:?}");
            assert!(e.to_string().contains("not followed"), "{e}");
        }
    }
    let location = format!("{}/api/DeleteOrder", target.base_url());
    let loc = location.clone();
    let statuses = [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ];
    let server = Hostile::start(move |s, req| {
        let i = case_of(req);
        let resp = match statuses.get(i) {
            Some(status) => format!(
                "HTTP/1.1 {status}\r\nLocation: {loc}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            // A 3xx without Location.
            None if i == 5 => {
                "HTTP/1.1 307 Temporary Redirect\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
            }
            // A relative Location and a scheme change to the same host.
            None if i == 6 => {
                "HTTP/1.1 308 Permanent Redirect\r\nLocation: /api/Elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned()
            }
            None => format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: https://127.0.0.1:{}/api/x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                1
            ),
        };
        put(s, resp.as_bytes());
    });
    let h = server.client(GUARD, MIB);
    for i in 0..8 {
        let e = call_case(&h, i).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::HttpStatus, "case {i}: {e}");
        assert!(e.to_string().contains("not followed"), "case {i}: {e}");
        if i < 5 {
            assert!(e.to_string().contains(&location), "case {i}: {e}");
        }
        if i == 5 {
            assert!(e.to_string().contains("no Location"), "{e}");
        }
    }
    // One request per call reached the hostile server; none went on.
    let received = server.requests.lock().unwrap().len();
    assert_eq!(received, 8);
    assert_eq!(server.connections.load(Ordering::SeqCst), 8);
    assert!(server
        .requests
        .lock()
        .unwrap()
        .iter()
        .all(|p| p.starts_with("/api/Case")));
    let st = target.stats();
    assert_eq!(st.connections, 0, "the redirect target was contacted");
    assert_eq!(
        st.requests, 0,
        "the signed POST reached the redirect target"
    );
}

#[test]
fn html_with_status_200_is_a_bad_response() {
    let sb = sandbox();
    fault(&sb, Fault::NonJson);
    let c = client(&sb);
    for r in every_endpoint(&c) {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
        assert!(e.to_string().contains("HTML page"), "{e}");
    }
    // An HTML page that embeds a correctly signed answer is still not one.
    let embedded = format!(
        "<!DOCTYPE html><html><body><pre>{}</pre></body></html>",
        signed(0, "OK", None)
    );
    let page = format!("<html>{}</html>", "<p>x</p>".repeat(100_000));
    let server = Hostile::start(move |s, req| {
        let body = if case_of(req) == 0 { &embedded } else { &page };
        put(
            s,
            &http("200 OK", "text/html; charset=UTF-8", body.as_bytes()),
        );
    });
    let h = server.client(GUARD, 2 * MIB);
    for i in 0..2 {
        let (r, cost) = measure(|| call_case(&h, i));
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadResponse, "{e}");
        assert!(e.to_string().contains("HTML page"), "{e}");
        // The message quotes only the start of the page.
        assert!(e.to_string().len() < 400, "{e}");
        assert!(cost.peak < 8 * MIB);
    }
    fault(&sb, Fault::None);
    c.get_bills("client@example.com", None).unwrap();
}

#[test]
fn malformed_http_is_an_error_not_a_crash() {
    let cases: Vec<(Vec<u8>, &[ErrorKind])> = vec![
        // 0: not HTTP at all.
        (
            b"SSH-2.0-OpenSSH_9.2p1\r\n".to_vec(),
            &[ErrorKind::Transport],
        ),
        // 1: binary junk.
        (
            (0..=255u8).cycle().take(4096).collect(),
            &[ErrorKind::Transport],
        ),
        // 2: closed right after the request.
        (Vec::new(), &[ErrorKind::Transport]),
        // 3: a status line, then nothing.
        (b"HTTP/1.1 200 OK\r\n".to_vec(), &[ErrorKind::Transport]),
        // 4: a header bomb: 200,000 headers.
        (
            {
                let mut b = b"HTTP/1.1 200 OK\r\n".to_vec();
                for i in 0..200_000 {
                    b.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
                }
                b.extend_from_slice(b"\r\n");
                b
            },
            &[ErrorKind::Transport],
        ),
        // 5: one 1 MiB header line.
        (
            {
                let mut b = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
                b.extend(std::iter::repeat_n(b'a', 1 << 20));
                b.extend_from_slice(b"\r\n\r\n");
                b
            },
            &[ErrorKind::Transport],
        ),
        // 6: two different Content-Lengths.
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n{\"a\":1}".to_vec(),
            &[ErrorKind::Transport],
        ),
        // 7: a chunk size that overflows.
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffff\r\nx\r\n"
                .to_vec(),
            &[ErrorKind::BadResponse],
        ),
        // 8: a chunked body cut off in the middle of a chunk.
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{\"error_code\":0,"
                .to_vec(),
            &[ErrorKind::BadResponse],
        ),
        // 9: a Content-Length body cut off.
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"error_code\":0,".to_vec(),
            &[ErrorKind::BadResponse],
        ),
        // 10: a negative Content-Length.
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}".to_vec(),
            &[ErrorKind::Transport],
        ),
        // 11: an impossible status code.
        (
            b"HTTP/1.1 999 Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            &[ErrorKind::HttpStatus],
        ),
        // 12: an unknown HTTP version.
        (
            b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
            &[ErrorKind::Transport],
        ),
        // 13: both Content-Length and chunked: chunked wins (RFC 9112), and
        // its body is empty.
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"
                .to_vec(),
            &[ErrorKind::BadResponse],
        ),
        // 14: NUL bytes and a bare LF in the head.
        (
            b"HTTP/1.1 200 OK\nX-A: \x00\x00\nContent-Length: 2\n\n{}".to_vec(),
            &[ErrorKind::Transport],
        ),
        // 15: 500 with an endless body: only a peek is read.
        (
            {
                let mut b =
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 67108864\r\n\r\n"
                        .to_vec();
                b.extend(std::iter::repeat_n(b'<', 1 << 20));
                b
            },
            &[ErrorKind::HttpStatus],
        ),
        // 16: "100 Continue" forever: the interim heads count against the
        // header limit.
        (
            b"HTTP/1.1 100 Continue\r\n\r\n".repeat(20_000),
            &[ErrorKind::Transport],
        ),
    ];
    let n = cases.len();
    let kinds: Vec<&[ErrorKind]> = cases.iter().map(|(_, k)| *k).collect();
    let replies: Vec<Vec<u8>> = cases.into_iter().map(|(b, _)| b).collect();
    let server = Hostile::start(move |s, req| {
        if let Some(b) = replies.get(case_of(req)) {
            put(s, b);
        }
    });
    let c = server.client(GUARD, MIB);
    for round in 0..3 {
        for (i, expected) in kinds.iter().enumerate() {
            let (r, cost) = measure(|| call_case(&c, i));
            let e = r.expect_err(&format!("case {i} accepted"));
            if round == 0 && std::env::var_os("JC_HOSTILE_VERBOSE").is_some() {
                eprintln!("case {i}: {:?}: {e}", e.kind());
            }
            assert!(
                expected.contains(&e.kind()),
                "round {round} case {i}: {:?} {e}",
                e.kind()
            );
            if e.kind() != ErrorKind::BadResponse {
                assert!(
                    e.to_string().contains(&server.addr.to_string()),
                    "case {i}: {e}"
                );
            }
            // Every reply ends with the server closing; Timeout is in no
            // case's kinds, so a call the guard had to end fails above.
            assert!(cost.peak < 4 * MIB, "case {i}: peak {}", cost.peak);
        }
    }
    let received = server.requests.lock().unwrap().len();
    assert_eq!(received, 3 * n);
    // A well-behaved server on the same client afterwards.
    let sb = sandbox();
    let mut o = options(&sb);
    o.timeout = GUARD;
    Client::new(LOGIN, SECRET, o)
        .unwrap()
        .delete_order("1111")
        .unwrap();
}

#[test]
fn one_client_survives_repeated_attacks_without_growing() {
    let sb = sandbox();
    let mut o = options(&sb);
    o.timeout = GUARD;
    o.max_response_bytes = MIB;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let modes: Vec<(Fault, ErrorKind)> = vec![
        (Fault::Http500, ErrorKind::HttpStatus),
        (Fault::Http502, ErrorKind::HttpStatus),
        (Fault::WrongHash, ErrorKind::BadSignature),
        (Fault::MagicHash, ErrorKind::BadSignature),
        (Fault::MissingHash, ErrorKind::BadSignature),
        (Fault::NonStringHash, ErrorKind::BadSignature),
        (Fault::Truncate, ErrorKind::BadResponse),
        (Fault::NonJson, ErrorKind::BadResponse),
        (Fault::Close, ErrorKind::Transport),
        (Fault::Reset, ErrorKind::Transport),
        (Fault::Huge, ErrorKind::BadResponse),
        (Fault::DeepJson, ErrorKind::BadResponse),
        (Fault::InvalidUtf8, ErrorKind::BadResponse),
        (Fault::Redirect, ErrorKind::HttpStatus),
        (Fault::RateLimit, ErrorKind::Api),
    ];
    let round = |n: usize| {
        for (mode, kind) in &modes {
            fault(&sb, *mode);
            let e = c.get_bills("client@example.com", None).unwrap_err();
            assert_eq!(e.kind(), *kind, "{mode:?} round {n}: {e}");
            fault(&sb, Fault::None);
            c.get_bills("client@example.com", None)
                .unwrap_or_else(|e| panic!("after {mode:?}: {e}"));
        }
    };
    for n in 0..5 {
        round(n);
    }
    let before = live_bytes();
    for n in 5..25 {
        round(n);
    }
    let growth = live_bytes() - before;
    eprintln!(
        "20 rounds of {} attacks: net growth {growth} bytes",
        modes.len()
    );
    assert!(growth < 256 * 1024, "memory grew by {growth} bytes");
    // The same through a batch: every call ends with its own outcome.
    fault(&sb, Fault::WrongHash);
    let calls: Vec<BatchCall> = (0..50)
        .map(|_| BatchCall::new("GetAllGoods", Params::new()))
        .collect();
    let results = c.call_batch(&calls, 8).unwrap();
    assert_eq!(results.len(), 50);
    assert!(results
        .iter()
        .all(|r| matches!(r, Err(e) if e.kind() == ErrorKind::BadSignature)));
}

/// An answer is parsed before its signature can be checked; that parse must
/// not cost more than the answer itself. A JSON value tree costs about 37x
/// the text of `[0,0,...]`, so the unsigned parts must not be built.
#[test]
fn unsigned_answers_cost_no_more_memory_than_their_size() {
    let limit: usize = 8 << 20;
    let shapes = ["0,", "{},", "[],", "\"\","];
    let bodies: Vec<String> = shapes
        .iter()
        .map(|item| {
            let mut b = String::from(r#"{"error_code":0,"error_text":"OK","hash":"x","result":["#);
            while b.len() + item.len() + 3 < limit {
                b.push_str(item);
            }
            b.push_str("0]}");
            b
        })
        .collect();
    // The same junk under a genuine signature: built, as it is trusted.
    let mut items = 1;
    let signed_body = {
        let mut b = signed(0, "OK", Some("[0]"));
        b.truncate(b.len() - 2);
        while b.len() + 5 < limit {
            b.push_str(",0");
            items += 1;
        }
        b.push_str("]}");
        b
    };
    let (all, signed2) = (bodies.clone(), signed_body.clone());
    let server = Hostile::start(move |s, req| {
        let body = all.get(case_of(req)).unwrap_or(&signed2);
        put(s, &ok200(body.as_bytes()));
    });
    let c = server.client(GUARD, limit as u64);
    for (i, body) in bodies.iter().enumerate() {
        let (r, cost) = measure(|| call_case(&c, i));
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
        let factor = cost.peak as f64 / body.len() as f64;
        eprintln!(
            "unsigned {:?} x {} KiB: peak {} KiB ({factor:.1}x the body)",
            shapes[i],
            body.len() >> 10,
            cost.peak >> 10
        );
        assert!(
            factor < 3.0,
            "an unsigned {} KiB answer made the client hold {} KiB ({factor:.1}x) before rejecting it",
            body.len() >> 10,
            cost.peak >> 10
        );
    }
    let (r, cost) = measure(|| call_case(&c, 99));
    let r = r.expect("a signed answer within the limit is accepted");
    assert_eq!(r.result.unwrap().as_array().unwrap().len(), items);
    eprintln!(
        "signed [0,0,...] x {} KiB: peak {} KiB ({:.1}x)",
        signed_body.len() >> 10,
        cost.peak >> 10,
        cost.peak as f64 / signed_body.len() as f64
    );
}
