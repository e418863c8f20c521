//! The clock bar, always visible: virtual time, play/pause, speed, step,
//! jump to the next deadline (saying what it is), reset and help.

use yew::prelude::*;

use crate::state::{Action, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct ClockBarProps {
    /// Since the start, e.g. `+00:01:30`.
    pub relative: AttrValue,
    pub utc: AttrValue,
    pub playing: bool,
    pub speed: u32,
    /// (in how long, what happens), e.g. ("12s", "orders: msg 3 becomes visible again …").
    pub next: Option<(String, String)>,
    pub on_action: Callback<Action>,
}

#[function_component(ClockBar)]
pub fn clock_bar(p: &ClockBarProps) -> Html {
    let act = |a: fn() -> Action| p.on_action.reform(move |_: MouseEvent| a());
    html! {
        <header class="clock" aria-label="Virtual clock">
            <div class="time">
                <span class="rel" aria-label="Virtual time since start" data-testid="clock-rel">{ &p.relative }</span>
                <span class="utc" data-testid="clock-utc">{ &p.utc }</span>
            </div>
            <div class="controls">
                <button type="button" class="primary" onclick={act(|| Action::TogglePlay)}
                    aria-keyshortcuts="Space" title="Play / pause (Space)">
                    { if p.playing { "‖ Pause" } else { "▶ Play" } }
                </button>
                <div class="speeds" role="group" aria-label="Speed">
                    { for SPEEDS.iter().enumerate().map(|(i, &s)| {
                        let onclick = p.on_action.reform(move |_: MouseEvent| Action::SetSpeed(s));
                        html! {
                            <button type="button" aria-pressed={(p.speed == s).to_string()} {onclick}
                                title={format!("{s}× speed (key {})", i + 1)}>{ format!("{s}×") }</button>
                        }
                    }) }
                </div>
                <button type="button" onclick={act(|| Action::Step)} title="Step one virtual second (S)"
                    aria-keyshortcuts="S">{ "+1 s" }</button>
                <button type="button" onclick={act(|| Action::NextDeadline)} disabled={p.next.is_none()}
                    title="Jump to the next deadline (N)" aria-keyshortcuts="N">{ "⇥ Next deadline" }</button>
                <button type="button" onclick={act(|| Action::Reset)} title="Reset everything (R)"
                    aria-keyshortcuts="R">{ "↺ Reset" }</button>
                <button type="button" onclick={act(|| Action::ToggleHelp)} title="Keyboard shortcuts (?)"
                    aria-keyshortcuts="?" aria-label="Keyboard shortcuts">{ "?" }</button>
            </div>
            <p class="next" data-testid="next-deadline">
                { match &p.next {
                    Some((when, what)) => html! { <>{ "Next: " }<b>{ format!("in {when}") }</b>{ " — " }{ what }</> },
                    None => html! { "Nothing scheduled." },
                } }
            </p>
        </header>
    }
}
