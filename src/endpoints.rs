//! The typed endpoints' rules: what each one requires, checked before any
//! network traffic, and the exact parameters (in API order) it sends.

use std::fmt;
use std::str::FromStr;

use crate::encode::Params;
use crate::error::{invalid, Error, Result};

/// Quotes a caller's value for a message: single quotes, control characters
/// escaped, long values cut.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("'");
    for (i, c) in s.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Defines a closed set of API strings as an enum with `FromStr` whose error
/// names the field and lists the allowed values.
macro_rules! api_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in API order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text sent on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses the wire text; the error names `field`.
            pub fn parse_for(field: &str, s: &str) -> Result<$name> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => invalid(format!(
                        "{field} {} is not one of {}",
                        quote(s),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<$name> {
                $name::parse_for($field, s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use api_enum;

api_enum!(
    /// UpdateOrderStatus `status`.
    OrderStatus, "status", {
        /// Mailed to the customer (needs `date` and `rpo`).
        Sent = "sent",
        /// Payment received (needs `date`).
        Paid = "paid",
        /// The customer returned it.
        Return = "return",
        /// Cancelled.
        Cancel = "cancel",
    }
);

api_enum!(
    /// GetBills `pay_status` filter.
    PayStatus, "pay_status", {
        /// Paid orders.
        Paid = "paid",
        /// Orders awaiting payment.
        Waiting = "waiting",
        /// Cancelled orders.
        Cancel = "cancel",
    }
);

/// The method names every call may use: letters and digits, 1..64.
pub(crate) fn validate_method(method: &str) -> Result<()> {
    if method.is_empty() {
        return invalid("method name is empty (expected e.g. 'GetAllGoods')");
    }
    if method.len() > 64 || !method.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return invalid(format!(
            "method name {} must be 1 to 64 letters and digits (e.g. 'AddLeadToGroup')",
            quote(method)
        ));
    }
    Ok(())
}

fn required(name: &str, value: &str, what: &str) -> Result<()> {
    if value.trim().is_empty() {
        return invalid(format!("{name} is required ({what}) and must not be empty"));
    }
    Ok(())
}

/// DeleteOrder parameters.
pub(crate) fn delete_order(bill_id: &str) -> Result<Params> {
    required("bill_id", bill_id, "the number of the order to delete")?;
    Ok(Params::with_capacity(1).with("bill_id", bill_id))
}

/// Largest `date` accepted: 9999-12-31T23:59:59Z in Unix seconds. Anything
/// larger only makes sense as milliseconds (it is 1978 or later as ms).
const MAX_DATE_SECONDS: i64 = 253_402_300_799;

/// UpdateOrderStatus parameters, in the order bill_id, status, date, rpo.
pub(crate) fn update_order_status(
    bill_id: &str,
    status: OrderStatus,
    date: Option<i64>,
    rpo: Option<&str>,
) -> Result<Params> {
    required("bill_id", bill_id, "the order number")?;
    if let Some(d) = date {
        if d <= 0 {
            return invalid(format!("date must be a positive UNIX timestamp, got {d}"));
        }
        if d > MAX_DATE_SECONDS {
            return invalid(format!(
                "date must be a UNIX timestamp in seconds, got {d}, which is after the year 9999 (milliseconds? divide by 1000)"
            ));
        }
    }
    let needs_date = matches!(status, OrderStatus::Sent | OrderStatus::Paid);
    if needs_date && date.is_none() {
        let what = if status == OrderStatus::Sent {
            "mailing"
        } else {
            "payment"
        };
        return invalid(format!(
            "date is required for status '{status}' (UNIX timestamp of the {what})"
        ));
    }
    // A blank rpo is the same as none: PHP callers pass "" for "not given".
    let rpo = rpo.filter(|r| !r.trim().is_empty());
    if status == OrderStatus::Sent && rpo.is_none() {
        return invalid("rpo (postal tracking number) is required for status 'sent'");
    }
    let mut p = Params::with_capacity(4)
        .with("bill_id", bill_id)
        .with("status", status.as_str());
    if let Some(d) = date {
        p.push("date", d);
    }
    if let Some(r) = rpo {
        p.push("rpo", r);
    }
    Ok(p)
}

/// GetBills parameters.
pub(crate) fn get_bills(email: &str, pay_status: Option<PayStatus>) -> Result<Params> {
    validate_email(email)?;
    let mut p = Params::with_capacity(2).with("email", email);
    if let Some(s) = pay_status {
        p.push("pay_status", s.as_str());
    }
    Ok(p)
}

/// A plausible customer address: one '@', a non-empty local part, a dotted
/// domain, no whitespace or control characters. Non-ASCII is allowed
/// (Cyrillic domains are common).
pub(crate) fn validate_email(email: &str) -> Result<()> {
    if email.trim().is_empty() {
        return invalid(
            "email is required: GetBills lists the orders of the customer with this e-mail",
        );
    }
    let bad = || {
        invalid(format!(
            "email {} is not a valid e-mail address (expected name@domain.tld)",
            quote(email)
        ))
    };
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad();
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return bad();
    };
    if local.is_empty()
        || local.contains('@')
        || local.len() > 64
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with(['.', '-'])
        || domain.ends_with(['.', '-'])
        || domain.contains("..")
        || domain.contains(|c: char| "()<>[]\\,;:\"'/".contains(c))
    {
        return bad();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encode;

    #[test]
    fn status_messages() {
        let e = "shipped".parse::<OrderStatus>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "status 'shipped' is not one of sent, paid, return, cancel"
        );
        let e = "PAID".parse::<PayStatus>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "pay_status 'PAID' is not one of paid, waiting, cancel"
        );
        assert_eq!(
            "return".parse::<OrderStatus>().unwrap(),
            OrderStatus::Return
        );
    }

    #[test]
    fn dates_are_seconds_not_milliseconds() {
        let e =
            update_order_status("1", OrderStatus::Paid, Some(1_362_254_400_000), None).unwrap_err();
        assert!(e.to_string().contains("in seconds"), "{e}");
        assert!(
            update_order_status("1", OrderStatus::Paid, Some(MAX_DATE_SECONDS + 1), None).is_err()
        );
        assert!(update_order_status("1", OrderStatus::Paid, Some(MAX_DATE_SECONDS), None).is_ok());
        assert!(update_order_status("1", OrderStatus::Paid, Some(1_362_254_400), None).is_ok());
    }

    #[test]
    fn update_order_status_rules() {
        let p = update_order_status(
            "100000",
            OrderStatus::Sent,
            Some(1362254400),
            Some("10000000000000"),
        )
        .unwrap();
        assert_eq!(
            encode(&p).unwrap(),
            "bill_id=100000&status=sent&date=1362254400&rpo=10000000000000"
        );
        let e = update_order_status("1", OrderStatus::Sent, None, Some("1")).unwrap_err();
        assert!(
            e.to_string().contains("date is required for status 'sent'"),
            "{e}"
        );
        let e = update_order_status("1", OrderStatus::Paid, None, None).unwrap_err();
        assert!(
            e.to_string().contains("date is required for status 'paid'"),
            "{e}"
        );
        let e = update_order_status("1", OrderStatus::Sent, Some(5), None).unwrap_err();
        assert!(e.to_string().contains("rpo"), "{e}");
        let e = update_order_status("1", OrderStatus::Sent, Some(5), Some(" ")).unwrap_err();
        assert!(e.to_string().contains("rpo"), "{e}");
        let e = update_order_status("1", OrderStatus::Paid, Some(0), None).unwrap_err();
        assert!(e.to_string().contains("positive UNIX timestamp"), "{e}");
        let e = update_order_status(" ", OrderStatus::Cancel, None, None).unwrap_err();
        assert!(e.to_string().contains("bill_id is required"), "{e}");
        let p = update_order_status("7", OrderStatus::Cancel, None, None).unwrap();
        assert_eq!(encode(&p).unwrap(), "bill_id=7&status=cancel");
        let p = update_order_status("7", OrderStatus::Paid, Some(9), Some(" ")).unwrap();
        assert_eq!(encode(&p).unwrap(), "bill_id=7&status=paid&date=9");
    }

    #[test]
    fn emails() {
        for ok in [
            "client@example.com",
            "a.b+c@mail.ru",
            "иван@почта.рф",
            "x@sub.domain.org",
        ] {
            assert!(validate_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            " ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.ru",
            "a b@c.ru",
            "a@b..ru",
            "a@.b.ru",
            "a@b.ru.",
            "a@b.ru\n",
            "a@b,ru.com",
        ] {
            let e = validate_email(bad).unwrap_err();
            assert!(e.to_string().contains("email"), "{bad:?}: {e}");
        }
        assert!(validate_email("")
            .unwrap_err()
            .to_string()
            .contains("email is required"));
        let p = get_bills("client@example.com", Some(PayStatus::Paid)).unwrap();
        assert_eq!(
            encode(&p).unwrap(),
            "email=client%40example.com&pay_status=paid"
        );
    }

    #[test]
    fn methods() {
        assert!(validate_method("GetAllGoods").is_ok());
        assert!(validate_method("").is_err());
        for bad in ["Get/../x", "Get All", "Get?x=1", "Метод", &"A".repeat(65)] {
            assert!(validate_method(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quote_cuts_and_escapes() {
        assert_eq!(quote("a\nb"), "'a\\nb'");
        assert_eq!(quote(&"x".repeat(100)).chars().count(), 63);
    }
}
