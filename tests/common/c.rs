//! Building and running C/C++ programs against the library from `cargo test`.
//!
//! `cargo test` does not rebuild the cdylib, so [`cdylib`] runs `cargo build`
//! (same profile and features as the tests, so nothing is compiled twice)
//! and links `libjustclick.so.0` in a private directory: the SONAME is what
//! the loader looks for, and build.rs must not write outside OUT_DIR.
//! A missing compiler or valgrind fails the test and names the Debian
//! package; nothing is skipped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// target/<profile>, derived from this test binary's own location.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf() // target/debug/deps/x -> target/debug
}

/// Panics with the Debian package to install when `tool` is missing.
pub fn require_tool(tool: &str, package: &str) {
    let found = Command::new(tool).arg("--version").output().is_ok();
    assert!(
        found,
        "`{tool}` not found: install the Debian package {package} (apt-get install -y {package})"
    );
}

/// Builds the cdylib and returns the directory to link against and load
/// from (holds libjustclick.so and libjustclick.so.0).
pub fn cdylib() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(repo())
            .args(["build", "--lib", "--features", "sandbox"]);
        if profile_dir().ends_with("release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "cargo build of the cdylib failed");
        let so = profile_dir().join("libjustclick.so");
        assert!(so.exists(), "{} missing", so.display());
        let dir = profile_dir().join("c-tests-lib");
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["libjustclick.so", "libjustclick.so.0"] {
            let link = dir.join(name);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&so, &link).unwrap();
        }
        dir
    })
}

/// The sandbox binary built alongside the tests.
pub fn sandbox_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_justclick-sandbox"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    C,
    Cxx,
}

/// Compiles `sources` into `out_name` (in target/<profile>/c-tests),
/// strict warnings, optionally with ASan+UBSan.
pub fn compile(out_name: &str, sources: &[PathBuf], lang: Lang, sanitize: bool) -> PathBuf {
    let (compiler, std_flag, package) = match lang {
        Lang::C => (
            std::env::var("CC").unwrap_or_else(|_| "cc".into()),
            "-std=c11",
            "gcc",
        ),
        Lang::Cxx => (
            std::env::var("CXX").unwrap_or_else(|_| "c++".into()),
            "-std=c++17",
            "g++",
        ),
    };
    require_tool(&compiler, package);
    let lib = cdylib();
    let out_dir = profile_dir().join("c-tests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join(out_name);
    let mut cmd = Command::new(&compiler);
    cmd.args([
        std_flag,
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-g",
        "-O1",
        "-pthread",
    ])
    .arg(format!("-I{}", repo().join("include").display()));
    if sanitize {
        cmd.args([
            "-fsanitize=address,undefined",
            "-fno-omit-frame-pointer",
            "-fno-sanitize-recover=all",
        ]);
    }
    cmd.args(sources)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg("-ljustclick")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    assert!(
        out.status.success(),
        "compiling {out_name} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// Valgrind suppressions for known false positives (ring's assembly).
pub fn valgrind_suppressions() -> PathBuf {
    repo().join("tests/valgrind.supp")
}

/// Runs `exe` under valgrind memcheck: any error or leak (definite,
/// indirect, possible) makes it fail. Returns the output for assertions.
pub fn run_valgrind(exe: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    require_tool("valgrind", "valgrind");
    let mut cmd = Command::new("valgrind");
    cmd.args([
        "--error-exitcode=1",
        "--leak-check=full",
        "--show-leak-kinds=definite,indirect,possible",
        "--errors-for-leak-kinds=definite,indirect,possible",
        "--track-origins=yes",
        "--quiet",
    ]);
    let supp = valgrind_suppressions();
    if supp.exists() {
        cmd.arg(format!("--suppressions={}", supp.display()));
    }
    cmd.arg(exe).args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("valgrind runs");
    assert!(
        out.status.success(),
        "{} under valgrind failed ({}):\nstdout:\n{}\nstderr:\n{}",
        exe.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `exe` directly (e.g. an ASan build) and requires success.
pub fn run(exe: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(exe);
    cmd.args(args)
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:halt_on_error=1:abort_on_error=0",
        )
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("test program runs");
    assert!(
        out.status.success(),
        "{} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        exe.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
