//! A whole AWS account as one file: the output of `aws iam get-account-authorization-details`
//! (`polsim eval --account auth.json`, a test file's `"account"`), and an Organizations export
//! of the SCPs and RCPs above it (`--organization org.json`).
//!
//! The snapshot holds every user, group, role and customer managed policy of the account
//! (`UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`). [`Snapshot::pick`] takes
//! the policies that judge one request, each with the place in the snapshot it came from:
//! - the caller's identity layer: a user's inline policies (`UserPolicyList`) and attached
//!   managed policies (their default version in `Policies`), and the same of each group in its
//!   `GroupList`; a role's (for a role ARN or an `assumed-role` session) `RolePolicyList` and
//!   attached managed policies;
//! - the permissions boundary layer, from the `PermissionsBoundary.PermissionsBoundaryArn`;
//! - for `sts:AssumeRole` (and `AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`,
//!   `TagSession`) on a role ARN, the target role's trust policy as the resource policy.
//!
//! Fail closed: a caller the snapshot does not hold is an error (with the nearest names); a
//! policy the snapshot names but does not hold (an AWS managed policy left out by `--filter`, a
//! group missing) is a located warning and makes the selection [`Picked::incomplete`], which the
//! caller must show beside the decision; a managed policy without its default version is an
//! error. A document held as a URL-encoded string (as the IAM API returns it) is decoded; its
//! positions are the string's start, since the encoding hides where each character was.
//!
//! No I/O: the caller reads the file and passes its [`Source`].

use crate::diag::{edit_distance, Source};
use crate::json::{self, Json, JsonKind};
use crate::{lower_policy, Diagnostic, PolicySource};
use polsim_core::ir::Policy;
use polsim_core::{Cloud, Layer, Pos};

/// One policy taken from a snapshot.
#[derive(Debug, Clone)]
pub struct Taken {
    /// The layer it fills.
    pub layer: Layer,
    /// The SCP/RCP level (organization exports only).
    pub level: Option<String>,
    /// The policy, lowered; its `id` is [`Taken::place`] and its `file` the snapshot's.
    pub policy: Policy,
    /// Where the document is in the snapshot: `RoleDetailList[WebAppRole].RolePolicyList[s3-read]`,
    /// `Policies[AppRead].PolicyVersionList[v2]`.
    pub place: String,
    /// How it reached the caller, when that is not the place itself (an attachment, a group).
    pub via: Option<String>,
    /// Where the document starts (`line:column` in the snapshot).
    pub pos: Pos,
    /// The document was a URL-encoded string: nothing inside it can be pointed at.
    pub encoded: bool,
}

impl Taken {
    /// One line for the list of policies taken: layer, place, `file:line:column`, how.
    pub fn describe(&self, file: &str) -> String {
        let layer = match &self.level {
            Some(l) => format!("{} {l}", self.layer.name()),
            None => self.layer.name().to_string(),
        };
        let via = self
            .via
            .as_ref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        let encoded = if self.encoded {
            " [URL-encoded: positions are the string's start]"
        } else {
            ""
        };
        format!(
            "{layer}: {} at {file}:{}:{}{via}{encoded}",
            self.place, self.pos.line, self.pos.col
        )
    }
}

/// What a snapshot gives one request.
#[derive(Debug, Clone, Default)]
pub struct Picked {
    /// The caller as the snapshot holds it: `role WebAppRole (RoleDetailList[WebAppRole])`.
    pub caller: String,
    /// The policies taken, identity first.
    pub taken: Vec<Taken>,
    /// The layers (and levels) the snapshot fills, declared even when no policy is taken: a
    /// user with no policy has an identity layer that allows nothing.
    pub layers: Vec<(Layer, Option<String>)>,
    /// Why the layers taken may not be the whole story (a policy the snapshot names but does
    /// not hold). A decision made without them could change.
    pub incomplete: Vec<Gap>,
    /// Located warnings about the documents taken.
    pub warnings: Vec<Diagnostic>,
}

/// A layer the snapshot cannot give whole.
#[derive(Debug, Clone)]
pub struct Gap {
    /// The layer it leaves incomplete (`None`: every layer, as for a truncated snapshot). A
    /// layer given elsewhere (a stack folder, a test file's `policies`) is not affected.
    pub layer: Option<Layer>,
    /// Why, in a sentence.
    pub why: String,
    /// The located warning that says so.
    pub warning: Diagnostic,
}

/// A parsed `get-account-authorization-details` output.
#[derive(Debug, Clone)]
pub struct Snapshot {
    source: Source,
    doc: Json,
}

/// The actions whose resource is a role and which its trust policy judges.
const TRUST_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
];

/// The member lists of a snapshot.
const LISTS: &[&str] = &[
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` split; `None` when it is not an ARN.
fn arn_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    if it.next()? != "arn" {
        return None;
    }
    let _partition = it.next()?;
    let service = it.next()?;
    let _region = it.next()?;
    let account = it.next()?;
    let resource = it.next()?;
    Some((service, account, resource))
}

fn text<'j>(j: &'j Json, key: &str) -> Option<&'j str> {
    j.get(key).and_then(Json::as_str)
}

fn items<'j>(j: &'j Json, key: &str) -> &'j [Json] {
    match j.get(key).map(|v| &v.kind) {
        Some(JsonKind::Array(a)) => a,
        _ => &[],
    }
}

/// Up to three names nearest to `word`, nearest first.
fn nearest<'a>(word: &str, names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let w = word.to_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .filter(|n| n.len() <= crate::diag::MAX_SUGGEST_LEN)
        .map(|n| (edit_distance(&w, &n.to_lowercase()), n))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// A duplicate member name of `doc` as an error in `source`.
fn refuse_duplicates(doc: &Json, source: &Source) -> Result<(), Vec<Diagnostic>> {
    match crate::json::repeated_names(doc).first() {
        Some(&(key, first, again)) => Err(vec![Diagnostic::error(
            again,
            format!(
                "`{key}` appears twice in this object (first at line {}, column {})",
                first.line, first.col
            ),
        )
        .with_help("which copy counts is not defined: keep one")
        .in_source(source)]),
        None => Ok(()),
    }
}

/// Who the caller is in the snapshot's terms.
enum Who<'p> {
    User { arn: &'p str, name: &'p str },
    Role { arn: Option<&'p str>, name: &'p str },
}

impl Snapshot {
    /// Reads `source` as a snapshot: a JSON object with at least one of `UserDetailList`,
    /// `GroupDetailList`, `RoleDetailList`, `Policies`, each a list. Errors are located.
    pub fn read(source: Source) -> Result<Snapshot, Vec<Diagnostic>> {
        let doc = json::parse(source.text()).map_err(|e| vec![e.diagnostic(&source)])?;
        refuse_duplicates(&doc, &source)?;
        let err = |pos: Pos, m: String, h: &str| {
            vec![Diagnostic::error(pos, m).with_help(h).in_source(&source)]
        };
        if doc.as_object().is_none() {
            return Err(err(
                doc.pos,
                format!(
                    "an account snapshot is a JSON object, found {}",
                    doc.type_name()
                ),
                "give the output of `aws iam get-account-authorization-details`",
            ));
        }
        if !LISTS.iter().any(|k| doc.get(k).is_some()) {
            return Err(err(
                doc.pos,
                "this is not an account snapshot: it has none of `UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`".into(),
                "give the output of `aws iam get-account-authorization-details` (polsim reads AWS snapshots only)",
            ));
        }
        for k in LISTS {
            if let Some(v) = doc.get(k) {
                if !matches!(v.kind, JsonKind::Array(_)) {
                    return Err(err(
                        v.pos,
                        format!("`{k}` must be a list, found {}", v.type_name()),
                        "give the output of `aws iam get-account-authorization-details` as the CLI prints it",
                    ));
                }
            }
        }
        Ok(Snapshot { source, doc })
    }

    /// Every user's and role's ARN, users first, in snapshot order.
    pub fn principals(&self) -> Vec<&str> {
        ["UserDetailList", "RoleDetailList"]
            .iter()
            .flat_map(|l| items(&self.doc, l))
            .filter_map(|e| text(e, "Arn"))
            .collect()
    }

    /// The snapshot's text, for diagnostics.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The policies that judge `action` on `resource` by `principal` (see the module).
    pub fn pick(
        &self,
        principal: &str,
        action: &str,
        resource: &str,
    ) -> Result<Picked, Vec<Diagnostic>> {
        let mut p = Picked::default();
        if self
            .doc
            .get("IsTruncated")
            .is_some_and(|t| t.kind == JsonKind::Bool(true))
        {
            let pos = self.doc.get("IsTruncated").map_or(self.doc.pos, |t| t.pos);
            self.incomplete(
                &mut p,
                None,
                pos,
                "the snapshot is one page of several (`IsTruncated` is true): what the caller has may be on another page".into(),
                "let the AWS CLI page through the whole answer (it does unless `--max-items` or `--no-paginate` is given)",
            );
        }
        let (entity, kind, list, name) = self.caller(principal)?;
        let place = format!("{list}[{name}]");
        p.caller = format!("{kind} {name} ({place})");
        p.layers.push((Layer::Identity, None));
        let (inline, inline_key) = if kind == "user" {
            ("UserPolicyList", "PolicyName")
        } else {
            ("RolePolicyList", "PolicyName")
        };
        self.inline(&mut p, entity, inline, inline_key, &place, None)?;
        self.attached(&mut p, entity, &place, None)?;
        if kind == "user" {
            for g in items(entity, "GroupList") {
                let Some(gname) = g.as_str() else { continue };
                let group = items(&self.doc, "GroupDetailList")
                    .iter()
                    .find(|x| text(x, "GroupName") == Some(gname));
                let Some(group) = group else {
                    self.incomplete(
                        &mut p,
                        Some(Layer::Identity),
                        g.pos,
                        format!("the user's group `{gname}` is not in `GroupDetailList`: its policies are not read"),
                        "take the snapshot with `--filter` including `Group`",
                    );
                    continue;
                };
                let gplace = format!("GroupDetailList[{gname}]");
                let via = format!("through group {gname} ({place}.GroupList)");
                self.inline(
                    &mut p,
                    group,
                    "GroupPolicyList",
                    "PolicyName",
                    &gplace,
                    Some(&via),
                )?;
                self.attached(&mut p, group, &gplace, Some(&via))?;
            }
        }
        if let Some(b) = entity.get("PermissionsBoundary") {
            p.layers.push((Layer::PermissionsBoundary, None));
            match text(b, "PermissionsBoundaryArn") {
                Some(arn) => {
                    let via = format!("the permissions boundary of {place}");
                    self.managed(&mut p, arn, b.pos, Layer::PermissionsBoundary, &via)?;
                }
                None => {
                    return Err(vec![Diagnostic::error(
                        b.pos,
                        "`PermissionsBoundary` has no `PermissionsBoundaryArn`",
                    )
                    .in_source(&self.source)])
                }
            }
        }
        if TRUST_ACTIONS.contains(&action.to_ascii_lowercase().as_str()) {
            self.trust(&mut p, resource)?;
        }
        Ok(p)
    }

    /// The policies of `arns` (managed policy ARNs, such as an `AssumeRole` call's
    /// `policyArns`), for `layer`: those the snapshot holds are taken, the others make the
    /// layer incomplete (their warnings name the snapshot, with no line: the ARNs come from
    /// elsewhere). `via` says how they reach the caller.
    pub fn managed_policies(
        &self,
        arns: &[String],
        layer: Layer,
        via: &str,
    ) -> Result<Picked, Vec<Diagnostic>> {
        let mut p = Picked::default();
        for arn in arns {
            self.managed(&mut p, arn, Pos::default(), layer, via)?;
        }
        Ok(p)
    }

    /// Marks `layer` of the selection incomplete, with a located warning.
    fn incomplete(&self, p: &mut Picked, layer: Option<Layer>, pos: Pos, why: String, help: &str) {
        let warning = Diagnostic::warning(pos, why.clone())
            .with_help(help)
            .in_source(&self.source);
        p.incomplete.push(Gap {
            layer,
            why,
            warning,
        });
    }

    /// The caller's entry: the entity, `user`/`role`, its list and its name.
    fn caller(
        &self,
        principal: &str,
    ) -> Result<(&Json, &'static str, &'static str, String), Vec<Diagnostic>> {
        let who = match arn_parts(principal) {
            Some(("iam", _, r)) if r.starts_with("user/") => Who::User {
                arn: principal,
                name: r.rsplit('/').next().unwrap_or(r),
            },
            Some(("iam", _, r)) if r.starts_with("role/") => Who::Role {
                arn: Some(principal),
                name: r.rsplit('/').next().unwrap_or(r),
            },
            Some(("sts", _, r)) if r.starts_with("assumed-role/") => Who::Role {
                arn: None,
                name: r.split('/').nth(1).unwrap_or(""),
            },
            _ => {
                return Err(vec![Diagnostic::error(
                    Pos::default(),
                    format!("an account snapshot names IAM users and roles; `{principal}` is neither"),
                )
                .with_help("give an IAM user (`arn:aws:iam::ACCOUNT:user/NAME`), a role (`arn:aws:iam::ACCOUNT:role/NAME`) or a role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`); for other callers give their policies with --policy")
                .in_file(Some(self.source.name()))]);
            }
        };
        let account = arn_parts(principal).map(|(_, a, _)| a).unwrap_or("");
        let same_account = |e: &Json| {
            text(e, "Arn")
                .and_then(arn_parts)
                .is_some_and(|(_, a, _)| a == account)
        };
        let (list, key, kind, arn, name) = match who {
            Who::User { arn, name } => ("UserDetailList", "UserName", "user", Some(arn), name),
            Who::Role { arn, name } => ("RoleDetailList", "RoleName", "role", arn, name),
        };
        let entries = items(&self.doc, list);
        let found = entries
            .iter()
            .find(|e| arn.is_some() && text(e, "Arn") == arn)
            .or_else(|| {
                entries
                    .iter()
                    .find(|e| text(e, key) == Some(name) && same_account(e))
            });
        if let Some(e) = found {
            return Ok((e, kind, list, name.to_string()));
        }
        let names: Vec<&str> = entries.iter().filter_map(|e| text(e, key)).collect();
        let near = nearest(name, names.iter().copied());
        let help = if near.is_empty() {
            format!("the snapshot's `{list}` is empty")
        } else {
            let other = entries
                .iter()
                .find(|e| text(e, key) == Some(name))
                .and_then(|e| text(e, "Arn"));
            match other {
                Some(a) => {
                    format!("the snapshot's {kind} `{name}` is `{a}` (another account or path)")
                }
                None => format!(
                    "the nearest {kind}s in the snapshot: {}",
                    near.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        };
        let pos = self.doc.get(list).map_or(self.doc.pos, |l| l.pos);
        Err(vec![Diagnostic::error(
            pos,
            format!("the {kind} `{name}` of `{principal}` is not in the snapshot's `{list}`"),
        )
        .with_help(help)
        .in_source(&self.source)])
    }

    /// Reads one document (an object, a JSON string, or a URL-encoded string) of the snapshot.
    fn document(&self, node: &Json) -> Result<(Json, bool), Vec<Diagnostic>> {
        let encoded = node.as_str().is_some_and(|s| {
            s.trim_start()
                .get(..3)
                .is_some_and(|h| h.eq_ignore_ascii_case("%7b"))
        });
        let found =
            crate::wrapped::policy_document(node.clone(), &self.source).map_err(|d| vec![d])?;
        Ok((found.doc, encoded))
    }

    /// Lowers a document for `layer`, named `place`.
    fn lower(
        &self,
        p: &mut Picked,
        node: &Json,
        layer: Layer,
        place: String,
        via: Option<String>,
    ) -> Result<(), Vec<Diagnostic>> {
        let (doc, encoded) = self.document(node)?;
        let src = PolicySource {
            id: place.clone(),
            file: Some(self.source.name().to_string()),
            layer,
        };
        let (policy, diags) = lower_policy(&doc, &src, Cloud::Aws);
        let (errors, warnings): (Vec<_>, Vec<_>) = diags
            .into_iter()
            .map(|d| d.in_source(&self.source))
            .partition(Diagnostic::is_error);
        p.warnings.extend(warnings);
        if !errors.is_empty() {
            return Err(errors);
        }
        let Some(policy) = policy else {
            return Err(vec![Diagnostic::error(
                node.pos,
                format!("`{place}` holds no policy"),
            )
            .in_source(&self.source)]);
        };
        p.taken.push(Taken {
            layer,
            level: None,
            policy,
            place,
            via,
            pos: node.pos,
            encoded,
        });
        Ok(())
    }

    /// An entity's inline policies (`list` of `{PolicyName, PolicyDocument}`).
    fn inline(
        &self,
        p: &mut Picked,
        entity: &Json,
        list: &str,
        key: &str,
        place: &str,
        via: Option<&str>,
    ) -> Result<(), Vec<Diagnostic>> {
        for (i, item) in items(entity, list).iter().enumerate() {
            let name = text(item, key).map_or_else(|| format!("{i}"), str::to_string);
            let Some(doc) = item.get("PolicyDocument") else {
                return Err(vec![Diagnostic::error(
                    item.pos,
                    format!("the inline policy `{name}` has no `PolicyDocument`"),
                )
                .in_source(&self.source)]);
            };
            self.lower(
                p,
                doc,
                Layer::Identity,
                format!("{place}.{list}[{name}]"),
                via.map(str::to_string),
            )?;
        }
        Ok(())
    }

    /// An entity's attached managed policies.
    fn attached(
        &self,
        p: &mut Picked,
        entity: &Json,
        place: &str,
        via: Option<&str>,
    ) -> Result<(), Vec<Diagnostic>> {
        for item in items(entity, "AttachedManagedPolicies") {
            let Some(arn) = text(item, "PolicyArn") else {
                return Err(vec![Diagnostic::error(
                    item.pos,
                    "an attached policy has no `PolicyArn`",
                )
                .in_source(&self.source)]);
            };
            let name = text(item, "PolicyName").unwrap_or(arn);
            let how = match via {
                Some(v) => format!("attached at {place}.AttachedManagedPolicies[{name}], {v}"),
                None => format!("attached at {place}.AttachedManagedPolicies[{name}]"),
            };
            self.managed(p, arn, item.pos, Layer::Identity, &how)?;
        }
        Ok(())
    }

    /// The default version of the managed policy `arn`, for `layer`; `pos` is where the
    /// snapshot names it.
    fn managed(
        &self,
        p: &mut Picked,
        arn: &str,
        pos: Pos,
        layer: Layer,
        via: &str,
    ) -> Result<(), Vec<Diagnostic>> {
        let policy = items(&self.doc, "Policies")
            .iter()
            .find(|x| text(x, "Arn") == Some(arn));
        let Some(policy) = policy else {
            let aws_managed = arn_parts(arn).is_some_and(|(_, a, _)| a == "aws");
            let help = if aws_managed {
                "AWS managed policies are in the snapshot only when it is taken with `--filter` including `AWSManagedPolicy` (with `User`, `Role`, `Group`, `LocalManagedPolicy`)"
            } else {
                "take the snapshot with `--filter` including `LocalManagedPolicy`, or give the policy with --policy"
            };
            self.incomplete(
                p,
                Some(layer),
                pos,
                format!("the {} layer is incomplete: `{arn}` ({via}) is not in the snapshot's `Policies`", layer.name()),
                help,
            );
            return Ok(());
        };
        let name = text(policy, "PolicyName").unwrap_or(arn);
        let versions = items(policy, "PolicyVersionList");
        let default_id = text(policy, "DefaultVersionId");
        let version = versions
            .iter()
            .find(|v| default_id.is_some() && text(v, "VersionId") == default_id)
            .or_else(|| {
                versions.iter().find(|v| {
                    v.get("IsDefaultVersion")
                        .is_some_and(|b| b.kind == JsonKind::Bool(true))
                })
            });
        let Some(version) = version else {
            return Err(vec![Diagnostic::error(
                policy.pos,
                format!(
                    "the managed policy `{arn}` has no default version in `PolicyVersionList`{}",
                    default_id
                        .map(|d| format!(" (`DefaultVersionId` is `{d}`)"))
                        .unwrap_or_default()
                ),
            )
            .with_help("take the snapshot again: its `PolicyVersionList` holds the default version")
            .in_source(&self.source)]);
        };
        let vid = text(version, "VersionId").unwrap_or("default");
        let Some(doc) = version.get("Document") else {
            return Err(vec![Diagnostic::error(
                version.pos,
                format!("version `{vid}` of `{arn}` has no `Document`"),
            )
            .in_source(&self.source)]);
        };
        self.lower(
            p,
            doc,
            layer,
            format!("Policies[{name}].PolicyVersionList[{vid}]"),
            Some(via.to_string()),
        )
    }

    /// The trust policy of the role `resource` names, as the resource layer.
    fn trust(&self, p: &mut Picked, resource: &str) -> Result<(), Vec<Diagnostic>> {
        let Some(("iam", _, r)) = arn_parts(resource) else {
            return Ok(());
        };
        if !r.starts_with("role/") {
            return Ok(());
        }
        p.layers.push((Layer::Resource, None));
        let role = items(&self.doc, "RoleDetailList")
            .iter()
            .find(|x| text(x, "Arn") == Some(resource));
        let Some(role) = role else {
            let pos = self
                .doc
                .get("RoleDetailList")
                .map_or(self.doc.pos, |l| l.pos);
            self.incomplete(
                p,
                Some(Layer::Resource),
                pos,
                format!("the resource layer is incomplete: the role `{resource}` is not in the snapshot's `RoleDetailList`, so its trust policy is not read"),
                "give the trust policy with --policy (resource/), or the snapshot of the role's account",
            );
            return Ok(());
        };
        let name = text(role, "RoleName").unwrap_or(r);
        let Some(doc) = role.get("AssumeRolePolicyDocument") else {
            return Err(vec![Diagnostic::error(
                role.pos,
                format!("the role `{name}` has no `AssumeRolePolicyDocument`"),
            )
            .in_source(&self.source)]);
        };
        self.lower(
            p,
            doc,
            Layer::Resource,
            format!("RoleDetailList[{name}].AssumeRolePolicyDocument"),
            Some("the trust policy of the role assumed".into()),
        )
    }
}

/// The SCPs and RCPs of an Organizations export (`--organization org.json`):
///
/// ```json
/// { "Path": [ { "Target": "r-examplerootid111", "Name": "Root",
///               "Policies": [ <`aws organizations describe-policy` output>, ... ] },
///             { "Target": "ou-exam-ple11111", "Name": "Workloads", "Policies": [ ... ] },
///             { "Target": "111122223333", "Policies": [ ... ] } ] }
/// ```
///
/// One entry per level from the root down to the account (`aws organizations
/// list-parents` gives the path, `list-policies-for-target --filter SERVICE_CONTROL_POLICY` /
/// `RESOURCE_CONTROL_POLICY` each level's policies, `describe-policy` each policy). A policy's
/// `Policy.PolicySummary.Type` puts it in the `scp` or `rcp` layer, at a level named
/// `N-NAME` (`1-Root`, `2-Workloads`, `3-111122223333`) so levels stay in path order. When the
/// export holds any SCP, every level takes part in the `scp` layer, and a level listing none
/// allows nothing (AWS requires an SCP at every level: an export without one is missing it, and
/// polsim does not guess it allows). A level listing no RCP is left out of the `rcp` layer (AWS
/// attaches `RCPFullAWSAccess` to every level by itself).
pub fn organization(source: &Source) -> Result<Picked, Vec<Diagnostic>> {
    let doc = json::parse(source.text()).map_err(|e| vec![e.diagnostic(source)])?;
    refuse_duplicates(&doc, source)?;
    let err = |pos: Pos, m: String| {
        vec![Diagnostic::error(pos, m)
            .with_help("an Organizations export is `{\"Path\": [{\"Target\": ID, \"Name\": NAME, \"Policies\": [describe-policy outputs]}, ...]}`, root first (docs/cli.md)")
            .in_source(source)]
    };
    let Some(path) = doc.get("Path") else {
        return Err(err(
            doc.pos,
            "the Organizations export has no `Path`".into(),
        ));
    };
    let JsonKind::Array(levels) = &path.kind else {
        return Err(err(
            path.pos,
            format!("`Path` must be a list, found {}", path.type_name()),
        ));
    };
    let mut p = Picked::default();
    let mut names = Vec::new();
    let mut any_scp = false;
    for (i, lv) in levels.iter().enumerate() {
        let Some(target) = text(lv, "Target") else {
            return Err(err(lv.pos, "a level of `Path` has no `Target`".into()));
        };
        let name = text(lv, "Name").unwrap_or(target);
        let level = format!("{}-{name}", i + 1);
        names.push(level.clone());
        for item in items(lv, "Policies") {
            let summary = item.get("Policy").and_then(|x| x.get("PolicySummary"));
            let ty = summary
                .and_then(|s| text(s, "Type"))
                .unwrap_or("SERVICE_CONTROL_POLICY");
            let layer = match ty {
                "SERVICE_CONTROL_POLICY" => Layer::Scp,
                "RESOURCE_CONTROL_POLICY" => Layer::Rcp,
                other => {
                    return Err(err(
                        item.pos,
                        format!("the policy type `{other}` is neither an SCP nor an RCP"),
                    ))
                }
            };
            if !p.layers.contains(&(layer, Some(level.clone()))) && layer == Layer::Rcp {
                p.layers.push((layer, Some(level.clone())));
            }
            any_scp |= layer == Layer::Scp;
            let pname = summary
                .and_then(|s| text(s, "Name").or_else(|| text(s, "Id")))
                .unwrap_or("policy");
            let place = format!("Path[{name}].Policies[{pname}]");
            let found =
                crate::wrapped::policy_document(item.clone(), source).map_err(|d| vec![d])?;
            if found.note.is_none() && item.get("Statement").is_none() {
                return Err(err(
                    item.pos,
                    format!("`{place}` holds no policy (`Policy.Content`)"),
                ));
            }
            let src = PolicySource {
                id: place.clone(),
                file: Some(source.name().to_string()),
                layer,
            };
            let (policy, diags) = lower_policy(&found.doc, &src, Cloud::Aws);
            let (errors, warnings): (Vec<_>, Vec<_>) = diags
                .into_iter()
                .map(|d| d.in_source(source))
                .partition(Diagnostic::is_error);
            if !errors.is_empty() {
                return Err(errors);
            }
            p.warnings.extend(warnings);
            let Some(policy) = policy else {
                return Err(err(item.pos, format!("`{place}` holds no policy")));
            };
            p.taken.push(Taken {
                layer,
                level: Some(level.clone()),
                policy,
                place,
                via: Some(format!("attached to {target}")),
                pos: found.doc.pos,
                encoded: false,
            });
        }
    }
    if any_scp {
        p.layers
            .splice(0..0, names.into_iter().map(|n| (Layer::Scp, Some(n))));
    }
    p.caller = format!("{} levels", levels.len());
    Ok(p)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    const SNAP: &str = r#"{
  "UserDetailList": [
    { "UserName": "alice", "UserId": "AIDAEXAMPLE", "Arn": "arn:aws:iam::111122223333:user/alice",
      "GroupList": ["devs"],
      "UserPolicyList": [ { "PolicyName": "own", "PolicyDocument": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]} } ],
      "AttachedManagedPolicies": [ { "PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess" } ],
      "PermissionsBoundary": { "PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/Boundary" } }
  ],
  "GroupDetailList": [
    { "GroupName": "devs", "Arn": "arn:aws:iam::111122223333:group/devs",
      "GroupPolicyList": [],
      "AttachedManagedPolicies": [ { "PolicyName": "S3Read", "PolicyArn": "arn:aws:iam::111122223333:policy/S3Read" } ] }
  ],
  "RoleDetailList": [
    { "RoleName": "WebAppRole", "RoleId": "AROAEXAMPLE", "Arn": "arn:aws:iam::111122223333:role/app/WebAppRole",
      "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
      "RolePolicyList": [], "AttachedManagedPolicies": [] }
  ],
  "Policies": [
    { "PolicyName": "S3Read", "Arn": "arn:aws:iam::111122223333:policy/S3Read", "DefaultVersionId": "v2",
      "PolicyVersionList": [
        { "VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]} },
        { "VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version":"2012-10-17","Statement":[]} } ] },
    { "PolicyName": "Boundary", "Arn": "arn:aws:iam::111122223333:policy/Boundary", "DefaultVersionId": "v1",
      "PolicyVersionList": [ { "VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]} } ] }
  ]
}"#;

    fn snap(text: &str) -> Snapshot {
        Snapshot::read(Source::new("auth.json", text)).unwrap()
    }

    #[test]
    fn a_user_gets_its_own_its_groups_and_its_boundary() {
        let p = snap(SNAP)
            .pick(
                "arn:aws:iam::111122223333:user/alice",
                "s3:GetObject",
                "arn:aws:s3:::b/k",
            )
            .unwrap();
        let places: Vec<&str> = p.taken.iter().map(|t| t.place.as_str()).collect();
        assert_eq!(
            places,
            [
                "UserDetailList[alice].UserPolicyList[own]",
                "Policies[S3Read].PolicyVersionList[v2]",
                "Policies[Boundary].PolicyVersionList[v1]",
            ]
        );
        assert_eq!(p.taken[2].layer, Layer::PermissionsBoundary);
        assert!(p.taken[1]
            .via
            .as_deref()
            .unwrap()
            .contains("through group devs"));
        assert_eq!(
            p.layers,
            [(Layer::Identity, None), (Layer::PermissionsBoundary, None)]
        );
        // The AWS managed policy is not in the snapshot: incomplete, with a located warning.
        assert_eq!(p.incomplete.len(), 1, "{:?}", p.incomplete);
        assert!(p.incomplete[0].why.contains("ReadOnlyAccess"));
        assert_eq!(p.incomplete[0].layer, Some(Layer::Identity));
        let w = &p.incomplete[0].warning;
        assert_eq!(w.file.as_deref(), Some("auth.json"));
        assert!(w.pos.line > 1);
        assert!(w.help.as_deref().unwrap().contains("AWSManagedPolicy"));
        // Statements point into the snapshot.
        assert_eq!(p.taken[0].policy.file.as_deref(), Some("auth.json"));
        assert_eq!(p.taken[0].policy.statements[0].pos.line, 5);
    }

    #[test]
    fn a_role_session_and_the_trust_policy_url_encoded() {
        let s = snap(SNAP);
        let p = s
            .pick(
                "arn:aws:sts::111122223333:assumed-role/WebAppRole/i-0abc",
                "s3:GetObject",
                "*",
            )
            .unwrap();
        assert!(p.taken.is_empty());
        assert_eq!(p.layers, [(Layer::Identity, None)]);
        assert!(p.caller.starts_with("role WebAppRole"));
        assert_eq!(
            s.principals(),
            [
                "arn:aws:iam::111122223333:user/alice",
                "arn:aws:iam::111122223333:role/app/WebAppRole"
            ]
        );
        let p = s
            .pick(
                "arn:aws:iam::111122223333:user/alice",
                "sts:AssumeRole",
                "arn:aws:iam::111122223333:role/app/WebAppRole",
            )
            .unwrap();
        let t = p.taken.iter().find(|t| t.layer == Layer::Resource).unwrap();
        assert!(t.encoded);
        assert_eq!(
            t.place,
            "RoleDetailList[WebAppRole].AssumeRolePolicyDocument"
        );
        assert!(t.describe("auth.json").contains("URL-encoded"));
        assert_eq!(t.policy.statements.len(), 1);
        // A role another snapshot holds: incomplete, not silently empty.
        let p = s
            .pick(
                "arn:aws:iam::111122223333:user/alice",
                "sts:AssumeRole",
                "arn:aws:iam::444455556666:role/Other",
            )
            .unwrap();
        assert!(p
            .incomplete
            .iter()
            .any(|i| i.why.contains("resource layer is incomplete")));
    }

    #[test]
    fn an_unknown_caller_is_an_error_with_the_nearest_names() {
        let e = snap(SNAP)
            .pick(
                "arn:aws:sts::111122223333:assumed-role/WebApRole/s",
                "s3:GetObject",
                "*",
            )
            .unwrap_err();
        assert!(
            e[0].message.contains("not in the snapshot"),
            "{}",
            e[0].message
        );
        assert!(e[0].help.as_deref().unwrap().contains("`WebAppRole`"));
        let e = snap(SNAP)
            .pick("arn:aws:iam::999999999999:user/alice", "s3:GetObject", "*")
            .unwrap_err();
        assert!(e[0].help.as_deref().unwrap().contains("another account"));
        let e = snap(SNAP)
            .pick("anonymous", "s3:GetObject", "*")
            .unwrap_err();
        assert!(e[0].message.contains("neither"));
    }

    #[test]
    fn a_missing_default_version_is_an_error() {
        let text = SNAP.replace("\"DefaultVersionId\": \"v2\"", "\"DefaultVersionId\": \"v9\"")
            .replace("\"IsDefaultVersion\": true, \"Document\": {\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"", "\"IsDefaultVersion\": false, \"Document\": {\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"");
        let e = snap(&text)
            .pick("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "*")
            .unwrap_err();
        assert!(
            e[0].message.contains("no default version"),
            "{}",
            e[0].message
        );
        assert!(e[0].message.contains("v9"));
    }

    #[test]
    fn not_a_snapshot() {
        let e = Snapshot::read(Source::new("x.json", r#"{"Version":"2012-10-17"}"#)).unwrap_err();
        assert!(e[0].message.contains("not an account snapshot"));
        let e = Snapshot::read(Source::new("x.json", r#"{"Policies": {}}"#)).unwrap_err();
        assert!(e[0].message.contains("must be a list"));
        let e = Snapshot::read(Source::new("x.json", r#"{"Policies": [], "Policies": []}"#));
        assert!(e.unwrap_err()[0].message.contains("appears twice"));
    }

    #[test]
    fn a_bad_policy_in_the_snapshot_is_located() {
        let text = SNAP.replace(
            "\"Action\":\"s3:ListBucket\"",
            "\"Actions\":\"s3:ListBucket\"",
        );
        let e = snap(&text)
            .pick("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "*")
            .unwrap_err();
        assert_eq!(e[0].file.as_deref(), Some("auth.json"));
        assert_eq!(e[0].pos.line, 5);
    }

    #[test]
    fn session_policy_arns() {
        let s = snap(SNAP);
        let p = s
            .managed_policies(
                &[
                    "arn:aws:iam::111122223333:policy/S3Read".into(),
                    "arn:aws:iam::111122223333:policy/Gone".into(),
                ],
                Layer::Session,
                "a session policy",
            )
            .unwrap();
        assert_eq!(p.taken.len(), 1);
        assert_eq!(p.taken[0].layer, Layer::Session);
        assert!(p.incomplete[0].why.contains("session layer is incomplete"));
    }

    #[test]
    fn an_organization_export() {
        let text = r#"{"Path": [
  {"Target": "r-ab12", "Name": "Root", "Policies": [
    {"Policy": {"PolicySummary": {"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY"},
                "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}}]},
  {"Target": "111122223333", "Policies": [
    {"Policy": {"PolicySummary": {"Name": "OnlyOrg", "Type": "RESOURCE_CONTROL_POLICY"},
                "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}}]}
]}"#;
        let p = organization(&Source::new("org.json", text)).unwrap();
        assert_eq!(p.taken.len(), 2);
        assert_eq!(p.taken[0].layer, Layer::Scp);
        assert_eq!(p.taken[0].level.as_deref(), Some("1-Root"));
        assert_eq!(p.taken[1].layer, Layer::Rcp);
        assert_eq!(p.taken[1].level.as_deref(), Some("2-111122223333"));
        let l = |layer, n: &str| (layer, Some(n.to_string()));
        assert_eq!(
            p.layers,
            [
                l(Layer::Scp, "1-Root"),
                l(Layer::Scp, "2-111122223333"),
                l(Layer::Rcp, "2-111122223333")
            ]
        );
        // Inside a string: positions point into it.
        assert_eq!(p.taken[0].policy.statements[0].pos.line, 4);
        assert!(organization(&Source::new("org.json", "{}")).is_err());
    }
}
