//! Issue 14's "Done means" from C: tests/c/methods_flow.c calls every
//! per-method function (jc_add_lead_to_group ... jc_get_partner_stats)
//! successfully against a `justclick-sandbox` child process, and verifies
//! with jc_verify_notification the notifications the sandbox posted to the
//! loopback receiver run here (which hands each body to the program as a
//! file). Under valgrind (zero errors, zero leaks) and with ASan+UBSan.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread;

use common::c::*;

/// A loopback HTTP receiver: the body of the N-th request (from 1) is
/// written to `dir/N.body`, complete before it appears (written under
/// another name, then renamed), and answered `200 OK`. Returns its URL.
fn receiver(dir: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dir = dir.to_path_buf();
    thread::spawn(move || {
        let mut n = 0;
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let Some((_, body)) = common::receiver::read_request(&mut s) else {
                continue;
            };
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
            n += 1;
            let tmp = dir.join(format!("{n}.part"));
            std::fs::write(&tmp, &body).unwrap();
            std::fs::rename(&tmp, dir.join(format!("{n}.body"))).unwrap();
        }
    });
    url
}

/// A fresh, empty directory for one run's notification bodies.
fn notify_dir(tag: &str) -> PathBuf {
    let dir = profile_dir()
        .join("c-tests")
        .join(format!("notify-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_flow(sanitize: bool) {
    let name = if sanitize {
        "methods_flow-asan"
    } else {
        "methods_flow"
    };
    let src = repo().join("tests/c");
    let exe = compile(
        name,
        &[src.join("methods_flow.c"), src.join("jc_test.c")],
        Lang::C,
        sanitize,
    );
    let dir = notify_dir(name);
    let url = receiver(&dir);
    let sb = SandboxProcess::start(&[]);
    let mut env = sb.test_env();
    env.push(("JC_TEST_NOTIFY_URL", url));
    env.push(("JC_TEST_NOTIFY_DIR", dir.display().to_string()));
    let out = if sanitize {
        run(&exe, &[], &env_refs(&env))
    } else {
        run_valgrind(&exe, &[], &env_refs(&env))
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("PASS methods_flow: "))
        .unwrap_or_else(|| panic!("no PASS line in:\n{text}"));
    let checks: usize = line.split(' ').next().unwrap().parse().unwrap();
    assert!(checks >= 80, "only {checks} checks ran");
    // Exactly the two notifications (new_order, payment): the duplicate
    // CreateOrder fired none.
    let mut bodies: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    bodies.sort();
    assert_eq!(bodies, ["1.body", "2.body"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_method_and_a_verified_notification_under_valgrind() {
    run_flow(false);
}

#[test]
fn every_method_and_a_verified_notification_with_sanitizers() {
    run_flow(true);
}
