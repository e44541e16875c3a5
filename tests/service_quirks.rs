//! Where the real service's behaviour is unconfirmed (API-EXT.md), the
//! library must lose nothing whichever way the service behaves. These tests
//! run the library against a fake service in each reading, not only against
//! the sandbox (which emulates one of them):
//!
//! - getOrdersWithGoods with `end_date` included or not, days counted in
//!   Moscow time or UTC, orders exactly on the chunk edges and within an
//!   hour of midnight in both zones;
//! - AddLeadToGroup code-0 texts the library has never seen;
//! - error 5 for an unknown login, signed with an empty secret.

mod common;

use common::fake::{FakeService, Received, Reply};
use common::{LOGIN, SECRET};
use justclick::{Client, Error, ErrorKind, Options, Outcome, Params, ProxySetting, Value};
use serde_json::{json, Value as Json};

fn client(base_url: &str) -> Client {
    let o = Options {
        base_url: Some(base_url.to_owned()),
        proxy: ProxySetting::Direct,
        ..Options::default()
    };
    Client::new(LOGIN, SECRET, o).unwrap()
}

// ----------------------------------------------------- calendar helpers
// The fake service's own calendar, on purpose not `justclick::calendar`:
// the chunk edges under test come from the library's arithmetic, and a
// fake that shared it would agree with its mistakes.

/// Days since 1970-01-01 of a date.
fn day(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn dmy(z: i64) -> String {
    let (y, m, d) = civil(z);
    format!("{d:02}.{m:02}.{y:04}")
}

fn parse_dmy(s: &str) -> i64 {
    let p: Vec<&str> = s.split('.').collect();
    day(
        p[2].parse().unwrap(),
        p[1].parse().unwrap(),
        p[0].parse().unwrap(),
    )
}

/// One calendar month before day `z` (the same day of the month before,
/// or its last day): the service's cap.
fn month_before(z: i64) -> i64 {
    let (y, m, d) = civil(z);
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let last = (day(y, m, 1) - day(py, pm, 1)) as u32;
    day(py, pm, d.min(last))
}

// ------------------------------------------- getOrdersWithGoods readings

/// How a service might read `begin_date`/`end_date`.
#[derive(Clone, Copy, Debug)]
struct Reading {
    /// Whether the orders of the `end_date` day itself are included.
    end_inclusive: bool,
    /// The zone whose midnights start the days: 3 h for Moscow, 0 for UTC.
    offset: i64,
    /// Whether "no orders" is error 401 rather than code 0 with `[]`.
    empty_is_401: bool,
}

const READINGS: [Reading; 4] = [
    Reading {
        end_inclusive: true,
        offset: 3 * 3600,
        empty_is_401: true,
    },
    Reading {
        end_inclusive: false,
        offset: 3 * 3600,
        empty_is_401: false,
    },
    Reading {
        end_inclusive: true,
        offset: 0,
        empty_is_401: false,
    },
    Reading {
        end_inclusive: false,
        offset: 0,
        empty_is_401: true,
    },
];

impl Reading {
    /// The UNIX time at which day `z` starts in this reading's zone.
    fn midnight(self, z: i64) -> i64 {
        z * 86_400 - self.offset
    }

    /// `[from, to)` in UNIX seconds for a range of days, uncapped.
    fn span(self, first: i64, last: Option<i64>, now: i64) -> (i64, i64) {
        let to = match last {
            Some(l) if self.end_inclusive => self.midnight(l + 1),
            Some(l) => self.midnight(l),
            None => now + 1,
        };
        (self.midnight(first), to)
    }
}

/// Orders on and around every midnight (both zones) of `first..=last`:
/// exactly on it, a second, half an hour and an hour either side.
fn orders_around(first: i64, last: i64) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for z in first - 1..=last + 1 {
        for offset in [0, 3 * 3600] {
            for dt in [-3600, -1800, -1, 0, 1, 1800, 3599] {
                let t = z * 86_400 - offset + dt;
                out.push((format!("{t}"), t));
            }
        }
    }
    out.sort_by_key(|o| o.1);
    out.dedup();
    out
}

/// A fake getOrdersWithGoods in `reading`, capped at one calendar month as
/// API-EXT.md §4.4 says (a longer range keeps its end, its start moves).
fn orders_service(reading: Reading, orders: Vec<(String, i64)>, now: i64) -> FakeService {
    FakeService::start(SECRET, move |r: &Received| {
        assert_eq!(r.method, "getOrdersWithGoods");
        let date = |k: &str| match r.params.get(k) {
            Some(Value::Str(s)) => Some(parse_dmy(s)),
            _ => None,
        };
        let now_day = (now + reading.offset).div_euclid(86_400);
        let end = date("end_date");
        let (from, to) = match date("begin_date") {
            Some(begin) => {
                let cap = month_before(end.unwrap_or(now_day));
                reading.span(begin.max(cap), end, now)
            }
            // Neither date: the last day.
            None => (now - 86_400, now + 1),
        };
        let found: Vec<Json> = orders
            .iter()
            .filter(|(_, t)| *t >= from && *t < to)
            .map(|(id, t)| json!({"id": id, "created": t.to_string(), "items": []}))
            .collect();
        if found.is_empty() && reading.empty_is_401 {
            Reply::error(401, "Orders not found")
        } else {
            Reply::ok("OK", Some(Json::Array(found)))
        }
    })
}

fn ids(result: &Json) -> Vec<String> {
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

/// What one uncapped call for `first..=last` would return in `reading`.
fn expected(
    reading: Reading,
    orders: &[(String, i64)],
    first: i64,
    last: Option<i64>,
    now: i64,
) -> Vec<String> {
    let (from, to) = reading.span(first, last, now);
    orders
        .iter()
        .filter(|(_, t)| *t >= from && *t < to)
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn long_ranges_lose_no_order_at_a_chunk_edge_in_any_reading() {
    let first = day(2025, 11, 3);
    let last = day(2026, 3, 20); // 137 days: six chunks
    let orders = orders_around(first, last);
    let now = day(2026, 12, 1) * 86_400;
    for reading in READINGS {
        let fake = orders_service(reading, orders.clone(), now);
        let params = Params::new()
            .with("begin_date", dmy(first))
            .with("end_date", dmy(last));
        let r = client(&fake.base_url)
            .get_orders_with_goods(&params)
            .unwrap_or_else(|e| panic!("{reading:?}: {e}"));
        let got = ids(r.result.as_ref().unwrap());
        let want = expected(reading, &orders, first, Some(last), now);
        assert!(want.len() > 1000, "{reading:?}: {} orders", want.len());
        let missing: Vec<&String> = want.iter().filter(|id| !got.contains(id)).collect();
        assert!(missing.is_empty(), "{reading:?}: lost {missing:?}");
        assert_eq!(got, want, "{reading:?}: duplicates or extra orders");
        // Chunks of at most 28 days, each within the fake's month cap, each
        // boundary day asked for twice (once as an end, once as a start).
        let calls = fake.received();
        assert!(calls.len() >= 6, "{reading:?}: {} calls", calls.len());
        let spans: Vec<(i64, i64)> = calls
            .iter()
            .map(|c| {
                let d = |k| match c.params.get(k) {
                    Some(Value::Str(s)) => parse_dmy(s),
                    other => panic!("{k}: {other:?}"),
                };
                (d("begin_date"), d("end_date"))
            })
            .collect();
        let mut sorted = spans.clone();
        sorted.sort();
        assert_eq!(sorted.first().unwrap().0, first);
        assert_eq!(sorted.last().unwrap().1, last);
        for w in sorted.windows(2) {
            assert_eq!(w[0].1, w[1].0, "{reading:?}: {sorted:?}");
        }
        assert!(sorted.iter().all(|(a, b)| b - a < 28), "{sorted:?}");
    }
}

#[test]
fn a_range_without_end_date_ends_now_in_any_reading() {
    // Orders up to a moment ago; the last chunk leaves end_date out, so the
    // service's "now" ends it whichever way it would read an end date.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let today_msk = (now + 3 * 3600).div_euclid(86_400);
    let first = today_msk - 60;
    let orders: Vec<(String, i64)> = orders_around(first, today_msk)
        .into_iter()
        .filter(|(_, t)| *t <= now)
        .collect();
    for reading in READINGS {
        let fake = orders_service(reading, orders.clone(), now);
        let r = client(&fake.base_url)
            .get_orders_with_goods(&Params::new().with("begin_date", dmy(first)))
            .unwrap_or_else(|e| panic!("{reading:?}: {e}"));
        let got = ids(r.result.as_ref().unwrap());
        let want = expected(reading, &orders, first, None, now);
        assert_eq!(got, want, "{reading:?}");
        let calls = fake.received();
        assert!(calls.len() >= 3);
        let without_end = calls
            .iter()
            .filter(|c| c.params.get("end_date").is_none())
            .count();
        assert_eq!(without_end, 1, "only the last chunk runs to 'now'");
    }
}

#[test]
fn no_orders_is_an_empty_list_for_short_and_long_ranges_alike() {
    let now = day(2026, 12, 1) * 86_400;
    for reading in READINGS {
        let fake = orders_service(reading, Vec::new(), now);
        let c = client(&fake.base_url);
        for (first, last) in [
            (day(2026, 1, 1), day(2026, 1, 1)),
            (day(2026, 1, 1), day(2026, 1, 28)),
            (day(2026, 1, 1), day(2026, 1, 29)),
            (day(2025, 1, 1), day(2026, 1, 1)),
        ] {
            let params = Params::new()
                .with("begin_date", dmy(first))
                .with("end_date", dmy(last));
            let r = c
                .get_orders_with_goods(&params)
                .unwrap_or_else(|e| panic!("{reading:?} {first}..{last}: {e}"));
            assert_eq!(r.result, Some(json!([])), "{reading:?}");
            assert_eq!(r.outcome, None);
        }
        // No begin_date: the service's own default range, one call.
        let r = c.get_orders_with_goods(&Params::new()).unwrap();
        assert_eq!(r.result, Some(json!([])));
    }
    // Other errors are still errors.
    let fake = FakeService::start(SECRET, |_: &Received| Reply::error(3, "Wrong posted data"));
    let params = Params::new()
        .with("begin_date", "01.01.2025")
        .with("end_date", "01.01.2026");
    let e = client(&fake.base_url)
        .get_orders_with_goods(&params)
        .unwrap_err();
    assert_eq!(
        e,
        Error::Api {
            code: 3,
            text: "Wrong posted data".into()
        }
    );
}

// ----------------------------------------------- AddLeadToGroup outcomes

fn add_lead(
    reply: impl Fn() -> Reply + Send + Sync + 'static,
) -> justclick::Result<justclick::Response> {
    let fake = FakeService::start(SECRET, move |_: &Received| reply());
    client(&fake.base_url).add_lead_to_group(
        &Params::new()
            .with("rid", vec!["second"])
            .with("lead_email", "ivan@example.com"),
    )
}

#[test]
fn add_lead_to_group_never_calls_an_unknown_text_a_plain_success() {
    for text in [
        "Subscriber queued for moderation",
        "Подписчик добавлен в очередь",
        "The subscriber is not registered",
        "",
        "Activation email sent to subscriber, but group 3 skipped",
    ] {
        let r = add_lead(move || Reply::ok(text, None)).unwrap();
        assert_eq!(r.outcome, Some(Outcome::Unknown), "{text:?}");
        assert_eq!(r.error_text, text, "the raw text is surfaced");
    }
    // A result of any shape proves nothing either.
    let r = add_lead(|| Reply::ok("Done", Some(json!({"rid": ["second"]})))).unwrap();
    assert_eq!(r.outcome, Some(Outcome::Unknown));
}

#[test]
fn add_lead_to_group_reads_every_documented_spelling() {
    for text in [
        "OK",
        "ok",
        "Activation email sent to subscriber",
        "activation email sent to subscriber",
        "Subscriber added. Activation email not sent.",
    ] {
        let r = add_lead(move || Reply::ok(text, None)).unwrap();
        assert_eq!(r.outcome, None, "{text:?} is a subscription");
    }
    for text in [
        "The subscriber is already registered",
        "the subscriber is already registered",
        "The subscriber is already registered.",
    ] {
        let r = add_lead(move || Reply::ok(text, None)).unwrap();
        assert_eq!(r.outcome, Some(Outcome::AlreadyRegistered), "{text:?}");
    }
    // The documented code 102, should a server send it.
    let r = add_lead(|| Reply::error(102, "the subscriber is already registered")).unwrap();
    assert_eq!(r.outcome, Some(Outcome::AlreadyRegistered));
    for text in [
        "Has an invalid subscriptions group",
        "has an invalid subscriptions group",
    ] {
        let e = add_lead(move || Reply::ok(text, None)).unwrap_err();
        assert!(matches!(e, Error::Api { code: 103, .. }), "{e:?}");
        assert!(e.to_string().contains(text), "{e}");
    }
    // Other codes stay errors.
    let e = add_lead(|| Reply::error(104, "Subscription forbidden for 12")).unwrap_err();
    assert!(matches!(e, Error::Api { code: 104, .. }), "{e:?}");
}

// ------------------------------------------------------ unknown login

fn unknown_login_reply() -> Reply {
    Reply::Signed {
        code: 5,
        text: "Invalid user name".into(),
        result: None,
        key: Some(String::new()),
    }
}

fn assert_unknown_login(e: &Error) {
    assert_eq!(e.kind(), ErrorKind::Api, "{e}");
    let Error::Api { code, text } = e else {
        unreachable!()
    };
    assert_eq!(*code, 5);
    assert!(
        text.starts_with("Invalid user name (login 'demo' not found"),
        "{text}"
    );
    assert!(!e.to_string().contains(SECRET));
}

#[test]
fn error_5_from_an_unknown_login_is_an_api_error_naming_the_login() {
    let fake = FakeService::start(SECRET, |_: &Received| unknown_login_reply());
    let c = client(&fake.base_url);
    assert_unknown_login(&c.delete_order("1111").unwrap_err());
    assert_unknown_login(&c.call("GetAllGoods", &Params::new()).unwrap_err());
    assert_unknown_login(&c.get_all_goods(&Params::new()).unwrap_err());
    // Through a batch too.
    let batch = c
        .call_batch(
            &[justclick::BatchCall::new("GetAllGoods", Params::new())],
            1,
        )
        .unwrap();
    assert_unknown_login(batch[0].as_ref().unwrap_err());
    // Any other answer signed with an empty key is still not trusted.
    let forged = FakeService::start(SECRET, |_: &Received| Reply::Signed {
        code: 0,
        text: "OK".into(),
        result: Some(json!([])),
        key: Some(String::new()),
    });
    let e = client(&forged.base_url)
        .get_all_goods(&Params::new())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
}

#[test]
fn the_sandbox_answers_an_unknown_login_as_the_service_does() {
    let sb = common::sandbox();
    common::admin(&sb, "/__sandbox/settings", "unknown_login=1");
    let c = common::client(&sb);
    assert_unknown_login(&c.get_bills("client@example.com", None).unwrap_err());
    assert_unknown_login(&c.call_method("GetAllGoods", &Params::new()).unwrap_err());
    common::admin(&sb, "/__sandbox/settings", "unknown_login=0");
    c.get_bills("client@example.com", None).unwrap();
}
