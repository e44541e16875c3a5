//! Fault storms: many threads share one client while the sandbox resets,
//! closes, stalls and fails connections at random.
//!
//! Afterwards every call must have ended with a status (all accounted for),
//! the client must still work, and no write may have reached the server
//! twice: each call is a unique write (the sandbox's SandboxWrite, which
//! echoes its parameters and counts as a write, with its own `lead_email`),
//! and the sandbox counts bodies it has seen before. (AddLeadToGroup answers
//! like the service: no echo, and the per-IP subscription limit.)
//!
//! `JUSTCLICK_STORM_SECONDS` sets the length of the Rust storm (default 60);
//! the C storm under valgrind runs for at most 15 s of it.
#![cfg(feature = "sandbox")]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use common::c::{compile, repo, run_valgrind, sandbox_bin, Lang};
use common::*;
use justclick::sandbox::{Fault, FaultConfig};
use justclick::{BatchCall, Client, ErrorKind, Params};

const THREADS: usize = 16;
const RATE: f64 = 0.3;
const TIMEOUT: Duration = Duration::from_millis(1000);
/// Longer than the client's timeout: a stalled answer is always a timeout.
const STALL: Duration = Duration::from_millis(1500);

/// The two long storms take turns: on a small machine the Rust storm's 16
/// busy threads would starve the C storm under valgrind.
static LONG_STORM: Mutex<()> = Mutex::new(());

fn long_storm_turn() -> MutexGuard<'static, ()> {
    LONG_STORM.lock().unwrap_or_else(|e| e.into_inner())
}

fn storm_seconds() -> u64 {
    match std::env::var("JUSTCLICK_STORM_SECONDS") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("JUSTCLICK_STORM_SECONDS={s:?} is not a number")),
        Err(_) => 60,
    }
}

fn lead(email: &str) -> Params {
    Params::new()
        .with("rid", "1")
        .with("lead_email", email)
        .with("lead_name", "Storm")
}

/// The outcome of a call as a name: "ok" or the error kind's name.
fn outcome(r: &justclick::Result<justclick::Response>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.kind().name(),
    }
}

#[test]
fn sixteen_threads_share_one_client_through_a_fault_storm() {
    let _turn = long_storm_turn();
    let seconds = storm_seconds();
    let sb = sandbox();
    let mut o = options(&sb);
    o.timeout = TIMEOUT;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    sb.set_fault(FaultConfig {
        mode: Fault::Storm,
        rate: RATE,
        stall: STALL,
        ..FaultConfig::default()
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let slowest_ms = AtomicU64::new(0);
    let per_thread: Vec<(u64, BTreeMap<&'static str, u64>)> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (c, slowest_ms) = (&c, &slowest_ms);
                s.spawn(move || {
                    let mut counts = BTreeMap::new();
                    let mut attempted = 0u64;
                    while Instant::now() < deadline {
                        let email = format!("storm-{t}-{attempted}@example.com");
                        let started = Instant::now();
                        let r = c.call("SandboxWrite", &lead(&email));
                        let took = started.elapsed();
                        attempted += 1;
                        *counts.entry(outcome(&r)).or_insert(0) += 1;
                        slowest_ms.fetch_max(took.as_millis() as u64, Ordering::Relaxed);
                        // Generous: proves no call hangs, not the timeout's precision.
                        assert!(
                            took < TIMEOUT + Duration::from_secs(10),
                            "a call took {took:?}: {r:?}"
                        );
                        if let Ok(resp) = &r {
                            // A success is the sandbox's echo of this very lead.
                            let result = resp.result.as_ref().unwrap();
                            assert_eq!(result["lead_email"], email.as_str());
                        }
                    }
                    (attempted, counts)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let attempted: u64 = per_thread.iter().map(|(n, _)| n).sum();
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for (_, m) in &per_thread {
        for (k, v) in m {
            *counts.entry(k).or_insert(0) += v;
        }
    }
    let stats = sb.stats();
    eprintln!(
        "storm {seconds} s, {THREADS} threads, rate {RATE}: {attempted} calls, outcomes {counts:?}; \
         server saw {} requests, {} writes, {} duplicate writes, {} connections; slowest call {} ms",
        stats.requests,
        stats.writes,
        stats.duplicate_writes,
        stats.api_connections,
        slowest_ms.load(Ordering::Relaxed)
    );

    // Every call ended (the threads joined) with one of the storm's kinds,
    // and the outcomes agree with the server's count: an `ok` or an
    // `http_status` is an answer from the sandbox, which counts each request
    // before it draws a fault, so those calls all reached it; and it saw no
    // request that no call made.
    let answered =
        counts.get("ok").copied().unwrap_or(0) + counts.get("http_status").copied().unwrap_or(0);
    assert!(
        answered <= stats.requests && stats.requests <= attempted,
        "outcomes {counts:?} do not match the {} requests the server saw ({attempted} calls)",
        stats.requests
    );
    for kind in counts.keys() {
        assert!(
            ["ok", "transport", "timeout", "http_status"].contains(kind),
            "unexpected outcome {kind}: {counts:?}"
        );
    }
    if seconds >= 5 {
        for kind in ["ok", "transport", "timeout", "http_status"] {
            assert!(
                counts.get(kind).copied().unwrap_or(0) > 0,
                "no {kind} in {counts:?}"
            );
        }
    }
    // No write was sent twice; nothing was sent that was not asked for.
    assert_eq!(
        stats.duplicate_writes, 0,
        "a write reached the server twice"
    );
    assert!(
        stats.requests <= attempted,
        "{} > {attempted}",
        stats.requests
    );
    assert!(stats.writes <= attempted);
    assert_eq!(stats.bad_signatures, 0);
    assert!(counts["ok"] <= stats.writes);

    // Fault off: the same client works at once, from every thread.
    sb.set_fault(FaultConfig::default());
    thread::scope(|s| {
        for t in 0..THREADS {
            let c = &c;
            s.spawn(move || {
                for i in 0..10 {
                    c.call("SandboxWrite", &lead(&format!("after-{t}-{i}@example.com")))
                        .unwrap_or_else(|e| panic!("after the storm: {e}"));
                }
            });
        }
    });
    let after = sb.stats();
    assert_eq!(after.duplicate_writes, 0);
    assert_eq!(after.requests, stats.requests + 10 * THREADS as u64);
}

#[test]
fn batches_in_a_storm_send_each_write_at_most_once() {
    let sb = sandbox();
    let mut o = options(&sb);
    o.timeout = TIMEOUT;
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    sb.set_fault(FaultConfig {
        mode: Fault::Storm,
        rate: RATE,
        stall: STALL,
        ..FaultConfig::default()
    });
    let calls: Vec<BatchCall> = (0..400)
        .map(|i| BatchCall::new("SandboxWrite", lead(&format!("batch-{i}@example.com"))))
        .collect();
    let results = c.call_batch(&calls, THREADS).unwrap();
    assert_eq!(results.len(), calls.len());
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &results {
        *counts.entry(outcome(r)).or_insert(0) += 1;
    }
    eprintln!("batch of 400 in a storm: {counts:?}");
    let st = sb.stats();
    assert_eq!(st.duplicate_writes, 0);
    let answered =
        counts.get("ok").copied().unwrap_or(0) + counts.get("http_status").copied().unwrap_or(0);
    assert!(
        answered <= st.requests && st.requests <= calls.len() as u64,
        "outcomes {counts:?} vs {} requests",
        st.requests
    );
    for kind in counts.keys() {
        assert!(
            ["ok", "transport", "timeout", "http_status"].contains(kind),
            "{counts:?}"
        );
    }
    assert!(counts.get("ok").copied().unwrap_or(0) > 0, "{counts:?}");
}

/// Retries happen only where the caller allowed them: API error 8 is
/// retried for calls marked idempotent, never for the others.
#[test]
fn rate_limit_retries_only_what_the_caller_marked_idempotent() {
    let sb = sandbox();
    let mut o = options(&sb);
    o.rate_limit_retries = 3;
    o.rate_limit_backoff = Duration::from_millis(1);
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    fault(&sb, Fault::RateLimit);
    let plain: Vec<BatchCall> = (0..20)
        .map(|i| BatchCall::new("SandboxWrite", lead(&format!("plain-{i}@example.com"))))
        .collect();
    let results = c.call_batch(&plain, 4).unwrap();
    assert!(results
        .iter()
        .all(|r| matches!(r, Err(e) if e.kind() == ErrorKind::Api)));
    assert_eq!(
        sb.stats().requests,
        20,
        "a write not marked idempotent was retried"
    );

    sb.reset();
    fault(&sb, Fault::RateLimit);
    let marked: Vec<BatchCall> = plain
        .iter()
        .cloned()
        .map(|mut b| {
            b.idempotent = true;
            b
        })
        .collect();
    let results = c.call_batch(&marked, 4).unwrap();
    assert!(results.iter().all(|r| r.is_err()));
    assert_eq!(sb.stats().requests, 20 * 4, "1 try + 3 retries each");
}

// ---------------------------------------------------------------------------
// The same storm through the C ABI, with pthreads, under valgrind.

/// Length of the C storm: valgrind is slow, so at most 15 s.
fn c_storm_seconds() -> u64 {
    storm_seconds().min(15)
}

/// One HTTP/1.1 exchange with the sandbox binary's admin endpoints; the
/// body of its answer.
fn admin(addr: &str, method: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("sandbox reachable");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out)
        .unwrap_or_else(|e| panic!("sandbox admin {method} {path} did not answer: {e}"));
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    out.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// The sandbox binary as a child process; stops when its stdin closes.
struct SandboxProcess {
    child: Child,
    addr: String,
}

impl SandboxProcess {
    fn start(args: &[&str]) -> SandboxProcess {
        let mut child = Command::new(sandbox_bin())
            .args(["--port", "0", "--login", LOGIN, "--secret", SECRET])
            .args(args)
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the sandbox binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected sandbox output {line:?}"))
            .to_owned();
        SandboxProcess { child, addr }
    }

    fn stats(&self) -> serde_json::Value {
        serde_json::from_str(&admin(&self.addr, "GET", "/__sandbox/stats", "")).unwrap()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[test]
fn storm_through_the_c_abi_under_valgrind() {
    let _turn = long_storm_turn();
    let seconds = c_storm_seconds();
    // The stall is longer than the C client's timeout (5000 ms, below).
    let sb = SandboxProcess::start(&[
        "--fault",
        "storm",
        "--fault-rate",
        "0.3",
        "--stall-ms",
        "8000",
    ]);
    let base_url = format!("http://{}", sb.addr);
    let barrier = std::env::temp_dir().join(format!("justclick-storm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&barrier);
    std::fs::create_dir_all(&barrier).unwrap();

    let exe = compile("storm", &[repo().join("tests/c/storm.c")], Lang::C, false);
    let started = Instant::now();
    let finished = AtomicBool::new(false);
    let (out, switched_at) = thread::scope(|s| {
        // Switches the storm off once the C program says it is over, then
        // lets it go on: no timing decides anything.
        let watcher = s.spawn(|| {
            let done = barrier.join("storm-done");
            while !done.exists() {
                if finished.load(Ordering::SeqCst) {
                    return None; // the program ended without a storm
                }
                thread::sleep(Duration::from_millis(20));
            }
            admin(&sb.addr, "POST", "/__sandbox/fault", "mode=none");
            let at = sb.stats();
            std::fs::write(barrier.join("go"), b"").unwrap();
            Some(at)
        });
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_valgrind(
                &exe,
                &[
                    &base_url,
                    &seconds.to_string(),
                    "16",
                    "5000",
                    LOGIN,
                    SECRET,
                    barrier.to_str().unwrap(),
                ],
                &[],
            )
        }));
        finished.store(true, Ordering::SeqCst);
        let at = watcher.join().unwrap();
        match out {
            Ok(out) => (
                out,
                at.expect("the C program never reported the end of the storm"),
            ),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let _ = std::fs::remove_dir_all(&barrier);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!(
        "C storm, {seconds} s under valgrind (total {:?}): {stdout}",
        started.elapsed()
    );

    // "attempted=N ok=N transport=N timeout=N http_status=N other=N
    //  batched=N after=N after_ok=N"
    let field = |name: &str| -> u64 {
        stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name}= in {stdout:?}"))
            .parse()
            .unwrap()
    };
    let attempted = field("attempted");
    let accounted: u64 = ["ok", "transport", "timeout", "http_status"]
        .iter()
        .map(|k| field(k))
        .sum();
    assert_eq!(field("other"), 0, "{stdout}");
    assert_eq!(
        accounted, attempted,
        "every call ended with a storm status: {stdout}"
    );
    assert!(field("ok") > 0, "{stdout}");
    assert!(field("after") > 0);
    assert_eq!(field("after_ok"), field("after"), "{stdout}");

    let stats = sb.stats();
    let count = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap();
    eprintln!("sandbox stats: storm {switched_at}, total {stats}");
    assert_eq!(
        count(&stats, "duplicate_writes"),
        0,
        "a write reached the server twice"
    );
    let storm_calls = attempted + field("batched");
    // As in the Rust storm: answers came from the server, which saw no
    // request that no call made.
    assert!(
        field("ok") + field("http_status") <= count(&switched_at, "requests")
            && count(&switched_at, "requests") <= storm_calls,
        "{stdout} vs {switched_at}"
    );
    assert_eq!(
        count(&stats, "requests") - count(&switched_at, "requests"),
        field("after")
    );
    assert!(count(&stats, "writes") <= storm_calls + field("after"));
}
