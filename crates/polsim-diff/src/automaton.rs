//! Sets of strings described by wildcard patterns, decided on the product of their automata.
//!
//! A [`Pat`] is a wildcard pattern as a sequence of elements: a literal character (compared
//! exactly, or folded the way a cloud folds action names and the leading segments of resource
//! names), `*` and `?`, each wildcard either spanning any character or confined to one
//! `:`-separated segment. [`cells`] explores the product of the patterns' automata breadth
//! first and returns every combination of memberships some string has, with the shortest such
//! string: the exact partition of the strings by the patterns, never a sample of it.
//!
//! The alphabet is the characters the patterns' literals name, `:`, and one character none of
//! them names (every such character behaves alike in every pattern). The exploration is
//! bounded; [`Cells::complete`] says whether it ran to the end.

use polsim_core::pattern::{Glob, Token};
use std::collections::HashMap;

/// Which characters a wildcard admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Every character.
    Any,
    /// Every character but `:` (a wildcard confined to one segment of a name).
    NotColon,
}

impl Class {
    fn admits(self, c: char) -> bool {
        match self {
            Class::Any => true,
            Class::NotColon => c != ':',
        }
    }
}

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Elem {
    /// A literal character; with `fold`, the pattern holds it lowercased and the text's
    /// character is folded to lowercase (ASCII) before comparing.
    Lit {
        /// The character.
        c: char,
        /// Whether the text is folded before comparing.
        fold: bool,
    },
    /// `*`: any run of admitted characters, the empty run included.
    Star(Class),
    /// `?`: exactly one admitted character.
    One(Class),
}

/// A wildcard pattern as a sequence of elements.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Pat {
    elems: Vec<Elem>,
}

impl Pat {
    /// The empty pattern (matches only the empty string).
    pub fn new() -> Pat {
        Pat::default()
    }

    /// `*`: every string.
    pub fn any() -> Pat {
        let mut p = Pat::new();
        p.push_star(Class::Any);
        p
    }

    /// The elements.
    pub fn elems(&self) -> &[Elem] {
        &self.elems
    }

    /// Appends literal text.
    pub fn push_lit(&mut self, text: &str, fold: bool) {
        for c in text.chars() {
            self.elems.push(Elem::Lit { c, fold });
        }
    }

    /// Appends a wildcard run admitting `class`.
    pub fn push_star(&mut self, class: Class) {
        if self.elems.last() != Some(&Elem::Star(class)) {
            self.elems.push(Elem::Star(class));
        }
    }

    /// Appends a compiled glob: its literals (folded with `fold`), its `*` and `?` admitting
    /// `class`.
    pub fn push_glob(&mut self, glob: &Glob, class: Class, fold: bool) {
        for t in glob.tokens() {
            match t {
                Token::Literal(s) => self.push_lit(s, fold),
                Token::AnyRun => self.push_star(class),
                Token::AnyOne => self.elems.push(Elem::One(class)),
            }
        }
    }

    /// Appends wildcard text (`*` and `?` are wildcards).
    pub fn push_pattern(&mut self, text: &str, class: Class, fold: bool) {
        self.push_glob(&Glob::new(text), class, fold);
    }

    /// Whether the pattern matches all of `text` (by simulating its automaton; for tests and
    /// for checking a witness).
    pub fn matches(&self, text: &str) -> bool {
        let n = self.elems.len();
        let mut set = Bits::new(n + 1);
        set.set(0);
        closure(&self.elems, &mut set);
        for c in text.chars() {
            set = step(&self.elems, &set, c);
            if set.is_empty() {
                return false;
            }
        }
        set.get(n)
    }
}

/// A set of positions in a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// Adds the positions reachable by skipping stars (an empty run).
fn closure(elems: &[Elem], set: &mut Bits) {
    for (i, e) in elems.iter().enumerate() {
        if matches!(e, Elem::Star(_)) && set.get(i) {
            set.set(i + 1);
        }
    }
}

fn step(elems: &[Elem], set: &Bits, c: char) -> Bits {
    let mut next = Bits::new(elems.len() + 1);
    for (i, e) in elems.iter().enumerate() {
        if !set.get(i) {
            continue;
        }
        match *e {
            Elem::Lit { c: l, fold } => {
                let t = if fold { c.to_ascii_lowercase() } else { c };
                if t == l {
                    next.set(i + 1);
                }
            }
            Elem::Star(class) => {
                if class.admits(c) {
                    next.set(i);
                }
            }
            Elem::One(class) => {
                if class.admits(c) {
                    next.set(i + 1);
                }
            }
        }
    }
    closure(elems, &mut next);
    next
}

/// A product state: each automaton's positions, and the state and character it was reached from.
type State = (Vec<u64>, Option<(usize, char)>);

/// One combination of memberships that some string has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// For each pattern, whether the strings of the cell match it.
    pub member: Vec<bool>,
    /// A shortest string of the cell.
    pub witness: String,
}

/// The partition of the strings by a list of patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cells {
    /// The non-empty cells, in the order their shortest strings were found.
    pub cells: Vec<Cell>,
    /// Whether the exploration ran to the end (else some cells may be missing).
    pub complete: bool,
    /// The work done: automaton steps (one per pattern, character and state explored).
    pub work: usize,
}

/// The characters tried as "any other character", first unused one wins.
const FRESH: &str = "xzqjkvwy0123456789bcdfghlmnprst_-";

/// The alphabet that tells every cell apart: the literals' characters, `:`, `extra`, and one
/// character that no literal names.
fn alphabet(pats: &[&Pat], extra: &[char]) -> Vec<char> {
    let mut chars: Vec<char> = Vec::new();
    let mut lits: Vec<(char, bool)> = Vec::new();
    for p in pats {
        for e in &p.elems {
            if let Elem::Lit { c, fold } = *e {
                lits.push((c, fold));
                chars.push(c);
            }
        }
    }
    chars.push(':');
    chars.extend_from_slice(extra);
    let named = |c: char| {
        lits.iter()
            .any(|&(l, fold)| l == c || (fold && l == c.to_ascii_lowercase()))
            || c == ':'
            || extra.contains(&c)
    };
    if let Some(f) = FRESH
        .chars()
        .chain('\u{e000}'..='\u{e0ff}')
        .find(|c| !named(*c))
    {
        chars.push(f);
    }
    chars.sort_unstable();
    chars.dedup();
    // Try the "other" character first, so that wildcards are filled with it rather than with
    // a character that completes a neighbouring literal.
    if let Some(f) = chars.iter().position(|c| !named(*c)) {
        let c = chars.remove(f);
        chars.insert(0, c);
    }
    chars
}

/// The non-empty cells of the partition of the strings that `shape` accepts (all strings when
/// `None`) by `pats`, exploring at most `limit` product states. `extra` adds characters to the
/// alphabet (a character the evaluator treats specially although no pattern names it).
pub fn cells(pats: &[Pat], shape: Option<&Pat>, extra: &[char], limit: usize) -> Cells {
    cells_within(pats, shape, extra, limit, usize::MAX)
}

/// [`cells`], stopping (incomplete) once `max_work` automaton steps are done.
pub fn cells_within(
    pats: &[Pat],
    shape: Option<&Pat>,
    extra: &[char],
    limit: usize,
    max_work: usize,
) -> Cells {
    let any = Pat::any();
    let shape = shape.unwrap_or(&any);
    let all: Vec<&Pat> = std::iter::once(shape).chain(pats).collect();
    let sigma = alphabet(&all, extra);
    let mut layout = Vec::with_capacity(all.len());
    let mut width = 0;
    for p in &all {
        let c = Compiled::new(p, &sigma, width);
        width += c.words;
        layout.push(c);
    }
    let mut start = vec![0u64; width];
    for c in &layout {
        c.start(&mut start);
    }
    let mut seen: HashMap<Vec<u64>, usize, Fnv> = HashMap::default();
    // Each state: its position sets, and the state and character it was reached from.
    let mut states: Vec<State> = Vec::new();
    let mut found: HashMap<Vec<bool>, usize> = HashMap::new();
    let mut cells = Vec::new();
    seen.insert(start.clone(), 0);
    states.push((start, None));
    let mut next = 0;
    let mut complete = true;
    let all_false = vec![false; pats.len()];
    let mut to = vec![0u64; width];
    let mut work = 0usize;
    while next < states.len() {
        let sets = match states.get(next) {
            Some((s, _)) => s.clone(),
            None => break,
        };
        let here = next;
        next += 1;
        let Some((shape_c, pat_cs)) = layout.split_first() else {
            break;
        };
        if shape_c.is_empty(&sets) {
            continue;
        }
        let member: Vec<bool> = pat_cs.iter().map(|c| c.accepts(&sets)).collect();
        if shape_c.accepts(&sets) && !found.contains_key(&member) {
            found.insert(member.clone(), cells.len());
            cells.push(Cell {
                member,
                witness: word(&states, here),
            });
        }
        // Once every pattern is out of reach, only the all-false cell remains to be found.
        if pat_cs.iter().all(|c| c.is_empty(&sets)) && found.contains_key(&all_false) {
            continue;
        }
        for (ci, &ch) in sigma.iter().enumerate() {
            work = work.saturating_add(layout.len());
            if work > max_work {
                complete = false;
                break;
            }
            for c in &layout {
                c.step(&sets, ci, &mut to);
            }
            if seen.contains_key(&to) {
                continue;
            }
            if states.len() >= limit {
                complete = false;
                break;
            }
            seen.insert(to.clone(), states.len());
            states.push((to.clone(), Some((here, ch))));
        }
    }
    Cells {
        cells,
        complete,
        work,
    }
}

/// FNV-1a over the state's words: the states are short lists of `u64`, hashed millions of
/// times, and need no protection from chosen collisions.
#[derive(Default, Clone, Copy)]
struct Fnv;

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// One pattern's automaton as bit masks over its positions, placed at `offset` words in the
/// product state: a step is a few word operations per pattern (the bit-parallel simulation of
/// a wildcard pattern).
struct Compiled {
    offset: usize,
    words: usize,
    len: usize,
    /// Per character of the alphabet: positions whose literal or `?` moves on with it.
    advance: Vec<Vec<u64>>,
    /// Per character: positions whose `*` stays with it.
    stay: Vec<Vec<u64>>,
    /// Positions holding a `*` (skipped by an empty run).
    stars: Vec<u64>,
}

impl Compiled {
    fn new(p: &Pat, sigma: &[char], offset: usize) -> Compiled {
        let len = p.elems.len();
        let words = (len + 1).div_ceil(64);
        let mut advance = vec![vec![0u64; words]; sigma.len()];
        let mut stay = vec![vec![0u64; words]; sigma.len()];
        let mut stars = vec![0u64; words];
        let set = |v: &mut Vec<u64>, i: usize| {
            if let Some(w) = v.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        };
        for (i, e) in p.elems.iter().enumerate() {
            if matches!(e, Elem::Star(_)) {
                set(&mut stars, i);
            }
            for (ci, &c) in sigma.iter().enumerate() {
                let (adv, st) = match *e {
                    Elem::Lit { c: l, fold } => {
                        let t = if fold { c.to_ascii_lowercase() } else { c };
                        (t == l, false)
                    }
                    Elem::Star(class) => (false, class.admits(c)),
                    Elem::One(class) => (class.admits(c), false),
                };
                if adv {
                    if let Some(v) = advance.get_mut(ci) {
                        set(v, i);
                    }
                }
                if st {
                    if let Some(v) = stay.get_mut(ci) {
                        set(v, i);
                    }
                }
            }
        }
        Compiled {
            offset,
            words,
            len,
            advance,
            stay,
            stars,
        }
    }

    fn part<'a>(&self, state: &'a [u64]) -> &'a [u64] {
        state
            .get(self.offset..self.offset + self.words)
            .unwrap_or(&[])
    }

    fn start(&self, state: &mut [u64]) {
        if let Some(w) = state.get_mut(self.offset) {
            *w = 1;
        }
        self.close(state);
    }

    /// Adds the positions an empty run of each `*` reaches.
    fn close(&self, state: &mut [u64]) {
        loop {
            let mut changed = false;
            let mut carry = 0u64;
            for w in 0..self.words {
                let Some(x) = state.get_mut(self.offset + w) else {
                    break;
                };
                let s = *x & self.stars.get(w).copied().unwrap_or(0);
                let add = (s << 1) | carry;
                carry = s >> 63;
                if add & !*x != 0 {
                    *x |= add;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn step(&self, from: &[u64], ci: usize, to: &mut [u64]) {
        let (Some(adv), Some(stay)) = (self.advance.get(ci), self.stay.get(ci)) else {
            return;
        };
        let mut carry = 0u64;
        for w in 0..self.words {
            let s = from.get(self.offset + w).copied().unwrap_or(0);
            let a = s & adv.get(w).copied().unwrap_or(0);
            let moved = (a << 1) | carry;
            carry = a >> 63;
            if let Some(t) = to.get_mut(self.offset + w) {
                *t = moved | (s & stay.get(w).copied().unwrap_or(0));
            }
        }
        self.close(to);
    }

    fn accepts(&self, state: &[u64]) -> bool {
        self.part(state)
            .get(self.len / 64)
            .is_some_and(|w| w & (1 << (self.len % 64)) != 0)
    }

    fn is_empty(&self, state: &[u64]) -> bool {
        self.part(state).iter().all(|w| *w == 0)
    }
}

fn word(states: &[State], mut at: usize) -> String {
    let mut rev = Vec::new();
    while let Some((_, Some((parent, c)))) = states.get(at) {
        rev.push(*c);
        at = *parent;
    }
    rev.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;
    use proptest::prelude::*;

    fn pat(s: &str) -> Pat {
        let mut p = Pat::new();
        p.push_pattern(s, Class::Any, false);
        p
    }

    #[test]
    fn automaton_matches_as_the_glob_does() {
        for (p, t, want) in [
            ("s3:Get*", "s3:GetObject", true),
            ("s3:Get*", "s3:PutObject", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*", "", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "acb", false),
        ] {
            assert_eq!(pat(p).matches(t), want, "{p} {t}");
            assert_eq!(Glob::new(p).matches(t), want, "{p} {t}");
        }
    }

    #[test]
    fn segment_wildcards_stop_at_colons() {
        let mut p = Pat::new();
        p.push_pattern("a*", Class::NotColon, false);
        p.push_lit(":", false);
        p.push_pattern("*", Class::Any, false);
        assert!(p.matches("ab:c:d"));
        let mut q = Pat::new();
        q.push_pattern("a*", Class::NotColon, false);
        assert!(!q.matches("ab:c"));
    }

    #[test]
    fn folded_literals_accept_either_case() {
        let mut p = Pat::new();
        p.push_pattern("s3:get*", Class::Any, true);
        assert!(p.matches("S3:GetObject"));
        assert!(!pat("s3:get*").matches("S3:GetObject"));
    }

    #[test]
    fn the_cells_of_an_inclusion() {
        let c = cells(&[pat("s3:Get*"), pat("s3:GetObject")], None, &[], 10_000);
        assert!(c.complete);
        let mut members: Vec<Vec<bool>> = c.cells.iter().map(|c| c.member.clone()).collect();
        members.sort();
        // Nothing matches s3:GetObject without matching s3:Get*.
        assert_eq!(
            members,
            vec![vec![false, false], vec![true, false], vec![true, true]]
        );
        for cell in &c.cells {
            assert_eq!(pat("s3:Get*").matches(&cell.witness), cell.member[0]);
            assert_eq!(pat("s3:GetObject").matches(&cell.witness), cell.member[1]);
        }
    }

    #[test]
    fn shape_limits_the_strings() {
        let mut shape = Pat::new();
        shape.push_pattern("?*:?*", Class::Any, false);
        let c = cells(&[pat("*")], Some(&shape), &[], 1000);
        assert_eq!(c.cells.len(), 1);
        assert!(c.cells[0].witness.contains(':'));
        assert!(shape.matches(&c.cells[0].witness));
    }

    /// Every membership combination that a brute-force enumeration of short strings over the
    /// alphabet finds is a cell, and every cell's witness has its combination.
    fn brute(pats: &[Pat], sigma: &[char], len: usize) -> Vec<Vec<bool>> {
        let mut out = Vec::new();
        let mut words = vec![String::new()];
        for _ in 0..=len {
            let mut more = Vec::new();
            for w in &words {
                let m: Vec<bool> = pats.iter().map(|p| p.matches(w)).collect();
                if !out.contains(&m) {
                    out.push(m);
                }
                for c in sigma {
                    more.push(format!("{w}{c}"));
                }
            }
            words = more;
        }
        out
    }

    fn small_pattern() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(vec!["a", "b", ":", "*", "?"]), 0..5)
            .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn cells_agree_with_brute_force(texts in prop::collection::vec(small_pattern(), 1..4), colon in any::<bool>()) {
            let class = if colon { Class::NotColon } else { Class::Any };
            let pats: Vec<Pat> = texts.iter().map(|t| { let mut p = Pat::new(); p.push_pattern(t, class, false); p }).collect();
            let got = cells(&pats, None, &[], 100_000);
            prop_assert!(got.complete);
            for cell in &got.cells {
                let m: Vec<bool> = pats.iter().map(|p| p.matches(&cell.witness)).collect();
                prop_assert_eq!(&m, &cell.member);
            }
            // Strings of up to 6 characters over a, b, :, x reach every combination there is
            // for patterns this short.
            for m in brute(&pats, &['a', 'b', ':', 'x'], 6) {
                prop_assert!(got.cells.iter().any(|c| c.member == m), "missing {:?}", m);
            }
        }
    }
}
