//! Contacts and groups: API-EXT.md §3.

use serde_json::{json, Value as Json};

use super::input::{list, text, valid_email, Ctx};
use crate::store::{
    Answer, Contact, Membership, Store, STATUS_SUBSCRIBE, STATUS_UNSUBSCRIBE, STATUS_WAIT,
};
use justclick::Params;

const DAY: i64 = 24 * 3600;

/// §3.1, with [SRV]'s quirks: unknown and autogroups skipped silently, "no
/// group" and "already everywhere" answered with code 0 and a text, and the
/// per-IP limit of successful subscriptions (code 8).
pub(super) fn add_lead_to_group(store: &mut Store, ctx: &Ctx, p: &Params) -> Answer {
    let Some(email) = valid_email(&text(p, "lead_email")) else {
        return Answer::err(100, "Email is missing");
    };
    if ctx.subscribe_limit > 0 {
        if let Some((count, clock)) = store.ip_subscriptions.get_mut(&ctx.ip) {
            if ctx.now - *clock >= DAY {
                *count = 0;
                *clock = ctx.now;
            } else if *count >= ctx.subscribe_limit {
                // [SRV] refreshes the counter's clock on every refused call.
                *clock = ctx.now;
                return Answer::err(
                    8,
                    format!(
                        "Limit to subscribe for this IP exided. Try later. {}",
                        ctx.ip
                    ),
                );
            }
        }
    }
    let mut rids = list(p, "rid");
    rids.sort();
    let resolved: Vec<String> = rids
        .into_iter()
        .filter(|r| store.group(r).is_some_and(|g| g.subscribable))
        .collect();
    if resolved.is_empty() {
        return Answer::ok("Has an invalid subscriptions group", None);
    }
    let idx = match store.contacts.iter().position(|c| c.email == email) {
        Some(i) => i,
        None => {
            store.contacts.push(Contact {
                email: email.clone(),
                name: String::new(),
                phone: String::new(),
                city: String::new(),
                tags: Vec::new(),
                groups: Vec::new(),
            });
            store.contacts.len() - 1
        }
    };
    let contact = &mut store.contacts[idx];
    let active_somewhere = contact.groups.iter().any(|m| m.status == STATUS_SUBSCRIBE);
    let mut added = 0;
    for rid in &resolved {
        match contact.groups.iter_mut().find(|m| &m.rass_name == rid) {
            Some(m) if m.status == STATUS_SUBSCRIBE || m.status == STATUS_WAIT => {}
            // A previously unsubscribed contact comes back without a
            // confirmation mail (§3.3).
            Some(m) => {
                m.status = STATUS_SUBSCRIBE;
                m.time = ctx.now;
                added += 1;
            }
            None => {
                contact.groups.push(Membership {
                    rass_name: rid.clone(),
                    status: if active_somewhere {
                        STATUS_SUBSCRIBE
                    } else {
                        STATUS_WAIT
                    },
                    time: ctx.now,
                });
                added += 1;
            }
        }
    }
    if added == 0 {
        return Answer::ok("The subscriber is already registered", None);
    }
    let name = text(p, "lead_name");
    if !name.is_empty() {
        contact.name = name;
    } else if contact.name.is_empty() {
        contact.name = "Дорогой друг".into();
    }
    for (field, key) in [
        (&mut contact.phone, "lead_phone"),
        (&mut contact.city, "lead_city"),
    ] {
        let v = text(p, key);
        if !v.is_empty() {
            *field = v;
        }
    }
    let tag = text(p, "tag");
    if !tag.is_empty() && !contact.tags.contains(&tag) {
        contact.tags.push(tag);
    }
    let entry = store.ip_subscriptions.entry(ctx.ip).or_insert((0, ctx.now));
    entry.0 += 1;
    if active_somewhere {
        Answer::ok("OK", None)
    } else {
        Answer::ok("Activation email sent to subscriber", None)
    }
}

/// §3.2: omitted fields stay; `lead_tags` (comma separated) are added.
pub(super) fn update_subscriber_data(store: &mut Store, p: &Params) -> Answer {
    let Some(email) = valid_email(&text(p, "lead_email")) else {
        return Answer::err(100, "Email is missing");
    };
    let Some(c) = store
        .contacts
        .iter_mut()
        .find(|c| c.email == email && !c.groups.is_empty())
    else {
        return Answer::err(500, "Subscriber not found");
    };
    for (field, key) in [
        (&mut c.name, "lead_name"),
        (&mut c.phone, "lead_phone"),
        (&mut c.city, "lead_city"),
    ] {
        if p.get(key).is_some() {
            *field = text(p, key);
        }
    }
    for tag in text(p, "lead_tags").split(',').map(str::trim) {
        if !tag.is_empty() && !c.tags.iter().any(|t| t == tag) {
            c.tags.push(tag.to_owned());
        }
    }
    Answer::ok("OK", None)
}

/// §3.3: each `rass_name` in turn; the first failure stops (earlier groups
/// stay unsubscribed). [SRV] does not validate the email here.
pub(super) fn delete_subscribe(store: &mut Store, p: &Params) -> Answer {
    let email = text(p, "lead_email").to_lowercase();
    for rass in list(p, "rass_name") {
        if store.group(&rass).is_none() {
            return Answer::err(800, "Group subscribers is not found");
        }
        let m = store
            .contacts
            .iter_mut()
            .find(|c| c.email == email)
            .and_then(|c| c.groups.iter_mut().find(|m| m.rass_name == rass));
        match m {
            Some(m) => m.status = STATUS_UNSUBSCRIBE,
            None => return Answer::err(801, "Subscriber with such address is not found"),
        }
    }
    if list(p, "rass_name").is_empty() {
        return Answer::err(800, "Group subscribers is not found");
    }
    Answer::ok("OK", None)
}

/// The contact's groups for §3.4 / §3.5, or the error answer.
fn lead_groups<'a>(
    store: &'a Store,
    p: &Params,
    unknown: (i64, &str),
) -> Result<Vec<(&'a Membership, String)>, Answer> {
    let Some(email) = valid_email(&text(p, "email")) else {
        return Err(Answer::err(3, "Wrong posted data"));
    };
    let Some(c) = store.contact(&email) else {
        return Err(Answer::err(unknown.0, unknown.1));
    };
    if c.groups.is_empty() {
        return Err(Answer::err(501, "Group not found"));
    }
    let groups = c
        .groups
        .iter()
        .map(|m| {
            let title = store
                .group(&m.rass_name)
                .map_or("", |g| &g.rass_title)
                .to_owned();
            (m, title)
        })
        .collect();
    Ok(groups)
}

/// §3.4: a list of `{rass_name, rass_title, rass_status, subscription_time}`.
pub(super) fn get_lead_group_statuses(store: &Store, p: &Params) -> Answer {
    match lead_groups(store, p, (500, "Subscriber not found")) {
        Err(a) => a,
        Ok(groups) => {
            let list: Vec<Json> = groups
                .into_iter()
                .map(|(m, title)| {
                    json!({
                        "rass_name": m.rass_name,
                        "rass_title": title,
                        "rass_status": m.status,
                        "subscription_time": m.time.to_string(),
                    })
                })
                .collect();
            Answer::ok("OK", Some(Json::Array(list)))
        }
    }
}

/// §3.5 (deprecated): `{rass_name, rass_title}` per group; 501 also for an
/// unknown contact, as [SRV].
pub(super) fn get_lead_groups(store: &Store, p: &Params) -> Answer {
    match lead_groups(store, p, (501, "Group not found")) {
        Err(a) => a,
        Ok(groups) => {
            let list: Vec<Json> = groups
                .into_iter()
                .map(|(m, title)| json!({"rass_name": m.rass_name, "rass_title": title}))
                .collect();
            Answer::ok("OK", Some(Json::Array(list)))
        }
    }
}

/// §3.6: subscribable groups only; 501 when there is none.
pub(super) fn get_all_groups(store: &Store) -> Answer {
    let list: Vec<Json> = store
        .groups
        .iter()
        .filter(|g| g.subscribable)
        .map(|g| {
            json!({
                "rass_id": g.rass_id.to_string(),
                "rass_name": g.rass_name,
                "rass_title": g.rass_title,
            })
        })
        .collect();
    if list.is_empty() {
        return Answer::err(501, "Group not found");
    }
    Answer::ok("OK", Some(Json::Array(list)))
}

/// §3.7: `unique` = contacts active somewhere, `all` and [SRV]'s `alls` =
/// every contact, otherwise the group's active members (a number).
pub(super) fn get_count_subscribe(store: &Store, p: &Params) -> Answer {
    let name = text(p, "group_name");
    let active = |m: &Membership| m.status == STATUS_SUBSCRIBE;
    let n = match name.as_str() {
        "" => return Answer::err(2, "No transmitted data"),
        "unique" => store
            .contacts
            .iter()
            .filter(|c| c.groups.iter().any(active))
            .count(),
        "all" | "alls" => store.contacts.len(),
        g if store.group(g).is_some() => store
            .contacts
            .iter()
            .filter(|c| c.groups.iter().any(|m| m.rass_name == g && active(m)))
            .count(),
        _ => return Answer::err(501, "Group not found"),
    };
    Answer::ok("OK", Some(json!(n)))
}

#[cfg(test)]
mod tests {
    use super::super::{call, p};
    use super::*;

    fn ctx(limit: u32) -> Ctx {
        Ctx {
            subscribe_limit: limit,
            ..Ctx::now_local()
        }
    }

    #[test]
    fn subscribe_quirks_and_statuses() {
        let mut s = Store::seed();
        let c = ctx(10);
        let add = |s: &mut Store, rid: &str| {
            call(
                s,
                &c,
                "AddLeadToGroup",
                &p(&[("rid[0]", rid), ("lead_email", "New@Example.com")]),
            )
            .unwrap()
        };
        let a = add(&mut s, "nope");
        assert_eq!(
            (a.code, a.text.as_str()),
            (0, "Has an invalid subscriptions group")
        );
        let a = add(&mut s, "allleads");
        assert_eq!(a.text, "Has an invalid subscriptions group");
        let a = add(&mut s, "second");
        assert_eq!(
            (a.code, a.text.as_str()),
            (0, "Activation email sent to subscriber")
        );
        let a = add(&mut s, "second");
        assert_eq!(
            (a.code, a.text.as_str()),
            (0, "The subscriber is already registered")
        );
        let r = call(
            &mut s,
            &c,
            "GetLeadGroupStatuses",
            &p(&[("email", "new@example.com")]),
        )
        .unwrap();
        assert_eq!(r.result.unwrap()[0]["rass_status"], "STATUS_WAIT");
        let r = call(&mut s, &c, "AddLeadToGroup", &p(&[("lead_email", "bad")])).unwrap();
        assert_eq!(r.code, 100);
    }

    #[test]
    fn per_ip_limit_counts_successes_and_can_be_disabled() {
        for (limit, expect) in [(10, 8), (0, 0)] {
            let mut s = Store::seed();
            let c = ctx(limit);
            for i in 0..10 {
                let e = format!("l{i}@example.com");
                let a = call(
                    &mut s,
                    &c,
                    "AddLeadToGroup",
                    &p(&[("rid", "second"), ("lead_email", &e)]),
                )
                .unwrap();
                assert_eq!(a.code, 0);
            }
            let a = call(
                &mut s,
                &c,
                "AddLeadToGroup",
                &p(&[("rid", "second"), ("lead_email", "x@example.com")]),
            )
            .unwrap();
            assert_eq!(a.code, expect, "{a:?}");
        }
    }

    #[test]
    fn counts_unsubscribe_and_errors() {
        let mut s = Store::seed();
        let c = ctx(0);
        let count = |s: &mut Store, g: &str| {
            call(s, &c, "GetCountSubscribe", &p(&[("group_name", g)])).unwrap()
        };
        assert_eq!(count(&mut s, "super").result, Some(json!(1)));
        assert_eq!(count(&mut s, "all").result, Some(json!(1)));
        assert_eq!(count(&mut s, "alls").result, Some(json!(1)));
        assert_eq!(count(&mut s, "unique").result, Some(json!(1)));
        assert_eq!(count(&mut s, "zzz").code, 501);
        assert_eq!(count(&mut s, "").code, 2);
        let del = |s: &mut Store, e: &str, g: &str| {
            call(
                s,
                &c,
                "DeleteSubscribe",
                &p(&[("lead_email", e), ("rass_name", g)]),
            )
            .unwrap()
            .code
        };
        assert_eq!(del(&mut s, "client@example.com", "zzz"), 800);
        assert_eq!(del(&mut s, "nobody@example.com", "super"), 801);
        assert_eq!(del(&mut s, "CLIENT@example.com", "super"), 0);
        assert_eq!(count(&mut s, "unique").result, Some(json!(0)));
        let upd = call(
            &mut s,
            &c,
            "UpdateSubscriberData",
            &p(&[("lead_email", "nobody@example.com")]),
        )
        .unwrap();
        assert_eq!(upd.code, 500);
        let all = call(&mut s, &c, "GetAllGroups", &Params::new())
            .unwrap()
            .result
            .unwrap();
        assert!(all
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["rass_name"] != "allleads"));
    }
}
