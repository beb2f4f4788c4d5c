//! The request being judged: who calls, what action on which resource, and its context keys.

use crate::ir::Cloud;
use std::collections::BTreeMap;

/// The kinds of caller the evaluators distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerKind {
    /// An unsigned request.
    Anonymous,
    /// A cloud service calling (`s3.amazonaws.com`, `ecs.aliyuncs.com`).
    Service,
    /// The account itself (AWS root user, Alibaba Cloud account, Tencent root account).
    Root,
    /// A user of the account (IAM user, RAM user, CAM sub-account).
    User,
    /// A session of a role (AWS assumed-role, Alibaba STS role session, Tencent role).
    RoleSession,
    /// An AWS GetFederationToken session.
    FederatedUser,
}

/// The caller, parsed from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Which kind of caller.
    pub kind: CallerKind,
    /// The name as given by the user.
    pub text: String,
    /// The account the caller belongs to, where there is one.
    pub account: Option<String>,
    /// The partition (`aws`, `aws-cn`, ...), for AWS.
    pub partition: String,
    /// User name, role name, federated-user name or service name.
    pub name: Option<String>,
    /// The path of an IAM user or role (`/` when none), for AWS.
    pub path: String,
    /// The session name of a role session, when known.
    pub session: Option<String>,
    /// The caller's unique id (`aws:userid`, RAM user UID), when given.
    pub id: Option<String>,
    /// The ARN that stands for the caller in access-denied messages.
    pub display_arn: String,
    /// The ARN that `aws:PrincipalArn` carries (the role ARN for a role session).
    pub principal_arn: Option<String>,
}

impl Caller {
    /// Whether the caller is a principal of the cloud's identity system (not anonymous, not a
    /// service).
    pub fn is_identity(&self) -> bool {
        !matches!(self.kind, CallerKind::Anonymous | CallerKind::Service)
    }

    /// An AWS service-linked role (`role/aws-service-role/...`): SCPs and RCPs do not apply.
    pub fn is_service_linked_role(&self) -> bool {
        self.kind == CallerKind::RoleSession && self.path.starts_with("/aws-service-role/")
    }
}

/// A context value: one value or a set of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CtxValue {
    /// A single value.
    One(String),
    /// A multi-valued key (a JSON list in a test file).
    Many(Vec<String>),
}

impl CtxValue {
    /// The values as a list.
    pub fn values(&self) -> Vec<String> {
        match self {
            CtxValue::One(s) => vec![s.clone()],
            CtxValue::Many(v) => v.clone(),
        }
    }
}

/// The request context: condition keys and their values. Lookups are case-insensitive unless
/// the cloud says keys are case-sensitive (Tencent CAM).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: BTreeMap<String, (String, CtxValue)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets `key` (replacing any value under the same key in any case).
    pub fn insert(&mut self, key: &str, value: CtxValue) {
        self.entries
            .insert(key.to_lowercase(), (key.to_string(), value));
    }

    /// Sets `key` unless it is already there.
    pub fn insert_default(&mut self, key: &str, value: CtxValue) {
        self.entries
            .entry(key.to_lowercase())
            .or_insert_with(|| (key.to_string(), value));
    }

    /// Whether `key` is set (case-insensitively).
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(&key.to_lowercase())
    }

    /// The value of `key`; `case_sensitive` also requires the key's case to agree.
    pub fn get(&self, key: &str, case_sensitive: bool) -> Option<&CtxValue> {
        let (written, v) = self.entries.get(&key.to_lowercase())?;
        if case_sensitive && written != key {
            return None;
        }
        Some(v)
    }

    /// A single-valued key's value, for policy variables.
    pub fn get_single(&self, key: &str, case_sensitive: bool) -> Option<String> {
        match self.get(key, case_sensitive)? {
            CtxValue::One(s) => Some(s.clone()),
            CtxValue::Many(_) => None,
        }
    }

    /// Every key with its value, keys as written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CtxValue)> {
        self.entries.values().map(|(k, v)| (k.as_str(), v))
    }
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The cloud the request is made to.
    pub cloud: Cloud,
    /// Who calls.
    pub caller: Caller,
    /// The action (`s3:GetObject`).
    pub action: String,
    /// The resource name, or `*` for actions that take none.
    pub resource: String,
    /// The account that owns the resource, where known.
    pub resource_account: Option<String>,
    /// The access point the request goes through, if any.
    pub access_point: Option<String>,
    /// Condition keys given by the user; the evaluator adds the ones that follow from the
    /// caller and the resource.
    pub context: Context,
}
