//! Every rule's policy reference points at a paragraph that exists in the
//! policy texts (issue 20), or the rule says it is a system control and
//! names a principle that does exist.
//!
//! The texts live outside the repository, in `shared/policy/` beside it
//! (`../shared/policy` from the main tree; looked for in every ancestor of
//! the crate, or at `PAYRUN_POLICY_DIR`). A clone elsewhere (CI) has no such
//! folder, so the opening line of every cited paragraph is vendored in
//! tests/fixtures/policy/excerpts.txt: with the texts present, the test
//! checks the references against them AND that the vendored list is exactly
//! what they give (so it cannot go stale); without them it checks against
//! the vendored list and says so on stderr. It never passes on nothing.
//! Regenerate the list with `PAYRUN_BLESS=1 cargo test --release --test it policy_refs`.

use payrun::rules::{Rule, CATALOGUE};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const EXCERPTS: &str = "tests/fixtures/policy/excerpts.txt";

/// The rules that are the system's own controls (issue 20 §4; the DAT
/// family checks data, which no policy sentence does).
const CONTROLS: &[&str] = &[
    "DAT001", "DAT002", "DAT003", "DAT004", "DAT005", "DAT006", "DAT007", "CUT002", "CUT003", "DUP001",
    "DUP002", "SUB007", "ROS001", "ROS002", "ROS005",
];

/// References to law or guidance outside the Trust's policies: allowed only
/// beside a policy paragraph of the same rule.
const EXTERNAL: &[&str] = &["HMRC AMAP"];

/// Where each policy starts and ends inside the texts (a file of
/// shared/policy/ holds several documents).
struct Span {
    doc: &'static str,
    start: &'static str,
    end: &'static str,
}

const SPANS: &[Span] = &[
    Span {
        doc: "CORP/EMP 9",
        start: "supersedes: CORP/EMP 09 v.4",
        end: "This procedural document supersedes",
    },
    Span {
        doc: "CORP/EMP 10",
        start: "supersedes: CORP/EMP 10 v.4",
        end: "This procedural document supersedes",
    },
    Span {
        doc: "CORP/EMP 33",
        start: "supersedes: CORP/EMP 33 v1",
        end: "This procedural document supersedes",
    },
    Span {
        doc: "CORP/EMP 47",
        start: "supersedes: CORP/EMP 47 v.4",
        end: "This procedural document supersedes",
    },
    Span {
        doc: "Parental Leave Policy",
        start: "This procedural document supersedes and combines the following policies",
        end: "This procedural document supersedes",
    },
    Span {
        doc: "Attendance Management Policy",
        start: "Appendix B – Current Attendance Management Policy and Procedure",
        end: "Appendix A – Sickness Absence Reporting Procedure",
    },
];

fn policy_dir() -> Option<PathBuf> {
    // Set to a folder that does not exist to exercise the vendored list.
    if let Some(dir) = std::env::var_os("PAYRUN_POLICY_DIR") {
        return Some(PathBuf::from(dir)).filter(|d| d.is_dir());
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("policy"))
        .find(|d| d.is_dir())
}

/// The lines of each document's span, by document name.
fn documents(dir: &Path) -> BTreeMap<&'static str, Vec<String>> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    let mut docs = BTreeMap::new();
    for span in SPANS {
        for file in &files {
            let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
            let lines: Vec<&str> = text.lines().collect();
            if let Some(start) = lines.iter().position(|l| l.contains(span.start)) {
                let end = lines[start + 1..]
                    .iter()
                    .position(|l| l.contains(span.end))
                    .map_or(lines.len(), |i| start + 1 + i);
                docs.insert(span.doc, lines[start..end].iter().map(|l| l.to_string()).collect());
                break;
            }
        }
    }
    docs
}

/// True when `line` opens paragraph `number` ("4.10.1 Overnight…",
/// "- 20.4 The…", "## 21. Unacceptable…", "3 DUTIES…"), not 4.10.10 or 6.1.
fn opens(line: &str, number: &str) -> bool {
    let t = line.trim_start_matches(|c: char| c.is_whitespace() || "-*#>".contains(c));
    let Some(rest) = t.strip_prefix(number) else { return false };
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == '*')
}

/// True when `line` heads appendix `n` ("APPENDIX 1 – INFORMATION…").
fn heads_appendix(line: &str, n: &str) -> bool {
    let upper = line.trim().to_uppercase();
    upper
        .strip_prefix(&format!("APPENDIX {n}"))
        .is_some_and(|rest| rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// A line of a table of contents ("4.10 Accommodation and Subsistence\t11").
fn contents_entry(line: &str) -> bool {
    line.trim_end().rsplit_once('\t').is_some_and(|(_, page)| page.chars().all(|c| c.is_ascii_digit()))
}

/// One cited place: the document and what in it ("§4.10.1",
/// "Appendix 3 §4.2.2", "Appendix 1", "P11D and tax").
fn citations(reference: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in reference.split("; ") {
        if EXTERNAL.contains(&part) {
            continue;
        }
        let doc = SPANS
            .iter()
            .map(|s| s.doc)
            .filter(|d| part.starts_with(&format!("{d} ")))
            .max_by_key(|d| d.len())
            .unwrap_or_else(|| panic!("{reference:?}: {part:?} names no known policy document"));
        let mut appendix: Option<String> = None;
        for item in part[doc.len() + 1..].split(", ") {
            let item = item.trim().trim_start_matches("and ");
            let (app, paragraphs) = match item.strip_prefix("Appendix ") {
                Some(rest) => {
                    let (n, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                    appendix = Some(n.to_string());
                    (Some(n.to_string()), tail.to_string())
                }
                None => (appendix.clone(), item.to_string()),
            };
            if !paragraphs.starts_with('§') {
                let what = match (&app, paragraphs.is_empty()) {
                    (Some(n), true) => format!("Appendix {n}"),
                    _ => paragraphs.clone(),
                };
                out.push((doc.to_string(), what));
                continue;
            }
            for p in paragraphs.split('–') {
                let number = p.trim().trim_start_matches('§');
                let what = match &app {
                    Some(n) => format!("Appendix {n} §{number}"),
                    None => format!("§{number}"),
                };
                out.push((doc.to_string(), what));
            }
        }
    }
    out
}

/// The line of the texts that opens a cited place, if any.
fn find(docs: &BTreeMap<&'static str, Vec<String>>, doc: &str, what: &str) -> Option<String> {
    let lines = docs.get(doc)?;
    let (from, target) = match what.strip_prefix("Appendix ") {
        Some(rest) => {
            let (n, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            // The last heading of the appendix (the first is in the contents).
            let at = lines.iter().rposition(|l| heads_appendix(l, n))?;
            if tail.is_empty() {
                return Some(lines[at].trim().to_string());
            }
            (at, tail)
        }
        None => (0, what),
    };
    let found = match target.strip_prefix('§') {
        Some(number) => lines[from..].iter().find(|l| opens(l, number) && !contents_entry(l)),
        None => lines[from..].iter().find(|l| l.trim().eq_ignore_ascii_case(target)),
    }?;
    Some(found.trim().chars().take(100).collect())
}

/// `doc | place | opening line` for every place any rule cites.
fn excerpt_list(docs: &BTreeMap<&'static str, Vec<String>>) -> (String, Vec<String>) {
    let mut places = std::collections::BTreeSet::new();
    for rule in CATALOGUE {
        for c in citations(cited(rule)) {
            places.insert(c);
        }
    }
    let mut missing = Vec::new();
    let mut out = String::new();
    for (doc, what) in places {
        match find(docs, &doc, &what) {
            Some(line) => out.push_str(&format!("{doc} | {what} | {line}\n")),
            None => missing.push(format!("{doc} {what}")),
        }
    }
    (out, missing)
}

/// What a rule cites: its paragraphs, or for a control the principle served.
fn cited(rule: &Rule) -> &'static str {
    match rule.policy_ref.strip_prefix("system control; serves ") {
        Some(served) => served,
        None => rule.policy_ref,
    }
}

#[test]
fn system_controls_say_so_and_only_they_do() {
    for rule in CATALOGUE {
        let control = CONTROLS.contains(&rule.code);
        assert_eq!(rule.control.is_some(), control, "{}: control field", rule.code);
        assert_eq!(
            rule.policy_ref.starts_with("system control; serves "),
            control,
            "{}: {:?}",
            rule.code,
            rule.policy_ref
        );
    }
}

#[test]
fn references_parse_into_places() {
    assert_eq!(
        citations("CORP/EMP 47 Appendix 3 §4.2.5, §4.2.2"),
        [
            ("CORP/EMP 47".to_string(), "Appendix 3 §4.2.5".to_string()),
            ("CORP/EMP 47".to_string(), "Appendix 3 §4.2.2".to_string())
        ]
    );
    assert_eq!(
        citations("Attendance Management Policy §20.4, §21.1–§21.2").len(),
        3,
        "a range checks both ends"
    );
    assert_eq!(
        citations("CORP/EMP 33 P11D and tax; HMRC AMAP"),
        [("CORP/EMP 33".into(), "P11D and tax".into())]
    );
    assert!(opens("- 20.4 The Bradford scores", "20.4"));
    assert!(opens("## 21. Unacceptable", "21"));
    assert!(opens("3 DUTIES AND RESPONSIBILITIES", "3"));
    assert!(!opens("6.1 Overview", "6"));
    assert!(!opens("4.10.10 Other", "4.10.1"));
    assert!(heads_appendix("APPENDIX 1 – INFORMATION ON SUBSISTENCE RATES", "1"));
    assert!(!heads_appendix("APPENDIX 10", "1"));
}

#[test]
fn every_policy_reference_names_a_paragraph_of_the_policy_texts() {
    let vendored =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXCERPTS)).unwrap_or_default();
    match policy_dir() {
        Some(dir) => {
            let docs = documents(&dir);
            for span in SPANS {
                assert!(docs.contains_key(span.doc), "{}: not found in {}", span.doc, dir.display());
            }
            let (list, missing) = excerpt_list(&docs);
            assert!(
                missing.is_empty(),
                "cited but not in the policy texts of {}: {missing:#?}",
                dir.display()
            );
            if std::env::var_os("PAYRUN_BLESS").is_some() {
                std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXCERPTS), &list).unwrap();
            }
            assert_eq!(
                vendored, list,
                "{EXCERPTS} is stale: PAYRUN_BLESS=1 cargo test --release --test it policy_refs"
            );
        }
        None => {
            eprintln!("policy texts not found beside the crate: checking against the vendored {EXCERPTS}");
            assert!(!vendored.is_empty(), "{EXCERPTS} is missing and so are the policy texts");
            for rule in CATALOGUE {
                for (doc, what) in citations(cited(rule)) {
                    let vendored_line = vendored
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{doc} | {what} | ")))
                        .unwrap_or_else(|| panic!("{}: {doc} {what} is not in {EXCERPTS}", rule.code));
                    let ok = match what.rsplit_once('§') {
                        Some((_, number)) => opens(vendored_line, number),
                        None => !vendored_line.is_empty(),
                    };
                    assert!(ok, "{}: {doc} {what}: vendored line {vendored_line:?}", rule.code);
                }
            }
        }
    }
}

/// A reference to a paragraph the texts do not have is caught (the test
/// above can fail).
#[test]
fn a_reference_to_a_missing_paragraph_is_caught() {
    let Some(dir) = policy_dir() else { return };
    let docs = documents(&dir);
    assert!(find(&docs, "CORP/EMP 33", "§4.10.1").is_some());
    assert!(find(&docs, "CORP/EMP 33", "§4.10.9").is_none());
    assert!(find(&docs, "Attendance Management Policy", "§10.1").is_some());
    assert!(find(&docs, "CORP/EMP 47", "Appendix 3 §4.2.13").is_none());
}
