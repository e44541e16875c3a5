//! The argument kinds of [`ffi_fn!`]: each checks one C argument and
//! returns its Rust value, naming the argument in its error.
//!
//! SAFETY (all): a pointer argument is NULL or valid for the call as the
//! header documents (a NUL-terminated string, or a handle from its `_new`
//! not yet freed).

use std::ffi::{c_char, CStr};

use super::failure::Failure;
use super::handles::{jc_client, jc_options};
use crate::client::Client;
use crate::encode::Params;
use crate::error::Error;

/// Largest JSON or byte-buffer argument accepted (16 MiB).
const MAX_JSON_INPUT: usize = 16 << 20;

/// A required string as UTF-8.
pub(crate) unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(Failure::Null(format!("{name} is NULL")));
    }
    let bytes = CStr::from_ptr(p).to_bytes();
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::Core(Error::InvalidArgument(format!(
            "{name} is not valid UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        )))
    })
}

/// Like [`text`], NULL allowed (and `""` treated as not given).
pub(crate) unsafe fn opt_text<'a>(
    p: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Failure> {
    if p.is_null() {
        return Ok(None);
    }
    text(p, name).map(|s| (!s.is_empty()).then_some(s))
}

/// An optional JSON argument: NULL or `""` is not given; UTF-8 and at
/// most 16 MiB.
pub(crate) unsafe fn json<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    let Some(s) = opt_text(p, name)? else {
        return Ok(None);
    };
    if s.len() > MAX_JSON_INPUT {
        return Err(Failure::Core(Error::InvalidArgument(format!(
            "{name} is larger than {MAX_JSON_INPUT} bytes"
        ))));
    }
    Ok(Some(s))
}

/// A required JSON argument: NULL is a NULL argument, `""` is empty.
pub(crate) unsafe fn required_json<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(Failure::Null(format!("{name} is NULL")));
    }
    json(p, name)?.ok_or_else(|| Failure::Core(Error::InvalidArgument(format!("{name} is empty"))))
}

/// The parameters of a call: NULL, `""` or a JSON object (see `jc_call`
/// for what is accepted), as [`Params`].
pub(crate) unsafe fn params(p: *const c_char, name: &str) -> Result<Params, Failure> {
    match json(p, name)? {
        Some(j) => Params::from_json(j).map_err(|e| named(e, name)),
        None => Ok(Params::new()),
    }
}

/// A byte buffer given as a pointer and a length (not NUL-terminated):
/// NULL with `len` 0 is an empty buffer, refused as an invalid argument
/// (no caller means "nothing" by it); NULL with `len` > 0 is a NULL
/// argument. At most 16 MiB, checked before the buffer is touched.
///
/// SAFETY: a non-NULL `p` is valid for reads of `len` bytes.
pub(crate) unsafe fn bytes<'a>(
    p: *const c_char,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Failure> {
    if p.is_null() {
        return Err(if len == 0 {
            Failure::Core(Error::InvalidArgument(format!(
                "{name} is empty (NULL with length 0)"
            )))
        } else {
            Failure::Null(format!("{name} is NULL (with length {len})"))
        });
    }
    if len > MAX_JSON_INPUT {
        return Err(Failure::Core(Error::InvalidArgument(format!(
            "{name} is larger than {MAX_JSON_INPUT} bytes"
        ))));
    }
    Ok(std::slice::from_raw_parts(p.cast::<u8>(), len))
}

/// A required client handle.
pub(crate) unsafe fn client<'a>(c: *const jc_client, _name: &str) -> Result<&'a Client, Failure> {
    if c.is_null() {
        return Err(Failure::Null("client is NULL".into()));
    }
    Ok(&(*c).inner)
}

/// A required options builder, to modify (`jc_options *`).
pub(crate) unsafe fn options_mut<'a>(
    o: *mut jc_options,
    name: &str,
) -> Result<&'a mut jc_options, Failure> {
    if o.is_null() {
        return Err(Failure::Null(format!("{name} is NULL")));
    }
    Ok(&mut *o)
}

/// An optional options builder, read only (`const jc_options *`).
pub(crate) unsafe fn opt_options<'a>(
    o: *const jc_options,
    _name: &str,
) -> Result<Option<&'a jc_options>, Failure> {
    Ok(o.as_ref())
}

/// An argument error prefixed with the argument's name.
pub(crate) fn named(e: Error, name: &str) -> Failure {
    match e {
        Error::InvalidArgument(m) => Failure::Core(Error::InvalidArgument(format!("{name}: {m}"))),
        other => Failure::Core(other),
    }
}
