//! The request being judged: who calls, what action on which resource, and its context keys.

use crate::ir::Cloud;

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
    /// The IAM user a GetFederationToken session was made by (AWS), when known.
    pub federated_by: Option<String>,
}

impl Caller {
    /// An anonymous caller as given by `text` (every cloud's parser starts from it), in the
    /// cloud's `partition`, with the unique id given beside it, if any.
    pub fn anonymous(text: &str, partition: &str, id: Option<&str>) -> Caller {
        Caller {
            kind: CallerKind::Anonymous,
            text: text.to_string(),
            account: None,
            partition: partition.to_string(),
            name: None,
            path: "/".into(),
            session: None,
            id: id.map(str::to_string),
            display_arn: "anonymous".into(),
            principal_arn: None,
            federated_by: None,
        }
    }

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
        self.view().iter().map(str::to_string).collect()
    }

    /// A borrowed view.
    pub fn view(&self) -> Value<'_> {
        match self {
            CtxValue::One(s) => Value::One(s),
            CtxValue::Many(v) => Value::Many(v),
        }
    }
}

/// A borrowed context value: what conditions read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// A single value.
    One(&'a str),
    /// A multi-valued key.
    Many(&'a [String]),
}

impl<'a> Value<'a> {
    /// The values, one by one.
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many): (Option<&'a str>, &'a [String]) = match self {
            Value::One(s) => (Some(s), &[]),
            Value::Many(v) => (None, v),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }

    /// Whether the key carries no value at all (an empty string or an empty list).
    pub fn is_empty(self) -> bool {
        match self {
            Value::One(s) => s.is_empty(),
            Value::Many(v) => v.is_empty(),
        }
    }
}

/// One entry of a [`Context`]: the key folded to lowercase (ASCII), as written, and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    folded: String,
    written: String,
    value: CtxValue,
}

/// Compares a folded key with a key as written, folding the latter on the fly.
fn cmp_folded(folded: &str, key: &str) -> std::cmp::Ordering {
    folded
        .bytes()
        .cmp(key.bytes().map(|b| b.to_ascii_lowercase()))
}

/// The request context: condition keys and their values. Lookups are case-insensitive (ASCII)
/// unless the cloud says keys are case-sensitive (Tencent CAM); they never allocate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<Entry>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|e| cmp_folded(&e.folded, key))
    }

    /// Sets `key` (replacing any value under the same key in any case).
    pub fn insert(&mut self, key: &str, value: CtxValue) {
        let entry = Entry {
            folded: key.to_ascii_lowercase(),
            written: key.to_string(),
            value,
        };
        match self.find(key) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    *e = entry;
                }
            }
            Err(i) => self.entries.insert(i, entry),
        }
    }

    /// Takes `key` out (in any case), if it is there.
    pub fn remove(&mut self, key: &str) {
        if let Ok(i) = self.find(key) {
            self.entries.remove(i);
        }
    }

    /// Sets `key` unless it is already there.
    pub fn insert_default(&mut self, key: &str, value: CtxValue) {
        if !self.contains(key) {
            self.insert(key, value);
        }
    }

    /// Whether `key` is set (case-insensitively).
    pub fn contains(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// The value of `key`; `case_sensitive` also requires the key's case to agree.
    pub fn get(&self, key: &str, case_sensitive: bool) -> Option<&CtxValue> {
        let e = self.entries.get(self.find(key).ok()?)?;
        if case_sensitive && e.written != key {
            return None;
        }
        Some(&e.value)
    }

    /// The key as written, when `key` is set under another case.
    pub fn written(&self, key: &str) -> Option<&str> {
        let e = self.entries.get(self.find(key).ok()?)?;
        Some(&e.written)
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
        self.entries.iter().map(|e| (e.written.as_str(), &e.value))
    }

    /// How many keys are set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Context keys the simulator fills in from the caller and the resource: a fixed-size list of
/// borrowed pairs, so that deriving them neither clones the user's context nor allocates.
#[derive(Debug, Clone, Copy)]
pub struct Derived<'a> {
    items: [(&'static str, &'a str); Derived::CAPACITY],
    len: usize,
}

impl Default for Derived<'_> {
    fn default() -> Self {
        Derived {
            items: [("", ""); Derived::CAPACITY],
            len: 0,
        }
    }
}

impl<'a> Derived<'a> {
    /// The most keys a cloud derives.
    pub const CAPACITY: usize = 16;

    /// Adds `key` with `value` unless the user's context sets it (the user's value wins).
    pub fn add(&mut self, user: &Context, key: &'static str, value: Option<&'a str>) {
        let Some(v) = value else { return };
        if user.contains(key) || self.len >= Derived::CAPACITY {
            return;
        }
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = (key, v);
            self.len += 1;
        }
    }

    /// The derived keys in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'a str)> + '_ {
        self.items.iter().take(self.len).copied()
    }

    fn get(&self, key: &str, case_sensitive: bool) -> Option<&'a str> {
        self.iter()
            .find(|(k, _)| {
                if case_sensitive {
                    *k == key
                } else {
                    k.eq_ignore_ascii_case(key)
                }
            })
            .map(|(_, v)| v)
    }
}

/// What conditions and policy variables read: the user's context, then the derived keys.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// The context the user gave.
    pub user: &'a Context,
    /// The keys derived from the caller and the resource.
    pub derived: &'a Derived<'a>,
    /// Whether key names must agree in case (Tencent CAM).
    pub case_sensitive: bool,
}

impl<'a> Env<'a> {
    /// The value of `key`, if the request carries it.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        if let Some(v) = self.user.get(key, self.case_sensitive) {
            return Some(v.view());
        }
        let d = self.derived.get(key, self.case_sensitive)?;
        Some(Value::One(d))
    }

    /// A single-valued key's value, for policy variables.
    pub fn single(&self, key: &str) -> Option<&'a str> {
        match self.get(key)? {
            Value::One(s) => Some(s),
            Value::Many(_) => None,
        }
    }
}

/// One request.
#[derive(Debug, Clone, PartialEq)]
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
    /// The operation, headers, copy source, version and signing (test format version 2).
    pub extras: crate::state::RequestExtras,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_lookups_fold_ascii_case_and_keep_the_written_key() {
        let mut c = Context::new();
        c.insert("aws:SourceVpce", CtxValue::One("vpce-1".into()));
        c.insert("AWS:sourcevpce", CtxValue::One("vpce-2".into()));
        assert_eq!(c.len(), 1);
        assert_eq!(c.written("aws:sourceVPCE"), Some("AWS:sourcevpce"));
        assert_eq!(
            c.get("aws:SOURCEVPCE", false),
            Some(&CtxValue::One("vpce-2".into()))
        );
        assert_eq!(c.get("aws:SourceVpce", true), None);
        c.insert_default("aws:SourceVpce", CtxValue::One("ignored".into()));
        assert_eq!(
            c.get_single("aws:sourcevpce", false).as_deref(),
            Some("vpce-2")
        );
    }

    #[test]
    fn derived_keys_never_override_the_users() {
        let mut user = Context::new();
        user.insert("aws:PrincipalType", CtxValue::One("User".into()));
        let mut d = Derived::default();
        d.add(&user, "aws:PrincipalType", Some("Anonymous"));
        d.add(&user, "aws:userid", Some("anonymous"));
        d.add(&user, "aws:username", None);
        assert_eq!(d.iter().count(), 1);
        let env = Env {
            user: &user,
            derived: &d,
            case_sensitive: false,
        };
        assert_eq!(env.single("aws:principaltype"), Some("User"));
        assert_eq!(env.single("AWS:USERID"), Some("anonymous"));
        assert_eq!(env.get("aws:username"), None);
        let strict = Env {
            case_sensitive: true,
            ..env
        };
        assert_eq!(strict.single("AWS:USERID"), None);
    }

    #[test]
    fn multi_valued_views() {
        let v = CtxValue::Many(vec!["a".into(), "b".into()]);
        assert_eq!(v.view().iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(CtxValue::Many(vec![]).view().is_empty());
        assert!(CtxValue::One(String::new()).view().is_empty());
    }
}
