//! The secret never leaves the library: not in error messages of any kind,
//! not in `Display`/`Debug`, not in the C ABI's JSON documents or
//! `jc_last_error_message`, not in panic messages, not on stderr/stdout, not
//! on the wire; and it is wiped from memory before the memory is freed.
//!
//! The memory part uses this binary's global allocator: while armed, every
//! freed block is scanned for any 12-byte piece of a distinctive 40-byte
//! secret used by nothing else in this process.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{c_char, CStr, CString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{tls_sandbox, LOGIN};
use justclick::ffi::{self, jc_client, jc_status};
use justclick::{
    request_hash, response_hash, verify_response, BatchCall, Client, Error, Good, Options,
    OrderStatus, Params, PayStatus, ProxySetting, Secret, Value,
};
use justclick_sandbox::{Config, Fault, FaultConfig, Sandbox};

/// The secret of every test here except the memory test.
const EMIT_SECRET: &str = "EmitSecret-4f1d9b2c7a6e0358-WombatLynx%!";
/// The memory test's secret: only ever in read-only static memory on the
/// test's side, so any copy on the heap is the library's.
const MEM_SECRET: &str = "MemSecret-9c2e71f04b3d8a65-QuokkaTapir#!";
const MEM_SECRET_C: &CStr = c"MemSecret-9c2e71f04b3d8a65-QuokkaTapir#!";
/// The shortest piece of the secret that counts as a copy.
const WINDOW: usize = 12;

// ---------------------------------------------------------------------------
// Emitted text

/// Every form in which (a piece of) `secret` could appear in text: raw,
/// percent-encoded as PHP would send it, hex, and as a Debug list of bytes.
fn forms(secret: &str) -> Vec<String> {
    let raw = secret.to_owned();
    let pct = justclick::encode(&Params::new().with("s", secret))
        .unwrap()
        .trim_start_matches("s=")
        .to_owned();
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    let bytes: Vec<String> = secret.bytes().map(|b| b.to_string()).collect();
    vec![raw, pct, hex.clone(), hex.to_uppercase(), bytes.join(", ")]
}

/// The first piece of any form of `secret` found in `text`.
fn leak_in(text: &str, secret: &str) -> Option<String> {
    for form in forms(secret) {
        let b = form.as_bytes();
        let w = WINDOW.min(b.len());
        for piece in b.windows(w) {
            let piece = std::str::from_utf8(piece).unwrap_or("");
            if !piece.is_empty() && text.contains(piece) {
                return Some(piece.to_owned());
            }
        }
    }
    None
}

/// Everything collected from one test: (where it came from, the text).
#[derive(Default)]
struct Emitted(Vec<(String, String)>);

impl Emitted {
    fn add(&mut self, label: impl Into<String>, text: impl Into<String>) {
        self.0.push((label.into(), text.into()));
    }

    fn error(&mut self, label: &str, e: &Error) {
        self.add(format!("{label} (Display)"), e.to_string());
        self.add(format!("{label} (Debug)"), format!("{e:?}"));
        self.add(format!("{label} (Debug, pretty)"), format!("{e:#?}"));
    }

    fn outcome(&mut self, label: &str, r: &justclick::Result<justclick::Response>) {
        match r {
            Ok(resp) => self.add(format!("{label} (Response Debug)"), format!("{resp:?}")),
            Err(e) => self.error(label, e),
        }
    }

    /// Panics naming every leaking item; returns how many were checked.
    fn check(&self, secret: &str) -> usize {
        let leaks: Vec<String> = self
            .0
            .iter()
            .filter_map(|(label, text)| {
                leak_in(text, secret).map(|piece| format!("{label}: contains {piece:?}"))
            })
            .collect();
        assert!(leaks.is_empty(), "the secret leaked:\n{}", leaks.join("\n"));
        self.0.len()
    }
}

fn emit_sandbox() -> Sandbox {
    Sandbox::start(Config {
        login: LOGIN.into(),
        secret: EMIT_SECRET.into(),
        ..Config::default()
    })
    .unwrap()
}

fn emit_options(base_url: &str, timeout: Duration) -> Options {
    Options {
        base_url: Some(base_url.to_owned()),
        proxy: ProxySetting::Direct,
        timeout,
        max_response_bytes: 1 << 20,
        ..Options::default()
    }
}

/// Calls every endpoint and the generic call once.
fn every_call(c: &Client) -> Vec<(&'static str, justclick::Result<justclick::Response>)> {
    vec![
        ("DeleteOrder", c.delete_order("1111")),
        (
            "UpdateOrderStatus",
            c.update_order_status("100000", OrderStatus::Sent, Some(1362254400), Some("1")),
        ),
        (
            "GetBills",
            c.get_bills("client@example.com", Some(PayStatus::Paid)),
        ),
        ("UpdateGood", c.update_good(&Good::new("oplata"))),
        (
            "AddLeadToGroup",
            c.call(
                "AddLeadToGroup",
                &Params::new()
                    .with("rid", "1")
                    .with("lead_email", "a@example.com"),
            ),
        ),
    ]
}

// The C ABI, as a C caller sees it.

struct FfiOut {
    status: jc_status,
    doc: Option<String>,
    last_error: String,
}

fn last_error() -> String {
    // SAFETY: the library returns a valid NUL-terminated thread-local string.
    unsafe { CStr::from_ptr(ffi::jc_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// Takes ownership of a returned string and frees it.
fn take(p: *mut c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string returned by the library.
    let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    // SAFETY: freed exactly once with the library's function.
    unsafe { ffi::jc_string_free(p) };
    Some(s)
}

fn ffi_run(f: impl FnOnce(*mut *mut c_char) -> jc_status) -> FfiOut {
    let mut out: *mut c_char = std::ptr::null_mut();
    let status = f(&mut out);
    let last_error = last_error();
    FfiOut {
        status,
        doc: take(out),
        last_error,
    }
}

fn ffi_new(login: &CStr, secret: &CStr, options: Option<&CStr>) -> (jc_status, *mut jc_client) {
    let mut c: *mut jc_client = std::ptr::null_mut();
    // SAFETY: valid strings (or NULL options) and a valid out-pointer.
    let st = unsafe {
        ffi::jc_client_new(
            login.as_ptr(),
            secret.as_ptr(),
            options.map_or(std::ptr::null(), CStr::as_ptr),
            &mut c,
        )
    };
    (st, c)
}

fn ffi_options(base_url: &str, timeout_ms: u64) -> CString {
    CString::new(format!(
        r#"{{"base_url":"{base_url}","proxy":"","timeout_ms":{timeout_ms},"max_response_bytes":1048576}}"#
    ))
    .unwrap()
}

/// Every C entry point that reports, on a client `c` (which may be NULL).
fn ffi_every_call(c: *const jc_client) -> Vec<(&'static str, FfiOut)> {
    let mut calls = ffi_entry_calls(c);
    calls.extend(ffi_every_method_call(c));
    calls
}

/// The entry points other than the per-method functions.
fn ffi_entry_calls(c: *const jc_client) -> Vec<(&'static str, FfiOut)> {
    // SAFETY (all below): `c` is NULL or a live client; strings are valid.
    unsafe {
        vec![
            (
                "jc_delete_order",
                ffi_run(|o| ffi::jc_delete_order(c, c"1111".as_ptr(), o)),
            ),
            (
                "jc_update_order_status",
                ffi_run(|o| {
                    ffi::jc_update_order_status(
                        c,
                        c"100000".as_ptr(),
                        c"sent".as_ptr(),
                        1362254400,
                        c"1".as_ptr(),
                        o,
                    )
                }),
            ),
            (
                "jc_get_bills",
                ffi_run(|o| {
                    ffi::jc_get_bills(c, c"client@example.com".as_ptr(), std::ptr::null(), o)
                }),
            ),
            (
                "jc_update_good",
                ffi_run(|o| ffi::jc_update_good(c, c"{\"good_name\":\"oplata\"}".as_ptr(), o)),
            ),
            (
                "jc_call",
                ffi_run(|o| {
                    ffi::jc_call(
                        c,
                        c"AddLeadToGroup".as_ptr(),
                        c"{\"rid\":\"1\",\"lead_email\":\"a@example.com\"}".as_ptr(),
                        o,
                    )
                }),
            ),
            (
                "jc_call_batch",
                ffi_run(|o| {
                    ffi::jc_call_batch(
                        c,
                        c"[{\"method\":\"GetAllGoods\"},{\"method\":\"Bad Name\"},{\"method\":\"DeleteOrder\",\"params\":{\"bill_id\":\"\"}}]"
                            .as_ptr(),
                        2,
                        o,
                    )
                }),
            ),
        ]
    }
}

/// The per-method functions (`jc_<snake>`, each with parameters the
/// sandbox accepts) and `jc_verify_notification` with a payment whose hash
/// is wrong: computing the expected hashes handles the secret.
fn ffi_every_method_call(c: *const jc_client) -> Vec<(&'static str, FfiOut)> {
    type MethodFn =
        unsafe extern "C" fn(*const jc_client, *const c_char, *mut *mut c_char) -> jc_status;
    let methods: [(&'static str, MethodFn, &CStr); 16] = [
        (
            "jc_add_lead_to_group",
            ffi::jc_add_lead_to_group,
            c"{\"rid\":[\"second\"],\"lead_email\":\"a@example.com\"}",
        ),
        (
            "jc_update_subscriber_data",
            ffi::jc_update_subscriber_data,
            c"{\"lead_email\":\"client@example.com\",\"lead_name\":\"C\"}",
        ),
        (
            "jc_delete_subscribe",
            ffi::jc_delete_subscribe,
            c"{\"lead_email\":\"client@example.com\",\"rass_name\":\"super\"}",
        ),
        (
            "jc_get_lead_group_statuses",
            ffi::jc_get_lead_group_statuses,
            c"{\"email\":\"client@example.com\"}",
        ),
        (
            "jc_get_lead_groups",
            ffi::jc_get_lead_groups,
            c"{\"email\":\"client@example.com\"}",
        ),
        ("jc_get_all_groups", ffi::jc_get_all_groups, c"{}"),
        (
            "jc_get_count_subscribe",
            ffi::jc_get_count_subscribe,
            c"{\"group_name\":\"all\"}",
        ),
        (
            "jc_create_order",
            ffi::jc_create_order,
            c"{\"goods\":[{\"good_name\":\"sales\"}],\"bill_email\":\"a@example.com\"}",
        ),
        (
            "jc_get_order_details",
            ffi::jc_get_order_details,
            c"{\"bill_id\":1111}",
        ),
        ("jc_get_order_info", ffi::jc_get_order_info, c"{\"bill_id\":1111}"),
        (
            "jc_get_orders_with_goods",
            ffi::jc_get_orders_with_goods,
            c"{\"begin_date\":\"01.03.2013\",\"end_date\":\"03.03.2013\"}",
        ),
        ("jc_get_orders", ffi::jc_get_orders, c"{}"),
        (
            "jc_add_good",
            ffi::jc_add_good,
            c"{\"good_name\":\"secret_test\",\"good_type\":\"0\",\"good_title\":\"T\",\"good_sum\":1}",
        ),
        (
            "jc_delete_good",
            ffi::jc_delete_good,
            c"{\"good_name\":\"secret_test\"}",
        ),
        ("jc_get_all_goods", ffi::jc_get_all_goods, c"{}"),
        (
            "jc_get_partner_stats",
            ffi::jc_get_partner_stats,
            c"{\"partner\":\"partner1\"}",
        ),
    ];
    let mut calls: Vec<(&'static str, FfiOut)> = methods
        .into_iter()
        // SAFETY: `c` is NULL or a live client; the parameters are valid strings.
        .map(|(name, f, params)| (name, ffi_run(|o| unsafe { f(c, params.as_ptr(), o) })))
        .collect();
    let body = b"id=7&email=a%40example.com&paid=1700000000&hash=0123456789abcdef0123456789abcdef";
    calls.push((
        "jc_verify_notification",
        // SAFETY: as above; `body` is `body.len()` readable bytes.
        ffi_run(|o| unsafe { ffi::jc_verify_notification(c, body.as_ptr().cast(), body.len(), o) }),
    ));
    calls
}

// ---------------------------------------------------------------------------

/// Drives every error kind and every output surface with `EMIT_SECRET`.
/// Also run as a child process by `nothing_reaches_stderr_or_stdout`.
#[test]
fn every_emitted_string_is_free_of_the_secret() {
    let mut out = Emitted::default();
    let sb = emit_sandbox();
    let base = sb.base_url();
    let c = Client::new(
        LOGIN,
        EMIT_SECRET,
        emit_options(&base, Duration::from_secs(5)),
    )
    .unwrap();

    // Display and Debug of the public types.
    out.add("Client Debug", format!("{c:?}"));
    out.add("Client Debug, pretty", format!("{c:#?}"));
    out.add(
        "Options Debug",
        format!("{:?}", emit_options(&base, Duration::from_secs(5))),
    );
    let s = Secret::new(EMIT_SECRET.as_bytes());
    out.add("Secret Debug", format!("{s:?}"));
    out.add("Secret Debug, pretty", format!("{s:#?}"));
    out.add("Secret clone Debug", format!("{:?}", s.clone()));
    assert_eq!(format!("{s:?}"), "Secret(***)");

    // Successes (and the wire: the last body and user agent the sandbox saw).
    for (name, r) in every_call(&c) {
        out.outcome(name, &r);
        r.unwrap_or_else(|e| panic!("{name}: {e}"));
        let st = sb.stats();
        out.add(format!("{name} request body on the wire"), st.last_body);
        out.add(format!("{name} user agent on the wire"), st.last_user_agent);
    }

    // Every fault mode of the sandbox, through the Rust API and the C ABI.
    let fast = Client::new(
        LOGIN,
        EMIT_SECRET,
        emit_options(&base, Duration::from_millis(700)),
    )
    .unwrap();
    let opts = ffi_options(&base, 700);
    let (st, fc) = ffi_new(
        c"demo",
        c"EmitSecret-4f1d9b2c7a6e0358-WombatLynx%!",
        Some(&opts),
    );
    assert_eq!(st, jc_status::JC_OK);
    let mut statuses = std::collections::BTreeSet::new();
    for (name, mode) in Fault::ALL {
        sb.set_fault(FaultConfig {
            mode: *mode,
            rate: if *mode == Fault::Storm { 0.5 } else { 1.0 },
            stall: Duration::from_millis(1200),
            ..FaultConfig::default()
        });
        for (call, r) in every_call(&fast) {
            out.outcome(&format!("fault {name}: {call}"), &r);
        }
        // Modes that only delay answers skip the per-method functions: their
        // timeout path is the other entry points', and 17 more timed-out
        // calls per such mode would double this test's time.
        let calls = if matches!(mode, Fault::Slow | Fault::Stall) {
            ffi_entry_calls(fc)
        } else {
            ffi_every_call(fc)
        };
        for (call, o) in calls {
            statuses.insert(o.status as u32);
            out.add(
                format!("fault {name}: {call} JSON"),
                o.doc.unwrap_or_default(),
            );
            out.add(format!("fault {name}: {call} last error"), o.last_error);
        }
        sb.reset();
    }
    sb.set_fault(FaultConfig::default());

    // A missing order and a customer without orders: signed API errors.
    let e = c.delete_order("999999").unwrap_err();
    out.error("API error 200", &e);
    let e = c.get_bills("nobody@example.com", None).unwrap_err();
    out.error("API error 400", &e);
    // A wrong secret on our side: the service says "incorrect hash" (signed
    // with its secret, so we see a bad signature).
    let wrong = Client::new(
        LOGIN,
        "not-the-secret",
        emit_options(&base, Duration::from_secs(5)),
    )
    .unwrap();
    out.outcome("wrong secret", &wrong.delete_order("1111"));

    // Transport: refused, TLS refused.
    let refused = Client::new(
        LOGIN,
        EMIT_SECRET,
        emit_options("http://127.0.0.1:1", Duration::from_secs(2)),
    )
    .unwrap();
    out.outcome("connection refused", &refused.delete_order("1"));
    let tls = tls_sandbox();
    let tls_client = Client::new(
        LOGIN,
        EMIT_SECRET,
        emit_options(&tls.base_url(), Duration::from_secs(5)),
    )
    .unwrap();
    out.outcome("TLS refused", &tls_client.delete_order("1"));

    // Validation errors: construction.
    let bad_new: Vec<(&str, justclick::Result<Client>)> = vec![
        (
            "bad login",
            Client::new("evil.com/x?", EMIT_SECRET, Options::default()),
        ),
        (
            "empty login",
            Client::new("", EMIT_SECRET, Options::default()),
        ),
        (
            "secret with a newline",
            Client::new(LOGIN, &format!("{EMIT_SECRET}\n"), Options::default()),
        ),
        (
            "secret with a NUL",
            Client::new(LOGIN, &format!("{EMIT_SECRET}\0"), Options::default()),
        ),
        (
            "secret too long",
            Client::new(LOGIN, &EMIT_SECRET.repeat(200), Options::default()),
        ),
        (
            "bad base_url",
            Client::new(
                LOGIN,
                EMIT_SECRET,
                Options {
                    base_url: Some("ftp://x".into()),
                    ..Options::default()
                },
            ),
        ),
        (
            "missing ca_file",
            Client::new(
                LOGIN,
                EMIT_SECRET,
                Options {
                    ca_file: Some("/nonexistent/ca.pem".into()),
                    ..Options::default()
                },
            ),
        ),
        (
            "bad proxy",
            Client::new(
                LOGIN,
                EMIT_SECRET,
                Options {
                    proxy: ProxySetting::Url("::not a url::".into()),
                    ..Options::default()
                },
            ),
        ),
        (
            "bad user agent",
            Client::new(
                LOGIN,
                EMIT_SECRET,
                Options {
                    user_agent: "a\r\nb".into(),
                    ..Options::default()
                },
            ),
        ),
    ];
    for (label, r) in &bad_new {
        let e = r.as_ref().expect_err(label);
        out.error(label, e);
    }
    for json in [
        r#"{"timeout":1}"#,
        r#"{"timeout_ms":"x"}"#,
        r#"{"max_response_bytes":0}"#,
        r#"{"a":"#,
    ] {
        out.error(json, &Options::from_json(Some(json)).unwrap_err());
    }

    // Validation errors: every endpoint rule.
    let deep = (0..40).fold(Value::Str("x".into()), |v, _| Value::List(vec![v]));
    let invalid: Vec<(&str, justclick::Result<justclick::Response>)> = vec![
        ("empty bill_id", c.delete_order("")),
        (
            "sent without date",
            c.update_order_status("1", OrderStatus::Sent, None, Some("1")),
        ),
        (
            "sent without rpo",
            c.update_order_status("1", OrderStatus::Sent, Some(1), None),
        ),
        (
            "paid without date",
            c.update_order_status("1", OrderStatus::Paid, None, None),
        ),
        ("bad email", c.get_bills("not-an-email", None)),
        ("empty good_name", c.update_good(&Good::new(""))),
        ("bad method", c.call("Bad Method", &Params::new())),
        ("dotted key", c.call("X", &Params::new().with("a.b", 1))),
        ("reserved key", c.call("X", &Params::new().with("hash", 1))),
        (
            "duplicate key",
            c.call("X", &Params::new().with("a", 1).with("a", 2)),
        ),
        ("too deep", c.call("X", &Params::new().with("a", deep))),
        (
            "too large",
            c.call("X", &Params::new().with("a", "x".repeat(9 << 20))),
        ),
        (
            "NaN",
            c.call("X", &Params::new().with("a", Value::Float(f64::NAN))),
        ),
    ];
    for (label, r) in &invalid {
        out.outcome(label, r);
        assert!(r.is_err(), "{label}");
    }
    for json in [
        r#"{"good_name":"x","good_partner_sl_link":"y"}"#,
        r#"{"good_name":"x","good_post_service":"dhl"}"#,
        r#"{"good_name":"x","good_only_countries":"1, 2"}"#,
        r#"{"good_title":"x"}"#,
    ] {
        let e = Good::from_json(json)
            .and_then(|g| g.to_params())
            .unwrap_err();
        out.error(json, &e);
    }
    for (label, r) in [
        ("concurrency 0", c.call_batch(&[], 0)),
        ("concurrency 65", c.call_batch(&[], 65)),
        (
            "batch too large",
            c.call_batch(
                &vec![BatchCall::new("GetAllGoods", Params::new()); 10_001],
                1,
            ),
        ),
    ] {
        out.error(label, &r.unwrap_err());
    }
    for json in [
        r#"{"method":"x"}"#,
        r#"[{"params":{}}]"#,
        r#"[{"method":1}]"#,
    ] {
        out.error(json, &BatchCall::list_from_json(json).unwrap_err());
    }
    for s in ["shipped", ""] {
        out.error(s, &s.parse::<OrderStatus>().unwrap_err());
        out.error(s, &s.parse::<PayStatus>().unwrap_err());
    }

    // The C ABI: construction failures, NULLs, bad UTF-8, every status.
    let emit_c = c"EmitSecret-4f1d9b2c7a6e0358-WombatLynx%!";
    for (label, login, options) in [
        ("jc_client_new bad login", c"evil.com/x?", None),
        ("jc_client_new bad options", c"demo", Some(c"{\"bogus\":1}")),
        ("jc_client_new bad JSON", c"demo", Some(c"{\"timeout_ms\":")),
        (
            "jc_client_new bad ca_file",
            c"demo",
            Some(c"{\"ca_file\":\"/nonexistent\"}"),
        ),
    ] {
        let (st, p) = ffi_new(login, emit_c, options);
        assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT, "{label}");
        assert!(p.is_null());
        out.add(label, last_error());
    }
    let mut bad_utf8 = EMIT_SECRET.as_bytes().to_vec();
    bad_utf8.extend_from_slice(b"\xff\0");
    let mut p: *mut jc_client = std::ptr::null_mut();
    // SAFETY: NUL-terminated buffers and a valid out-pointer.
    let st = unsafe {
        ffi::jc_client_new(
            c"demo".as_ptr(),
            bad_utf8.as_ptr().cast(),
            std::ptr::null(),
            &mut p,
        )
    };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    out.add("jc_client_new secret not UTF-8", last_error());
    // SAFETY: NULL secret is allowed by the contract and reported.
    let st =
        unsafe { ffi::jc_client_new(c"demo".as_ptr(), std::ptr::null(), std::ptr::null(), &mut p) };
    assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
    out.add("jc_client_new NULL secret", last_error());
    for (call, o) in ffi_every_call(std::ptr::null()) {
        statuses.insert(o.status as u32);
        out.add(
            format!("NULL client: {call} JSON"),
            o.doc.unwrap_or_default(),
        );
        out.add(format!("NULL client: {call} last error"), o.last_error);
    }
    for (call, o) in ffi_every_call(fc) {
        statuses.insert(o.status as u32);
        out.add(format!("ok: {call} JSON"), o.doc.unwrap_or_default());
        out.add(format!("ok: {call} last error"), o.last_error);
    }
    // SAFETY: a live client and valid strings.
    let bad = unsafe {
        [
            ffi_run(|o| ffi::jc_delete_order(fc, std::ptr::null(), o)),
            ffi_run(|o| {
                ffi::jc_update_order_status(
                    fc,
                    c"1".as_ptr(),
                    c"shipped".as_ptr(),
                    0,
                    std::ptr::null(),
                    o,
                )
            }),
            ffi_run(|o| ffi::jc_get_bills(fc, c"x@example.com".as_ptr(), c"later".as_ptr(), o)),
            ffi_run(|o| ffi::jc_update_good(fc, c"{\"good_name\":1}".as_ptr(), o)),
            ffi_run(|o| ffi::jc_call(fc, c"M".as_ptr(), c"[1]".as_ptr(), o)),
            ffi_run(|o| ffi::jc_call_batch(fc, c"{}".as_ptr(), 1, o)),
            ffi_run(|o| ffi::jc_call_batch(fc, c"[]".as_ptr(), 0, o)),
            ffi_run(|o| ffi::jc_delete_order(fc, c"999999".as_ptr(), o)),
            // The panic boundary's message, from the copy with the test
            // hook (the library linked here has none).
            {
                let h = common::hooks::hooks();
                let mut out: *mut c_char = std::ptr::null_mut();
                let status = (h.jc_test_panic)(&mut out);
                let last_error = h.last_error();
                FfiOut {
                    status,
                    doc: h.take(out),
                    last_error,
                }
            },
        ]
    };
    for (i, o) in bad.into_iter().enumerate() {
        statuses.insert(o.status as u32);
        out.add(format!("C ABI error #{i} JSON"), o.doc.unwrap_or_default());
        out.add(format!("C ABI error #{i} last error"), o.last_error);
    }
    // SAFETY: created above, freed once, no other user.
    unsafe { ffi::jc_client_free(fc) };

    // Every status of the C ABI was produced at least once.
    let all: std::collections::BTreeSet<u32> = (0..=9).collect();
    assert_eq!(statuses, all, "statuses seen");
    let n = out.check(EMIT_SECRET);
    eprintln!("checked {n} emitted strings for the secret");
    assert!(n > 500, "{n}");
}

/// The library prints nothing, and the panic boundary keeps panics off
/// stderr: the test above, run in a child process, writes no secret and no
/// panic message to either stream.
#[test]
fn nothing_reaches_stderr_or_stdout() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "every_emitted_string_is_free_of_the_secret",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child failed:\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(
            leak_in(text, EMIT_SECRET).is_none(),
            "the secret reached {name}:\n{text}"
        );
        assert!(!text.contains("deliberate test panic"), "{name}:\n{text}");
        assert!(!text.contains("panicked"), "{name}:\n{text}");
    }
    // What the child wrote is only the harness and the test's own summary.
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("checked ") && l.ends_with("emitted strings for the secret")),
        "unexpected stderr output:\n{stderr}"
    );
}

/// A recording server: every request's raw bytes (head and body).
#[test]
fn nothing_on_the_wire_carries_the_secret() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let seen2 = seen.clone();
    thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
            // Read until the peer pauses: the whole request has arrived.
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
            }
            seen2.lock().unwrap().push(raw);
            let _ =
                s.write_all(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let c = Client::new(
        LOGIN,
        EMIT_SECRET,
        emit_options(&base, Duration::from_secs(5)),
    )
    .unwrap();
    let calls = every_call(&c);
    assert!(calls.iter().all(|(_, r)| r.is_err()));
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 5);
    let mut out = Emitted::default();
    for (i, raw) in requests.iter().enumerate() {
        let text = String::from_utf8_lossy(raw).into_owned();
        assert!(text.contains("&hash=") || text.contains("hash="), "{text}");
        out.add(format!("request #{i} on the wire"), text);
    }
    out.check(EMIT_SECRET);
}

// ---------------------------------------------------------------------------
// Memory: scan every freed block while armed.

static ARMED: AtomicBool = AtomicBool::new(false);
static SCANNED_BLOCKS: AtomicU64 = AtomicU64::new(0);
static SCANNED_BYTES: AtomicU64 = AtomicU64::new(0);
static HITS: AtomicU64 = AtomicU64::new(0);

/// Up to 16 hits: (block size, offset of the piece, which piece).
static HIT_LOG: Mutex<[(usize, usize, usize); 16]> = Mutex::new([(0, 0, 0); 16]);

/// Which byte values occur in the secret.
const IN_SECRET: [bool; 256] = {
    let mut t = [false; 256];
    let b = MEM_SECRET.as_bytes();
    let mut i = 0;
    while i < b.len() {
        t[b[i] as usize] = true;
        i += 1;
    }
    t
};

/// Where in the secret a 12-byte piece at `p` starts, if it is one.
///
/// SAFETY: `p` is valid for reads of WINDOW bytes.
unsafe fn piece_at(p: *const u8) -> Option<usize> {
    let needle = MEM_SECRET.as_bytes();
    let mut w = [0u8; WINDOW];
    for (i, b) in w.iter_mut().enumerate() {
        // Volatile: freed blocks may hold bytes never written by Rust.
        *b = p.add(i).read_volatile();
    }
    let found = needle.windows(WINDOW).position(|n| n == w);
    // Do not leave the piece on the stack.
    for b in w.iter_mut() {
        std::ptr::write_volatile(b, 0);
    }
    found
}

/// Scans a block about to be freed; records a hit per block.
///
/// SAFETY: `ptr` is valid for reads of `size` bytes.
unsafe fn scan(ptr: *const u8, size: usize) {
    SCANNED_BLOCKS.fetch_add(1, Ordering::Relaxed);
    SCANNED_BYTES.fetch_add(size as u64, Ordering::Relaxed);
    if size < WINDOW {
        return;
    }
    for i in 0..=size - WINDOW {
        // Cheap filter: the byte must occur in the secret at all.
        let b = ptr.add(i).read_volatile();
        if !IN_SECRET[b as usize] {
            continue;
        }
        if let Some(piece) = piece_at(ptr.add(i)) {
            let n = HITS.fetch_add(1, Ordering::SeqCst) as usize;
            if n < 16 {
                if let Ok(mut log) = HIT_LOG.lock() {
                    log[n] = (size, i, piece);
                }
            }
            return;
        }
    }
}

struct Scanning;

// SAFETY: forwards to the system allocator; the scan only reads the block
// being freed, before it is freed, and allocates nothing.
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            scan(ptr, layout.size());
        }
        System.dealloc(ptr, layout)
    }
    // realloc is the default (alloc, copy, dealloc), so the old block of a
    // growing buffer is scanned too.
}

#[global_allocator]
static ALLOC: Scanning = Scanning;

/// The memory test's sandbox: a child process that reads `MEM_SECRET` from a
/// file through the shell, so no copy of it is made on this process's heap
/// (std's `Command::env` would copy it into heap strings).
struct MemSandbox {
    child: Child,
    base_url: String,
}

impl MemSandbox {
    fn start() -> MemSandbox {
        let dir = std::env::temp_dir().join(format!("justclick-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, MEM_SECRET.as_bytes()).unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(
                "JUSTCLICK_SANDBOX_SECRET=$(cat \"$1\"); export JUSTCLICK_SANDBOX_SECRET; \
                 exec \"$0\" --port 0 --login demo --exit-on-stdin-eof",
            )
            .arg(common::c::sandbox_bin())
            .arg(&file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let base_url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("sandbox said {line:?}"))
            .to_owned();
        MemSandbox { child, base_url }
    }

    /// POSTs to an admin endpoint (no secret involved).
    fn admin(&self, path: &str, body: &str) {
        let addr = self.base_url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply)
            .unwrap_or_else(|e| panic!("sandbox admin {path} did not answer: {e}"));
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
}

impl Drop for MemSandbox {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn mem_options(base_url: &str) -> Options {
    Options {
        base_url: Some(base_url.to_owned()),
        proxy: ProxySetting::Direct,
        timeout: Duration::from_secs(5),
        ..Options::default()
    }
}

/// Everything that touches the secret: the Rust API shared by threads, a
/// batch, error paths, the C ABI, failed construction, the signing API.
fn use_the_secret_everywhere(sb: &MemSandbox, round: usize) {
    let opts_c = ffi_options(&sb.base_url, 5000);
    // The Rust API, shared by threads.
    let c = Client::new(LOGIN, MEM_SECRET, mem_options(&sb.base_url)).unwrap();
    sb.admin("/__sandbox/reset", "");
    for (name, r) in every_call(&c) {
        r.unwrap_or_else(|e| panic!("round {round}: {name}: {e}"));
    }
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5 {
                    c.get_bills("client@example.com", None).unwrap();
                    let _ = every_call(&c);
                }
            });
        }
    });
    let calls: Vec<BatchCall> = (0..20)
        .map(|_| BatchCall::new("GetAllGoods", Params::new()))
        .collect();
    assert!(c.call_batch(&calls, 8).unwrap().iter().all(Result::is_ok));
    // Faults: the error paths handle the secret too.
    for mode in [
        "wrong-hash",
        "http500",
        "close",
        "truncate",
        "non-json",
        "rate-limit",
    ] {
        sb.admin("/__sandbox/fault", &format!("mode={mode}"));
        for (_, r) in every_call(&c) {
            assert!(r.is_err(), "{mode}");
        }
    }
    sb.admin("/__sandbox/fault", "mode=none");
    drop(c);

    // The C ABI.
    let (st, fc) = ffi_new(c"demo", MEM_SECRET_C, Some(&opts_c));
    assert_eq!(st, jc_status::JC_OK);
    for (call, o) in ffi_every_call(fc) {
        assert!(o.doc.is_some(), "{call}");
    }
    // SAFETY: created above, freed once.
    unsafe { ffi::jc_client_free(fc) };

    // Construction that fails after the secret was checked.
    assert!(Client::new(
        LOGIN,
        MEM_SECRET,
        Options {
            ca_file: Some("/nonexistent.pem".into()),
            ..Options::default()
        }
    )
    .is_err());
    let (st, _) = ffi_new(c"demo", MEM_SECRET_C, Some(c"{\"bogus\":1}"));
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);

    // The signing API on its own.
    let s = Secret::new(MEM_SECRET.as_bytes());
    let s2 = s.clone();
    let h = response_hash("0", "OK", &s2);
    assert!(verify_response(
        "0",
        "OK",
        std::str::from_utf8(&h).unwrap(),
        &s
    ));
    let _ = request_hash(b"bill_id=1", LOGIN, &s);
    drop((s, s2));

    // A persistent client: the pool key's digest of the secret is computed
    // on this stack too. (Its pool outlives the handle, so it is not freed.)
    let p = Options {
        persistent: true,
        ..mem_options(&sb.base_url)
    };
    let pc = Client::new(LOGIN, MEM_SECRET, p.clone()).unwrap();
    pc.get_bills("client@example.com", None).unwrap();
    // Again, without a call after it (no md5 wipes the stack then).
    drop(Client::new(LOGIN, MEM_SECRET, p).unwrap());
    drop(pc);
}

/// Clients made, used from several threads and through every path, and
/// dropped: no freed block ever held a piece of the secret.
#[test]
fn secret_is_wiped_before_memory_is_freed() {
    let sb = MemSandbox::start();

    ARMED.store(true, Ordering::SeqCst);
    // Positive control: an unwiped copy is found.
    drop(std::hint::black_box(MEM_SECRET.as_bytes()[..20].to_vec()));
    let control = HITS.swap(0, Ordering::SeqCst);

    for round in 0..3 {
        use_the_secret_everywhere(&sb, round);
    }
    ARMED.store(false, Ordering::SeqCst);

    let hits = HITS.load(Ordering::SeqCst);
    let log = *HIT_LOG.lock().unwrap();
    eprintln!(
        "scanned {} freed blocks ({} KiB) for the secret: {hits} held a piece of it",
        SCANNED_BLOCKS.load(Ordering::SeqCst),
        SCANNED_BYTES.load(Ordering::SeqCst) >> 10
    );
    assert_eq!(control, 1, "the scan does not see an unwiped copy");
    assert!(SCANNED_BLOCKS.load(Ordering::SeqCst) > 1000);
    assert_eq!(
        hits,
        0,
        "freed blocks held the secret (block size, offset, piece starting at byte): {:?}",
        &log[..(hits as usize).min(16)]
    );
}

/// Every full or partial copy (starting offset in the secret, distance below
/// the top of the stack) in the stack mapping that contains `sp`, read
/// through /proc/self/mem while its thread is parked.
fn copies_on_stack(sp: usize) -> Vec<(usize, usize)> {
    use std::os::unix::fs::FileExt;
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mem = std::fs::File::open("/proc/self/mem").unwrap();
    for line in maps.lines() {
        let range = line.split_whitespace().next().unwrap();
        let (a, b) = range.split_once('-').unwrap();
        let a = usize::from_str_radix(a, 16).unwrap();
        let b = usize::from_str_radix(b, 16).unwrap();
        if !(a <= sp && sp < b) {
            continue;
        }
        let mut stack = vec![0u8; b - a];
        mem.read_at(&mut stack, a as u64).unwrap();
        let mut copies = Vec::new();
        let mut i = 0;
        while i + WINDOW <= stack.len() {
            // Cheap filter first (a stack is mostly zeros): the byte must
            // occur in the secret at all.
            if !IN_SECRET[stack[i] as usize] {
                i += 1;
                continue;
            }
            // SAFETY: i + WINDOW <= len.
            match unsafe { piece_at(stack.as_ptr().add(i)) } {
                Some(piece) => {
                    copies.push((piece, b - (a + i)));
                    i += WINDOW;
                }
                None => i += 1,
            }
        }
        stack.fill(0);
        std::hint::black_box(&stack);
        return copies;
    }
    panic!("no mapping holds {sp:#x}");
}

/// After a thread has used a client (Rust API and C ABI) and freed it, no
/// copy of the secret is left in that thread's stack memory: the md5
/// computations' temporaries must be wiped, not only the heap.
#[test]
fn no_copy_of_the_secret_stays_on_the_callers_stack() {
    let sb = MemSandbox::start();
    let (parked_tx, parked_rx) = std::sync::mpsc::channel::<usize>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let sbr = &sb;
    let copies = thread::scope(|s| {
        // glibc hands the stack of a finished thread to the next thread of
        // the same size, and other tests here put the secret on their
        // stacks: an unusual size gets a fresh, zeroed mapping.
        thread::Builder::new()
            .stack_size((6 << 20) + 3 * 4096)
            .spawn_scoped(s, move || {
                use_the_secret_everywhere(sbr, 0);
                let here = 0u8;
                parked_tx
                    .send(std::hint::black_box(&here) as *const u8 as usize)
                    .unwrap();
                go_rx.recv().unwrap();
            })
            .unwrap();
        let copies = copies_on_stack(parked_rx.recv().unwrap());
        go_tx.send(()).unwrap();
        copies
    });
    assert!(
        copies.is_empty(),
        "{} piece(s) of the secret remain on the caller's stack after the client was freed \
         (piece starting at byte N of the secret, bytes below the stack top): {copies:?}",
        copies.len()
    );
}

/// The detectors of this file find what they look for.
#[test]
fn leak_detectors_find_every_form() {
    let pct = justclick::encode(&Params::new().with("s", EMIT_SECRET)).unwrap();
    for text in [
        format!("x{EMIT_SECRET}y"),
        EMIT_SECRET[10..30].to_owned(),
        pct,
        format!("{:?}", EMIT_SECRET.as_bytes()),
        EMIT_SECRET.bytes().map(|b| format!("{b:02x}")).collect(),
    ] {
        assert!(leak_in(&text, EMIT_SECRET).is_some(), "{text}");
    }
    assert!(leak_in(&EMIT_SECRET[..11], EMIT_SECRET).is_none());
    assert!(leak_in("Secret(***)", EMIT_SECRET).is_none());
    // The stack scan sees a copy held by a parked thread.
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let t = thread::spawn(move || {
        let mut copy = [0u8; 40];
        copy.copy_from_slice(MEM_SECRET.as_bytes());
        tx.send(std::hint::black_box(&copy) as *const u8 as usize)
            .unwrap();
        go_rx.recv().unwrap();
        // Wipe the control copy (this stack will serve another thread).
        for b in copy.iter_mut() {
            // SAFETY: a valid, exclusive reference.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
        std::hint::black_box(&copy);
    });
    let found = copies_on_stack(rx.recv().unwrap());
    go_tx.send(()).unwrap();
    t.join().unwrap();
    assert!(!found.is_empty());
}

/// Stack pointers of this process's threads named `name`, each read from
/// /proc/self/task/TID/syscall while the thread is blocked in a system call
/// (a running thread has no stable stack pointer; it is asked again).
fn blocked_threads_sps(name: &str) -> Vec<usize> {
    let mut sps = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let dir = task.unwrap().path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end() != name {
            continue;
        }
        for _ in 0..1000 {
            // "NR arg1 .. arg6 SP PC", or "running".
            let Ok(line) = std::fs::read_to_string(dir.join("syscall")) else {
                break; // the thread has ended
            };
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() == 9 {
                let sp = fields[7].trim_start_matches("0x");
                sps.push(usize::from_str_radix(sp, 16).unwrap());
                break;
            }
            thread::sleep(Duration::from_millis(1));
        }
    }
    sps
}

/// A GET on the memory sandbox's admin endpoints: the body of the answer.
fn mem_sandbox_get(sb: &MemSandbox, path: &str) -> String {
    let addr = sb.base_url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    reply.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// Batch workers sign on their own stacks, not the caller's: while every
/// worker of a batch waits for its (delayed) answer, after it has signed,
/// and after the workers of an earlier batch (whose stacks glibc hands to
/// the new ones) signed and verified many calls, no worker's stack holds a
/// copy of the secret. Run in a child process (`--exact`, one test thread)
/// so that no other test's threads share the stacks or the thread name.
#[test]
fn no_copy_of_the_secret_stays_on_batch_workers_stacks() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "batch_worker_stacks_in_a_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child failed:\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

/// The body of the test above; `#[ignore]` keeps it out of the shared run.
#[test]
#[ignore = "run by no_copy_of_the_secret_stays_on_batch_workers_stacks in a child process"]
fn batch_worker_stacks_in_a_child() {
    const WORKERS: usize = 8;
    // Positive control: a thread of that name holding a copy is found.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let control = thread::Builder::new()
        .name("justclick-batch".into())
        .spawn(move || {
            let mut copy = [0u8; 40];
            copy.copy_from_slice(MEM_SECRET.as_bytes());
            std::hint::black_box(&copy);
            tx.send(()).unwrap();
            go_rx.recv().unwrap();
            for b in copy.iter_mut() {
                // SAFETY: a valid, exclusive reference.
                unsafe { std::ptr::write_volatile(b, 0) };
            }
            std::hint::black_box(&copy);
        })
        .unwrap();
    rx.recv().unwrap();
    let found: Vec<_> = blocked_threads_sps("justclick-batch")
        .into_iter()
        .flat_map(copies_on_stack)
        .collect();
    go_tx.send(()).unwrap();
    control.join().unwrap();
    assert!(
        !found.is_empty(),
        "the scan misses a copy on a named thread"
    );

    let sb = MemSandbox::start();
    let c = Client::new(LOGIN, MEM_SECRET, mem_options(&sb.base_url)).unwrap();
    // Earlier workers: many calls signed and answers verified, then ended.
    let calls: Vec<BatchCall> = (0..64)
        .map(|_| BatchCall::new("GetAllGoods", Params::new()))
        .collect();
    assert!(c
        .call_batch(&calls, WORKERS)
        .unwrap()
        .iter()
        .all(Result::is_ok));

    // Now every worker signs one call and waits for its answer.
    sb.admin("/__sandbox/reset", "");
    sb.admin("/__sandbox/fault", "mode=none&delay_ms=3000");
    let calls = &calls[..WORKERS];
    let (copies, scanned) = thread::scope(|s| {
        let batch = s.spawn(|| c.call_batch(calls, WORKERS).unwrap());
        // The sandbox counts a request before it delays the answer: once it
        // has all of them, every worker has signed and sent its call.
        loop {
            let stats = mem_sandbox_get(&sb, "/__sandbox/stats");
            let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
            if stats["requests"].as_u64().unwrap() >= WORKERS as u64 {
                break;
            }
            assert!(!batch.is_finished(), "the batch ended before the scan");
            thread::sleep(Duration::from_millis(10));
        }
        let sps = blocked_threads_sps("justclick-batch");
        let copies: Vec<_> = sps.iter().flat_map(|&sp| copies_on_stack(sp)).collect();
        let results = batch.join().unwrap();
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        (copies, sps.len())
    });
    sb.admin("/__sandbox/fault", "mode=none&delay_ms=0");
    drop(c);
    assert_eq!(scanned, WORKERS, "not every worker was scanned");
    assert!(
        copies.is_empty(),
        "{} piece(s) of the secret remain on batch workers' stacks \
         (piece starting at byte N of the secret, bytes below the stack top): {copies:?}",
        copies.len()
    );
}
