//! Why a comparison's answer is not exact: the reasons, as data, and their words.

/// Why a result is not exact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Inexact {
    /// A policy variable (`${aws:username}`) is read as "any value".
    Variables(String),
    /// `ForAnyValue` / `ForAllValues` on the key: sets of values are sampled.
    SetOperators(String),
    /// The key is compared by operators of different kinds (strings and addresses, ...).
    MixedOperators(String),
    /// Non-ASCII values compared ignoring case.
    Folding(String),
    /// A principal named by a wildcard pattern.
    PrincipalPatterns,
    /// The exploration of a dimension hit its bound.
    Truncated(String),
    /// The request budget ran out.
    Budget(usize),
    /// The resource's state (ACLs, ownership, Block Public Access) differs between the sides.
    State,
    /// The sides name different resource owners.
    ResourceAccount,
    /// A stack has an access point layer: requests through an access point are not compared.
    AccessPoints,
    /// The resource has state (ACLs, ownership, Block Public Access, Referer, ...): requests
    /// with headers, API operation extras and other objects are not varied.
    Headers,
}

impl Inexact {
    /// Whether a bound cut the walk short (cells may be left unvisited), rather than a cell
    /// being sampled: then a change cannot be ruled out.
    pub fn cuts_short(&self) -> bool {
        matches!(self, Inexact::Truncated(_) | Inexact::Budget(_))
    }

    /// Why, in words.
    pub fn describe(&self) -> String {
        match self {
            Inexact::Variables(k) => format!("the policy variable in `{k}` is read as any value (its truth depends on other request fields)"),
            Inexact::SetOperators(k) => format!("`{k}` is tested with ForAnyValue/ForAllValues: sets of up to two values were tried, not every set"),
            Inexact::MixedOperators(k) => format!("`{k}` is compared by operators of different kinds: each kind's values were tried, not their combinations"),
            Inexact::Folding(k) => format!("`{k}` is compared ignoring case with non-ASCII values"),
            Inexact::PrincipalPatterns => "a principal is named by a wildcard pattern: callers built from its literal text were tried".into(),
            Inexact::Truncated(what) => format!("the partition of {what} hit its bound"),
            Inexact::Budget(n) => format!("the request budget ran out after {n} requests"),
            Inexact::State => "the resource's state (ACLs, ownership, Block Public Access, ...) differs between the sides; requests were drawn from the policies' atoms only".into(),
            Inexact::ResourceAccount => "the sides name different resource owners".into(),
            Inexact::AccessPoints => "requests through an access point were not compared (the access-point layer is not varied)".into(),
            Inexact::Headers => "the resource's state is given: requests with headers (x-amz-acl, Referer, ...), copy sources and object versions were not varied".into(),
        }
    }
}
