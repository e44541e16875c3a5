//! The options builder (`jc_options_*`, issue 13 point 2): configuration
//! for `jc_client_new_with_options` without writing JSON.
//!
//! The builder keeps the `(key, value)` pairs it was given and hands them to
//! the same parser as the JSON form ([`Options::from_values`]), so the two
//! accept the same keys, types and bounds and report the same messages.

use std::ffi::c_char;

use super::boundary::ffi_fn;
use super::codes::jc_status;
use super::handles::{jc_client, jc_options};
use crate::client::Client;
use crate::encode::Value;
use crate::error::Error;
use crate::options::Options;

/// Creates an empty options builder (every option at its default).
///
/// On success `*out` receives a new builder, owned by the caller and freed
/// with `jc_options_free`; on failure `*out` is set to NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn jc_options_new(out: *mut *mut jc_options) -> jc_status {
    ffi_fn!(jc_options_new() -> handle(out) {
        Ok::<_, Error>(jc_options::empty())
    })
}

/// Sets a string option (`base_url`, `ca_file`, `proxy`, `user_agent`; see
/// `jc_client_new`) to `value`, which is copied.
///
/// An unknown key, an option that is not a string and invalid UTF-8 are
/// `JC_ERR_INVALID_ARGUMENT`, with the reason in `jc_last_error_message()`;
/// the builder is then unchanged. Setting a key again replaces its value.
/// Not to be called on a builder another thread is using.
#[no_mangle]
pub unsafe extern "C" fn jc_options_set_str(
    o: *mut jc_options,
    key: *const c_char,
    value: *const c_char,
) -> jc_status {
    ffi_fn!(jc_options_set_str(o: options_mut, key: text, value: text) -> status {
        o.set(key, Value::Str(value.to_owned()))
    })
}

/// Sets an integer option (`timeout_ms`, `connect_timeout_ms`,
/// `max_response_bytes`, `rate_limit_retries`, `rate_limit_backoff_ms`,
/// `idle_timeout_ms`, `batch_timeout_ms`; see `jc_client_new`) to `value`.
///
/// An unknown key, an option that is not an integer and a value out of the
/// option's range are `JC_ERR_INVALID_ARGUMENT`, with the reason in
/// `jc_last_error_message()`; the builder is then unchanged. Setting a key
/// again replaces its value. Not to be called on a builder another thread
/// is using.
#[no_mangle]
pub unsafe extern "C" fn jc_options_set_int(
    o: *mut jc_options,
    key: *const c_char,
    value: i64,
) -> jc_status {
    ffi_fn!(jc_options_set_int(o: options_mut, key: text) -> status {
        o.set(key, Value::Int(value))
    })
}

/// Sets a boolean option (`allow_insecure_http`, `persistent`; see
/// `jc_client_new`) to `value`.
///
/// An unknown key and an option that is not a boolean are
/// `JC_ERR_INVALID_ARGUMENT`, with the reason in `jc_last_error_message()`;
/// the builder is then unchanged. Setting a key again replaces its value.
/// Not to be called on a builder another thread is using.
#[no_mangle]
pub unsafe extern "C" fn jc_options_set_bool(
    o: *mut jc_options,
    key: *const c_char,
    value: bool,
) -> jc_status {
    ffi_fn!(jc_options_set_bool(o: options_mut, key: text) -> status {
        o.set(key, Value::Bool(value))
    })
}

/// Destroys an options builder. NULL is a no-op. Clients made from it are
/// not affected. Must not be called while another thread is using the
/// builder, nor twice.
#[no_mangle]
pub unsafe extern "C" fn jc_options_free(o: *mut jc_options) {
    ffi_fn!(jc_options_free() -> free(o) { drop(Box::from_raw(o)) })
}

/// Creates a client like `jc_client_new`, with its options from a builder
/// instead of JSON; `options` NULL means every default.
///
/// The options are checked again as a whole (the same rules and messages
/// as `jc_client_new`'s `options_json`); the builder is only read, and may
/// be changed, reused or freed afterwards without affecting the client.
/// On success `*out_client` receives a new client, owned by the caller and
/// freed with `jc_client_free`; on failure `*out_client` is set to NULL and
/// the reason is in `jc_last_error_message()`. Does no network I/O.
/// Thread-safety as for `jc_client_new`.
#[no_mangle]
pub unsafe extern "C" fn jc_client_new_with_options(
    login: *const c_char,
    secret: *const c_char,
    options: *const jc_options,
    out_client: *mut *mut jc_client,
) -> jc_status {
    ffi_fn!(jc_client_new_with_options(login: text, secret: text, options: opt_options) -> handle(out_client) {
        let options = match options {
            Some(o) => o.options()?,
            None => Options::default(),
        };
        Client::new(login, secret, options).map(|inner| jc_client { inner })
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr::null_mut;
    use std::time::Duration;

    use super::*;
    use crate::options::ProxySetting;

    fn last_error() -> String {
        unsafe { CStr::from_ptr(super::super::jc_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    fn builder() -> *mut jc_options {
        let mut o = null_mut();
        assert_eq!(unsafe { jc_options_new(&mut o) }, jc_status::JC_OK);
        assert!(!o.is_null());
        o
    }

    /// Every key through the builder gives what the same JSON gives.
    #[test]
    fn builder_and_json_agree() {
        let o = builder();
        unsafe {
            for (k, v) in [
                (c"base_url", c"http://127.0.0.1:1"),
                (c"ca_file", c"/tmp/ca.pem"),
                (c"proxy", c""),
                (c"user_agent", c"shop/1"),
            ] {
                assert_eq!(
                    jc_options_set_str(o, k.as_ptr(), v.as_ptr()),
                    jc_status::JC_OK
                );
            }
            for (k, v) in [
                (c"timeout_ms", 1500),
                (c"connect_timeout_ms", 200),
                (c"max_response_bytes", 4096),
                (c"rate_limit_retries", 0),
                (c"rate_limit_backoff_ms", 10),
                (c"idle_timeout_ms", 7),
                (c"batch_timeout_ms", 86_400_000),
            ] {
                assert_eq!(jc_options_set_int(o, k.as_ptr(), v), jc_status::JC_OK);
            }
            for k in [c"allow_insecure_http", c"persistent"] {
                assert_eq!(jc_options_set_bool(o, k.as_ptr(), true), jc_status::JC_OK);
            }
            // Setting again replaces.
            assert_eq!(
                jc_options_set_int(o, c"timeout_ms".as_ptr(), 2500),
                jc_status::JC_OK
            );
            let built = (*o).options().unwrap();
            let json = Options::from_json(Some(
                r#"{"base_url":"http://127.0.0.1:1","ca_file":"/tmp/ca.pem","proxy":"",
                    "user_agent":"shop/1","timeout_ms":2500,"connect_timeout_ms":200,
                    "max_response_bytes":4096,"rate_limit_retries":0,"rate_limit_backoff_ms":10,
                    "idle_timeout_ms":7,"batch_timeout_ms":86400000,"allow_insecure_http":true,
                    "persistent":true}"#,
            ))
            .unwrap();
            assert_eq!(built, json);
            assert_eq!(built.proxy, ProxySetting::Direct);
            assert_eq!(built.timeout, Duration::from_millis(2500));
            assert_eq!((*o).values.len(), 13, "one entry per key");
            jc_options_free(o);
        }
    }

    /// Unknown keys, wrong types and bounds: the JSON form's status and
    /// message, from the setter; the builder stays usable and unchanged.
    #[test]
    fn setter_errors_match_the_json_form() {
        let o = builder();
        unsafe {
            // Status and message as the JSON form's, case by case (the last
            // error is per call).
            for (call, json) in [
                (
                    (|o| jc_options_set_int(o, c"timeout".as_ptr(), 5))
                        as unsafe fn(*mut jc_options) -> jc_status,
                    r#"{"timeout":5}"#,
                ),
                (
                    |o| jc_options_set_str(o, c"timeout_ms".as_ptr(), c"5".as_ptr()),
                    r#"{"timeout_ms":"5"}"#,
                ),
                (
                    |o| jc_options_set_int(o, c"timeout_ms".as_ptr(), 0),
                    r#"{"timeout_ms":0}"#,
                ),
                (
                    |o| jc_options_set_int(o, c"connect_timeout_ms".as_ptr(), -1),
                    r#"{"connect_timeout_ms":-1}"#,
                ),
                (
                    |o| jc_options_set_int(o, c"rate_limit_retries".as_ptr(), 11),
                    r#"{"rate_limit_retries":11}"#,
                ),
                (
                    |o| jc_options_set_bool(o, c"base_url".as_ptr(), true),
                    r#"{"base_url":true}"#,
                ),
                (
                    |o| jc_options_set_int(o, c"persistent".as_ptr(), 1),
                    r#"{"persistent":1}"#,
                ),
            ] {
                assert_eq!(call(o), jc_status::JC_ERR_INVALID_ARGUMENT, "{json}");
                let expected = Options::from_json(Some(json)).unwrap_err().to_string();
                assert_eq!(last_error(), expected, "{json}");
            }
            assert!((*o).values.is_empty(), "failed sets change nothing");
            // NULLs and bad UTF-8.
            assert_eq!(
                jc_options_set_int(null_mut(), c"timeout_ms".as_ptr(), 5),
                jc_status::JC_ERR_NULL_ARGUMENT
            );
            assert_eq!(
                jc_options_set_str(o, c"base_url".as_ptr(), std::ptr::null()),
                jc_status::JC_ERR_NULL_ARGUMENT
            );
            assert!(last_error().contains("value is NULL"), "{}", last_error());
            assert_eq!(
                jc_options_set_str(o, c"user_agent".as_ptr(), c"\xff".as_ptr()),
                jc_status::JC_ERR_INVALID_ARGUMENT
            );
            assert_eq!(
                jc_options_new(std::ptr::null_mut()),
                jc_status::JC_ERR_NULL_ARGUMENT
            );
            jc_options_free(o);
            jc_options_free(null_mut());
        }
    }

    /// A client from a builder: bad combinations fail at creation like the
    /// JSON form; the builder outlives or dies before its clients freely.
    #[test]
    fn clients_from_a_builder() {
        let o = builder();
        unsafe {
            let mut c = null_mut();
            // NULL options: every default.
            assert_eq!(
                jc_client_new_with_options(
                    c"shop".as_ptr(),
                    c"key".as_ptr(),
                    std::ptr::null(),
                    &mut c
                ),
                jc_status::JC_OK
            );
            super::super::jc_client_free(c);
            // A plain-HTTP base URL to a non-loopback host: refused by the
            // client as with JSON, *out_client NULL.
            jc_options_set_str(o, c"base_url".as_ptr(), c"http://example.com".as_ptr());
            c = std::ptr::NonNull::dangling().as_ptr();
            assert_eq!(
                jc_client_new_with_options(c"shop".as_ptr(), c"key".as_ptr(), o, &mut c),
                jc_status::JC_ERR_INVALID_ARGUMENT
            );
            assert!(c.is_null());
            let json_err = Client::new(
                "shop",
                "key",
                Options::from_json(Some(r#"{"base_url":"http://example.com"}"#)).unwrap(),
            )
            .err()
            .unwrap()
            .to_string();
            assert_eq!(last_error(), json_err);
            // Fixed, two clients from one builder, freed before them.
            jc_options_set_str(o, c"base_url".as_ptr(), c"http://127.0.0.1:9".as_ptr());
            let (mut a, mut b) = (null_mut(), null_mut());
            assert_eq!(
                jc_client_new_with_options(c"shop".as_ptr(), c"key".as_ptr(), o, &mut a),
                jc_status::JC_OK
            );
            assert_eq!(
                jc_client_new_with_options(c"shop".as_ptr(), c"key".as_ptr(), o, &mut b),
                jc_status::JC_OK
            );
            jc_options_free(o);
            assert_eq!(
                (*a).inner.options().base_url.as_deref(),
                Some("http://127.0.0.1:9")
            );
            super::super::jc_client_free(a);
            super::super::jc_client_free(b);
        }
    }
}
