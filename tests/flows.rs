//! End to end with the library's own typed methods against the sandbox as
//! the service (issue 14): the answers come back typed, the documented
//! special answers come back as outcomes, and every notification the
//! sandbox sends to a loopback receiver is verified by
//! `Client::verify_notification`, as a shop's handler would do it.

mod common;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::*;
use justclick::notify::{Event, HashRule};
use justclick::{
    CreatedOrder, Error, LeadGroupStatus, List, Order, OrderStatus, Outcome, Params, Value,
};

/// The loopback receiver of tests/common, bodies only.
fn receiver() -> (String, mpsc::Receiver<Vec<u8>>) {
    let (url, requests) = common::receiver::notification_receiver();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for (_, body) in requests {
            if tx.send(body).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

#[test]
fn subscribe_read_back_and_the_named_outcomes() {
    let sb = sandbox();
    let c = client(&sb);
    let lead = Params::new()
        .with("rid", Value::List(vec!["second".into()]))
        .with("lead_email", "flow@example.com")
        .with("lead_name", "Flow");
    let first = c.add_lead_to_group(&lead).unwrap();
    assert_eq!(first.outcome, None, "a new subscription is ordinary");

    let groups: List<LeadGroupStatus> = c
        .get_lead_group_statuses(&Params::new().with("email", "FLOW@example.com"))
        .unwrap()
        .parse_result()
        .unwrap();
    let second = groups
        .0
        .iter()
        .find(|g| g.rass_name == "second")
        .expect("the contact is in 'second'");
    assert!(second.rass_status.starts_with("STATUS_"), "{second:?}");

    // The service answers code 0 with a text for these two: the library
    // names them instead of reporting a plain success.
    let again = c.add_lead_to_group(&lead).unwrap();
    assert_eq!(again.outcome, Some(Outcome::AlreadyRegistered));
    let nowhere = Params::new()
        .with("rid", Value::List(vec!["no_such_group".into()]))
        .with("lead_email", "flow@example.com");
    match c.add_lead_to_group(&nowhere) {
        Err(Error::Api { code: 103, .. }) => {}
        other => panic!("invalid group must not look like success: {other:?}"),
    }
    // Validation happens before any traffic.
    let before = sb.stats().requests;
    let e = c
        .add_lead_to_group(&Params::new().with("lead_emial", "x@example.com"))
        .unwrap_err();
    assert!(e.to_string().contains("lead_email"), "{e}");
    assert_eq!(sb.stats().requests, before, "nothing sent for a bad call");
}

#[test]
fn order_duplicate_payment_and_verified_notifications() {
    let sb = sandbox();
    let c = client(&sb);
    let (url, rx) = receiver();
    c.add_good(
        &Params::new()
            .with("good_name", "flow_course")
            .with("good_type", "0")
            .with("good_title", "Flow course")
            .with("good_sum", 1500)
            .with("good_api_url_new_order", format!("{url}/jc?a=new"))
            .with("good_api_url_notif", format!("{url}/jc?a=paid")),
    )
    .unwrap();
    let order = Params::new()
        .with(
            "goods",
            Value::List(vec![Value::Map(
                Params::new().with("good_name", "flow_course"),
            )]),
        )
        .with("bill_first_name", "Мария")
        .with("bill_email", "maria@example.com");
    let created = c.create_order(&order).unwrap();
    assert_eq!(created.outcome, None);
    let bill: CreatedOrder = created.parse_result().unwrap();

    // The shop's handler: the raw body, verified with the account's key.
    let body = rx.recv_timeout(Duration::from_secs(10)).expect("new_order");
    let n = c.verify_notification(&body).unwrap();
    assert_eq!(n.event(), Event::NewOrder);
    assert!(n.verified());
    assert_eq!(n.hash_rule(), Some(HashRule::Documented));
    assert_eq!(n.id(), Some(bill.bill_id.as_str()));
    assert_eq!(n.email(), Some("maria@example.com"));

    // The same order again: the service's 601, as a named outcome with the
    // existing number, not an error.
    let dup = c.create_order(&order).unwrap();
    assert_eq!(
        dup.outcome,
        Some(Outcome::AlreadyExists {
            bill_id: bill.bill_id.clone()
        })
    );

    let details: Order = c
        .get_order_details(&Params::new().with("bill_id", bill.bill_id.as_str()))
        .unwrap()
        .parse_result()
        .unwrap();
    assert_eq!(details.id, bill.bill_id);
    assert_eq!(details.email.as_deref(), Some("maria@example.com"));

    c.update_order_status(&bill.bill_id, OrderStatus::Paid, Some(1_700_000_000), None)
        .unwrap();
    let body = rx.recv_timeout(Duration::from_secs(10)).expect("payment");
    let paid = c.verify_notification(&body).unwrap();
    assert_eq!(paid.event(), Event::Payment);
    assert!(paid.verified());
    assert_eq!(paid.paid(), Some(1_700_000_000));
    assert_eq!(paid.last_payment_sum(), Some(1500.0));

    // A tampered copy (another order number) fails the signature check,
    // and so does the genuine body checked with another account's key.
    let text = String::from_utf8(body.clone()).unwrap();
    let forged = text.replacen(&format!("id={}", bill.bill_id), "id=1", 1);
    assert_ne!(forged, text, "the body carries id={}", bill.bill_id);
    match c.verify_notification(forged.as_bytes()) {
        Err(Error::BadSignature(_)) => {}
        other => panic!("a forged notification was accepted: {other:?}"),
    }
    let stranger =
        justclick::Client::new(LOGIN, "another-secret", justclick::Options::default()).unwrap();
    match stranger.verify_notification(&body) {
        Err(Error::BadSignature(_)) => {}
        other => panic!("verified with the wrong key: {other:?}"),
    }
    // One notification per event, shown by events, not by waiting a while:
    // the sandbox counts what a call queued before it answers it, and logs
    // each notification once its sender has tried it, so once the log is as
    // long as the count, nothing more is coming.
    let queued = sb.stats().notifications_queued;
    assert_eq!(queued, 2, "one notification per event");
    wait_until("the sandbox trying every queued notification", || {
        sb.notifications().len() as u64 >= queued
    });
    let log = sb.notifications();
    assert_eq!(log.len() as u64, queued, "{log:?}");
    let events: Vec<&str> = log.iter().map(|n| n["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["new_order", "payment"], "{log:?}");
    assert!(log.iter().all(|n| n["status"] == 200), "{log:?}");
    assert!(rx.try_recv().is_err(), "a notification beyond the log");
}

#[test]
fn the_sandbox_emulates_every_declared_method() {
    // One declaration drives the sandbox too: a method in the table that
    // the sandbox does not know would answer HTTP 404 here.
    let sb = sandbox();
    let c = client(&sb);
    for m in justclick::METHODS {
        match c.call(m.name, &Params::new()) {
            Ok(_) | Err(Error::Api { .. }) => {}
            Err(e) => panic!("{} is not emulated by the sandbox: {e}", m.name),
        }
    }
}

#[test]
fn orders_over_months_come_back_from_one_call() {
    // The service answers at most one month per getOrdersWithGoods (a longer
    // range keeps its end and moves its start); the typed method splits the
    // range, so orders months apart all come back, once each, in order.
    let sb = sandbox();
    let c = client(&sb);
    let times = [
        1_767_607_200i64,
        1_771_588_800,
        1_774_999_800,
        1_778_400_000,
    ];
    let mut ids = Vec::new();
    for (i, t) in times.iter().enumerate() {
        let order = Params::new()
            .with(
                "goods",
                Value::List(vec![Value::Map(
                    Params::new().with("good_name", "super_tovar"),
                )]),
            )
            .with("bill_email", format!("months-{i}@example.com"))
            .with("bill_first_name", "M")
            .with("bill_created", *t);
        let created: CreatedOrder = c.create_order(&order).unwrap().parse_result().unwrap();
        ids.push(created.bill_id);
    }
    let range = Params::new()
        .with("begin_date", "01.01.2026")
        .with("end_date", "31.05.2026");
    // The service itself, through the generic call: only the last month.
    let raw = c.call("getOrdersWithGoods", &range).unwrap();
    let raw: List<Order> = raw.parse_result().unwrap();
    let raw_ids: Vec<&str> = raw.0.iter().map(|o| o.id.as_str()).collect();
    assert!(raw_ids.contains(&ids[3].as_str()), "{raw_ids:?}");
    assert!(
        !raw_ids.contains(&ids[0].as_str()),
        "the sandbox caps a range at one month"
    );
    // The library: every month.
    let all: List<Order> = c
        .get_orders_with_goods(&range)
        .unwrap()
        .parse_result()
        .unwrap();
    let mine: Vec<&str> = all
        .0
        .iter()
        .map(|o| o.id.as_str())
        .filter(|id| ids.iter().any(|x| x == id))
        .collect();
    assert_eq!(mine, ids.iter().map(String::as_str).collect::<Vec<_>>());
}
