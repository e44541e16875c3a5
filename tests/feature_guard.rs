//! The tests get the sandbox from the library's dev-dependency on itself
//! (Cargo.toml), so plain `cargo test` runs every suite; the library a user
//! builds must still contain no server code. Both halves are checked here.

use std::process::Command;

// Without the feature the other suites would compile to nothing and "pass".
#[cfg(not(feature = "sandbox"))]
compile_error!(
    "the integration tests were built without the sandbox: the self dev-dependency \
     `justclick = { path = \".\", features = [\"sandbox\"] }` is missing from Cargo.toml"
);

#[cfg(feature = "sandbox")]
#[test]
fn tests_are_built_with_the_sandbox() {
    assert!(justclick::sandbox::Fault::from_name("none").is_some());
}

/// `cargo tree` for the given edge kinds: one `name version features` line per package.
fn tree(edges: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "--prefix", "none", "-f", "{p} {f}"])
        .args(["-e", edges])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn justclick_features(tree: &str) -> Vec<String> {
    let line = tree
        .lines()
        .find(|l| l.starts_with("justclick v"))
        .expect("justclick in cargo tree");
    // "justclick v0.1.0 (/path) default,sandbox"
    line.rsplit(' ')
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect()
}

/// What `cargo build` resolves (normal and build dependencies only): no
/// sandbox feature and none of its dependencies. The dev graph is checked
/// too, so that this test notices if cargo stops printing features.
#[test]
fn the_library_users_build_has_no_sandbox() {
    let user = tree("normal,build");
    assert!(
        !justclick_features(&user).iter().any(|f| f == "sandbox"),
        "a plain build enables the sandbox:\n{user}"
    );
    assert!(
        !user.lines().any(|l| l.starts_with("rcgen ")),
        "a plain build links the sandbox's rcgen:\n{user}"
    );

    let dev = tree("normal,build,dev");
    assert!(
        justclick_features(&dev).iter().any(|f| f == "sandbox"),
        "the test build lacks the sandbox:\n{dev}"
    );
}
