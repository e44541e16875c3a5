//! Unit tests of the C boundary that need its internals.

use std::ffi::{c_char, CStr};

use serde_json::Value as Json;

use super::batch::write_slot;
use super::boundary::{with_document, Failure};
use super::document::write_outcome;
use super::*;
use crate::error::Error;
use crate::response::Response;
use std::cell::Cell;

thread_local! {
    static PANIC_IN_DOCUMENT: Cell<bool> = const { Cell::new(false) };
}

/// Test hook: panics once while a document is written, when armed.
pub(super) fn maybe_panic_in_document() {
    if PANIC_IN_DOCUMENT.with(|p| p.replace(false)) {
        panic!("deliberate panic while writing a document");
    }
}

#[test]
fn documents_are_built_inside_the_boundary() {
    let ok = || {
        Ok(Response {
            error_text: "OK".into(),
            result: None,
            outcome: None,
        })
    };
    PANIC_IN_DOCUMENT.with(|p| p.set(true));
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
    PANIC_IN_DOCUMENT.with(|p| p.set(true));
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

#[cfg(feature = "sandbox")]
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
