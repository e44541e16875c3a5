//! Unit tests of the C boundary that need its internals.

use std::ffi::{c_char, CStr};

use serde_json::Value as Json;

use super::batch::write_slot;
use super::boundary::{with_document, Failure};
use super::document::write_outcome;
use super::*;
use crate::error::Error;
use crate::response::Response;

#[test]
fn documents_are_built_inside_the_boundary() {
    let ok = || {
        Ok(Response {
            error_text: "OK".into(),
            result: None,
            outcome: None,
        })
    };
    super::document::panic_in_next_document();
    let mut out: *mut c_char = std::ptr::null_mut();
    let st = unsafe { with_document("jc_doc_test", &mut out, ok) };
    assert_eq!(
        st,
        jc_status::JC_ERR_PANIC,
        "the status agrees with the document"
    );
    let doc: Json = serde_json::from_str(&take(out)).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["status"], "panic");
    assert!(last_error().contains("deliberate panic while writing"));
    // A slot of a batch whose document fails becomes a panic document.
    let mut doc = b"[".to_vec();
    super::document::panic_in_next_document();
    let slot = crate::guard::catch(|| write_slot(&mut doc, &ok()));
    assert!(slot.is_err(), "the hook fired");
    assert_eq!(
        unsafe { with_document("jc_doc_test", &mut out, ok) },
        jc_status::JC_OK
    );
    let doc: Json = serde_json::from_str(&take(out)).unwrap();
    assert_eq!(doc["ok"], true);
}

#[test]
fn calls_during_thread_teardown_do_not_abort() {
    use std::sync::atomic::{AtomicU32, Ordering};
    static STATUS: AtomicU32 = AtomicU32::new(u32::MAX);
    struct Late;
    impl Drop for Late {
        fn drop(&mut self) {
            // Runs after LAST_ERROR's destructor: Late was registered
            // first, and thread-local destructors run in reverse order.
            let mut out: *mut c_char = std::ptr::null_mut();
            let st = unsafe { jc_delete_order(std::ptr::null(), c"1".as_ptr(), &mut out) };
            let msg = unsafe { CStr::from_ptr(jc_last_error_message()) };
            assert!(msg.to_bytes().len() < 1000);
            unsafe { jc_string_free(out) };
            STATUS.store(st as u32, Ordering::SeqCst);
        }
    }
    thread_local! {
        static LATE: Late = const { Late };
    }
    std::thread::spawn(|| {
        LATE.with(|_| {});
        let mut out: *mut c_char = std::ptr::null_mut();
        let st = unsafe { jc_delete_order(std::ptr::null(), c"1".as_ptr(), &mut out) };
        assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
        unsafe { jc_string_free(out) };
    })
    .join()
    .unwrap();
    assert_eq!(
        STATUS.load(Ordering::SeqCst),
        jc_status::JC_ERR_NULL_ARGUMENT as u32
    );
}

fn take(p: *mut c_char) -> String {
    assert!(!p.is_null());
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
    unsafe { jc_string_free(p) };
    s
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(jc_last_error_message()) }
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn status_names_match_core_kinds() {
    for kind in [
        crate::ErrorKind::InvalidArgument,
        crate::ErrorKind::Transport,
        crate::ErrorKind::Timeout,
        crate::ErrorKind::HttpStatus,
        crate::ErrorKind::BadResponse,
        crate::ErrorKind::BadSignature,
        crate::ErrorKind::Api,
        crate::ErrorKind::Panic,
    ] {
        let status = jc_status::from_u32(kind.code()).expect("a status per core kind");
        assert_eq!(status.name(), kind.name());
    }
    let name = |n| {
        unsafe { CStr::from_ptr(jc_status_name(n)) }
            .to_str()
            .unwrap()
    };
    assert_eq!(name(0), "ok");
    assert_eq!(name(9), "panic");
    assert_eq!(name(10), "unknown");
    assert_eq!(name(u32::MAX), "unknown");
}

#[test]
fn version_matches_cargo() {
    let v = unsafe { CStr::from_ptr(jc_version()) }.to_str().unwrap();
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
}

#[test]
fn client_new_failures_leave_null_and_explain() {
    let mut c: *mut jc_client = std::ptr::dangling_mut();
    let st = unsafe {
        jc_client_new(
            c"evil.com/x?".as_ptr(),
            c"s".as_ptr(),
            std::ptr::null(),
            &mut c,
        )
    };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    assert!(c.is_null());
    assert!(last_error().contains("not a valid JustClick login"));
    let st = unsafe { jc_client_new(std::ptr::null(), c"s".as_ptr(), std::ptr::null(), &mut c) };
    assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
    assert_eq!(last_error(), "login is NULL");
    let st = unsafe {
        jc_client_new(
            c"demo".as_ptr(),
            c"s".as_ptr(),
            c"{\"bogus\":1}".as_ptr(),
            &mut c,
        )
    };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("unknown option"));
    let bad_utf8 = [b'd', 0xff, 0];
    let st = unsafe {
        jc_client_new(
            bad_utf8.as_ptr().cast(),
            c"s".as_ptr(),
            std::ptr::null(),
            &mut c,
        )
    };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    assert!(last_error().contains("login is not valid UTF-8"));
    let st = unsafe {
        jc_client_new(
            c"demo".as_ptr(),
            c"s".as_ptr(),
            std::ptr::null(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
    let st = unsafe { jc_client_new(c"demo".as_ptr(), c"s".as_ptr(), std::ptr::null(), &mut c) };
    assert_eq!(st, jc_status::JC_OK);
    assert_eq!(last_error(), "");
    unsafe { jc_client_free(c) };
}

#[test]
fn failure_documents_have_fixed_keys() {
    let mut out: *mut c_char = std::ptr::null_mut();
    let st = unsafe { jc_delete_order(std::ptr::null(), c"1".as_ptr(), &mut out) };
    assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
    assert_eq!(
        take(out),
        r#"{"ok":false,"status":"null_argument","message":"client is NULL"}"#
    );
    let mut doc = Vec::new();
    write_outcome(
        &mut doc,
        &Err(Failure::Core(Error::Api {
            code: 8,
            text: "limit".into(),
        })),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(doc).unwrap(),
        r#"{"ok":false,"status":"api","message":"JustClick API error 8: limit","error_code":8,"error_text":"limit"}"#
    );
    let mut doc = Vec::new();
    write_outcome(
        &mut doc,
        &Err(Failure::Core(Error::HttpStatus {
            status: 502,
            message: "m".into(),
        })),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(doc).unwrap(),
        r#"{"ok":false,"status":"http_status","message":"m","http_status":502}"#
    );
    let mut doc = Vec::new();
    write_outcome(
        &mut doc,
        &Ok(Response {
            error_text: "OK".into(),
            result: None,
            outcome: None,
        }),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(doc).unwrap(),
        r#"{"ok":true,"error_code":0,"error_text":"OK","result":null}"#
    );
}

#[test]
fn panics_become_a_status() {
    let mut out: *mut c_char = std::ptr::null_mut();
    let st = unsafe { jc_test_panic(&mut out) };
    assert_eq!(st, jc_status::JC_ERR_PANIC);
    let doc = take(out);
    assert!(
        doc.starts_with(
            r#"{"ok":false,"status":"panic","message":"internal error in jc_test_panic"#
        ),
        "{doc}"
    );
    assert!(last_error().contains("deliberate test panic"));
}

/// A client for offline tests: nothing listens on port 1, and none of these
/// tests gets as far as sending.
fn offline_client() -> *mut jc_client {
    let mut c: *mut jc_client = std::ptr::null_mut();
    let opts = c"{\"base_url\":\"http://127.0.0.1:1\",\"proxy\":\"\"}";
    let st = unsafe { jc_client_new(c"demo".as_ptr(), c"s3cr3t".as_ptr(), opts.as_ptr(), &mut c) };
    assert_eq!(st, jc_status::JC_OK, "{}", last_error());
    c
}

/// Calls the export of `name` (every method of the table without a
/// hand-written C signature); `None` when there is none. A `match` rather
/// than a table of function pointers, whose type tests/header.rs would take
/// for an export.
unsafe fn call_export(
    name: &str,
    c: *const jc_client,
    p: *const c_char,
    out: *mut *mut c_char,
) -> Option<jc_status> {
    Some(match name {
        "AddLeadToGroup" => jc_add_lead_to_group(c, p, out),
        "UpdateSubscriberData" => jc_update_subscriber_data(c, p, out),
        "DeleteSubscribe" => jc_delete_subscribe(c, p, out),
        "GetLeadGroupStatuses" => jc_get_lead_group_statuses(c, p, out),
        "GetLeadGroups" => jc_get_lead_groups(c, p, out),
        "GetAllGroups" => jc_get_all_groups(c, p, out),
        "GetCountSubscribe" => jc_get_count_subscribe(c, p, out),
        "CreateOrder" => jc_create_order(c, p, out),
        "getOrderDetails" => jc_get_order_details(c, p, out),
        "GetOrderInfo" => jc_get_order_info(c, p, out),
        "getOrdersWithGoods" => jc_get_orders_with_goods(c, p, out),
        "GetOrders" => jc_get_orders(c, p, out),
        "AddGood" => jc_add_good(c, p, out),
        "DeleteGood" => jc_delete_good(c, p, out),
        "GetAllGoods" => jc_get_all_goods(c, p, out),
        "GetPartnerStats" => jc_get_partner_stats(c, p, out),
        _ => return None,
    })
}

/// The table's methods that have a `jc_<snake>(client, params_json, out)`.
fn method_exports() -> impl Iterator<Item = &'static crate::api::Method> {
    crate::api::METHODS.iter().filter(|m| !m.legacy_typed)
}

#[test]
fn every_table_method_has_its_c_function() {
    let mut n = 0;
    for m in method_exports() {
        let mut out: *mut c_char = std::ptr::null_mut();
        let st = unsafe { call_export(m.name, std::ptr::null(), std::ptr::null(), &mut out) };
        assert_eq!(
            st,
            Some(jc_status::JC_ERR_NULL_ARGUMENT),
            "no jc_{} for {}",
            m.snake,
            m.name
        );
        take(out);
        n += 1;
    }
    assert_eq!(n, 16);
}

#[test]
fn method_functions_check_their_arguments_before_any_traffic() {
    let c = offline_client();
    let mut out: *mut c_char = std::ptr::null_mut();
    for m in method_exports() {
        let name = m.name;
        let f = |c: *const jc_client, p: *const c_char, out: *mut *mut c_char| unsafe {
            call_export(name, c, p, out).unwrap()
        };
        // NULL client.
        let st = f(std::ptr::null(), std::ptr::null(), &mut out);
        assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT, "{name}");
        assert!(take(out).contains("client is NULL"));
        // Malformed JSON and a non-object.
        for bad in [c"{\"rid\":", c"[1,2]", c"\"x\""] {
            let st = f(c, bad.as_ptr(), &mut out);
            assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT, "{name}");
            let doc = take(out);
            assert!(doc.contains("params_json"), "{name}: {doc}");
        }
        // An unknown parameter name is refused with the method's rules.
        let st = f(c, c"{\"no_such_param\":1}".as_ptr(), &mut out);
        assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT, "{name}");
        let doc = take(out);
        assert!(doc.contains("no_such_param"), "{name}: {doc}");
        // NULL parameters: refused when the method requires some; the
        // others get as far as the network (nothing listens: transport).
        let st = f(c, std::ptr::null(), &mut out);
        let doc = take(out);
        if let Some(p) = m.params.iter().find(|p| p.required) {
            assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT, "{name}: {doc}");
            assert!(doc.contains(p.name), "{name}: {doc}");
        } else {
            assert_eq!(st, jc_status::JC_ERR_TRANSPORT, "{name}: {doc}");
        }
    }
    // A rule of one method: a malformed e-mail.
    let st = unsafe {
        jc_add_lead_to_group(
            c,
            c"{\"rid\":[\"second\"],\"lead_email\":\"not-an-email\"}".as_ptr(),
            &mut out,
        )
    };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    assert!(take(out).contains("lead_email"));
    unsafe { jc_client_free(c) };
}

#[test]
fn outcomes_appear_in_the_success_document() {
    let mut doc = Vec::new();
    write_outcome(
        &mut doc,
        &Ok(Response {
            error_text: "Order already exist".into(),
            result: Some(serde_json::json!({"bill_id": "1111"})),
            outcome: Some(crate::Outcome::AlreadyExists {
                bill_id: "1111".into(),
            }),
        }),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(doc).unwrap(),
        r#"{"ok":true,"error_code":0,"error_text":"Order already exist","result":{"bill_id":"1111"},"outcome":"already_exists"}"#
    );
    let mut doc = Vec::new();
    write_outcome(
        &mut doc,
        &Ok(Response {
            error_text: "The subscriber is already registered".into(),
            result: None,
            outcome: Some(crate::Outcome::AlreadyRegistered),
        }),
    )
    .unwrap();
    assert!(String::from_utf8(doc)
        .unwrap()
        .ends_with(r#""result":null,"outcome":"already_registered"}"#));
}

/// The notification vectors shared with PHP (tests/data/notify_vectors.jsonl).
fn notify_vectors() -> Vec<Json> {
    include_str!("../../tests/data/notify_vectors.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn client_with_secret(secret: &str) -> *mut jc_client {
    let mut c: *mut jc_client = std::ptr::null_mut();
    let secret = std::ffi::CString::new(secret).unwrap();
    let st = unsafe { jc_client_new(c"demo".as_ptr(), secret.as_ptr(), std::ptr::null(), &mut c) };
    assert_eq!(st, jc_status::JC_OK, "{}", last_error());
    c
}

#[test]
fn verify_notification_follows_the_vectors() {
    let mut out: *mut c_char = std::ptr::null_mut();
    let mut checked = 0;
    for v in notify_vectors() {
        let name = v["name"].as_str().unwrap();
        let c = client_with_secret(v["secret"].as_str().unwrap());
        let body = v["body"].as_str().unwrap().as_bytes();
        let st = unsafe { jc_verify_notification(c, body.as_ptr().cast(), body.len(), &mut out) };
        let doc: Json = serde_json::from_str(&take(out)).unwrap();
        match v.get("error").and_then(Json::as_str) {
            Some(err) => {
                assert_eq!(doc["ok"], false, "{name}");
                assert_eq!(doc["status"], err, "{name}");
                assert_eq!(
                    unsafe { CStr::from_ptr(jc_status_name(st as u32)) }
                        .to_str()
                        .unwrap(),
                    err
                );
                assert!(!last_error().is_empty());
                assert!(!doc.to_string().contains(v["secret"].as_str().unwrap()));
            }
            None => {
                assert_eq!(st, jc_status::JC_OK, "{name}: {doc}");
                assert_eq!(doc["ok"], true);
                assert_eq!(doc["event"], v["event"], "{name}");
                assert_eq!(doc["verified"], v["verified"], "{name}");
                assert_eq!(doc["hash_rule"], v["hash_rule"], "{name}");
                assert_eq!(doc["fields"], v["fields"], "{name}");
                assert_eq!(last_error(), "");
            }
        }
        unsafe { jc_client_free(c) };
        checked += 1;
    }
    assert!(checked >= 10);
}

#[test]
fn verify_notification_checks_its_buffer() {
    let c = offline_client();
    let mut out: *mut c_char = std::ptr::null_mut();
    // NULL with length 0: an empty body, invalid.
    let st = unsafe { jc_verify_notification(c, std::ptr::null(), 0, &mut out) };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    assert!(take(out).contains("body is empty"));
    // NULL with a length: a NULL argument.
    let st = unsafe { jc_verify_notification(c, std::ptr::null(), 5, &mut out) };
    assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
    assert!(take(out).contains("body is NULL"));
    // A huge length is refused before the buffer is read (it is 1 byte).
    let st = unsafe { jc_verify_notification(c, c"x".as_ptr(), usize::MAX, &mut out) };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    assert!(take(out).contains("larger than"));
    // NULL client.
    let st = unsafe { jc_verify_notification(std::ptr::null(), c"x".as_ptr(), 1, &mut out) };
    assert_eq!(st, jc_status::JC_ERR_NULL_ARGUMENT);
    take(out);
    // The length is honoured: bytes after it (here a NUL and junk) are not
    // read, and a NUL inside it is data, not an end.
    let body = b"paid=1&id=7&email=a%40b.ru&hash=00\0junk";
    let st = unsafe { jc_verify_notification(c, body.as_ptr().cast(), 32, &mut out) };
    assert_eq!(st, jc_status::JC_ERR_BAD_SIGNATURE);
    let doc = take(out);
    assert!(doc.contains("\"status\":\"bad_signature\""), "{doc}");
    // No hash at all.
    let body = b"paid=1&id=7&email=a%40b.ru";
    let st = unsafe { jc_verify_notification(c, body.as_ptr().cast(), body.len(), &mut out) };
    assert_eq!(st, jc_status::JC_ERR_BAD_SIGNATURE);
    assert!(take(out).contains("carries no 'hash'"));
    // Not a notification.
    let body = b"foo=bar";
    let st = unsafe { jc_verify_notification(c, body.as_ptr().cast(), body.len(), &mut out) };
    assert_eq!(st, jc_status::JC_ERR_INVALID_ARGUMENT);
    take(out);
    // A correctly signed payment, hash computed here.
    let secret = crate::sign::Secret::new(b"s3cr3t");
    let hash = crate::notify::notification_hash("7", "a@b.ru", "1700000000", &secret);
    let body = format!(
        "id=7&email=a%40b.ru&paid=1700000000&hash={}",
        std::str::from_utf8(&hash).unwrap()
    );
    let st = unsafe { jc_verify_notification(c, body.as_ptr().cast(), body.len(), &mut out) };
    assert_eq!(st, jc_status::JC_OK, "{}", last_error());
    assert_eq!(
        take(out),
        r#"{"ok":true,"event":"payment","verified":true,"hash_rule":"documented","fields":{"id":"7","email":"a@b.ru","paid":"1700000000"}}"#
    );
    // Tampered: one signed byte changed.
    let tampered = body.replace("id=7", "id=8");
    let st =
        unsafe { jc_verify_notification(c, tampered.as_ptr().cast(), tampered.len(), &mut out) };
    assert_eq!(st, jc_status::JC_ERR_BAD_SIGNATURE);
    take(out);
    // A NULL out_json is allowed.
    let st = unsafe {
        jc_verify_notification(c, body.as_ptr().cast(), body.len(), std::ptr::null_mut())
    };
    assert_eq!(st, jc_status::JC_OK);
    unsafe { jc_client_free(c) };
}

/// A loopback server that answers each request (one per connection) for
/// the API method named by the last segment of its path with `answer(path)` = (error_code, error_text, result),
/// signed with `secret` as the service signs. Returns its base URL.
fn fake_service(secret: &'static str, answer: fn(&str) -> (i64, &'static str, Json)) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line
                .split(' ')
                .nth(1)
                .and_then(|p| p.trim_end_matches('/').rsplit('/').next())
                .unwrap_or("")
                .to_owned();
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let (code, text, result) = answer(&path);
            let secret = crate::sign::Secret::new(secret.as_bytes());
            let hash = crate::sign::response_hash(&code.to_string(), text, &secret);
            let json = serde_json::json!({
                "error_code": code,
                "error_text": text,
                "result": result,
                "hash": std::str::from_utf8(&hash).unwrap(),
            })
            .to_string();
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                json.len()
            );
        }
    });
    url
}

#[test]
fn outcomes_reach_the_c_document_end_to_end() {
    let url = fake_service("s3cr3t", |path| match path {
        "CreateOrder" => (
            601,
            "Order already exist",
            serde_json::json!({"bill_id": "1111"}),
        ),
        "AddLeadToGroup" => (0, "The subscriber is already registered", Json::Null),
        _ => (0, "OK", Json::Null),
    });
    let opts =
        std::ffi::CString::new(format!("{{\"base_url\":\"{url}\",\"proxy\":\"\"}}")).unwrap();
    let mut c: *mut jc_client = std::ptr::null_mut();
    let st = unsafe { jc_client_new(c"demo".as_ptr(), c"s3cr3t".as_ptr(), opts.as_ptr(), &mut c) };
    assert_eq!(st, jc_status::JC_OK, "{}", last_error());
    let mut out: *mut c_char = std::ptr::null_mut();
    let st = unsafe {
        jc_create_order(
            c,
            c"{\"goods\":[{\"good_name\":\"course\"}],\"bill_email\":\"a@b.ru\"}".as_ptr(),
            &mut out,
        )
    };
    assert_eq!(st, jc_status::JC_OK, "{}", last_error());
    assert_eq!(
        take(out),
        r#"{"ok":true,"error_code":0,"error_text":"Order already exist","result":{"bill_id":"1111"},"outcome":"already_exists"}"#
    );
    let st = unsafe {
        jc_add_lead_to_group(
            c,
            c"{\"rid\":[\"second\"],\"lead_email\":\"a@b.ru\"}".as_ptr(),
            &mut out,
        )
    };
    assert_eq!(st, jc_status::JC_OK, "{}", last_error());
    assert!(take(out).ends_with(r#""result":null,"outcome":"already_registered"}"#));
    // An ordinary success has no "outcome".
    let st = unsafe { jc_delete_good(c, c"{\"good_name\":\"g\"}".as_ptr(), &mut out) };
    assert_eq!(st, jc_status::JC_OK, "{}", last_error());
    assert_eq!(
        take(out),
        r#"{"ok":true,"error_code":0,"error_text":"OK","result":null}"#
    );
    unsafe { jc_client_free(c) };
}
