//! The few JSON tokens the hot paths read without serde: whitespace and
//! strings, as serde_json reads them. Every function returns `None` where
//! it is not sure, and its callers then let serde read the text, so an
//! answer here is always serde's answer and serde's errors stay the only
//! ones reported.

/// Past JSON's whitespace from `i`.
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The JSON string whose text starts at `start` (after its quote), decoded,
/// and the index after its closing quote. `None` for a control byte, an
/// unknown escape, a `\u` escape of a surrogate (serde pairs or refuses
/// those) or an unterminated string.
pub(crate) fn string(json: &str, start: usize) -> Option<(String, usize)> {
    let b = json.as_bytes();
    let stop = string_stop(b, start);
    match b.get(stop)? {
        b'"' => return Some((json[start..stop].to_owned(), stop + 1)),
        b'\\' => {}
        _ => return None,
    }
    // Escapes only shorten the text: size the string once to its raw length.
    let mut s = String::with_capacity(escaped_end(b, stop)? - start);
    s.push_str(&json[start..stop]);
    let mut at = stop;
    loop {
        // `at` is a backslash.
        let (c, len) = match *b.get(at + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let code = b
                    .get(at + 2..at + 6)?
                    .iter()
                    .try_fold(0, |n, &h| Some(n * 16 + hex_digit(h)?))?;
                (char::from_u32(code)?, 6)
            }
            _ => return None,
        };
        s.push(c);
        let run = at + len;
        // PHP writes non-ASCII text as escape after escape.
        if b.get(run) == Some(&b'\\') {
            at = run;
            continue;
        }
        at = string_stop(b, run);
        match b.get(at)? {
            b'"' => {
                s.push_str(&json[run..at]);
                return Some((s, at + 1));
            }
            b'\\' => s.push_str(&json[run..at]),
            _ => return None,
        }
    }
}

fn hex_digit(h: u8) -> Option<u32> {
    match h {
        b'0'..=b'9' => Some(u32::from(h - b'0')),
        b'a'..=b'f' => Some(u32::from(h - b'a' + 10)),
        b'A'..=b'F' => Some(u32::from(h - b'A' + 10)),
        _ => None,
    }
}

/// The index of the closing quote of a string with a backslash at `at`.
fn escaped_end(b: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at = string_stop(b, at + 2);
        match b.get(at)? {
            b'"' => return Some(at),
            b'\\' => {}
            _ => return None,
        }
    }
}

/// The first index from `i` of a byte that ends plain string text: `"`,
/// `\`, a control byte (which JSON does not allow there), or the end.
/// Eight bytes at a time, as serde_json scans (most bytes of a good are
/// string contents).
pub(crate) fn string_stop(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    while let Some(eight) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        // The classic zero-byte test per kind; the lowest flagged byte is
        // always a real one.
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let hits = (control | quote | backslash) & (ONES << 7);
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever `string` decodes, serde decodes the same, and it takes the
    /// texts the hot paths see.
    #[test]
    fn strings_decode_as_serde_decodes() {
        let agrees = |text: &str| -> bool {
            let json = format!("\"{text}\"");
            let ours = string(&json, 1).filter(|&(_, end)| end == json.len());
            if let Some((s, _)) = &ours {
                assert_eq!(
                    serde_json::from_str::<String>(&json).ok().as_ref(),
                    Some(s),
                    "{json}"
                );
            }
            ours.is_some()
        };
        for text in [
            "",
            "plain",
            "12345678901234567890123456789012",
            r"\u041f\u0440\u043e\u0434\u0443\u043a\u0442 \u043e\u0431\u043d\u043e\u0432\u043b\u0435\u043d",
            r#"a\"b\\c\/d\b\f\n\r\t\u0000\u00e9\u4E2D\uFFFF"#,
            "Продукт обновлен 😀 \u{7f}",
            r#"\\"#,
        ] {
            assert!(agrees(text), "{text}");
        }
        for text in [
            r"\ud83d\ude00",
            r"\ud800",
            r"\udc00x",
            r"\u+041",
            r"\u04",
            r"\x",
            "\\",
            "a\u{1}b",
            "a\nb",
        ] {
            assert!(!agrees(text), "{text}");
        }
        // Random strings of the pieces that matter.
        let pieces = [
            "a", "é", "😀", "\\", "\"", "u", "0", "4", "f", "D", "d8", "\\u", "\\u0041", "\\n",
            "\u{1}", " ", "\\ud83d", "\\ude00",
        ];
        let mut x = 0x1234_5678_u32;
        let mut took = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            for _ in 0..x % 24 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                text.push_str(pieces[x as usize % pieces.len()]);
            }
            took += usize::from(agrees(&text));
        }
        assert!(took > 1000, "{took}");
    }

    #[test]
    fn stops_where_serde_would_look() {
        let text = b"0123456789abcdef\"0123456789\\abcdef\x1f";
        assert_eq!(string_stop(text, 0), 16);
        assert_eq!(string_stop(text, 17), 27);
        assert_eq!(string_stop(text, 28), 34);
        assert_eq!(string_stop(text, 35), 35);
        assert_eq!(string_stop(text, 99), 99);
        for i in 0..64 {
            let mut t = vec![b'x'; 64];
            t[i] = b'"';
            assert_eq!(string_stop(&t, 0), i);
            t[i] = 0x80;
            assert_eq!(string_stop(&t, 0), 64);
        }
    }
}
