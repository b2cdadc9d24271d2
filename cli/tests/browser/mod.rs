//! Headless Chromium for the page tests that run under `make test-browser`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser: `$CHROMIUM`, or `chromium` on the `PATH`.
fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

fn headless(height: u32) -> [String; 5] {
    ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", &format!("--window-size=1280,{height}")]
        .map(str::to_owned)
}

/// The DOM of the page at `url` once its scripts have run.
pub fn dom(url: &str, height: u32) -> String {
    let output =
        Command::new(chromium()).args(headless(height)).args(["--dump-dom", url]).output().expect("Chromium runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A screenshot of the page at `url`, in `target/tmp/<file>` (`flow/flow.png`), checked to be a
/// real image.
pub fn screenshot(url: &str, height: u32, file: &str) -> PathBuf {
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join(file);
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&png);
    let output = Command::new(chromium())
        .args(headless(height))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url)
        .output();
    assert!(output.unwrap().status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000, "a real screenshot, {} bytes", bytes.len());
    println!("screenshot: {}", png.display());
    png
}
