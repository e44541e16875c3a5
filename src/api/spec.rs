//! The one declaration of every API 1.0 method (API-EXT.md §3–§6).
//!
//! Validation, the batch's retry rule and the special answers read
//! [`METHODS`] at run time; the Rust methods, the C functions, the C++,
//! PHP and Python methods and the README table are generated from it
//! (`make header`, checked by tests/generated.rs). Adding a method is
//! adding one entry here and one handler to the sandbox.
//! Each entry is written to be checked line by line against API-EXT.md.

/// The type and format of one parameter value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Text (a JSON string; numbers are sent as written).
    Text,
    /// An integer (a JSON number or a string of digits).
    Int,
    /// A non-negative decimal number (roubles).
    Number,
    /// A boolean, sent as `1`/`0` (`"true"`/`"false"` strings are converted,
    /// never sent as text: PHP takes the text `false` as true).
    Bool,
    /// An e-mail address (one `@`, a dotted domain, no spaces).
    Email,
    /// An absolute `http://` or `https://` URL.
    Url,
    /// A calendar date written `dd.mm.yyyy` (e.g. `01.01.2017`).
    DateDmy,
    /// A calendar date written `YYYY-MM-DD` (e.g. `2017-01-31`).
    DateYmd,
    /// A UNIX time in seconds (positive, before the year 10000).
    UnixSeconds,
    /// One of the listed texts (case-sensitive).
    Enum(&'static [&'static str]),
    /// A list of group or product ids sent as `name[0]=..&name[1]=..`; a
    /// single id is accepted and sent as a one-element list.
    IdList,
    /// One id (sent as `name=..`) or a list of ids (sent as `name[i]=..`).
    IdOrList,
    /// CreateOrder lines: a non-empty list of `{good_name (required),
    /// good_sum}` sent as `goods[i][good_name]`, `goods[i][good_sum]`.
    Goods,
    /// UTM tags: an object with only the keys of [`UTM_KEYS`], sent as
    /// `utm[key]`.
    Utm,
    /// `bill_timer_kill`: a boolean, or a UNIX time in seconds.
    TimerKill,
    /// A host name for payment links, without path or trailing `/` (the
    /// service reduces `shop.ru/` to `/`); an `http(s)://` prefix is allowed.
    Domain,
    /// Any scalar: only its presence matters.
    Flag,
}

impl Ty {
    /// A short description for error messages and the README.
    pub fn describe(self) -> &'static str {
        match self {
            Ty::Text => "text",
            Ty::Int => "an integer",
            Ty::Number => "a non-negative number",
            Ty::Bool => "a boolean",
            Ty::Email => "an e-mail address",
            Ty::Url => "an http(s) URL",
            Ty::DateDmy => "a date dd.mm.yyyy",
            Ty::DateYmd => "a date YYYY-MM-DD",
            Ty::UnixSeconds => "a UNIX time in seconds",
            Ty::Enum(_) => "one of the listed values",
            Ty::IdList => "a list of ids",
            Ty::IdOrList => "an id or a list of ids",
            Ty::Goods => "a list of {good_name, good_sum} objects",
            Ty::Utm => "an object of UTM tags",
            Ty::TimerKill => "a boolean or a UNIX time in seconds",
            Ty::Domain => "a host name",
            Ty::Flag => "any scalar",
        }
    }
}

/// One parameter of a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// The wire name, exactly as documented.
    pub name: &'static str,
    /// Whether the call is refused without it.
    pub required: bool,
    /// Type and format.
    pub ty: Ty,
}

/// What `result` holds on success (the Rust type that reads it, if any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// No `result` (`error_text` only).
    Status,
    /// `{bill_id}`: [`crate::CreatedOrder`].
    BillId,
    /// One order object: [`crate::Order`].
    Order,
    /// A list of order objects: `Vec<`[`crate::Order`]`>`.
    Orders,
    /// A list of groups: `Vec<`[`crate::Group`]`>`.
    Groups,
    /// A list of a contact's groups: `Vec<`[`crate::LeadGroupStatus`]`>`.
    LeadGroupStatuses,
    /// A number of contacts: `i64` via [`crate::Count`].
    Count,
    /// A list of products: `Vec<`[`crate::GoodInfo`]`>`.
    Goods,
    /// One partner's totals: [`crate::PartnerStats`].
    PartnerStats,
    /// GetBills' map `{bill_id: {good_id: {good_name, good_title}}}`.
    Bills,
}

/// A documented answer that the library maps to something other than a
/// plain success or [`crate::Error::Api`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// No special answer.
    None,
    /// CreateOrder: code 601 "order already exists" is a success with
    /// [`crate::Outcome::AlreadyExists`] and the existing `bill_id`.
    ExistingOrder,
    /// AddLeadToGroup: "already registered" is a success with
    /// [`crate::Outcome::AlreadyRegistered`], "invalid group" (code 0) an
    /// API error 103, an unknown code-0 text [`crate::Outcome::Unknown`].
    LeadOutcome,
    /// getOrdersWithGoods: any date range, split into ranges the service
    /// serves and merged without duplicates.
    DateRange,
}

/// One API method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Method {
    /// The documented name, exact case (it is the URL path).
    pub name: &'static str,
    /// The snake_case name of the Rust method and of the C `jc_<snake>`.
    pub snake: &'static str,
    /// One line: what the method does.
    pub purpose: &'static str,
    /// The parameters, in the order they are sent.
    pub params: &'static [Param],
    /// True when, in addition, every UpdateGood field of
    /// [`crate::GOOD_FIELDS`] is accepted (AddGood, UpdateGood).
    pub good_fields: bool,
    /// What `result` holds.
    pub result: Shape,
    /// Superseded by a newer method; still callable, never refused.
    pub deprecated: bool,
    /// One of the four methods with their own typed Rust signature
    /// (`delete_order`, `update_order_status`, `get_bills`, `update_good`).
    pub legacy_typed: bool,
    /// Safe to send twice: a batch retries it on the rate-limit error
    /// without the caller marking it idempotent.
    pub idempotent: bool,
    /// The documented answer mapped to an outcome, if any.
    pub special: Special,
    /// The parameters the bindings also take as named arguments (PHP's
    /// `addLeadToGroup(rid: ..., leadEmail: ...)`), in that order.
    pub named: &'static [&'static str],
}

impl Method {
    /// The declaration of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// PHP's method name: the documented name with a lower-case first letter.
    pub fn php_name(&self) -> String {
        let mut s = String::with_capacity(self.name.len());
        let mut chars = self.name.chars();
        if let Some(c) = chars.next() {
            s.extend(c.to_lowercase());
        }
        s.extend(chars);
        s
    }
}

/// The keys of a `utm` object (AddLeadToGroup and CreateOrder).
pub const UTM_KEYS: &[&str] = &[
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "aff_source",
    "aff_medium",
    "aff_campaign",
    "aff_content",
    "aff_term",
];

/// The keys of one CreateOrder line.
pub const GOODS_KEYS: &[&str] = &["good_name", "good_sum"];

const fn req(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        required: true,
        ty,
    }
}

const fn opt(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        required: false,
        ty,
    }
}

use Ty::*;

/// Declares one method; the fields read as the API-EXT.md section does.
macro_rules! method {
    ($name:literal, $snake:literal, $result:ident, $purpose:literal, [$($p:expr),* $(,)?]
        $(, $flag:ident)* $(; special = $special:ident)? $(; named = [$($named:literal),*])?) => {
        Method {
            name: $name,
            snake: $snake,
            purpose: $purpose,
            params: &[$($p),*],
            result: Shape::$result,
            good_fields: method!(@has good_fields $($flag)*),
            deprecated: method!(@has deprecated $($flag)*),
            legacy_typed: method!(@has legacy_typed $($flag)*),
            idempotent: method!(@has idempotent $($flag)*),
            special: method!(@special $($special)?),
            named: &[$($($named),*)?],
        }
    };
    (@special) => { Special::None };
    (@special $special:ident) => { Special::$special };
    (@has $want:ident) => { false };
    (@has good_fields good_fields $($rest:ident)*) => { true };
    (@has deprecated deprecated $($rest:ident)*) => { true };
    (@has legacy_typed legacy_typed $($rest:ident)*) => { true };
    (@has idempotent idempotent $($rest:ident)*) => { true };
    (@has $want:ident $other:ident $($rest:ident)*) => { method!(@has $want $($rest)*) };
}

/// Every API 1.0 method this library knows, in API-EXT.md order.
pub const METHODS: &[Method] = &[
    // §3 Contacts and groups
    method!("AddLeadToGroup", "add_lead_to_group", Status,
        "Adds a contact to one or more groups, like a subscription form.", [
        req("rid", IdList), req("lead_email", Email),
        opt("lead_name", Text), opt("lead_phone", Text), opt("lead_city", Text),
        opt("tag", Text), opt("doneurl2", Url), opt("activation", Bool), opt("utm", Utm),
        opt("aff", Int), opt("ad", Int), opt("noaff", Flag),
    ]; special = LeadOutcome;
       named = ["rid", "lead_email", "lead_name", "lead_phone", "lead_city", "tag"]),
    method!(
        "UpdateSubscriberData",
        "update_subscriber_data",
        Status,
        "Replaces the name, phone, city or tags of a contact found by e-mail.",
        [
            req("lead_email", Email),
            opt("lead_name", Text),
            opt("lead_phone", Text),
            opt("lead_city", Text),
            opt("lead_tags", Text),
        ]
    ),
    method!(
        "DeleteSubscribe",
        "delete_subscribe",
        Status,
        "Unsubscribes a contact from a group (or a list of groups).",
        [req("lead_email", Email), req("rass_name", IdOrList),]
    ),
    method!(
        "GetLeadGroupStatuses",
        "get_lead_group_statuses",
        LeadGroupStatuses,
        "Lists a contact's groups with its status in each and the subscription time.",
        [req("email", Email),]
    ),
    method!(
        "GetLeadGroups",
        "get_lead_groups",
        Groups,
        "Lists a contact's groups (use GetLeadGroupStatuses).",
        [req("email", Email),],
        deprecated
    ),
    method!(
        "GetAllGroups",
        "get_all_groups",
        Groups,
        "Lists every group of the account that can be subscribed to.",
        []
    ),
    method!(
        "GetCountSubscribe",
        "get_count_subscribe",
        Count,
        "Counts the contacts of a group (or `unique` / `all` of the account).",
        [req("group_name", Text),]
    ),
    // §4 Orders
    method!("CreateOrder", "create_order", BillId,
        "Creates an order of existing products for one customer.", [
        req("goods", Goods),
        opt("bill_first_name", Text), opt("bill_surname", Text), opt("bill_otchestvo", Text),
        req("bill_email", Email), opt("bill_phone", Text),
        opt("bill_country", Text), opt("bill_region", Text), opt("bill_city", Text),
        opt("bill_address", Text), opt("bill_postal_code", Text),
        opt("bill_kupon", Text), opt("bill_tag", Text), opt("bill_comment", Text),
        opt("bill_ip", Text), opt("bill_timer_kill", TimerKill), opt("bill_created", UnixSeconds),
        opt("bill_domain", Domain), opt("utm", Utm),
        opt("bill_aff", Int), opt("bill_aff_name", Text),
        opt("bill_paff", Int), opt("bill_paff_name", Text), opt("bill_ad_id", Int),
    ]; special = ExistingOrder; named = ["goods", "bill_email", "bill_first_name", "bill_phone"]),
    method!("getOrderDetails", "get_order_details", Order,
        "Returns one order with its lines, partners and payment link.", [
        req("bill_id", Int), opt("good_info", Bool),
    ]; named = ["bill_id", "good_info"]),
    method!(
        "GetOrderInfo",
        "get_order_info",
        Orders,
        "Returns one order as a one-element list (use getOrderDetails).",
        [req("bill_id", Int), opt("good_info", Bool),],
        deprecated
    ),
    method!("getOrdersWithGoods", "get_orders_with_goods", Orders,
        "Lists the orders created in a date range, with lines and partners (any range: split by the library).", [
        opt("begin_date", DateDmy), opt("end_date", DateDmy), opt("paid", Bool),
        opt("goods", IdOrList),
    ]; special = DateRange),
    method!(
        "GetOrders",
        "get_orders",
        Orders,
        "Lists the orders created or paid in a range (use getOrdersWithGoods).",
        [
            opt("date_s", UnixSeconds),
            opt("date_e", UnixSeconds),
            opt("paid", Bool),
            opt("goods", IdOrList),
        ],
        deprecated
    ),
    // §4 / §6: the original four methods
    method!(
        "DeleteOrder",
        "delete_order",
        Status,
        "Deletes (hides) an order.",
        [req("bill_id", Text),],
        legacy_typed,
        idempotent
    ),
    method!(
        "UpdateOrderStatus",
        "update_order_status",
        Status,
        "Marks an order sent, paid, returned or cancelled.",
        [
            req("bill_id", Text),
            req("status", Enum(&["sent", "paid", "return", "cancel"])),
            opt("date", UnixSeconds),
            opt("rpo", Text),
        ],
        legacy_typed,
        idempotent
    ),
    method!(
        "GetBills",
        "get_bills",
        Bills,
        "Lists a customer's orders and their products.",
        [
            req("email", Email),
            opt("pay_status", Enum(&["paid", "waiting", "cancel"])),
        ],
        legacy_typed,
        idempotent
    ),
    // §5 Products and partners
    method!(
        "AddGood",
        "add_good",
        Status,
        "Creates a product (every UpdateGood field is accepted too).",
        [
            req("good_name", Text),
            req("good_type", Enum(&["1", "0"])),
            req("good_title", Text),
            req("good_sum", Number),
        ],
        good_fields
    ),
    method!(
        "UpdateGood",
        "update_good",
        Status,
        "Changes the settings of a product.",
        [req("good_name", Text),],
        good_fields,
        legacy_typed,
        idempotent
    ),
    method!(
        "DeleteGood",
        "delete_good",
        Status,
        "Deletes a product.",
        [req("good_name", Text),]
    ),
    method!(
        "GetAllGoods",
        "get_all_goods",
        Goods,
        "Lists every product of the shop.",
        []
    ),
    method!(
        "GetPartnerStats",
        "get_partner_stats",
        PartnerStats,
        "Returns an affiliate partner's earnings, clicks, leads and sales.",
        [
            req("partner", Text),
            opt("date_from", DateYmd),
            opt("date_to", DateYmd),
        ]
    ),
];

/// The declaration of the method named exactly `name`.
pub fn method(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}
