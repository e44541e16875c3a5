//! Every documented API 1.0 method, driven by one table ([`METHODS`]):
//! validation before traffic, the Rust methods, special outcomes and
//! typed results.

pub(crate) mod range;
pub mod results;
pub mod spec;
pub(crate) mod validate;

use serde_json::Value as Json;

use crate::client::Client;
use crate::encode::Params;
use crate::endpoints::quote;
use crate::error::{Error, Result};
use crate::response::{Outcome, Response};
pub use spec::{method, Method, Param, Shape, Special, Ty, GOODS_KEYS, METHODS, UTM_KEYS};

/// The text AddLeadToGroup sends with code 0 when no given group exists or
/// may be subscribed to (documented as code 103), as the server's code
/// spells it.
pub const INVALID_GROUP_TEXT: &str = "Has an invalid subscriptions group";
/// The text AddLeadToGroup sends with code 0 when the contact is already in
/// every given group (documented as code 102), as the server's code spells
/// it.
pub const ALREADY_REGISTERED_TEXT: &str = "The subscriber is already registered";
/// The `error_code` given to [`INVALID_GROUP_TEXT`] answers (the docs' code).
pub const INVALID_GROUP_CODE: i64 = 103;
/// The documented code of "the subscriber is already registered" (the
/// server sends it as code 0 with the text; a version that sends the
/// documented code is read the same way).
pub const ALREADY_REGISTERED_CODE: i64 = 102;

/// What an AddLeadToGroup answer of code 0 means, read from its text: the
/// code is 0 for a subscription and for two failures alike (API-EXT.md
/// §3.1), and the texts differ between server versions and languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadAnswer {
    /// A text of a subscription: `OK` (added), `Activation email sent to
    /// subscriber`, `Subscriber added. Activation email not sent.`.
    Subscribed,
    /// [`ALREADY_REGISTERED_TEXT`]: nothing changed.
    AlreadyRegistered,
    /// [`INVALID_GROUP_TEXT`]: nobody was subscribed.
    InvalidGroup,
    /// A text the library does not know: it proves nothing either way.
    Unknown,
}

/// Every spelling API-EXT.md §2 and §3.1 name, as [`normalize_text`]
/// writes them: the help pages' lower case and the server's capitalised
/// constants differ only in case and a final full stop.
const LEAD_TEXTS: &[(&str, LeadAnswer)] = &[
    ("ok", LeadAnswer::Subscribed),
    (
        "activation email sent to subscriber",
        LeadAnswer::Subscribed,
    ),
    (
        "subscriber added. activation email not sent",
        LeadAnswer::Subscribed,
    ),
    (
        "the subscriber is already registered",
        LeadAnswer::AlreadyRegistered,
    ),
    (
        "has an invalid subscriptions group",
        LeadAnswer::InvalidGroup,
    ),
];

/// A text compared without case, surrounding or repeated white space, or
/// final full stops and exclamation marks (`"The subscriber is already
/// registered."` is `"the subscriber is already registered"`).
fn normalize_text(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches(['.', '!'])
        .trim_end()
        .to_lowercase()
}

/// Reads an AddLeadToGroup code-0 text (see [`LeadAnswer`]).
pub fn classify_lead_text(text: &str) -> LeadAnswer {
    let text = normalize_text(text);
    LEAD_TEXTS
        .iter()
        .find(|(known, _)| *known == text)
        .map_or(LeadAnswer::Unknown, |(_, meaning)| *meaning)
}

/// CreateOrder's "order already exists" code; its `result.bill_id` is the
/// existing order.
pub const ALREADY_EXISTS_CODE: i64 = 601;

/// Finds a method by its documented name; a wrong case or a typo is an
/// error that names the right one.
fn lookup(name: &str) -> Result<&'static Method> {
    if let Some(m) = method(name) {
        return Ok(m);
    }
    let hint = match crate::suggest::suggest(name, METHODS.iter().map(|m| m.name)) {
        Some(s) => format!(" (did you mean '{s}'? method names are case-sensitive)"),
        None => " (use Client::call for methods outside the table)".to_owned(),
    };
    Err(Error::invalid(format!(
        "unknown method {}{hint}",
        quote(name)
    )))
}

/// Validates `params` for the method named `name` and returns exactly the
/// parameters that would be sent (for tests, logs and dry runs).
pub fn prepare(name: &str, params: &Params) -> Result<Params> {
    validate::validate(lookup(name)?, params)
}

/// The README's "Methods" table (Markdown), generated from [`METHODS`]:
/// method, purpose, required parameters and the name in each language.
/// `tests/generated.rs` keeps the README's copy in step.
pub fn readme_table() -> String {
    let mut out = String::from(
        "| Method | Purpose | Required | Rust | C | PHP | Python |\n|---|---|---|---|---|---|---|\n",
    );
    for m in METHODS {
        let required: Vec<String> = m
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| format!("`{}`", p.name))
            .collect();
        let required = if required.is_empty() {
            "—".to_owned()
        } else {
            required.join(", ")
        };
        let name = if m.deprecated {
            format!("`{}` (deprecated)", m.name)
        } else {
            format!("`{}`", m.name)
        };
        out.push_str(&format!(
            "| {name} | {} | {required} | `{}` | `jc_{}` | `{}` | `{}` |\n",
            m.purpose.replace('|', "\\|"),
            m.snake,
            m.snake,
            m.php_name(),
            m.snake
        ));
    }
    out
}

impl Client {
    /// Calls any method of [`METHODS`] by its documented name (exact case):
    /// validates `params` against the declaration (nothing is sent when
    /// they break it: [`Error::InvalidArgument`]), sends them, verifies the
    /// answer's hash before anything else, and maps the documented special
    /// answers:
    ///
    /// * CreateOrder 601 "already exists" → `Ok` with
    ///   [`Outcome::AlreadyExists`] carrying the existing `bill_id` (also in
    ///   `result`);
    /// * AddLeadToGroup code 0 "The subscriber is already registered" (or
    ///   the documented code 102) → `Ok` with [`Outcome::AlreadyRegistered`];
    /// * AddLeadToGroup code 0 "Has an invalid subscriptions group" →
    ///   [`Error::Api`] with code 103 (the documented code), so a caller that
    ///   only checks success does not take it for a subscription;
    /// * AddLeadToGroup code 0 with a text the library does not know (texts
    ///   differ between server versions and languages) → `Ok` with
    ///   [`Outcome::Unknown`] and the text in `error_text`: not a plain
    ///   success, since nothing in the answer proves a subscription (see
    ///   [`classify_lead_text`]);
    /// * getOrdersWithGoods over more than 28 days is split into several
    ///   calls and merged (see [`Client::get_orders_with_goods`]).
    ///
    /// Thread-safe; blocks for at most the configured timeout per request.
    pub fn call_method(&self, name: &str, params: &Params) -> Result<Response> {
        self.call_method_with_progress(name, params, &mut |_, _| {})
    }

    /// [`Client::call_method`], telling `progress(done, total)` how far it
    /// is: getOrdersWithGoods over a long range is one request per part (see
    /// [`Client::get_orders_with_goods`]) and reports each; any other call
    /// is one request, `(0, 1)` then `(1, 1)`. Nothing is reported for
    /// parameters refused before any traffic. For progress bars (the
    /// `justclick` command line); same thread-safety as `call_method`.
    pub fn call_method_with_progress(
        &self,
        name: &str,
        params: &Params,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Response> {
        let m = lookup(name)?;
        let params = validate::validate(m, params)?;
        if m.special == Special::DateRange {
            return range::orders_with_goods(self, &params, progress);
        }
        progress(0, 1);
        let r = self.send_validated(m, &params);
        progress(1, 1);
        r
    }

    /// [`Client::call_method`] with the parameters as a JSON object (lists
    /// for `rid`/`goods`, objects for `utm`); `None`, `null` and `{}` mean
    /// no parameters. This is what the C functions `jc_<snake>` wrap.
    pub fn call_method_json(&self, name: &str, params_json: Option<&str>) -> Result<Response> {
        let params = match params_json {
            None => Params::new(),
            Some(j) => Params::from_json(j)?,
        };
        self.call_method(name, &params)
    }

    /// Sends already validated params and maps the special answers.
    pub(crate) fn send_validated(&self, m: &Method, params: &Params) -> Result<Response> {
        let answer = self.send_answer(m.name, params)?;
        if m.special == Special::ExistingOrder && answer.code == ALREADY_EXISTS_CODE {
            let bill_id = answer
                .result
                .as_ref()
                .and_then(|r| r.get("bill_id"))
                .and_then(|b| match b {
                    Json::String(s) if !s.is_empty() => Some(s.clone()),
                    Json::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            let Some(bill_id) = bill_id else {
                return Err(Error::BadResponse(format!(
                    "CreateOrder answered {ALREADY_EXISTS_CODE} (order already exists) without result.bill_id"
                )));
            };
            return Ok(Response {
                error_text: answer.text,
                result: answer.result,
                outcome: Some(Outcome::AlreadyExists { bill_id }),
            });
        }
        if m.special == Special::LeadOutcome {
            return add_lead_outcome(answer);
        }
        let mut r = answer.into_response()?;
        crate::response::conform(&mut r, m.result)?;
        Ok(r)
    }
}

/// AddLeadToGroup's answer as the caller must see it: a subscription, the
/// named outcome, the documented error, or [`Outcome::Unknown`] for a code-0
/// text that proves nothing (never a plain success).
fn add_lead_outcome(answer: crate::response::Answer) -> Result<Response> {
    if answer.code == ALREADY_REGISTERED_CODE {
        return Ok(Response {
            error_text: answer.text,
            result: answer.result,
            outcome: Some(Outcome::AlreadyRegistered),
        });
    }
    let mut r = answer.into_response()?;
    match classify_lead_text(&r.error_text) {
        LeadAnswer::Subscribed => {}
        LeadAnswer::AlreadyRegistered => r.outcome = Some(Outcome::AlreadyRegistered),
        LeadAnswer::InvalidGroup => {
            return Err(Error::Api {
                code: INVALID_GROUP_CODE,
                text: format!(
                    "{} (the service answered code 0 with this text; the library reports the documented code {INVALID_GROUP_CODE}: no given group exists or may be subscribed to)",
                    r.error_text
                ),
            })
        }
        LeadAnswer::Unknown => r.outcome = Some(Outcome::Unknown),
    }
    Ok(r)
}

/// One typed method per table entry that has no hand-written signature:
/// each takes the documented parameter names (see [`METHODS`]).
macro_rules! typed_methods {
    ($($snake:ident => $name:literal),* $(,)?) => {
        impl Client {
            $(
                #[doc = concat!("`", $name, "`: [`Client::call_method`]`(\"", $name, "\", params)`; parameters and result as declared in [`METHODS`].")]
                pub fn $snake(&self, params: &Params) -> Result<Response> {
                    self.call_method($name, params)
                }
            )*
        }

        #[cfg(test)]
        const TYPED: &[(&str, &str)] = &[$((stringify!($snake), $name)),*];
    };
}

typed_methods! {
    // generated:begin typed methods (tests/generated.rs; make header)
    add_lead_to_group => "AddLeadToGroup",
    update_subscriber_data => "UpdateSubscriberData",
    delete_subscribe => "DeleteSubscribe",
    get_lead_group_statuses => "GetLeadGroupStatuses",
    get_lead_groups => "GetLeadGroups",
    get_all_groups => "GetAllGroups",
    get_count_subscribe => "GetCountSubscribe",
    create_order => "CreateOrder",
    get_order_details => "getOrderDetails",
    get_order_info => "GetOrderInfo",
    get_orders_with_goods => "getOrdersWithGoods",
    get_orders => "GetOrders",
    add_good => "AddGood",
    delete_good => "DeleteGood",
    get_all_goods => "GetAllGoods",
    get_partner_stats => "GetPartnerStats",
    // generated:end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_texts_in_every_spelling_the_documents_name() {
        use LeadAnswer::*;
        for (text, want) in [
            ("OK", Subscribed),
            ("ok", Subscribed),
            ("Activation email sent to subscriber", Subscribed),
            ("activation email sent to subscriber", Subscribed),
            ("Subscriber added. Activation email not sent.", Subscribed),
            ("The subscriber is already registered", AlreadyRegistered),
            ("the subscriber is already registered", AlreadyRegistered),
            (
                "  The subscriber is  already registered. ",
                AlreadyRegistered,
            ),
            ("Has an invalid subscriptions group", InvalidGroup),
            ("has an invalid subscriptions group", InvalidGroup),
            // Never seen: proves nothing.
            ("", Unknown),
            ("Подписчик уже зарегистрирован", Unknown),
            ("The subscriber is not registered", Unknown),
            ("OK, but no group", Unknown),
            ("Subscription queued", Unknown),
        ] {
            assert_eq!(classify_lead_text(text), want, "{text:?}");
        }
    }

    #[test]
    fn every_untyped_entry_has_its_method_and_names_match() {
        for m in METHODS {
            if m.legacy_typed {
                assert!(!TYPED.iter().any(|(_, n)| *n == m.name), "{}", m.name);
                continue;
            }
            let (snake, _) = TYPED
                .iter()
                .find(|(_, n)| *n == m.name)
                .unwrap_or_else(|| panic!("no typed method for {}", m.name));
            assert_eq!(*snake, m.snake);
        }
        assert_eq!(TYPED.len() + 4, METHODS.len());
    }
}
