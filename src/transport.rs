//! HTTP transport: one ureq agent per client, TLS always verified, redirects
//! never followed, every ureq failure mapped to exactly one error kind.

use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::{Agent, Proxy};

use crate::error::{invalid, Error, Result};
use crate::options::{Options, ProxySetting};

/// Idle connections kept per host: above the largest batch concurrency, or a
/// batch would keep reconnecting.
pub(crate) const POOL_PER_HOST: usize = 64;

/// How long a resolved host name is reused.
const DNS_TTL: Duration = Duration::from_secs(30);

pub(crate) struct Transport {
    agent: Agent,
    max_response_bytes: u64,
    /// `host[:port]` for error messages, derived once.
    host: String,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// A successful HTTP exchange: status 200 and the whole body.
pub(crate) struct HttpReply {
    pub body: Vec<u8>,
}

impl Transport {
    /// An agent for requests to `base` (used for messages only).
    pub(crate) fn new(o: &Options, base: &str) -> Result<Transport> {
        validate_user_agent(&o.user_agent)?;
        let roots = match &o.ca_file {
            None => RootCerts::WebPki,
            Some(path) => RootCerts::new_with_certs(&bundled_plus_file(path)?),
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(roots)
            .build();
        let proxy = match &o.proxy {
            ProxySetting::FromEnv => Proxy::try_from_env(),
            ProxySetting::Direct => None,
            ProxySetting::Url(url) => Some(Proxy::new(url).map_err(|e| {
                Error::invalid(format!("option 'proxy' is not a usable proxy URL: {e}"))
            })?),
        };
        let config = Config::builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(o.timeout))
            // The overall limit bounds the connect phase too.
            .timeout_connect(Some(o.connect_timeout.min(o.timeout)))
            .user_agent(o.user_agent.as_str())
            .max_idle_connections(POOL_PER_HOST * 2)
            .max_idle_connections_per_host(POOL_PER_HOST)
            // Retire idle connections before common servers drop them; ureq
            // still probes each pooled connection before reusing it.
            .max_idle_age(o.idle_timeout)
            .no_delay(true)
            .proxy(proxy)
            .tls_config(tls)
            .build();
        let agent = Agent::with_parts(
            config,
            DefaultConnector::default(),
            CachingResolver::default(),
        );
        Ok(Transport {
            agent,
            max_response_bytes: o.max_response_bytes,
            host: host_of(base),
        })
    }

    /// POSTs a form body; returns the body of a 200 answer, every other
    /// outcome as its error kind.
    pub(crate) fn post_form(&self, url: &str, body: &[u8]) -> Result<HttpReply> {
        let host = self.host.as_str();
        let mut resp = self
            .agent
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(body)
            .map_err(|e| map_error(e, host, Phase::Request))?;
        let status = resp.status();
        if status.as_u16() != 200 {
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut snippet = Vec::new();
            // Only a peek, for the message; bounded so a hostile body costs nothing.
            let _ = resp
                .body_mut()
                .as_reader()
                .take(160)
                .read_to_end(&mut snippet);
            let reason = status
                .canonical_reason()
                .map_or(String::new(), |r| format!(" {r}"));
            let mut message = format!(
                "HTTP status {}{reason} from {host} (expected 200)",
                status.as_u16()
            );
            if status.is_redirection() {
                message.push_str(&format!(
                    "; redirect to {} not followed: a signed request is never re-sent to another URL",
                    location.as_deref().map_or("(no Location)".into(), |l| {
                        // Bounded: a header can be 64 KiB of hostile text.
                        printable(&l.chars().take(200).collect::<String>())
                    })
                ));
            }
            if !snippet.is_empty() {
                message.push_str(&format!(
                    "; body starts: {}",
                    printable(&String::from_utf8_lossy(&snippet))
                ));
            }
            return Err(Error::HttpStatus {
                status: status.as_u16(),
                message,
            });
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(self.max_response_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(n) => Error::BadResponse(format!(
                    "response from {host} is larger than max_response_bytes ({n} bytes); not read further"
                )),
                other => map_error(other, host, Phase::Body),
            })?;
        Ok(HttpReply { body })
    }
}

/// Quotes text for an error message, dropping control characters.
pub(crate) fn printable(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("{:?}", cleaned.trim())
}

fn host_of(url: &str) -> String {
    url.parse::<Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_else(|| "server".to_owned())
}

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Request,
    Body,
}

fn map_error(e: ureq::Error, host: &str, phase: Phase) -> Error {
    use std::io::ErrorKind as Io;
    let timeout = |what: String| Error::Timeout(format!("request to {host} timed out ({what})"));
    let tls_failure = |t: &dyn std::fmt::Display| {
        Error::Transport(format!(
            "TLS handshake with {host} failed: {t} (certificates are always verified; add the server's CA with the 'ca_file' option)"
        ))
    };
    // rustls errors during the handshake arrive wrapped in an io::Error.
    if let ureq::Error::Io(io) = &e {
        if let Some(t) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            return tls_failure(t);
        }
    }
    match e {
        ureq::Error::Timeout(t) => timeout(t.to_string()),
        ureq::Error::Io(io) if matches!(io.kind(), Io::TimedOut | Io::WouldBlock) => {
            timeout(io.to_string())
        }
        ureq::Error::Io(io) if phase == Phase::Body => Error::BadResponse(format!(
            "response body from {host} was cut short (truncated): {io}"
        )),
        ureq::Error::Protocol(p) if phase == Phase::Body => Error::BadResponse(format!(
            "response body from {host} is malformed or truncated: {p}"
        )),
        ureq::Error::HostNotFound => Error::Transport(format!("could not resolve host {host}")),
        ureq::Error::ConnectionFailed => Error::Transport(format!("could not connect to {host}")),
        ureq::Error::Io(io) => match io.kind() {
            Io::ConnectionRefused => {
                Error::Transport(format!("could not connect to {host}: connection refused"))
            }
            Io::UnexpectedEof | Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe => {
                Error::Transport(format!(
                    "connection to {host} closed before a response arrived: {io}"
                ))
            }
            _ => Error::Transport(format!("I/O error talking to {host}: {io}")),
        },
        ureq::Error::Rustls(t) => tls_failure(&t),
        ureq::Error::Tls(t) => Error::Transport(format!("TLS error with {host}: {t}")),
        ureq::Error::Protocol(p) => {
            Error::Transport(format!("malformed HTTP exchange with {host}: {p}"))
        }
        ureq::Error::BadUri(u) => Error::invalid(format!("bad URL: {u}")),
        ureq::Error::InvalidProxyUrl => Error::invalid("option 'proxy' is not a usable proxy URL"),
        ureq::Error::BodyExceedsLimit(n) => Error::BadResponse(format!(
            "response from {host} is larger than max_response_bytes ({n} bytes)"
        )),
        other => Error::Transport(format!("request to {host} failed: {other}")),
    }
}

fn validate_user_agent(ua: &str) -> Result<()> {
    if ua.is_empty() || ua.len() > 256 || !ua.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return invalid("option 'user_agent' must be 1 to 256 printable ASCII characters");
    }
    Ok(())
}

/// Mozilla's bundled roots plus every certificate of the PEM file at `path`.
fn bundled_plus_file(path: &std::path::Path) -> Result<Vec<Certificate<'static>>> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| Error::invalid(format!("option 'ca_file': cannot read {shown}: {e}")))?;
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => extra.push(c.to_owned()),
            Ok(_) => {} // keys and other sections are not roots; ignore them
            Err(e) => {
                return invalid(format!(
                    "option 'ca_file': {shown} is not a valid PEM file: {e}"
                ))
            }
        }
    }
    if extra.is_empty() {
        return invalid(format!(
            "option 'ca_file': {shown} contains no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
        ));
    }
    // ureq would silently skip certificates that do not parse; check them
    // here so a broken file is an error, not a quietly smaller trust store.
    let mut store = rustls::RootCertStore::empty();
    for (i, c) in extra.iter().enumerate() {
        store
            .add(rustls::pki_types::CertificateDer::from(c.der()))
            .map_err(|e| {
                Error::invalid(format!(
                    "option 'ca_file': certificate #{} in {shown} is not usable as a CA: {e}",
                    i + 1
                ))
            })?;
    }
    let mut all: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()))
        .collect();
    all.extend(extra);
    Ok(all)
}

/// Skips DNS for literal IPs and caches names briefly.
///
/// ureq resolves on every request, even over a pooled connection, and with a
/// timeout set it spawns a thread per lookup; both cost more than the whole
/// rest of a call on a kept-alive connection.
#[derive(Default)]
struct CachingResolver {
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
    fallback: DefaultResolver,
}

impl std::fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachingResolver")
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(authority), Some(scheme)) = (uri.authority(), uri.scheme()) else {
            return self.fallback.resolve(uri, config, timeout);
        };
        let port = authority
            .port_u16()
            .unwrap_or(if scheme.as_str() == "https" { 443 } else { 80 });
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            let mut out = self.empty();
            out.push(SocketAddr::new(ip, port));
            return Ok(out);
        }
        let key = format!("{host}:{port}");
        if let Some((at, addrs)) = self
            .cache
            .lock()
            .map_err(|_| ureq::Error::HostNotFound)?
            .get(&key)
        {
            if at.elapsed() < DNS_TTL {
                return Ok(addrs.clone());
            }
        }
        let addrs = self.fallback.resolve(uri, config, timeout)?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 64 {
                cache.clear();
            }
            cache.insert(key, (Instant::now(), addrs.clone()));
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_file_errors_are_clear() {
        let dir = std::env::temp_dir().join(format!("jc-ca-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let err = bundled_plus_file(&missing).unwrap_err().to_string();
        assert!(
            err.contains("cannot read") && err.contains("missing.pem"),
            "{err}"
        );
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "hello").unwrap();
        let err = bundled_plus_file(&empty).unwrap_err().to_string();
        assert!(err.contains("contains no PEM certificate"), "{err}");
        let junk = dir.join("junk.pem");
        std::fs::write(
            &junk,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = bundled_plus_file(&junk).unwrap_err().to_string();
        assert!(
            err.contains("not usable as a CA") || err.contains("not a valid PEM"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn user_agent_must_be_header_safe() {
        for ua in ["", "a\r\nX-Evil: 1", "тест"] {
            let o = Options {
                user_agent: ua.into(),
                ..Options::default()
            };
            assert!(Transport::new(&o, "http://h").is_err(), "{ua:?}");
        }
    }

    #[test]
    fn printable_strips_controls() {
        assert_eq!(printable("a\r\nb\0"), "\"a  b\"");
    }
}
