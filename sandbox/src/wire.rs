//! The HTTP/1.1 wire: connections (plain or TLS), reading one request,
//! writing one response. Everything above it (routing, the API, the admin
//! endpoints, faults) uses it; it uses nothing of the sandbox.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};

/// A plain or TLS connection.
pub(super) enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Conn {
    pub(super) fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// One parsed HTTP request.
pub(super) struct Request {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) user_agent: String,
    /// The `Host` header (its first label is the login on `*.justclick.ru`).
    pub(super) host: String,
    /// The caller's address (filled in by the connection loop).
    pub(super) peer: IpAddr,
    pub(super) body: Vec<u8>,
    pub(super) keep_alive: bool,
}

pub(super) const MAX_HEAD: usize = 64 * 1024;
pub(super) const MAX_REQUEST_BODY: usize = 16 << 20;

pub(super) fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// Reads one request; `Ok(None)` on a clean close between requests.
pub(super) fn read_request(conn: &mut Conn, buf: &mut Vec<u8>) -> io::Result<Option<Request>> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = find_head_end(buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "header too large",
            ));
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let version = parts.next().unwrap_or("");
    let mut keep_alive = version == "HTTP/1.1";
    let mut length = 0usize;
    let mut user_agent = String::new();
    let mut host = String::new();
    let mut expect_continue = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                length = value
                    .parse()
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?
            }
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    keep_alive = false;
                } else if v.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            "user-agent" => user_agent = value.to_owned(),
            "host" => host = value.to_owned(),
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            "transfer-encoding" => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "chunked bodies not supported",
                ))
            }
            _ => {}
        }
    }
    if length > MAX_REQUEST_BODY {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
    }
    buf.drain(..head_end);
    if expect_continue && buf.len() < length {
        // curl (and so PHP) waits a second for this before sending bodies over 1 KiB.
        conn.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        conn.flush()?;
    }
    while buf.len() < length {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buf.drain(..length).collect();
    Ok(Some(Request {
        method,
        path,
        user_agent,
        host,
        peer: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        body,
        keep_alive,
    }))
}

/// What to do after a request.
pub(super) enum Action {
    /// Send these bytes; keep the connection if true.
    Send(Vec<u8>, bool),
    /// Send these bytes, then close.
    SendClose(Vec<u8>),
    /// Close without answer.
    Close,
    /// Reset the connection.
    Reset,
    /// Stream a huge body.
    Huge,
    /// Trickle a body.
    Slow,
}

pub(super) fn send(conn: &mut Conn, bytes: &[u8]) -> io::Result<()> {
    conn.write_all(bytes)?;
    conn.flush()
}

pub(super) fn http_response(
    status: u16,
    content_type: &str,
    body: &[u8],
    keep_alive: bool,
) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Unknown",
    };
    let mut out = Vec::with_capacity(160 + body.len());
    let _ = write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nServer: justclick-sandbox\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    out.extend_from_slice(body);
    out
}

pub(super) fn html_page(status: u16, title: &str) -> Vec<u8> {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{status} {title}</title></head><body><h1>{title}</h1><p>justclick-sandbox</p></body></html>\n"
    );
    http_response(status, "text/html; charset=UTF-8", body.as_bytes(), true)
}
