//! The sandbox's state: one emulated account with its groups, contacts,
//! goods, orders and partners (API-EXT.md §10 item 3). The API methods that
//! act on it live in `sandbox::api`, one module per area; this module only
//! holds the data, the seed and the answer type.

use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::{json, Map, Value as Json};

use justclick::Params;

/// An answer before signing: `error_code`, `error_text`, optional `result`.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// JustClick error code (0 = OK).
    pub code: i64,
    /// The error text, as the service writes it.
    pub text: String,
    /// The `result` field, if any.
    pub result: Option<Json>,
}

impl Answer {
    pub(crate) fn ok(text: &str, result: Option<Json>) -> Answer {
        Answer {
            code: 0,
            text: text.into(),
            result,
        }
    }
    /// An error answer (no result).
    pub fn err(code: i64, text: impl Into<String>) -> Answer {
        Answer {
            code,
            text: text.into(),
            result: None,
        }
    }
}

/// A contact group (`rass_name` is its API id).
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub(crate) rass_id: u64,
    pub(crate) rass_name: String,
    pub(crate) rass_title: String,
    /// False for autogroups: AddLeadToGroup skips them, GetAllGroups hides them.
    pub(crate) subscribable: bool,
}

/// A contact's status in one group.
#[derive(Clone, Debug)]
pub(crate) struct Membership {
    pub(crate) rass_name: String,
    /// `STATUS_WAIT`, `STATUS_SUBSCRIBE`, `STATUS_UNSUBSCRIBE`, ...
    pub(crate) status: &'static str,
    /// UNIX seconds of the subscription.
    pub(crate) time: i64,
}

/// A contact, keyed by its lowercased email.
#[derive(Clone, Debug)]
pub(crate) struct Contact {
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) phone: String,
    pub(crate) city: String,
    pub(crate) tags: Vec<String>,
    pub(crate) groups: Vec<Membership>,
}

pub(crate) const STATUS_WAIT: &str = "STATUS_WAIT";
pub(crate) const STATUS_SUBSCRIBE: &str = "STATUS_SUBSCRIBE";
pub(crate) const STATUS_UNSUBSCRIBE: &str = "STATUS_UNSUBSCRIBE";

/// A product: its numeric id and its settings as PHP received them
/// (`good_name`, `good_title`, `good_sum`, `good_type`, the notification
/// URLs...), every value a string.
#[derive(Clone, Debug)]
pub(crate) struct Good {
    pub(crate) id: String,
    pub(crate) fields: Map<String, Json>,
}

impl Good {
    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Json::as_str).unwrap_or("")
    }
}

/// An affiliate partner with its statistics (GetPartnerStats).
#[derive(Clone, Debug)]
pub(crate) struct Partner {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) name: String,
    /// earned, topay, clicks, leads, bills, partners (as the service's strings).
    pub(crate) stats: [&'static str; 6],
}

/// A partner's share of one order line.
#[derive(Clone, Debug)]
pub(crate) struct Share {
    pub(crate) lvl: u8,
    pub(crate) partner_id: String,
    pub(crate) partner_name: String,
    pub(crate) fee: String,
}

/// One line of an order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    pub(crate) good_id: String,
    pub(crate) good_name: String,
    pub(crate) title: String,
    /// Price in this order.
    pub(crate) sum: String,
    /// Price from the product's settings.
    pub(crate) price: String,
    pub(crate) pincode: String,
    pub(crate) partners: Vec<Share>,
}

/// An order (bill) with the fields of API-EXT.md §4's order object.
#[derive(Clone, Debug, Default)]
pub(crate) struct Order {
    pub(crate) bill_id: String,
    pub(crate) email: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) middle_name: String,
    pub(crate) phone: String,
    pub(crate) city: String,
    pub(crate) country: String,
    pub(crate) address: String,
    pub(crate) region: String,
    pub(crate) postalcode: String,
    pub(crate) comment: String,
    pub(crate) tag: String,
    pub(crate) kupon: String,
    /// Stored without scheme; empty when the order has none.
    pub(crate) domain: String,
    pub(crate) payway: String,
    pub(crate) created: i64,
    /// Payment time, 0 while unpaid.
    pub(crate) paid: i64,
    pub(crate) pay_status: &'static str,
    pub(crate) status: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) rpo: Option<String>,
    /// `(medium|source|campaign|content|term, value)`, only those set.
    pub(crate) utm: Vec<(String, String)>,
    pub(crate) lines: Vec<Line>,
}

/// A notification waiting to be sent (taken out by the server after the
/// call, sent from a background thread).
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    /// `new_order`, `payment` or `cancel_order`.
    pub(crate) event: &'static str,
    pub(crate) url: String,
    /// The form fields without `hash`.
    pub(crate) fields: Params,
    /// `id`, `email` and the documented time for the hash.
    pub(crate) sign: [String; 3],
}

/// The emulated account.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) groups: Vec<Group>,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) goods: Vec<Good>,
    pub(crate) orders: Vec<Order>,
    pub(crate) partners: Vec<Partner>,
    pub(crate) next_bill: u64,
    pub(crate) next_id: u64,
    /// Successful AddLeadToGroup subscriptions per caller IP: (count, clock).
    pub(crate) ip_subscriptions: HashMap<IpAddr, (u32, i64)>,
    pub(crate) outbox: Vec<Outgoing>,
}

impl Default for Store {
    fn default() -> Store {
        Store::seed()
    }
}

/// The seed orders' creation time: 2013-03-02 12:00 UTC (API.md's example date).
pub(crate) const SEED_TIME: i64 = 1_362_225_600;

impl Store {
    /// The seed data: the orders, goods and groups of JustClick's own examples.
    pub fn seed() -> Store {
        let good = |id: &str, name: &str, title: &str, sum: &str| {
            let mut fields = Map::new();
            fields.insert("good_name".into(), json!(name));
            fields.insert("good_title".into(), json!(title));
            fields.insert("good_sum".into(), json!(sum));
            fields.insert("good_type".into(), json!("0"));
            Good {
                id: id.into(),
                fields,
            }
        };
        let goods = vec![
            good("12549", "oplata", "Оплата за тренинг", "1500"),
            good("13011", "sales", "Продажи в кинотеатрах", "990"),
            good("28363", "222", "222 способа", "490"),
            good(
                "30001",
                "super_tovar",
                "Супер набор из 10 DVD по приготовлению яичницы",
                "999887",
            ),
        ];
        let mut store = Store {
            groups: vec![
                group(1, "super", "Super list", true),
                group(2, "second", "Вторая группа", true),
                group(
                    3,
                    "clients_super_tovar",
                    "Клиенты продукта: \"Супер набор из 10 DVD по приготовлению яичницы\"",
                    true,
                ),
                group(4, "allleads", "Все подписчики", false),
            ],
            contacts: vec![Contact {
                email: "client@example.com".into(),
                name: "Клиент".into(),
                phone: String::new(),
                city: String::new(),
                tags: Vec::new(),
                groups: vec![Membership {
                    rass_name: "super".into(),
                    status: STATUS_SUBSCRIBE,
                    time: 1_500_000_000,
                }],
            }],
            goods,
            orders: Vec::new(),
            partners: vec![Partner {
                id: "501".into(),
                login: "partner1".into(),
                name: "Пётр Партнёров".into(),
                stats: ["1500", "500", "120", "30", "4", "2"],
            }],
            next_bill: 300_002,
            next_id: 40_000,
            ip_subscriptions: HashMap::new(),
            outbox: Vec::new(),
        };
        let seed: [(&str, &str, &'static str, &[&str]); 6] = [
            ("1111", "client@example.com", "waiting", &["oplata"]),
            ("100000", "buyer@example.com", "paid", &["super_tovar"]),
            ("258367", "client@example.com", "paid", &["oplata"]),
            ("258368", "client@example.com", "paid", &["sales", "222"]),
            ("258369", "client@example.com", "cancel", &["222"]),
            ("300001", "ivan@example.com", "waiting", &["super_tovar"]),
        ];
        for (bill, email, pay, names) in seed {
            let lines = names.iter().map(|n| store.line_for(n, "")).collect();
            store.orders.push(Order {
                bill_id: bill.into(),
                email: email.into(),
                created: SEED_TIME,
                paid: if pay == "paid" { SEED_TIME + 3600 } else { 0 },
                pay_status: pay,
                lines,
                ..Order::default()
            });
        }
        store
    }

    pub(crate) fn good_by_name(&self, good_name: &str) -> Option<&Good> {
        self.goods
            .iter()
            .find(|g| g.field("good_name") == good_name)
    }

    pub(crate) fn group(&self, rass_name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.rass_name == rass_name)
    }

    pub(crate) fn contact(&self, email: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.email == email)
    }

    /// An order line for an existing product; `sum` empty or "0" means the
    /// product's price (the service's quirk: no free lines this way).
    pub(crate) fn line_for(&self, good_name: &str, sum: &str) -> Line {
        let g = self.good_by_name(good_name);
        let price = g.map_or("0", |g| g.field("good_sum")).to_owned();
        let sum = if sum.is_empty() || sum.parse::<f64>().ok() == Some(0.0) {
            price.clone()
        } else {
            sum.to_owned()
        };
        Line {
            good_id: g.map_or("", |g| &g.id).to_owned(),
            good_name: good_name.into(),
            title: g.map_or("", |g| g.field("good_title")).to_owned(),
            sum,
            price,
            ..Line::default()
        }
    }
}

fn group(id: u64, name: &str, title: &str, subscribable: bool) -> Group {
    Group {
        rass_id: id,
        rass_name: name.into(),
        rass_title: title.into(),
        subscribable,
    }
}
