//! CloudWatch-style charts of one Kinesis data stream over the last few
//! virtual minutes: IncomingRecords, IncomingBytes and
//! WriteProvisionedThroughputExceeded per 10-second period (the shards'
//! counters), and GetRecords.IteratorAgeMilliseconds of the KCL
//! applications reading it. Drawn with the SQS page's chart
//! (`monitoring::chart`), from the samples `metrics` takes, only while shown.

use yew::prelude::*;

use decouple_engine::SimTime;

use super::monitoring::{chart, panel, At};
use crate::metrics::StreamSample;
use crate::state::SimRef;

/// Samples charted: five virtual minutes of 10-second periods.
pub const SHOWN: usize = 30;

impl At for StreamSample {
    fn at(&self) -> SimTime {
        self.at
    }
}

#[derive(Properties, PartialEq)]
pub struct StreamMonitoringProps {
    pub sim: SimRef,
    pub version: u64,
    pub stream: AttrValue,
}

#[function_component(StreamMonitoring)]
pub fn stream_monitoring(p: &StreamMonitoringProps) -> Html {
    let shown = use_state(|| false);
    let samples: Vec<StreamSample> = if *shown {
        let sim = p.sim.0.borrow();
        sim.metrics
            .streams
            .get(p.stream.as_str())
            .map(|m| m.samples.iter().skip(m.samples.len().saturating_sub(SHOWN)).copied().collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let charts = (!samples.is_empty()).then(|| {
        html! {
            <>
                <div class="charts" data-testid="stream-charts">
                    { chart("IncomingRecords", &samples, &[("records", "s-sent", |s| s.incoming_records)]) }
                    { chart("IncomingBytes", &samples, &[("bytes", "s-received", |s| s.incoming_bytes)]) }
                    { chart("WriteProvisionedThroughputExceeded", &samples,
                        &[("records throttled", "s-throttled", |s| s.write_throttled)]) }
                    { chart("GetRecords.IteratorAgeMilliseconds (max)", &samples,
                        &[("ms behind, KCL", "s-deleted", |s| s.iterator_age_ms)]) }
                </div>
                <p class="hint">{ "Iterator age: how old the oldest record past a KCL lease's checkpoint is — \
                    0 when the application has caught up; it climbs while a crashed worker's leases wait to fail over." }</p>
            </>
        }
    });
    let note = html! { { " CloudWatch metrics of the stream, per 10 virtual seconds, last 5 minutes" } };
    panel(&shown, classes!("monitoring", "stream-monitoring"), format!("Monitoring of {}", p.stream), note, charts)
}
