//! Sets up linking of the Node addon (napi_* symbols are resolved by node at load time).
fn main() {
    napi_build::setup();
}
