//! How the sandbox misbehaves: drawing the fault for a request and doing
//! it on the wire (hang-ups, huge or trickled bodies, stalls). What the
//! faults are is in `fault_config`.

use std::io::Write;
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use super::fault_config::Fault;
use super::state::{lock, Shared};
use super::wire::{send, Conn};

impl Shared {
    /// Decides whether this request gets a fault, and which.
    pub(super) fn draw(&self) -> Fault {
        let cfg = lock(&self.fault).clone();
        if cfg.mode == Fault::None {
            return Fault::None;
        }
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let r = splitmix64(self.config.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let p = (r >> 11) as f64 / (1u64 << 53) as f64;
        if p >= cfg.rate {
            return Fault::None;
        }
        if cfg.mode == Fault::Storm {
            const STORM: [Fault; 5] = [
                Fault::Reset,
                Fault::Close,
                Fault::Http500,
                Fault::Http502,
                Fault::Stall,
            ];
            return STORM[(splitmix64(r) % STORM.len() as u64) as usize];
        }
        cfg.mode
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(super) fn set_linger_zero(s: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt with a valid linger struct on an open socket; closing
    // it afterwards sends RST instead of FIN.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Counts an answer the client hung up on (not the sandbox's own stop,
/// which closes every connection).
fn hung_up(shared: &Shared) {
    if !shared.stop.load(Ordering::SeqCst) {
        lock(&shared.stats).hangups += 1;
    }
}

pub(super) fn stream_huge(conn: &mut Conn, shared: &Shared) {
    const TOTAL: usize = 64 << 20;
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {TOTAL}\r\nConnection: close\r\n\r\n"
    );
    if conn.write_all(head.as_bytes()).is_err() {
        return hung_up(shared);
    }
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < TOTAL {
        if conn.write_all(&chunk).is_err() {
            return hung_up(shared);
        }
        sent += chunk.len();
    }
    let _ = conn.flush();
}

pub(super) fn trickle(conn: &mut Conn, shared: &Shared) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n{";
    if send(conn, head.as_bytes()).is_err() {
        return hung_up(shared);
    }
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(600) && !shared.stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(200));
        if send(conn, b" ").is_err() {
            return hung_up(shared);
        }
    }
}

/// Holds a stalled answer for `stall`, or until the client hangs up (then
/// counted, and `false`: the answer is dropped) or the sandbox stops.
/// Waits in poll(2) for the peer's FIN, so a client's timeout ends the
/// stall at once instead of leaving a thread asleep for the rest of it.
pub(super) fn hold(s: &TcpStream, stall: Duration, shared: &Shared) -> bool {
    let end = Instant::now() + stall;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() || shared.stop.load(Ordering::SeqCst) {
            return true;
        }
        let mut p = libc::pollfd {
            fd: s.as_raw_fd(),
            events: libc::POLLRDHUP,
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
        // SAFETY: one valid pollfd for an open socket we own.
        let r = unsafe { libc::poll(&mut p, 1, ms) };
        // POLLIN is not asked for: a client that sends more while it waits
        // does not wake this loop; POLLHUP and POLLERR always do.
        if r > 0 && p.revents & (libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR) != 0 {
            hung_up(shared);
            return false;
        }
    }
}
