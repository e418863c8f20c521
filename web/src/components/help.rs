//! The keyboard-shortcut overlay (`?`).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "Play / pause the clock"),
    ("N", "Jump to the next deadline"),
    ("S", "Step one virtual second"),
    ("R", "Reset (same seed: the same run again)"),
    ("1 2 3 4", "Speed 1×, 10×, 60×, 600×"),
    ("?", "Show / hide this help"),
    ("Esc", "Close this help"),
];

#[function_component(Help)]
pub fn help(p: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    {
        // Move focus into the dialog so keyboard users land on it.
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(el) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let close = p.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title">
            <div class="dialog">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl class="keys">
                    { for SHORTCUTS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <p>{ "Shortcuts work anywhere except while typing in a field." }</p>
                <button type="button" ref={close_ref} onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
