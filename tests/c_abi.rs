//! The C ABI from C and C++: the test programs in tests/c/ run against a
//! `justclick-sandbox` child process, each under valgrind (zero errors, zero
//! leaks) and once more built with `-fsanitize=address,undefined`; the
//! header compiles as C11 and C++17 and can be included twice; the C and
//! C++ examples run against the sandbox; `make install` yields a prefix a
//! C program builds against with pkg-config.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{LOGIN, SECRET};

use common::c::*;

fn c_source(name: &str) -> PathBuf {
    repo().join("tests/c").join(name)
}

/// Builds tests/c/<name>.c with the shared helpers, against the library
/// under test (tests/c/hooks.c: against this build, which has the hooks).
fn c_test(name: &str, sanitize: bool) -> PathBuf {
    let out = if sanitize {
        format!("{name}-asan")
    } else {
        name.to_owned()
    };
    let against = if name == "hooks" {
        Against::TestBuild
    } else {
        Against::UnderTest
    };
    compile_against(
        against,
        &out,
        &[c_source(&format!("{name}.c")), c_source("jc_test.c")],
        Lang::C,
        sanitize,
        &[],
    )
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The program must have printed its PASS line with at least `min` checks:
/// a program that exits 0 without testing anything fails here.
fn assert_passed(out: &Output, name: &str, min: usize) {
    let text = stdout(out);
    let prefix = format!("PASS {name}: ");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{text}"));
    let n: usize = line[prefix.len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(n >= min, "{name}: only {n} checks ran (expected >= {min})");
}

/// Runs tests/c/<name>.c against a fresh sandbox (started with `sandbox_args`).
fn run_c_test(name: &str, sanitize: bool, sandbox_args: &[&str], min_checks: usize) {
    let exe = c_test(name, sanitize);
    let sb = SandboxProcess::start(sandbox_args);
    let env = sb.test_env();
    let out = if sanitize {
        run(&exe, &[], &env_refs(&env))
    } else {
        run_valgrind(&exe, &[], &env_refs(&env))
    };
    assert_passed(&out, name, min_checks);
}

#[test]
fn api_under_valgrind() {
    run_c_test("api", false, &[], 150);
}

#[test]
fn api_with_sanitizers() {
    run_c_test("api", true, &[], 150);
}

/// The C programs load the library under test: the shipped archive's
/// `lib/libjustclick.so.0` when `make test` names one, else this build's
/// (the hooks program always this build's).
#[test]
fn c_programs_load_the_library_under_test() {
    require_tool("ldd", "libc-bin");
    let loaded = |exe: &Path| -> PathBuf {
        let out = Command::new("ldd").arg(exe).output().expect("ldd runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let line = text
            .lines()
            .find(|l| l.contains("libjustclick.so.0"))
            .unwrap_or_else(|| panic!("{} does not load libjustclick:\n{text}", exe.display()));
        let path = line
            .split("=>")
            .nth(1)
            .unwrap()
            .split(" (")
            .next()
            .unwrap()
            .trim();
        std::fs::canonicalize(path).unwrap()
    };
    let real = |dir: PathBuf| std::fs::canonicalize(dir.join("libjustclick.so.0")).unwrap();
    assert_eq!(loaded(&c_test("api", false)), real(lib_dir()));
    assert_eq!(
        loaded(&c_test("hooks", false)),
        real(hooks_cdylib().to_path_buf())
    );
    if let Some(dir) = shipped() {
        assert_eq!(real(lib_dir()), real(dir.join("lib")));
        assert_ne!(
            real(lib_dir()),
            real(cdylib().to_path_buf()),
            "the shipped library is a build of its own"
        );
    }
}

/// The panic guard through the test build's hooks (the shipped library
/// has none, see tests/c/hooks.c).
#[test]
fn hooks_under_valgrind() {
    run_c_test("hooks", false, &[], 8);
}

#[test]
fn hooks_with_sanitizers() {
    run_c_test("hooks", true, &[], 8);
}

#[test]
fn faults_under_valgrind() {
    run_c_test("faults", false, &[], 100);
}

#[test]
fn faults_with_sanitizers() {
    run_c_test("faults", true, &[], 100);
}

#[test]
fn threads_under_valgrind() {
    run_c_test("threads", false, &[], 8 * 200);
}

#[test]
fn threads_with_sanitizers() {
    run_c_test("threads", true, &[], 8 * 200);
}

/// The per-method functions and jc_verify_notification (tests/c/methods.c).
#[test]
fn methods_under_valgrind() {
    run_c_test("methods", false, &[], 150);
}

#[test]
fn methods_with_sanitizers() {
    run_c_test("methods", true, &[], 150);
}

#[test]
fn tls_under_valgrind() {
    run_c_test("tls", false, &["--tls"], 6);
}

#[test]
fn tls_with_sanitizers() {
    run_c_test("tls", true, &["--tls"], 6);
}

/// Warnings beyond -Wall -Wextra -pedantic that a user's build may enable:
/// the public header and the examples must stay clean under them.
const STRICT_C: &[&str] = &[
    "-Wundef",
    "-Wshadow",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wstrict-prototypes",
    "-Wmissing-prototypes",
    "-Wold-style-definition",
];
const STRICT_CXX: &[&str] = &[
    "-Wundef",
    "-Wshadow",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wold-style-cast",
    "-Wzero-as-null-pointer-constant",
];

/// The header, included twice, compiles with -Wall -Wextra -pedantic
/// -Werror (and [`STRICT_C`] / [`STRICT_CXX`]) in every C standard from C99
/// and every C++ standard from C++11, and its declarations have the
/// documented types.
#[test]
fn header_compiles_in_every_standard_included_twice() {
    for (std, version) in [("c99", 199901), ("c11", 201112), ("c17", 201710)] {
        let flag = format!("-std={std}");
        let mut flags = STRICT_C.to_vec();
        flags.push(&flag);
        let exe = compile_with(
            &format!("header-{std}"),
            &[c_source("header_twice.c")],
            Lang::C,
            false,
            &flags,
        );
        assert_passed(&run(&exe, &[], &[]), &format!("header (C {version})"), 1);
    }
    for (std, version) in [
        ("c++11", 201103),
        ("c++14", 201402),
        ("c++17", 201703),
        ("c++20", 202002),
    ] {
        let flag = format!("-std={std}");
        let mut flags = STRICT_CXX.to_vec();
        flags.push(&flag);
        let exe = compile_with(
            &format!("header-{std}"),
            &[c_source("header_twice.cpp")],
            Lang::Cxx,
            false,
            &flags,
        );
        assert_passed(&run(&exe, &[], &[]), &format!("header (C++ {version})"), 1);
    }
}

/// The lines every example prints against the sandbox's seed data.
const EXAMPLE_LINES: &[&str] = &[
    "DeleteOrder 1111 ",
    "UpdateOrderStatus 100000 sent ",
    "GetBills client@example.com paid ",
    "UpdateGood super_tovar ",
    "GetAllGoods (",
    "2 calls with ",
];

fn check_example_output(out: &Output) {
    let text = stdout(out);
    for prefix in EXAMPLE_LINES {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{text}"));
        // "%-34s %-16s %s": the outcome column starts at byte 35.
        assert!(
            line.get(35..).is_some_and(|o| o.starts_with("ok ")),
            "{line}"
        );
    }
    let again = text
        .lines()
        .find(|l| l.starts_with("DeleteOrder 1111 again"))
        .unwrap_or_else(|| panic!("no handled error in:\n{text}"));
    assert!(again.contains("api") && again.contains("200"), "{again}");
    assert!(text.ends_with("all calls ended as expected\n"), "{text}");
    assert!(!text.contains("UNEXPECTED"), "{text}");
    assert!(!text.contains(SECRET));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(SECRET));
}

/// Builds examples/c/example.c as `name` (each test its own file: tests run
/// in parallel, and a binary being rewritten cannot be executed).
fn c_example(name: &str, sanitize: bool) -> PathBuf {
    compile_with(
        name,
        &[repo().join("examples/c/example.c")],
        Lang::C,
        sanitize,
        STRICT_C,
    )
}

#[test]
fn c_example_runs_against_the_sandbox_under_valgrind() {
    // The example shows the options builder, not hand-written JSON.
    let src = std::fs::read_to_string(repo().join("examples/c/example.c")).unwrap();
    assert!(
        src.contains("jc_options_new(") && src.contains("jc_client_new_with_options("),
        "examples/c/example.c must configure the client with the options builder"
    );
    assert!(
        !src.contains("jc_client_new("),
        "no JSON options in the C example"
    );
    let exe = c_example("example-c", false);
    let sb = SandboxProcess::start(&[]);
    let env = sb.example_env();
    check_example_output(&run_valgrind(&exe, &[], &env_refs(&env)));
}

#[test]
fn c_example_with_sanitizers_over_tls() {
    let exe = c_example("example-c-asan", true);
    let sb = SandboxProcess::start(&["--tls"]);
    let env = sb.example_env();
    assert!(env.iter().any(|(k, _)| *k == "JUSTCLICK_CA_FILE"));
    check_example_output(&run(&exe, &[], &env_refs(&env)));
}

/// A line of tests/data/notify_vectors.jsonl (generated by real PHP) by name.
fn notify_vector(name: &str) -> serde_json::Value {
    include_str!("data/notify_vectors.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

/// examples/c/notify_receiver.c on PHP-made vectors: the verified document
/// from a file under valgrind and from stdin with sanitizers, exit 3 on a
/// tampered body, 2 on one that is no notification.
#[test]
fn c_notify_receiver_verifies_vectors() {
    let good = notify_vector("payment documented");
    let tampered = notify_vector("payment tampered id");
    let secret = good["secret"].as_str().unwrap();
    let dir = std::env::temp_dir().join(format!("jc-notify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let good_file = write("good", good["body"].as_str().unwrap());
    let bad_file = write("tampered", tampered["body"].as_str().unwrap());
    let junk_file = write("junk", "a=1&b=2");
    let env = [("JUSTCLICK_LOGIN", "demo"), ("JUSTCLICK_SECRET", secret)];
    let source = [repo().join("examples/c/notify_receiver.c")];

    let exe = compile_with("notify-receiver", &source, Lang::C, false, STRICT_C);
    let out = run_valgrind(&exe, &[good_file.to_str().unwrap()], &env);
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["event"], "payment");
    assert_eq!(doc["verified"], true);
    assert_eq!(doc["hash_rule"], good["hash_rule"]);
    assert_eq!(doc["fields"], good["fields"]);

    let asan = compile_with("notify-receiver-asan", &source, Lang::C, true, STRICT_C);
    let mut child = Command::new(&asan)
        .envs(env)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(good["body"].as_str().unwrap().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).starts_with(r#"{"ok":true,"event":"payment","verified":true,"#));

    for (file, code, status) in [
        (&bad_file, 3, "bad_signature"),
        (&junk_file, 2, "invalid_argument"),
    ] {
        let out = Command::new(&asan).arg(file).envs(env).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout(&out).contains(&format!(r#""status":"{status}""#)),
            "{}",
            stdout(&out)
        );
        assert!(!stdout(&out).contains(secret));
        assert!(!String::from_utf8_lossy(&out.stderr).contains(secret));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `exe` expecting failure with `code`; returns its output.
fn run_failing(exe: &Path, envs: &[(&str, &str)], code: i32) -> Output {
    let mut cmd = Command::new(exe);
    cmd.env_remove("JUSTCLICK_LOGIN")
        .env_remove("JUSTCLICK_SECRET")
        .env_remove("JUSTCLICK_BASE_URL")
        .env_remove("JUSTCLICK_CA_FILE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("example runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn c_example_reports_failures_without_leaking_the_secret() {
    let exe = c_example("example-c-failing", false);
    let out = run_failing(&exe, &[], 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("JUSTCLICK_LOGIN"));

    // Wrong key: the sandbox signs its answers with the real one, so nothing
    // verifies; every call is reported, the exit status says so.
    let sb = SandboxProcess::start(&[]);
    let wrong = "wrong-key-0123456789";
    let out = run_failing(
        &exe,
        &[
            ("JUSTCLICK_LOGIN", LOGIN),
            ("JUSTCLICK_SECRET", wrong),
            ("JUSTCLICK_BASE_URL", &sb.base_url),
        ],
        1,
    );
    let text = stdout(&out);
    assert!(
        text.contains("UNEXPECTED bad_signature"),
        "wrong key not reported:\n{text}"
    );
    assert!(!text.contains(wrong) && !text.contains(SECRET), "{text}");

    // A bad option explains itself through jc_last_error_message().
    let out = run_failing(
        &exe,
        &[
            ("JUSTCLICK_LOGIN", LOGIN),
            ("JUSTCLICK_SECRET", SECRET),
            ("JUSTCLICK_BASE_URL", "ftp://127.0.0.1:1"),
        ],
        1,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot create the client: invalid_argument: ") && err.contains("base_url"),
        "{err}"
    );
}

/// examples/cpp/example.cpp, built against include/justclick.hpp (the
/// installed header; the example directory has no copy of its own).
#[test]
fn cpp_example_builds_and_runs_under_valgrind() {
    assert!(
        !repo().join("examples/cpp/justclick.hpp").exists(),
        "the C++ header lives in include/"
    );
    let src = std::fs::read_to_string(repo().join("examples/cpp/example.cpp")).unwrap();
    assert!(
        src.contains("justclick::Options") && !src.contains("\"timeout_ms\":"),
        "the C++ example configures its client with justclick::Options"
    );
    let exe = compile_with(
        "example-cpp",
        &[repo().join("examples/cpp/example.cpp")],
        Lang::Cxx,
        false,
        STRICT_CXX,
    );
    let sb = SandboxProcess::start(&[]);
    let env = sb.example_env();
    let out = run_valgrind(&exe, &[], &env_refs(&env));
    check_example_output(&out);
    let text = stdout(&out);
    assert!(
        text.contains("handled: code 200, Заказ не существует"),
        "ApiError code/text:\n{text}"
    );
    assert!(
        text.contains("GetBills with a NUL byte") && text.contains("email contains a NUL byte"),
        "{text}"
    );
}

/// `make install`, then what a user builds from the prefix with pkg-config
/// alone: a C program against the shared library, a C++ program with the
/// installed justclick.hpp, and (`pkg-config --static`, with only
/// libjustclick.a left in the prefix) a static C program under valgrind.
#[test]
fn make_install_then_pkg_config_builds_c_and_cxx_programs_shared_and_static() {
    require_tool("make", "make");
    require_tool("pkg-config", "pkg-config");
    require_tool("readelf", "binutils");
    let version = env!("CARGO_PKG_VERSION");
    let major = version.split('.').next().unwrap();
    let prefix = std::env::temp_dir().join(format!("justclick-install-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&prefix);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = without_test_env(&mut Command::new("make"))
        .arg("-C")
        .arg(repo())
        .arg("install")
        .arg(format!("PREFIX={}", prefix.display()))
        .arg(format!("PROFILE={}", profile()))
        .arg(format!("CARGO={cargo}"))
        .output()
        .expect("make runs");
    assert!(
        out.status.success(),
        "make install failed:\n{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );

    let lib = prefix.join("lib");
    let real = format!("libjustclick.so.{version}");
    assert!(lib.join(&real).is_file(), "{real} not installed");
    assert_eq!(
        std::fs::read_link(lib.join(format!("libjustclick.so.{major}"))).unwrap(),
        PathBuf::from(&real)
    );
    assert_eq!(
        std::fs::read_link(lib.join("libjustclick.so")).unwrap(),
        PathBuf::from(format!("libjustclick.so.{major}"))
    );
    assert!(lib.join("libjustclick.a").is_file());
    let cli = Command::new(prefix.join("bin/justclick"))
        .arg("--version")
        .output()
        .expect("bin/justclick is installed and runs");
    assert_eq!(stdout(&cli).trim(), format!("justclick {version}"));
    assert_eq!(
        std::fs::read(prefix.join("include/justclick.h")).unwrap(),
        std::fs::read(repo().join("include/justclick.h")).unwrap()
    );
    assert!(prefix.join("include/justclick_php.h").is_file());
    assert_eq!(
        std::fs::read(prefix.join("include/justclick.hpp")).unwrap(),
        std::fs::read(repo().join("include/justclick.hpp")).unwrap()
    );
    let pc = std::fs::read_to_string(lib.join("pkgconfig/justclick.pc")).unwrap();
    // Libs.private: what rustc printed for this crate's staticlib (libc at
    // least), never the placeholder.
    let private = pc
        .lines()
        .find_map(|l| l.strip_prefix("Libs.private: "))
        .unwrap_or_else(|| panic!("no Libs.private in:\n{pc}"));
    assert!(
        private.split_whitespace().any(|l| l == "-lc") && !private.contains('@'),
        "{pc}"
    );
    assert!(
        pc.contains(&format!("prefix={}\n", prefix.display())),
        "{pc}"
    );
    assert!(pc.contains(&format!("Version: {version}\n")), "{pc}");

    let dynamic = Command::new("readelf")
        .arg("-d")
        .arg(lib.join(&real))
        .output()
        .unwrap();
    assert!(
        stdout(&dynamic).contains(&format!("Library soname: [libjustclick.so.{major}]")),
        "{}",
        stdout(&dynamic)
    );

    let pkg_config = |args: &[&str]| {
        let out = Command::new("pkg-config")
            .args(args)
            .arg("justclick")
            .env("PKG_CONFIG_PATH", lib.join("pkgconfig"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pkg-config {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out).trim().to_owned()
    };
    assert_eq!(pkg_config(&["--modversion"]), version);
    let flags = pkg_config(&["--cflags", "--libs"]);

    // cc app.c $(pkg-config --cflags --libs justclick): nothing else.
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let app = prefix.join("app");
    let out = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg(c_source("install_app.c"))
        .args(flags.split_whitespace())
        .arg("-o")
        .arg(&app)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cc} install_app.c {flags}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sb = SandboxProcess::start(&[]);
    let mut env = sb.example_env();
    env.push(("LD_LIBRARY_PATH", lib.display().to_string()));
    let out = run(&app, &[], &env_refs(&env));
    let text = stdout(&out);
    assert!(text.contains(&format!("version {version}\n")), "{text}");
    assert!(
        text.contains(&format!("loaded {}\n", lib.join(&real).display())),
        "not the installed library:\n{text}"
    );
    assert!(text.contains("GetBills ok {\"ok\":true"), "{text}");

    // C++ with the installed header: c++ -std=c++17 app.cpp $(pkg-config ...).
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let cpp_app = prefix.join("example-cpp");
    let out = Command::new(&cxx)
        .args(["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg(repo().join("examples/cpp/example.cpp"))
        .args(flags.split_whitespace())
        .arg("-o")
        .arg(&cpp_app)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cxx} example.cpp {flags}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_example_output(&run(&cpp_app, &[], &env_refs(&env)));

    // Static: only libjustclick.a on the link path.
    for entry in std::fs::read_dir(&lib).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().contains(".so") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let static_flags = pkg_config(&["--static", "--cflags", "--libs"]);
    assert!(static_flags.contains(private), "{static_flags}");
    let static_app = prefix.join("app-static");
    let out = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg(c_source("install_app.c"))
        .args(static_flags.split_whitespace())
        .arg("-o")
        .arg(&static_app)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cc} install_app.c {static_flags}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dynamic = Command::new("readelf")
        .arg("-d")
        .arg(&static_app)
        .output()
        .unwrap();
    assert!(
        !stdout(&dynamic).contains("libjustclick"),
        "the static program needs a libjustclick.so:\n{}",
        stdout(&dynamic)
    );
    let env = sb.example_env();
    let out = run_valgrind(&static_app, &[], &env_refs(&env));
    let text = stdout(&out);
    assert!(text.contains(&format!("version {version}\n")), "{text}");
    assert!(
        !text.contains("loaded "),
        "no libjustclick file mapped:\n{text}"
    );
    assert!(text.contains("GetBills ok {\"ok\":true"), "{text}");
    std::fs::remove_dir_all(&prefix).unwrap();
}

#[test]
fn options_builder_under_valgrind() {
    run_c_test("options", false, &[], 70);
}

#[test]
fn options_builder_with_sanitizers() {
    run_c_test("options", true, &[], 70);
}

/// Builds tests/c/cpp_api.cpp (include/justclick.hpp) as `std` with the
/// strict C++ warnings.
fn cpp_api(std: &str, sanitize: bool) -> PathBuf {
    let flag = format!("-std={std}");
    let mut flags = STRICT_CXX.to_vec();
    flags.push(&flag);
    let name = format!("cpp_api-{std}{}", if sanitize { "-asan" } else { "" });
    compile_with(
        &name,
        &[c_source("cpp_api.cpp")],
        Lang::Cxx,
        sanitize,
        &flags,
    )
}

/// The environment of cpp_api: a sandbox, and a second one that answers
/// as the service answers a login it does not know.
fn cpp_api_env(sb: &SandboxProcess, unknown: &SandboxProcess) -> Vec<(&'static str, String)> {
    let mut env = sb.test_env();
    env.push(("JC_TEST_UNKNOWN_LOGIN_URL", unknown.base_url.clone()));
    env
}

#[test]
fn cpp_header_under_valgrind_as_cxx17() {
    let exe = cpp_api("c++17", false);
    let (sb, unknown) = (
        SandboxProcess::start(&[]),
        SandboxProcess::start(&["--unknown-login"]),
    );
    let env = cpp_api_env(&sb, &unknown);
    assert_passed(&run_valgrind(&exe, &[], &env_refs(&env)), "cpp_api", 60);
}

#[test]
fn cpp_header_with_sanitizers_as_cxx20() {
    let exe = cpp_api("c++20", true);
    let (sb, unknown) = (
        SandboxProcess::start(&[]),
        SandboxProcess::start(&["--unknown-login"]),
    );
    let env = cpp_api_env(&sb, &unknown);
    assert_passed(&run(&exe, &[], &env_refs(&env)), "cpp_api", 60);
}
