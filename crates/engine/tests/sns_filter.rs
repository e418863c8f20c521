#![cfg(feature = "sns")]
//! SNS subscription filter policies against AWS's documented examples (the
//! policies and messages of the SNS developer guide's filtering pages), and
//! properties: `$or` is a union, `anything-but` is the complement of an exact
//! match, and no input makes `parse` or matching panic.

use std::collections::BTreeMap;

use decouple_engine::sns::filter::{FilterPolicy, FilterPolicyScope};
use decouple_engine::sqs::{MessageAttributeValue, MessageAttributes};
use proptest::prelude::*;
use serde_json::{json, Value};

fn attrs(pairs: &[(&str, &str, &str)]) -> MessageAttributes {
    pairs
        .iter()
        .map(|(name, data_type, value)| {
            let value = MessageAttributeValue {
                data_type: (*data_type).into(),
                string_value: Some((*value).into()),
                ..Default::default()
            };
            ((*name).to_string(), value)
        })
        .collect::<BTreeMap<_, _>>()
}

fn policy(text: &str, scope: FilterPolicyScope) -> FilterPolicy {
    FilterPolicy::parse(text, scope).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The documented example message ("Amazon SNS example filter policies"), as attributes.
fn example_attributes() -> MessageAttributes {
    attrs(&[
        ("customer_interests", "String.Array", r#"["soccer", "rugby", "hockey"]"#),
        ("store", "String", "example_corp"),
        ("event", "String", "order_placed"),
        ("price_usd", "Number", "210.75"),
    ])
}

/// The same message with the properties in the body.
fn example_body() -> Value {
    json!({
        "customer_interests": ["soccer", "rugby", "hockey"],
        "store": "example_corp",
        "event": "order_placed",
        "price_usd": 210.75
    })
}

#[test]
fn documented_example_policies_on_the_example_message() {
    // (policy, accepts the example message)
    let cases: &[(&str, bool)] = &[
        // The guide's policy that accepts the example message.
        (
            r#"{"store":["example_corp"],"event":[{"anything-but":"order_cancelled"}],"customer_interests":["rugby","football","baseball"],"price_usd":[{"numeric":[">=",100]}]}"#,
            true,
        ),
        // Each property failing on its own.
        (r#"{"store":["other_corp"]}"#, false),
        (r#"{"event":[{"anything-but":["order_placed","order_cancelled"]}]}"#, false),
        (r#"{"customer_interests":["football","baseball"]}"#, false),
        (r#"{"price_usd":[{"numeric":["<",100]}]}"#, false),
        // Key matching.
        (r#"{"store":[{"exists":true}]}"#, true),
        (r#"{"store":[{"exists":false}]}"#, false),
        (r#"{"encrypted":[{"exists":false}]}"#, true),
        // Prefix, suffix, equals-ignore-case.
        (r#"{"store":[{"prefix":"example"}]}"#, true),
        (r#"{"store":[{"suffix":"_corp"}]}"#, true),
        (r#"{"store":[{"equals-ignore-case":"EXAMPLE_CORP"}]}"#, true),
        (r#"{"store":[{"anything-but":{"prefix":"example"}}]}"#, false),
        // Numeric ranges.
        (r#"{"price_usd":[{"numeric":[">",0,"<=",300]}]}"#, true),
        (r#"{"price_usd":[{"numeric":["=",210.75]}]}"#, true),
        (r#"{"price_usd":[{"numeric":[">",210.75]}]}"#, false),
        // OR: a property with several values, and the $or operator.
        (r#"{"event":["order_placed","order_shipped"]}"#, true),
        (r#"{"$or":[{"store":["other_corp"]},{"event":["order_placed"]}]}"#, true),
        (r#"{"$or":[{"store":["other_corp"]},{"event":["order_cancelled"]}]}"#, false),
    ];
    let attributes = example_attributes();
    let body = example_body();
    for (text, accepts) in cases {
        let by_attributes = policy(text, FilterPolicyScope::MessageAttributes);
        assert_eq!(by_attributes.matches_attributes(&attributes), *accepts, "attributes: {text}");
        let by_body = policy(text, FilterPolicyScope::MessageBody);
        assert_eq!(by_body.matches_body(&body), *accepts, "body: {text}");
    }
}

/// One documented operator example: the policy property, then messages as
/// (data type, value, matches).
struct OperatorExample {
    policy: &'static str,
    messages: &'static [(&'static str, &'static str, bool)],
}

#[test]
fn documented_operator_examples_on_attributes() {
    let examples = [
        // String value matching: exact.
        OperatorExample {
            policy: r#"{"customer_interests":["rugby","tennis"]}"#,
            messages: &[
                ("String", "rugby", true),
                ("String", "tennis", true),
                ("String.Array", r#"["rugby", "tennis"]"#, true),
                ("String", "baseball", false),
                ("String.Array", r#"["baseball"]"#, false),
            ],
        },
        // anything-but (String.Array: none of the elements may be listed).
        OperatorExample {
            policy: r#"{"customer_interests":[{"anything-but":["rugby","tennis"]}]}"#,
            messages: &[
                ("String", "baseball", true),
                ("String", "football", true),
                ("String", "rugby", false),
                ("String.Array", r#"["baseball", "football"]"#, true),
                ("String.Array", r#"["rugby", "baseball"]"#, false),
            ],
        },
        // anything-but with a prefix.
        OperatorExample {
            policy: r#"{"event":[{"anything-but":{"prefix":"order-"}}]}"#,
            messages: &[("String", "data-entry", true), ("String", "order-placed", false)],
        },
        // equals-ignore-case.
        OperatorExample {
            policy: r#"{"customer_interests":[{"equals-ignore-case":"tennis"}]}"#,
            messages: &[("String", "TENNIS", true), ("String", "Tennis", true), ("String", "baseball", false)],
        },
        // prefix.
        OperatorExample {
            policy: r#"{"customer_interests":[{"prefix":"bas"}]}"#,
            messages: &[("String", "baseball", true), ("String", "basketball", true), ("String", "rugby", false)],
        },
        // suffix.
        OperatorExample {
            policy: r#"{"customer_interests":[{"suffix":"ball"}]}"#,
            messages: &[("String", "baseball", true), ("String", "basketball", true), ("String", "rugby", false)],
        },
        // IP address matching.
        OperatorExample {
            policy: r#"{"source_ip":[{"cidr":"10.0.0.0/24"}]}"#,
            messages: &[("String", "10.0.0.0", true), ("String", "10.0.0.255", true), ("String", "10.1.1.0", false)],
        },
        // Numeric exact matching.
        OperatorExample {
            policy: r#"{"price_usd":[{"numeric":["=",301.5]}]}"#,
            messages: &[("Number", "301.5", true), ("Number", "3.015e2", true), ("Number", "301.6", false)],
        },
        // Numeric anything-but.
        OperatorExample {
            policy: r#"{"price_usd":[{"anything-but":[100,500]}]}"#,
            messages: &[
                ("Number", "101", true),
                ("Number", "99.99", true),
                ("Number", "100", false),
                ("Number", "500", false),
            ],
        },
        // Numeric range.
        OperatorExample {
            policy: r#"{"price_usd":[{"numeric":[">",0,"<=",150]}]}"#,
            messages: &[
                ("Number", "100", true),
                ("Number", "150", true),
                ("Number", "0", false),
                ("Number", "150.1", false),
            ],
        },
    ];
    for example in &examples {
        let name = example.policy.split('"').nth(1).unwrap();
        let compiled = policy(example.policy, FilterPolicyScope::MessageAttributes);
        for (data_type, value, matches) in example.messages {
            let message = attrs(&[(name, data_type, value)]);
            assert_eq!(compiled.matches_attributes(&message), *matches, "{} on {data_type} {value}", example.policy);
        }
    }
}

#[test]
fn documented_payload_examples() {
    // Payload-based filtering on nested properties (the S3 event example).
    let p = policy(
        r#"{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}"#,
        FilterPolicyScope::MessageBody,
    );
    let event = |name: &str, key: &str| {
        json!({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": name,
            "s3": {"bucket": {"name": "insurance-bucket-demo"}, "object": {"key": key, "size": 17}}}]})
    };
    assert!(p.matches_body(&event("ObjectCreated:Put", "auto-insurance-2314.xml")));
    assert!(!p.matches_body(&event("ObjectRemoved:Delete", "auto-insurance-2314.xml")));
    assert!(!p.matches_body(&event("ObjectCreated:Put", "home-insurance-2314.xml")));

    // AND/OR on nested keys with $or inside a nested object.
    let p = policy(
        r#"{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"metricType":["MetricType"],"namespace":["AWS/EC2","AWS/ES"]},{"scope":["Service"]}]}"#,
        FilterPolicyScope::MessageBody,
    );
    assert!(p.matches_body(&json!({"source": "aws.cloudwatch", "metricName": "ReadLatency"})));
    assert!(p.matches_body(&json!({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/ES"})));
    assert!(!p.matches_body(&json!({"source": "aws.cloudwatch", "metricType": "MetricType"})));
    assert!(p.matches_body(&json!({"source": "aws.cloudwatch", "scope": "Service"})));
    assert!(!p.matches_body(&json!({"source": "aws.events", "scope": "Service"})));

    // A body that is not a JSON object never matches.
    let p = policy(r#"{"store":[{"exists":false}]}"#, FilterPolicyScope::MessageBody);
    assert!(p.matches_body_text(r#"{"event":"order_placed"}"#));
    assert!(!p.matches_body_text("order_placed"));
    assert!(!p.matches_body_text(r#"["order_placed"]"#));
}

#[test]
fn documented_constraints() {
    // 3 × 1 × 2 = 6 combinations: fine.
    policy(
        r#"{"key_a":["value_one","value_two","value_three"],"key_b":["value_one"],"key_c":["value_one","value_two"]}"#,
        FilterPolicyScope::MessageAttributes,
    );
    let err = FilterPolicy::parse(
        r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#,
        FilterPolicyScope::MessageAttributes,
    )
    .unwrap_err();
    assert_eq!(
        format!("Invalid parameter: {}", err.reason()),
        "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"
    );
    let err = FilterPolicy::parse(r#"{"a":{"b":["1"]}}"#, FilterPolicyScope::MessageAttributes).unwrap_err();
    assert_eq!(
        format!("Invalid parameter: Attributes Reason: {}", err.reason()),
        "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy"
    );
}

// --- Properties.

const KEYS: [&str; 3] = ["a", "b", "c"];
const WORDS: [&str; 5] = ["x", "xy", "y", "yz", "z"];

/// A simple condition, as JSON text.
fn condition() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&WORDS[..]).prop_map(|w| format!("\"{w}\"")),
        (0i64..5).prop_map(|n| n.to_string()),
        prop::sample::select(&WORDS[..]).prop_map(|w| format!(r#"{{"prefix":"{w}"}}"#)),
        prop::sample::select(&WORDS[..]).prop_map(|w| format!(r#"{{"suffix":"{w}"}}"#)),
        prop::sample::select(&WORDS[..]).prop_map(|w| format!(r#"{{"equals-ignore-case":"{w}"}}"#)),
        prop::sample::select(&WORDS[..]).prop_map(|w| format!(r#"{{"anything-but":["{w}"]}}"#)),
        (0i64..5).prop_map(|n| format!(r#"{{"numeric":[">",{n}]}}"#)),
        (0i64..3, 3i64..6).prop_map(|(lo, hi)| format!(r#"{{"numeric":[">=",{lo},"<",{hi}]}}"#)),
        any::<bool>().prop_map(|b| format!(r#"{{"exists":{b}}}"#)),
    ]
}

/// A policy of one or two keys, each with one to three conditions.
fn simple_policy() -> impl Strategy<Value = String> {
    prop::collection::btree_map(prop::sample::select(&KEYS[..]), prop::collection::vec(condition(), 1..=3), 1..=2)
        .prop_map(|fields| {
            let fields: Vec<String> =
                fields.into_iter().map(|(k, conditions)| format!("\"{k}\":[{}]", conditions.join(","))).collect();
            format!("{{{}}}", fields.join(","))
        })
}

fn attribute_value() -> impl Strategy<Value = MessageAttributeValue> {
    let word = || prop::sample::select(&["x", "xy", "y", "yz", "z", "X", "XY", ""][..]);
    prop_oneof![
        word().prop_map(MessageAttributeValue::string),
        (-2i64..8).prop_map(|n| MessageAttributeValue::number(n.to_string())),
        prop::collection::vec(word(), 1..4).prop_map(|words| MessageAttributeValue {
            data_type: "String.Array".into(),
            string_value: Some(serde_json::to_string(&words).unwrap()),
            ..Default::default()
        }),
        Just(MessageAttributeValue::binary(vec![1u8, 2])),
    ]
}

fn attribute_map() -> impl Strategy<Value = MessageAttributes> {
    prop::collection::btree_map(prop::sample::select(&KEYS[..]).prop_map(String::from), attribute_value(), 0..=3)
}

/// Any JSON value, biased towards the names the compiler cares about.
fn json_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(
        &[
            "a",
            "b",
            "$or",
            "prefix",
            "suffix",
            "anything-but",
            "numeric",
            "exists",
            "cidr",
            "equals-ignore-case",
            "=",
            ">",
            "<=",
            "10.0.0.0/8",
            "::1",
        ][..],
    );
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e10f64..1e10).prop_map(|f| json!(f)),
        names.clone().prop_map(|s| Value::String(s.to_string())),
        ".{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..5)
                .prop_map(|fields| { Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect()) }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// `{"$or": [p, q]}` matches exactly the messages `p` or `q` matches.
    #[test]
    fn or_is_the_union_of_its_alternatives(p in simple_policy(), q in simple_policy(), message in attribute_map()) {
        let scope = FilterPolicyScope::MessageAttributes;
        let either = policy(&format!(r#"{{"$or":[{p},{q}]}}"#), scope);
        let (p, q) = (policy(&p, scope), policy(&q, scope));
        prop_assert_eq!(either.matches_attributes(&message), p.matches_attributes(&message) || q.matches_attributes(&message));
    }

    /// For a present String or String.Array attribute, `anything-but` a list
    /// matches exactly when the same list as exact values does not.
    #[test]
    fn anything_but_is_the_complement_of_exact(
        values in prop::collection::vec(prop::sample::select(&WORDS[..]), 1..4),
        message in prop_oneof![
            prop::sample::select(&WORDS[..]).prop_map(MessageAttributeValue::string),
            prop::collection::vec(prop::sample::select(&WORDS[..]), 1..4).prop_map(|words| MessageAttributeValue {
                data_type: "String.Array".into(),
                string_value: Some(serde_json::to_string(&words).unwrap()),
                ..Default::default()
            }),
        ],
    ) {
        let list = values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(",");
        let scope = FilterPolicyScope::MessageAttributes;
        let exact = policy(&format!(r#"{{"k":[{list}]}}"#), scope);
        let anything_but = policy(&format!(r#"{{"k":[{{"anything-but":[{list}]}}]}}"#), scope);
        let message: MessageAttributes = [("k".to_string(), message)].into_iter().collect();
        prop_assert_eq!(anything_but.matches_attributes(&message), !exact.matches_attributes(&message));
    }

    /// Arbitrary text never panics the parser.
    #[test]
    fn parse_never_panics_on_text(text in ".{0,80}") {
        let _ = FilterPolicy::parse(&text, FilterPolicyScope::MessageAttributes);
        let _ = FilterPolicy::parse(&text, FilterPolicyScope::MessageBody);
    }

    /// Arbitrary JSON documents never panic the parser, and a policy that
    /// parses never panics when matching arbitrary messages.
    #[test]
    fn parse_and_match_never_panic_on_json(doc in json_value(), body in json_value(), message in attribute_map()) {
        let text = doc.to_string();
        for scope in [FilterPolicyScope::MessageAttributes, FilterPolicyScope::MessageBody] {
            if let Ok(p) = FilterPolicy::parse(&text, scope) {
                let _ = p.matches_attributes(&message);
                let _ = p.matches_body(&body);
                let _ = p.matches_body(&json!({"a": body.clone(), "b": [body.clone(), {"a": 1}]}));
            }
        }
        // The same document, pretty-printed, is judged the same way (SNS compiles the compact form).
        let pretty = serde_json::to_string_pretty(&doc).unwrap();
        prop_assert_eq!(
            FilterPolicy::parse(&pretty, FilterPolicyScope::MessageBody).map_err(|e| e.message),
            FilterPolicy::parse(&text, FilterPolicyScope::MessageBody).map_err(|e| e.message)
        );
    }
}
