//! The method table's parameter shapes against real PHP: for random valid
//! parameters of every method in `METHODS` (nested lists `rid[i]`, lists
//! of objects `goods[i][good_name]`, objects `utm[key]`), the bytes the
//! library sends after validation must equal PHP's `http_build_query` of
//! the same parameters as a PHP array, and PHP's `parse_str` of our bytes
//! (what fills `$_POST` on the server) must re-encode to the same bytes.
//!
//! One PHP process, cases streamed as JSON lines. Needs `php` (Debian
//! package `php-cli`); `PHP` selects another binary,
//! `JUSTCLICK_DIFF_CASES` (per method) / `JUSTCLICK_DIFF_SEED` vary the run.

mod common;

use std::io::{BufRead, BufReader, Write};

use common::php::{env_number, php_child, Rng};

use justclick::api::{prepare, Ty, GOODS_KEYS, UTM_KEYS};
use justclick::{encode, Params, METHODS};
use serde_json::{json, Map, Value as Json};

const PHP_SCRIPT: &str = r#"
while (($line = fgets(STDIN)) !== false) {
    $p = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    $built = http_build_query($p);
    parse_str($built, $parsed);
    echo $built, "\t", http_build_query($parsed), "\n";
}
"#;

const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    " ",
    "+",
    "&",
    "=",
    "%",
    "%20",
    "~",
    "*",
    "'",
    "/",
    "?",
    "#",
    "[",
    "]",
    "\"",
    "\\",
    "é",
    "Дорогой друг",
    "日本",
    "😀",
    "-",
    "_",
    ".",
    ",",
    ";",
    "\t",
];

fn text(rng: &mut Rng) -> String {
    (0..1 + rng.below(6))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

fn id(rng: &mut Rng) -> Json {
    if rng.chance() {
        json!(rng.below(100_000))
    } else {
        json!(format!("g{}.{}", rng.below(1000), rng.below(100)))
    }
}

fn number(rng: &mut Rng) -> Json {
    match rng.below(3) {
        0 => json!(1 + rng.below(100_000)),
        1 => json!((1 + rng.below(1_000_000)) as f64 / 100.0),
        _ => json!(format!("{}.{:02}", 1 + rng.below(10_000), rng.below(100))),
    }
}

fn value(rng: &mut Rng, ty: Ty) -> Json {
    match ty {
        Ty::Text => {
            if rng.below(5) == 0 {
                json!(rng.below(1_000_000))
            } else {
                json!(text(rng))
            }
        }
        Ty::Int => json!(rng.below(1_000_000_000)),
        Ty::Number => number(rng),
        Ty::Bool => json!(rng.chance()),
        Ty::Email => json!(format!("u{}+t@ex-{}.ru", rng.below(1000), rng.below(10))),
        Ty::Url => json!(format!("https://shop.example/p?x={}&y=%20", rng.below(100))),
        Ty::DateDmy => json!(format!(
            "{:02}.{:02}.{}",
            1 + rng.below(28),
            1 + rng.below(12),
            1990 + rng.below(40)
        )),
        Ty::DateYmd => json!(format!(
            "{}-{:02}-{:02}",
            1990 + rng.below(40),
            1 + rng.below(12),
            1 + rng.below(28)
        )),
        Ty::UnixSeconds => json!(1 + rng.below(2_000_000_000)),
        Ty::Enum(values) => json!(values[rng.below(values.len())]),
        Ty::IdList => Json::Array((0..1 + rng.below(3)).map(|_| id(rng)).collect()),
        Ty::IdOrList => {
            if rng.chance() {
                id(rng)
            } else {
                Json::Array((0..1 + rng.below(3)).map(|_| id(rng)).collect())
            }
        }
        Ty::Goods => Json::Array(
            (0..1 + rng.below(3))
                .map(|_| {
                    let mut line = Map::new();
                    line.insert(GOODS_KEYS[0].into(), json!(format!("g{}", text(rng))));
                    if rng.chance() {
                        line.insert(GOODS_KEYS[1].into(), number(rng));
                    }
                    Json::Object(line)
                })
                .collect(),
        ),
        Ty::Utm => {
            let mut tags = Map::new();
            for k in UTM_KEYS {
                if rng.chance() {
                    tags.insert((*k).into(), json!(text(rng)));
                }
            }
            Json::Object(tags)
        }
        Ty::TimerKill => {
            if rng.chance() {
                json!(rng.chance())
            } else {
                json!(2 + rng.below(2_000_000_000))
            }
        }
        Ty::Domain => json!(if rng.chance() {
            "shop.example.ru"
        } else {
            "https://shop.example.ru"
        }),
        Ty::Flag => json!("1"),
    }
}

#[test]
fn method_params_encode_as_php_http_build_query() {
    let mut child = php_child(PHP_SCRIPT);
    let per_method: usize = env_number("JUSTCLICK_DIFF_CASES", 300);
    let seed: u64 = env_number("JUSTCLICK_DIFF_SEED", 0x5EED_0014_0001);
    let mut rng = Rng(seed | 1);

    let mut inputs = Vec::new();
    let mut ours = Vec::new();
    for m in METHODS {
        for _ in 0..per_method {
            let mut p = Map::new();
            for param in m.params {
                if param.required && param.ty == Ty::Text {
                    p.insert(param.name.into(), json!(format!("r{}", text(&mut rng))));
                } else if param.required || rng.chance() {
                    p.insert(param.name.into(), value(&mut rng, param.ty));
                }
            }
            if m.name == "UpdateOrderStatus" {
                // Its cross-field rules: date for sent/paid, rpo for sent.
                p.insert("date".into(), json!(1 + rng.below(2_000_000_000)));
                p.insert("rpo".into(), json!(format!("RA{}", rng.below(1000))));
            }
            if m.good_fields {
                // Product fields are typed by src/good.rs, which sends a
                // price as a number: "990.50" goes out as 990.5.
                if let Some(Json::String(sum)) = p.get("good_sum") {
                    let n: f64 = sum.parse().unwrap();
                    p.insert("good_sum".into(), json!(n));
                }
            }
            // A scalar rid is sent as the documented list rid[0]: PHP gets the list.
            if let Some(rid) = p.get_mut("rid") {
                if !rid.is_array() {
                    *rid = Json::Array(vec![rid.clone()]);
                }
            }
            let input = Json::Object(p);
            let text = input.to_string();
            let params = Params::from_json(&text).unwrap();
            let sent =
                prepare(m.name, &params).unwrap_or_else(|e| panic!("{} {text}: {e}", m.name));
            let body = encode(&sent).unwrap_or_else(|e| panic!("{} {text}: {e}", m.name));
            inputs.push(text.clone());
            ours.push((m.name, text, body));
        }
    }

    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for line in inputs {
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.write_all(b"\n").unwrap();
        }
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for (name, text, body) in &ours {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("PHP stopped before {name} {text}"))
            .unwrap();
        let (built, reparsed) = line.split_once('\t').expect("two columns");
        assert_eq!(body, built, "{name} {text}: ours vs PHP http_build_query");
        assert_eq!(
            body, reparsed,
            "{name} {text}: PHP's parse_str of our bytes re-encodes differently"
        );
    }
    feeder.join().unwrap();
    assert!(child.wait().unwrap().success());
    assert!(ours.len() >= METHODS.len());
}
