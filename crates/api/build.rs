//! Rebuilds the crate when the built web UI changes, so the binary embeds the latest
//! `ui/dist` (the embedding itself happens in `src/ui.rs`).

use std::path::Path;

fn main() {
    let dist = Path::new("../../ui/dist");
    if dist.exists() {
        println!("cargo:rerun-if-changed=../../ui/dist");
    } else {
        // Not built yet: watch the UI folder so that building it is noticed.
        println!("cargo:rerun-if-changed=../../ui");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
