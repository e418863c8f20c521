//! Resharding: SplitShard, MergeShards and UpdateShardCount.
//!
//! A call checks everything, puts the stream in UPDATING and records the
//! reshard; the reshard happens when UPDATING ends (a deadline). Parents are
//! closed (their `EndingSequenceNumber` appears) and children open, so
//! readers finish a parent before its children — the rule the KCL follows.
//!
//! UpdateShardCount with UNIFORM_SCALING is carried out as AWS describes it:
//! a series of splits and merges. Every open shard is split at each new
//! boundary inside it, then the pieces of each new range are merged, so 4 → 5
//! shards adds 4 splits and 3 merges (15 shards in all, 5 of them open).

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::vec::Vec;

use super::keys;
use super::*;
use crate::event::Event;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reshard {
    Split {
        shard: u32,
        new_starting_hash_key: u128,
    },
    Merge {
        shard: u32,
        adjacent: u32,
    },
    Uniform {
        target: u32,
    },
    /// UpdateStreamMode: the stream changes capacity mode when UPDATING ends.
    Mode(StreamMode),
}

impl Kinesis<'_> {
    pub fn split_shard(&mut self, req: SplitShardRequest) -> Result<(), KinesisError> {
        let account = self.account().to_owned();
        let at = keys::parse_hash_key(&req.new_starting_hash_key).ok_or_else(|| {
            KinesisError::constraint(
                &req.new_starting_hash_key,
                "newStartingHashKey",
                "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
            )
        })?;
        self.check_shard_quota(1)?;
        let stream = self.reshardable(&req.stream)?;
        let number = open_shard(stream, &req.shard_to_split, &account)?;
        let range = &stream.shards[number as usize].range;
        if at <= range.starting.saturating_add(1) || at >= range.ending {
            return Err(KinesisError::invalid(format!(
                "NewStartingHashKey {at} used in SplitShard() on shard {} in stream {} under account {account} is not both greater than one plus the shard's StartingHashKey {} and less than the shard's EndingHashKey {}.",
                keys::shard_id(number),
                stream.name,
                range.starting,
                range.ending
            )));
        }
        self.begin(&req.stream, Reshard::Split { shard: number, new_starting_hash_key: at }, RESHARD_DELAY)
    }

    pub fn merge_shards(&mut self, req: MergeShardsRequest) -> Result<(), KinesisError> {
        let account = self.account().to_owned();
        let stream = self.reshardable(&req.stream)?;
        let a = open_shard(stream, &req.shard_to_merge, &account)?;
        let b = open_shard(stream, &req.adjacent_shard_to_merge, &account)?;
        let (ra, rb) = (&stream.shards[a as usize].range, &stream.shards[b as usize].range);
        let adjacent = ra.ending.checked_add(1) == Some(rb.starting) || rb.ending.checked_add(1) == Some(ra.starting);
        if !adjacent {
            return Err(KinesisError::invalid(format!(
                "Shards {} and {} in stream {} under account {account} are not an adjacent pair of shards eligible for merging",
                keys::shard_id(a),
                keys::shard_id(b),
                stream.name
            )));
        }
        self.begin(&req.stream, Reshard::Merge { shard: a, adjacent: b }, RESHARD_DELAY)
    }

    pub fn update_shard_count(
        &mut self,
        req: UpdateShardCountRequest,
    ) -> Result<UpdateShardCountResponse, KinesisError> {
        if req.scaling_type != "UNIFORM_SCALING" {
            return Err(KinesisError::constraint(
                &req.scaling_type,
                "scalingType",
                "Member must satisfy enum value set: [UNIFORM_SCALING]",
            ));
        }
        if req.target_shard_count < 1 {
            return Err(KinesisError::constraint(
                req.target_shard_count,
                "targetShardCount",
                "Member must have value greater than or equal to 1",
            ));
        }
        let account = self.account().to_owned();
        let now = self.core.now;
        let quota = shard_quota_left(self);
        let stream = self.reshardable(&req.stream)?;
        let open = stream.open_shard_count();
        let target = u32::try_from(req.target_shard_count).unwrap_or(u32::MAX);
        let counts = format!("Current open shard count: {open}, Target shard count: {target}");
        if target > open.saturating_mul(2) {
            return Err(KinesisError::new(
                KinesisErrorCode::LimitExceededException,
                format!("UpdateShardCount cannot scale up over double your current open shard count. {counts}"),
            ));
        }
        if u64::from(target) * 2 < u64::from(open) {
            return Err(KinesisError::new(
                KinesisErrorCode::LimitExceededException,
                format!("UpdateShardCount cannot scale down below half your current open shard count. {counts}"),
            ));
        }
        if target > open && target - open > quota {
            return Err(KinesisError::new(
                KinesisErrorCode::LimitExceededException,
                format!("Target shard count or number of open shards cannot be greater than the shard limit for account {account}. {counts}"),
            ));
        }
        while stream.scalings.front().is_some_and(|t| *t + SimDuration::from_secs(24 * 3600) <= now) {
            stream.scalings.pop_front();
        }
        if stream.scalings.len() >= 10 {
            return Err(KinesisError::new(
                KinesisErrorCode::LimitExceededException,
                format!(
                    "Exceeded the UpdateShardCount limit for stream {} under account {account}: at most 10 calls in a rolling 24-hour period.",
                    stream.name
                ),
            ));
        }
        stream.scalings.push_back(now);
        let response = UpdateShardCountResponse {
            stream_name: alloc::string::String::from(&*stream.name),
            stream_arn: stream.arn.clone(),
            current_shard_count: open,
            target_shard_count: target,
        };
        if target != open {
            self.begin(&req.stream, Reshard::Uniform { target }, UPDATE_SHARD_COUNT_DELAY)?;
        }
        Ok(response)
    }

    /// Switches a stream between provisioned and on-demand capacity; the
    /// stream is UPDATING meanwhile. Asking for the mode it already has
    /// changes nothing.
    pub fn update_stream_mode(&mut self, stream_arn: &str, mode: StreamMode) -> Result<(), KinesisError> {
        let stream_ref = StreamRef { name: None, arn: Some(stream_arn.into()) };
        let stream = self.active_stream(&stream_ref)?;
        if stream.mode == mode {
            return Ok(());
        }
        self.begin(&stream_ref, Reshard::Mode(mode), RESHARD_DELAY)
    }

    /// DescribeLimits: the account's shard quota and how much of it is used.
    pub fn describe_limits(&mut self) -> Limits {
        let on_demand = self.state.streams().filter(|s| s.mode == StreamMode::OnDemand).count() as u32;
        Limits {
            shard_limit: super::streams::shard_quota(&self.core.config.region),
            open_shard_count: self.state.open_shards(),
            on_demand_stream_count: on_demand,
            on_demand_stream_count_limit: ON_DEMAND_STREAM_LIMIT,
        }
    }

    /// An ACTIVE, provisioned stream.
    fn reshardable(&mut self, stream: &StreamRef) -> Result<&mut Stream, KinesisError> {
        let account = self.account().to_owned();
        let s = self.active_stream(stream)?;
        if s.mode == StreamMode::OnDemand {
            return Err(KinesisError::new(
                KinesisErrorCode::ValidationException,
                format!("Request is invalid. Stream {} under account {account} is in On-Demand mode.", s.name),
            ));
        }
        Ok(s)
    }

    fn begin(&mut self, stream: &StreamRef, reshard: Reshard, takes: SimDuration) -> Result<(), KinesisError> {
        let stream = self.active_stream(stream)?;
        stream.status = StreamStatus::Updating;
        stream.pending = Some(reshard);
        let deadline = Deadline::KinesisStreamStatus {
            stream: alloc::rc::Rc::clone(&stream.name),
            incarnation: stream.incarnation,
        };
        let name = alloc::string::String::from(&*stream.name);
        let key = self.core.schedule_in(takes, deadline);
        if let Some(stream) = self.state.streams.get_mut(&name) {
            stream.status_deadline = Some(key);
        }
        Ok(())
    }
}

fn shard_quota_left(kinesis: &Kinesis<'_>) -> u32 {
    super::streams::shard_quota(&kinesis.core.config.region).saturating_sub(kinesis.state.open_shards())
}

/// The shard a request names, which must exist and still be open.
fn open_shard(stream: &Stream, id: &str, account: &str) -> Result<u32, KinesisError> {
    let number = keys::parse_shard_id(id)
        .filter(|n| (*n as usize) < stream.shards.len())
        .ok_or_else(|| KinesisError::shard_not_found(id, &stream.name, account))?;
    if !stream.shards[number as usize].is_open() {
        return Err(KinesisError::invalid(format!(
            "Shard {} in stream {} under account {account} has already been merged or split, and thus is not eligible for merging or splitting.",
            keys::shard_id(number),
            stream.name
        )));
    }
    Ok(number)
}

/// Carries out a reshard when UPDATING ends.
pub(super) fn apply(core: &mut Core, stream: &mut Stream, reshard: Reshard) {
    match reshard {
        Reshard::Split { shard, new_starting_hash_key } => {
            split(core, stream, shard, new_starting_hash_key);
        }
        Reshard::Merge { shard, adjacent } => {
            merge(core, stream, shard, adjacent);
        }
        Reshard::Uniform { target } => uniform(core, stream, target),
        Reshard::Mode(mode) => stream.mode = mode,
    }
}

fn split(core: &mut Core, stream: &mut Stream, parent: u32, at: u128) -> [u32; 2] {
    let now = core.now;
    let range = stream.shards[parent as usize].range.clone();
    stream.shards[parent as usize].closed_at = Some(now);
    let low = stream.shards.len() as u32;
    let mut children = [
        Shard::new(low, HashKeyRange { starting: range.starting, ending: at - 1 }, now),
        Shard::new(low + 1, HashKeyRange { starting: at, ending: range.ending }, now),
    ];
    for child in &mut children {
        child.parent = Some(parent);
    }
    stream.shards.extend(children);
    core.emit(Event::ShardSplit { stream: stream.name.clone(), parent, children: [low, low + 1] });
    [low, low + 1]
}

fn merge(core: &mut Core, stream: &mut Stream, a: u32, b: u32) -> u32 {
    let now = core.now;
    // The child's parent is the shard named first; its range spans both.
    let (ra, rb) = (stream.shards[a as usize].range.clone(), stream.shards[b as usize].range.clone());
    let range = HashKeyRange { starting: ra.starting.min(rb.starting), ending: ra.ending.max(rb.ending) };
    stream.shards[a as usize].closed_at = Some(now);
    stream.shards[b as usize].closed_at = Some(now);
    let number = stream.shards.len() as u32;
    let mut child = Shard::new(number, range, now);
    child.parent = Some(a);
    child.adjacent_parent = Some(b);
    stream.shards.push(child);
    core.emit(Event::ShardsMerged { stream: stream.name.clone(), parents: [a, b], child: number });
    number
}

fn uniform(core: &mut Core, stream: &mut Stream, target: u32) {
    let targets = keys::even_ranges(target);
    // Split every open shard at each new boundary that falls inside it.
    let mut open: Vec<u32> = stream.open_shards().map(|s| s.number).collect();
    open.sort_by_key(|n| stream.shards[*n as usize].range.starting);
    for number in open {
        let mut piece = number;
        for (boundary, _) in targets.iter().skip(1) {
            let range = &stream.shards[piece as usize].range;
            if range.starting < *boundary && *boundary <= range.ending {
                piece = split(core, stream, piece, *boundary)[1];
            }
        }
    }
    // Merge the pieces of each new range, left to right.
    for (starting, ending) in targets {
        let mut pieces: Vec<u32> = stream
            .open_shards()
            .filter(|s| starting <= s.range.starting && s.range.ending <= ending)
            .map(|s| s.number)
            .collect();
        pieces.sort_by_key(|n| stream.shards[*n as usize].range.starting);
        let mut merged = pieces.first().copied();
        for next in pieces.into_iter().skip(1) {
            merged = merged.map(|m| merge(core, stream, m, next));
        }
    }
}
