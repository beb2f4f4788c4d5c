//! An index from a request's action to the statements that can match it: the first piece of
//! the compiled decision path.
//!
//! Every `Action` pattern begins with a literal head (`s3:get` of `s3:Get*`, the whole name of
//! `s3:GetObject`) or with a wildcard. Per level of a layer, the heads of every statement of
//! every policy go into a byte trie (one for the patterns that fold case, one for those that do
//! not); a statement with a pattern that begins with a wildcard, or with `NotAction`, goes into
//! a list of statements any request can match. A request then walks the trie along its action,
//! once, and visits only the statements whose heads are prefixes of it, plus that list, in
//! document order; the full matchers decide each one. The explaining evaluation visits every
//! statement (it reports on each): the two agree on every verdict by test
//! (`invariants::explain_agrees` over generated stacks and every corpus, and
//! `the_index_visits_every_statement_that_can_match`).
//!
//! [`crate::stack::Stack`] builds a layer's index on first use and drops it when the layer
//! changes (`push`, `declare`, `clear`, `policy_mut`), so an index never outlives what it
//! describes.

use crate::ir::{Policy, Statement};
use crate::pattern::Token;

/// Where a statement sits in a level: its policy's place in the high half, its own in the low,
/// so that sorting places gives document order.
pub type Place = u64;

fn place(policy: usize, stmt: usize) -> Place {
    let p = u64::try_from(policy).unwrap_or(u64::from(u32::MAX));
    let s = u64::try_from(stmt).unwrap_or(u64::from(u32::MAX));
    (p << 32) | (s & 0xffff_ffff)
}

/// The policy and statement of a place.
pub fn unplace(p: Place) -> (usize, usize) {
    (
        usize::try_from(p >> 32).unwrap_or(usize::MAX),
        usize::try_from(p & 0xffff_ffff).unwrap_or(usize::MAX),
    )
}

/// A byte trie of literal heads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Trie {
    /// Node 0 is the root.
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Node {
    /// (byte, child), sorted by byte.
    children: Vec<(u8, u32)>,
    /// The statements with a head ending here.
    places: Vec<Place>,
}

impl Trie {
    /// The child of node `at` for byte `b`, if any.
    fn child(&self, at: usize, b: u8) -> Option<usize> {
        let n = self.nodes.get(at)?;
        let i = n.children.binary_search_by_key(&b, |(c, _)| *c).ok()?;
        n.children.get(i).map(|(_, child)| *child as usize)
    }

    fn insert(&mut self, head: &[u8], p: Place) {
        if self.nodes.is_empty() {
            self.nodes.push(Node::default());
        }
        let mut at = 0usize;
        for &b in head {
            let next = self.child(at, b);
            at = match next {
                Some(n) => n,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(Node::default());
                    if let Some(node) = self.nodes.get_mut(at) {
                        let i = node.children.partition_point(|(c, _)| *c < b);
                        node.children
                            .insert(i, (b, u32::try_from(n).unwrap_or(u32::MAX)));
                    }
                    n
                }
            };
        }
        if let Some(node) = self.nodes.get_mut(at) {
            if node.places.last() != Some(&p) {
                node.places.push(p);
            }
        }
    }

    /// Adds to `out` the place lists of the heads that are prefixes of `text` (bytes folded to
    /// ASCII lower case with `fold`, as the matchers fold them).
    fn walk<'a>(&'a self, text: &[u8], fold: bool, out: &mut Candidates<'a>) {
        let mut at = 0usize;
        let Some(root) = self.nodes.first() else {
            return;
        };
        out.add(&root.places);
        for &b in text {
            let b = if fold { b.to_ascii_lowercase() } else { b };
            let next = self.child(at, b);
            let Some((n, node)) = next.and_then(|n| self.nodes.get(n).map(|node| (n, node))) else {
                return;
            };
            at = n;
            out.add(&node.places);
        }
    }
}

/// The index of one level of a layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelIndex {
    /// Statements that can match a request for any action, in document order.
    any: Vec<Place>,
    /// Heads of the patterns that compare exactly.
    exact: Trie,
    /// Heads of the patterns that fold case (held folded).
    folded: Trie,
}

/// The index of a layer: one entry per level, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerIndex {
    /// Per level.
    pub levels: Vec<LevelIndex>,
}

impl LayerIndex {
    /// Indexes the levels of a layer.
    pub fn build(levels: &[crate::stack::Level]) -> LayerIndex {
        LayerIndex {
            levels: levels
                .iter()
                .map(|lv| LevelIndex::build(&lv.policies))
                .collect(),
        }
    }
}

/// The literal heads of a statement's `Action` patterns, with whether each folds case; `None`
/// when some pattern (or `NotAction`) can match any action.
fn heads(stmt: &Statement) -> Option<Vec<(&str, bool)>> {
    if stmt.action.negated {
        return None;
    }
    stmt.action
        .items
        .iter()
        .map(|a| match a.glob.tokens().first() {
            Some(Token::Literal(head)) => Some((head.as_str(), a.case_insensitive)),
            _ => None,
        })
        .collect()
}

impl LevelIndex {
    /// Indexes the policies of one level.
    pub fn build(policies: &[Policy]) -> LevelIndex {
        let mut ix = LevelIndex::default();
        for (pi, policy) in policies.iter().enumerate() {
            for (si, stmt) in policy.statements.iter().enumerate() {
                let p = place(pi, si);
                match heads(stmt) {
                    None => ix.any.push(p),
                    Some(list) => {
                        for (head, folded) in list {
                            let trie = if folded {
                                &mut ix.folded
                            } else {
                                &mut ix.exact
                            };
                            trie.insert(head.as_bytes(), p);
                        }
                    }
                }
            }
        }
        ix
    }

    /// The statements (by place, in document order, each once) that can match a request for
    /// `action` (as the cloud compares it). Allocates nothing unless more than [`INLINE`]
    /// heads are prefixes of the action.
    pub fn candidates(&self, action: &str) -> Candidates<'_> {
        let mut c = Candidates::default();
        c.add(&self.any);
        self.exact.walk(action.as_bytes(), false, &mut c);
        self.folded.walk(action.as_bytes(), true, &mut c);
        c
    }
}

/// How many place lists [`Candidates`] merges without allocating.
pub const INLINE: usize = 16;

/// The places a request visits: a merge of sorted place lists (the statements any action can
/// match, and those of each head on the action's path in the tries), in document order, each
/// place once.
#[derive(Debug, Clone, Default)]
pub struct Candidates<'a> {
    inline: [&'a [Place]; INLINE],
    len: usize,
    spill: Vec<&'a [Place]>,
}

impl<'a> Candidates<'a> {
    fn add(&mut self, list: &'a [Place]) {
        if list.is_empty() {
            return;
        }
        if self.spill.is_empty() {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = list;
                self.len += 1;
                return;
            }
            self.spill
                .extend_from_slice(self.inline.get(..self.len).unwrap_or(&[]));
        }
        self.spill.push(list);
    }

    fn lists(&mut self) -> &mut [&'a [Place]] {
        if self.spill.is_empty() {
            self.inline.get_mut(..self.len).unwrap_or(&mut [])
        } else {
            &mut self.spill
        }
    }
}

impl Iterator for Candidates<'_> {
    type Item = Place;

    fn next(&mut self) -> Option<Place> {
        let lists = self.lists();
        let min = lists.iter().filter_map(|l| l.first()).min().copied()?;
        for l in lists.iter_mut() {
            if l.first() == Some(&min) {
                *l = l.get(1..).unwrap_or(&[]);
            }
        }
        Some(min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ActionPattern, Clause, Cloud, Effect, Pos};

    fn stmt(actions: &[&str], negated: bool, folded: bool) -> Statement {
        Statement {
            index: 1,
            sid: None,
            pos: Pos::default(),
            effect: Effect::Allow,
            action: Clause {
                negated,
                pos: Pos::default(),
                items: actions
                    .iter()
                    .map(|a| ActionPattern::new(a, a, Pos::default(), folded))
                    .collect(),
            },
            resource: None,
            principal: None,
            conditions: Vec::new(),
        }
    }

    fn policy(statements: Vec<Statement>) -> Policy {
        Policy {
            id: "p".into(),
            file: None,
            cloud: Cloud::Aws,
            version: None,
            variables: false,
            pos: Pos::default(),
            statements,
        }
    }

    #[test]
    fn a_request_visits_its_service_and_the_wildcards_in_order() {
        let p = policy(vec![
            stmt(&["s3:GetObject"], false, true),
            stmt(&["*"], false, true),
            stmt(&["ec2:Describe*", "S3:Put*"], false, true),
            stmt(&["kms:Decrypt"], true, true),
            stmt(&["s3*:Get*"], false, true),
            stmt(&["ec2:RunInstances"], false, true),
        ]);
        let ix = LevelIndex::build(std::slice::from_ref(&p));
        let got = |action: &str| -> Vec<usize> {
            ix.candidates(action).map(|pl| unplace(pl).1).collect()
        };
        assert_eq!(got("s3:GetObject"), [0, 1, 3, 4]);
        assert_eq!(got("S3:putObject"), [1, 2, 3, 4]);
        assert_eq!(got("EC2:RunInstances"), [1, 3, 5]);
        assert_eq!(got("ec2:DescribeVpcs"), [1, 2, 3]);
        assert_eq!(got("s3express:GetObject"), [1, 3, 4]);
        assert_eq!(got("noservice"), [1, 3]);
        // Every statement that can match is visited: the index only leaves out the others.
        for action in [
            "s3:GetObject",
            "s3:PutObject",
            "ec2:DescribeVpcs",
            "kms:Decrypt",
            "iam:GetRole",
            "S3:getobject",
        ] {
            let visited = got(action);
            for (i, s) in p.statements.iter().enumerate() {
                let hit = s.action.items.iter().any(|a| a.matches(action));
                if hit != s.action.negated {
                    assert!(visited.contains(&i), "{action}: statement {i}");
                }
            }
        }
    }

    #[test]
    fn case_sensitive_services_compare_exactly() {
        let p = policy(vec![stmt(&["cos:GetObject"], false, false)]);
        let ix = LevelIndex::build(std::slice::from_ref(&p));
        let count = |action: &str| ix.candidates(action).count();
        assert_eq!(count("cos:GetObject"), 1);
        assert_eq!(count("COS:GetObject"), 0);
    }

    #[test]
    fn many_heads_on_one_path_merge_in_order() {
        // 40 heads, each a prefix of the next: more lists than are merged inline.
        let action = "s3:getobjectwithaverylongnameindeedthatgoeson";
        let statements: Vec<Statement> = (0..120)
            .map(|i| {
                let head = action.get(..4 + (i % 40)).unwrap_or(action);
                let pat = format!("{head}*");
                if i % 7 == 0 {
                    stmt(&["*"], false, true)
                } else {
                    stmt(&[pat.as_str(), "s3:getobject*"], false, true)
                }
            })
            .collect();
        let p = policy(statements);
        let ix = LevelIndex::build(&[p.clone(), p]);
        let got: Vec<Place> = ix.candidates(action).collect();
        assert_eq!(got.len(), 240);
        assert!(got.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ix.candidates("ec2:RunInstances").count(), 2 * 18);
    }
}
