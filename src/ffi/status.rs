//! What a C caller asks about an outcome: a status's name, the thread's
//! last error message and the library version; and `jc_string_free`, which
//! frees the documents (first here: the header declares it right after
//! jc_call_batch, as it always has). The enum itself is in `codes`, below
//! the boundary that maps every failure to it.

use std::ffi::{c_char, CStr, CString};

use super::boundary::{ffi_fn, last_error_ptr};
use super::codes::jc_status;

/// Frees a string returned through an `out_json` argument. NULL is a no-op.
/// Each string must be freed exactly once, with this function only, and
/// must not be modified (not even its length) before that.
#[no_mangle]
pub unsafe extern "C" fn jc_string_free(s: *mut c_char) {
    ffi_fn!(jc_string_free() -> free(s) { drop(CString::from_raw(s)) })
}

/// The name of a status (`"ok"`, `"bad_signature"`, ...), as used in the
/// JSON `status` field; `"unknown"` for numbers outside the enum. Static:
/// never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn jc_status_name(status: u32) -> *const c_char {
    ffi_fn!(jc_status_name() -> value(c"unknown".as_ptr()) {
        jc_status::from_u32(status).map_or(c"unknown", jc_status::c_name).as_ptr()
    })
}

/// The library version, e.g. `"0.1.0"` (the crate version). Static: never
/// freed. Thread-safe.
#[no_mangle]
pub extern "C" fn jc_version() -> *const c_char {
    ffi_fn!(jc_version() -> value(c"".as_ptr()) {
        const VERSION: &CStr = match CStr::from_bytes_with_nul(
            concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
        ) {
            Ok(v) => v,
            Err(_) => panic!("the crate version has no NUL"),
        };
        VERSION.as_ptr()
    })
}

/// The message of the last failed call on the calling thread, or "" if the
/// last call succeeded; "last call" means the last function that returns a
/// `jc_status` (freeing strings or clients does not change it). This is
/// where `jc_client_new` explains a failure. The pointer stays valid until
/// the next such call on the same thread; copy it to keep it. Never freed by
/// the caller.
#[no_mangle]
pub extern "C" fn jc_last_error_message() -> *const c_char {
    ffi_fn!(jc_last_error_message() -> value(c"".as_ptr()) { last_error_ptr() })
}
