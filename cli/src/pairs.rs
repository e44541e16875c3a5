//! `key=value` arguments as a JSON object, with PHP's bracket nesting
//! (`goods[0][good_name]=x`, `rid[]=a`): what a user types for the form
//! fields the API and the notifications use.

use serde_json::{Map, Value as Json};

/// Adds one `key=value` argument to `root`. Values stay text, as a form
/// sends them; `[]` appends to a list. Errors name the argument.
pub fn add(root: &mut Map<String, Json>, arg: &str) -> Result<(), String> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(format!("'{arg}' is not KEY=VALUE"));
    };
    let (head, path) = parse_key(key).map_err(|why| format!("'{arg}': {why}"))?;
    insert(root, &head, &path, Json::String(value.to_owned()))
        .map_err(|why| format!("'{arg}': {why}"))
}

/// `a[b][0]` as `a` and `["b", "0"]`.
fn parse_key(key: &str) -> Result<(String, Vec<String>), String> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err("the key is empty".into());
    }
    let mut path = Vec::new();
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('[') else {
            return Err(format!("unexpected '{rest}' after a ']' (write a[b][c])"));
        };
        let Some(end) = inner.find(']') else {
            return Err("a '[' is not closed".into());
        };
        path.push(inner[..end].to_owned());
        rest = &inner[end + 1..];
    }
    Ok((head.to_owned(), path))
}

fn insert(
    map: &mut Map<String, Json>,
    key: &str,
    path: &[String],
    value: Json,
) -> Result<(), String> {
    if key.is_empty() {
        return Err("'[]' appends to a list only at the end of a key".into());
    }
    let Some((next, rest)) = path.split_first() else {
        if map.contains_key(key) {
            return Err(format!("'{key}' is given twice"));
        }
        map.insert(key.to_owned(), value);
        return Ok(());
    };
    let slot = map.entry(key.to_owned()).or_insert_with(|| {
        if next.is_empty() || next.bytes().all(|b| b.is_ascii_digit()) {
            Json::Array(Vec::new())
        } else {
            Json::Object(Map::new())
        }
    });
    into(slot, key, next, rest, value)
}

fn into(
    slot: &mut Json,
    key: &str,
    next: &str,
    rest: &[String],
    value: Json,
) -> Result<(), String> {
    match slot {
        Json::Array(list) => {
            let index = if next.is_empty() {
                list.len()
            } else {
                next.parse::<usize>()
                    .map_err(|_| format!("'{key}' is a list; '{next}' is not an index"))?
            };
            if index > list.len() {
                return Err(format!(
                    "'{key}[{index}]' skips index {} (give the items in order)",
                    list.len()
                ));
            }
            if rest.is_empty() {
                if index < list.len() {
                    return Err(format!("'{key}[{index}]' is given twice"));
                }
                list.push(value);
                return Ok(());
            }
            if index == list.len() {
                let fresh = if rest[0].is_empty() || rest[0].bytes().all(|b| b.is_ascii_digit()) {
                    Json::Array(Vec::new())
                } else {
                    Json::Object(Map::new())
                };
                list.push(fresh);
            }
            into(
                &mut list[index],
                &format!("{key}[{index}]"),
                &rest[0],
                &rest[1..],
                value,
            )
        }
        Json::Object(map) => {
            if next.is_empty() {
                return Err(format!("'{key}' has named keys; '[]' cannot append to it"));
            }
            insert(map, next, rest, value)
                .map_err(|e| e.replace(&format!("'{next}'"), &format!("'{key}[{next}]'")))
        }
        _ => Err(format!(
            "'{key}' is a value, and also used as a list or an object"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(args: &[&str]) -> Result<Json, String> {
        let mut m = Map::new();
        for a in args {
            add(&mut m, a)?;
        }
        Ok(Json::Object(m))
    }

    #[test]
    fn nesting_as_php_writes_it() {
        assert_eq!(
            parse(&[
                "bill_email=a@b.ru",
                "goods[0][good_name]=x",
                "goods[0][good_sum]=5",
                "goods[1][good_name]=y",
                "rid[]=a",
                "rid[]=b",
                "utm[source]=mail",
                "empty="
            ])
            .unwrap(),
            json!({"bill_email": "a@b.ru", "goods": [{"good_name": "x", "good_sum": "5"}, {"good_name": "y"}], "rid": ["a", "b"], "utm": {"source": "mail"}, "empty": ""})
        );
        assert_eq!(parse(&["a=b=c"]).unwrap(), json!({"a": "b=c"}));
    }

    #[test]
    fn malformed_pairs_are_named() {
        for (args, want) in [
            (&["novalue"][..], "'novalue' is not KEY=VALUE"),
            (&["=x"], "the key is empty"),
            (&["a[b=x"], "a '[' is not closed"),
            (&["a[b]c=x"], "unexpected 'c'"),
            (&["a=1", "a=2"], "'a' is given twice"),
            (&["a[2]=x"], "skips index 0"),
            (&["a=1", "a[b]=2"], "is a value"),
            (&["a[x]=1", "a[]=2"], "cannot append"),
        ] {
            let e = parse(args).unwrap_err();
            assert!(e.contains(want), "{args:?}: {e}");
        }
    }
}
