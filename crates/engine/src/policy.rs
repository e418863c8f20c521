//! Resource policies (queue and topic policies), as far as the simulation
//! needs them: may an AWS service (SNS, S3) call an action on this resource on
//! behalf of a given source?
//!
//! One caller — the account owner — uses the APIs, so the owner's own calls
//! are never checked. Deliveries *from services* are, exactly as in AWS, which
//! is the lesson: a topic cannot fill a queue whose policy does not allow
//! `sns.amazonaws.com` to `sqs:SendMessage`, and a bucket cannot notify a
//! topic whose policy does not allow `s3.amazonaws.com` to `SNS:Publish`.

use serde_json::Value;

/// Who is asking: a service principal acting for a source resource in an account.
pub(crate) struct ServiceCall<'a> {
    pub service: &'a str,
    /// The action as policies name it, e.g. `sqs:SendMessage` or `sns:Publish`.
    pub action: &'a str,
    pub source_arn: &'a str,
    pub source_account: &'a str,
}

/// Whether `policy` allows the call. An explicit Deny wins over any Allow; no
/// policy allows nothing.
pub(crate) fn allows(policy: Option<&str>, call: &ServiceCall<'_>) -> bool {
    let Some(doc) = policy.and_then(|p| serde_json::from_str::<Value>(p).ok()) else { return false };
    let statements: alloc::vec::Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => alloc::vec![single],
        _ => return false,
    };
    let applies = |s: &&Value| {
        principal_matches(s.get("Principal"), call.service)
            && action_matches(s.get("Action"), call.action)
            && condition_matches(s.get("Condition"), call)
    };
    let effect = |s: &&Value, e: &str| s.get("Effect").and_then(Value::as_str) == Some(e);
    let denied = statements.iter().filter(|s| effect(s, "Deny")).any(&applies);
    !denied && statements.iter().filter(|s| effect(s, "Allow")).any(applies)
}

fn any_str(value: Option<&Value>, pred: impl Fn(&str) -> bool) -> bool {
    match value {
        Some(Value::String(s)) => pred(s),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).any(pred),
        _ => false,
    }
}

fn principal_matches(principal: Option<&Value>, service: &str) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(map)) => {
            any_str(map.get("Service"), |s| s == service) || any_str(map.get("AWS"), |s| s == "*")
        }
        _ => false,
    }
}

/// Action names are case-insensitive and may use `*` wildcards (`sqs:*`, `sqs:Send*`).
fn action_matches(action: Option<&Value>, wanted: &str) -> bool {
    let wanted = wanted.to_ascii_lowercase();
    any_str(action, |a| glob(&a.to_ascii_lowercase(), &wanted))
}

/// Only `aws:SourceArn` and `aws:SourceAccount` conditions are understood; any
/// other condition is treated as not satisfied, so the simulation never
/// allows more than AWS would.
fn condition_matches(condition: Option<&Value>, call: &ServiceCall<'_>) -> bool {
    let Some(Value::Object(operators)) = condition else { return condition.is_none() };
    operators.iter().all(|(operator, keys)| {
        let Value::Object(keys) = keys else { return false };
        keys.iter().all(|(key, expected)| {
            let actual = if key.eq_ignore_ascii_case("aws:SourceArn") {
                call.source_arn
            } else if key.eq_ignore_ascii_case("aws:SourceAccount") {
                // Not the legacy `AWS:SourceOwner`: S3's calls do not carry it, which is
                // why a topic's default policy does not let a bucket publish to it.
                call.source_account
            } else {
                return false;
            };
            match operator.as_str() {
                "ArnEquals" | "StringEquals" => any_str(Some(expected), |e| e == actual),
                "ArnLike" | "StringLike" => any_str(Some(expected), |e| glob(e, actual)),
                _ => false,
            }
        })
    })
}

/// `*` matches any run of characters, `?` any one.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (alloc::vec::Vec<char>, alloc::vec::Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:000000000000:orders";

    fn sns_send(source_arn: &str) -> ServiceCall<'_> {
        ServiceCall {
            service: "sns.amazonaws.com",
            action: "sqs:SendMessage",
            source_arn,
            source_account: "000000000000",
        }
    }

    fn allows_service_send(policy: Option<&str>, service: &str, source_arn: &str) -> bool {
        allows(policy, &ServiceCall { service, ..sns_send(source_arn) })
    }

    fn policy(principal: &str, condition: &str) -> alloc::string::String {
        alloc::format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:q"{condition}}}]}}"#
        )
    }

    #[test]
    fn service_principal_with_source_arn() {
        let p = policy(
            r#"{"Service":"sns.amazonaws.com"}"#,
            &alloc::format!(r#","Condition":{{"ArnEquals":{{"aws:SourceArn":"{TOPIC}"}}}}"#),
        );
        assert!(allows_service_send(Some(&p), "sns.amazonaws.com", TOPIC));
        assert!(!allows_service_send(Some(&p), "sns.amazonaws.com", "arn:aws:sns:us-east-1:000000000000:other"));
        assert!(!allows_service_send(Some(&p), "s3.amazonaws.com", TOPIC));
    }

    #[test]
    fn wildcards_and_denials() {
        let like = policy(r#""*""#, r#","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:000000000000:ord*"}}"#);
        assert!(allows_service_send(Some(&like), "sns.amazonaws.com", TOPIC));
        assert!(!allows_service_send(None, "sns.amazonaws.com", TOPIC));
        assert!(!allows_service_send(Some("not json"), "sns.amazonaws.com", TOPIC));
        let deny = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"},{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage"}]}"#;
        assert!(!allows_service_send(Some(deny), "sns.amazonaws.com", TOPIC));
        assert!(glob("a*c?e", "abbbcde") && !glob("a*c", "abd"));
    }

    #[test]
    fn actions_and_source_account() {
        let p = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"SNS:Publish","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}]}"#;
        let call = |account| ServiceCall {
            service: "s3.amazonaws.com",
            action: "sns:Publish",
            source_arn: "arn:aws:s3:::b",
            source_account: account,
        };
        assert!(allows(Some(p), &call("000000000000")));
        assert!(!allows(Some(p), &call("111111111111")));
        assert!(!allows(Some(p), &ServiceCall { action: "sqs:SendMessage", ..call("000000000000") }));
    }
}
