//! The playground's entry point for trunk: mounts the app (see `lib.rs`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    decouple_web::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("decouple-web runs in a browser: build it with `trunk build --release` (see scripts/run.sh).");
}
