//! Notifications the sandbox sends to the shop (API-EXT.md §8): form posts
//! with PHP nesting, signed `md5(id . email . <time> . secret)`, from a
//! background thread so an API answer never waits for a receiver. Only
//! loopback receivers are called unless the sandbox was started with
//! `allow_external_notify`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use justclick::notify::notification_hash;
use justclick::Secret;
use serde_json::{json, Value as Json};

use super::state::{lock, Settings, Shared};
use super::store::Outgoing;
use justclick::encode;

const TIMEOUT: Duration = Duration::from_secs(5);

/// Sends `batch` in order from a new thread and records each attempt.
pub(super) fn dispatch(shared: &Shared, settings: &Settings, batch: Vec<Outgoing>) {
    if batch.is_empty() {
        return;
    }
    let log: Arc<Mutex<Vec<Json>>> = shared.notifications.clone();
    // A copy the thread owns; zeroized on drop like every Secret.
    let secret = shared.secret.clone();
    let external = shared.config.allow_external_notify;
    let empty_time = settings.notify_empty_time;
    let queued = batch.len();
    let spawned = thread::Builder::new()
        .name("sandbox-notify".into())
        .spawn(move || {
            for n in batch {
                let record = send(&n, &secret, empty_time, external);
                lock(&log).push(record);
            }
        });
    if let Err(e) = spawned {
        // One entry per notification, as Stats::notifications_queued counts.
        let record = json!({"event": null, "error": format!("cannot start the sender: {e}")});
        lock(&shared.notifications).extend(std::iter::repeat_n(record, queued));
    }
}

/// The documented signature, `md5(id . email . time . secret)`: the
/// library's own (the receiver side verifies with the same function).
pub(crate) fn sign(id: &str, email: &str, time: &str, secret: &Secret) -> String {
    String::from_utf8(notification_hash(id, email, time, secret).to_vec()).expect("hex")
}

fn send(n: &Outgoing, secret: &Secret, empty_time: bool, external: bool) -> Json {
    let time = if empty_time { "" } else { n.sign[2].as_str() };
    let hash = sign(&n.sign[0], &n.sign[1], time, secret);
    let mut record = json!({
        "event": n.event,
        "url": n.url,
        "hash_time": if empty_time { "empty" } else { "documented" },
        "body": null,
        "status": null,
        "error": null,
    });
    // The encoder reserves `hash` for request signatures; a notification's
    // hash is hex, so appending it is what http_build_query would write.
    let body = match encode(&n.fields) {
        Ok(b) if b.is_empty() => format!("hash={hash}"),
        Ok(b) => format!("{b}&hash={hash}"),
        Err(e) => {
            record["error"] = json!(e.to_string());
            return record;
        }
    };
    record["body"] = json!(body);
    match post(&n.url, &body, external) {
        Ok(status) => record["status"] = json!(status),
        Err(e) => record["error"] = json!(e),
    }
    record
}

/// `http://host[:port][/path]` → (authority, host, port, path).
fn split_url(url: &str) -> Result<(String, String, u16, String), String> {
    let rest = if let Some(r) = url.strip_prefix("http://") {
        r
    } else if url.starts_with("https://") {
        return Err("https notification URLs are not supported by the sandbox; give the local receiver an http:// URL".into());
    } else {
        return Err("the notification URL must start with http://".into());
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = match path {
        "" => "/".to_owned(),
        p if p.starts_with('/') => p.split('#').next().unwrap_or("/").to_owned(),
        p => format!("/{p}"),
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, tail) = v6.split_once(']').ok_or("bad IPv6 host")?;
        (h.to_owned(), tail.strip_prefix(':').unwrap_or(""))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p),
            None => (authority.to_owned(), ""),
        }
    };
    let port = if port.is_empty() {
        80
    } else {
        port.parse()
            .map_err(|_| "bad port in the notification URL")?
    };
    if host.is_empty() || authority.contains('@') {
        return Err("bad host in the notification URL".into());
    }
    Ok((authority.to_owned(), host, port, path))
}

/// Posts the form; the receiver's HTTP status, or why it was not sent.
fn post(url: &str, body: &str, external: bool) -> Result<u16, String> {
    let (authority, host, port, path) = split_url(url)?;
    let addrs: Vec<SocketAddr> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if !external && (addrs.is_empty() || addrs.iter().any(|a| !a.ip().is_loopback())) {
        return Err(format!(
            "{host} is not a loopback address; the sandbox sends notifications elsewhere only when started with --allow-external-notify"
        ));
    }
    let mut last = String::from("no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(mut s) => {
                let _ = s.set_read_timeout(Some(TIMEOUT));
                let _ = s.set_write_timeout(Some(TIMEOUT));
                let req = format!(
                    "POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: justclick-sandbox\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
                let mut head = [0u8; 12];
                s.read_exact(&mut head)
                    .map_err(|e| format!("no answer from the receiver: {e}"))?;
                return std::str::from_utf8(&head[9..12])
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| "the receiver's answer is not HTTP".into());
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!("cannot connect to {authority}: {last}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};

    #[test]
    fn urls_and_loopback_only() {
        assert_eq!(
            split_url("http://127.0.0.1:8080/hook?a=paid").unwrap(),
            (
                "127.0.0.1:8080".into(),
                "127.0.0.1".into(),
                8080,
                "/hook?a=paid".into()
            )
        );
        assert_eq!(split_url("http://[::1]/").unwrap().1, "::1");
        assert_eq!(split_url("http://localhost").unwrap().3, "/");
        assert!(split_url("https://127.0.0.1/").is_err());
        assert!(split_url("ftp://x/").is_err());
        assert!(split_url("http://u@127.0.0.1/").is_err());
        let e = post("http://10.1.2.3:9/", "a=1", false).unwrap_err();
        assert!(e.contains("--allow-external-notify"), "{e}");
    }

    #[test]
    fn documented_hash_rule() {
        // md5("1" . "a@b.ru" . "2" . "s") = md5("1a@b.ru2s")
        let want: String = Md5::digest(b"1a@b.ru2s")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sign("1", "a@b.ru", "2", &Secret::new(b"s")), want);
    }
}
