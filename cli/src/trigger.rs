//! `justclick trigger`: a correctly signed notification of any event
//! API-EXT.md §8 lists, with realistic fields, posted to a receiver.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use justclick::notify::notification_hash;
use justclick::{Params, Secret};
use serde_json::{json, Map, Value as Json};
use ureq::tls::{parse_pem, Certificate, PemItem, RootCerts, TlsConfig};

/// Every event: its name, the names it is also known by, what it is.
pub const EVENTS: &[(&str, &[&str], &str)] = &[
    (
        "new_order",
        &[],
        "a new order (good_api_url_new_order), signed with `created`",
    ),
    (
        "payment",
        &["paid"],
        "a payment (good_api_url_notif), signed with `paid`",
    ),
    (
        "cancel_order",
        &["cancel"],
        "a cancelled order, signed with `created`",
    ),
    (
        "prepayment",
        &[],
        "a prepayment, signed with an empty time (no `paid` field)",
    ),
    (
        "moneyback",
        &[],
        "a refund, signed with an empty time (no `paid` field)",
    ),
    (
        "subscribe",
        &[],
        "a subscription (account URL; unsigned, status 2)",
    ),
    (
        "unsubscribe",
        &[],
        "an unsubscription (account URL; unsigned, status 0)",
    ),
];

/// The canonical name of `event`, or a message listing the events.
pub fn event_name(event: &str) -> Result<&'static str, String> {
    EVENTS
        .iter()
        .find(|(name, aliases, _)| *name == event || aliases.contains(&event))
        .map(|(name, _, _)| *name)
        .ok_or_else(|| {
            let names: Vec<&str> = EVENTS.iter().map(|e| e.0).collect();
            format!(
                "unknown event '{event}' (events: {}; cancel = cancel_order)",
                names.join(", ")
            )
        })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The fields of `event` as the service sends them (API-EXT.md §8.1-8.6),
/// before the caller's overrides.
pub fn default_fields(event: &str, login: &str) -> Map<String, Json> {
    let t = now().to_string();
    let id = "300123";
    let person = json!({
        "id": id, "first_name": "Анна", "last_name": "Петрова", "middle_name": "Сергеевна",
        "email": "anna@example.com", "phone": "+79001234567", "city": "Москва", "country": "Россия",
    });
    let mut f = person.as_object().cloned().unwrap_or_default();
    let item = |extra: Json| {
        let mut it = json!({"id": "12549", "title": "Онлайн-курс", "sum": "1490", "price": "1490"});
        if let (Some(o), Some(x)) = (it.as_object_mut(), extra.as_object()) {
            o.extend(x.clone());
        }
        it
    };
    let utm = json!({"source": "newsletter", "medium": "email", "campaign": "spring", "content": "", "term": ""});
    match event {
        "subscribe" | "unsubscribe" => {
            let mut s = Map::new();
            s.insert("name".into(), json!("Анна"));
            s.insert("email".into(), json!("anna@example.com"));
            s.insert("phone".into(), json!("+79001234567"));
            s.insert("city".into(), json!("Москва"));
            s.insert("id_group".into(), json!("1"));
            s.insert("ip".into(), json!("127.0.0.1"));
            s.insert(
                "status".into(),
                json!(if event == "subscribe" { "2" } else { "0" }),
            );
            if event == "subscribe" {
                s.insert("utm".into(), utm);
            }
            return s;
        }
        "new_order" | "cancel_order" | "moneyback" => {
            f.insert("status".into(), json!(event));
        }
        _ => {}
    }
    if event != "cancel_order" && event != "moneyback" && event != "prepayment" {
        f.insert("address".into(), json!("ул. Тверская, 1"));
    }
    f.insert("region".into(), json!("Москва"));
    f.insert("postalcode".into(), json!("125009"));
    f.insert("created".into(), json!(t));
    match event {
        "payment" => {
            f.insert("paid".into(), json!(t));
            f.insert("last_payment_sum".into(), json!("1490"));
        }
        "prepayment" => {
            f.insert("prepayment_sum".into(), json!("500"));
        }
        _ => {}
    }
    f.insert("comment".into(), json!(""));
    if matches!(event, "new_order" | "payment" | "prepayment") {
        f.insert("tag".into(), json!(""));
        f.insert("kupon".into(), json!(""));
        f.insert("domain".into(), json!("shop.example"));
    }
    if event == "payment" {
        f.insert("type".into(), json!("0"));
        f.insert("payway".into(), json!("Банковская карта"));
    }
    if matches!(event, "new_order" | "prepayment") {
        f.insert(
            "link".into(),
            json!(format!("https://{login}.justclick.ru/order/{id}/")),
        );
    }
    if matches!(event, "payment" | "prepayment" | "moneyback") {
        f.insert("is_recurrent".into(), json!("0"));
    }
    f.insert("utm".into(), utm);
    let line = if matches!(event, "payment" | "prepayment") {
        item(
            json!({"pincode": "", "partners": [{"partner_lvl": "1", "partner_id": "77", "partner_name": "partner", "partner_fee": "149"}]}),
        )
    } else {
        item(json!({}))
    };
    f.insert("items".into(), json!([line]));
    f
}

/// The time field the signature covers (src/notify.rs), None for the
/// unsigned subscription events.
fn time_field(event: &str) -> Option<&'static str> {
    match event {
        "new_order" | "cancel_order" => Some("created"),
        "payment" | "prepayment" | "moneyback" => Some("paid"),
        _ => None,
    }
}

fn text(f: &Map<String, Json>, key: &str) -> Result<String, String> {
    match f.get(key) {
        None => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!(
            "field '{key}' is signed and must be a text, not a list or an object"
        )),
    }
}

/// The form body: the fields as http_build_query writes them, then `hash`
/// (`md5(id . email . time . secret)`) for the signed events.
pub fn body(event: &str, fields: &Map<String, Json>, secret: &Secret) -> Result<String, String> {
    let params =
        Params::from_json(&Json::Object(fields.clone()).to_string()).map_err(|e| e.to_string())?;
    let mut body = justclick::encode(&params).map_err(|e| e.to_string())?;
    if let Some(time) = time_field(event) {
        let hash = notification_hash(
            &text(fields, "id")?,
            &text(fields, "email")?,
            &text(fields, time)?,
            secret,
        );
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str("hash=");
        body.push_str(std::str::from_utf8(&hash).map_err(|e| e.to_string())?);
    }
    Ok(body)
}

/// Whether `url` is http(s) to this machine's loopback.
pub fn is_loopback_url(url: &str) -> Result<bool, String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("--url '{url}' must start with http:// or https://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return Err(format!("--url '{url}' has no host"));
    }
    Ok(match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    })
}

/// POSTs the body; the receiver's HTTP status. Redirects are not followed.
/// An `https://` receiver is verified against the bundled Mozilla roots and
/// the certificates of `ca_file`, as the library verifies the service.
pub fn post(
    url: &str,
    body: &str,
    timeout: Duration,
    ca_file: Option<&Path>,
) -> Result<u16, String> {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .user_agent(concat!("justclick-trigger/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| format!("--ca-file {}: {e}", path.display()))?;
        let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let bundled = roots.len();
        for item in parse_pem(&pem) {
            match item {
                Ok(PemItem::Certificate(c)) => roots.push(c.to_owned()),
                Ok(_) => {}
                Err(e) => {
                    return Err(format!(
                        "--ca-file {} is not a valid PEM file: {e}",
                        path.display()
                    ))
                }
            }
        }
        if roots.len() == bundled {
            return Err(format!(
                "--ca-file {} contains no PEM certificate",
                path.display()
            ));
        }
        config = config.tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .build(),
        );
    }
    let agent: ureq::Agent = config.build().into();
    let response = agent
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body)
        .map_err(|e| format!("cannot post to {url}: {e}"))?;
    Ok(response.status().as_u16())
}
