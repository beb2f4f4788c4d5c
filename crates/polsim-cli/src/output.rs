//! The JSON documents polsim prints, as typed serde structs (documented in docs/cli.md):
//! `polsim.evaluation/v1` ([`Evaluation`]), `polsim.test/v1` ([`TestRun`]) and
//! `polsim.error/v1` ([`ErrorReport`]).
//!
//! These are the wire shapes, built from the words [`Report`] holds; they are kept apart from
//! `Report` so that it can change while a schema version stays fixed. Rules:
//!
//! - a field, once in a schema version, keeps its name, type and meaning; new fields may be added;
//! - fields are declared in alphabetical order, and maps are `BTreeMap`s, so every object prints
//!   with sorted keys (as the first, `serde_json::json!`-built, version did);
//! - absent values are `null`, never omitted.

use polsim_core::report::{ConditionLine, LayerStatus, StatementInfo, StatementLine};
use polsim_core::{CtxValue, Report, Request};
use polsim_parse::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write as _;

/// `schema` of an evaluation report.
pub const EVALUATION_V1: &str = "polsim.evaluation/v1";
/// `schema` of a test run.
pub const TEST_V1: &str = "polsim.test/v1";
/// `schema` of an input-error report.
pub const ERROR_V1: &str = "polsim.error/v1";

/// Prints a document on standard output, pretty, with a final newline. A reader that went away
/// (a closed pipe) is not an error worth a panic.
pub fn print<T: Serialize>(doc: &T) {
    match serde_json::to_string_pretty(doc) {
        Ok(s) => {
            let _ = writeln!(std::io::stdout().lock(), "{s}");
        }
        // Our documents are strings, numbers, lists and string-keyed maps: this cannot happen.
        Err(e) => eprintln!("polsim: cannot write JSON: {e}"),
    }
}

/// One diagnostic: an error or a warning about an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticOut {
    /// Column, from 1; 0 when the problem has no place in a file (a command-line option).
    pub column: u32,
    /// The file, if the problem is in one.
    pub file: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Line, from 1; 0 when the problem has no place in a file.
    pub line: u32,
    /// What is wrong.
    pub message: String,
    /// `error` or `warning`.
    pub severity: String,
}

impl From<&Diagnostic> for DiagnosticOut {
    fn from(d: &Diagnostic) -> DiagnosticOut {
        DiagnosticOut {
            column: d.pos.col,
            file: d.file.clone(),
            help: d.help.clone(),
            line: d.pos.line,
            message: d.message.clone(),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_string(),
        }
    }
}

fn diags_of(diags: &[Diagnostic], severity: Severity) -> Vec<DiagnosticOut> {
    diags
        .iter()
        .filter(|d| d.severity == severity)
        .map(DiagnosticOut::from)
        .collect()
}

/// `polsim.error/v1`: the input could not be read or parsed; nothing was evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The errors (at least one).
    pub errors: Vec<DiagnosticOut>,
    /// `polsim.error/v1`.
    pub schema: String,
    /// Warnings found on the way.
    pub warnings: Vec<DiagnosticOut>,
}

impl ErrorReport {
    /// The report of `diags`, split by severity.
    pub fn new(diags: &[Diagnostic]) -> ErrorReport {
        ErrorReport {
            errors: diags_of(diags, Severity::Error),
            schema: ERROR_V1.into(),
            warnings: diags_of(diags, Severity::Warning),
        }
    }
}

/// A statement, by name and place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementOut {
    /// Where the statement starts: column.
    pub column: u32,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// The policy's file, if any.
    pub file: Option<String>,
    /// 1-based place in the policy.
    pub index: usize,
    /// Where the statement starts: line.
    pub line: u32,
    /// The policy's name.
    pub policy: String,
    /// The `Sid`, if any.
    pub sid: Option<String>,
}

impl From<&StatementInfo> for StatementOut {
    fn from(s: &StatementInfo) -> StatementOut {
        StatementOut {
            column: s.pos.col,
            effect: s.effect.name().into(),
            file: s.file.clone(),
            index: s.index,
            line: s.pos.line,
            policy: s.policy.clone(),
            sid: s.sid.clone(),
        }
    }
}

/// One condition as judged (added to v1: `failed_condition`, `held_conditions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionOut {
    /// Where the key is written: column.
    pub column: u32,
    /// Whether the condition holds.
    pub holds: bool,
    /// The key as written.
    pub key: String,
    /// Where the key is written: line.
    pub line: u32,
    /// The operator as written (`StringEquals`, `ForAnyValue:StringLike`, `ip_equal`, ...).
    pub operator: String,
    /// The policy's values as written.
    pub policy_values: Vec<String>,
    /// Why it holds or fails, in words.
    pub reason: String,
    /// The request's values; `null` when the key is absent from the request.
    pub request_values: Option<Vec<String>>,
}

impl From<&ConditionLine> for ConditionOut {
    fn from(c: &ConditionLine) -> ConditionOut {
        ConditionOut {
            column: c.pos.col,
            holds: c.holds,
            key: c.key.clone(),
            line: c.pos.line,
            operator: c.operator.clone(),
            policy_values: c.policy.clone(),
            reason: c.reason.clone(),
            request_values: c.request.clone(),
        }
    }
}

/// The troubleshooting guides' checks for one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecksOut {
    /// Does the action match?
    pub action: bool,
    /// Do all conditions hold?
    pub condition: bool,
    /// The statement's effect.
    pub effect: String,
    /// Does the principal match (`null` in layers without principals)?
    pub principal: Option<bool>,
    /// Does the resource match?
    pub resource: bool,
}

/// One statement of a layer and how it came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLineOut {
    /// Each element judged on its own.
    pub checks: ChecksOut,
    /// Where the statement starts: column.
    pub column: u32,
    /// The conditions that held, in words.
    pub conditions_held: Vec<String>,
    /// Why it does not match, in words; `null` when it matches.
    pub detail: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// The condition that failed, when `failed_element` is `Condition`.
    pub failed_condition: Option<ConditionOut>,
    /// The first element that failed; `null` when it matches.
    pub failed_element: Option<String>,
    /// The policy's file, if any.
    pub file: Option<String>,
    /// The conditions that held, structured (one per entry of `conditions_held`).
    pub held_conditions: Vec<ConditionOut>,
    /// 1-based place in the policy.
    pub index: usize,
    /// Where the statement starts: line.
    pub line: u32,
    /// Whether the statement matches the request.
    pub matched: bool,
    /// The policy's name.
    pub policy: String,
    /// The `Sid`, if any.
    pub sid: Option<String>,
}

impl From<&StatementLine> for StatementLineOut {
    fn from(s: &StatementLine) -> StatementLineOut {
        let st = StatementOut::from(&s.stmt);
        StatementLineOut {
            checks: ChecksOut {
                action: s.checks.action,
                condition: s.checks.condition,
                effect: s.checks.effect.name().into(),
                principal: s.checks.principal,
                resource: s.checks.resource,
            },
            column: st.column,
            conditions_held: s.conditions_held.clone(),
            detail: s.mismatch.as_ref().map(|m| m.describe()),
            effect: st.effect,
            failed_condition: s
                .mismatch
                .as_ref()
                .and_then(|m| m.condition())
                .map(|c| ConditionOut::from(&c)),
            failed_element: s.mismatch.as_ref().map(|m| m.element().to_string()),
            file: st.file,
            held_conditions: s.held.iter().map(ConditionOut::from).collect(),
            index: st.index,
            line: st.line,
            matched: s.mismatch.is_none(),
            policy: st.policy,
            sid: st.sid,
        }
    }
}

/// One layer (one level of an SCP/RCP chain, one pass of an access-point request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerOut {
    /// The layer's test-file name.
    pub layer: String,
    /// The SCP/RCP level.
    pub level: Option<String>,
    /// Why the layer does not take part, when `status` is `not_applicable`.
    pub not_applicable_reason: Option<String>,
    /// For access-point requests: `access point` or `bucket`.
    pub pass: Option<String>,
    /// The resource the layer was judged against.
    pub resource: String,
    /// Every statement of every policy of the layer.
    pub statements: Vec<StatementLineOut>,
    /// `allows`, `denies`, `no_allow` or `not_applicable`.
    pub status: String,
}

/// One question of a troubleshooting guide, answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistOut {
    /// The answer.
    pub answer: String,
    /// The question.
    pub question: String,
}

/// A context value: one string, or a list for a multi-valued key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ContextValueOut {
    /// One value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

/// The request as judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestOut {
    /// The access point the request went through.
    pub access_point: Option<String>,
    /// The action.
    pub action: String,
    /// `aws`, `aliyun` or `tencent`.
    pub cloud: String,
    /// The condition keys given.
    pub context: BTreeMap<String, ContextValueOut>,
    /// The principal as given.
    pub principal: String,
    /// Whether the principal was assumed (no `--principal`, none in polsim.json).
    pub principal_defaulted: bool,
    /// The resource.
    pub resource: String,
    /// The account that owns the resource.
    pub resource_account: Option<String>,
}

/// `polsim.evaluation/v1`: one request, its decision and the full explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// With `--account` / `--organization`: the policies taken from the snapshot, each with its
    /// place, and whether the layers they fill are complete (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub account: Option<AccountOut>,
    /// For a denial decided by a policy: the smallest edits that change it, in order, each
    /// checked by evaluating the edited stack again (absent when there is none).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub advice: Vec<String>,
    /// The caller as the cloud names it in messages.
    pub caller: String,
    /// The troubleshooting guide's questions, answered.
    pub checklist: Vec<ChecklistOut>,
    /// The error code that goes with `message`.
    pub code: Option<String>,
    /// `allow`, `explicit_deny` or `implicit_deny`.
    pub decision: String,
    /// Context keys polsim filled in from the caller and the resource.
    pub derived_context: BTreeMap<String, String>,
    /// The layer that decided a deny.
    pub layer: Option<String>,
    /// Every layer as evaluated.
    pub layers: Vec<LayerOut>,
    /// The SCP/RCP level that decided.
    pub level: Option<String>,
    /// The access-denied message the cloud would return.
    pub message: Option<String>,
    /// Keys that conditions or policy variables referenced and the request lacked.
    pub missing_context_keys: Vec<String>,
    /// Rules applied where the documentation is silent.
    pub notes: Vec<String>,
    /// One sentence: why this decision.
    pub reason: String,
    /// The request.
    pub request: RequestOut,
    /// `polsim.evaluation/v1`.
    pub schema: String,
    /// What the storage service decided beyond its policies (absent when it added nothing).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub service: Option<ServiceOut>,
    /// The deciding statement.
    pub statement: Option<StatementOut>,
    /// For an allow: what the cloud checks that polsim does not model.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unmodelled: Option<String>,
    /// Warnings about the inputs (for `polsim test`, listed with the file instead: empty here).
    pub warnings: Vec<DiagnosticOut>,
}

/// What `--account` (and `--organization`) gave the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOut {
    /// After a denial: the snapshot's other users and roles the same request is allowed to
    /// (the caller may be using the wrong credentials).
    pub allowed_instead: Vec<String>,
    /// The caller as the snapshot holds it (`role WebAppRole (RoleDetailList[WebAppRole])`).
    pub caller: Option<String>,
    /// `false` when a policy the snapshot names is not in it: the decision could change.
    pub complete: bool,
    /// The snapshot file (`--account`).
    pub file: Option<String>,
    /// Layers the `--policy` folder gives, so the snapshot's were not used.
    pub folder_layers: Vec<String>,
    /// Why the layers taken may not be the whole story, one sentence each.
    pub incomplete: Vec<String>,
    /// The Organizations export (`--organization`).
    pub organization: Option<String>,
    /// Every policy taken, in layer order.
    pub policies: Vec<AccountPolicyOut>,
}

/// One policy taken from an account snapshot or an Organizations export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPolicyOut {
    /// Where the document starts.
    pub column: u32,
    /// The document was a URL-encoded string (positions are the string's start).
    pub encoded: bool,
    /// The file it is in.
    pub file: String,
    /// Its layer (`identity`, `permissions_boundary`, `session`, `resource`, `scp`, `rcp`).
    pub layer: String,
    /// The SCP/RCP level.
    pub level: Option<String>,
    /// Where the document starts.
    pub line: u32,
    /// Its place in the file (`RoleDetailList[WebAppRole].RolePolicyList[s3-read]`); also the
    /// policy's name in `layers[].statements[].policy`.
    pub place: String,
    /// How it reached the caller (an attachment, a group), when that is not the place.
    pub via: Option<String>,
}

/// What a storage service decided beyond its policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceOut {
    /// The service's own check that decided (`acl`, `object_ownership`, ...), if one did.
    pub check: Option<String>,
    /// Why, in a sentence.
    pub check_reason: Option<String>,
    /// The step the rest of the report explains (an index into `steps`).
    pub deciding_step: usize,
    /// The error code the service answers with (empty for a success).
    pub error_code: String,
    /// What to change.
    pub hint: Option<String>,
    /// The HTTP status the service answers.
    pub status: u16,
    /// Every request the service makes for the call.
    pub steps: Vec<StepOut>,
    /// What the caller actually sees where it differs from `error_code` and the message (a
    /// HEAD response has no body).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub seen_as: Option<String>,
}

/// One request a service makes for a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOut {
    /// Its action.
    pub action: String,
    /// How it came out.
    pub decision: String,
    /// Its resource.
    pub resource: String,
    /// Why it is made (`action`, `copy source`, `KMS request`, `missing-object check`).
    pub role: String,
}

impl Evaluation {
    /// The report of `e`, judged for `req`.
    pub fn new(
        e: &Report,
        req: &Request,
        principal_defaulted: bool,
        warnings: &[Diagnostic],
    ) -> Evaluation {
        let context = req
            .context
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    CtxValue::One(s) => ContextValueOut::One(s.clone()),
                    CtxValue::Many(v) => ContextValueOut::Many(v.clone()),
                };
                (k.to_string(), v)
            })
            .collect();
        Evaluation {
            account: None,
            caller: e.caller.clone(),
            checklist: e
                .checklist
                .iter()
                .map(|c| ChecklistOut {
                    answer: c.answer.clone(),
                    question: c.question.clone(),
                })
                .collect(),
            code: e.code.clone(),
            decision: e.decision.name().into(),
            derived_context: e.derived_keys.iter().cloned().collect(),
            layer: e.layer.map(|l| l.name().to_string()),
            layers: e
                .layers
                .iter()
                .map(|l| LayerOut {
                    layer: l.layer.name().into(),
                    level: l.level.clone(),
                    not_applicable_reason: match &l.status {
                        LayerStatus::NotApplicable(w) => Some(w.clone()),
                        _ => None,
                    },
                    pass: l.pass.clone(),
                    resource: l.resource.clone(),
                    statements: l.statements.iter().map(StatementLineOut::from).collect(),
                    status: l.status.name().into(),
                })
                .collect(),
            level: e.level.clone(),
            message: e.message.clone(),
            service: e
                .service
                .as_ref()
                .filter(|s| s.check.is_some() || s.steps.len() > 1 || s.seen_as.is_some())
                .map(|s| ServiceOut {
                    check: s.check.map(|c| c.name().to_string()),
                    check_reason: s.check_reason.clone(),
                    deciding_step: s.deciding_step,
                    error_code: s.error_code.clone(),
                    hint: s.hint.clone(),
                    seen_as: s.seen_as.clone(),
                    status: s.status,
                    steps: s
                        .steps
                        .iter()
                        .map(|t| StepOut {
                            action: t.action.clone(),
                            decision: t.decision.name().into(),
                            resource: t.resource.clone(),
                            role: t.role.into(),
                        })
                        .collect(),
                }),
            unmodelled: e.unmodelled.map(str::to_string),
            advice: e.advice.clone(),
            missing_context_keys: e.missing_keys.clone(),
            notes: e.notes.clone(),
            reason: e.reason.clone(),
            request: RequestOut {
                access_point: req.access_point.clone(),
                action: req.action.clone(),
                cloud: req.cloud.name().into(),
                context,
                principal: req.caller.text.clone(),
                principal_defaulted,
                resource: req.resource.clone(),
                resource_account: req.resource_account.clone(),
            },
            schema: EVALUATION_V1.into(),
            statement: e.statement.as_ref().map(StatementOut::from),
            warnings: warnings.iter().map(DiagnosticOut::from).collect(),
        }
    }
}

/// `polsim.test/v1`: a run of test files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRun {
    /// Each test file, in the order run.
    pub files: Vec<TestFileOut>,
    /// `polsim.test/v1`.
    pub schema: String,
    /// The counts.
    pub summary: TestSummary,
}

impl TestRun {
    /// An empty run.
    pub fn new() -> TestRun {
        TestRun {
            files: Vec::new(),
            schema: TEST_V1.into(),
            summary: TestSummary {
                failed: 0,
                invalid_files: 0,
                passed: 0,
            },
        }
    }
}

/// How many cases passed and failed, and how many files could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSummary {
    /// Cases that did not get what they expected.
    pub failed: usize,
    /// Files that could not be read or parsed (their cases did not run).
    pub invalid_files: usize,
    /// Cases that got what they expected.
    pub passed: usize,
}

/// One test file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestFileOut {
    /// Its cases (none when the file could not be read or parsed).
    pub cases: Vec<CaseOut>,
    /// `aws`, `aliyun` or `tencent`; `null` when the file could not be parsed.
    pub cloud: Option<String>,
    /// Why the file could not be read or parsed; empty when it could.
    pub errors: Vec<DiagnosticOut>,
    /// The file's `name`, if it has one.
    pub name: Option<String>,
    /// The file as given or found.
    pub path: String,
    /// Warnings about the file and the policies it names.
    pub warnings: Vec<DiagnosticOut>,
}

impl TestFileOut {
    /// A file that could not be read or parsed.
    pub fn invalid(path: &str, diags: &[Diagnostic]) -> TestFileOut {
        TestFileOut {
            cases: Vec::new(),
            cloud: None,
            errors: diags_of(diags, Severity::Error),
            name: None,
            path: path.into(),
            warnings: diags_of(diags, Severity::Warning),
        }
    }
}

/// One case of a test file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOut {
    /// For a failing case, the evaluation (`polsim.evaluation/v1`); `null` for a passing one.
    pub evaluation: Option<Evaluation>,
    /// Where the case starts.
    pub line: u32,
    /// The case's `name`, or `case N`.
    pub name: String,
    /// Whether it got what it expected.
    pub passed: bool,
    /// One line per unmet expectation (empty when it passed).
    pub problems: Vec<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

    use super::*;

    /// The types are the schema: every stored JSON snapshot reads back into its type and
    /// prints byte for byte as stored.
    #[test]
    fn snapshots_round_trip_through_the_types() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/snapshots");
        let mut seen = BTreeMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let schema = v["schema"].as_str().unwrap().to_string();
            let again = match schema.as_str() {
                EVALUATION_V1 => serde_json::to_string_pretty(
                    &serde_json::from_str::<Evaluation>(&text).unwrap(),
                ),
                TEST_V1 => {
                    serde_json::to_string_pretty(&serde_json::from_str::<TestRun>(&text).unwrap())
                }
                ERROR_V1 => serde_json::to_string_pretty(
                    &serde_json::from_str::<ErrorReport>(&text).unwrap(),
                ),
                other => panic!("{}: unknown schema {other}", path.display()),
            }
            .unwrap();
            assert_eq!(format!("{again}\n"), text, "{}", path.display());
            *seen.entry(schema).or_insert(0) += 1;
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
    }
}

/// `schema` of a diff report.
pub const DIFF_V1: &str = "polsim.diff/v1";

/// `polsim.diff/v1`: what a policy change newly allows or denies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffDoc {
    /// The base side as given.
    pub base: String,
    /// The exit status.
    pub exit: u8,
    /// The head side as given.
    pub head: String,
    /// Whether anything is newly denied.
    pub narrowed: bool,
    /// What could not be compared (policies unknown until apply, attachments, ...), each a
    /// widening that cannot be ruled out.
    pub not_compared: Vec<String>,
    /// `polsim.diff/v1`.
    pub schema: String,
    /// One entry per stack compared.
    pub stacks: Vec<DiffStackOut>,
    /// Warnings about the inputs.
    pub warnings: Vec<DiagnosticOut>,
    /// Whether anything is newly allowed.
    pub widened: bool,
}

/// One stack's comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffStackOut {
    /// The base side's folder (`null`: a stack only the head side has).
    pub base: Option<String>,
    /// `aws`, `aliyun` or `tencent`.
    pub cloud: String,
    /// Whether the comparison is exact.
    pub exact: bool,
    /// The head side's folder (`null`: a stack the change removes).
    pub head: Option<String>,
    /// Why it is not exact (empty when it is).
    pub inexact: Vec<String>,
    /// Where the stack comes from: a Terraform address or a template's logical id and line
    /// (`null` for stack folders).
    pub origin: Option<String>,
    /// The stack's path relative to the sides (`""` when the sides are stack folders).
    pub path: String,
    /// The regions of changed requests, widenings first.
    pub regions: Vec<DiffRegionOut>,
    /// How many requests were evaluated on each side.
    pub requests: usize,
    /// Witnesses that did not reproduce through `polsim eval` (a polsim bug; empty).
    pub unreproduced: Vec<ProbeOut>,
}

/// The requests one statement opened or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRegionOut {
    /// The actions of its requests (one per action cell).
    pub actions: Vec<String>,
    /// The statement that made the difference.
    pub cause: Option<StmtLocOut>,
    /// Without a statement: the service check that decided (`acl`, ...).
    pub check: Option<String>,
    /// `widened` or `narrowed`.
    pub change: String,
    /// The context keys its witnesses set.
    pub context_keys: Vec<String>,
    /// The API operations among its requests (judged as the actions the service checks).
    pub operations: Vec<String>,
    /// Its callers.
    pub principals: Vec<String>,
    /// How many evaluated requests fall in it.
    pub requests: usize,
    /// Its resources (one per resource cell).
    pub resources: Vec<String>,
    /// Witness requests, each judged on both sides by `polsim eval`.
    pub witnesses: Vec<DiffWitnessOut>,
}

/// Where a statement is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StmtLocOut {
    /// Column.
    pub col: u32,
    /// The policy's file.
    pub file: Option<String>,
    /// Its place in the policy, from 1.
    pub index: usize,
    /// The layer (`identity`, `resource`, ...).
    pub layer: String,
    /// Line.
    pub line: u32,
    /// The policy's name.
    pub policy: String,
    /// `base` or `head`.
    pub side: String,
    /// The Sid.
    pub sid: Option<String>,
    /// The statement in one line, as written (its patterns: the region).
    pub summary: String,
}

impl StmtLocOut {
    /// The wire form of a location.
    pub fn new(l: &polsim_diff::StmtLoc) -> StmtLocOut {
        StmtLocOut {
            col: l.pos.col,
            file: l.file.clone(),
            index: l.index,
            layer: l.layer.name().to_string(),
            line: l.pos.line,
            policy: l.policy.clone(),
            side: l.side.name().to_string(),
            sid: l.sid.clone(),
            summary: l.summary.clone(),
        }
    }
}

/// One witness and its evaluations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffWitnessOut {
    /// `polsim.evaluation/v1` on the base side.
    pub base: Evaluation,
    /// The `polsim eval` command that reproduces it.
    pub command: String,
    /// `polsim.evaluation/v1` on the head side.
    pub head: Evaluation,
    /// The request.
    pub request: ProbeOut,
}

/// A witness request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeOut {
    /// The action.
    pub action: String,
    /// Context keys set.
    pub context: BTreeMap<String, ContextValueOut>,
    /// The caller.
    pub principal: String,
    /// The caller's unique id, where it matters.
    pub principal_id: Option<String>,
    /// The resource.
    pub resource: String,
    /// The resource's owner, where the stack names none and the witness does.
    pub resource_account: Option<String>,
}

/// `schema` of a check report.
pub const CHECK_V1: &str = "polsim.check/v1";

/// `polsim.check/v1`: one universal question about a stack, answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDoc {
    /// Whether such access exists.
    pub answer: bool,
    /// `aws`, `aliyun` or `tencent`.
    pub cloud: String,
    /// Whether the answer is exact.
    pub exact: bool,
    /// The exit status.
    pub exit: u8,
    /// Why it is not exact (empty when it is).
    pub inexact: Vec<String>,
    /// The stack folder.
    pub policy: String,
    /// The question, in words.
    pub question: String,
    /// The allowed requests, by granting statement.
    pub regions: Vec<CheckRegionOut>,
    /// How many requests were evaluated.
    pub requests: usize,
    /// `polsim.check/v1`.
    pub schema: String,
    /// Witnesses that did not reproduce through `polsim eval` (a polsim bug; 0).
    pub unreproduced: usize,
    /// Warnings about the inputs.
    pub warnings: Vec<DiagnosticOut>,
}

/// The allowed requests one statement grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRegionOut {
    /// Their actions.
    pub actions: Vec<String>,
    /// The granting statement.
    pub cause: Option<StmtLocOut>,
    /// Without a statement: the service check that granted (`acl`, ...).
    pub check: Option<String>,
    /// The context keys its witnesses set.
    pub context_keys: Vec<String>,
    /// The API operations among them.
    pub operations: Vec<String>,
    /// Their callers.
    pub principals: Vec<String>,
    /// Whether the statement grants publicly by the cloud's definition (S3's for AWS).
    pub public_by_definition: bool,
    /// How many evaluated requests fall in it.
    pub requests: usize,
    /// Their resources.
    pub resources: Vec<String>,
    /// Witness requests, each judged by `polsim eval`.
    pub witnesses: Vec<CheckWitnessOut>,
}

/// One witness of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckWitnessOut {
    /// The `polsim eval` command that reproduces it.
    pub command: String,
    /// `polsim.evaluation/v1`.
    pub evaluation: Evaluation,
    /// The request.
    pub request: ProbeOut,
}

/// `schema` of one result of a batch.
pub const BATCH_V1: &str = "polsim.batch/v1";

/// `polsim.batch/v1`: the result of one line of `polsim eval --requests` (one JSON object per
/// line, in input order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLineOut {
    /// The service check that decided, where no policy layer did.
    pub check: Option<String>,
    /// `allow`, `explicit_deny` or `implicit_deny` (`null` for an invalid line).
    pub decision: Option<String>,
    /// For an invalid line: why (its `line` is the input's line number).
    pub error: Option<Vec<DiagnosticOut>>,
    /// The error code the service answers with (`""` for a success).
    pub error_code: Option<String>,
    /// With `--explain`: the `polsim.evaluation/v1` document.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub evaluation: Option<Evaluation>,
    /// The line's `id`, echoed.
    pub id: Option<String>,
    /// The layer that decided a deny.
    pub layer: Option<String>,
    /// The line number in the input, from 1.
    pub line: usize,
    /// `polsim.batch/v1`.
    pub schema: String,
    /// The statement that decided (the Deny, or the granting Allow).
    pub statement: Option<DecidedByOut>,
    /// The HTTP status the service answers.
    pub status: Option<u16>,
    /// Warnings about the line.
    pub warnings: Vec<DiagnosticOut>,
}

impl BatchLineOut {
    /// A result with nothing set yet.
    pub fn empty() -> BatchLineOut {
        BatchLineOut {
            check: None,
            decision: None,
            error: None,
            error_code: None,
            evaluation: None,
            id: None,
            layer: None,
            line: 0,
            schema: BATCH_V1.to_string(),
            statement: None,
            status: None,
            warnings: Vec::new(),
        }
    }
}

/// The statement that decided a batch line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedByOut {
    /// Column.
    pub col: u32,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// The policy's file.
    pub file: Option<String>,
    /// Line.
    pub line: u32,
    /// The policy's name.
    pub policy: String,
    /// The Sid.
    pub sid: Option<String>,
}
