//! Client options: Rust struct, and the strict JSON form used by the C ABI.

use std::path::PathBuf;
use std::time::Duration;

use crate::encode::Value;
use crate::error::{invalid, Result};

/// Default overall timeout per call (DNS through the last body byte).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest accepted response body (8 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 << 20;
/// Longest timeout accepted (one hour).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// Longest `batch_timeout` accepted (one day).
pub const MAX_BATCH_TIMEOUT: Duration = Duration::from_secs(86_400);
/// Largest `max_response_bytes` accepted (1 GiB).
pub const MAX_RESPONSE_LIMIT: u64 = 1 << 30;
/// Largest `rate_limit_retries` accepted.
pub const MAX_RATE_LIMIT_RETRIES: u32 = 10;
/// Longest `rate_limit_backoff` accepted (one minute).
pub const MAX_RATE_LIMIT_BACKOFF: Duration = Duration::from_secs(60);
/// Default time an idle kept-alive connection may be reused: below the
/// keep-alive limits of common servers (nginx 75 s, Apache 5..60 s), so a
/// connection is retired before the server drops it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The user agent sent unless overridden: `justclick/<crate version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("justclick/", env!("CARGO_PKG_VERSION"));

/// The option names accepted in JSON, in documentation order.
pub const OPTION_NAMES: &[&str] = &[
    "base_url",
    "allow_insecure_http",
    "timeout_ms",
    "connect_timeout_ms",
    "ca_file",
    "proxy",
    "user_agent",
    "max_response_bytes",
    "rate_limit_retries",
    "rate_limit_backoff_ms",
    "persistent",
    "idle_timeout_ms",
    "batch_timeout_ms",
];

/// Where requests go through. `Debug` hides proxy credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// Read the proxy from the environment as curl does, when the client is
    /// built: `https_proxy` then `HTTPS_PROXY` for an `https://` base URL,
    /// `http_proxy` (lowercase only) for `http://`, then `all_proxy` /
    /// `ALL_PROXY`; `no_proxy` / `NO_PROXY` exempts hosts. The default.
    #[default]
    FromEnv,
    /// Connect directly, ignoring the environment.
    Direct,
    /// This proxy, used for every call; the environment is not read.
    /// `http://[user:pass@]host:port` (a CONNECT proxy), also `https://`,
    /// `socks5://` (the client resolves the host) and `socks5h://` (the
    /// proxy resolves it). Percent-encode `/`, `:`, `@` in credentials.
    Url(String),
}

/// How a [`crate::Client`] connects. Plain data; checked by
/// [`Options::validate`], which [`crate::Client::new`] calls.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Replaces `https://{login}.justclick.ru` (e.g. the local sandbox
    /// `http://127.0.0.1:8089`); the path stays `/api/{Method}`. `http://`
    /// is allowed only for loopback hosts (127.0.0.0/8, `::1`, `localhost`)
    /// unless `allow_insecure_http` is set; the default is always HTTPS.
    pub base_url: Option<String>,
    /// Allows an `http://` base URL to a non-loopback host, which sends
    /// signed, replayable requests and unauthenticated answers in clear.
    /// For test networks only. Default `false`.
    pub allow_insecure_http: bool,
    /// Overall limit per call, DNS through the last body byte (1 ms to
    /// 1 hour).
    pub timeout: Duration,
    /// Limit for establishing a connection (1 ms to 1 hour).
    pub connect_timeout: Duration,
    /// A PEM file of extra CA certificates, *added* to the bundled Mozilla
    /// roots. Verification itself can never be turned off.
    pub ca_file: Option<PathBuf>,
    /// Proxy choice; see [`ProxySetting`].
    pub proxy: ProxySetting,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Responses with a larger body fail with a bad-response error (1 byte
    /// to 1 GiB).
    pub max_response_bytes: u64,
    /// Retries of API error 8 (request limit reached) in batches, for
    /// idempotent calls only (0 to 10).
    pub rate_limit_retries: u32,
    /// First backoff delay for those retries (doubles each time; 1 ms to
    /// 1 minute).
    pub rate_limit_backoff: Duration,
    /// Share one connection pool with every other persistent client of this
    /// process made with the same login, secret and options, so that it
    /// outlives this client (e.g. across PHP-FPM requests). See
    /// `src/pool.rs` for the rules (per process, at most 16 pools).
    pub persistent: bool,
    /// Idle kept-alive connections older than this are never reused and are
    /// closed on the client's next call.
    pub idle_timeout: Duration,
    /// Deadline of a batch, from its start: calls not started by then are
    /// never sent (they fail with a timeout error "not sent: ..."); calls in
    /// flight keep their own `timeout`. `None` (the default): no deadline.
    pub batch_timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            base_url: None,
            allow_insecure_http: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            ca_file: None,
            proxy: ProxySetting::FromEnv,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            rate_limit_retries: 3,
            rate_limit_backoff: Duration::from_millis(250),
            persistent: false,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            batch_timeout: None,
        }
    }
}

impl std::fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxySetting::FromEnv => f.write_str("FromEnv"),
            ProxySetting::Direct => f.write_str("Direct"),
            ProxySetting::Url(url) => f.debug_tuple("Url").field(&redact_userinfo(url)).finish(),
        }
    }
}

/// `scheme://user:pass@host` becomes `scheme://***@host`.
///
/// Everything up to the last `@` is hidden: a password may contain a `/`
/// (even unencoded, which makes the URL invalid but must not leak it).
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    match rest.rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}***{}", &rest[at..])
        }
        None => url.to_owned(),
    }
}

/// The accepted range of each bounded option, in the unit of its JSON key.
/// The one place the bounds live: [`Options::validate`] and the JSON parser
/// both read it.
fn range_of(key: &str) -> (u64, u64) {
    let ms = |d: Duration| d.as_millis() as u64;
    match key {
        "timeout_ms" | "connect_timeout_ms" | "idle_timeout_ms" => (1, ms(MAX_TIMEOUT)),
        "batch_timeout_ms" => (1, ms(MAX_BATCH_TIMEOUT)),
        "rate_limit_backoff_ms" => (1, ms(MAX_RATE_LIMIT_BACKOFF)),
        "max_response_bytes" => (1, MAX_RESPONSE_LIMIT),
        "rate_limit_retries" => (0, MAX_RATE_LIMIT_RETRIES as u64),
        _ => (0, u64::MAX),
    }
}

fn out_of_range(key: &str, got: &dyn std::fmt::Display) -> crate::error::Error {
    let (lo, hi) = range_of(key);
    let unit = if key.ends_with("_ms") {
        " milliseconds"
    } else {
        ""
    };
    crate::error::Error::invalid(format!(
        "option '{key}' must be between {lo} and {hi}{unit}, got {got}"
    ))
}

/// Checks a count against [`range_of`].
fn check_count(key: &str, n: u64) -> Result<()> {
    let (lo, hi) = range_of(key);
    if (lo..=hi).contains(&n) {
        Ok(())
    } else {
        Err(out_of_range(key, &n))
    }
}

/// Checks a duration against [`range_of`] (whole milliseconds not required).
fn check_millis(key: &str, d: Duration) -> Result<()> {
    let (lo, hi) = range_of(key);
    if d >= Duration::from_millis(lo) && d <= Duration::from_millis(hi) {
        Ok(())
    } else {
        Err(out_of_range(key, &format_args!("{d:?}")))
    }
}

/// A non-negative JSON integer; the range is checked by `validate`.
fn count(name: &str, v: &Value) -> Result<u64> {
    match v {
        Value::Int(n) => u64::try_from(*n).map_err(|_| out_of_range(name, n)),
        other => invalid(format!(
            "option '{name}' must be an integer, got {}",
            other.type_name()
        )),
    }
}

fn millis(name: &str, v: &Value) -> Result<Duration> {
    match v {
        Value::Int(_) => count(name, v).map(Duration::from_millis),
        other => invalid(format!(
            "option '{name}' must be an integer number of milliseconds, got {}",
            other.type_name()
        )),
    }
}

fn string(name: &str, v: &Value) -> Result<String> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => invalid(format!(
            "option '{name}' must be a string, got {}",
            other.type_name()
        )),
    }
}

impl Options {
    /// Checks every bound (timeouts, `max_response_bytes`, retries,
    /// backoff). [`crate::Client::new`] calls it, so options built in Rust
    /// and options parsed from JSON obey the same limits.
    pub fn validate(&self) -> Result<()> {
        check_millis("timeout_ms", self.timeout)?;
        check_millis("connect_timeout_ms", self.connect_timeout)?;
        check_count("max_response_bytes", self.max_response_bytes)?;
        check_count("rate_limit_retries", u64::from(self.rate_limit_retries))?;
        check_millis("rate_limit_backoff_ms", self.rate_limit_backoff)?;
        check_millis("idle_timeout_ms", self.idle_timeout)?;
        if let Some(deadline) = self.batch_timeout {
            check_millis("batch_timeout_ms", deadline)?;
        }
        Ok(())
    }

    /// Parses the JSON options object of the C ABI, then [`Options::validate`]s it.
    ///
    /// Keys: `base_url`, `allow_insecure_http`, `timeout_ms`, `connect_timeout_ms`, `ca_file`,
    /// `proxy` (`""` = direct, ignoring the environment), `user_agent`,
    /// `max_response_bytes`, `rate_limit_retries`, `rate_limit_backoff_ms`,
    /// `persistent` (bool), `idle_timeout_ms`.
    /// `null` values mean "default". Unknown keys, wrong types and duplicate
    /// keys are errors. `None`, `""`, `null` or `{}` give the defaults.
    pub fn from_json(json: Option<&str>) -> Result<Options> {
        let o = Options::default();
        let json = match json {
            None => return Ok(o),
            Some(s) if s.trim().is_empty() => return Ok(o),
            Some(s) => s,
        };
        let map = match Value::from_json(json)? {
            Value::Map(m) => m,
            Value::Null => return Ok(o),
            Value::List(l) if l.is_empty() => return Ok(o),
            other => {
                return invalid(format!(
                    "options must be a JSON object, got {}",
                    other.type_name()
                ))
            }
        };
        Options::from_values(map.iter())
    }

    /// Options from `(key, value)` pairs, in order, as the JSON object and
    /// the C options builder (`jc_options_*`) give them, then
    /// [`Options::validate`]d. The one parser of option keys: a `null`
    /// value means the default.
    pub(crate) fn from_values<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Result<Options> {
        let mut o = Options::default();
        for (key, v) in pairs {
            if matches!(v, Value::Null) && OPTION_NAMES.contains(&key) {
                continue;
            }
            o.set_value(key, v)?;
        }
        o.validate()?;
        Ok(o)
    }

    /// Sets option `key` from `v`: an unknown key or a wrong type is an
    /// error; bounds are left to [`Options::validate`] (except that a
    /// negative count cannot be stored).
    pub(crate) fn set_value(&mut self, key: &str, v: &Value) -> Result<()> {
        match key {
            "base_url" => self.base_url = Some(string(key, v)?),
            "allow_insecure_http" => {
                self.allow_insecure_http = match v {
                    Value::Bool(b) => *b,
                    other => {
                        return invalid(format!(
                            "option 'allow_insecure_http' must be true or false, got {}",
                            other.type_name()
                        ))
                    }
                }
            }
            "timeout_ms" => self.timeout = millis(key, v)?,
            "connect_timeout_ms" => self.connect_timeout = millis(key, v)?,
            "ca_file" => self.ca_file = Some(PathBuf::from(string(key, v)?)),
            "proxy" => {
                let p = string(key, v)?;
                self.proxy = if p.is_empty() {
                    ProxySetting::Direct
                } else {
                    ProxySetting::Url(p)
                };
            }
            "user_agent" => self.user_agent = string(key, v)?,
            "max_response_bytes" => self.max_response_bytes = count(key, v)?,
            "rate_limit_retries" => {
                let n = count(key, v)?;
                self.rate_limit_retries = u32::try_from(n).map_err(|_| out_of_range(key, &n))?;
            }
            "rate_limit_backoff_ms" => self.rate_limit_backoff = millis(key, v)?,
            "persistent" => {
                self.persistent = match v {
                    Value::Bool(b) => *b,
                    other => {
                        return invalid(format!(
                            "option 'persistent' must be true or false, got {}",
                            other.type_name()
                        ))
                    }
                }
            }
            "idle_timeout_ms" => self.idle_timeout = millis(key, v)?,
            "batch_timeout_ms" => self.batch_timeout = Some(millis(key, v)?),
            unknown => {
                return invalid(format!(
                    "unknown option {unknown:?} (known options: {})",
                    OPTION_NAMES.join(", ")
                ))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        for j in [
            None,
            Some(""),
            Some("null"),
            Some("{}"),
            Some("[]"),
            Some(" "),
        ] {
            assert_eq!(Options::from_json(j).unwrap(), Options::default());
        }
        assert_eq!(
            Options::default().user_agent,
            format!("justclick/{}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn all_keys() {
        let o = Options::from_json(Some(
            r#"{"base_url":"http://127.0.0.1:1","timeout_ms":1500,"connect_timeout_ms":200,
                "ca_file":"/tmp/ca.pem","proxy":"","user_agent":"shop/1","max_response_bytes":4096,
                "rate_limit_retries":0,"rate_limit_backoff_ms":10}"#,
        ))
        .unwrap();
        assert_eq!(o.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(o.timeout, Duration::from_millis(1500));
        assert_eq!(o.connect_timeout, Duration::from_millis(200));
        assert_eq!(o.ca_file, Some(PathBuf::from("/tmp/ca.pem")));
        assert_eq!(o.proxy, ProxySetting::Direct);
        assert_eq!(o.user_agent, "shop/1");
        assert_eq!(o.max_response_bytes, 4096);
        assert_eq!(o.rate_limit_retries, 0);
        assert_eq!(o.rate_limit_backoff, Duration::from_millis(10));
        let o = Options::from_json(Some(r#"{"proxy":"http://p:3128","timeout_ms":null}"#)).unwrap();
        assert_eq!(o.proxy, ProxySetting::Url("http://p:3128".into()));
        assert_eq!(o.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn persistent_and_idle_timeout() {
        let d = Options::default();
        assert!(!d.persistent);
        assert_eq!(d.idle_timeout, Duration::from_millis(30000));
        let o =
            Options::from_json(Some(r#"{"persistent":true,"idle_timeout_ms":3600000}"#)).unwrap();
        assert!(o.persistent);
        assert_eq!(o.idle_timeout, MAX_TIMEOUT);
        for (json, needle) in [
            (r#"{"persistent":1}"#, "'persistent' must be true or false"),
            (
                r#"{"persistent":"yes"}"#,
                "'persistent' must be true or false",
            ),
            (r#"{"idle_timeout_ms":0}"#, "between 1 and 3600000"),
            (r#"{"idle_timeout_ms":3600001}"#, "between 1 and 3600000"),
        ] {
            let err = Options::from_json(Some(json)).unwrap_err();
            assert!(err.to_string().contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn proxy_credentials_are_not_printed() {
        let o = Options {
            proxy: ProxySetting::Url("http://user:p4ss@proxy:3128/x".into()),
            ..Options::default()
        };
        let shown = format!("{o:?}");
        assert!(
            !shown.contains("p4ss") && !shown.contains("user:"),
            "{shown}"
        );
        assert!(shown.contains("http://***@proxy:3128/x"), "{shown}");
        assert_eq!(redact_userinfo("proxy:3128"), "proxy:3128");
        assert_eq!(redact_userinfo("u:p@proxy:3128"), "***@proxy:3128");
    }

    #[test]
    fn errors_are_specific() {
        for (json, needle) in [
            (r#"{"timeout":5}"#, "unknown option \"timeout\""),
            (r#"{"timeout_ms":"5"}"#, "'timeout_ms' must be an integer"),
            (r#"{"timeout_ms":0}"#, "between 1 and"),
            (r#"{"timeout_ms":1.5}"#, "must be an integer"),
            (r#"{"connect_timeout_ms":-1}"#, "between 1 and"),
            (r#"{"base_url":5}"#, "'base_url' must be a string"),
            (r#"{"max_response_bytes":0}"#, "max_response_bytes"),
            (r#"{"timeout_ms":1,"timeout_ms":2}"#, "duplicate key"),
            (r#"{"a":"#, "malformed JSON"),
            (r#"[1]"#, "must be a JSON object"),
            (r#"{"rate_limit_retries":11}"#, "between 0 and 10"),
            (r#"{"bogus":null}"#, "unknown option \"bogus\""),
        ] {
            let err = Options::from_json(Some(json)).unwrap_err();
            assert!(err.to_string().contains(needle), "{json}: {err}");
        }
    }
}
