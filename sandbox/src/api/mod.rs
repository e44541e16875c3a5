//! The API methods the sandbox emulates, one module per area (API-EXT.md
//! §3–§6), routed by name. Each runs after the common checks
//! (`sandbox::checks`) on the verified `$_POST` and answers as [SRV] does.

mod contacts;
mod goods;
mod input;
mod orders;

use serde_json::{Map, Value as Json};

use super::store::{Answer, Store};
pub(crate) use input::{unix_now, Ctx};
use justclick::{Params, Value};

impl Store {
    /// Runs one verified API call at the current time from loopback (for
    /// benchmarks and unit tests); the server routes through [`call`]. It
    /// lives here, not in `store`, so that the store stays below the API.
    pub fn call(&mut self, method: &str, p: &Params) -> Option<Answer> {
        call(self, &Ctx::now_local(), method, p)
    }
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
    justclick::php::parse_query(
        justclick::encode_lenient(&pairs.iter().map(|(k, v)| (*k, *v)).collect()).as_bytes(),
    )
}
