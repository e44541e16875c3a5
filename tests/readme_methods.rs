//! The README's "Methods" table must equal the one generated from the
//! method table (`justclick::api::readme_table`), like the headers:
//! `JUSTCLICK_BLESS=1 cargo test --test readme_methods` rewrites the block
//! between the markers.

use std::path::Path;

const BEGIN: &str = "<!-- methods:begin (generated from src/api/spec.rs; JUSTCLICK_BLESS=1 cargo test --test readme_methods) -->\n";
const END: &str = "<!-- methods:end -->";

#[test]
fn readme_methods_table_matches_the_declaration() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(BEGIN)
        .expect("README.md has the methods:begin marker")
        + BEGIN.len();
    let end = start
        + readme[start..]
            .find(END)
            .expect("README.md has the methods:end marker");
    let fresh = justclick::api::readme_table();
    if std::env::var_os("JUSTCLICK_BLESS").is_some() {
        let updated = format!("{}{fresh}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        readme[start..end] == fresh,
        "README.md's Methods table is out of date with src/api/spec.rs; run `JUSTCLICK_BLESS=1 cargo test --features sandbox --test readme_methods` and commit it"
    );
    for m in justclick::METHODS {
        assert!(readme[start..end].contains(&format!("`jc_{}`", m.snake)));
    }
}
