//! The `polsim eval` command line that asks a request again: what `polsim diff` and
//! `polsim check` print beside a witness, and the property-test kit beside a failure.

use polsim_core::CtxValue;

/// A shell word: quoted when it holds anything but plain characters.
pub fn sh(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A `--context` value: `KEY=VALUE`, a list as JSON.
pub fn context_arg(k: &str, v: &CtxValue) -> String {
    match v {
        CtxValue::One(s) => format!("{k}={s}"),
        CtxValue::Many(list) => format!(
            "{k}={}",
            serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
        ),
    }
}

/// One request as `polsim eval` takes it.
#[derive(Debug, Clone, Copy)]
pub struct EvalArgs<'a> {
    /// `--principal`.
    pub principal: &'a str,
    /// `--principal-id`.
    pub principal_id: Option<&'a str>,
    /// `--action` (given when there is no operation).
    pub action: &'a str,
    /// `--operation`.
    pub operation: Option<&'a str>,
    /// `--resource`.
    pub resource: &'a str,
    /// `--resource-account`.
    pub resource_account: Option<&'a str>,
    /// `--context` entries.
    pub context: &'a [(String, CtxValue)],
}

impl EvalArgs<'_> {
    /// The arguments after `--policy DIR`, each shell-quoted where it needs it.
    pub fn args(&self) -> String {
        let mut parts = vec![format!("--principal {}", sh(self.principal))];
        if let Some(id) = self.principal_id {
            parts.push(format!("--principal-id {}", sh(id)));
        }
        match self.operation {
            Some(op) => parts.push(format!("--operation {}", sh(op))),
            None => parts.push(format!("--action {}", sh(self.action))),
        }
        parts.push(format!("--resource {}", sh(self.resource)));
        if let Some(a) = self.resource_account {
            parts.push(format!("--resource-account {}", sh(a)));
        }
        for (k, v) in self.context {
            parts.push(format!("--context {}", sh(&context_arg(k, v))));
        }
        parts.join(" ")
    }

    /// The whole command, against the stack folder `policy`.
    pub fn command(&self, policy: &str) -> String {
        format!("polsim eval --policy {} {}", sh(policy), self.args())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_the_shell_would_split_are_quoted() {
        let ctx = vec![
            ("aws:SourceIp".to_string(), CtxValue::One("10.0.0.1".into())),
            (
                "aws:TagKeys".to_string(),
                CtxValue::Many(vec!["a b".into()]),
            ),
        ];
        let a = EvalArgs {
            principal: "anonymous",
            principal_id: None,
            action: "s3:GetObject",
            operation: None,
            resource: "arn:aws:s3:::b/a b",
            resource_account: None,
            context: &ctx,
        };
        assert_eq!(
            a.command("my stacks/x"),
            "polsim eval --policy 'my stacks/x' --principal anonymous --action s3:GetObject --resource 'arn:aws:s3:::b/a b' --context aws:SourceIp=10.0.0.1 --context 'aws:TagKeys=[\"a b\"]'"
        );
    }
}
