//! What a method reads: its context (time, caller, settings) and its
//! parameters as PHP's `$_POST` holds them. Below every method module.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{SystemTime, UNIX_EPOCH};

use justclick::{Params, Value};

/// What a method may depend on besides its parameters.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    /// UNIX seconds now.
    pub(crate) now: i64,
    /// The caller's address (AddLeadToGroup's per-IP limit).
    pub(crate) ip: IpAddr,
    /// Successful subscriptions allowed per IP in 24 h; 0 = no limit.
    pub(crate) subscribe_limit: u32,
    /// AddGood maps `good_type` as [SRV] does (only `real` is physical).
    pub(crate) strict_good_type: bool,
    /// Where `cancel_order` notifications go (none unless set by admin).
    pub(crate) cancel_url: Option<String>,
}

impl Ctx {
    pub(crate) fn now_local() -> Ctx {
        Ctx {
            now: unix_now(),
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            subscribe_limit: 0,
            strict_good_type: false,
            cancel_url: None,
        }
    }
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A top-level string parameter, or "" when absent or not a string.
pub(crate) fn text(p: &Params, key: &str) -> String {
    match p.get(key) {
        Some(Value::Str(s)) => s.clone(),
        _ => String::new(),
    }
}

/// A parameter sent either as one value or as a PHP list (`rid` or
/// `rid[0]`, `rid[1]`...): its string items.
pub(crate) fn list(p: &Params, key: &str) -> Vec<String> {
    match p.get(key) {
        Some(Value::Str(s)) => vec![s.clone()],
        Some(Value::Map(m)) => m
            .iter()
            .filter_map(|(_, v)| match v {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// [SRV]'s email check: lowercased, then it must *contain* a match of
/// `[\w-.]+@([\w-]+\.)+[\w-]{2,4}` (the pattern is not anchored).
pub(crate) fn valid_email(raw: &str) -> Option<String> {
    let e = raw.to_lowercase();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    for (at, _) in e.match_indices('@') {
        let local_ok = e[..at]
            .chars()
            .next_back()
            .is_some_and(|c| word(c) || c == '.');
        if !local_ok {
            continue;
        }
        // Domain: one or more `label.` then a 2+ char label (the regex
        // stops at 4 but, unanchored, a longer one still contains a match).
        let rest: String = e[at + 1..]
            .chars()
            .take_while(|&c| word(c) || c == '.')
            .collect();
        for (i, l) in rest.split('.').enumerate() {
            if l.is_empty() {
                break;
            }
            if i > 0 && l.chars().count() >= 2 {
                return Some(e);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check_is_srv_unanchored_pattern() {
        assert_eq!(
            valid_email("Ivan@Example.COM").as_deref(),
            Some("ivan@example.com")
        );
        assert!(valid_email("junk <a@b.ru> junk").is_some());
        assert!(valid_email("a@b.r").is_none());
        assert!(valid_email("a@localhost").is_none());
        assert!(valid_email("@b.ru").is_none());
        assert!(valid_email("").is_none());
    }
}
