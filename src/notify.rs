//! Notifications the service posts to the shop (API-EXT.md §8): recognise
//! the event and check its `hash`.
//!
//! The body is parsed exactly as PHP fills `$_POST` ([`crate::php`]), so a
//! notification verifies here if and only if the documented PHP receiver
//! would compute the same md5 over the same values. The signature is
//! `md5(id . email . <time> . secret)` with no separators; it covers only
//! `id`, `email` and the time field. Every other field (sums, items,
//! partners, utm) is *not* authenticated by the service: read amounts from
//! `getOrderDetails` before acting on them.

use md5::{Digest, Md5};
use serde_json::{Map, Value as Json};

use crate::encode::{Params, Value, MAX_BODY_BYTES, MAX_VALUES};
use crate::error::{invalid, Error, Result};
use crate::php::{parse_query, urldecode};
use crate::sign::{ct_eq, hex32, wipe_stack, Secret};

/// Most `name=value` pairs a notification body may have: PHP's default
/// `max_input_vars` (1000), i.e. the encoder's [`MAX_VALUES`] plus `hash`.
/// PHP would silently drop the pairs after it, so a longer body is refused
/// rather than verified on a truncated view.
pub const MAX_NOTIFICATION_VARS: usize = MAX_VALUES + 1;

/// What a notification reports (API-EXT.md §8.1–§8.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// `status=new_order`: an order was created.
    NewOrder,
    /// `status=cancel_order`: an order was cancelled.
    CancelOrder,
    /// No `status`, `paid` or `last_payment_sum` present: an order was paid.
    Payment,
    /// No `status`, `prepayment_sum` present: part of an order was paid.
    Prepayment,
    /// `status=moneyback`: an order was refunded.
    Moneyback,
    /// `id_group` with `status` 2 (subscribed, unconfirmed) or 1
    /// (confirmed). Unsigned: an untrusted hint.
    Subscribe,
    /// `id_group` with `status` 0. Unsigned: an untrusted hint.
    Unsubscribe,
}

impl Event {
    /// The snake_case name used in the JSON document (`"new_order"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Event::NewOrder => "new_order",
            Event::CancelOrder => "cancel_order",
            Event::Payment => "payment",
            Event::Prepayment => "prepayment",
            Event::Moneyback => "moneyback",
            Event::Subscribe => "subscribe",
            Event::Unsubscribe => "unsubscribe",
        }
    }

    /// Whether the service signs this event (all order events do; the
    /// subscription events carry no documented `hash`).
    pub fn is_signed(self) -> bool {
        !matches!(self, Event::Subscribe | Event::Unsubscribe)
    }
}

/// Which signature variant a verified notification matched.
///
/// Which time field the service hashes is unconfirmed (API-EXT.md §8: the
/// text names one, the official PHP snippet implies an empty one), so every
/// signed event is checked against the documented field first and the empty
/// time second, as API-EXT.md recommends; this says which one matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashRule {
    /// The documented time field, present in the body: `paid` for
    /// payment, prepayment and moneyback, `created` for new and cancelled
    /// orders.
    Documented,
    /// An empty time, `md5(id . email . secret)`: as the snippet on the
    /// new/cancel pages computes it (it reads an absent `paid`); the
    /// fallback for every signed event, and the only rule when the
    /// documented time field was not sent.
    EmptyTime,
}

impl HashRule {
    /// `"documented"` or `"empty_time"`.
    pub fn name(self) -> &'static str {
        match self {
            HashRule::Documented => "documented",
            HashRule::EmptyTime => "empty_time",
        }
    }
}

/// One product line of an order notification (`items[i]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Item {
    /// Product id (`id`).
    pub id: Option<String>,
    /// Product title (`title`).
    pub title: Option<String>,
    /// Line sum in roubles (`sum`); not covered by the signature.
    pub sum: Option<f64>,
    /// Unit price in roubles (`price`); not covered by the signature.
    pub price: Option<f64>,
    /// PIN code issued for the line (`pincode`, payment notifications).
    pub pincode: Option<String>,
    /// Affiliate partners of the line (`partners[j]`, level 1 first).
    pub partners: Vec<Partner>,
}

/// An affiliate partner of an order line (`items[i][partners][j]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Partner {
    /// Partner level (`partner_lvl`: 1 or 2).
    pub level: Option<i64>,
    /// Partner id (`partner_id`).
    pub id: Option<String>,
    /// Partner login or name (`partner_name`).
    pub name: Option<String>,
    /// Commission in roubles (`partner_fee`); not covered by the signature.
    pub fee: Option<f64>,
}

/// The UTM tags of a notification (`utm[...]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Utm {
    /// `utm[medium]`.
    pub medium: Option<String>,
    /// `utm[source]`.
    pub source: Option<String>,
    /// `utm[campaign]`.
    pub campaign: Option<String>,
    /// `utm[content]`.
    pub content: Option<String>,
    /// `utm[term]`.
    pub term: Option<String>,
}

/// A recognised (and, for order events, verified) notification.
///
/// Built by [`crate::Client::verify_notification`]. `fields` holds the body
/// as PHP's `$_POST` without `hash`, converted like `json_encode` does (PHP
/// arrays become objects, or lists when their keys are 0..n-1 in order; an
/// empty array is `[]`); every leaf is a string, as the form sent it. Plain
/// data: `Send + Sync`; it holds no secret.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    event: Event,
    hash_rule: Option<HashRule>,
    fields: Map<String, Json>,
}

impl Notification {
    /// The recognised event.
    pub fn event(&self) -> Event {
        self.event
    }

    /// True when the `hash` verified; false only for the subscription
    /// events, which carry none (confirm them with `GetLeadGroupStatuses`).
    pub fn verified(&self) -> bool {
        self.hash_rule.is_some()
    }

    /// The signature variant that matched; `None` when not verified.
    pub fn hash_rule(&self) -> Option<HashRule> {
        self.hash_rule
    }

    /// All fields but `hash`, in the order PHP parsed them.
    pub fn fields(&self) -> &Map<String, Json> {
        &self.fields
    }

    /// A top-level field as text (`None` if absent or an array).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Json::as_str)
    }

    /// Order number (`id`), for order events.
    pub fn id(&self) -> Option<&str> {
        self.field("id")
    }

    /// Customer or subscriber email (`email`).
    pub fn email(&self) -> Option<&str> {
        self.field("email")
    }

    /// Order creation time, UNIX seconds (`created`).
    pub fn created(&self) -> Option<i64> {
        self.fields.get("created").and_then(int)
    }

    /// Payment time, UNIX seconds (`paid`).
    pub fn paid(&self) -> Option<i64> {
        self.fields.get("paid").and_then(int)
    }

    /// Amount of the last payment in roubles (`last_payment_sum`); not
    /// covered by the signature.
    pub fn last_payment_sum(&self) -> Option<f64> {
        self.fields.get("last_payment_sum").and_then(num)
    }

    /// Amount prepaid in roubles (`prepayment_sum`); not covered by the
    /// signature.
    pub fn prepayment_sum(&self) -> Option<f64> {
        self.fields.get("prepayment_sum").and_then(num)
    }

    /// Group number of a subscription event (`id_group`).
    pub fn id_group(&self) -> Option<i64> {
        self.fields.get("id_group").and_then(int)
    }

    /// The order lines (`items`), in the order they were sent.
    pub fn items(&self) -> Vec<Item> {
        entries(self.fields.get("items"))
            .filter_map(Json::as_object)
            .map(|it| Item {
                id: text(it, "id"),
                title: text(it, "title"),
                sum: it.get("sum").and_then(num),
                price: it.get("price").and_then(num),
                pincode: text(it, "pincode"),
                partners: entries(it.get("partners"))
                    .filter_map(Json::as_object)
                    .map(|p| Partner {
                        level: p.get("partner_lvl").and_then(int),
                        id: text(p, "partner_id"),
                        name: text(p, "partner_name"),
                        fee: p.get("partner_fee").and_then(num),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The UTM tags, if any were sent.
    pub fn utm(&self) -> Option<Utm> {
        let u = self.fields.get("utm")?.as_object()?;
        Some(Utm {
            medium: text(u, "medium"),
            source: text(u, "source"),
            campaign: text(u, "campaign"),
            content: text(u, "content"),
            term: text(u, "term"),
        })
    }

    /// The compact JSON document the C ABI returns:
    /// `{"ok":true,"event":..,"verified":..,"hash_rule":..|null,"fields":{..}}`.
    pub fn to_json(&self) -> String {
        let mut doc = Map::with_capacity(5);
        doc.insert("ok".into(), Json::Bool(true));
        doc.insert("event".into(), self.event.name().into());
        doc.insert("verified".into(), self.verified().into());
        doc.insert(
            "hash_rule".into(),
            self.hash_rule.map_or(Json::Null, |r| r.name().into()),
        );
        doc.insert("fields".into(), Json::Object(self.fields.clone()));
        Json::Object(doc).to_string()
    }
}

/// The notification signature: lowercase hex `md5(id . email . time .
/// secret)`, plain concatenation. For a sandbox or test that sends signed
/// notifications; the secret is wiped like in the request signature.
pub fn notification_hash(id: &str, email: &str, time: &str, secret: &Secret) -> [u8; 32] {
    let digest = digest(&[id.as_bytes(), email.as_bytes(), time.as_bytes()], secret);
    wipe_stack();
    hex32(&digest)
}

#[inline(never)]
fn digest(parts: &[&[u8]], secret: &Secret) -> [u8; 16] {
    let mut h = Md5::new();
    for part in parts {
        h.update(part);
    }
    h.update(secret.expose());
    h.finalize().into()
}

/// Parses, recognises and verifies a notification body (see
/// [`crate::Client::verify_notification`]).
pub(crate) fn verify(body: &[u8], secret: &Secret) -> Result<Notification> {
    check_bounds(body)?;
    let mut post = parse_query(body);
    let hash = post.remove("hash");
    let event = recognise(&post)?;
    let hash_rule = if event.is_signed() {
        Some(check_hash(event, &post, hash.as_ref(), secret)?)
    } else {
        None
    };
    Ok(Notification {
        event,
        hash_rule,
        fields: to_object(&post),
    })
}

/// Refuses what PHP would not read whole or what is not UTF-8 text.
fn check_bounds(body: &[u8]) -> Result<()> {
    if body.len() > MAX_BODY_BYTES {
        return invalid(format!(
            "notification body has {} bytes, more than {MAX_BODY_BYTES} (PHP's default post_max_size): not a JustClick notification",
            body.len()
        ));
    }
    let mut vars = 0usize;
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        vars += 1;
        if vars > MAX_NOTIFICATION_VARS {
            return invalid(format!(
                "notification body has more than {MAX_NOTIFICATION_VARS} variables (PHP's max_input_vars): PHP would drop the rest, so it is not verified"
            ));
        }
        // The hash covers decoded bytes; replacing invalid UTF-8 (as the
        // parser does for JSON) would make a valid signature fail for an
        // unclear reason, so say it here.
        for part in pair.splitn(2, |&b| b == b'=') {
            if std::str::from_utf8(&urldecode(part)).is_err() {
                return invalid(
                    "notification body is not UTF-8 once percent-decoded (JustClick sends UTF-8)",
                );
            }
        }
    }
    Ok(())
}

/// The event, by the keys API-EXT.md §8 says tell them apart.
fn recognise(post: &Params) -> Result<Event> {
    let status = match post.get("status") {
        None => None,
        Some(Value::Str(s)) => Some(s.as_str()),
        Some(_) => return invalid("notification field 'status' is an array, not a text"),
    };
    let event = match status {
        Some("new_order") => Event::NewOrder,
        Some("cancel_order") => Event::CancelOrder,
        Some("moneyback") => Event::Moneyback,
        Some(s @ ("0" | "1" | "2")) if post.get("id_group").is_some() => {
            if s == "0" {
                Event::Unsubscribe
            } else {
                Event::Subscribe
            }
        }
        Some(other) => {
            let hint = if matches!(other, "0" | "1" | "2") {
                " without 'id_group'"
            } else {
                ""
            };
            return invalid(format!(
                "not a JustClick notification: unknown status {}{hint} (expected new_order, cancel_order, moneyback, or 0/1/2 with id_group)",
                crate::endpoints::quote(other)
            ));
        }
        None if post.get("prepayment_sum").is_some() => Event::Prepayment,
        None if post.get("paid").is_some() || post.get("last_payment_sum").is_some() => {
            Event::Payment
        }
        None => {
            return invalid(
                "not a JustClick notification: no 'status', 'paid', 'last_payment_sum' or 'prepayment_sum' field",
            )
        }
    };
    if event.is_signed() && post.get("id").is_none() {
        return invalid(format!("{} notification has no 'id' field", event.name()));
    }
    Ok(event)
}

/// A signed field as text: absent is `""`, as PHP's concatenation reads it;
/// an array is refused (PHP would sign the word "Array").
fn signed_text<'a>(post: &'a Params, name: &str) -> Result<&'a str> {
    match post.get(name) {
        None => Ok(""),
        Some(Value::Str(s)) => Ok(s),
        Some(_) => invalid(format!(
            "notification field '{name}' is an array, not a text"
        )),
    }
}

/// Checks `hash` against the variants the event allows; the error never
/// says what the expected hash is.
fn check_hash(
    event: Event,
    post: &Params,
    received: Option<&Value>,
    secret: &Secret,
) -> Result<HashRule> {
    let id = signed_text(post, "id")?;
    let email = signed_text(post, "email")?;
    let received = match received {
        Some(Value::Str(h)) if !h.is_empty() => h.as_bytes(),
        Some(Value::Str(_)) | None => {
            return Err(Error::BadSignature(format!(
                "{} notification carries no 'hash': it is not verified",
                event.name()
            )))
        }
        Some(_) => {
            return Err(Error::BadSignature(format!(
                "{} notification's 'hash' is an array, not a text: it is not verified",
                event.name()
            )))
        }
    };
    // API-EXT.md §8 leaves the time field unconfirmed for every event (the
    // text names one, the snippets hash another or none) and recommends the
    // documented field first and the empty time as the fallback: applied
    // to every event alike, so that no event is refused for a rule the
    // service may well be using.
    let time_field = time_field(event);
    // An absent time field reads as "" in PHP: that is the empty-time
    // variant, and there is no documented one to try.
    let documented = match post.get(time_field) {
        None => None,
        Some(_) => Some(signed_text(post, time_field)?),
    };
    let matches = |time: &str| ct_eq(&notification_hash(id, email, time, secret), received);
    // Both variants are always computed, so the time taken does not depend
    // on which one matched.
    let doc_ok = documented.is_some_and(matches);
    let empty_ok = matches("");
    if doc_ok {
        Ok(HashRule::Documented)
    } else if empty_ok {
        Ok(HashRule::EmptyTime)
    } else {
        Err(Error::BadSignature(format!(
            "{} notification's 'hash' does not match (md5 of id, email, {time_field} or an empty time, and the API key): it is forged, altered or signed with another key",
            event.name(),
        )))
    }
}

/// The time field the documentation names in an event's signature:
/// `created` for new and cancelled orders, `paid` for the payment events.
fn time_field(event: Event) -> &'static str {
    match event {
        Event::NewOrder | Event::CancelOrder => "created",
        Event::Payment | Event::Prepayment | Event::Moneyback => "paid",
        Event::Subscribe | Event::Unsubscribe => unreachable!("unsigned events are not checked"),
    }
}

/// PHP's array as `json_encode` writes it.
fn to_object(p: &Params) -> Map<String, Json> {
    p.iter().map(|(k, v)| (k.to_owned(), to_json(v))).collect()
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => (*i).into(),
        Value::UInt(u) => (*u).into(),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Str(s) => Json::String(s.clone()),
        Value::List(l) => Json::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            let is_list = m.iter().enumerate().all(|(i, (k, _))| *k == i.to_string());
            if is_list {
                // Also the empty array: json_encode writes `[]`.
                Json::Array(m.iter().map(|(_, v)| to_json(v)).collect())
            } else {
                Json::Object(to_object(m))
            }
        }
    }
}

/// The elements of a PHP array sent as a list or as a map with other keys.
fn entries(v: Option<&Json>) -> Box<dyn Iterator<Item = &Json> + '_> {
    match v {
        Some(Json::Array(a)) => Box::new(a.iter()),
        Some(Json::Object(o)) => Box::new(o.values()),
        _ => Box::new(std::iter::empty()),
    }
}

fn text(m: &Map<String, Json>, key: &str) -> Option<String> {
    m.get(key).and_then(Json::as_str).map(str::to_owned)
}

/// A number sent as text (`"1500.00"`) or as a JSON number; words such as
/// `inf` that Rust would parse are not numbers here.
fn num(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => {
            let s = s.trim();
            let plain = !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
            plain
                .then(|| s.parse::<f64>().ok())
                .flatten()
                .filter(|f| f.is_finite())
        }
        _ => None,
    }
}

/// An integer sent as text (`"1700000000"`) or as a JSON number.
fn int(v: &Json) -> Option<i64> {
    match v {
        Json::Number(n) => n.as_i64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
