//! Products and partners: API-EXT.md §5 and UpdateGood (§6).

use serde_json::{json, Map, Value as Json};

use super::input::{text, Ctx};
use crate::store::{Answer, Good, Group, Store};
use justclick::{Params, Value};

/// UpdateGood fields the sandbox stores (all of API.md section 4).
const GOOD_FIELDS: &[&str] = justclick::GOOD_FIELDS;

/// §5.1. `good_type` has its documented meaning (`1` physical, `0`
/// digital) unless the sandbox runs in [SRV]'s strict mode, where only
/// `real` is physical and `0` counts as missing.
pub(super) fn add_good(store: &mut Store, ctx: &Ctx, p: &Params) -> Answer {
    let name = text(p, "good_name");
    let title = text(p, "good_title");
    let sum = text(p, "good_sum");
    let raw_type = text(p, "good_type");
    let good_type = if ctx.strict_good_type {
        if raw_type.is_empty() || raw_type == "0" {
            None
        } else {
            Some(if raw_type == "real" { "1" } else { "0" })
        }
    } else {
        match raw_type.as_str() {
            "1" | "real" => Some("1"),
            "0" => Some("0"),
            _ => None,
        }
    };
    // [SRV] tests every required field with empty(): "0" is missing too.
    let zero = sum.parse::<f64>().ok() == Some(0.0);
    let Some(good_type) =
        good_type.filter(|_| !name.is_empty() && !title.is_empty() && !zero && !sum.is_empty())
    else {
        return Answer::err(2, "No transmitted data");
    };
    if store.good_by_name(&name).is_some() {
        return Answer::err(301, "Product already exist");
    }
    let mut fields = Map::new();
    for &field in GOOD_FIELDS {
        if let Some(Value::Str(v)) = p.get(field) {
            fields.insert(field.into(), json!(v));
        }
    }
    fields.insert("good_type".into(), json!(good_type));
    // Missing client groups are created, titled as the service titles them.
    let groups = text(p, "good_client_rassilki");
    for g in groups.split(',').map(str::trim).filter(|g| !g.is_empty()) {
        if store.group(g).is_none() {
            let rass_id = store.groups.iter().map(|g| g.rass_id).max().unwrap_or(0) + 1;
            store.groups.push(Group {
                rass_id,
                rass_name: g.into(),
                rass_title: format!("Клиенты продукта: \"{title}\""),
                subscribable: true,
            });
        }
    }
    let id = store.next_id;
    store.next_id += 1;
    store.goods.push(Good {
        id: id.to_string(),
        fields,
    });
    Answer::ok("OK", None)
}

pub(super) fn update_good(store: &mut Store, p: &Params) -> Answer {
    let name = text(p, "good_name");
    if name.is_empty() {
        return Answer::err(3, "Не указан good_name");
    }
    let Some(good) = store
        .goods
        .iter_mut()
        .find(|g| g.field("good_name") == name)
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

/// §5.2: a product that does not exist is a failed removal (302).
pub(super) fn delete_good(store: &mut Store, p: &Params) -> Answer {
    let name = text(p, "good_name");
    if name.is_empty() {
        return Answer::err(2, "No transmitted data");
    }
    match store
        .goods
        .iter()
        .position(|g| g.field("good_name") == name)
    {
        Some(i) => {
            store.goods.remove(i);
            Answer::ok("OK", None)
        }
        None => Answer::err(302, "Failed to remove product"),
    }
}

/// §5.3: every product, `[]` for an empty shop ([SRV]'s quirk, never 700).
/// Besides [SRV]'s `good_name`, `good_title`, `good_type`, `good_sum` the
/// sandbox lists `good_id` and every stored setting, so a test can read
/// back what UpdateGood/AddGood stored.
pub(super) fn get_all_goods(store: &Store) -> Answer {
    let list: Vec<Json> = store
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

/// §5.4: the partner's totals (the dates are accepted and not applied:
/// the sandbox keeps totals only).
pub(super) fn get_partner_stats(store: &Store, p: &Params) -> Answer {
    let login = text(p, "partner");
    if login.is_empty() {
        return Answer::err(2, "No transmitted data");
    }
    let Some(x) = store.partners.iter().find(|x| x.login == login) else {
        return Answer::err(1000, "Partner not found");
    };
    let keys = [
        "earned_total",
        "topay_total",
        "clicks_total",
        "leads_total",
        "bills_total",
        "partners_total",
    ];
    let mut m = Map::new();
    for (k, v) in keys.iter().zip(x.stats) {
        m.insert((*k).into(), json!(v));
    }
    Answer::ok("OK", Some(Json::Object(m)))
}

#[cfg(test)]
mod tests {
    use super::super::{call, p};
    use super::*;

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

    #[test]
    fn add_delete_list_and_partner() {
        let mut s = Store::seed();
        let mut c = Ctx::now_local();
        let add = |s: &mut Store, c: &Ctx, t: &str| {
            call(
                s,
                c,
                "AddGood",
                &p(&[
                    ("good_name", "new"),
                    ("good_type", t),
                    ("good_title", "N"),
                    ("good_sum", "10"),
                    ("good_client_rassilki", "clients_new , second"),
                ]),
            )
            .unwrap()
        };
        assert_eq!(add(&mut s, &c, "").code, 2);
        assert_eq!(add(&mut s, &c, "0").code, 0);
        assert_eq!(add(&mut s, &c, "0").code, 301);
        assert!(s.group("clients_new").is_some());
        assert_eq!(s.good_by_name("new").unwrap().field("good_type"), "0");
        assert_eq!(
            call(&mut s, &c, "DeleteGood", &p(&[("good_name", "new")]))
                .unwrap()
                .code,
            0
        );
        c.strict_good_type = true;
        assert_eq!(add(&mut s, &c, "0").code, 2);
        assert_eq!(add(&mut s, &c, "1").code, 0);
        assert_eq!(s.good_by_name("new").unwrap().field("good_type"), "0");
        for name in ["new", "oplata", "sales", "222", "super_tovar"] {
            assert_eq!(
                call(&mut s, &c, "DeleteGood", &p(&[("good_name", name)]))
                    .unwrap()
                    .code,
                0
            );
        }
        assert_eq!(
            call(&mut s, &c, "DeleteGood", &p(&[("good_name", "new")]))
                .unwrap()
                .code,
            302
        );
        assert_eq!(
            s.call("GetAllGoods", &Params::new()).unwrap().result,
            Some(json!([]))
        );
        let st = call(
            &mut s,
            &c,
            "GetPartnerStats",
            &p(&[("partner", "partner1")]),
        )
        .unwrap();
        assert_eq!(st.result.unwrap()["earned_total"], "1500");
        assert_eq!(
            call(&mut s, &c, "GetPartnerStats", &p(&[("partner", "x")]))
                .unwrap()
                .code,
            1000
        );
    }
}
