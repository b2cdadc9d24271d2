//! Gives `libjourney.so` the SONAME `libjourney.so.<major>`, so that a program linked against it
//! records the ABI generation it was built for and keeps loading across compatible upgrades
//! (`make install` puts the versioned file and its two symlinks in place).

fn main() {
    let is_linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if is_linux {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the package version");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libjourney.so.{major}");
    }
}
