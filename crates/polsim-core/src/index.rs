//! An index from a request's service to the statements that can match it: the first piece of
//! the compiled decision path.
//!
//! A statement whose every `Action` entry starts with a literal `service:` can match only a
//! request for that service; the others (`*`, `s3*:Get*`, `NotAction`) can match any. For each
//! policy the index lists, per service, the statements of the first kind, and the statements of
//! the second kind apart; a request then visits, in document order, only the statements of its
//! service and the ones that match any. The explaining evaluation visits every statement (it
//! reports on each): the two agree on every verdict by test (`invariants::explain_agrees` over
//! generated stacks and every corpus).
//!
//! [`crate::stack::Stack`] builds a layer's index on first use and drops it when the layer
//! changes (`push`, `declare`, `clear`, `policy_mut`), so an index never outlives what it
//! describes.

use crate::ir::{Policy, Statement};
use crate::pattern::Token;
use std::cmp::Ordering;

/// The index of one policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyIndex {
    /// Statements that can match a request for any service, by place.
    any: Vec<u32>,
    /// Per service (case-folded where the cloud folds action names; sorted): the statements
    /// whose every entry names it.
    by_service: Vec<(String, bool, Vec<u32>)>,
}

/// The index of one level of a layer: one entry per policy, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelIndex {
    /// Per policy.
    pub policies: Vec<PolicyIndex>,
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
                .map(|lv| LevelIndex {
                    policies: lv.policies.iter().map(PolicyIndex::build).collect(),
                })
                .collect(),
        }
    }
}

/// The services a statement's `Action` entries name literally, with whether they fold case;
/// `None` when some entry (or `NotAction`) can match any service.
fn services(stmt: &Statement) -> Option<Vec<(String, bool)>> {
    if stmt.action.negated {
        return None;
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for a in &stmt.action.items {
        let Some(Token::Literal(first)) = a.glob.tokens().first() else {
            return None;
        };
        let (service, _) = first.split_once(':')?;
        let key = (service.to_string(), a.case_insensitive);
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Some(out)
}

/// Compares a key held folded with text folded on the fly (ASCII), or exactly.
fn cmp_key(key: &str, folded: bool, text: &str) -> Ordering {
    if folded {
        key.bytes()
            .cmp(text.bytes().map(|b| b.to_ascii_lowercase()))
    } else {
        key.cmp(text)
    }
}

impl PolicyIndex {
    /// Indexes one policy.
    pub fn build(policy: &Policy) -> PolicyIndex {
        let mut ix = PolicyIndex::default();
        for (i, stmt) in policy.statements.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match services(stmt) {
                None => ix.any.push(i),
                Some(list) => {
                    for (service, folded) in list {
                        let key = if folded {
                            service.to_ascii_lowercase()
                        } else {
                            service
                        };
                        match ix
                            .by_service
                            .iter_mut()
                            .find(|(k, f, _)| *k == key && *f == folded)
                        {
                            Some((_, _, v)) => v.push(i),
                            None => ix.by_service.push((key, folded, vec![i])),
                        }
                    }
                }
            }
        }
        ix.by_service.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        ix
    }

    /// The statements (by place, ascending) that can match a request for `action` (as the
    /// cloud compares it). Allocates nothing.
    pub fn candidates<'a>(&'a self, action: &str) -> Candidates<'a> {
        let service = action.split_once(':').map(|(s, _)| s);
        let mut named: [&'a [u32]; 2] = [&[], &[]];
        if let Some(service) = service {
            for folded in [false, true] {
                // The entries of one folding, sorted by key.
                let start = self.by_service.partition_point(|(_, f, _)| !*f && folded);
                let part = self.by_service.get(start..).unwrap_or(&[]);
                let end = part.partition_point(|(_, f, _)| *f == folded);
                let part = part.get(..end).unwrap_or(&[]);
                if let Ok(i) = part.binary_search_by(|(k, _, _)| cmp_key(k, folded, service)) {
                    if let Some((_, _, v)) = part.get(i) {
                        named[usize::from(folded)] = v;
                    }
                }
            }
        }
        Candidates {
            lists: [&self.any, named[0], named[1]],
        }
    }
}

/// The places of the statements a request visits, ascending, each once.
#[derive(Debug, Clone)]
pub struct Candidates<'a> {
    lists: [&'a [u32]; 3],
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let min = self.lists.iter().filter_map(|l| l.first()).min().copied()?;
        for l in &mut self.lists {
            if l.first() == Some(&min) {
                *l = l.get(1..).unwrap_or(&[]);
            }
        }
        usize::try_from(min).ok()
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
        let ix = PolicyIndex::build(&p);
        let got: Vec<usize> = ix.candidates("s3:GetObject").collect();
        assert_eq!(got, [0, 1, 2, 3, 4]);
        let got: Vec<usize> = ix.candidates("EC2:RunInstances").collect();
        assert_eq!(got, [1, 2, 3, 4, 5]);
        let got: Vec<usize> = ix.candidates("noservice").collect();
        assert_eq!(got, [1, 3, 4]);
        // Every statement that can match is visited: the index only leaves out the others.
        for action in [
            "s3:GetObject",
            "s3:PutObject",
            "ec2:DescribeVpcs",
            "kms:Decrypt",
            "iam:GetRole",
            "S3:getobject",
        ] {
            let visited: Vec<usize> = ix.candidates(action).collect();
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
        let ix = PolicyIndex::build(&p);
        assert_eq!(ix.candidates("cos:GetObject").count(), 1);
        assert_eq!(ix.candidates("COS:GetObject").count(), 0);
    }
}
