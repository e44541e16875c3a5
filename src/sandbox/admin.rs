//! Admin endpoints (`/__sandbox/...`) used by test suites.

use serde_json::{json, Value as Json};

use super::faults::parse_fault_form;
use super::http::{html_page, http_response, Action, Request};
use super::{lock, Shared};

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
        ("GET", "/") => Action::Send(
            http_response(
                200,
                "text/plain; charset=UTF-8",
                b"justclick-sandbox: POST /api/{Method}; admin: GET /__sandbox/stats, POST /__sandbox/fault, POST /__sandbox/reset\n",
                true,
            ),
            true,
        ),
        _ => Action::Send(html_page(404, "Not Found"), true),
    }
}
