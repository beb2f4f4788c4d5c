//! `polsim test --format junit`: the run as JUnit XML, the report format CI systems read
//! (GitHub Actions test reporters, GitLab's `artifacts:reports:junit`, Jenkins).
//!
//! One `<testsuite>` per test file, one `<testcase>` per case. A failing case carries a
//! `<failure>` whose message is its first unmet expectation and whose body is every unmet
//! expectation and polsim's explanation; a file that could not be read or parsed is a suite
//! with one `<testcase>` holding an `<error>` per diagnostic, so that CI counts it (a file that
//! ran nothing must never look green). Text from policies and test files is escaped, and
//! characters XML 1.0 cannot carry are replaced, so the document is well formed whatever the
//! input (`tests/cli.rs` reads it back with an XML parser).

use crate::output::{DiagnosticOut, TestRun};
use std::fmt::Write as _;

/// Text as XML character data or attribute value: markup characters escaped, line breaks kept
/// in attributes as character references, characters XML 1.0 does not allow replaced by U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
    out
}

/// Text as XML character data between tags: as [`escape`], but line breaks and tabs stay as
/// they are, so the explanation reads as it does in a terminal.
pub fn escape_text(text: &str) -> String {
    escape(text)
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&#9;", "\t")
}

/// Whether XML 1.0 allows the character (its `Char` production).
fn allowed(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

fn located(d: &DiagnosticOut) -> String {
    let place = match (&d.file, d.line) {
        (Some(f), 0) => format!("{f}: "),
        (Some(f), l) => format!("{f}:{l}:{}: ", d.column),
        (None, _) => String::new(),
    };
    match &d.help {
        Some(h) => format!("{place}{}\nhelp: {h}", d.message),
        None => format!("{place}{}", d.message),
    }
}

/// The run as a JUnit XML document. `details[i][j]` is the explanation printed under case `j`
/// of file `i` when it failed (empty for a passing case).
pub fn render(run: &TestRun, details: &[Vec<String>]) -> String {
    let s = &run.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"polsim test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        s.passed + s.failed + s.invalid_files,
        s.failed,
        s.invalid_files
    );
    for (i, f) in run.files.iter().enumerate() {
        let path = escape(&f.path);
        let failures = f.cases.iter().filter(|c| !c.passed).count();
        if !f.errors.is_empty() {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{path}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">"
            );
            let _ = writeln!(
                out,
                "    <testcase classname=\"{path}\" name=\"the test file could not be read or parsed\" file=\"{path}\">"
            );
            for e in &f.errors {
                let _ = writeln!(
                    out,
                    "      <error message=\"{}\" type=\"invalid\">{}</error>",
                    escape(&e.message),
                    escape_text(&located(e))
                );
            }
            let _ = writeln!(out, "    </testcase>\n  </testsuite>");
            continue;
        }
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
            f.cases.len()
        );
        if !f.warnings.is_empty() {
            let warnings: Vec<String> = f.warnings.iter().map(located).collect();
            let _ = writeln!(
                out,
                "    <properties><property name=\"warnings\" value=\"{}\"/></properties>",
                escape(&warnings.join("\n"))
            );
        }
        for (j, c) in f.cases.iter().enumerate() {
            let head = format!(
                "    <testcase classname=\"{path}\" name=\"{}\" file=\"{path}\" line=\"{}\"",
                escape(&c.name),
                c.line
            );
            if c.passed {
                let _ = writeln!(out, "{head}/>");
                continue;
            }
            let first = c.problems.first().map_or("failed", String::as_str);
            let body = details
                .get(i)
                .and_then(|d| d.get(j))
                .filter(|d| !d.is_empty())
                .cloned()
                .unwrap_or_else(|| c.problems.join("\n"));
            let _ = writeln!(
                out,
                "{head}>\n      <failure message=\"{}\" type=\"decision\">{}</failure>\n    </testcase>",
                escape(first),
                escape_text(&body)
            );
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_text_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(escape("x\u{1}y\u{1b}[31m"), "x\u{fffd}y\u{fffd}[31m");
        assert_eq!(escape("line\nnext"), "line&#10;next");
        assert_eq!(escape("\u{fffe}é😀"), "\u{fffd}é😀");
        assert_eq!(escape_text("a\n<b>\tc"), "a\n&lt;b&gt;\tc");
    }
}
