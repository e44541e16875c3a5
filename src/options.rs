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

/// The user agent sent unless overridden: `justclick/<crate version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("justclick/", env!("CARGO_PKG_VERSION"));

/// The option names accepted in JSON, in documentation order.
pub const OPTION_NAMES: &[&str] = &[
    "base_url",
    "timeout_ms",
    "connect_timeout_ms",
    "ca_file",
    "proxy",
    "user_agent",
    "max_response_bytes",
    "rate_limit_retries",
    "rate_limit_backoff_ms",
    "batch_timeout_ms",
];

/// Where requests go through. `Debug` hides proxy credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// Use `ALL_PROXY` / `HTTPS_PROXY` / `HTTP_PROXY` (and `NO_PROXY`) from
    /// the environment, read when the client is built. The default.
    #[default]
    FromEnv,
    /// Connect directly, ignoring the environment.
    Direct,
    /// This proxy (`http://[user:pass@]host:port`, also `https://`,
    /// `socks5://`); it takes precedence over the environment.
    Url(String),
}

/// How a [`crate::Client`] connects. Plain data; validated by
/// [`crate::Client::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Replaces `https://{login}.justclick.ru` (e.g. the local sandbox
    /// `http://127.0.0.1:8089`); the path stays `/api/{Method}`. `http://`
    /// is allowed for local use; the default is always HTTPS.
    pub base_url: Option<String>,
    /// Overall limit per call, DNS through the last body byte.
    pub timeout: Duration,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// A PEM file of extra CA certificates, *added* to the bundled Mozilla
    /// roots. Verification itself can never be turned off.
    pub ca_file: Option<PathBuf>,
    /// Proxy choice; see [`ProxySetting`].
    pub proxy: ProxySetting,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Responses with a larger body fail with a bad-response error.
    pub max_response_bytes: u64,
    /// Retries of API error 8 (request limit reached) in batches, for
    /// idempotent calls only.
    pub rate_limit_retries: u32,
    /// First backoff delay for those retries (doubles each time).
    pub rate_limit_backoff: Duration,
    /// Deadline of a batch, from its start: calls not started by then are
    /// never sent (they fail with a timeout error "not sent: ..."); calls in
    /// flight keep their own `timeout`. `None` (the default): no deadline.
    pub batch_timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            ca_file: None,
            proxy: ProxySetting::FromEnv,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            rate_limit_retries: 3,
            rate_limit_backoff: Duration::from_millis(250),
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
fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}***{}", &rest[at..])
        }
        None => url.to_owned(),
    }
}

fn millis(name: &str, v: &Value, max: Duration) -> Result<Duration> {
    let max_ms = max.as_millis() as i64;
    match v {
        Value::Int(ms) if (1..=max_ms).contains(ms) => Ok(Duration::from_millis(*ms as u64)),
        Value::Int(ms) => invalid(format!(
            "option '{name}' must be between 1 and {max_ms} milliseconds, got {ms}"
        )),
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
    /// Parses the JSON options object of the C ABI.
    ///
    /// Keys: `base_url`, `timeout_ms`, `connect_timeout_ms`, `ca_file`,
    /// `proxy` (`""` = direct, ignoring the environment), `user_agent`,
    /// `max_response_bytes`, `rate_limit_retries`, `rate_limit_backoff_ms`.
    /// `null` values mean "default". Unknown keys, wrong types and duplicate
    /// keys are errors. `None`, `""`, `null` or `{}` give the defaults.
    pub fn from_json(json: Option<&str>) -> Result<Options> {
        let mut o = Options::default();
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
        for (key, v) in map.iter() {
            if matches!(v, Value::Null) && OPTION_NAMES.contains(&key) {
                continue;
            }
            match key {
                "base_url" => o.base_url = Some(string(key, v)?),
                "timeout_ms" => o.timeout = millis(key, v, MAX_TIMEOUT)?,
                "connect_timeout_ms" => o.connect_timeout = millis(key, v, MAX_TIMEOUT)?,
                "ca_file" => o.ca_file = Some(PathBuf::from(string(key, v)?)),
                "proxy" => {
                    let p = string(key, v)?;
                    o.proxy = if p.is_empty() {
                        ProxySetting::Direct
                    } else {
                        ProxySetting::Url(p)
                    };
                }
                "user_agent" => o.user_agent = string(key, v)?,
                "max_response_bytes" => {
                    o.max_response_bytes = match v {
                        Value::Int(n) if (1..=MAX_RESPONSE_LIMIT as i64).contains(n) => *n as u64,
                        _ => {
                            return invalid(format!(
                                "option 'max_response_bytes' must be an integer between 1 and {MAX_RESPONSE_LIMIT}"
                            ))
                        }
                    }
                }
                "rate_limit_retries" => {
                    o.rate_limit_retries = match v {
                        Value::Int(n) if (0..=10).contains(n) => *n as u32,
                        _ => {
                            return invalid(
                                "option 'rate_limit_retries' must be an integer between 0 and 10",
                            )
                        }
                    }
                }
                "rate_limit_backoff_ms" => {
                    o.rate_limit_backoff = millis(key, v, Duration::from_secs(60))?
                }
                "batch_timeout_ms" => o.batch_timeout = Some(millis(key, v, MAX_BATCH_TIMEOUT)?),
                unknown => {
                    return invalid(format!(
                        "unknown option {unknown:?} (known options: {})",
                        OPTION_NAMES.join(", ")
                    ))
                }
            }
        }
        Ok(o)
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
