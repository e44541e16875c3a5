//! # justclick
//!
//! A client for the [JustClick](https://justclick.ru) API: byte-exact PHP
//! `http_build_query` signing, verified TLS, verified responses and one
//! error type, with a C ABI (`include/justclick.h`) for C, C++, PHP FFI and
//! Python.
//!
//! ```no_run
//! use justclick::{Client, Options, OrderStatus};
//!
//! let client = Client::new("username", "secret-api-key", Options::default())?;
//! client.update_order_status("100000", OrderStatus::Sent, Some(1362254400), Some("10000000000000"))?;
//! let bills = client.get_bills("client@example.com", None)?;
//! println!("{}", bills.result.unwrap());
//! # Ok::<(), justclick::Error>(())
//! ```
//!
//! Everything here is `Send + Sync`; one [`Client`] is meant to be shared by
//! all threads of a process so that its kept-alive connections are reused.

#![deny(missing_docs)]

pub mod api;
mod batch;
pub mod calendar;
mod client;
mod encode;
mod endpoints;
mod error;
pub mod ffi;
mod good;
mod guard;
mod keys;
pub mod notify;
mod options;
pub mod php;
mod plain_json;
mod pool;
mod response;
mod sign;
mod suggest;
mod transport;

pub use api::results::{
    Count, CreatedOrder, GoodInfo, Group, LeadGroupStatus, List, Order, OrderItem, OrderPartner,
    OrderUtm, PartnerStats,
};
pub use api::{Method, Param, Shape, Special, Ty, METHODS};
pub use batch::{BatchCall, MAX_BATCH, MAX_CONCURRENCY, RATE_LIMIT_CODE};
pub use client::Client;
pub use encode::{encode, encode_lenient, Params, Value, MAX_BODY_BYTES, MAX_DEPTH, MAX_VALUES};
pub use endpoints::{OrderStatus, PayStatus};
pub use error::{Error, ErrorKind, Result};
pub use good::{Good, MailFormat, PostService, TimerUnit, GOOD_FIELDS};
pub use notify::Notification;
pub use options::{Options, ProxySetting, DEFAULT_USER_AGENT, OPTION_NAMES};
pub use pool::MAX_POOLS;
pub use response::{parse as parse_response, Outcome, Response};
pub use sign::{request_hash, response_hash, verify_response, Secret};

/// The crate version (also returned by the C `jc_version()`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
