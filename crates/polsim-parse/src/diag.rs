//! Located diagnostics: what went wrong, where, and a hint; and the [`Source`] text they point
//! into, carried along so that drawing a frame never reads a file again.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use polsim_core::Pos;
use std::borrow::Cow;
use std::sync::Arc;

/// A range of bytes in a [`Source`]'s text, from `start` up to (not including) `end`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// Just after the last byte.
    pub end: usize,
}

impl Span {
    /// The empty span at `offset` (a caret, no underline).
    pub fn point(offset: usize) -> Span {
        Span {
            start: offset,
            end: offset,
        }
    }
}

/// The text of one input (a file, or text given on the command line) and its name, shared by
/// every value and diagnostic that points into it. Cloning is cheap: the text and its line
/// index are reference-counted.
#[derive(Clone)]
pub struct Source(Arc<SourceText>);

struct SourceText {
    name: String,
    text: String,
    /// The byte offset where each line starts (line 1 after a byte order mark).
    lines: Vec<usize>,
}

impl Source {
    /// A source named `name` (a path as shown to users) holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let text: String = text.into();
        let first = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let lines: Vec<usize> = std::iter::once(first)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source(Arc::new(SourceText {
            name: name.into(),
            text,
            lines,
        }))
    }

    /// The name shown in locations.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// The byte range of line `line` (from 1), without its `\n`.
    fn line_range(&self, line: u32) -> Option<(usize, usize)> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.0.lines.get(i)?;
        let end = self
            .0
            .lines
            .get(i + 1)
            .map_or(self.0.text.len(), |&n| n - 1);
        Some((start, end))
    }

    /// Line `line` (from 1): the byte offset where it starts and its text, without the line end.
    pub fn line(&self, line: u32) -> Option<(usize, &str)> {
        let (start, end) = self.line_range(line)?;
        let text = self.text().get(start..end)?;
        Some((start, text.strip_suffix('\r').unwrap_or(text)))
    }

    /// The byte offset of `pos` (columns count characters), if the text has that line. A column
    /// past the end of the line stops at the line's end.
    pub fn offset_of(&self, pos: Pos) -> Option<usize> {
        let (start, end) = self.line_range(pos.line)?;
        let line = self.text().get(start..end)?;
        let skip = (pos.col as usize).saturating_sub(1);
        Some(
            start
                + line
                    .char_indices()
                    .nth(skip)
                    .map_or(line.len(), |(at, _)| at),
        )
    }

    /// The line and column of byte `offset`.
    pub fn pos_at(&self, offset: usize) -> Pos {
        self.locator().pos(offset)
    }

    /// A [`Locator`]: line and column of many offsets, cheap when they come in increasing order.
    pub fn locator(&self) -> Locator<'_> {
        Locator {
            source: self,
            last: None,
        }
    }
}

impl PartialEq for Source {
    fn eq(&self, other: &Source) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.name == other.0.name && self.0.text == other.0.text)
    }
}

impl Eq for Source {}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.0.name)
            .field("bytes", &self.0.text.len())
            .finish()
    }
}

/// Turns byte offsets into lines and columns. Remembers the last answer, so that offsets given
/// in increasing order on one long line (a CloudTrail policy is one line) cost the distance
/// between them, not the distance from the line's start.
pub struct Locator<'s> {
    source: &'s Source,
    last: Option<(usize, Pos)>,
}

impl Locator<'_> {
    /// The line and column of byte `offset` (clamped to the text; a column counts characters).
    pub fn pos(&mut self, offset: usize) -> Pos {
        let text = self.source.text();
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let lines = &self.source.0.lines;
        let line = lines.partition_point(|&s| s <= offset).max(1);
        let line_start = lines.get(line - 1).copied().unwrap_or(0).min(offset);
        let (from, mut pos) = match self.last {
            Some((at, p)) if at <= offset && at >= line_start && p.line as usize == line => (at, p),
            _ => (
                line_start,
                Pos {
                    line: line as u32,
                    col: 1,
                },
            ),
        };
        let n = text.get(from..offset).map_or(0, |s| s.chars().count());
        pos.col += n as u32;
        self.last = Some((offset, pos));
        pos
    }
}

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
    /// The bytes pointed at in `source`.
    pub span: Option<Span>,
    /// The text the diagnostic points into, for the frame.
    pub source: Option<Source>,
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
            span: None,
            source: None,
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

    /// Sets the span pointed at.
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Attaches the text the diagnostic points into, unless it carries one already or names
    /// another file. Sets the file to the source's name when there is none, and the span from
    /// the line and column when there is none.
    pub fn in_source(mut self, source: &Source) -> Diagnostic {
        if self.source.is_some() || self.file.as_deref().is_some_and(|f| f != source.name()) {
            return self;
        }
        if self.file.is_none() {
            self.file = Some(source.name().to_string());
        }
        if self.span.is_none() && self.pos.line > 0 {
            self.span = source.offset_of(self.pos).map(Span::point);
        }
        self.source = Some(source.clone());
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

    /// Renders the diagnostic without colour: `error: MESSAGE`, ` --> file:line:col`, the source
    /// line with a caret under the position (drawn from the source the diagnostic carries; no
    /// file is read), and `= help: ...`.
    pub fn render(&self) -> String {
        self.render_color(false)
    }

    /// Renders the diagnostic as [`Diagnostic::render`] does, in colour when `color` is set.
    /// Control characters from the input never reach the terminal: in the source line they are
    /// shown as their Unicode pictures (`␛`), in the message, hint and path as escapes.
    pub fn render_color(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let file = visible(self.file.as_deref().unwrap_or("<input>"));
        let mut group = Group::with_title(level.primary_title(visible(&self.message)));
        if let Some((line_no, line, at)) = self.frame() {
            group = group.element(
                Snippet::source(line)
                    .line_start(line_no as usize)
                    .path(file)
                    .annotation(AnnotationKind::Primary.span(at)),
            );
        } else if self.pos.line > 0 {
            group = group.element(
                Origin::path(file)
                    .line(self.pos.line as usize)
                    .char_column(self.pos.col as usize),
            );
        } else if self.file.is_some() {
            group = group.element(Origin::path(file));
        }
        if let Some(h) = &self.help {
            group = group.element(Level::HELP.message(visible(h)));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = renderer.render(&[group]);
        out.push('\n');
        out
    }

    /// The line to draw (its number and text) and the bytes to mark in it, when the diagnostic
    /// carries its source and the line is short enough to draw.
    fn frame(&self) -> Option<(u32, &str, std::ops::Range<usize>)> {
        let source = self.source.as_ref()?;
        let (start, line) = source.line(self.pos.line)?;
        if line.len() > MAX_FRAME_LINE {
            return None;
        }
        let span = match self.span {
            Some(s) => s,
            None => Span::point(source.offset_of(self.pos)?),
        };
        let boundary = |mut i: usize| {
            i = i.min(line.len());
            while !line.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let from = boundary(span.start.checked_sub(start)?);
        let to = boundary(span.end.saturating_sub(start)).max(from);
        Some((self.pos.line, line, from..to))
    }
}

/// Lines longer than this (in bytes) get the location but no frame, so that thousands of
/// diagnostics on one huge line (a CloudTrail policy is one line) stay cheap to print.
pub const MAX_FRAME_LINE: usize = 64 * 1024;

/// `s` with control characters (C0 such as ESC and BEL, DEL, C1 such as CSI and OSC's ST) and
/// the bidirectional controls that reorder what a terminal shows (embeddings, overrides,
/// isolates, marks) written as escapes (`\u{1b}`), so input cannot drive the terminal. The one
/// escaping function for human output: diagnostics here, and the CLI's explanations.
pub fn visible(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
            )
    };
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if bad(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
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
    fn source_lines_offsets_and_positions() {
        let src = Source::new("s.json", "\u{feff}ab\r\né x\n");
        assert_eq!(src.line(1), Some((3, "ab")));
        assert_eq!(src.line(2), Some((7, "é x")));
        assert_eq!(src.line(3), Some((12, "")));
        assert_eq!(src.line(4), None);
        assert_eq!(src.line(0), None);
        assert_eq!(src.offset_of(Pos { line: 2, col: 3 }), Some(10));
        assert_eq!(src.offset_of(Pos { line: 2, col: 99 }), Some(11));
        assert_eq!(src.pos_at(10), Pos { line: 2, col: 3 });
        assert_eq!(src.pos_at(3), Pos { line: 1, col: 1 });
        assert_eq!(src.pos_at(8), Pos { line: 2, col: 1 }); // inside `é`: its start
        assert_eq!(src.pos_at(999), Pos { line: 3, col: 1 });
        let mut at = src.locator();
        assert_eq!(at.pos(7), Pos { line: 2, col: 1 });
        assert_eq!(at.pos(11), Pos { line: 2, col: 4 });
        assert_eq!(at.pos(4), Pos { line: 1, col: 2 });
    }

    #[test]
    fn a_carried_source_draws_the_frame_without_any_file() {
        let src = Source::new("/no/such/dir/p.json", "{\n    \"X\": 1\n}");
        let d = Diagnostic::error(Pos { line: 2, col: 5 }, "bad").in_source(&src);
        assert_eq!(d.span, Some(Span::point(6)));
        assert_eq!(d.file.as_deref(), Some("/no/such/dir/p.json"));
        let r = d.render();
        assert!(r.contains("/no/such/dir/p.json:2:5"), "{r}");
        assert!(r.contains("2 |     \"X\": 1"), "{r}");
        // A diagnostic about another file does not take this one's text.
        let other = Diagnostic::error(Pos { line: 2, col: 5 }, "bad")
            .in_file(Some("q.json"))
            .in_source(&src);
        assert!(other.source.is_none());
    }

    #[test]
    fn render_frame() {
        let d = Diagnostic::error(Pos { line: 2, col: 5 }, "bad").with_help("fix it");
        let src = Source::new("p.json", "{\n    \"X\": 1\n}");
        let r = d.in_source(&src).render();
        assert_eq!(
            r,
            "error: bad\n --> p.json:2:5\n  |\n2 |     \"X\": 1\n  |     ^\n  |\n  = help: fix it\n"
        );
        let nowhere = Diagnostic::warning(Pos::default(), "w").in_file(Some("d/"));
        assert_eq!(nowhere.render(), "warning: w\n --> d/\n");
        let styled = Diagnostic::error(Pos::default(), "e").render_color(true);
        assert!(styled.contains('\u{1b}'), "{styled:?}");
    }

    #[test]
    fn input_cannot_drive_the_terminal() {
        let src = Source::new("p\u{1b}]0;x\u{7}.json", "{\"\u{1b}[2J\u{202e}\": 1}");
        let d = Diagnostic::error(Pos { line: 1, col: 2 }, "unknown `\u{1b}[2J`")
            .with_help("\u{9b}31m")
            .in_source(&src);
        let r = d.render();
        assert!(!r.chars().any(|c| c.is_control() && c != '\n'), "{r:?}");
        assert!(!r.contains('\u{202e}'), "{r:?}");
        assert!(r.contains("unknown `\\u{1b}[2J`"), "{r}");
        assert!(r.contains("1 | {\"␛[2J"), "{r}");
    }
}
