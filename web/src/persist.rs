//! Saving and sharing a playground.
//!
//! The engine is deterministic, so a playground is fully described by its
//! seed, the learner's commands with the virtual time of each, and the time
//! now: replaying them on a fresh engine rebuilds every queue, message,
//! receipt handle and log entry byte for byte. That journal is what local
//! storage keeps (state survives a reload). A share link carries a *setup*
//! instead — the queues with their attributes, the simulated apps and the
//! seed — written as the same journal at time zero, so one decoder serves both.
//!
//! The format is versioned JSON (`{"v":1, ...}`); anything unreadable or from
//! another version is refused with a message, and the app starts fresh. So is
//! a journal with SNS or S3 commands opened in the SQS playground (built
//! without the `sns` feature): the message says to open it in the SNS one;
//! likewise Kinesis, Firehose and SQL application commands outside the
//! Kinesis page (the `kinesis` feature).

use base64::Engine as _;
use decouple_engine::SimTime;
use serde_json::{json, Map, Value};

use crate::api::{ApiRequest, Service};
use crate::apps::{AppKind, ConsumerConfig};
#[cfg(feature = "kinesis")]
use crate::sim::SqlControl;
use crate::sim::{Command, Sim};

pub const VERSION: u64 = 1;
/// The local-storage key's prefix; the page's path and query follow it, so
/// that two lessons (or two playgrounds embedded on one site) keep apart.
pub const STORAGE_KEY: &str = "decouple.playground:";
/// The URL fragment's key: `#setup=<base64url JSON>`.
pub const FRAGMENT_KEY: &str = "setup=";

/// `{"a": action, "b": members}`, plus `"s": "sns"`, `"s3api"` or `"kinesis"`
/// for a service other than SQS (journals written before SNS and S3 have no `s`).
fn request_json(r: &ApiRequest) -> Value {
    #[cfg(any(feature = "sns", feature = "kinesis"))]
    if r.service != Service::Sqs {
        return json!({"s": r.service.name(), "a": r.action, "b": r.body});
    }
    json!({"a": r.action, "b": r.body})
}

/// The services (as journals name them) that only the SNS playground has.
const SNS_PLAYGROUND_SERVICES: [&str; 2] = ["sns", "s3api"];

/// Why a journal that uses SNS or S3 cannot be replayed by a build without
/// them (the SQS playground); in the SNS playground it is never reached.
fn only_in_sns_playground(what: &str) -> String {
    format!("it uses {what}, which this SQS playground does not include: open it in the SNS playground")
}

fn command_json(c: &Command) -> Value {
    match c {
        Command::Call(r) => json!({"call": request_json(r)}),
        Command::CallMany(rs) => json!({"many": rs.iter().map(request_json).collect::<Vec<_>>()}),
        Command::AddApp { url, kind: AppKind::Producer { per_minute } } => {
            json!({"producer": {"url": url, "perMinute": per_minute}})
        }
        Command::AddApp { url, kind: AppKind::Consumer(c) } => json!({"consumer": {
            "url": url, "pollMs": c.poll_interval_ms, "batch": c.batch, "wait": c.wait_seconds,
            "processingMs": c.processing_ms, "failure": c.failure_percent,
        }}),
        Command::CrashApp(id) => json!({"crash": id}),
        Command::RemoveApp(id) => json!({"remove": id}),
        Command::Realism(on) => json!({"realism": on}),
        #[cfg(feature = "sns")]
        Command::EndpointHealth { endpoint, healthy } => json!({"endpoint": {"url": endpoint, "healthy": healthy}}),
        #[cfg(feature = "sns")]
        Command::EndpointLatency { endpoint, seconds } => {
            json!({"endpoint": {"url": endpoint, "latencySeconds": seconds}})
        }
        #[cfg(feature = "kinesis")]
        Command::Kinesis(control) => crate::kinesis_controls::to_json(control),
        #[cfg(feature = "kinesis")]
        Command::Sql(control) => json!({"sql": sql_json(control)}),
    }
}

/// `{"create": {...}}`, `{"start": name}`, `{"stop": name}` or `{"delete": name}`.
#[cfg(feature = "kinesis")]
fn sql_json(control: &SqlControl) -> Value {
    match control {
        SqlControl::Create { name, stream, trim_horizon, columns, code } => json!({"create": {
            "name": name, "stream": stream, "trimHorizon": trim_horizon, "code": code,
            "columns": columns.iter().map(|(n, m, t)| json!([n, m, t])).collect::<Vec<_>>(),
        }}),
        SqlControl::Start(name) => json!({"start": name}),
        SqlControl::Stop(name) => json!({"stop": name}),
        SqlControl::Delete(name) => json!({"delete": name}),
    }
}

#[cfg(feature = "kinesis")]
fn sql_from(v: &Value) -> Result<SqlControl, String> {
    let text = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_string).ok_or(format!("missing {k}"));
    if let Some(c) = v.get("create") {
        let mut columns = Vec::new();
        for column in c.get("columns").and_then(Value::as_array).ok_or("missing columns")? {
            let part = |i: usize| column.get(i).and_then(Value::as_str).map(str::to_string).ok_or("a bad column");
            columns.push((part(0)?, part(1)?, part(2)?));
        }
        return Ok(SqlControl::Create {
            name: text(c, "name")?,
            stream: text(c, "stream")?,
            trim_horizon: c.get("trimHorizon").and_then(Value::as_bool).unwrap_or(false),
            columns,
            code: text(c, "code")?,
        });
    }
    for (key, make) in [
        ("start", SqlControl::Start as fn(String) -> SqlControl),
        ("stop", SqlControl::Stop),
        ("delete", SqlControl::Delete),
    ] {
        if v.get(key).is_some() {
            return Ok(make(text(v, key)?));
        }
    }
    Err("a SQL application entry of unknown kind".into())
}

/// The whole playground: seed, journal and the time now.
pub fn save(sim: &Sim) -> String {
    let journal: Vec<Value> = sim
        .journal
        .iter()
        .map(|(at, c)| {
            let mut v = command_json(c);
            if let Some(m) = v.as_object_mut() {
                m.insert("t".into(), json!(at.as_millis()));
            }
            v
        })
        .collect();
    json!({"v": VERSION, "seed": sim.seed(), "now": sim.engine.now().as_millis(), "journal": journal}).to_string()
}

fn request_from(v: &Value) -> Result<ApiRequest, String> {
    let name = v.get("a").and_then(Value::as_str).ok_or("a request without an action")?;
    let service = match v.get("s").and_then(Value::as_str) {
        None => Service::Sqs,
        Some(s) => match Service::parse(s) {
            Some(service) => service,
            None if s == "kinesis" || s == "firehose" => {
                let service = if s == "kinesis" { "Kinesis" } else { "Data Firehose" };
                return Err(format!(
                    "it uses {service} ({name}), which this playground does not include: open it in the Kinesis playground"
                ));
            }
            None if SNS_PLAYGROUND_SERVICES.contains(&s) => {
                let service = if s == "sns" { "SNS" } else { "S3" };
                return Err(only_in_sns_playground(&format!("{service} ({name})")));
            }
            None => return Err(format!("unknown service {s:?}")),
        },
    };
    let action = service.action(name).ok_or_else(|| format!("unknown action {name:?}"))?;
    let body = v.get("b").cloned().filter(Value::is_object).ok_or("a request without a body")?;
    Ok(ApiRequest { service, action, body })
}

fn command_from(v: &Map<String, Value>) -> Result<Command, String> {
    let num = |o: &Value, k: &str| o.get(k).and_then(Value::as_u64).ok_or_else(|| format!("missing {k}"));
    let url = |o: &Value| o.get("url").and_then(Value::as_str).map(str::to_string).ok_or("missing url");
    if let Some(r) = v.get("call") {
        return Ok(Command::Call(request_from(r)?));
    }
    if let Some(rs) = v.get("many").and_then(Value::as_array) {
        return Ok(Command::CallMany(rs.iter().map(request_from).collect::<Result<_, _>>()?));
    }
    if let Some(p) = v.get("producer") {
        let per_minute = num(p, "perMinute")? as u32;
        return Ok(Command::AddApp { url: url(p)?, kind: AppKind::Producer { per_minute } });
    }
    if let Some(c) = v.get("consumer") {
        let config = ConsumerConfig {
            poll_interval_ms: num(c, "pollMs")?,
            batch: num(c, "batch")? as u32,
            wait_seconds: num(c, "wait")? as u32,
            processing_ms: num(c, "processingMs")?,
            failure_percent: num(c, "failure")? as u32,
        };
        return Ok(Command::AddApp { url: url(c)?, kind: AppKind::Consumer(config) });
    }
    if let Some(id) = v.get("crash").and_then(Value::as_u64) {
        return Ok(Command::CrashApp(id as u32));
    }
    if let Some(id) = v.get("remove").and_then(Value::as_u64) {
        return Ok(Command::RemoveApp(id as u32));
    }
    if let Some(on) = v.get("realism").and_then(Value::as_bool) {
        return Ok(Command::Realism(on));
    }
    if let Some(e) = v.get("endpoint") {
        #[cfg(feature = "sns")]
        {
            if let Some(seconds) = e.get("latencySeconds").and_then(Value::as_u64) {
                let seconds = u32::try_from(seconds).map_err(|_| "latencySeconds out of range")?;
                return Ok(Command::EndpointLatency { endpoint: url(e)?, seconds });
            }
            let healthy = e.get("healthy").and_then(Value::as_bool).ok_or("missing healthy")?;
            return Ok(Command::EndpointHealth { endpoint: url(e)?, healthy });
        }
        #[cfg(not(feature = "sns"))]
        return Err(only_in_sns_playground(&format!("SNS (a failing endpoint, {})", url(e)?)));
    }
    #[cfg(feature = "kinesis")]
    if let Some(control) = crate::kinesis_controls::from_json(v) {
        return Ok(Command::Kinesis(control?));
    }
    #[cfg(not(feature = "kinesis"))]
    if v.contains_key("kcl") || v.contains_key("kinesisProducer") {
        return Err("it uses a simulated KCL application or Kinesis producer, which this playground does not \
                    include: open it in the Kinesis playground"
            .into());
    }
    if let Some(control) = v.get("sql") {
        #[cfg(feature = "kinesis")]
        return Ok(Command::Sql(sql_from(control)?));
        #[cfg(not(feature = "kinesis"))]
        {
            let _ = control;
            return Err("it uses a Kinesis Data Analytics SQL application, which this playground does not include: \
                 open it in the Kinesis playground"
                .into());
        }
    }
    Err("an entry of unknown kind".into())
}

/// Moves the clock as the live page did, in bounded steps: `Sim::advance_to`
/// caps the work per movement, and one huge movement must not hit a cap the
/// live run (a frame at a time) never hit, or the replay would differ.
fn replay_to(sim: &mut Sim, t: SimTime) {
    const STEP: u64 = 60_000;
    loop {
        // At least once, even to "now": what is due at this instant happens.
        let next = SimTime::from_millis((sim.engine.now().as_millis() + STEP).min(t.as_millis()));
        sim.advance_to(next);
        if next >= t {
            break;
        }
    }
}

/// Rebuilds a playground from `save`'s output (or a share link's setup).
pub fn restore(text: &str) -> Result<Sim, String> {
    let doc: Value = serde_json::from_str(text).map_err(|_| "it is not valid JSON".to_string())?;
    match doc.get("v").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => return Err(format!("it was saved by another version of Decouple (format {v})")),
        None => return Err("it has no format version".into()),
    }
    let seed = doc.get("seed").and_then(Value::as_u64).ok_or("it has no seed")?;
    let now = doc.get("now").and_then(Value::as_u64).ok_or("it has no time")?;
    let journal = doc.get("journal").and_then(Value::as_array).ok_or("it has no journal")?;
    let mut sim = Sim::new(seed);
    for entry in journal {
        let map = entry.as_object().ok_or("a journal entry is not an object")?;
        let at = map.get("t").and_then(Value::as_u64).ok_or("a journal entry has no time")?;
        replay_to(&mut sim, SimTime::from_millis(at));
        sim.perform(command_from(map)?);
    }
    replay_to(&mut sim, SimTime::from_millis(now));
    Ok(sim)
}

/// The setup of a playground (queues, attributes, simulated apps, realism,
/// seed) without its messages or history: what a share link carries.
pub fn setup(sim: &Sim) -> String {
    let start = sim.start();
    let state = sim.engine.sqs_state();
    let mut journal = Vec::new();
    let mut redrives = Vec::new();
    let defaults = crate::components::queue_form::Fields::default();
    for q in state.queues() {
        let fields = crate::components::queue_form::Fields::of(q);
        let base = crate::components::queue_form::Fields { fifo: q.fifo, ..defaults.clone() };
        let mut attributes = fields.changed_attributes(&base);
        if let Some(policy) = attributes.remove("RedrivePolicy") {
            redrives.push(ApiRequest::new(
                "SetQueueAttributes",
                [("QueueUrl", json!(q.url)), ("Attributes", json!({"RedrivePolicy": policy}))],
            ));
        }
        if q.fifo {
            attributes.insert("FifoQueue".into(), "true".into());
        }
        let attributes = if attributes.is_empty() { Value::Null } else { Value::Object(attributes) };
        journal.push(Command::Call(ApiRequest::new(
            "CreateQueue",
            [("QueueName", json!(q.name.to_string())), ("Attributes", attributes)],
        )));
    }
    journal.extend(redrives.into_iter().map(Command::Call));
    #[cfg(feature = "sns")]
    sns_and_s3_setup(sim, &mut journal);
    // What needs an ACTIVE stream comes once the streams are created.
    #[cfg(feature = "kinesis")]
    let later = kinesis_setup(sim, &mut journal);
    #[cfg(not(feature = "kinesis"))]
    let later: Vec<Command> = Vec::new();
    for app in sim.apps.iter().filter(|a| !a.crashed) {
        journal.push(Command::AddApp { url: app.queue_url.clone(), kind: app.kind.clone() });
    }
    if sim.realism_on() {
        journal.push(Command::Realism(true));
    }
    #[cfg(feature = "sns")]
    for endpoint in sim.engine.sns_state().failing_endpoints() {
        journal.push(Command::EndpointHealth { endpoint: endpoint.to_string(), healthy: false });
    }
    #[cfg(feature = "sns")]
    for (endpoint, latency) in sim.engine.sns_state().slow_endpoints() {
        let seconds = u32::try_from(latency.as_secs()).unwrap_or(crate::sim::MAX_LATENCY_SECONDS);
        journal.push(Command::EndpointLatency { endpoint: endpoint.to_string(), seconds });
    }
    #[cfg(feature = "kinesis")]
    let active = start + decouple_engine::kinesis::STREAM_CREATE_DELAY;
    #[cfg(not(feature = "kinesis"))]
    let active = start;
    let now = if later.is_empty() { start } else { active };
    let entries: Vec<Value> = journal
        .iter()
        .map(|c| (start, c))
        .chain(later.iter().map(|c| (active, c)))
        .map(|(at, c)| {
            let mut v = command_json(c);
            if let Some(m) = v.as_object_mut() {
                m.insert("t".into(), json!(at.as_millis()));
            }
            v
        })
        .collect();
    json!({"v": VERSION, "seed": sim.seed(), "now": now.as_millis(), "journal": entries}).to_string()
}

/// Streams (their open shard count or on-demand mode) go into `journal`;
/// what needs them ACTIVE is returned: their retention, the KCL
/// applications (with as many workers, all running) and the running
/// producers. Records, resharding history and lease tables are not carried.
#[cfg(feature = "kinesis")]
fn kinesis_setup(sim: &Sim, journal: &mut Vec<Command>) -> Vec<Command> {
    use crate::kinesis_controls::{KclControl, KinesisControl, ProducerControl};
    use decouple_engine::kinesis::{StreamMode, StreamStatus};
    let state = sim.engine.kinesis_state();
    let mut later = Vec::new();
    for s in state.streams().filter(|s| s.status != StreamStatus::Deleting) {
        let (count, mode) = match s.mode {
            StreamMode::OnDemand => (Value::Null, json!({"StreamMode": "ON_DEMAND"})),
            StreamMode::Provisioned => (json!(s.open_shard_count()), Value::Null),
        };
        journal.push(Command::Call(ApiRequest::kinesis(
            "CreateStream",
            [("StreamName", json!(s.name.to_string())), ("ShardCount", count), ("StreamModeDetails", mode)],
        )));
        if s.retention_hours != decouple_engine::kinesis::DEFAULT_RETENTION_HOURS {
            later.push(Command::Call(ApiRequest::kinesis(
                "IncreaseStreamRetentionPeriod",
                [("StreamName", json!(s.name.to_string())), ("RetentionPeriodHours", json!(s.retention_hours))],
            )));
        }
    }
    for app in state.kcl_applications().filter(|a| state.stream(&a.stream).is_some()) {
        later.push(Command::Kinesis(KinesisControl::Kcl(KclControl::Create {
            app: app.name.to_string(),
            stream: app.stream.clone(),
            workers: app.workers().count() as u32,
        })));
    }
    for p in state.producers().filter(|p| p.running && state.stream(&p.stream).is_some()) {
        later.push(Command::Kinesis(KinesisControl::Producer(ProducerControl::Start {
            name: p.name.to_string(),
            stream: p.stream.clone(),
            records_per_second: p.records_per_second,
            strategy: p.strategy,
        })));
    }
    later
}

/// Topics (with their attributes), subscriptions (with theirs), buckets and
/// their notification configurations, as the requests that create them. They
/// come after the queues, whose policies let the topics and buckets send.
/// Subscriptions that must be confirmed are pending again in the copy.
#[cfg(feature = "sns")]
fn sns_and_s3_setup(sim: &Sim, journal: &mut Vec<Command>) {
    let sns = sim.engine.sns_state();
    for t in sns.topics() {
        let mut attributes: Map<String, Value> =
            t.attributes.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
        if t.fifo {
            attributes.insert("FifoTopic".into(), "true".into());
        }
        let attributes = if attributes.is_empty() { Value::Null } else { Value::Object(attributes) };
        journal.push(Command::Call(ApiRequest::sns(
            "CreateTopic",
            [("Name", json!(t.name.to_string())), ("Attributes", attributes)],
        )));
    }
    // Platform applications and their devices. Credentials are not kept by
    // SNS (nor here), so the link carries placeholders.
    for app in sns.platform_applications() {
        let mut attributes = json!({"PlatformCredential": "credential"});
        if app.platform != "GCM" {
            attributes["PlatformPrincipal"] = json!("principal");
        }
        journal.push(Command::Call(ApiRequest::sns(
            "CreatePlatformApplication",
            [("Name", json!(app.name)), ("Platform", json!(app.platform)), ("Attributes", attributes)],
        )));
        for token in app.endpoints.keys() {
            journal.push(Command::Call(ApiRequest::sns(
                "CreatePlatformEndpoint",
                [("PlatformApplicationArn", json!(app.arn)), ("Token", json!(token))],
            )));
        }
    }
    // Device endpoint ARNs end in a random id that a replay cannot know in
    // advance, so subscriptions of devices are left out of a share link.
    for s in sns.subscriptions().filter(|s| s.protocol.as_str() != "application") {
        let mut attributes: Map<String, Value> =
            s.attributes.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
        if s.raw_message_delivery {
            attributes.insert("RawMessageDelivery".into(), "true".into());
        }
        if let Some((policy, _)) = &s.filter_policy {
            attributes.insert("FilterPolicy".into(), Value::from(policy.as_str()));
            attributes.insert("FilterPolicyScope".into(), s.filter_policy_scope.as_str().into());
        }
        let attributes = if attributes.is_empty() { Value::Null } else { Value::Object(attributes) };
        journal.push(Command::Call(ApiRequest::sns(
            "Subscribe",
            [
                ("TopicArn", json!(s.topic_arn)),
                ("Protocol", json!(s.protocol.as_str())),
                ("Endpoint", json!(s.endpoint)),
                ("Attributes", attributes),
            ],
        )));
    }
    for b in sim.engine.s3_state().buckets() {
        journal.push(Command::Call(ApiRequest::s3("CreateBucket", [("Bucket", json!(b.name))])));
        let n = &b.notification;
        if !n.queue_configurations.is_empty() || !n.topic_configurations.is_empty() {
            let config = crate::components::buckets::configuration(b, None, None);
            journal.push(Command::Call(ApiRequest::s3(
                "PutBucketNotificationConfiguration",
                [("Bucket", json!(b.name)), ("NotificationConfiguration", config)],
            )));
        }
    }
}

/// `#setup=…` for a share link.
pub fn fragment(setup_json: &str) -> String {
    format!("#{FRAGMENT_KEY}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(setup_json))
}

/// The setup JSON in a URL fragment, if it has one.
pub fn from_fragment(hash: &str) -> Option<Result<String, String>> {
    let encoded = hash.trim_start_matches('#').strip_prefix(FRAGMENT_KEY)?;
    Some(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| "the link is damaged".to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use decouple_engine::SimDuration;

    fn call(sim: &mut Sim, action: &'static str, members: Value) {
        let members: Vec<(&'static str, Value)> = members
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (&*Box::leak(k.clone().into_boxed_str()), v.clone()))
            .collect();
        sim.perform(Command::Call(ApiRequest::new(action, members)));
    }

    #[test]
    fn a_saved_playground_replays_byte_for_byte() {
        let mut sim = Sim::new(9);
        call(&mut sim, "CreateQueue", json!({"QueueName": "q", "Attributes": {"VisibilityTimeout": "5"}}));
        let url = sim.engine.sqs_state().queue_by_name("q").unwrap().url.clone();
        call(&mut sim, "SendMessage", json!({"QueueUrl": url, "MessageBody": "a"}));
        sim.advance_by(SimDuration::from_secs(3));
        call(&mut sim, "ReceiveMessage", json!({"QueueUrl": url}));
        sim.perform(Command::AddApp { url: url.clone(), kind: AppKind::Producer { per_minute: 30 } });
        sim.advance_by(SimDuration::from_secs(30));
        let saved = save(&sim);
        let back = restore(&saved).unwrap();
        assert_eq!(save(&back), saved);
        assert_eq!(back.engine.now(), sim.engine.now());
        assert_eq!(back.log, sim.log);
        let q = |s: &Sim| {
            let q = s.engine.sqs_state().queue_by_name("q").unwrap();
            (q.visible_count(), q.in_flight_count(), q.messages().map(|m| m.id.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(q(&back), q(&sim));
    }

    #[test]
    fn a_setup_link_recreates_queues_dlq_and_apps() {
        let mut sim = Sim::new(9);
        call(&mut sim, "CreateQueue", json!({"QueueName": "dlq"}));
        let arn = sim.engine.sqs_state().queue_by_name("dlq").unwrap().arn.clone();
        let policy = json!({"deadLetterTargetArn": arn, "maxReceiveCount": 3}).to_string();
        call(
            &mut sim,
            "CreateQueue",
            json!({"QueueName": "jobs.fifo", "Attributes": {"FifoQueue": "true", "RedrivePolicy": "x"}}),
        );
        call(&mut sim, "CreateQueue", json!({"QueueName": "a-fifo-less", "Attributes": {"DelaySeconds": "7"}}));
        let url = sim.engine.sqs_state().queue_by_name("a-fifo-less").unwrap().url.clone();
        call(&mut sim, "SetQueueAttributes", json!({"QueueUrl": url, "Attributes": {"RedrivePolicy": policy}}));
        sim.perform(Command::AddApp { url: url.clone(), kind: AppKind::Producer { per_minute: 10 } });
        sim.advance_by(SimDuration::from_secs(100));
        let link = fragment(&setup(&sim));
        let back = restore(&from_fragment(&link).unwrap().unwrap()).unwrap();
        let q = back.engine.sqs_state().queue_by_name("a-fifo-less").unwrap();
        assert_eq!(q.config.delay_seconds, 7);
        assert_eq!(q.config.redrive_policy.as_ref().unwrap().max_receive_count, 3);
        assert_eq!(q.len(), 1, "the producer's first message, and nothing of the old history");
        assert_eq!(back.apps.len(), 1);
        assert!(back.engine.sqs_state().queue_by_name("dlq").is_some());
        // The FIFO queue failed to be created in the original (bad policy), so it is not in the setup.
        assert!(back.engine.sqs_state().queue_by_name("jobs.fifo").is_none());
    }

    #[cfg(feature = "sns")]
    #[test]
    fn a_setup_link_recreates_topics_subscriptions_and_buckets() {
        let mut sim = Sim::new(9);
        call(&mut sim, "CreateQueue", json!({"QueueName": "inbox"}));
        let queue_arn = sim.engine.sqs_state().queue_by_name("inbox").unwrap().arn.clone();
        let sns = |sim: &mut Sim, action: &'static str, members: Vec<(&'static str, Value)>| {
            sim.perform(Command::Call(ApiRequest::sns(action, members)));
        };
        sns(&mut sim, "CreateTopic", vec![("Name", json!("t.fifo")), ("Attributes", json!({"FifoTopic": "true"}))]);
        sns(&mut sim, "CreateTopic", vec![("Name", json!("plain"))]);
        let topic = sim.engine.sns_state().topic_by_name("plain").unwrap().arn.clone();
        let policy = r#"{"a": ["b"]}"#;
        let attributes = json!({"RawMessageDelivery": "true", "FilterPolicy": policy});
        sns(
            &mut sim,
            "Subscribe",
            vec![
                ("TopicArn", json!(topic)),
                ("Protocol", json!("sqs")),
                ("Endpoint", json!(queue_arn)),
                ("Attributes", attributes),
            ],
        );
        sim.perform(Command::EndpointHealth { endpoint: "https://x.example".into(), healthy: false });
        sim.perform(Command::EndpointLatency { endpoint: "https://slow.example".into(), seconds: 20 });
        sim.perform(Command::Call(ApiRequest::s3("CreateBucket", [("Bucket", json!("photos"))])));
        let apns = json!({"PlatformCredential": "key", "PlatformPrincipal": "cert"});
        sns(
            &mut sim,
            "CreatePlatformApplication",
            vec![("Name", json!("app")), ("Platform", json!("APNS")), ("Attributes", apns)],
        );
        let app = sim.engine.sns_state().platform_applications().next().unwrap().arn.clone();
        sns(
            &mut sim,
            "CreatePlatformEndpoint",
            vec![("PlatformApplicationArn", json!(app)), ("Token", json!("phone-1"))],
        );
        let saved = save(&sim);
        assert_eq!(save(&restore(&saved).unwrap()), saved, "the journal replays");

        let back = restore(&from_fragment(&fragment(&setup(&sim))).unwrap().unwrap()).unwrap();
        let state = back.engine.sns_state();
        assert!(state.topic_by_name("t.fifo").unwrap().fifo);
        let s = state.subscriptions().next().unwrap();
        assert!(s.raw_message_delivery);
        assert_eq!(s.filter_policy.as_ref().unwrap().0, policy);
        assert!(back.engine.s3_state().bucket("photos").is_some());
        assert!(back.engine.sns_state().is_endpoint_failing("https://x.example"));
        assert_eq!(back.engine.sns_state().endpoint_latency("https://slow.example").as_secs(), 20);
        let app = back.engine.sns_state().platform_applications().next().unwrap();
        assert_eq!((app.name.as_str(), app.platform.as_str()), ("app", "APNS"));
        assert_eq!(app.endpoints.keys().collect::<Vec<_>>(), ["phone-1"]);
    }

    #[cfg(feature = "kinesis")]
    #[test]
    fn a_setup_link_recreates_streams_retention_kcl_applications_and_producers() {
        use crate::kinesis_controls::{KclControl, KinesisControl, ProducerControl};
        use decouple_engine::kinesis::producer::PartitionKeyStrategy;
        use decouple_engine::kinesis::{StreamMode, StreamStatus};
        let mut sim = Sim::new(9);
        let kinesis = |sim: &mut Sim, action: &'static str, members: Vec<(&'static str, Value)>| {
            sim.perform(Command::Call(ApiRequest::kinesis(action, members)));
        };
        kinesis(&mut sim, "CreateStream", vec![("StreamName", json!("s")), ("ShardCount", json!(3))]);
        kinesis(
            &mut sim,
            "CreateStream",
            vec![("StreamName", json!("o")), ("StreamModeDetails", json!({"StreamMode": "ON_DEMAND"}))],
        );
        sim.advance_by(SimDuration::from_secs(10));
        kinesis(
            &mut sim,
            "IncreaseStreamRetentionPeriod",
            vec![("StreamName", json!("s")), ("RetentionPeriodHours", json!(48))],
        );
        let control = |sim: &mut Sim, c: KinesisControl| sim.perform(Command::Kinesis(c));
        control(
            &mut sim,
            KinesisControl::Kcl(KclControl::Create { app: "orders-app".into(), stream: "s".into(), workers: 3 }),
        );
        for name in ["p", "q"] {
            let strategy = PartitionKeyStrategy::PerCountry { skew: 2 };
            let start =
                ProducerControl::Start { name: name.into(), stream: "s".into(), records_per_second: 7, strategy };
            control(&mut sim, KinesisControl::Producer(start));
        }
        control(&mut sim, KinesisControl::Producer(ProducerControl::Stop { name: "q".into() }));
        sim.advance_by(SimDuration::from_secs(20));
        let saved = save(&sim);
        assert_eq!(save(&restore(&saved).unwrap()), saved, "the journal replays");

        let back = restore(&from_fragment(&fragment(&setup(&sim))).unwrap().unwrap()).unwrap();
        let k = back.engine.kinesis_state();
        let s = k.stream("s").unwrap();
        assert_eq!((s.status, s.open_shard_count(), s.retention_hours), (StreamStatus::Active, 3, 48));
        assert_eq!(s.shards.iter().map(|sh| sh.records.len()).sum::<usize>(), 0, "no records carried");
        assert_eq!(k.stream("o").unwrap().mode, StreamMode::OnDemand);
        assert_eq!(k.kcl_application("orders-app").unwrap().workers().count(), 3);
        let p = k.producer("p").unwrap();
        assert_eq!(
            (p.records_per_second, p.strategy, p.running),
            (7, PartitionKeyStrategy::PerCountry { skew: 2 }, true)
        );
        assert!(k.producer("q").is_none(), "a stopped producer is not carried");
        assert_eq!(back.engine.now(), back.start() + decouple_engine::kinesis::STREAM_CREATE_DELAY);
    }

    #[cfg(not(feature = "kinesis"))]
    #[test]
    fn kinesis_controls_are_refused_outside_the_kinesis_playground() {
        let reason = restore(r#"{"v":1,"seed":1,"now":0,"journal":[{"t":0,"kcl":{"op":"addWorker","app":"a"}}]}"#)
            .err()
            .unwrap_or_default();
        assert!(reason.ends_with("open it in the Kinesis playground"), "{reason}");
    }

    #[test]
    fn damaged_or_foreign_data_is_refused_with_a_reason() {
        let reason = |text: &str| restore(text).err().unwrap_or_default();
        assert!(reason("{").contains("not valid JSON"));
        assert!(reason(r#"{"v":0}"#).contains("another version"));
        assert!(reason(r#"{"v":1,"seed":1,"now":0,"journal":[{"t":0,"call":{"a":"Nope","b":{}}}]}"#)
            .contains("unknown action"));
        assert_eq!(from_fragment("#setup=%%%"), Some(Err("the link is damaged".into())));
        assert_eq!(from_fragment("#other"), None);
    }

    /// What the SNS playground saves, opened in the SQS one: refused with
    /// a message that names what is missing, never a panic.
    #[cfg(not(feature = "sns"))]
    #[test]
    fn sns_and_s3_entries_are_refused_by_the_sqs_playground() {
        let reason = |entry: &str| {
            restore(&format!(r#"{{"v":1,"seed":1,"now":0,"journal":[{{"t":0,"call":{{"a":"CreateQueue","b":{{"QueueName":"q"}}}}}},{entry}]}}"#))
                .err()
                .unwrap_or_default()
        };
        let sns = reason(r#"{"t":0,"call":{"s":"sns","a":"CreateTopic","b":{"Name":"t"}}}"#);
        assert_eq!(
            sns,
            "it uses SNS (CreateTopic), which this SQS playground does not include: open it in the SNS playground"
        );
        let s3 = reason(r#"{"t":0,"many":[{"s":"s3api","a":"CreateBucket","b":{"Bucket":"b"}}]}"#);
        // The Kinesis page speaks S3 (Firehose's destination buckets), not SNS.
        #[cfg(not(feature = "s3"))]
        assert!(s3.starts_with("it uses S3 (CreateBucket), which"), "{s3}");
        #[cfg(feature = "s3")]
        assert_eq!(s3, "");
        let endpoint = reason(r#"{"t":0,"endpoint":{"url":"https://x.example","healthy":false}}"#);
        assert!(endpoint.starts_with("it uses SNS (a failing endpoint, https://x.example), which"), "{endpoint}");
        assert!(reason(r#"{"t":0,"call":{"s":"lambda","a":"Invoke","b":{}}}"#).contains("unknown service"));
        #[cfg(not(feature = "kinesis"))]
        {
            let firehose = reason(r#"{"t":0,"call":{"s":"firehose","a":"PutRecord","b":{}}}"#);
            assert!(firehose.starts_with("it uses Data Firehose (PutRecord), which"), "{firehose}");
            let sql = reason(r#"{"t":0,"sql":{"start":"tickers"}}"#);
            assert!(sql.starts_with("it uses a Kinesis Data Analytics SQL application, which"), "{sql}");
        }
    }

    /// A producer run as the live page makes it: a 2-shard stream, then
    /// `rate` records a second for `seconds` virtual seconds, the clock moved
    /// a frame at a time (at most `PRODUCER_FRAME_MS` while a producer runs),
    /// with the page's journaled stop when a producer reaches its budget.
    #[cfg(feature = "kinesis")]
    fn live_producer_run(rate: u32, seconds: u64) -> Sim {
        use crate::kinesis_controls::{self, KinesisControl, ProducerControl, PRODUCER_FRAME_MS};
        use decouple_engine::kinesis::producer::PartitionKeyStrategy;
        let mut sim = Sim::new(3);
        let create = vec![("StreamName", json!("clicks")), ("ShardCount", json!(2))];
        sim.perform(Command::Call(ApiRequest::kinesis("CreateStream", create)));
        sim.advance_by(SimDuration::from_secs(10));
        let start = ProducerControl::Start {
            name: "p".into(),
            stream: "clicks".into(),
            records_per_second: rate,
            strategy: PartitionKeyStrategy::PerUser { users: 50 },
        };
        sim.perform(Command::Kinesis(KinesisControl::Producer(start)));
        let end = sim.engine.now() + SimDuration::from_secs(seconds);
        while sim.engine.now() < end {
            let frame = (end.as_millis() - sim.engine.now().as_millis()).min(PRODUCER_FRAME_MS as u64);
            sim.advance_by(SimDuration::from_millis(frame));
            for control in kinesis_controls::over_budget(&sim.engine) {
                sim.perform(Command::Kinesis(control));
            }
        }
        sim
    }

    /// A digest of everything a replay must give back: the clock, the log,
    /// the Kinesis state (every record), the stream metrics, the engine's
    /// events and pending deadlines.
    #[cfg(feature = "kinesis")]
    fn fingerprint(sim: &Sim) -> (SimTime, u64, usize, u64, usize, usize) {
        use std::fmt::Write as _;
        use std::hash::{DefaultHasher, Hasher};
        struct Digest(DefaultHasher);
        impl std::fmt::Write for Digest {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.write(s.as_bytes());
                Ok(())
            }
        }
        let mut d = Digest(DefaultHasher::new());
        let events = sim.engine.events();
        write!(
            d,
            "{:?}{:?}{:?}{:?}",
            sim.engine.kinesis_state(),
            sim.metrics.streams,
            sim.log,
            events.iter().collect::<Vec<_>>()
        )
        .unwrap();
        let records =
            sim.engine.kinesis_state().stream("clicks").map_or(0, |s| s.shards.iter().map(|sh| sh.records.len()).sum());
        (sim.engine.now(), d.0.finish(), records, events.dropped(), events.len(), sim.engine.pending_deadlines())
    }

    #[cfg(feature = "kinesis")]
    #[test]
    fn a_long_producer_run_replays_to_the_same_state() {
        let live = live_producer_run(1_000, 120);
        let saved = save(&live);
        let back = restore(&saved).unwrap();
        assert_eq!(save(&back), saved);
        let (now, _, records, dropped, ..) = fingerprint(&live);
        assert!(records > 100_000 && dropped > 0, "the run put {records} records and overflowed the event log");
        assert_eq!(now, back.engine.now());
        assert_eq!(fingerprint(&back), fingerprint(&live));
    }

    /// How long a saved playground with a producer at 1,000 records a second
    /// for 10 virtual minutes takes to load. A measurement, not a check:
    /// `cargo test --release -p decouple-web --features kinesis -- --ignored --nocapture replay_timing`.
    #[cfg(feature = "kinesis")]
    #[test]
    #[ignore]
    fn replay_timing() {
        let t = std::time::Instant::now();
        let live = live_producer_run(1_000, 600);
        let live_ms = t.elapsed().as_millis();
        let saved = save(&live);
        let t = std::time::Instant::now();
        let back = restore(&saved).unwrap();
        let replay_ms = t.elapsed().as_millis();
        let (_, _, records, ..) = fingerprint(&live);
        println!("live run {live_ms} ms, replay {replay_ms} ms, {records} records, journal {} bytes", saved.len());
        assert_eq!(fingerprint(&back), fingerprint(&live));
    }
}
