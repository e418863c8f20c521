//! The share link: a URL whose fragment carries this playground's setup
//! (queues, attributes, simulated apps, seed; on the Kinesis page streams,
//! retention, KCL applications and producers), copied to the clipboard and
//! shown for copying by hand.

use yew::prelude::*;

use crate::state::SimRef;
use crate::{browser, persist};

#[cfg(not(feature = "kinesis"))]
const WHAT: &str = "Copied. It recreates the queues, their attributes and the simulated apps (not the messages).";
#[cfg(feature = "kinesis")]
const WHAT: &str = "Copied. It recreates the streams (their shard count and retention), the KCL applications and the \
    running producers (not the records).";

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub sim: SimRef,
}

#[function_component(Share)]
pub fn share(p: &ShareProps) -> Html {
    let link = use_state(|| None::<String>);
    let onclick = {
        let (link, sim) = (link.clone(), p.sim.clone());
        Callback::from(move |_: MouseEvent| {
            let url = format!("{}{}", browser::page_url(), persist::fragment(&persist::setup(&sim.0.borrow())));
            browser::copy(&url);
            link.set(Some(url));
        })
    };
    html! {
        <div class="share">
            <button type="button" {onclick}>{ "Copy share link" }</button>
            if let Some(url) = &*link {
                <label for="share-link" class="sr-only">{ "Share link" }</label>
                <input id="share-link" type="text" readonly=true value={url.clone()} data-testid="share-link" />
                <small>{ WHAT }</small>
            }
        </div>
    }
}
