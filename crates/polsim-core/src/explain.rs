//! What an evaluation returns: the verdict, the outcomes it was decided from, and (when
//! explaining) each statement's outcome. Everything here borrows from the stack and the
//! request; nothing is worded. [`crate::report::Report`] turns an [`Evaluation`] into the words
//! users read.

use crate::condition::CondOutcome;
use crate::decide::{Decision, Facts, Outcomes, Pass, Verdict};
use crate::eval::Fail;
use crate::ir::{Effect, Layer, Policy, Statement};
use crate::profile::CloudProfile;
use crate::request::{Derived, Env, Request};
use crate::stack::Stack;
use std::borrow::Cow;

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

/// Each element of a statement judged on its own: the questions the OSS and COS troubleshooting
/// guides tell users to answer by hand for every statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// Does the action match?
    pub action: bool,
    /// Does the resource match?
    pub resource: bool,
    /// Does the principal match (layers with principals only)?
    pub principal: Option<bool>,
    /// The statement's effect.
    pub effect: Effect,
    /// Do all conditions hold?
    pub condition: bool,
}

/// What happened to one statement, as recorded by the evaluation that decided.
#[derive(Debug, Clone)]
pub struct StatementReport<'s> {
    /// Which statement.
    pub stmt: StatementRef<'s>,
    /// `None` when it matched the request, else the first element that failed.
    pub fail: Option<Fail>,
    /// For a statement whose conditions were judged: those that held, by place.
    pub conditions_held: Vec<(usize, CondOutcome)>,
    /// Each element judged on its own.
    pub checks: Checks,
}

/// The resources one pass of a request is judged against.
#[derive(Debug, Clone)]
pub struct PassPlan<'s> {
    /// Which pass.
    pub pass: Pass,
    /// The resource name every layer of the pass is judged against.
    pub resource: Cow<'s, str>,
    /// For the access point layer, the access point's form of the resource, if it differs.
    pub access_point: Option<Cow<'s, str>>,
}

impl PassPlan<'_> {
    /// The resource `layer` is judged against in this pass.
    pub fn resource_for(&self, layer: Layer) -> &str {
        match (&self.access_point, layer) {
            (Some(ap), Layer::AccessPoint) => ap,
            _ => &self.resource,
        }
    }
}

/// What a cloud's profile works out from the request before any policy is read: the action as
/// the cloud compares it, the passes, the derived context keys and the facts.
#[derive(Debug, Clone)]
pub struct Prepared<'s> {
    /// The action, normalised for the cloud.
    pub action: &'s str,
    /// One pass, or two for an AWS access-point request.
    pub passes: Vec<PassPlan<'s>>,
    /// The account that owns the resource, as given or assumed.
    pub resource_account: Option<&'s str>,
    /// Context keys that follow from the caller and the resource.
    pub derived: Derived<'s>,
    /// The facts `decide` reads.
    pub facts: Facts,
    /// Notes that follow from the request alone.
    pub notes: crate::decide::Notes,
}

/// The per-statement record of an explained evaluation, one list per evaluated layer (in the
/// order of [`Outcomes::runs`]), and the keys that were missing.
#[derive(Debug, Clone, Default)]
pub struct Explained<'s> {
    /// Per run, its statements' outcomes.
    pub statements: Vec<Vec<StatementReport<'s>>>,
    /// Keys that conditions or policy variables referenced and the request lacked (sorted,
    /// without duplicates).
    pub missing: Vec<&'s str>,
}

/// The result of evaluating a request: the verdict and what it was decided from.
pub struct Evaluation<'s> {
    /// The request.
    pub request: &'s Request,
    /// The stack.
    pub stack: &'s Stack,
    /// The cloud's profile.
    pub profile: &'static dyn CloudProfile,
    /// What the profile worked out from the request.
    pub prepared: Prepared<'s>,
    /// The evaluated layers.
    pub outcomes: Outcomes<'s>,
    /// The decision and why.
    pub verdict: Verdict<'s>,
    /// Per-statement outcomes, when explaining.
    pub explained: Option<Explained<'s>>,
}

impl<'s> Evaluation<'s> {
    /// Allow, explicit deny or implicit deny.
    pub fn decision(&self) -> Decision {
        self.verdict.decision
    }

    /// The layer that decided a deny.
    pub fn layer(&self) -> Option<Layer> {
        self.verdict.layer
    }

    /// The statement that decided (the Deny, or the granting Allow).
    pub fn statement(&self) -> Option<StatementRef<'s>> {
        self.verdict.statement
    }

    /// The context conditions read: the user's keys, then the derived ones.
    pub fn env(&self) -> Env<'_> {
        Env {
            user: &self.request.context,
            derived: &self.prepared.derived,
            case_sensitive: self.profile.keys_case_sensitive(),
        }
    }

    /// The plan of a pass.
    pub fn plan(&self, pass: Pass) -> Option<&PassPlan<'s>> {
        self.prepared.passes.iter().find(|p| p.pass == pass)
    }
}
