//! Client handles: `jc_client_new` and `jc_client_free`.

use std::ffi::c_char;

use super::boundary::ffi_fn;
use super::codes::jc_status;
use super::handles::jc_client;
use crate::client::Client;
use crate::options::Options;

/// Creates a client for account `login` with API key `secret`.
///
/// `options_json` may be NULL or a JSON object with any of: `base_url`
/// (string, replaces `https://{login}.justclick.ru`; `http://` only to
/// loopback), `allow_insecure_http` (boolean, default false: `true` allows
/// `http://` to any host), `timeout_ms` (overall, 1 to 3600000, default
/// 30000), `connect_timeout_ms` (1 to 3600000, default 10000), `ca_file` (PEM
/// file of CAs added to the bundled roots; verification cannot be turned off),
/// `proxy` (`http://`, `https://`, `socks5://` or `socks5h://` URL; `""` =
/// direct; default: the environment as curl reads it, `https_proxy`/
/// `HTTPS_PROXY` or lowercase `http_proxy`, then `all_proxy`/`ALL_PROXY`,
/// with `no_proxy`/`NO_PROXY`), `user_agent` (default `justclick/<version>`),
/// `max_response_bytes` (1 to 1073741824, default 8388608),
/// `rate_limit_retries` (batches, 0 to 10, default 3), `rate_limit_backoff_ms`
/// (1 to 60000, default 250), `persistent` (bool, default false: when true,
/// clients with the same login, secret and options share one connection pool
/// that outlives them, per process, at most 16 pools), `idle_timeout_ms`
/// (idle connections are not reused after this, 1 to 3600000, default 30000),
/// `batch_timeout_ms` (deadline of a `jc_call_batch`, 1 to 86400000; default:
/// none, see `jc_call_batch`). Unknown keys, wrong types, values out of range
/// and an unusable proxy (from the option or the environment) are
/// `JC_ERR_INVALID_ARGUMENT`. The same options without JSON:
/// `jc_options_new` and `jc_client_new_with_options`.
///
/// On success `*out_client` receives a new client, owned by the caller and
/// freed with `jc_client_free`. On failure `*out_client` is set to NULL and
/// the reason is in `jc_last_error_message()`. The secret is copied; the
/// caller's buffers are not kept. Does no network I/O. Thread-safe, except
/// that without a `proxy` option it reads the proxy environment variables:
/// do not call it while another thread may `setenv`/`putenv` (a libc
/// limitation).
#[no_mangle]
pub unsafe extern "C" fn jc_client_new(
    login: *const c_char,
    secret: *const c_char,
    options_json: *const c_char,
    out_client: *mut *mut jc_client,
) -> jc_status {
    ffi_fn!(jc_client_new(login: text, secret: text, options_json: json) -> handle(out_client) {
        let options = Options::from_json(options_json)?;
        Client::new(login, secret, options).map(|inner| jc_client { inner })
    })
}

/// Destroys a client: closes its connections and wipes its secret from
/// memory. NULL is a no-op. Must not be called while another thread is still
/// using the client, nor twice.
#[no_mangle]
pub unsafe extern "C" fn jc_client_free(client: *mut jc_client) {
    ffi_fn!(jc_client_free() -> free(client) { drop(Box::from_raw(client)) })
}
