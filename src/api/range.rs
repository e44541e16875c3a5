//! getOrdersWithGoods over any date range.
//!
//! The service accepts at most one month per call and silently moves the
//! start of a longer range forward (API-EXT.md §4.4), so a long range would
//! lose orders without any error. The library splits it into chunks of at
//! most [`CHUNK_DAYS`] days: 28 is the shortest month, so a chunk is within
//! "one month" however the service counts it (calendar month or 30 days).
//!
//! How the service reads a range is unconfirmed: whether `end_date` is
//! included, and whether days are Moscow or UTC days. So each chunk starts
//! on the day the previous one ends: every boundary day is asked for twice,
//! and an order on it comes back from one chunk or both (then kept once, by
//! its `id`), whichever reading the service uses. The same reading applies
//! to every chunk, so the time zone moves all boundaries alike and cannot
//! open a gap. The result is what one call for the whole range would
//! return if the service had no one-month cap.

use serde_json::Value as Json;

use crate::api::spec::{method, Method};
use crate::calendar::{days_from_civil, dmy, parse_dmy};
use crate::client::Client;
use crate::encode::{Params, Value};
use crate::error::{invalid, Error, Result};
use crate::response::Response;

/// Longest chunk sent in one call, in days (both ends included).
pub const CHUNK_DAYS: i64 = 28;

/// The service's "no orders" answers: an empty chunk is not an error.
const NOT_FOUND_CODES: &[i64] = &[400, 401];

/// Day ranges of at most [`CHUNK_DAYS`] days (both ends counted) covering
/// `first..=last` in order, each starting on the day the previous one ends
/// (see the module's comment); one range when `last - first < CHUNK_DAYS`.
pub(crate) fn chunks(first: i64, last: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut start = first;
    loop {
        let end = (start + CHUNK_DAYS - 1).min(last);
        out.push((start, end));
        if end >= last {
            return out;
        }
        start = end;
    }
}

/// Today in Moscow (UTC+3, the service's clock), as a day number.
fn today_moscow() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    (secs + 3 * 3600).div_euclid(86_400)
}

fn day_of(p: &Params, key: &str) -> Option<i64> {
    match p.get(key) {
        Some(Value::Str(s)) => parse_dmy(s).map(|(y, m, d)| days_from_civil(y, m, d)),
        _ => None,
    }
}

/// Merges the order lists of consecutive chunks into one: orders keep the
/// chunks' order, are sorted by creation time (stable), and an order seen
/// twice is kept once (the same `id`; an order without one, the same JSON).
pub(crate) fn merge(parts: Vec<Vec<Json>>) -> Vec<Json> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Json> = Vec::new();
    for order in parts.into_iter().flatten() {
        let key = match order.get("id") {
            Some(Json::String(s)) => format!("id:{s}"),
            Some(Json::Number(n)) => format!("id:{n}"),
            _ => format!("json:{order}"),
        };
        if seen.insert(key) {
            out.push(order);
        }
    }
    let created = |o: &Json| -> i64 {
        match o.get("created") {
            Some(Json::Number(n)) => n.as_i64().unwrap_or(0),
            Some(Json::String(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        }
    };
    out.sort_by_key(created);
    out
}

/// One call's text and orders; the service's "no orders" answers (400,
/// 401) are its text and no orders.
fn orders_of(client: &Client, m: &Method, params: &Params) -> Result<(String, Vec<Json>)> {
    match client.send_validated(m, params) {
        Ok(r) => {
            let orders = match r.result {
                None => Vec::new(),
                Some(Json::Array(a)) => a,
                Some(Json::Object(o)) => o.into_iter().map(|(_, v)| v).collect(),
                Some(other) => {
                    return Err(Error::BadResponse(format!(
                        "getOrdersWithGoods result is not a list of orders (got {})",
                        crate::endpoints::quote(&other.to_string())
                    )))
                }
            };
            Ok((r.error_text, orders))
        }
        Err(Error::Api { code, text }) if NOT_FOUND_CODES.contains(&code) => Ok((text, Vec::new())),
        Err(e) => Err(e),
    }
}

/// Calls getOrdersWithGoods with validated `params`, split when the range
/// is longer than [`CHUNK_DAYS`]. "No orders" (400/401) is an empty list
/// for every range, one chunk or many.
pub(crate) fn orders_with_goods(
    client: &Client,
    params: &Params,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Response> {
    let m = method("getOrdersWithGoods").expect("declared");
    let pieces = match day_of(params, "begin_date") {
        // No start: the service's own default (the last day), one call.
        None => Vec::new(),
        Some(first) => {
            let given_end = day_of(params, "end_date");
            let last = given_end.unwrap_or_else(today_moscow);
            if first > last {
                let end = if given_end.is_some() {
                    "end_date"
                } else {
                    "today (Moscow time), the default end_date"
                };
                return invalid(format!(
                    "begin_date {} is after {end} {}",
                    dmy(first),
                    dmy(last)
                ));
            }
            chunks(first, last)
        }
    };
    let mut parts = Vec::with_capacity(pieces.len().max(1));
    // The text of the first chunk with orders, else of the first chunk.
    let (mut text, mut first_text) = (None, None);
    let mut keep = |(t, orders): (String, Vec<Json>)| {
        if !orders.is_empty() && text.is_none() {
            text = Some(t.clone());
        }
        first_text.get_or_insert(t);
        parts.push(orders);
    };
    let total = pieces.len().max(1);
    progress(0, total);
    if pieces.len() <= 1 {
        // The caller's own parameters, unchanged.
        keep(orders_of(client, m, params)?);
        progress(1, 1);
    } else {
        let given_end = params.get("end_date").is_some();
        let last_piece = pieces.len() - 1;
        for (i, (a, b)) in pieces.into_iter().enumerate() {
            let mut chunk = Params::with_capacity(params.len() + 2).with("begin_date", dmy(a));
            // Without an end_date the last chunk leaves it out too: the
            // service then ends at "now", and today's orders are in
            // whether or not it would include an end_date of today.
            if given_end || i < last_piece {
                chunk.push("end_date", Value::Str(dmy(b)));
            }
            for (k, v) in params.iter() {
                if k != "begin_date" && k != "end_date" {
                    chunk.push(k, v.clone());
                }
            }
            keep(orders_of(client, m, &chunk)?);
            progress(i + 1, total);
        }
    }
    Ok(Response {
        error_text: text.or(first_text).unwrap_or_default(),
        result: Some(Json::Array(merge(parts))),
        outcome: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chunks_share_each_boundary_day_and_never_exceed_28_days() {
        let first = days_from_civil(2017, 1, 1);
        let last = days_from_civil(2018, 3, 15);
        let c = chunks(first, last);
        assert_eq!(c.first().unwrap().0, first);
        assert_eq!(c.last().unwrap().1, last);
        for w in c.windows(2) {
            // The next chunk starts on the day this one ends.
            assert_eq!(w[0].1, w[1].0);
        }
        assert!(c.iter().all(|(a, b)| b - a < CHUNK_DAYS && a < b));
        assert_eq!(chunks(first, first), vec![(first, first)]);
        assert_eq!(chunks(first, first + 27), vec![(first, first + 27)]);
        assert_eq!(
            chunks(first, first + 28),
            vec![(first, first + 27), (first + 27, first + 28)]
        );
    }

    #[test]
    fn merge_sorts_and_deduplicates() {
        let a = vec![
            json!({"id":"2","created":"200"}),
            json!({"id":"1","created":100}),
        ];
        let b = vec![
            json!({"id":"2","created":"200"}),
            json!({"id":"3","created":"300"}),
        ];
        let m = merge(vec![a, Vec::new(), b]);
        let ids: Vec<_> = m.iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        // Without an id, the same order twice (a shared boundary day) is
        // still one order; two different ones stay two.
        let x = json!({"created":"5","email":"a@b.ru"});
        let y = json!({"created":"6","email":"a@b.ru"});
        assert_eq!(merge(vec![vec![x.clone()], vec![x.clone(), y]]).len(), 2);
    }
}
