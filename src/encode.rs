//! Request parameters and the one encoder: PHP `http_build_query`, byte for byte.
//!
//! The bytes this module produces are exactly the bytes that are signed and
//! sent. Keys that PHP would rename, drop or split when it parses the body
//! are rejected here, because the server re-encodes what *it* parsed and the
//! signature would not verify (API.md section 2).

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{invalid, Error, Result};

/// Deepest nesting of maps/lists the encoder accepts. PHP's own limit
/// (`max_input_nesting_level`) is 64; far below it, a deeper structure is a
/// bug in the caller, and the bound keeps the recursion shallow.
pub const MAX_DEPTH: usize = 32;

/// Largest request body, in bytes: PHP's default `post_max_size` (8 MiB). A
/// larger body would be dropped by the server, not signed-and-rejected.
pub const MAX_BODY_BYTES: usize = 8 << 20;

/// Most values (name=value pairs, nested ones included) a request may send:
/// with the `hash` the signature adds, PHP's default `max_input_vars` (1000).
///
/// Measured with PHP-FPM 8.2: 999 values and `hash` are read silently; with
/// 1000 values PHP still keeps `hash` (its POST reader stores a pair before
/// counting it) but warns "Input variables exceeded 1000", which a server
/// that displays errors prints into its answer; with 1001 values `hash` is
/// dropped and the service answers with an authorization error.
pub const MAX_VALUES: usize = 999;

/// One parameter value, as PHP's `http_build_query` understands it.
///
/// `Null` is skipped entirely, `Bool` is sent as `1`/`0`, numbers in decimal,
/// `List` and `Map` become `key[i]` / `key[sub]` pairs (an empty one sends
/// nothing).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Skipped, like PHP `null`.
    Null,
    /// `1` or `0`.
    Bool(bool),
    /// Decimal integer.
    Int(i64),
    /// Decimal integer above `i64::MAX`.
    UInt(u64),
    /// Written as PHP writes doubles (`%.14G`: `0.3`, `1.0E+15`, `-0`);
    /// must be finite.
    Float(f64),
    /// UTF-8 text, percent-encoded byte by byte.
    Str(String),
    /// `key[0]=..&key[1]=..`; `Null` items are skipped but keep their index.
    List(Vec<Value>),
    /// `key[sub]=..`, in insertion order.
    Map(Params),
}

/// An ordered list of named parameters: the top level of a request.
///
/// Order is kept (PHP signs in insertion order). Keys are checked when the
/// params are encoded, so building never fails. Plain data: `Send + Sync`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    pairs: Vec<(String, Value)>,
}

impl Params {
    /// An empty parameter list.
    pub fn new() -> Params {
        Params::default()
    }

    /// An empty list with room for `n` pairs.
    pub fn with_capacity(n: usize) -> Params {
        Params {
            pairs: Vec::with_capacity(n),
        }
    }

    /// Appends a pair (in place).
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<Value>) -> &mut Params {
        self.pairs.push((key.into(), value.into()));
        self
    }

    /// Appends a pair (builder style).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Params {
        self.push(key, value);
        self
    }

    /// Number of top-level pairs (including `Null` ones).
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The value of the first pair named `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Removes every pair named `key`, returning the first value removed.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.pairs.iter().position(|(k, _)| k == key)?;
        let value = self.pairs.remove(pos).1;
        self.pairs.retain(|(k, _)| k != key);
        Some(value)
    }

    /// Parses a JSON object into params, keeping key order.
    ///
    /// `null` and an empty list (PHP's `json_encode([])`) give empty params.
    /// Duplicate keys at any level are an error, not "last one wins".
    pub fn from_json(json: &str) -> Result<Params> {
        match Value::from_json(json)? {
            Value::Map(p) => Ok(p),
            Value::Null => Ok(Params::new()),
            Value::List(l) if l.is_empty() => Ok(Params::new()),
            other => invalid(format!(
                "params must be a JSON object of name/value pairs, got {}",
                other.type_name()
            )),
        }
    }

    pub(crate) fn pairs_mut(&mut self) -> &mut Vec<(String, Value)> {
        &mut self.pairs
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Params {
        Params {
            pairs: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl Value {
    /// Parses any JSON document into a `Value`, rejecting duplicate object
    /// keys (serde_json would silently keep the last one).
    pub fn from_json(json: &str) -> Result<Value> {
        serde_json::from_str::<Value>(json)
            .map_err(|e| Error::invalid(format!("malformed JSON: {e}")))
    }

    /// The JSON-ish type name used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::UInt(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "an object",
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $arm:ident as $as:ty),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::$arm(v as $as)
            }
        }
    )*};
}
value_from!(i8 => Int as i64, i16 => Int as i64, i32 => Int as i64, i64 => Int as i64,
    u8 => Int as i64, u16 => Int as i64, u32 => Int as i64, u64 => UInt as u64,
    f32 => Float as f64, f64 => Float as f64);

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Str(v.clone())
    }
}
impl From<Params> for Value {
    fn from(v: Params) -> Value {
        Value::Map(v)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::UInt(v), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element::<Value>()? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut params = Params::new();
        let mut seen = KeySet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(&params.pairs, &key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {key:?} in JSON object"
                )));
            }
            let value = map.next_value::<Value>()?;
            params.pairs.push((key, value));
        }
        Ok(Value::Map(params))
    }
}

/// FNV-1a: a cheap fingerprint, so duplicate checks compare whole keys only
/// when their fingerprints are equal.
fn fingerprint(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Duplicate-key detection: fingerprints on the stack for the maps every
/// endpoint sends (up to 64 keys, no allocation), a hash set beyond, so a
/// huge hostile object stays linear.
struct KeySet {
    prints: [u64; KeySet::LINEAR_MAX],
    len: usize,
    hashed: Option<HashSet<String>>,
}

impl KeySet {
    const LINEAR_MAX: usize = 64;

    fn new() -> KeySet {
        KeySet {
            prints: [0; KeySet::LINEAR_MAX],
            len: 0,
            hashed: None,
        }
    }

    /// Records `key`; false if it is already among `existing` (the keys
    /// recorded so far, in order).
    fn insert(&mut self, existing: &[(String, Value)], key: &str) -> bool {
        if let Some(set) = &mut self.hashed {
            return set.insert(key.to_owned());
        }
        let h = fingerprint(key);
        let seen = self.prints[..self.len]
            .iter()
            .zip(existing)
            .any(|(p, (k, _))| *p == h && k == key);
        if seen {
            return false;
        }
        if self.len == Self::LINEAR_MAX {
            let mut set: HashSet<String> = existing.iter().map(|(k, _)| k.clone()).collect();
            set.insert(key.to_owned());
            self.hashed = Some(set);
        } else {
            self.prints[self.len] = h;
            self.len += 1;
        }
        true
    }
}

/// Encodes `params` exactly like PHP `http_build_query($params)`.
///
/// Fails (naming the key) on keys PHP would rename, drop or split, on
/// duplicate keys, on the reserved key `hash`, on non-finite numbers, on
/// nesting deeper than [`MAX_DEPTH`], on more than [`MAX_VALUES`] values and
/// on bodies over [`MAX_BODY_BYTES`].
pub fn encode(params: &Params) -> Result<String> {
    let mut out = Vec::with_capacity(128);
    encode_into(params, &mut out)?;
    // Every byte written is ASCII (unreserved, '+', '%', hex, '&', '=').
    Ok(String::from_utf8(out).expect("encoder output is ASCII"))
}

/// Appends the encoding of `params` to `out` (see [`encode`]).
pub(crate) fn encode_into(params: &Params, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    let mut enc = Encoder {
        w: PairWriter {
            out,
            start,
            pairs: 0,
        },
        strict: true,
    };
    enc.map(&mut Vec::with_capacity(4), params, 0)?;
    enc.w.finish()
}

/// Encodes without any key checks, like PHP itself does: used to re-encode
/// what a PHP-style parse produced (the server side of the signature).
pub fn encode_lenient(params: &Params) -> String {
    let mut out = Vec::with_capacity(128);
    let mut enc = Encoder {
        w: PairWriter {
            out: &mut out,
            start: 0,
            pairs: 0,
        },
        strict: false,
    };
    // Lenient mode fails only on non-finite floats, which a parse never
    // produces; fall back to what was written.
    let _ = enc.map(&mut Vec::new(), params, 0);
    String::from_utf8(out).expect("encoder output is ASCII")
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// PHP `urlencode` of every byte value, as a little-endian `u32`: the
/// encoded bytes (padded to 3) in the low bytes and how many of them count
/// in the top byte, so one load and one 4-byte store write any byte.
const URLENCODED: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let (bytes, len) = if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-' {
            ([c, 0, 0], 1)
        } else if c == b' ' {
            ([b'+', 0, 0], 1)
        } else {
            ([b'%', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]], 3)
        };
        t[b] = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], len]);
        b += 1;
    }
    t
};

/// Bytes `urlencode` keeps as they are (derived from URLENCODED). A plain
/// table, because the prefix scan in [`urlencode_into`] reads it for every
/// byte of every value (profiling: a third of an UpdateGood's encoding).
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let [c, _, _, len] = URLENCODED[b].to_le_bytes();
        t[b] = len == 1 && c == b as u8;
        b += 1;
    }
    t
};

fn unreserved(b: u8) -> bool {
    UNRESERVED[b as usize]
}

/// Whether `urlencode(name)` is `name` itself: the fixed field names a
/// [`PairWriter`] copies without encoding them (checked when compiling).
pub(crate) const fn is_plain(name: &str) -> bool {
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !UNRESERVED[b[i] as usize] {
            return false;
        }
        i += 1;
    }
    true
}

/// Percent-encodes `s` the way PHP's `urlencode` does (and so
/// `http_build_query`): `A-Za-z0-9._-` kept, space as `+`, every other byte
/// as uppercase `%XX`.
pub(crate) fn urlencode_into(s: &[u8], out: &mut Vec<u8>) {
    // Names, ids, numbers and the ASCII parts of URLs often need no escaping:
    // copy that prefix in one go.
    let plain = s.iter().position(|&b| !unreserved(b)).unwrap_or(s.len());
    out.extend_from_slice(&s[..plain]);
    let rest = &s[plain..];
    if rest.is_empty() {
        return;
    }
    // Size once (3 bytes per input byte, +1 so every copy can be 4 bytes),
    // then copy table entries. Eight bytes write at most 3 * 7 + 4 = 25
    // from where they start, so a window of 25 bounds-checked once lets
    // the compiler drop the check of each copy (the per-byte checks cost
    // as much as the copies did); the few bytes after the last full eight
    // are copied one by one.
    let start = out.len();
    out.resize(start + rest.len() * 3 + 1, 0);
    let dst = &mut out[start..];
    let mut j = 0;
    let mut eights = rest.chunks_exact(8);
    for eight in &mut eights {
        let window: &mut [u8; 25] = (&mut dst[j..j + 25]).try_into().expect("25 bytes");
        let mut k = 0;
        for &b in eight {
            let e = URLENCODED[b as usize];
            window[k..k + 4].copy_from_slice(&e.to_le_bytes());
            // `& 3` (the count is 1 or 3) keeps k provably below 22.
            k += (e >> 24 & 3) as usize;
        }
        j += k;
    }
    for &b in eights.remainder() {
        let e = URLENCODED[b as usize];
        dst[j..j + 4].copy_from_slice(&e.to_le_bytes());
        j += (e >> 24) as usize;
    }
    out.truncate(start + j);
}

/// Writes `name=value` pairs, `&`-separated, into a request body: the one
/// place pairs are written, whether from [`Params`] or from a typed request
/// whose field names are fixed (UpdateGood).
pub(crate) struct PairWriter<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
    /// Pairs written so far (PHP counts them against `max_input_vars`).
    pairs: usize,
}

impl<'a> PairWriter<'a> {
    /// Appends to `out` (which may already hold other bytes).
    pub(crate) fn new(out: &'a mut Vec<u8>) -> PairWriter<'a> {
        let start = out.len();
        PairWriter {
            out,
            start,
            pairs: 0,
        }
    }

    /// Starts a pair: the `&` before every pair but the first.
    fn separator(&mut self) {
        if self.pairs > 0 {
            self.out.push(b'&');
        }
        self.pairs += 1;
    }

    /// Starts a top-level pair whose name is a fixed API field: valid, and
    /// [`is_plain`], so it is copied as it is instead of encoded.
    fn name(&mut self, name: &str) {
        debug_assert!(is_plain(name), "{name}");
        self.separator();
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'=');
    }

    /// A top-level pair with a fixed, plain name (see [`is_plain`]).
    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.name(name);
        urlencode_into(value.as_bytes(), self.out);
    }

    /// A top-level integer pair with a fixed, plain name.
    pub(crate) fn int(&mut self, name: &str, value: i64) {
        self.name(name);
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    /// A top-level number pair with a fixed, plain name; `value` must be
    /// finite (checked by the caller, who can name the field).
    pub(crate) fn float(&mut self, name: &str, value: f64) {
        self.name(name);
        write_float(value, self.out);
    }

    /// Fails if the request has more than [`MAX_VALUES`] pairs.
    fn count_check(&self) -> Result<()> {
        if self.pairs > MAX_VALUES {
            return invalid(format!(
                "request has more than {MAX_VALUES} values: with the signature's hash that exceeds PHP's max_input_vars (1000), and the service would warn or drop the hash and refuse the call; split the request"
            ));
        }
        Ok(())
    }

    /// Fails if the body outgrew [`MAX_BODY_BYTES`] or has more than
    /// [`MAX_VALUES`] pairs.
    pub(crate) fn finish(&self) -> Result<()> {
        self.count_check()?;
        if self.out.len() - self.start > MAX_BODY_BYTES {
            return invalid(format!(
                "request body exceeds {MAX_BODY_BYTES} bytes (PHP's default post_max_size); split the request"
            ));
        }
        Ok(())
    }
}

/// Writes `f` as PHP's `http_build_query` does, already percent-encoded:
/// `%.14G` with PHP's default `precision` of 14 (`0.1 + 0.2` is `0.3`, `1e15`
/// is `1.0E%2B15`, `1e-7` is `1.0E-7`, `100.0` is `100`, `-0.0` is `-0`).
/// `f` must be finite (callers check, so they can name the parameter).
/// Written in place: no heap allocation.
fn write_float(f: f64, out: &mut Vec<u8>) {
    debug_assert!(f.is_finite());
    if f == 0.0 {
        out.extend_from_slice(if f.is_sign_negative() { b"-0" } else { b"0" });
        return;
    }
    // Whole numbers below 10^14 (prices) have at most 14 digits, so PHP
    // prints them exactly: itoa gives the same text for a tenth of the work.
    if f.fract() == 0.0 && f.abs() < 1e14 {
        out.extend_from_slice(itoa::Buffer::new().format(f as i64).as_bytes());
        return;
    }
    let (negative, digits, exp) = round_to_14_digits(f);
    let digits = digits.as_slice();
    if negative {
        out.push(b'-');
    }
    // PHP's `%G` picks the notation from the decimal exponent: plain text
    // for 0.0001 <= |f| < 10^14, else one digit, '.', the rest (at least
    // "0"), 'E', a sign and the exponent without padding.
    if !(-4..14).contains(&exp) {
        out.push(digits[0]);
        out.push(b'.');
        if digits.len() > 1 {
            out.extend_from_slice(&digits[1..]);
        } else {
            out.push(b'0');
        }
        // 'E', then '+' percent-encoded (it is not an unreserved byte).
        out.extend_from_slice(if exp < 0 { b"E-" } else { b"E%2B" });
        out.extend_from_slice(itoa::Buffer::new().format(exp.unsigned_abs()).as_bytes());
    } else if exp < 0 {
        out.extend_from_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend_from_slice(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.extend_from_slice(digits);
            out.resize(out.len() + int_len - digits.len(), b'0');
        } else {
            out.extend_from_slice(&digits[..int_len]);
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..]);
        }
    }
}

/// Up to 14 significant decimal digits, on the stack.
struct Digits {
    buf: [u8; 14],
    len: usize,
}

impl Digits {
    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// `f` (finite, non-zero) correctly rounded to 14 significant digits, ties
/// to even like PHP's `zend_dtoa` mode 2: sign, the digits without trailing
/// zeros (but for one dtoa quirk, below), and the decimal exponent of the
/// first digit.
fn round_to_14_digits(f: f64) -> (bool, Digits, i32) {
    use std::fmt::Write as _;

    /// A `fmt::Write` sink on the stack: `-d.ddddddddddddde-ddd` fits.
    struct StackText {
        buf: [u8; 32],
        len: usize,
    }
    impl fmt::Write for StackText {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            self.buf
                .get_mut(self.len..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    // Rust's `{:.13e}` is exact (correct rounding of the binary value, ties
    // to even): the same digits as PHP's dtoa.
    let mut text = StackText {
        buf: [0; 32],
        len: 0,
    };
    let _ = write!(text, "{f:.13e}");
    let text = &text.buf[..text.len];
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let e = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    let mut digits = Digits {
        buf: [b'0'; 14],
        len: 0,
    };
    for &b in text[..e].iter().filter(|b| b.is_ascii_digit()).take(14) {
        digits.buf[digits.len] = b;
        digits.len += 1;
    }
    // PHP's dtoa keeps the trailing zeros in one case: a whole number of 15
    // digits whose last digit 5 is a tie rounded down to even (it takes its
    // "small integer" path then), so 206445153832105.0 is written
    // `2.0644515383210E+14`, not `2.064451538321E+14` (checked with PHP 8.2).
    let kept_zeros = f.fract() == 0.0
        && (1e14..1e15).contains(&f.abs())
        && (f.abs() as u64) % 10 == 5
        && (f.abs() as u64 / 10) % 2 == 0;
    while !kept_zeros && digits.len > 1 && digits.buf[digits.len - 1] == b'0' {
        digits.len -= 1;
    }
    let exp = std::str::from_utf8(text.get(e + 1..).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (negative, digits, exp)
}

/// Renders a key path such as `goods[0][name]` for error messages.
fn key_path(path: &[KeyPart<'_>], last: &str) -> String {
    let mut s = String::new();
    for (i, part) in path
        .iter()
        .chain(std::iter::once(&KeyPart::Name(last)))
        .enumerate()
    {
        match (i, part) {
            (0, KeyPart::Name(n)) => s.push_str(n),
            (_, KeyPart::Name(n)) => {
                s.push('[');
                s.push_str(n);
                s.push(']');
            }
            (_, KeyPart::Index(i)) => s.push_str(&format!("[{i}]")),
        }
    }
    format!("{s:?}")
}

#[derive(Clone, Copy)]
enum KeyPart<'a> {
    Name(&'a str),
    Index(usize),
}

/// Bytes a key may not contain: `[0]` nested keys, `[1]` top-level keys.
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

/// The key rules (API.md section 2) as one pass over the key; the detailed
/// message is only built when a key fails.
pub(crate) fn key_is_valid(top: bool, key: &str) -> bool {
    let bad = &BAD_KEY_BYTE[usize::from(top)];
    !(key.is_empty()
        || (top && key == "hash")
        || (!top && key == " ")
        || key.bytes().any(|b| bad[b as usize]))
}

struct Encoder<'a> {
    w: PairWriter<'a>,
    strict: bool,
}

impl<'a> Encoder<'a> {
    fn check_key(&self, path: &[KeyPart<'_>], key: &str) -> Result<()> {
        let top = path.is_empty();
        // PHP drops a parameter with an array key that starts with a cookie
        // prefix its top-level name does not start with (see `php`).
        let cookie = match path.first() {
            Some(KeyPart::Name(name)) => {
                crate::keys::is_forbidden_key(key.as_bytes(), name.as_bytes())
            }
            _ => false,
        };
        if key_is_valid(top, key) && !cookie {
            return Ok(());
        }
        let why = if key.is_empty() {
            "is empty (PHP drops pairs with an empty name)".to_owned()
        } else if top && key == "hash" {
            "is reserved for the request signature".to_owned()
        } else if let Some(c) = key.bytes().find(|&b| b < 0x20 || b == 0x7f) {
            format!("contains the control byte 0x{c:02X}, which PHP truncates or mangles")
        } else if let Some(c) = key.chars().find(|&c| c == '[' || c == ']') {
            format!(
                "contains '{c}', which PHP parses as an array index (pass nested values as a JSON object or list instead)"
            )
        } else if top && key.contains('.') {
            "contains '.', which PHP renames to '_'".to_owned()
        } else if top && key.contains(' ') {
            "contains a space, which PHP renames to '_' or strips".to_owned()
        } else if cookie {
            let prefix = if key.starts_with("__Host-") {
                "__Host-"
            } else {
                "__Secure-"
            };
            format!("starts with '{prefix}', a cookie-name prefix: PHP 8 drops the whole parameter when an array key starts with it and the top-level name does not")
        } else {
            "is a single space, which PHP reads as '[]' (append)".to_owned()
        };
        invalid(format!("parameter name {} {why}", key_path(path, key)))
    }

    fn map(&mut self, path: &mut Vec<KeyPart<'a>>, params: &'a Params, depth: usize) -> Result<()> {
        let mut seen = self.strict.then(KeySet::new);
        for (i, (key, value)) in params.pairs.iter().enumerate() {
            if let Some(seen) = &mut seen {
                self.check_key(path, key)?;
                if !seen.insert(&params.pairs[..i], key) {
                    return invalid(format!("duplicate parameter name {}", key_path(path, key)));
                }
            }
            path.push(KeyPart::Name(key));
            self.value(path, value, depth)?;
            path.pop();
        }
        Ok(())
    }

    /// Starts a pair: separator, the encoded key path, '='. Strict mode
    /// fails as soon as there are too many pairs, before writing more.
    fn begin(&mut self, path: &[KeyPart<'_>]) -> Result<()> {
        self.w.separator();
        if self.strict {
            self.w.count_check()?;
        }
        let out = &mut *self.w.out;
        for (i, part) in path.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"%5B");
            }
            match part {
                KeyPart::Name(n) => urlencode_into(n.as_bytes(), out),
                KeyPart::Index(ix) => {
                    out.extend_from_slice(itoa::Buffer::new().format(*ix).as_bytes())
                }
            }
            if i > 0 {
                out.extend_from_slice(b"%5D");
            }
        }
        out.push(b'=');
        Ok(())
    }

    /// Checks the running body size now and then, so a huge request fails
    /// early instead of after building all of it.
    fn size_check(&self) -> Result<()> {
        if self.strict {
            self.w.finish()
        } else {
            Ok(())
        }
    }

    fn value(&mut self, path: &mut Vec<KeyPart<'a>>, value: &'a Value, depth: usize) -> Result<()> {
        match value {
            Value::Null => return Ok(()),
            Value::Bool(b) => {
                self.begin(path)?;
                self.w.out.push(if *b { b'1' } else { b'0' });
            }
            Value::Int(i) => {
                self.begin(path)?;
                let mut buf = itoa::Buffer::new();
                self.w.out.extend_from_slice(buf.format(*i).as_bytes());
            }
            Value::UInt(u) => {
                self.begin(path)?;
                let mut buf = itoa::Buffer::new();
                self.w.out.extend_from_slice(buf.format(*u).as_bytes());
            }
            Value::Float(f) => {
                if !f.is_finite() {
                    let (parent, last) = match path.split_last() {
                        Some((KeyPart::Name(n), parent)) => (parent, *n),
                        _ => (&path[..0], ""),
                    };
                    return invalid(format!(
                        "parameter {} is not a finite number",
                        key_path(parent, last)
                    ));
                }
                self.begin(path)?;
                write_float(*f, self.w.out);
            }
            Value::Str(s) => {
                self.begin(path)?;
                urlencode_into(s.as_bytes(), self.w.out);
                return self.size_check();
            }
            Value::List(items) => {
                if self.strict {
                    self.nest_check(path, depth)?;
                }
                for (i, item) in items.iter().enumerate() {
                    path.push(KeyPart::Index(i));
                    self.value(path, item, depth + 1)?;
                    path.pop();
                }
            }
            Value::Map(m) => {
                // Lenient mode re-encodes what PHP parsed (up to 64 levels).
                if self.strict {
                    self.nest_check(path, depth)?;
                }
                self.map(path, m, depth + 1)?;
            }
        }
        Ok(())
    }

    fn nest_check(&self, path: &[KeyPart<'_>], depth: usize) -> Result<()> {
        if depth + 1 >= MAX_DEPTH {
            let first = match path.first() {
                Some(KeyPart::Name(n)) => *n,
                _ => "",
            };
            return invalid(format!(
                "parameter {first:?} is nested deeper than {MAX_DEPTH} levels"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(p: &Params) -> String {
        encode(p).unwrap()
    }

    #[test]
    fn api_md_vectors() {
        assert_eq!(enc(&Params::new().with("bill_id", 1111)), "bill_id=1111");
        assert_eq!(
            enc(&Params::new()
                .with("bill_id", "100000")
                .with("status", "sent")
                .with("date", 1362254400)
                .with("rpo", "10000000000000")),
            "bill_id=100000&status=sent&date=1362254400&rpo=10000000000000"
        );
        assert_eq!(
            enc(&Params::new()
                .with("email", "client@example.com")
                .with("pay_status", "paid")),
            "email=client%40example.com&pay_status=paid"
        );
        assert_eq!(enc(&Params::new().with("comment", "a*b")), "comment=a%2Ab");
        assert_eq!(
            enc(&Params::new().with("comment", "~user")),
            "comment=%7Euser"
        );
        assert_eq!(
            enc(&Params::new().with("lead_name", "Иван Петров")),
            "lead_name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2"
        );
        assert_eq!(
            enc(&Params::new().with("comment", "hi 😀")),
            "comment=hi+%F0%9F%98%80"
        );
        assert_eq!(
            enc(&Params::new()
                .with("comment", "")
                .with("skipped", Value::Null)
                .with("bill_id", 1)),
            "comment=&bill_id=1"
        );
    }

    #[test]
    fn scalars_and_punctuation() {
        let p = Params::new()
            .with("t", true)
            .with("f", false)
            .with("neg", -5)
            .with("big", u64::MAX)
            .with("fl", 0.5)
            .with("one", 1.0)
            .with("punct", "!*'();:@&=+$,/?#[]~%\"<>\\^`{|} \n");
        assert_eq!(
            enc(&p),
            "t=1&f=0&neg=-5&big=18446744073709551615&fl=0.5&one=1&punct=%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D%7E%25%22%3C%3E%5C%5E%60%7B%7C%7D+%0A"
        );
    }

    /// Expected texts are PHP 8.2's `http_build_query(['a' => $f])`.
    #[test]
    fn floats_as_php_writes_them() {
        for (f, php) in [
            (0.1 + 0.2, "0.3"),
            (1e15, "1.0E%2B15"),
            (1e14, "1.0E%2B14"),
            (99999999999999.0, "99999999999999"),
            (1e-7, "1.0E-7"),
            (1.5, "1.5"),
            (100.0, "100"),
            (-0.0, "-0"),
            (0.0, "0"),
            (0.0001, "0.0001"),
            (0.00001, "1.0E-5"),
            (1.25e-5, "1.25E-5"),
            (12345678901234.5, "12345678901234"),
            (12345678901235.5, "12345678901236"),
            (123456789012345.0, "1.2345678901234E%2B14"),
            (206445153832105.0, "2.0644515383210E%2B14"),
            (-100000000000005.0, "-1.0000000000000E%2B14"),
            (100000000000015.0, "1.0000000000002E%2B14"),
            (100000000000004.0, "1.0E%2B14"),
            (206445153832101.0, "2.064451538321E%2B14"),
            (999999999999995.0, "1.0E%2B15"),
            (100000000000005.5, "1.0000000000001E%2B14"),
            (20644515383210.5, "20644515383210"),
            (1e100, "1.0E%2B100"),
            (-1.5e-100, "-1.5E-100"),
            (5e-324, "4.9406564584125E-324"),
            (f64::MAX, "1.7976931348623E%2B308"),
            (1.0 / 3.0, "0.33333333333333"),
            (-2.0 / 3.0 * 1e20, "-6.6666666666667E%2B19"),
            (-12.5, "-12.5"),
        ] {
            assert_eq!(
                enc(&Params::new().with("a", f)),
                format!("a={php}"),
                "{f:e}"
            );
        }
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = encode(&Params::new().with("a", f)).unwrap_err();
            assert!(err.to_string().contains("not a finite number"), "{err}");
        }
    }

    #[test]
    fn nesting() {
        let goods = Value::List(vec![
            Value::Map(Params::new().with("good_name", "a b").with("good_sum", 10)),
            Value::Null,
            Value::Map(Params::new().with("good_name", "c")),
        ]);
        let p = Params::new()
            .with("goods", goods)
            .with("empty", Value::List(vec![]))
            .with("m", Params::new().with("x.y", 1).with("0", "z"));
        assert_eq!(
            enc(&p),
            "goods%5B0%5D%5Bgood_name%5D=a+b&goods%5B0%5D%5Bgood_sum%5D=10&goods%5B2%5D%5Bgood_name%5D=c&m%5Bx.y%5D=1&m%5B0%5D=z"
        );
    }

    #[test]
    fn rejected_keys_name_the_key() {
        for (key, needle) in [
            ("a.b", "'.'"),
            ("a b", "space"),
            ("a[b]", "'['"),
            ("a]", "']'"),
            ("", "empty"),
            ("hash", "reserved"),
            ("a\nb", "0x0A"),
            ("a\0", "0x00"),
        ] {
            let err = encode(&Params::new().with(key, 1)).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(needle), "{key:?}: {msg}");
            assert!(msg.contains(&format!("{key:?}")), "{key:?}: {msg}");
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        }
        // Nested keys may contain '.' and spaces (PHP keeps them) but not brackets.
        assert!(encode(&Params::new().with("m", Params::new().with("a.b c", 1))).is_ok());
        let err = encode(&Params::new().with("m", Params::new().with("x]", 1))).unwrap_err();
        assert!(err.to_string().contains("\"m[x]]\""), "{err}");
        assert!(encode(&Params::new().with("m", Params::new().with(" ", 1))).is_err());
        assert!(encode(&Params::new().with("m", Params::new().with("", 1))).is_err());
        // PHP drops array keys with a cookie-name prefix, not top-level names.
        for key in ["__Host-x", "__Secure-", "__Host-"] {
            let err = encode(&Params::new().with("m", Params::new().with(key, 1))).unwrap_err();
            assert!(err.to_string().contains("cookie-name prefix"), "{err}");
            assert!(err.to_string().contains(&format!("\"m[{key}]\"")), "{err}");
            let deeper =
                Params::new().with("m", Value::List(vec![Params::new().with(key, 1).into()]));
            assert!(encode(&deeper).is_err());
            assert!(encode(&Params::new().with(key, 1)).is_ok());
        }
        for key in ["__host-x", "__Host", "x__Host-", " __Host-x", "__Secure"] {
            assert!(
                encode(&Params::new().with("m", Params::new().with(key, 1))).is_ok(),
                "{key}"
            );
        }
        // ...unless the top-level name starts with the same prefix.
        let same = Params::new().with("__Host-m", Params::new().with("__Host-x", 1));
        assert_eq!(enc(&same), "__Host-m%5B__Host-x%5D=1");
        let other = Params::new().with("__Host-m", Params::new().with("__Secure-x", 1));
        assert!(encode(&other).is_err());
        // `hash` is only reserved at the top level.
        assert!(encode(&Params::new().with("m", Params::new().with("hash", 1))).is_ok());
    }

    #[test]
    fn duplicates_rejected_at_every_level() {
        let err = encode(&Params::new().with("a", 1).with("b", 2).with("a", 3)).unwrap_err();
        assert!(err.to_string().contains("duplicate parameter name \"a\""));
        let inner = Params::new().with("x", 1).with("x", 2);
        assert!(encode(&Params::new().with("m", inner)).is_err());
        // Large maps switch to hashing; still caught.
        let mut big = Params::new();
        for i in 0..100 {
            big.push(format!("k{i}"), i);
        }
        big.push("k50", 0);
        assert!(encode(&big).unwrap_err().to_string().contains("\"k50\""));
    }

    #[test]
    fn non_finite_and_depth() {
        let err = encode(&Params::new().with("x", f64::NAN)).unwrap_err();
        assert!(err.to_string().contains("\"x\""), "{err}");
        let mut v = Value::Int(1);
        for _ in 0..MAX_DEPTH + 5 {
            v = Value::List(vec![v]);
        }
        let err = encode(&Params::new().with("deep", v)).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    /// The boundary is PHP-FPM 8.2's (tests/php_differential.rs checks it
    /// against a real FPM): 999 values plus `hash` are read silently.
    #[test]
    fn at_most_max_values_pairs() {
        let flat = |n: usize| {
            (0..n)
                .map(|i| (format!("k{i}"), i as i64))
                .collect::<Params>()
        };
        assert_eq!(encode(&flat(MAX_VALUES)).unwrap().matches('&').count(), 998);
        let err = encode(&flat(MAX_VALUES + 1)).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("more than 999 values"), "{err}");
        // Leaves count, wherever they are nested; null and empty arrays
        // send nothing and do not count.
        let nested = |n: usize| {
            Params::new()
                .with("a", Value::List((0..n as i64).map(Value::from).collect()))
                .with("n", Value::Null)
                .with("e", Value::List(vec![]))
        };
        assert!(encode(&nested(MAX_VALUES)).is_ok());
        assert!(encode(&nested(MAX_VALUES + 1)).is_err());
        let deep = Params::new()
            .with(
                "m",
                Params::new().with("l", Value::List(vec![1.into(); 600])),
            )
            .with("x", Value::List(vec!["v".into(); 401]));
        assert!(encode(&deep).is_err());
        // A million values fail before the body is built.
        let huge = Params::new().with("a", Value::List(vec![Value::Int(1); 1_000_000]));
        assert!(encode(&huge).is_err());
        // Re-encoding what PHP parsed has no such limit.
        assert_eq!(
            encode_lenient(&flat(MAX_VALUES + 1)).matches('&').count(),
            999
        );
    }

    #[test]
    fn body_size_capped() {
        let big = "x".repeat(MAX_BODY_BYTES);
        let err = encode(&Params::new().with("a", big)).unwrap_err();
        assert!(err.to_string().contains("post_max_size"));
    }

    #[test]
    fn from_json_keeps_order_and_rejects_duplicates() {
        let p = Params::from_json(r#"{"z":1,"a":"x","m":{"k":[true,null,2.5]}}"#).unwrap();
        assert_eq!(enc(&p), "z=1&a=x&m%5Bk%5D%5B0%5D=1&m%5Bk%5D%5B2%5D=2.5");
        let err = Params::from_json(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate key \"a\""), "{err}");
        assert!(Params::from_json(r#"{"m":{"b":1,"b":1}}"#).is_err());
        assert!(Params::from_json("null").unwrap().is_empty());
        assert!(Params::from_json("[]").unwrap().is_empty());
        assert!(Params::from_json("[1]")
            .unwrap_err()
            .to_string()
            .contains("a list"));
        assert!(Params::from_json("{")
            .unwrap_err()
            .to_string()
            .contains("malformed JSON"));
        assert!(Params::from_json("\"x\"").is_err());
    }

    #[test]
    fn urlencode_of_every_byte_at_every_offset() {
        // The obvious byte-by-byte definition of PHP's urlencode.
        fn reference(s: &[u8]) -> Vec<u8> {
            let mut out = Vec::new();
            for &b in s {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => out.push(b),
                    b' ' => out.push(b'+'),
                    _ => out.extend_from_slice(format!("%{b:02X}").as_bytes()),
                }
            }
            out
        }
        // Lengths around the 8-byte steps, plain prefixes of every length,
        // every byte value at every position of a step.
        let mut x = 0x9e37_79b9_u32;
        let mut inputs: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b; 3]).collect();
        for len in 0..40 {
            for plain in 0..=len.min(9) {
                let mut s = vec![b'a'; plain];
                s.extend((plain..len).map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    [b'x', b' ', 0xd0, 0x7f, b'%', (x >> 8) as u8][(x % 6) as usize]
                }));
                inputs.push(s);
            }
        }
        for b in 0..=255u8 {
            for at in 0..17 {
                let mut s = vec![0xd1; 17];
                s[at] = b;
                inputs.push(s);
            }
        }
        for s in inputs {
            let mut out = b"k=".to_vec();
            urlencode_into(&s, &mut out);
            assert_eq!(&out[2..], reference(&s), "{s:?}");
        }
    }

    #[test]
    fn lenient_encoding_accepts_what_php_accepts() {
        let p = Params::new().with("a\u{1}b", "1").with("hash", "x");
        assert_eq!(encode_lenient(&p), "a%01b=1&hash=x");
    }
}
