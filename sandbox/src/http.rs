//! HTTP/1.1 serving: accepting, reading requests, routing to the API or the admin endpoints, and applying faults to answers.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use super::admin::handle_admin;
use super::checks::{render, verify_and_run};
use super::fault_config::Fault;
use super::faults::{hold, set_linger_zero, stream_huge, trickle};
use super::state::{lock, Shared};
use super::store::Answer;
use super::wire::{html_page, http_response, read_request, send, Action, Conn, Request};

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
