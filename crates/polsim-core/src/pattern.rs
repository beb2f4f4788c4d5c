//! Wildcard patterns (`*`, `?`) and policy-variable templates (`${aws:username}`).
//!
//! Patterns are compiled once, when a policy is lowered into the IR, into a flat token list;
//! matching walks the text once with the classic single-star backtracking scheme, which is
//! linear for the patterns policies contain and never recursive.

/// One token of a compiled wildcard pattern. Public so that later analyses (inclusion and
/// intersection of two patterns, generators of matching names) can read a pattern's structure.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Token {
    /// A run of literal text.
    Literal(String),
    /// `*`: any run of characters, the empty run included.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
}

/// A compiled wildcard pattern. `*` and `?` are wildcards; everything else is literal.
///
/// Matching splits the pattern at its stars: the first group is anchored at the start, the
/// last at the end, and each group in between is found leftmost after the previous one (which
/// is optimal for patterns whose only variable-length wildcard is `*`). Every group has a fixed
/// length in characters, so the work is at most the text length times the pattern length, with
/// no recursion and no backtracking across stars.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Glob {
    toks: Vec<Token>,
    has_wildcard: bool,
}

impl Glob {
    /// Compiles `pattern`, where `*` and `?` are wildcards.
    pub fn new(pattern: &str) -> Glob {
        let mut g = Glob {
            toks: Vec::new(),
            has_wildcard: false,
        };
        g.push_pattern(pattern);
        g
    }

    /// A pattern that matches exactly `text` (no wildcards).
    pub fn literal(text: &str) -> Glob {
        let mut g = Glob {
            toks: Vec::new(),
            has_wildcard: false,
        };
        g.push_literal(text);
        g
    }

    /// The tokens: literal runs, `*` and `?`, in order (runs of stars collapsed into one).
    pub fn tokens(&self) -> &[Token] {
        &self.toks
    }

    fn push_pattern(&mut self, pattern: &str) {
        // Literal runs are pushed as slices of `pattern` (no buffer grown a character at a
        // time): `*` and `?` are ASCII, so every split falls on a character boundary.
        let mut rest = pattern;
        while let Some(i) = rest.find(['*', '?']) {
            let (lit, tail) = rest.split_at(i);
            self.push_literal(lit);
            self.has_wildcard = true;
            if tail.starts_with('?') {
                self.toks.push(Token::AnyOne);
            } else if self.toks.last() != Some(&Token::AnyRun) {
                // `**` means the same as `*`.
                self.toks.push(Token::AnyRun);
            }
            rest = tail.get(1..).unwrap_or("");
        }
        self.push_literal(rest);
    }

    fn push_literal(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.toks.last_mut() {
            Some(Token::Literal(l)) => l.push_str(text),
            _ => self.toks.push(Token::Literal(text.to_string())),
        }
    }

    /// Whether the pattern has a `*` or `?`.
    pub fn has_wildcard(&self) -> bool {
        self.has_wildcard
    }

    /// Whether the pattern is `*` alone (matches every text).
    pub fn is_any(&self) -> bool {
        self.toks == [Token::AnyRun]
    }

    /// Whether the pattern matches all of `text`.
    pub fn matches(&self, text: &str) -> bool {
        self.matches_with(text, false)
    }

    /// Whether the pattern, compiled from lowercased text, matches `text` with ASCII letters
    /// of `text` folded to lowercase (no allocation).
    pub fn matches_folded(&self, text: &str) -> bool {
        self.matches_with(text, true)
    }

    fn matches_with(&self, text: &str, fold: bool) -> bool {
        let t = text.as_bytes();
        // The shapes most policy patterns have, decided without the general walk (the walk
        // gives the same answers: `pattern_shapes_agree_with_the_general_walk`).
        match self.toks.as_slice() {
            [] => return t.is_empty(),
            [Token::Literal(l)] => return eq_bytes(l.as_bytes(), t, fold),
            [Token::Literal(l), Token::AnyRun] => {
                return t
                    .get(..l.len())
                    .is_some_and(|head| eq_bytes(l.as_bytes(), head, fold))
            }
            [Token::AnyRun] => return true,
            _ => {}
        }
        self.walk(t, text, fold)
    }

    fn walk(&self, t: &[u8], text: &str, fold: bool) -> bool {
        let mut rest = self.toks.as_slice();
        // The first group, anchored at the start.
        let first_len = rest
            .iter()
            .position(|k| *k == Token::AnyRun)
            .unwrap_or(rest.len());
        let (first, after) = rest.split_at(first_len);
        let Some(mut pos) = match_group_at(first, t, 0, fold) else {
            return false;
        };
        if after.is_empty() {
            return pos == t.len();
        }
        rest = after;
        loop {
            // `rest` starts with a star.
            rest = rest.get(1..).unwrap_or(&[]);
            let len = rest
                .iter()
                .position(|k| *k == Token::AnyRun)
                .unwrap_or(rest.len());
            let (group, after) = rest.split_at(len);
            if after.is_empty() {
                // The last group, anchored at the end: it spans a fixed number of characters.
                if group.is_empty() {
                    return true;
                }
                let chars = group_chars(group);
                let Some(start) = nth_char_from_end(t, chars) else {
                    return false;
                };
                return start >= pos && match_group_at(group, t, start, fold) == Some(t.len());
            }
            match find_group(group, text, pos, fold) {
                Some(end) => pos = end,
                None => return false,
            }
            rest = after;
        }
    }
}

/// How many characters a star-free group spans.
fn group_chars(group: &[Token]) -> usize {
    group
        .iter()
        .map(|k| match k {
            Token::Literal(l) => l.chars().count(),
            _ => 1,
        })
        .sum()
}

/// The byte index where the last `n` characters of `t` start.
fn nth_char_from_end(t: &[u8], n: usize) -> Option<usize> {
    let mut i = t.len();
    for _ in 0..n {
        if i == 0 {
            return None;
        }
        i -= 1;
        while i > 0 && t.get(i).is_some_and(|b| (b & 0xC0) == 0x80) {
            i -= 1;
        }
    }
    Some(i)
}

fn eq_bytes(lit: &[u8], text: &[u8], fold: bool) -> bool {
    if fold {
        lit.len() == text.len()
            && lit
                .iter()
                .zip(text)
                .all(|(a, b)| *a == b.to_ascii_lowercase())
    } else {
        lit == text
    }
}

/// Matches a star-free group at byte `at`; the end of the match.
fn match_group_at(group: &[Token], t: &[u8], at: usize, fold: bool) -> Option<usize> {
    let mut i = at;
    for k in group {
        match k {
            Token::Literal(l) => {
                let l = l.as_bytes();
                let end = i.checked_add(l.len())?;
                if !eq_bytes(l, t.get(i..end)?, fold) {
                    return None;
                }
                i = end;
            }
            Token::AnyOne => {
                let lead = *t.get(i)?;
                i = (i + utf8_len(lead)).min(t.len());
            }
            Token::AnyRun => return None,
        }
    }
    Some(i)
}

/// Literals at least this long, in a group that is only that literal, are searched for with a
/// linear algorithm when matching case-folded (shorter ones cost little either way).
const LONG_LITERAL: usize = 32;

/// The end of the leftmost match of a star-free group at or after byte `from` (a character
/// boundary of `text`).
///
/// A group that is one literal run (the common `*literal*`) is found in linear time: with the
/// standard library's substring search, or Knuth–Morris–Pratt over ASCII-folded bytes. Other
/// groups (`?` inside) jump to each occurrence of their leading literal and try there: at most
/// the text length times the group length, which lowering bounds by capping pattern lengths.
fn find_group(group: &[Token], text: &str, from: usize, fold: bool) -> Option<usize> {
    let t = text.as_bytes();
    let lead = match group.first() {
        Some(Token::Literal(l)) if !fold || !l.bytes().any(|b| b.is_ascii_alphabetic()) => {
            Some(l.as_str())
        }
        _ => None,
    };
    if let (Some(l), [_]) = (lead, group) {
        return text.get(from..)?.find(l).map(|off| from + off + l.len());
    }
    // A long leading literal searched case-folded: KMP (one table for the whole search).
    let folded_lead = match group.first() {
        Some(Token::Literal(l)) if lead.is_none() && l.len() >= LONG_LITERAL => {
            Some(Kmp::new(l.as_bytes()))
        }
        _ => None,
    };
    if let (Some(k), [Token::Literal(l)]) = (&folded_lead, group) {
        return k.find(t, from).map(|at| at + l.len());
    }
    let mut start = from;
    while start <= t.len() {
        if let Some(l) = lead {
            start += text.get(start..)?.find(l)?;
        } else if let Some(k) = &folded_lead {
            start = k.find(t, start)?;
        }
        if let Some(end) = match_group_at(group, t, start, fold) {
            return Some(end);
        }
        // Next character boundary.
        start += t.get(start).map_or(1, |b| utf8_len(*b));
    }
    None
}

/// Knuth–Morris–Pratt search for a lowercase literal in text whose ASCII letters are folded:
/// linear in the text and the literal. A match never starts inside a UTF-8 sequence: the
/// literal starts with a character's first byte, which no continuation byte equals.
struct Kmp<'l> {
    lit: &'l [u8],
    /// `fail[i]`: the length of the longest proper border of `lit[..=i]`.
    fail: Vec<usize>,
}

impl<'l> Kmp<'l> {
    fn new(lit: &'l [u8]) -> Kmp<'l> {
        let mut fail = vec![0usize; lit.len()];
        let mut k = 0;
        for (i, &c) in lit.iter().enumerate().skip(1) {
            while k > 0 && lit.get(k) != Some(&c) {
                k = fail.get(k - 1).copied().unwrap_or(0);
            }
            if lit.get(k) == Some(&c) {
                k += 1;
            }
            if let Some(f) = fail.get_mut(i) {
                *f = k;
            }
        }
        Kmp { lit, fail }
    }

    /// The leftmost start of the literal at or after byte `from`.
    fn find(&self, t: &[u8], from: usize) -> Option<usize> {
        find_folded(self.lit, &self.fail, t, from)
    }
}

fn find_folded(lit: &[u8], fail: &[usize], t: &[u8], from: usize) -> Option<usize> {
    let m = lit.len();
    if m == 0 {
        return Some(from);
    }
    let mut q = 0;
    for (i, b) in t.iter().enumerate().skip(from) {
        let c = b.to_ascii_lowercase();
        while q > 0 && lit.get(q) != Some(&c) {
            q = *fail.get(q - 1)?;
        }
        if lit.get(q) == Some(&c) {
            q += 1;
        }
        if q == m {
            return Some(i + 1 - m);
        }
    }
    None
}

/// Length of the UTF-8 sequence that starts with `lead` (1 for a stray byte, so that progress
/// is always made).
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// One piece of a template: literal text, a wildcard, or a policy variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text (after `${*}`, `${?}` and `${$}` have been turned into their characters).
    Lit(String),
    /// Text in which `*` and `?` are wildcards.
    Pattern(String),
    /// `${key}` or `${key, 'default'}`.
    Var {
        /// The key as written.
        key: String,
        /// The default value, if one was given.
        default: Option<String>,
    },
}

/// A string that may contain policy variables. Compiled once; resolved per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Shared: a policy repeats the same segments (`arn`, `aws`, `s3`, its account) in every
    /// resource, and the lowering hands out one compiled copy of each ([`Template::clone`] is a
    /// reference count).
    inner: std::sync::Arc<TemplateInner>,
}

#[derive(Debug, PartialEq, Eq)]
struct TemplateInner {
    /// The text as written in the policy.
    text: String,
    pieces: Vec<Piece>,
    /// The compiled pattern when there are no variables (the common case).
    fixed: Option<Glob>,
}

/// Problems found while reading `${...}` in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateWarning {
    /// Byte offset of the `${` in the text.
    pub offset: usize,
    /// What was wrong.
    pub message: String,
}

impl Template {
    /// The text as written in the policy.
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// Whether both are the one compiled copy the lowering shares (not merely equal).
    pub fn is_shared_with(&self, other: &Template) -> bool {
        std::sync::Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Reads `text`. With `variables` false (policy version 2008-10-17 or no version) `${...}`
    /// is literal text. `case_fold` lowercases literal text (for case-insensitive elements).
    pub fn new(text: &str, variables: bool, case_fold: bool) -> (Template, Vec<TemplateWarning>) {
        let mut pieces = Vec::new();
        let mut warnings = Vec::new();
        let fold = |s: &str| {
            if case_fold {
                s.to_lowercase()
            } else {
                s.to_string()
            }
        };
        if !variables || !text.contains("${") {
            pieces.push(Piece::Pattern(fold(text)));
        } else {
            let mut rest = text;
            let mut consumed = 0usize;
            while let Some(start) = rest.find("${") {
                let (before, after) = rest.split_at(start);
                if !before.is_empty() {
                    pieces.push(Piece::Pattern(fold(before)));
                }
                let inner_and_more = after.get(2..).unwrap_or("");
                match inner_and_more.find('}') {
                    None => {
                        warnings.push(TemplateWarning {
                            offset: consumed + start,
                            message: "`${` without a closing `}` is read as literal text".into(),
                        });
                        pieces.push(Piece::Pattern(fold(after)));
                        rest = "";
                        break;
                    }
                    Some(end) => {
                        let inner = inner_and_more.get(..end).unwrap_or("");
                        match parse_variable(inner) {
                            Ok(piece) => pieces.push(match piece {
                                Piece::Lit(s) => Piece::Lit(s),
                                other => other,
                            }),
                            Err(msg) => {
                                warnings.push(TemplateWarning {
                                    offset: consumed + start,
                                    message: msg,
                                });
                                pieces.push(Piece::Lit(format!("${{{inner}}}")));
                            }
                        }
                        let skip = start + 2 + end + 1;
                        consumed += skip;
                        rest = rest.get(skip..).unwrap_or("");
                    }
                }
            }
            if !rest.is_empty() {
                pieces.push(Piece::Pattern(fold(rest)));
            }
        }
        let fixed = if pieces.iter().all(|p| !matches!(p, Piece::Var { .. })) {
            Some(build_glob(pieces.iter().map(|p| match p {
                Piece::Lit(s) => (s.as_str(), false),
                Piece::Pattern(s) => (s.as_str(), true),
                Piece::Var { .. } => ("", false),
            })))
        } else {
            None
        };
        (
            Template {
                inner: std::sync::Arc::new(TemplateInner {
                    text: text.to_string(),
                    pieces,
                    fixed,
                }),
            },
            warnings,
        )
    }

    /// The pieces: literal text, wildcard text and policy variables, in order (for analyses
    /// that read a template's structure, such as `polsim diff`).
    pub fn pieces(&self) -> &[Piece] {
        &self.inner.pieces
    }

    /// Whether the template has policy variables.
    pub fn has_variables(&self) -> bool {
        self.inner.fixed.is_none()
    }

    /// The policy variables the template uses (their keys as written).
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.inner.pieces.iter().filter_map(|p| match p {
            Piece::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// The pattern after substituting variables with `lookup`; `Err(key)` names the first
    /// variable that has no value and no default. Substituted values are literal: a `*` in a
    /// tag value does not become a wildcard.
    pub fn resolve<'a>(
        &'a self,
        mut lookup: impl FnMut(&str) -> Option<String>,
        case_fold: bool,
    ) -> Result<std::borrow::Cow<'a, Glob>, &'a str> {
        if let Some(g) = &self.inner.fixed {
            return Ok(std::borrow::Cow::Borrowed(g));
        }
        let mut parts: Vec<(String, bool)> = Vec::with_capacity(self.inner.pieces.len());
        for p in &self.inner.pieces {
            match p {
                Piece::Lit(s) => parts.push((s.clone(), false)),
                Piece::Pattern(s) => parts.push((s.clone(), true)),
                Piece::Var { key, default } => {
                    let v = lookup(key)
                        .or_else(|| default.clone())
                        .ok_or(key.as_str())?;
                    parts.push((if case_fold { v.to_lowercase() } else { v }, false));
                }
            }
        }
        Ok(std::borrow::Cow::Owned(build_glob(
            parts.iter().map(|(s, w)| (s.as_str(), *w)),
        )))
    }

    /// The text after substitution, with no wildcard interpretation (for display and for
    /// operators that compare exactly).
    pub fn resolve_text(
        &self,
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<String, &str> {
        let mut out = String::new();
        for p in &self.inner.pieces {
            match p {
                Piece::Lit(s) | Piece::Pattern(s) => out.push_str(s),
                Piece::Var { key, default } => {
                    let v = lookup(key)
                        .or_else(|| default.clone())
                        .ok_or(key.as_str())?;
                    out.push_str(&v);
                }
            }
        }
        Ok(out)
    }
}

fn build_glob<'a>(parts: impl Iterator<Item = (&'a str, bool)>) -> Glob {
    let mut g = Glob {
        toks: Vec::new(),
        has_wildcard: false,
    };
    for (s, wild) in parts {
        if wild {
            g.push_pattern(s);
        } else {
            g.push_literal(s);
        }
    }
    g
}

/// Reads the inside of `${...}`: `key`, `key, 'default'`, or one of `*`, `?`, `$`.
fn parse_variable(inner: &str) -> Result<Piece, String> {
    match inner {
        "*" | "?" | "$" => return Ok(Piece::Lit(inner.to_string())),
        _ => {}
    }
    let (key, default) = match inner.find(',') {
        None => (inner.trim(), None),
        Some(i) => {
            let key = inner.get(..i).unwrap_or("").trim();
            let d = inner.get(i + 1..).unwrap_or("").trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .ok_or_else(|| {
                    format!("the default in `${{{inner}}}` must be in single quotes, as in `${{{key}, 'value'}}`")
                })?;
            (key, Some(d.to_string()))
        }
    };
    if key.is_empty()
        || key
            .chars()
            .any(|c| c.is_whitespace() || c == '{' || c == '$')
    {
        return Err(format!("`${{{inner}}}` is not a policy variable"));
    }
    Ok(Piece::Var {
        key: key.to_string(),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_shapes_agree_with_the_general_walk() {
        let patterns = [
            "",
            "*",
            "s3:get",
            "s3:get*",
            "S3:Get*",
            "é*",
            "éa",
            "a",
            "ab*",
            "s3:getobject",
        ];
        let texts = [
            "",
            "s",
            "s3:get",
            "s3:getobject",
            "S3:GetObject",
            "s3:ge",
            "é",
            "éa",
            "éab",
            "a",
            "ab",
            "abc",
            "s3:getobjectx",
            "\u{e9}",
        ];
        for p in patterns {
            for fold in [false, true] {
                let g = if fold {
                    Glob::new(&p.to_lowercase())
                } else {
                    Glob::new(p)
                };
                for t in texts {
                    assert_eq!(
                        g.matches_with(t, fold),
                        g.walk(t.as_bytes(), t, fold),
                        "{p:?} {t:?} fold={fold}"
                    );
                }
            }
        }
    }

    #[test]
    fn glob_basics() {
        let g = Glob::new("iam:*accesskey*");
        assert!(g.matches("iam:createaccesskey"));
        assert!(g.matches("iam:listaccesskeys"));
        assert!(!g.matches("iam:createuser"));
        assert!(Glob::new("*").matches(""));
        assert!(Glob::new("a?c").matches("abc"));
        assert!(Glob::new("a?c").matches("aéc"));
        assert!(!Glob::new("a?c").matches("ac"));
        assert!(!Glob::new("a?c").matches("abbc"));
        assert!(Glob::new("bkt/*/test/*").matches("bkt/1/2/test/x"));
        assert!(Glob::new("bkt/*/test/*").matches("bkt//test/"));
        assert!(!Glob::new("bkt/*/test/*").matches("bkt/test/x"));
        assert!(Glob::new("a*b*c").matches("axxbyyc"));
        assert!(!Glob::new("a*b*c").matches("axxbyy"));
        assert!(Glob::new("clips/202?/").matches("clips/2024/"));
        assert!(!Glob::new("clips/202?/").matches("clips/20245/"));
        assert!(Glob::new("*a*").matches("xxaxx"));
        assert!(Glob::new("a*a").matches("aa"));
        assert!(!Glob::new("a*a").matches("a"));
        assert!(Glob::new("*é?").matches("xéy"));
        assert!(Glob::new("").matches(""));
        assert!(!Glob::new("").matches("x"));
        assert!(Glob::new("**").is_any());
    }

    #[test]
    fn folded_matching_and_tokens() {
        let g = Glob::new("s3:get*");
        assert!(g.matches_folded("S3:GetObject"));
        assert!(!g.matches("S3:GetObject"));
        assert_eq!(
            Glob::new("a*?b**").tokens(),
            &[
                Token::Literal("a".into()),
                Token::AnyRun,
                Token::AnyOne,
                Token::Literal("b".into()),
                Token::AnyRun
            ]
        );
    }

    #[test]
    fn long_literal_groups_match_like_the_naive_search() {
        let lit = format!("{}b", "a".repeat(40));
        let g = Glob::new(&format!("x*{lit}*y"));
        for (text, want) in [
            (format!("x{}by", "a".repeat(40)), true),
            (format!("x{}aby", "a".repeat(41)), true),
            (format!("x{}b", "a".repeat(40)), false),
            (format!("x{}y", "a".repeat(400)), false),
            (format!("xé{}bzzy", "a".repeat(40)), true),
        ] {
            assert_eq!(g.matches(&text), want, "{text}");
            assert_eq!(g.matches_folded(&text.to_uppercase()), want, "{text}");
        }
        // Case-folded KMP with a border inside the literal.
        let g = Glob::new("*abababababababababababababababababac*");
        assert!(g.matches_folded("ABABABABABABABABABABABABABABABABABABABAC"));
        assert!(!g.matches_folded("ABABABABABABABABABABABABABABABABABABABAB"));
        // A group with `?` behind a literal lead.
        assert!(Glob::new("*ab?d*").matches("xxabcdxx"));
        assert!(!Glob::new("*ab?d*").matches("xxabdxx"));
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let text = "a".repeat(20_000);
        let g = Glob::new(&format!("{}b", "*a".repeat(50)));
        assert!(!g.matches(&text));
    }

    #[test]
    fn templates() {
        let (t, w) = Template::new("home/${aws:username}/*", true, false);
        assert!(w.is_empty());
        let g = t
            .resolve(|k| (k == "aws:username").then(|| "Dave".into()), false)
            .unwrap();
        assert!(g.matches("home/Dave/x"));
        assert!(!g.matches("home/Eve/x"));
        assert_eq!(t.resolve(|_| None, false).unwrap_err(), "aws:username");
        // A substituted `*` is literal.
        let g = t.resolve(|_| Some("*".into()), false).unwrap();
        assert!(g.matches("home/*/x"));
        assert!(!g.matches("home/Dave/x"));
        let (t, _) = Template::new("${aws:PrincipalTag/team, 'none'}-${*}", true, false);
        assert_eq!(t.resolve_text(|_| None).unwrap(), "none-*");
        assert!(!t.resolve(|_| None, false).unwrap().matches("none-x"));
        let (t, _) = Template::new("home/${aws:username}", false, false);
        assert!(t
            .resolve(|_| None, false)
            .unwrap()
            .matches("home/${aws:username}"));
        let (_, w) = Template::new("a/${oops", true, false);
        assert_eq!(w.len(), 1);
    }
}
