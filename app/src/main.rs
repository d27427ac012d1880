//! Entry point: install the panic hook and mount the app. Everything else lives in `lib.rs`
//! so that browser tests can mount the same components.

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        hakoniwa_app::crash::show();
    }));
    leptos::mount::mount_to_body(hakoniwa_app::App);
}
