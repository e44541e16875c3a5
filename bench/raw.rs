//! The raw floor: a minimal kept-alive HTTP/1.1 client over a TCP socket or
//! rustls (the library's TLS stack), sending pre-built request bytes and
//! reading just enough of the answer to find its end. No signing, no URL
//! handling, no parsing of the body. It is also used for the sandbox's admin
//! endpoints.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

/// One kept-alive connection.
pub struct RawClient {
    stream: Stream,
    buf: Vec<u8>,
}

/// A rustls client configuration trusting only the PEM file `ca_pem`.
pub fn tls_config(ca_pem: &[u8]) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    for item in ureq::tls::parse_pem(ca_pem) {
        if let Ok(ureq::tls::PemItem::Certificate(c)) = item {
            roots
                .add(CertificateDer::from(c.der().to_vec()))
                .map_err(|e| format!("bad CA: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl RawClient {
    /// Connects (and, with `tls`, handshakes with certificate verification
    /// against the sandbox CA for the IP address `addr`).
    pub fn connect(addr: SocketAddr, tls: Option<&Arc<ClientConfig>>) -> io::Result<RawClient> {
        let tcp = TcpStream::connect(addr)?;
        tcp.set_nodelay(true)?;
        let stream = match tls {
            None => Stream::Plain(tcp),
            Some(cfg) => {
                let name = ServerName::IpAddress(addr.ip().into());
                let conn = ClientConnection::new(cfg.clone(), name).map_err(io::Error::other)?;
                let mut s = StreamOwned::new(conn, tcp);
                while s.conn.is_handshaking() {
                    s.conn.complete_io(&mut s.sock)?;
                }
                Stream::Tls(Box::new(s))
            }
        };
        Ok(RawClient {
            stream,
            buf: Vec::with_capacity(8192),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.stream {
            Stream::Plain(s) => s.write_all(bytes),
            Stream::Tls(s) => {
                s.write_all(bytes)?;
                s.flush()
            }
        }
    }

    fn read_more(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = match &mut self.stream {
            Stream::Plain(s) => s.read(&mut chunk)?,
            Stream::Tls(s) => s.read(&mut chunk)?,
        };
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Sends `parts` (each in its own write: one part is one segment or TLS
    /// record) and reads one answer. Returns the status and the body length;
    /// the body stays in [`RawClient::body`] until the next call.
    pub fn roundtrip(&mut self, parts: &[&[u8]]) -> io::Result<(u16, usize)> {
        for p in parts {
            self.write(p)?;
        }
        self.buf.clear();
        let head_end = loop {
            if let Some(p) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            self.read_more()?;
        };
        let head = &self.buf[..head_end];
        let status = head
            .get(9..12)
            .and_then(|s| std::str::from_utf8(s).ok())
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other("bad status line"))?;
        let mut length = None;
        for line in head.split(|&b| b == b'\n') {
            if line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
                length = std::str::from_utf8(&line[15..])
                    .ok()
                    .and_then(|s| s.trim().parse::<usize>().ok());
            }
        }
        let length = length.ok_or_else(|| io::Error::other("no content-length"))?;
        while self.buf.len() < head_end + length {
            self.read_more()?;
        }
        self.buf.drain(..head_end);
        Ok((status, length))
    }

    fn tcp(&self) -> &TcpStream {
        match &self.stream {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }

    /// ureq 3.5's liveness probe of a pooled connection: non-blocking mode
    /// on, a 1-byte read that must fail with WouldBlock, blocking mode off
    /// (three system calls; ureq runs it when a connection goes back to the
    /// pool and again when it is taken out).
    fn ureq_probe(&self) -> io::Result<()> {
        let s = self.tcp();
        s.set_nonblocking(true)?;
        let mut b = [0u8; 1];
        // (ureq reads; peek costs the same system call and cannot eat a
        // byte of a TLS record that might be waiting.)
        match s.peek(&mut b) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            _ => return Err(io::Error::other("probe: connection not idle")),
        }
        s.set_nonblocking(false)
    }

    /// [`RawClient::roundtrip`] with the system calls ureq 3.5 makes around
    /// the same exchange: the probe when taking the connection, a socket
    /// timeout set before the write and before each read (its value, the
    /// time left of the overall timeout, changes on every call), head and
    /// body in separate writes, the probe when giving the connection back.
    /// Diagnostic: shows what those calls cost on this machine.
    pub fn roundtrip_ureq_like(&mut self, head: &[u8], body: &[u8]) -> io::Result<(u16, usize)> {
        self.ureq_probe()?;
        let left = std::time::Duration::from_secs(30)
            - std::time::Duration::from_nanos(self.buf.capacity() as u64 % 1000 + 1);
        self.tcp().set_write_timeout(Some(left))?;
        self.tcp().set_read_timeout(Some(left))?;
        let r = self.roundtrip(&[head, body])?;
        self.tcp()
            .set_read_timeout(Some(left - std::time::Duration::from_nanos(1)))?;
        self.ureq_probe()?;
        Ok(r)
    }

    /// The body of the last answer.
    pub fn body(&self) -> &[u8] {
        &self.buf
    }
}

/// `POST path` with a form body, as one buffer.
pub fn post_request(host: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// `GET path`, as one buffer.
pub fn get_request(host: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes()
}
