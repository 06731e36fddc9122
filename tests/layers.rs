//! The layers of docs/architecture.md, checked on the source: a module may use its own layer and those below it,
//! never one above. A new top-level module must be given a layer here.

use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, lowest layer first.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &["domain"]),
    ("proofs", &["grant"]),
    ("storage", &["store"]),
    ("errors", &["error"]),
    (
        "application",
        &["app", "auth", "access", "rate", "config", "tls", "metrics", "drain", "mail", "telemetry", "sandbox"],
    ),
    ("HTTP", &["api", "console"]),
    ("router", &["router"]),
    ("process", &["main", "lib", "cli", "server", "commands", "backup", "retention", "sandbox_server"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source text names through `crate::` (paths and `use crate::{a, b}` groups).
fn crate_uses(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
            None => vec![rest],
        };
        for name in names {
            let name: String = name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs");
        let own = layer_of(module).unwrap_or_else(|| panic!("src/{module} has no layer in tests/layers.rs"));
        for used in crate_uses(&std::fs::read_to_string(file).unwrap()) {
            let Some(theirs) = layer_of(&used) else { continue };
            if theirs > own {
                wrong.push(format!("{} ({}) uses crate::{used} ({})", rel.display(), LAYERS[own].0, LAYERS[theirs].0));
            }
        }
    }
    assert!(files.len() > 50, "the walk found the sources");
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

#[test]
fn the_scan_sees_paths_and_groups() {
    let uses = crate_uses("use crate::{api, store::models};\nlet x = crate::grant::perms::X;");
    assert_eq!(uses, ["api", "store", "grant"]);
}
