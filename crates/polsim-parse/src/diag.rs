//! Located diagnostics: what went wrong, where, and a hint.

use polsim_core::Pos;
use std::fmt::Write as _;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The input is invalid; nothing is evaluated.
    Error,
    /// The input is accepted, but probably not what the author meant.
    Warning,
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, when the input came from one.
    pub file: Option<String>,
    /// Where.
    pub pos: Pos,
    /// What is wrong: lowercase, one line, user input in backticks.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `pos`.
    pub fn error(pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            pos,
            message: message.into(),
            help: None,
        }
    }

    /// A warning at `pos`.
    pub fn warning(pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(pos, message)
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the file, unless one is set already.
    pub fn in_file(mut self, file: Option<&str>) -> Diagnostic {
        if self.file.is_none() {
            self.file = file.map(str::to_string);
        }
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or just the file when there is no position (a missing file, a folder).
    pub fn location(&self) -> String {
        let file = self.file.as_deref().unwrap_or("<input>");
        if self.pos.line == 0 {
            file.to_string()
        } else {
            format!("{file}:{}:{}", self.pos.line, self.pos.col)
        }
    }

    /// Renders the diagnostic with a frame of the source line, as a compiler would.
    pub fn render(&self, source: Option<&str>) -> String {
        let mut out = String::new();
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{sev}: {}", self.message);
        if self.file.is_some() || self.pos.line > 0 {
            let _ = writeln!(out, "  --> {}", self.location());
        }
        if let Some(line) =
            source.and_then(|s| s.lines().nth((self.pos.line as usize).saturating_sub(1)))
        {
            let num = self.pos.line.to_string();
            let pad = " ".repeat(num.len());
            let caret_pad: String = line
                .chars()
                .take((self.pos.col as usize).saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{num} | {line}");
            let _ = writeln!(out, "{pad} | {caret_pad}^");
        }
        if let Some(h) = &self.help {
            let _ = writeln!(out, "  = help: {h}");
        }
        out
    }
}

/// Words longer than this (in characters) get no suggestion: no name a dialect documents is
/// that long, and comparing a hostile 10 MB key would cost its length squared.
pub const MAX_SUGGEST_LEN: usize = 128;

/// The closest candidate to `word` within a small edit distance, for "did you mean" hints.
///
/// The distance is optimal string alignment over characters (`strsim::osa_distance`): swapping
/// two neighbours counts as one edit, so `SourceVcpe` is closer to `SourceVpce` than to
/// `SourceVpc`. A candidate whose length differs from the word's by more than the allowed
/// distance cannot be within it and is skipped before any comparison.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    let wlen = w.chars().count();
    if wlen > MAX_SUGGEST_LEN {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let limit = (c.len() / 4).clamp(1, 3);
        let clen = c.chars().count();
        if clen > MAX_SUGGEST_LEN || clen.abs_diff(wlen) > limit {
            continue;
        }
        let d = edit_distance(&w, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance over characters where swapping two neighbours counts as one edit (optimal
/// string alignment). Costs `a.len() * b.len()`: callers bound the lengths ([`suggest`] does).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("StringEqual", ["StringEquals", "StringLike"]),
            Some("StringEquals")
        );
        assert_eq!(suggest("Zzz", ["StringEquals"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("vcpe", "vpce"), 1);
        assert_eq!(
            suggest("SourceVcpe", ["SourceVpc", "SourceVpce"]),
            Some("SourceVpce")
        );
    }

    #[test]
    fn huge_words_are_not_compared() {
        let huge = "a".repeat(10 * 1024 * 1024);
        let started = std::time::Instant::now();
        assert_eq!(suggest(&huge, ["StringEquals", "StringLike"]), None);
        let long = "StringEquals".repeat(20);
        assert_eq!(suggest(&long, [long.as_str()]), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn render_frame() {
        let d = Diagnostic::error(Pos { line: 2, col: 5 }, "bad").with_help("fix it");
        let r = d.in_file(Some("p.json")).render(Some("{\n    \"X\": 1\n}"));
        assert!(r.contains("p.json:2:5"));
        assert!(r.contains("    ^"));
        assert!(r.contains("help: fix it"));
    }
}
