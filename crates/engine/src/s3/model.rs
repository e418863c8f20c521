//! The typed S3 API for the actions Decouple simulates.

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, Default)]
pub struct CreateBucket {
    pub bucket: String,
}
#[derive(Clone, Debug, Default)]
pub struct BucketOnly {
    pub bucket: String,
}
pub type DeleteBucket = BucketOnly;
pub type GetBucketNotificationConfiguration = BucketOnly;

#[derive(Clone, Debug, Default)]
pub struct PutObject {
    pub bucket: String,
    pub key: String,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutObjectResult {
    /// Quoted, as S3 sends it: `"d41d8cd98f00b204e9800998ecf8427e"`.
    pub etag: String,
}

#[derive(Clone, Debug, Default)]
pub struct ObjectKey {
    pub bucket: String,
    pub key: String,
}
pub type GetObject = ObjectKey;
pub type DeleteObject = ObjectKey;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetObjectResult {
    pub body: Vec<u8>,
    pub etag: String,
    pub content_type: String,
    /// Epoch milliseconds.
    pub last_modified: u64,
}

#[derive(Clone, Debug, Default)]
pub struct ListObjectsV2 {
    pub bucket: String,
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    pub max_keys: Option<i64>,
    pub continuation_token: Option<String>,
    pub start_after: Option<String>,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSummary {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub last_modified: u64,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjectsV2Result {
    pub contents: Vec<ObjectSummary>,
    pub common_prefixes: Vec<String>,
    pub key_count: u64,
    pub max_keys: u64,
    pub is_truncated: bool,
    pub next_continuation_token: Option<String>,
}

/// Where and on what a notification goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotificationRule {
    pub id: Option<String>,
    /// A queue, topic or function ARN, depending on the list it is in.
    pub destination_arn: String,
    /// Event types such as `s3:ObjectCreated:*` or `s3:ObjectRemoved:Delete`.
    pub events: Vec<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotificationConfiguration {
    pub queue_configurations: Vec<NotificationRule>,
    pub topic_configurations: Vec<NotificationRule>,
    pub lambda_function_configurations: Vec<NotificationRule>,
}

#[derive(Clone, Debug, Default)]
pub struct PutBucketNotificationConfiguration {
    pub bucket: String,
    pub configuration: NotificationConfiguration,
}
