//! Typed `result`s of the methods whose shape API-EXT.md gives.
//!
//! The service writes database values as JSON strings (`"id":"258368"`)
//! and counters as numbers, and PHP writes an empty map as `[]`: every
//! field here accepts a number or a numeric string, optional keys may be
//! missing, and lists/maps accept `[]`, `{}` and `null`. Read them with
//! [`crate::Response::parse_result`]. All types are plain data (`Send + Sync`).

use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::Value as Json;

/// Text from a string or a number (`null` → empty).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::Null => String::new(),
        Json::String(s) => s,
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => if b { "1" } else { "" }.to_owned(),
        other => return Err(de::Error::custom(format!("expected text, got {other}"))),
    })
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = text(d)?;
    Ok(if s.is_empty() { None } else { Some(s) })
}

/// An integer from a number or a numeric string; `""`, `null` → `None`.
fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Json::deserialize(d)? {
        Json::Null => Ok(None),
        Json::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected an integer, got {n}"))),
        Json::String(s) if s.trim().is_empty() => Ok(None),
        Json::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected an integer, got {s:?}"))),
        Json::Bool(b) => Ok(Some(i64::from(b))),
        other => Err(de::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// A number from a number or a numeric string; `""`, `null` → `None`.
fn opt_num<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Json::deserialize(d)? {
        Json::Null => Ok(None),
        Json::Number(n) => Ok(n.as_f64()),
        Json::String(s) if s.trim().is_empty() => Ok(None),
        Json::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected a number, got {s:?}"))),
        other => Err(de::Error::custom(format!("expected a number, got {other}"))),
    }
}

fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(opt_int(d)?.unwrap_or(0))
}

fn num<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(opt_num(d)?.unwrap_or(0.0))
}

/// A boolean from `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`.
fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Json::deserialize(d)? {
        Json::Null => Ok(None),
        Json::Bool(b) => Ok(Some(b)),
        Json::Number(n) => Ok(Some(n.as_f64() != Some(0.0))),
        Json::String(s) => match s.as_str() {
            "" => Ok(None),
            "0" | "false" => Ok(Some(false)),
            "1" | "true" => Ok(Some(true)),
            _ => Err(de::Error::custom(format!("expected a boolean, got {s:?}"))),
        },
        other => Err(de::Error::custom(format!(
            "expected a boolean, got {other}"
        ))),
    }
}

/// A list from a list, a PHP map with keys (its values, in order), `[]`
/// or `null`.
fn list<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    let items: Vec<Json> = match Json::deserialize(d)? {
        Json::Null => Vec::new(),
        Json::Array(a) => a,
        Json::Object(m) => m.into_iter().map(|(_, v)| v).collect(),
        other => return Err(de::Error::custom(format!("expected a list, got {other}"))),
    };
    items
        .into_iter()
        .map(|v| serde_json::from_value(v).map_err(de::Error::custom))
        .collect()
}

/// An optional object where PHP may write `[]` for "empty".
fn opt_map<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Json::deserialize(d)? {
        Json::Null => Ok(None),
        Json::Array(a) if a.is_empty() => Ok(None),
        v => serde_json::from_value(v)
            .map(Some)
            .map_err(de::Error::custom),
    }
}

/// An order object (API-EXT.md §4): getOrderDetails, getOrdersWithGoods
/// and the deprecated getters (which lack `items`, `tag`, `kupon`,
/// `is_recurrent`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Order {
    /// Order number.
    #[serde(deserialize_with = "text")]
    pub id: String,
    /// Customer first name.
    #[serde(deserialize_with = "opt_text")]
    pub first_name: Option<String>,
    /// Customer last name.
    #[serde(deserialize_with = "opt_text")]
    pub last_name: Option<String>,
    /// Customer patronymic.
    #[serde(deserialize_with = "opt_text")]
    pub middle_name: Option<String>,
    /// Customer e-mail.
    #[serde(deserialize_with = "opt_text")]
    pub email: Option<String>,
    /// Customer phone.
    #[serde(deserialize_with = "opt_text")]
    pub phone: Option<String>,
    /// Delivery city.
    #[serde(deserialize_with = "opt_text")]
    pub city: Option<String>,
    /// Delivery country.
    #[serde(deserialize_with = "opt_text")]
    pub country: Option<String>,
    /// Delivery address.
    #[serde(deserialize_with = "opt_text")]
    pub address: Option<String>,
    /// Delivery region.
    #[serde(deserialize_with = "opt_text")]
    pub region: Option<String>,
    /// Delivery postal code.
    #[serde(deserialize_with = "opt_text")]
    pub postalcode: Option<String>,
    /// Creation time, UNIX seconds.
    #[serde(deserialize_with = "opt_int")]
    pub created: Option<i64>,
    /// Payment status (`paid`, `waiting`, `cancel`, ...).
    #[serde(deserialize_with = "opt_text")]
    pub pay_status: Option<String>,
    /// Payment time, UNIX seconds (`None` or 0 when unpaid).
    #[serde(deserialize_with = "opt_int")]
    pub paid: Option<i64>,
    /// Order type.
    #[serde(rename = "type", deserialize_with = "opt_text")]
    pub order_type: Option<String>,
    /// Payment method used.
    #[serde(deserialize_with = "opt_text")]
    pub payway: Option<String>,
    /// Order comment.
    #[serde(deserialize_with = "opt_text")]
    pub comment: Option<String>,
    /// Domain the order was taken on (no scheme).
    #[serde(deserialize_with = "opt_text")]
    pub domain: Option<String>,
    /// Payment page; relative (`/bill/?id=..`) when the order has no domain.
    #[serde(deserialize_with = "opt_text")]
    pub link: Option<String>,
    /// Order total.
    #[serde(deserialize_with = "opt_num")]
    pub price: Option<f64>,
    /// Amount still to pay.
    #[serde(deserialize_with = "opt_num")]
    pub bill_sum_topay: Option<f64>,
    /// Number of products (with `good_info`, or getOrdersWithGoods).
    #[serde(deserialize_with = "opt_int")]
    pub good_count: Option<i64>,
    /// Recurring bill flag.
    #[serde(deserialize_with = "opt_bool")]
    pub is_recurrent: Option<bool>,
    /// Order tag.
    #[serde(deserialize_with = "opt_text")]
    pub tag: Option<String>,
    /// Coupon used (`kupon`; InfluencerSoft spells it `coupon`).
    #[serde(alias = "coupon", deserialize_with = "opt_text")]
    pub kupon: Option<String>,
    /// UTM tags, absent when the order has none.
    #[serde(deserialize_with = "opt_map")]
    pub utm: Option<OrderUtm>,
    /// The lines of the order.
    #[serde(deserialize_with = "list")]
    pub items: Vec<OrderItem>,
}

/// An order's UTM tags (each only when set).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OrderUtm {
    /// utm_medium.
    #[serde(deserialize_with = "opt_text")]
    pub medium: Option<String>,
    /// utm_source.
    #[serde(deserialize_with = "opt_text")]
    pub source: Option<String>,
    /// utm_campaign.
    #[serde(deserialize_with = "opt_text")]
    pub campaign: Option<String>,
    /// utm_content.
    #[serde(deserialize_with = "opt_text")]
    pub content: Option<String>,
    /// utm_term.
    #[serde(deserialize_with = "opt_text")]
    pub term: Option<String>,
}

/// One line of an order.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OrderItem {
    /// Product API id (`good_name`).
    #[serde(deserialize_with = "text")]
    pub id: String,
    /// Product title.
    #[serde(deserialize_with = "opt_text")]
    pub title: Option<String>,
    /// Price actually charged in this order.
    #[serde(deserialize_with = "opt_num")]
    pub sum: Option<f64>,
    /// Price from the product settings.
    #[serde(deserialize_with = "opt_num")]
    pub price: Option<f64>,
    /// PIN sent after payment (getOrderDetails).
    #[serde(deserialize_with = "opt_text")]
    pub pincode: Option<String>,
    /// Partners credited for this line (levels 1 and 2).
    #[serde(deserialize_with = "list")]
    pub partners: Vec<OrderPartner>,
}

/// A partner credited for an order line.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OrderPartner {
    /// Level (1 or 2).
    #[serde(deserialize_with = "opt_int")]
    pub partner_lvl: Option<i64>,
    /// Partner id.
    #[serde(deserialize_with = "text")]
    pub partner_id: String,
    /// Partner login.
    #[serde(deserialize_with = "opt_text")]
    pub partner_name: Option<String>,
    /// Fee, roubles.
    #[serde(deserialize_with = "opt_num")]
    pub partner_fee: Option<f64>,
}

/// CreateOrder's result: the new (or, with the `already_exists` outcome,
/// the existing) order number.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CreatedOrder {
    /// The order number (sent as a number or a string).
    #[serde(deserialize_with = "text")]
    pub bill_id: String,
}

/// A group (GetAllGroups, GetLeadGroups).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Group {
    /// Internal numeric id (GetAllGroups only).
    #[serde(deserialize_with = "opt_text")]
    pub rass_id: Option<String>,
    /// Group API id.
    #[serde(deserialize_with = "text")]
    pub rass_name: String,
    /// Group title.
    #[serde(deserialize_with = "text")]
    pub rass_title: String,
}

/// One of a contact's groups (GetLeadGroupStatuses).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LeadGroupStatus {
    /// Group API id.
    #[serde(deserialize_with = "text")]
    pub rass_name: String,
    /// Group title.
    #[serde(deserialize_with = "text")]
    pub rass_title: String,
    /// `STATUS_WAIT`, `STATUS_SUBSCRIBE`, `STATUS_UNSUBSCRIBE`,
    /// `STATUS_UNSUBSCRIBE_BY_SERVICE` or `STATUS_INVALID_EMAIL`.
    #[serde(deserialize_with = "text")]
    pub rass_status: String,
    /// Subscription time, UNIX seconds (format unconfirmed by the docs).
    #[serde(deserialize_with = "opt_int")]
    pub subscription_time: Option<i64>,
}

/// A product (GetAllGoods).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GoodInfo {
    /// Internal id (newer servers only).
    #[serde(deserialize_with = "opt_text")]
    pub good_id: Option<String>,
    /// Product API id.
    #[serde(deserialize_with = "text")]
    pub good_name: String,
    /// Title.
    #[serde(deserialize_with = "text")]
    pub good_title: String,
    /// 1 physical, 0 digital.
    #[serde(deserialize_with = "opt_int")]
    pub good_type: Option<i64>,
    /// Price, roubles.
    #[serde(deserialize_with = "opt_num")]
    pub good_sum: Option<f64>,
}

/// An affiliate partner's totals (GetPartnerStats); all 0 without data.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PartnerStats {
    /// Fees accrued.
    #[serde(deserialize_with = "num")]
    pub earned_total: f64,
    /// Fees still to pay out.
    #[serde(deserialize_with = "num")]
    pub topay_total: f64,
    /// Clicks.
    #[serde(deserialize_with = "int")]
    pub clicks_total: i64,
    /// Contacts brought.
    #[serde(deserialize_with = "int")]
    pub leads_total: i64,
    /// Payments.
    #[serde(deserialize_with = "int")]
    pub bills_total: i64,
    /// Sub-partners.
    #[serde(deserialize_with = "int")]
    pub partners_total: i64,
}

/// GetCountSubscribe's result: a number or a numeric string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Count(#[serde(deserialize_with = "int")] pub i64);

/// A list result (`[]`, a list, or a PHP map of items) as a `Vec`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct List<T: serde::de::DeserializeOwned>(#[serde(deserialize_with = "list")] pub Vec<T>);
