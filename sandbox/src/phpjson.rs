//! JSON exactly as PHP's `json_encode` writes it with default flags:
//! `\/` for '/', `\uXXXX` (lowercase hex, UTF-16) for every non-ASCII
//! character, and PHP arrays: an empty map is `[]`, a map whose keys are
//! "0".."n-1" in order is a list.

use serde_json::Value as Json;

/// Encodes `v` like PHP `json_encode($v)`.
pub fn encode(v: &Json) -> String {
    let mut out = String::with_capacity(128);
    write(v, &mut out);
    out
}

fn write(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(&n.to_string()),
        Json::String(s) => string(s, out),
        Json::Array(items) => list(items.iter(), out),
        Json::Object(map) => {
            let is_list = map.keys().enumerate().all(|(i, k)| *k == i.to_string());
            if is_list {
                list(map.values(), out);
            } else {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(k, out);
                    out.push(':');
                    write(v, out);
                }
                out.push('}');
            }
        }
    }
}

fn list<'a>(items: impl Iterator<Item = &'a Json>, out: &mut String) {
    out.push('[');
    for (i, v) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(v, out);
    }
    out.push(']');
}

fn string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str("\\u");
                    for shift in [12, 8, 4, 0] {
                        out.push(HEX[((*u >> shift) & 15) as usize] as char);
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Expected strings were produced by PHP 8.2's json_encode.
    #[test]
    fn like_php() {
        assert_eq!(
            encode(&json!("Заказ удален")),
            r#""\u0417\u0430\u043a\u0430\u0437 \u0443\u0434\u0430\u043b\u0435\u043d""#
        );
        assert_eq!(
            encode(&json!("a/b\"c\\d\n\u{1}")),
            r#""a\/b\"c\\d\n\u0001""#
        );
        assert_eq!(encode(&json!("😀")), r#""\ud83d\ude00""#);
        assert_eq!(encode(&json!({})), "[]");
        assert_eq!(encode(&json!({"0": "a", "1": "b"})), r#"["a","b"]"#);
        assert_eq!(encode(&json!({"1": "a"})), r#"{"1":"a"}"#);
        assert_eq!(
            encode(&json!({"error_code": 0, "x": [1, true, null]})),
            r#"{"error_code":0,"x":[1,true,null]}"#
        );
        assert_eq!(encode(&json!("\u{7f}")), "\"\u{7f}\"");
    }
}
