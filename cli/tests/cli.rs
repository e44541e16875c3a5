//! The `justclick` binary against the sandbox: every subcommand and exit
//! status, bad input, and `trigger` verified by the PHP receiver of
//! examples/php (served by `php -S`, as `make demo` does).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use justclick_sandbox::{Config, Sandbox};

const SECRET: &str = "cli-test-secret";

/// getOrdersWithGoods over 181 days: 7 parts of at most 28 days.
const LONG_RANGE: [&str; 4] = [
    "call",
    "getOrdersWithGoods",
    "begin_date=01.01.2025",
    "end_date=30.06.2025",
];

fn sandbox() -> Sandbox {
    Sandbox::start(Config {
        login: "demo".into(),
        secret: SECRET.into(),
        subscribe_limit: 0,
        ..Config::default()
    })
    .expect("sandbox")
}

/// `justclick ARGS` with the sandbox's credentials in the environment.
fn run(sb: Option<&Sandbox>, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_justclick"));
    cmd.args(args)
        .env_remove("JUSTCLICK_LOGIN")
        .env_remove("JUSTCLICK_SECRET")
        .env_remove("JUSTCLICK_BASE_URL")
        .env_remove("JUSTCLICK_CA_FILE");
    if let Some(sb) = sb {
        cmd.env("JUSTCLICK_LOGIN", "demo")
            .env("JUSTCLICK_SECRET", SECRET)
            .env("JUSTCLICK_BASE_URL", sb.base_url());
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run justclick");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&o.stdout)))
}

#[test]
fn call_prints_the_result_and_exits_by_outcome() {
    let sb = sandbox();
    let o = run(
        Some(&sb),
        &[
            "call",
            "GetBills",
            "email=client@example.com",
            "pay_status=paid",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(json(&o)["258367"]["12549"]["good_name"], "oplata");
    assert!(
        o.stderr.is_empty(),
        "nothing on stderr: {}",
        text(&o.stderr)
    );

    // --full: the whole answer; nested keys; --json merged.
    let o = run(
        Some(&sb),
        &[
            "call",
            "CreateOrder",
            "goods[0][good_name]=super_tovar",
            "--json",
            r#"{"bill_email":"cli@example.com"}"#,
            "--full",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let doc = json(&o);
    assert!(
        doc["result"]["bill_id"].is_string() || doc["result"]["bill_id"].is_number(),
        "{doc}"
    );
    let again = run(
        Some(&sb),
        &[
            "call",
            "CreateOrder",
            "goods[0][good_name]=super_tovar",
            "bill_email=cli@example.com",
            "--full",
        ],
        None,
    );
    assert_eq!(json(&again)["outcome"], "already_exists");
    let body = sb.stats().last_body;
    assert!(
        body.starts_with(
            "goods%5B0%5D%5Bgood_name%5D=super_tovar&bill_email=cli%40example.com&hash="
        ),
        "{body}"
    );

    // An API error: exit 1, code and text on stderr.
    let o = run(Some(&sb), &["call", "DeleteOrder", "bill_id=999999"], None);
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    assert!(
        err.contains("200") && err.contains("Заказ не существует"),
        "{err}"
    );

    // --raw: any name, unvalidated.
    let o = run(
        Some(&sb),
        &["call", "--raw", "SandboxEcho", "a[]=1", "a[]=2", "b=x y"],
        None,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(json(&o), serde_json::json!({"a": ["1", "2"], "b": "x y"}));
}

#[test]
fn bad_arguments_exit_2_and_send_nothing() {
    let sb = sandbox();
    let before = sb.stats().requests;
    for (args, want) in [
        (&["call", "GetAllGood"][..], "did you mean 'GetAllGoods'"),
        (&["call", "SandboxEcho"], "--raw"),
        (&["call", "GetBills", "email"], "is not KEY=VALUE"),
        (
            &["call", "GetBills", "email=a@b.ru", "email=c@d.ru"],
            "given twice",
        ),
        (&["call", "GetBills", "email=not-an-email"], "email"),
        (&["call", "GetBills", "--json", "[1]"], "JSON object"),
        (&["call", "GetBills", "--json", "{"], "not JSON"),
        (
            &["call", "UpdateOrderStatus", "bill_id=1", "status=shipped"],
            "shipped",
        ),
        (
            &["call", "--batch", "/nonexistent/calls.json"],
            "cannot read /nonexistent/calls.json",
        ),
        (
            &["verify-notification", "/nonexistent/body"],
            "cannot read /nonexistent/body",
        ),
        (
            &["trigger", "refund", "--url", "http://127.0.0.1:9/"],
            "unknown event 'refund'",
        ),
        (
            &["trigger", "payment", "--url", "http://example.com/notify"],
            "--allow-external",
        ),
        (
            &["trigger", "payment", "--url", "ftp://127.0.0.1/"],
            "http://",
        ),
        (
            &[
                "trigger",
                "payment",
                "--url",
                "http://127.0.0.1:9/",
                "hash=x",
            ],
            "'hash'",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
        (&["call"], "required"),
    ] {
        let o = run(Some(&sb), args, None);
        assert_eq!(code(&o), 2, "{args:?}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains(SECRET) && !text(&o.stdout).contains(SECRET));
    }
    // No credentials: exit 2, naming the variable.
    let o = run(None, &["call", "GetAllGoods"], None);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("JUSTCLICK_LOGIN"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(sb.stats().requests, before, "bad arguments send nothing");
}

#[test]
fn transport_and_signature_failures_exit_3() {
    let sb = sandbox();
    // A wrong secret: the answer's signature does not verify.
    let o = Command::new(env!("CARGO_BIN_EXE_justclick"))
        .args([
            "call",
            "GetAllGoods",
            "--login",
            "demo",
            "--base-url",
            &sb.base_url(),
        ])
        .env("JUSTCLICK_SECRET", "wrong")
        .output()
        .unwrap();
    assert_eq!(code(&o), 3, "{}", text(&o.stderr));
    // Nobody listens on port 9.
    let o = Command::new(env!("CARGO_BIN_EXE_justclick"))
        .args([
            "call",
            "GetAllGoods",
            "--login",
            "demo",
            "--base-url",
            "http://127.0.0.1:9",
            "--timeout-ms",
            "2000",
        ])
        .env("JUSTCLICK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(code(&o), 3, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("127.0.0.1:9"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn methods_lists_the_table() {
    let o = run(None, &["methods"], None);
    assert_eq!(code(&o), 0);
    let out = text(&o.stdout);
    for m in justclick::METHODS {
        assert!(out.contains(m.name), "{} missing", m.name);
    }
    assert!(out.contains("required: bill_id"), "{out}");
    let o = run(None, &["methods", "--json"], None);
    let list = json(&o);
    assert_eq!(list.as_array().unwrap().len(), justclick::METHODS.len());
    let create = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "CreateOrder")
        .unwrap();
    assert!(
        create["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "goods"),
        "{create}"
    );
}

#[test]
fn batch_prints_one_document_per_call() {
    let sb = sandbox();
    let dir = std::env::temp_dir().join(format!("justclick-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("calls.json");
    std::fs::write(
        &file,
        r#"[{"method":"SandboxEcho","params":{"i":1}},{"method":"DeleteOrder","params":{"bill_id":"999999"}},{"method":"SandboxEcho","params":{"i":3}}]"#,
    )
    .unwrap();
    let o = run(
        Some(&sb),
        &[
            "call",
            "--batch",
            file.to_str().unwrap(),
            "--concurrency",
            "2",
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let docs = json(&o);
    assert_eq!(docs[0]["result"]["i"], "1");
    assert_eq!(docs[1]["ok"], false);
    assert_eq!(docs[1]["error_code"], 200);
    assert_eq!(docs[2]["result"]["i"], "3");
    assert!(text(&o.stderr).contains("1 of 3 calls failed"));
    // Not a terminal: no progress bar.
    assert!(!text(&o.stderr).contains('['), "{}", text(&o.stderr));
    std::fs::write(&file, "{}").unwrap();
    let o = run(
        Some(&sb),
        &["call", "--batch", file.to_str().unwrap()],
        None,
    );
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    let o = run(
        Some(&sb),
        &[
            "call",
            "--batch",
            file.to_str().unwrap(),
            "--concurrency",
            "0",
        ],
        None,
    );
    assert_eq!(code(&o), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_long_order_range_is_one_call_and_prints_the_merged_list() {
    let sb = sandbox();
    let before = sb
        .stats()
        .by_method
        .get("getOrdersWithGoods")
        .copied()
        .unwrap_or(0);
    let o = run(Some(&sb), &LONG_RANGE, None);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(json(&o).is_array());
    let calls = sb.stats().by_method["getOrdersWithGoods"] - before;
    assert!(calls >= 7, "181 days in parts of 28: {calls} calls");
}

/// Serves examples/php/notify-receiver.php with `php -S`; None without php.
struct Receiver {
    child: std::process::Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn receiver() -> Receiver {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::env::temp_dir().join(format!(
        "justclick-cli-notify-{}-{port}.log",
        std::process::id()
    ));
    let child = Command::new("php")
        .args([
            "-S",
            &format!("127.0.0.1:{port}"),
            root.join("examples/php/notify-receiver.php")
                .to_str()
                .unwrap(),
        ])
        .env("JUSTCLICK_LOGIN", "demo")
        .env("JUSTCLICK_SECRET", SECRET)
        .env("JUSTCLICK_NOTIFY_LOG", &log)
        .env("JUSTCLICK_LIB", root.join("target/release/libjustclick.so"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("php -S (the Debian package php-cli) runs the receiver");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the receiver did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Receiver { child, port, log }
}

#[test]
fn trigger_sends_what_the_php_receiver_verifies() {
    let r = receiver();
    let url = format!("http://127.0.0.1:{}/notify", r.port);
    for (event, shown) in [
        ("new_order", "new_order verified (documented)"),
        ("payment", "payment verified (documented)"),
        ("cancel", "cancel_order verified (documented)"),
        ("prepayment", "prepayment verified"),
        ("moneyback", "moneyback verified"),
        ("subscribe", "subscribe"),
        ("unsubscribe", "unsubscribe"),
    ] {
        let o = run(
            None,
            &[
                "trigger",
                event,
                "--url",
                &url,
                "--secret",
                SECRET,
                "id=777001",
                "email=ivan@example.com",
            ],
            None,
        );
        assert_eq!(code(&o), 0, "{event}: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout).trim(), "200", "{event}");
        let mut log = String::new();
        std::fs::File::open(&r.log)
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        let last = log.lines().last().unwrap_or("").to_owned();
        assert!(last.contains(shown), "{event}: {last}");
        if event != "subscribe" && event != "unsubscribe" {
            assert!(
                last.contains("order=777001") && last.contains("ivan@example.com"),
                "{event}: {last}"
            );
        }
    }
    // Signed with another key: the receiver refuses it (403), exit 3.
    let o = run(
        None,
        &[
            "trigger",
            "payment",
            "--url",
            &url,
            "--secret",
            "another-key",
        ],
        None,
    );
    assert_eq!(code(&o), 3, "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), "403");
}

#[test]
fn verify_notification_reads_a_body_and_exits_by_its_signature() {
    let sb = sandbox();
    // A body made by `trigger --show-body` to a receiver that accepts anything.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 65536];
        let _ = s.read(&mut buf);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let o = run(
        Some(&sb),
        &[
            "trigger",
            "payment",
            "--url",
            &format!("http://127.0.0.1:{port}/"),
            "--show-body",
            "id=42",
        ],
        None,
    );
    server.join().unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let body = text(&o.stderr).trim().to_owned();
    assert!(body.contains("&hash="), "{body}");
    let o = run(
        Some(&sb),
        &["verify-notification", "-"],
        Some(body.as_bytes()),
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let doc = json(&o);
    assert_eq!(doc["event"], "payment");
    assert_eq!(doc["verified"], true);
    assert_eq!(doc["fields"]["id"], "42");
    // Tampered: refused, exit 3.
    let tampered = body.replace("id=42", "id=43");
    let o = run(
        Some(&sb),
        &["verify-notification"],
        Some(tampered.as_bytes()),
    );
    assert_eq!(code(&o), 3);
    assert!(text(&o.stderr).contains("refused"), "{}", text(&o.stderr));
    // From a file.
    let file = std::env::temp_dir().join(format!("justclick-cli-body-{}", std::process::id()));
    std::fs::write(&file, &body).unwrap();
    let o = run(
        Some(&sb),
        &["verify-notification", file.to_str().unwrap()],
        None,
    );
    assert_eq!(code(&o), 0);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn the_sandbox_subcommand_serves_the_api() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_justclick"))
        .args([
            "sandbox",
            "--port",
            "0",
            "--login",
            "demo",
            "--exit-on-stdin-eof",
        ])
        .env("JUSTCLICK_SANDBOX_SECRET", SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8];
    while out.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let line = text(&line);
    let url = line
        .strip_prefix("listening on ")
        .expect("prints its URL")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let o = Command::new(env!("CARGO_BIN_EXE_justclick"))
        .args(["call", "GetAllGoods", "--login", "demo", "--base-url", &url])
        .env("JUSTCLICK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(json(&o).is_array());
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let help = run(None, &["sandbox", "--help"], None);
    assert!(text(&help.stdout).contains("--tls") || text(&help.stderr).contains("--tls"));
}

#[test]
fn the_secret_from_the_environment_is_not_in_the_arguments() {
    // `ps` shows argv: the environment route keeps the key out of it, and
    // no output ever echoes it.
    let sb = sandbox();
    let o = run(Some(&sb), &["call", "GetAllGoods", "--full"], None);
    assert_eq!(code(&o), 0);
    assert!(!text(&o.stdout).contains(SECRET) && !text(&o.stderr).contains(SECRET));
    let help = run(Some(&sb), &["--help"], None);
    assert!(
        !text(&help.stdout).contains(SECRET),
        "--help must hide the env value"
    );
}

#[test]
fn a_long_range_draws_a_progress_bar_on_a_terminal_only() {
    let sb = sandbox();
    // `script` (util-linux) runs the command on a pseudo-terminal.
    let cmd = format!(
        "{} {} >/dev/null",
        env!("CARGO_BIN_EXE_justclick"),
        LONG_RANGE.join(" ")
    );
    let o = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("JUSTCLICK_LOGIN", "demo")
        .env("JUSTCLICK_SECRET", SECRET)
        .env("JUSTCLICK_BASE_URL", sb.base_url())
        .output()
        .expect("script(1), from the Debian package util-linux, runs the command on a terminal");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let shown = text(&o.stdout);
    assert!(
        shown.contains("] 1/7 parts") && shown.contains("] 7/7 parts"),
        "{shown:?}"
    );
    assert!(shown.contains("[##########"), "{shown:?}");
    // The same with stderr a pipe: nothing but the JSON on stdout.
    let o = run(Some(&sb), &LONG_RANGE, None);
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
}

#[test]
fn trigger_verifies_an_https_receiver_with_the_ca_file() {
    // The TLS sandbox stands in for an HTTPS receiver: it answers the post
    // (not 2xx: it is not one), once its certificate is trusted.
    let sb = Sandbox::start(Config {
        login: "demo".into(),
        secret: SECRET.into(),
        tls: true,
        ..Config::default()
    })
    .expect("sandbox");
    let ca = std::env::temp_dir().join(format!("justclick-cli-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, sb.ca_pem().unwrap()).unwrap();
    let url = format!("{}/notify", sb.base_url());
    let o = run(
        None,
        &["trigger", "payment", "--url", &url, "--secret", SECRET],
        None,
    );
    assert_eq!(code(&o), 3);
    assert!(
        o.stdout.is_empty(),
        "no status without a verified connection"
    );
    assert!(
        text(&o.stderr).contains("cannot post"),
        "{}",
        text(&o.stderr)
    );
    let o = run(
        None,
        &[
            "trigger",
            "payment",
            "--url",
            &url,
            "--secret",
            SECRET,
            "--ca-file",
            ca.to_str().unwrap(),
        ],
        None,
    );
    let status: u16 = text(&o.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a status: {}", text(&o.stderr)));
    assert!(!(200..300).contains(&status));
    assert_eq!(code(&o), 3, "not a 2xx answer");
    std::fs::remove_file(&ca).unwrap();
}
