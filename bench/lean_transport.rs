//! Prototype ureq transports (through `ureq::unversioned`, the API the
//! library already uses for its resolver) that remove the extra system calls
//! ureq 3.5 makes per kept-alive call. Measured against the stock agent by the
//! sequential benchmark; a suggestion for src/transport.rs, not used by the
//! library.
//!
//! - [`Coalesce`] sits on top of the chain (above TLS) and sends a request's
//!   head together with its body in one write (one TCP segment, one TLS
//!   record) instead of two.
//! - [`LeanTcp`] replaces ureq's `TcpConnector`: its liveness probe of a pooled
//!   connection is one `recv(MSG_PEEK | MSG_DONTWAIT)` instead of
//!   ioctl + read + ioctl, and it re-sets the socket timeouts only when they
//!   change by more than 10 ms (ureq sets them on every call because the time
//!   left of the overall timeout changes by microseconds).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::{Arc, Weak};
use std::time::Duration;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, Either, LazyBuffers, NextTimeout,
    RustlsConnector, ShutdownHandle, TcpConnector, Transport,
};
use ureq::{Agent, Error};

/// Which transport chain an agent uses.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// ureq's DefaultConnector (what the library uses).
    Stock,
    /// Stock TCP and TLS, plus [`Coalesce`].
    Coalesced,
    /// [`LeanTcp`], TLS, [`Coalesce`].
    Lean,
}

/// An agent configured like the library's (src/transport.rs), with the
/// sandbox CA as its only root.
pub fn agent(kind: Kind, ca_pem: Option<&[u8]>) -> Agent {
    let roots = match ca_pem {
        Some(pem) => {
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem)
                .filter_map(|i| match i {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c.to_owned()),
                    _ => None,
                })
                .collect();
            RootCerts::new_with_certs(&certs)
        }
        None => RootCerts::WebPki,
    };
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(roots)
        .build();
    let config = Config::builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .timeout_connect(Some(Duration::from_secs(10)))
        .user_agent("justclick/bench")
        .max_idle_connections(128)
        .max_idle_connections_per_host(64)
        .no_delay(true)
        .proxy(None)
        .tls_config(tls)
        .build();
    match kind {
        Kind::Stock => Agent::with_parts(
            config,
            DefaultConnector::default(),
            LiteralResolver::default(),
        ),
        Kind::Coalesced => Agent::with_parts(
            config,
            ().chain(TcpConnector::default())
                .chain(RustlsConnector::default())
                .chain(Coalesce),
            LiteralResolver::default(),
        ),
        Kind::Lean => Agent::with_parts(
            config,
            ().chain(LeanTcp)
                .chain(RustlsConnector::default())
                .chain(Coalesce),
            LiteralResolver::default(),
        ),
    }
}

/// One call the way `Client::send` makes it after signing: POST the form,
/// read the body with a size limit, parse and verify.
pub fn call(
    agent: &Agent,
    url: &str,
    body: &[u8],
    secret: &justclick::Secret,
) -> Result<justclick::Response, String> {
    let mut resp = agent
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body)
        .map_err(|e| e.to_string())?;
    if resp.status().as_u16() != 200 {
        return Err(format!("HTTP {}", resp.status()));
    }
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(8 << 20)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    justclick::parse_response(&bytes, secret).map_err(|e| e.to_string())
}

/// Literal IPs without a lookup (like the library's CachingResolver; ureq's
/// default resolver would start a thread per call when a timeout is set).
#[derive(Debug, Default)]
pub struct LiteralResolver {
    fallback: DefaultResolver,
}

impl Resolver for LiteralResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        if let (Some(a), Some(s)) = (uri.authority(), uri.scheme()) {
            let host = a.host().trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = host.parse::<std::net::IpAddr>() {
                let port = a
                    .port_u16()
                    .unwrap_or(if s.as_str() == "https" { 443 } else { 80 });
                let mut out = self.empty();
                out.push(std::net::SocketAddr::new(ip, port));
                return Ok(out);
            }
        }
        self.fallback.resolve(uri, config, timeout)
    }
}

// ---------------------------------------------------------------------------

/// Sends a request head together with the body that follows it.
#[derive(Debug)]
pub struct Coalesce;

impl<In: Transport> Connector<In> for Coalesce {
    type Out = CoalesceTransport<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        Ok(chained.map(|inner| CoalesceTransport {
            inner,
            held: Vec::new(),
        }))
    }
}

#[derive(Debug)]
pub struct CoalesceTransport<T> {
    inner: T,
    /// A request head waiting for its body.
    held: Vec<u8>,
}

/// A POST head announcing a body (and no `Expect: 100-continue`, where the
/// body must wait for the server): hold it for the body's write.
fn head_awaiting_body(out: &[u8]) -> bool {
    if !out.starts_with(b"POST ") || !out.ends_with(b"\r\n\r\n") {
        return false;
    }
    let head = String::from_utf8_lossy(out).to_ascii_lowercase();
    !head.contains("\r\nexpect:")
        && head
            .split("\r\n")
            .filter_map(|l| l.strip_prefix("content-length:"))
            .any(|v| v.trim().parse::<u64>().is_ok_and(|n| n > 0))
}

impl<T: Transport> Transport for CoalesceTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        if self.held.is_empty() {
            let out = &self.inner.buffers().output()[..amount];
            if head_awaiting_body(out) {
                self.held.extend_from_slice(out);
                return Ok(());
            }
            return self.inner.transmit_output(amount, timeout);
        }
        // Head + this output, in the inner transport's output buffer.
        let head_len = self.held.len();
        let out = self.inner.buffers().output();
        if head_len + amount > out.len() {
            // Does not fit: send the head alone, then this.
            let held = std::mem::take(&mut self.held);
            let tmp: Vec<u8> = out[..amount].to_vec();
            out[..head_len].copy_from_slice(&held);
            self.inner.transmit_output(head_len, timeout)?;
            let out = self.inner.buffers().output();
            out[..amount].copy_from_slice(&tmp);
            return self.inner.transmit_output(amount, timeout);
        }
        out.copy_within(..amount, head_len);
        out[..head_len].copy_from_slice(&self.held);
        self.held.clear();
        self.inner.transmit_output(head_len + amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        if !self.held.is_empty() {
            // Nothing more is coming: the head goes out alone.
            let held = std::mem::take(&mut self.held);
            self.inner.buffers().output()[..held.len()].copy_from_slice(&held);
            self.inner.transmit_output(held.len(), timeout)?;
        }
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.held.is_empty() && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

// ---------------------------------------------------------------------------

/// TCP with a one-system-call liveness probe and coarse socket timeouts.
#[derive(Debug)]
pub struct LeanTcp;

impl<In: Transport> Connector<In> for LeanTcp {
    type Out = Either<In, LeanTcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if chained.is_some() {
            return Ok(chained.map(Either::A));
        }
        let limit = details.timeout.not_zero().map(|d| *d);
        let mut last = None;
        let mut stream = None;
        for addr in details.addrs.iter() {
            let r = match limit {
                Some(t) => TcpStream::connect_timeout(addr, t),
                None => TcpStream::connect(addr),
            };
            match r {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let stream = match stream {
            Some(s) => s,
            None => {
                return Err(last.map_or(Error::ConnectionFailed, |e| {
                    if e.kind() == io::ErrorKind::TimedOut {
                        Error::Timeout(details.timeout.reason)
                    } else {
                        Error::Io(e)
                    }
                }))
            }
        };
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let stream = Arc::new(stream);
        (details.register_shutdown)(Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>)?;
        Ok(Some(Either::B(LeanTcpTransport {
            stream,
            buffers: LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            ),
            read_timeout: None,
            write_timeout: None,
        })))
    }
}

#[derive(Debug)]
pub struct LeanTcpTransport {
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

/// Socket timeouts are rounded down to this step, so that the time left of
/// the overall timeout (which shrinks by microseconds from call to call)
/// does not need a system call every time: a timeout may fire up to one step
/// early, never late.
const STEP: Duration = Duration::from_millis(10);

fn coarse(
    current: &mut Option<Duration>,
    wanted: Option<Duration>,
    set: impl FnOnce(Option<Duration>) -> io::Result<()>,
) -> io::Result<()> {
    let step = STEP.as_nanos();
    let wanted = wanted.map(|w| {
        Duration::from_nanos(((w.as_nanos() / step) * step) as u64).max(Duration::from_millis(1))
    });
    if wanted != *current {
        set(wanted)?;
        *current = wanted;
    }
    Ok(())
}

fn io_error(e: io::Error, timeout: &NextTimeout) -> Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(timeout.reason),
        _ => Error::Io(e),
    }
}

impl Transport for LeanTcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        let stream = &*self.stream;
        coarse(
            &mut self.write_timeout,
            timeout.not_zero().map(|d| *d),
            |t| stream.set_write_timeout(t),
        )?;
        let out = &self.buffers.output()[..amount];
        (&*self.stream)
            .write_all(out)
            .map_err(|e| io_error(e, &timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        let stream = &*self.stream;
        coarse(
            &mut self.read_timeout,
            timeout.not_zero().map(|d| *d),
            |t| stream.set_read_timeout(t),
        )?;
        let buf = self.buffers.input_append_buf();
        let n = loop {
            match (&*self.stream).read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r.map_err(|e| io_error(e, &timeout))?,
            }
        };
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        let mut b = [0u8; 1];
        // SAFETY: recv(2) into a 1-byte buffer we own, on an open socket.
        let n = unsafe {
            libc::recv(
                self.stream.as_raw_fd(),
                b.as_mut_ptr().cast(),
                1,
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        // Idle and open: nothing to read yet. Data or EOF: not reusable.
        n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock
    }
}
