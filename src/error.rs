//! The one error type of the library and its stable numeric kinds.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as a stable number.
///
/// The numbers are the C ABI's `jc_status` values and are never renumbered;
/// `1` (NULL argument) exists only on the C side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ErrorKind {
    /// A caller-supplied value was rejected before any network traffic.
    InvalidArgument = 2,
    /// DNS, connect, TLS or I/O failure before a response arrived.
    Transport = 3,
    /// The connect timeout or the overall timeout fired.
    Timeout = 4,
    /// The server answered with an HTTP status other than 200.
    HttpStatus = 5,
    /// The body was not a well-formed JustClick answer (not JSON, missing
    /// fields, too large, truncated).
    BadResponse = 6,
    /// The response signature is missing or does not verify: its content is
    /// not trusted.
    BadSignature = 7,
    /// A correctly signed answer with `error_code != 0`.
    Api = 8,
    /// A bug in this library was caught (a call of a batch panicked); the
    /// other calls are not affected.
    Panic = 9,
}

impl ErrorKind {
    /// Short snake_case name, identical to the C ABI's `jc_status_name`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::HttpStatus => "http_status",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::Api => "api",
            ErrorKind::Panic => "panic",
        }
    }

    /// The stable number (same as the C `jc_status`).
    pub fn code(self) -> u32 {
        self as u32
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every failure the library reports.
///
/// Messages are written for a PHP developer reading a log line and never
/// contain the secret. `Error` is `Send + Sync`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Rejected before any network traffic; the message names the argument.
    #[error("{0}")]
    InvalidArgument(String),
    /// DNS, connect, TLS or I/O failure.
    #[error("{0}")]
    Transport(String),
    /// A timeout fired (connect or overall).
    #[error("{0}")]
    Timeout(String),
    /// HTTP status other than 200 (3xx redirects are never followed).
    #[error("{message}")]
    HttpStatus {
        /// The status code the server sent.
        status: u16,
        /// Human-readable description including the status.
        message: String,
    },
    /// Not a well-formed JustClick answer.
    #[error("{0}")]
    BadResponse(String),
    /// Response hash missing or wrong; nothing in the answer was trusted.
    #[error("{0}")]
    BadSignature(String),
    /// The service answered, correctly signed, with `error_code != 0`.
    #[error("JustClick API error {code}: {text}")]
    Api {
        /// The service's `error_code` (e.g. 4 = incorrect hash, 200 = order
        /// does not exist, 8 = request limit reached).
        code: i64,
        /// The service's `error_text`, decoded.
        text: String,
    },
    /// A bug in this library was caught instead of crashing the caller; the
    /// message says where.
    #[error("{0}")]
    Panic(String),
}

impl Error {
    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::HttpStatus { .. } => ErrorKind::HttpStatus,
            Error::BadResponse(_) => ErrorKind::BadResponse,
            Error::BadSignature(_) => ErrorKind::BadSignature,
            Error::Api { .. } => ErrorKind::Api,
            Error::Panic(_) => ErrorKind::Panic,
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Error {
        Error::InvalidArgument(msg.into())
    }
}

/// Shorthand for an `InvalidArgument` result.
pub(crate) fn invalid<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::invalid(msg))
}
