//! The README's examples are real: every `$ polsim ...` block is run again and the lines shown must
//! be what polsim prints (up to a `...` line, where the README cuts the output short); so must the
//! decision blocks of the `policies-examples/` READMEs.

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

/// The first `polsim eval` command of a README (indented, `\`-continued lines joined).
fn first_eval(lines: &[&str]) -> Option<String> {
    let i = lines
        .iter()
        .position(|l| l.trim_start().starts_with("polsim eval "))?;
    let mut command = lines[i].trim().trim_start_matches("polsim ").to_string();
    let mut j = i;
    while command.ends_with('\\') {
        command.pop();
        j += 1;
        command.push(' ');
        command.push_str(lines.get(j)?.trim());
    }
    Some(command)
}

/// The lines of the first fenced block that shows a decision (`DENIED` / `ALLOWED`).
fn shown_block<'a>(lines: &[&'a str]) -> Option<Vec<&'a str>> {
    let start = lines
        .iter()
        .position(|l| l.starts_with("DENIED (") || l.starts_with("ALLOWED "))?;
    let block: Vec<&str> = lines[start..]
        .iter()
        .take_while(|l| **l != "```")
        .copied()
        .collect();
    Some(block)
}

/// Whether `shown` is what was printed: the lines before the first `...` are the first lines
/// printed; each later line is printed, in the README's order (a README skips lines it does not
/// need, marking the first cut with `...`).
fn matches_with_gaps(shown: &[&str], printed: &[&str]) -> bool {
    let mut parts = shown.splitn(2, |l| l.trim() == "...");
    let head = parts.next().unwrap_or(&[]);
    if printed.get(..head.len()) != Some(head) {
        return false;
    }
    let mut at = head.len();
    for line in parts.next().unwrap_or(&[]) {
        if line.trim() == "..." {
            continue;
        }
        match printed[at..].iter().position(|p| p == line) {
            Some(k) => at += k + 1,
            None => return false,
        }
    }
    true
}

/// Every example folder's README that shows a decision block shows what `polsim eval` prints for its first command (the
/// decision block, with `...` where it cuts lines).
#[test]
fn example_readmes_print_what_they_show() {
    let mut checked = 0;
    let mut stale = Vec::new();
    for cloud in ["aws", "aliyun", "tencent"] {
        let dir = root().join("policies-examples").join(cloud);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let Ok(text) = std::fs::read_to_string(path.join("README.md")) else {
                continue;
            };
            let lines: Vec<&str> = text.lines().collect();
            let (Some(command), Some(shown)) = (first_eval(&lines), shown_block(&lines)) else {
                continue;
            };
            let out = Command::new(env!("CARGO_BIN_EXE_polsim"))
                .current_dir(root())
                .arg("--color")
                .arg("never")
                .args(words(&command))
                .output()
                .unwrap();
            let printed = String::from_utf8_lossy(&out.stdout).into_owned();
            let printed: Vec<&str> = printed.lines().collect();
            if !matches_with_gaps(&shown, &printed) {
                stale.push(format!(
                    "{}: `polsim {command}`\nREADME:\n{}\nprinted:\n{}",
                    path.display(),
                    shown.join("\n"),
                    printed.join("\n")
                ));
            }
            checked += 1;
        }
    }
    assert!(
        stale.is_empty(),
        "{} stale:\n{}",
        stale.len(),
        stale.join("\n\n")
    );
    assert!(
        checked >= 15,
        "expected the examples' READMEs with a decision block, found {checked}"
    );
}
