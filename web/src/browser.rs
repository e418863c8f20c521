//! The few things only a browser does: the animation-frame loop that asks the
//! engine to advance, keyboard shortcuts, the clipboard, local storage and the
//! URL fragment, the panic banner, and frame timings for the benchmark. On other targets (the host build that
//! `cargo clippy --all-targets` and `cargo test` compile) they do nothing.

#[cfg(target_arch = "wasm32")]
mod imp {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    fn window() -> Option<web_sys::Window> {
        web_sys::window()
    }

    fn now() -> f64 {
        window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }

    thread_local! {
        /// When the current frame's update began (performance.now()).
        static FRAME_START: Cell<Option<f64>> = const { Cell::new(None) };
    }

    /// The frame callback, shared so that it can re-request itself.
    type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

    /// Calls `tick(real_ms)` on every animation frame until dropped.
    pub struct Animation {
        alive: Rc<Cell<bool>>,
    }

    impl Animation {
        pub fn start(tick: impl Fn(f64) + 'static) -> Animation {
            let alive = Rc::new(Cell::new(true));
            let slot: FrameSlot = Rc::new(RefCell::new(None));
            let (alive2, slot2) = (alive.clone(), slot.clone());
            let last = Cell::new(None::<f64>);
            *slot.borrow_mut() = Some(Closure::new(move |t: f64| {
                if !alive2.get() {
                    // Break the closure's reference cycle so it is freed.
                    slot2.borrow_mut().take();
                    return;
                }
                if let Some(prev) = last.replace(Some(t)) {
                    FRAME_START.with(|s| s.set(Some(now())));
                    tick(t - prev);
                }
                request_frame(&slot2);
            }));
            request_frame(&slot);
            Animation { alive }
        }
    }

    fn request_frame(slot: &FrameSlot) {
        if let (Some(w), Some(f)) = (window(), slot.borrow().as_ref()) {
            let _ = w.request_animation_frame(f.as_ref().unchecked_ref());
        }
    }

    impl Drop for Animation {
        fn drop(&mut self) {
            self.alive.set(false);
        }
    }

    /// Records how long the frame's update + render took, into
    /// `window.__decoupleFrameTimes` (the benchmark reads it).
    pub fn frame_rendered() {
        let Some(start) = FRAME_START.with(|s| s.take()) else { return };
        let Some(w) = window() else { return };
        let key = JsValue::from_str("__decoupleFrameTimes");
        let times = match js_sys::Reflect::get(&w, &key).ok().and_then(|v| v.dyn_into::<js_sys::Array>().ok()) {
            Some(a) => a,
            None => {
                let a = js_sys::Array::new();
                let _ = js_sys::Reflect::set(&w, &key, &a);
                a
            }
        };
        if times.length() >= 10_000 {
            times.shift();
        }
        times.push(&JsValue::from_f64(now() - start));
    }

    /// Lets chips that changed state glide from their old place
    /// (`window.__decoupleFlip`, defined in index.html).
    pub fn animate_moves() {
        let Some(w) = window() else { return };
        let flip = js_sys::Reflect::get(&w, &JsValue::from_str("__decoupleFlip")).ok();
        if let Some(f) = flip.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            let _ = f.call0(&JsValue::NULL);
        }
    }

    /// Marks the first interactive render: `performance.mark("decouple-ready")`
    /// and `<html data-ready>`, which tests and the benchmark wait for.
    pub fn mark_ready() {
        let Some(w) = window() else { return };
        if let Some(p) = w.performance() {
            let _ = p.mark("decouple-ready");
        }
        if let Some(root) = w.document().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-ready", "1");
        }
    }

    /// Calls `on_key(key)` for keys pressed outside form fields, until dropped.
    pub struct Keys {
        listener: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
    }

    impl Keys {
        pub fn listen(on_key: impl Fn(&str) -> bool + 'static) -> Keys {
            let listener = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
                    return;
                }
                let tag = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| el.tag_name())
                    .unwrap_or_default();
                // Typing in a field is typing, and space on a button presses it.
                if matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || (e.key() == " " && matches!(tag.as_str(), "BUTTON" | "SUMMARY" | "A"))
                {
                    return;
                }
                if on_key(&e.key()) {
                    e.prevent_default();
                }
            });
            if let Some(d) = window().and_then(|w| w.document()) {
                let _ = d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
            Keys { listener }
        }
    }

    impl Drop for Keys {
        fn drop(&mut self) {
            if let Some(d) = window().and_then(|w| w.document()) {
                let _ = d.remove_event_listener_with_callback("keydown", self.listener.as_ref().unchecked_ref());
            }
        }
    }

    pub fn copy(text: &str) {
        if let Some(w) = window() {
            // Fails quietly outside a secure context or without permission; the
            // text is on screen to select anyway. The handler is leaked: a few
            // bytes per click, and a rejection never reaches the console as an error.
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = w.navigator().clipboard().write_text(text).catch(&ignore);
            ignore.forget();
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        // Throws where storage is blocked (some iframes, private modes): then there is none.
        window().and_then(|w| w.local_storage().ok().flatten())
    }

    pub fn storage_get(key: &str) -> Option<String> {
        storage().and_then(|s| s.get_item(key).ok().flatten())
    }

    pub fn storage_set(key: &str, value: &str) {
        if let Some(s) = storage() {
            // A full quota is not worth a crash: the playground still works, unsaved.
            let _ = s.set_item(key, value);
        }
    }

    pub fn storage_remove(key: &str) {
        if let Some(s) = storage() {
            let _ = s.remove_item(key);
        }
    }

    /// `decouple.playground:/labs/sqs/?lesson=2`: this page's local-storage key.
    pub fn storage_key(prefix: &str) -> String {
        let Some(w) = window() else { return prefix.to_string() };
        let loc = w.location();
        format!("{prefix}{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default())
    }

    /// The URL fragment, with its `#`.
    pub fn location_hash() -> String {
        window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
    }

    /// Drops the fragment from the address bar (without reloading), so a
    /// reload after opening a share link keeps the learner's own progress.
    pub fn clear_hash() {
        let Some(w) = window() else { return };
        let loc = w.location();
        let url = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
        if let Ok(history) = w.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }

    /// This page's URL without its fragment: the base of a share link.
    pub fn page_url() -> String {
        let Some(w) = window() else { return String::new() };
        let href = w.location().href().unwrap_or_default();
        href.split('#').next().unwrap_or_default().to_string()
    }

    /// Calls `f` when the page is hidden or left (the moment to save).
    pub struct PageHide {
        listener: Closure<dyn FnMut(web_sys::Event)>,
    }

    impl PageHide {
        pub fn listen(f: impl Fn() + 'static) -> PageHide {
            let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| f());
            if let Some(w) = window() {
                let _ = w.add_event_listener_with_callback("pagehide", listener.as_ref().unchecked_ref());
                if let Some(d) = w.document() {
                    let _ = d.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
                }
            }
            PageHide { listener }
        }
    }

    impl Drop for PageHide {
        fn drop(&mut self) {
            if let Some(w) = window() {
                let _ = w.remove_event_listener_with_callback("pagehide", self.listener.as_ref().unchecked_ref());
                if let Some(d) = w.document() {
                    let _ = d.remove_event_listener_with_callback(
                        "visibilitychange",
                        self.listener.as_ref().unchecked_ref(),
                    );
                }
            }
        }
    }

    /// The page's query string has `name=1`.
    pub fn query_flag(name: &str) -> bool {
        let search = window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        search.trim_start_matches('?').split('&').any(|kv| kv == format!("{name}=1"))
    }

    /// Reports panics in the page (a visible banner) and the console, instead
    /// of leaving a frozen app with no explanation.
    pub fn install_panic_hook() {
        std::panic::set_hook(Box::new(|info| {
            let text = format!("Decouple stopped because of a bug: {info}. Reload the page to start again.");
            web_sys::console::error_1(&JsValue::from_str(&text));
            if let Some(banner) = window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("panic")) {
                banner.set_text_content(Some(&text));
                let _ = banner.remove_attribute("hidden");
            }
        }));
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    /// Stands in for the browser's handles, which stop their work when dropped.
    macro_rules! stops_on_drop {
        ($($t:ident),*) => {$(impl Drop for $t { fn drop(&mut self) {} })*};
    }
    stops_on_drop!(Animation, Keys, PageHide);

    pub struct PageHide;
    impl PageHide {
        pub fn listen(_f: impl Fn() + 'static) -> PageHide {
            PageHide
        }
    }
    pub fn storage_get(_key: &str) -> Option<String> {
        None
    }
    pub fn storage_set(_key: &str, _value: &str) {}
    pub fn storage_remove(_key: &str) {}
    pub fn storage_key(prefix: &str) -> String {
        prefix.to_string()
    }
    pub fn location_hash() -> String {
        String::new()
    }
    pub fn clear_hash() {}
    pub fn page_url() -> String {
        String::new()
    }

    pub struct Animation;
    impl Animation {
        pub fn start(_tick: impl Fn(f64) + 'static) -> Animation {
            Animation
        }
    }
    pub struct Keys;
    impl Keys {
        pub fn listen(_on_key: impl Fn(&str) -> bool + 'static) -> Keys {
            Keys
        }
    }
    pub fn frame_rendered() {}
    pub fn animate_moves() {}
    pub fn mark_ready() {}
    pub fn copy(_text: &str) {}
    pub fn query_flag(_name: &str) -> bool {
        false
    }
    pub fn install_panic_hook() {}
}

pub use imp::*;
