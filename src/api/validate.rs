//! Checks a method's parameters against its declaration before any traffic
//! and produces the exact `Params` to send.

use crate::api::spec::{Method, Param, Ty, GOODS_KEYS, UTM_KEYS};
use crate::calendar::{parse_dmy, parse_ymd};
use crate::encode::{Params, Value};
use crate::endpoints::{quote, validate_email};
use crate::error::{invalid, Error, Result};
use crate::good::{self, GOOD_FIELDS};
use crate::suggest::suggest;

fn unknown(what: &str, key: &str, candidates: &[&str], extra: &[&str]) -> Error {
    let all = candidates.iter().chain(extra.iter()).copied();
    let hint = match suggest(key, all) {
        Some(s) => format!(" (did you mean '{s}'? names are case-sensitive)"),
        None => String::new(),
    };
    Error::invalid(format!("unknown {what} {}{hint}", quote(key)))
}

/// Validates `params` for method `m`; returns what to send, in order.
///
/// `Null` values count as "not given". Errors name the parameter and what
/// was expected; nothing is sent when one is returned.
pub(crate) fn validate(m: &Method, params: &Params) -> Result<Params> {
    let names: Vec<&str> = m.params.iter().map(|p| p.name).collect();
    let extra: &[&str] = if m.good_fields { GOOD_FIELDS } else { &[] };
    let mut out = Params::with_capacity(params.len());
    let mut good_map = Params::new();
    let mut seen: Vec<&str> = Vec::with_capacity(params.len());
    for (key, value) in params.iter() {
        if seen.contains(&key) {
            return invalid(format!("{} is given twice", quote(key)));
        }
        seen.push(key);
        let what = format!("{} parameter", m.name);
        let spec = m.param(key);
        if m.good_fields && GOOD_FIELDS.contains(&key) {
            // Typed by the UpdateGood field table (src/good.rs); the
            // declaration's own rules (required, number) apply too.
            if let Some(p) = spec {
                if !matches!(value, Value::Null) {
                    check(p, value)?;
                }
            }
            good_map.push(key, value.clone());
            continue;
        }
        let Some(p) = spec else {
            return Err(unknown(&what, key, &names, extra));
        };
        if matches!(value, Value::Null) {
            continue;
        }
        out.push(key, check(p, value)?);
    }
    for p in m.params.iter().filter(|p| p.required) {
        let given = params
            .get(p.name)
            .is_some_and(|v| !matches!(v, Value::Null));
        if !given {
            return invalid(format!(
                "{} is required by {} ({}){}",
                p.name,
                m.name,
                p.ty.describe(),
                enum_list(p.ty)
            ));
        }
    }
    if m.good_fields {
        let g = good::from_map(&good_map)?;
        let mut sent = g.to_params()?;
        // good_type (AddGood) goes right after good_name.
        for (k, v) in out.iter() {
            sent.pairs_mut().insert(1, (k.to_owned(), v.clone()));
        }
        return Ok(sent);
    }
    if m.name == "UpdateOrderStatus" {
        cross_check_update_order_status(&out)?;
    }
    Ok(out)
}

/// UpdateOrderStatus' rules across fields live in src/endpoints.rs.
fn cross_check_update_order_status(p: &Params) -> Result<()> {
    let text = |k| match p.get(k) {
        Some(Value::Str(s)) => Some(s.clone()),
        Some(Value::Int(i)) => Some(i.to_string()),
        Some(Value::UInt(i)) => Some(i.to_string()),
        _ => None,
    };
    let status = text("status").unwrap_or_default();
    let status: crate::endpoints::OrderStatus = status.parse()?;
    let date = match p.get("date") {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    };
    crate::endpoints::update_order_status(
        &text("bill_id").unwrap_or_default(),
        status,
        date,
        text("rpo").as_deref(),
    )?;
    Ok(())
}

fn enum_list(ty: Ty) -> String {
    match ty {
        Ty::Enum(v) => format!(": one of {}", v.join(", ")),
        _ => String::new(),
    }
}

fn wrong(name: &str, ty: Ty, v: &Value) -> Error {
    Error::invalid(format!(
        "{name} must be {}{}, got {}",
        ty.describe(),
        enum_list(ty),
        v.type_name()
    ))
}

/// Text of a scalar (strings as they are, integers in decimal).
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(i) => Some(i.to_string()),
        _ => None,
    }
}

/// An integer from a number or a string of digits.
fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::UInt(u) => i64::try_from(*u).ok(),
        Value::Str(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            if !digits.is_empty()
                && digits.len() <= 18
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                t.parse().ok()
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Largest UNIX time accepted: 9999-12-31T23:59:59Z.
const MAX_UNIX: i64 = 253_402_300_799;

fn check(p: &Param, v: &Value) -> Result<Value> {
    if p.required && p.ty == Ty::Text {
        // A blank required value is as good as missing (the service
        // answers "no data" for it).
        return nonempty_text(p.name, v);
    }
    check_value(p.name, p.ty, v)
}

fn check_value(name: &str, ty: Ty, v: &Value) -> Result<Value> {
    let s = match v {
        Value::Str(s) => Some(s.as_str()),
        _ => None,
    };
    match ty {
        Ty::Text => match v {
            Value::Str(_) | Value::Int(_) | Value::UInt(_) => Ok(v.clone()),
            Value::Float(f) if f.is_finite() => Ok(v.clone()),
            _ => Err(wrong(name, ty, v)),
        },
        Ty::Flag => match v {
            Value::List(_) | Value::Map(_) => Err(wrong(name, ty, v)),
            _ => Ok(v.clone()),
        },
        Ty::Int => as_int(v).map(Value::Int).ok_or_else(|| wrong(name, ty, v)),
        Ty::Number => {
            let n = match v {
                Value::Int(i) => Some(*i as f64),
                Value::UInt(u) => Some(*u as f64),
                Value::Float(f) => Some(*f),
                Value::Str(t) if is_decimal(t) => t.parse::<f64>().ok(),
                _ => None,
            };
            match n {
                Some(n) if n.is_finite() && n >= 0.0 => Ok(v.clone()),
                Some(n) => invalid(format!("{name} must be a non-negative number, got {n}")),
                None => Err(wrong(name, ty, v)),
            }
        }
        Ty::Bool => bool_of(v)
            .map(Value::Bool)
            .ok_or_else(|| wrong(name, ty, v)),
        Ty::Email => {
            let Some(e) = s else {
                return Err(wrong(name, ty, v));
            };
            if validate_email(e).is_err() {
                return invalid(format!(
                    "{name} {} is not a valid e-mail address (expected name@domain.tld)",
                    quote(e)
                ));
            }
            Ok(v.clone())
        }
        Ty::Url => {
            let Some(u) = s else {
                return Err(wrong(name, ty, v));
            };
            let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
            let rest = if lower.starts_with("https://") {
                &u[8..]
            } else if lower.starts_with("http://") {
                &u[7..]
            } else {
                return invalid(format!(
                    "{name} {} must be an absolute http:// or https:// URL",
                    quote(u)
                ));
            };
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            if host.is_empty() || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return invalid(format!(
                    "{name} {} is not a valid URL (a host and no spaces)",
                    quote(u)
                ));
            }
            Ok(v.clone())
        }
        Ty::DateDmy | Ty::DateYmd => {
            let Some(d) = s else {
                return Err(wrong(name, ty, v));
            };
            let parsed = if ty == Ty::DateDmy {
                parse_dmy(d)
            } else {
                parse_ymd(d)
            };
            match parsed {
                Some(_) => Ok(v.clone()),
                None => invalid(format!(
                    "{name} {} is not a real date written {}",
                    quote(d),
                    if ty == Ty::DateDmy {
                        "dd.mm.yyyy (e.g. 01.01.2017)"
                    } else {
                        "YYYY-MM-DD (e.g. 2017-01-31)"
                    }
                )),
            }
        }
        Ty::UnixSeconds => {
            let Some(t) = as_int(v) else {
                return Err(wrong(name, ty, v));
            };
            unix(name, t).map(Value::Int)
        }
        Ty::TimerKill => {
            if let Some(b) = bool_of(v) {
                return Ok(Value::Bool(b));
            }
            match as_int(v) {
                Some(t) => unix(name, t).map(Value::Int),
                None => Err(wrong(name, ty, v)),
            }
        }
        Ty::Enum(values) => {
            let t = scalar_text(v).ok_or_else(|| wrong(name, ty, v))?;
            if values.contains(&t.as_str()) {
                Ok(Value::Str(t))
            } else {
                invalid(format!(
                    "{name} {} is not one of {}",
                    quote(&t),
                    values.join(", ")
                ))
            }
        }
        Ty::IdList | Ty::IdOrList => match v {
            Value::List(items) => {
                if items.is_empty() {
                    return invalid(format!("{name} must list at least one id"));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(id(&format!("{name}[{i}]"), item)?);
                }
                Ok(Value::List(out))
            }
            _ => {
                let one = id(name, v)?;
                Ok(if ty == Ty::IdList {
                    Value::List(vec![one])
                } else {
                    one
                })
            }
        },
        Ty::Goods => {
            let Value::List(lines) = v else {
                return Err(wrong(name, ty, v));
            };
            if lines.is_empty() {
                return invalid(format!(
                    "{name} must list at least one product ({{\"good_name\": ...}})"
                ));
            }
            let mut out = Vec::with_capacity(lines.len());
            for (i, line) in lines.iter().enumerate() {
                let here = format!("{name}[{i}]");
                let Value::Map(fields) = line else {
                    return invalid(format!(
                        "{here} must be an object {{good_name, good_sum}}, got {}",
                        line.type_name()
                    ));
                };
                let mut o = Params::with_capacity(2);
                for (k, fv) in fields.iter() {
                    if !GOODS_KEYS.contains(&k) {
                        return Err(unknown(&format!("key of {here}"), k, GOODS_KEYS, &[]));
                    }
                    if matches!(fv, Value::Null) {
                        continue;
                    }
                    let sub = format!("{here}[{k}]");
                    if k == "good_name" {
                        o.push(k, nonempty_text(&sub, fv)?);
                    } else {
                        let n = check_value(&sub, Ty::Number, fv)?;
                        if as_f64(&n) == Some(0.0) {
                            // The service treats 0 as "not given" and
                            // charges the product's price instead.
                            return invalid(format!(
                                "{sub} is 0: the service would charge the product's own price instead (free lines are not possible); omit good_sum to use that price"
                            ));
                        }
                        o.push(k, n);
                    }
                }
                if o.get("good_name").is_none() {
                    return invalid(format!("{here}[good_name] is required (the product id)"));
                }
                out.push(Value::Map(o));
            }
            Ok(Value::List(out))
        }
        Ty::Utm => {
            let Value::Map(tags) = v else {
                // PHP's json_encode writes an empty array as [].
                if matches!(v, Value::List(l) if l.is_empty()) {
                    return Ok(Value::Map(Params::new()));
                }
                return Err(wrong(name, ty, v));
            };
            let mut o = Params::with_capacity(tags.len());
            for (k, tv) in tags.iter() {
                if !UTM_KEYS.contains(&k) {
                    return Err(unknown(&format!("key of {name}"), k, UTM_KEYS, &[]));
                }
                if matches!(tv, Value::Null) {
                    continue;
                }
                o.push(k, check_value(&format!("{name}[{k}]"), Ty::Text, tv)?);
            }
            Ok(Value::Map(o))
        }
        Ty::Domain => {
            let Some(d) = s else {
                return Err(wrong(name, ty, v));
            };
            let lower = d.get(..8).unwrap_or(d).to_ascii_lowercase();
            let host = if lower.starts_with("https://") {
                &d[8..]
            } else if lower.starts_with("http://") {
                &d[7..]
            } else {
                d
            };
            if host.ends_with('/') {
                return invalid(format!(
                    "{name} {} must not end with '/' (the service then reduces it to '/'): write {}",
                    quote(d),
                    quote(host.trim_end_matches('/'))
                ));
            }
            if host.is_empty()
                || host.contains(['/', '?', '#', '@'])
                || host.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return invalid(format!(
                    "{name} {} must be a host name such as 'shop.example.com'",
                    quote(d)
                ));
            }
            Ok(v.clone())
        }
    }
}

fn id(name: &str, v: &Value) -> Result<Value> {
    nonempty_text(name, v)
}

fn nonempty_text(name: &str, v: &Value) -> Result<Value> {
    match scalar_text(v) {
        Some(t) if !t.trim().is_empty() => Ok(v.clone()),
        Some(_) => invalid(format!("{name} must not be empty")),
        None => invalid(format!(
            "{name} must be a string or an integer, got {}",
            v.type_name()
        )),
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::UInt(u) => Some(*u as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

fn is_decimal(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    !int.is_empty()
        && int.len() <= 15
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 15
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(t.contains('.') && frac.is_empty())
}

fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Int(0) => Some(false),
        Value::Int(1) => Some(true),
        Value::Str(s) => match s.as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn unix(name: &str, t: i64) -> Result<i64> {
    if t <= 0 {
        return invalid(format!(
            "{name} must be a positive UNIX time in seconds, got {t}"
        ));
    }
    if t > MAX_UNIX {
        return invalid(format!(
            "{name} must be a UNIX time in seconds, got {t}, which is after the year 9999 (milliseconds? divide by 1000)"
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::{within_distance, SUGGEST_MAX_LEN};

    #[test]
    fn banded_distance_agrees_with_the_definition() {
        assert!(within_distance("kitten", "sitten", 1));
        assert!(!within_distance("kitten", "sitting", 2));
        assert!(within_distance("kitten", "sitting", 3));
        assert!(within_distance("", "ab", 2));
        assert!(!within_distance("", "abc", 2));
        assert!(within_distance("lead_nmae", "lead_name", 2));
        assert!(!within_distance(&"a".repeat(65), &"a".repeat(65), 2));
    }

    #[test]
    fn suggestions_are_bounded_and_useful() {
        let names = ["email", "bill_email", "good_name"];
        assert_eq!(suggest("EMAIL", names.iter().copied()), Some("email"));
        assert_eq!(
            suggest("lead_email", ["email"].iter().copied()),
            Some("email")
        );
        assert_eq!(
            suggest("good_nam", names.iter().copied()),
            Some("good_name")
        );
        assert_eq!(suggest("zzz", names.iter().copied()), None);
        let long = "e".repeat(SUGGEST_MAX_LEN + 1);
        assert_eq!(suggest(&long, names.iter().copied()), None);
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        assert_eq!(parse_dmy("29.02.2020"), Some((2020, 2, 29)));
        assert_eq!(parse_dmy("29.02.2100"), None);
        assert_eq!(parse_dmy("31.04.2017"), None);
        assert_eq!(parse_dmy("1.01.2017"), None);
        assert_eq!(parse_dmy("+1.01.2017"), None);
        assert_eq!(parse_ymd("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_ymd("2017-1-01"), None);
    }
}
