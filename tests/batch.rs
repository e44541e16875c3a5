//! Batches: input order, isolation of failures, bounded concurrency over
//! kept-alive connections, and rate-limit retries only where allowed.
#![cfg(feature = "sandbox")]

mod common;

use std::time::{Duration, Instant};

use common::*;
use justclick::sandbox::{Fault, FaultConfig};
use justclick::{BatchCall, Client, Error, ErrorKind, Params};
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
    sb.set_fault(FaultConfig {
        delay: Duration::from_millis(50),
        ..FaultConfig::default()
    });
    let c = client(&sb);
    let calls: Vec<BatchCall> = (0..32).map(echo).collect();
    let t = Instant::now();
    let r = c.call_batch(&calls, 8).unwrap();
    let elapsed = t.elapsed();
    assert!(r.iter().all(Result::is_ok));
    let st = sb.stats();
    assert!(st.api_connections <= 8, "at most 8 in flight: {st:?}");
    // 32 calls x 50 ms sequentially would be 1.6 s; with 8 in flight about
    // 0.2 s. A generous bound: it must at least overlap some calls.
    assert!(
        elapsed < Duration::from_millis(1200),
        "no overlap: {elapsed:?}"
    );
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
