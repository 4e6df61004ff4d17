//! The layers (issues 18 and 28). Between crates the compiler enforces them:
//! a crate can name only what its Cargo.toml lists. These tests keep the
//! manifests equal to the crate table of docs/architecture.md (read from the
//! document, so the two cannot drift), keep polars inside `payrun-insights`,
//! and find import cycles between the modules *inside* a crate, which the
//! compiler allows.

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

/// Each workspace crate's name → its `[dependencies]` (names only).
fn manifests() -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.push(root());
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("Cargo.toml")).expect("a Cargo.toml");
        let manifest: toml::Table = toml::from_str(&text).expect("a valid Cargo.toml");
        let name = manifest["package"]["name"].as_str().expect("package.name").to_string();
        let deps =
            manifest.get("dependencies").and_then(|d| d.as_table()).map(|d| d.keys().cloned().collect());
        out.insert(name, deps.unwrap_or_default());
    }
    out
}

/// Every crate reachable from `name` through the workspace's own crates, `name` included.
fn closure(name: &str, manifests: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(next) = todo.pop() {
        if seen.insert(next.clone()) {
            if let Some(deps) = manifests.get(&next) {
                todo.extend(deps.iter().cloned());
            }
        }
    }
    seen
}

#[test]
fn the_crates_depend_on_one_another_as_the_architecture_says() {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    let manifests = manifests();
    let mut documented = BTreeMap::new();
    for row in table(&doc, "crates") {
        let name = names(&row[0]).pop().expect("a crate name in backticks");
        documented.insert(name, names(&row[1]).into_iter().collect::<BTreeSet<_>>());
    }
    let mut actual = BTreeMap::new();
    for (name, deps) in &manifests {
        let own: BTreeSet<String> = deps.iter().filter(|d| manifests.contains_key(*d)).cloned().collect();
        actual.insert(name.clone(), own);
    }
    assert_eq!(
        actual, documented,
        "the crates' Cargo.toml [dependencies] differ from docs/architecture.md's crate table"
    );
    assert!(documented.len() >= 10, "only {} crates found", documented.len());
}

#[test]
fn polars_is_confined_to_insights() {
    let manifests = manifests();
    for (name, deps) in &manifests {
        let polars: Vec<_> = deps.iter().filter(|d| d.starts_with("polars")).collect();
        assert!(polars.is_empty() || name == "payrun-insights", "{name} depends on {polars:?}");
    }
    // Only the application (and the binary over it) may reach insights.
    for name in manifests.keys() {
        let reach = closure(name, &manifests);
        assert!(
            !reach.contains("payrun-insights")
                || matches!(name.as_str(), "payrun-insights" | "payrun-app" | "payrun"),
            "{name} reaches payrun-insights, and with it polars"
        );
    }
    assert!(
        manifests["payrun-insights"].iter().any(|d| d.starts_with("polars")),
        "the check looks at the right field"
    );
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

/// A crate's top-level modules (the files and folders beside `lib.rs`) and
/// the modules each one names (`crate::x`, `super::` climbing to the root):
/// a submodule's imports count for its top-level module. Test code is left
/// out (`tests.rs`, `testkit.rs`, `fixtures.rs` and an inline
/// `#[cfg(test)] mod tests`): a family's tests may run the whole engine that
/// calls the family, which is no cycle in the library (decisions.md 445).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let tops: BTreeSet<String> = files
        .iter()
        .filter_map(|p| module_path(p.strip_prefix(src).expect("under src")).first().cloned())
        .collect();
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for path in &files {
        let rel = path.strip_prefix(src).expect("under src");
        let module = module_path(rel);
        let Some(top) = module.first() else { continue };
        if module.iter().any(|m| matches!(m.as_str(), "tests" | "testkit" | "fixtures")) {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("readable source");
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if line.trim() == "#[cfg(test)]"
                && lines.get(n + 1).is_some_and(|l| l.trim_start().starts_with("mod tests"))
            {
                break;
            }
            for target in targets(line, &module) {
                if &target != top && tops.contains(&target) {
                    let edges = graph.entry(top.clone()).or_default();
                    edges
                        .entry(target)
                        .or_insert_with(|| format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
                }
            }
        }
    }
    graph
}

/// One cycle of the graph, as the modules in order, if there is any.
fn a_cycle(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|e| e.keys()) {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").path().join("src"))
        .collect();
    crates.sort();
    let mut edges = 0;
    let mut cycles = Vec::new();
    for src in &crates {
        let graph = module_graph(src);
        edges += graph.values().map(BTreeMap::len).sum::<usize>();
        if let Some(cycle) = a_cycle(&graph) {
            let steps: Vec<String> =
                cycle.windows(2).map(|w| format!("  {} → {}: {}", w[0], w[1], graph[&w[0]][&w[1]])).collect();
            cycles.push(format!("{}:\n{}", src.display(), steps.join("\n")));
        }
    }
    assert!(edges > 50, "only {edges} edges between modules found: the scanner is broken");
    assert!(cycles.is_empty(), "import cycles between modules:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_no_false_one() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string(), String::new());
        }
        g
    };
    assert_eq!(a_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(
        a_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
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
