//! What the other languages' suites test: by default the release library
//! and sandbox (the build users install and the benchmark measures), the one
//! `make test` builds once for every suite.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::c::{cargo_build_lib, repo};

/// The "library PATH" and "sandbox PATH" lines a runner prints with
/// JUSTCLICK_TEST_PRINT_PATHS=1, under `profile` (None: the default).
fn paths(script: &str, profile: Option<&str>) -> (PathBuf, PathBuf) {
    let mut cmd = Command::new(repo().join(script));
    cmd.env("JUSTCLICK_TEST_PRINT_PATHS", "1")
        .env_remove("JUSTCLICK_TEST_LIB")
        .env_remove("JUSTCLICK_TEST_SANDBOX_BIN")
        .env_remove("JUSTCLICK_TEST_PROFILE");
    if let Some(p) = profile {
        cmd.env("JUSTCLICK_TEST_PROFILE", p);
    }
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
    (line("library "), line("sandbox "))
}

#[test]
fn php_and_python_suites_test_the_release_build() {
    let release = repo().join("target/release");
    for script in ["examples/php/run-tests.sh", "examples/python/run-tests.sh"] {
        let (lib, sandbox) = paths(script, None);
        assert_eq!(lib, release.join("libjustclick.so"), "{script}");
        assert_eq!(sandbox, release.join("justclick-sandbox"), "{script}");
        // A developer's debug build on request.
        let (lib, _) = paths(script, Some("debug"));
        assert_eq!(lib, repo().join("target/debug/libjustclick.so"), "{script}");
    }
}

/// `make test` builds one profile, release with the sandbox, and runs the
/// Rust tests on that same build (no second, debug compilation).
#[test]
fn make_test_builds_one_profile() {
    let out = Command::new("make")
        .current_dir(repo())
        .args(["-n", "test"])
        .output()
        .expect("make runs");
    assert!(out.status.success());
    let plan = String::from_utf8_lossy(&out.stdout);
    let cargo_builds: Vec<&str> = plan
        .lines()
        .filter(|l| l.contains("cargo build") || l.contains("cargo test"))
        .collect();
    assert!(!cargo_builds.is_empty(), "{plan}");
    for line in &cargo_builds {
        assert!(
            line.contains("--release") && line.contains("--features sandbox"),
            "`make test` builds another profile or feature set: {line}\n{plan}"
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
