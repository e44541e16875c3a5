//! Why a call failed: at the boundary (a NULL argument, a panic) or in the
//! core (an [`Error`]), and the status and message each gives.

use crate::error::Error;

use super::codes::jc_status;

/// Why a call failed at the boundary or in the core.
pub(super) enum Failure {
    Null(String),
    Core(Error),
    Panic(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Core(e)
    }
}

impl Failure {
    pub(super) fn status(&self) -> jc_status {
        match self {
            Failure::Null(_) => jc_status::JC_ERR_NULL_ARGUMENT,
            Failure::Panic(_) => jc_status::JC_ERR_PANIC,
            Failure::Core(e) => match e {
                Error::InvalidArgument(_) => jc_status::JC_ERR_INVALID_ARGUMENT,
                Error::Transport(_) => jc_status::JC_ERR_TRANSPORT,
                Error::Timeout(_) => jc_status::JC_ERR_TIMEOUT,
                Error::HttpStatus { .. } => jc_status::JC_ERR_HTTP_STATUS,
                Error::BadResponse(_) => jc_status::JC_ERR_BAD_RESPONSE,
                Error::BadSignature(_) => jc_status::JC_ERR_BAD_SIGNATURE,
                Error::Api { .. } => jc_status::JC_ERR_API,
                Error::Panic(_) => jc_status::JC_ERR_PANIC,
            },
        }
    }

    pub(super) fn message(&self) -> String {
        match self {
            Failure::Null(m) | Failure::Panic(m) => m.clone(),
            Failure::Core(e) => e.to_string(),
        }
    }
}
