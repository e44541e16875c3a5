//! HTTP/1.1 serving: accepting, reading requests, routing to the API or the admin endpoints, and applying faults to answers.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use super::admin::handle_admin;
use super::checks::{render, verify_and_run};
use super::faults::{hold, set_linger_zero, stream_huge, trickle};
use super::store::Answer;
use super::{lock, Fault, Shared};

pub(super) fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        lock(&shared.stats).connections += 1;
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        if let Ok(c) = stream.try_clone() {
            lock(&shared.conns).insert(id, c);
        }
        let shared = shared.clone();
        let tls = tls.clone();
        let spawned = thread::Builder::new()
            .name("sandbox-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let idle = serve_connection(stream, &shared, tls);
                // Drops the last handle of the socket: only now is it closed.
                lock(&shared.conns).remove(&id);
                if idle {
                    lock(&shared.stats).idle_closed += 1;
                }
            });
        if spawned.is_err() {
            // Out of threads: the stream was moved into the failed closure and
            // is closed; the client sees a reset, as from an overloaded server.
            continue;
        }
    }
}

/// A plain or TLS connection.
pub(super) enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
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

/// Serves one connection until it ends; `true` when the sandbox closed it
/// for staying idle longer than `idle_timeout`.
pub(super) fn serve_connection(
    stream: TcpStream,
    shared: &Shared,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> bool {
    let _ = stream.set_nodelay(true);
    let peer = stream
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let _ = stream.set_read_timeout(Some(shared.config.idle_timeout));
    let mut conn = match tls {
        None => Conn::Plain(stream),
        Some(cfg) => match rustls::ServerConnection::new(cfg) {
            Ok(sc) => Conn::Tls(Box::new(rustls::StreamOwned::new(sc, stream))),
            Err(_) => return false,
        },
    };
    let mut buf = Vec::with_capacity(4096);
    let mut counted_api = false;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return false;
        }
        let mut req = match read_request(&mut conn, &mut buf) {
            Ok(Some(r)) => r,
            Ok(None) => return false,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                let _ = send(
                    &mut conn,
                    &http_response(400, "text/plain", e.to_string().as_bytes(), false),
                );
                return false;
            }
            // The read timeout is idle_timeout; a request cut in the middle
            // is a slow client, not an idle connection.
            Err(e) => {
                return matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) && buf.is_empty()
                    && !shared.stop.load(Ordering::SeqCst)
            }
        };
        req.peer = peer;
        let is_api = req.path.starts_with("/api/");
        if is_api && !counted_api {
            counted_api = true;
            lock(&shared.stats).api_connections += 1;
        }
        let action = if is_api {
            handle_api(shared, &req, conn.tcp())
        } else {
            handle_admin(shared, &req)
        };
        let reset = matches!(action, Action::Reset);
        let keep = match action {
            Action::Send(bytes, keep) => send(&mut conn, &bytes).is_ok() && keep && req.keep_alive,
            Action::SendClose(bytes) => {
                let _ = send(&mut conn, &bytes);
                false
            }
            Action::Close => false,
            Action::Reset => {
                set_linger_zero(conn.tcp());
                false
            }
            Action::Huge => {
                stream_huge(&mut conn, shared);
                false
            }
            Action::Slow => {
                trickle(&mut conn, shared);
                false
            }
        };
        if !keep {
            if let (Conn::Tls(s), false) = (&mut conn, reset) {
                s.conn.send_close_notify();
                let _ = s.flush();
            }
            return false;
        }
    }
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

/// Counts one API request as in flight until dropped.
pub(super) struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers one API request; `socket` is the connection's, watched while a
/// stalled answer waits.
pub(super) fn handle_api(shared: &Shared, req: &Request, socket: &TcpStream) -> Action {
    let method = req.path["/api/".len()..]
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    {
        let mut st = lock(&shared.stats);
        st.requests += 1;
        *st.by_method.entry(method.clone()).or_insert(0) += 1;
        st.last_user_agent = req.user_agent.clone();
        st.last_body = String::from_utf8_lossy(&req.body).into_owned();
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        st.max_in_flight = st.max_in_flight.max(now);
    }
    let _done = InFlight(&shared.in_flight);
    let fault = shared.draw();
    if fault != Fault::None {
        *lock(&shared.stats)
            .faults
            .entry(fault.name().to_owned())
            .or_insert(0) += 1;
    }
    let answer = if fault == Fault::RateLimit {
        Some(Answer::err(8, "Превышен лимит запросов к API"))
    } else {
        verify_and_run(shared, &method, req)
    };
    let cfg = lock(&shared.fault).clone();
    if !cfg.delay.is_zero() {
        thread::sleep(cfg.delay);
    }
    let Some(answer) = answer else {
        return Action::Send(html_page(404, "Not Found"), true);
    };
    match fault {
        Fault::Http500 => return Action::Send(html_page(500, "Internal Server Error"), true),
        Fault::Http502 => return Action::Send(html_page(502, "Bad Gateway"), true),
        Fault::NonJson => return Action::Send(html_page(200, "Магазин временно недоступен"), true),
        Fault::Close => return Action::Close,
        Fault::Reset => return Action::Reset,
        Fault::Huge => return Action::Huge,
        Fault::Slow => return Action::Slow,
        Fault::Redirect => {
            let body = b"<html><body>Moved</body></html>";
            let mut resp = http_response(302, "text/html", body, true);
            let location = format!("Location: {}/api/{method}\r\n", shared.config.redirect_to);
            let at = resp
                .windows(2)
                .position(|w| w == b"\r\n")
                .map_or(0, |p| p + 2);
            resp.splice(at..at, location.into_bytes());
            return Action::Send(resp, true);
        }
        // The client hung up while it waited: nobody to answer.
        Fault::Stall if !hold(socket, cfg.stall, shared) => return Action::Close,
        _ => {}
    }
    let body = render(shared, &answer, fault);
    if fault == Fault::Truncate {
        let mut resp = http_response(200, "application/json", &body, false);
        let cut = resp.len() - body.len() / 2;
        resp.truncate(cut);
        return Action::SendClose(resp);
    }
    Action::Send(
        http_response(200, "application/json; charset=UTF-8", &body, true),
        true,
    )
}
