//! The course's ordering comparison (the Kinesis page): a fleet of 100
//! trucks reports positions in order, each report sent both to a Kinesis
//! stream of 5 shards (partition key: the truck) and to an SQS FIFO queue
//! (message group: the truck). Side by side the learner sees what each
//! promises: Kinesis keeps each truck's reports in order because a key
//! always hashes to the same shard, allows one consumer per shard (5 in
//! parallel) and keeps the records for every application to read; SQS FIFO
//! keeps order per group, lets up to 100 consumers work at once (a group is
//! locked while one of its messages is in flight) and deletes what was
//! consumed.
//!
//! Read from the engine's state; every button is Kinesis or SQS requests
//! through the gateway, so the API log shows each call.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use decouple_engine::sqs::MessageState;
use serde_json::{json, Value};
use yew::prelude::*;

use super::group_hue;
use crate::api::ApiRequest;
use crate::state::{Action, SimRef};

pub const TRUCKS: usize = 100;
pub const STREAM: &str = "trucks";
pub const QUEUE: &str = "trucks.fifo";
const SHARDS: u32 = 5;
/// Consumers polling the queue at once in "Receive as 10 consumers".
const CONSUMERS: usize = 10;

fn truck(i: usize) -> String {
    format!("truck-{i:03}")
}

/// A truck's report for a round, as both services carry it.
fn report(i: usize, round: u64) -> String {
    // A made-up position that moves a little each round.
    let lat = 47.0 + (i as f64 * 0.013) + round as f64 * 0.001;
    let lon = 8.0 + (i as f64 * 0.021) - round as f64 * 0.001;
    format!(r#"{{"truck":"{}","report":{round},"lat":{lat:.3},"lon":{lon:.3}}}"#, truck(i))
}

/// CreateStream (5 shards) and CreateQueue (FIFO).
pub fn setup_requests() -> Vec<ApiRequest> {
    vec![
        ApiRequest::kinesis("CreateStream", [("StreamName", json!(STREAM)), ("ShardCount", json!(SHARDS))]),
        ApiRequest::new("CreateQueue", [("QueueName", json!(QUEUE)), ("Attributes", json!({"FifoQueue": "true"}))]),
    ]
}

/// One round: every truck's report, as one PutRecords (partition key: the
/// truck) and ten SendMessageBatch calls (group: the truck; the
/// deduplication id names the truck and round).
pub fn round_requests(queue_url: &str, round: u64) -> Vec<ApiRequest> {
    let records: Vec<Value> = (1..=TRUCKS)
        .map(|i| {
            let data = base64::engine::general_purpose::STANDARD.encode(report(i, round));
            json!({"Data": data, "PartitionKey": truck(i)})
        })
        .collect();
    let mut requests =
        vec![ApiRequest::kinesis("PutRecords", [("StreamName", json!(STREAM)), ("Records", Value::Array(records))])];
    let entries: Vec<Value> = (1..=TRUCKS)
        .map(|i| {
            json!({
                "Id": truck(i),
                "MessageBody": report(i, round),
                "MessageGroupId": truck(i),
                "MessageDeduplicationId": format!("{}-{round}", truck(i)),
            })
        })
        .collect();
    requests.extend(
        entries.chunks(10).map(|chunk| {
            ApiRequest::new("SendMessageBatch", [("QueueUrl", json!(queue_url)), ("Entries", json!(chunk))])
        }),
    );
    requests
}

/// Ten consumers each receiving up to 10 messages.
pub fn receive_requests(queue_url: &str) -> Vec<ApiRequest> {
    (0..CONSUMERS)
        .map(|_| {
            ApiRequest::new(
                "ReceiveMessage",
                [("QueueUrl", json!(queue_url)), ("MaxNumberOfMessages", json!(10)), ("VisibilityTimeout", json!(30))],
            )
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct TrucksDemoProps {
    pub sim: SimRef,
    pub version: u64,
    pub on_action: Callback<Action>,
}

/// What the FIFO queue holds per group: (waiting, in flight).
type Groups = BTreeMap<String, (usize, usize)>;

#[function_component(TrucksDemo)]
pub fn trucks_demo(p: &TrucksDemoProps) -> Html {
    let sim = p.sim.0.borrow();
    let stream = sim.engine.kinesis_state().stream(STREAM);
    let queue = sim.engine.sqs_state().queue_by_name(QUEUE);
    let intro = html! {
        <p class="hint">
            { "The course's comparison: 100 trucks report their position in order. Each report goes to a Kinesis \
               stream with 5 shards (partition key: the truck) and to an SQS FIFO queue (message group: the truck)." }
        </p>
    };
    let (Some(stream), Some(queue)) = (stream, queue) else {
        let setup = p.on_action.reform(|_: MouseEvent| Action::CallMany {
            requests: setup_requests(),
            success: format!(
                "Created the stream {STREAM} (5 shards, ACTIVE in 10 virtual seconds) and the FIFO queue {QUEUE}."
            ),
        });
        return html! {
            <section class="card trucks" id="trucks" aria-labelledby="trucks-heading">
                <h2 id="trucks-heading">{ "Ordering: Kinesis vs SQS FIFO" }</h2>
                { intro }
                <button type="button" class="primary" onclick={setup}>{ "Set up the trucks demo" }</button>
            </section>
        };
    };
    let queue_url = queue.url.clone();
    let records: usize = stream.shards.iter().map(|s| s.records.len()).sum();
    let round = (records / TRUCKS) as u64 + 1;
    let report_round = {
        let (on_action, url) = (p.on_action.clone(), queue_url.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::CallMany {
                requests: round_requests(&url, round),
                success: format!("Round {round}: 100 trucks reported, to the stream and to the queue."),
            })
        })
    };
    let receive = {
        let (on_action, url) = (p.on_action.clone(), queue_url.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::CallMany {
                requests: receive_requests(&url),
                success:
                    "10 consumers polled the queue: each group with a message in flight is locked to its consumer."
                        .into(),
            })
        })
    };

    // Kinesis: which trucks each open shard holds.
    let mut open: Vec<_> = stream.open_shards().collect();
    open.sort_by_key(|s| s.range.starting);
    let shard_rows = open.iter().map(|s| {
        let trucks: BTreeSet<&str> = s.records.iter().map(|r| s.partition_key(r)).collect();
        let sample: Vec<&str> = trucks.iter().take(4).copied().collect();
        html! {
            <tr data-shard={s.id()}>
                <th scope="row">{ s.id() }</th>
                <td>{ trucks.len() }</td>
                <td>{ s.records.len() }</td>
                <td class="sample">{ sample.join(", ") }{ if trucks.len() > sample.len() { ", …" } else { "" } }</td>
            </tr>
        }
    });

    // SQS FIFO: messages per group, and the groups locked by an in-flight message.
    let mut groups: Groups = BTreeMap::new();
    for m in queue.messages() {
        let Some(g) = &m.group_id else { continue };
        let entry = groups.entry(g.to_string()).or_default();
        if matches!(m.state, MessageState::InFlight { .. }) {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    let locked = groups.values().filter(|(_, in_flight)| *in_flight > 0).count();
    let cells = (1..=TRUCKS).map(|i| {
        let name = truck(i);
        let (waiting, in_flight) = groups.get(&name).copied().unwrap_or_default();
        let title = format!("group {name}: {waiting} waiting, {in_flight} in flight");
        html! {
            <li class={classes!("group-cell", (in_flight > 0).then_some("locked"), (waiting + in_flight == 0).then_some("empty"))}
                style={format!("--hue:{}", group_hue(&name))} {title}>
                { waiting + in_flight }
            </li>
        }
    });
    html! {
        <section class="card trucks" id="trucks" aria-labelledby="trucks-heading" data-testid="trucks">
            <h2 id="trucks-heading">{ "Ordering: Kinesis vs SQS FIFO" }</h2>
            { intro }
            <div class="trucks-actions">
                <button type="button" class="primary" onclick={report_round}>{ format!("Report positions (round {round})") }</button>
                <button type="button" onclick={receive}>{ "Receive as 10 consumers (SQS)" }</button>
            </div>
            <div class="trucks-sides">
                <div class="side-kinesis">
                    <h3>{ format!("Kinesis: stream {STREAM}, {} open shards", open.len()) }</h3>
                    <table class="trucks-shards">
                        <thead><tr><th scope="col">{ "Shard" }</th><th scope="col">{ "Trucks" }</th>
                            <th scope="col">{ "Records" }</th><th scope="col">{ "Some of its trucks" }</th></tr></thead>
                        <tbody>{ for shard_rows }</tbody>
                    </table>
                    <ul class="verdict">
                        <li>{ "In order per truck: a partition key always hashes to the same shard, and a shard is ordered." }</li>
                        <li>{ format!("At most {} consumers of one application in parallel: one KCL worker per shard.", open.len()) }</li>
                        <li>{ "Records stay for the retention period: every application reads all of them, and can replay." }</li>
                    </ul>
                </div>
                <div class="side-sqs">
                    <h3>{ format!("SQS FIFO: queue {QUEUE}, {} groups with messages", groups.len()) }</h3>
                    <ol class="group-grid" aria-label="Messages per message group (one cell per truck)">{ for cells }</ol>
                    <p class="hint" data-testid="locked">{ format!("{locked} groups locked by an in-flight message") }</p>
                    <ul class="verdict">
                        <li>{ "In order per truck: a message group is delivered in order." }</li>
                        <li>{ "Up to 100 consumers in parallel: one per group (a group is locked while one of its messages is in flight)." }</li>
                        <li>{ "A message is consumed once and deleted: one application per queue (fan out with SNS for more)." }</li>
                    </ul>
                </div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Command, Outcome, Sim};
    use decouple_engine::SimDuration;

    #[test]
    fn a_round_reaches_both_services_in_order_per_truck() {
        let mut sim = Sim::new(3);
        assert!(matches!(sim.perform(Command::CallMany(setup_requests())), Outcome::Ok(_)));
        sim.advance_by(SimDuration::from_secs(10));
        let url = sim.engine.sqs_state().queue_by_name(QUEUE).unwrap().url.clone();
        for round in 1..=2 {
            let outcome = sim.perform(Command::CallMany(round_requests(&url, round)));
            assert!(matches!(outcome, Outcome::Ok(_)), "{outcome:?}");
        }
        let stream = sim.engine.kinesis_state().stream(STREAM).unwrap();
        assert_eq!(stream.shards.iter().map(|s| s.records.len()).sum::<usize>(), 2 * TRUCKS);
        // Each truck's two reports are in one shard, round 1 before round 2.
        for s in &stream.shards {
            let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
            for r in &s.records {
                let n = seen.entry(s.partition_key(r)).or_default();
                *n += 1;
                let text = String::from_utf8_lossy(s.data(r)).into_owned();
                assert!(text.contains(&format!(r#""report":{n}"#)), "{text}");
            }
        }
        let queue = sim.engine.sqs_state().queue_by_name(QUEUE).unwrap();
        assert_eq!(queue.len(), 2 * TRUCKS);
        // A receive may take several messages of a group, always from its head: round 1 first.
        assert!(matches!(sim.perform(Command::CallMany(receive_requests(&url))), Outcome::Ok(_)));
        let queue = sim.engine.sqs_state().queue_by_name(QUEUE).unwrap();
        let mut in_flight: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in queue.messages().filter(|m| matches!(m.state, MessageState::InFlight { .. })) {
            in_flight.entry(m.group_id.as_deref().unwrap().to_string()).or_default().push(m.body.clone());
        }
        assert!(!in_flight.is_empty());
        for bodies in in_flight.values() {
            assert!(bodies[0].contains(r#""report":1"#), "the head of each group first: {bodies:?}");
        }
    }
}
