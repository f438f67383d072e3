//! Embeds the built UI (ui/dist) and generates the Tauri context at build time, so a changed
//! UI rebuilds the app without touching its Rust code.

use std::path::Path;

fn main() {
    // `cargo test --workspace` must work on a checkout where the UI was never built
    // (no Node there); such a binary shows a page that says how to build the screens.
    if !Path::new("../ui/dist/index.html").exists() {
        println!("cargo:warning=ui/dist is missing; the window will say the screens were not built (run `npm run build` in ui/)");
        let overlay = r#"{"build":{"frontendDist":"fallback-ui"}}"#;
        // Only this build script reads it (tauri-build merges it into tauri.conf.json).
        std::env::set_var("TAURI_CONFIG", overlay);
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    let attributes = tauri_build::Attributes::new().codegen(tauri_build::CodegenContext::new());
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {e:#}");
    }
}
