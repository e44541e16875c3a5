//! The client: signs, sends and verifies every call.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::Uri;

use crate::api::spec::Shape;
use crate::encode::{encode_into, Params};
use crate::endpoints::{self, quote, validate_method, OrderStatus, PayStatus};
use crate::error::{invalid, Result};
use crate::good::Good;
use crate::options::Options;
use crate::pool;
use crate::response::{self, Response};
use crate::sign::{request_hash, Secret};
use crate::transport::Transport;

/// The persistent clients of this process (option `persistent`).
static PERSISTENT: std::sync::Mutex<Option<pool::Registry<Client>>> = std::sync::Mutex::new(None);

/// Longest secret accepted (JustClick's keys are 40 characters).
const MAX_SECRET_BYTES: usize = 4096;

/// A JustClick API client for one account.
///
/// Holds one HTTP agent whose connections are kept alive and reused by every
/// call. `Client` is `Send + Sync` and cheap to clone: clones share the same
/// connection pool and secret, so share one client (or clones of it) between
/// threads; calls run concurrently. Its `Debug` output never shows the
/// secret, and the secret is wiped from memory when the last clone is
/// dropped.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Per handle, not in the shared internals: PHP derives it from the
    /// request's remaining `max_execution_time`, so it differs between
    /// requests that must still share one persistent pool.
    batch_timeout: Option<Duration>,
}

struct Inner {
    login: String,
    secret: Secret,
    base: String,
    transport: Transport,
    options: Options,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("login", &self.inner.login)
            .field("base_url", &self.inner.base)
            .field("secret", &self.inner.secret)
            .finish_non_exhaustive()
    }
}

/// The account login as one DNS label: it becomes the host name
/// `{login}.justclick.ru`, so nothing else may get into the URL.
fn validate_login(login: &str) -> Result<()> {
    let ok = !login.is_empty()
        && login.len() <= 63
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !login.starts_with('-')
        && !login.ends_with('-');
    if !ok {
        return invalid(format!(
            "login {} is not a valid JustClick login: 1 to 63 letters, digits or '-', not starting or ending with '-' (it is the host name {{login}}.justclick.ru)",
            quote(login)
        ));
    }
    Ok(())
}

/// Whether `host` (as in a URL, IPv6 in brackets) is this machine's
/// loopback: 127.0.0.0/8, `::1` or `localhost`.
fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost") || bare.eq_ignore_ascii_case("localhost."),
    }
}

/// Checks a base-URL override and returns it without a trailing '/'.
///
/// Plain `http://` is refused for hosts other than loopback unless
/// `allow_insecure_http`: it would send signed, replayable requests and
/// accept forgeable answers over the network in clear.
fn validate_base_url(url: &str, allow_insecure_http: bool) -> Result<String> {
    let bad = |why: &str| invalid(format!("option 'base_url' {}: {why}", quote(url)));
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains whitespace or control characters");
    }
    let uri: Uri = match url.parse() {
        Ok(u) => u,
        Err(_) => return bad("is not a URL (expected e.g. http://127.0.0.1:8089)"),
    };
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return bad("must start with http:// or https://"),
    }
    let Some(authority) = uri.authority() else {
        return bad("has no host");
    };
    if authority.as_str().contains('@') {
        return bad("must not contain user credentials");
    }
    if authority.host().is_empty() {
        return bad("has no host");
    }
    // The URL parser keeps a port it cannot use (`:99999`, `:+1`) and the
    // request would silently go to the scheme's default port instead.
    if let Err(why) = crate::transport::check_port(authority.as_str()) {
        return bad(&why);
    }
    if uri.scheme_str() == Some("http")
        && !allow_insecure_http
        && !is_loopback_host(authority.host())
    {
        return bad("plain http:// is allowed only to loopback (127.0.0.0/8, ::1, localhost); use https://, or set 'allow_insecure_http' for a test network");
    }
    if uri.query().is_some() || url.contains('#') {
        return bad("must not contain a query or fragment (the path /api/{Method} is appended)");
    }
    Ok(url.trim_end_matches('/').to_owned())
}

impl Client {
    /// Builds a client for account `login` with API key `secret`.
    ///
    /// Fails with an invalid-argument error on a bad login (it must be one
    /// DNS label), an empty secret or bad options (out of bounds, see
    /// [`Options::validate`]; unreadable CA file; bad base URL; a proxy
    /// option or proxy environment variable that cannot be used). No network
    /// traffic happens here.
    pub fn new(login: &str, secret: &str, options: Options) -> Result<Client> {
        validate_login(login)?;
        options.validate()?;
        if secret.is_empty() {
            return invalid(
                "secret is empty: pass the API key from your JustClick account (API section)",
            );
        }
        if secret.len() > MAX_SECRET_BYTES {
            return invalid(format!("secret is longer than {MAX_SECRET_BYTES} bytes"));
        }
        if secret.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return invalid("secret contains control characters (a copy-paste error?)");
        }
        let base = match &options.base_url {
            Some(url) => validate_base_url(url, options.allow_insecure_http)?,
            None => format!("https://{login}.justclick.ru"),
        };
        if options.persistent {
            // Same login, secret and options: a clone of the cached client.
            let make = || Client::build(login, secret, base, options.clone());
            let mut client = pool::shared(&PERSISTENT, login, secret, &options, make)?;
            client.batch_timeout = options.batch_timeout;
            return Ok(client);
        }
        Client::build(login, secret, base, options)
    }

    /// Builds the internals from validated arguments.
    fn build(login: &str, secret: &str, base: String, options: Options) -> Result<Client> {
        let transport = Transport::new(&options, &base)?;
        Ok(Client {
            batch_timeout: options.batch_timeout,
            inner: Arc::new(Inner {
                login: login.to_owned(),
                secret: Secret::new(secret.as_bytes()),
                base,
                transport,
                options,
            }),
        })
    }

    /// The options the client was built with.
    #[cfg(test)]
    pub(crate) fn options(&self) -> &Options {
        &self.inner.options
    }

    /// Whether both share the same internals (connection pool and secret).
    #[cfg(test)]
    pub(crate) fn same_pool(&self, other: &Client) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// A weak reference to the internals: tells when they were dropped.
    #[cfg(test)]
    pub(crate) fn downgrade(&self) -> std::sync::Weak<impl Sized> {
        Arc::downgrade(&self.inner)
    }

    /// The account login.
    pub fn login(&self) -> &str {
        &self.inner.login
    }

    /// Where calls go: `https://{login}.justclick.ru` or the override.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// DeleteOrder: deletes order `bill_id`.
    ///
    /// Blocks for at most the configured timeout. A missing order is an API
    /// error (the service answers code 200).
    pub fn delete_order(&self, bill_id: &str) -> Result<Response> {
        self.send("DeleteOrder", &endpoints::delete_order(bill_id)?)
    }

    /// UpdateOrderStatus: `date` (UNIX time) is required for `Sent` and
    /// `Paid`, `rpo` (tracking number) for `Sent`; absent ones are omitted.
    pub fn update_order_status(
        &self,
        bill_id: &str,
        status: OrderStatus,
        date: Option<i64>,
        rpo: Option<&str>,
    ) -> Result<Response> {
        let params = endpoints::update_order_status(bill_id, status, date, rpo)?;
        self.send("UpdateOrderStatus", &params)
    }

    /// GetBills: the orders of the customer `email`, optionally filtered.
    ///
    /// `result` is always an object `{bill_id: {good_id: {good_name,
    /// good_title}}}` (PHP's `[]` becomes `{}`). A customer without orders is
    /// an API error (the service answers code 400).
    pub fn get_bills(&self, email: &str, pay_status: Option<PayStatus>) -> Result<Response> {
        let mut r = self.send("GetBills", &endpoints::get_bills(email, pay_status)?)?;
        response::conform(&mut r, Shape::Bills)?;
        Ok(r)
    }

    /// UpdateGood: replaces the given settings of product `good.good_name`.
    ///
    /// Note that the service stores `good_sum` as 0 when it is not sent.
    pub fn update_good(&self, good: &Good) -> Result<Response> {
        let mut body = Vec::with_capacity(1024);
        good.encode_into(&mut body)?;
        self.send_body("UpdateGood", body)
    }

    /// Verifies a notification the service posted to the shop (API-EXT.md
    /// §8). `body` is the raw `application/x-www-form-urlencoded` request
    /// body, parsed as PHP fills `$_POST`; no network traffic happens.
    ///
    /// Order events (`new_order`, `cancel_order`, `payment`, `prepayment`,
    /// `moneyback`) must carry `hash = md5(id . email . time . secret)`,
    /// checked in constant time against this client's secret; a missing or
    /// wrong hash is [`Error::BadSignature`](crate::Error::BadSignature). The
    /// subscription events carry no hash and come back with `verified()`
    /// false: treat them as hints and confirm with `GetLeadGroupStatuses`.
    /// Only `id`, `email` and the time are signed; read sums and lines from
    /// `getOrderDetails` before acting on them. A body that is not a
    /// recognisable notification, is over 8 MiB, has more than
    /// [`MAX_NOTIFICATION_VARS`](crate::notify::MAX_NOTIFICATION_VARS)
    /// variables or is not UTF-8 is an invalid-argument error.
    pub fn verify_notification(&self, body: &[u8]) -> Result<crate::notify::Notification> {
        crate::notify::verify(body, &self.inner.secret)
    }

    /// Any other method (`AddLeadToGroup`, `GetAllGoods`, ...), signed the
    /// same way. `method` must be letters and digits; `params` are sent
    /// exactly as given, in order (nested maps/lists as `key[sub]`), with no
    /// endpoint-specific validation. A `GetBills` result is normalized to an
    /// object as in [`Client::get_bills`].
    pub fn call(&self, method: &str, params: &Params) -> Result<Response> {
        validate_method(method)?;
        let mut r = self.send(method, params)?;
        // Same shape whether it came through get_bills() or call().
        if let Some(m) = crate::api::spec::method(method) {
            response::conform(&mut r, m.result)?;
        }
        Ok(r)
    }

    /// Encodes, signs, sends and verifies one call.
    fn send(&self, method: &str, params: &Params) -> Result<Response> {
        let mut body = Vec::with_capacity(256);
        encode_into(params, &mut body)?;
        self.send_body(method, body)
    }

    /// Like `send`, but a verified answer of any `error_code` is returned
    /// as is (the method table handles documented special codes).
    pub(crate) fn send_answer(&self, method: &str, params: &Params) -> Result<response::Answer> {
        let mut body = Vec::with_capacity(256);
        encode_into(params, &mut body)?;
        self.send_body_answer(method, body)
    }

    /// Signs an encoded body, sends it and verifies the answer.
    fn send_body(&self, method: &str, body: Vec<u8>) -> Result<Response> {
        self.send_body_answer(method, body)?.into_response()
    }

    fn send_body_answer(&self, method: &str, mut body: Vec<u8>) -> Result<response::Answer> {
        let me = &*self.inner;
        let hash = request_hash(&body, &me.login, &me.secret);
        if !body.is_empty() {
            body.push(b'&');
        }
        body.extend_from_slice(b"hash=");
        body.extend_from_slice(&hash);
        let mut url = String::with_capacity(me.base.len() + 5 + method.len());
        url.push_str(&me.base);
        url.push_str("/api/");
        url.push_str(method);
        let reply = me.transport.post_form(&url, &body)?;
        response::parse_answer_or_unknown_login(&reply.body, &me.secret, Some(&me.login))
    }

    pub(crate) fn backoff(&self) -> (u32, Duration) {
        (
            self.inner.options.rate_limit_retries,
            self.inner.options.rate_limit_backoff,
        )
    }

    pub(crate) fn batch_timeout(&self) -> Option<Duration> {
        self.batch_timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        for ok in ["username", "a", "shop-1", &"a".repeat(63), "UPPER9"] {
            assert!(validate_login(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "evil.com/x?",
            "a.b",
            "a b",
            "логин",
            &"a".repeat(64),
            "a@b",
            "a:1",
        ] {
            let e = validate_login(bad).unwrap_err().to_string();
            assert!(e.contains("not a valid JustClick login"), "{bad}: {e}");
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            validate_base_url("http://127.0.0.1:8089/", false).unwrap(),
            "http://127.0.0.1:8089"
        );
        assert_eq!(
            validate_base_url("https://h/prefix", false).unwrap(),
            "https://h/prefix"
        );
        assert!(validate_base_url("http://h:8080", false).is_err());
        assert_eq!(
            validate_base_url("http://h:8080", true).unwrap(),
            "http://h:8080"
        );
        for bad in [
            "ftp://h",
            "127.0.0.1:8089",
            "http://u:p@h",
            "http://h/?x=1",
            "http://h/#f",
            "http://h x",
            "",
            "http://",
        ] {
            assert!(validate_base_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_secret() {
        let c = Client::new("demo", "top-secret-value", Options::default()).unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("top-secret-value"), "{s}");
        assert!(s.contains("demo"));
        assert_eq!(c.base_url(), "https://demo.justclick.ru");
    }

    #[test]
    fn secrets_rejected() {
        assert!(Client::new("demo", "", Options::default()).is_err());
        assert!(Client::new("demo", "a\nb", Options::default()).is_err());
        assert!(Client::new("demo", &"x".repeat(5000), Options::default()).is_err());
    }

    #[test]
    fn client_is_send_and_sync() {
        fn assert_both<T: Send + Sync>() {}
        assert_both::<Client>();
    }

    #[test]
    fn validation_happens_before_traffic() {
        // Port 1 on loopback refuses connections: a transport error would
        // show that a request was attempted.
        let o = Options {
            base_url: Some("http://127.0.0.1:1".into()),
            ..Options::default()
        };
        let c = Client::new("demo", "s", o).unwrap();
        use crate::ErrorKind::InvalidArgument as IA;
        assert_eq!(c.delete_order("").unwrap_err().kind(), IA);
        assert_eq!(c.get_bills("nope", None).unwrap_err().kind(), IA);
        assert_eq!(c.update_good(&Good::new("")).unwrap_err().kind(), IA);
        assert_eq!(c.call("Bad Method", &Params::new()).unwrap_err().kind(), IA);
        assert_eq!(
            c.call("X", &Params::new().with("a.b", 1))
                .unwrap_err()
                .kind(),
            IA
        );
        assert_eq!(
            c.delete_order("1").unwrap_err().kind(),
            crate::ErrorKind::Transport
        );
    }
}
