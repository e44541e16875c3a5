//! CPU per UpdateGood, counted by callgrind on the benchmark's CPU loops
//! (bench/cpu.rs): the < 85,000 instructions target holds on the
//! path C, PHP and Python call (`jc_update_good`: the good arrives as JSON),
//! not only on the Rust one. Instruction counts, not timings: the same on a
//! loaded machine. They describe the release build that users get; a debug
//! build's counts mean nothing, so this runs with `cargo test --release`
//! (as `make test` does). They do depend on the compiler (pinned in
//! rust-toolchain.toml) and a little on the CPU, through the memcpy and
//! memchr variants chosen at run time: the paths stay at least 10% below the
//! target so that neither fails a green tree.

mod common;

use std::process::Command;

use common::c::{profile, profile_dir, repo, require_tool, without_test_env};

const TARGET: f64 = 85_000.0;

/// Total instructions of `bench cpu VARIANT n` under callgrind.
fn instructions(exe: &std::path::Path, variant: &str, n: u64) -> u64 {
    let file = std::env::temp_dir().join(format!(
        "justclick-cpu-{}-{variant}-{n}.out",
        std::process::id()
    ));
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .args(["cpu", variant, &n.to_string()])
        .output()
        .expect("valgrind runs");
    assert!(
        out.status.success(),
        "callgrind of {variant}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_file(&file);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("an instruction total")
}

/// Per iteration: (count(2n) - count(n)) / n, so the setup cancels out.
fn per_call(exe: &std::path::Path, variant: &str) -> f64 {
    const N: u64 = 200;
    let one = instructions(exe, variant, N);
    let two = instructions(exe, variant, 2 * N);
    (two as f64 - one as f64) / N as f64
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "instruction counts describe the release build: cargo test --release"
)]
fn update_good_costs_under_85k_instructions_on_every_path() {
    require_tool("valgrind", "valgrind");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    without_test_env(&mut cmd)
        .current_dir(repo())
        .args(["build", "--example", "bench"]);
    if profile() == "release" {
        cmd.arg("--release");
    }
    assert!(cmd.status().expect("cargo runs").success());
    let exe = profile_dir().join("examples/bench");

    let rust = per_call(&exe, "update_good");
    let ffi = per_call(&exe, "update_good_ffi");
    eprintln!("instructions per UpdateGood: Rust {rust:.0}, C ABI (from JSON) {ffi:.0}");
    assert!(
        rust < TARGET,
        "Client::update_good: {rust:.0} instructions (target < {TARGET:.0})"
    );
    assert!(
        ffi < TARGET,
        "jc_update_good's path (Good::from_json + the rest): {ffi:.0} instructions (target < {TARGET:.0})"
    );
}

/// Reading the good field by field (serde's path, which reads every good the
/// plain scan does not take, so every error) reports exactly
/// what reading it into a JSON map first did: malformed JSON and duplicate
/// keys anywhere win over field errors, the first field error in document
/// order wins over later ones. (These held before the fast path too.)
#[test]
fn good_from_json_reports_errors_in_the_same_order() {
    use justclick::Good;
    let err = |json: &str| Good::from_json(json).unwrap_err().to_string();
    // Malformed after a field error: malformed.
    assert!(err(r#"{"bogus":1,"good_sum":"#).contains("malformed JSON"));
    assert!(err(r#"{"good_sum":"x","good_name":"a"} x"#).contains("malformed JSON"));
    // Duplicate key after a field error, also an unknown one: duplicate.
    let e = err(r#"{"good_sum":"x","good_title":"a","good_title":"b"}"#);
    assert!(e.contains(r#"duplicate key "good_title""#), "{e}");
    let e = err(r#"{"zz":1,"good_name":"a","zz":2}"#);
    assert!(e.contains(r#"duplicate key "zz""#), "{e}");
    // Duplicate inside a nested value.
    assert!(err(r#"{"good_name":"a","good_title":{"k":1,"k":2}}"#).contains("duplicate key"));
    // The first field error in document order.
    let e = err(r#"{"good_name":"a","good_sum":"x","bogus":1}"#);
    assert!(e.contains("good_sum"), "{e}");
    let e = err(r#"{"good_name":"a","bogus":1,"good_sum":"x"}"#);
    assert!(e.contains("bogus"), "{e}");
    // good_name: required, null counts as absent, text or integer.
    assert!(err(r#"{"good_title":"t"}"#).contains("good_name is required"));
    assert!(err(r#"{"good_name":null}"#).contains("good_name is required"));
    assert_eq!(
        Good::from_json(r#"{"good_name":7}"#).unwrap().good_name,
        "7"
    );
    // Not an object.
    assert!(err("[1]").contains("got a list"), "{}", err("[1]"));
    assert!(err(" 3").contains("got a number"));
    assert!(err("").contains("malformed JSON"));
    // Escaped key names and keys in any order are fields like any other.
    let g = Good::from_json(r#"{"good_sum":5,"good\u005fname":"a","good_title":null}"#).unwrap();
    assert_eq!(
        (g.good_name.as_str(), g.good_sum, g.good_title),
        ("a", Some(5.0), None)
    );
    // Every field round-trips through the fixture.
    let fixture = include_str!("data/super_tovar.json");
    let g = Good::from_json(fixture).unwrap();
    assert_eq!(
        g.encode().unwrap(),
        justclick::encode(&g.to_params().unwrap()).unwrap()
    );
    assert!(g.good_partner_sl_link.is_some() && g.good_publish.is_some());
}
