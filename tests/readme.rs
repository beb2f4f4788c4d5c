//! The README's examples are real: every `$ polsim ...` block is run again and the lines shown must
//! be what polsim prints (up to a `...` line, where the README cuts the output short).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[path = "support/mod.rs"]
mod support;

use std::process::Command;
use support::root;

/// Splits a shell line into words, honouring single quotes.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let mut checked = 0;
    let mut i = 0;
    while i < lines.len() {
        let Some(first) = lines[i].strip_prefix("$ polsim ") else {
            i += 1;
            continue;
        };
        let mut command = first.trim_end_matches('\\').to_string();
        while lines[i].ends_with('\\') {
            i += 1;
            command.push(' ');
            command.push_str(lines[i].trim().trim_end_matches('\\'));
        }
        i += 1;
        let mut shown = Vec::new();
        while i < lines.len() && lines[i] != "```" && lines[i] != "..." {
            shown.push(lines[i]);
            i += 1;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_polsim"))
            .current_dir(root())
            .arg("--color")
            .arg("never")
            .args(words(&command))
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        let printed: Vec<&str> = printed.lines().collect();
        // The README shows the first lines of the output (cut with `...`) or, for a run of many
        // files, its last lines (the summary).
        let k = shown.len();
        let head = printed.get(..k).is_some_and(|p| p == &shown[..]);
        let tail = printed.len() >= k
            && printed
                .get(printed.len() - k..)
                .is_some_and(|p| p == &shown[..]);
        assert!(
            head || tail,
            "README example `polsim {command}` is out of date:\nREADME:\n{}\nprinted:\n{}",
            shown.join("\n"),
            printed.join("\n")
        );
        assert!(
            !shown.is_empty(),
            "README example `polsim {command}` shows no output"
        );
        checked += 1;
    }
    assert!(
        checked >= 5,
        "expected the README's examples, found {checked}"
    );
}
