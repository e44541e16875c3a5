//! Batches: many calls over the client's kept-alive connections, at most
//! `concurrency` in flight, results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::encode::{Params, Value};
use crate::error::{invalid, Error, Result};
use crate::response::Response;

/// Most calls in flight at once (the connection pool keeps this many per host).
pub const MAX_CONCURRENCY: usize = crate::transport::POOL_PER_HOST;
/// Most calls in one batch.
pub const MAX_BATCH: usize = 10_000;
/// API error code meaning "request limit reached".
pub const RATE_LIMIT_CODE: i64 = 8;

/// Work shared by a batch's threads: the calls, the next one to take, the
/// deadline, and one result slot per call.
struct Shared {
    calls: Vec<BatchCall>,
    next: AtomicUsize,
    deadline: Option<Deadline>,
    slots: Vec<Mutex<Option<Result<Response>>>>,
}

impl Shared {
    fn work(&self, client: &Client) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(call) = self.calls.get(i) else { break };
            let result = client.guarded_call(call, self.deadline.as_ref());
            *self.slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
        }
    }
}

/// When a batch stops starting calls, and the option value for messages.
struct Deadline {
    at: Instant,
    option: Duration,
}

impl Deadline {
    /// True when something that takes `wait` from now would start after the
    /// deadline.
    fn passed_after(&self, wait: Duration) -> bool {
        Instant::now()
            .checked_add(wait)
            .is_none_or(|start| start >= self.at)
    }

    fn not_sent(&self) -> Error {
        Error::Timeout(format!(
            "not sent: the batch deadline (batch_timeout_ms = {}) passed before this call started",
            self.option.as_millis()
        ))
    }
}

/// One call of a batch. Plain data: `Send + Sync`.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchCall {
    /// API method, letters and digits.
    pub method: String,
    /// Its parameters, sent in order.
    pub params: Params,
    /// Whether the call may be repeated after a rate-limit error (API error
    /// 8). The four typed endpoints always may; other methods only when this
    /// is true.
    pub idempotent: bool,
}

impl BatchCall {
    /// A call that is not marked idempotent.
    pub fn new(method: impl Into<String>, params: Params) -> BatchCall {
        BatchCall {
            method: method.into(),
            params,
            idempotent: false,
        }
    }

    fn retryable(&self) -> bool {
        // The table says which methods are safe to send twice.
        self.idempotent || crate::api::spec::method(&self.method).is_some_and(|m| m.idempotent)
    }

    /// Parses `[{"method": "...", "params": {...}, "idempotent": false}, ...]`.
    ///
    /// `params` may be omitted, `null`, `{}` or `[]`; `idempotent` defaults
    /// to false. A malformed list is an error for the whole batch; a bad
    /// method name or parameter fails only its own call, later.
    pub fn list_from_json(json: &str) -> Result<Vec<BatchCall>> {
        let items = match Value::from_json(json)? {
            Value::List(items) => items,
            other => {
                return invalid(format!(
                "calls must be a JSON list of {{\"method\":..., \"params\":...}} objects, got {}",
                other.type_name()
            ))
            }
        };
        if items.len() > MAX_BATCH {
            return invalid(format!(
                "a batch holds at most {MAX_BATCH} calls, got {}",
                items.len()
            ));
        }
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let Value::Map(fields) = item else {
                    return invalid(format!("call #{i} must be an object, got {}", item.type_name()));
                };
                let mut call = BatchCall::new(String::new(), Params::new());
                let mut has_method = false;
                for (key, value) in fields.iter() {
                    match (key, value) {
                        ("method", Value::Str(m)) => {
                            call.method = m.clone();
                            has_method = true;
                        }
                        ("method", v) => {
                            return invalid(format!(
                                "call #{i}: 'method' must be a string, got {}",
                                v.type_name()
                            ))
                        }
                        ("params", Value::Map(p)) => call.params = p.clone(),
                        ("params", Value::Null) => {}
                        ("params", Value::List(l)) if l.is_empty() => {}
                        ("params", v) => {
                            return invalid(format!(
                                "call #{i}: 'params' must be an object, got {}",
                                v.type_name()
                            ))
                        }
                        ("idempotent", Value::Bool(b)) => call.idempotent = *b,
                        ("idempotent", Value::Null) => {}
                        ("idempotent", v) => {
                            return invalid(format!(
                                "call #{i}: 'idempotent' must be true or false, got {}",
                                v.type_name()
                            ))
                        }
                        (other, _) => {
                            return invalid(format!(
                                "call #{i}: unknown key {other:?} (expected method, params, idempotent)"
                            ))
                        }
                    }
                }
                if !has_method {
                    return invalid(format!("call #{i} has no 'method'"));
                }
                Ok(call)
            })
            .collect()
    }
}

impl Client {
    /// Runs `calls` with at most `concurrency` (1..=64) in flight over this
    /// client's kept-alive connections; returns one result per call, in
    /// input order. One failing call never fails the others.
    ///
    /// API error 8 (request limit reached) is retried with exponential
    /// backoff, at most `rate_limit_retries` times, for the four typed
    /// endpoints and calls marked idempotent only; nothing else is ever sent
    /// twice. Blocks until every call has ended.
    pub fn call_batch(
        &self,
        calls: &[BatchCall],
        concurrency: usize,
    ) -> Result<Vec<Result<Response>>> {
        if !(1..=MAX_CONCURRENCY).contains(&concurrency) {
            return invalid(format!(
                "concurrency must be between 1 and {MAX_CONCURRENCY}, got {concurrency}"
            ));
        }
        if calls.len() > MAX_BATCH {
            return invalid(format!(
                "a batch holds at most {MAX_BATCH} calls, got {}",
                calls.len()
            ));
        }
        // checked_add: a deadline too far away to represent is no deadline.
        let deadline = self.batch_timeout().and_then(|option| {
            Some(Deadline {
                at: Instant::now().checked_add(option)?,
                option,
            })
        });
        let workers = concurrency.min(calls.len());
        if workers <= 1 {
            return Ok(calls
                .iter()
                .map(|c| self.guarded_call(c, deadline.as_ref()))
                .collect());
        }
        // Plain spawned threads rather than std::thread::scope: scope()
        // registers the calling thread's handle, which on a C program's main
        // thread is never freed (valgrind: "possibly lost"). The calls are
        // copied once so the workers own what they read.
        let shared = Arc::new(Shared {
            calls: calls.to_vec(),
            next: AtomicUsize::new(0),
            deadline,
            slots: calls.iter().map(|_| Mutex::new(None)).collect(),
        });
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (client, shared) = (self.clone(), shared.clone());
            let spawned = std::thread::Builder::new()
                .name("justclick-batch".into())
                .spawn(move || shared.work(&client));
            match spawned {
                Ok(h) => handles.push(h),
                // Out of threads: the workers already running (or this
                // thread, below) take the remaining calls.
                Err(_) => break,
            }
        }
        if handles.is_empty() {
            shared.work(self);
        }
        for h in handles {
            // Every call runs inside its own guard, so a worker cannot die of
            // a call's panic; a slot left empty is reported below.
            let _ = h.join();
        }
        Ok(shared
            .slots
            .iter()
            .map(|s| {
                s.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take()
                    .unwrap_or_else(|| {
                        Err(Error::Panic(format!(
                            "internal error: a batch worker stopped before recording this call ({})",
                            crate::guard::BUG
                        )))
                    })
            })
            .collect())
    }

    /// One call of a batch inside its own panic guard: a panic becomes this
    /// call's [`Error::Panic`], silently, and never touches other calls.
    fn guarded_call(&self, call: &BatchCall, deadline: Option<&Deadline>) -> Result<Response> {
        crate::guard::catch(|| self.call_with_retry(call, deadline)).unwrap_or_else(|detail| {
            Err(Error::Panic(format!(
                "internal error in a batch call to {} ({}): {detail}",
                crate::endpoints::quote(&call.method),
                crate::guard::BUG
            )))
        })
    }

    fn call_with_retry(&self, call: &BatchCall, deadline: Option<&Deadline>) -> Result<Response> {
        if let Some(d) = deadline.filter(|d| d.passed_after(Duration::ZERO)) {
            return Err(d.not_sent());
        }
        #[cfg(any(test, feature = "test-hooks"))]
        panic_hook_for_tests(self, call);
        let (max_retries, base) = self.backoff();
        let mut attempt = 0u32;
        loop {
            let result = self.call(&call.method, &call.params);
            match &result {
                Err(Error::Api { code, .. })
                    if *code == RATE_LIMIT_CODE && call.retryable() && attempt < max_retries =>
                {
                    let delay = backoff_delay(base, attempt);
                    // A retry that would start after the deadline is not
                    // made: the call keeps the service's answer (error 8).
                    if deadline.is_some_and(|d| d.passed_after(delay)) {
                        return result;
                    }
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }
}

/// Test hook (`test-hooks` feature only): a call of the method `SandboxPanic`
/// is sent as `SandboxEcho` with its parameters, then panics, so tests can
/// see a panic in a call that has already reached the server.
#[cfg(any(test, feature = "test-hooks"))]
fn panic_hook_for_tests(client: &Client, call: &BatchCall) {
    if call.method == "SandboxPanic" {
        let _ = client.call("SandboxEcho", &call.params);
        panic!("deliberate test panic in a batch call");
    }
}

/// `base * 2^attempt`, with up to 25% jitter so that a batch's workers do not
/// retry in lockstep; capped at 30 s.
fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    // A uniform fraction of exp / 4, in 2^-32 steps.
    let spread = (exp / 4).as_nanos() as u64;
    let jitter = ((spread as u128 * (random_u64() >> 32) as u128) >> 32) as u64;
    (exp + Duration::from_nanos(jitter)).min(Duration::from_secs(30))
}

/// 64 random bits from the kernel (getrandom(2)), not from the clock:
/// workers that hit the rate limit at the same instant must not pick the
/// same delay. Where getrandom is unavailable, std's per-process random
/// hash keys (also seeded by the OS) stand in.
fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    // SAFETY: getrandom writes at most `bytes.len()` bytes into `bytes`.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n == bytes.len() as isize {
        return u64::from_ne_bytes(bytes);
    }
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loopback server answering every request `0 OK`, signed with
    /// `secret`, one request per connection; returns its URL and a count of
    /// the requests it answered. (The sandbox crate cannot serve a unit
    /// test: it links its own copy of this library.)
    fn ok_server(secret: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = std::sync::Arc::clone(&count);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { return };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Head, then a body as long as Content-Length says.
                let done = loop {
                    let Ok(n) = s.read(&mut chunk) else {
                        break false;
                    };
                    if n == 0 {
                        break false;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len: usize = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break true;
                        }
                    }
                };
                if !done {
                    continue;
                }
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let hash =
                    crate::sign::response_hash("0", "OK", &crate::Secret::new(secret.as_bytes()));
                let body = format!(
                    r#"{{"error_code":0,"error_text":"OK","hash":"{}"}}"#,
                    std::str::from_utf8(&hash).unwrap()
                );
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, count)
    }

    /// The Rust API reports a panicking call of a batch as a panic error in
    /// its slot and keeps the others (the `SandboxPanic` hook of cfg(test),
    /// which sends the call as `SandboxEcho` first; the same through the C
    /// ABI: tests/batch.rs).
    #[test]
    fn a_panicking_call_is_a_panic_error_in_its_slot() {
        let (url, requests) = ok_server("unit-secret");
        let options = crate::Options {
            base_url: Some(url),
            proxy: crate::ProxySetting::Direct,
            ..crate::Options::default()
        };
        let c = Client::new("demo", "unit-secret", options).unwrap();
        let mut calls: Vec<BatchCall> = (0..4)
            .map(|i| BatchCall::new("SandboxEcho", Params::new().with("i", i as i64)))
            .collect();
        calls[2].method = "SandboxPanic".into();
        for concurrency in [1, 4] {
            let r = c.call_batch(&calls, concurrency).unwrap();
            let e = r[2].as_ref().unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Panic, "{e}");
            assert!(e.to_string().contains("deliberate test panic"), "{e}");
            assert!(r[0].is_ok() && r[1].is_ok() && r[3].is_ok(), "{r:?}");
        }
        // Each call reached the server once, the panicking one included.
        assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 8);
    }

    #[test]
    fn parse_list() {
        let calls = BatchCall::list_from_json(
            r#"[{"method":"GetBills","params":{"email":"a@b.ru"}},
                {"method":"AddLeadToGroup","params":[],"idempotent":true},
                {"method":"X"}]"#,
        )
        .unwrap();
        assert_eq!(calls.len(), 3);
        assert!(calls[0].retryable());
        assert!(calls[1].retryable());
        assert!(!calls[2].retryable());
        for (json, needle) in [
            ("{}", "must be a JSON list"),
            ("[1]", "call #0 must be an object"),
            (r#"[{"params":{}}]"#, "has no 'method'"),
            (r#"[{"method":1}]"#, "'method' must be a string"),
            (
                r#"[{"method":"X","params":"a"}]"#,
                "'params' must be an object",
            ),
            (r#"[{"method":"X","extra":1}]"#, "unknown key"),
            (
                r#"[{"method":"X","idempotent":"yes"}]"#,
                "'idempotent' must be",
            ),
            (r#"[{"method":"X","method":"Y"}]"#, "duplicate key"),
        ] {
            let e = BatchCall::list_from_json(json).unwrap_err().to_string();
            assert!(e.contains(needle), "{json}: {e}");
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        assert!(backoff_delay(base, 0) >= base && backoff_delay(base, 0) <= base * 5 / 4);
        assert!(backoff_delay(base, 3) >= base * 8);
        assert_eq!(backoff_delay(base, 40), Duration::from_secs(30));
    }

    #[test]
    fn jitter_is_random_not_the_clock() {
        // The clock-based jitter took 1000 steps of the spread (250 us here);
        // random jitter is spread over the whole range at nanosecond grain.
        let base = Duration::from_secs(1);
        let jitters: Vec<u128> = (0..200)
            .map(|_| (backoff_delay(base, 0) - base).as_nanos())
            .collect();
        assert!(jitters.iter().all(|&j| j <= 250_000_000));
        let off_grid = jitters.iter().filter(|&&j| j % 250_000 != 0).count();
        assert!(off_grid > 150, "jitter is quantized: {jitters:?}");
        let distinct: std::collections::HashSet<_> = jitters.iter().collect();
        assert!(distinct.len() > 190, "jitter repeats: {}", distinct.len());
        assert!(
            jitters.iter().any(|&j| j < 125_000_000) && jitters.iter().any(|&j| j > 125_000_000)
        );
    }
}
