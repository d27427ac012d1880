//! Entry point: install the panic hook and mount the app. Everything else lives in `lib.rs`
//! so that browser tests can mount the same components. A share link is inflated first (the
//! browser does that asynchronously), then the app starts with it.

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        hakoniwa_app::crash::show();
    }));
    match hakoniwa_app::share::fragment() {
        Some(packed) => hakoniwa_app::share::unpack(&packed, |text| {
            hakoniwa_app::share::clear_fragment();
            leptos::mount::mount_to_body(move || leptos::view! { <hakoniwa_app::App shared=text /> });
        }),
        None => leptos::mount::mount_to_body(|| leptos::view! { <hakoniwa_app::App /> }),
    }
}
