//! Policies pasted the way the clouds' tools print them.
//!
//! A user debugging a 403 copies a policy from a command's output, not from a policy file:
//! `aws s3api get-bucket-policy` prints `{"Policy": "<the policy as a JSON string>"}`,
//! `aws iam get-policy-version` prints `{"PolicyVersion": {"Document": {...}}}` (the IAM API
//! itself returns the document URL-encoded), `aws iam get-role` holds the trust policy in
//! `Role.AssumeRolePolicyDocument`, `aws organizations describe-policy` holds an SCP in
//! `Policy.Content` as a string, a CloudTrail `AssumeRole` event holds the session policy in
//! `requestParameters.policy`; `aliyun ram GetPolicyVersion` prints
//! `{"PolicyVersion": {"PolicyDocument": "<string>"}}`, and `tccli cam GetPolicy` prints
//! `{"PolicyDocument": "<string>", ...}` (the API's `Response` object around it when called
//! directly). [`policy_document`] finds the policy in those shapes and says, in a located
//! warning, what it read; anything else is the document itself, as before. A policy held as a
//! string is parsed with its positions mapped into the string, so a diagnostic points inside it;
//! a URL-encoded one is decoded first, and its diagnostics point at the string's start.
//!
//! A shape is recognised only by its exact member names, and only when the outer object is not
//! itself a policy (it has no `Statement`): a policy is never looked for anywhere else, so a
//! document that is neither stays what it was and gets lowering's own "unknown element" errors.

use crate::diag::Source;
use crate::json::{self, Json, JsonKind};
use crate::Diagnostic;

/// The shapes: the member path to the policy, and the output that has it.
const SHAPES: &[(&[&str], &str)] = &[
    (&["Policy", "Content"], "`aws organizations describe-policy`"),
    (&["Policy"], "`aws s3api get-bucket-policy`"),
    (&["PolicyVersion", "Document"], "`aws iam get-policy-version`"),
    (&["PolicyVersion", "PolicyDocument"], "`aliyun ram GetPolicyVersion`"),
    (&["Role", "AssumeRolePolicyDocument"], "`aws iam get-role` (the role's trust policy)"),
    (&["AssumeRolePolicyDocument"], "a role's `AssumeRolePolicyDocument`"),
    (&["Response", "PolicyDocument"], "the Tencent Cloud API's `GetPolicy` response"),
    (
        &["PolicyDocument"],
        "`aws iam get-role-policy` / `get-user-policy` / `get-group-policy`, or `tccli cam GetPolicy`",
    ),
    (
        &["requestParameters", "policy"],
        "a CloudTrail event's `requestParameters.policy` (the session policy)",
    ),
];

/// The policy a document holds, with the warning that says where it was found when it was
/// unwrapped from a tool's output or read from a JSON string.
#[derive(Debug, Clone)]
pub struct Found {
    /// The policy document.
    pub doc: Json,
    /// What was unwrapped, located at the policy (`None` when `doc` is the document as given).
    pub note: Option<Diagnostic>,
}

fn is_policy(j: &Json) -> bool {
    j.as_object().is_some_and(|members| {
        members
            .iter()
            .any(|m| m.key.eq_ignore_ascii_case("statement"))
    })
}

fn at<'j>(j: &'j Json, path: &[&str]) -> Option<&'j Json> {
    path.iter().try_fold(j, |node, key| node.get(key))
}

/// The document's policy: the document itself, the policy in a JSON string, or the policy in
/// one of the clouds' output shapes ([`SHAPES`]). `Err` when the string holding it is not a
/// valid policy text.
pub fn policy_document(doc: Json, source: &Source) -> Result<Found, Diagnostic> {
    if let JsonKind::String(_) = doc.kind {
        let inner = string_policy(&doc, source)?;
        return Ok(Found {
            doc: inner,
            note: None,
        });
    }
    if is_policy(&doc) || doc.as_object().is_none() {
        return Ok(Found { doc, note: None });
    }
    for (path, tool) in SHAPES {
        let Some(node) = at(&doc, path) else {
            continue;
        };
        let inner = match &node.kind {
            JsonKind::Object(_) => node.clone(),
            JsonKind::String(_) => string_policy(node, source)?,
            _ => continue,
        };
        if !is_policy(&inner) {
            continue;
        }
        let note = Diagnostic::warning(
            inner.pos,
            format!(
                "read the policy from `{}`, as {tool} prints it",
                path.join(".")
            ),
        )
        .in_source(source);
        return Ok(Found {
            doc: inner,
            note: Some(note),
        });
    }
    Ok(Found { doc, note: None })
}

/// The policy in the JSON string `node`: parsed with positions inside the string, or, when the
/// string is URL-encoded (as the IAM API returns documents), decoded first.
fn string_policy(node: &Json, source: &Source) -> Result<Json, Diagnostic> {
    let text = node.as_str().unwrap_or("");
    let trimmed = text.trim_start();
    if trimmed.len() >= 3
        && trimmed
            .get(..3)
            .is_some_and(|h| h.eq_ignore_ascii_case("%7b"))
    {
        let decoded = percent_decode(trimmed).ok_or_else(|| {
            Diagnostic::error(
                node.pos,
                "the URL-encoded policy does not decode to UTF-8 text".to_string(),
            )
            .in_source(source)
        })?;
        return json::parse(&decoded)
            .map(|mut j| {
                relocate(&mut j, node);
                j
            })
            .map_err(|e| {
                Diagnostic::error(
                    node.pos,
                    format!(
                        "the URL-encoded policy is not valid JSON once decoded: {} (at offset {} of the decoded text)",
                        e.message, e.offset
                    ),
                )
                .in_source(source)
            });
    }
    match json::parse_embedded(node, source) {
        Some(Ok(j)) => Ok(j),
        Some(Err(e)) => Err(Diagnostic {
            message: format!("the policy string is not valid JSON: {}", e.message),
            ..e.diagnostic(source)
        }),
        None => Err(Diagnostic::error(node.pos, "expected a policy document").in_source(source)),
    }
}

/// Every position of a document decoded from a URL-encoded string: the string's own (the
/// encoding hides where each character was written).
fn relocate(j: &mut Json, at: &Json) {
    j.pos = at.pos;
    j.span = at.span;
    match &mut j.kind {
        JsonKind::Array(items) => items.iter_mut().for_each(|i| relocate(i, at)),
        JsonKind::Object(members) => {
            for m in members {
                m.key_pos = at.pos;
                relocate(&mut m.value, at);
            }
        }
        _ => {}
    }
}

/// `%XX` sequences decoded (RFC 3986); `None` when the result is not UTF-8 or a `%` is not
/// followed by two hexadecimal digits.
fn percent_decode(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    fn found(text: &str) -> Result<Found, Diagnostic> {
        let source = Source::new("out.json", text);
        let doc = json::parse(source.text()).unwrap();
        policy_document(doc, &source)
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("%7B%22a%22%3A1%7D").as_deref(),
            Some("{\"a\":1}")
        );
        assert_eq!(percent_decode("%7"), None);
        assert_eq!(percent_decode("%ZZ"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn a_policy_is_itself_and_other_documents_are_left_alone() {
        let f = found(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap();
        assert!(f.note.is_none());
        let f = found(r#"{"Policy": 3}"#).unwrap();
        assert!(f.note.is_none());
        assert!(f.doc.get("Policy").is_some());
        // A member that holds no policy is not taken for one.
        let f = found(r#"{"PolicyDocument": {"Version": "2012-10-17"}}"#).unwrap();
        assert!(f.note.is_none());
    }

    #[test]
    fn a_bad_inner_string_is_located_inside_it() {
        let text = "{\"Policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[}\"}";
        let e = found(text).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
        assert!(e.pos.col > 12, "{:?}", e.pos);
    }
}
