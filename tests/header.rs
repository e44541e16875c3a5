//! The committed headers must equal a fresh cbindgen generation.
//! `make header` (JUSTCLICK_BLESS=1) rewrites them.

use std::path::Path;

const FRESH: [(&str, &str); 2] = [
    (
        "justclick.h",
        include_str!(concat!(env!("OUT_DIR"), "/justclick.h")),
    ),
    (
        "justclick_php.h",
        include_str!(concat!(env!("OUT_DIR"), "/justclick_php.h")),
    ),
];

#[test]
fn committed_headers_match_fresh_generation() {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let bless = std::env::var_os("JUSTCLICK_BLESS").is_some();
    for (name, fresh) in FRESH {
        let path = include.join(name);
        if bless {
            std::fs::write(&path, fresh).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `make header`", path.display()));
        assert!(
            committed == fresh,
            "include/{name} is out of date with src/ffi/mod.rs; run `make header` and commit it"
        );
    }
}

#[test]
fn every_exported_function_is_declared() {
    let src = include_str!("../src/ffi/mod.rs");
    let header = FRESH[0].1;
    let mut n = 0;
    for line in src.lines() {
        let line = line.trim();
        if let Some(rest) = line
            .strip_prefix("pub unsafe extern \"C\" fn ")
            .or_else(|| line.strip_prefix("pub extern \"C\" fn "))
        {
            let name = rest.split('(').next().unwrap();
            if name == "jc_test_panic" {
                assert!(
                    !header.contains(name),
                    "the test hook must stay out of the header"
                );
                continue;
            }
            assert!(
                header.contains(&format!(" {name}(")) || header.contains(&format!("*{name}(")),
                "{name} missing from justclick.h"
            );
            n += 1;
        }
    }
    assert!(n >= 12, "only {n} exported functions found");
}

#[test]
fn php_header_has_no_preprocessor_lines_but_the_ffi_defines() {
    let php = FRESH[1].1;
    let directives: Vec<&str> = php
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .collect();
    assert_eq!(
        directives,
        [
            "#define FFI_SCOPE \"JUSTCLICK\"",
            "#define FFI_LIB \"libjustclick.so.0\""
        ]
    );
    assert!(!php.contains("extern \"C\""));
    assert!(php.contains("typedef uint32_t jc_status;"));
}
