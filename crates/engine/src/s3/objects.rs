//! Buckets and objects: CreateBucket, DeleteBucket, PutObject, GetObject,
//! DeleteObject and ListObjectsV2.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::model::*;
use super::{Bucket, Object, S3Error, S3ErrorCode, S3};
use crate::sqs::validate;

/// S3's bucket naming rules (general purpose buckets): 3-63 characters of
/// lower-case letters, digits, dots and hyphens, starting and ending with a
/// letter or digit, no `..`, and not shaped like an IP address.
fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge_ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(|&b| edge_ok(b) || b == b'.' || b == b'-')
        && edge_ok(bytes[0])
        && edge_ok(bytes[bytes.len() - 1])
        && !name.contains("..")
        && !(name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()))
}

impl S3<'_> {
    pub fn create_bucket(&mut self, req: CreateBucket) -> Result<(), S3Error> {
        if !valid_bucket_name(&req.bucket) {
            return Err(S3Error::new(S3ErrorCode::InvalidBucketName, "The specified bucket is not valid."));
        }
        if self.state.buckets.contains_key(&req.bucket) {
            // us-east-1 answers 200 to the owner for legacy reasons; every other region refuses.
            if self.core.config.region == "us-east-1" {
                return Ok(());
            }
            return Err(S3Error::new(
                S3ErrorCode::BucketAlreadyOwnedByYou,
                "Your previous request to create the named bucket succeeded and you already own it.",
            ));
        }
        let bucket = Bucket {
            name: req.bucket.clone(),
            created_at: self.core.now,
            objects: BTreeMap::new(),
            notification: NotificationConfiguration::default(),
            sequencer: 0,
        };
        self.state.buckets.insert(req.bucket, bucket);
        Ok(())
    }

    pub fn delete_bucket(&mut self, req: DeleteBucket) -> Result<(), S3Error> {
        if !self.bucket(&req.bucket)?.objects.is_empty() {
            return Err(S3Error::new(S3ErrorCode::BucketNotEmpty, "The bucket you tried to delete is not empty"));
        }
        self.state.buckets.remove(&req.bucket);
        Ok(())
    }

    pub fn put_object(&mut self, req: PutObject) -> Result<PutObjectResult, S3Error> {
        let now = self.core.now;
        let bucket = self.bucket_mut(&req.bucket)?;
        let etag = crate::hex::encode(&validate::md5(&req.body));
        let size = req.body.len() as u64;
        let object = Object {
            key: req.key.clone(),
            body: req.body,
            etag: etag.clone(),
            content_type: req.content_type.unwrap_or_else(|| "binary/octet-stream".into()),
            last_modified: now,
        };
        bucket.objects.insert(req.key.clone(), object);
        self.notify(&req.bucket, "ObjectCreated:Put", &req.key, Some((size, &etag)));
        Ok(PutObjectResult { etag: alloc::format!("\"{etag}\"") })
    }

    pub fn get_object(&mut self, req: GetObject) -> Result<GetObjectResult, S3Error> {
        let object = self
            .bucket(&req.bucket)?
            .objects
            .get(&req.key)
            .ok_or_else(|| S3Error::new(S3ErrorCode::NoSuchKey, "The specified key does not exist."))?;
        Ok(GetObjectResult {
            body: object.body.clone(),
            etag: alloc::format!("\"{}\"", object.etag),
            content_type: object.content_type.clone(),
            last_modified: object.last_modified.as_millis(),
        })
    }

    /// Deleting a key that does not exist succeeds (S3 answers 204 either way)
    /// and, like S3, still raises an `ObjectRemoved:Delete` event.
    pub fn delete_object(&mut self, req: DeleteObject) -> Result<(), S3Error> {
        self.bucket_mut(&req.bucket)?.objects.remove(&req.key);
        self.notify(&req.bucket, "ObjectRemoved:Delete", &req.key, None);
        Ok(())
    }

    pub fn list_objects_v2(&mut self, req: ListObjectsV2) -> Result<ListObjectsV2Result, S3Error> {
        let bucket = self.bucket(&req.bucket)?;
        let max_keys = match req.max_keys {
            None => 1000,
            Some(n) if (0..=1000).contains(&n) => n as usize,
            Some(n) if n > 1000 => 1000,
            Some(_) => {
                let mut e = S3Error::new(
                    S3ErrorCode::InvalidArgument,
                    "Argument maxKeys must be an integer between 0 and 2147483647",
                );
                e.argument_name = Some("maxKeys".into());
                return Err(e);
            }
        };
        let after = match &req.continuation_token {
            Some(token) => {
                Some(STANDARD.decode(token).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(|| {
                    let mut e =
                        S3Error::new(S3ErrorCode::InvalidArgument, "The continuation token provided is incorrect");
                    e.argument_name = Some("continuation-token".into());
                    e
                })?)
            }
            None => req.start_after.clone(),
        };
        let prefix = req.prefix.unwrap_or_default();
        let mut result = ListObjectsV2Result { max_keys: max_keys as u64, ..Default::default() };
        let mut last = None;
        for (key, object) in bucket.objects.range::<str, _>((
            after.as_deref().map_or(core::ops::Bound::Unbounded, core::ops::Bound::Excluded),
            core::ops::Bound::Unbounded,
        )) {
            if !key.starts_with(prefix.as_str()) {
                continue;
            }
            let rolled_up = req
                .delimiter
                .as_deref()
                .filter(|d| !d.is_empty())
                .and_then(|d| key[prefix.len()..].find(d).map(|i| key[..prefix.len() + i + d.len()].to_string()));
            // Every key under one common prefix counts once, as that prefix.
            if rolled_up.is_some() && rolled_up.as_ref() == result.common_prefixes.last() {
                continue;
            }
            if (result.contents.len() + result.common_prefixes.len()) == max_keys {
                result.is_truncated = true;
                break;
            }
            match rolled_up {
                Some(common) => {
                    // The next page resumes after every key under this prefix.
                    last = Some(alloc::format!("{common}{}", char::MAX));
                    result.common_prefixes.push(common);
                }
                None => {
                    last = Some(key.clone());
                    result.contents.push(ObjectSummary {
                        key: key.clone(),
                        size: object.body.len() as u64,
                        etag: alloc::format!("\"{}\"", object.etag),
                        last_modified: object.last_modified.as_millis(),
                    });
                }
            }
        }
        result.key_count = (result.contents.len() + result.common_prefixes.len()) as u64;
        if result.is_truncated {
            result.next_continuation_token = last.map(|k| STANDARD.encode(k));
        }
        Ok(result)
    }
}
