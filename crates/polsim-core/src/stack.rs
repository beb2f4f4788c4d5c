//! The policies that take part in a request, grouped by layer, and the state of the resource
//! beside them.
//!
//! One builder serves every way a stack is made (stack folders, test files, the property-test
//! harness): [`Stack::push`] adds a policy to a layer (and level), [`Stack::declare`] makes a
//! layer take part while holding nothing, [`Stack::clear`] takes it out again.

use crate::index::LayerIndex;
use crate::ir::{Effect, Layer, Policy, Statement};
use crate::state::ResourceState;

/// One level of an SCP or RCP chain (organization root, an OU, the account). Layers without
/// levels hold one level with an empty name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Level {
    /// The level's name (`root`, `ou-prod`, `account`); empty for layers without levels.
    pub name: String,
    /// The policies attached there; an empty list allows nothing.
    pub policies: Vec<Policy>,
}

/// The policy stack of a request. A layer that is absent does not take part (no boundary, no
/// session policy, no SCPs ...); a layer that is present but holds nothing takes part and
/// allows nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stack {
    slots: [Option<Vec<Level>>; Layer::COUNT],
    /// The resource's own state, beside its policies.
    pub state: ResourceState,
    /// Each layer's statement index, built on first use and dropped when the layer changes.
    indexes: Indexes,
}

/// The layers' indexes ([`crate::index`]): a cache, never part of what a stack is (two stacks
/// with the same policies are equal whether or not either has built its indexes).
#[derive(Debug, Clone, Default)]
struct Indexes([std::sync::OnceLock<std::sync::Arc<LayerIndex>>; Layer::COUNT]);

impl PartialEq for Indexes {
    fn eq(&self, _: &Indexes) -> bool {
        true
    }
}

impl Stack {
    /// An empty stack: no layer takes part.
    pub fn new() -> Stack {
        Stack::default()
    }

    /// The layer's slot, to change: its index is dropped (every change goes through here).
    fn slot_mut(&mut self, layer: Layer) -> Option<&mut Option<Vec<Level>>> {
        if let Some(ix) = self.indexes.0.get_mut(layer.index()) {
            *ix = std::sync::OnceLock::new();
        }
        self.slots.get_mut(layer.index())
    }

    /// A copy that shares this stack's layer indexes (built first, so that a copy made per
    /// request, such as a plan's stack with the ACL layer added, does not build them again).
    pub fn clone_indexed(&self) -> Stack {
        for layer in Layer::ALL {
            let _ = self.index(layer);
        }
        self.clone()
    }

    /// The statement index of a layer that takes part, built on first use.
    pub fn index(&self, layer: Layer) -> Option<&LayerIndex> {
        let levels = self.levels(layer)?;
        let cell = self.indexes.0.get(layer.index())?;
        Some(cell.get_or_init(|| std::sync::Arc::new(LayerIndex::build(levels))))
    }

    fn level_mut(&mut self, layer: Layer, level: Option<&str>) -> Option<&mut Level> {
        let name = if layer.has_levels() {
            level.unwrap_or(layer.name())
        } else {
            ""
        };
        let levels = self.slot_mut(layer)?.get_or_insert_with(Vec::new);
        let i = match levels.iter().position(|l| l.name == name) {
            Some(i) => i,
            None => {
                levels.push(Level {
                    name: name.to_string(),
                    policies: Vec::new(),
                });
                levels.len() - 1
            }
        };
        levels.get_mut(i)
    }

    /// Adds `policy` to `layer`; for a chain layer (SCP, RCP) to the level named `level`
    /// (created after the existing ones, so levels keep the order they are first named in).
    pub fn push(&mut self, layer: Layer, level: Option<&str>, policy: Policy) {
        if let Some(l) = self.level_mut(layer, level) {
            l.policies.push(policy);
        }
    }

    /// Makes `layer` (and, for a chain layer, its `level`) take part, even with no policy.
    /// For a chain layer with `level` `None`, the layer takes part with the levels it has.
    pub fn declare(&mut self, layer: Layer, level: Option<&str>) {
        if layer.has_levels() && level.is_none() {
            if let Some(slot) = self.slot_mut(layer) {
                slot.get_or_insert_with(Vec::new);
            }
            return;
        }
        let _ = self.level_mut(layer, level);
    }

    /// Takes `layer` out of the stack.
    pub fn clear(&mut self, layer: Layer) {
        if let Some(slot) = self.slot_mut(layer) {
            *slot = None;
        }
    }

    /// Whether `layer` takes part.
    pub fn has(&self, layer: Layer) -> bool {
        self.levels(layer).is_some()
    }

    /// The levels of a layer (one unnamed level for layers without levels), if it takes part.
    pub fn levels(&self, layer: Layer) -> Option<&[Level]> {
        self.slots.get(layer.index())?.as_deref()
    }

    /// The policies of a layer that is not a chain of levels, if it takes part.
    pub fn policies(&self, layer: Layer) -> Option<&[Policy]> {
        if layer.has_levels() {
            return None;
        }
        Some(
            self.levels(layer)?
                .first()
                .map_or(&[][..], |l| l.policies.as_slice()),
        )
    }

    /// The policy at `policy` of level `level` of `layer`, to edit (a copy of a stack, as
    /// [`crate::advice`] does to check an edit).
    pub fn policy_mut(&mut self, layer: Layer, level: usize, policy: usize) -> Option<&mut Policy> {
        self.slot_mut(layer)?
            .as_mut()?
            .get_mut(level)?
            .policies
            .get_mut(policy)
    }

    /// Every policy in the stack with its layer.
    pub fn all_policies(&self) -> impl Iterator<Item = (Layer, &Policy)> {
        Layer::ALL.into_iter().flat_map(move |l| {
            self.levels(l)
                .unwrap_or(&[])
                .iter()
                .flat_map(move |lv| lv.policies.iter().map(move |p| (l, p)))
        })
    }
}

/// Points at one statement of a policy of the stack.
#[derive(Debug, Clone, Copy)]
pub struct StatementRef<'s> {
    /// The policy.
    pub policy: &'s Policy,
    /// The statement.
    pub stmt: &'s Statement,
}

impl PartialEq for StatementRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.policy, other.policy) && std::ptr::eq(self.stmt, other.stmt)
    }
}

impl Eq for StatementRef<'_> {}

impl<'s> StatementRef<'s> {
    /// The statement's `Sid`, if it has a non-empty one.
    pub fn sid(&self) -> Option<&'s str> {
        self.stmt.sid.as_deref().filter(|s| !s.is_empty())
    }

    /// The statement's effect.
    pub fn effect(&self) -> Effect {
        self.stmt.effect
    }

    /// `POLICY#N`.
    pub fn place(&self) -> String {
        format!("{}#{}", self.policy.id, self.stmt.index)
    }

    /// The `Sid` if there is one, else `POLICY#N`.
    pub fn label(&self) -> String {
        match self.sid() {
            Some(s) => s.to_string(),
            None => self.place(),
        }
    }

    /// Whether a test file's `expect_statement` names this statement (by `Sid` or `POLICY#N`).
    pub fn is_named(&self, name: &str) -> bool {
        if self.stmt.sid.as_deref() == Some(name) {
            return true;
        }
        match name.rsplit_once('#') {
            Some((policy, n)) => {
                policy == self.policy.id && n.parse::<usize>().ok() == Some(self.stmt.index)
            }
            None => false,
        }
    }

    /// `file:line:col` (or `policy:line:col` when the policy was inline).
    pub fn location(&self) -> String {
        format!(
            "{}:{}:{}",
            self.policy.file.as_deref().unwrap_or(&self.policy.id),
            self.stmt.pos.line,
            self.stmt.pos.col
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Cloud, Pos};

    fn policy(id: &str) -> Policy {
        Policy {
            id: id.into(),
            file: None,
            cloud: Cloud::Aws,
            version: None,
            variables: false,
            pos: Pos::default(),
            statements: Vec::new(),
        }
    }

    #[test]
    fn push_declare_clear() {
        let mut s = Stack::new();
        assert!(!s.has(Layer::Identity));
        s.declare(Layer::Identity, None);
        assert_eq!(s.policies(Layer::Identity).map(<[Policy]>::len), Some(0));
        s.push(Layer::Identity, None, policy("a"));
        s.push(Layer::Scp, Some("root"), policy("b"));
        s.push(Layer::Scp, Some("ou"), policy("c"));
        s.push(Layer::Scp, Some("root"), policy("d"));
        let levels = s.levels(Layer::Scp).unwrap_or(&[]);
        assert_eq!(levels.len(), 2);
        assert_eq!(levels.first().map(|l| l.policies.len()), Some(2));
        s.declare(Layer::Rcp, Some("empty"));
        assert_eq!(s.levels(Layer::Rcp).map(<[Level]>::len), Some(1));
        assert_eq!(s.all_policies().count(), 4);
        s.clear(Layer::Scp);
        assert!(!s.has(Layer::Scp));
    }
}
