//! The README and the pages in `docs/` link to each other and to files of the repository with
//! relative links, and the code points users at those pages (the doctor's fixes, comments). These
//! tests keep every such link and pointer reaching a file, and every `#anchor` a heading of it,
//! the way GitHub turns headings into anchors.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README, every page in `docs/`, and the fuzzing README.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md"), root().join("fuzz/README.md")];
    let mut pages: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    files.extend(pages);
    files
}

/// The lines of a Markdown text outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut in_fence = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            lines.push(line);
        }
    }
    lines
}

/// A paragraph's line without its inline code spans (`` `…` ``), where `](` means nothing. A code
/// span may go on over the end of a line: `in_code` carries that into the next one.
fn without_code_spans(line: &str, in_code: &mut bool) -> String {
    let mut out = String::new();
    for c in line.chars() {
        if c == '`' {
            *in_code = !*in_code;
        } else if !*in_code {
            out.push(c);
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, letters, digits, `-` and `_` kept, spaces turned
/// into `-`, everything else dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every anchor a Markdown file has, numbered as GitHub numbers repeated headings.
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for line in prose_lines(text) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let base = slug(heading);
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// The targets of the inline links `[text](target)` of a Markdown text.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for line in prose_lines(text) {
        if line.trim().is_empty() {
            in_code = false;
        }
        let line = without_code_spans(line, &mut in_code);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            targets.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// What is wrong with one link of `file`, if anything.
fn check_link(file: &Path, target: &str) -> Option<String> {
    if target.starts_with("http://") || target.starts_with("https://") {
        return None;
    }
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let dir = file.parent().expect("a file has a directory");
    let resolved = if path.is_empty() {
        file.to_path_buf()
    } else {
        dir.join(path)
    };
    if !resolved.exists() {
        return Some(format!("{target}: {} does not exist", resolved.display()));
    }
    let anchor = anchor?;
    let text = fs::read_to_string(&resolved).ok()?;
    if anchors(&text).contains(anchor) {
        None
    } else {
        Some(format!(
            "{target}: {} has no heading with the anchor #{anchor}",
            resolved.display()
        ))
    }
}

#[test]
fn every_relative_link_of_the_readme_and_docs_reaches_a_file_and_heading() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let text = fs::read_to_string(&file).expect("readable");
        for target in link_targets(&text) {
            checked += 1;
            if let Some(problem) = check_link(&file, &target) {
                let name = file.strip_prefix(root()).unwrap_or(&file).display();
                broken.push(format!("{name}: {problem}"));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} links found: is the parser blind?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The files outside the docs that may name a docs page for the user or a reader.
fn files_that_point_at_docs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [
        "Cargo.toml",
        "template.yaml",
        "compose.yaml",
        "Dockerfile",
        ".ci/run",
    ]
    .iter()
    .map(|name| root().join(name))
    .collect();
    let mut dirs = vec![
        root().join("src"),
        root().join("scripts"),
        root().join("tests"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "fixtures") {
                    dirs.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.retain(|path| path.is_file());
    files
}

#[test]
fn every_docs_page_the_code_names_exists() {
    let mut named = 0;
    let mut missing = Vec::new();
    for file in files_that_point_at_docs() {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find("docs/") {
            let after = &rest[at..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || "/_-.".contains(c)))
                .unwrap_or(after.len());
            let name = after[..end].trim_end_matches('.');
            if name.ends_with(".md") {
                named += 1;
                if !root().join(name).is_file() {
                    let from = file.strip_prefix(root()).unwrap_or(&file).display();
                    missing.push(format!("{from} names {name}, which does not exist"));
                }
            }
            rest = &after[end.max(1)..];
        }
    }
    assert!(named > 0, "no docs page named anywhere: is the scan blind?");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn anchors_follow_githubs_rules() {
    let text = "# The bridge (`ma-alexa-bridge`)\n## 4. Link the skill\n## Music Assistant's API\n\
                ```sh\n# not a heading\n```\n## Logs\n## Logs\n";
    let found = anchors(text);
    for anchor in [
        "the-bridge-ma-alexa-bridge",
        "4-link-the-skill",
        "music-assistants-api",
        "logs",
        "logs-1",
    ] {
        assert!(found.contains(anchor), "{anchor} missing from {found:?}");
    }
    assert!(!found.contains("not-a-heading"));
    assert_eq!(
        link_targets("see [a](x.md#b) and `[c](not-a-link)` and [d](../y.md)"),
        ["x.md#b", "../y.md"]
    );
    assert_eq!(
        link_targets("a `code span\nover two lines` then [e](z.md)\n\n`unclosed\n\n[f](w.md)"),
        ["z.md", "w.md"]
    );
}
