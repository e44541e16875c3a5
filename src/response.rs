//! Parsing and verifying JustClick answers: nothing is trusted before the
//! signature verifies.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};

use crate::api::spec::Shape;
use crate::endpoints::quote;
use crate::error::{Error, Result};
use crate::plain_json;
use crate::sign::{verify_response, Secret};
use crate::transport::printable;

/// A successful, verified answer (`error_code` was 0).
///
/// Plain data: `Send + Sync`. `result` is the service's `result` field as
/// JSON (absent or `null` gives `None`); for GetBills it is always an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The service's `error_text` for a success (e.g. "OK", "Заказ удален").
    pub error_text: String,
    /// The `result` field, if any.
    pub result: Option<Json>,
    /// A documented special answer the library recognised (e.g. CreateOrder's
    /// "already exists"); `None` for an ordinary success. Only
    /// [`crate::Client::call_method`] and the typed methods set it.
    pub outcome: Option<Outcome>,
}

/// A special, documented answer that is still a success for the caller.
///
/// The C ABI writes it as `"outcome":"<name>"` in the success document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// CreateOrder answered 601 "Order already exist": the identical order
    /// exists already; `bill_id` is its number (use it as if just created).
    AlreadyExists {
        /// The existing order's number, as the service sent it.
        bill_id: String,
    },
    /// AddLeadToGroup answered code 0 with "The subscriber is already
    /// registered" (documented as code 102): nothing changed, the contact is
    /// already in every given group.
    AlreadyRegistered,
    /// AddLeadToGroup answered code 0 with a text the library does not
    /// know (`error_text` holds it): the service did not say that it
    /// subscribed the contact, nor that it refused. Confirm with
    /// `GetLeadGroupStatuses` before relying on the subscription.
    Unknown,
}

impl Outcome {
    /// The stable snake_case name (`already_exists`, `already_registered`,
    /// `unknown`).
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::AlreadyExists { .. } => "already_exists",
            Outcome::AlreadyRegistered => "already_registered",
            Outcome::Unknown => "unknown",
        }
    }
}

impl Response {
    /// Reads `result` into a typed value (e.g. [`crate::Order`],
    /// `Vec<`[`crate::Group`]`>`); an absent `result` reads as JSON `null`.
    /// A shape that does not match is [`Error::BadResponse`].
    pub fn parse_result<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let v = self.result.clone().unwrap_or(Json::Null);
        serde_json::from_value(v).map_err(|e| {
            Error::BadResponse(format!(
                "response 'result' does not have the expected shape: {e}"
            ))
        })
    }
}

/// A verified answer of any `error_code` (crate-internal: special codes
/// such as 601 carry a `result` the caller needs).
pub(crate) struct Answer {
    pub(crate) code: i64,
    pub(crate) text: String,
    pub(crate) result: Option<Json>,
}

impl Answer {
    /// The public view: `error_code != 0` is [`Error::Api`].
    pub(crate) fn into_response(self) -> Result<Response> {
        if self.code != 0 {
            return Err(Error::Api {
                code: self.code,
                text: self.text,
            });
        }
        Ok(Response {
            error_text: self.text,
            result: self.result,
            outcome: None,
        })
    }
}

/// Deepest nesting accepted in an answer (serde_json's own limit).
const MAX_NESTING: usize = 128;

/// The top level of an answer with every field left as raw JSON text, so
/// that the signed fields are checked before anything else is built: an
/// unsigned or forged answer costs no more memory than its own bytes.
#[derive(Deserialize)]
struct RawAnswer<'a> {
    #[serde(borrow)]
    hash: Option<&'a RawValue>,
    #[serde(borrow)]
    error_code: Option<&'a RawValue>,
    #[serde(borrow)]
    error_text: Option<&'a RawValue>,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
}

/// Parses and verifies a JustClick response body with the account's secret.
///
/// This is what every call does with the body of an HTTP 200 answer; it is
/// public for callers that receive bodies some other way. The signature is
/// checked before anything else is built: a missing or wrong `hash` is
/// [`Error::BadSignature`], `error_code != 0` is [`Error::Api`], and
/// `result` is only parsed for a verified answer. Any byte string is
/// handled without panicking.
pub fn parse(body: &[u8], secret: &Secret) -> Result<Response> {
    parse_answer_or_unknown_login(body, secret, None)?.into_response()
}

/// Codes whose `result` is read although they are errors (CreateOrder's
/// 601 carries the existing `bill_id`).
const CODES_WITH_RESULT: &[i64] = &[0, 601];

/// [`parse`] without turning `error_code != 0` into an error; the hash is
/// verified first all the same.
pub(crate) fn parse_answer(body: &[u8], secret: &Secret) -> Result<Answer> {
    let text = std::str::from_utf8(body).map_err(|e| {
        Error::BadResponse(format!(
            "response is not valid JSON (invalid UTF-8 at byte {}); body starts: {}",
            e.valid_up_to(),
            printable(&String::from_utf8_lossy(&body[..body.len().min(80)]))
        ))
    })?;
    if let Some(at) = nesting_exceeded(text.as_bytes()) {
        return Err(Error::BadResponse(format!(
            "response JSON is nested deeper than {MAX_NESTING} levels (recursion limit) at byte {at}"
        )));
    }
    if !text.trim_start().starts_with('{') {
        // An answer is an object. (serde's derived Deserialize would also
        // read a list, positionally, as hash, error_code, error_text, result.)
        return Err(shape_error(text, None));
    }
    let raw: RawAnswer<'_> = serde_json::from_str(text).map_err(|e| shape_error(text, Some(&e)))?;
    // `hash` first: an unsigned answer is never read further.
    let hash = match raw.hash {
        Some(h) if raw_kind(h) == "a string" => string_field(h, "hash")?,
        Some(h) => {
            return Err(Error::BadSignature(format!(
                "response 'hash' is {}, not a string: the answer is not trusted",
                raw_kind(h)
            )))
        }
        None => {
            return Err(Error::BadSignature(
                "response has no 'hash' field: it is not signed and is not trusted".into(),
            ))
        }
    };
    let (code, code_text) = error_code(raw.error_code)?;
    let text = match raw.error_text {
        Some(t) if raw_kind(t) == "a string" => string_field(t, "error_text")?,
        Some(t) => {
            return Err(Error::BadResponse(format!(
                "response 'error_text' is {}, not a string",
                raw_kind(t)
            )))
        }
        None => {
            return Err(Error::BadResponse(
                "response has no 'error_text' field".into(),
            ))
        }
    };
    if !verify_response(&code_text, &text, &hash, secret) {
        return Err(Error::BadSignature(
            "response signature does not verify (md5 of error_code::error_text::secret differs from 'hash'): the answer is not trusted".into(),
        ));
    }
    if !CODES_WITH_RESULT.contains(&code) {
        return Ok(Answer {
            code,
            text,
            result: None,
        });
    }
    let result = match raw.result {
        None => None,
        Some(r) => match serde_json::from_str::<Json>(r.get()) {
            Ok(Json::Null) => None,
            Ok(v) => Some(v),
            Err(e) => {
                return Err(Error::BadResponse(format!(
                    "response 'result' is malformed: {e}"
                )))
            }
        },
    };
    Ok(Answer { code, text, result })
}

/// The byte offset where nesting first goes deeper than [`MAX_NESTING`].
///
/// serde_json skips unknown fields without a depth limit (iteratively, so
/// safely); this keeps "too deep anywhere" one rule for the whole answer.
fn nesting_exceeded(json: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&c) = json.get(i) {
        match c {
            b'"' => {
                // Skip the string to its unescaped closing quote (most of an
                // answer's bytes are string contents: memchr is fast there).
                i += 1;
                loop {
                    let rest = json.get(i..)?;
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(p) if rest[p] == b'\\' => i += p + 2,
                        Some(p) => {
                            i += p + 1;
                            break;
                        }
                        None => return None, // unterminated: the parser says so
                    }
                }
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Why a body is not an answer object: its syntax error if it is not JSON,
/// else its shape. `data_error` is serde's complaint about a JSON object;
/// serde's *data* errors can quote a value whole, so they are only used
/// once the body is known to be well-formed, and syntax errors win.
fn shape_error(text: &str, data_error: Option<&serde_json::Error>) -> Error {
    if let Err(syntax) = serde_json::from_str::<IgnoredAny>(text) {
        return not_json(text.as_bytes(), &syntax);
    }
    match data_error {
        Some(e) if e.is_data() => Error::BadResponse(format!(
            "response object is malformed: {}",
            quote(&e.to_string())
        )),
        Some(e) => not_json(text.as_bytes(), e),
        None => {
            let kind = match text.trim_start().as_bytes().first() {
                Some(b'"') => "a string",
                Some(b'[') => "a list",
                Some(b't' | b'f') => "a boolean",
                Some(b'n') => "null",
                _ => "a number",
            };
            Error::BadResponse(format!("response is JSON but not an object (got {kind})"))
        }
    }
}

/// The JSON type of a raw value, from its first byte.
fn raw_kind(r: &RawValue) -> &'static str {
    match r.get().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'[') => "a list",
        Some(b'{') => "an object",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

fn string_field(r: &RawValue, name: &str) -> Result<String> {
    // PHP's json_encode writes every non-ASCII character as a \u escape, so
    // a Russian error_text is mostly escapes, which cost far less decoded
    // here than through a second serde parse of the raw value. Anything
    // `plain_json` does not take (surrogate pairs, say) goes to serde.
    let raw = r.get();
    if raw.starts_with('"') {
        if let Some((s, end)) = plain_json::string(raw, 1) {
            if end == raw.len() {
                return Ok(s);
            }
        }
    }
    serde_json::from_str::<String>(raw)
        .map_err(|e| Error::BadResponse(format!("response '{name}' is malformed: {e}")))
}

/// `error_code` as a number and as the exact decimal text that was hashed.
fn error_code(v: Option<&RawValue>) -> Result<(i64, String)> {
    let Some(raw) = v else {
        return Err(Error::BadResponse(
            "response has no 'error_code' field".into(),
        ));
    };
    match raw_kind(raw) {
        "a number" => {
            let n: serde_json::Number = serde_json::from_str(raw.get()).map_err(|e| {
                Error::BadResponse(format!("response 'error_code' is malformed: {e}"))
            })?;
            match n.as_i64() {
                Some(i) => Ok((i, itoa::Buffer::new().format(i).to_owned())),
                None => Err(Error::BadResponse(format!(
                    "response 'error_code' {n} is not an integer"
                ))),
            }
        }
        // PHP code may hand the code over as a string; it is hashed as sent.
        "a string" => {
            let s = string_field(raw, "error_code")?;
            let digits = s.strip_prefix('-').unwrap_or(&s);
            if !digits.is_empty()
                && digits.len() <= 18
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                Ok((s.parse().expect("checked digits"), s))
            } else {
                // quote() cuts it: the answer is unsigned, its text hostile.
                Err(Error::BadResponse(format!(
                    "response 'error_code' {} is not a number",
                    quote(&s)
                )))
            }
        }
        other => Err(Error::BadResponse(format!(
            "response 'error_code' is {other}, not a number"
        ))),
    }
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn not_json(body: &[u8], e: &serde_json::Error) -> Error {
    if body.is_empty() {
        return Error::BadResponse("response body is empty".into());
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
    let looks_html = head.trim_start().starts_with('<');
    let what = if e.is_eof() {
        "response JSON is truncated"
    } else if looks_html {
        "response is an HTML page, not JSON"
    } else {
        "response is not valid JSON"
    };
    Error::BadResponse(format!("{what} ({e}); body starts: {}", printable(&head)))
}

/// The service's code for a login it does not know (`Invalid user name`).
pub const UNKNOWN_LOGIN_CODE: i64 = 5;

/// [`parse_answer`], except that error 5 signed with an empty secret is
/// read as the API error it is. The service has no account, hence no key,
/// for a login it does not know, and signs that answer `md5("5::" . text .
/// "::")` (API-EXT.md §1); verified with the caller's key it would be a bad
/// signature, which sends a user looking for a forgery instead of a typo in
/// the login. Only code 5 is read so (anyone can make that hash, and all it
/// can say is "no such login"); every other answer that fails verification
/// stays [`Error::BadSignature`]. `login` is named in the message.
pub(crate) fn parse_answer_or_unknown_login(
    body: &[u8],
    secret: &Secret,
    login: Option<&str>,
) -> Result<Answer> {
    match parse_answer(body, secret) {
        Err(Error::BadSignature(why)) => match parse_answer(body, &Secret::new(b"")) {
            Ok(a) if a.code == UNKNOWN_LOGIN_CODE => {
                let login = login.map_or_else(String::new, |l| format!(" {}", quote(l)));
                Ok(Answer {
                    code: a.code,
                    text: format!(
                        "{} (login{login} not found: the service signed this answer with an empty key, as it does for an account it does not know; check the login, the first part of https://{{login}}.justclick.ru)",
                        a.text
                    ),
                    result: None,
                })
            }
            _ => Err(Error::BadSignature(why)),
        },
        other => other,
    }
}

/// Gives `r.result` the shape its method declares, whichever entry point
/// sent the call (today only GetBills' maps need it).
pub(crate) fn conform(r: &mut Response, shape: Shape) -> Result<()> {
    if shape == Shape::Bills {
        r.result = Some(normalize_bills(r.result.take())?);
    }
    Ok(())
}

/// PHP encodes an empty array as `[]` and an array with keys 0..n-1 as a
/// list; GetBills promises maps (bill id -> good id -> good), so both levels
/// are turned into objects.
fn normalize_bills(result: Option<Json>) -> Result<Json> {
    fn to_map(v: Json, what: &str) -> Result<Map<String, Json>> {
        match v {
            Json::Object(m) => Ok(m),
            Json::Array(items) => Ok(items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect()),
            other => Err(Error::BadResponse(format!(
                "GetBills {what} is {}, expected an object",
                json_type(&other)
            ))),
        }
    }
    let bills = to_map(result.unwrap_or(Json::Array(Vec::new())), "result")?;
    let mut out = Map::with_capacity(bills.len());
    for (bill_id, goods) in bills {
        let goods = to_map(goods, "order")?;
        out.insert(bill_id, Json::Object(goods));
    }
    Ok(Json::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::response_hash;
    use crate::ErrorKind;

    fn secret() -> Secret {
        Secret::new(&[b'X'; 40])
    }

    fn hash(code: &str, text: &str) -> String {
        String::from_utf8(response_hash(code, text, &secret()).to_vec()).unwrap()
    }

    fn kind(body: &str) -> ErrorKind {
        parse(body.as_bytes(), &secret()).unwrap_err().kind()
    }

    #[test]
    fn ok_with_php_escapes() {
        // PHP's json_encode output for "Заказ удален" and a URL.
        let body = format!(
            r#"{{"error_code":0,"error_text":"\u0417\u0430\u043a\u0430\u0437 \u0443\u0434\u0430\u043b\u0435\u043d","hash":"{}","result":{{"url":"https:\/\/x"}}}}"#,
            hash("0", "Заказ удален")
        );
        let r = parse(body.as_bytes(), &secret()).unwrap();
        assert_eq!(r.error_text, "Заказ удален");
        assert_eq!(r.result.unwrap()["url"], "https://x");
    }

    #[test]
    fn api_error_carries_code_and_text() {
        let body = format!(
            r#"{{"error_code":"4","error_text":"incorrect hash","hash":"{}"}}"#,
            hash("4", "incorrect hash")
        );
        assert_eq!(
            parse(body.as_bytes(), &secret()).unwrap_err(),
            Error::Api {
                code: 4,
                text: "incorrect hash".into()
            }
        );
    }

    #[test]
    fn signature_problems() {
        let good = hash("0", "OK");
        assert_eq!(
            kind(r#"{"error_code":0,"error_text":"OK"}"#),
            ErrorKind::BadSignature
        );
        assert_eq!(
            kind(r#"{"error_code":0,"error_text":"OK","hash":5}"#),
            ErrorKind::BadSignature
        );
        assert_eq!(
            kind(r#"{"error_code":0,"error_text":"OK","hash":null}"#),
            ErrorKind::BadSignature
        );
        // Replay: a valid hash of another answer.
        let replay = format!(r#"{{"error_code":0,"error_text":"Заказ удален","hash":"{good}"}}"#);
        assert_eq!(kind(&replay), ErrorKind::BadSignature);
        let upper = format!(
            r#"{{"error_code":0,"error_text":"OK","hash":"{}"}}"#,
            good.to_uppercase()
        );
        assert_eq!(kind(&upper), ErrorKind::BadSignature);
        let magic =
            r#"{"error_code":0,"error_text":"OK","hash":"0e462097431906509019562988736854"}"#;
        assert_eq!(kind(magic), ErrorKind::BadSignature);
        // A forged API error is not reported as an API error.
        let forged = format!(r#"{{"error_code":4,"error_text":"incorrect hash","hash":"{good}"}}"#);
        assert_eq!(kind(&forged), ErrorKind::BadSignature);
    }

    #[test]
    fn malformed_answers() {
        let h = hash("0", "OK");
        for body in [
            "",
            "<html><body>502</body></html>",
            "[1,2]",
            r#"{"error_code":0,"error_text":"OK","hash":"#,
            &format!(r#"{{"error_text":"OK","hash":"{h}"}}"#),
            &format!(r#"{{"error_code":0,"hash":"{h}"}}"#),
            &format!(r#"{{"error_code":"x","error_text":"OK","hash":"{h}"}}"#),
            &format!(r#"{{"error_code":1.5,"error_text":"OK","hash":"{h}"}}"#),
            &format!(r#"{{"error_code":0,"error_text":7,"hash":"{h}"}}"#),
        ] {
            assert_eq!(kind(body), ErrorKind::BadResponse, "{body}");
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(kind(&deep), ErrorKind::BadResponse);
        let bad_utf8 = b"{\"error_code\":0,\"error_text\":\"\xff\xfe\",\"hash\":\"x\"}";
        assert_eq!(
            parse(bad_utf8, &secret()).unwrap_err().kind(),
            ErrorKind::BadResponse
        );
        let msg = parse(b"<!DOCTYPE html><p>hi", &secret())
            .unwrap_err()
            .to_string();
        assert!(msg.contains("HTML page"), "{msg}");
    }

    #[test]
    fn error_5_signed_with_an_empty_secret_is_an_unknown_login() {
        let empty = Secret::new(b"");
        let h5 =
            String::from_utf8(response_hash("5", "Invalid user name", &empty).to_vec()).unwrap();
        let body = format!(r#"{{"error_code":5,"error_text":"Invalid user name","hash":"{h5}"}}"#);
        let a = parse_answer_or_unknown_login(body.as_bytes(), &secret(), Some("shop1")).unwrap();
        assert_eq!(a.code, 5);
        assert!(
            a.text
                .starts_with("Invalid user name (login 'shop1' not found"),
            "{}",
            a.text
        );
        let e = parse(body.as_bytes(), &secret()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Api, "{e}");
        assert!(e.to_string().contains("login not found"), "{e}");
        // The plain parse still calls it what it is by the caller's key.
        assert_eq!(
            parse_answer(body.as_bytes(), &secret())
                .err()
                .unwrap()
                .kind(),
            ErrorKind::BadSignature
        );
        // Only code 5: any other answer signed with an empty key is not trusted.
        for (code, text) in [
            ("0", "OK"),
            ("4", "Incorrect hash"),
            ("7", "Account disabled"),
        ] {
            let h = String::from_utf8(response_hash(code, text, &empty).to_vec()).unwrap();
            let body = format!(r#"{{"error_code":{code},"error_text":"{text}","hash":"{h}"}}"#);
            assert_eq!(kind(&body), ErrorKind::BadSignature, "{code}");
        }
        // Code 5 with a wrong hash is a bad signature too.
        let body = format!(
            r#"{{"error_code":5,"error_text":"Invalid user name","hash":"{}"}}"#,
            hash("0", "OK")
        );
        assert_eq!(kind(&body), ErrorKind::BadSignature);
        // Signed with the caller's key, it is an ordinary API error 5.
        let body = format!(
            r#"{{"error_code":5,"error_text":"Invalid user name","hash":"{}"}}"#,
            hash("5", "Invalid user name")
        );
        let e = parse(body.as_bytes(), &secret()).unwrap_err();
        assert_eq!(
            e,
            Error::Api {
                code: 5,
                text: "Invalid user name".into()
            }
        );
    }

    #[test]
    fn lists_are_never_read_as_answers() {
        // Positionally [hash, error_code, error_text]: correctly signed.
        let list = format!(r#"["{}",0,"OK"]"#, hash("0", "OK"));
        let e = parse(list.as_bytes(), &secret()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadResponse);
        assert!(e.to_string().contains("not an object (got a list)"), "{e}");
        let junk = format!(r#""{}" junk"#, "x".repeat(5000));
        let e = parse(junk.as_bytes(), &secret()).unwrap_err().to_string();
        assert!(e.len() < 400, "hostile text reflected: {} bytes", e.len());
    }

    #[test]
    fn nesting_scan_skips_strings() {
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(nesting_exceeded(deep.as_bytes()), Some(128));
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert_eq!(nesting_exceeded(ok.as_bytes()), None);
        let in_string = format!("[\"{}\\\"{}\"]", "[".repeat(500), "{".repeat(500));
        assert_eq!(nesting_exceeded(in_string.as_bytes()), None);
        assert_eq!(nesting_exceeded(b"[\"unterminated \\"), None);
        assert_eq!(nesting_exceeded(b"\"\\"), None);
    }

    #[test]
    fn bills_normalization() {
        assert_eq!(
            normalize_bills(Some(serde_json::json!([]))).unwrap(),
            serde_json::json!({})
        );
        assert_eq!(normalize_bills(None).unwrap(), serde_json::json!({}));
        let v = normalize_bills(Some(
            serde_json::json!({"258367": [], "5": {"1": {"good_name": "x"}}}),
        ))
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"258367": {}, "5": {"1": {"good_name": "x"}}})
        );
        let v = normalize_bills(Some(serde_json::json!([{"7": {}}]))).unwrap();
        assert_eq!(v, serde_json::json!({"0": {"7": {}}}));
        assert!(normalize_bills(Some(serde_json::json!("x"))).is_err());
        assert!(normalize_bills(Some(serde_json::json!({"1": 5}))).is_err());
    }
}
