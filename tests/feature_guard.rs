//! The integration tests need the in-process sandbox. Without the feature
//! they would compile to nothing and "pass": fail loudly instead.

#[cfg(not(feature = "sandbox"))]
#[test]
fn sandbox_feature_is_required() {
    panic!(
        "the integration tests need the sandbox: run `make test` or `cargo test --features sandbox`"
    );
}

#[cfg(feature = "sandbox")]
#[test]
fn sandbox_feature_is_on() {
    assert!(justclick::sandbox::Fault::from_name("none").is_some());
}
