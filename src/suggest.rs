//! "Did you mean" hints for unknown parameter and field names: one bounded
//! implementation for the method table and UpdateGood's fields.

/// Longest name (in bytes) for which "did you mean" is computed: API names
/// are at most ~30 bytes, so anything longer cannot be a typo of one, and a
/// hostile multi-megabyte name costs one length check.
pub(crate) const SUGGEST_MAX_LEN: usize = 64;

/// The candidate closest to `key` (case-insensitive equal first, then an
/// edit distance of at most 2, then one being the other plus a `word_`
/// prefix), or `None`. Bounded: names longer than
/// [`SUGGEST_MAX_LEN`] get no suggestion and the distance is computed in a
/// band, so the cost is O(candidates × len) at most.
pub(crate) fn suggest<'a>(
    key: &str,
    candidates: impl Iterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    if key.len() > SUGGEST_MAX_LEN {
        return None;
    }
    candidates
        .clone()
        .find(|c| c.eq_ignore_ascii_case(key))
        .or_else(|| candidates.clone().find(|c| within_distance(c, key, 2)))
        .or_else(|| {
            // `lead_email` where the method wants `email` (GetLeadGroupStatuses)
            // and the reverse: one name is the other with a `word_` prefix.
            let under = |long: &str, short: &str| {
                long.len() > short.len() + 1
                    && long.ends_with(short)
                    && long.as_bytes()[long.len() - short.len() - 1] == b'_'
            };
            candidates
                .into_iter()
                .find(|c| under(key, c) || under(c, key))
        })
}

/// Whether the Levenshtein distance of `a` and `b` is at most `max`,
/// computed only in the diagonal band of width `max` (bytes: names are
/// ASCII; a non-ASCII name simply counts each byte).
pub(crate) fn within_distance(a: &str, b: &str, max: usize) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    #[cfg(test)]
    CELLS.with(|c| c.set(c.get() + a.len().min(SUGGEST_MAX_LEN + 1) * (2 * max + 1)));
    if a.len().abs_diff(b.len()) > max || a.len() > SUGGEST_MAX_LEN || b.len() > SUGGEST_MAX_LEN {
        return false;
    }
    let big = usize::MAX / 2;
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![big; b.len() + 1];
        if i <= max {
            cur[0] = i;
        }
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(b.len());
        for j in lo..=hi {
            cur[j] = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1]))
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[b.len()] <= max
}

#[cfg(test)]
thread_local! {
    /// Distance-table cells computed on this thread: the tests bound the
    /// cost of hostile names with it.
    pub(crate) static CELLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}
