//! A fake JustClick on loopback whose answers a test writes: for behaviour
//! the sandbox does one way and the real service may do another (how it
//! reads date ranges, what texts it sends), so that the library is tested
//! against each reading, not only against the emulator's.
//!
//! Every request is parsed as PHP parses it and recorded; the handler's
//! [`Reply`] is signed with the fake's key (or sent as given). One request
//! per connection (`Connection: close`), so a test never depends on how
//! the client pools connections.

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use justclick::{response_hash, Params, Secret};
use serde_json::{json, Value as Json};

use super::receiver::read_request;

/// What the fake answers to one call.
pub enum Reply {
    /// `{"error_code", "error_text", "result"?, "hash"}` signed
    /// `md5(code::text::key)` with `key` (the fake's secret when `None`).
    Signed {
        code: i64,
        text: String,
        result: Option<Json>,
        key: Option<String>,
    },
}

impl Reply {
    /// A success (code 0) with `text` and `result`.
    pub fn ok(text: &str, result: Option<Json>) -> Reply {
        Reply::Signed {
            code: 0,
            text: text.to_owned(),
            result,
            key: None,
        }
    }

    /// An API error.
    pub fn error(code: i64, text: &str) -> Reply {
        Reply::Signed {
            code,
            text: text.to_owned(),
            result: None,
            key: None,
        }
    }
}

/// A request the fake received: the method (from `/api/{Method}`) and the
/// parameters as PHP's `$_POST` has them, `hash` removed.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub params: Params,
}

pub struct FakeService {
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeService {
    /// Serves on an ephemeral loopback port until the test process ends;
    /// `handler` answers each call.
    pub fn start<F>(secret: &str, handler: F) -> FakeService
    where
        F: Fn(&Received) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let secret = secret.to_owned();
        let handler = Arc::new(handler);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { return };
                let (log, handler, secret) =
                    (Arc::clone(&log), Arc::clone(&handler), secret.clone());
                thread::spawn(move || {
                    let Some((head, body)) = read_request(&mut s) else {
                        return;
                    };
                    let method = head
                        .split_whitespace()
                        .nth(1)
                        .and_then(|path| path.strip_prefix("/api/"))
                        .unwrap_or("")
                        .to_owned();
                    let mut params = justclick::php::parse_query(&body);
                    params.remove("hash");
                    let request = Received { method, params };
                    let reply = handler(&request);
                    log.lock().unwrap().push(request);
                    let Reply::Signed {
                        code,
                        text,
                        result,
                        key,
                    } = reply;
                    let key = Secret::new(key.unwrap_or(secret).as_bytes());
                    let hash = response_hash(&code.to_string(), &text, &key);
                    let mut doc = json!({"error_code": code, "error_text": text});
                    if let Some(r) = result {
                        doc["result"] = r;
                    }
                    doc["hash"] = Json::String(String::from_utf8(hash.to_vec()).unwrap());
                    let body = doc.to_string();
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        FakeService { base_url, received }
    }

    /// Every call received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}
