//! Any bytes as a catalog: a typed error or a catalog that loads again from its own JSON.
#![no_main]

use journey_core::{Catalog, Config, Engine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Catalog::from_json(text) {
        Ok(catalog) => {
            let again = Catalog::from_value(catalog.to_json()).expect("a loaded catalog reloads");
            assert_eq!(again, catalog);
            Engine::new(catalog, Config::default()).expect("a loaded catalog makes an engine");
        }
        Err(error) => {
            let code = error.code();
            assert!(matches!(code, "INVALID_CATALOG" | "LIMIT_EXCEEDED"), "{code}");
            let bytes = error.to_json().to_string().len();
            assert!(bytes <= 400 * data.len().max(64), "a {bytes}-byte error for {} bytes", data.len());
        }
    }
});
