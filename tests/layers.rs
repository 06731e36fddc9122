//! The layers of docs/architecture.md, checked on the source: a module may use its own layer and those below it,
//! never one above. A new top-level module must be given a layer here.
//!
//! Each file is parsed with `syn`, and every path that can name a module of this crate is resolved to the top-level
//! module it reaches: `use` trees with their nested groups, `crate::`, `super::` and `self::` paths (resolved from
//! the module the file, or an inline `mod` in it, defines), qualified paths in expressions, types and patterns, and
//! the same paths inside macro invocations, whose tokens syn leaves unparsed.

use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Top-level modules of `src/`, lowest layer first.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &["domain"]),
    ("proofs", &["grant"]),
    ("storage", &["store"]),
    ("errors", &["error"]),
    (
        "application",
        &[
            "app",
            "auth",
            "access",
            "rate",
            "config",
            "tls",
            "metrics",
            "drain",
            "mail",
            "telemetry",
            "sandbox",
            "identity",
            "factors",
        ],
    ),
    ("HTTP", &["api", "console", "mcp", "people", "tfa"]),
    ("router", &["router", "listener"]),
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

/// The module path a file under `src/` defines: `api/orgs/view.rs` is `api::orgs::view`, `api/mod.rs` is `api`,
/// `lib.rs` is the crate root. `main.rs` (the binary's root) counts as the module `main`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
        parts.pop();
    }
    parts
}

/// Collects the top-level modules of this crate that the paths of one file reach.
struct Uses {
    /// The module being read: the file's, plus any inline `mod` entered.
    module: Vec<String>,
    found: Vec<String>,
}

impl Uses {
    /// Resolves a path given as its segments; records the top-level module it reaches, if it is one of this crate.
    fn path(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else { return };
        let resolved: Vec<String> = match first.as_str() {
            "crate" => segments[1..].to_vec(),
            "self" => self.module.iter().chain(&segments[1..]).cloned().collect(),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let Some(kept) = self.module.len().checked_sub(ups) else { return };
                self.module[..kept].iter().chain(&segments[ups..]).cloned().collect()
            }
            _ => return,
        };
        if let Some(top) = resolved.first() {
            self.found.push(top.clone());
        }
    }

    /// Every path of a `use` tree, group by group.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.path(&[prefix.clone(), vec![n.ident.to_string()]].concat()),
            syn::UseTree::Rename(r) => self.path(&[prefix.clone(), vec![r.ident.to_string()]].concat()),
            syn::UseTree::Glob(_) => self.path(prefix),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }

    /// Paths in unparsed tokens: `crate`, `self` or `super` followed by `::`-separated names.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if matches!(id.to_string().as_str(), "crate" | "self" | "super") => {
                    let mut segments = vec![id.to_string()];
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(next))) =
                        (trees.get(i + 1), trees.get(i + 2), trees.get(i + 3))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        i += 3;
                    }
                    if segments.len() > 1 {
                        self.path(&segments);
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.module.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.module.pop();
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.path(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

/// The top-level modules of this crate that a source file of module `module` reaches.
fn crate_uses(module: &[String], source: &str) -> Vec<String> {
    let file = syn::parse_file(source).unwrap_or_else(|e| panic!("{}: {e}", module.join("::")));
    let mut uses = Uses { module: module.to_vec(), found: Vec::new() };
    uses.visit_file(&file);
    uses.found
}

/// The uses of a file of `module` against the layers, as messages.
fn violations(module: &[String], source: &str) -> Vec<String> {
    let top = module.first().map_or("lib", String::as_str);
    let own = layer_of(top).unwrap_or_else(|| panic!("src/{top} has no layer in tests/layers.rs"));
    let mut wrong: Vec<String> = crate_uses(module, source)
        .into_iter()
        .filter_map(|used| {
            let theirs = layer_of(&used)?;
            (theirs > own).then(|| format!("({}) uses crate::{used} ({})", LAYERS[own].0, LAYERS[theirs].0))
        })
        .collect();
    wrong.dedup();
    wrong
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let found = violations(&module_of(rel), &std::fs::read_to_string(file).unwrap());
        wrong.extend(found.into_iter().map(|w| format!("{} {w}", rel.display())));
    }
    assert!(files.len() > 50, "the walk found the sources");
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

fn module(path: &str) -> Vec<String> {
    module_of(Path::new(path))
}

#[test]
fn files_define_the_modules_of_their_paths() {
    assert_eq!(module("api/orgs/view.rs"), ["api", "orgs", "view"]);
    assert_eq!(module("store/mod.rs"), ["store"]);
    assert!(module("lib.rs").is_empty());
}

#[test]
fn the_parse_sees_paths_groups_super_self_and_macros() {
    let source = r#"
        use crate::{api, store::{models::{User}, audit}};
        use super::super::error::ApiError;
        use self::inner::Thing;
        fn f(x: crate::grant::Proof) -> Result<(), super::Local> {
            let y = crate::config::Config::default();
            format!("{}", crate::auth::name());
            Ok(())
        }
        mod tests { use super::super::sibling; }
    "#;
    let uses = crate_uses(&module("domain/plans/license.rs"), source);
    assert_eq!(
        uses,
        ["api", "store", "store", "domain", "domain", "grant", "domain", "config", "auth", "domain"],
        "{uses:?}"
    );
}

#[test]
fn a_planted_super_path_or_nested_group_across_the_layers_is_caught() {
    // From domain::plans, `super::super` is the crate root: this reaches `api`, two layers up.
    let by_super = violations(&module("domain/plans.rs"), "use super::super::api::dto::Organization;");
    assert_eq!(by_super, ["(domain) uses crate::api (HTTP)"]);
    let in_group = violations(&module("store/orgs.rs"), "use crate::{domain::{plans::{License}}, app::{AppState}};");
    assert_eq!(in_group, ["(storage) uses crate::app (application)"]);
    let in_expression = violations(&module("grant.rs"), "fn f() { let _ = crate::store::open; }");
    assert_eq!(in_expression, ["(proofs) uses crate::store (storage)"]);
    assert!(violations(&module("api/orgs.rs"), "use super::super::store::Store; use crate::domain::plans;").is_empty());
}
