//! The encoder against real PHP: for 10,000+ random parameter sets, our
//! bytes must equal PHP's `http_build_query`, and PHP's own parse of our
//! bytes (`parse_str`, which is what fills `$_POST`) must re-encode to the
//! same bytes, i.e. the server would verify our signature.
//!
//! One PHP process is started and cases are streamed through it as JSON
//! lines. Needs `php` (Debian package `php-cli`); set `PHP` to use another
//! binary, `JUSTCLICK_DIFF_CASES` / `JUSTCLICK_DIFF_SEED` to run more or
//! other cases.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use justclick::{encode, Params};
use serde_json::{json, Map, Value as Json};

const PHP_SCRIPT: &str = r#"
while (($line = fgets(STDIN)) !== false) {
    $case = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    $built = http_build_query($case['p']);
    parse_str($case['b'], $parsed);
    echo $built, "\t", http_build_query($parsed), "\n";
}
"#;

/// xorshift64*: small, deterministic, good enough to pick test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "9",
    " ",
    "+",
    "&",
    "=",
    "%",
    "%20",
    "%zz",
    "\n",
    "\r\n",
    "\t",
    "~",
    "*",
    "'",
    "(",
    ")",
    "!",
    "/",
    "?",
    "#",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "\\",
    ";",
    ":",
    "@",
    "$",
    ",",
    "<",
    ">",
    "^",
    "`",
    "|",
    ".",
    "_",
    "-",
    "Иван",
    "Петров",
    "ё",
    "Заказ №5",
    "😀",
    "👍🏽",
    "€",
    "中文",
    "\u{0}",
    "\u{7f}",
    "\u{a0}",
    "\u{2028}",
    "e\u{301}",
    "hash",
    "1e5",
    "0x1F",
    "-0",
    "null",
    "true",
];

const KEY_PIECES: &[&str] = &[
    "a", "b", "x", "bill_id", "lead", "name", "_", "-", "0", "1", "7", "Ключ", "😀", "+", "&", "=",
    "%", "~", "*", "'", "!", "/", "?", "#", ":", "@", "$", ",", "<", ">", "\"", "é", "中",
];

fn random_string(rng: &mut Rng, pieces: &[&str], max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n).map(|_| *rng.pick(pieces)).collect()
}

fn random_key(rng: &mut Rng, nested: bool) -> String {
    loop {
        let mut k = random_string(rng, KEY_PIECES, 4);
        if nested && rng.below(4) == 0 {
            // Nested keys may contain '.' and spaces; PHP keeps them there.
            const NESTED: &[&str] = &[".", " x", "a.b", "0", "05", "-3"];
            let piece: &&str = rng.pick(NESTED);
            k.push_str(piece);
        }
        if !k.is_empty() && (nested || k != "hash") && k != " " {
            return k;
        }
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Json {
    let choice = rng.below(if depth >= 3 { 8 } else { 11 });
    match choice {
        0..=3 => Json::String(random_string(rng, PIECES, 6)),
        4 => Json::String(String::new()),
        5 => json!((rng.next() as i64) >> rng.below(64)),
        6 => json!(rng.below(2) == 0),
        7 => {
            // Floats whose shortest decimal form PHP and Rust write alike.
            let v = (rng.below(200_001) as f64 - 100_000.0) / 8.0;
            json!(v)
        }
        8 => Json::Null,
        9 => Json::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let n = rng.below(4);
            Json::Object(random_map(rng, depth + 1, n))
        }
    }
}

fn random_map(rng: &mut Rng, depth: usize, n: usize) -> Map<String, Json> {
    let mut m = Map::new();
    while m.len() < n {
        let k = random_key(rng, depth > 0);
        if !m.contains_key(&k) {
            m.insert(k, random_value(rng, depth));
        }
    }
    m
}

#[test]
fn encoder_matches_php_http_build_query() {
    let php = std::env::var("PHP").unwrap_or_else(|_| "php".into());
    let mut child = Command::new(&php)
        .args(["-d", "display_errors=stderr", "-r", PHP_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `{php}` ({e}): the differential test needs PHP; install the Debian package php-cli")
        });
    let cases: usize = std::env::var("JUSTCLICK_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::var("JUSTCLICK_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_1234_ABCD_0001);
    let mut rng = Rng(seed | 1);

    let mut inputs = Vec::with_capacity(cases);
    let mut ours = Vec::with_capacity(cases);
    for _ in 0..cases {
        let n = rng.below(8);
        let params = Json::Object(random_map(&mut rng, 0, n));
        let text = params.to_string();
        let p = Params::from_json(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let body = encode(&p).unwrap_or_else(|e| panic!("{text}: {e}"));
        inputs.push(json!({"p": params, "b": body}).to_string());
        ours.push((text, body));
    }

    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for line in inputs {
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.write_all(b"\n").unwrap();
        }
    });
    let reader = BufReader::new(child.stdout.take().unwrap());
    let mut checked = 0;
    let mut nonempty = 0;
    for (line, (params, body)) in reader.lines().zip(&ours) {
        let line = line.unwrap();
        let (php_built, php_rebuilt) = line.split_once('\t').expect("two columns from PHP");
        assert_eq!(body, php_built, "http_build_query differs for {params}");
        assert_eq!(
            body, php_rebuilt,
            "PHP parses our body differently for {params}"
        );
        checked += 1;
        nonempty += usize::from(!body.is_empty());
    }
    feeder.join().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "php exited with {status}");
    assert_eq!(
        checked, cases,
        "PHP answered only {checked} of {cases} cases"
    );
    assert!(nonempty > cases / 2, "too few non-empty cases: {nonempty}");
}

#[test]
fn rejected_keys_really_are_mangled_by_php() {
    // The encoder refuses these keys because PHP would sign them under
    // another name; prove it for each with PHP itself.
    let php = std::env::var("PHP").unwrap_or_else(|_| "php".into());
    let script = r#"foreach (json_decode($argv[1], true) as $k) {
        $q = urlencode($k) . "=1"; parse_str($q, $o);
        $same = count($o) === 1 && array_key_first($o) === $k && $o[$k] === "1";
        echo $same ? "same" : "mangled", "\n"; }"#;
    // (A lone ']' survives PHP's parse; the encoder still refuses it, as
    // API.md asks, since it can only come from a mistaken array key.)
    let keys = ["a.b", "a b", " a", "a[b]", "a[", "a\u{0}b", "a[]"];
    let out = Command::new(&php)
        .args(["-r", script, &serde_json::to_string(&keys).unwrap()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{php}` ({e}): install the Debian package php-cli"));
    let text = String::from_utf8(out.stdout).unwrap();
    let verdicts: Vec<&str> = text.lines().collect();
    assert_eq!(verdicts.len(), keys.len(), "{text}");
    for (k, v) in keys.iter().zip(verdicts) {
        assert_eq!(
            v, "mangled",
            "PHP keeps {k:?} intact; the encoder need not reject it"
        );
        assert!(
            encode(&Params::new().with(*k, 1)).is_err(),
            "{k:?} accepted"
        );
    }
}
