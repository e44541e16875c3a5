//! The checks every API call passes before its method runs (API-EXT.md §1), and the signed answer.

use md5::{Digest, Md5};
use serde_json::{json, Value as Json};

use justclick::php::parse_query;
use justclick::{encode_lenient, Value};
use justclick::{request_hash, response_hash, Secret};

use super::api::{self, unix_now, Ctx};
use super::fault_config::Fault;
use super::notify;
use super::phpjson;
use super::state::{lock, Shared};
use super::store::Answer;
use super::wire::Request;

/// Checks the signature like the service and runs the method. `None` for an
/// unknown method.
pub(super) fn verify_and_run(shared: &Shared, method: &str, req: &Request) -> Option<Answer> {
    // §1 order: 5 (login from the host), 7, 2, 1, 4.
    let settings = lock(&shared.settings).clone();
    if settings.unknown_login || !login_matches(&req.host, &shared.login) {
        return Some(Answer::err(5, "Invalid user name"));
    }
    if settings.account_disabled {
        return Some(Answer::err(7, "Account disabled"));
    }
    let body = req.body.as_slice();
    if body.is_empty() {
        return Some(Answer::err(2, "Нет данных"));
    }
    let body = post_vars_read(body, shared.config.max_input_vars);
    let mut params = parse_query(body);
    let hash = match params.remove("hash") {
        Some(Value::Str(h)) => h,
        _ => return Some(Answer::err(1, "Ошибка авторизации")),
    };
    let expected = request_hash(
        encode_lenient(&params).as_bytes(),
        &shared.login,
        &shared.secret,
    );
    // Plain comparison: a test server need not hide timing (PHP's own
    // `==` is laxer still).
    if expected[..] != *hash.as_bytes() {
        lock(&shared.stats).bad_signatures += 1;
        return Some(Answer::err(4, "incorrect hash"));
    }
    if is_write(method) {
        let digest: [u8; 16] = Md5::digest(body).into();
        let fresh = lock(&shared.seen_writes).insert(digest);
        let mut st = lock(&shared.stats);
        st.writes += 1;
        if !fresh {
            st.duplicate_writes += 1;
        }
    }
    let ctx = Ctx {
        now: unix_now(),
        ip: req.peer,
        subscribe_limit: settings.subscribe_limit,
        strict_good_type: settings.strict_good_type,
        cancel_url: settings.cancel_url.clone(),
    };
    let (answer, outgoing) = {
        let mut store = lock(&shared.store);
        let answer = api::call(&mut store, &ctx, method, &params);
        (answer, std::mem::take(&mut store.outbox))
    };
    // Counted before the answer leaves, so a client that has its answer
    // knows the count includes what its call queued.
    lock(&shared.stats).notifications_queued += outgoing.len() as u64;
    notify::dispatch(shared, &settings, outgoing);
    answer
}

/// Service domains whose first label is the account login. On any other
/// host (an IP, `localhost`, a proxy-only name) the sandbox cannot tell
/// the login and accepts the call.
const LOGIN_DOMAINS: &[&str] = &[
    ".justclick.ru",
    ".justclick.io",
    ".influencersoft.com",
    ".localhost",
];

/// False when the `Host` names another account: the service answers 5.
fn login_matches(host: &str, login: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(']') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
    .to_ascii_lowercase();
    match LOGIN_DOMAINS.iter().find(|d| name.ends_with(*d)) {
        Some(d) => name[..name.len() - d.len()].eq_ignore_ascii_case(login),
        None => true,
    }
}

/// The part of a form body PHP's POST reader reads with `max_input_vars`
/// set to `max`: it stores a `&`-separated piece (empty ones included), then
/// counts it and stops once the count passes `max`, so the first `max + 1`
/// pieces are kept (PHP-FPM 8.2; `parse_str` stops one earlier).
pub(super) fn post_vars_read(body: &[u8], max: usize) -> &[u8] {
    match body.split(|&b| b == b'&').nth(max.saturating_add(1)) {
        Some(rest) => &body[..rest.as_ptr() as usize - body.as_ptr() as usize],
        None => body,
    }
}

/// The signed JSON body, with the fault's alteration if any.
pub(super) fn render(shared: &Shared, a: &Answer, fault: Fault) -> Vec<u8> {
    let code = a.code.to_string();
    // Code 5: the service has no account, so it signs with an empty secret.
    let empty = Secret::new(b"");
    let secret = if a.code == 5 { &empty } else { &shared.secret };
    let hash_of = |code: &str, text: &str| {
        String::from_utf8(response_hash(code, text, secret).to_vec()).expect("hex")
    };
    let hash = match fault {
        Fault::WrongHash => {
            let other = if a.text == "OK" {
                "Заказ удален"
            } else {
                "OK"
            };
            json!(hash_of(&code, other))
        }
        Fault::MagicHash => json!("0e462097431906509019562988736854"),
        Fault::NonStringHash => json!(1234567),
        _ => json!(hash_of(&code, &a.text)),
    };
    let mut obj = serde_json::Map::new();
    obj.insert(
        "error_code".into(),
        if fault == Fault::StringCode {
            json!(code)
        } else {
            json!(a.code)
        },
    );
    obj.insert("error_text".into(), json!(a.text));
    if fault != Fault::MissingHash {
        obj.insert("hash".into(), hash);
    }
    if let Some(r) = &a.result {
        obj.insert("result".into(), r.clone());
    }
    let mut body = phpjson::encode(&Json::Object(obj)).into_bytes();
    match fault {
        Fault::DeepJson => {
            body.pop(); // the closing '}'
            body.extend_from_slice(b",\"deep\":");
            body.extend(std::iter::repeat_n(b'[', 100_000));
            body.extend(std::iter::repeat_n(b']', 100_000));
            body.push(b'}');
        }
        Fault::InvalidUtf8 => {
            let at = body.len() - 1;
            body.splice(at..at, b",\"x\":\"\xff\xfe\xfd\"".iter().copied());
        }
        _ => {}
    }
    body
}

/// Write methods: everything that is not a read (`GetBills` and the newer
/// lowerCamel `getOrderDetails` alike).
fn is_write(method: &str) -> bool {
    let read = method
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("get"));
    !read && method != "SandboxEcho"
}

#[cfg(test)]
mod tests {
    use super::*;
    use justclick::php::parse_query;

    /// Boundaries measured with PHP-FPM 8.2 and max_input_vars = 1000.
    #[test]
    fn lower_camel_getters_are_reads() {
        assert!(!is_write("getOrderDetails"));
        assert!(!is_write("GetBills"));
        assert!(is_write("CreateOrder"));
    }

    #[test]
    fn login_from_service_host_names() {
        assert!(login_matches("127.0.0.1:8080", "demo"));
        assert!(login_matches("jc-sandbox.invalid:80", "demo"));
        assert!(login_matches("[::1]:80", "demo"));
        assert!(login_matches("Demo.justclick.ru", "demo"));
        assert!(login_matches("demo.localhost:8080", "demo"));
        assert!(!login_matches("other.justclick.ru", "demo"));
        assert!(!login_matches("other.localhost:8080", "demo"));
    }

    #[test]
    fn post_vars_read_like_php_fpm() {
        let body = |n: usize, tail: &str| {
            let mut b: Vec<String> = (0..n).map(|i| format!("k{i}=v")).collect();
            b.push(tail.to_owned());
            b.join("&")
        };
        let kept = |b: &str| {
            parse_query(post_vars_read(b.as_bytes(), 1000))
                .get("hash")
                .is_some()
        };
        assert!(kept(&body(1000, "hash=h")));
        assert!(!kept(&body(1001, "hash=h")));
        // Empty pieces count.
        assert!(kept(&body(998, "&&hash=h")));
        assert!(!kept(&body(1000, "&hash=h")));
        assert_eq!(post_vars_read(b"a=1&b=2&c=3", 1), b"a=1&b=2&");
        assert_eq!(post_vars_read(b"a=1&b=2", 1), b"a=1&b=2");
        assert_eq!(post_vars_read(b"", 0), b"");
    }
}
