//! The layer check (issue 18): every `crate::…` path in `src/**/*.rs` points
//! along the table of docs/architecture.md, read from the document itself so
//! the two cannot drift. Exceptions still to remove are listed there too, and
//! one that is no longer needed fails the test, so the list stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The backticked names of a markdown table cell.
fn names(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The rows of the table between `<!-- NAME:begin -->` and `<!-- NAME:end -->`,
/// header and rule skipped, as cells.
fn table(doc: &str, name: &str) -> Vec<Vec<String>> {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let start = doc.find(&begin).unwrap_or_else(|| panic!("docs/architecture.md has no {begin}"));
    let stop = doc[start..].find(&end).unwrap_or_else(|| panic!("docs/architecture.md has no {end}")) + start;
    doc[start + begin.len()..stop]
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .skip(2)
        .map(|l| l.trim().trim_matches('|').split('|').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// Module → what it may import, and (file, module) exceptions.
type Rules = (BTreeMap<String, BTreeSet<String>>, BTreeSet<(String, String)>);

fn rules_of(doc: &str) -> Rules {
    let mut allowed = BTreeMap::new();
    for row in table(doc, "layers") {
        let module = names(&row[0]).pop().expect("a module name in backticks");
        allowed.insert(module, names(&row[1]).into_iter().collect());
    }
    let pending = table(doc, "layers-pending")
        .iter()
        .map(|row| (names(&row[0])[0].clone(), names(&row[1])[0].clone()))
        .collect();
    (allowed, pending)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("readable src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src`: `src/rules/leave/tests.rs` →
/// `["rules", "leave", "tests"]`; `mod.rs`, `lib.rs` and `main.rs` name their folder.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// The crate's top-level modules a line of code names: `crate::a::…`,
/// `crate::{a, b::c}` and `super::` chains climbing to the crate root.
/// Comments and string contents before `//` are not code; doc comments are
/// skipped whole.
fn targets(line: &str, module: &[String]) -> Vec<String> {
    let code = line.trim_start();
    if code.starts_with("//") {
        return Vec::new();
    }
    let code = code.split(" //").next().unwrap_or(code);
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::`, `some_crate::`
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}}`: the first segment of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        found.push(ident(&group[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(ident(rest));
        }
    }
    for (i, _) in code.match_indices("super::") {
        if code[..i].ends_with("super::") {
            continue; // counted from the first `super::` of the chain
        }
        let mut rest = &code[i..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            up += 1;
            rest = r;
        }
        // A file module's parent is one level up; climbing to depth 0 reaches
        // the crate root, where the next segment is a top-level module.
        if up >= module.len() {
            found.push(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty() && m != "self" && m != "Error" && m != "Result");
    found
}

#[test]
fn every_import_follows_the_layer_table() {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    let (allowed, pending) = rules_of(&doc);
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "scanned {} files", files.len());

    let mut violations = Vec::new();
    let mut used_exceptions = BTreeSet::new();
    let mut scanned_edges = 0;
    for path in &files {
        let rel = path.strip_prefix(&src).expect("under src");
        let module = module_path(rel);
        let Some(top) = module.first() else { continue };
        if matches!(top.as_str(), "lib" | "main") || module.is_empty() {
            continue;
        }
        let file = format!("src/{}", rel.display());
        let text = std::fs::read_to_string(path).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            for target in targets(line, &module) {
                // Items of the crate root (`crate::Result`) and names a
                // `super::` chain reaches inside an inline module (`mod
                // tests`) are not modules: only top-level modules are layers
                // (the table test checks every one has a row).
                if &target == top || !allowed.contains_key(&target) {
                    continue;
                }
                scanned_edges += 1;
                let Some(may) = allowed.get(top) else {
                    violations.push(format!("{file}: module `{top}` is not in the layer table"));
                    continue;
                };
                if may.contains(&target) {
                    continue;
                }
                if pending.contains(&(file.clone(), target.clone())) {
                    used_exceptions.insert((file.clone(), target.clone()));
                    continue;
                }
                violations.push(format!(
                    "{file}:{}: `{top}` may not import `{target}`: {}",
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(scanned_edges > 100, "only {scanned_edges} cross-module paths found: the scanner is broken");
    assert!(
        violations.is_empty(),
        "imports against docs/architecture.md's layers:\n{}",
        violations.join("\n")
    );
    let stale: Vec<_> = pending.difference(&used_exceptions).collect();
    assert!(stale.is_empty(), "exceptions in docs/architecture.md no longer needed, remove them: {stale:?}");
}

/// The scanner itself: each form of path it must see, and what it must not
/// take for one.
#[test]
fn the_scanner_sees_every_form_of_crate_path() {
    let m = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let rules = m(&["rules", "leave"]);
    assert_eq!(targets("use crate::model::Pence;", &rules), ["model"]);
    assert_eq!(targets("use crate::{config::Config, model::{Miles, Pence}};", &rules), ["config", "model"]);
    assert_eq!(targets("    let x = crate::output::csv::p11d(w);", &rules), ["output"]);
    assert_eq!(targets("use super::{Family, Rule};", &rules), Vec::<String>::new());
    assert_eq!(targets("use super::super::ingest::cell;", &rules), ["ingest"]);
    assert_eq!(
        targets("use super::super::super::ingest::cell;", &m(&["rules", "leave", "tests"])),
        ["ingest"]
    );
    assert_eq!(targets("/// see [`crate::ingest`]", &rules), Vec::<String>::new());
    assert_eq!(targets("// crate::ingest", &rules), Vec::<String>::new());
    assert_eq!(targets("use payrun_crate::ingest;", &rules), Vec::<String>::new());
    assert_eq!(targets("use crate::error::Result;", &rules), ["error"]);
}

#[test]
fn the_table_parses_and_names_every_top_level_module() {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    let (allowed, _) = rules_of(&doc);
    let mut tops: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("src")).expect("src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if !matches!(name.as_str(), "lib" | "main") {
            tops.insert(name);
        }
    }
    let missing: Vec<_> = tops.iter().filter(|t| !allowed.contains_key(*t)).collect();
    assert!(missing.is_empty(), "modules missing from docs/architecture.md's layer table: {missing:?}");
    // Only the commands and the batch driver import the run's driver; only
    // the CLI imports the commands.
    for (module, may) in &allowed {
        assert!(
            !may.contains("pipeline") || matches!(module.as_str(), "cmd" | "batch"),
            "{module} may import pipeline"
        );
        assert!(!may.contains("cmd") || module == "cli", "{module} may import cmd");
        assert!(!may.contains(module), "{module} lists itself");
    }
    assert!(allowed["model"].is_empty(), "model is the bottom layer");
}
