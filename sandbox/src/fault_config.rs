//! The faults the sandbox can inject and how often: what an admin request
//! or `--fault` sets. Plain data below the state and the connection code
//! that act on it.

use std::time::Duration;

use justclick::php::parse_query;
use justclick::Value;

/// A fault the sandbox can inject into API answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Normal operation.
    None,
    /// HTTP 500 with an HTML body.
    Http500,
    /// HTTP 502 with an HTML body.
    Http502,
    /// A valid hash of *another* answer (a replay).
    WrongHash,
    /// A `"0e..."` hash that PHP's `==` would accept.
    MagicHash,
    /// No `hash` field.
    MissingHash,
    /// `hash` as a number.
    NonStringHash,
    /// `error_code` as a numeric string (valid: clients must accept it).
    StringCode,
    /// Content-Length promises more than is sent, then the connection closes.
    Truncate,
    /// HTTP 200 with an HTML page.
    NonJson,
    /// The connection is closed without an answer.
    Close,
    /// The connection is reset (RST) without an answer.
    Reset,
    /// A 64 MiB body.
    Huge,
    /// Headers, then one body byte every 200 ms (slowloris).
    Slow,
    /// The answer is held back for `stall` before it is sent (or dropped,
    /// should the client hang up first).
    Stall,
    /// Valid signature, `result` nested 100,000 levels deep.
    DeepJson,
    /// Invalid UTF-8 inside the JSON.
    InvalidUtf8,
    /// HTTP 302 to another host (`redirect_to`).
    Redirect,
    /// Signed API error 8 (request limit reached); the call is not executed.
    RateLimit,
    /// Randomly one of Reset, Close, Http500, Http502, Stall.
    Storm,
}

impl Fault {
    /// Every mode with its command-line name.
    pub const ALL: &'static [(&'static str, Fault)] = &[
        ("none", Fault::None),
        ("http500", Fault::Http500),
        ("http502", Fault::Http502),
        ("wrong-hash", Fault::WrongHash),
        ("magic-hash", Fault::MagicHash),
        ("missing-hash", Fault::MissingHash),
        ("nonstring-hash", Fault::NonStringHash),
        ("string-code", Fault::StringCode),
        ("truncate", Fault::Truncate),
        ("non-json", Fault::NonJson),
        ("close", Fault::Close),
        ("reset", Fault::Reset),
        ("huge", Fault::Huge),
        ("slow", Fault::Slow),
        ("stall", Fault::Stall),
        ("deep-json", Fault::DeepJson),
        ("invalid-utf8", Fault::InvalidUtf8),
        ("redirect", Fault::Redirect),
        ("rate-limit", Fault::RateLimit),
        ("storm", Fault::Storm),
    ];

    /// Parses a command-line name such as `wrong-hash`.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        Fault::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("none")
    }
}

/// Which fault fires, how often, and added latency.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    /// The fault.
    pub mode: Fault,
    /// Probability (0..=1) that an API request gets the fault.
    pub rate: f64,
    /// Latency added to every API answer (e.g. 20 ms for batch benchmarks).
    pub delay: Duration,
    /// How long `Stall` (and `Storm`'s stall) holds an answer. A client
    /// that hangs up ends the stall early, so a stall far longer than the
    /// client's timeout can only end with that timeout, and costs no
    /// server thread beyond it.
    pub stall: Duration,
}

impl Default for FaultConfig {
    fn default() -> FaultConfig {
        FaultConfig {
            mode: Fault::None,
            rate: 1.0,
            delay: Duration::ZERO,
            stall: Duration::from_secs(5),
        }
    }
}

/// Parses `mode=..&rate=..&delay_ms=..&stall_ms=..` into a fault setting,
/// starting from `current` for the fields not given.
pub fn parse_fault_form(body: &[u8], current: &FaultConfig) -> Result<FaultConfig, String> {
    let mut cfg = current.clone();
    for (k, v) in parse_query(body).iter() {
        let Value::Str(v) = v else {
            return Err(format!("bad value for {k}"));
        };
        match k {
            "mode" => {
                cfg.mode = Fault::from_name(v).ok_or_else(|| {
                    let names: Vec<&str> = Fault::ALL.iter().map(|(n, _)| *n).collect();
                    format!("unknown fault mode {v:?}; modes: {}", names.join(", "))
                })?
            }
            "rate" => {
                cfg.rate = v
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or("rate must be a number between 0 and 1")?
            }
            "delay_ms" => cfg.delay = Duration::from_millis(v.parse().map_err(|_| "bad delay_ms")?),
            "stall_ms" => cfg.stall = Duration::from_millis(v.parse().map_err(|_| "bad stall_ms")?),
            other => return Err(format!("unknown field {other:?}")),
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_round_trip() {
        for (name, f) in Fault::ALL {
            assert_eq!(Fault::from_name(name), Some(*f));
            assert_eq!(f.name(), *name);
        }
        assert_eq!(Fault::from_name("nope"), None);
    }

    #[test]
    fn fault_form() {
        let base = FaultConfig::default();
        let c = parse_fault_form(b"mode=storm&rate=0.5&delay_ms=20&stall_ms=100", &base).unwrap();
        assert_eq!(c.mode, Fault::Storm);
        assert_eq!(c.rate, 0.5);
        assert_eq!(c.delay, Duration::from_millis(20));
        assert_eq!(c.stall, Duration::from_millis(100));
        assert!(parse_fault_form(b"mode=x", &base).is_err());
        assert!(parse_fault_form(b"rate=2", &base).is_err());
        assert!(parse_fault_form(b"bogus=1", &base).is_err());
    }
}
