//! The explanation as people read it: the text `polsim eval` prints, with colour only when the
//! caller asks for it. Input text is escaped (it may hold control characters).

use polsim_core::report::{LayerStatus, StatementInfo};
use polsim_core::{Decision, Report, Request};
use polsim_parse::diag::visible as v;

/// ANSI styling that turns itself off.
pub struct Style {
    on: bool,
}

impl Style {
    /// Styling on (ANSI escapes) or off (plain text).
    pub fn new(on: bool) -> Style {
        Style { on }
    }
    /// `s` (escaped: it may hold input) in the style `code`.
    fn wrap(&self, code: &str, s: &str) -> String {
        let s = v(s);
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.into_owned()
        }
    }
    /// `s` in red.
    pub fn red(&self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    /// `s` in green.
    pub fn green(&self, s: &str) -> String {
        self.wrap("1;32", s)
    }
    /// `s` in yellow.
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    /// `s` in bold.
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    /// `s` in dim.
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

fn headline(e: &Report, st: &Style) -> String {
    match e.decision {
        Decision::Allow => st.green("ALLOWED"),
        Decision::ExplicitDeny => st.red("DENIED (explicit deny)"),
        Decision::ImplicitDeny => st.red("DENIED (implicit deny)"),
    }
}

fn stmt_line(s: &StatementInfo) -> String {
    let sid = s
        .sid
        .as_deref()
        .map(|x| format!(" Sid `{}`", v(x)))
        .unwrap_or_default();
    format!(
        "statement #{} of `{}`{sid} ({}, {})",
        s.index,
        v(&s.policy),
        s.effect.name(),
        v(&s.location.to_string())
    )
}

/// The human explanation.
pub fn human(e: &Report, req: &Request, principal_note: Option<&str>, st: &Style) -> String {
    let mut o = String::new();
    // For an operation, the action of the step that decided (a copy's source read, say).
    let deciding = e
        .service
        .as_ref()
        .and_then(|s| s.steps.get(s.deciding_step));
    let deciding_action = deciding.map_or(req.action.as_str(), |s| s.action.as_str());
    // The step's own resource where it is not the request's (a copy's source, a KMS key).
    let elsewhere = deciding
        .filter(|s| s.resource != req.resource)
        .map(|s| format!(" on {}", v(&s.resource)))
        .unwrap_or_default();
    let what = match &req.extras.operation {
        Some(op) => format!(
            "{} (checked as {}{elsewhere})",
            st.bold(&v(op)),
            v(deciding_action)
        ),
        None => st.bold(&v(&req.action)),
    };
    o.push_str(&format!(
        "{}  {what} on {}\n",
        headline(e, st),
        v(&req.resource)
    ));
    o.push_str(&format!("  caller:     {}\n", v(&e.caller.to_string())));
    if let Some(n) = principal_note {
        o.push_str(&format!("              {}\n", st.yellow(n)));
    }
    if let Some(ap) = &req.access_point {
        o.push_str(&format!("  via:        access point {}\n", v(ap)));
    }
    let check = e
        .service
        .as_ref()
        .and_then(|s| s.check.filter(|_| s.check_reason.is_some()));
    if e.decision != Decision::Allow && e.layer.is_none() && check.is_some() {
        let c = check.map_or("", |c| c.name());
        o.push_str(&format!(
            "  decided by: {} check (the service's own)\n",
            st.bold(c)
        ));
    } else if e.decision != Decision::Allow {
        let layer = e.layer.map_or("-", |l| l.name());
        let level = e
            .level
            .as_deref()
            .map(|l| format!(" (level `{}`)", v(l)))
            .unwrap_or_default();
        let c = check
            .map(|c| format!(", {} check", c.name()))
            .unwrap_or_default();
        o.push_str(&format!(
            "  decided by: {} layer{level}{c}\n",
            st.bold(layer)
        ));
        if let Some(s) = &e.statement {
            o.push_str(&format!("              {}\n", stmt_line(s)));
        }
    } else if let Some(s) = &e.statement {
        o.push_str(&format!("  granted by: {}\n", stmt_line(s)));
    }
    o.push_str(&format!("  why:        {}\n", v(&e.reason.to_string())));
    if let Some(m) = &e.message {
        o.push_str(&format!(
            "  message:    {} {}\n",
            v(e.code.as_deref().unwrap_or("")),
            v(&m.to_string())
        ));
    }
    if let Some(svc) = &e.service {
        if svc.status != 200 && svc.status != 403 {
            o.push_str(&format!(
                "  status:     {} {}\n",
                svc.status,
                v(&svc.error_code)
            ));
        }
        if let Some(seen) = &svc.seen_as {
            o.push_str(&format!("  you see:    {}\n", v(seen)));
        }
        if let Some(h) = &svc.hint {
            o.push_str(&format!("  to change:  {}\n", st.yellow(&v(h))));
        }
    }
    for a in &e.advice {
        o.push_str(&format!("  to change:  {}\n", st.yellow(&v(a))));
    }
    if !e.missing_keys.is_empty() {
        o.push_str(&format!(
            "  missing context keys: {}\n",
            st.yellow(&e.missing_keys.join(", "))
        ));
    }
    if let Some(svc) = e.service.as_ref().filter(|s| s.steps.len() > 1) {
        o.push_str("\nSteps (the requests the service makes for this call):\n");
        for (i, step) in svc.steps.iter().enumerate() {
            let mark = if i == svc.deciding_step { "▸" } else { " " };
            o.push_str(&format!(
                "  {mark} {}: {} on {}: {}\n",
                step.role,
                v(&step.action),
                v(&step.resource),
                step.decision.name()
            ));
        }
    }
    if let Some(u) = &e.unmodelled {
        if e.decision == Decision::Allow {
            o.push_str(&format!("  {}\n", st.dim(&format!("not modelled: {u}"))));
        }
    }
    o.push_str("\nLayers:\n");
    if e.layers.is_empty() {
        o.push_str("  (none: the stack has no policy, so no policy allows the request)\n");
    }
    for l in &e.layers {
        let mut title = format!("{} ({})", l.layer.name(), l.title);
        if let Some(lv) = &l.level {
            title.push_str(&format!(" [{lv}]"));
        }
        if let Some(p) = &l.pass {
            title.push_str(&format!(" ({p} request: {})", l.resource));
        }
        let status = match &l.status {
            LayerStatus::Allows => st.green("allows"),
            LayerStatus::Denies => st.red("denies"),
            LayerStatus::NoAllow => st.yellow("no statement allows"),
            LayerStatus::NotApplicable(why) => st.dim(&format!("does not apply: {why}")),
        };
        o.push_str(&format!("  {}: {status}\n", st.bold(&title)));
        for s in &l.statements {
            let sid = s
                .stmt
                .sid
                .as_deref()
                .map(|x| format!(" `{}`", v(x)))
                .unwrap_or_default();
            let head = format!(
                "#{}{sid} {} in `{}` at {}",
                s.stmt.index,
                s.stmt.effect.name(),
                v(&s.stmt.policy),
                v(&s.stmt.location.to_string())
            );
            match &s.mismatch {
                None => {
                    let mark = if s.stmt.effect == polsim_core::ir::Effect::Deny {
                        st.red("✗")
                    } else {
                        st.green("✓")
                    };
                    o.push_str(&format!("    {mark} {head}: matches\n"));
                    for c in &s.conditions_held {
                        o.push_str(&format!("        {}\n", st.dim(&format!("condition {c}"))));
                    }
                }
                Some(m) => {
                    o.push_str(&format!(
                        "    {} {}\n",
                        st.dim("·"),
                        st.dim(&format!("{head}: no match, {}", m.describe()))
                    ));
                }
            }
            if e.statement_checks {
                o.push_str(&format!("        {}\n", st.dim(&checks_line(&s.checks))));
            }
        }
    }
    if !e.checklist.is_empty() {
        o.push_str("\nThe troubleshooting guide's checks, answered from the policies and the state given:\n");
        for c in &e.checklist {
            o.push_str(&format!(
                "  - {} {}\n",
                v(&c.question.to_string()),
                v(&c.answer.to_string())
            ));
        }
    }
    if !e.derived_keys.is_empty() {
        let d: Vec<String> = e
            .derived_keys
            .iter()
            .map(|(k, x)| format!("{}={}", v(k), v(&x.to_string())))
            .collect();
        o.push_str(&format!(
            "\nContext filled in from the caller and resource: {}\n",
            d.join(", ")
        ));
    }
    if !e.notes.is_empty() {
        o.push_str(&format!(
            "\nRules applied where the documentation leaves a choice (docs/semantics/{}.md):\n",
            req.cloud.name()
        ));
        for n in &e.notes {
            o.push_str(&format!("  - {}\n", v(&n.to_string())));
        }
    }
    o
}

/// The troubleshooting guides' checks for one statement, on one line.
fn checks_line(c: &polsim_core::eval::Checks) -> String {
    let mark = |b: bool| if b { "yes" } else { "no" };
    let principal = c
        .principal
        .map(|p| format!(" principal {},", mark(p)))
        .unwrap_or_default();
    format!(
        "checks: action {}, resource {},{principal} effect {}, condition {}",
        mark(c.action),
        mark(c.resource),
        c.effect.name(),
        mark(c.condition)
    )
}
