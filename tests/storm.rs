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
//! `JUSTCLICK_STORM_SECONDS` sets the length of the Rust storm (default 10,
//! what `make test` runs; 60 for the long run); the C storm under valgrind
//! runs for at most 15 s of it.
//!
//! No assertion depends on how fast the machine is. The storm's length only
//! decides how many calls are made; the storm goes on past it until the
//! sandbox has injected every kind of fault (with this seed within the
//! first 30 requests). A stalled answer is held until the client hangs up,
//! so a stalled call can only end with the client's timeout, and a load
//! delay can turn any outcome into a timeout but never a timeout into
//! anything else: the checks against the sandbox's fault counts below are
//! inequalities in that direction. A call that never returns fails the
//! test (as such) [`HANG`] after the storm's end instead of hanging it.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use common::c::{compile, repo, run_valgrind, sandbox_bin, Lang};
use common::*;
use justclick::{BatchCall, Client, ErrorKind, Params};
use justclick_sandbox::{Fault, FaultConfig, Sandbox, Stats};

const THREADS: usize = 16;
const RATE: f64 = 0.3;
const TIMEOUT: Duration = Duration::from_millis(1000);
/// Longer than any run: the sandbox holds a stalled answer until the client
/// hangs up, so only the client's timeout can end a stalled call.
const STALL: Duration = Duration::from_secs(3600);
/// The modes a storm draws from, by the sandbox's names.
const STORM_FAULTS: [&str; 5] = ["reset", "close", "http500", "http502", "stall"];
/// How long after the storm's end its threads may take to return before the
/// test fails with "a call never returned" (only a hang can take this long).
const HANG: Duration = Duration::from_secs(120);

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
        Err(_) => 10,
    }
}

fn injected(st: &Stats, mode: &str) -> u64 {
    st.faults.get(mode).copied().unwrap_or(0)
}

/// Whether the sandbox has injected every mode of the storm at least once.
fn every_fault_injected(sb: &Sandbox) -> bool {
    let st = sb.stats();
    STORM_FAULTS.iter().all(|m| injected(&st, m) > 0)
}

/// The outcomes against what the sandbox injected, in the directions a
/// slow machine cannot reverse (it may turn any call into a timeout):
/// every stalled call timed out, a 5xx status needs an injected 5xx, a
/// success an answer without a fault. Then waits until the sandbox has
/// seen the client hang up on every stalled answer.
fn check_against_the_faults(counts: &BTreeMap<&str, u64>, sb: &Sandbox) {
    let get = |k: &str| counts.get(k).copied().unwrap_or(0);
    let st = sb.stats();
    let stalls = injected(&st, "stall");
    assert!(
        get("timeout") >= stalls,
        "{stalls} stalled answers, {counts:?}"
    );
    assert!(
        get("http_status") <= injected(&st, "http500") + injected(&st, "http502"),
        "{counts:?} vs {:?}",
        st.faults
    );
    let faulted: u64 = st.faults.values().sum();
    assert!(
        get("ok") <= st.requests - faulted,
        "{counts:?} vs {} requests, faults {:?}",
        st.requests,
        st.faults
    );
    wait_until("the client hanging up on every stalled answer", || {
        sb.stats().hangups == injected(&sb.stats(), "stall")
    });
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
    let sb = Arc::new(sandbox());
    let mut o = options(&sb);
    o.timeout = TIMEOUT;
    let c = Arc::new(Client::new(LOGIN, SECRET, o).unwrap());
    sb.set_fault(FaultConfig {
        mode: Fault::Storm,
        rate: RATE,
        stall: STALL,
        ..FaultConfig::default()
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    // Plain threads and a channel, not a scope: a call that never returned
    // must fail the test, not hang it in the scope's join.
    let (tx, rx) = mpsc::channel();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (c, sb, tx) = (c.clone(), sb.clone(), tx.clone());
            thread::spawn(move || {
                let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
                let mut attempted = 0u64;
                while Instant::now() < deadline || !every_fault_injected(&sb) {
                    let email = format!("storm-{t}-{attempted}@example.com");
                    let r = c.call("SandboxWrite", &lead(&email));
                    attempted += 1;
                    *counts.entry(outcome(&r)).or_insert(0) += 1;
                    if let Ok(resp) = &r {
                        // A success is the sandbox's echo of this very lead.
                        let result = resp.result.as_ref().unwrap();
                        assert_eq!(result["lead_email"], email.as_str());
                    }
                }
                let _ = tx.send((attempted, counts));
            })
        })
        .collect();
    drop(tx);
    let mut per_thread = Vec::new();
    while per_thread.len() < THREADS {
        let left = (deadline + HANG).saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(r) => per_thread.push(r),
            Err(RecvTimeoutError::Timeout) => panic!(
                "{} of {THREADS} storm threads are still in a call {HANG:?} after the storm's \
                 end: a call never returned (the client's timeout did not fire)",
                THREADS - per_thread.len()
            ),
            Err(RecvTimeoutError::Disconnected) => break, // a thread panicked
        }
    }
    for w in workers {
        if let Err(panic) = w.join() {
            std::panic::resume_unwind(panic);
        }
    }
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
         server saw {} requests, {} writes, {} duplicate writes, {} connections; faults {:?}",
        stats.requests,
        stats.writes,
        stats.duplicate_writes,
        stats.api_connections,
        stats.faults
    );

    // Every call ended (the threads returned) with one of the storm's kinds,
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
    // The storm went on until every fault had been injected.
    for kind in ["ok", "transport", "timeout", "http_status"] {
        assert!(
            counts.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} in {counts:?}"
        );
    }
    check_against_the_faults(&counts, &sb);
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
    // Each call after the storm reached the server (it succeeded, with its
    // echo) and only once (no duplicate write). The request count may also
    // hold requests of timed-out storm calls that the server read only
    // after the storm's snapshot, but none that no call made.
    let after = sb.stats();
    assert_eq!(after.duplicate_writes, 0);
    let after_calls = 10 * THREADS as u64;
    assert!(
        after.requests >= stats.requests + after_calls && after.requests <= attempted + after_calls,
        "{} requests: {} before, {attempted} storm calls, {after_calls} after",
        after.requests,
        stats.requests
    );
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
    check_against_the_faults(&counts, &sb);
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
    // A stall of an hour, held until the client hangs up: only the C
    // client's timeout (5000 ms, below) can end a stalled call, however
    // slowly valgrind runs it.
    let sb = SandboxProcess::start(&[
        "--fault",
        "storm",
        "--fault-rate",
        "0.3",
        "--stall-ms",
        "3600000",
    ]);
    let base_url = format!("http://{}", sb.addr);
    let barrier = std::env::temp_dir().join(format!("justclick-storm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&barrier);
    std::fs::create_dir_all(&barrier).unwrap();

    let exe = compile("storm", &[repo().join("tests/c/storm.c")], Lang::C, false);
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
    eprintln!("C storm, {seconds} s under valgrind: {stdout}");

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
    // The calls after the storm all reached the server (they succeeded)
    // once each (no duplicate write); the count may also hold requests of
    // timed-out storm calls read after the switch, but none that no call
    // made.
    assert!(
        count(&stats, "requests") >= count(&switched_at, "requests") + field("after")
            && count(&stats, "requests") <= storm_calls + field("after"),
        "{stdout} vs {switched_at} and {stats}"
    );
    assert!(count(&stats, "writes") <= storm_calls + field("after"));
    // The client hung up on every stalled answer: its timeout fired.
    wait_until("the C client hanging up on every stalled answer", || {
        let st = sb.stats();
        st["hangups"] == st["faults"]["stall"].as_u64().unwrap_or(0)
    });
}
