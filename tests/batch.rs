//! Batches: input order, isolation of failures, bounded concurrency over
//! kept-alive connections, and rate-limit retries only where allowed.

mod common;

use std::time::Duration;

use common::*;
use justclick::{BatchCall, Client, Error, ErrorKind, Params};
use justclick_sandbox::{Fault, FaultConfig};
use serde_json::json;

fn echo(i: usize) -> BatchCall {
    BatchCall::new("SandboxEcho", Params::new().with("i", i as i64))
}

#[test]
fn results_come_back_in_input_order() {
    let sb = sandbox();
    let c = client(&sb);
    let calls: Vec<BatchCall> = (0..200).map(echo).collect();
    let results = c.call_batch(&calls, 16).unwrap();
    assert_eq!(results.len(), 200);
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r.unwrap().result.unwrap(), json!({"i": i.to_string()}));
    }
    let st = sb.stats();
    assert_eq!(st.requests, 200);
    assert!(st.api_connections <= 16, "{st:?}");
}

#[test]
fn one_failing_call_never_fails_the_others() {
    let sb = sandbox();
    let c = client(&sb);
    let calls = vec![
        echo(0),
        BatchCall::new(
            "DeleteOrder",
            Params::new().with("bill_id", "no-such-order"),
        ),
        BatchCall::new("Bad Method", Params::new()),
        BatchCall::new("SandboxEcho", Params::new().with("a.b", 1)),
        BatchCall::new(
            "GetBills",
            Params::new().with("email", "client@example.com"),
        ),
        echo(5),
    ];
    let r = c.call_batch(&calls, 4).unwrap();
    assert!(r[0].is_ok());
    assert!(
        matches!(r[1], Err(Error::Api { code: 200, .. })),
        "{:?}",
        r[1]
    );
    assert_eq!(
        r[2].as_ref().unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        r[3].as_ref().unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    // GetBills through a batch is normalized like get_bills().
    assert!(r[4].as_ref().unwrap().result.as_ref().unwrap().is_object());
    assert_eq!(
        r[5].as_ref().unwrap().result.as_ref().unwrap(),
        &json!({"i": "5"})
    );
    assert_eq!(sb.stats().requests, 4, "invalid calls must not be sent");
}

#[test]
fn concurrency_is_bounded_and_overlaps_latency() {
    let sb = sandbox();
    // Each answer takes 200 ms, long enough for the 8 workers to have their
    // calls in the server at the same time; counted there, not timed.
    sb.set_fault(FaultConfig {
        delay: Duration::from_millis(200),
        ..FaultConfig::default()
    });
    let c = client(&sb);
    let calls: Vec<BatchCall> = (0..32).map(echo).collect();
    let r = c.call_batch(&calls, 8).unwrap();
    assert!(r.iter().all(Result::is_ok));
    let st = sb.stats();
    assert!(st.api_connections <= 8, "at most 8 connections: {st:?}");
    assert!(st.max_in_flight <= 8, "at most 8 in flight: {st:?}");
    assert!(st.max_in_flight >= 2, "calls must overlap: {st:?}");
}

#[test]
fn bad_concurrency_and_empty_batches() {
    let sb = sandbox();
    let c = client(&sb);
    for n in [0, 65, 1000] {
        let e = c.call_batch(&[echo(0)], n).unwrap_err();
        assert!(
            e.to_string()
                .contains("concurrency must be between 1 and 64"),
            "{e}"
        );
    }
    assert!(c.call_batch(&[], 4).unwrap().is_empty());
}

#[test]
fn rate_limit_is_retried_only_for_idempotent_calls() {
    let sb = sandbox();
    sb.set_fault(FaultConfig {
        mode: Fault::RateLimit,
        rate: 0.5,
        ..FaultConfig::default()
    });
    let mut o = options(&sb);
    o.rate_limit_retries = 10;
    o.rate_limit_backoff = Duration::from_millis(1);
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let idempotent: Vec<BatchCall> = (0..40)
        .map(|_| {
            BatchCall::new(
                "GetBills",
                Params::new().with("email", "client@example.com"),
            )
        })
        .collect();
    let r = c.call_batch(&idempotent, 4).unwrap();
    assert!(
        r.iter().all(Result::is_ok),
        "retries should get every GetBills through"
    );
    let retried = sb.stats().requests;
    assert!(
        retried > 40,
        "some calls must have been retried ({retried} requests)"
    );

    let before = sb.stats().requests;
    let writes: Vec<BatchCall> = (0..40)
        .map(|i| {
            BatchCall::new(
                "AddLeadToGroup",
                Params::new().with("lead_email", format!("lead{i}@example.com")),
            )
        })
        .collect();
    let r = c.call_batch(&writes, 4).unwrap();
    let limited = r
        .iter()
        .filter(|r| matches!(r, Err(Error::Api { code: 8, .. })))
        .count();
    assert!(limited > 0, "with a 50% limit rate some writes must fail");
    assert_eq!(
        sb.stats().requests - before,
        40,
        "non-idempotent calls are sent once"
    );

    let marked: Vec<BatchCall> = writes
        .into_iter()
        .map(|mut b| {
            b.idempotent = true;
            b
        })
        .collect();
    let r = c.call_batch(&marked, 4).unwrap();
    assert!(
        r.iter().all(Result::is_ok),
        "calls marked idempotent are retried"
    );
}

#[test]
fn rate_limit_retries_are_bounded() {
    let sb = sandbox();
    fault(&sb, Fault::RateLimit);
    let mut o = options(&sb);
    o.rate_limit_retries = 2;
    o.rate_limit_backoff = Duration::from_millis(1);
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let r = c
        .call_batch(
            &[BatchCall::new(
                "GetBills",
                Params::new().with("email", "a@b.ru"),
            )],
            1,
        )
        .unwrap();
    assert!(matches!(r[0], Err(Error::Api { code: 8, .. })));
    assert_eq!(sb.stats().requests, 3, "one call plus two retries");
}

#[test]
fn batch_from_json() {
    let sb = sandbox();
    let c = client(&sb);
    let calls = BatchCall::list_from_json(
        r#"[{"method":"DeleteOrder","params":{"bill_id":"258369"}},
            {"method":"GetBills","params":{"email":"client@example.com","pay_status":"cancel"}}]"#,
    )
    .unwrap();
    let r = c.call_batch(&calls, 1).unwrap();
    assert_eq!(r[0].as_ref().unwrap().error_text, "Заказ удален");
    // Sequential order: the cancelled order was deleted first.
    assert!(
        matches!(r[1], Err(Error::Api { code: 400, .. })),
        "{:?}",
        r[1]
    );
}

/// Runs `calls_json` through the C ABI's `jc_call_batch` on a client of `sb`
/// built from `options_json` (merged after `base_url`); returns the status and
/// the parsed document.
fn ffi_batch(
    sb: &justclick_sandbox::Sandbox,
    extra_options: &str,
    calls_json: &str,
    concurrency: u32,
) -> (u32, serde_json::Value) {
    use justclick::ffi;
    use std::ffi::{CStr, CString};
    let options = CString::new(format!(
        r#"{{"base_url":"{}","proxy":""{extra_options}}}"#,
        sb.base_url()
    ))
    .unwrap();
    let (login, secret) = (CString::new(LOGIN).unwrap(), CString::new(SECRET).unwrap());
    let mut c = std::ptr::null_mut();
    let st =
        unsafe { ffi::jc_client_new(login.as_ptr(), secret.as_ptr(), options.as_ptr(), &mut c) };
    assert_eq!(st as u32, 0);
    let calls = CString::new(calls_json).unwrap();
    let mut out = std::ptr::null_mut();
    let st = unsafe { ffi::jc_call_batch(c, calls.as_ptr(), concurrency, &mut out) };
    assert!(!out.is_null());
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
    unsafe {
        ffi::jc_string_free(out);
        ffi::jc_client_free(c);
    }
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (st as u32, doc)
}

/// [`ffi_batch`] through the library with the test hooks (the only one
/// that knows `SandboxPanic`), loaded beside the one this test links.
fn hooks_batch(
    sb: &justclick_sandbox::Sandbox,
    calls_json: &str,
    concurrency: u32,
) -> (u32, serde_json::Value) {
    use std::ffi::CString;
    let h = common::hooks::hooks();
    let options =
        CString::new(format!(r#"{{"base_url":"{}","proxy":""}}"#, sb.base_url())).unwrap();
    let (login, secret) = (CString::new(LOGIN).unwrap(), CString::new(SECRET).unwrap());
    let mut c = std::ptr::null_mut();
    // SAFETY: valid strings and out-pointers; the handle is freed once, by
    // the copy that made it.
    let st =
        unsafe { (h.jc_client_new)(login.as_ptr(), secret.as_ptr(), options.as_ptr(), &mut c) };
    assert_eq!(st as u32, 0, "{}", h.last_error());
    let calls = CString::new(calls_json).unwrap();
    let mut out = std::ptr::null_mut();
    let st = unsafe { (h.jc_call_batch)(c, calls.as_ptr(), concurrency, &mut out) };
    let text = h.take(out).expect("a document");
    unsafe { (h.jc_client_free)(c) };
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (st as u32, doc)
}

/// Ten echo calls, the fourth one panicking after it was sent.
fn calls_with_a_panic() -> String {
    let calls: Vec<String> = (0..10)
        .map(|i| {
            let method = if i == 3 {
                "SandboxPanic"
            } else {
                "SandboxEcho"
            };
            format!(r#"{{"method":"{method}","params":{{"i":{i}}}}}"#)
        })
        .collect();
    format!("[{}]", calls.join(","))
}

#[test]
fn a_panicking_call_gets_a_panic_document_and_the_others_are_kept() {
    for concurrency in [1, 64] {
        let sb = sandbox();
        let (st, doc) = hooks_batch(&sb, &calls_with_a_panic(), concurrency);
        assert_eq!(st, 0, "the batch itself succeeds ({concurrency}): {doc}");
        let docs = doc.as_array().unwrap();
        assert_eq!(docs.len(), 10);
        for (i, d) in docs.iter().enumerate() {
            if i == 3 {
                assert_eq!(d["ok"], false, "{d}");
                assert_eq!(d["status"], "panic", "concurrency {concurrency}: {d}");
                let m = d["message"].as_str().unwrap();
                assert!(m.contains("deliberate test panic"), "{m}");
            } else {
                assert_eq!(d["result"], json!({"i": i.to_string()}), "{d}");
            }
        }
        assert_eq!(sb.stats().requests, 10, "every call was sent once");
    }
    // The Rust API's report of the same call: src/batch.rs's unit tests
    // (cfg(test) has the hook).
}

/// The child half of `panics_in_batches_print_nothing`. Ignored in the
/// shared run, so it is never counted as a pass without running; run alone
/// (`--ignored`) it checks the panic documents itself.
#[test]
#[ignore = "run by panics_in_batches_print_nothing in a child process"]
fn panicking_batch_child() {
    let sb = sandbox();
    for concurrency in [1, 64] {
        let (st, doc) = hooks_batch(&sb, &calls_with_a_panic(), concurrency);
        assert_eq!(st, 0, "{doc}");
        assert_eq!(
            doc[3]["status"], "panic",
            "concurrency {concurrency}: {doc}"
        );
        println!("CHILD-RESULT {}", doc[3]["status"]);
    }
}

#[test]
fn panics_in_batches_print_nothing() {
    // In a child process run with --nocapture, so that anything std's panic
    // hook printed would reach the real stderr we read here.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "panicking_batch_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    // The child test itself ran and passed (an --exact filter matching no
    // test also exits 0).
    assert!(
        stdout.contains("test panicking_batch_child ... ")
            && stdout.contains("test result: ok. 1 passed"),
        "the child test did not run:\n{stdout}\n{stderr}"
    );
    assert_eq!(
        stdout.matches("CHILD-RESULT \"panic\"").count(),
        2,
        "child did not run both batches:\n{stdout}\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("deliberate"),
        "a caught panic was printed:\n{stderr}"
    );
}

#[test]
fn calls_not_started_by_the_deadline_are_never_sent() {
    let sb = sandbox();
    sb.set_fault(FaultConfig {
        delay: Duration::from_millis(400),
        ..FaultConfig::default()
    });
    // 10 calls of 400 ms, 2 at a time, take 2 s: a 1 s deadline leaves some
    // of them unsent whatever the machine's load.
    let calls: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"method":"SandboxEcho","params":{{"i":{i}}}}}"#))
        .collect();
    let (st, doc) = ffi_batch(
        &sb,
        r#","batch_timeout_ms":1000"#,
        &format!("[{}]", calls.join(",")),
        2,
    );
    assert_eq!(st, 0);
    let docs = doc.as_array().unwrap();
    let sent = docs.iter().filter(|d| d["ok"] == true).count();
    let unsent: Vec<_> = docs.iter().filter(|d| d["ok"] == false).collect();
    for d in &unsent {
        assert_eq!(d["status"], "timeout", "{d}");
        let m = d["message"].as_str().unwrap();
        assert!(
            m.starts_with("not sent: ") && m.contains("batch_timeout_ms = 1000"),
            "{m}"
        );
    }
    assert!(sent >= 1 && !unsent.is_empty(), "{doc}");
    assert_eq!(
        sb.stats().requests as usize,
        sent,
        "unsent calls never reach the server"
    );
}

#[test]
fn a_retry_that_would_pass_the_deadline_is_not_sent() {
    let sb = sandbox();
    fault(&sb, Fault::RateLimit);
    let mut o = options(&sb);
    o.rate_limit_retries = 10;
    o.rate_limit_backoff = Duration::from_secs(30);
    o.batch_timeout = Some(Duration::from_millis(500));
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let call = BatchCall::new("GetBills", Params::new().with("email", "a@b.ru"));
    let r = c.call_batch(&[call.clone(), call], 2).unwrap();
    for r in &r {
        assert!(matches!(r, Err(Error::Api { code: 8, .. })), "{r:?}");
    }
    assert_eq!(sb.stats().requests, 2, "no retry after the deadline");
}

#[test]
fn batch_timeout_option() {
    use justclick::Options;
    assert_eq!(
        Options::default().batch_timeout,
        None,
        "no deadline by default"
    );
    let o = Options::from_json(Some(r#"{"batch_timeout_ms":2500}"#)).unwrap();
    assert_eq!(o.batch_timeout, Some(Duration::from_millis(2500)));
    for bad in ["0", "-1", "\"5\"", "86400001"] {
        let e = Options::from_json(Some(&format!(r#"{{"batch_timeout_ms":{bad}}}"#))).unwrap_err();
        assert!(e.to_string().contains("batch_timeout_ms"), "{bad}: {e}");
    }
    // The same bounds hold for options built in Rust (Options::validate).
    let sb = sandbox();
    let mut o = options(&sb);
    o.batch_timeout = Some(Duration::MAX);
    let e = Client::new(LOGIN, SECRET, o.clone()).unwrap_err();
    assert!(e.to_string().contains("batch_timeout_ms"), "{e}");
    o.batch_timeout = Some(Duration::from_secs(60));
    let c = Client::new(LOGIN, SECRET, o).unwrap();
    let r = c.call_batch(&[echo(0), echo(1)], 2).unwrap();
    assert!(r.iter().all(Result::is_ok), "{r:?}");
}
