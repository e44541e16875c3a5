//! Admin endpoints (`/__sandbox/...`) used by test suites.

use serde_json::{json, Value as Json};

use super::fault_config::parse_fault_form;
use super::state::{lock, Settings, Shared};
use super::wire::{html_page, http_response, Action, Request};
use justclick::php::parse_query;
use justclick::Value;

pub(super) fn handle_admin(shared: &Shared, req: &Request) -> Action {
    let ok = |v: Json| {
        Action::Send(
            http_response(200, "application/json", v.to_string().as_bytes(), true),
            true,
        )
    };
    let bad = |msg: String| {
        Action::Send(
            http_response(400, "text/plain; charset=UTF-8", msg.as_bytes(), true),
            true,
        )
    };
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/__sandbox/stats") => ok(lock(&shared.stats).to_json()),
        ("POST", "/__sandbox/reset") => {
            shared.reset();
            *lock(&shared.fault) = shared.config.fault.clone();
            ok(json!({"ok": true}))
        }
        ("POST", "/__sandbox/fault") => {
            // Clone first: a guard in the match scrutinee would live through
            // the arms, and locking again there would deadlock.
            let current = lock(&shared.fault).clone();
            match parse_fault_form(&req.body, &current) {
                Ok(cfg) => {
                    let v = json!({"ok": true, "mode": cfg.mode.name(), "rate": cfg.rate});
                    *lock(&shared.fault) = cfg;
                    ok(v)
                }
                Err(e) => bad(e),
            }
        }
        ("GET", "/__sandbox/notifications") => ok(Json::Array(lock(&shared.notifications).clone())),
        ("POST", "/__sandbox/settings") => {
            let current = lock(&shared.settings).clone();
            match parse_settings_form(&req.body, current) {
                Ok(s) => {
                    let v = settings_json(&s);
                    *lock(&shared.settings) = s;
                    ok(v)
                }
                Err(e) => bad(e),
            }
        }
        ("GET", "/") => Action::Send(
            http_response(
                200,
                "text/plain; charset=UTF-8",
                b"justclick-sandbox: POST /api/{Method}; admin: GET /__sandbox/stats, GET /__sandbox/notifications, POST /__sandbox/fault, POST /__sandbox/settings, POST /__sandbox/reset\n",
                true,
            ),
            true,
        ),
        _ => Action::Send(html_page(404, "Not Found"), true),
    }
}

fn settings_json(s: &Settings) -> Json {
    json!({
        "ok": true,
        "subscribe_limit": s.subscribe_limit,
        "strict_good_type": s.strict_good_type,
        "notify_empty_time": s.notify_empty_time,
        "account_disabled": s.account_disabled,
        "unknown_login": s.unknown_login,
        "cancel_url": s.cancel_url,
    })
}

/// Parses `subscribe_limit=N&strict_good_type=0|1&notify_empty_time=0|1&
/// account_disabled=0|1&unknown_login=0|1&cancel_url=URL` (empty URL =
/// none) onto `s`.
fn parse_settings_form(body: &[u8], mut s: Settings) -> Result<Settings, String> {
    for (k, v) in parse_query(body).iter() {
        let Value::Str(v) = v else {
            return Err(format!("bad value for {k}"));
        };
        let flag = || match v.as_str() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("{k} must be 0 or 1")),
        };
        match k {
            "subscribe_limit" => {
                s.subscribe_limit = v
                    .parse()
                    .map_err(|_| "subscribe_limit must be a whole number (0 = no limit)")?
            }
            "strict_good_type" => s.strict_good_type = flag()?,
            "notify_empty_time" => s.notify_empty_time = flag()?,
            "account_disabled" => s.account_disabled = flag()?,
            "unknown_login" => s.unknown_login = flag()?,
            "cancel_url" => s.cancel_url = (!v.is_empty()).then(|| v.clone()),
            other => return Err(format!("unknown setting {other:?}")),
        }
    }
    Ok(s)
}
