//! HTTP transport: one ureq agent per client, TLS always verified, redirects
//! never followed, every ureq failure mapped to exactly one error kind.

use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::{Agent, Proxy};

use crate::error::{invalid, Error, Result};
use crate::options::{redact_userinfo, Options, ProxySetting};

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
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(root_certs(o.ca_file.as_deref())?)
            .build();
        let base_uri: Uri = base
            .parse()
            .map_err(|_| Error::invalid("base URL is not a URL"))?;
        let proxy = choose_proxy(&o.proxy, &base_uri, &|name| {
            // A value that is not UTF-8 is kept (lossily) so it fails to
            // parse with an error instead of being skipped.
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })?;
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

/// The bundled Mozilla roots (webpki root certificates), built once per
/// process and shared by every client: the same list whether or not a CA
/// file is added, so the trusted CAs never depend on that choice.
fn bundled_roots() -> &'static RootCerts {
    static BUNDLED: OnceLock<RootCerts> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()))
            .into()
    })
}

/// The trust store: the bundled roots, plus the certificates of `ca_file`.
fn root_certs(ca_file: Option<&std::path::Path>) -> Result<RootCerts> {
    match ca_file {
        None => Ok(bundled_roots().clone()),
        Some(path) => Ok(RootCerts::new_with_certs(&bundled_plus_file(path)?)),
    }
}

/// Checks the port of a URL authority (`[user@]host[:port]`): absent, or
/// 1 to 5 digits between 1 and 65535. Returns the reason otherwise.
pub(crate) fn check_port(authority: &str) -> std::result::Result<(), String> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let after_host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(_, rest)| rest),
        None => host_port.find(':').map_or("", |i| &host_port[i..]),
    };
    if after_host.is_empty() {
        return Ok(());
    }
    let digits = after_host.strip_prefix(':').unwrap_or(after_host);
    let ok = (1..=5).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits
            .parse::<u32>()
            .is_ok_and(|p| (1..=65535).contains(&p));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "port {} is not a number between 1 and 65535",
            printable(&digits.chars().take(20).collect::<String>())
        ))
    }
}

/// The proxy for calls to `base`: the `proxy` option, else the environment
/// as curl reads it (`var` looks a variable up).
///
/// A proxy that was asked for but cannot be used is an invalid-argument
/// error, never a silent direct connection.
fn choose_proxy(
    setting: &ProxySetting,
    base: &Uri,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>> {
    match setting {
        ProxySetting::Direct => Ok(None),
        ProxySetting::Url(url) => parse_proxy(url, "option 'proxy'").map(Some),
        ProxySetting::FromEnv => {
            // Uppercase HTTP_PROXY is never read: under CGI a request's
            // `Proxy:` header arrives as HTTP_PROXY ("httpoxy").
            let names: &[&str] = if base.scheme_str() == Some("https") {
                &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            } else {
                &["http_proxy", "all_proxy", "ALL_PROXY"]
            };
            let Some((name, url)) = names
                .iter()
                .find_map(|n| var(n).filter(|v| !v.is_empty()).map(|v| (*n, v)))
            else {
                return Ok(None);
            };
            let host = base.host().unwrap_or("");
            if let Some(list) = var("no_proxy").or_else(|| var("NO_PROXY")) {
                if no_proxy_matches(&list, host) {
                    return Ok(None);
                }
            }
            parse_proxy(&url, &format!("environment variable {name}")).map(Some)
        }
    }
}

/// Parses a proxy URL; `source` names where it came from, for the message.
/// A URL without a scheme is an `http://` proxy.
fn parse_proxy(url: &str, source: &str) -> Result<Proxy> {
    let bad = |why: &str| {
        Error::invalid(format!(
            "{source} {} is not a usable proxy URL: {why}",
            printable(&redact_userinfo(url))
        ))
    };
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("http".to_owned(), url),
    };
    if !matches!(scheme.as_str(), "http" | "https" | "socks5" | "socks5h") {
        return Err(bad(
            "the scheme must be http://, https://, socks5:// or socks5h://",
        ));
    }
    let normalized = format!("{scheme}://{rest}");
    let Ok(uri) = normalized.parse::<Uri>() else {
        return Err(bad(
            "not a URL (percent-encode '/', ':' and '@' in a user name or password)",
        ));
    };
    let Some(authority) = uri.authority().filter(|a| !a.host().is_empty()) else {
        return Err(bad("it has no host"));
    };
    check_port(authority.as_str()).map_err(|why| bad(&why))?;
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(bad("a proxy URL has no path or query"));
    }
    Proxy::new(&normalized).map_err(|e| bad(&e.to_string()))
}

/// Whether `host` is exempt from the proxy under a `no_proxy` list: entries
/// separated by commas or spaces; `*` matches every host; a name matches
/// itself and its subdomains (a leading `.` or `*.` is ignored); an IP
/// address matches itself, a CIDR range (`10.0.0.0/8`) its addresses.
fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry.trim_start_matches('[').trim_end_matches(']');
            match host_ip {
                Some(ip) => {
                    let (addr, bits) = match entry.split_once('/') {
                        Some((a, b)) => (a, b.parse::<u32>().ok()),
                        None => (entry, None),
                    };
                    let Ok(net) = addr.trim_end_matches(']').parse::<IpAddr>() else {
                        return false;
                    };
                    match (ip, net) {
                        (IpAddr::V4(ip), IpAddr::V4(net)) => {
                            in_prefix(ip.to_bits().into(), net.to_bits().into(), bits, 32)
                        }
                        (IpAddr::V6(ip), IpAddr::V6(net)) => {
                            in_prefix(ip.to_bits(), net.to_bits(), bits, 128)
                        }
                        _ => false,
                    }
                }
                None => {
                    let name = entry.to_ascii_lowercase();
                    let name = name
                        .trim_start_matches("*.")
                        .trim_start_matches('.')
                        .trim_end_matches('.');
                    !name.is_empty()
                        && (host == name
                            || (host.len() > name.len()
                                && host.ends_with(name)
                                && host.as_bytes()[host.len() - name.len() - 1] == b'.'))
                }
            }
        })
}

/// Whether the top `bits` of `ip` and `net` agree (all `width` bits when
/// absent); a prefix longer than the address matches nothing.
fn in_prefix(ip: u128, net: u128, bits: Option<u32>, width: u32) -> bool {
    let bits = bits.unwrap_or(width);
    if bits > width {
        return false;
    }
    let drop = width - bits;
    // checked_shr: a shift by 128 (a /0 IPv6 range) is not allowed on u128.
    ip.checked_shr(drop).unwrap_or(0) == net.checked_shr(drop).unwrap_or(0)
}

/// The port of a URL without one: ureq resolves the proxy's own URL through
/// this resolver too, so the SOCKS default matters as well as HTTP(S).
fn default_port(scheme: &str) -> u16 {
    match scheme.to_ascii_lowercase().as_str() {
        "https" => 443,
        s if s.starts_with("socks") => 1080,
        _ => 80,
    }
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
    let mut all: Vec<Certificate<'static>> = match bundled_roots() {
        RootCerts::Specific(certs) => certs.iter().cloned().collect(),
        _ => Vec::new(),
    };
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
            .unwrap_or_else(|| default_port(scheme.as_str()));
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
    fn one_root_store_with_and_without_ca_file() {
        let RootCerts::Specific(bundled) = root_certs(None).unwrap() else {
            panic!("the bundled roots must be a specific list, not ureq's own WebPki set");
        };
        let RootCerts::Specific(again) = root_certs(None).unwrap() else {
            unreachable!()
        };
        assert!(std::sync::Arc::ptr_eq(&bundled, &again), "built once");
        assert_eq!(
            bundled.len(),
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
        );
        assert!(bundled.len() > 100);

        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = params.self_signed(&key).unwrap().pem();
        let path = std::env::temp_dir().join(format!("jc-roots-{}.pem", std::process::id()));
        std::fs::write(&path, ca).unwrap();
        let RootCerts::Specific(with_file) = root_certs(Some(&path)).unwrap() else {
            panic!("a CA file gives a specific list");
        };
        std::fs::remove_file(&path).ok();
        assert_eq!(with_file.len(), bundled.len() + 1);
        let der = |c: &Certificate<'static>| c.der().to_vec();
        assert!(
            bundled
                .iter()
                .zip(with_file.iter())
                .all(|(a, b)| der(a) == der(b)),
            "the CA file adds to exactly the bundled roots"
        );
    }

    #[test]
    fn port_checks() {
        for ok in [
            "h",
            "h:1",
            "h:65535",
            "[::1]",
            "[::1]:8089",
            "u:p@h:3128",
            "u:p:x@h",
        ] {
            assert_eq!(check_port(ok), Ok(()), "{ok}");
        }
        for bad in [
            "h:", "h:0", "h:65536", "h:99999", "h:+1", "h:1x", "[::1]:", "[::1]x", "h:000001",
        ] {
            assert!(check_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn proxy_from_environment_as_curl() {
        let https: Uri = "https://demo.justclick.ru".parse().unwrap();
        let http: Uri = "http://127.0.0.1:8089".parse().unwrap();
        let pick = |base: &Uri, vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            choose_proxy(&ProxySetting::FromEnv, base, &|n| {
                vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone())
            })
            .map(|p| p.map(|p| format!("{}:{}", p.host(), p.port())))
        };
        let all = [
            ("https_proxy", "a:1"),
            ("HTTPS_PROXY", "b:2"),
            ("http_proxy", "c:3"),
            ("HTTP_PROXY", "d:4"),
            ("all_proxy", "e:5"),
            ("ALL_PROXY", "f:6"),
        ];
        assert_eq!(pick(&https, &all).unwrap().as_deref(), Some("a:1"));
        assert_eq!(pick(&https, &all[1..]).unwrap().as_deref(), Some("b:2"));
        assert_eq!(pick(&https, &all[2..]).unwrap().as_deref(), Some("e:5"));
        assert_eq!(pick(&http, &all).unwrap().as_deref(), Some("c:3"));
        assert_eq!(pick(&http, &all[3..]).unwrap().as_deref(), Some("e:5"));
        assert_eq!(pick(&http, &all[5..]).unwrap().as_deref(), Some("f:6"));
        assert_eq!(pick(&http, &[("HTTP_PROXY", "d:4")]).unwrap(), None);
        assert_eq!(pick(&https, &[("http_proxy", "c:3")]).unwrap(), None);
        // Empty counts as unset.
        assert_eq!(
            pick(&https, &[("https_proxy", ""), ("ALL_PROXY", "f:6")])
                .unwrap()
                .as_deref(),
            Some("f:6")
        );
        // Default ports.
        for (url, port) in [
            ("socks5://s", "s:1080"),
            ("socks5h://s", "s:1080"),
            ("http://s", "s:80"),
            ("https://s", "s:443"),
            ("s", "s:80"),
        ] {
            assert_eq!(
                pick(&https, &[("ALL_PROXY", url)]).unwrap().as_deref(),
                Some(port),
                "{url}"
            );
        }
        // no_proxy first, then NO_PROXY.
        let exempt = [
            ("ALL_PROXY", "f:6"),
            ("no_proxy", "demo.justclick.ru"),
            ("NO_PROXY", "x"),
        ];
        assert_eq!(pick(&https, &exempt).unwrap(), None);
        let err = pick(&http, &[("ALL_PROXY", "socks4://u:pw@s")]).unwrap_err();
        assert!(err.to_string().contains("ALL_PROXY"), "{err}");
        assert!(!err.to_string().contains("pw"), "{err}");
    }

    #[test]
    fn no_proxy_rules() {
        for (list, host) in [
            ("*", "any.host"),
            ("justclick.ru", "demo.justclick.ru"),
            ("justclick.ru", "JustClick.RU"),
            (".justclick.ru", "justclick.ru"),
            ("*.justclick.ru", "demo.justclick.ru"),
            ("a, b justclick.ru.", "demo.justclick.ru."),
            ("10.0.0.0/8", "10.1.2.3"),
            ("127.0.0.1", "127.0.0.1"),
            ("::1", "[::1]"),
            ("[::1]", "[::1]"),
            ("fd00::/8", "[fd12::1]"),
            ("::/0", "[2001:db8::1]"),
            ("0.0.0.0/0", "192.0.2.1"),
        ] {
            assert!(no_proxy_matches(list, host), "{list} / {host}");
        }
        for (list, host) in [
            ("", "h"),
            ("lick.ru", "demo.justclick.ru"),
            ("demo.justclick.ru", "justclick.ru"),
            ("0.0.1", "127.0.0.1"),
            ("127.0.0.2", "127.0.0.1"),
            ("10.0.0.0/33", "10.0.0.0"),
            ("11.0.0.0/8", "10.0.0.1"),
            ("::1", "127.0.0.1"),
            ("**", "h"),
        ] {
            assert!(!no_proxy_matches(list, host), "{list} / {host}");
        }
    }

    #[test]
    fn resolver_uses_each_schemes_default_port() {
        let r = CachingResolver::default();
        let config = Config::default();
        for (url, port) in [
            ("socks5://127.0.0.1", 1080),
            ("socks5h://127.0.0.1", 1080),
            ("https://127.0.0.1", 443),
            ("http://127.0.0.1", 80),
            ("http://127.0.0.1:3128", 3128),
        ] {
            let uri: Uri = url.parse().unwrap();
            let timeout = NextTimeout {
                after: Duration::from_secs(1).into(),
                reason: ureq::Timeout::Resolve,
                per_read: None,
                per_write: None,
            };
            let addrs = r.resolve(&uri, &config, timeout).unwrap();
            assert_eq!(addrs[0].port(), port, "{url}");
        }
    }

    #[test]
    fn printable_strips_controls() {
        assert_eq!(printable("a\r\nb\0"), "\"a  b\"");
    }
}
