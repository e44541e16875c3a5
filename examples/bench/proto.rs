//! Prototypes of cheaper hot-path code, measured against the library's own
//! functions by `bench cpu` (and checked to produce byte-identical output in
//! `cpu::Fixture::new`). Suggestions for src/, not used by the library.

use std::collections::HashSet;
use std::io::Write as _;

use justclick::{Good, Params, Value, GOOD_FIELDS};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// PHP urlencode of every byte value: the encoded bytes (padded to 4) and
/// their length.
const ENC: [([u8; 4], u8); 256] = {
    let mut t = [([0u8; 4], 0u8); 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-' {
            ([c, 0, 0, 0], 1)
        } else if c == b' ' {
            ([b'+', 0, 0, 0], 1)
        } else {
            ([b'%', HEX[(c >> 4) as usize], HEX[(c & 15) as usize], 0], 3)
        };
        b += 1;
    }
    t
};

/// PHP `urlencode`, branch-free from a table into a buffer sized once
/// (3 bytes per input byte + 1 of slack for the 4-byte copies) instead of a
/// capacity check per pushed byte.
pub fn urlencode_fast(s: &[u8], out: &mut Vec<u8>) {
    // Names, ids, numbers and URLs' ASCII parts often need no escaping:
    // copy the unescaped prefix in one go.
    let plain = s
        .iter()
        .position(|&b| ENC[b as usize].1 != 1 || ENC[b as usize].0[0] != b)
        .unwrap_or(s.len());
    out.extend_from_slice(&s[..plain]);
    let s = &s[plain..];
    if s.is_empty() {
        return;
    }
    let start = out.len();
    out.resize(start + s.len() * 3 + 1, 0);
    let dst = &mut out[start..];
    let mut j = 0;
    for &b in s {
        let (bytes, len) = ENC[b as usize];
        // j <= 3 * i, so j + 4 <= 3 * s.len() + 1 = dst.len().
        dst[j..j + 4].copy_from_slice(&bytes);
        j += len as usize;
    }
    out.truncate(start + j);
}

/// Bytes a key may not contain: [0] nested keys, [1] top-level keys.
const BAD_KEY_BYTE: [[bool; 256]; 2] = {
    let mut t = [[false; 256]; 2];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let bad = c < 0x20 || c == 0x7f || c == b'[' || c == b']';
        t[0][b] = bad;
        t[1][b] = bad || c == b'.' || c == b' ';
        b += 1;
    }
    t
};

#[derive(Clone, Copy)]
enum Part<'a> {
    Name(&'a str),
    Index(usize),
}

/// The library's key rules (encode.rs `check_key`), as a yes/no, in one
/// pass over the key.
fn key_ok(top: bool, key: &str) -> bool {
    let bad = &BAD_KEY_BYTE[usize::from(top)];
    !(key.is_empty()
        || (top && key == "hash")
        || key.bytes().any(|b| bad[b as usize])
        || (!top && key == " "))
}

/// FNV-1a: a cheap fingerprint so that the duplicate check compares keys
/// only when their fingerprints are equal.
fn fingerprint(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// `encode` with the same checks and output, without per-call allocations
/// for the duplicate check (linear scan up to 64 keys, then a set of
/// borrowed keys) or for float formatting, and with [`urlencode_fast`].
pub fn encode_fast(params: &Params, out: &mut Vec<u8>) -> Result<(), ()> {
    let start = out.len();
    let mut path = Vec::with_capacity(4);
    map(params, &mut path, out, start, 0)
}

fn map<'a>(
    params: &'a Params,
    path: &mut Vec<Part<'a>>,
    out: &mut Vec<u8>,
    start: usize,
    depth: usize,
) -> Result<(), ()> {
    let mut set: Option<HashSet<&str>> =
        (params.len() > 64).then(|| HashSet::with_capacity(params.len()));
    let mut prints = [0u64; 64];
    for (i, (key, value)) in params.iter().enumerate() {
        if !key_ok(path.is_empty(), key) {
            return Err(());
        }
        let dup = match &mut set {
            Some(s) => !s.insert(key),
            None => {
                let h = fingerprint(key);
                let dup = prints[..i]
                    .iter()
                    .zip(params.iter())
                    .any(|(p, (k, _))| *p == h && k == key);
                prints[i] = h;
                dup
            }
        };
        if dup {
            return Err(());
        }
        path.push(Part::Name(key));
        value_into(value, path, out, start, depth)?;
        path.pop();
    }
    Ok(())
}

fn write_key(path: &[Part<'_>], out: &mut Vec<u8>) {
    for (i, part) in path.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"%5B");
        }
        match part {
            Part::Name(n) => urlencode_fast(n.as_bytes(), out),
            Part::Index(ix) => out.extend_from_slice(itoa::Buffer::new().format(*ix).as_bytes()),
        }
        if i > 0 {
            out.extend_from_slice(b"%5D");
        }
    }
}

fn scalar(path: &[Part<'_>], text: &[u8], raw: bool, out: &mut Vec<u8>, start: usize) {
    if out.len() > start {
        out.push(b'&');
    }
    write_key(path, out);
    out.push(b'=');
    if raw {
        out.extend_from_slice(text);
    } else {
        urlencode_fast(text, out);
    }
}

fn value_into<'a>(
    value: &'a Value,
    path: &mut Vec<Part<'a>>,
    out: &mut Vec<u8>,
    start: usize,
    depth: usize,
) -> Result<(), ()> {
    match value {
        Value::Null => {}
        Value::Bool(b) => scalar(path, if *b { b"1" } else { b"0" }, true, out, start),
        Value::Int(i) => scalar(
            path,
            itoa::Buffer::new().format(*i).as_bytes(),
            true,
            out,
            start,
        ),
        Value::UInt(u) => scalar(
            path,
            itoa::Buffer::new().format(*u).as_bytes(),
            true,
            out,
            start,
        ),
        // Integral values (prices) print like integers: itoa instead of the
        // float formatter (same text as `{}`; -0.0 and huge values excluded).
        Value::Float(f) if f.fract() == 0.0 && *f > 0.0 && *f < 1e15 => scalar(
            path,
            itoa::Buffer::new().format(*f as i64).as_bytes(),
            true,
            out,
            start,
        ),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(());
            }
            let mut buf = [0u8; 400];
            let mut cur = &mut buf[..];
            write!(cur, "{f}").map_err(|_| ())?;
            let n = 400 - cur.len();
            scalar(path, &buf[..n], false, out, start);
        }
        Value::Str(s) => scalar(path, s.as_bytes(), false, out, start),
        Value::List(items) => {
            if depth + 1 >= justclick::MAX_DEPTH {
                return Err(());
            }
            for (i, item) in items.iter().enumerate() {
                path.push(Part::Index(i));
                value_into(item, path, out, start, depth + 1)?;
                path.pop();
            }
        }
        Value::Map(m) => {
            if depth + 1 >= justclick::MAX_DEPTH {
                return Err(());
            }
            map(m, path, out, start, depth + 1)?;
        }
    }
    if out.len() - start > justclick::MAX_BODY_BYTES {
        return Err(());
    }
    Ok(())
}

/// UpdateGood's body straight from the typed `Good`: the same validation as
/// `Good::to_params` and the same bytes as `encode(&good.to_params()?)`,
/// without building `Params` (no String per key and per value). The field
/// names are constants that need no key checks.
pub fn good_body_direct(g: &Good, out: &mut Vec<u8>) -> Result<(), ()> {
    if g.good_name.trim().is_empty() {
        return Err(());
    }
    if let Some(c) = &g.good_only_countries {
        if c.chars().any(char::is_whitespace) {
            return Err(());
        }
    }
    if g.good_timer_duration == Some(0) {
        return Err(());
    }
    let start = out.len();
    let mut names = GOOD_FIELDS.iter();
    let mut field = |text: Option<&[u8]>, raw: bool, out: &mut Vec<u8>| {
        let name = names.next().expect("one name per field");
        if let Some(t) = text {
            if out.len() > start {
                out.push(b'&');
            }
            out.extend_from_slice(name.as_bytes()); // names are [a-zA-Z_]
            out.push(b'=');
            if raw {
                out.extend_from_slice(t);
            } else {
                urlencode_fast(t, out);
            }
        }
    };
    fn s(v: &Option<String>) -> Option<&[u8]> {
        v.as_deref().map(str::as_bytes)
    }
    let mut ib = itoa::Buffer::new();
    let float = |v: Option<f64>, buf: &mut [u8; 64]| -> Result<Option<usize>, ()> {
        match v {
            Some(f) if !f.is_finite() || f < 0.0 => Err(()),
            Some(f) if f.fract() == 0.0 && f > 0.0 && f < 1e15 => {
                let mut cur = &mut buf[..];
                cur.write_all(itoa::Buffer::new().format(f as i64).as_bytes())
                    .map_err(|_| ())?;
                Ok(Some(64 - cur.len()))
            }
            Some(f) => {
                let mut cur = &mut buf[..];
                write!(cur, "{f}").map_err(|_| ())?;
                Ok(Some(64 - cur.len()))
            }
            None => Ok(None),
        }
    };
    let flag = |v: Option<bool>| v.map(|b| if b { &b"1"[..] } else { &b"0"[..] });
    let mut fb = [0u8; 64];
    macro_rules! i64_field {
        ($v:expr) => {{
            match $v {
                Some(i) if i < 0 => return Err(()),
                Some(i) => field(Some(ib.format(i).as_bytes()), true, out),
                None => field(None, true, out),
            }
        }};
    }
    macro_rules! f64_field {
        ($v:expr) => {{
            let n = float($v, &mut fb)?;
            field(n.map(|n| &fb[..n]), false, out);
        }};
    }
    field(Some(g.good_name.as_bytes()), false, out);
    field(s(&g.good_title), false, out);
    i64_field!(g.parent_id);
    f64_field!(g.good_sum);
    field(s(&g.good_api_url_notif), false, out);
    field(s(&g.good_api_url_new_order), false, out);
    field(s(&g.good_success_link), false, out);
    field(s(&g.good_client_rassilki), false, out);
    field(flag(g.good_nalozh_only), true, out);
    field(s(&g.good_quickpost_article), false, out);
    field(
        g.good_post_service.map(|e| e.as_str().as_bytes()),
        false,
        out,
    );
    field(s(&g.good_only_countries), false, out);
    field(s(&g.good_download), false, out);
    field(s(&g.good_mail_subject), false, out);
    field(
        g.good_mail_format.map(|e| e.as_str().as_bytes()),
        false,
        out,
    );
    field(s(&g.good_mail_body), false, out);
    field(s(&g.good_mail_text), false, out);
    f64_field!(g.good_partner_fee);
    f64_field!(g.good_partner_fee_perc);
    f64_field!(g.good_partner_pfee);
    f64_field!(g.good_partner_pfee_perc);
    field(flag(g.good_partner_show), true, out);
    field(s(&g.good_partner_sl_link), false, out);
    field(s(&g.good_partner_addition_link), false, out);
    field(s(&g.good_partner_text), false, out);
    field(s(&g.good_pay_text), false, out);
    field(flag(g.good_timer), true, out);
    field(g.good_timer_unit.map(|e| e.as_str().as_bytes()), false, out);
    i64_field!(g.good_timer_duration);
    field(flag(g.good_use_short), true, out);
    f64_field!(g.good_rashod);
    f64_field!(g.good_rashod_perc);
    field(flag(g.good_publish), true, out);
    Ok(())
}

/// `Value::from_json` with the duplicate-key check of [`encode_fast`]
/// (fingerprints, no `HashSet<String>` above 16 keys).
pub fn value_from_json(json: &str) -> Result<Value, String> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

    struct Seed;
    impl<'de> DeserializeSeed<'de> for Seed {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(V)
        }
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::Int(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(i64::try_from(v).map_or(Value::UInt(v), Value::Int))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::Float(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::Str(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::Str(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(v) = seq.next_element_seed(Seed)? {
                items.push(v);
            }
            Ok(Value::List(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut params = Params::new();
            let mut prints: Vec<u64> = Vec::new();
            let mut set: Option<HashSet<String>> = None;
            while let Some(key) = map.next_key::<String>()? {
                let dup = match &mut set {
                    Some(s) => !s.insert(key.clone()),
                    None => {
                        let h = fingerprint(&key);
                        let dup = prints
                            .iter()
                            .zip(params.iter())
                            .any(|(p, (k, _))| *p == h && k == key);
                        prints.push(h);
                        if prints.len() > 64 {
                            set = Some(params.iter().map(|(k, _)| k.to_owned()).collect());
                            set.as_mut().map(|s| s.insert(key.clone()));
                        }
                        dup
                    }
                };
                if dup {
                    return Err(serde::de::Error::custom("duplicate key"));
                }
                let value = map.next_value_seed(Seed)?;
                params.push(key, value);
            }
            Ok(Value::Map(params))
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let v = Seed.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(v)
}
