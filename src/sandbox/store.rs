//! The sandbox's in-memory shop and the API methods that act on it.

use serde_json::{json, Map, Value as Json};

use crate::encode::{Params, Value};

/// An answer before signing: `error_code`, `error_text`, optional `result`.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// JustClick error code (0 = OK).
    pub code: i64,
    /// The error text (Russian, as the service writes it).
    pub text: String,
    /// The `result` field, if any.
    pub result: Option<Json>,
}

impl Answer {
    fn ok(text: &str, result: Option<Json>) -> Answer {
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

#[derive(Clone, Debug)]
struct OrderGood {
    good_id: String,
    good_name: String,
}

#[derive(Clone, Debug)]
struct Order {
    bill_id: String,
    email: String,
    pay_status: &'static str,
    status: Option<String>,
    date: Option<String>,
    rpo: Option<String>,
    goods: Vec<OrderGood>,
}

#[derive(Clone, Debug)]
struct Good {
    id: String,
    fields: Map<String, Json>,
}

/// Orders, goods and leads of the emulated account.
#[derive(Clone, Debug)]
pub struct Store {
    orders: Vec<Order>,
    goods: Vec<Good>,
    leads: Vec<Json>,
}

/// UpdateGood fields the sandbox stores (all of API.md section 4).
const GOOD_FIELDS: &[&str] = crate::good::GOOD_FIELDS;

impl Default for Store {
    fn default() -> Store {
        Store::seed()
    }
}

impl Store {
    /// The seed data: the orders and goods of JustClick's own examples.
    pub fn seed() -> Store {
        let good = |id: &str, name: &str, title: &str, sum: &str| {
            let mut fields = Map::new();
            fields.insert("good_name".into(), json!(name));
            fields.insert("good_title".into(), json!(title));
            fields.insert("good_sum".into(), json!(sum));
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
        let order = |bill: &str, email: &str, pay: &'static str, goods: &[(&str, &str)]| Order {
            bill_id: bill.into(),
            email: email.into(),
            pay_status: pay,
            status: None,
            date: None,
            rpo: None,
            goods: goods
                .iter()
                .map(|(id, name)| OrderGood {
                    good_id: (*id).into(),
                    good_name: (*name).into(),
                })
                .collect(),
        };
        let orders = vec![
            order(
                "1111",
                "client@example.com",
                "waiting",
                &[("12549", "oplata")],
            ),
            order(
                "100000",
                "buyer@example.com",
                "paid",
                &[("30001", "super_tovar")],
            ),
            order(
                "258367",
                "client@example.com",
                "paid",
                &[("12549", "oplata")],
            ),
            order(
                "258368",
                "client@example.com",
                "paid",
                &[("13011", "sales"), ("28363", "222")],
            ),
            order(
                "258369",
                "client@example.com",
                "cancel",
                &[("28363", "222")],
            ),
            order(
                "300001",
                "ivan@example.com",
                "waiting",
                &[("30001", "super_tovar")],
            ),
        ];
        Store {
            orders,
            goods,
            leads: Vec::new(),
        }
    }

    fn good_title(&self, good_name: &str) -> String {
        self.goods
            .iter()
            .find(|g| g.fields.get("good_name").and_then(Json::as_str) == Some(good_name))
            .and_then(|g| g.fields.get("good_title").and_then(Json::as_str))
            .unwrap_or("")
            .to_owned()
    }

    /// Runs one verified API call.
    pub fn call(&mut self, method: &str, p: &Params) -> Option<Answer> {
        Some(match method {
            "DeleteOrder" => self.delete_order(p),
            "UpdateOrderStatus" => self.update_order_status(p),
            "GetBills" => self.get_bills(p),
            "UpdateGood" => self.update_good(p),
            "GetAllGoods" => self.get_all_goods(),
            "AddLeadToGroup" => self.add_lead(p),
            "SandboxEcho" => Answer::ok("OK", Some(params_to_json(p))),
            _ => return None,
        })
    }

    fn delete_order(&mut self, p: &Params) -> Answer {
        let bill = text(p, "bill_id");
        if bill.is_empty() {
            return Answer::err(203, "Пустой номер заказа");
        }
        match self.orders.iter().position(|o| o.bill_id == bill) {
            Some(i) => {
                self.orders.remove(i);
                Answer::ok("Заказ удален", None)
            }
            None => Answer::err(200, "Заказ не существует"),
        }
    }

    fn update_order_status(&mut self, p: &Params) -> Answer {
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
        let Some(order) = self.orders.iter_mut().find(|o| o.bill_id == bill) else {
            return Answer::err(200, "Заказ не существует");
        };
        match status.as_str() {
            "paid" => order.pay_status = "paid",
            "cancel" | "return" => order.pay_status = "cancel",
            _ => {}
        }
        order.status = Some(status);
        order.date = (!date.is_empty()).then_some(date);
        order.rpo = (!rpo.is_empty()).then_some(rpo);
        Answer::ok("Статус заказа изменен", None)
    }

    fn get_bills(&self, p: &Params) -> Answer {
        let email = text(p, "email");
        if email.is_empty() {
            return Answer::err(3, "Не указан email");
        }
        let filter = text(p, "pay_status");
        if !filter.is_empty() && !["paid", "waiting", "cancel"].contains(&filter.as_str()) {
            return Answer::err(3, "Неверный pay_status");
        }
        let mut result = Map::new();
        for o in self
            .orders
            .iter()
            .filter(|o| o.email.eq_ignore_ascii_case(&email))
            .filter(|o| filter.is_empty() || o.pay_status == filter)
        {
            let mut goods = Map::new();
            for g in &o.goods {
                goods.insert(
                    g.good_id.clone(),
                    json!({"good_name": g.good_name, "good_title": self.good_title(&g.good_name)}),
                );
            }
            result.insert(o.bill_id.clone(), Json::Object(goods));
        }
        if result.is_empty() {
            return Answer::err(400, "Заказы не найдены");
        }
        Answer::ok("OK", Some(Json::Object(result)))
    }

    fn update_good(&mut self, p: &Params) -> Answer {
        let name = text(p, "good_name");
        if name.is_empty() {
            return Answer::err(3, "Не указан good_name");
        }
        let Some(good) = self
            .goods
            .iter_mut()
            .find(|g| g.fields.get("good_name").and_then(Json::as_str) == Some(name.as_str()))
        else {
            return Answer::err(3, "Продукт не найден");
        };
        for &field in GOOD_FIELDS {
            if let Some(Value::Str(v)) = p.get(field) {
                good.fields.insert(field.into(), json!(v));
            }
        }
        // The service's documented quirk: an omitted price is stored as 0.
        if p.get("good_sum").is_none() {
            good.fields.insert("good_sum".into(), json!("0"));
        }
        Answer::ok("Продукт обновлен", None)
    }

    fn get_all_goods(&self) -> Answer {
        let list: Vec<Json> = self
            .goods
            .iter()
            .map(|g| {
                let mut m = Map::new();
                m.insert("good_id".into(), json!(g.id));
                for (k, v) in &g.fields {
                    m.insert(k.clone(), v.clone());
                }
                Json::Object(m)
            })
            .collect();
        Answer::ok("OK", Some(Json::Array(list)))
    }

    fn add_lead(&mut self, p: &Params) -> Answer {
        let email = text(p, "lead_email");
        if email.is_empty() {
            return Answer::err(100, "Не указан email подписчика");
        }
        let lead = params_to_json(p);
        self.leads.push(lead.clone());
        Answer::ok("OK", Some(lead))
    }
}

/// A top-level string parameter, or "" when absent or not a string.
fn text(p: &Params, key: &str) -> String {
    match p.get(key) {
        Some(Value::Str(s)) => s.clone(),
        _ => String::new(),
    }
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
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (*k, *v)).collect()
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
    fn goods_update_and_zero_price_quirk() {
        let mut s = Store::seed();
        let r = s
            .call(
                "UpdateGood",
                &p(&[("good_name", "sales"), ("good_title", "Новое")]),
            )
            .unwrap();
        assert_eq!(r.code, 0);
        let all = s
            .call("GetAllGoods", &Params::new())
            .unwrap()
            .result
            .unwrap();
        let sales = all
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["good_name"] == "sales")
            .unwrap();
        assert_eq!(sales["good_title"], "Новое");
        assert_eq!(sales["good_sum"], "0");
        assert_eq!(
            s.call("UpdateGood", &p(&[("good_name", "nope")]))
                .unwrap()
                .code,
            3
        );
        assert!(s.call("NoSuchMethod", &Params::new()).is_none());
    }
}
