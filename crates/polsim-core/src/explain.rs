//! What an evaluation returns: the decision and everything needed to explain it.
//!
//! The explanation is a by-product of the one evaluation that decides; nothing here re-applies
//! the rules.

use crate::ir::{Effect, Layer, Pos};

/// The three outcomes of an authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// A statement with `Deny` matched.
    ExplicitDeny,
    /// Nothing that had to allow did.
    ImplicitDeny,
}

impl Decision {
    /// `allow`, `explicit_deny` or `implicit_deny` (the test-file spelling).
    pub fn name(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }

    /// Reads the test-file spelling.
    pub fn from_name(s: &str) -> Option<Decision> {
        match s {
            "allow" => Some(Decision::Allow),
            "explicit_deny" => Some(Decision::ExplicitDeny),
            "implicit_deny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

/// Points at one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    /// The policy's id.
    pub policy: String,
    /// The policy's file, if any.
    pub file: Option<String>,
    /// 1-based place of the statement in the policy.
    pub index: usize,
    /// The `Sid`, if any.
    pub sid: Option<String>,
    /// Where the statement starts.
    pub pos: Pos,
    /// Its effect.
    pub effect: Effect,
}

impl StatementRef {
    /// `POLICY#N`.
    pub fn place(&self) -> String {
        format!("{}#{}", self.policy, self.index)
    }

    /// The `Sid` if there is one, else `POLICY#N`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => self.place(),
        }
    }

    /// Whether a test file's `expect_statement` names this statement (by `Sid` or `POLICY#N`).
    pub fn is_named(&self, name: &str) -> bool {
        self.sid.as_deref() == Some(name) || self.place() == name
    }

    /// `file:line:col` (or `policy:line:col` when the policy was inline).
    pub fn location(&self) -> String {
        format!(
            "{}:{}:{}",
            self.file.as_deref().unwrap_or(&self.policy),
            self.pos.line,
            self.pos.col
        )
    }
}

/// Why a statement did not apply: the first element that failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Mismatch {
    /// No `Action` entry matches the requested action.
    Action {
        /// The requested action.
        requested: String,
        /// The entries.
        listed: Vec<String>,
    },
    /// A `NotAction` entry matches the requested action.
    NotAction {
        /// The requested action.
        requested: String,
        /// The entry that matched.
        matched: String,
    },
    /// No `Resource` entry matches.
    Resource {
        /// The requested resource.
        requested: String,
        /// The entries.
        listed: Vec<String>,
        /// Policy variables that had no value (their entries match nothing).
        unresolved: Vec<String>,
    },
    /// A `NotResource` entry matches.
    NotResource {
        /// The requested resource.
        requested: String,
        /// The entry that matched.
        matched: String,
    },
    /// No `Principal` entry names the caller.
    Principal {
        /// The caller.
        caller: String,
        /// The entries.
        listed: Vec<String>,
        /// A rule that explains a near miss, if any.
        note: Option<String>,
    },
    /// The caller is exempted by `NotPrincipal`.
    NotPrincipal {
        /// The caller.
        caller: String,
        /// The entries that name it.
        listed: Vec<String>,
    },
    /// A statement of a resource-based policy with no `Principal` applies to nobody.
    NoPrincipal,
    /// A condition does not hold.
    Condition {
        /// The operator as written.
        operator: String,
        /// The key as written.
        key: String,
        /// Where the key is written.
        pos: Pos,
        /// The request's values; `None` when the key is absent.
        request: Option<Vec<String>>,
        /// The policy values as written.
        policy: Vec<String>,
        /// Why it fails.
        reason: String,
    },
}

impl Mismatch {
    /// The element that failed: `Action`, `Resource`, `Principal` or `Condition`.
    pub fn element(&self) -> &'static str {
        match self {
            Mismatch::Action { .. } => "Action",
            Mismatch::NotAction { .. } => "NotAction",
            Mismatch::Resource { .. } => "Resource",
            Mismatch::NotResource { .. } => "NotResource",
            Mismatch::Principal { .. } | Mismatch::NoPrincipal => "Principal",
            Mismatch::NotPrincipal { .. } => "NotPrincipal",
            Mismatch::Condition { .. } => "Condition",
        }
    }

    /// One line saying why.
    pub fn describe(&self) -> String {
        fn list(v: &[String]) -> String {
            v.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        match self {
            Mismatch::Action { requested, listed } => {
                format!("action `{requested}` is not in Action [{}]", list(listed))
            }
            Mismatch::NotAction { requested, matched } => {
                format!("action `{requested}` is excluded by NotAction `{matched}`")
            }
            Mismatch::Resource {
                requested,
                listed,
                unresolved,
            } => {
                let mut s = format!(
                    "resource `{requested}` is not in Resource [{}]",
                    list(listed)
                );
                if !unresolved.is_empty() {
                    s.push_str(&format!(
                        " (policy variable {} has no value, so its entry matches nothing)",
                        list(unresolved)
                    ));
                }
                s
            }
            Mismatch::NotResource { requested, matched } => {
                format!("resource `{requested}` is excluded by NotResource `{matched}`")
            }
            Mismatch::Principal {
                caller,
                listed,
                note,
            } => {
                let mut s = format!("caller `{caller}` is not in Principal [{}]", list(listed));
                if let Some(n) = note {
                    s.push_str(&format!(" ({n})"));
                }
                s
            }
            Mismatch::NotPrincipal { caller, listed } => {
                format!(
                    "caller `{caller}` is exempted by NotPrincipal [{}]",
                    list(listed)
                )
            }
            Mismatch::NoPrincipal => {
                "the statement has no Principal, so in a resource-based policy it applies to nobody"
                    .into()
            }
            Mismatch::Condition {
                operator,
                key,
                request,
                policy,
                reason,
                ..
            } => {
                let req = match request {
                    None => "absent".to_string(),
                    Some(v) => list(v),
                };
                format!(
                    "condition {operator} `{key}` fails: request {req}, policy [{}]: {reason}",
                    list(policy)
                )
            }
        }
    }
}

/// What happened to one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementReport {
    /// Which statement.
    pub stmt: StatementRef,
    /// `None` when it matched the request, else why not.
    pub mismatch: Option<Mismatch>,
    /// For a statement that matched: each of its conditions and why it held.
    pub conditions_held: Vec<String>,
    /// Each element judged on its own (the checks the troubleshooting guides ask for).
    pub checks: Checks,
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

/// How a layer came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerStatus {
    /// The layer is not part of this request (with the reason).
    NotApplicable(String),
    /// A statement allows and none denies.
    Allows,
    /// A statement denies.
    Denies,
    /// No statement allows (and none denies).
    NoAllow,
}

impl LayerStatus {
    /// `allows`, `denies`, `no_allow` or `not_applicable`.
    pub fn name(&self) -> &'static str {
        match self {
            LayerStatus::NotApplicable(_) => "not_applicable",
            LayerStatus::Allows => "allows",
            LayerStatus::Denies => "denies",
            LayerStatus::NoAllow => "no_allow",
        }
    }
}

/// One layer (or one level of an SCP/RCP chain) as evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerReport {
    /// The layer.
    pub layer: Layer,
    /// The level, for SCP and RCP chains.
    pub level: Option<String>,
    /// For access-point requests: which of the two evaluations (`access point`, `bucket`).
    pub pass: Option<String>,
    /// The resource this layer was judged against.
    pub resource: String,
    /// The outcome.
    pub status: LayerStatus,
    /// Every statement of every policy of the layer.
    pub statements: Vec<StatementReport>,
}

/// The result of evaluating a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Allow, explicit deny or implicit deny.
    pub decision: Decision,
    /// The layer that decided a deny.
    pub layer: Option<Layer>,
    /// The SCP/RCP level that decided, if any.
    pub level: Option<String>,
    /// The statement that decided (an explicit deny's statement, or the allowing statement).
    pub statement: Option<StatementRef>,
    /// One sentence: why this decision.
    pub reason: String,
    /// The access-denied message the cloud would return.
    pub message: Option<String>,
    /// The error code that goes with it (`AccessDenied`, an OSS EC code).
    pub code: Option<String>,
    /// Every layer as evaluated.
    pub layers: Vec<LayerReport>,
    /// Keys that conditions or policy variables referenced and the request lacked.
    pub missing_keys: Vec<String>,
    /// Context keys the simulator filled in from the caller and the resource.
    pub derived_keys: Vec<(String, String)>,
    /// Rules where the documentation is silent and polsim chose, when they applied.
    pub notes: Vec<String>,
    /// The caller as the cloud names it in messages.
    pub caller: String,
    /// The questions of the cloud's 403 troubleshooting guide, answered from the policies (empty
    /// where polsim has no such list for the cloud).
    pub checklist: Vec<ChecklistItem>,
}

impl Evaluation {
    /// An allow with nothing explained yet: the start every flow fills in.
    pub fn new(caller: &crate::request::Caller, derived_keys: Vec<(String, String)>) -> Evaluation {
        Evaluation {
            decision: Decision::Allow,
            layer: None,
            level: None,
            statement: None,
            reason: String::new(),
            message: None,
            code: None,
            layers: Vec::new(),
            missing_keys: Vec::new(),
            derived_keys,
            notes: Vec::new(),
            caller: caller.display_arn.clone(),
            checklist: Vec::new(),
        }
    }
}

/// One question of a troubleshooting guide and its answer for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    /// The question, as the guide asks it.
    pub question: String,
    /// The answer, from the policies.
    pub answer: String,
}
