//! The library a user builds contains no server code and no test hook:
//! the sandbox is a crate of its own that depends on the library, never the
//! other way round, and the library's tests reach it as a dev-dependency.

use std::process::Command;

/// `cargo tree -p PACKAGE` for the given edge kinds: one `name version
/// features` line per package.
fn tree(package: &str, edges: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "--prefix", "none", "-f", "{p} {f}"])
        .args(["-p", package, "-e", edges])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn has(tree: &str, name: &str) -> bool {
    tree.lines().any(|l| l.starts_with(&format!("{name} v")))
}

#[test]
fn the_library_users_build_has_no_sandbox_and_no_test_hooks() {
    let user = tree("justclick", "normal,build");
    assert!(!has(&user, "justclick-sandbox"), "{user}");
    assert!(
        !has(&user, "rcgen"),
        "a plain build links the sandbox's rcgen:\n{user}"
    );
    let line = user.lines().find(|l| l.starts_with("justclick v")).unwrap();
    assert!(!line.contains("test-hooks"), "{line}");
    // The dev graph has the sandbox (so that this test sees a real tree).
    assert!(has(
        &tree("justclick", "normal,build,dev"),
        "justclick-sandbox"
    ));
}

#[test]
fn the_sandbox_depends_on_the_library_and_enables_nothing_in_it() {
    let sandbox = tree("justclick-sandbox", "normal");
    let line = sandbox
        .lines()
        .find(|l| l.starts_with("justclick v"))
        .unwrap_or_else(|| panic!("the sandbox does not use the library:\n{sandbox}"));
    assert!(!line.contains("test-hooks"), "{line}");
}
