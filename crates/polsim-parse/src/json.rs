//! A small JSON reader that keeps the position of every value and key.
//!
//! `serde_json` throws positions away once a document is parsed, and every diagnostic polsim
//! prints has to point at a line and column, so policies are read with this parser instead.
//! It follows RFC 8259 (no comments, no trailing commas) and never panics: every failure is a
//! [`JsonError`] with the position where the reader stopped.

use polsim_core::Pos;

/// A JSON value with the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// What the value is.
    pub kind: JsonKind,
    /// Where the value starts.
    pub pos: Pos,
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
    /// The member value.
    pub value: Json,
}

/// A syntax error in a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    /// Where the reader stopped.
    pub pos: Pos,
    /// What was wrong.
    pub message: String,
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        chars: text.char_indices().peekable(),
        line: 1,
        col: 1,
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

    fn error(&self, message: String) -> JsonError {
        JsonError {
            pos: self.pos(),
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
        Ok(Json { kind, pos })
    }

    fn word(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, JsonError> {
        let start = self.pos();
        for want in word.chars() {
            if self.peek() != Some(want) {
                return Err(JsonError {
                    pos: start,
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
            if self.peek() != Some('"') {
                return Err(match self.peek() {
                    Some('}') => self.error("expected a member name after `,` (trailing commas are not allowed in JSON)".into()),
                    Some(c) => self.error(format!("expected a member name in double quotes, found `{}`", c.escape_default())),
                    None => self.error("expected a member name, found the end of the file".into()),
                });
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect_char(':', "`:` after the member name")?;
            self.skip_ws();
            let value = self.value()?;
            members.push(Member {
                key,
                key_pos,
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
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(JsonError {
                    pos: start,
                    message: "unterminated string".into(),
                });
            };
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let esc_pos = self.pos();
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
    fn deep_nesting_is_refused_not_overflowed() {
        let s = "[".repeat(100_000);
        assert!(parse(&s).is_err());
    }
}
