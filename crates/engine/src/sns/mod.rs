//! Amazon SNS: topics, subscriptions and fan-out, as AWS behaves today.
//!
//! # Layout
//! - [`filter`]: subscription filter policies — parsing with AWS's validation
//!   rules and messages, and matching against message attributes or a JSON
//!   message body.

pub mod filter;
