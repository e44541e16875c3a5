//! The JSON entry points: `Options::from_json` (+ `Client::new`),
//! `Good::from_json` (+ `to_params` + `encode`), `BatchCall::list_from_json`
//! and `Params::from_json` (+ `encode`); byte 0 picks one (see
//! `oracles::check_json`).
#![no_main]

mod oracles;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oracles::check_json(data));
