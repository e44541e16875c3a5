//! The API methods the sandbox emulates, one module per area (API-EXT.md
//! §3–§6), routed by name. Each runs after the common checks
//! (`sandbox::checks`) on the verified `$_POST` and answers as [SRV] does.

mod contacts;
mod goods;
mod orders;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value as Json};

use super::store::{Answer, Store};
use crate::encode::{Params, Value};

/// What a method may depend on besides its parameters.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    /// UNIX seconds now.
    pub(crate) now: i64,
    /// The caller's address (AddLeadToGroup's per-IP limit).
    pub(crate) ip: IpAddr,
    /// Successful subscriptions allowed per IP in 24 h; 0 = no limit.
    pub(crate) subscribe_limit: u32,
    /// AddGood maps `good_type` as [SRV] does (only `real` is physical).
    pub(crate) strict_good_type: bool,
    /// Where `cancel_order` notifications go (none unless set by admin).
    pub(crate) cancel_url: Option<String>,
}

impl Ctx {
    pub(crate) fn now_local() -> Ctx {
        Ctx {
            now: unix_now(),
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            subscribe_limit: 0,
            strict_good_type: false,
            cancel_url: None,
        }
    }
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Runs one verified call; `None` for a method the sandbox does not know
/// (answered with HTTP 404, the probable real behaviour).
pub(crate) fn call(store: &mut Store, ctx: &Ctx, method: &str, p: &Params) -> Option<Answer> {
    Some(match method {
        "AddLeadToGroup" => contacts::add_lead_to_group(store, ctx, p),
        "UpdateSubscriberData" => contacts::update_subscriber_data(store, p),
        "DeleteSubscribe" => contacts::delete_subscribe(store, p),
        "GetLeadGroupStatuses" => contacts::get_lead_group_statuses(store, p),
        "GetLeadGroups" => contacts::get_lead_groups(store, p),
        "GetAllGroups" => contacts::get_all_groups(store),
        "GetCountSubscribe" => contacts::get_count_subscribe(store, p),
        "CreateOrder" => orders::create_order(store, ctx, p),
        "getOrderDetails" => orders::get_order_details(store, p),
        "GetOrderInfo" => orders::get_order_info(store, p),
        "getOrdersWithGoods" => orders::get_orders_with_goods(store, ctx, p),
        "GetOrders" => orders::get_orders(store, p),
        "DeleteOrder" => orders::delete_order(store, p),
        "UpdateOrderStatus" => orders::update_order_status(store, ctx, p),
        "GetBills" => orders::get_bills(store, p),
        "AddGood" => goods::add_good(store, ctx, p),
        "UpdateGood" => goods::update_good(store, p),
        "DeleteGood" => goods::delete_good(store, p),
        "GetAllGoods" => goods::get_all_goods(store),
        "GetPartnerStats" => goods::get_partner_stats(store, p),
        // Test methods: the parameters back as `result`. SandboxWrite counts
        // as a write (stats.writes, duplicate detection): storms use it to
        // send unique writes whose answers they can match to their requests.
        "SandboxEcho" | "SandboxWrite" => Answer::ok("OK", Some(params_to_json(p))),
        _ => return None,
    })
}

/// A top-level string parameter, or "" when absent or not a string.
pub(crate) fn text(p: &Params, key: &str) -> String {
    match p.get(key) {
        Some(Value::Str(s)) => s.clone(),
        _ => String::new(),
    }
}

/// A parameter sent either as one value or as a PHP list (`rid` or
/// `rid[0]`, `rid[1]`...): its string items.
pub(crate) fn list(p: &Params, key: &str) -> Vec<String> {
    match p.get(key) {
        Some(Value::Str(s)) => vec![s.clone()],
        Some(Value::Map(m)) => m
            .iter()
            .filter_map(|(_, v)| match v {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// [SRV]'s email check: lowercased, then it must *contain* a match of
/// `[\w-.]+@([\w-]+\.)+[\w-]{2,4}` (the pattern is not anchored).
pub(crate) fn valid_email(raw: &str) -> Option<String> {
    let e = raw.to_lowercase();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    for (at, _) in e.match_indices('@') {
        let local_ok = e[..at]
            .chars()
            .next_back()
            .is_some_and(|c| word(c) || c == '.');
        if !local_ok {
            continue;
        }
        // Domain: one or more `label.` then a 2+ char label (the regex
        // stops at 4 but, unanchored, a longer one still contains a match).
        let rest: String = e[at + 1..]
            .chars()
            .take_while(|&c| word(c) || c == '.')
            .collect();
        for (i, l) in rest.split('.').enumerate() {
            if l.is_empty() {
                break;
            }
            if i > 0 && l.chars().count() >= 2 {
                return Some(e);
            }
        }
    }
    None
}

/// What PHP would hold in `$_POST`, as JSON (every leaf a string).
pub fn params_to_json(p: &Params) -> Json {
    let mut m = Map::new();
    for (k, v) in p.iter() {
        m.insert(k.to_owned(), value_to_json(v));
    }
    Json::Object(m)
}

fn value_to_json(v: &Value) -> Json {
    match v {
        Value::Map(m) => params_to_json(m),
        Value::Str(s) => Json::String(s.clone()),
        Value::Null => Json::Null,
        Value::Bool(b) => Json::String(if *b { "1" } else { "0" }.into()),
        Value::Int(i) => Json::String(i.to_string()),
        Value::UInt(u) => Json::String(u.to_string()),
        Value::Float(f) => Json::String(f.to_string()),
        Value::List(l) => Json::Array(l.iter().map(value_to_json).collect()),
    }
}

#[cfg(test)]
pub(crate) fn p(pairs: &[(&str, &str)]) -> Params {
    crate::php::parse_query(
        crate::encode::encode_lenient(&pairs.iter().map(|(k, v)| (*k, *v)).collect()).as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check_is_srv_unanchored_pattern() {
        assert_eq!(
            valid_email("Ivan@Example.COM").as_deref(),
            Some("ivan@example.com")
        );
        assert!(valid_email("junk <a@b.ru> junk").is_some());
        assert!(valid_email("a@b.r").is_none());
        assert!(valid_email("a@localhost").is_none());
        assert!(valid_email("@b.ru").is_none());
        assert!(valid_email("").is_none());
    }
}
