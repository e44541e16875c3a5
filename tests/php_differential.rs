//! The encoder against real PHP: for 10,000+ random parameter sets, our
//! bytes must equal PHP's `http_build_query`, and PHP's own parse of our
//! bytes (`parse_str`, which is what fills `$_POST`) must re-encode to the
//! same bytes, i.e. the server would verify our signature. Parameter sets
//! the encoder refuses must be ones PHP itself would not round-trip. Each
//! case also carries a random or hostile raw body: PHP's
//! `http_build_query(parse_str(body))` must equal
//! `encode_lenient(parse_query(body))`, the sandbox's view of the service.
//!
//! One PHP process is started and cases are streamed through it as JSON
//! lines. Needs `php` (Debian package `php-cli`); set `PHP` to use another
//! binary, `JUSTCLICK_DIFF_CASES` / `JUSTCLICK_DIFF_SEED` to run more or
//! other cases. `max_values_is_php_fpms_boundary` starts a throwaway
//! PHP-FPM (Debian packages `php-fpm` and `libfcgi-bin`; `PHP_FPM` to use
//! another binary) to check `MAX_VALUES` against `max_input_vars`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::php::{env_number, php_child, Rng};

use justclick::{encode, encode_lenient, php, Params};
use serde_json::{json, Map, Value as Json};

const PHP_SCRIPT: &str = r#"
while (($line = fgets(STDIN)) !== false) {
    $case = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    $built = http_build_query($case['p']);
    // For a set the encoder refused, PHP's parse of PHP's own bytes.
    parse_str($case['b'] ?? $built, $parsed);
    parse_str($case['q'], $raw);
    echo $built, "\t", http_build_query($parsed), "\t", http_build_query($raw), "\n";
}
"#;

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
    "a",
    "b",
    "x",
    "bill_id",
    "lead",
    "name",
    "_",
    "-",
    "0",
    "1",
    "7",
    "Ключ",
    "😀",
    "+",
    "&",
    "=",
    "%",
    "~",
    "*",
    "'",
    "!",
    "/",
    "?",
    "#",
    ":",
    "@",
    "$",
    ",",
    "<",
    ">",
    "\"",
    "é",
    "中",
    "__Host-",
    "__Secure-",
    "__Host",
];

/// Pieces of raw form bodies: structure (`&`, `=`, brackets), escapes (valid
/// and malformed; decoded bytes stay valid UTF-8, as the sandbox reads
/// UTF-8), names PHP mangles and cookie prefixes.
const BODY_PIECES: &[&str] = &[
    "Host-",
    "Secure-",
    "a",
    "b",
    "x",
    "0",
    "-1",
    "05",
    "9223372036854775807",
    "&",
    "&",
    "=",
    "=",
    "[",
    "]",
    "[]",
    "[x]",
    "[0]",
    "[ ",
    "%5B",
    "%5D",
    "__Host-",
    "__Secure-",
    "__Host",
    "_",
    ".",
    " ",
    "+",
    "%20",
    "%00",
    "%zz",
    "%2",
    "%41",
    "%D0%98",
    "Иван",
    "%26",
    "%3D",
    "%09",
    "\t",
    "😀",
    "~",
    "*",
];

fn random_body(rng: &mut Rng) -> String {
    random_string(rng, BODY_PIECES, 16)
}

/// Bodies written to break a parser: nesting at PHP's limit of 64, appends
/// past the largest key, cookie prefixes at every level, stray brackets.
fn hostile_bodies() -> Vec<String> {
    let deep = |n: usize| format!("a{}=1&b=2", "[k]".repeat(n));
    let mut v: Vec<String> = [63, 64, 65, 100].iter().map(|&n| deep(n)).collect();
    v.extend(
        [
            "a[9223372036854775807]=1&a[]=2&b=3",
            "a[9223372036854775806]=1&a[]=2&a[]=3&a[][x]=4&b=5",
            "a[-20]=1&a[]=2",
            "a[__Host-x]=1&b=2",
            "a[x][__Secure-y]=1&a[x][z]=2",
            "a=5&a[__Host-x]=1&c=1",
            "a[][__Host-x]=1&a[]=2",
            "a[__Host-x][y]=1",
            "__Host-x=1&__Secure-y[z]=2",
            "..Host-x=1&_.Secure-y[a]=2&b=3",
            "_[Host-x=1&_[Secure-y=2&_ Host-[x=3&b=4",
            "a[__Host-=1&a[ __Secure-x]=2",
            "a[__Host-%00x]=1&a[%00__Host-x]=2",
            "&&&=&=1&&a",
            "a]=1&]a=2&[a]=3&a[[b]]=4&a[b]]=5",
            "a[]x=1&a[x]junk[y]=2&a[x=3",
            "x=1&x=2&x[]=3&x=4",
            "%=%&%%41=%4",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    v
}

fn random_string(rng: &mut Rng, pieces: &[&str], max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n).map(|_| *rng.pick(pieces)).collect()
}

fn random_key(rng: &mut Rng, nested: bool) -> String {
    loop {
        let mut k = random_string(rng, KEY_PIECES, 4);
        if nested && rng.below(16) == 0 {
            // An array key with a cookie prefix: PHP drops the parameter,
            // so the encoder must refuse it.
            k.insert_str(
                0,
                if rng.below(2) == 0 {
                    "__Host-"
                } else {
                    "__Secure-"
                },
            );
        }
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
        7 => json!(random_float(rng)),
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

/// Doubles of every magnitude, as PHP writes them with `precision` 14
/// (`%.14G`): any bit pattern (subnormals included), short decimals at any
/// scale (ties, 0.0001 and 10^14 where the notation switches), values just
/// below powers of ten (rounding carries into a new digit), whole numbers,
/// multiples of 1/8, 15-digit ties, and both zeros.
fn random_float(rng: &mut Rng) -> f64 {
    let f = match rng.below(8) {
        0 => loop {
            let f = f64::from_bits(rng.next());
            if f.is_finite() {
                break f;
            }
        },
        1 => rng.below(100_000) as f64 * 10f64.powi(rng.below(60) as i32 - 30),
        2 => {
            let ulps = rng.below(8) as f64 * f64::EPSILON;
            10f64.powi(rng.below(60) as i32 - 30) * (1.0 - ulps)
        }
        3 => ((rng.next() as i64) >> rng.below(64)) as f64,
        4 => (rng.below(20_001) as f64 + 0.5) * 10f64.powi(rng.below(30) as i32 - 12),
        5 => (rng.below(200_001) as f64 - 100_000.0) / 8.0,
        6 => {
            // 15-digit whole numbers, often ending in 5: the ties where
            // PHP's dtoa keeps trailing zeros.
            let n = 100_000_000_000_000 + rng.next() % 900_000_000_000_000;
            (n - n % 10 + [5, 5, 0, 1, 9][rng.below(5)]) as f64
        }
        _ => 0.0,
    };
    if rng.below(2) == 0 {
        -f
    } else {
        f
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

/// True if `v` makes `http_build_query` write at least one pair.
fn sends(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Array(a) => a.iter().any(sends),
        Json::Object(m) => m.values().any(sends),
        _ => true,
    }
}

/// True if a parameter set sends an array key with a cookie prefix that its
/// top-level name lacks (`a[__Host-x]`), which PHP's parse drops.
fn sends_forbidden_key(params: &Json) -> bool {
    fn below(top: &str, v: &Json) -> bool {
        let bad = |k: &str| {
            ["__Host-", "__Secure-"]
                .iter()
                .any(|p| k.starts_with(p) && !top.starts_with(p))
        };
        match v {
            Json::Object(m) => m.iter().any(|(k, x)| (bad(k) && sends(x)) || below(top, x)),
            Json::Array(a) => a.iter().any(|x| below(top, x)),
            _ => false,
        }
    }
    match params {
        Json::Object(m) => m.iter().any(|(top, v)| below(top, v)),
        _ => false,
    }
}

#[test]
fn encoder_matches_php_http_build_query() {
    let mut child = php_child(PHP_SCRIPT);
    let cases: usize = env_number("JUSTCLICK_DIFF_CASES", 10_000);
    let seed: u64 = env_number("JUSTCLICK_DIFF_SEED", 0x5EED_1234_ABCD_0001);
    let mut rng = Rng(seed | 1);

    let hostile = hostile_bodies();
    let mut inputs = Vec::with_capacity(cases);
    let mut ours = Vec::with_capacity(cases);
    for i in 0..cases {
        let n = rng.below(8);
        let params = Json::Object(random_map(&mut rng, 0, n));
        let text = params.to_string();
        let p = Params::from_json(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let body = match encode(&p) {
            Ok(body) => Some(body),
            Err(e) if e.to_string().contains("cookie-name prefix") => None,
            Err(e) => panic!("{text}: {e}"),
        };
        let raw = hostile
            .get(i)
            .cloned()
            .unwrap_or_else(|| random_body(&mut rng));
        let sandbox = encode_lenient(&php::parse_query(raw.as_bytes()));
        inputs.push(json!({"p": params, "b": body, "q": raw}).to_string());
        ours.push((text, body, raw, sandbox));
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
    let mut refused = 0;
    let mut refused_sent = 0;
    let mut raw_nonempty = 0;
    for (line, (params, body, raw, sandbox)) in reader.lines().zip(&ours) {
        let line = line.unwrap();
        let mut cols = line.split('\t');
        let (Some(php_built), Some(php_rebuilt), Some(php_raw), None) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            panic!("expected three columns from PHP, got {line:?}");
        };
        match body {
            Some(body) => {
                assert_eq!(body, php_built, "http_build_query differs for {params}");
                assert_eq!(
                    body, php_rebuilt,
                    "PHP parses our body differently for {params}"
                );
                nonempty += usize::from(!body.is_empty());
            }
            None => {
                // Refused: if PHP sends such an array key, its own parse
                // must lose it (else the refusal is needless).
                let sent: Json = serde_json::from_str(params).unwrap();
                if sends_forbidden_key(&sent) {
                    refused_sent += 1;
                    assert_ne!(
                        php_built, php_rebuilt,
                        "PHP keeps a parameter the encoder refused: {params}"
                    );
                }
                refused += 1;
            }
        }
        assert_eq!(
            sandbox, php_raw,
            "parse_query + encode_lenient differ from PHP's parse_str + http_build_query for {raw:?}"
        );
        raw_nonempty += usize::from(!php_raw.is_empty());
        checked += 1;
    }
    feeder.join().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "php exited with {status}");
    assert_eq!(
        checked, cases,
        "PHP answered only {checked} of {cases} cases"
    );
    assert!(nonempty > cases / 2, "too few non-empty cases: {nonempty}");
    assert!(refused_sent > 0, "no case sent a cookie-prefixed array key");
    assert!(refused < cases / 10, "too many refused cases: {refused}");
    assert!(
        raw_nonempty > cases / 2,
        "too few raw bodies PHP keeps: {raw_nonempty}"
    );
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

/// A PHP-FPM master started for one test, stopped (and its files removed)
/// when dropped, also when the test fails.
struct Fpm {
    master: std::process::Child,
    dir: std::path::PathBuf,
}

impl Drop for Fpm {
    fn drop(&mut self) {
        // SIGTERM, not Child::kill's SIGKILL: the master then stops its
        // workers instead of leaving them orphaned.
        let stopped = Command::new("kill")
            .args(["-TERM", &self.master.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.master.kill();
        }
        let _ = self.master.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_fpm() -> String {
    if let Ok(p) = std::env::var("PHP_FPM") {
        return p;
    }
    for c in [
        "php-fpm8.2",
        "php-fpm",
        "/usr/sbin/php-fpm8.2",
        "/usr/sbin/php-fpm",
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if found {
            return c.to_owned();
        }
    }
    panic!(
        "php-fpm not found: install the Debian packages php-fpm and libfcgi-bin (or set PHP_FPM)"
    );
}

/// Posts `body` to the FPM's script, as a web server would; returns what
/// the script printed.
fn fpm_post(fpm: &Fpm, body: &str) -> String {
    let mut child = Command::new("cgi-fcgi")
        .args(["-bind", "-connect"])
        .arg(fpm.dir.join("fpm.sock"))
        .env("SCRIPT_FILENAME", fpm.dir.join("post.php"))
        .env("REQUEST_METHOD", "POST")
        .env("CONTENT_TYPE", "application/x-www-form-urlencoded")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run cgi-fcgi ({e}): install the Debian package libfcgi-bin")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    match text.split_once("\r\n\r\n") {
        Some((_, page)) => page.to_owned(),
        None => panic!("no FastCGI answer: {text:?}"),
    }
}

/// MAX_VALUES is PHP's own boundary, measured on PHP-FPM (the service's
/// `$_POST`): with `max_input_vars` = 1000, 999 values plus `hash` are read
/// silently; 1000 values plus `hash` are read too, but PHP warns that input
/// variables exceeded 1000 (printed into the answer where errors are
/// displayed, as with `-n` here); with 1001 values `hash` is dropped and the
/// service answers an authorization error. The encoder accepts 999.
#[test]
fn max_values_is_php_fpms_boundary() {
    let dir = std::env::temp_dir().join(format!("justclick-fpm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    std::fs::write(
        dir.join("pool.conf"),
        format!(
            "[global]\nerror_log = {d}/fpm.log\ndaemonize = no\n[www]\nlisten = {d}/fpm.sock\npm = static\npm.max_children = 1\n{user}",
            d = dir.display(),
            user = if root { "user = root\n" } else { "" }
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("post.php"),
        "<?php echo $_POST['hash'] ?? 'dropped', ' ', count($_POST, COUNT_RECURSIVE);",
    )
    .unwrap();
    let bin = find_fpm();
    let mut cmd = Command::new(&bin);
    if root {
        cmd.arg("-R");
    }
    let master = cmd
        .args(["-F", "-n", "-d", "max_input_vars=1000", "-y"])
        .arg(dir.join("pool.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {bin} ({e}): install the Debian package php-fpm"));
    let fpm = Fpm { master, dir };
    // Readiness, not a timing assertion: wait for the socket to appear.
    for _ in 0..200 {
        if fpm.dir.join("fpm.sock").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let values = |n: usize| {
        Params::new()
            .with("a", (0..n as i64 / 2).collect::<Vec<i64>>())
            .with(
                "b",
                Params::from_iter((n / 2..n).map(|i| (format!("k{i}"), "v"))),
            )
    };
    let hash = "0123456789abcdef0123456789abcdef";

    let max = justclick::MAX_VALUES;
    let body = encode(&values(max)).expect("the encoder accepts MAX_VALUES values");
    assert_eq!(
        fpm_post(&fpm, &format!("{body}&hash={hash}")),
        format!("{hash} {}", max + 3),
        "PHP-FPM does not read {max} values and hash whole and silently",
    );

    assert!(
        encode(&values(max + 1)).is_err(),
        "the encoder accepts MAX_VALUES + 1"
    );
    let page = fpm_post(
        &fpm,
        &format!("{}&hash={hash}", encode_lenient(&values(max + 1))),
    );
    assert!(
        page.contains("Input variables exceeded 1000")
            && page.ends_with(&format!("{hash} {}", max + 4)),
        "PHP-FPM reads {} values and hash without a warning: {page}",
        max + 1
    );

    let page = fpm_post(
        &fpm,
        &format!("{}&hash={hash}", encode_lenient(&values(max + 2))),
    );
    assert!(
        page.ends_with(&format!("dropped {}", max + 4)),
        "PHP-FPM keeps hash after {} values: {page}",
        max + 2
    );
}
