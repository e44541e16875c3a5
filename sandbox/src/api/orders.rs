//! Orders: API-EXT.md §4 and §6 (DeleteOrder, UpdateOrderStatus, GetBills
//! keep the answers the sandbox always gave). Creating and paying an order
//! queue the §8 notifications in the store's outbox.

use md5::{Digest, Md5};
use serde_json::{json, Map, Value as Json};

use super::input::{list, text, valid_email, Ctx};
use crate::store::{Line, Order, Outgoing, Share, Store};
use justclick::calendar::{civil_from_days, days_from_civil, days_in_month};
use justclick::{Params, Value};

/// `dd.mm.yyyy` → days since 1970-01-01, or `None`.
fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('.');
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || d.len() != 2 || m.len() != 2 || y.len() != 4 {
        return None;
    }
    let (d, m, y): (u32, u32, i64) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// The day one calendar month before `day` (the 31st clamps to the
/// previous month's last day).
fn month_before(day: i64) -> i64 {
    let (y, m, d) = civil_from_days(day);
    let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    days_from_civil(y, m, d.min(days_in_month(y, m)))
}

/// PHP's `!empty()` on a posted value.
fn truthy(p: &Params, key: &str) -> bool {
    match p.get(key) {
        Some(Value::Str(s)) => !s.is_empty() && s != "0",
        Some(Value::Map(m)) => !m.is_empty(),
        _ => false,
    }
}

fn order_sum(o: &Order) -> f64 {
    o.lines
        .iter()
        .filter_map(|l| l.sum.parse::<f64>().ok())
        .sum()
}

/// A sum as PHP prints a float that holds a whole number or a decimal.
fn money(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn link(o: &Order) -> String {
    let digest = Md5::digest(format!("{}:sandbox-crc", o.bill_id));
    let crc: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let path = format!("/bill/?id={}&crc={}", o.bill_id, &crc[..16]);
    if o.domain.is_empty() {
        path
    } else {
        format!("http://{}{path}", o.domain)
    }
}

/// The documented UTM keys in their order.
const UTM: [&str; 5] = ["medium", "source", "campaign", "content", "term"];

fn utm_json(o: &Order) -> Option<Json> {
    if o.utm.is_empty() {
        return None;
    }
    let mut m = Map::new();
    for key in UTM {
        if let Some((_, v)) = o.utm.iter().find(|(k, _)| k == key) {
            m.insert(key.into(), json!(v));
        }
    }
    Some(Json::Object(m))
}

fn partners_json(l: &Line) -> Json {
    Json::Array(
        l.partners
            .iter()
            .map(|s| {
                json!({
                    "partner_lvl": s.lvl.to_string(),
                    "partner_id": s.partner_id,
                    "partner_name": s.partner_name,
                    "partner_fee": s.fee,
                })
            })
            .collect(),
    )
}

/// How much of §4's order object a getter returns.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// GetOrderInfo / GetOrders: no `items`, `tag`, `kupon`, `is_recurrent`.
    Old,
    /// getOrdersWithGoods: everything, lines without `pincode`.
    WithGoods,
    /// getOrderDetails: everything, lines with `pincode`.
    Details,
}

/// The order object of §4, values as the database's strings.
fn order_json(o: &Order, shape: Shape, good_info: bool) -> Json {
    let mut m = Map::new();
    let s = |v: &str| json!(v);
    m.insert("id".into(), s(&o.bill_id));
    for (k, v) in [
        ("first_name", &o.first_name),
        ("last_name", &o.last_name),
        ("middle_name", &o.middle_name),
        ("email", &o.email),
        ("phone", &o.phone),
        ("city", &o.city),
        ("country", &o.country),
        ("address", &o.address),
        ("region", &o.region),
        ("postalcode", &o.postalcode),
    ] {
        m.insert(k.into(), s(v));
    }
    m.insert("created".into(), s(&o.created.to_string()));
    m.insert("pay_status".into(), s(o.pay_status));
    m.insert("paid".into(), s(&o.paid.to_string()));
    m.insert("type".into(), s("0"));
    m.insert("payway".into(), s(&o.payway));
    m.insert("comment".into(), s(&o.comment));
    m.insert("domain".into(), s(&o.domain));
    m.insert("link".into(), s(&link(o)));
    if good_info || shape == Shape::WithGoods {
        let ids: Vec<&str> = o.lines.iter().map(|l| l.good_id.as_str()).collect();
        m.insert("good_ids".into(), s(&ids.join(",")));
        m.insert("good_count".into(), s(&o.lines.len().to_string()));
    }
    let price = money(order_sum(o));
    m.insert("price".into(), s(&price));
    m.insert("bill_sum_topay".into(), s(&price));
    if shape == Shape::Old {
        if let Some(u) = utm_json(o) {
            m.insert("utm".into(), u);
        }
        return Json::Object(m);
    }
    m.insert("is_recurrent".into(), json!(false));
    m.insert("tag".into(), s(&o.tag));
    m.insert("kupon".into(), s(&o.kupon));
    if let Some(u) = utm_json(o) {
        m.insert("utm".into(), u);
    }
    let items: Vec<Json> = o
        .lines
        .iter()
        .map(|l| {
            let mut it = Map::new();
            it.insert("id".into(), s(&l.good_name));
            it.insert("title".into(), s(&l.title));
            it.insert("sum".into(), s(&l.sum));
            it.insert("price".into(), s(&l.price));
            if shape == Shape::Details {
                it.insert("pincode".into(), s(&l.pincode));
            }
            it.insert("partners".into(), partners_json(l));
            Json::Object(it)
        })
        .collect();
    m.insert("items".into(), Json::Array(items));
    Json::Object(m)
}

/// §4.1. Checks in [SRV]'s order: email (600), goods (603), each product
/// (604), delivery data for physical products (605), then the duplicate
/// test (601 with the existing `bill_id`).
pub(super) fn create_order(store: &mut Store, ctx: &Ctx, p: &Params) -> Answer {
    let raw_email = text(p, "bill_email");
    let Some(email) = valid_email(&raw_email) else {
        return Answer::err(600, format!("Wrong email: '{raw_email}'"));
    };
    let mut wanted: Vec<(String, String)> = Vec::new();
    if let Some(Value::Map(goods)) = p.get("goods") {
        for (_, g) in goods.iter() {
            if let Value::Map(g) = g {
                wanted.push((text(g, "good_name"), text(g, "good_sum")));
            }
        }
    }
    if wanted.is_empty() {
        return Answer::err(603, "Missing products");
    }
    for (name, _) in &wanted {
        let Some(good) = store.good_by_name(name) else {
            return Answer::err(604, format!("Product not exist: {name}"));
        };
        let physical = good.field("good_type") == "1";
        let delivery = [
            "bill_first_name",
            "bill_surname",
            "bill_country",
            "bill_city",
            "bill_address",
        ];
        if physical && delivery.iter().any(|k| text(p, k).trim().is_empty()) {
            return Answer::err(605, "Not having any data for delivery products");
        }
    }
    // The real criteria are unknown; the sandbox calls an unpaid order of
    // the same customer with the same products a duplicate.
    let names: Vec<&str> = wanted.iter().map(|(n, _)| n.as_str()).collect();
    if let Some(dup) = store.orders.iter().find(|o| {
        o.email == email
            && o.pay_status == "waiting"
            && o.lines
                .iter()
                .map(|l| l.good_name.as_str())
                .eq(names.iter().copied())
    }) {
        let id: u64 = dup.bill_id.parse().unwrap_or(0);
        return Answer {
            code: 601,
            text: "Order already exist. His number send in result array.".into(),
            result: Some(json!({ "bill_id": id })),
        };
    }
    let mut lines: Vec<Line> = wanted
        .iter()
        .map(|(n, sum)| store.line_for(n, sum))
        .collect();
    let aff = partner(store, &text(p, "bill_aff"), &text(p, "bill_aff_name"));
    let paff = partner(store, &first(p, "bill_paff"), &text(p, "bill_paff_name"));
    for l in &mut lines {
        let good = store.good_by_name(&l.good_name).cloned();
        for (lvl, who, fee, perc) in [
            (1u8, &aff, "good_partner_fee", "good_partner_fee_perc"),
            (2, &paff, "good_partner_pfee", "good_partner_pfee_perc"),
        ] {
            let Some((id, name)) = who else { continue };
            let g = good.as_ref();
            let fixed = g.map_or("", |g| g.field(fee));
            let perc: f64 = g.and_then(|g| g.field(perc).parse().ok()).unwrap_or(0.0);
            let fee = if !fixed.is_empty() {
                fixed.to_owned()
            } else {
                money(l.sum.parse::<f64>().unwrap_or(0.0) * perc / 100.0)
            };
            l.partners.push(Share {
                lvl,
                partner_id: id.clone(),
                partner_name: name.clone(),
                fee,
            });
        }
    }
    let mut domain = text(p, "bill_domain");
    for scheme in ["http://", "https://"] {
        if let Some(rest) = domain.strip_prefix(scheme) {
            domain = rest.to_owned();
        }
    }
    if domain.ends_with('/') {
        // [SRV]'s bug: a trailing slash reduces the domain to "/".
        domain = "/".into();
    }
    let mut utm = Vec::new();
    if let Some(Value::Map(u)) = p.get("utm") {
        for key in UTM {
            let v = text(u, &format!("utm_{key}"));
            if !v.is_empty() {
                utm.push((key.to_owned(), v));
            }
        }
    }
    let created = text(p, "bill_created")
        .parse::<i64>()
        .ok()
        .filter(|t| *t > 0)
        .unwrap_or(ctx.now);
    let bill_id = store.next_bill;
    store.next_bill += 1;
    let middle = match text(p, "bill_otchestvo") {
        m if m.is_empty() => text(p, "bill_middle_name"),
        m => m,
    };
    let order = Order {
        bill_id: bill_id.to_string(),
        email,
        first_name: text(p, "bill_first_name"),
        last_name: text(p, "bill_surname"),
        middle_name: middle,
        phone: text(p, "bill_phone"),
        city: text(p, "bill_city"),
        country: text(p, "bill_country"),
        address: text(p, "bill_address"),
        region: text(p, "bill_region"),
        postalcode: text(p, "bill_postal_code"),
        comment: text(p, "bill_comment"),
        tag: text(p, "bill_tag"),
        kupon: text(p, "bill_kupon"),
        domain,
        created,
        pay_status: "waiting",
        utm,
        lines,
        ..Order::default()
    };
    let urls = notify_urls(store, &order, "good_api_url_new_order");
    for url in urls {
        let fields = notification(&order, "new_order");
        store.outbox.push(Outgoing {
            event: "new_order",
            url,
            fields,
            sign: [
                order.bill_id.clone(),
                order.email.clone(),
                order.created.to_string(),
            ],
        });
    }
    store.orders.push(order);
    Answer::ok("Order created", Some(json!({ "bill_id": bill_id })))
}

/// The first item of a scalar-or-list parameter ([SRV] casts `bill_paff` to a list).
fn first(p: &Params, key: &str) -> String {
    list(p, key).into_iter().next().unwrap_or_default()
}

/// A partner by id, else by login: `(id, name)`.
fn partner(store: &Store, id: &str, login: &str) -> Option<(String, String)> {
    store
        .partners
        .iter()
        .find(|x| {
            (!id.is_empty() && x.id == id)
                || (id.is_empty() && !login.is_empty() && x.login == login)
        })
        .map(|x| (x.id.clone(), x.name.clone()))
}

/// The distinct notification URLs the order's products configure.
fn notify_urls(store: &Store, o: &Order, field: &str) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for l in &o.lines {
        if let Some(g) = store.good_by_name(&l.good_name) {
            let u = g.field(field);
            if !u.is_empty() && !urls.iter().any(|x| x == u) {
                urls.push(u.to_owned());
            }
        }
    }
    urls
}

/// The form fields of an order notification (§8.1 `new_order`, §8.2
/// `cancel_order`, §8.3 `payment`), without `hash`.
pub(crate) fn notification(o: &Order, event: &str) -> Params {
    let mut f = Params::new();
    if event != "payment" {
        f.push("status", event);
    }
    f.push("id", o.bill_id.as_str());
    for (k, v) in [
        ("first_name", &o.first_name),
        ("last_name", &o.last_name),
        ("middle_name", &o.middle_name),
        ("email", &o.email),
        ("phone", &o.phone),
        ("city", &o.city),
        ("country", &o.country),
    ] {
        f.push(k, v.as_str());
    }
    if event != "cancel_order" {
        f.push("address", o.address.as_str());
    }
    f.push("region", o.region.as_str());
    f.push("postalcode", o.postalcode.as_str());
    f.push("created", o.created.to_string());
    if event == "payment" {
        f.push("paid", o.paid.to_string());
        f.push("last_payment_sum", money(order_sum(o)));
    }
    f.push("comment", o.comment.as_str());
    if event != "cancel_order" {
        f.push("tag", o.tag.as_str());
        f.push("kupon", o.kupon.as_str());
    }
    if event == "payment" {
        f.push("type", "0");
        f.push("payway", o.payway.as_str());
    }
    if event != "cancel_order" {
        f.push("domain", o.domain.as_str());
    }
    if event == "new_order" {
        f.push("link", link(o));
    }
    if event == "payment" {
        f.push("is_recurrent", "0");
    }
    if !o.utm.is_empty() {
        let mut u = Params::new();
        for (k, v) in &o.utm {
            u.push(k.as_str(), v.as_str());
        }
        f.push("utm", u);
    }
    let items: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            let mut it = Params::new();
            it.push("id", l.good_name.as_str());
            it.push("title", l.title.as_str());
            it.push("sum", l.sum.as_str());
            it.push("price", l.price.as_str());
            if event == "payment" {
                it.push("pincode", l.pincode.as_str());
                let partners: Vec<Value> = l
                    .partners
                    .iter()
                    .map(|s| {
                        Value::Map(
                            Params::new()
                                .with("partner_lvl", s.lvl.to_string())
                                .with("partner_id", s.partner_id.as_str())
                                .with("partner_name", s.partner_name.as_str())
                                .with("partner_fee", s.fee.as_str()),
                        )
                    })
                    .collect();
                it.push("partners", Value::List(partners));
            }
            Value::Map(it)
        })
        .collect();
    f.push("items", Value::List(items));
    f
}

/// §4.2: one order object; `good_info` adds the product ids and count.
pub(super) fn get_order_details(store: &Store, p: &Params) -> Answer {
    let bill = text(p, "bill_id");
    match store.orders.iter().find(|o| o.bill_id == bill) {
        Some(o) => Answer::ok(
            "OK",
            Some(order_json(o, Shape::Details, truthy(p, "good_info"))),
        ),
        None => Answer::err(400, "Order not found"),
    }
}

/// §4.3 (deprecated): a list holding the one order, older key set.
pub(super) fn get_order_info(store: &Store, p: &Params) -> Answer {
    let bill = text(p, "bill_id");
    match store.orders.iter().find(|o| o.bill_id == bill) {
        Some(o) => Answer::ok(
            "OK",
            Some(json!([order_json(o, Shape::Old, truthy(p, "good_info"))])),
        ),
        None => Answer::err(400, "Order not found"),
    }
}

/// Product-id filter of GetOrders / getOrdersWithGoods.
fn goods_filter(p: &Params) -> impl Fn(&Order) -> bool {
    let ids = list(p, "goods");
    move |o: &Order| ids.is_empty() || o.lines.iter().any(|l| ids.contains(&l.good_id))
}

/// §4.4: orders created (or, with `paid`, paid) in at most one month;
/// a longer range keeps its end and starts one month before it. Dates are
/// whole UTC days; an empty range is `[]`.
pub(super) fn get_orders_with_goods(store: &Store, ctx: &Ctx, p: &Params) -> Answer {
    let (b, e) = (text(p, "begin_date"), text(p, "end_date"));
    let parse = |s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            parse_date(s).map(Some).ok_or(())
        }
    };
    let (Ok(begin), Ok(end)) = (parse(&b), parse(&e)) else {
        return Answer::err(3, "Wrong posted data");
    };
    let (from, to) = match (begin, end) {
        (None, None) => (ctx.now - 86_400, ctx.now),
        (begin, end) => {
            let end_day = end.unwrap_or(ctx.now.div_euclid(86_400));
            let earliest = month_before(end_day);
            let begin_day = begin.unwrap_or(end_day).max(earliest);
            (begin_day * 86_400, end_day * 86_400 + 86_399)
        }
    };
    let only_paid = truthy(p, "paid");
    let keep = goods_filter(p);
    let list: Vec<Json> = store
        .orders
        .iter()
        .filter(|o| {
            let t = if only_paid { o.paid } else { o.created };
            (!only_paid || o.pay_status == "paid") && (from..=to).contains(&t) && keep(o)
        })
        .map(|o| order_json(o, Shape::WithGoods, true))
        .collect();
    Answer::ok("OK", Some(Json::Array(list)))
}

/// §4.5 (deprecated): UNIX-second range over creation or payment time;
/// 401 when nothing matches.
pub(super) fn get_orders(store: &Store, p: &Params) -> Answer {
    let from: i64 = text(p, "date_s").parse().unwrap_or(0);
    let to: i64 = text(p, "date_e").parse().unwrap_or(i64::MAX);
    let only_paid = truthy(p, "paid");
    let keep = goods_filter(p);
    let list: Vec<Json> = store
        .orders
        .iter()
        .filter(|o| {
            let created = (from..=to).contains(&o.created);
            let paid = o.paid > 0 && (from..=to).contains(&o.paid);
            (if only_paid { paid } else { created || paid }) && keep(o)
        })
        .map(|o| order_json(o, Shape::Old, false))
        .collect();
    if list.is_empty() {
        return Answer::err(401, "Orders not found");
    }
    Answer::ok("OK", Some(Json::Array(list)))
}

pub(super) fn delete_order(store: &mut Store, p: &Params) -> Answer {
    let bill = text(p, "bill_id");
    if bill.is_empty() {
        return Answer::err(203, "Пустой номер заказа");
    }
    match store.orders.iter().position(|o| o.bill_id == bill) {
        Some(i) => {
            store.orders.remove(i);
            Answer::ok("Заказ удален", None)
        }
        None => Answer::err(200, "Заказ не существует"),
    }
}

/// UpdateOrderStatus as before; `paid` now records the payment time and
/// queues the payment notification, `cancel` the cancel notification when
/// a cancel URL is configured.
pub(super) fn update_order_status(store: &mut Store, ctx: &Ctx, p: &Params) -> Answer {
    let bill = text(p, "bill_id");
    if bill.is_empty() {
        return Answer::err(203, "Пустой номер заказа");
    }
    let status = text(p, "status");
    if !["sent", "paid", "return", "cancel"].contains(&status.as_str()) {
        return Answer::err(201, "Неверный статус заказа");
    }
    let date = text(p, "date");
    let rpo = text(p, "rpo");
    if (status == "sent" || status == "paid") && date.is_empty() {
        return Answer::err(3, "Не указана дата (date)");
    }
    if status == "sent" && rpo.is_empty() {
        return Answer::err(3, "Не указан номер почтового отправления (rpo)");
    }
    let Some(i) = store.orders.iter().position(|o| o.bill_id == bill) else {
        return Answer::err(200, "Заказ не существует");
    };
    let order = &mut store.orders[i];
    let was = order.pay_status;
    match status.as_str() {
        "paid" => {
            order.pay_status = "paid";
            order.paid = date
                .parse::<i64>()
                .ok()
                .filter(|t| *t > 0)
                .unwrap_or(ctx.now);
        }
        "cancel" | "return" => order.pay_status = "cancel",
        _ => {}
    }
    order.status = Some(status.clone());
    order.date = (!date.is_empty()).then_some(date);
    order.rpo = (!rpo.is_empty()).then_some(rpo);
    let order = order.clone();
    let (event, urls) = match status.as_str() {
        "paid" if was != "paid" => ("payment", notify_urls(store, &order, "good_api_url_notif")),
        "cancel" if was != "cancel" => {
            ("cancel_order", ctx.cancel_url.clone().into_iter().collect())
        }
        _ => ("", Vec::new()),
    };
    for url in urls {
        let time = if event == "payment" {
            order.paid
        } else {
            order.created
        };
        store.outbox.push(Outgoing {
            event: if event == "payment" {
                "payment"
            } else {
                "cancel_order"
            },
            url,
            fields: notification(&order, event),
            sign: [order.bill_id.clone(), order.email.clone(), time.to_string()],
        });
    }
    Answer::ok("Статус заказа изменен", None)
}

pub(super) fn get_bills(store: &Store, p: &Params) -> Answer {
    let email = text(p, "email");
    if email.is_empty() {
        return Answer::err(3, "Не указан email");
    }
    let filter = text(p, "pay_status");
    if !filter.is_empty() && !["paid", "waiting", "cancel"].contains(&filter.as_str()) {
        return Answer::err(3, "Неверный pay_status");
    }
    let mut result = Map::new();
    for o in store
        .orders
        .iter()
        .filter(|o| o.email.eq_ignore_ascii_case(&email))
        .filter(|o| filter.is_empty() || o.pay_status == filter)
    {
        let mut goods = Map::new();
        for l in &o.lines {
            // The product's current title, as before the split (UpdateGood
            // shows through; a deleted product has none).
            let title = store
                .good_by_name(&l.good_name)
                .map_or("", |g| g.field("good_title"));
            goods.insert(
                l.good_id.clone(),
                json!({"good_name": l.good_name, "good_title": title}),
            );
        }
        result.insert(o.bill_id.clone(), Json::Object(goods));
    }
    if result.is_empty() {
        return Answer::err(400, "Заказы не найдены");
    }
    Answer::ok("OK", Some(Json::Object(result)))
}

use crate::store::Answer;

#[cfg(test)]
mod tests {
    use super::super::{call, p};
    use super::*;

    #[test]
    fn dates_and_month_rule() {
        assert_eq!(parse_date("01.01.1970"), Some(0));
        assert_eq!(parse_date("02.03.2013"), Some(15_766));
        assert_eq!(parse_date("31.02.2013"), None);
        assert_eq!(parse_date("1.1.2013"), None);
        assert_eq!(civil_from_days(15_766), (2013, 3, 2));
        assert_eq!(
            month_before(parse_date("31.03.2013").unwrap()),
            parse_date("28.02.2013").unwrap()
        );
        assert_eq!(
            month_before(parse_date("15.01.2013").unwrap()),
            parse_date("15.12.2012").unwrap()
        );
    }

    #[test]
    fn orders_lifecycle() {
        let mut s = Store::seed();
        let r = s
            .call(
                "GetBills",
                &p(&[("email", "client@example.com"), ("pay_status", "paid")]),
            )
            .unwrap();
        let bills = r.result.unwrap();
        assert_eq!(bills.as_object().unwrap().len(), 2);
        assert_eq!(
            bills["258368"]["13011"]["good_title"],
            "Продажи в кинотеатрах"
        );
        assert_eq!(
            s.call("DeleteOrder", &p(&[("bill_id", "1111")]))
                .unwrap()
                .code,
            0
        );
        assert_eq!(
            s.call("DeleteOrder", &p(&[("bill_id", "1111")]))
                .unwrap()
                .code,
            200
        );
        assert_eq!(
            s.call(
                "GetBills",
                &p(&[("email", "client@example.com"), ("pay_status", "waiting")])
            )
            .unwrap()
            .code,
            400
        );
        let r = s
            .call(
                "UpdateOrderStatus",
                &p(&[("bill_id", "300001"), ("status", "paid"), ("date", "5")]),
            )
            .unwrap();
        assert_eq!(r.code, 0);
        let r = s
            .call(
                "GetBills",
                &p(&[("email", "ivan@example.com"), ("pay_status", "paid")]),
            )
            .unwrap();
        assert_eq!(r.code, 0);
        assert_eq!(
            s.call(
                "UpdateOrderStatus",
                &p(&[("bill_id", "1"), ("status", "x")])
            )
            .unwrap()
            .code,
            201
        );
    }

    #[test]
    fn create_order_quirks() {
        let mut s = Store::seed();
        let c = Ctx::now_local();
        let mut create = |extra: &[(&str, &str)]| {
            let mut pairs = vec![
                ("bill_email", "Buyer@Example.com"),
                ("goods[0][good_name]", "sales"),
            ];
            pairs.extend_from_slice(extra);
            call(&mut s, &c, "CreateOrder", &p(&pairs)).unwrap()
        };
        let a = create(&[
            ("goods[0][good_sum]", "0"),
            ("bill_domain", "https://shop.example"),
        ]);
        assert_eq!((a.code, a.text.as_str()), (0, "Order created"));
        let id = a.result.unwrap()["bill_id"].as_u64().unwrap();
        let dup = create(&[]);
        assert_eq!(dup.code, 601);
        assert_eq!(dup.result.unwrap()["bill_id"], id);
        assert_eq!(
            create(&[("goods[1][good_name]", "nope")]).text,
            "Product not exist: nope"
        );
        let a = call(
            &mut s,
            &c,
            "CreateOrder",
            &p(&[("bill_email", "x"), ("goods[0][good_name]", "sales")]),
        )
        .unwrap();
        assert_eq!((a.code, a.text.as_str()), (600, "Wrong email: 'x'"));
        let a = call(&mut s, &c, "CreateOrder", &p(&[("bill_email", "a@b.ru")])).unwrap();
        assert_eq!(a.code, 603);
        let d = call(
            &mut s,
            &c,
            "getOrderDetails",
            &p(&[("bill_id", &id.to_string())]),
        )
        .unwrap();
        let o = d.result.unwrap();
        assert_eq!(o["email"], "buyer@example.com");
        assert_eq!(o["domain"], "shop.example");
        assert_eq!(o["items"][0]["sum"], "990");
        assert!(o["link"]
            .as_str()
            .unwrap()
            .starts_with("http://shop.example/bill/?id="));
        assert_eq!(
            call(&mut s, &c, "getOrderDetails", &p(&[("bill_id", "9")]))
                .unwrap()
                .code,
            400
        );
    }

    #[test]
    fn orders_with_goods_range_is_one_month_at_most() {
        let mut s = Store::seed();
        let c = Ctx::now_local();
        let mut get = |b: &str, e: &str| {
            call(
                &mut s,
                &c,
                "getOrdersWithGoods",
                &p(&[("begin_date", b), ("end_date", e)]),
            )
            .unwrap()
        };
        // The seed orders were created on 02.03.2013.
        assert_eq!(
            get("01.03.2013", "02.03.2013")
                .result
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            6
        );
        // Start moved to 10.03.2013 - 1 month = 10.02.2013: still included.
        assert_eq!(
            get("01.01.2010", "10.03.2013")
                .result
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            6
        );
        // Start moved to 03.03.2013: excluded.
        assert_eq!(get("01.01.2010", "03.04.2013").result.unwrap(), json!([]));
        assert_eq!(get("2013-03-01", "").code, 3);
    }
}
