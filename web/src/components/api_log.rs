//! The API log: every call as the equivalent AWS CLI command and the raw JSON
//! request and response, with copy buttons; errors highlighted; the newest
//! outcome announced through an ARIA live region.

use yew::prelude::*;

use crate::browser;
use crate::sim::LogEntry;
use crate::state::SimRef;
use crate::timefmt;

/// Most entries drawn (the log keeps more).
const SHOWN: usize = 40;

#[derive(Properties, PartialEq)]
pub struct ApiLogProps {
    pub sim: SimRef,
    /// The log's revision: the view re-renders only when the log changed.
    pub revision: u64,
    /// Embedded pages start with the log folded away.
    pub collapsed: bool,
}

fn copy_button(label: &'static str, text: String) -> Html {
    let onclick = Callback::from(move |_: MouseEvent| browser::copy(&text));
    html! { <button type="button" class="copy" {onclick}>{ label }</button> }
}

/// Most characters of a CLI line or raw message drawn; the copy buttons copy all of it.
const SHOWN_CHARS: usize = 4_000;

/// `text`, cut to [`SHOWN_CHARS`] with a note of what was left out, so a
/// 300 KiB payload does not become 300 KiB of page.
fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… [{rest} more characters: the Copy button copies them all]", &text[..cut])
        }
    }
}

fn entry(e: &LogEntry, start: decouple_engine::SimTime) -> Html {
    html! {
        <li key={e.id} class={classes!("entry", e.error.is_some().then_some("error"))}>
            <div class="head">
                <span class="n">{ format!("#{}", e.id) }</span>
                <span class="at">{ timefmt::relative(e.at.saturating_sub(start)) }</span>
                <b>{ e.action }</b>
                if let Some(actor) = &e.actor { <span class="actor">{ actor }</span> }
            </div>
            <p class="summary">{ &e.summary }</p>
            <div class="cli"><code>{ shown(&e.cli) }</code>{ copy_button("Copy CLI", e.cli.clone()) }</div>
            <details>
                <summary>{ "Raw request and response" }</summary>
                <pre>{ shown(&e.request) }</pre>
                { copy_button("Copy request", e.request.clone()) }
                <pre>{ e.response.as_deref().map_or_else(|| "(waiting for the long poll to finish)".to_string(), shown) }</pre>
                if let Some(r) = &e.response { { copy_button("Copy response", r.clone()) } }
            </details>
        </li>
    }
}

#[function_component(ApiLog)]
pub fn api_log(p: &ApiLogProps) -> Html {
    let sim = p.sim.0.borrow();
    let start = sim.start();
    let latest = sim.log.back().map(|e| e.summary.clone()).unwrap_or_default();
    let entries = sim.log.iter().rev().take(SHOWN).map(|e| entry(e, start));
    let body = html! {
        <>
            <div class="sr-only" aria-live="polite" aria-atomic="true" data-testid="live">{ latest }</div>
            if sim.log.is_empty() { <p class="empty">{ "No calls yet." }</p> }
            <ol class="entries" data-testid="log">{ for entries }</ol>
        </>
    };
    html! {
        <section class="log" aria-labelledby="log-heading">
            if p.collapsed {
                <details>
                    <summary><h2 id="log-heading">{ "API log" }</h2></summary>
                    { body }
                </details>
            } else {
                <h2 id="log-heading">{ "API log" }</h2>
                { body }
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_on_a_character_boundary_and_say_how_much_is_left() {
        assert_eq!(shown("short"), "short");
        let long = "é".repeat(SHOWN_CHARS + 5);
        let cut = shown(&long);
        assert!(cut.starts_with(&"é".repeat(SHOWN_CHARS)));
        assert!(cut.ends_with("… [5 more characters: the Copy button copies them all]"), "{cut}");
    }
}
