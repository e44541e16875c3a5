//! Structured parameters into `justclick::encode`: never panics, and what it
//! accepts is ASCII and parses back PHP-style to the same pairs and bytes
//! (see `oracles::check_encode`).
#![no_main]

mod oracles;

use arbitrary::{Arbitrary, Unstructured};
use justclick::{Params, Value};
use libfuzzer_sys::fuzz_target;

/// Names that exercise the key rules, picked often; any string otherwise.
#[rustfmt::skip]
const KEYS: &[&str] = &[
    "a", "b", "bill_id", "hash", "0", "1", "-1", "05", "-0", " ", "  ", " a", "a ", "a b", "a.b",
    ".", "_", "a[", "a]", "[]", "[0]", "", "\0", "a\0b", "\t", "\r\n", "\u{7f}", "é", "Иван",
    "😀", "+", "%", "%5B", "&", "=", "#", "9223372036854775807", "9223372036854775808",
    "__Host-", "__Host-x", "__Secure-", "__Secure-x", "__Host", "__host-x",
];

#[derive(Debug)]
struct Key(String);

impl<'a> Arbitrary<'a> for Key {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Key> {
        Ok(Key(if u.ratio(3, 4)? {
            (*u.choose(KEYS)?).to_owned()
        } else {
            String::arbitrary(u)?
        }))
    }
}

#[derive(Arbitrary, Debug)]
enum FValue {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    List(Vec<FValue>),
    Map(Vec<(Key, FValue)>),
}

fn value(v: FValue) -> Value {
    match v {
        FValue::Null => Value::Null,
        FValue::Bool(b) => Value::Bool(b),
        FValue::Int(i) => Value::Int(i),
        FValue::UInt(u) => Value::UInt(u),
        FValue::Float(f) => Value::Float(f),
        FValue::Str(s) => Value::Str(s),
        FValue::List(l) => Value::List(l.into_iter().map(value).collect()),
        FValue::Map(m) => Value::Map(params(m)),
    }
}

fn params(pairs: Vec<(Key, FValue)>) -> Params {
    pairs.into_iter().map(|(k, v)| (k.0, value(v))).collect()
}

fuzz_target!(|pairs: Vec<(Key, FValue)>| {
    oracles::check_encode(&params(pairs));
});
