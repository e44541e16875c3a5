//! Parsing and verifying JustClick answers: nothing is trusted before the
//! signature verifies.

use serde_json::{Map, Value as Json};

use crate::error::{Error, Result};
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
}

/// Parses and verifies a JustClick response body with the account's secret.
///
/// This is what every call does with the body of an HTTP 200 answer; it is
/// public for callers that receive bodies some other way. The signature is
/// checked before anything else is read: a missing or wrong `hash` is
/// [`Error::BadSignature`], `error_code != 0` is [`Error::Api`]. Any byte
/// string is handled without panicking.
pub fn parse(body: &[u8], secret: &Secret) -> Result<Response> {
    let mut obj = match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(map)) => map,
        Ok(other) => {
            return Err(Error::BadResponse(format!(
                "response is JSON but not an object (got {})",
                json_type(&other)
            )))
        }
        Err(e) => return Err(not_json(body, &e)),
    };
    // `hash` first: an unsigned answer is never read further.
    let hash = match obj.get("hash") {
        Some(Json::String(h)) => h,
        Some(other) => {
            return Err(Error::BadSignature(format!(
                "response 'hash' is {}, not a string: the answer is not trusted",
                json_type(other)
            )))
        }
        None => {
            return Err(Error::BadSignature(
                "response has no 'hash' field: it is not signed and is not trusted".into(),
            ))
        }
    };
    let (code, code_text) = error_code(obj.get("error_code"))?;
    let text = match obj.get("error_text") {
        Some(Json::String(t)) => t,
        Some(other) => {
            return Err(Error::BadResponse(format!(
                "response 'error_text' is {}, not a string",
                json_type(other)
            )))
        }
        None => {
            return Err(Error::BadResponse(
                "response has no 'error_text' field".into(),
            ))
        }
    };
    if !verify_response(&code_text, text, hash, secret) {
        return Err(Error::BadSignature(
            "response signature does not verify (md5 of error_code::error_text::secret differs from 'hash'): the answer is not trusted".into(),
        ));
    }
    let text = match obj.remove("error_text") {
        Some(Json::String(t)) => t,
        _ => unreachable!("checked above"),
    };
    if code != 0 {
        return Err(Error::Api { code, text });
    }
    let result = match obj.remove("result") {
        None | Some(Json::Null) => None,
        Some(v) => Some(v),
    };
    Ok(Response {
        error_text: text,
        result,
    })
}

/// `error_code` as a number and as the exact decimal text that was hashed.
fn error_code(v: Option<&Json>) -> Result<(i64, String)> {
    match v {
        Some(Json::Number(n)) => match n.as_i64() {
            Some(i) => Ok((i, i.to_string())),
            None => Err(Error::BadResponse(format!(
                "response 'error_code' {n} is not an integer"
            ))),
        },
        // PHP code may hand the code over as a string; it is hashed as sent.
        Some(Json::String(s)) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if !digits.is_empty()
                && digits.len() <= 18
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                Ok((s.parse().expect("checked digits"), s.clone()))
            } else {
                Err(Error::BadResponse(format!(
                    "response 'error_code' {} is not a number",
                    printable(s)
                )))
            }
        }
        Some(other) => Err(Error::BadResponse(format!(
            "response 'error_code' is {}, not a number",
            json_type(other)
        ))),
        None => Err(Error::BadResponse(
            "response has no 'error_code' field".into(),
        )),
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

/// PHP encodes an empty array as `[]` and an array with keys 0..n-1 as a
/// list; GetBills promises maps (bill id -> good id -> good), so both levels
/// are turned into objects.
pub(crate) fn normalize_bills(result: Option<Json>) -> Result<Json> {
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
