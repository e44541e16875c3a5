//! Generates the C headers with cbindgen into OUT_DIR (never into the source
//! tree: `make header` copies them to include/, and tests/header.rs fails
//! when the committed copies differ) and gives the shared object its SONAME
//! and the NODELETE flag.

use std::env;
use std::path::PathBuf;

/// The header as PHP's FFI parser needs it: PHP has no preprocessor (only
/// `FFI::load` reads `#define FFI_SCOPE`/`FFI_LIB`), so the conditionals are
/// evaluated here for C (not C++) before C23, and every other directive is
/// dropped. An unknown conditional fails the build rather than guessing.
///
/// It also declares the crate version as `JC_HEADER_VERSION`, that is
/// `major * 1000000 + minor * 1000 + patch`: the PHP binding compares it with
/// `jc_version()`, because a header left over from an older library
/// (`ffi.preload`) would declare functions that no longer match.
fn php_header(c_header: &str, version: u32) -> String {
    let mut out = String::from(
        "#define FFI_SCOPE \"JUSTCLICK\"\n#define FFI_LIB \"libjustclick.so.0\"\n\
         /* PHP FFI declarations for justclick, derived from justclick.h; do not edit.\n   \
         FFI::load() reads the two defines above; FFI::cdef() needs them removed. */\n",
    );
    out.push_str(&format!(
        "/* The library version this header declares: major * 1000000 + minor * 1000 + patch. */\n\
         enum {{ JC_HEADER_VERSION = {version} }};\n"
    ));
    // Each entry: is this branch active? (and was any branch taken)
    let mut stack: Vec<(bool, bool)> = Vec::new();
    for line in c_header.lines() {
        let t = line.trim();
        let active = stack.iter().all(|(on, _)| *on);
        if let Some(cond) = t.strip_prefix("#if") {
            let value = match cond.trim() {
                "defined(__cplusplus) || __STDC_VERSION__ >= 202311L" => false,
                "def __cplusplus" => false,
                "ndef __cplusplus" => true,
                "__STDC_VERSION__ >= 202311L" => false,
                "ndef JUSTCLICK_H" => true,
                other => panic!("php_header: unknown conditional #if{other}"),
            };
            stack.push((value, value));
        } else if t.starts_with("#else") {
            let top = stack.last_mut().expect("#else without #if");
            top.0 = !top.1;
            top.1 = true;
        } else if t.starts_with("#endif") {
            stack.pop().expect("#endif without #if");
        } else if t.starts_with('#') {
            // #include, #define JUSTCLICK_H: nothing PHP needs.
        } else if active {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(stack.is_empty(), "php_header: unbalanced conditionals");
    out
}

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=src/ffi/mod.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");

    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    let header = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .generate()
        .expect("cbindgen can read src/ffi/mod.rs");
    let mut c_header = Vec::new();
    header.write(&mut c_header);
    let c_header = String::from_utf8(c_header).expect("header is UTF-8");
    std::fs::write(out_dir.join("justclick.h"), &c_header).unwrap();
    let part = |name: &str| -> u32 {
        env::var(name)
            .unwrap()
            .parse()
            .expect("numeric version part")
    };
    let version = part("CARGO_PKG_VERSION_MAJOR") * 1_000_000
        + part("CARGO_PKG_VERSION_MINOR") * 1_000
        + part("CARGO_PKG_VERSION_PATCH");
    std::fs::write(
        out_dir.join("justclick_php.h"),
        php_header(&c_header, version),
    )
    .unwrap();

    // The loader looks for the SONAME, so `make install` creates
    // libjustclick.so.0 -> libjustclick.so.0.1.0 (and tests a private link).
    let major = env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libjustclick.so.{major}");
        // Never unloaded once loaded: persistent pools (src/pool.rs) live in
        // the library, and PHP may dlclose it when its FFI object is freed
        // (FFI::cdef per request); dangling pools would crash the worker.
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
}
