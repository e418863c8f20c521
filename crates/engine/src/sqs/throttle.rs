//! FIFO transactions-per-second quotas, counted in one-second windows of virtual time.
//!
//! Without high throughput a FIFO queue takes 300 calls per second per action
//! (SendMessage, ReceiveMessage, DeleteMessage; a batch is one call, hence
//! 3,000 messages per second with batching). High-throughput mode raises the
//! quota per region. Standard queues are not throttled.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ThrottledAction {
    Send,
    Receive,
    Delete,
}

impl ThrottledAction {
    pub fn name(self) -> &'static str {
        match self {
            ThrottledAction::Send => "SendMessage",
            ThrottledAction::Receive => "ReceiveMessage",
            ThrottledAction::Delete => "DeleteMessage",
        }
    }
}

/// Calls counted in the current one-second window, per action.
#[derive(Clone, Debug, Default)]
pub(crate) struct Throttle {
    windows: [(u64, u32); 3],
}

pub const FIFO_TPS: u32 = 300;

/// High-throughput FIFO quota per API action (AWS's published regional figures).
pub fn high_throughput_tps(region: &str) -> u32 {
    match region {
        "us-east-1" | "us-west-2" | "eu-west-1" => 70_000,
        "us-east-2" | "eu-central-1" => 19_000,
        "ap-south-1" | "ap-southeast-1" | "ap-southeast-2" | "ap-northeast-1" => 9_000,
        _ => 4_500,
    }
}

impl Throttle {
    /// Counts one call at `now_ms`; false when it goes over `limit` in this second.
    pub fn admit(&mut self, action: ThrottledAction, now_ms: u64, limit: u32) -> bool {
        let second = now_ms / 1000;
        let window = &mut self.windows[action as usize];
        if window.0 != second {
            *window = (second, 0);
        }
        if window.1 >= limit {
            return false;
        }
        window.1 += 1;
        true
    }
}
