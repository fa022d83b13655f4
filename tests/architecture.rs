//! The crate's layers point one way (the module map in the README): every module may use only the modules
//! listed before it here, and the engine's side (training, measuring, scheduling, answering requests) and the
//! page's side (what the page holds, links, scenes, drawing) never use each other — both stand on the
//! snapshot types below them. Checked by reading every source file's `crate::` paths; a cycle or an upward
//! dependency fails with the file and the module it names.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::Path;

/// Every top-level module, bottom first, with the side it belongs to.
const LAYERS: &[(&str, Side)] = &[
    ("rng", Side::Both),
    ("order", Side::Both),
    ("linalg", Side::Both),
    ("format", Side::Both),
    ("geometry", Side::Both),
    ("contour", Side::Both),
    ("range", Side::Both),
    ("data", Side::Both),
    ("csv_io", Side::Both),
    ("netfile", Side::Both),
    ("nn", Side::Both),
    ("svm", Side::Both),
    ("compare", Side::Both),
    ("probe", Side::Both),
    ("attack", Side::Both),
    ("config", Side::Both),
    ("presets", Side::Both),
    ("lesson", Side::Both),
    ("snapshot", Side::Both),
    ("request", Side::Both),
    ("theory", Side::Both),
    ("session", Side::Engine),
    ("measure", Side::Engine),
    ("forgetting", Side::Engine),
    ("check", Side::Engine),
    ("engine", Side::Engine),
    ("export", Side::Engine),
    ("driver", Side::Engine),
    ("link", Side::Page),
    ("page", Side::Page),
    ("scene", Side::Page),
    ("render", Side::Page),
    ("web", Side::Boundary),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Both,
    Engine,
    Page,
    Boundary,
}

/// The top-level module a source file belongs to (`src/data/table.rs` → `data`).
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a source names through `crate::` (in `use` lines and inline paths, braces too).
fn uses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c}`: every name before a `::` or `,` at the top of the braces.
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(
                    inner
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or("").to_string())
                        .filter(|n| !n.is_empty()),
                );
            } else {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                out.push(name);
            }
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn layers_point_one_way_with_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, (usize, Side)> = LAYERS.iter().enumerate().map(|(i, (m, s))| (*m, (i, *s))).collect();
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in files {
        let module = module_of(&path, &src);
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue; // the crate root and the command line stand above everything
        }
        let Some(&(own_rank, own_side)) = rank.get(module.as_str()) else {
            problems.push(format!("{}: module '{module}' is not in the layer table", path.display()));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for used in uses(&text) {
            if used == module || used.is_empty() {
                continue;
            }
            let Some(&(r, side)) = rank.get(used.as_str()) else {
                problems.push(format!("{}: uses unknown module '{used}'", path.display()));
                continue;
            };
            checked += 1;
            if r > own_rank {
                problems.push(format!("{}: '{module}' uses '{used}', which stands above it", path.display()));
            }
            let crossing = matches!((own_side, side), (Side::Engine, Side::Page) | (Side::Page, Side::Engine));
            if crossing {
                problems.push(format!(
                    "{}: the {own_side:?} side's '{module}' uses the {side:?} side's '{used}'",
                    path.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 100, "only {checked} uses found: the reader is broken");
}

/// The reader finds what it should (so that the test above cannot pass by reading nothing).
#[test]
fn the_reader_sees_every_form_of_use() {
    let text = "use crate::data::{A, B};\nuse crate::{config, svm::Loss};\nlet x = crate::format::number(1.0); // crate::page\n";
    assert_eq!(uses(text), ["data", "config", "svm", "format"]);
}
