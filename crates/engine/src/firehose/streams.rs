//! Delivery streams: CreateDeliveryStream, DeleteDeliveryStream,
//! DescribeDeliveryStream, ListDeliveryStreams and the tag actions.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;
use crate::event::Event;

const TYPES: &str = "[DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]";
const COMPRESSION: [&str; 5] = ["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"];
const PROCESSOR_TYPES: [&str; 6] = [
    "RecordDeAggregation",
    "Decompression",
    "CloudWatchLogProcessing",
    "Lambda",
    "MetadataExtraction",
    "AppendDelimiterToRecord",
];

/// botocore's `DeliveryStreamName`: 1-64 of `[a-zA-Z0-9_.-]`.
fn check_name(name: &str, member: &str) -> Result<(), FirehoseError> {
    let len = name.chars().count();
    if len < 1 {
        return Err(FirehoseError::constraint(name, member, "Member must have length greater than or equal to 1"));
    }
    if len > 64 {
        return Err(FirehoseError::constraint(name, member, "Member must have length less than or equal to 64"));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')) {
        return Err(FirehoseError::constraint(
            name,
            member,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ));
    }
    Ok(())
}

fn range(value: i64, member: &str, min: i64, max: i64) -> Result<u32, FirehoseError> {
    if value < min {
        return Err(FirehoseError::constraint(
            value,
            member,
            &format!("Member must have value greater than or equal to {min}"),
        ));
    }
    if value > max {
        return Err(FirehoseError::constraint(
            value,
            member,
            &format!("Member must have value less than or equal to {max}"),
        ));
    }
    Ok(value as u32)
}

/// The bucket of `arn:aws:s3:::bucket` (botocore's pattern `arn:.*:s3:::[\w\.\-]{1,255}`).
fn bucket_of(arn: &str) -> Option<&str> {
    let (head, bucket) = arn.split_once(":s3:::")?;
    let ok = head.starts_with("arn:")
        && (1..=255).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    ok.then_some(bucket)
}

/// Validates a destination and applies AWS's defaults; `redshift` when it
/// is a Redshift destination's intermediate bucket (literal prefix only).
fn destination(
    config: S3DestinationConfiguration,
    extended: bool,
    transform: Option<Transform>,
    redshift: bool,
) -> Result<S3Destination, FirehoseError> {
    let member = if extended { "extendedS3DestinationConfiguration" } else { "s3DestinationConfiguration" };
    let bucket = bucket_of(&config.bucket_arn)
        .ok_or_else(|| {
            FirehoseError::constraint(
                &config.bucket_arn,
                &format!("{member}.bucketARN"),
                "Member must satisfy regular expression pattern: arn:.*:s3:::[\\w\\.\\-]{1,255}",
            )
        })?
        .to_string();
    if config.role_arn.is_empty() {
        return Err(FirehoseError::constraint(
            "",
            &format!("{member}.roleARN"),
            "Member must have length greater than or equal to 1",
        ));
    }
    let hints = config.buffering_hints.clone().unwrap_or_default();
    let size_in_mbs = match hints.size_in_mbs {
        None => DEFAULT_SIZE_IN_MBS,
        Some(v) => range(v, &format!("{member}.bufferingHints.sizeInMBs"), 1, MAX_SIZE_IN_MBS)?,
    };
    let interval_in_seconds = match hints.interval_in_seconds {
        None => DEFAULT_INTERVAL_IN_SECONDS,
        Some(v) => range(v, &format!("{member}.bufferingHints.intervalInSeconds"), 0, MAX_INTERVAL_IN_SECONDS)?,
    };
    let compression_format = config.compression_format.clone().unwrap_or_else(|| "UNCOMPRESSED".into());
    if !COMPRESSION.contains(&compression_format.as_str()) {
        return Err(FirehoseError::constraint(
            &compression_format,
            &format!("{member}.compressionFormat"),
            "Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY]",
        ));
    }
    if compression_format != "UNCOMPRESSED" {
        return Err(FirehoseError::invalid(format!(
            "CompressionFormat {compression_format} is not simulated by Decouple; use UNCOMPRESSED."
        )));
    }
    if config.dynamic_partitioning == Some(true) {
        return Err(FirehoseError::invalid(
            "DynamicPartitioningConfiguration is not simulated by Decouple; leave it disabled.",
        ));
    }
    let key_layout = KeyLayout::new(config.prefix.as_deref(), config.error_output_prefix.as_deref(), member, redshift)?;
    let mut lambda_arn = None;
    if let Some(processing) = &config.processing {
        for p in &processing.processors {
            if !PROCESSOR_TYPES.contains(&p.kind.as_str()) {
                return Err(FirehoseError::constraint(
                    &p.kind,
                    &format!("{member}.processingConfiguration.processors.member.type"),
                    "Member must satisfy enum value set: [RecordDeAggregation, Decompression, CloudWatchLogProcessing, Lambda, MetadataExtraction, AppendDelimiterToRecord]",
                ));
            }
            if p.kind == "Lambda" {
                let arn = p.parameters.iter().find(|(k, _)| k == "LambdaArn").map(|(_, v)| v.clone());
                match arn {
                    Some(arn) if !arn.is_empty() => lambda_arn = lambda_arn.or(Some(arn)),
                    _ => {
                        return Err(FirehoseError::invalid(
                            "LambdaArn is a required parameter for the Lambda processor.",
                        ))
                    }
                }
            }
        }
        // Processing is on when a processor is configured, unless turned off.
        if processing.enabled == Some(false) {
            lambda_arn = None;
        }
    }
    Ok(S3Destination {
        extended,
        role_arn: config.role_arn,
        bucket_arn: config.bucket_arn,
        bucket,
        prefix: config.prefix.filter(|p| !p.is_empty()),
        error_output_prefix: config.error_output_prefix.filter(|p| !p.is_empty()),
        key_layout,
        size_in_mbs,
        interval_in_seconds,
        compression_format,
        processing: config.processing,
        lambda_arn,
        transform: transform.unwrap_or_default(),
    })
}

fn check_tags(tags: &[(String, String)], member: &str) -> Result<(), FirehoseError> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(FirehoseError::constraint(
                key,
                &format!("{member}.member.key"),
                "Member must have length between 1 and 128",
            ));
        }
        if value.chars().count() > 256 {
            return Err(FirehoseError::constraint(
                value,
                &format!("{member}.member.value"),
                "Member must have length less than or equal to 256",
            ));
        }
    }
    Ok(())
}

impl Firehose<'_> {
    pub fn create_delivery_stream(&mut self, req: CreateDeliveryStreamRequest) -> Result<String, FirehoseError> {
        let name = req.delivery_stream_name;
        check_name(&name, "deliveryStreamName")?;
        let stream_type = match req.delivery_stream_type.as_deref() {
            None | Some("DirectPut") => DeliveryStreamType::DirectPut,
            Some("KinesisStreamAsSource") => DeliveryStreamType::KinesisStreamAsSource,
            Some(other @ ("MSKAsSource" | "DatabaseAsSource")) => {
                return Err(FirehoseError::invalid(format!(
                    "DeliveryStreamType {other} is not simulated by Decouple; use DirectPut or KinesisStreamAsSource."
                )))
            }
            Some(other) => {
                return Err(FirehoseError::constraint(
                    other,
                    "deliveryStreamType",
                    &format!("Member must satisfy enum value set: {TYPES}"),
                ))
            }
        };
        match (stream_type, &req.kinesis_stream_source) {
            (DeliveryStreamType::DirectPut, Some(_)) => {
                return Err(FirehoseError::invalid(
                    "KinesisSourceStreamConfig is only allowed for KinesisStreamAsSource DeliveryStreamType.",
                ))
            }
            (DeliveryStreamType::KinesisStreamAsSource, None) => {
                return Err(FirehoseError::invalid(
                    "KinesisSourceStreamConfig is required for KinesisStreamAsSource DeliveryStreamType.",
                ))
            }
            _ => {}
        }
        check_tags(&req.tags, "tags")?;
        if req.tags.len() > MAX_TAGS {
            return Err(FirehoseError::constraint(
                format!("[{} tags]", req.tags.len()),
                "tags",
                "Member must have length less than or equal to 50",
            ));
        }
        let given = [
            req.s3_destination.is_some(),
            req.extended_s3_destination.is_some(),
            req.opensearch_destination.is_some(),
            req.redshift_destination.is_some(),
            req.splunk_destination.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(FirehoseError::invalid(
                "Exactly one destination configuration is required: S3, ExtendedS3, Redshift, \
                 AmazonopensearchService (or Elasticsearch) or Splunk.",
            ));
        }
        let other = if let Some(c) = req.opensearch_destination {
            Some(destinations::opensearch(c)?)
        } else if let Some(c) = req.redshift_destination {
            Some(destinations::redshift(c)?)
        } else if let Some(c) = req.splunk_destination {
            Some(destinations::splunk(c)?)
        } else {
            None
        };
        let (destination, other_destination) = match (req.s3_destination, req.extended_s3_destination, other) {
            (Some(config), _, _) => (destination(config, false, req.transform, false)?, None),
            (_, Some(config), _) => (destination(config, true, req.transform, false)?, None),
            (_, _, Some((settings, mut s3))) => {
                // The destination's own processing configuration runs before it.
                s3.processing = settings.processing.clone();
                let redshift = matches!(settings.kind, DestinationKind::Redshift { .. });
                let s3 = destination(s3, false, req.transform, redshift)?;
                let other = OtherDestination { settings, batches: VecDeque::new(), loaded_records: 0 };
                (s3, Some(other))
            }
            (None, None, None) => unreachable!("exactly one destination was checked above"),
        };
        let account = self.account().to_string();
        if self.state.streams.contains_key(&name) {
            return Err(FirehoseError::already_exists(&name, &account));
        }
        let source = match req.kinesis_stream_source {
            None => None,
            Some(config) => Some(self.open_source(config)?),
        };
        let arn = self.delivery_stream_arn(&name);
        let incarnation = self.state.next_incarnation;
        self.state.next_incarnation += 1;
        let shared_name = DeliveryStreamName::from(name.as_str());
        let status_deadline =
            self.core.schedule_in(CREATE_DELAY, Deadline::FirehoseStatus { stream: shared_name.clone(), incarnation });
        let stream = DeliveryStream {
            name: shared_name,
            arn: arn.clone(),
            status: DeliveryStreamStatus::Creating,
            stream_type,
            created_at: self.core.now,
            version: 1,
            source,
            destination,
            other_destination,
            tags: req.tags.into_iter().collect(),
            buffer: Vec::new(),
            buffered_bytes: 0,
            deliveries: VecDeque::new(),
            metrics: DeliveryStreamMetrics::default(),
            next_number: 1,
            incarnation,
            writes: RateWindow::default(),
            status_deadline: Some(status_deadline),
            flush_deadline: None,
            poll_deadline: None,
        };
        self.core.emit(Event::DeliveryStreamCreated { stream: stream.name.clone(), source: stream_type.as_str() });
        self.state.streams.insert(name, stream);
        Ok(arn)
    }

    pub fn delete_delivery_stream(&mut self, req: DeleteDeliveryStreamRequest) -> Result<(), FirehoseError> {
        check_name(&req.delivery_stream_name, "deliveryStreamName")?;
        let stream = self.any_stream(&req.delivery_stream_name)?;
        if stream.status == DeliveryStreamStatus::Deleting {
            return Ok(());
        }
        stream.status = DeliveryStreamStatus::Deleting;
        let (name, incarnation) = (stream.name.clone(), stream.incarnation);
        // Nothing more is read or delivered: the buffer goes with the stream.
        let keys = [stream.status_deadline.take(), stream.flush_deadline.take(), stream.poll_deadline.take()];
        for key in keys.into_iter().flatten() {
            self.core.deadlines.cancel(key);
        }
        let key = self.core.schedule_in(DELETE_DELAY, Deadline::FirehoseStatus { stream: name.clone(), incarnation });
        if let Some(stream) = self.state.streams.get_mut(&*name) {
            stream.status_deadline = Some(key);
        }
        Ok(())
    }

    pub fn describe_delivery_stream(&mut self, name: &str) -> Result<DeliveryStreamDescription, FirehoseError> {
        check_name(name, "deliveryStreamName")?;
        let s = self.any_stream(name)?;
        let d = &s.destination;
        Ok(DeliveryStreamDescription {
            delivery_stream_name: String::from(&*s.name),
            delivery_stream_arn: s.arn.clone(),
            status: s.status,
            delivery_stream_type: s.stream_type,
            version_id: s.version.to_string(),
            created_at: s.created_at,
            source: s.source.as_ref().map(|src| KinesisStreamSourceDescription {
                kinesis_stream_arn: src.kinesis_stream_arn.clone(),
                role_arn: src.role_arn.clone(),
                delivery_start_timestamp: src.delivery_start,
            }),
            destination: S3DestinationDescription {
                destination_id: DESTINATION_ID.into(),
                extended: d.extended,
                role_arn: d.role_arn.clone(),
                bucket_arn: d.bucket_arn.clone(),
                prefix: d.prefix.clone(),
                error_output_prefix: d.error_output_prefix.clone(),
                size_in_mbs: d.size_in_mbs,
                interval_in_seconds: d.interval_in_seconds,
                compression_format: d.compression_format.clone(),
                processing: if s.other_destination.is_some() { None } else { d.processing.clone() },
            },
            other_destination: s.other_destination.as_ref().map(|o| o.settings.clone()),
            has_more_destinations: false,
        })
    }

    pub fn list_delivery_streams(
        &mut self,
        req: ListDeliveryStreamsRequest,
    ) -> Result<ListDeliveryStreamsResponse, FirehoseError> {
        let limit = match req.limit {
            None => 10,
            Some(n) => range(n, "limit", 1, 10_000)? as usize,
        };
        let wanted = match req.delivery_stream_type.as_deref() {
            None => None,
            Some("DirectPut") => Some(DeliveryStreamType::DirectPut),
            Some("KinesisStreamAsSource") => Some(DeliveryStreamType::KinesisStreamAsSource),
            Some("MSKAsSource" | "DatabaseAsSource") => {
                return Ok(ListDeliveryStreamsResponse {
                    delivery_stream_names: Vec::new(),
                    has_more_delivery_streams: false,
                })
            }
            Some(other) => {
                return Err(FirehoseError::constraint(
                    other,
                    "deliveryStreamType",
                    &format!("Member must satisfy enum value set: {TYPES}"),
                ))
            }
        };
        let after = req.exclusive_start_delivery_stream_name.unwrap_or_default();
        let mut names = self
            .state
            .streams
            .values()
            .filter(|s| s.name.as_ref() > after.as_str())
            .filter(|s| wanted.is_none_or(|t| s.stream_type == t))
            .map(|s| String::from(&*s.name));
        let delivery_stream_names: Vec<String> = names.by_ref().take(limit).collect();
        let has_more_delivery_streams = names.next().is_some();
        Ok(ListDeliveryStreamsResponse { delivery_stream_names, has_more_delivery_streams })
    }

    pub fn tag_delivery_stream(&mut self, req: TagDeliveryStreamRequest) -> Result<(), FirehoseError> {
        check_name(&req.delivery_stream_name, "deliveryStreamName")?;
        check_tags(&req.tags, "tags")?;
        if req.tags.is_empty() {
            return Err(FirehoseError::constraint("[]", "tags", "Member must have length greater than or equal to 1"));
        }
        let stream = self.any_stream(&req.delivery_stream_name)?;
        let mut tags = stream.tags.clone();
        tags.extend(req.tags);
        if tags.len() > MAX_TAGS {
            return Err(FirehoseError::new(
                FirehoseErrorCode::LimitExceededException,
                format!("A delivery stream cannot have more than {MAX_TAGS} tags."),
            ));
        }
        stream.tags = tags;
        Ok(())
    }

    pub fn untag_delivery_stream(&mut self, req: UntagDeliveryStreamRequest) -> Result<(), FirehoseError> {
        check_name(&req.delivery_stream_name, "deliveryStreamName")?;
        if req.tag_keys.is_empty() {
            return Err(FirehoseError::constraint(
                "[]",
                "tagKeys",
                "Member must have length greater than or equal to 1",
            ));
        }
        let stream = self.any_stream(&req.delivery_stream_name)?;
        for key in &req.tag_keys {
            stream.tags.remove(key);
        }
        Ok(())
    }

    pub fn list_tags_for_delivery_stream(
        &mut self,
        req: ListTagsForDeliveryStreamRequest,
    ) -> Result<ListTagsForDeliveryStreamResponse, FirehoseError> {
        check_name(&req.delivery_stream_name, "deliveryStreamName")?;
        let limit = match req.limit {
            None => MAX_TAGS,
            Some(n) => range(n, "limit", 1, MAX_TAGS as i64)? as usize,
        };
        let stream = self.any_stream(&req.delivery_stream_name)?;
        let after = req.exclusive_start_tag_key.unwrap_or_default();
        let mut tags = stream.tags.iter().filter(|(k, _)| k.as_str() > after.as_str());
        let page: Vec<(String, String)> = tags.by_ref().take(limit).map(|(k, v)| (k.clone(), v.clone())).collect();
        Ok(ListTagsForDeliveryStreamResponse { tags: page, has_more_tags: tags.next().is_some() })
    }

    /// CREATING → ACTIVE (and a source starts being read), or DELETING → gone.
    pub(super) fn finish_transition(&mut self, name: &str, incarnation: u64) {
        let Some(stream) = self.state.streams.get_mut(name).filter(|s| s.incarnation == incarnation) else {
            return;
        };
        stream.status_deadline = None;
        match stream.status {
            DeliveryStreamStatus::Creating => {
                stream.status = DeliveryStreamStatus::Active;
                let name_arc = stream.name.clone();
                if stream.source.is_some() {
                    stream.poll_deadline = Some(self.core.schedule_in(
                        SOURCE_POLL_INTERVAL,
                        Deadline::FirehoseSourcePoll { stream: name_arc.clone(), incarnation },
                    ));
                }
                self.core.emit(Event::DeliveryStreamActive { stream: name_arc });
            }
            DeliveryStreamStatus::Deleting => {
                if let Some(stream) = self.state.streams.remove(name) {
                    self.core.emit(Event::DeliveryStreamDeleted { stream: stream.name });
                }
            }
            DeliveryStreamStatus::Active => {}
        }
    }
}
