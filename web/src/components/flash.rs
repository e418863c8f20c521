//! The outcome banner, as the AWS console shows it: red with the error code
//! and AWS's message, or green for a success.

use yew::prelude::*;

use crate::state::{Flash, FlashKind};

#[derive(Properties, PartialEq)]
pub struct FlashProps {
    pub flash: Option<Flash>,
    pub on_dismiss: Callback<()>,
}

#[function_component(FlashBanner)]
pub fn flash_banner(p: &FlashProps) -> Html {
    let Some(flash) = &p.flash else { return html! {} };
    let (class, role) = match flash.kind {
        FlashKind::Error => ("flash error", "alert"),
        FlashKind::Success => ("flash success", "status"),
    };
    let dismiss = p.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class={class} role={role} key={flash.serial.to_string()} data-testid="flash">
            <span>{ &flash.text }</span>
            <button type="button" onclick={dismiss} aria-label="Dismiss">{ "✕" }</button>
        </div>
    }
}
