//! A CloudTrail event as the request to judge (`polsim eval --cloudtrail event.json`).
//!
//! The user debugging a 403 has the denied event, not flags. [`request_of_event`] reads, from
//! one AWS CloudTrail event (or a `{"Records": [...]}` file holding exactly one event, or one
//! whose `errorCode` is an access denial):
//! - the caller from `userIdentity` (`arn` for IAM users, role sessions and federated users;
//!   the account's root; `AWSService` callers by `invokedBy`; S3's anonymous callers);
//! - the API operation from `eventName`, for S3 (`s3.amazonaws.com`) checked through polsim's
//!   operation table (`--operation`), elsewhere the action `SERVICE:eventName` (IAM action names
//!   follow the API's for most services; a difference is the user's to correct with `--action`);
//! - the resource from `requestParameters.bucketName` and `key` for S3, else the first of
//!   `resources[].ARN`;
//! - the resource's account from `resources[].accountId` or `recipientAccountId`;
//! - the context: `aws:SourceIp` (`sourceIPAddress`, when it is an address), `aws:SourceVpce`
//!   (`vpcEndpointId`), `aws:MultiFactorAuthPresent` (the session's `mfaAuthenticated`),
//!   `aws:UserAgent`, `aws:RequestedRegion` (`awsRegion`), `aws:CurrentTime` (`eventTime`),
//!   `aws:SecureTransport` (present `tlsDetails`).
//!
//! Every value read is listed with where it came from, so the CLI can print the derived
//! request for the user to check; what the event does not tell (headers, most condition keys)
//! stays absent.

use crate::json::{Json, JsonKind};
use crate::Diagnostic;

/// The request an event describes; each field says where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRequest {
    /// The caller.
    pub principal: Option<String>,
    /// `userIdentity.principalId` (`aws:userid`).
    pub principal_id: Option<String>,
    /// The action, for services other than S3.
    pub action: Option<String>,
    /// The S3 API operation.
    pub operation: Option<String>,
    /// The resource.
    pub resource: Option<String>,
    /// The resource's account.
    pub resource_account: Option<String>,
    /// Context keys and values.
    pub context: Vec<(String, String)>,
    /// `(what, from where)` for every value read, in the order above.
    pub sources: Vec<(String, String)>,
    /// The event's `errorCode` and `errorMessage`, when it has them.
    pub error: Option<(String, String)>,
    /// The session's policies, when the file also holds the `AssumeRole` event that made the
    /// caller's session (see [`Session`]).
    pub session: Option<Session>,
}

/// The session policies an `AssumeRole` (`AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`)
/// event in the same `Records` file records for the judged event's role session: the record
/// whose `responseElements.assumedRoleUser.arn` is the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// `requestParameters.policyArns[].arn`: managed policies as session policies.
    pub policy_arns: Vec<String>,
    /// Whether the call also passed an inline session policy (`requestParameters.policy`).
    pub inline_policy: bool,
    /// The event named by its `eventName` and `eventTime`: `the AssumeRole event of TIME`.
    pub event: String,
}

/// The `AssumeRole*` record among `records` that made the session `caller`.
fn session_of(records: &[Json], caller: &str) -> Option<Session> {
    let e = records.iter().find(|e| {
        text(e, &["eventName"]).is_some_and(|n| n.starts_with("AssumeRole"))
            && text(e, &["responseElements", "assumedRoleUser", "arn"]) == Some(caller)
    })?;
    let policy_arns = match e
        .get("requestParameters")
        .and_then(|p| p.get("policyArns"))
        .map(|a| &a.kind)
    {
        Some(JsonKind::Array(items)) => items
            .iter()
            .filter_map(|i| text(i, &["arn"]).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    Some(Session {
        policy_arns,
        inline_policy: text(e, &["requestParameters", "policy"]).is_some(),
        event: format!(
            "the {} event of {}",
            text(e, &["eventName"]).unwrap_or("AssumeRole"),
            text(e, &["eventTime"]).unwrap_or("an unknown time")
        ),
    })
}

fn text<'j>(j: &'j Json, path: &[&str]) -> Option<&'j str> {
    path.iter()
        .try_fold(j, |node, key| node.get(key))
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
}

fn denied(e: &Json) -> bool {
    text(e, &["errorCode"]).is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("accessdenied") || c.contains("unauthorized") || c.contains("forbidden")
    })
}

/// The one event of `doc`: the document itself, or its only record, or its only record with an
/// access-denied `errorCode`.
fn event(doc: &Json) -> Result<&Json, Diagnostic> {
    let Some(records) = doc.get("Records") else {
        return Ok(doc);
    };
    let JsonKind::Array(items) = &records.kind else {
        return Err(Diagnostic::error(
            records.pos,
            "`Records` must be a list of events",
        ));
    };
    if let [only] = items.as_slice() {
        return Ok(only);
    }
    let denials: Vec<&Json> = items.iter().filter(|e| denied(e)).collect();
    match denials.as_slice() {
        [only] => Ok(only),
        _ => Err(Diagnostic::error(
            records.pos,
            format!(
                "the file holds {} events, {} of them access denials: polsim judges one",
                items.len(),
                denials.len()
            ),
        )
        .with_help("save the one event to judge in a file of its own (CloudTrail's console: the event's JSON view)")),
    }
}

/// The request `doc` (one CloudTrail event, or `Records` as described in the module) describes.
pub fn request_of_event(doc: &Json) -> Result<EventRequest, Diagnostic> {
    let e = event(doc)?;
    if e.as_object().is_none() || e.get("eventName").is_none() {
        return Err(Diagnostic::error(
            e.pos,
            "this is not a CloudTrail event: it has no `eventName`",
        )
        .with_help("give the event's JSON as CloudTrail prints it (`eventSource`, `eventName`, `userIdentity`, ...)"));
    }
    let mut r = EventRequest::default();
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut note = |what: String, place: &str| sources.push((what, place.to_string()));

    // The caller.
    let kind = text(e, &["userIdentity", "type"]).unwrap_or("");
    let account = text(e, &["userIdentity", "accountId"]);
    r.principal = match kind {
        "AWSService" => text(e, &["userIdentity", "invokedBy"]).map(str::to_string),
        "AWSAccount"
            if text(e, &["userIdentity", "principalId"]) == Some("ANONYMOUS_PRINCIPAL") =>
        {
            Some("anonymous".into())
        }
        // The account's root user, or (another account calling) that account as a whole.
        "Root" | "AWSAccount" => account.map(|a| format!("arn:aws:iam::{a}:root")),
        _ => text(e, &["userIdentity", "arn"]).map(str::to_string),
    };
    if let Some(p) = &r.principal {
        note(format!("principal {p}"), "userIdentity");
    }
    r.principal_id = text(e, &["userIdentity", "principalId"])
        .filter(|id| *id != "ANONYMOUS_PRINCIPAL")
        .map(str::to_string);

    // What was asked.
    let source = text(e, &["eventSource"]).unwrap_or("");
    let name = text(e, &["eventName"]).unwrap_or("");
    let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    if service == "s3" {
        r.operation = Some(name.to_string());
        note(format!("operation {name}"), "eventName");
    } else if !service.is_empty() && !name.is_empty() {
        r.action = Some(format!("{service}:{name}"));
        note(
            format!("action {service}:{name}"),
            "eventSource and eventName",
        );
    }

    // On what.
    let bucket = text(e, &["requestParameters", "bucketName"]);
    let key = text(e, &["requestParameters", "key"]);
    let resources = e.get("resources").and_then(|r| match &r.kind {
        JsonKind::Array(items) => Some(items.as_slice()),
        _ => None,
    });
    if let (true, Some(b)) = (service == "s3", bucket) {
        r.resource = Some(match key {
            Some(k) => format!("arn:aws:s3:::{b}/{k}"),
            None => format!("arn:aws:s3:::{b}"),
        });
        note(
            format!("resource {}", r.resource.as_deref().unwrap_or("")),
            "requestParameters.bucketName and key",
        );
    } else if let Some(arn) =
        resources.and_then(|items| items.iter().find_map(|i| text(i, &["ARN"])))
    {
        r.resource = Some(arn.to_string());
        note(format!("resource {arn}"), "resources[].ARN");
    }
    r.resource_account = resources
        .and_then(|items| items.iter().find_map(|i| text(i, &["accountId"])))
        .or_else(|| text(e, &["recipientAccountId"]))
        .map(str::to_string);
    if let Some(a) = &r.resource_account {
        note(
            format!("resource account {a}"),
            "resources[].accountId or recipientAccountId",
        );
    }

    // The context the event records.
    let mut ctx = |key: &str, value: String, place: &str| {
        note(format!("{key}={value}"), place);
        r.context.push((key.to_string(), value));
    };
    if let Some(ip) =
        text(e, &["sourceIPAddress"]).filter(|s| s.parse::<std::net::IpAddr>().is_ok())
    {
        ctx("aws:SourceIp", ip.to_string(), "sourceIPAddress");
    }
    if let Some(v) = text(e, &["vpcEndpointId"]) {
        ctx("aws:SourceVpce", v.to_string(), "vpcEndpointId");
    }
    if let Some(m) = text(
        e,
        &[
            "userIdentity",
            "sessionContext",
            "attributes",
            "mfaAuthenticated",
        ],
    ) {
        ctx(
            "aws:MultiFactorAuthPresent",
            m.to_ascii_lowercase(),
            "userIdentity.sessionContext.attributes.mfaAuthenticated",
        );
    }
    if let Some(ua) = text(e, &["userAgent"]) {
        ctx("aws:UserAgent", ua.to_string(), "userAgent");
    }
    if let Some(region) = text(e, &["awsRegion"]) {
        ctx("aws:RequestedRegion", region.to_string(), "awsRegion");
    }
    if let Some(t) = text(e, &["eventTime"]) {
        ctx("aws:CurrentTime", t.to_string(), "eventTime");
    }
    if e.get("tlsDetails").is_some() {
        ctx("aws:SecureTransport", "true".into(), "tlsDetails");
    }
    r.error = text(e, &["errorCode"]).map(|c| {
        (
            c.to_string(),
            text(e, &["errorMessage"]).unwrap_or("").to_string(),
        )
    });
    r.sources = sources;
    if let (Some(JsonKind::Array(records)), Some(caller)) =
        (doc.get("Records").map(|r| &r.kind), &r.principal)
    {
        r.session = session_of(records, caller);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    const DENIED_GET: &str = r#"{
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLEID:worker",
            "arn": "arn:aws:sts::111122223333:assumed-role/App/worker",
            "accountId": "111122223333",
            "sessionContext": {"attributes": {"creationDate": "2026-11-30T09:00:00Z", "mfaAuthenticated": "false"}}
        },
        "eventTime": "2026-11-30T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.1.25",
        "userAgent": "aws-cli/2.15.0",
        "errorCode": "AccessDenied",
        "errorMessage": "Access Denied",
        "requestParameters": {"bucketName": "amzn-s3-demo-bucket", "key": "reports/q1.csv", "Host": "amzn-s3-demo-bucket.s3.amazonaws.com"},
        "resources": [
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::amzn-s3-demo-bucket/reports/q1.csv"},
            {"accountId": "444455556666", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::amzn-s3-demo-bucket"}
        ],
        "recipientAccountId": "111122223333",
        "vpcEndpointId": "vpce-1a2b3c4d",
        "tlsDetails": {"tlsVersion": "TLSv1.3"}
    }"#;

    fn read(text: &str) -> Result<EventRequest, Diagnostic> {
        request_of_event(&crate::json::parse(text).unwrap())
    }

    #[test]
    fn an_s3_denial_gives_caller_operation_resource_and_context() {
        let r = read(DENIED_GET).unwrap();
        assert_eq!(
            r.principal.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/App/worker")
        );
        assert_eq!(r.principal_id.as_deref(), Some("AROAEXAMPLEID:worker"));
        assert_eq!(r.operation.as_deref(), Some("GetObject"));
        assert_eq!(r.action, None);
        assert_eq!(
            r.resource.as_deref(),
            Some("arn:aws:s3:::amzn-s3-demo-bucket/reports/q1.csv")
        );
        assert_eq!(r.resource_account.as_deref(), Some("444455556666"));
        let ctx: Vec<(&str, &str)> = r
            .context
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert!(ctx.contains(&("aws:SourceIp", "10.0.1.25")));
        assert!(ctx.contains(&("aws:SourceVpce", "vpce-1a2b3c4d")));
        assert!(ctx.contains(&("aws:MultiFactorAuthPresent", "false")));
        assert!(ctx.contains(&("aws:SecureTransport", "true")));
        assert_eq!(
            r.error,
            Some(("AccessDenied".into(), "Access Denied".into()))
        );
        assert!(r
            .sources
            .iter()
            .any(|(w, f)| w.starts_with("principal") && f == "userIdentity"));
    }

    #[test]
    fn records_pick_the_one_denial_and_refuse_ambiguity() {
        let ok = r#"{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","userIdentity":{"type":"Root","accountId":"111122223333"}}"#;
        let two = format!("{{\"Records\": [{ok}, {DENIED_GET}]}}");
        let r = read(&two).unwrap();
        assert_eq!(r.operation.as_deref(), Some("GetObject"));
        let three = format!("{{\"Records\": [{DENIED_GET}, {ok}, {DENIED_GET}]}}");
        let e = read(&three).unwrap_err();
        assert!(e.message.contains("3 events, 2 of them"), "{}", e.message);
        let root = read(ok).unwrap();
        assert_eq!(
            root.principal.as_deref(),
            Some("arn:aws:iam::111122223333:root")
        );
    }

    #[test]
    fn the_assume_role_record_gives_the_session_policy_arns() {
        let assume = r#"{"eventName":"AssumeRole","eventSource":"sts.amazonaws.com","eventTime":"2026-11-30T09:00:00Z",
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ops","accountId":"111122223333"},
            "requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/App","roleSessionName":"worker",
                "policyArns":[{"arn":"arn:aws:iam::111122223333:policy/ReportsOnly"}]},
            "responseElements":{"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/App/worker"}}}"#;
        let file = format!("{{\"Records\": [{assume}, {DENIED_GET}]}}");
        let r = read(&file).unwrap();
        assert_eq!(r.operation.as_deref(), Some("GetObject"));
        let s = r.session.unwrap();
        assert_eq!(
            s.policy_arns,
            ["arn:aws:iam::111122223333:policy/ReportsOnly"]
        );
        assert!(!s.inline_policy);
        assert_eq!(s.event, "the AssumeRole event of 2026-11-30T09:00:00Z");
        assert_eq!(read(DENIED_GET).unwrap().session, None);
    }

    #[test]
    fn other_services_name_the_action_and_anonymous_callers_are_anonymous() {
        let kms = r#"{"eventName":"Decrypt","eventSource":"kms.amazonaws.com","sourceIPAddress":"s3.amazonaws.com",
            "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Dave","accountId":"111122223333"},
            "resources":[{"ARN":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","accountId":"111122223333"}]}"#;
        let r = read(kms).unwrap();
        assert_eq!(r.action.as_deref(), Some("kms:Decrypt"));
        assert!(
            r.context.iter().all(|(k, _)| k != "aws:SourceIp"),
            "a service name is not an address"
        );
        let anon = r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com",
            "userIdentity":{"type":"AWSAccount","principalId":"ANONYMOUS_PRINCIPAL","accountId":"anonymous"},
            "requestParameters":{"bucketName":"b","key":"k"}}"#;
        let r = read(anon).unwrap();
        assert_eq!(r.principal.as_deref(), Some("anonymous"));
        assert_eq!(r.principal_id, None);
        assert!(read(r#"{"Version":"2012-10-17"}"#)
            .unwrap_err()
            .message
            .contains("not a CloudTrail event"));
    }
}
