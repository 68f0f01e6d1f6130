//! The licence notices that travel with the binary (issue 12): syntect, two-face, onig and the
//! Oniguruma C library it compiles, tree-sitter and its five grammar crates, and every embedded
//! grammar whose licence asks for its notice in binary copies (MIT, BSD, Apache-2.0).
//! `mekong licenses` prints them.
//!
//! The grammar notices come from two-face's own embedded list, so they follow the grammars
//! when the crate is updated; the crates' licences are copied in `notices/`.

use std::fmt::Write as _;

const CRATES: &[(&str, &str, &str)] = &[
    ("syntect", "MIT", include_str!("notices/syntect.txt")),
    (
        "two-face",
        "MIT OR Apache-2.0 (used under MIT)",
        include_str!("notices/two-face.txt"),
    ),
    ("onig and onig_sys", "MIT", include_str!("notices/onig.txt")),
    (
        "Oniguruma (C library, compiled into onig_sys)",
        "BSD-2-Clause",
        include_str!("notices/oniguruma.txt"),
    ),
    (
        "tree-sitter, tree-sitter-highlight (and tree-sitter-language)",
        "MIT",
        include_str!("notices/tree-sitter.txt"),
    ),
    (
        "tree-sitter-javascript (grammar)",
        "MIT",
        include_str!("notices/tree-sitter-javascript.txt"),
    ),
    (
        "tree-sitter-typescript (grammars)",
        "MIT",
        include_str!("notices/tree-sitter-typescript.txt"),
    ),
    (
        "tree-sitter-python (grammar)",
        "MIT",
        include_str!("notices/tree-sitter-python.txt"),
    ),
    (
        "tree-sitter-c (grammar)",
        "MIT",
        include_str!("notices/tree-sitter-c.txt"),
    ),
    (
        "tree-sitter-bash (grammar)",
        "MIT",
        include_str!("notices/tree-sitter-bash.txt"),
    ),
];

/// Every notice, as plain text: the highlighting crates first, then each grammar that needs
/// one, named by its path in bat's repository.
pub fn notices() -> String {
    let mut out = String::from(
        "mekong is MIT-licensed. Its code highlighting compiles in the following software and\n\
         syntax definitions, whose licences ask that these notices go with binary copies.\n\
         The other crates mekong links are listed by `cargo tree` in its source.\n",
    );
    for (name, licence, text) in CRATES {
        let _ = write!(out, "\n==== {name} ({licence})\n\n{}\n", text.trim_end());
    }
    let listing = two_face::acknowledgement::listing();
    let grammars = listing.for_syntaxes();
    let _ = write!(
        out,
        "\n==== Syntax definitions (bat's curated set, through two-face): {} notices\n",
        grammars.len()
    );
    for l in grammars {
        let _ = write!(
            out,
            "\n---- {} ({:?})\n\n{}\n",
            l.rel_path.display(),
            l.ty,
            l.text.trim_end()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn notices_name_every_crate_and_the_grammars() {
        let n = super::notices();
        for want in [
            "syntect",
            "two-face",
            "onig",
            "K.Kosako",
            "tree-sitter-typescript",
            "tree-sitter-bash",
            "Syntax definitions",
        ] {
            assert!(n.contains(want), "{want} missing");
        }
        assert!(n.matches("\n---- ").count() > 10);
    }
}
