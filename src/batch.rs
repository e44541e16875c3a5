//! Batches: many calls over the client's kept-alive connections, at most
//! `concurrency` in flight, results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// Methods retried on the rate-limit error without being marked idempotent.
const IDEMPOTENT: &[&str] = &["DeleteOrder", "UpdateOrderStatus", "GetBills", "UpdateGood"];

/// Work shared by a batch's threads: the calls, the next one to take, and
/// one result slot per call.
struct Shared {
    calls: Vec<BatchCall>,
    next: AtomicUsize,
    slots: Vec<Mutex<Option<Result<Response>>>>,
}

impl Shared {
    fn work(&self, client: &Client) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(call) = self.calls.get(i) else { break };
            let result = client.call_with_retry(call);
            *self.slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
        }
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
        self.idempotent || IDEMPOTENT.contains(&self.method.as_str())
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
        let workers = concurrency.min(calls.len());
        if workers <= 1 {
            return Ok(calls.iter().map(|c| self.call_with_retry(c)).collect());
        }
        // Plain spawned threads rather than std::thread::scope: scope()
        // registers the calling thread's handle, which on a C program's main
        // thread is never freed (valgrind: "possibly lost"). The calls are
        // copied once so the workers own what they read.
        let shared = Arc::new(Shared {
            calls: calls.to_vec(),
            next: AtomicUsize::new(0),
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
            let _ = h.join();
        }
        let shared = Arc::try_unwrap(shared).ok().expect("workers joined");
        Ok(shared
            .slots
            .into_iter()
            .map(|s| {
                s.into_inner()
                    .unwrap_or_else(|p| p.into_inner())
                    .unwrap_or_else(|| {
                        Err(Error::Transport(
                            "internal error: a batch worker stopped before this call ran".into(),
                        ))
                    })
            })
            .collect())
    }

    fn call_with_retry(&self, call: &BatchCall) -> Result<Response> {
        let (max_retries, base) = self.backoff();
        let mut attempt = 0u32;
        loop {
            match self.call(&call.method, &call.params) {
                Err(Error::Api { code, .. })
                    if code == RATE_LIMIT_CODE && call.retryable() && attempt < max_retries =>
                {
                    std::thread::sleep(backoff_delay(base, attempt));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// `base * 2^attempt`, with up to 25% jitter so that a batch's workers do not
/// retry in lockstep; capped at 30 s.
fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = exp / 4 * (nanos % 1000) / 1000;
    (exp + jitter).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
