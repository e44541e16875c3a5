//! How PHP parses a form body into `$_POST`: the other half of the signature.
//!
//! The real server verifies a request by parsing the body, removing `hash`
//! and re-encoding with `http_build_query`. This module reproduces that parse
//! (PHP 8's `php_default_treat_data` and `php_register_variable_ex`), so the
//! sandbox checks signatures exactly like the service, and tests can prove
//! that whatever the encoder accepts parses back to the same pairs.

use crate::encode::{Params, Value};
use crate::keys::is_forbidden_key;

/// Decodes `%XX` (either case) and `+`, like PHP's `urldecode`; malformed
/// escapes stay literal. Invalid UTF-8 is replaced (PHP keeps raw bytes; the
/// encoder only ever produces UTF-8, so this never changes a signed body).
pub fn urldecode(s: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Parses an `application/x-www-form-urlencoded` body the way PHP fills
/// `$_POST` (nesting limit 64, as PHP's default `max_input_nesting_level`).
pub fn parse_query(body: &[u8]) -> Params {
    let mut root = Params::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &pair[..0]),
        };
        let name = urldecode(name);
        let value = String::from_utf8_lossy(&urldecode(value)).into_owned();
        register(&mut root, &name, value);
    }
    root
}

/// PHP's `php_register_variable_ex` for one decoded pair.
fn register(root: &mut Params, raw_name: &[u8], value: String) {
    // The name is a C string to PHP: a NUL ends it.
    let name = match raw_name.iter().position(|&b| b == 0) {
        Some(nul) => &raw_name[..nul],
        None => raw_name,
    };
    let start = name.iter().position(|&b| b != b' ').unwrap_or(name.len());
    let name = &name[start..];
    let mut var: Vec<u8> = Vec::with_capacity(name.len());
    let mut bracket = None;
    for (i, &b) in name.iter().enumerate() {
        match b {
            b' ' | b'.' => var.push(b'_'),
            b'[' => {
                bracket = Some(i);
                break;
            }
            _ => var.push(b),
        }
    }
    if var.is_empty() {
        return;
    }
    let mut indexes: Vec<Option<Vec<u8>>> = Vec::new();
    if let Some(mut ip) = bracket {
        loop {
            if indexes.len() + 1 > 64 {
                return; // PHP drops the whole variable.
            }
            ip += 1;
            let index_start = ip;
            if matches!(name.get(ip), Some(b' ' | b'\r' | b'\n' | b'\t')) {
                ip += 1;
            }
            if name.get(ip) == Some(&b']') {
                indexes.push(None);
            } else {
                match name[ip.min(name.len())..].iter().position(|&b| b == b']') {
                    Some(off) => {
                        ip += off;
                        indexes.push(Some(name[index_start..ip].to_vec()));
                    }
                    None => {
                        // No closing bracket: not an array after all. The '['
                        // becomes '_' and ' ', '.', '[' after it too (only
                        // possible on the first level).
                        if indexes.is_empty() {
                            var.push(b'_');
                            for &b in &name[index_start..] {
                                var.push(if matches!(b, b' ' | b'.' | b'[') {
                                    b'_'
                                } else {
                                    b
                                });
                            }
                        }
                        break;
                    }
                }
            }
            ip += 1;
            if name.get(ip) != Some(&b'[') {
                break;
            }
        }
    }
    // PHP 8.1.11+ (CVE-2022-31629): a name that only its mangling turned
    // into a `__Host-`/`__Secure-` cookie-prefix name is dropped. PHP 8.2.36
    // checks the name as finally mangled, so an unclosed '[' counts too
    // (`_[Host-x` becomes `__Host-x` and is dropped).
    if is_forbidden_key(&var, name) {
        return;
    }
    let var = String::from_utf8_lossy(&var).into_owned();
    let mut slot = root;
    let mut key = Some(var);
    for index in indexes {
        match child_map(slot, key.take()) {
            Some(container) => slot = container,
            None => return, // append past the largest integer key: PHP drops it
        }
        // The same rule for array keys (`a[__Host-x]`), checked after the
        // arrays before that key were created (PHP 8.2.36: `a=5&a[__Host-x]=1`
        // leaves `a` an empty array).
        if index.as_deref().is_some_and(|i| is_forbidden_key(i, name)) {
            return;
        }
        key = index.map(|i| String::from_utf8_lossy(&i).into_owned());
    }
    set_value(slot, key, Value::Str(value));
}

/// The array stored under `key` in `map` (created or replacing a scalar, in
/// place), `None` meaning PHP's append `[]`; `None` back when an append has
/// no next integer key left.
fn child_map(map: &mut Params, key: Option<String>) -> Option<&mut Params> {
    let pairs = map.pairs_mut();
    let pos = match key {
        Some(k) => match pairs.iter().position(|(existing, _)| *existing == k) {
            Some(p) => {
                if !matches!(pairs[p].1, Value::Map(_)) {
                    pairs[p].1 = Value::Map(Params::new());
                }
                p
            }
            None => {
                pairs.push((k, Value::Map(Params::new())));
                pairs.len() - 1
            }
        },
        None => {
            let k = next_index(pairs)?;
            pairs.push((k, Value::Map(Params::new())));
            pairs.len() - 1
        }
    };
    match &mut pairs[pos].1 {
        Value::Map(m) => Some(m),
        _ => unreachable!("slot was just made a map"),
    }
}

fn set_value(map: &mut Params, key: Option<String>, value: Value) {
    let pairs = map.pairs_mut();
    match key {
        Some(k) => match pairs.iter().position(|(existing, _)| *existing == k) {
            Some(p) => pairs[p].1 = value,
            None => pairs.push((k, value)),
        },
        None => {
            if let Some(k) = next_index(pairs) {
                pairs.push((k, value));
            }
        }
    }
}

/// PHP 8.2's next free integer key: one past the largest integer key so far
/// (negative ones included), 0 for none; `None` when that would pass
/// `i64::MAX` (PHP then drops the variable).
fn next_index(pairs: &[(String, Value)]) -> Option<String> {
    let next = match pairs.iter().filter_map(|(k, _)| canonical_int(k)).max() {
        Some(m) => m.checked_add(1)?,
        None => 0,
    };
    Some(next.to_string())
}

/// The integer PHP would use for a string array key, if it is one
/// (canonical decimal, no leading zeros or '+', within i64).
fn canonical_int(k: &str) -> Option<i64> {
    let digits = k.strip_prefix('-').unwrap_or(k);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
        || k == "-0"
    {
        return None;
    }
    k.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{encode, encode_lenient};

    fn roundtrip(q: &str) -> String {
        encode_lenient(&parse_query(q.as_bytes()))
    }

    /// Expected values were produced by PHP 8.2:
    /// `parse_str($q, $o); echo http_build_query($o);`
    #[test]
    fn matches_php_parse_str() {
        for (q, php) in [
            ("a[ ]=1", "a%5B0%5D=1"),
            ("a[ x]=1", "a%5B+x%5D=1"),
            ("a[\t]=1", "a%5B0%5D=1"),
            ("a[x.y]=1", "a%5Bx.y%5D=1"),
            ("a[x y]=1", "a%5Bx+y%5D=1"),
            ("a[b[c]=1", "a%5Bb%5Bc%5D=1"),
            ("a[x]junk=1", "a%5Bx%5D=1"),
            ("a[x]junk[y]=1", "a%5Bx%5D=1"),
            (" a=1", "a=1"),
            ("a.b=1", "a_b=1"),
            ("a[=1", "a_=1"),
            ("a[x=1&b=2", "a_x=1&b=2"),
            ("a%00b=1", "a=1"),
            ("a[x%00y]=1", "a_x=1"),
            (
                "a[]=1&a[]=2&a[5]=3&a[]=4",
                "a%5B0%5D=1&a%5B1%5D=2&a%5B5%5D=3&a%5B6%5D=4",
            ),
            ("x=1&x=2&y=3&x=4", "x=4&y=3"),
            ("a[5]=1&a[05]=2", "a%5B5%5D=1&a%5B05%5D=2"),
            ("a=1&a[x]=2", "a%5Bx%5D=2"),
            ("a[x]=1&a=2", "a=2"),
            ("=1&b=2", "b=2"),
            ("a=%zz%4", "a=%25zz%254"),
            ("a[%01]=1", "a%5B%01%5D=1"),
            ("a%01b=1", "a%01b=1"),
            ("a[]x=1", "a%5B0%5D=1"),
            ("a[-20]=1&a[]=2", "a%5B-20%5D=1&a%5B-19%5D=2"),
            ("a[3]=1&a[-5]=1&a[]=2", "a%5B3%5D=1&a%5B-5%5D=1&a%5B4%5D=2"),
            (
                "a[9223372036854775806]=1&a[]=2&a[]=3&a[][x]=4&b=5",
                "a%5B9223372036854775806%5D=1&a%5B9223372036854775807%5D=2&b=5",
            ),
            ("..Host-x=1&b=2", "b=2"),
            ("_.Secure-y=2&b=2", "b=2"),
            (" __Host-ok=1", "__Host-ok=1"),
            ("..Host[x=1", "__Host_x=1"),
            (".._Host-=1", "___Host-=1"),
            ("a[__Host-x]=1&b=2", "b=2"),
            ("a[__Secure-x]=1&b=2", "b=2"),
            ("a[x][__Host-y]=1&b=2", "b=2"),
            ("a[__Host-x][y]=1&b=2", "b=2"),
            ("a[__Secure-]=1&b=2", "b=2"),
            ("a=5&a[__Host-x]=1&c=1", "c=1"),
            ("a=5&a[y][__Host-x]=1&a[y][z]=2", "a%5By%5D%5Bz%5D=2"),
            ("a[][__Host-x]=1&a[]=2", "a%5B1%5D=2"),
            ("a[5]=1&a[__Secure-x]=2&a[]=3", "a%5B5%5D=1&a%5B6%5D=3"),
            (
                "a[__Hostx]=1&a[__host-x]=2",
                "a%5B__Hostx%5D=1&a%5B__host-x%5D=2",
            ),
            ("a[ __Host-x]=1", "a%5B+__Host-x%5D=1"),
            ("a[__Host-x=1", "a___Host-x=1"),
            ("a[__Host-%00x]=1", "a___Host-=1"),
            ("__Host-x[__Host-y]=1", "__Host-x%5B__Host-y%5D=1"),
            ("__Host-x[__Secure-y]=1&b=2", "b=2"),
            (" __Secure-x[__Secure-]=1", "__Secure-x%5B__Secure-%5D=1"),
            (
                "__Secure-x[a][__Secure-b]=1",
                "__Secure-x%5Ba%5D%5B__Secure-b%5D=1",
            ),
            ("__Secure.x[__Secure-y]=1&b=2", "b=2"),
            ("_[Host-x=1&b=2", "b=2"),
            ("_[Secure-y=1&b=2", "b=2"),
            ("_ Host-[x=1&b=2", "b=2"),
        ] {
            assert_eq!(roundtrip(q), php, "{q:?}");
        }
    }

    #[test]
    fn encoder_output_parses_back_identically() {
        let p = Params::new()
            .with("bill_id", "100000")
            .with("lead_name", "Иван + 😀 & = %")
            .with(
                "goods",
                Value::List(vec![Value::from("a"), Value::Null, Value::from(2)]),
            )
            .with("m", Params::new().with("x.y z", true).with("7", 1.5));
        let body = encode(&p).unwrap();
        assert_eq!(encode_lenient(&parse_query(body.as_bytes())), body);
    }

    #[test]
    fn urldecode_edge_cases() {
        assert_eq!(urldecode(b"%41%4a%4B+%"), b"AJK %");
        assert_eq!(urldecode(b"%4"), b"%4");
        assert_eq!(urldecode(b"%%41"), b"%A");
    }
}
