//! The policies that take part in a request, grouped by layer.

use crate::ir::{Layer, Policy};

/// One level of an SCP or RCP chain (organization root, an OU, the account).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Level {
    /// The level's name (`root`, `ou-prod`, `account`).
    pub name: String,
    /// The policies attached there; an empty list allows nothing.
    pub policies: Vec<Policy>,
}

/// The policy stack of a request. `None` means the layer does not take part (no boundary, no
/// session policy, no SCPs ...); `Some(vec![])` means it takes part and holds nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stack {
    /// Identity-based policies of the caller.
    pub identity: Option<Vec<Policy>>,
    /// The caller's permissions boundary.
    pub permissions_boundary: Option<Vec<Policy>>,
    /// Session policies.
    pub session: Option<Vec<Policy>>,
    /// Resource-based policies of the target.
    pub resource: Option<Vec<Policy>>,
    /// SCP levels, organization root first.
    pub scp: Option<Vec<Level>>,
    /// RCP levels, organization root first.
    pub rcp: Option<Vec<Level>>,
    /// The endpoint policy the request passes through.
    pub vpc_endpoint: Option<Vec<Policy>>,
    /// The access point policy.
    pub access_point: Option<Vec<Policy>>,
}

impl Stack {
    /// The policies of a layer that is not a chain of levels.
    pub fn policies(&self, layer: Layer) -> Option<&[Policy]> {
        match layer {
            Layer::Identity => self.identity.as_deref(),
            Layer::PermissionsBoundary => self.permissions_boundary.as_deref(),
            Layer::Session => self.session.as_deref(),
            Layer::Resource => self.resource.as_deref(),
            Layer::VpcEndpoint => self.vpc_endpoint.as_deref(),
            Layer::AccessPoint => self.access_point.as_deref(),
            Layer::Scp | Layer::Rcp => None,
        }
    }

    /// The levels of a chain layer (SCP, RCP).
    pub fn levels(&self, layer: Layer) -> Option<&[Level]> {
        match layer {
            Layer::Scp => self.scp.as_deref(),
            Layer::Rcp => self.rcp.as_deref(),
            _ => None,
        }
    }

    /// Every policy in the stack with its layer.
    pub fn all_policies(&self) -> impl Iterator<Item = (Layer, &Policy)> {
        let flat = [
            Layer::Identity,
            Layer::PermissionsBoundary,
            Layer::Session,
            Layer::Resource,
            Layer::VpcEndpoint,
            Layer::AccessPoint,
        ]
        .into_iter()
        .flat_map(move |l| self.policies(l).unwrap_or(&[]).iter().map(move |p| (l, p)));
        let chains = [Layer::Scp, Layer::Rcp].into_iter().flat_map(move |l| {
            self.levels(l)
                .unwrap_or(&[])
                .iter()
                .flat_map(move |lv| lv.policies.iter().map(move |p| (l, p)))
        });
        flat.chain(chains)
    }
}
