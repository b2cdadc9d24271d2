//! Any bytes as a config: a typed error, or a config whose JSON form reads back as itself.
#![no_main]

use journey_core::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Config::from_json(text) {
        Ok(config) => {
            let again = Config::from_value(&config.to_json()).expect("a config's JSON form reads back");
            assert_eq!(again, config);
        }
        Err(error) => {
            assert_eq!(error.code(), "INVALID_CONFIG");
            assert!(error.to_json().to_string().len() <= 2048);
        }
    }
});
