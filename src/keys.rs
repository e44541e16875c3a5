//! Which parameter names PHP drops: one rule, used both by the encoder
//! (which refuses such names, since the service would never see them) and
//! by the parse of a form body (which drops them, as PHP does).

/// PHP's cookie-prefix rule (CVE-2022-31629, PHP 8.1.11+): a variable is
/// dropped when one of its keys (the mangled top-level name or any array
/// key) starts with `__Host-` or `__Secure-` (case-sensitive) while the
/// name as sent (`name`, leading spaces removed) does not start with that
/// same prefix. So `a[__Host-x]` is dropped, `__Host-a[__Host-x]` is kept.
pub(crate) fn is_forbidden_key(key: &[u8], name: &[u8]) -> bool {
    [&b"__Host-"[..], b"__Secure-"]
        .iter()
        .any(|p| key.starts_with(p) && !name.starts_with(p))
}
