//! The intermediate representation: one shape of policy for every cloud.
//!
//! Every dialect parser lowers its documents into these types. Patterns and conditions are data
//! (compiled matchers, operator descriptions), never closures, so that later analyses (a
//! semantic diff, generators for property tests) can reason over them. Every element carries the
//! position where it was written.

use crate::pattern::{Glob, Template};
use std::fmt;

/// A 1-based line and column in a source file (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// The clouds polsim knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cloud {
    /// Amazon Web Services (IAM).
    Aws,
    /// Alibaba Cloud (RAM).
    Aliyun,
    /// Tencent Cloud (CAM).
    Tencent,
}

impl Cloud {
    /// The name used in test files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Aliyun => "aliyun",
            Cloud::Tencent => "tencent",
        }
    }

    /// The cloud's name in prose (`AWS`, `Alibaba Cloud`, `Tencent Cloud`).
    pub fn title(self) -> &'static str {
        match self {
            Cloud::Aws => "AWS",
            Cloud::Aliyun => "Alibaba Cloud",
            Cloud::Tencent => "Tencent Cloud",
        }
    }

    /// Reads a cloud name as written in a test file.
    pub fn from_name(s: &str) -> Option<Cloud> {
        match s.to_ascii_lowercase().as_str() {
            "aws" => Some(Cloud::Aws),
            "aliyun" | "alibaba" | "alibabacloud" => Some(Cloud::Aliyun),
            "tencent" | "tencentcloud" | "qcloud" => Some(Cloud::Tencent),
            _ => None,
        }
    }
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Grants, unless something denies.
    Allow,
    /// Denies, whatever else allows.
    Deny,
}

impl Effect {
    /// `Allow` or `Deny`.
    pub fn name(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// The policy layers of a request, named as in the test file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Resource control policies (AWS Organizations).
    Rcp,
    /// Service control policies (AWS Organizations), control policies (Resource Directory).
    Scp,
    /// VPC endpoint / PrivateLink endpoint policy.
    VpcEndpoint,
    /// S3 / OSS access point policy.
    AccessPoint,
    /// Resource-based policy: bucket policy, key policy, role trust policy.
    Resource,
    /// Identity-based policies of the caller.
    Identity,
    /// Permissions boundary.
    PermissionsBoundary,
    /// Session policies (STS).
    Session,
    /// The key policy of the KMS key behind an encrypted object: judged in the KMS request the
    /// storage service makes for the caller, not in the request itself.
    KmsKey,
    /// The grants of the bucket's and object's ACLs, read from the resource's state as
    /// statements (ACLs only grant).
    Acl,
}

impl Layer {
    /// Every layer, in the order explicit denies are reported.
    pub const ALL: [Layer; 10] = [
        Layer::Rcp,
        Layer::Scp,
        Layer::VpcEndpoint,
        Layer::AccessPoint,
        Layer::Resource,
        Layer::Acl,
        Layer::Identity,
        Layer::PermissionsBoundary,
        Layer::Session,
        Layer::KmsKey,
    ];

    /// How many layers there are.
    pub const COUNT: usize = 10;

    /// The layer's place in [`Layer::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the layer is a chain of levels (SCP, RCP).
    pub fn has_levels(self) -> bool {
        matches!(self, Layer::Scp | Layer::Rcp)
    }

    /// The test-file member name (`identity`, `permissions_boundary`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Layer::Rcp => "rcp",
            Layer::Scp => "scp",
            Layer::VpcEndpoint => "vpc_endpoint",
            Layer::AccessPoint => "access_point",
            Layer::Resource => "resource",
            Layer::Identity => "identity",
            Layer::PermissionsBoundary => "permissions_boundary",
            Layer::Session => "session",
            Layer::KmsKey => "kms_key",
            Layer::Acl => "acl",
        }
    }

    /// Reads a test-file member name (dashes accepted for underscores). The ACL layer is not a
    /// member: it is built from the resource's state.
    pub fn from_name(s: &str) -> Option<Layer> {
        let s = s.replace('-', "_");
        Layer::ALL
            .into_iter()
            .filter(|l| *l != Layer::Acl)
            .find(|l| l.name() == s)
    }

    /// Whether statements of this layer carry a `Principal`.
    pub fn has_principal(self) -> bool {
        matches!(
            self,
            Layer::Resource
                | Layer::Rcp
                | Layer::VpcEndpoint
                | Layer::AccessPoint
                | Layer::KmsKey
                | Layer::Acl
        )
    }
}

/// A policy document lowered into the IR.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The name shown in reports: the id given in the test file, else the file name.
    pub id: String,
    /// The file the policy came from, if any.
    pub file: Option<String>,
    /// The dialect it was written in.
    pub cloud: Cloud,
    /// The `Version` element as written, if any.
    pub version: Option<String>,
    /// Whether `${...}` policy variables are substituted (AWS 2012-10-17).
    pub variables: bool,
    /// Where the document starts.
    pub pos: Pos,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// 1-based place in the policy.
    pub index: usize,
    /// The `Sid`, if any.
    pub sid: Option<String>,
    /// Where the statement starts.
    pub pos: Pos,
    /// Allow or Deny.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub action: Clause<ActionPattern>,
    /// `Resource` or `NotResource`; `None` where the policy type has none (trust policies).
    pub resource: Option<Clause<ResourcePattern>>,
    /// `Principal` or `NotPrincipal`; `None` where the policy type has none.
    pub principal: Option<Clause<PrincipalEntry>>,
    /// The conditions, all of which must hold.
    pub conditions: Vec<Condition>,
}

/// A list element and its negated form (`Action` / `NotAction`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Clause<T> {
    /// True for `NotAction`, `NotResource`, `NotPrincipal`.
    pub negated: bool,
    /// Where the element's name is written.
    pub pos: Pos,
    /// The values, any of which may match.
    pub items: Vec<T>,
}

/// One entry of `Action` / `NotAction`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionPattern {
    /// As written.
    pub text: String,
    /// Where it is written.
    pub pos: Pos,
    /// Compiled; lowercased where the cloud matches actions case-insensitively.
    pub glob: Glob,
    /// Whether matching folds case.
    pub case_insensitive: bool,
}

impl ActionPattern {
    /// Compiles an action pattern; `normal` is the text as the cloud compares it (see
    /// [`crate::profile::CloudProfile::normalize_action`]).
    pub fn new(text: &str, normal: &str, pos: Pos, case_insensitive: bool) -> ActionPattern {
        // An empty or white-space padded name never matches anything.
        let glob = if text.trim() != text || text.is_empty() {
            Glob::literal("\u{0}never")
        } else if case_insensitive {
            Glob::new(&normal.to_lowercase())
        } else {
            Glob::new(normal)
        };
        ActionPattern {
            text: text.to_string(),
            pos,
            glob,
            case_insensitive,
        }
    }

    /// Whether the pattern matches a requested action (normalised by the cloud's profile,
    /// case folded on the fly where the cloud folds it).
    pub fn matches(&self, action: &str) -> bool {
        if self.case_insensitive {
            self.glob.matches_folded(action)
        } else {
            self.glob.matches(action)
        }
    }
}

/// One entry of `Resource` / `NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePattern {
    /// As written.
    pub text: String,
    /// Where it is written.
    pub pos: Pos,
    /// The resource name split into the segments the cloud compares one by one; the last
    /// segment holds the rest of the name.
    pub segments: Vec<Template>,
    /// How each segment compares (same length as `segments`), decided when the policy is
    /// lowered.
    pub rules: Vec<SegmentRule>,
    /// The whole text as one wildcard pattern, for names that are not of the cloud's shape.
    pub whole: Glob,
    /// `*` alone.
    pub any: bool,
}

/// How one segment of a resource pattern compares with the request's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentRule {
    /// Compared as a wildcard pattern.
    Compare,
    /// Left empty where the cloud reads an empty segment as "any" (CAM's project and region).
    AnyValue,
    /// Left empty where the cloud reads it as "the policy owner's account" (CAM's account
    /// segment): any value in a resource-based policy or when the caller owns the resource,
    /// else compared (so it matches only an empty segment).
    OwnAccount,
}

/// How one part of a principal name compares with the caller's.
#[derive(Debug, Clone, PartialEq)]
pub enum NamePart {
    /// Byte for byte.
    Exact(String),
    /// Ignoring ASCII case (held lowercased).
    Folded(String),
    /// A wildcard pattern, case-sensitively.
    Pattern(Glob),
    /// A wildcard pattern compiled from lowercased text, ignoring ASCII case.
    FoldedPattern(Glob),
}

impl NamePart {
    /// Whether `s` is what this part names.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            NamePart::Exact(e) => e == s,
            NamePart::Folded(e) => e.eq_ignore_ascii_case(s),
            NamePart::Pattern(g) => g.matches(s),
            NamePart::FoldedPattern(g) => g.matches_folded(s),
        }
    }

    /// Whether an optional caller value is what this part names (absent never is).
    pub fn matches_opt(&self, s: Option<&str>) -> bool {
        s.is_some_and(|s| self.matches(s))
    }
}

/// What a principal entry names, read once when the policy is lowered (by the cloud's
/// profile), so that matching compares typed parts and later analyses can reason over them.
#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalForm {
    /// Everyone, anonymous callers included (`*`).
    Everyone,
    /// Every signed caller (S3's `AuthenticatedUsers` ACL group).
    AnySigned,
    /// CAM's `qcs::cam::anyone:anyone`: everyone in an Allow, but only unsigned callers in a
    /// Deny (COS bucket policy documentation: "deny all users" never denies CAM users).
    Anyone,
    /// An account (its root identity, or every identity of it, as the cloud reads it).
    Account(NamePart),
    /// A user of an account.
    User {
        /// The account.
        account: NamePart,
        /// The user name (with its path, for AWS).
        name: NamePart,
    },
    /// A role (and so its sessions).
    Role {
        /// The account.
        account: NamePart,
        /// The role name.
        name: NamePart,
    },
    /// One session of a role.
    Session {
        /// The account.
        account: NamePart,
        /// The role name.
        role: NamePart,
        /// The session name.
        session: NamePart,
    },
    /// An AWS GetFederationToken session.
    FederatedUser {
        /// The account.
        account: NamePart,
        /// The federated user's name.
        name: NamePart,
    },
    /// A cloud service (`s3.amazonaws.com`, `ecs.aliyuncs.com`), compared ignoring case.
    Service(String),
    /// An identity provider or canonical user: the caller's unique id.
    Id(String),
    /// An Alibaba Cloud UID: a RAM user's UID, or an account's.
    UniqueId(Glob),
    /// An OSS role-session name pattern (`arn:sts::UID:assumed-role/ROLE/SESSION`).
    SessionPattern(Glob),
    /// A name the cloud does not accept as a principal, or a form polsim does not model: it
    /// matches nothing (lowering warns where the cloud accepts the document).
    Unsupported,
}

/// Who a principal entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    Any,
    /// `AWS`: an account, user, role, session or federated user.
    Aws,
    /// `Service`: a cloud service.
    Service,
    /// `Federated`: an identity provider.
    Federated,
    /// `CanonicalUser` (S3).
    CanonicalUser,
    /// Alibaba OSS flat principal list entry (a UID, a role session ARN).
    Uid,
    /// Alibaba RAM trust policy `RAM` entry.
    Ram,
    /// Tencent `qcs` entry.
    Qcs,
}

/// One principal named in `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    /// What kind of name it is.
    pub kind: PrincipalKind,
    /// The value as written (`*` for [`PrincipalKind::Any`]).
    pub value: String,
    /// Where it is written.
    pub pos: Pos,
    /// What it names, as `cloud` reads it.
    pub form: PrincipalForm,
}

/// How a condition operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpFamily {
    /// `StringEquals` (case-sensitive).
    StringEquals,
    /// `StringEqualsIgnoreCase`.
    StringEqualsIgnoreCase,
    /// `StringLike` with `*` and `?`.
    StringLike,
    /// Numbers.
    Numeric(Cmp),
    /// Dates (ISO 8601 or epoch seconds).
    Date(Cmp),
    /// `Bool`.
    Bool,
    /// `BinaryEquals` (base64, byte for byte).
    Binary,
    /// `IpAddress` (CIDR).
    Ip,
    /// `ArnEquals` / `ArnLike` (colon-segmented).
    Arn,
    /// `Null`: whether the key is absent.
    Null,
}

/// A comparison for numeric and date operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// Equal.
    Eq,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
}

/// `ForAnyValue:` / `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// At least one request value must satisfy the operator.
    ForAnyValue,
    /// Every request value must satisfy the operator.
    ForAllValues,
}

/// A condition operator as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// The comparison.
    pub family: OpFamily,
    /// `...Not...` operators: true when no policy value matches.
    pub negated: bool,
    /// `...IfExists`: true when the key is absent.
    pub if_exists: bool,
    /// Set qualifier, if any.
    pub set: Option<SetQualifier>,
}

/// One condition: an operator applied to one key with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator as data.
    pub op: Operator,
    /// The operator as written (`ForAnyValue:StringLike`).
    pub op_text: String,
    /// Where the operator is written.
    pub op_pos: Pos,
    /// The key as written.
    pub key: String,
    /// Where the key is written.
    pub key_pos: Pos,
    /// The policy values, any of which may match (all must not match for negated operators).
    pub values: Vec<ConditionValue>,
}

/// One policy value of a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionValue {
    /// The value as text (numbers and booleans as written).
    pub text: String,
    /// With policy variables, where the operator allows them.
    pub template: Template,
    /// Where it is written.
    pub pos: Pos,
    /// The value read once for its operator family; `None` when it holds policy variables
    /// (then it is read per request, after substitution).
    pub typed: Option<Typed>,
}

impl ConditionValue {
    /// A condition value, typed for `family` unless it has policy variables.
    pub fn new(text: String, template: Template, pos: Pos, family: OpFamily) -> ConditionValue {
        let typed = (!template.has_variables()).then(|| Typed::read(family, &template));
        ConditionValue {
            text,
            template,
            pos,
            typed,
        }
    }
}

/// A policy value read for one operator family: decided when the policy is lowered, so that
/// evaluation compares typed values (and later analyses can intersect them).
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// Compared as text (`StringEquals`, `Bool` with its text lowercased, `BinaryEquals`).
    Text(String),
    /// `StringEqualsIgnoreCase`: lowercased.
    Folded(String),
    /// `StringLike`.
    Like(Glob),
    /// A number, compared exactly.
    Number(crate::values::Decimal),
    /// A date, in milliseconds since the epoch.
    Date(i64),
    /// An IP network.
    Net(ipnet::IpNet),
    /// `ArnLike` / `ArnEquals`: the six segments.
    Arn(Vec<Glob>),
    /// Not a valid value for the operator: matches nothing.
    Invalid,
}

impl Typed {
    /// Reads a value for `family`. `StringLike` keeps wildcards; `${*}`-style escapes are
    /// already literal in the template.
    pub fn read(family: OpFamily, template: &Template) -> Typed {
        let text = template.resolve_text(|_| None).unwrap_or_default();
        match family {
            OpFamily::StringLike => template
                .resolve(|_| None, false)
                .map_or(Typed::Invalid, |g| Typed::Like(g.into_owned())),
            _ => Typed::from_text(family, text),
        }
    }

    /// Reads a value already substituted (policy variables resolved): its text is literal,
    /// except that `StringLike` treats `*` and `?` as wildcards.
    pub fn from_text(family: OpFamily, text: String) -> Typed {
        match family {
            OpFamily::StringLike => Typed::Like(Glob::new(&text)),
            OpFamily::StringEqualsIgnoreCase => Typed::Folded(text.to_lowercase()),
            OpFamily::Bool => Typed::Text(text.to_ascii_lowercase()),
            OpFamily::Numeric(_) => {
                crate::values::Decimal::parse(&text).map_or(Typed::Invalid, Typed::Number)
            }
            OpFamily::Date(_) => {
                crate::values::parse_date(&text).map_or(Typed::Invalid, Typed::Date)
            }
            OpFamily::Ip => crate::values::parse_net(&text).map_or(Typed::Invalid, Typed::Net),
            OpFamily::Arn => Typed::Arn(text.splitn(6, ':').map(Glob::new).collect()),
            OpFamily::StringEquals | OpFamily::Binary | OpFamily::Null => Typed::Text(text),
        }
    }
}
