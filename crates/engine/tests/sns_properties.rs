#![cfg(feature = "sns")]
//! Property: every publish reaches exactly the subscriptions whose filter
//! policy matches it — once each, also when FIFO deduplication drops a retry.

use std::collections::BTreeMap;

use decouple_engine::sns::{CreateTopic, Publish, Subscribe};
use decouple_engine::sqs::{self, CreateQueue, Receive, ReceiveMessage, SetQueueAttributes};
use decouple_engine::{Engine, EngineConfig};
use proptest::prelude::*;

const COLORS: [&str; 3] = ["red", "green", "blue"];

/// Each subscription accepts a set of colours (empty set = no filter policy).
fn filter_for(mask: u8) -> Option<String> {
    let allowed: Vec<String> =
        COLORS.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, c)| format!("\"{c}\"")).collect();
    (!allowed.is_empty()).then(|| format!("{{\"color\":[{}]}}", allowed.join(",")))
}

fn allow_sns(e: &mut Engine, url: &str, arn: &str) {
    let policy = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"sns.amazonaws.com"}},"Action":"sqs:SendMessage","Resource":"{arn}"}}]}}"#
    );
    e.sqs()
        .set_queue_attributes(SetQueueAttributes {
            queue_url: url.into(),
            attributes: [("Policy".into(), policy)].into(),
        })
        .unwrap();
}

fn drain(e: &mut Engine, url: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    loop {
        let req = ReceiveMessage { queue_url: url.into(), max_number_of_messages: Some(10), ..Default::default() };
        let Receive::Ready(got) = e.sqs().receive_message(req).unwrap() else { panic!("short poll") };
        if got.messages.is_empty() {
            return bodies;
        }
        for m in got.messages {
            e.sqs()
                .delete_message(sqs::DeleteMessage { queue_url: url.into(), receipt_handle: m.receipt_handle })
                .unwrap();
            bodies.push(m.body);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn each_subscription_gets_exactly_its_matches(
        fifo in any::<bool>(),
        masks in prop::collection::vec(0u8..8, 1..5),
        publishes in prop::collection::vec((0usize..3, 0u8..4), 1..30),
    ) {
        let mut e = Engine::new(EngineConfig::default());
        let suffix = if fifo { ".fifo" } else { "" };
        let mut topic_attributes = BTreeMap::new();
        if fifo {
            topic_attributes.insert("FifoTopic".to_string(), "true".to_string());
        }
        let topic = e.sns().create_topic(CreateTopic { name: format!("t{suffix}"), attributes: topic_attributes, ..Default::default() }).unwrap().topic_arn;
        let mut queues = Vec::new();
        for (i, &mask) in masks.iter().enumerate() {
            let name = format!("q{i}{suffix}");
            let mut attributes = BTreeMap::new();
            if fifo {
                attributes.insert("FifoQueue".to_string(), "true".to_string());
            }
            let url = e.sqs().create_queue(CreateQueue { queue_name: name.clone(), attributes, ..Default::default() }).unwrap().queue_url;
            let arn = format!("arn:aws:sqs:us-east-1:000000000000:{name}");
            allow_sns(&mut e, &url, &arn);
            let attributes = filter_for(mask).map(|p| [("FilterPolicy".to_string(), p)].into()).unwrap_or_default();
            e.sns().subscribe(Subscribe { topic_arn: topic.clone(), protocol: "sqs".into(), endpoint: Some(arn), attributes, ..Default::default() }).unwrap();
            queues.push((url, mask));
        }
        // What each queue must hold, in publish order; a FIFO retry with the
        // same deduplication id within 5 minutes is delivered once.
        let mut expected: Vec<Vec<String>> = vec![Vec::new(); queues.len()];
        let mut seen = std::collections::BTreeSet::new();
        for (n, &(color, dedup)) in publishes.iter().enumerate() {
            let body = format!("m{n}");
            let dedup_id = format!("d{dedup}-{color}");
            let req = Publish {
                topic_arn: Some(topic.clone()),
                message: body.clone(),
                message_attributes: [("color".to_string(), sqs::MessageAttributeValue::string(COLORS[color]))].into(),
                message_group_id: fifo.then(|| "g".to_string()),
                message_deduplication_id: fifo.then(|| dedup_id.clone()),
                ..Default::default()
            };
            e.sns().publish(req).unwrap();
            if fifo && !seen.insert(dedup_id) {
                continue;
            }
            for (q, (_, mask)) in queues.iter().enumerate() {
                if *mask == 0 || mask & (1 << color) != 0 {
                    expected[q].push(body.clone());
                }
            }
        }
        for (q, (url, _)) in queues.iter().enumerate() {
            let got: Vec<String> = drain(&mut e, url)
                .into_iter()
                .map(|envelope| serde_json::from_str::<serde_json::Value>(&envelope).unwrap()["Message"].as_str().unwrap().to_string())
                .collect();
            let mut want = expected[q].clone();
            let mut have = got.clone();
            if !fifo {
                want.sort();
                have.sort();
            }
            prop_assert_eq!(have, want, "queue {} (mask {:#05b})", q, queues[q].1);
        }
    }
}
