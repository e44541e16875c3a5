//! Building and running C/C++ programs against the library from `cargo test`.
//!
//! The library under test is the shipped one when `JUSTCLICK_TEST_SHIPPED`
//! names an unpacked release archive (`make test` sets it): programs are
//! compiled with the archive's headers, linked with the flags of its
//! `justclick.pc` and load its `lib/libjustclick.so.0`. Otherwise (plain
//! `cargo test`) they use this build's cdylib: `cargo test` does not rebuild
//! it, so [`cdylib`] runs `cargo build` (same profile and features as the
//! tests, so nothing is compiled twice) and links `libjustclick.so.0` in a
//! private directory: the SONAME is what the loader looks for, and build.rs
//! must not write outside OUT_DIR. Programs that call the test hooks
//! (`jc_test_panic`), which the shipped library does not have, always use
//! this build ([`Against::TestBuild`]).
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
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf() // target/debug/deps/x -> target/debug
}

/// "release" or "debug": the profile of this test binary, which the C
/// programs, the installed library and the other suites use too, so that
/// `cargo test --release` compiles nothing twice.
pub fn profile() -> &'static str {
    if profile_dir().ends_with("release") {
        "release"
    } else {
        "debug"
    }
}

/// Panics with the Debian package to install when `tool` is missing.
pub fn require_tool(tool: &str, package: &str) {
    let found = Command::new(tool).arg("--version").output().is_ok();
    assert!(
        found,
        "`{tool}` not found: install the Debian package {package} (apt-get install -y {package})"
    );
}

/// Clears from `cmd` the variables cargo sets for a running test
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, `OUT_DIR`...). A cargo started by a
/// test would otherwise see them, and build scripts that watch them (ring's
/// watches `CARGO_MANIFEST_DIR`) would rebuild their crates, and again at the
/// next plain cargo command: minutes of `make test` spent compiling twice.
pub fn without_test_env(cmd: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        let Some(k) = key.to_str() else { continue };
        let set_by_cargo_for_tests = k == "OUT_DIR"
            || k.starts_with("CARGO_PKG_")
            || k.starts_with("CARGO_BIN_")
            || k.starts_with("CARGO_MANIFEST_")
            || matches!(
                k,
                "CARGO_CRATE_NAME" | "CARGO_PRIMARY_PACKAGE" | "CARGO_TARGET_TMPDIR"
            )
            || k.starts_with("CARGO_RUSTC_CURRENT_DIR");
        if set_by_cargo_for_tests {
            cmd.env_remove(&key);
        }
    }
    cmd
}

/// `cargo build` of `args` in this test binary's profile, with the
/// variables cargo sets for tests cleared. Returns cargo's output.
pub fn cargo_build(args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    without_test_env(&mut cmd)
        .current_dir(repo())
        .arg("build")
        .args(args);
    if profile() == "release" {
        cmd.arg("--release");
    }
    let out = cmd.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo build {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `cargo build --lib -p justclick` in this test binary's profile: the
/// cdylib the C programs load. `cargo test` built the same library already,
/// so this normally compiles nothing. Returns cargo's output.
pub fn cargo_build_lib() -> Output {
    cargo_build(&["--lib", "-p", "justclick"])
}

/// The cdylib builds share target/<profile>/libjustclick.so, which the
/// hooks build overwrites for a moment: one at a time in this process.
static BUILDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Copies target/<profile>/libjustclick.so into `dir` as libjustclick.so
/// and libjustclick.so.0 (replaced atomically: another test may be loading
/// the old copy).
fn copy_cdylib(dir: &Path) {
    let so = profile_dir().join("libjustclick.so");
    assert!(so.exists(), "{} missing", so.display());
    std::fs::create_dir_all(dir).unwrap();
    for name in ["libjustclick.so", "libjustclick.so.0"] {
        let tmp = dir.join(format!(".{name}.{}", std::process::id()));
        std::fs::copy(&so, &tmp).unwrap();
        std::fs::rename(&tmp, dir.join(name)).unwrap();
    }
}

/// The library with the test hooks (`jc_test_panic`, `SandboxPanic`), as
/// tests/hooks-lib.sh makes it (`make test-build` runs the same script for
/// the PHP and Python panic tests): target/<profile>/hooks/.
pub fn hooks_cdylib() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
        let mut cmd = Command::new(repo().join("tests/hooks-lib.sh"));
        without_test_env(&mut cmd).arg(profile());
        let out = cmd.output().expect("tests/hooks-lib.sh runs");
        assert!(
            out.status.success(),
            "tests/hooks-lib.sh failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dir = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        assert_eq!(dir, profile_dir().join("hooks"));
        dir
    })
}

/// The unpacked release archive under test (`JUSTCLICK_TEST_SHIPPED`), if
/// any; a path that is not one fails the test.
pub fn shipped() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(std::env::var_os("JUSTCLICK_TEST_SHIPPED")?);
        for f in [
            "lib/libjustclick.so.0",
            "lib/pkgconfig/justclick.pc",
            "include/justclick.h",
            "include/justclick.hpp",
        ] {
            assert!(
                dir.join(f).exists(),
                "JUSTCLICK_TEST_SHIPPED={}: no {f} (not an unpacked release archive; `make dist` makes one)",
                dir.display()
            );
        }
        Some(dir)
    })
    .as_deref()
}

/// Which library a test program is built against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Against {
    /// The shipped archive when `make test` names one, else this build.
    UnderTest,
    /// This build with the test hooks ([`hooks_cdylib`]), always.
    TestBuild,
}

/// The directory holding `libjustclick.so.0` of the library under test:
/// the archive's `lib/`, or this build's cdylib.
pub fn lib_dir() -> PathBuf {
    match shipped() {
        Some(dir) => dir.join("lib"),
        None => cdylib().to_path_buf(),
    }
}

/// Builds the cdylib and returns the directory to link against and load
/// from (holds copies named libjustclick.so and libjustclick.so.0).
pub fn cdylib() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
        cargo_build_lib();
        let dir = profile_dir().join("c-tests-lib");
        copy_cdylib(&dir);
        dir
    })
}

/// The `justclick-sandbox` binary of this profile (a workspace member's:
/// `cargo test` at the root builds it; `cargo test -p justclick` alone
/// gets it built here).
pub fn sandbox_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        cargo_build(&["-p", "justclick-sandbox", "--bin", "justclick-sandbox"]);
        let bin = profile_dir().join("justclick-sandbox");
        assert!(bin.is_file(), "{} missing", bin.display());
        bin
    })
    .clone()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    C,
    Cxx,
}

/// Compiles `sources` into `out_name` (in target/<profile>/c-tests),
/// strict warnings, optionally with ASan+UBSan.
pub fn compile(out_name: &str, sources: &[PathBuf], lang: Lang, sanitize: bool) -> PathBuf {
    compile_with(out_name, sources, lang, sanitize, &[])
}

/// [`compile`] with `extra` compiler arguments (more warnings, `-I` paths)
/// placed before the sources.
pub fn compile_with(
    out_name: &str,
    sources: &[PathBuf],
    lang: Lang,
    sanitize: bool,
    extra: &[&str],
) -> PathBuf {
    compile_against(Against::UnderTest, out_name, sources, lang, sanitize, extra)
}

/// The compiler and linker arguments for the library `against`: the
/// archive's `justclick.pc` (through pkg-config) plus an rpath to its
/// `lib/`, or this build's headers and cdylib.
fn library_flags(against: Against) -> Vec<String> {
    match (against, shipped()) {
        (Against::UnderTest, Some(dir)) => {
            require_tool("pkg-config", "pkg-config");
            let out = Command::new("pkg-config")
                .env("PKG_CONFIG_PATH", dir.join("lib/pkgconfig"))
                .args(["--cflags", "--libs", "justclick"])
                .output()
                .expect("pkg-config runs");
            assert!(
                out.status.success(),
                "pkg-config of the shipped justclick.pc failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut flags: Vec<String> = String::from_utf8(out.stdout)
                .unwrap()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            flags.push(format!("-Wl,-rpath,{}", dir.join("lib").display()));
            flags
        }
        (against, _) => {
            let lib = if against == Against::TestBuild {
                hooks_cdylib()
            } else {
                cdylib()
            };
            vec![
                format!("-I{}", repo().join("include").display()),
                format!("-L{}", lib.display()),
                "-ljustclick".to_owned(),
                format!("-Wl,-rpath,{}", lib.display()),
            ]
        }
    }
}

/// [`compile_with`] against a chosen library.
pub fn compile_against(
    against: Against,
    out_name: &str,
    sources: &[PathBuf],
    lang: Lang,
    sanitize: bool,
    extra: &[&str],
) -> PathBuf {
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
    let library = library_flags(against);
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
    ]);
    if sanitize {
        cmd.args([
            "-fsanitize=address,undefined",
            "-fno-omit-frame-pointer",
            "-fno-sanitize-recover=all",
        ]);
    }
    cmd.args(extra);
    // Cflags before the sources, libraries after them.
    let (cflags, libs): (Vec<&String>, Vec<&String>) = library
        .iter()
        .partition(|f| f.starts_with("-I") || f.starts_with("-D"));
    cmd.args(cflags)
        .args(sources)
        .arg("-o")
        .arg(&exe)
        .args(libs);
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

/// A `justclick-sandbox` child process on an ephemeral loopback port. It
/// runs with `--exit-on-stdin-eof`, so dropping this (which closes its
/// stdin) stops it even if the test panics; a sandbox that does not exit
/// within 10 s is killed.
pub struct SandboxProcess {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    /// `http://127.0.0.1:PORT` or `https://...` with `--tls`.
    pub base_url: String,
    /// The test CA (PEM file) when started with `--tls`.
    pub ca_file: Option<PathBuf>,
}

impl SandboxProcess {
    /// Starts the sandbox for `super::LOGIN`/`super::SECRET` with extra
    /// arguments (`--tls`, `--fault MODE`, ...).
    pub fn start(extra: &[&str]) -> SandboxProcess {
        use std::io::BufRead;
        let mut cmd = Command::new(sandbox_bin());
        cmd.args([
            "--port",
            "0",
            "--login",
            super::LOGIN,
            "--exit-on-stdin-eof",
        ])
        // The secret through the environment, not the command line (ps).
        .env("JUSTCLICK_SANDBOX_SECRET", super::SECRET)
        .args(extra)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
        if extra.contains(&"--tls") && !extra.contains(&"--ca-out") {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let dir = profile_dir().join("c-tests");
            std::fs::create_dir_all(&dir).unwrap();
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = dir.join(format!("sandbox-ca-{}-{n}.pem", std::process::id()));
            cmd.arg("--ca-out").arg(path);
        }
        let mut child = cmd.spawn().expect("justclick-sandbox starts");
        let stdin = child.stdin.take();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let (mut base_url, mut ca_file) = (String::new(), None);
        let tls = extra.contains(&"--tls");
        while base_url.is_empty() || (tls && ca_file.is_none()) {
            let mut line = String::new();
            let n = out.read_line(&mut line).expect("sandbox stdout");
            assert!(
                n > 0,
                "justclick-sandbox exited before printing its address"
            );
            if let Some(url) = line.trim().strip_prefix("listening on ") {
                base_url = url.to_owned();
            } else if let Some(path) = line.trim().strip_prefix("ca_file ") {
                ca_file = Some(PathBuf::from(path));
            }
        }
        SandboxProcess {
            child,
            stdin,
            base_url,
            ca_file,
        }
    }

    /// The environment the C tests read (`JC_TEST_*`).
    pub fn test_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("JC_TEST_BASE_URL", self.base_url.clone()),
            ("JC_TEST_LOGIN", super::LOGIN.to_owned()),
            ("JC_TEST_SECRET", super::SECRET.to_owned()),
            ("JC_TEST_VERSION", env!("CARGO_PKG_VERSION").to_owned()),
        ];
        if let Some(ca) = &self.ca_file {
            env.push(("JC_TEST_CA_FILE", ca.display().to_string()));
        }
        env
    }

    /// The environment the examples read (`JUSTCLICK_*`).
    pub fn example_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("JUSTCLICK_BASE_URL", self.base_url.clone()),
            ("JUSTCLICK_LOGIN", super::LOGIN.to_owned()),
            ("JUSTCLICK_SECRET", super::SECRET.to_owned()),
        ];
        if let Some(ca) = &self.ca_file {
            env.push(("JUSTCLICK_CA_FILE", ca.display().to_string()));
        }
        env
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
            }
        }
        if let Some(ca) = &self.ca_file {
            let _ = std::fs::remove_file(ca);
        }
    }
}

/// `(&str, &str)` pairs for [`run`] and [`run_valgrind`].
pub fn env_refs<'a>(env: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
