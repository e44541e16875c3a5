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
            "include/{name} is out of date with src/ffi/; run `make header` and commit it"
        );
    }
}

/// The sources of the C boundary, src/ffi/*.rs, as (file name, text).
fn ffi_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 7, "src/ffi/ is split by concept");
    files
}

/// Each exported function: its file, name and body (the text between the
/// signature's `{` and the `}` at column 0 that ends it).
fn exports() -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for (file, src) in ffi_sources() {
        let lines: Vec<&str> = src.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line
                .strip_prefix("pub unsafe extern \"C\" fn ")
                .or_else(|| line.strip_prefix("pub extern \"C\" fn "))
            else {
                assert!(
                    line.trim_start().starts_with("//") || !line.contains("extern \"C\" fn"),
                    "{file}: an export must be a top-level `pub extern \"C\" fn`: {line}"
                );
                continue;
            };
            let name = rest.split('(').next().unwrap().to_owned();
            let open = (i..lines.len())
                .find(|&j| lines[j].ends_with('{'))
                .unwrap_or_else(|| panic!("{file}: {name} has no body"));
            let close = (open + 1..lines.len())
                .find(|&j| lines[j] == "}")
                .unwrap_or_else(|| panic!("{file}: {name}'s body does not end"));
            found.push((file.clone(), name, lines[open + 1..close].join("\n")));
        }
    }
    found
}

#[test]
fn every_exported_function_is_declared() {
    let header = FRESH[0].1;
    let mut n = 0;
    for (file, name, _) in exports() {
        if name == "jc_test_panic" {
            assert!(
                !header.contains(&name),
                "the test hook must stay out of the header"
            );
            continue;
        }
        assert!(
            header.contains(&format!(" {name}(")) || header.contains(&format!("*{name}(")),
            "{name} ({file}) missing from justclick.h"
        );
        n += 1;
    }
    assert!(n >= 12, "only {n} exported functions found");
}

/// The one way in: every export's body is a single `ffi_fn!` invocation
/// naming the export, so none skips the panic guard, the pointer and UTF-8
/// checks or the out-parameter rules.
#[test]
fn every_export_body_is_one_ffi_fn_invocation() {
    let all = exports();
    assert!(all.len() >= 13, "only {} exports found", all.len());
    for (file, name, body) in all {
        let body = body.trim();
        let head = body.split('{').next().unwrap_or("");
        assert!(
            body.starts_with("ffi_fn!(") || body.starts_with("boundary::ffi_fn!("),
            "{file}: {name}'s body must be one ffi_fn!(...) invocation, found:\n{body}"
        );
        assert!(
            head.contains(&format!("ffi_fn!({name}(")),
            "{file}: {name}'s ffi_fn! must name {name}: {head}"
        );
        assert!(
            body.ends_with("})") && !body[..body.len() - 2].contains("\n})"),
            "{file}: {name}'s body must hold nothing but the ffi_fn! invocation:\n{body}"
        );
    }
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
