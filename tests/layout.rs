//! The tree shows the architecture, and this test keeps it so:
//!
//! * the modules of the library (`src/`) and of the sandbox
//!   (`sandbox/src/`) form no cycle, and every `crate::`/`super::` arrow
//!   points down the declared order below (so no arrow runs back up a
//!   layer, and a new file has to be given its place);
//! * the README's file map names every top-level entry, every example,
//!   binding and library file, and every path it names exists;
//! * no empty or scratch file is tracked;
//! * each Makefile target is defined once, has its `##` help line, and
//!   `make help` prints it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The library's modules, top first: each may use only modules after it.
/// The crate root (`lib.rs`, the facade) is above all and used by none.
const LIBRARY_ORDER: &[&str] = &[
    // The C ABI: exported functions, then the boundary they share.
    "ffi",
    "ffi::batch",
    "ffi::calls",
    "ffi::methods",
    "ffi::notify",
    "ffi::options",
    "ffi::client",
    "ffi::status",
    "ffi::boundary",
    "ffi::arg",
    "ffi::handles",
    "ffi::document",
    "ffi::failure",
    "ffi::codes",
    // The Rust API: the method table's calls, batches, the client.
    "api",
    "api::range",
    "api::validate",
    "batch",
    "client",
    "pool",
    "response",
    "transport",
    // What the calls are made of.
    "good",
    "notify",
    "endpoints",
    "options",
    "php",
    "encode",
    "keys",
    // Leaves: used by many, using nothing of the crate.
    "api::results",
    "api::spec",
    "calendar",
    "error",
    "guard",
    "plain_json",
    "sign",
    "suggest",
];

/// The sandbox's modules, top first (its binary, `main.rs`, uses the
/// library crate `justclick_sandbox` only).
const SANDBOX_ORDER: &[&str] = &[
    // Serving: routing, then what a route does.
    "http",
    "admin",
    "checks",
    "faults",
    "notify",
    // The emulated methods.
    "api",
    "api::contacts",
    "api::goods",
    "api::orders",
    "api::input",
    // State and the wire.
    "state",
    "fault_config",
    "store",
    "phpjson",
    "wire",
    "tls",
];

// ---------------------------------------------------------------------------
// Reading Rust source well enough to find module paths.

/// The code with comments removed and string/char literals emptied, so
/// that a path in a doc comment or a message is not an import.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == b'r'
            && matches!(b.get(i + 1), Some(b'#') | Some(b'"'))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            // A raw string r#"..."# (or r"...").
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            while j < b.len() && !b[j..].starts_with(&close) {
                j += 1;
            }
            i = j + close.len();
            out.push_str("\"\"");
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let rest = &src[i + 1..];
            let end = if rest.starts_with('\\') {
                rest[2..].find('\'').map(|e| e + 3)
            } else {
                let mut chars = rest.chars();
                let first = chars.next().map_or(0, char::len_utf8);
                (rest[first..].starts_with('\'')).then_some(first + 1)
            };
            match end {
                Some(e) => {
                    i += 1 + e;
                    out.push_str("' '");
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Removes every item marked `#[cfg(test)]` (unit tests may reach
/// anywhere; the architecture is the code that ships).
fn without_tests(code: &str) -> String {
    let mut s = code.to_owned();
    while let Some(at) = s.find("#[cfg(test)]") {
        let b = s.as_bytes();
        let mut i = at;
        let mut depth = 0i32;
        let mut end = s.len();
        while i < b.len() {
            match b[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        s.replace_range(at..end, "");
    }
    s
}

fn ident_len(s: &[u8]) -> usize {
    s.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

/// Expands the path starting at `s` (after its first segment) into every
/// full path it names: `super::{a::{b, c}, d}` gives `super::a::b`,
/// `super::a::c`, `super::d`.
fn expand(prefix: &str, s: &[u8], out: &mut Vec<String>) {
    let mut path = prefix.to_owned();
    let mut i = 0;
    loop {
        if !s[i..].starts_with(b"::") {
            out.push(path);
            return;
        }
        i += 2;
        while s.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if s.get(i) == Some(&b'{') {
            // Split the group at top-level commas.
            let mut depth = 0;
            let mut start = i + 1;
            let mut j = i;
            while j < s.len() {
                match s[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b',' if depth == 1 => {
                        item(&path, &s[start..j], out);
                        start = j + 1;
                    }
                    _ => {}
                }
                j += 1;
            }
            item(&path, &s[start..j.min(s.len())], out);
            return;
        }
        let n = ident_len(&s[i..]);
        if n == 0 {
            out.push(path);
            return;
        }
        path.push_str("::");
        path.push_str(std::str::from_utf8(&s[i..i + n]).unwrap());
        i += n;
    }
}

fn item(path: &str, part: &[u8], out: &mut Vec<String>) {
    let t = std::str::from_utf8(part).unwrap().trim();
    if t.is_empty() {
        return;
    }
    let t = t.as_bytes();
    let n = ident_len(t);
    if n == 0 {
        out.push(path.to_owned()); // `*` or `self`
        return;
    }
    let first = std::str::from_utf8(&t[..n]).unwrap();
    let p = if first == "self" {
        path.to_owned()
    } else {
        format!("{path}::{first}")
    };
    expand(&p, &t[n..], out);
}

/// Every `crate::`, `$crate::`, `super::` and `self::` path in the code.
fn paths(code: &str) -> Vec<String> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let boundary =
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b':');
        if boundary {
            for head in ["crate", "super", "self"] {
                if b[i..].starts_with(head.as_bytes()) && b[i + head.len()..].starts_with(b"::") {
                    // `super::super::x` is expanded as segments of one path.
                    expand(head, &b[i + head.len()..], &mut out);
                    break;
                }
            }
        }
        i += 1;
    }
    out
}

/// Resolves a path used in module `from` to the deepest known module it
/// names ("" is the crate root).
fn resolve(from: &str, path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").collect()
    };
    match segs[0] {
        "crate" => {
            base.clear();
            segs.remove(0);
        }
        "self" => {
            segs.remove(0);
        }
        "super" => {
            while segs.first() == Some(&"super") {
                base.pop()?;
                segs.remove(0);
            }
        }
        _ => return None,
    }
    for n in (0..=segs.len()).rev() {
        let candidate: Vec<&str> = base
            .iter()
            .copied()
            .chain(segs[..n].iter().copied())
            .collect();
        let m = candidate.join("::");
        if m.is_empty() || modules.contains(&m) {
            return Some(m);
        }
    }
    None
}

/// A crate's module tree from its root file, following `mod x;`
/// declarations outside `#[cfg(test)]`: module name -> its stripped code.
fn modules(src_dir: &Path, root_file: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut todo = vec![(
        String::new(),
        src_dir.join(root_file),
        src_dir.to_path_buf(),
    )];
    while let Some((name, file, dir)) = todo.pop() {
        let src =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let code = without_tests(&code_only(&src));
        for line in code.lines() {
            let t = line.trim();
            let t = t
                .strip_prefix("pub(crate) ")
                .or_else(|| t.strip_prefix("pub(super) "))
                .or_else(|| t.strip_prefix("pub "))
                .unwrap_or(t);
            let Some(rest) = t.strip_prefix("mod ") else {
                continue;
            };
            let Some(child) = rest.strip_suffix(';') else {
                panic!("{}: inline module `{t}`: give it a file", file.display());
            };
            let child_name = if name.is_empty() {
                child.to_owned()
            } else {
                format!("{name}::{child}")
            };
            let flat = dir.join(format!("{child}.rs"));
            let nested = dir.join(child).join("mod.rs");
            let (f, d) = if flat.exists() {
                (flat, dir.join(child))
            } else if nested.exists() {
                (nested, dir.join(child))
            } else {
                panic!("{}: no file for `mod {child};`", file.display())
            };
            todo.push((child_name, f, d));
        }
        found.insert(name, code);
    }
    found
}

/// Each module's arrows (to other modules, not to itself), plus the
/// implicit arrow from each parent to the children it declares.
fn arrows(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = mods.keys().cloned().collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, code) in mods {
        let set = out.entry(m.clone()).or_default();
        for p in paths(code) {
            let p = p.replace("$crate", "crate");
            if let Some(t) = resolve(m, &p, &names) {
                if &t != m {
                    set.insert(t);
                }
            }
        }
        if let Some((parent, _)) = m.rsplit_once("::") {
            out.entry(parent.to_owned()).or_default().insert(m.clone());
        } else if !m.is_empty() {
            out.entry(String::new()).or_default().insert(m.clone());
        }
    }
    out
}

fn check_order(crate_name: &str, src_dir: &Path, root_file: &str, order: &[&str]) -> Vec<String> {
    let mods = modules(src_dir, root_file);
    let graph = arrows(&mods);
    let mut problems = Vec::new();
    let rank: BTreeMap<&str, usize> = std::iter::once("")
        .chain(order.iter().copied())
        .enumerate()
        .map(|(i, m)| (m, i))
        .collect();
    for m in mods.keys() {
        if !rank.contains_key(m.as_str()) {
            problems.push(format!(
                "{crate_name}: module `{m}` has no place in the declared order (tests/layout.rs)"
            ));
        }
    }
    for m in order {
        if !mods.contains_key(*m) {
            problems.push(format!(
                "{crate_name}: declared module `{m}` does not exist"
            ));
        }
    }
    for (from, tos) in &graph {
        for to in tos {
            let (Some(a), Some(b)) = (rank.get(from.as_str()), rank.get(to.as_str())) else {
                continue;
            };
            if a >= b {
                let show = |m: &str| {
                    if m.is_empty() {
                        "crate root".to_owned()
                    } else {
                        m.to_owned()
                    }
                };
                problems.push(format!(
                    "{crate_name}: `{}` uses `{}`, which is above it (or is its ancestor)",
                    show(from),
                    show(to)
                ));
            }
        }
    }
    problems
}

#[test]
fn library_modules_point_down_the_declared_order() {
    let problems = check_order("library", &root().join("src"), "lib.rs", LIBRARY_ORDER);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn sandbox_modules_point_down_the_declared_order() {
    let problems = check_order(
        "sandbox",
        &root().join("sandbox/src"),
        "lib.rs",
        SANDBOX_ORDER,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself finds what it must: an arrow back up, through a
/// group, a `super::super`, a `$crate` macro path; and not a path inside a
/// comment, a string or a test module.
#[test]
fn the_path_reader_sees_imports_and_only_imports() {
    let code = without_tests(&code_only(
        r##"
        use super::{a::{b, c}, d as e};
        // use crate::commented;
        /* use crate::blocked; */
        let s = "crate::in_string"; let r = r#"crate::raw"#; let c = '"';
        fn f<'a>(x: &'a str) { super::super::g::h(x); $crate::m::n!(); }
        #[cfg(test)]
        mod tests { use crate::only_in_tests; }
        "##,
    ));
    let mut found = paths(&code);
    found.sort();
    assert_eq!(
        found,
        [
            "crate::m::n",
            "super::a::b",
            "super::a::c",
            "super::d",
            "super::super::g::h"
        ],
        "{code}"
    );
    let names: BTreeSet<String> = ["x", "x::y", "z"].iter().map(|s| s.to_string()).collect();
    assert_eq!(
        resolve("x::y", "super::super::z::Thing", &names).as_deref(),
        Some("z")
    );
    assert_eq!(
        resolve("x::y", "super::Thing", &names).as_deref(),
        Some("x")
    );
    assert_eq!(resolve("z", "crate::Thing", &names).as_deref(), Some(""));
}

// ---------------------------------------------------------------------------
// The tree as git sees it.

/// What `cmd`, run at the repository's root, printed; it must succeed.
fn stdout_of(cmd: &mut Command, tool: &str) -> String {
    let out = cmd
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("{tool} does not run: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn tracked() -> Vec<String> {
    // The tree as git sees it: tracked files and new ones it does not ignore.
    stdout_of(
        Command::new("git").args(["ls-files", "-co", "--exclude-standard"]),
        "git (package: git)",
    )
    .lines()
    .filter(|p| root().join(p).exists())
    .map(str::to_owned)
    .collect()
}

#[test]
fn no_empty_or_scratch_files_are_tracked() {
    let mut bad = Vec::new();
    for p in tracked() {
        let name = p.rsplit('/').next().unwrap();
        let meta = std::fs::metadata(root().join(&p)).unwrap();
        // PEP 561's marker is empty by definition.
        if meta.len() == 0 && name != "py.typed" {
            bad.push(format!("{p}: empty"));
        }
        let scratch = name.ends_with('~')
            || name.ends_with(".orig")
            || name.ends_with(".rej")
            || name.ends_with(".swp")
            || name == ".DS_Store"
            || (name.starts_with("full-") && name.ends_with(".md"));
        if scratch {
            bad.push(format!("{p}: a scratch file"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The README's file map: the rows between its layout markers.
fn layout_rows() -> Vec<(Vec<String>, Vec<String>)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- layout:begin")
        .expect("README has <!-- layout:begin -->");
    let end = readme
        .find("<!-- layout:end -->")
        .expect("README has <!-- layout:end -->");
    let ticks = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').splitn(2, '|').collect();
            (ticks(cells[0]), ticks(cells.get(1).copied().unwrap_or("")))
        })
        .collect()
}

fn looks_like_path(t: &str) -> bool {
    t.ends_with('/')
        || [
            ".rs", ".php", ".py", ".sh", ".toml", ".md", ".h", ".hpp", ".json", ".in", ".typed",
        ]
        .iter()
        .any(|e| t.ends_with(e))
}

#[test]
fn readme_file_map_names_only_what_exists() {
    let files = tracked();
    let mut bad = Vec::new();
    for (first, second) in layout_rows() {
        for p in &first {
            if !root().join(p).exists() {
                bad.push(format!("`{p}` is in the README's map but not in the tree"));
            }
        }
        // A description's paths are inside the row's directory.
        let dir = match first.as_slice() {
            [one] if one.ends_with('/') => one.clone(),
            _ => String::new(),
        };
        for t in second.iter().filter(|t| looks_like_path(t)) {
            // Whole path components of a file in that directory.
            let part = format!("/{}/", t.trim_end_matches('/'));
            let inside = files
                .iter()
                .any(|f| f.starts_with(&dir) && format!("/{f}/").contains(&part));
            if !inside {
                bad.push(format!("`{t}` (in the row of `{dir}`) is not in the tree"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn readme_file_map_names_everything_in_the_tree() {
    let rows = layout_rows();
    let named: BTreeSet<String> = rows
        .iter()
        .flat_map(|(first, _)| first.iter().map(|p| p.trim_end_matches('/').to_owned()))
        .collect();
    let files = tracked();
    let mut missing = BTreeSet::new();
    for f in &files {
        let parts: Vec<&str> = f.split('/').collect();
        // Every top-level entry, every example and binding.
        let second = (parts.len() > 1).then(|| format!("{}/{}", parts[0], parts[1]));
        let needs = match (parts[0], second) {
            ("examples" | "bindings", Some(s)) => s,
            _ => parts[0].to_owned(),
        };
        let under = format!("{needs}/");
        if !named.contains(&needs) && !named.iter().any(|n| n.starts_with(&under)) {
            missing.insert(needs);
        }
    }
    // Every file and folder of the library is described in the `src/` row.
    let src_row = rows
        .iter()
        .find(|(first, _)| first == &["src/".to_owned()])
        .expect("the README's map has a `src/` row");
    let described: BTreeSet<&str> = src_row.1.iter().map(|t| t.trim_end_matches('/')).collect();
    for f in files.iter().filter_map(|f| f.strip_prefix("src/")) {
        let entry = f.split('/').next().unwrap();
        if !described.contains(entry) {
            missing.insert(format!("src/{entry} (in the `src/` row)"));
        }
    }
    assert!(
        missing.is_empty(),
        "not in the README's file map:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}

// ---------------------------------------------------------------------------
// The Makefile.

#[test]
fn makefile_targets_are_defined_once_with_help() {
    let text = std::fs::read_to_string(root().join("Makefile")).unwrap();
    let mut defined: BTreeMap<String, usize> = BTreeMap::new();
    let mut helped = BTreeSet::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            if let Some((name, _)) = h.split_once(':') {
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
                {
                    helped.insert(name.to_owned());
                }
            }
            continue;
        }
        if line.starts_with(['\t', ' ', '#', '.']) || line.contains(":=") || line.contains("?=") {
            continue;
        }
        if let Some((name, _)) = line.split_once(':') {
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            {
                *defined.entry(name.to_owned()).or_default() += 1;
            }
        }
    }
    assert!(
        defined.len() > 5,
        "no targets read from the Makefile: {defined:?}"
    );
    let mut bad = Vec::new();
    for (name, n) in &defined {
        if *n > 1 {
            bad.push(format!("`{name}` is defined {n} times"));
        }
        if !helped.contains(name) {
            bad.push(format!("`{name}` has no `## {name}: ...` help line"));
        }
    }
    for name in &helped {
        if !defined.contains_key(name) {
            bad.push(format!("the help line of `{name}` names no target"));
        }
    }
    let printed = stdout_of(
        Command::new("make").args(["-s", "--no-print-directory", "help"]),
        "make (package: make)",
    );
    for name in defined.keys() {
        if !printed
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{name}:")))
        {
            bad.push(format!("`make help` does not print `{name}`"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
