//! CPU cost of the library's own work per call, without the network: the
//! loops that `valgrind --tool=callgrind` counts (`bench cpu VARIANT N`).
//!
//! Each variant runs the same setup, then N iterations; the harness counts a
//! run with N and one with 2N iterations and divides the difference by N, so
//! the setup cancels out.

use std::borrow::Cow;
use std::ffi::CString;
use std::hint::black_box;

use justclick::{encode, parse_response, request_hash, response_hash, Good, Params, Secret};
use justclick_sandbox::{phpjson, store::Store};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::sandbox_proc::LOGIN;

/// The seed's `super_tovar` with every UpdateGood field (the fixture the
/// library's own tests use).
pub const SUPER_TOVAR: &str = include_str!("../tests/data/super_tovar.json");

pub const CPU_SECRET: &str = "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";

/// Variants: the first is the headline figure (issue 6, item 5).
pub const VARIANTS: &[(&str, &str)] = &[
    (
        "update_good",
        "UpdateGood super_tovar as Client::update_good does it: Good::encode + sign + parse/verify the answer",
    ),
    (
        "update_good_ffi",
        "the same from JSON as the bindings send it, as jc_update_good: Good::from_json + above + JSON outcome document",
    ),
    ("from_json", "  piece: Good::from_json(super_tovar)"),
    ("to_params", "  piece: Good::to_params"),
    (
        "encode",
        "  piece: encode (http_build_query) of those params",
    ),
    (
        "sign",
        "  piece: request_hash (md5 of the body::login::secret)",
    ),
    (
        "parse_update",
        "  piece: parse_response of the UpdateGood answer",
    ),
    (
        "get_bills",
        "GetBills: encode + sign + parse/verify the 4-order answer",
    ),
    (
        "parse_bills",
        "  piece: parse_response of the GetBills answer",
    ),
    (
        "ffi_doc_bills",
        "  piece: the C ABI's JSON outcome document for that answer (+ CString)",
    ),
    (
        "proto_parse_update",
        "prototype: parse+verify via a borrowing serde struct (UpdateGood answer)",
    ),
    (
        "proto_parse_bills",
        "prototype: parse+verify via a borrowing serde struct (GetBills answer)",
    ),
    (
        "value_from_json",
        "  piece: justclick::Value::from_json(super_tovar) (the JSON step of Good::from_json)",
    ),
    (
        "proto_verify_only_bills",
        "prototype lower bound: verify the GetBills answer, skip building `result`",
    ),
];

pub struct Fixture {
    /// SUPER_TOVAR as the PHP and Python bindings hand it to
    /// `jc_update_good`: compact, unescaped UTF-8 (`json_encode` with
    /// JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES, `json.dumps` with
    /// `ensure_ascii=False` and `separators=(",", ":")`), not the indented file.
    pub good_json: String,
    pub secret: Secret,
    pub good: Good,
    pub params: Params,
    pub body: Vec<u8>,
    pub resp_update: Vec<u8>,
    pub resp_bills: Vec<u8>,
    pub bills_params: Params,
    pub bills_response: justclick::Response,
}

fn signed_answer(secret: &Secret, code: i64, text: &str, result: Option<Json>) -> Vec<u8> {
    let hash = String::from_utf8(response_hash(&code.to_string(), text, secret).to_vec())
        .expect("hex is ASCII");
    let mut obj = serde_json::Map::new();
    obj.insert("error_code".into(), Json::from(code));
    obj.insert("error_text".into(), Json::from(text));
    obj.insert("hash".into(), Json::from(hash));
    if let Some(r) = result {
        obj.insert("result".into(), r);
    }
    phpjson::encode(&Json::Object(obj)).into_bytes()
}

impl Fixture {
    pub fn new() -> Result<Fixture, String> {
        let good_json = serde_json::from_str::<Json>(SUPER_TOVAR)
            .and_then(|v| serde_json::to_string(&v))
            .map_err(|e| e.to_string())?;
        let secret = Secret::new(CPU_SECRET.as_bytes());
        let good = Good::from_json(SUPER_TOVAR).map_err(|e| e.to_string())?;
        let params = good.to_params().map_err(|e| e.to_string())?;
        let body = encode(&params).map_err(|e| e.to_string())?.into_bytes();
        // The answers exactly as the sandbox (PHP json_encode) writes them.
        let resp_update = signed_answer(&secret, 0, "Продукт обновлен", None);
        let bills_params = Params::new().with("email", "client@example.com");
        let answer = Store::seed()
            .call("GetBills", &bills_params)
            .ok_or("the sandbox store has no GetBills")?;
        let resp_bills = signed_answer(&secret, answer.code, &answer.text, answer.result);
        let bills_response = parse_response(&resp_bills, &secret).map_err(|e| e.to_string())?;
        let f = Fixture {
            good_json,
            secret,
            good,
            params,
            body,
            resp_update,
            resp_bills,
            bills_params,
            bills_response,
        };
        // Every variant must succeed, or the count is meaningless.
        for (v, _) in VARIANTS {
            f.iteration(v)?;
        }
        Ok(f)
    }

    /// One iteration of `variant`.
    pub fn iteration(&self, variant: &str) -> Result<(), String> {
        let e = |e: justclick::Error| e.to_string();
        match variant {
            "update_good" => {
                let body = black_box(&self.good).encode().map_err(e)?;
                let body = sign_body(body.into_bytes(), &self.secret);
                black_box(&body);
                let r = parse_response(black_box(&self.resp_update), &self.secret).map_err(e)?;
                black_box(r);
            }
            "update_good_ffi" => {
                let good = Good::from_json(black_box(&self.good_json)).map_err(e)?;
                let body = sign_body(good.encode().map_err(e)?.into_bytes(), &self.secret);
                black_box(&body);
                let r = parse_response(black_box(&self.resp_update), &self.secret).map_err(e)?;
                black_box(outcome_c_string(&r.error_text, r.result.as_ref()));
            }
            "from_json" => {
                black_box(Good::from_json(black_box(&self.good_json)).map_err(e)?);
            }
            "to_params" => {
                black_box(black_box(&self.good).to_params().map_err(e)?);
            }
            "encode" => {
                black_box(encode(black_box(&self.params)).map_err(e)?);
            }
            "sign" => {
                black_box(request_hash(black_box(&self.body), LOGIN, &self.secret));
            }
            "parse_update" => {
                black_box(parse_response(black_box(&self.resp_update), &self.secret).map_err(e)?);
            }
            "get_bills" => {
                let body = signed_body(black_box(&self.bills_params), &self.secret)?;
                black_box(&body);
                let r = parse_response(black_box(&self.resp_bills), &self.secret).map_err(e)?;
                black_box(r);
            }
            "parse_bills" => {
                black_box(parse_response(black_box(&self.resp_bills), &self.secret).map_err(e)?);
            }
            "ffi_doc_bills" => {
                let r = black_box(&self.bills_response);
                black_box(outcome_c_string(&r.error_text, r.result.as_ref()));
            }
            "proto_parse_update" => {
                black_box(proto_parse(black_box(&self.resp_update), &self.secret)?);
            }
            "proto_parse_bills" => {
                black_box(proto_parse(black_box(&self.resp_bills), &self.secret)?);
            }
            "value_from_json" => {
                black_box(justclick::Value::from_json(black_box(&self.good_json)).map_err(e)?);
            }
            "proto_verify_only_bills" => {
                black_box(proto_verify_only(
                    black_box(&self.resp_bills),
                    &self.secret,
                )?);
            }
            other => return Err(format!("unknown cpu variant {other:?}")),
        }
        Ok(())
    }
}

/// What `Client::send` does before the transport: encode, sign, append.
fn signed_body(params: &Params, secret: &Secret) -> Result<Vec<u8>, String> {
    let body = encode(params).map_err(|e| e.to_string())?.into_bytes();
    Ok(sign_body(body, secret))
}

/// Appends `&hash=...` as the client does.
fn sign_body(mut body: Vec<u8>, secret: &Secret) -> Vec<u8> {
    let hash = request_hash(&body, LOGIN, secret);
    if !body.is_empty() {
        body.push(b'&');
    }
    body.extend_from_slice(b"hash=");
    body.extend_from_slice(&hash);
    body
}

/// The C ABI's success document (same struct shape as src/ffi's SuccessDoc)
/// handed over as a CString, then freed as jc_string_free would.
fn outcome_c_string(error_text: &str, result: Option<&Json>) -> CString {
    #[derive(Serialize)]
    struct SuccessDoc<'a> {
        ok: bool,
        error_code: i64,
        error_text: &'a str,
        result: &'a Json,
    }
    const NULL: Json = Json::Null;
    let mut doc = Vec::with_capacity(256);
    serde_json::to_writer(
        &mut doc,
        &SuccessDoc {
            ok: true,
            error_code: 0,
            error_text,
            result: result.unwrap_or(&NULL),
        },
    )
    .expect("serializable");
    CString::new(doc).expect("no NUL in JSON")
}

/// Prototype of a cheaper parse: one pass into a struct that borrows the
/// strings that need no unescaping, only `result` becomes a `Json` tree.
/// Same checks as the library's parse: hash is a string, code a number or a
/// numeric string, text a string, signature verified before anything else
/// is used.
fn proto_parse(body: &[u8], secret: &Secret) -> Result<(String, Option<Json>), String> {
    /// `error_code`: a number, or a numeric string hashed as sent.
    enum Code<'a> {
        Int(i64),
        Text(Cow<'a, str>),
    }
    impl<'de: 'a, 'a> Deserialize<'de> for Code<'a> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code<'a>, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Code<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an integer or a numeric string")
                }
                fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Code<'de>, E> {
                    Ok(Code::Int(v))
                }
                fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Code<'de>, E> {
                    i64::try_from(v)
                        .map(Code::Int)
                        .map_err(|_| E::custom("error_code out of range"))
                }
                fn visit_borrowed_str<E: serde::de::Error>(
                    self,
                    v: &'de str,
                ) -> Result<Code<'de>, E> {
                    Ok(Code::Text(Cow::Borrowed(v)))
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Code<'de>, E> {
                    Ok(Code::Text(Cow::Owned(v.to_owned())))
                }
            }
            d.deserialize_any(V)
        }
    }
    #[derive(Deserialize)]
    struct Answer<'a> {
        #[serde(borrow)]
        error_code: Option<Code<'a>>,
        #[serde(borrow)]
        error_text: Option<Cow<'a, str>>,
        #[serde(borrow)]
        hash: Option<Cow<'a, str>>,
        #[serde(default)]
        result: Option<Json>,
    }
    let a: Answer<'_> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let hash = a.hash.ok_or("no hash")?;
    let mut digits = itoa::Buffer::new();
    let (code, code_text): (i64, &str) = match &a.error_code {
        Some(Code::Int(i)) => (*i, digits.format(*i)),
        Some(Code::Text(s)) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err("bad error_code".into());
            }
            (s.parse().map_err(|_| "bad error_code")?, s.as_ref())
        }
        None => return Err("no error_code".into()),
    };
    let text = a.error_text.ok_or("no error_text")?;
    if !justclick::verify_response(code_text, &text, &hash, secret) {
        return Err("bad signature".into());
    }
    if code != 0 {
        return Err(format!("api error {code}"));
    }
    Ok((text.into_owned(), a.result))
}

/// Lower bound for a C ABI that would pass `result` through as text: the
/// answer is checked and verified, `result` is only skipped over.
fn proto_verify_only(body: &[u8], secret: &Secret) -> Result<bool, String> {
    #[derive(Deserialize)]
    struct Head<'a> {
        error_code: i64,
        #[serde(borrow)]
        error_text: Cow<'a, str>,
        #[serde(borrow)]
        hash: Cow<'a, str>,
        #[serde(default)]
        #[allow(dead_code)]
        result: serde::de::IgnoredAny,
    }
    let h: Head<'_> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let mut digits = itoa::Buffer::new();
    Ok(justclick::verify_response(
        digits.format(h.error_code),
        &h.error_text,
        &h.hash,
        secret,
    ))
}
