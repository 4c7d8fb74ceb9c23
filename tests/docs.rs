//! The README and `docs/` stay readable and whole: the README is at most 300 lines (a newcomer
//! reads it in five minutes; the reference lives in `docs/`), every relative link of the README
//! and of `docs/*.md` names a file that exists and, for a Markdown file, a heading it has, and
//! every repository path quoted in backticks (`scripts/…`, `tests/…`, `crates/…`, …) exists.
//! (The options table in `docs/options.md` is checked against the settings' definitions in
//! `src/defs.rs`.) Plain file reading: nothing here builds or runs the app.

use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path, PathBuf};

const README_MAX_LINES: usize = 300;

/// Paths quoted in backticks that start with one of these are files or folders of the repository.
const REPO_DIRS: &[&str] = &[
    "scripts/",
    "tests/",
    "crates/",
    "src/",
    "examples/",
    "bundle/",
    "icons/",
    "benches/",
    "docs/",
    ".ci/",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every `docs/*.md`, keyed by their path relative to the repository.
fn pages() -> BTreeMap<PathBuf, String> {
    let mut pages = BTreeMap::new();
    let read = |p: &Path| {
        std::fs::read_to_string(root().join(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    pages.insert(PathBuf::from("README.md"), read(Path::new("README.md")));
    let docs = std::fs::read_dir(root().join("docs")).expect("docs/ exists");
    for entry in docs {
        let name = PathBuf::from("docs").join(entry.expect("a docs/ entry").file_name());
        if name.extension().is_some_and(|e| e == "md") {
            let text = read(&name);
            pages.insert(name, text);
        }
    }
    pages
}

/// The lines outside fenced code blocks, with their line numbers (from 1).
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push((i + 1, line));
        }
    }
    out
}

/// A page split into its prose, line by line, and its inline code spans with the line each
/// starts on. A span may run over a line break (not over a blank line, which ends a paragraph).
struct Scanned {
    prose: Vec<(usize, String)>,
    spans: Vec<(usize, String)>,
}

fn scan(text: &str) -> Scanned {
    let mut prose = Vec::new();
    let mut spans = Vec::new();
    let mut span: Option<(usize, String)> = None;
    for (n, line) in prose_lines(text) {
        if line.trim().is_empty() {
            span = None;
            continue;
        }
        let mut words = String::new();
        for c in line.chars() {
            match (c, span.as_mut()) {
                ('`', Some(_)) => spans.extend(span.take()),
                ('`', None) => span = Some((n, String::new())),
                (c, Some((_, code))) => code.push(c),
                (c, None) => words.push(c),
            }
        }
        if let Some((_, code)) = span.as_mut() {
            code.push(' ');
        }
        prose.push((n, words));
    }
    Scanned { prose, spans }
}

/// GitHub's anchor of a heading: lower case, Markdown marks and punctuation dropped, spaces as
/// hyphens, `-1`, `-2`, … after a repeated one.
fn anchors(text: &str) -> HashSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = HashSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        // A link in a heading reads as its text.
        let title = line[hashes..].trim().replace("](", "] (");
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen.entry(slug.clone()).or_insert(0);
        out.insert(if *n == 0 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        });
        *n += 1;
    }
    out
}

/// The targets of the inline links `[text](target)` of a line's prose.
fn link_targets(prose: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = prose;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let Some(end) = after.find(')') else { break };
        out.push(after[..end].trim().to_owned());
        rest = &after[end..];
    }
    out
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every broken link or missing path of `pages`, one line each; `exists` says whether a
/// repository path (relative to the root) exists.
fn problems(pages: &BTreeMap<PathBuf, String>, exists: &dyn Fn(&Path) -> bool) -> Vec<String> {
    let anchors_of: BTreeMap<&PathBuf, HashSet<String>> =
        pages.iter().map(|(p, t)| (p, anchors(t))).collect();
    let mut out = Vec::new();
    for (page, text) in pages {
        let dir = page.parent().unwrap_or(Path::new(""));
        let scanned = scan(text);
        for (n, line) in &scanned.prose {
            let at = format!("{}:{n}", page.display());
            for target in link_targets(line) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, fragment) = match target.split_once('#') {
                    Some((f, frag)) => (f, Some(frag)),
                    None => (target.as_str(), None),
                };
                let file = if file.is_empty() {
                    page.clone()
                } else {
                    normalize(&dir.join(file))
                };
                if !exists(&file) && !pages.contains_key(&file) {
                    out.push(format!(
                        "{at}: link to {target}: no file {}",
                        file.display()
                    ));
                    continue;
                }
                if let (Some(fragment), Some(known)) = (fragment, anchors_of.get(&file))
                    && !known.contains(fragment)
                {
                    out.push(format!(
                        "{at}: link to {target}: {} has no heading #{fragment}",
                        file.display()
                    ));
                }
            }
        }
        for (n, span) in &scanned.spans {
            let word = span.split_whitespace().next().unwrap_or("");
            let word = word.strip_prefix("./").unwrap_or(word);
            let quoted_path = REPO_DIRS.iter().any(|d| word.starts_with(d))
                && !word.contains(['*', '<', '…', '{', '$']);
            if quoted_path && !exists(Path::new(word)) {
                out.push(format!(
                    "{}:{n}: `{word}` is not in the repository",
                    page.display()
                ));
            }
        }
    }
    out
}

#[test]
fn the_readme_is_at_most_300_lines() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; at most {README_MAX_LINES}: move the detail into docs/"
    );
}

#[test]
fn every_link_and_quoted_path_of_the_readme_and_docs_resolves() {
    let pages = pages();
    assert!(pages.len() > 1, "docs/*.md found: {:?}", pages.keys());
    let found = problems(&pages, &|p: &Path| root().join(p).exists());
    assert!(
        found.is_empty(),
        "broken links or paths:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_a_missing_file_a_missing_heading_and_a_missing_path() {
    let mut pages = BTreeMap::new();
    pages.insert(
        PathBuf::from("README.md"),
        "# Title\n\nSee [a](docs/a.md#the-part), [b](docs/b.md), [self](#title), \
         [gone](#nowhere) and [web](https://example.com).\n\n```text\n[not a link](nowhere.md)\n```\n"
            .to_owned(),
    );
    pages.insert(
        PathBuf::from("docs/a.md"),
        "# A\n\n## The part\n\nBack to the [README](../README.md#title); run `scripts/gone.sh --x` \
         or `scripts/here.sh`, not `scripts/*.sh`.\n\n## The part\n\n[second](#the-part-1) [third](#the-part-2)\n\n\
         A span over a line break, `code [x](no.md) and\nscripts/here.sh` then `scripts/also-gone.sh\n--flag`.\n"
            .to_owned(),
    );
    let exists = |p: &Path| p == Path::new("scripts/here.sh");
    let found = problems(&pages, &exists);
    let expected = [
        "README.md:3: link to docs/b.md: no file docs/b.md",
        "README.md:3: link to #nowhere: README.md has no heading #nowhere",
        "docs/a.md:9: link to #the-part-2: docs/a.md has no heading #the-part-2",
        "docs/a.md:5: `scripts/gone.sh` is not in the repository",
        "docs/a.md:12: `scripts/also-gone.sh` is not in the repository",
    ];
    assert_eq!(found, expected);
}

#[test]
fn anchors_read_as_github_makes_them() {
    let a = anchors(
        "# UsageTracker\n## Can't see the icon? (Linux)\n## `once` and `watch`\n## First launch (macOS 15 Sequoia and later)\n",
    );
    for want in [
        "usagetracker",
        "cant-see-the-icon-linux",
        "once-and-watch",
        "first-launch-macos-15-sequoia-and-later",
    ] {
        assert!(a.contains(want), "{want} not in {a:?}");
    }
}
