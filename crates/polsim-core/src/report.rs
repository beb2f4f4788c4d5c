//! The words users read, made from an [`Evaluation`] in one place.
//!
//! Evaluation records codes ([`Reason`], [`Note`], [`Skip`], [`Fail`], condition [`Why`]s);
//! [`Report::new`] words them, with each cloud's vocabulary (layer titles from its profile,
//! its messages). Nothing here decides: every sentence is about a code the evaluation recorded.
//!
//! [`Why`]: crate::condition::Why

use crate::decide::{Check, Decision, Note, Pass, Reason, Skip};
use crate::eval::Fail;
use crate::eval::{Checks, StatementReport};
use crate::explain::Evaluation;
use crate::ir::{Cloud, Effect, Layer, Pos};
use crate::profile::ChecklistItem;
use crate::stack::StatementRef;

/// A statement, by name and place (owned, for reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementInfo {
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
    /// `Sid`, else `POLICY#N`.
    pub label: String,
    /// `file:line:col`.
    pub location: String,
}

impl From<StatementRef<'_>> for StatementInfo {
    fn from(s: StatementRef<'_>) -> StatementInfo {
        StatementInfo {
            policy: s.policy.id.clone(),
            file: s.policy.file.clone(),
            index: s.stmt.index,
            sid: s.stmt.sid.clone(),
            pos: s.stmt.pos,
            effect: s.stmt.effect,
            label: s.label(),
            location: s.location(),
        }
    }
}

/// Why a statement did not apply: the first element that failed, with what a reader needs.
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

/// One condition as judged, with what a reader needs to see why it held or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionLine {
    /// The operator as written.
    pub operator: String,
    /// The key as written.
    pub key: String,
    /// Where the key is written.
    pub pos: Pos,
    /// The request's values; `None` when the key is absent.
    pub request: Option<Vec<String>>,
    /// The policy values as written.
    pub policy: Vec<String>,
    /// Whether the condition holds.
    pub holds: bool,
    /// Why it holds or fails.
    pub reason: String,
}

impl ConditionLine {
    /// One line: `OPERATOR `key`: request VALUES, policy [VALUES]: REASON`.
    pub fn describe(&self) -> String {
        let req = match &self.request {
            None => "absent".to_string(),
            Some(v) => ticks(v),
        };
        format!(
            "{} `{}`: request {req}, policy [{}]: {}",
            self.operator,
            self.key,
            ticks(&self.policy),
            self.reason
        )
    }
}

fn ticks(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
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

    /// The failing condition, structured, when the element that failed is a condition.
    pub fn condition(&self) -> Option<ConditionLine> {
        match self {
            Mismatch::Condition {
                operator,
                key,
                pos,
                request,
                policy,
                reason,
            } => Some(ConditionLine {
                operator: operator.clone(),
                key: key.clone(),
                pos: *pos,
                request: request.clone(),
                policy: policy.clone(),
                holds: false,
                reason: reason.clone(),
            }),
            _ => None,
        }
    }

    /// One line saying why.
    pub fn describe(&self) -> String {
        match self {
            Mismatch::Action { requested, listed } => {
                format!("action `{requested}` is not in Action [{}]", ticks(listed))
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
                    ticks(listed)
                );
                if !unresolved.is_empty() {
                    s.push_str(&format!(
                        " (policy variable {} has no value, so its entry matches nothing)",
                        ticks(unresolved)
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
                let mut s = format!("caller `{caller}` is not in Principal [{}]", ticks(listed));
                if let Some(n) = note {
                    s.push_str(&format!(" ({n})"));
                }
                s
            }
            Mismatch::NotPrincipal { caller, listed } => {
                format!(
                    "caller `{caller}` is exempted by NotPrincipal [{}]",
                    ticks(listed)
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
                    Some(v) => ticks(v),
                };
                format!(
                    "condition {operator} `{key}` fails: request {req}, policy [{}]: {reason}",
                    ticks(policy)
                )
            }
        }
    }
}

/// What happened to one statement, worded.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementLine {
    /// Which statement.
    pub stmt: StatementInfo,
    /// `None` when it matched the request, else why not.
    pub mismatch: Option<Mismatch>,
    /// Each condition that held and why, in words (`held[i].describe()`).
    pub conditions_held: Vec<String>,
    /// Each condition that held, structured (the same list as `conditions_held`).
    pub held: Vec<ConditionLine>,
    /// Each element judged on its own (the checks the troubleshooting guides ask for).
    pub checks: Checks,
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
    /// How the cloud's console names it, for this request.
    pub title: &'static str,
    /// The level, for SCP and RCP chains.
    pub level: Option<String>,
    /// For access-point requests: which of the two evaluations (`access point`, `bucket`).
    pub pass: Option<String>,
    /// The resource this layer was judged against.
    pub resource: String,
    /// The outcome.
    pub status: LayerStatus,
    /// Every statement of every policy of the layer (when explaining).
    pub statements: Vec<StatementLine>,
}

/// Everything a user reads about one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The cloud.
    pub cloud: Cloud,
    /// Allow, explicit deny or implicit deny.
    pub decision: Decision,
    /// The layer that decided a deny.
    pub layer: Option<Layer>,
    /// The SCP/RCP level that decided, if any.
    pub level: Option<String>,
    /// The statement that decided (an explicit deny's statement, or the allowing statement).
    pub statement: Option<StatementInfo>,
    /// One sentence: why this decision.
    pub reason: String,
    /// The access-denied message the cloud would return.
    pub message: Option<String>,
    /// The error code that goes with it.
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
    /// Whether the cloud's troubleshooting guide asks the per-statement checks (shown then).
    pub statement_checks: bool,
    /// The questions of the cloud's 403 troubleshooting guide, answered.
    pub checklist: Vec<ChecklistItem>,
    /// What the storage service decided beyond the policies (its steps and own checks), when
    /// the request was judged as the service judges it.
    pub service: Option<ServiceSummary>,
    /// For an allow: what the cloud checks that polsim does not model.
    pub unmodelled: Option<&'static str>,
    /// For a denial decided by a policy (when explaining): the smallest edits that change it,
    /// in order, each checked by evaluating the edited stack or request again
    /// ([`crate::advice`]).
    pub advice: Vec<String>,
}

/// One step of a service's plan, as decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepSummary {
    /// Why the step was evaluated (`action`, `copy source`, `KMS request`, ...).
    pub role: &'static str,
    /// Its action.
    pub action: String,
    /// Its resource.
    pub resource: String,
    /// How it came out.
    pub decision: Decision,
}

/// What the service decided beyond its policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSummary {
    /// The check that decided, where it was not a policy layer.
    pub check: Option<Check>,
    /// Why, in a sentence.
    pub check_reason: Option<String>,
    /// What to change.
    pub hint: Option<String>,
    /// The HTTP status the service answers.
    pub status: u16,
    /// The error code it answers with (empty for a success).
    pub error_code: String,
    /// Every step of the plan.
    pub steps: Vec<StepSummary>,
    /// The step whose evaluation the rest of the report explains.
    pub deciding_step: usize,
    /// What the caller actually sees, where it differs from the code and message: a HEAD
    /// response has no body, so clients show only the status.
    pub seen_as: Option<String>,
}

impl Report {
    /// Words a request as its storage service decided it: the deciding step's evaluation, and
    /// the service's own steps and checks.
    pub fn for_service(
        plan: &crate::service::Plan<'_>,
        se: &crate::service::ServiceEvaluation<'_>,
    ) -> Option<Report> {
        let v = se.verdict;
        let e = se.deciding()?;
        let mut r = Report::new(e);
        let steps = plan
            .steps
            .iter()
            .zip(&se.evals)
            .map(|(s, ev)| StepSummary {
                role: s.role.name(),
                action: s.request.action.clone(),
                resource: s.request.resource.clone(),
                decision: ev.decision(),
            })
            .collect();
        let (check_reason, hint, message) = match v.why {
            Some(why) => {
                let (reason, hint, message) = service_words(e, why);
                (Some(reason), Some(hint), message)
            }
            None => (None, None, None),
        };
        if v.decision != r.decision || matches!(v.why, Some(crate::service::CheckWhy::Rejected(_)))
        {
            // A check decided where the policies did not.
            r.decision = v.decision;
            if v.decision == Decision::Allow {
                r.layer = None;
                r.message = None;
                r.code = None;
            } else {
                r.layer = None;
                r.statement = None;
            }
        }
        if let Some(reason) = &check_reason {
            r.reason = reason.clone();
            // The check's own hint says what to change; policy edits would not lift it.
            r.advice.clear();
        }
        if v.decision != Decision::Allow && v.why.is_some() {
            // A service check decided: its message and code, where it has its own.
            let own_message = message.is_some();
            if let Some(m) = message {
                r.message = Some(m);
            }
            if own_message || r.code.is_none() {
                r.code = Some(match oss_ec(e.request.cloud, v.why) {
                    Some(ec) => format!("{} (EC {ec})", v.error_code),
                    None => v.error_code.to_string(),
                });
            }
        }
        // A policy-decided denial: the other steps the call needs and the policies deny get
        // their own edits too, so that fixing the first does not just reveal the next.
        if v.decision != Decision::Allow && v.why.is_none() {
            for (i, (step, ev)) in plan.steps.iter().zip(&se.evals).enumerate() {
                let needed = matches!(
                    step.role,
                    crate::service::StepRole::Action | crate::service::StepRole::CopySource
                );
                if i == v.step || !needed || ev.decision() == Decision::Allow {
                    continue;
                }
                for a in crate::advice::advise(ev) {
                    r.advice.push(format!(
                        "also, for the {} ({} on {}): {}",
                        step.role.name(),
                        step.request.action,
                        step.request.resource,
                        a.describe()
                    ));
                }
            }
        }
        if let Some(item) = canned_acl_item(plan, e) {
            r.checklist.push(item);
        }
        r.unmodelled = (v.decision == Decision::Allow).then_some(e.profile.traits().unmodelled);
        r.service = Some(ServiceSummary {
            check: v.check,
            check_reason,
            hint,
            status: v.status,
            error_code: v.error_code.to_string(),
            steps,
            deciding_step: v.step,
            seen_as: head_seen_as(e, v.status),
        });
        Some(r)
    }

    /// Words an evaluation.
    pub fn new(e: &Evaluation<'_>) -> Report {
        let req = e.request;
        let v = &e.verdict;
        let mut notes: Vec<String> = v.notes.iter().map(|n| note_text(e, n)).collect();
        let (code, message) = if v.decision == Decision::Allow {
            (None, None)
        } else {
            let m = e
                .profile
                .message(&e.case(), v.layer.unwrap_or(Layer::Identity));
            notes.extend(m.notes);
            (Some(m.code), Some(m.text))
        };
        let mut seen = std::collections::BTreeSet::new();
        notes.retain(|n| seen.insert(n.clone()));
        Report {
            cloud: req.cloud,
            decision: v.decision,
            layer: v.layer,
            level: v.level.map(str::to_string),
            statement: v.statement.map(StatementInfo::from),
            reason: reason_text(e),
            message,
            code,
            layers: layers(e),
            missing_keys: e
                .explained
                .as_ref()
                .map(|x| x.missing.iter().map(|k| k.to_string()).collect())
                .unwrap_or_default(),
            derived_keys: e
                .prepared
                .derived
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            notes,
            caller: req.caller.display_arn.clone(),
            statement_checks: e.profile.traits().statement_checks,
            checklist: e.profile.checklist(&e.case()),
            service: None,
            unmodelled: (v.decision == Decision::Allow).then_some(e.profile.traits().unmodelled),
            advice: crate::advice::advise(e)
                .iter()
                .map(crate::advice::Advice::describe)
                .collect(),
        }
    }
}

/// The title of `layer` for this request's pass.
fn title(e: &Evaluation<'_>, layer: Layer, pass: Pass) -> &'static str {
    let resource = e
        .plan(pass)
        .map_or(e.request.resource.as_str(), |p| p.resource_for(layer));
    e.profile.layer_title(layer, &e.request.action, resource)
}

/// Every evaluated layer, then the ones that do not take part, pass by pass.
fn layers(e: &Evaluation<'_>) -> Vec<LayerReport> {
    let mut out = Vec::new();
    for plan in &e.prepared.passes {
        for (i, run) in e.outcomes.runs.iter().enumerate() {
            if run.pass != plan.pass {
                continue;
            }
            let status = if !run.denies.is_empty() {
                LayerStatus::Denies
            } else if !run.allows.is_empty() {
                LayerStatus::Allows
            } else {
                LayerStatus::NoAllow
            };
            let resource = plan.resource_for(run.layer);
            let statements = e
                .explained
                .as_ref()
                .and_then(|x| x.statements.get(i))
                .map(|list| {
                    list.iter()
                        .map(|s| statement_line(e, resource, s))
                        .collect()
                })
                .unwrap_or_default();
            out.push(LayerReport {
                layer: run.layer,
                title: title(e, run.layer, run.pass),
                level: run.level.map(str::to_string),
                pass: run.pass.label().map(str::to_string),
                resource: resource.to_string(),
                status,
                statements,
            });
        }
        for (pass, layer, why) in &e.outcomes.skipped {
            if *pass != plan.pass {
                continue;
            }
            out.push(LayerReport {
                layer: *layer,
                title: title(e, *layer, *pass),
                level: None,
                pass: pass.label().map(str::to_string),
                resource: plan.resource.to_string(),
                status: LayerStatus::NotApplicable(skip_text(e, *layer, *why)),
                statements: Vec::new(),
            });
        }
    }
    out
}

fn statement_line(e: &Evaluation<'_>, resource: &str, s: &StatementReport<'_>) -> StatementLine {
    let env = e.env();
    let stmt = s.stmt.stmt;
    let held: Vec<ConditionLine> = s
        .conditions_held
        .iter()
        .filter_map(|(i, o)| {
            let c = stmt.conditions.get(*i)?;
            let vals = env.get(&c.key);
            Some(ConditionLine {
                operator: c.op_text.clone(),
                key: c.key.clone(),
                pos: c.key_pos,
                request: vals.map(|v| v.iter().map(str::to_string).collect()),
                policy: c.values.iter().map(|x| x.text.clone()).collect(),
                holds: o.holds,
                reason: o.why.describe(vals),
            })
        })
        .collect();
    StatementLine {
        stmt: s.stmt.into(),
        mismatch: s.fail.map(|f| mismatch(e, resource, s.stmt, f)),
        conditions_held: held.iter().map(ConditionLine::describe).collect(),
        held,
        checks: s.checks,
    }
}

fn mismatch(e: &Evaluation<'_>, resource: &str, s: StatementRef<'_>, f: Fail) -> Mismatch {
    let stmt = s.stmt;
    let req = e.request;
    let action_texts = || stmt.action.items.iter().map(|a| a.text.clone()).collect();
    let principals = || {
        stmt.principal
            .as_ref()
            .map(|p| p.items.iter().map(|x| x.value.clone()).collect())
            .unwrap_or_default()
    };
    match f {
        Fail::Action => Mismatch::Action {
            requested: req.action.clone(),
            listed: action_texts(),
        },
        Fail::NotAction(i) => Mismatch::NotAction {
            requested: req.action.clone(),
            matched: stmt
                .action
                .items
                .get(i)
                .map(|a| a.text.clone())
                .unwrap_or_default(),
        },
        Fail::Resource => {
            let env = e.env();
            let items = stmt
                .resource
                .as_ref()
                .map(|c| c.items.as_slice())
                .unwrap_or(&[]);
            let mut unresolved: Vec<String> = Vec::new();
            if s.policy.variables {
                for r in items {
                    for seg in &r.segments {
                        for key in seg.variables() {
                            if env.single(key).is_none() && !unresolved.iter().any(|u| u == key) {
                                unresolved.push(key.to_string());
                            }
                        }
                    }
                }
            }
            Mismatch::Resource {
                requested: resource.to_string(),
                listed: items.iter().map(|r| r.text.clone()).collect(),
                unresolved,
            }
        }
        Fail::NotResource(i) => Mismatch::NotResource {
            requested: resource.to_string(),
            matched: stmt
                .resource
                .as_ref()
                .and_then(|c| c.items.get(i))
                .map(|r| r.text.clone())
                .unwrap_or_default(),
        },
        Fail::Principal => Mismatch::Principal {
            caller: req.caller.text.clone(),
            listed: principals(),
            note: stmt
                .principal
                .as_ref()
                .and_then(|p| e.profile.principal_note(&p.items, &req.caller)),
        },
        Fail::NotPrincipal => Mismatch::NotPrincipal {
            caller: req.caller.text.clone(),
            listed: principals(),
        },
        Fail::NoPrincipal => Mismatch::NoPrincipal,
        Fail::Condition(i, outcome) => {
            let env = e.env();
            match stmt.conditions.get(i) {
                Some(c) => {
                    let vals = env.get(&c.key);
                    Mismatch::Condition {
                        operator: c.op_text.clone(),
                        key: c.key.clone(),
                        pos: c.key_pos,
                        request: vals.map(|v| v.iter().map(str::to_string).collect()),
                        policy: c.values.iter().map(|x| x.text.clone()).collect(),
                        reason: outcome.why.describe(vals),
                    }
                }
                None => Mismatch::NoPrincipal,
            }
        }
    }
}

/// The resource-based layer of a pass: the access point's, or the bucket's (or key's, role's).
fn rbp_title(e: &Evaluation<'_>, pass: Pass) -> &'static str {
    let layer = if pass == Pass::AccessPoint {
        Layer::AccessPoint
    } else {
        Layer::Resource
    };
    title(e, layer, pass)
}

/// Why the request was decided as it was, in the cloud's words.
pub fn reason_text(e: &Evaluation<'_>) -> String {
    let v = &e.verdict;
    let cloud = e.request.cloud;
    let layer = v.layer.unwrap_or(Layer::Identity);
    let rbp = || rbp_title(e, v.pass);
    let (cam, ram) = (cloud == Cloud::Tencent, cloud == Cloud::Aliyun);
    match v.reason {
        Reason::Allowed | Reason::AllowedByDefault | Reason::AllowedOwner => match v.statement {
            Some(s) => format!(
                "allowed: statement {} of {} allows and nothing denies",
                s.label(),
                s.policy.id
            ),
            None if v.reason == Reason::AllowedOwner && cam => {
                "allowed: the root account owns the resource and nothing denies".into()
            }
            None if v.reason == Reason::AllowedOwner => {
                "allowed: the caller owns the resource and nothing denies".into()
            }
            None => "allowed and nothing denies".into(),
        },
        Reason::AlwaysAllowed => {
            "sts:GetCallerIdentity is always allowed, whatever the policies say".into()
        }
        Reason::ExplicitDeny => match v.statement {
            Some(s) => format!(
                "explicit deny by statement {} of {} in the {}",
                s.label(),
                s.policy.id,
                title(e, layer, v.pass)
            ),
            None => format!("explicit deny in the {}", title(e, layer, v.pass)),
        },
        Reason::ChainLevelNoAllow => {
            let lv = v.level.unwrap_or_default();
            if ram {
                format!("no control policy at level `{lv}` allows the action (every level from the account up to the Root must allow)")
            } else {
                format!(
                    "no {} at level `{lv}` allows the action (every level from the root down must allow)",
                    title(e, layer, v.pass)
                )
            }
        }
        Reason::EndpointNoAllow if ram => "the endpoint policy does not allow the request (it intersects with, and never replaces, RAM and bucket policies)".into(),
        Reason::EndpointNoAllow => "the VPC endpoint policy does not allow the request".into(),
        Reason::AnonymousNeedsResourcePolicy => format!("no {} allows the caller, and for an unsigned or service caller only a resource-based policy can grant", rbp()),
        Reason::ResourcePolicyRequired => format!("no {} allows the caller, and this resource needs an explicit allow in it; identity policies alone cannot grant", rbp()),
        Reason::DelegationWithoutIdentity => format!("the {} only delegates to the account, and no identity-based policy allows the action", rbp()),
        Reason::CrossAccountNeedsIdentity => "cross-account: the caller's identity-based policies must allow as well, and none does".into(),
        Reason::AccessPointNeedsDelegation => format!("the {} does not allow the request made through the access point (it must delegate to access points, e.g. with `s3:DataAccessPointAccount`)", rbp()),
        Reason::NoIdentityAllowAccountOnly => format!("no identity-based policy allows the action (the {} names only the account, which delegates to the identity policies)", rbp()),
        Reason::NoIdentityAllow => "no identity-based policy allows the action, and no resource-based policy names the caller".into(),
        Reason::CrossAccountNoResourcePolicy => "cross-account: the resource's account must grant through a resource-based policy, and the stack has none".into(),
        Reason::CrossAccountNoGrant if cam => "cross-account: the resource owner's bucket policy grants nothing to the caller or its root account".into(),
        Reason::CrossAccountNoGrant => format!("cross-account: no {} statement allows the caller or its account", rbp()),
        Reason::BoundaryNoAllow if cam => "the permission boundary does not allow the action (a boundary limits, it never grants)".into(),
        Reason::BoundaryNoAllow => "the permissions boundary does not allow the action (a boundary limits, it never grants)".into(),
        Reason::SessionNoAllow if ram => "the STS Policy parameter does not allow the action (the token's permissions are the role's policies intersected with it)".into(),
        Reason::SessionNoAllow if cam => "the policy given when the temporary key was issued does not allow the action (the key's permissions are the intersection of its holder's and that policy)".into(),
        Reason::SessionNoAllow => "no session policy allows the action (the session's permissions are the intersection of its identity policies and its session policies)".into(),
        Reason::FederatedWithoutSessionPolicy => "a federated-user session was given no session policy, so it has no permissions".into(),
        Reason::RootCannotAssumeRole => "an Alibaba Cloud account (root identity) cannot assume a RAM role".into(),
        Reason::AssumeRoleNeedsIdentity => format!("assuming a role needs an Allow for sts:AssumeRole in the caller's {} policies as well as in the role's trust policy", if cam { "CAM" } else { "RAM" }),
        Reason::TrustPolicyNoAllow => "the role's trust policy does not allow the caller".into(),
        Reason::NoIdentityNoBucketAllow => format!("no {} policy and no bucket policy allows the action", if cam { "CAM" } else { "RAM" }),
        Reason::OnlyBucketPolicyCanGrant => "no bucket policy allows the caller, and only the bucket policy can grant access to another account's or an anonymous caller".into(),
        Reason::BucketNeedsAccessPointDelegation => "the bucket policy does not delegate to the access point (an access point has no access until the bucket policy allows requests through it, e.g. with `oss:DataAccessPointAccount`)".into(),
        Reason::AccessPointNoAllow => "the access point policy does not allow the request (a request through an access point needs the RAM or bucket policy AND the access point policy to allow)".into(),
        Reason::AnonymousNoBucketGrant => "no bucket policy allows anonymous access, and the bucket's and object's ACLs are private unless the `cos` state (a `cos.json` beside the policies) says otherwise".into(),
        Reason::CrossAccountNeedsSubAccountGrant => "cross-account: the bucket policy grants the caller's root account, and that account's CAM policies must also grant the sub-account; none does".into(),
    }
}

/// A note, in words.
pub fn note_text(e: &Evaluation<'_>, n: Note) -> String {
    match n {
        Note::RootIdentityNotEvaluated => "the root user is allowed by default; identity policies cannot be attached to it and are not evaluated (§1.1)".into(),
        Note::CallerIdentityAlwaysAllowed => "sts:GetCallerIdentity needs no permission and cannot be denied (§1.1)".into(),
        Note::AccessPointTwoPasses => "access-point request: judged once against the access point (identity + access point policy) and once against the bucket (identity + bucket policy); both must allow (docs/semantics/aws.md, access points)".into(),
        Note::OwnerRootBucketPolicyDenyNotApplied => "the bucket owner's root user can always get, put and delete the bucket policy; the bucket policy's Deny is not applied (§1.1)".into(),
        Note::ResourcePolicyMissing => format!("the stack has no {}; for KMS keys and role trust a resource-based policy must allow explicitly, so its absence denies", title(e, Layer::Resource, Pass::Only)),
        Note::RootAllowedByDefault => "the root user is allowed by default in its own account (§1.1)".into(),
        Note::BoundaryLiftedByDirectGrant => "the resource-based policy names the caller directly, so the permissions boundary's implicit deny does not limit it (§1.3)".into(),
        Note::SessionLiftedByDirectGrant => "the resource-based policy names the session (or `*`), so the session policy's implicit deny does not limit it (§1.3)".into(),
        Note::FederatedWithoutSessionPolicy => "a GetFederationToken session with no session policy has no permissions (§1.1 step 7)".into(),
        Note::OwnerExemptFromWildcardDeny => "a bucket-policy statement with Principal `*` and no Condition does not apply to the bucket owner (OSS bucket policy documentation)".into(),
        Note::RootCannotAssumeRole => "an Alibaba Cloud account cannot assume a RAM role: STS answers `Roles may not be assumed by root accounts.`".into(),
        Note::NoTrustPolicy => "the stack has no trust policy for the role; a role can be assumed only if its trust policy allows".into(),
        Note::RamPoliciesOwnAccountOnly => "RAM policies grant access to the account's own resources only; another account's resources must be granted by their bucket policy".into(),
        Note::OwnerHasEveryPermission => "the resource owner (Alibaba Cloud account) has every permission on its own resources".into(),
        Note::OssAclFallbackPrivate => "with no Allow from RAM or bucket policies, OSS falls back to the object and bucket ACLs, which are private unless the `oss` state (an `oss.json` beside the policies) says otherwise".into(),
        Note::CosAccountAssumed => "COS names carry the APPID, not the owner's account: with no `resource_account`, the bucket is taken to belong to the caller's account".into(),
        Note::TencentRootOwner => "a root account may do anything with its own resources (CAM evaluation logic)".into(),
        Note::CosEveryoneGrantCrossAccount => "a bucket policy that grants everyone lets a signed caller of another account in without its own account's CAM grant: COS also checks every request as an anonymous one".into(),
        Note::BoundaryCapsBucketGrants => "the permission boundary caps every permission of the sub-account or role, bucket-policy grants included (UNCERTAIN, docs/semantics/tencent.md)".into(),
        Note::ResourceAccountAssumed => format!(
            "the resource names no account and none was given (`resource_account`, or the state's `bucket_owner`), so it is taken to belong to the caller's account {}",
            e.prepared.resource_account.unwrap_or("?")
        ),
        Note::ForeignObjectAclOnly => "the object belongs to another account than the bucket, so only the object's ACL can grant on it; the bucket policy's Denies still apply (S3 User Guide, how Amazon S3 authorizes a request for an object operation)".into(),
        Note::FederatingUserNamed => "the resource-based policy names the IAM user that called GetFederationToken, which covers its federated-user sessions; such a grant is limited by the session policy, as a grant to a role is (docs/semantics/aws.md)".into(),
    }
}

/// Why a layer does not take part, in the cloud's words.
pub fn skip_text(e: &Evaluation<'_>, layer: Layer, why: Skip) -> String {
    let cloud = e.request.cloud;
    let (cam, ram) = (cloud == Cloud::Tencent, cloud == Cloud::Aliyun);
    match why {
        Skip::ServiceLinkedRole if ram => "control policies do not apply to service-linked roles".into(),
        Skip::ServiceLinkedRole if layer == Layer::Rcp => "RCPs do not restrict service-linked roles".into(),
        Skip::ServiceLinkedRole => "SCPs do not restrict service-linked roles".into(),
        Skip::RcpServiceNotCovered => {
            let service = e.request.action.split(':').next().unwrap_or("").to_ascii_lowercase();
            format!("RCPs do not cover the `{service}` service")
        }
        Skip::ScpNotForAnonymousOrService if ram => "control policies apply to the RAM identities of member accounts only".into(),
        Skip::ScpNotForAnonymousOrService => "SCPs apply only to the principals of an organization's accounts, not to anonymous or service callers".into(),
        Skip::IdentityNeedsSignedPrincipal if ram => "RAM policies apply to RAM users and roles only".into(),
        Skip::IdentityNeedsSignedPrincipal if cam => "CAM policies apply to signed requests of sub-accounts and roles only".into(),
        Skip::IdentityNeedsSignedPrincipal => "identity policies apply only to signed IAM principals".into(),
        Skip::RootAllowedByDefault if ram => "the Alibaba Cloud account has every permission on its own resources; RAM policies attach to RAM identities".into(),
        Skip::RootAllowedByDefault if cam => "a root account may do anything with its own resources; CAM policies attach to sub-accounts and roles".into(),
        Skip::RootAllowedByDefault => "the root user is allowed by default".into(),
        Skip::BoundaryUsersAndRolesOnly if cam => "permission boundaries apply to sub-accounts and roles only".into(),
        Skip::BoundaryUsersAndRolesOnly => "permissions boundaries apply to IAM users and roles only".into(),
        Skip::SessionPolicyNeedsSession if ram => "the STS Policy parameter applies to role sessions only; the caller is not one".into(),
        Skip::SessionPolicyNeedsSession => "session policies apply to role and federated-user sessions only; the caller is not a session".into(),
        Skip::ControlPolicyNotForAccount => "control policies do not apply to the Alibaba Cloud account (root identity) itself".into(),
        Skip::NoSuchLayer if ram && layer == Layer::PermissionsBoundary => "Alibaba Cloud RAM has no permissions boundaries".into(),
        Skip::NoSuchLayer if ram && layer == Layer::Rcp => "Alibaba Cloud has no resource control policies".into(),
        Skip::NoSuchLayer => format!("{} has no {} layer", cloud.title(), layer.name()),
        Skip::TempKeyNeedsSignature => "a temporary-key policy applies only to requests signed with that key".into(),
    }
}

/// The EC code OSS returns beside `AccessDenied` for a check (resource-controls spec §2.3, §2.6),
/// shown after the code as OSS's policy denials show theirs.
fn oss_ec(cloud: Cloud, why: Option<crate::service::CheckWhy>) -> Option<&'static str> {
    use crate::service::{CheckWhy, Rejection};
    use crate::state::RefererOutcome;
    if cloud != Cloud::Aliyun {
        return None;
    }
    match why? {
        CheckWhy::Rejected(Rejection::Referer(RefererOutcome::EmptyRefused)) => {
            Some("0003-00000501")
        }
        CheckWhy::Rejected(Rejection::Referer(RefererOutcome::Blacklisted)) => {
            Some("0003-00000502")
        }
        CheckWhy::Rejected(Rejection::Referer(_)) => Some("0003-00000503"),
        _ => None,
    }
}

/// The ACL question the OSS and COS guides ask after the policies, answered from the state, when
/// the stack describes the bucket (with no state the ACLs are private and the question adds
/// nothing).
fn canned_acl_item(
    plan: &crate::service::Plan<'_>,
    e: &Evaluation<'_>,
) -> Option<crate::profile::ChecklistItem> {
    use crate::state::CannedAcl;
    let state = &plan.steps.first()?.stack.state;
    let (bucket, object) = match e.request.cloud {
        Cloud::Aliyun => state.oss.as_ref().map(|s| (s.bucket_acl, s.object.acl))?,
        Cloud::Tencent => state.cos.as_ref().map(|s| (s.bucket_acl, s.object.acl))?,
        Cloud::Aws => return None,
    };
    let name = |a: CannedAcl| match a {
        CannedAcl::Private => "private",
        CannedAcl::PublicRead => "public-read",
        CannedAcl::PublicReadWrite => "public-read-write",
        CannedAcl::Default => "default",
    };
    let (acl, whose) = if object == CannedAcl::Default {
        (
            bucket,
            format!(
                "the object's ACL is `default`, so the bucket's `{}` applies",
                name(bucket)
            ),
        )
    } else {
        (
            object,
            format!(
                "the object's ACL `{}` applies (it takes precedence over the bucket's `{}`)",
                name(object),
                name(bucket)
            ),
        )
    };
    let answer = match acl {
        CannedAcl::PublicReadWrite => format!("everyone may read and write: {whose}"),
        CannedAcl::PublicRead => format!("everyone may read, only the owner write: {whose}"),
        _ => format!("only the bucket owner's account: {whose}"),
    };
    Some(crate::profile::ChecklistItem {
        question: "Do the object and bucket ACLs let the request in?".into(),
        answer,
    })
}

/// What a client shows for a HEAD operation's error (`HeadObject`, `HeadBucket`): the response
/// has no body, so neither the error code nor the message reaches the caller (the 403 guides'
/// "when calling the HeadObject operation: Forbidden").
fn head_seen_as(e: &Evaluation<'_>, status: u16) -> Option<String> {
    let op = e.request.extras.operation.as_deref()?;
    if status < 400 || !op.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("head")) {
        return None;
    }
    let phrase = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "",
    };
    Some(match e.request.cloud {
        Cloud::Aws => format!("An error occurred ({status}) when calling the {op} operation: {phrase} (a HEAD response has no body: the code and message above are not shown)"),
        _ => format!("HTTP {status} {phrase} with no body (a HEAD response carries no error document: the code and message above are not shown)"),
    })
}

/// Why a service check decided, what to change, and the message the service answers with
/// where it differs from the policy message (resource-controls spec §1.8).
fn service_words(
    e: &Evaluation<'_>,
    why: crate::service::CheckWhy,
) -> (String, String, Option<String>) {
    use crate::service::{CheckWhy, Rejection};
    let req = e.request;
    let who = &req.caller.display_arn;
    let action = &req.action;
    let on = format!("on resource: \"{}\"", req.resource);
    let user = |context: &str| {
        format!("User: {who} is not authorized to perform: {action} {on} {context}")
    };
    match why {
        CheckWhy::Rejected(Rejection::AclsDisabled) => (
            "the bucket's Object Ownership is BucketOwnerEnforced, so ACLs are disabled and a request that sets one fails (400 AccessControlListNotSupported)".into(),
            "drop the ACL headers (x-amz-acl other than bucket-owner-full-control, x-amz-grant-*), or change the bucket's Object Ownership".into(),
            Some("The bucket does not allow ACLs".into()),
        ),
        CheckWhy::Rejected(Rejection::BlockPublicAcls) if req.cloud == Cloud::Aliyun => (
            "the request sets a public ACL (public-read or public-read-write), and the bucket's Block Public Access refuses it".into(),
            "set a private ACL and grant through RAM or bucket policies, or disable Block Public Access first if the data is meant to be public".into(),
            Some("Access Denied".into()),
        ),
        CheckWhy::Rejected(Rejection::BlockPublicAcls) => (
            "the request sets a public ACL, and Block Public Access's BlockPublicAcls (account or bucket level) refuses it".into(),
            "drop the public grant (public-read, public-read-write, authenticated-read, AllUsers or AuthenticatedUsers), or turn off BlockPublicAcls where it is set".into(),
            Some(user("because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.")),
        ),
        CheckWhy::Rejected(Rejection::BlockPublicPolicy) => (
            "the policy the request puts is public, and Block Public Access's BlockPublicPolicy refuses it".into(),
            "limit every Allow to fixed principals, accounts, VPC endpoints or source ARNs, or turn off BlockPublicPolicy where it is set".into(),
            Some(user("because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access.")),
        ),
        CheckWhy::Rejected(Rejection::RestrictPublicBuckets) => (
            "the bucket policy is public and RestrictPublicBuckets is on, so only AWS services and principals of the bucket owner's account may access the bucket".into(),
            "make the bucket policy non-public (fixed principals, accounts, VPC endpoints or source ARNs in every Allow), or turn off RestrictPublicBuckets".into(),
            Some(user("with an explicit deny in a resource-based policy")),
        ),
        CheckWhy::Rejected(Rejection::RequesterPays) if req.cloud == Cloud::Aliyun => (
            "pay-by-requester is enabled for the bucket and the request does not agree to pay (no `x-oss-request-payer: requester`); anonymous requests are always refused".into(),
            "send the header `x-oss-request-payer: requester` (the requester is charged), from a signed request; the bucket owner's account needs no header".into(),
            Some("Access denied (pay-by-requester, EC 0003-00000702 / 0003-00000703)".into()),
        ),
        CheckWhy::Rejected(Rejection::RequesterPays) => (
            "the bucket is a Requester Pays bucket and the request does not agree to pay (no `x-amz-request-payer: requester`); anonymous requests are always refused".into(),
            "send the header `x-amz-request-payer: requester` (the requester is charged), from a signed request".into(),
            Some("Access Denied".into()),
        ),
        CheckWhy::NoAclGrant => (
            format!("no policy allows {action}, and the bucket's and object's ACLs grant it to nobody the caller is"),
            "add an ACL grant to the caller's account (or AllUsers), or a bucket-policy Allow naming the caller".into(),
            None,
        ),
        CheckWhy::ForeignObject => (
            "the object belongs to another account than the bucket, so the bucket policy's Allow does not count; only the object's ACL can grant".into(),
            "the object's owner must grant you READ in the object ACL (bucket-owner-full-control on upload), or the bucket owner copies the object over itself; with Object Ownership BucketOwnerEnforced the bucket owner owns every object".into(),
            None,
        ),
        CheckWhy::PublicAclIgnored if req.cloud == Cloud::Aliyun => (
            "no policy allows the request, and the canned ACL that would let everyone in is public access, which the bucket's Block Public Access ignores".into(),
            "grant the caller in a RAM or bucket policy, or disable Block Public Access if the data is meant to be public".into(),
            None,
        ),
        CheckWhy::PublicPolicyIgnored => (
            "the request is anonymous and only a bucket policy lets it in: that is public access, which the bucket's Block Public Access ignores".into(),
            "sign the request as a RAM user or role the bucket policy names, or disable Block Public Access if the data is meant to be public".into(),
            None,
        ),
        CheckWhy::PublicAclIgnored => (
            "the only grant is a public ACL grant, which IgnorePublicAcls ignores".into(),
            "grant through a bucket policy or a non-public ACL grant, or turn off IgnorePublicAcls".into(),
            None,
        ),
        CheckWhy::KmsDenied => (
            format!("the object is encrypted with SSE-KMS, and the KMS request S3 makes for the caller ({action} on {}) is denied", req.resource),
            "allow kms:Decrypt on the key in its key policy (naming the caller, or its account's root to let IAM policies grant) and, across accounts, in the caller's identity policy".into(),
            Some("Access Denied".into()),
        ),
        CheckWhy::MissingNotListable => (
            "the object does not exist, and the caller may not list the bucket, so S3 answers 403 instead of 404".into(),
            "the object is missing: check the key; grant s3:ListBucket on the bucket to get 404 NoSuchKey instead".into(),
            Some("Access Denied".into()),
        ),
        CheckWhy::Rejected(Rejection::Referer(outcome)) => {
            use crate::state::RefererOutcome;
            let what = match outcome {
                RefererOutcome::EmptyRefused => "the request has no Referer and the bucket refuses empty Referers",
                RefererOutcome::Blacklisted => "the request's Referer is on the bucket's blacklist",
                RefererOutcome::NotWhitelisted | RefererOutcome::Pass => "the request's Referer is not on the bucket's whitelist",
            };
            let message = if req.cloud == Cloud::Tencent {
                "You are denied by bucket referer rule".to_string()
            } else {
                "You are denied by bucket referer policy.".to_string()
            };
            (
                format!("hotlink protection: {what} (checked for anonymous and URL-signed requests)"),
                "send a Referer the bucket's whitelist allows, sign the request in the Authorization header, or change the bucket's Referer settings".into(),
                Some(message),
            )
        }
        CheckWhy::CannedAclPrivate => (
            "no policy allows the request, and the object's ACL (or, for `default`, the bucket's) does not let everyone in".into(),
            format!("grant the caller in a {} or bucket policy, or make the object or bucket ACL public-read (public-read-write for writes) if that is intended", if req.cloud == Cloud::Tencent { "CAM" } else { "RAM" }),
            None,
        ),
        CheckWhy::CannedAclGrants => (
            "no policy allows the request, but the object's (or bucket's) canned ACL lets everyone in".into(),
            "nothing to change; note the ACL makes the object public".into(),
            None,
        ),
        CheckWhy::MissingListable if req.cloud != Cloud::Aws => (
            format!("the request is allowed, but the object does not exist: {} answers 404 NoSuchKey", if req.cloud == Cloud::Tencent { "COS" } else { "OSS" }),
            "check the object key".into(),
            None,
        ),
        CheckWhy::MissingListable => (
            "the request is allowed, but the object does not exist: the caller may list the bucket, so S3 answers 404 NoSuchKey".into(),
            "check the object key".into(),
            None,
        ),
    }
}
