//! getOrdersWithGoods over any date range.
//!
//! The service accepts at most one month per call and silently moves the
//! start of a longer range forward (API-EXT.md §4.4), so a long range would
//! lose orders without any error. The library splits it into consecutive,
//! non-overlapping chunks of at most [`CHUNK_DAYS`] days: 28 is the
//! shortest month, so a chunk is within "one month" however the service
//! counts it (calendar month or 30 days). Dates are whole days, both ends
//! included, as the service's `dd.mm.yyyy` filter is read.

use serde_json::Value as Json;

use crate::api::spec::method;
use crate::api::validate::parse_dmy;
use crate::client::Client;
use crate::encode::{Params, Value};
use crate::error::{invalid, Error, Result};
use crate::response::Response;

/// Longest chunk sent in one call, in days (both ends included).
pub const CHUNK_DAYS: i64 = 28;

/// The service's "no orders" answers: an empty chunk is not an error.
const NOT_FOUND_CODES: &[i64] = &[400, 401];

/// Days in `month` of `year` (proleptic Gregorian).
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `dd.mm.yyyy` of a day number.
pub(crate) fn dmy(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{d:02}.{m:02}.{y:04}")
}

/// Consecutive inclusive day ranges of at most [`CHUNK_DAYS`] covering
/// `first..=last`, in order, without overlap.
pub(crate) fn chunks(first: i64, last: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let end = (start + CHUNK_DAYS - 1).min(last);
        out.push((start, end));
        start = end + 1;
    }
    out
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
/// twice (same `id`) is kept once.
pub(crate) fn merge(parts: Vec<Vec<Json>>) -> Vec<Json> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Json> = Vec::new();
    for order in parts.into_iter().flatten() {
        let id = match order.get("id") {
            Some(Json::String(s)) => Some(s.clone()),
            Some(Json::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let Some(id) = id {
            if !seen.insert(id) {
                continue;
            }
        }
        out.push(order);
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

/// Calls getOrdersWithGoods with validated `params`, split when the range
/// is longer than [`CHUNK_DAYS`].
pub(crate) fn orders_with_goods(client: &Client, params: &Params) -> Result<Response> {
    let m = method("getOrdersWithGoods").expect("declared");
    let Some(first) = day_of(params, "begin_date") else {
        // No start: the service's own default (the last day).
        return client.send_validated(m, params);
    };
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
    let pieces = chunks(first, last);
    if pieces.len() == 1 && params.get("end_date").is_some() {
        return client.send_validated(m, params);
    }
    let mut parts = Vec::with_capacity(pieces.len());
    let mut text = String::from("OK");
    for (a, b) in pieces {
        let mut p = params.clone();
        p.remove("begin_date");
        p.remove("end_date");
        let mut chunk = Params::with_capacity(p.len() + 2)
            .with("begin_date", dmy(a))
            .with("end_date", dmy(b));
        for (k, v) in p.iter() {
            chunk.push(k, v.clone());
        }
        match client.send_validated(m, &chunk) {
            Ok(r) => {
                text = r.error_text;
                match r.result {
                    None => parts.push(Vec::new()),
                    Some(Json::Array(a)) => parts.push(a),
                    Some(Json::Object(o)) => parts.push(o.into_iter().map(|(_, v)| v).collect()),
                    Some(other) => {
                        return Err(Error::BadResponse(format!(
                            "getOrdersWithGoods result is not a list of orders (got {other})"
                        )))
                    }
                }
            }
            Err(Error::Api { code, .. }) if NOT_FOUND_CODES.contains(&code) => {
                parts.push(Vec::new())
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Response {
        error_text: text,
        result: Some(Json::Array(merge(parts))),
        outcome: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for day in (-1000..80_000).step_by(7) {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(dmy(days_from_civil(2024, 2, 29)), "29.02.2024");
    }

    #[test]
    fn chunks_cover_without_overlap_and_never_exceed_28_days() {
        let first = days_from_civil(2017, 1, 1);
        let last = days_from_civil(2018, 3, 15);
        let c = chunks(first, last);
        assert_eq!(c.first().unwrap().0, first);
        assert_eq!(c.last().unwrap().1, last);
        for w in c.windows(2) {
            assert_eq!(w[0].1 + 1, w[1].0);
        }
        assert!(c.iter().all(|(a, b)| b - a < CHUNK_DAYS && a <= b));
        assert_eq!(chunks(first, first), vec![(first, first)]);
        assert_eq!(chunks(first, first + 27).len(), 1);
        assert_eq!(chunks(first, first + 28).len(), 2);
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
    }
}
