//! Lets `cargo test --workspace` link this crate against the interpreter's libpython (pyenv keeps
//! it outside the system library path).
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
