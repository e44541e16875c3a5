//! The method table (issue 14, points 1 and 3): the declaration itself,
//! validation before any traffic for every method, typed results of the
//! documents' examples, and the special outcomes against a loopback server
//! that answers with canned, correctly signed bodies.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use justclick::api::{self, method};
use justclick::{
    response_hash, Client, Count, CreatedOrder, ErrorKind, GoodInfo, Group, LeadGroupStatus, List,
    Options, Order, Outcome, Params, PartnerStats, ProxySetting, Secret, METHODS,
};

const LOGIN: &str = "demo";
const SECRET: &str = "Xq7-test-secret-0123456789abcdef";

fn prep(name: &str, json: &str) -> Result<Params, justclick::Error> {
    api::prepare(name, &Params::from_json(json).expect("test JSON"))
}

fn encoded(name: &str, json: &str) -> String {
    justclick::encode(&prep(name, json).expect("valid params")).unwrap()
}

/// Asserts an InvalidArgument whose message contains every `needle`.
fn refused(name: &str, json: &str, needles: &[&str]) {
    let e = prep(name, json).expect_err(json);
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    for n in needles {
        assert!(
            e.to_string().contains(n),
            "{name} {json}: {e:?} lacks {n:?}"
        );
    }
}

#[test]
fn the_table_declares_every_documented_method_once() {
    let want = [
        ("AddLeadToGroup", false),
        ("UpdateSubscriberData", false),
        ("DeleteSubscribe", false),
        ("GetLeadGroupStatuses", false),
        ("GetLeadGroups", true),
        ("GetAllGroups", false),
        ("GetCountSubscribe", false),
        ("CreateOrder", false),
        ("getOrderDetails", false),
        ("GetOrderInfo", true),
        ("getOrdersWithGoods", false),
        ("GetOrders", true),
        ("AddGood", false),
        ("DeleteGood", false),
        ("GetAllGoods", false),
        ("GetPartnerStats", false),
        ("DeleteOrder", false),
        ("UpdateOrderStatus", false),
        ("GetBills", false),
        ("UpdateGood", false),
    ];
    assert_eq!(METHODS.len(), want.len());
    for (name, deprecated) in want {
        let m = method(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(m.deprecated, deprecated, "{name}");
        assert_eq!(METHODS.iter().filter(|x| x.name == name).count(), 1);
        let mut seen = std::collections::HashSet::new();
        assert!(
            m.params.iter().all(|p| seen.insert(p.name)),
            "{name}: duplicate param"
        );
    }
    assert_eq!(
        method("getOrderDetails").unwrap().php_name(),
        "getOrderDetails"
    );
    assert_eq!(
        method("AddLeadToGroup").unwrap().php_name(),
        "addLeadToGroup"
    );
    assert_eq!(method("AddLeadToGroup").unwrap().snake, "add_lead_to_group");
}

#[test]
fn method_names_are_exact_with_a_hint() {
    refused(
        "addLeadToGroup",
        "{}",
        &["unknown method", "did you mean 'AddLeadToGroup'"],
    );
    refused("GetOrderDetails", "{}", &["did you mean 'getOrderDetails'"]);
    refused(&"x".repeat(100_000), "{}", &["unknown method"]);
}

#[test]
fn add_lead_to_group() {
    refused(
        "AddLeadToGroup",
        r#"{"lead_email":"a@b.ru"}"#,
        &["rid is required"],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":["super"]}"#,
        &["lead_email is required"],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":["super"],"lead_email":"a@b.ru","lead_nmae":"x"}"#,
        &[
            "unknown AddLeadToGroup parameter 'lead_nmae'",
            "did you mean 'lead_name'",
        ],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":["super"],"lead_email":"not-an-email"}"#,
        &["lead_email", "not a valid e-mail"],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":[],"lead_email":"a@b.ru"}"#,
        &["rid must list at least one"],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":[["x"]],"lead_email":"a@b.ru"}"#,
        &["rid[0]"],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":["a"],"lead_email":"a@b.ru","doneurl2":"ftp://x"}"#,
        &["doneurl2", "http"],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":["a"],"lead_email":"a@b.ru","activation":"yes"}"#,
        &["activation must be a boolean"],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":["a"],"lead_email":"a@b.ru","utm":{"utm_sourse":"x"}}"#,
        &[
            "unknown key of utm 'utm_sourse'",
            "did you mean 'utm_source'",
        ],
    );
    refused(
        "AddLeadToGroup",
        r#"{"rid":["a"],"lead_email":"a@b.ru","utm":"x"}"#,
        &["utm must be"],
    );
    // A single group id is sent as the documented list rid[0].
    assert_eq!(
        encoded("AddLeadToGroup", r#"{"rid":"super","lead_email":"a@b.ru"}"#),
        "rid%5B0%5D=super&lead_email=a%40b.ru"
    );
    assert_eq!(
        encoded(
            "AddLeadToGroup",
            r#"{"rid":["super",17],"lead_email":"a@b.ru","activation":"false","utm":{"utm_medium":"affiliate","utm_source":"p1"}}"#
        ),
        "rid%5B0%5D=super&rid%5B1%5D=17&lead_email=a%40b.ru&activation=0&utm%5Butm_medium%5D=affiliate&utm%5Butm_source%5D=p1"
    );
    // null = not given; an empty utm (PHP's []) sends nothing.
    assert_eq!(
        encoded(
            "AddLeadToGroup",
            r#"{"rid":["a"],"lead_email":"a@b.ru","tag":null,"utm":[]}"#
        ),
        "rid%5B0%5D=a&lead_email=a%40b.ru"
    );
}

#[test]
fn contact_methods() {
    refused(
        "UpdateSubscriberData",
        r#"{"lead_name":"x"}"#,
        &["lead_email is required"],
    );
    refused(
        "UpdateSubscriberData",
        r#"{"lead_email":"a@b.ru","lead_tag":"x"}"#,
        &["did you mean 'lead_tags'"],
    );
    refused(
        "UpdateSubscriberData",
        r#"{"lead_email":"a@b.ru","lead_name":["x"]}"#,
        &["lead_name must be text"],
    );
    refused(
        "DeleteSubscribe",
        r#"{"lead_email":"a@b.ru"}"#,
        &["rass_name is required"],
    );
    refused(
        "DeleteSubscribe",
        r#"{"lead_email":"a@b.ru","rass_name":""}"#,
        &["rass_name must not be empty"],
    );
    assert_eq!(
        encoded(
            "DeleteSubscribe",
            r#"{"lead_email":"a@b.ru","rass_name":"super"}"#
        ),
        "lead_email=a%40b.ru&rass_name=super"
    );
    assert_eq!(
        encoded(
            "DeleteSubscribe",
            r#"{"lead_email":"a@b.ru","rass_name":["a","b"]}"#
        ),
        "lead_email=a%40b.ru&rass_name%5B0%5D=a&rass_name%5B1%5D=b"
    );
    refused(
        "GetLeadGroupStatuses",
        r#"{"lead_email":"a@b.ru"}"#,
        &["did you mean 'email'"],
    );
    refused("GetLeadGroupStatuses", "{}", &["email is required"]);
    refused(
        "GetLeadGroups",
        r#"{"email":"a b@c.ru"}"#,
        &["not a valid e-mail"],
    );
    assert_eq!(encoded("GetAllGroups", "{}"), "");
    refused(
        "GetAllGroups",
        r#"{"x":1}"#,
        &["unknown GetAllGroups parameter 'x'"],
    );
    refused("GetCountSubscribe", "{}", &["group_name is required"]);
    refused(
        "GetCountSubscribe",
        r#"{"group_name":true}"#,
        &["group_name must be a string"],
    );
    assert_eq!(
        encoded("GetCountSubscribe", r#"{"group_name":"unique"}"#),
        "group_name=unique"
    );
}

#[test]
fn create_order() {
    let ok = r#"{"goods":[{"good_name":"course","good_sum":990.5},{"good_name":"book"}],"bill_email":"a@b.ru","bill_domain":"https://shop.ru","bill_timer_kill":true,"utm":{"aff_source":"x"}}"#;
    assert_eq!(
        encoded("CreateOrder", ok),
        "goods%5B0%5D%5Bgood_name%5D=course&goods%5B0%5D%5Bgood_sum%5D=990.5&goods%5B1%5D%5Bgood_name%5D=book&bill_email=a%40b.ru&bill_domain=https%3A%2F%2Fshop.ru&bill_timer_kill=1&utm%5Baff_source%5D=x"
    );
    refused(
        "CreateOrder",
        r#"{"bill_email":"a@b.ru"}"#,
        &["goods is required"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[],"bill_email":"a@b.ru"}"#,
        &["at least one product"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":["course"],"bill_email":"a@b.ru"}"#,
        &["goods[0] must be an object"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_sum":1}],"bill_email":"a@b.ru"}"#,
        &["goods[0][good_name] is required"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_nam":"x"}],"bill_email":"a@b.ru"}"#,
        &[
            "unknown key of goods[0] 'good_nam'",
            "did you mean 'good_name'",
        ],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x","good_sum":"abc"}],"bill_email":"a@b.ru"}"#,
        &["goods[0][good_sum] must be a non-negative number"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x","good_sum":-1}],"bill_email":"a@b.ru"}"#,
        &["non-negative"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x","good_sum":0}],"bill_email":"a@b.ru"}"#,
        &["goods[0][good_sum] is 0", "charge the product's own price"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru","bill_domain":"shop.ru/"}"#,
        &["must not end with '/'", "write 'shop.ru'"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru","bill_domain":"http://shop.ru/"}"#,
        &["must not end with '/'"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru","bill_domain":"shop.ru/pay"}"#,
        &["host name"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru","bill_created":1500000000000}"#,
        &["milliseconds"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru","bill_timer_kill":"soon"}"#,
        &["bill_timer_kill"],
    );
    refused(
        "CreateOrder",
        r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru","bill_emial":"a@b.ru"}"#,
        &["did you mean 'bill_email'"],
    );
    assert_eq!(
        encoded(
            "CreateOrder",
            r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru","bill_timer_kill":1700000000,"bill_aff":"42"}"#
        ),
        "goods%5B0%5D%5Bgood_name%5D=x&bill_email=a%40b.ru&bill_timer_kill=1700000000&bill_aff=42"
    );
}

#[test]
fn order_getters_and_dates() {
    refused("getOrderDetails", "{}", &["bill_id is required"]);
    refused(
        "getOrderDetails",
        r#"{"bill_id":"12a"}"#,
        &["bill_id must be an integer"],
    );
    assert_eq!(
        encoded(
            "getOrderDetails",
            r#"{"bill_id":"102937","good_info":true}"#
        ),
        "bill_id=102937&good_info=1"
    );
    refused("GetOrderInfo", r#"{"bill_id":1.5}"#, &["integer"]);
    assert_eq!(encoded("getOrdersWithGoods", "{}"), "");
    for bad in [
        "31.02.2017",
        "2017-01-01",
        "1.1.2017",
        "00.01.2017",
        "01.13.2017",
        "29.02.2019",
        "01.01.1969",
    ] {
        refused(
            "getOrdersWithGoods",
            &format!(r#"{{"begin_date":"{bad}"}}"#),
            &["begin_date", "dd.mm.yyyy"],
        );
    }
    assert_eq!(
        encoded(
            "getOrdersWithGoods",
            r#"{"begin_date":"29.02.2020","end_date":"01.03.2020","paid":1,"goods":[1,2]}"#
        ),
        "begin_date=29.02.2020&end_date=01.03.2020&paid=1&goods%5B0%5D=1&goods%5B1%5D=2"
    );
    refused(
        "getOrdersWithGoods",
        r#"{"begin_dat":"01.01.2017"}"#,
        &["did you mean 'begin_date'"],
    );
    refused(
        "GetOrders",
        r#"{"date_s":"yesterday"}"#,
        &["date_s must be a UNIX time"],
    );
    refused("GetOrders", r#"{"date_s":-5}"#, &["positive"]);
    assert_eq!(
        encoded("GetOrders", r#"{"date_s":"1500000000","paid":false}"#),
        "date_s=1500000000&paid=0"
    );
}

#[test]
fn original_four_methods() {
    refused("DeleteOrder", "{}", &["bill_id is required"]);
    refused(
        "UpdateOrderStatus",
        r#"{"bill_id":"1","status":"shipped"}"#,
        &["status 'shipped' is not one of sent, paid, return, cancel"],
    );
    refused(
        "UpdateOrderStatus",
        r#"{"bill_id":"1","status":"paid"}"#,
        &["date is required"],
    );
    refused(
        "UpdateOrderStatus",
        r#"{"bill_id":"1","status":"sent","date":1500000000}"#,
        &["rpo"],
    );
    assert_eq!(
        encoded(
            "UpdateOrderStatus",
            r#"{"bill_id":"1","status":"paid","date":1500000000}"#
        ),
        "bill_id=1&status=paid&date=1500000000"
    );
    refused(
        "GetBills",
        r#"{"email":"a@b.ru","pay_status":"PAID"}"#,
        &["not one of paid, waiting, cancel"],
    );
    refused(
        "UpdateGood",
        r#"{"good_name":"x","good_titel":"y"}"#,
        &["did you mean 'good_title'"],
    );
    refused(
        "UpdateGood",
        r#"{"good_title":"y"}"#,
        &["good_name is required"],
    );
    assert_eq!(
        encoded("UpdateGood", r#"{"good_sum":10,"good_name":"x"}"#),
        "good_name=x&good_sum=10"
    );
}

#[test]
fn goods_and_partners() {
    let ok = r#"{"good_name":"course","good_type":0,"good_title":"Course","good_sum":"990","good_publish":true}"#;
    assert_eq!(
        encoded("AddGood", ok),
        "good_name=course&good_type=0&good_title=Course&good_sum=990&good_publish=1"
    );
    refused(
        "AddGood",
        r#"{"good_name":"c","good_type":1,"good_title":"C"}"#,
        &["good_sum is required"],
    );
    refused(
        "AddGood",
        r#"{"good_name":"c","good_type":"real","good_title":"C","good_sum":1}"#,
        &["good_type 'real' is not one of 1, 0"],
    );
    refused(
        "AddGood",
        r#"{"good_name":"c","good_type":1,"good_title":"C","good_sum":1,"good_timer_unit":"week"}"#,
        &["good_timer_unit"],
    );
    refused(
        "AddGood",
        r#"{"good_name":"c","good_type":1,"good_title":"C","good_sum":1,"good_tipe":1}"#,
        &["did you mean 'good_type'"],
    );
    refused("DeleteGood", "{}", &["good_name is required"]);
    refused(
        "DeleteGood",
        r#"{"good_name":" "}"#,
        &["good_name must not be empty"],
    );
    assert_eq!(encoded("GetAllGoods", "null"), "");
    refused("GetPartnerStats", "{}", &["partner is required"]);
    refused(
        "GetPartnerStats",
        r#"{"partner":"p","date_from":"01.01.2017"}"#,
        &["YYYY-MM-DD"],
    );
    refused(
        "GetPartnerStats",
        r#"{"partner":"p","date_to":"2017-02-30"}"#,
        &["date_to"],
    );
    assert_eq!(
        encoded(
            "GetPartnerStats",
            r#"{"partner":"p","date_from":"2016-02-29"}"#
        ),
        "partner=p&date_from=2016-02-29"
    );
}

#[test]
fn a_long_unknown_name_costs_no_suggestion() {
    let long = format!(
        r#"{{"rid":["a"],"lead_email":"a@b.ru","{}":1}}"#,
        "lead_name".repeat(200_000)
    );
    refused(
        "AddLeadToGroup",
        &long,
        &["unknown AddLeadToGroup parameter"],
    );
}

#[test]
fn typed_results_read_the_documents_examples() {
    let parse = |json: &str| justclick::Response {
        error_text: "OK".into(),
        result: Some(serde_json::from_str(json).unwrap()),
        outcome: None,
    };
    let order: Order = parse(r#"{"id":"102937","email":"a@b.ru","created":"1500000000","pay_status":"waiting","paid":"0","price":"990","bill_sum_topay":"990","link":"http://shop.ru/bill/?id=102937&crc=x","utm":[],"is_recurrent":"0","items":[{"id":"course","title":"Course","sum":"990","price":990,"pincode":"","partners":[{"partner_lvl":"1","partner_id":7,"partner_name":"p","partner_fee":"99.5"}]}]}"#).parse_result().unwrap();
    assert_eq!(order.id, "102937");
    assert_eq!(order.created, Some(1_500_000_000));
    assert_eq!(order.price, Some(990.0));
    assert_eq!(order.utm, None);
    assert_eq!(order.is_recurrent, Some(false));
    assert_eq!(order.items[0].partners[0].partner_id, "7");
    assert_eq!(order.items[0].partners[0].partner_fee, Some(99.5));
    assert_eq!(order.items[0].pincode, None);
    let orders: List<Order> =
        parse(r#"[{"id":1,"coupon":"X","utm":{"source":"s"},"items":[]},{"id":"2"}]"#)
            .parse_result()
            .unwrap();
    assert_eq!(orders.0.len(), 2);
    assert_eq!(orders.0[0].kupon.as_deref(), Some("X"));
    assert_eq!(
        orders.0[0].utm.as_ref().unwrap().source.as_deref(),
        Some("s")
    );
    let none: List<Order> = parse("[]").parse_result().unwrap();
    assert!(none.0.is_empty());
    let groups: List<Group> =
        parse(r#"[{"rass_id":"5","rass_name":"super","rass_title":"Super list"}]"#)
            .parse_result()
            .unwrap();
    assert_eq!(groups.0[0].rass_name, "super");
    let st: List<LeadGroupStatus> = parse(r#"[{"rass_name":"super","rass_title":"Super list","rass_status":"STATUS_SUBSCRIBE","subscription_time":"1500000000"}]"#).parse_result().unwrap();
    assert_eq!(st.0[0].subscription_time, Some(1_500_000_000));
    let goods: List<GoodInfo> =
        parse(r#"[{"good_name":"course","good_title":"Course","good_type":"0","good_sum":"990"}]"#)
            .parse_result()
            .unwrap();
    assert_eq!(
        (goods.0[0].good_type, goods.0[0].good_sum),
        (Some(0), Some(990.0))
    );
    let stats: PartnerStats = parse(r#"{"earned_total":"1500","topay_total":"500","clicks_total":"120","leads_total":"30","bills_total":"4","partners_total":2}"#).parse_result().unwrap();
    assert_eq!(
        (stats.earned_total, stats.clicks_total, stats.partners_total),
        (1500.0, 120, 2)
    );
    let count: Count = parse("1523").parse_result().unwrap();
    assert_eq!(count.0, 1523);
    let count: Count = parse(r#""17""#).parse_result().unwrap();
    assert_eq!(count.0, 17);
    let created: CreatedOrder = parse(r#"{"bill_id":258368}"#).parse_result().unwrap();
    assert_eq!(created.bill_id, "258368");
    let e = parse(r#"{"id":{"x":1}}"#)
        .parse_result::<Order>()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadResponse);
}

/// A loopback HTTP server answering each connection with the next canned
/// answer (`(code, text, result)`, signed with `secret`), then closing it.
/// The request bodies are sent back on the channel.
fn canned(
    answers: Vec<(i64, &'static str, Option<&'static str>)>,
    secret: &str,
) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    let secret = Secret::new(secret.as_bytes());
    let bodies: Vec<String> = answers
        .into_iter()
        .map(|(code, text, result)| {
            let hash = response_hash(&code.to_string(), text, &secret);
            let hash = std::str::from_utf8(&hash).unwrap().to_owned();
            let result = result
                .map(|r| format!(r#","result":{r}"#))
                .unwrap_or_default();
            let text = serde_json::to_string(text).unwrap();
            format!(r#"{{"error_code":{code},"error_text":{text}{result},"hash":"{hash}"}}"#)
        })
        .collect();
    std::thread::spawn(move || {
        for body in bodies {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut reader = BufReader::new(stream);
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut req = vec![0; len];
            reader.read_exact(&mut req).unwrap();
            let _ = tx.send(String::from_utf8(req).unwrap());
            let mut stream = reader.into_inner();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(reply.as_bytes()).unwrap();
        }
    });
    (format!("http://{addr}"), rx)
}

fn client_at(base: String) -> Client {
    Client::new(
        LOGIN,
        SECRET,
        Options {
            base_url: Some(base),
            proxy: ProxySetting::Direct,
            timeout: Duration::from_secs(10),
            ..Options::default()
        },
    )
    .unwrap()
}

fn params(json: &str) -> Params {
    Params::from_json(json).unwrap()
}

#[test]
fn create_order_601_is_the_already_exists_outcome_with_the_existing_bill_id() {
    let (base, rx) = canned(
        vec![(
            601,
            "Order already exist. His number send in result array.",
            Some(r#"{"bill_id":"258368"}"#),
        )],
        SECRET,
    );
    let c = client_at(base);
    let r = c
        .create_order(&params(
            r#"{"goods":[{"good_name":"course"}],"bill_email":"a@b.ru"}"#,
        ))
        .unwrap();
    assert_eq!(
        r.outcome,
        Some(Outcome::AlreadyExists {
            bill_id: "258368".into()
        })
    );
    assert_eq!(r.outcome.as_ref().unwrap().name(), "already_exists");
    assert_eq!(r.parse_result::<CreatedOrder>().unwrap().bill_id, "258368");
    let sent = rx.recv().unwrap();
    assert!(
        sent.starts_with("goods%5B0%5D%5Bgood_name%5D=course&bill_email=a%40b.ru&hash="),
        "{sent}"
    );
    // Through the generic call the same answer stays an API error 601.
    let (base, _rx) = canned(
        vec![(601, "Order already exist.", Some(r#"{"bill_id":1}"#))],
        SECRET,
    );
    let e = client_at(base)
        .call("CreateOrder", &params(r#"{"bill_email":"a@b.ru"}"#))
        .unwrap_err();
    assert_eq!(
        e,
        justclick::Error::Api {
            code: 601,
            text: "Order already exist.".into()
        }
    );
}

#[test]
fn a_forged_601_is_a_bad_signature_not_an_outcome() {
    let (base, _rx) = canned(
        vec![(601, "Order already exist.", Some(r#"{"bill_id":"1"}"#))],
        "another secret",
    );
    let e = client_at(base)
        .call_method_json(
            "CreateOrder",
            Some(r#"{"goods":[{"good_name":"x"}],"bill_email":"a@b.ru"}"#),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
}

#[test]
fn add_lead_to_group_texts_sent_with_code_0_are_named_outcomes() {
    let (base, _rx) = canned(
        vec![
            (0, "The subscriber is already registered", None),
            (0, "Has an invalid subscriptions group", None),
            (0, "Activation email sent to subscriber", None),
        ],
        SECRET,
    );
    let c = client_at(base);
    let p = params(r#"{"rid":["super"],"lead_email":"a@b.ru"}"#);
    let r = c.add_lead_to_group(&p).unwrap();
    assert_eq!(r.outcome, Some(Outcome::AlreadyRegistered));
    let e = c
        .call_method_json(
            "AddLeadToGroup",
            Some(r#"{"rid":["nope"],"lead_email":"a@b.ru"}"#),
        )
        .unwrap_err();
    match &e {
        justclick::Error::Api { code, text } => {
            assert_eq!(*code, 103);
            assert!(
                text.contains("Has an invalid subscriptions group"),
                "{text}"
            );
            assert!(text.contains("answered code 0"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    let r = c.add_lead_to_group(&p).unwrap();
    assert_eq!(r.outcome, None);
}

#[test]
fn invalid_params_send_nothing() {
    // No server at all: a refused call must fail before connecting.
    let c = client_at("http://127.0.0.1:9".into());
    let e = c
        .call_method_json("AddLeadToGroup", Some(r#"{"lead_email":"a@b.ru"}"#))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = c.call_method_json("GetAllGoods", Some("[1]")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn orders_with_goods_over_a_long_range_is_split_and_merged() {
    // 01.01.2017..15.03.2017 is 74 days: 3 calls of at most 28 days, each
    // starting on the day the previous one ends.
    let (base, rx) = canned(
        vec![
            (
                0,
                "OK",
                Some(r#"[{"id":"2","created":"1484000000"},{"id":"1","created":"1483300000"}]"#),
            ),
            (401, "Orders not found", None),
            (
                0,
                "OK",
                Some(r#"[{"id":"2","created":"1484000000"},{"id":"3","created":"1489000000"}]"#),
            ),
        ],
        SECRET,
    );
    let r = client_at(base)
        .get_orders_with_goods(&params(
            r#"{"begin_date":"01.01.2017","end_date":"15.03.2017","paid":true}"#,
        ))
        .unwrap();
    let sent: Vec<String> = rx.iter().take(3).collect();
    assert!(
        sent[0].starts_with("begin_date=01.01.2017&end_date=28.01.2017&paid=1&hash="),
        "{}",
        sent[0]
    );
    assert!(
        sent[1].starts_with("begin_date=28.01.2017&end_date=24.02.2017&paid=1&hash="),
        "{}",
        sent[1]
    );
    assert!(
        sent[2].starts_with("begin_date=24.02.2017&end_date=15.03.2017&paid=1&hash="),
        "{}",
        sent[2]
    );
    let orders: List<Order> = r.parse_result().unwrap();
    let ids: Vec<&str> = orders.0.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert!(justclick::api::prepare(
        "getOrdersWithGoods",
        &params(r#"{"begin_date":"02.01.2017","end_date":"01.01.2017"}"#)
    )
    .is_ok());
}

#[test]
fn reversed_range_is_refused_before_traffic() {
    let c = client_at("http://127.0.0.1:9".into());
    let e = c
        .get_orders_with_goods(&params(
            r#"{"begin_date":"02.01.2017","end_date":"01.01.2017"}"#,
        ))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("after end_date"), "{e}");
    let e = c
        .get_orders_with_goods(&params(r#"{"begin_date":"01.01.9999"}"#))
        .unwrap_err();
    assert!(e.to_string().contains("the default end_date"), "{e}");
}
