//! The core's layering, checked from its source (docs/architecture.md).
//!
//! Each file under `core/src` belongs to the layer of its top folder. A file may name (with
//! `crate::…` or `super::…`, including names the crate root re-exports, such as `crate::Engine`)
//! only modules of its own layer or of layers below it. The check reads the source text, the cheap
//! form of splitting the layers into crates: it fails on the first arrow that points up. Test code
//! (`#[cfg(test)]` items and modules) is left out: a state module's test may build an engine to
//! drive it, as an integration test would.
//!
//! `cargo test -p journey-core --test layers -- --nocapture` also prints the file-level import
//! graph's circles (strongly connected components), the figure docs/architecture.md quotes; with
//! `LAYERS_EDGES=1` it prints every file-to-file import too (`EDGE from to`). The file runs as it
//! is on an older checkout, to count that tree's circles the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A top-level module not in this table fails the test, so a new one
/// has to be placed.
const LAYERS: &[(&str, &[&str])] = &[
    ("base", &["base"]),
    ("model", &["model"]),
    ("state", &["state"]),
    ("engine", &["engine"]),
    ("above the engine", &["durable", "partition"]),
    // The crate root re-exports every layer's public items; `forms` and `stages` describe
    // the whole API for tools and benchmarks.
    ("crate root", &["lib", "forms", "stages"]),
];

/// Arrows the layering allows between modules of the same rank: `partition` may use `durable`
/// (it opens durable engines per partition), never the other way round.
const SAME_RANK_ALLOWED: &[(&str, &str)] = &[("partition", "durable")];

/// One source file: its module path (`["state", "session", "web"]`) and text.
struct SourceFile {
    module: Vec<String>,
    relative: String,
    text: String,
}

fn source_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read_sources() -> Vec<SourceFile> {
    let mut files = Vec::new();
    collect(&source_root(), &mut files);
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    files
}

fn collect(dir: &Path, files: &mut Vec<SourceFile>) {
    for entry in std::fs::read_dir(dir).expect("read core/src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(source_root()).unwrap().to_string_lossy().replace('\\', "/");
            let mut module: Vec<String> = relative.trim_end_matches(".rs").split('/').map(String::from).collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            if module == ["lib"] {
                module.clear();
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            files.push(SourceFile { module, relative, text });
        }
    }
}

/// The code of a file without comments and string literals, so a doc comment that names a
/// module is not an import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if bytes[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(bytes.len(), |e| i + 2 + e + 2);
            i = end;
        } else if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if bytes[i..].starts_with(b"r#\"") {
            let end = text[i + 3..].find("\"#").map_or(bytes.len(), |e| i + 3 + e + 2);
            i = end;
            out.push_str("\"\"");
        } else if bytes[i] == b'\'' && i + 2 < bytes.len() && (bytes[i + 2] == b'\'' || bytes[i + 1] == b'\\') {
            // A char literal such as '"' or '\n' (not a lifetime).
            let close = text[i + 1..].find('\'').map_or(bytes.len(), |e| i + 1 + e + 1);
            i = close.max(i + 3);
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `code` without its `#[cfg(test)]` items, and the names of the test-only modules it declares
/// (`#[cfg(test)] mod listing;`), whose files are test code too.
fn without_tests(code: &str) -> (String, Vec<String>) {
    let (mut out, mut rest, mut test_modules) = (String::new(), code, Vec::new());
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = rest[at + "#[cfg(test)]".len()..].trim_start();
        let semicolon = item.find(';').unwrap_or(item.len());
        let end = match item.find('{').filter(|&brace| brace < semicolon) {
            Some(brace) => brace + matching_brace(&item[brace..]),
            None => {
                if let Some(name) = item[..semicolon].trim().strip_prefix("mod ") {
                    test_modules.push(name.trim().to_string());
                }
                (semicolon + 1).min(item.len())
            }
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    (out, test_modules)
}

/// The length of the `{…}` block at the start of `text`, braces balanced.
fn matching_brace(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => return i + 1,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// Every module path a file names: `crate::a::b::{c, d::e}` and `super::x`, made absolute.
fn named_paths(file: &SourceFile) -> Vec<Vec<String>> {
    let code = without_tests(&code_only(&file.text)).0;
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        let base: Vec<String> = if let Some(after) = rest.strip_prefix("crate::") {
            rest = after;
            Vec::new()
        } else {
            // `super` of a `mod.rs` is its folder's parent, as for any other file.
            let mut base = file.module.clone();
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            base
        };
        expand(base, rest, &mut paths);
    }
    paths
}

/// The paths of `a::b::{c, d::{e, f}}` at the start of `rest`, each after `prefix`.
fn expand(mut prefix: Vec<String>, mut rest: &str, paths: &mut Vec<Vec<String>>) {
    loop {
        rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            for member in split_group(group) {
                expand(prefix.clone(), member, paths);
            }
            return;
        }
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            break;
        }
        rest = &rest[name.len()..];
        if name != "self" {
            prefix.push(name);
        }
        match rest.strip_prefix("::") {
            Some(after) => rest = after,
            None => break,
        }
    }
    paths.push(prefix);
}

/// The top-level members of a `{…}` group (the text after its `{`).
fn split_group(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut members) = (0usize, 0usize, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                members.push(&group[start..i]);
                return members;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                members.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    members
}

/// The longest known module that `path` starts with, after the crate root's re-exports are
/// followed (`crate::Engine` is `crate::engine::Engine`).
fn resolve<'a>(
    path: &[String],
    modules: &'a BTreeMap<Vec<String>, String>,
    root_names: &BTreeMap<String, Vec<String>>,
) -> Option<&'a String> {
    let mut path = path.to_vec();
    for _ in 0..8 {
        let Some(alias) = path.first().filter(|first| !modules.contains_key(&[first.to_string()][..])) else { break };
        let Some(target) = root_names.get(alias) else { break };
        path.splice(0..1, target.iter().cloned());
    }
    (1..=path.len()).rev().find_map(|n| modules.get(&path[..n]))
}

/// The names the crate root re-exports (`pub use engine::Engine;`), each with its path.
fn root_names(files: &[SourceFile]) -> BTreeMap<String, Vec<String>> {
    let Some(lib) = files.iter().find(|f| f.module.is_empty()) else { return BTreeMap::new() };
    let code = without_tests(&code_only(&lib.text)).0;
    let mut paths = Vec::new();
    for statement in code.split(';') {
        if let Some(used) = statement.trim().strip_prefix("pub use ") {
            expand(Vec::new(), used, &mut paths);
        }
    }
    paths.into_iter().filter_map(|path| Some((path.last()?.clone(), path))).collect()
}

/// The files that are test code: declared `#[cfg(test)] mod x;`, or inside such a module.
fn test_files(files: &[SourceFile]) -> BTreeSet<Vec<String>> {
    let mut test_modules = BTreeSet::new();
    for file in files {
        for name in without_tests(&code_only(&file.text)).1 {
            let mut module = file.module.clone();
            module.push(name);
            test_modules.insert(module);
        }
    }
    files.iter().filter(|f| test_modules.iter().any(|t| f.module.starts_with(t))).map(|f| f.module.clone()).collect()
}

fn rank_of(top: &str) -> (usize, &'static str) {
    let top = if top.is_empty() { "lib" } else { top };
    LAYERS
        .iter()
        .enumerate()
        .find(|(_, (_, members))| members.contains(&top))
        .map(|(rank, (name, _))| (rank, *name))
        .unwrap_or_else(|| panic!("core/src/{top} is in no layer: place it in LAYERS (docs/architecture.md)"))
}

/// The file-level import graph: file → files it names.
fn import_graph(files: &[SourceFile]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeMap<Vec<String>, String> = files.iter().map(|f| (f.module.clone(), f.relative.clone())).collect();
    let (roots, tests) = (root_names(files), test_files(files));
    let mut graph = BTreeMap::new();
    for file in files.iter().filter(|f| !tests.contains(&f.module)) {
        let targets: BTreeSet<String> = named_paths(file)
            .iter()
            .filter_map(|path| resolve(path, &modules, &roots))
            .filter(|target| **target != file.relative && *target != "lib.rs")
            .cloned()
            .collect();
        graph.insert(file.relative.clone(), targets);
    }
    graph
}

/// The graph's strongly connected components of more than one file (Tarjan's algorithm).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, node: &'g str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.graph.get(node).into_iter().flatten() {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.to_string());
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found
}

/// The arrows that point to a higher layer: (file, named file).
fn upward_arrows(files: &[SourceFile]) -> Vec<(String, String)> {
    let graph = import_graph(files);
    let top_of = |relative: &str| relative.split('/').next().unwrap().trim_end_matches(".rs").to_string();
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        let (from_top, to_tops) = (top_of(from), targets.iter().map(|t| (t, top_of(t))));
        let (from_rank, _) = rank_of(&from_top);
        for (target, to_top) in to_tops {
            let (to_rank, _) = rank_of(&to_top);
            let same_rank_down = to_rank == from_rank
                && (from_top == to_top || SAME_RANK_ALLOWED.contains(&(from_top.as_str(), to_top.as_str())));
            if to_rank > from_rank || (to_rank == from_rank && !same_rank_down) {
                wrong.push((from.clone(), target.clone()));
            }
        }
    }
    wrong
}

#[test]
fn no_module_imports_a_higher_layer() {
    let wrong = upward_arrows(&read_sources());
    assert!(
        wrong.is_empty(),
        "these files name a module of a higher layer (docs/architecture.md says which arrows are allowed):\n{}",
        wrong.iter().map(|(from, to)| format!("  {from} -> {to}")).collect::<Vec<_>>().join("\n")
    );
}

/// The one place files may import each other in a circle: the engine's facade (`engine/mod.rs`
/// holds the `Engine` struct, whose parts live in the files beside it, each adding its methods).
/// A circle anywhere else, or across folders, is a knot to untie.
#[test]
fn circles_stay_inside_the_engine_facade() {
    let found = circles(&import_graph(&read_sources()));
    let knots: Vec<&Vec<String>> =
        found.iter().filter(|circle| !circle.iter().all(|file| file.starts_with("engine/"))).collect();
    assert!(knots.is_empty(), "files that import each other in a circle outside engine/: {knots:?}");
}

#[test]
fn prints_the_import_circles() {
    let files = read_sources();
    let graph = import_graph(&files);
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    let found = circles(&graph);
    if std::env::var_os("LAYERS_EDGES").is_some() {
        for (from, targets) in &graph {
            for to in targets {
                println!("EDGE {from} {to}");
            }
        }
    }
    println!("{} files, {} file-to-file imports, {} circles", files.len(), edges, found.len());
    for circle in &found {
        println!("  circle of {}: {}", circle.len(), circle.join(" "));
    }
}

fn planted(relative: &str, text: &str) -> SourceFile {
    let mut module: Vec<String> = relative.trim_end_matches(".rs").split('/').map(String::from).collect();
    if module.last().is_some_and(|m| m == "mod") {
        module.pop();
    }
    if module == ["lib"] {
        module.clear();
    }
    SourceFile { module, relative: relative.into(), text: text.into() }
}

#[test]
fn the_checker_sees_an_upward_arrow_and_a_circle() {
    let files = vec![
        planted("base/mod.rs", "pub mod text;"),
        planted("base/text.rs", "// crate::engine is only mentioned\nuse crate::state::store::Store;"),
        planted("state/mod.rs", "pub mod store;"),
        planted("state/store.rs", "use super::super::base::text::clip; fn f() { \"crate::engine\"; }"),
        planted("engine/mod.rs", "use crate::state::{store::Store};"),
    ];
    assert_eq!(upward_arrows(&files), vec![("base/text.rs".to_string(), "state/store.rs".to_string())]);
    assert_eq!(circles(&import_graph(&files)), vec![vec!["base/text.rs".to_string(), "state/store.rs".to_string()]]);
}

#[test]
fn the_checker_follows_root_reexports_and_leaves_tests_out() {
    let files = vec![
        planted("lib.rs", "mod state;\npub mod engine;\npub use engine::{Engine, self};"),
        planted("engine/mod.rs", "pub struct Engine;"),
        planted("state/mod.rs", "mod card;\n#[cfg(test)]\nmod listing;"),
        planted(
            "state/card.rs",
            "pub fn f(e: &crate::Engine) {}\n#[cfg(test)]\nmod tests { use crate::engine::Engine; }",
        ),
        planted("state/listing.rs", "use crate::Engine;"),
    ];
    assert_eq!(upward_arrows(&files), vec![("state/card.rs".to_string(), "engine/mod.rs".to_string())]);
    let without_the_arrow = {
        let mut files = files;
        files[3] = planted("state/card.rs", "#[cfg(test)]\nfn helper(e: &crate::Engine) {}\npub fn g() {}");
        files
    };
    assert!(upward_arrows(&without_the_arrow).is_empty());
}
