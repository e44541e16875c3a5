//! The properties the fuzz targets check, in one place.
//!
//! Shared by the fuzz targets (`mod oracles;`) and by
//! `tests/fuzz_regressions.rs` (`#[path = "../fuzz/fuzz_targets/oracles.rs"]`),
//! so a regression test replays exactly the check that failed under the
//! fuzzer. Depends on `justclick` and `serde_json` only (no libFuzzer, no
//! `arbitrary`), so `cargo test` runs it without cargo-fuzz.
//!
//! Every check panics with a message naming the broken property; under
//! libFuzzer a panic is a crash, saved to `fuzz/artifacts/<target>/`.
#![allow(dead_code)]

use std::ffi::{c_char, CStr, CString};
use std::path::Path;
use std::sync::OnceLock;

use justclick::ffi::{self, jc_client, jc_status};
use justclick::{
    encode, encode_lenient, php, response_hash, BatchCall, Error, ErrorKind, Good, Options, Params,
    Response, Secret, Value,
};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value as Json;

/// The account the targets sign and verify with.
pub const LOGIN: &str = "demo";
/// The secret the targets sign and verify with; it must never appear in an
/// error message or a returned document (unless the input itself holds it).
pub const SECRET: &str = "fuzz-Secret-7f3a9c0e5b1d42";

/// Longest error message accepted for untrusted input (a hostile server's
/// body must not be reflected without bound into the caller's logs).
pub const MAX_MESSAGE: usize = 1024;

/// The first `n` bytes of `s`, cut back to a character boundary.
fn head(s: &str, mut n: usize) -> &str {
    n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------
// response: parse + verify of a 200 body

/// The secret as the library holds it.
pub fn secret() -> Secret {
    Secret::new(SECRET.as_bytes())
}

/// The top-level fields of a JSON object body, in order, each as raw JSON
/// (duplicates kept, values not decoded): the view the checks need without
/// deciding things the library does not decide (a lone surrogate inside a
/// field nobody reads, say). `None`: the body is not a JSON object whose
/// keys decode.
fn raw_fields(body: &[u8]) -> Option<Vec<(String, Box<RawValue>)>> {
    struct Fields(Vec<(String, Box<RawValue>)>);
    impl<'de> Deserialize<'de> for Fields {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Fields;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Fields, A::Error> {
                    let mut v = Vec::new();
                    while let Some(kv) = m.next_entry::<String, Box<RawValue>>()? {
                        v.push(kv);
                    }
                    Ok(Fields(v))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_slice::<Fields>(body).ok().map(|f| f.0)
}

/// The one raw value of `name`; `Err(())` when it occurs more than once.
fn field<'a>(
    fields: &'a [(String, Box<RawValue>)],
    name: &str,
) -> Result<Option<&'a RawValue>, ()> {
    let mut found = fields.iter().filter(|(k, _)| k == name).map(|(_, v)| &**v);
    match (found.next(), found.next()) {
        (Some(_), Some(_)) => Err(()),
        (first, None) => Ok(first),
        (None, Some(_)) => unreachable!(),
    }
}

fn raw_string(v: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(v.get()).ok()
}

/// The `error_code` text that is hashed, as API.md defines it: a JSON
/// integer's decimal text, or a string of 1..18 digits with an optional '-'
/// taken as sent. `None`: not a usable code.
fn code_text(v: &RawValue) -> Option<(i64, String)> {
    if v.get().starts_with('"') {
        let s = raw_string(v)?;
        let digits = s.strip_prefix('-').unwrap_or(&s);
        if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Some((s.parse().ok()?, s))
        } else {
            None
        }
    } else {
        let n = serde_json::from_str::<serde_json::Number>(v.get()).ok()?;
        n.as_i64().map(|i| (i, i.to_string()))
    }
}

/// The body the response target parses: the input with every `$H`
/// replaced by the correct signature for the body's `error_code` and
/// `error_text`, so the fuzzer reaches the code behind the signature check
/// (it cannot find an md5 itself).
pub fn response_case(data: &[u8]) -> Vec<u8> {
    sign_placeholders(data)
}

/// Replaces every `$H` in `body` by the hash of its code and text.
pub fn sign_placeholders(body: &[u8]) -> Vec<u8> {
    if !contains(body, b"$H") {
        return body.to_vec();
    }
    let Some(fields) = raw_fields(body) else {
        return body.to_vec();
    };
    let first = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| &**v);
    let hash = match (
        first("error_code").and_then(code_text),
        first("error_text").and_then(raw_string),
    ) {
        (Some((_, code)), Some(text)) => response_hash(&code, &text, &secret()),
        _ => *b"00000000000000000000000000000000",
    };
    let mut out = Vec::with_capacity(body.len() + 32);
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(b"$H") {
            out.extend_from_slice(&hash);
            i += 2;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

/// Checks what `parse_response` made of `body`:
/// - only bad_response, bad_signature or api errors;
/// - success or an API error only if the body is an object with exactly one
///   `hash`, `error_code` and `error_text` (and at most one `result`) and
///   that `hash` is exactly the signature of that code and text (nothing
///   unsigned is believed), with the text, code and result taken from it;
/// - not JSON, or JSON but not an object: bad_response; an object without
///   duplicate answer fields whose `hash` is missing or not a string:
///   bad_signature (the hash is checked before anything else is read);
/// - the message never shows the secret and stays short.
pub fn check_response(body: &[u8], got: &Result<Response, Error>) {
    let fields = raw_fields(body);
    let duplicates = fields.as_ref().is_some_and(|f| {
        ["hash", "error_code", "error_text", "result"]
            .iter()
            .any(|n| field(f, n).is_err())
    });
    if let Err(e) = got {
        let kind = e.kind();
        assert!(
            matches!(
                kind,
                ErrorKind::BadResponse | ErrorKind::BadSignature | ErrorKind::Api
            ),
            "unexpected error kind {kind} for a response body: {e}"
        );
        let msg = e.to_string();
        if !contains(body, SECRET.as_bytes()) {
            assert!(!msg.contains(SECRET), "secret in message: {msg}");
        }
        if kind != ErrorKind::Api {
            // API errors carry the (signed) error_text; everything else is
            // about an untrusted body and must not reflect it without bound.
            assert!(
                msg.len() <= MAX_MESSAGE,
                "error message of {} bytes for an untrusted body (kind {kind}): {}...",
                msg.len(),
                head(&msg, 200)
            );
        }
        let is_json = serde_json::from_slice::<IgnoredAny>(body).is_ok();
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if !is_json || first != Some(&b'{') {
            assert_eq!(kind, ErrorKind::BadResponse, "not a JSON object: {e}");
        } else if let Some(f) = fields.as_ref().filter(|_| !duplicates) {
            if !matches!(field(f, "hash"), Ok(Some(h)) if h.get().starts_with('"')) {
                assert_eq!(kind, ErrorKind::BadSignature, "unsigned body: {e}");
            }
        }
    }
    let trusted = match got {
        Ok(r) => Some((0, r.error_text.as_str())),
        Err(Error::Api { code, text }) => Some((*code, text.as_str())),
        Err(_) => None,
    };
    let Some((code, text)) = trusted else { return };
    let f = fields.expect("a trusted outcome from a body that is not a JSON object");
    assert!(
        !duplicates,
        "trusted an answer with duplicate answer fields"
    );
    let one = |name| field(&f, name).unwrap();
    let hash = one("hash")
        .and_then(raw_string)
        .expect("trusted without a string hash");
    let (body_code, code_str) = one("error_code")
        .and_then(code_text)
        .expect("trusted without a usable error_code");
    let body_text = one("error_text")
        .and_then(raw_string)
        .expect("trusted without a string error_text");
    assert_eq!(
        hash.as_bytes(),
        response_hash(&code_str, &body_text, &secret()),
        "an answer was trusted whose hash does not verify"
    );
    assert_eq!(code, body_code, "error_code differs from the body's");
    assert_eq!(text, body_text, "error_text differs from the body's");
    match got {
        Ok(r) => {
            assert_eq!(code, 0, "success with a non-zero error_code");
            let raw = one("result").map(|r| {
                serde_json::from_str::<Json>(r.get()).expect("trusted with a malformed result")
            });
            assert_eq!(
                r.result.as_ref(),
                raw.as_ref().filter(|v| !v.is_null()),
                "result differs from the body's"
            );
        }
        Err(_) => assert_ne!(code, 0, "API error with error_code 0"),
    }
}

// ---------------------------------------------------------------------------
// encoder: http_build_query and PHP's parse

/// PHP's text for a double in `http_build_query` (`%.14G`, precision 14),
/// written independently of the library's allocation-free version: round
/// to 14 significant digits, drop trailing zeros (except in dtoa's one
/// quirk: a 15-digit whole number ending in a 5 rounded down to even), then
/// plain notation for exponents -4..=13, else `d.dddE+x`.
pub fn php_double(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let sci = format!("{:.13e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let mut digits: String = mantissa.replace('.', "");
    let n = f.abs() as u64;
    let quirk =
        f.fract() == 0.0 && (1e14..1e15).contains(&f.abs()) && n % 10 == 5 && n / 10 % 2 == 0;
    if !quirk {
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
        }
    }
    let sign = if f < 0.0 { "-" } else { "" };
    let body = if !(-4..14).contains(&exp) {
        let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{}.{rest}E{esign}{}", &digits[..1], exp.abs())
    } else if exp < 0 {
        format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{digits}{}", "0".repeat(int_len - digits.len()))
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..])
        }
    };
    format!("{sign}{body}")
}

/// What PHP's `$_POST` holds after parsing what `http_build_query` wrote
/// for `params`: scalars as strings, lists as maps with index keys, `null`
/// and empty arrays gone. `None` when nothing at all is sent.
fn php_view_value(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(Value::Str(if *b { "1" } else { "0" }.into())),
        Value::Int(i) => Some(Value::Str(i.to_string())),
        Value::UInt(u) => Some(Value::Str(u.to_string())),
        Value::Float(f) => Some(Value::Str(php_double(*f))),
        Value::Str(s) => Some(Value::Str(s.clone())),
        Value::List(items) => {
            let p: Params = items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| php_view_value(v).map(|v| (i.to_string(), v)))
                .collect();
            (!p.is_empty()).then_some(Value::Map(p))
        }
        Value::Map(m) => {
            let p = php_view(m);
            (!p.is_empty()).then_some(Value::Map(p))
        }
    }
}

/// [`php_view_value`] for a whole parameter list.
pub fn php_view(params: &Params) -> Params {
    params
        .iter()
        .filter_map(|(k, v)| php_view_value(v).map(|v| (k.to_owned(), v)))
        .collect()
}

/// `encode` never panics, fails only with invalid_argument, and whatever it
/// accepts is ASCII, equals the lenient (PHP-identical) encoding, and parses
/// back PHP-style to exactly the pairs that were given.
pub fn check_encode(params: &Params) -> Option<String> {
    let body = match encode(params) {
        Ok(b) => b,
        Err(e) => {
            assert_eq!(
                e.kind(),
                ErrorKind::InvalidArgument,
                "encode failed oddly: {e}"
            );
            return None;
        }
    };
    assert!(body.is_ascii(), "encoder output is not ASCII: {body:?}");
    assert_eq!(
        encode_lenient(params),
        body,
        "strict and lenient encodings differ"
    );
    let parsed = php::parse_query(body.as_bytes());
    assert_eq!(
        parsed,
        php_view(params),
        "PHP would parse {body:?} into other pairs than were given"
    );
    assert_eq!(
        encode_lenient(&parsed),
        body,
        "PHP round trip changes the bytes"
    );
    Some(body)
}

// ---------------------------------------------------------------------------
// php: parse_query

fn check_shape(p: &Params, top: bool) {
    for (k, v) in p.iter() {
        assert!(!k.is_empty(), "parse produced an empty key");
        if top {
            assert!(
                !k.starts_with(' ') && !k.contains('.') && !k.contains(' '),
                "parse kept a top-level name PHP rewrites: {k:?}"
            );
        }
        match v {
            Value::Str(_) => {}
            Value::Map(m) => check_shape(m, false),
            other => panic!(
                "parse produced a {} (only strings and maps)",
                other.type_name()
            ),
        }
    }
}

/// `p` without empty arrays (at any depth), which `http_build_query`
/// skips: a dropped `a[__Host-x]` leaves `a` as an empty array in PHP.
fn without_empty_arrays(p: &Params) -> Params {
    p.iter()
        .filter_map(|(k, v)| match v {
            Value::Map(m) => {
                let m = without_empty_arrays(m);
                (!m.is_empty()).then(|| (k.to_owned(), Value::Map(m)))
            }
            other => Some((k.to_owned(), other.clone())),
        })
        .collect()
}

/// `parse_query` never panics, produces only strings and maps under
/// non-empty keys, and its result is a fixed point of encode + parse, empty
/// arrays aside: parse(encode_lenient(parse(x))) == parse(x) without them.
pub fn check_php(data: &[u8]) {
    let p1 = php::parse_query(data);
    check_shape(&p1, true);
    let e1 = encode_lenient(&p1);
    assert!(e1.is_ascii(), "lenient output is not ASCII");
    let p2 = php::parse_query(e1.as_bytes());
    assert_eq!(
        without_empty_arrays(&p1),
        p2,
        "parse(encode_lenient(parse(x))) != parse(x); encoded: {e1:?}"
    );
    assert_eq!(encode_lenient(&p2), e1, "encode_lenient is not stable");
}

// ---------------------------------------------------------------------------
// json: the four JSON entry points

/// True if building a client from `o` could read a file that is not a
/// small regular file (a device, a FIFO, a huge file): such inputs are
/// skipped, since `ca_file` is the caller's trusted configuration.
fn unsafe_ca_file(o: &Options) -> bool {
    match &o.ca_file {
        None => false,
        Some(p) => !small_regular_file(p),
    }
}

fn small_regular_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= 1 << 20)
}

/// Failures must be invalid_argument and must not show the secret (unless
/// the input holds it: libFuzzer learns the secret from this very check's
/// string comparison and then echoes it through a field name).
fn expect_invalid<T>(what: &str, input: &str, r: &Result<T, Error>) {
    if let Err(e) = r {
        assert_eq!(
            e.kind(),
            ErrorKind::InvalidArgument,
            "{what} failed oddly: {e}"
        );
        if !input.contains(SECRET) {
            assert!(!e.to_string().contains(SECRET), "secret in message: {e}");
        }
    }
}

/// Byte 0 picks the parser, the rest (as UTF-8, lossily) is the JSON:
/// 0 `Options::from_json` then `Client::new`, 1 `Good::from_json` then
/// `to_params` and `encode` (equal to `Good::encode`), 2 `BatchCall::list_from_json` then `encode` of
/// each call's params, 3 `Params::from_json` then `encode`. Nothing panics,
/// every failure is invalid_argument, and whatever is encoded passes
/// [`check_encode`].
pub fn check_json(data: &[u8]) {
    let Some((sel, rest)) = data.split_first() else {
        return;
    };
    let json = String::from_utf8_lossy(rest);
    match sel % 4 {
        0 => {
            let o = Options::from_json(Some(&json));
            expect_invalid("Options::from_json", &json, &o);
            if let Ok(o) = o {
                if !unsafe_ca_file(&o) {
                    expect_invalid(
                        "Client::new",
                        &json,
                        &justclick::Client::new(LOGIN, SECRET, o),
                    );
                }
            }
        }
        1 => {
            let g = Good::from_json(&json);
            expect_invalid("Good::from_json", &json, &g);
            let Ok(g) = g else { return };
            // The direct encoding (what update_good sends) must be exactly
            // the generic encoding of the same parameters, errors included.
            let direct = g.encode();
            let p = g.to_params();
            expect_invalid("Good::to_params", &json, &p);
            expect_invalid("Good::encode", &json, &direct);
            let via_params = p
                .as_ref()
                .map_err(Error::to_string)
                .and_then(|p| encode(p).map_err(|e| e.to_string()));
            assert_eq!(
                direct.as_ref().map_err(Error::to_string),
                via_params.as_ref().map_err(String::clone),
                "Good::encode differs from encode(&good.to_params())"
            );
            let Ok(p) = p else { return };
            assert_eq!(p.iter().next().map(|(k, _)| k), Some("good_name"));
            assert_eq!(check_encode(&p).as_ref(), direct.as_ref().ok());
        }
        2 => {
            let calls = BatchCall::list_from_json(&json);
            expect_invalid("BatchCall::list_from_json", &json, &calls);
            let Ok(calls) = calls else { return };
            assert!(calls.len() <= justclick::MAX_BATCH);
            for c in &calls {
                check_encode(&c.params);
            }
        }
        _ => {
            let p = Params::from_json(&json);
            expect_invalid("Params::from_json", &json, &p);
            if let Ok(p) = p {
                check_encode(&p);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// ffi: the C entry points

/// A raw pointer that may be shared (the client is `Sync`; see the header).
struct Shared(*mut jc_client);
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// One client for every call: its base URL is `127.0.0.1:1`, where nothing
/// listens, so a call that passes validation fails fast with a transport
/// error; no retries, tiny timeouts, no proxy.
fn shared_client() -> *const jc_client {
    static CLIENT: OnceLock<Shared> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let login = CString::new(LOGIN).unwrap();
            let secret = CString::new(SECRET).unwrap();
            let options = CString::new(
                r#"{"base_url":"http://127.0.0.1:1","timeout_ms":300,"connect_timeout_ms":200,
                    "proxy":"","rate_limit_retries":0}"#,
            )
            .unwrap();
            let mut c = std::ptr::null_mut();
            let st = unsafe {
                ffi::jc_client_new(login.as_ptr(), secret.as_ptr(), options.as_ptr(), &mut c)
            };
            assert_eq!(st, jc_status::JC_OK, "the fuzz client cannot be built");
            Shared(c)
        })
        .0
}

/// The bytes of an ffi input: `[op, nulls, num (8 bytes, little endian),
/// arg0, 0, arg1, 0, ...]`. Used by the regression tests and the seeds.
pub fn ffi_case(op: u8, nulls: u8, num: i64, args: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![op, nulls];
    v.extend_from_slice(&num.to_le_bytes());
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            v.push(0);
        }
        v.extend_from_slice(a);
    }
    v
}

fn last_error() -> String {
    let p = ffi::jc_last_error_message();
    assert!(!p.is_null(), "jc_last_error_message returned NULL");
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .expect("jc_last_error_message is not UTF-8")
        .to_owned()
}

fn status_name(st: jc_status) -> String {
    unsafe { CStr::from_ptr(ffi::jc_status_name(st as u32)) }
        .to_str()
        .unwrap()
        .to_owned()
}

/// Checks one outcome document (single call or one element of a batch).
fn check_doc(doc: &Json, status: Option<jc_status>, secret_in_input: bool) {
    let o = doc.as_object().expect("outcome document is not an object");
    let ok = o
        .get("ok")
        .and_then(Json::as_bool)
        .expect("no boolean 'ok'");
    if ok {
        if let Some(st) = status {
            assert_eq!(st, jc_status::JC_OK, "ok:true with a failure status");
        }
        assert!(o.contains_key("error_text") && o.contains_key("result"));
        return;
    }
    let name = o.get("status").and_then(Json::as_str).expect("no 'status'");
    assert!(
        [
            "null_argument",
            "invalid_argument",
            "transport",
            "timeout",
            "http_status",
            "bad_response",
            "bad_signature",
            "api"
        ]
        .contains(&name),
        "failure status {name:?} (a panic was caught, or an unknown name): {doc}"
    );
    if let Some(st) = status {
        assert_eq!(
            name,
            status_name(st),
            "'status' differs from the returned status"
        );
    }
    let message = o
        .get("message")
        .and_then(Json::as_str)
        .expect("no 'message'");
    assert!(!message.is_empty(), "empty failure message");
    if !secret_in_input {
        assert!(!message.contains(SECRET), "secret in message: {message}");
    }
}

/// Takes and frees a returned document; parses it.
fn take_doc(p: *mut c_char) -> Json {
    assert!(!p.is_null(), "out_json was not written");
    let text = unsafe { CStr::from_ptr(p) }
        .to_str()
        .expect("returned document is not UTF-8")
        .to_owned();
    unsafe { ffi::jc_string_free(p) };
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("returned document is not JSON ({e}): {text}"))
}

/// Feeds one input to a C entry point (see [`ffi_case`] for the layout):
/// op 0 `jc_client_new` (+ `jc_client_free`), 1 `jc_call`, 2
/// `jc_update_good`, 3 `jc_get_bills`, 4 `jc_update_order_status`, 5
/// `jc_call_batch`, 6 `jc_delete_order`. Bits of `nulls` pass NULL for
/// argument i (bit i), for out_json (bit 6) or for the client (bit 7).
/// Every status is 0..=8 (9 would be a caught panic), calls other than a
/// batch never succeed (nothing listens), every document is JSON with the
/// documented keys, `jc_last_error_message` agrees, nothing shows the
/// secret, and every string is freed once (leaks show under ASan/LSan).
pub fn check_ffi(data: &[u8]) {
    if data.len() < 10 {
        return;
    }
    let op = data[0] % 7;
    let nulls = data[1];
    let num = i64::from_le_bytes(data[2..10].try_into().unwrap());
    let rest = &data[10..];
    let secret_in_input = contains(rest, SECRET.as_bytes());
    let mut parts = rest.split(|&b| b == 0);
    let args: Vec<Option<CString>> = (0..4)
        .map(|i| {
            let bytes = parts.next().unwrap_or(&[]);
            (nulls & (1 << i) == 0).then(|| CString::new(bytes).unwrap())
        })
        .collect();
    let arg = |i: usize| args[i].as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    let out_null = nulls & 0x40 != 0;
    let client = if nulls & 0x80 != 0 {
        std::ptr::null()
    } else {
        shared_client()
    };
    let mut out: *mut c_char = std::ptr::null_mut();
    let out_ptr: *mut *mut c_char = if out_null {
        std::ptr::null_mut()
    } else {
        &mut out
    };

    if op == 0 {
        // Skip options whose ca_file is not a small regular file (reading
        // /dev/zero would only show that the caller's config is trusted).
        if let Some(Ok(s)) = args[2].as_ref().map(|c| c.to_str()) {
            if let Ok(o) = Options::from_json(Some(s)) {
                if unsafe_ca_file(&o) {
                    return;
                }
            }
        }
        let mut c: *mut jc_client = std::ptr::dangling_mut();
        let out_client: *mut *mut jc_client = if out_null {
            std::ptr::null_mut()
        } else {
            &mut c
        };
        let st = unsafe { ffi::jc_client_new(arg(0), arg(1), arg(2), out_client) };
        assert!(
            (st as u32) <= 8,
            "jc_client_new returned {st:?}: {}",
            last_error()
        );
        let msg = last_error();
        if !secret_in_input {
            assert!(
                !msg.contains(SECRET),
                "secret in jc_last_error_message: {msg}"
            );
        }
        if st == jc_status::JC_OK {
            assert!(!c.is_null() && msg.is_empty());
            unsafe { ffi::jc_client_free(c) };
        } else {
            assert!(!msg.is_empty(), "failure {st:?} without a message");
            if !out_null {
                assert!(c.is_null(), "*out_client not NULL after a failure");
            }
        }
        return;
    }

    let st = unsafe {
        match op {
            1 => ffi::jc_call(client, arg(0), arg(1), out_ptr),
            2 => ffi::jc_update_good(client, arg(0), out_ptr),
            3 => ffi::jc_get_bills(client, arg(0), arg(1), out_ptr),
            4 => ffi::jc_update_order_status(client, arg(0), arg(1), num, arg(2), out_ptr),
            5 => {
                // Mostly small concurrencies (valid ones), sometimes any u32.
                let conc = if num < 0 {
                    num as u32
                } else {
                    (num % 70) as u32
                };
                ffi::jc_call_batch(client, arg(0), conc, out_ptr)
            }
            _ => ffi::jc_delete_order(client, arg(0), out_ptr),
        }
    };
    assert!(
        (st as u32) <= 8,
        "status {st:?} (9 = a panic was caught): {}",
        last_error()
    );
    let msg = last_error();
    if !secret_in_input {
        assert!(
            !msg.contains(SECRET),
            "secret in jc_last_error_message: {msg}"
        );
    }
    if op != 5 {
        assert_ne!(
            st,
            jc_status::JC_OK,
            "a call succeeded with nothing listening"
        );
    }
    if st == jc_status::JC_OK {
        assert!(msg.is_empty(), "success but last error {msg:?}");
    } else {
        assert!(!msg.is_empty(), "failure {st:?} without a message");
    }
    if out_null {
        return;
    }
    let doc = take_doc(out);
    if op == 5 && st == jc_status::JC_OK {
        let items = doc.as_array().expect("a batch document is not an array");
        for item in items {
            check_doc(item, None, secret_in_input);
            assert_eq!(item["ok"], Json::Bool(false), "a batch call succeeded");
        }
    } else {
        check_doc(&doc, Some(st), secret_in_input);
        if st != jc_status::JC_OK {
            assert_eq!(
                doc["message"].as_str(),
                Some(msg.as_str()),
                "message != last error"
            );
        }
    }
}
