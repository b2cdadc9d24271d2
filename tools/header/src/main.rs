//! `make header` writes `include/journey.h`; `make check-header` (run by `make test`) fails when the
//! committed header differs from what cbindgen generates from `ffi/`.
//!
//! cbindgen lives here rather than as a build-dependency of the ABI crate, so that building
//! libjourney does not pay for it.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ffi = root.join("ffi");
    let header = root.join("include/journey.h");
    let config = match cbindgen::Config::from_file(ffi.join("cbindgen.toml")) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("cannot read ffi/cbindgen.toml: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bindings = match cbindgen::Builder::new().with_crate(&ffi).with_config(config).generate() {
        Ok(bindings) => bindings,
        Err(e) => {
            eprintln!("cbindgen failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    if std::env::args().any(|a| a == "--check") {
        let committed = std::fs::read(&header).unwrap_or_default();
        if committed != generated {
            eprintln!("include/journey.h is out of date: run `make header` and commit it");
            return ExitCode::FAILURE;
        }
        println!("include/journey.h is current");
    } else if let Err(e) = std::fs::write(&header, generated) {
        eprintln!("cannot write {}: {e}", header.display());
        return ExitCode::FAILURE;
    } else {
        println!("wrote include/journey.h");
    }
    ExitCode::SUCCESS
}
