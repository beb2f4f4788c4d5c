//! `polsim eval --account AUTH.json [--organization ORG.json]`: the caller's layers read from
//! an AWS account snapshot (and the SCPs and RCPs above the account), added to the stack. The
//! reading is `polsim_parse::account`; this module reads the files, adds the layers the
//! `--policy` folder does not give, and lists what it took.

use crate::load::{self, LoadedStack};
use crate::output::{AccountOut, AccountPolicyOut};
use polsim_core::{Cloud, Layer, Pos};
use polsim_parse::account::{organization, Gap, Picked, Snapshot};
use polsim_parse::cloudtrail::Session;
use polsim_parse::{Diagnostic, Source};
use std::path::Path;

/// What the snapshot step needs from the command line.
pub struct Inputs<'a> {
    /// `--account`.
    pub account: Option<&'a Path>,
    /// `--organization`.
    pub organization: Option<&'a Path>,
    /// The caller (`--principal`, or the CloudTrail event's).
    pub principal: Option<&'a str>,
    /// The action (empty when only an operation is given).
    pub action: &'a str,
    /// The resource.
    pub resource: &'a str,
    /// The session the CloudTrail file's `AssumeRole` event records, if any.
    pub session: Option<&'a Session>,
    /// The largest file read.
    pub max: u64,
    /// Whether to list the policies taken on standard error.
    pub human: bool,
}

/// What RAM and CAM would need, for the error that says `--account` is AWS only.
const NOT_AWS: &str = "`--account` reads an AWS account snapshot (`aws iam get-account-authorization-details`); Alibaba Cloud RAM and Tencent Cloud CAM have no one-call export of a caller's policies with their documents (docs/cli.md says what to collect): give the caller's policies with --policy DIR";

fn error(m: impl Into<String>, help: &str) -> Vec<Diagnostic> {
    vec![Diagnostic::error(Pos::default(), m).with_help(help)]
}

/// What the snapshot step gave: the output member, and what is needed to ask the snapshot
/// which of its other users and roles the request would be allowed to.
pub struct AccountUse {
    /// What is reported (`account` in JSON, the list on standard error).
    pub out: AccountOut,
    snapshot: Option<Snapshot>,
    /// The layers the `--policy` folder gives.
    folder: Vec<Layer>,
    /// The layers filled for the caller (from the snapshot or the CloudTrail session).
    filled: Vec<Layer>,
}

/// The most users and roles tried by [`AccountUse::allowed_instead`].
const MAX_OTHERS: usize = 2000;

impl AccountUse {
    /// The snapshot's other users and roles (a role as a session of it) that the same request
    /// would be allowed to, with the folder's layers and the snapshot's for each: after a
    /// denial, the sign of a caller using the wrong credentials. At most [`MAX_OTHERS`] tried.
    pub fn allowed_instead(
        &self,
        stack: &polsim_core::Stack,
        req: &polsim_core::Request,
    ) -> Vec<String> {
        let Some(snap) = &self.snapshot else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for arn in snap.principals().into_iter().take(MAX_OTHERS) {
            let Ok(p) = snap.pick(arn, &req.action, &req.resource) else {
                continue;
            };
            if Some(&p.caller) == self.out.caller.as_ref() {
                continue;
            }
            let Ok(caller) = polsim_parse::testfile::parse_caller(Cloud::Aws, arn, None) else {
                continue;
            };
            let mut s = stack.clone();
            for l in &self.filled {
                s.clear(*l);
            }
            for (layer, level) in &p.layers {
                if !self.folder.contains(layer) {
                    s.declare(*layer, level.as_deref());
                }
            }
            for t in p.taken {
                if !self.folder.contains(&t.layer) {
                    s.push(t.layer, t.level.as_deref(), t.policy);
                }
            }
            let mut r = req.clone();
            r.caller = caller;
            if let Ok((e, _, _)) = polsim_edge::judge::judge(&s, r) {
                if e.decision == polsim_core::Decision::Allow {
                    found.push(arn.to_string());
                }
            }
        }
        found
    }
}

/// Adds the layers the snapshot, the Organizations export and the CloudTrail session give to
/// `loaded` (those its folder does not hold), with their warnings; returns what was taken, or
/// `None` when none of them is in play.
pub fn add_layers(
    i: &Inputs<'_>,
    loaded: &mut LoadedStack,
) -> Result<Option<AccountUse>, Vec<Diagnostic>> {
    let session_arns = i
        .session
        .filter(|s| !s.policy_arns.is_empty() || s.inline_policy);
    if i.account.is_none() && i.organization.is_none() && session_arns.is_none() {
        return Ok(None);
    }
    let principal = i
        .principal
        .map(str::to_string)
        .or_else(|| loaded.defaults.principal.clone());
    if i.account.is_some() || i.organization.is_some() {
        let cloud = loaded.cloud.or(principal
            .as_deref()
            .and_then(polsim_core::clouds::cloud_of_name));
        if cloud.is_some_and(|c| c != Cloud::Aws) {
            return Err(error(
                format!(
                    "this stack is for {}, and `--account` / `--organization` read AWS exports only",
                    cloud.map_or("", Cloud::title)
                ),
                NOT_AWS,
            ));
        }
    }
    // The layers the folder gives win over the snapshot's: a layer is taken from one place.
    let folder: Vec<Layer> = Layer::ALL
        .iter()
        .copied()
        .filter(|l| loaded.stack.has(*l))
        .collect();
    let mut out = AccountOut {
        caller: None,
        complete: true,
        file: i.account.map(|p| p.display().to_string()),
        folder_layers: Vec::new(),
        incomplete: Vec::new(),
        organization: i.organization.map(|p| p.display().to_string()),
        policies: Vec::new(),
        allowed_instead: Vec::new(),
    };
    let mut filled: Vec<Layer> = Vec::new();
    let mut picks: Vec<(Picked, String)> = Vec::new();
    let mut snapshot = None;
    if let Some(path) = i.account {
        let Some(principal) = principal.as_deref() else {
            return Err(error(
                "`--account` needs the caller, to pick its policies",
                "give --principal ARN (an IAM user, a role or a role session), or --cloudtrail EVENT.json",
            ));
        };
        let (source, snap) = read_snapshot(path, i.max)?;
        let picked = snap.pick(principal, i.action, i.resource)?;
        out.caller = Some(picked.caller.clone());
        picks.push((picked, source.name().to_string()));
        snapshot = Some(snap);
    }
    if let Some(path) = i.organization {
        let text = load::read_text(path, i.max).map_err(|e| e.diags)?;
        let source = Source::new(path.display().to_string(), text);
        picks.push((organization(&source)?, source.name().to_string()));
    }
    if let Some(s) = session_arns {
        let via = format!("a session policy passed by {}", s.event);
        let mut p = match &snapshot {
            Some(snap) => snap.managed_policies(&s.policy_arns, Layer::Session, &via)?,
            None => {
                let mut p = Picked::default();
                if !s.policy_arns.is_empty() {
                    let why = format!(
                        "the session layer is incomplete: {} passed {} managed policy ARN(s) as session policies ({}), and no --account snapshot holds them",
                        s.event,
                        s.policy_arns.len(),
                        s.policy_arns.join(", ")
                    );
                    p.incomplete.push(Gap {
                        layer: Some(Layer::Session),
                        warning: Diagnostic::warning(Pos::default(), why.clone()).with_help(
                            "give --account AUTH.json, or the policies in session/ of --policy",
                        ),
                        why,
                    });
                }
                p
            }
        };
        if s.inline_policy {
            let why = format!(
                "the session layer is incomplete: {} also passed an inline session policy (`requestParameters.policy`), which polsim does not take from the event file",
                s.event
            );
            p.incomplete.push(Gap {
                layer: Some(Layer::Session),
                warning: Diagnostic::warning(Pos::default(), why.clone()).with_help(
                    "save that event as session/assume-role.json in the --policy folder (polsim reads `requestParameters.policy` from it)",
                ),
                why,
            });
        }
        p.layers.push((Layer::Session, None));
        let file = i
            .account
            .map(|a| a.display().to_string())
            .unwrap_or_default();
        picks.push((p, file));
    }
    let mut lines: Vec<String> = Vec::new();
    for (picked, file) in picks {
        for (layer, level) in &picked.layers {
            if folder.contains(layer) {
                if !out.folder_layers.iter().any(|l| l == layer.name()) {
                    out.folder_layers.push(layer.name().to_string());
                }
                continue;
            }
            loaded.stack.declare(*layer, level.as_deref());
            filled.push(*layer);
        }
        for t in picked.taken {
            if folder.contains(&t.layer) {
                continue;
            }
            lines.push(format!("  {}", t.describe(&file)));
            out.policies.push(AccountPolicyOut {
                column: t.pos.col,
                encoded: t.encoded,
                file: file.clone(),
                layer: t.layer.name().to_string(),
                level: t.level.clone(),
                line: t.pos.line,
                place: t.place.clone(),
                via: t.via.clone(),
            });
            loaded.stack.push(t.layer, t.level.as_deref(), t.policy);
        }
        // A layer the folder gives is the folder's alone: the snapshot's gaps in it do not count.
        for g in picked.incomplete {
            if g.layer.is_some_and(|l| folder.contains(&l)) {
                continue;
            }
            out.incomplete.push(g.why);
            loaded.warnings.push(g.warning);
        }
        loaded.warnings.extend(picked.warnings);
    }
    out.complete = out.incomplete.is_empty();
    if loaded.cloud.is_none() {
        loaded.cloud = Some(Cloud::Aws);
    }
    if i.human {
        let mut head = Vec::new();
        if let (Some(f), Some(c)) = (&out.file, &out.caller) {
            head.push(format!(
                "policies read from the account snapshot {f} for {c}"
            ));
        }
        if let Some(o) = &out.organization {
            head.push(format!("SCPs and RCPs read from {o}"));
        }
        if head.is_empty() {
            head.push("session policies read from the CloudTrail file".into());
        }
        let mut all = vec![format!("{}:", head.join("; "))];
        if lines.is_empty() {
            lines.push("  (no policy: the caller has none)".into());
        }
        all.extend(lines);
        for l in &out.folder_layers {
            all.push(format!(
                "  {l}: the --policy folder gives this layer, so the snapshot's is not used"
            ));
        }
        for why in &out.incomplete {
            all.push(format!("  INCOMPLETE: {why}"));
        }
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "{}", all.join("\n"));
    }
    // The organization's layers are the same for every caller of the account.
    filled.retain(|l| !matches!(l, Layer::Scp | Layer::Rcp));
    Ok(Some(AccountUse {
        out,
        snapshot,
        folder,
        filled,
    }))
}

/// Reads and checks the snapshot file.
fn read_snapshot(path: &Path, max: u64) -> Result<(Source, Snapshot), Vec<Diagnostic>> {
    let text = load::read_text(path, max).map_err(|e| e.diags)?;
    let source = Source::new(path.display().to_string(), text);
    let snap = Snapshot::read(source.clone())?;
    Ok((source, snap))
}
