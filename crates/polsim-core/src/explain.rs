//! What an evaluation returns: the verdict, the outcomes it was decided from, and (when
//! explaining) each statement's outcome. Everything here borrows from the stack and the
//! request; nothing is worded. [`crate::report::Report`] turns an [`Evaluation`] into the words
//! users read.

use crate::decide::{Decision, Outcomes, Pass, Verdict};
use crate::eval::StatementReport;
use crate::ir::Layer;
use crate::profile::{Case, CloudProfile, PassPlan, Prepared};
use crate::request::{Env, Request};
use crate::stack::{Stack, StatementRef};

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
        self.prepared.plan(pass)
    }

    /// The view a cloud's words read.
    pub fn case(&self) -> Case<'_, 's> {
        Case {
            request: self.request,
            prepared: &self.prepared,
            outcomes: &self.outcomes,
            verdict: &self.verdict,
        }
    }
}
