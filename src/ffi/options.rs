//! The options builder (`jc_options_*`, issue 13 point 2): configuration
//! for `jc_client_new_with_options` without writing JSON. Empty for now; its
//! exports go through `ffi_fn!` like every other (`handle(out)` for
//! `jc_options_new`, `status` for the setters, `free(o)` for
//! `jc_options_free`).
