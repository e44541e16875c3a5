//! What `make test` builds, and what each suite loads: the PHP, Python and
//! C/C++ suites the shipped library (the release archive's), the panic
//! tests alone the test build with its hooks. Every compilation `make test`
//! runs is listed here with its reason, so that the claim in the README
//! cannot drift from the Makefile.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use common::c::{cargo_build_lib, repo};

/// The "library", "hooks" and "sandbox" lines a runner prints with
/// JUSTCLICK_TEST_PRINT_PATHS=1, with `env` set.
fn paths(script: &str, env: &[(&str, &str)]) -> (PathBuf, PathBuf, PathBuf) {
    let mut cmd = Command::new(repo().join(script));
    cmd.env("JUSTCLICK_TEST_PRINT_PATHS", "1")
        .env_remove("JUSTCLICK_TEST_LIB")
        .env_remove("JUSTCLICK_TEST_SANDBOX_BIN")
        .env_remove("JUSTCLICK_TEST_PROFILE")
        .envs(env.iter().copied());
    let out = cmd.output().unwrap_or_else(|e| panic!("{script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("{script} printed no `{key}` line:\n{stdout}"))
    };
    (line("library "), line("hooks "), line("sandbox "))
}

#[test]
fn php_and_python_suites_load_the_library_they_are_given_and_hooks_from_the_test_build() {
    let release = repo().join("target/release");
    for script in ["bindings/php/run-tests.sh", "bindings/python/run-tests.sh"] {
        // Alone: the release build.
        let (lib, hooks, sandbox) = paths(script, &[]);
        assert_eq!(lib, release.join("libjustclick.so"), "{script}");
        assert_eq!(hooks, release.join("hooks/libjustclick.so"), "{script}");
        assert_eq!(sandbox, release.join("justclick-sandbox"), "{script}");
        // As `make test` runs them: the shipped library; the hooks and the
        // sandbox stay the test build's.
        let shipped = "/opt/justclick-x/lib/libjustclick.so";
        let (lib, hooks, sandbox) = paths(script, &[("JUSTCLICK_TEST_LIB", shipped)]);
        assert_eq!(lib, PathBuf::from(shipped), "{script}");
        assert_eq!(hooks, release.join("hooks/libjustclick.so"), "{script}");
        assert_eq!(sandbox, release.join("justclick-sandbox"), "{script}");
        // A developer's debug build on request.
        let (lib, _, _) = paths(script, &[("JUSTCLICK_TEST_PROFILE", "debug")]);
        assert_eq!(lib, repo().join("target/debug/libjustclick.so"), "{script}");
    }
}

/// The commands `make test` runs (`make -n`), without comments.
fn make_test_plan() -> Vec<String> {
    // Without cargo's CARGO (an absolute path), the plan shows the
    // Makefile's own `cargo`.
    let out = Command::new("make")
        .current_dir(repo())
        .env_remove("CARGO")
        .args(["-n", "test"])
        .output()
        .expect("make runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn make_test_runs_the_php_python_and_c_suites_against_the_shipped_archive() {
    let plan = make_test_plan();
    let shipped = repo().join("target/shipped");
    let shipped = shipped.to_str().unwrap();
    let find = |needle: &str| {
        plan.iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("`make test` never runs {needle}:\n{}", plan.join("\n")))
    };
    for runner in ["bindings/php/run-tests.sh", "bindings/python/run-tests.sh"] {
        let line = find(runner);
        assert!(
            line.contains(&format!("JUSTCLICK_TEST_LIB={shipped}/"))
                && line.contains("/lib/libjustclick.so"),
            "{line}"
        );
    }
    let rust = find("cargo test --");
    assert!(
        rust.contains(&format!("JUSTCLICK_TEST_SHIPPED={shipped}/")),
        "{rust}"
    );
    // The archive is unpacked before any suite runs.
    let unpack = plan
        .iter()
        .position(|l| l.starts_with("tar -xzf dist/") && l.contains(shipped))
        .expect("make test unpacks the archive");
    let first_suite = plan
        .iter()
        .position(|l| l.contains("cargo test --") || l.contains("run-tests.sh"))
        .unwrap();
    assert!(unpack < first_suite, "{}", plan.join("\n"));
}

/// Every cargo command that compiles Rust code, in `make test` and in the
/// scripts it runs, and why it is a build of its own.
const BUILDS: &[(&str, &str)] = &[
    (
        "cargo clippy --workspace --all-targets",
        "lint: a check build of every target (no code generated)",
    ),
    (
        "cargo build --release",
        "the test build: the library and the sandbox binary of the workspace (the Rust tests reuse it)",
    ),
    (
        "cargo build -q \"${flag[@]}\" --lib -p justclick --features test-hooks",
        "the library with the test hooks, for the panic tests (tests/hooks-lib.sh): only the justclick crate is compiled again",
    ),
    (
        "cargo build -q \"${flag[@]}\" --lib -p justclick",
        "tests/hooks-lib.sh puts the plain library back (compiles nothing)",
    ),
    (
        "cargo test --release",
        "the Rust tests on the test build above (only the test binaries are new)",
    ),
    (
        "cargo zigbuild --release --lib --target",
        "the shipped library (glibc 2.17, packaging/dist.sh): what the PHP, Python and C/C++ suites load",
    ),
    (
        "cargo zigbuild --release -p justclick-cli --bin justclick --target",
        "the shipped `justclick` command line (glibc 2.28, packaging/dist.sh; it reuses the library's dependencies built just before)",
    ),
    (
        "cargo fuzz build",
        "the fuzz targets (fuzz/smoke.sh): ASan and coverage instrumentation, a build of its own",
    ),
    (
        "cargo install cargo-fuzz",
        "the cargo-fuzz tool, only when it is not installed yet",
    ),
    (
        "cargo fuzz run",
        "runs a fuzz target; its build above is reused",
    ),
];

/// The cargo commands of a shell script (a command position: the line
/// starts with it, after `VAR=value` assignments and `if`/`!`), skipping
/// mentions inside messages and comments.
fn cargo_commands(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in script.lines().map(str::trim) {
        let mut words: Vec<&str> = line.split_whitespace().collect();
        while let Some(w) = words.first() {
            if matches!(*w, "if" | "!" | "then" | "do") || (w.contains('=') && !w.starts_with('-'))
            {
                words.remove(0);
            } else {
                break;
            }
        }
        // A script's `"$cargo"` is the cargo it was given.
        if let Some(w) = words.first_mut() {
            if *w == "\"$cargo\"" {
                *w = "cargo";
            }
        }
        if words.first() == Some(&"cargo") {
            let cmd: Vec<&str> = words
                .iter()
                .take_while(|w| {
                    !matches!(**w, "||" | "&&" | ";" | ">" | "|") && !w.starts_with('>')
                })
                .copied()
                .collect();
            out.push(cmd.join(" "));
        }
    }
    out
}

#[test]
fn every_build_make_test_runs_is_one_of_the_listed_ones() {
    let plan = make_test_plan();
    let mut commands = Vec::new();
    for line in &plan {
        commands.extend(cargo_commands(line));
        // The scripts the plan runs, read for their own cargo commands.
        for word in line.split_whitespace() {
            let path = repo().join(word);
            if word.ends_with(".sh") && path.is_file() {
                commands.extend(cargo_commands(&std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for cmd in &commands {
        if cmd.starts_with("cargo fmt") || cmd.ends_with(" --version") {
            continue; // formats or asks; compiles nothing
        }
        let (prefix, _) = BUILDS
            .iter()
            .find(|(prefix, _)| cmd.starts_with(prefix))
            .unwrap_or_else(|| {
                panic!("`make test` runs `{cmd}`, which is not in the list of its builds (tests/suites.rs BUILDS, README's Testing section)")
            });
        seen.insert(*prefix);
    }
    for (prefix, why) in BUILDS {
        assert!(
            seen.contains(prefix),
            "`{prefix}` ({why}) is listed but `make test` no longer runs it"
        );
    }
}

/// The cargo a test starts to build the C programs' library finds it built
/// by `cargo test` and compiles nothing; before, the variables cargo sets
/// for tests made ring's build script run again, twice per `make test`.
#[test]
fn the_library_build_started_by_tests_compiles_nothing() {
    let out = cargo_build_lib();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("Compiling"), "{log}");
}

#[test]
fn the_test_hooks_are_not_in_the_shipped_library() {
    // Read from the archive `make test` unpacked; plain `cargo test` has
    // none to read and says so.
    let Some(dir) = common::c::shipped() else {
        eprintln!(
            "JUSTCLICK_TEST_SHIPPED is not set (plain cargo test): nothing shipped to inspect"
        );
        return;
    };
    let so = std::fs::read(dir.join("lib/libjustclick.so.0")).unwrap();
    for hook in [&b"jc_test_panic"[..], b"SandboxPanic"] {
        assert!(
            !so.windows(hook.len()).any(|w| w == hook),
            "the shipped library contains {}",
            String::from_utf8_lossy(hook)
        );
    }
}
