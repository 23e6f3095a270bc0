//! The library's module graph, read from its sources: the arrows point one way.
//!
//! Every `crate::…` and `super::…` path in a module's code (its tests left out) is an arrow to
//! the deepest module it names. A module may always reach its ancestors (that is how Rust nests
//! them); any other cycle means one idea split wrong. The words (`speech`) and the wire types
//! (`alexa`) know nothing of the skill's decisions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`skill::media`, `` for the crate root) → its source, tests cut off.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path == src.join("main.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read module");
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_owned(),
                None => text,
            };
            found.insert(module_path(&src, &path), without_comments(&code));
        }
    }
    found
}

fn module_path(src: &Path, file: &Path) -> String {
    let relative: PathBuf = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

fn without_comments(code: &str) -> String {
    code.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string literal (a URL) is rare in the paths we look for; cutting
            // there only loses text after it.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parent(module: &str) -> String {
    module
        .rsplit_once("::")
        .map_or(String::new(), |(p, _)| p.to_owned())
}

fn join(base: &str, part: &str) -> String {
    if base.is_empty() {
        part.to_owned()
    } else {
        format!("{base}::{part}")
    }
}

/// The paths that start right after `at` (`a::b`, or each one of `{a::b, c}`).
fn paths_after(text: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> usize {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let mut words = Vec::new();
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            let inner = &group[..end];
            let mut out = Vec::new();
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        for tail in paths_after(inner[start..i].trim()) {
                            out.push(words.iter().cloned().chain(tail).collect());
                        }
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            for tail in paths_after(inner[start..].trim()) {
                out.push(words.iter().cloned().chain(tail).collect());
            }
            return out;
        }
        let n = ident(rest);
        if n == 0 {
            break;
        }
        words.push(rest[..n].to_owned());
        match rest[n..].strip_prefix("::") {
            Some(more) => rest = more,
            None => break,
        }
    }
    vec![words]
}

/// The arrows out of each module: the deepest known module each path names.
fn arrows(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for (module, code) in modules {
        let mut to = BTreeSet::new();
        for (prefix, base) in [("crate::", String::new()), ("super::", parent(module))] {
            for (at, _) in code.match_indices(prefix) {
                let before = code[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                for path in paths_after(&code[at + prefix.len()..]) {
                    let mut target = base.clone();
                    for word in &path {
                        let deeper = join(&target, word);
                        if modules.contains_key(&deeper) {
                            target = deeper;
                        } else {
                            break;
                        }
                    }
                    let ancestor = target.is_empty()
                        || module == &target
                        || module.starts_with(&format!("{target}::"));
                    if !ancestor {
                        to.insert(target);
                    }
                }
            }
        }
        graph.insert(module.clone(), to);
    }
    graph
}

/// A cycle through `start`, if any: the modules on it.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_reader_sees_the_arrows_it_must_guard() {
    // If the reader stopped seeing imports, every rule below would pass for nothing.
    let graph = arrows(&modules());
    let out_of = |m: &str| graph.get(m).cloned().unwrap_or_default();
    assert!(
        out_of("skill::media").contains("skill::queue"),
        "{graph:#?}"
    );
    assert!(out_of("skill::rooms").contains("skill::media"));
    assert!(out_of("skill").contains("speech"));
    assert!(out_of("service").contains("skill"));
    assert!(out_of("skill::failure").contains("music_assistant"));
    assert_eq!(
        paths_after("{a::{b, c}, d}"),
        [vec!["a", "b"], vec!["a", "c"], vec!["d"]]
    );
}

#[test]
fn no_module_cycles() {
    let graph = arrows(&modules());
    let cycles: Vec<Vec<String>> = graph
        .keys()
        .filter_map(|m| cycle_through(&graph, m))
        .collect();
    assert!(
        cycles.is_empty(),
        "modules that reach each other: {cycles:?}"
    );
}

#[test]
fn words_and_wire_types_know_no_skill_decisions() {
    let graph = arrows(&modules());
    for (module, to) in &graph {
        let words_or_wire =
            module == "speech" || module == "alexa" || module.starts_with("alexa::");
        if words_or_wire {
            let wrong: Vec<&String> = to
                .iter()
                .filter(|t| *t == "skill" || t.starts_with("skill::"))
                .collect();
            assert!(wrong.is_empty(), "{module} imports {wrong:?}");
        }
    }
}
