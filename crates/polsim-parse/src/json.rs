//! A small JSON reader that keeps the position of every value and key.
//!
//! `serde_json` throws positions away once a document is parsed, and every diagnostic polsim
//! prints has to point at a line and column, so policies are read with this parser instead.
//! It follows RFC 8259 (no comments, no trailing commas) and never panics: every failure is a
//! [`JsonError`] with the position where the reader stopped.
//!
//! Every value and member name also keeps its byte [`Span`] in the text, so that a document
//! given inside a JSON string (a test file's `"document": "{...}"`, a CloudTrail policy) can be
//! parsed again and its positions mapped back into the outer text: [`parse_embedded`].

use crate::diag::{Diagnostic, Source, Span};
use polsim_core::Pos;

/// A JSON value with the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// What the value is.
    pub kind: JsonKind,
    /// Where the value starts.
    pub pos: Pos,
    /// The bytes of the text the value was read from, from its first character to just after
    /// its last (for a string, the quotes included).
    pub span: Span,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept as written so that no precision is lost.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object; members in document order, duplicates kept so that callers can reject them.
    Object(Vec<Member>),
}

/// One member of a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The member name, unescaped.
    pub key: String,
    /// Where the member name starts.
    pub key_pos: Pos,
    /// The bytes of the member name, quotes included.
    pub key_span: Span,
    /// The member value.
    pub value: Json,
}

/// A syntax error in a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    /// Where the reader stopped.
    pub pos: Pos,
    /// The byte offset where the reader stopped.
    pub offset: usize,
    /// What was wrong.
    pub message: String,
}

impl JsonError {
    /// The error as a diagnostic located in `source` (the text that was parsed).
    pub fn diagnostic(&self, source: &Source) -> Diagnostic {
        Diagnostic::error(self.pos, self.message.clone())
            .at(Span::point(self.offset))
            .in_source(source)
    }
}

impl Json {
    /// The name of this value's type, as a user would say it.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            JsonKind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member named `key` (exact match), if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// A scalar rendered as the string a policy engine would compare: strings as they are,
    /// numbers as written, booleans as `true`/`false`. `None` for null, arrays and objects.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            JsonKind::String(s) => Some(s.clone()),
            JsonKind::Number(n) => Some(n.clone()),
            JsonKind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// Parses a whole document. Leading and trailing white space is allowed, anything else after
/// the value is an error. A UTF-8 byte order mark at the start is skipped.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let (base, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ('\u{feff}'.len_utf8(), rest),
        None => (0, text),
    };
    let mut p = Parser {
        chars: text.char_indices().peekable(),
        line: 1,
        col: 1,
        base,
        offset: 0,
        depth: 0,
    };
    p.skip_ws();
    let value = p.value()?;
    p.skip_ws();
    if let Some(c) = p.peek() {
        return Err(p.error(format!(
            "unexpected `{}` after the end of the document",
            c.escape_default()
        )));
    }
    Ok(value)
}

/// Nesting deeper than this is refused, so that hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: u32,
    col: u32,
    /// Bytes skipped before `chars` (a byte order mark).
    base: usize,
    /// The byte offset in `chars` just after the last character read.
    offset: usize,
    depth: usize,
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    /// The byte offset of the next character in the whole text.
    fn here(&self) -> usize {
        self.base + self.offset
    }

    fn error(&self, message: String) -> JsonError {
        JsonError {
            pos: self.pos(),
            offset: self.here(),
            message,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn bump(&mut self) -> Option<char> {
        let (i, c) = self.chars.next()?;
        self.offset = i + c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn expect_char(&mut self, want: char, what: &str) -> Result<(), JsonError> {
        match self.peek() {
            Some(c) if c == want => {
                self.bump();
                Ok(())
            }
            Some(c) => Err(self.error(format!("expected {what}, found `{}`", c.escape_default()))),
            None => Err(self.error(format!("expected {what}, found the end of the file"))),
        }
    }

    fn value(&mut self) -> Result<Json, JsonError> {
        let pos = self.pos();
        let start = self.here();
        let kind = match self.peek() {
            None => return Err(self.error("expected a value, found the end of the file".into())),
            Some('{') => self.object()?,
            Some('[') => self.array()?,
            Some('"') => JsonKind::String(self.string()?),
            Some('t') => self.word("true", JsonKind::Bool(true))?,
            Some('f') => self.word("false", JsonKind::Bool(false))?,
            Some('n') => self.word("null", JsonKind::Null)?,
            Some(c) if c == '-' || c.is_ascii_digit() => JsonKind::Number(self.number()?),
            Some(c) => {
                return Err(self.error(format!("expected a value, found `{}`", c.escape_default())))
            }
        };
        Ok(Json {
            kind,
            pos,
            span: Span {
                start,
                end: self.here(),
            },
        })
    }

    fn word(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, JsonError> {
        let start = self.pos();
        let offset = self.here();
        for want in word.chars() {
            if self.peek() != Some(want) {
                return Err(JsonError {
                    pos: start,
                    offset,
                    message: format!("expected `{word}`"),
                });
            }
            self.bump();
        }
        Ok(kind)
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<JsonKind, JsonError> {
        self.enter()?;
        self.bump();
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            self.depth -= 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            self.skip_ws();
            let key_pos = self.pos();
            let key_start = self.here();
            if self.peek() != Some('"') {
                return Err(match self.peek() {
                    Some('}') => self.error("expected a member name after `,` (trailing commas are not allowed in JSON)".into()),
                    Some(c) => self.error(format!("expected a member name in double quotes, found `{}`", c.escape_default())),
                    None => self.error("expected a member name, found the end of the file".into()),
                });
            }
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.here(),
            };
            self.skip_ws();
            self.expect_char(':', "`:` after the member name")?;
            self.skip_ws();
            let value = self.value()?;
            members.push(Member {
                key,
                key_pos,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    break;
                }
                Some(c) => {
                    return Err(self.error(format!(
                        "expected `,` or `}}` after an object member, found `{}`",
                        c.escape_default()
                    )))
                }
                None => return Err(self.error("unclosed object: expected `}`".into())),
            }
        }
        self.depth -= 1;
        Ok(JsonKind::Object(members))
    }

    fn array(&mut self) -> Result<JsonKind, JsonError> {
        self.enter()?;
        self.bump();
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            self.depth -= 1;
            return Ok(JsonKind::Array(items));
        }
        loop {
            self.skip_ws();
            if self.peek() == Some(']') {
                return Err(self.error(
                    "expected a value after `,` (trailing commas are not allowed in JSON)".into(),
                ));
            }
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    break;
                }
                Some(c) => {
                    return Err(self.error(format!(
                        "expected `,` or `]` after an array element, found `{}`",
                        c.escape_default()
                    )))
                }
                None => return Err(self.error("unclosed array: expected `]`".into())),
            }
        }
        self.depth -= 1;
        Ok(JsonKind::Array(items))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos();
        let offset = self.here();
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(JsonError {
                    pos: start,
                    offset,
                    message: "unterminated string".into(),
                });
            };
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let esc_pos = self.pos();
                    let esc_offset = self.here();
                    match self.bump() {
                        Some('"') => out.push('"'),
                        Some('\\') => out.push('\\'),
                        Some('/') => out.push('/'),
                        Some('b') => out.push('\u{8}'),
                        Some('f') => out.push('\u{c}'),
                        Some('n') => out.push('\n'),
                        Some('r') => out.push('\r'),
                        Some('t') => out.push('\t'),
                        Some('u') => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                // A surrogate pair: the low half must follow.
                                if self.peek() == Some('\\') {
                                    self.bump();
                                    if self.bump() != Some('u') {
                                        return Err(self.error(
                                            "expected a low surrogate `\\u` escape".into(),
                                        ));
                                    }
                                    let lo = self.hex4()?;
                                    if !(0xDC00..0xE000).contains(&lo) {
                                        return Err(self.error(
                                            "invalid low surrogate in `\\u` escape".into(),
                                        ));
                                    }
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    return Err(
                                        self.error("lone high surrogate in `\\u` escape".into())
                                    );
                                }
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(ch) => out.push(ch),
                                None => return Err(self.error("invalid `\\u` escape".into())),
                            }
                        }
                        Some(other) => {
                            return Err(JsonError {
                                pos: esc_pos,
                                offset: esc_offset,
                                message: format!("invalid escape `\\{}`", other.escape_default()),
                            })
                        }
                        None => return Err(self.error("unterminated string".into())),
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.error(
                        "control character in a string (write it as an escape such as `\\n`)"
                            .into(),
                    ))
                }
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error("expected four hex digits after `\\u`".into()))?;
            self.bump();
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let mut s = String::new();
        if self.peek() == Some('-') {
            s.push('-');
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                s.push('0');
                self.bump();
            }
            Some(c) if c.is_ascii_digit() => self.digits(&mut s),
            _ => return Err(self.error("expected a digit".into())),
        }
        if self.peek() == Some('.') {
            s.push('.');
            self.bump();
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.error("expected a digit after the decimal point".into()));
            }
            self.digits(&mut s);
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            s.push(e);
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                s.push(sign);
                self.bump();
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.error("expected a digit in the exponent".into()));
            }
            self.digits(&mut s);
        }
        Ok(s)
    }

    fn digits(&mut self, s: &mut String) {
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                s.push(c);
                self.bump();
            } else {
                break;
            }
        }
    }
}

/// Parses the document held in the JSON string `node` of `outer` (a policy given as a string, as
/// CloudTrail prints it or a test file's `"document": "{...}"`), with every position and span
/// mapped back into `outer`: each inner character is located at the raw characters that wrote
/// it inside the string (`\"`, `\n`, `\u00e9`, ... count as written), so a diagnostic points
/// into the string, not at its start. A syntax error is located the same way.
///
/// `None` when `node` is not a string.
pub fn parse_embedded(node: &Json, outer: &Source) -> Option<Result<Json, JsonError>> {
    let inner = node.as_str()?;
    let raw = outer
        .text()
        .get(node.span.start..node.span.end)
        .filter(|r| r.starts_with('"'));
    let map = match raw {
        Some(raw) => Unescape::new(raw, node.span.start),
        // Not the text `node` was read from: everything points at the string's start.
        None => Unescape::collapsed(node.span.start),
    };
    let mut at = outer.locator();
    Some(match parse(inner) {
        Ok(mut doc) => {
            remap(&mut doc, &map, &mut at);
            Ok(doc)
        }
        Err(mut e) => {
            e.offset = map.outer(e.offset);
            e.pos = at.pos(e.offset);
            Err(e)
        }
    })
}

fn remap(j: &mut Json, map: &Unescape, at: &mut crate::diag::Locator<'_>) {
    j.span = map.outer_span(j.span);
    j.pos = at.pos(j.span.start);
    match &mut j.kind {
        JsonKind::Array(items) => items.iter_mut().for_each(|i| remap(i, map, at)),
        JsonKind::Object(members) => {
            for m in members {
                m.key_span = map.outer_span(m.key_span);
                m.key_pos = at.pos(m.key_span.start);
                remap(&mut m.value, map, at);
            }
        }
        _ => {}
    }
}

/// Where each byte of an unescaped string came from in its raw JSON token: a sorted list of
/// `(unescaped offset, raw offset)` points, between which the two advance together (ordinary
/// characters are copied byte for byte; only escapes change the distance).
struct Unescape {
    points: Vec<(usize, usize)>,
    /// Every position maps to this raw offset (when the raw token is unknown).
    collapsed: Option<usize>,
}

impl Unescape {
    /// `raw` is the whole token, quotes included, starting at byte `start` of the outer text.
    fn new(raw: &str, start: usize) -> Unescape {
        let body = raw.as_bytes();
        let mut points = vec![(0, start + 1)];
        let (mut i, mut u) = (1, 0); // after the opening quote
        while let Some(&b) = body.get(i) {
            match b {
                b'"' => break,
                b'\\' => {
                    let (raw_len, out_len) = escape_len(raw, i);
                    points.push((u, start + i));
                    i += raw_len;
                    u += out_len;
                    points.push((u, start + i));
                }
                _ => {
                    i += 1;
                    u += 1;
                }
            }
        }
        Unescape {
            points,
            collapsed: None,
        }
    }

    fn collapsed(start: usize) -> Unescape {
        Unescape {
            points: Vec::new(),
            collapsed: Some(start),
        }
    }

    /// The raw offset in the outer text of unescaped offset `u`.
    fn outer(&self, u: usize) -> usize {
        if let Some(c) = self.collapsed {
            return c;
        }
        let i = self.points.partition_point(|&(pu, _)| pu <= u);
        match i.checked_sub(1).and_then(|i| self.points.get(i)) {
            Some(&(pu, pr)) => pr + (u - pu),
            None => self.points.first().map_or(0, |&(_, pr)| pr),
        }
    }

    fn outer_span(&self, s: Span) -> Span {
        Span {
            start: self.outer(s.start),
            end: self.outer(s.end),
        }
    }
}

/// The raw length of the escape at byte `i` of `raw` and the length of what it unescapes to.
fn escape_len(raw: &str, i: usize) -> (usize, usize) {
    let hex = |at: usize| {
        raw.get(at..at + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    if raw.as_bytes().get(i + 1) != Some(&b'u') {
        return (2, 1); // \" \\ \/ \b \f \n \r \t: one ASCII byte
    }
    match hex(i + 2) {
        Some(0xD800..0xDC00) => {
            let low = raw.get(i + 6..i + 8) == Some("\\u")
                && hex(i + 8).is_some_and(|lo| (0xDC00..0xE000).contains(&lo));
            if low {
                (12, 4)
            } else {
                (6, 3)
            }
        }
        Some(code) => (6, char::from_u32(code).map_or(3, char::len_utf8)),
        None => (2, 1),
    }
}

/// A member name written twice in one object: the name, where it is first written, and where
/// again.
pub type Repeat<'a> = (&'a str, Pos, Pos);

/// Every member name written twice in one object, anywhere in `v`, in document order. The
/// reader keeps both copies, so callers can refuse them (which copy a cloud keeps is not
/// defined).
pub fn repeated_names(v: &Json) -> Vec<Repeat<'_>> {
    let mut out = Vec::new();
    repeats_into(v, &mut out);
    out
}

fn repeats_into<'a>(v: &'a Json, out: &mut Vec<Repeat<'a>>) {
    match &v.kind {
        JsonKind::Object(members) => {
            let mut seen: std::collections::HashMap<&str, Pos> =
                std::collections::HashMap::with_capacity(members.len());
            for m in members {
                match seen.get(m.key.as_str()) {
                    Some(first) => out.push((m.key.as_str(), *first, m.key_pos)),
                    None => {
                        seen.insert(m.key.as_str(), m.key_pos);
                    }
                }
                repeats_into(&m.value, out);
            }
        }
        JsonKind::Array(items) => {
            for it in items {
                repeats_into(it, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_values_and_keys() {
        let doc = parse("{\n  \"a\": [1, \"x\"],\n  \"b\": true\n}").unwrap();
        let members = doc.as_object().unwrap();
        assert_eq!(members[0].key_pos, Pos { line: 2, col: 3 });
        assert_eq!(members[1].value.pos, Pos { line: 3, col: 8 });
        let JsonKind::Array(items) = &members[0].value.kind else {
            panic!()
        };
        assert_eq!(items[1].pos, Pos { line: 2, col: 12 });
    }

    #[test]
    fn errors_are_located() {
        let e = parse("{\n \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, col: 1 });
        assert!(e.message.contains("trailing commas"));
        assert!(parse("[1 2]").is_err());
        assert!(parse("\"abc").is_err());
        assert!(parse("{} x").is_err());
        assert!(parse("").is_err());
        assert!(parse("01").is_err());
    }

    #[test]
    fn escapes_and_unicode() {
        let v = parse(r#""a\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(v.as_str(), Some("aé😀\n"));
        assert!(parse(r#""\ud800""#).is_err());
    }

    #[test]
    fn spans_cover_values_and_keys() {
        let text = "\u{feff}{\"a\": [1, \"x\"]}";
        let doc = parse(text).unwrap();
        let m = &doc.as_object().unwrap()[0];
        assert_eq!(&text[m.key_span.start..m.key_span.end], "\"a\"");
        assert_eq!(&text[m.value.span.start..m.value.span.end], "[1, \"x\"]");
        assert_eq!(&text[doc.span.start..doc.span.end], &text[3..]);
        let e = parse("\u{feff}[1,]").unwrap_err();
        assert_eq!(e.offset, 6);
    }

    #[test]
    fn embedded_documents_map_into_the_string() {
        // Outer line 2 holds a string whose escapes are `\"`, `\n`, `\u00e9` and a surrogate pair.
        let text = "{\"p\":\n \"{\\\"k\\u00e9\\ud83d\\ude00\\\": \\n  [1, \\\"\\/x\\\"]}\"}";
        let src = Source::new("f.json", text);
        let outer = parse(text).unwrap();
        let node = outer.get("p").unwrap();
        let doc = parse_embedded(node, &src).unwrap().unwrap();
        let m = &doc.as_object().unwrap()[0];
        assert_eq!(m.key, "ké😀");
        let raw = |s: Span| &text[s.start..s.end];
        assert_eq!(raw(m.key_span), "\\\"k\\u00e9\\ud83d\\ude00\\\"");
        let JsonKind::Array(items) = &m.value.kind else {
            panic!()
        };
        assert_eq!(raw(items[1].span), "\\\"\\/x\\\"");
        let line2 = text.lines().nth(1).unwrap();
        let col = |needle: &str| line2.find(needle).unwrap() as u32 + 1;
        assert_eq!(
            m.key_pos,
            Pos {
                line: 2,
                col: col("\\\"k")
            }
        );
        assert_eq!(
            items[0].pos,
            Pos {
                line: 2,
                col: col("1,")
            }
        );
        assert_eq!(
            doc.pos,
            Pos {
                line: 2,
                col: col("{")
            }
        );
        // A syntax error inside the string is located inside it too.
        let bad = "[\"{\\\"a\\\": tru}\"]";
        let outer = parse(bad).unwrap();
        let JsonKind::Array(items) = &outer.kind else {
            panic!()
        };
        let e = parse_embedded(&items[0], &Source::new("b.json", bad))
            .unwrap()
            .unwrap_err();
        assert_eq!(&bad[e.offset..e.offset + 3], "tru");
        assert_eq!(e.pos, Pos { line: 1, col: 11 });
        assert!(parse_embedded(&parse("1").unwrap(), &src).is_none());
    }

    #[test]
    fn embedded_documents_on_one_long_line_are_located_in_linear_time() {
        // CloudTrail prints a policy as one line: 20k statements, each located by the cursor.
        let stmt = r#"{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}"#;
        let text = format!("\"[{}]\"", vec![stmt; 20_000].join(","));
        let outer = parse(&text).unwrap();
        let started = std::time::Instant::now();
        let doc = parse_embedded(&outer, &Source::new("ct.json", text.as_str()))
            .unwrap()
            .unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let JsonKind::Array(items) = &doc.kind else {
            panic!()
        };
        let last = items.last().unwrap();
        assert_eq!(last.pos.col as usize, last.span.start + 1);
        assert_eq!(&text[last.span.start..last.span.end], stmt);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let s = "[".repeat(100_000);
        assert!(parse(&s).is_err());
    }
}
