//! UpdateGood: every field of the API typed, plus strict construction from
//! JSON for the C ABI.

use std::fmt;
use std::str::FromStr;

use serde::de;

use crate::encode::{is_plain, PairWriter, Params, Value};
use crate::endpoints::{api_enum, quote};
use crate::error::{invalid, Error, Result};
use crate::plain_json;

api_enum!(
    /// `good_post_service`: who delivers a physical product.
    PostService, "good_post_service", {
        /// The seller delivers it.
        None = "none",
        /// QuickPost.
        Quickpost = "quickpost",
        /// RussianPostService.
        Rps = "rps",
    }
);

api_enum!(
    /// `good_mail_format`: format of the after-payment e-mail.
    MailFormat, "good_mail_format", {
        /// `good_mail_body` is sent.
        Html = "html",
        /// `good_mail_text` is sent.
        Text = "text",
    }
);

api_enum!(
    /// `good_timer_unit`: unit of the payment time limit.
    TimerUnit, "good_timer_unit", {
        /// Minutes.
        Min = "min",
        /// Hours.
        Hour = "hour",
        /// Days.
        Day = "day",
    }
);

/// How one field type is read from JSON and written to the wire.
trait Field: Sized {
    fn from_json(name: &str, v: &Value) -> Result<Self>;
    /// [`Field::from_json`] taking the value, so a string can be moved.
    fn from_value(name: &str, v: Value) -> Result<Self> {
        Self::from_json(name, &v)
    }
    fn to_value(&self) -> Value;
    /// Writes the pair directly (the same bytes as encoding `to_value`).
    fn write(&self, name: &str, w: &mut PairWriter<'_>);
    /// At least as many bytes as `write` puts after the `=`, so the body
    /// can be sized once.
    fn max_encoded_len(&self) -> usize;
    fn check(&self, _name: &str) -> Result<()> {
        Ok(())
    }
    /// The type's name in [`Good::field_types`].
    const KIND: &'static str;
    /// The values of an enumeration (empty for the other types).
    fn values() -> Vec<&'static str> {
        Vec::new()
    }
}

fn wrong_type<T>(name: &str, expected: &str, v: &Value) -> Result<T> {
    invalid(format!("{name} must be {expected}, got {}", v.type_name()))
}

impl Field for String {
    const KIND: &'static str = "string";
    fn from_json(name: &str, v: &Value) -> Result<String> {
        match v {
            Value::Str(s) => Ok(s.clone()),
            // Ids such as good_quickpost_article are "text or integer".
            Value::Int(i) => Ok(i.to_string()),
            Value::UInt(u) => Ok(u.to_string()),
            other => wrong_type(name, "a string", other),
        }
    }
    fn from_value(name: &str, v: Value) -> Result<String> {
        match v {
            Value::Str(s) => Ok(s),
            v => String::from_json(name, &v),
        }
    }
    fn to_value(&self) -> Value {
        Value::Str(self.clone())
    }
    fn write(&self, name: &str, w: &mut PairWriter<'_>) {
        w.text(name, self);
    }
    fn max_encoded_len(&self) -> usize {
        3 * self.len()
    }
}

impl Field for i64 {
    const KIND: &'static str = "int";
    fn from_json(name: &str, v: &Value) -> Result<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Str(s) => s.trim().parse().map_err(|_| {
                Error::invalid(format!("{name} must be an integer, got {}", quote(s)))
            }),
            other => wrong_type(name, "an integer", other),
        }
    }
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
    fn write(&self, name: &str, w: &mut PairWriter<'_>) {
        w.int(name, *self);
    }
    fn max_encoded_len(&self) -> usize {
        20 // i64::MIN
    }
    fn check(&self, name: &str) -> Result<()> {
        if *self < 0 {
            return invalid(format!("{name} must not be negative, got {self}"));
        }
        Ok(())
    }
}

impl Field for f64 {
    const KIND: &'static str = "float";
    fn from_json(name: &str, v: &Value) -> Result<f64> {
        match v {
            Value::Int(i) => Ok(*i as f64),
            Value::UInt(u) => Ok(*u as f64),
            Value::Float(f) => Ok(*f),
            // The seed's PHP passes amounts as strings ('5').
            Value::Str(s) => {
                let t = s.trim();
                let numeric = !t.is_empty()
                    && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                    && t.bytes().filter(|&b| b == b'.').count() <= 1
                    && t.bytes().any(|b| b.is_ascii_digit());
                match t.parse::<f64>() {
                    Ok(f) if numeric => Ok(f),
                    _ => invalid(format!("{name} must be a number, got {}", quote(s))),
                }
            }
            other => wrong_type(name, "a number", other),
        }
    }
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
    fn write(&self, name: &str, w: &mut PairWriter<'_>) {
        w.float(name, *self);
    }
    fn max_encoded_len(&self) -> usize {
        // 14 digits, sign, point and the longest exponent: -1.2345678901234E%2B308
        24
    }
    fn check(&self, name: &str) -> Result<()> {
        if !self.is_finite() || *self < 0.0 {
            return invalid(format!("{name} must be a non-negative number, got {self}"));
        }
        Ok(())
    }
}

impl Field for bool {
    const KIND: &'static str = "bool";
    fn from_json(name: &str, v: &Value) -> Result<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            Value::Str(s) if s == "0" => Ok(false),
            Value::Str(s) if s == "1" => Ok(true),
            Value::Str(s) => invalid(format!("{name} {} is not one of 0, 1", quote(s))),
            Value::Int(i) => invalid(format!("{name} {i} is not one of 0, 1")),
            other => wrong_type(name, "0 or 1", other),
        }
    }
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
    fn write(&self, name: &str, w: &mut PairWriter<'_>) {
        w.int(name, i64::from(*self));
    }
    fn max_encoded_len(&self) -> usize {
        1
    }
}

macro_rules! enum_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            const KIND: &'static str = "enum";
            fn values() -> Vec<&'static str> {
                <$t>::ALL.iter().map(|e| e.as_str()).collect()
            }
            fn from_json(name: &str, v: &Value) -> Result<$t> {
                match v {
                    Value::Str(s) => <$t>::parse_for(name, s),
                    other => wrong_type(name, &format!(
                        "one of {}",
                        <$t>::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
                    ), other),
                }
            }
            fn to_value(&self) -> Value {
                Value::Str(self.as_str().to_owned())
            }
            fn write(&self, name: &str, w: &mut PairWriter<'_>) {
                w.text(name, self.as_str());
            }
            fn max_encoded_len(&self) -> usize {
                self.as_str().len()
            }
        }
    )*};
}
enum_field!(PostService, MailFormat, TimerUnit);

macro_rules! good {
    ($( $(#[doc = $doc:literal])* $field:ident : $ty:ty = $wire:literal, )*) => {
        /// An UpdateGood request: the product `good_name` plus any of the
        /// optional settings, each sent only when `Some`.
        ///
        /// Note: the service stores `good_sum` as 0 when it is omitted, so
        /// always send the price. Build it with struct update syntax
        /// (`Good { good_name: "x".into(), good_sum: Some(10.0), ..Default::default() }`)
        /// or from JSON with [`Good::from_json`]. Plain data: `Send + Sync`.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Good {
            /// Id of an existing product (required).
            pub good_name: String,
            $( $(#[doc = $doc])* pub $field: Option<$ty>, )*
        }

        /// The wire names of every UpdateGood field, in the order they are sent.
        pub const GOOD_FIELDS: &[&str] = &["good_name", $($wire),*];

        impl Good {
            /// Every field's wire name with its type as declared here
            /// (`"string"`, `"int"`, `"float"`, `"bool"` or `"enum"` with
            /// its values), in [`GOOD_FIELDS`] order: what tests/generated.rs
            /// renders for the pure-PHP engine, so it has no list of its own.
            #[doc(hidden)]
            pub fn field_types() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
                vec![
                    ("good_name", <String as Field>::KIND, Vec::new()),
                    $(($wire, <$ty as Field>::KIND, <$ty as Field>::values()),)*
                ]
            }

            /// Sets optional field `GOOD_FIELDS[i]` (i >= 1) from JSON, by
            /// index: the reader has already recognised the name.
            fn set(&mut self, i: usize, v: Value) -> Result<()> {
                type Setter = fn(&mut Good, Value) -> Result<()>;
                const SETTERS: &[Setter] = &[$(|g, v| {
                    g.$field = match v {
                        Value::Null => None,
                        v => Some(<$ty as Field>::from_value($wire, v)?),
                    };
                    Ok(())
                }),*];
                SETTERS[i - 1](self, v)
            }

            fn push_optional(&self, p: &mut Params) -> Result<()> {
                $(if let Some(x) = &self.$field {
                    Field::check(x, $wire)?;
                    p.push($wire, Field::to_value(x));
                })*
                Ok(())
            }

            fn write_optional(&self, w: &mut PairWriter<'_>) -> Result<()> {
                $(if let Some(x) = &self.$field {
                    Field::check(x, $wire)?;
                    Field::write(x, $wire, w);
                })*
                Ok(())
            }

            /// At least the length of the body `encode_into` writes.
            fn max_encoded_len(&self) -> usize {
                let mut n = "good_name=".len() + 3 * self.good_name.len();
                $(if let Some(x) = &self.$field {
                    n += "&=".len() + $wire.len() + Field::max_encoded_len(x);
                })*
                n
            }
        }
    };
}

good! {
    /// Product title (text).
    good_title: String = "good_title",
    /// Category id; the category must exist.
    parent_id: i64 = "parent_id",
    /// Price in roubles. Omitting it makes the service store 0.
    good_sum: f64 = "good_sum",
    /// Webhook URL called on payment.
    good_api_url_notif: String = "good_api_url_notif",
    /// Webhook URL called on a new order.
    good_api_url_new_order: String = "good_api_url_new_order",
    /// Redirect URL after a successful payment.
    good_success_link: String = "good_success_link",
    /// Mailing-group ids, comma separated (created if missing).
    good_client_rassilki: String = "good_client_rassilki",
    /// Cash on delivery only (physical goods).
    good_nalozh_only: bool = "good_nalozh_only",
    /// QuickPost article id (text or integer).
    good_quickpost_article: String = "good_quickpost_article",
    /// Delivery service.
    good_post_service: PostService = "good_post_service",
    /// Country ids, comma separated, with no spaces (e.g. `RUS,UKR`).
    good_only_countries: String = "good_only_countries",
    /// Download link.
    good_download: String = "good_download",
    /// Subject of the after-payment e-mail.
    good_mail_subject: String = "good_mail_subject",
    /// Format of the after-payment e-mail.
    good_mail_format: MailFormat = "good_mail_format",
    /// HTML body of the after-payment e-mail.
    good_mail_body: String = "good_mail_body",
    /// Text body of the after-payment e-mail.
    good_mail_text: String = "good_mail_text",
    /// First-level partner fee, roubles.
    good_partner_fee: f64 = "good_partner_fee",
    /// First-level partner fee, percent.
    good_partner_fee_perc: f64 = "good_partner_fee_perc",
    /// Second-level partner fee, roubles.
    good_partner_pfee: f64 = "good_partner_pfee",
    /// Second-level partner fee, percent.
    good_partner_pfee_perc: f64 = "good_partner_pfee_perc",
    /// Show in partner materials.
    good_partner_show: bool = "good_partner_show",
    /// Sales-letter URL (wire name `good_partner_SL_link`, capital letters).
    good_partner_sl_link: String = "good_partner_SL_link",
    /// Extra partner materials URL.
    good_partner_addition_link: String = "good_partner_addition_link",
    /// Note for partners.
    good_partner_text: String = "good_partner_text",
    /// HTML of the payment page (`#IMAGE#`, `#PRODUCT#`, `#PRICE#`, `#USD#`).
    good_pay_text: String = "good_pay_text",
    /// Payment time limit on.
    good_timer: bool = "good_timer",
    /// Unit of the payment time limit.
    good_timer_unit: TimerUnit = "good_timer_unit",
    /// Length of the payment time limit, in `good_timer_unit`s.
    good_timer_duration: i64 = "good_timer_duration",
    /// Use a short order link.
    good_use_short: bool = "good_use_short",
    /// Costs, roubles.
    good_rashod: f64 = "good_rashod",
    /// Costs, percent of the price.
    good_rashod_perc: f64 = "good_rashod_perc",
    /// Show in the catalogue.
    good_publish: bool = "good_publish",
}

impl Good {
    /// A request for product `good_name` with no optional field set.
    pub fn new(good_name: impl Into<String>) -> Good {
        Good {
            good_name: good_name.into(),
            ..Good::default()
        }
    }

    /// Reads a JSON object of UpdateGood fields (`null` = not given).
    ///
    /// Unknown field names (field names are case-sensitive), duplicate
    /// names, wrong types and values outside an enumeration are errors that
    /// name the field.
    pub fn from_json(json: &str) -> Result<Good> {
        // The goods the bindings send (an object of known keys with text,
        // integer, boolean and null values) take a plain scan that builds
        // nothing but the good, about half the instructions of reading
        // through serde; everything else, every error included, is read by
        // serde below, so the scan changes what a good costs, never what
        // it reads or which error is reported.
        if let Some(good) = read_plain(json) {
            return Ok(good);
        }
        Good::from_json_general(json)
    }

    /// [`Good::from_json`] for any input.
    fn from_json_general(json: &str) -> Result<Good> {
        // Read field by field straight from the text: building a `Value` map
        // of owned keys first cost about 30,000 instructions per call, and
        // kept jc_update_good above its CPU target (tests/cpu.rs). The errors
        // are the same as through such a map:
        // malformed JSON and duplicate keys anywhere win over field errors,
        // and the first field error in document order is reported.
        if !json.trim_start().starts_with('{') {
            let other = Value::from_json(json)?;
            return invalid(format!(
                "the good must be a JSON object of UpdateGood fields, got {}",
                other.type_name()
            ));
        }
        let mut reader = GoodReader::default();
        let mut de = serde_json::Deserializer::from_str(json);
        let parsed = de::DeserializeSeed::deserialize(&mut reader, &mut de).and_then(|()| de.end());
        if let Err(e) = parsed {
            return Err(Error::invalid(format!("malformed JSON: {e}")));
        }
        if let Some(e) = reader.failure {
            return Err(e);
        }
        if !reader.has_name {
            return invalid("good_name is required: the id of the product to update");
        }
        Ok(reader.good)
    }

    /// The UpdateGood parameters, validated, in API order.
    pub fn to_params(&self) -> Result<Params> {
        self.check_whole()?;
        let mut p = Params::with_capacity(GOOD_FIELDS.len());
        p.push("good_name", self.good_name.as_str());
        self.push_optional(&mut p)?;
        Ok(p)
    }

    /// The UpdateGood request body before `&hash=`: exactly the bytes
    /// [`crate::Client::update_good`] signs and sends (the same as
    /// `encode(&good.to_params()?)`, built without the intermediate
    /// `Params`).
    pub fn encode(&self) -> Result<String> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(String::from_utf8(out).expect("encoder output is ASCII"))
    }

    /// Appends the request body (see [`Good::encode`]).
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) -> Result<()> {
        self.check_whole()?;
        // One allocation instead of doubling from a guess (a full good is
        // about 3 KiB, mostly percent-encoded Cyrillic), with room for the
        // `&hash=` and md5 hex the client appends.
        const SIGNATURE: usize = "&hash=".len() + 32;
        out.reserve(self.max_encoded_len() + SIGNATURE);
        let mut w = PairWriter::new(out);
        w.text("good_name", &self.good_name);
        self.write_optional(&mut w)?;
        w.finish()
    }

    /// The rules that involve more than one field's type.
    fn check_whole(&self) -> Result<()> {
        if self.good_name.trim().is_empty() {
            return invalid("good_name is required: the id of the product to update");
        }
        if let Some(c) = &self.good_only_countries {
            if c.chars().any(char::is_whitespace) {
                let fixed: String = c.chars().filter(|c| !c.is_whitespace()).collect();
                return invalid(format!(
                    "good_only_countries {} must not contain spaces: write {}",
                    quote(c),
                    quote(&fixed)
                ));
            }
        }
        if self.good_timer_duration == Some(0) {
            return invalid("good_timer_duration must be at least 1");
        }
        Ok(())
    }
}

/// Reads UpdateGood fields from params (`Null` = not given); the rules of
/// [`Good::from_json`]. Shared with the method table's AddGood/UpdateGood.
pub(crate) fn from_map(map: &Params) -> Result<Good> {
    let mut good = Good::default();
    let mut has_name = false;
    for (key, v) in map.iter() {
        match GOOD_FIELDS.iter().position(|f| *f == key) {
            // good_name (GOOD_FIELDS[0]) is not optional.
            Some(0) => {
                if !matches!(v, Value::Null) {
                    good.good_name = String::from_json("good_name", v)?;
                    has_name = true;
                }
            }
            Some(i) => good.set(i, v.clone())?,
            None => return Err(unknown_field(key)),
        }
    }
    if !has_name {
        return invalid("good_name is required: the id of the product to update");
    }
    Ok(good)
}

/// Reads the top-level JSON object of [`Good::from_json`] straight into a
/// `Good`: known keys are recognised without allocating, duplicates by a
/// bit per field, and each value is parsed once as a [`Value`].
#[derive(Default)]
struct GoodReader {
    good: Good,
    has_name: bool,
    /// Bit i: GOOD_FIELDS[i] was seen.
    seen: u64,
    /// Unknown keys seen (each is an error already): a repeated one is
    /// still reported as a duplicate key, as through a `Value` map.
    unknown: Vec<String>,
    /// The first field error; the rest of the document is still parsed.
    failure: Option<Error>,
}

const _: () = assert!(GOOD_FIELDS.len() <= 64, "GoodReader::seen is a u64");

// PairWriter copies field names without encoding them.
const _: () = {
    let mut i = 0;
    while i < GOOD_FIELDS.len() {
        assert!(
            is_plain(GOOD_FIELDS[i]),
            "a field name needs percent-encoding"
        );
        i += 1;
    }
};

/// A key of the good's object: a field's index, or an unknown name.
enum GoodKey {
    Field(usize),
    Unknown(String),
}

/// Reads a key; `next` is the field after the previous key, tried first
/// because goods are usually written in API order (then each key costs one
/// comparison instead of a search).
struct KeySeed {
    next: usize,
}

impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = GoodKey;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<GoodKey, D::Error> {
        d.deserialize_str(self)
    }
}

impl de::Visitor<'_> for KeySeed {
    type Value = GoodKey;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<GoodKey, E> {
        if GOOD_FIELDS.get(self.next) == Some(&v) {
            return Ok(GoodKey::Field(self.next));
        }
        Ok(match GOOD_FIELDS.iter().position(|f| *f == v) {
            Some(i) => GoodKey::Field(i),
            None => GoodKey::Unknown(v.to_owned()),
        })
    }
}

impl<'de> de::DeserializeSeed<'de> for &mut GoodReader {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> de::Visitor<'de> for &mut GoodReader {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let duplicate = |key: &str| {
            <A::Error as de::Error>::custom(format_args!("duplicate key {key:?} in JSON object"))
        };
        let mut next = 0;
        while let Some(key) = map.next_key_seed(KeySeed { next })? {
            let value = map.next_value::<Value>()?;
            match key {
                GoodKey::Field(i) => {
                    next = i + 1;
                    let name = GOOD_FIELDS[i];
                    if self.seen & (1 << i) != 0 {
                        return Err(duplicate(name));
                    }
                    self.seen |= 1 << i;
                    if self.failure.is_some() {
                        continue;
                    }
                    let set = if i == 0 {
                        // good_name (GOOD_FIELDS[0]) is not optional.
                        match value {
                            Value::Null => Ok(()),
                            v => String::from_value(name, v).map(|s| {
                                self.good.good_name = s;
                                self.has_name = true;
                            }),
                        }
                    } else {
                        self.good.set(i, value)
                    };
                    if let Err(e) = set {
                        self.failure = Some(e);
                    }
                }
                GoodKey::Unknown(key) => {
                    if self.unknown.contains(&key) {
                        return Err(duplicate(&key));
                    }
                    if self.failure.is_none() {
                        self.failure = Some(unknown_field(&key));
                    }
                    self.unknown.push(key);
                }
            }
        }
        Ok(())
    }
}

/// The usual good read without serde, or `None` if the text is anything but
/// a well-formed JSON object whose keys are distinct field names written
/// without escapes, with non-negative integers of up to 18 digits, strings,
/// `true`, `false` and `null` as values, each accepted by its field, and
/// `good_name` given. `None` says nothing about the text: the caller then
/// reads it the general way. The values are the same [`Value`]s serde
/// produces for these tokens, set through the same setters.
fn read_plain(json: &str) -> Option<Good> {
    let b = json.as_bytes();
    let mut i = plain_json::skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = plain_json::skip_ws(b, i + 1);
    let mut good = Good::default();
    let mut has_name = false;
    let mut seen = 0u64;
    let mut next = 0;
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        i += 1;
        // Field names have no byte that JSON escapes, so a key written
        // without escapes is its own raw bytes. The field after the previous
        // one is tried first (goods come in API order).
        let field = match GOOD_FIELDS.get(next) {
            Some(f) if b[i..].starts_with(f.as_bytes()) && b.get(i + f.len()) == Some(&b'"') => {
                next
            }
            _ => {
                let end = plain_json::string_stop(b, i);
                if b.get(end) != Some(&b'"') {
                    return None;
                }
                GOOD_FIELDS
                    .iter()
                    .position(|f| f.as_bytes() == &b[i..end])?
            }
        };
        if seen & (1 << field) != 0 {
            return None;
        }
        seen |= 1 << field;
        next = field + 1;
        i = plain_json::skip_ws(b, i + GOOD_FIELDS[field].len() + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let (value, end) = plain_value(json, plain_json::skip_ws(b, i + 1))?;
        if field == 0 {
            if !matches!(value, Value::Null) {
                good.good_name = String::from_value("good_name", value).ok()?;
                has_name = true;
            }
        } else {
            good.set(field, value).ok()?;
        }
        i = plain_json::skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = plain_json::skip_ws(b, i + 1),
            Some(b'}') => break,
            _ => return None,
        }
    }
    (has_name && plain_json::skip_ws(b, i + 1) == b.len()).then_some(good)
}

/// The value token at `i` and where it ends, for the tokens [`read_plain`]
/// takes. Other numbers are left to serde: `-0` is a float there, and
/// fractions and exponents go through its exact float parsing.
fn plain_value(json: &str, i: usize) -> Option<(Value, usize)> {
    let b = json.as_bytes();
    match *b.get(i)? {
        b'"' => plain_json::string(json, i + 1).map(|(s, end)| (Value::Str(s), end)),
        b'0'..=b'9' => {
            let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = i + digits;
            let leading_zero = b[i] == b'0' && digits > 1;
            if digits > 18 || leading_zero || matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
                return None;
            }
            let n = b[i..end]
                .iter()
                .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
            Some((Value::Int(n), end))
        }
        b't' if b[i..].starts_with(b"true") => Some((Value::Bool(true), i + 4)),
        b'f' if b[i..].starts_with(b"false") => Some((Value::Bool(false), i + 5)),
        b'n' if b[i..].starts_with(b"null") => Some((Value::Null, i + 4)),
        _ => None,
    }
}

fn unknown_field(key: &str) -> Error {
    let hint = match crate::suggest::suggest(key, GOOD_FIELDS.iter().copied()) {
        Some(f) => format!(" (did you mean '{f}'? field names are case-sensitive)"),
        None => String::new(),
    };
    Error::invalid(format!("unknown UpdateGood field {}{hint}", quote(key)))
}

impl fmt::Display for Good {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "good {}", quote(&self.good_name))
    }
}

impl FromStr for Good {
    type Err = Error;
    fn from_str(json: &str) -> Result<Good> {
        Good::from_json(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encode;

    /// The seed's `super_tovar`, every field.
    pub(crate) const SUPER_TOVAR: &str = include_str!("../tests/data/super_tovar.json");

    #[test]
    fn every_field_round_trips_in_order() {
        let g = Good::from_json(SUPER_TOVAR).unwrap();
        assert_eq!(g.good_post_service, Some(PostService::Quickpost));
        assert_eq!(g.good_partner_fee_perc, Some(5.0));
        assert_eq!(g.good_quickpost_article.as_deref(), Some("12345678"));
        let p = g.to_params().unwrap();
        let names: Vec<&str> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(names, GOOD_FIELDS);
        let body = encode(&p).unwrap();
        assert!(
            body.starts_with("good_name=super_tovar&good_title=%D0%A1"),
            "{body}"
        );
        assert!(body.contains("&good_sum=999887&"));
        assert!(body.contains("&good_nalozh_only=0&"));
        assert!(body.contains("&good_partner_SL_link=https%3A%2F%2F"));
        assert!(body.ends_with("&good_rashod_perc=6&good_publish=1"));
    }

    #[test]
    fn direct_encoding_equals_params_encoding() {
        let mut goods = vec![Good::from_json(SUPER_TOVAR).unwrap(), Good::new("x")];
        let mut g = Good::new("a b&c");
        g.good_sum = Some(0.1 + 0.2);
        g.good_partner_fee = Some(-0.0_f64.abs());
        g.good_rashod = Some(1e300);
        g.good_rashod_perc = Some(12.5);
        g.good_timer_duration = Some(i64::MAX);
        g.good_mail_text = Some("\u{0}~*%😀".into());
        g.good_publish = Some(false);
        goods.push(g);
        for g in goods {
            let mut direct = Vec::new();
            g.encode_into(&mut direct).unwrap();
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                encode(&g.to_params().unwrap()).unwrap()
            );
        }
        let mut bad = Good::new("x");
        bad.good_sum = Some(f64::NAN);
        assert!(bad.encode_into(&mut Vec::new()).is_err());
    }

    #[test]
    fn field_names_pass_the_key_rules() {
        for name in GOOD_FIELDS {
            assert!(crate::encode::key_is_valid(true, name), "{name}");
        }
    }

    #[test]
    fn validation_messages() {
        for (json, needle) in [
            (r#"{"good_title":"x"}"#, "good_name is required"),
            (r#"{"good_name":null}"#, "good_name is required"),
            (
                r#"{"good_name":"x","good_partner_sl_link":"u"}"#,
                "did you mean 'good_partner_SL_link'",
            ),
            (
                r#"{"good_name":"x","good_titel":"u"}"#,
                "did you mean 'good_title'",
            ),
            (
                r#"{"good_name":"x","zzz":"u"}"#,
                "unknown UpdateGood field 'zzz'",
            ),
            (
                r#"{"good_name":"x","good_post_service":"dhl"}"#,
                "good_post_service 'dhl' is not one of none, quickpost, rps",
            ),
            (
                r#"{"good_name":"x","good_mail_format":"pdf"}"#,
                "good_mail_format 'pdf' is not one of html, text",
            ),
            (
                r#"{"good_name":"x","good_timer_unit":"week"}"#,
                "good_timer_unit 'week' is not one of min, hour, day",
            ),
            (
                r#"{"good_name":"x","good_timer":2}"#,
                "good_timer 2 is not one of 0, 1",
            ),
            (
                r#"{"good_name":"x","good_publish":"yes"}"#,
                "good_publish 'yes' is not one of 0, 1",
            ),
            (
                r#"{"good_name":"x","good_sum":"12abc"}"#,
                "good_sum must be a number",
            ),
            (
                r#"{"good_name":"x","good_sum":[1]}"#,
                "good_sum must be a number, got a list",
            ),
            (
                r#"{"good_name":"x","parent_id":1.5}"#,
                "parent_id must be an integer",
            ),
            (r#"{"good_name":"x","good_name":"y"}"#, "duplicate key"),
            (r#"[1]"#, "must be a JSON object"),
        ] {
            let e = Good::from_json(json).unwrap_err();
            assert!(e.to_string().contains(needle), "{json}: {e}");
        }
        let mut g = Good::new("x");
        g.good_only_countries = Some("RUS, UKR".into());
        let e = g.to_params().unwrap_err().to_string();
        assert!(
            e.contains("must not contain spaces: write 'RUS,UKR'"),
            "{e}"
        );
        let mut g = Good::new("x");
        g.good_sum = Some(-1.0);
        assert!(g
            .to_params()
            .unwrap_err()
            .to_string()
            .contains("non-negative"));
        g.good_sum = Some(f64::INFINITY);
        assert!(g.to_params().is_err());
        assert!(Good::new(" ").to_params().is_err());
    }

    #[test]
    fn nulls_mean_absent_and_flags_accept_booleans() {
        let g =
            Good::from_json(r#"{"good_name":"x","good_title":null,"good_publish":true}"#).unwrap();
        assert_eq!(g.good_title, None);
        assert_eq!(
            encode(&g.to_params().unwrap()).unwrap(),
            "good_name=x&good_publish=1"
        );
    }

    /// The plain scan takes only what serde reads, and reads it the same:
    /// whatever it takes must come out equal through the general path.
    #[test]
    fn plain_scan_agrees_with_serde() {
        let taken = |json: &str| -> bool {
            let plain = read_plain(json);
            if let Some(g) = &plain {
                assert_eq!(
                    Good::from_json_general(json).ok().as_ref(),
                    Some(g),
                    "{json:?}"
                );
            }
            plain.is_some()
        };
        let v: serde_json::Value = serde_json::from_str(SUPER_TOVAR).unwrap();
        let compact = serde_json::to_string(&v).unwrap();
        let taken_inputs = [
            compact.as_str(),
            SUPER_TOVAR,
            " \n{ \"good_sum\" : 5 ,\t\"good_name\":\"a\" } \r\n",
            r#"{"good_name":7,"parent_id":0,"good_timer_duration":123456789012345678}"#,
            r#"{"good_name":"x","good_title":null,"good_publish":true,"good_timer":false}"#,
            r#"{"good_name":"x","good_title":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u4E2D\u0000z"}"#,
            r#"{"good_name":"x","good_title":"\u044f\u0020"}"#,
            "{\"good_name\":\"x\",\"good_title\":\"\u{7f}é😀\"}",
        ];
        for json in taken_inputs {
            assert!(taken(json), "{json}");
        }
        let left_to_serde = [
            r#"{"good_name":"x",}"#,
            r#"{"good_name":"x"} x"#,
            r#"{"good_name":"x"}}"#,
            r#"{"good_name":"x""#,
            r#"{"good_name":"x"#,
            r#"{"good_name":"x" "good_sum":1}"#,
            r#"{"good_name" "x"}"#,
            r#"{good_name:"x"}"#,
            r#"{"good_name":"x","good_name":"y"}"#,
            r#"{"good_name":"x","zzz":1}"#,
            r#"{"good\u005fname":"x"}"#,
            r#"{"good_name":"x","good_sum":1.5}"#,
            r#"{"good_name":"x","good_sum":1e3}"#,
            r#"{"good_name":"x","good_sum":1E3}"#,
            r#"{"good_name":"x","parent_id":-1}"#,
            r#"{"good_name":"x","parent_id":-0}"#,
            r#"{"good_name":"x","parent_id":01}"#,
            r#"{"good_name":"x","parent_id":1234567890123456789}"#,
            r#"{"good_name":"x","good_title":{"a":1}}"#,
            r#"{"good_name":"x","good_title":[1]}"#,
            r#"{"good_name":"x","good_title":"\ud83d\ude00"}"#,
            r#"{"good_name":"x","good_title":"\ud800"}"#,
            r#"{"good_name":"x","good_title":"\u+041"}"#,
            r#"{"good_name":"x","good_title":"\u04"}"#,
            r#"{"good_name":"x","good_title":"\x"}"#,
            "{\"good_name\":\"x\",\"good_title\":\"a\u{1}b\"}",
            "{\"good_name\":\"x\",\"good_title\":\"a\nb\"}",
            r#"{"good_name":"x","good_publish":tru}"#,
            r#"{"good_name":"x","good_publish":truex}"#,
            r#"{"good_name":"x","good_publish":nul}"#,
            r#"{"good_name":"x","good_sum":"x"}"#,
            r#"{"good_name":"x","good_post_service":"dhl"}"#,
            r#"{"good_name":"x","good_timer":2}"#,
            r#"{"good_name":null}"#,
            r#"{"good_title":"t"}"#,
            r#"{"good_name":true}"#,
            "{}",
            "{",
            "",
            " [1]",
            "\"x\"",
            "\u{feff}{\"good_name\":\"x\"}",
            "\u{a0}{\"good_name\":\"x\"}",
            "{\"good_name\":\"x\"}\u{a0}",
        ];
        for json in left_to_serde {
            assert!(!taken(json), "{json}");
        }
        // Random edits of the good as the bindings send it, with the bytes
        // that matter to JSON and pieces of the good itself (for repeated
        // keys): whatever the scan takes, serde reads the same.
        let alphabet: Vec<char> = "\"\\{}[],: \n\t\r\u{1}0123456789.eE-+tfnrul/xa_é😀"
            .chars()
            .collect();
        let small =
            r#"{ "good_name" : "a\"\u0041" , "good_sum":5,"good_publish":true,"good_title":null }"#;
        let mut x = 0x2545_f491_u32;
        let mut rand = |n: usize| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as usize % n
        };
        let (mut took, mut runs) = (0, 0);
        for i in 0..20_000 {
            let base: Vec<char> = [compact.as_str(), small][i % 2].chars().collect();
            let mut doc = base.clone();
            for _ in 0..1 + rand(3) {
                let at = rand(doc.len() + 1);
                match rand(4) {
                    0 if at < doc.len() => {
                        doc.remove(at);
                    }
                    1 if at < doc.len() => doc[at] = alphabet[rand(alphabet.len())],
                    2 => {
                        let from = rand(base.len());
                        let len = rand(40).min(base.len() - from);
                        doc.splice(at..at, base[from..from + len].iter().copied());
                    }
                    _ => doc.insert(at, alphabet[rand(alphabet.len())]),
                }
            }
            let json: String = doc.into_iter().collect();
            runs += 1;
            took += usize::from(taken(&json));
        }
        // Both outcomes happen often enough for the comparison to mean something.
        assert!(took > runs / 50 && took < runs * 9 / 10, "{took} of {runs}");
    }

    #[test]
    fn long_unknown_names_cost_no_edit_distance() {
        // A 16 MiB name used to cost ~10^10 table cells (a 30-char field
        // name times the key, for each of 33 fields): minutes of CPU.
        let huge = format!(r#"{{"good_name":"x","{}":1}}"#, "y".repeat(16 << 20));
        crate::suggest::CELLS.with(|c| c.set(0));
        let e = Good::from_json(&huge).unwrap_err().to_string();
        assert!(
            e.starts_with("unknown UpdateGood field 'yyy"),
            "{}",
            &e[..80]
        );
        assert!(e.len() < 200, "message not bounded: {} bytes", e.len());
        assert_eq!(crate::suggest::CELLS.with(|c| c.get()), 0);
        // Short names still get their hint, at a bounded cost.
        let e = Good::from_json(r#"{"good_name":"x","good_titel":1}"#).unwrap_err();
        assert!(e.to_string().contains("did you mean 'good_title'"), "{e}");
        let name = "z".repeat(crate::suggest::SUGGEST_MAX_LEN);
        Good::from_json(&format!(r#"{{"good_name":"x","{name}":1}}"#)).unwrap_err();
        assert!(
            crate::suggest::CELLS.with(|c| c.get())
                <= 2 * GOOD_FIELDS.len() * 30 * crate::suggest::SUGGEST_MAX_LEN
        );
    }
}
