//! The destinations besides S3 that the course names — Amazon OpenSearch
//! Service (and its older name, Elasticsearch), Amazon Redshift and Splunk —
//! as simulated sinks that keep the batches they were sent.
//!
//! Each has, as in AWS, an S3 configuration of its own: for Redshift the
//! intermediate bucket (every batch is written there, then loaded with a
//! COPY), for OpenSearch and Splunk the backup bucket (only when the backup
//! mode is `AllDocuments` / `AllEvents`: nothing fails here, so
//! "failed only" backs up nothing).
//!
//! # Decisions
//! - OpenSearch and Splunk buffer by their own hints (1–100 MiB / 0–900 s,
//!   and 1–5 MiB / 0–60 s); Redshift by its S3 configuration's.
//! - OpenSearch index rotation appends the record's UTC arrival time as AWS
//!   documents it (`myindex-2016-02-25-13`, `-2016-02-25`, `-2016-w08`,
//!   `-2016-02`); a batch spanning a boundary goes to two indexes. AWS's
//!   page describes week numbers with weeks starting on Sunday but its own
//!   example (`2016-w08` for 2016-02-25) counts as `strftime`'s `%U` does
//!   (days before the first Sunday are week 00); Decouple follows the example.
//! - The sinks always accept: retries (`RetryOptions`) are validated and
//!   described but never needed.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::model::*;
use super::{FirehoseError, DELIVERY_HISTORY};
use crate::time::SimTime;

/// Most records kept as text in each batch, for a UI to show.
pub const BATCH_PREVIEW: usize = 3;

const ROTATIONS: &str = "[NoRotation, OneHour, OneDay, OneWeek, OneMonth]";

/// OpenSearch's `IndexRotationPeriod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexRotation {
    NoRotation,
    OneHour,
    OneDay,
    OneWeek,
    OneMonth,
}

impl IndexRotation {
    pub fn as_str(self) -> &'static str {
        match self {
            IndexRotation::NoRotation => "NoRotation",
            IndexRotation::OneHour => "OneHour",
            IndexRotation::OneDay => "OneDay",
            IndexRotation::OneWeek => "OneWeek",
            IndexRotation::OneMonth => "OneMonth",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::NoRotation, Self::OneHour, Self::OneDay, Self::OneWeek, Self::OneMonth]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// The index a record arriving at `t` goes to.
    pub fn index_name(self, base: &str, t: SimTime) -> String {
        let f = t.utc_fields();
        match self {
            IndexRotation::NoRotation => base.to_string(),
            IndexRotation::OneHour => format!("{base}-{:04}-{:02}-{:02}-{:02}", f.year, f.month, f.day, f.hour),
            IndexRotation::OneDay => format!("{base}-{:04}-{:02}-{:02}", f.year, f.month, f.day),
            IndexRotation::OneWeek => {
                let week = (f.day_of_year + 7 - f.weekday) / 7;
                format!("{base}-{:04}-w{week:02}", f.year)
            }
            IndexRotation::OneMonth => format!("{base}-{:04}-{:02}", f.year, f.month),
        }
    }
}

/// What kind of destination, with its own members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DestinationKind {
    OpenSearch {
        /// Created as an `ElasticsearchDestinationConfiguration`.
        legacy: bool,
        domain_arn: Option<String>,
        cluster_endpoint: Option<String>,
        index_name: String,
        rotation: IndexRotation,
        type_name: Option<String>,
    },
    Redshift {
        cluster_jdbc_url: String,
        data_table_name: String,
        data_table_columns: Option<String>,
        copy_options: Option<String>,
        username: Option<String>,
    },
    Splunk {
        hec_endpoint: String,
        hec_endpoint_type: String,
        hec_acknowledgment_timeout_in_seconds: u32,
    },
}

impl DestinationKind {
    pub fn name(&self) -> &'static str {
        match self {
            DestinationKind::OpenSearch { legacy: true, .. } => "Elasticsearch",
            DestinationKind::OpenSearch { .. } => "OpenSearch",
            DestinationKind::Redshift { .. } => "Redshift",
            DestinationKind::Splunk { .. } => "Splunk",
        }
    }
}

/// A destination's settings, validated and with AWS's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestinationSettings {
    pub kind: DestinationKind,
    pub role_arn: Option<String>,
    /// Buffering for OpenSearch and Splunk (Redshift buffers by its S3 configuration's hints).
    pub size_in_mbs: u32,
    pub interval_in_seconds: u32,
    pub retry_duration_in_seconds: u32,
    pub s3_backup_mode: String,
    pub processing: Option<ProcessingConfiguration>,
}

impl DestinationSettings {
    /// Whether every batch is also written to the S3 configuration's bucket.
    pub fn writes_s3(&self) -> bool {
        match self.kind {
            DestinationKind::Redshift { .. } => true,
            _ => self.s3_backup_mode.starts_with("All"),
        }
    }
}

/// One batch the destination took: an OpenSearch bulk request into one
/// index, a Redshift COPY, or a Splunk HEC post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedBatch {
    pub at: SimTime,
    /// The index, the table, or the HEC endpoint.
    pub target: String,
    pub records: u32,
    pub bytes: u64,
    /// The `number` of the first record in it.
    pub first_record: u64,
    /// For Redshift, the object the COPY loaded: `s3://bucket/key`.
    pub copied_from: Option<String>,
    /// The first records as (lossy) text.
    pub preview: Vec<String>,
}

/// A delivery stream's destination other than S3, with what it received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherDestination {
    pub settings: DestinationSettings,
    /// The newest batches, oldest first (at most [`DELIVERY_HISTORY`]).
    pub batches: VecDeque<LoadedBatch>,
    /// Documents indexed, rows loaded or events posted, in all.
    pub loaded_records: u64,
}

impl OtherDestination {
    pub(super) fn record(&mut self, batch: LoadedBatch) {
        self.loaded_records += u64::from(batch.records);
        if self.batches.len() == DELIVERY_HISTORY {
            self.batches.pop_front();
        }
        self.batches.push_back(batch);
    }
}

fn range(value: Option<i64>, member: &str, min: i64, max: i64, default: u32) -> Result<u32, FirehoseError> {
    match value {
        None => Ok(default),
        Some(v) if v < min => {
            Err(FirehoseError::constraint(v, member, &format!("Member must have value greater than or equal to {min}")))
        }
        Some(v) if v > max => {
            Err(FirehoseError::constraint(v, member, &format!("Member must have value less than or equal to {max}")))
        }
        Some(v) => Ok(v as u32),
    }
}

fn required(value: &str, member: &str) -> Result<(), FirehoseError> {
    if value.is_empty() {
        return Err(FirehoseError::constraint("", member, "Member must have length greater than or equal to 1"));
    }
    Ok(())
}

fn one_of(value: Option<String>, member: &str, allowed: &[&str], default: &str) -> Result<String, FirehoseError> {
    let value = value.unwrap_or_else(|| default.to_string());
    if !allowed.contains(&value.as_str()) {
        return Err(FirehoseError::constraint(
            &value,
            member,
            &format!("Member must satisfy enum value set: [{}]", allowed.join(", ")),
        ));
    }
    Ok(value)
}

/// Validates an OpenSearch destination; returns its settings and its S3 configuration.
pub(super) fn opensearch(
    c: OpenSearchDestinationConfiguration,
) -> Result<(DestinationSettings, S3DestinationConfiguration), FirehoseError> {
    let m = if c.legacy {
        "elasticsearchDestinationConfiguration"
    } else {
        "amazonopensearchserviceDestinationConfiguration"
    };
    required(&c.role_arn, &format!("{m}.roleARN"))?;
    required(&c.index_name, &format!("{m}.indexName"))?;
    if c.index_name.chars().count() > 80 {
        return Err(FirehoseError::constraint(
            &c.index_name,
            &format!("{m}.indexName"),
            "Member must have length less than or equal to 80",
        ));
    }
    match (&c.domain_arn, &c.cluster_endpoint) {
        (Some(_), Some(_)) => {
            return Err(FirehoseError::invalid("Specify either DomainARN or ClusterEndpoint, not both."))
        }
        (None, None) => return Err(FirehoseError::invalid("Either DomainARN or ClusterEndpoint must be specified.")),
        _ => {}
    }
    let rotation = match c.index_rotation_period.as_deref() {
        None => IndexRotation::OneDay,
        Some(r) => IndexRotation::parse(r).ok_or_else(|| {
            FirehoseError::constraint(
                r,
                &format!("{m}.indexRotationPeriod"),
                &format!("Member must satisfy enum value set: {ROTATIONS}"),
            )
        })?,
    };
    let hints = c.buffering_hints.unwrap_or_default();
    let settings = DestinationSettings {
        kind: DestinationKind::OpenSearch {
            legacy: c.legacy,
            domain_arn: c.domain_arn,
            cluster_endpoint: c.cluster_endpoint,
            index_name: c.index_name,
            rotation,
            type_name: c.type_name.filter(|t| !t.is_empty()),
        },
        role_arn: Some(c.role_arn),
        size_in_mbs: range(hints.size_in_mbs, &format!("{m}.bufferingHints.sizeInMBs"), 1, 100, 5)?,
        interval_in_seconds: range(
            hints.interval_in_seconds,
            &format!("{m}.bufferingHints.intervalInSeconds"),
            0,
            900,
            300,
        )?,
        retry_duration_in_seconds: range(
            c.retry_duration_in_seconds,
            &format!("{m}.retryOptions.durationInSeconds"),
            0,
            7200,
            300,
        )?,
        s3_backup_mode: one_of(
            c.s3_backup_mode,
            &format!("{m}.s3BackupMode"),
            &["FailedDocumentsOnly", "AllDocuments"],
            "FailedDocumentsOnly",
        )?,
        processing: c.processing,
    };
    Ok((settings, c.s3))
}

/// AWS's `ClusterJDBCURL` pattern: `jdbc:redshift://` or `jdbc:postgresql://`,
/// host labels (1–63 of `[A-Za-z0-9-]`, no hyphen at either end) then a
/// `redshift` or `redshift-serverless` label and more of the domain, a port of
/// 1–5 digits, and a database name of `[a-zA-Z0-9_$-]`.
fn is_cluster_jdbc_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("jdbc:redshift://").or_else(|| url.strip_prefix("jdbc:postgresql://")) else {
        return false;
    };
    let Some((host_port, database)) = rest.split_once('/') else { return false };
    let Some((host, port)) = host_port.rsplit_once(':') else { return false };
    let port_ok = (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit());
    let database_ok =
        !database.is_empty() && database.bytes().all(|b| b.is_ascii_alphanumeric() || b"_$-".contains(&b));
    let labels: Vec<&str> = host.split('.').collect();
    let Some(at) = labels.iter().position(|l| *l == "redshift" || *l == "redshift-serverless") else { return false };
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let domain_ok = |l: &&str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    port_ok
        && database_ok
        && at > 0
        && at + 1 < labels.len()
        && labels[..at].iter().all(label_ok)
        && labels[at + 1..].iter().all(domain_ok)
}

/// Validates a Redshift destination; returns its settings and its (intermediate) S3 configuration.
pub(super) fn redshift(
    c: RedshiftDestinationConfiguration,
) -> Result<(DestinationSettings, S3DestinationConfiguration), FirehoseError> {
    let m = "redshiftDestinationConfiguration";
    required(&c.role_arn, &format!("{m}.roleARN"))?;
    required(&c.cluster_jdbc_url, &format!("{m}.clusterJDBCURL"))?;
    if !is_cluster_jdbc_url(&c.cluster_jdbc_url) {
        return Err(FirehoseError::constraint(
            &c.cluster_jdbc_url,
            &format!("{m}.clusterJDBCURL"),
            "Member must satisfy regular expression pattern: jdbc:(redshift|postgresql)://((?!-)[A-Za-z0-9-]{1,63}(?<!-)\\.)+(redshift(-serverless)?)\\.([a-zA-Z0-9\\.\\-]+):\\d{1,5}/[a-zA-Z0-9_$-]+",
        ));
    }
    required(&c.data_table_name, &format!("{m}.copyCommand.dataTableName"))?;
    let (size, interval) = {
        let h = c.s3.buffering_hints.clone().unwrap_or_default();
        (h.size_in_mbs.unwrap_or(5) as u32, h.interval_in_seconds.unwrap_or(300) as u32)
    };
    let settings = DestinationSettings {
        kind: DestinationKind::Redshift {
            cluster_jdbc_url: c.cluster_jdbc_url,
            data_table_name: c.data_table_name,
            data_table_columns: c.data_table_columns.filter(|s| !s.is_empty()),
            copy_options: c.copy_options.filter(|s| !s.is_empty()),
            username: c.username.filter(|s| !s.is_empty()),
        },
        role_arn: Some(c.role_arn),
        size_in_mbs: size,
        interval_in_seconds: interval,
        retry_duration_in_seconds: range(
            c.retry_duration_in_seconds,
            &format!("{m}.retryOptions.durationInSeconds"),
            0,
            7200,
            3600,
        )?,
        s3_backup_mode: one_of(c.s3_backup_mode, &format!("{m}.s3BackupMode"), &["Disabled", "Enabled"], "Disabled")?,
        processing: c.processing,
    };
    Ok((settings, c.s3))
}

/// Validates a Splunk destination; returns its settings and its (backup) S3 configuration.
pub(super) fn splunk(
    c: SplunkDestinationConfiguration,
) -> Result<(DestinationSettings, S3DestinationConfiguration), FirehoseError> {
    let m = "splunkDestinationConfiguration";
    required(&c.hec_endpoint, &format!("{m}.hECEndpoint"))?;
    let endpoint_type = one_of(Some(c.hec_endpoint_type), &format!("{m}.hECEndpointType"), &["Raw", "Event"], "Raw")?;
    let hints = c.buffering_hints.unwrap_or_default();
    let settings = DestinationSettings {
        kind: DestinationKind::Splunk {
            hec_endpoint: c.hec_endpoint,
            hec_endpoint_type: endpoint_type,
            hec_acknowledgment_timeout_in_seconds: range(
                c.hec_acknowledgment_timeout_in_seconds,
                &format!("{m}.hECAcknowledgmentTimeoutInSeconds"),
                180,
                600,
                180,
            )?,
        },
        role_arn: None,
        size_in_mbs: range(hints.size_in_mbs, &format!("{m}.bufferingHints.sizeInMBs"), 1, 5, 5)?,
        interval_in_seconds: range(
            hints.interval_in_seconds,
            &format!("{m}.bufferingHints.intervalInSeconds"),
            0,
            60,
            60,
        )?,
        retry_duration_in_seconds: range(
            c.retry_duration_in_seconds,
            &format!("{m}.retryOptions.durationInSeconds"),
            0,
            7200,
            3600,
        )?,
        s3_backup_mode: one_of(
            c.s3_backup_mode,
            &format!("{m}.s3BackupMode"),
            &["FailedEventsOnly", "AllEvents"],
            "FailedEventsOnly",
        )?,
        processing: c.processing,
    };
    Ok((settings, c.s3))
}

/// Splits delivered records into the batches the destination receives:
/// one per OpenSearch index (rotation may split a buffer), else one.
pub(super) fn batches(
    settings: &DestinationSettings,
    records: &[(u64, SimTime, Vec<u8>)],
) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, (_, arrival, _)) in records.iter().enumerate() {
        let target = match &settings.kind {
            DestinationKind::OpenSearch { index_name, rotation, .. } => rotation.index_name(index_name, *arrival),
            DestinationKind::Redshift { data_table_name, .. } => data_table_name.clone(),
            DestinationKind::Splunk { hec_endpoint, .. } => hec_endpoint.clone(),
        };
        match out.iter_mut().find(|(t, _)| *t == target) {
            Some((_, members)) => members.push(i),
            None => out.push((target, alloc::vec![i])),
        }
    }
    out
}

/// The first records of a batch as text.
pub(super) fn preview(records: &[(u64, SimTime, Vec<u8>)], members: &[usize]) -> Vec<String> {
    members.iter().take(BATCH_PREVIEW).map(|&i| String::from_utf8_lossy(&records[i].2).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_jdbc_urls_follow_awss_pattern() {
        for ok in [
            "jdbc:redshift://dw.abc123.us-east-1.redshift.amazonaws.com:5439/analytics",
            "jdbc:postgresql://wg.123456789012.us-east-1.redshift-serverless.amazonaws.com:5439/dev",
        ] {
            assert!(is_cluster_jdbc_url(ok), "{ok}");
        }
        for bad in [
            "jdbc:mysql://dw.redshift.amazonaws.com:5439/analytics",
            "jdbc:redshift://dw.example.com:5439/analytics",
            "jdbc:redshift://redshift.amazonaws.com:5439/analytics",
            "jdbc:redshift://-dw.redshift.amazonaws.com:5439/analytics",
            "jdbc:redshift://dw.redshift.amazonaws.com:543900/analytics",
            "jdbc:redshift://dw.redshift.amazonaws.com:5439/",
            "jdbc:redshift://dw.redshift.amazonaws.com/analytics",
        ] {
            assert!(!is_cluster_jdbc_url(bad), "{bad}");
        }
    }

    #[test]
    fn index_rotation_appends_the_arrival_time_as_awss_examples_show() {
        // AWS's example: myindex, arriving 2016-02-25T13:00:00Z.
        let t = SimTime(1_456_405_200_000);
        let names: Vec<String> = [
            IndexRotation::NoRotation,
            IndexRotation::OneHour,
            IndexRotation::OneDay,
            IndexRotation::OneWeek,
            IndexRotation::OneMonth,
        ]
        .into_iter()
        .map(|r| r.index_name("myindex", t))
        .collect();
        assert_eq!(
            names,
            ["myindex", "myindex-2016-02-25-13", "myindex-2016-02-25", "myindex-2016-w08", "myindex-2016-02"]
        );
        // 2016-01-01 was a Friday: before the first Sunday is week 00; Sunday the 3rd starts week 01.
        assert_eq!(IndexRotation::OneWeek.index_name("i", SimTime(1_451_606_400_000)), "i-2016-w00");
        assert_eq!(IndexRotation::OneWeek.index_name("i", SimTime(1_451_779_200_000)), "i-2016-w01");
    }
}
