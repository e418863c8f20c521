//! SNS mobile push (the SNS page): platform applications — the stand-ins for
//! Firebase Cloud Messaging (`GCM`), APNs and the other push services — and
//! their device endpoints as simulated phones showing what they received.
//! A learner creates an application, registers devices with a token,
//! publishes straight to one device (Publish with `TargetArn`), disables or
//! deletes it, and can subscribe a topic to a device with the `application`
//! protocol in the topic's subscribe form.
//!
//! Read from `engine.sns_state()`; every change is an SNS query request.

use decouple_engine::sns::platform::{PlatformApplication, PlatformEndpoint, PLATFORMS};
use serde_json::{json, Value};
use yew::prelude::*;

use super::{dom_id, select_value, Field};
use crate::api::ApiRequest;
use crate::state::{Action, SimRef};
use crate::timefmt;

/// Notifications shown per device (the newest); the device keeps more.
const SHOWN: usize = 3;

/// The push service each platform name stands for, as the console labels them.
fn service_name(platform: &str) -> &'static str {
    match platform {
        "GCM" => "Firebase Cloud Messaging",
        "APNS" => "Apple Push Notification service",
        "APNS_SANDBOX" => "APNs sandbox",
        "APNS_VOIP" | "APNS_VOIP_SANDBOX" => "APNs VoIP",
        "MACOS" | "MACOS_SANDBOX" => "APNs for macOS",
        "ADM" => "Amazon Device Messaging",
        "BAIDU" => "Baidu Cloud Push",
        "WNS" => "Windows Push Notification Services",
        "MPNS" => "Microsoft Push Notification Service",
        _ => "push service",
    }
}

#[derive(Clone, PartialEq)]
struct AppForm {
    name: String,
    platform: String,
    credential: String,
    principal: String,
}

/// CreatePlatformApplication's attributes: FCM takes only a credential (the
/// server key); the others take a principal with it (certificate or key id).
fn application_attributes(f: &AppForm) -> Value {
    let mut attributes = serde_json::Map::new();
    if !f.credential.is_empty() {
        attributes.insert("PlatformCredential".into(), json!(f.credential));
    }
    if !f.principal.is_empty() && f.platform != "GCM" {
        attributes.insert("PlatformPrincipal".into(), json!(f.principal));
    }
    Value::Object(attributes)
}

#[derive(Properties, PartialEq)]
pub struct DevicesProps {
    pub sim: SimRef,
    pub version: u64,
    pub on_action: Callback<Action>,
}

/// The mobile push section: the create form and a card per application.
#[function_component(Devices)]
pub fn devices(p: &DevicesProps) -> Html {
    let form = use_state(|| AppForm {
        name: "orders-app".into(),
        platform: "GCM".into(),
        credential: "firebase-server-key".into(),
        principal: "signing-certificate".into(),
    });
    let onsubmit = {
        let (form, on_action) = (form.clone(), p.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = form.name.trim().to_string();
            let request = ApiRequest::sns(
                "CreatePlatformApplication",
                [
                    ("Name", json!(name)),
                    ("Platform", json!(form.platform)),
                    ("Attributes", application_attributes(&form)),
                ],
            );
            let success = format!("Platform application {name} created.");
            on_action.emit(Action::Call { request, success: Some(success) });
        })
    };
    let on_platform = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.platform = select_value(&e);
            form.set(f);
        })
    };
    let f = (*form).clone();
    let sim = p.sim.0.borrow();
    let apps: Vec<String> = sim.engine.sns_state().platform_applications().map(|a| a.arn.clone()).collect();
    drop(sim);
    html! {
        <section id="mobile" class="mobile" aria-labelledby="mobile-heading">
            <h2 id="mobile-heading">{ "Mobile push" }</h2>
            <p class="hint">
                { "A platform application holds your credentials for a push service; each device that installs \
                   your app registers its token as an endpoint. Publish to one device, or subscribe a topic to it \
                   (protocol application). Credentials are not checked here; AWS checks them with the push service." }
            </p>
            <form class="create-inline" {onsubmit} novalidate=true aria-label="Create platform application">
                <Field id="platform-app-name" label="Application name" value={f.name.clone()}
                    hint="Up to 256 characters: letters, digits, _ - ." oninput={super::setter(&form, |f, v| f.name = v)} />
                <div class="field">
                    <label for="platform-app-platform">{ "Push service" }</label>
                    <select id="platform-app-platform" onchange={on_platform}>
                        { for PLATFORMS.iter().map(|p| html! {
                            <option value={*p} selected={f.platform == *p}>{ format!("{p} ({})", service_name(p)) }</option>
                        }) }
                    </select>
                </div>
                <Field id="platform-app-credential" label="PlatformCredential" value={f.credential.clone()}
                    hint={if f.platform == "GCM" { "The FCM server key" } else { "The private key or signing key" }}
                    oninput={super::setter(&form, |f, v| f.credential = v)} />
                if f.platform != "GCM" {
                    <Field id="platform-app-principal" label="PlatformPrincipal" value={f.principal.clone()}
                        hint="The certificate or signing key id"
                        oninput={super::setter(&form, |f, v| f.principal = v)} />
                }
                <button type="submit" class="primary">{ "Create platform application" }</button>
            </form>
            if apps.is_empty() {
                <p class="empty">{ "No platform applications yet." }</p>
            }
            { for apps.into_iter().map(|arn| html! {
                <AppCard key={arn.clone()} arn={arn.clone()} sim={p.sim.clone()} version={p.version}
                    on_action={p.on_action.clone()} />
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct AppCardProps {
    pub arn: AttrValue,
    pub sim: SimRef,
    pub version: u64,
    pub on_action: Callback<Action>,
}

#[function_component(AppCard)]
fn app_card(p: &AppCardProps) -> Html {
    let token = use_state(|| "device-token-1".to_string());
    let sim = p.sim.0.borrow();
    let state = sim.engine.sns_state();
    let Some(app) = state.platform_applications().find(|a| a.arn == p.arn.as_str()) else { return html! {} };
    let name = app.name.clone();
    let delete = {
        let (on_action, arn, name) = (p.on_action.clone(), app.arn.clone(), name.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::sns("DeletePlatformApplication", [("PlatformApplicationArn", json!(arn))]);
            on_action.emit(Action::Call { request, success: Some(format!("Platform application {name} deleted.")) })
        })
    };
    let register = {
        let (on_action, arn, token) = (p.on_action.clone(), app.arn.clone(), token.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = ApiRequest::sns(
                "CreatePlatformEndpoint",
                [("PlatformApplicationArn", json!(arn)), ("Token", json!(token.trim()))],
            );
            on_action
                .emit(Action::Call { request, success: Some("Device registered: an endpoint was created.".into()) })
        })
    };
    let devices: Vec<&PlatformEndpoint> =
        app.endpoints.values().filter_map(|arn| state.platform_endpoint(arn)).collect();
    let token_id = dom_id("device-token", &name);
    html! {
        <article class="card platform-app" data-app={name.clone()} aria-label={format!("Platform application {name}")}>
            <header>
                <h2>{ &name }</h2>
                <span class="badge">{ &app.platform }</span>
                <div class="card-actions">
                    <button type="button" class="danger" onclick={delete}>{ "Delete application" }</button>
                </div>
            </header>
            <p class="url"><code>{ &app.arn }</code></p>
            <form class="inline" onsubmit={register} novalidate=true aria-label={format!("Register a device with {name}")}>
                <label for={token_id.clone()}>{ "Device token" }</label>
                <input id={token_id} type="text" value={(*token).clone()}
                    oninput={let token = token.clone(); Callback::from(move |e: InputEvent| token.set(super::input_value(&e)))} />
                <button type="submit">{ "Register device" }</button>
            </form>
            if devices.is_empty() {
                <p class="empty">{ "No devices: register one with the token the push service gave the app." }</p>
            }
            <ul class="devices">
                { for devices.into_iter().map(|d| device(app, d, &sim, &p.on_action)) }
            </ul>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct PushFormProps {
    endpoint_arn: AttrValue,
    label: AttrValue,
    on_action: Callback<Action>,
}

/// Publish with `TargetArn`: one message to one device.
#[function_component(PushForm)]
fn push_form(p: &PushFormProps) -> Html {
    let message = use_state(|| "Your order has shipped".to_string());
    let onsubmit = {
        let (message, on_action, arn) = (message.clone(), p.on_action.clone(), p.endpoint_arn.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request =
                ApiRequest::sns("Publish", [("TargetArn", json!(arn.as_str())), ("Message", json!(*message))]);
            on_action.emit(Action::Call { request, success: Some("Pushed to the device.".into()) })
        })
    };
    let id = format!("push-{}", p.endpoint_arn.rsplit('/').next().unwrap_or_default());
    html! {
        <form class="inline" {onsubmit} novalidate=true aria-label={format!("Push to {}", p.label)}>
            <label for={id.clone()}>{ "Message" }</label>
            <input id={id} type="text" value={(*message).clone()}
                oninput={let message = message.clone(); Callback::from(move |e: InputEvent| message.set(super::input_value(&e)))} />
            <button type="submit">{ "Push to device" }</button>
        </form>
    }
}

fn device(
    app: &PlatformApplication,
    d: &PlatformEndpoint,
    sim: &crate::sim::Sim,
    on_action: &Callback<Action>,
) -> Html {
    let token = d.attributes.get("Token").cloned().unwrap_or_default();
    let enabled = d.enabled();
    let set_enabled = {
        let (on_action, arn) = (on_action.clone(), d.arn.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::sns(
                "SetEndpointAttributes",
                [
                    ("EndpointArn", json!(arn)),
                    ("Attributes", json!({"Enabled": if enabled { "false" } else { "true" }})),
                ],
            );
            on_action.emit(Action::Call { request, success: None })
        })
    };
    let delete = {
        let (on_action, arn) = (on_action.clone(), d.arn.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::sns("DeleteEndpoint", [("EndpointArn", json!(arn))]);
            on_action.emit(Action::Call { request, success: Some("Endpoint deleted.".into()) })
        })
    };
    let label = format!("{} device {token}", app.platform);
    html! {
        <li class={classes!("device", (!enabled).then_some("disabled"))} key={d.arn.clone()} data-testid="device"
            aria-label={label.clone()}>
            <div class="device-head">
                <span class="phone" aria-hidden="true"></span>
                <b>{ &token }</b>
                <span class={classes!("status", if enabled { "confirmed" } else { "pending" })} data-testid="device-status">
                    { if enabled { "Enabled" } else { "Disabled" } }
                </span>
            </div>
            <p class="url"><code>{ &d.arn }</code></p>
            if !enabled {
                <p class="hint">{ "Disabled: Publish to it fails with EndpointDisabled, and a topic's notifications to it fail \
                    without retries. SNS disables endpoints the push service reports as uninstalled." }</p>
            }
            <p class="sub-meta" data-testid="device-received">{ format!("Received {}", d.received.len()) }</p>
            <ul class="inbox">
                { for d.received.iter().rev().take(SHOWN).map(|n| html! {
                    <li>
                        <span class="at">{ timefmt::relative(n.at.saturating_sub(sim.start())) }</span>
                        <code>{ &n.payload }</code>
                    </li>
                }) }
            </ul>
            <div class="sub-actions">
                <PushForm endpoint_arn={d.arn.clone()} label={label.clone()} on_action={on_action.clone()} />
                <button type="button" onclick={set_enabled} aria-pressed={(!enabled).to_string()}>
                    { if enabled { "Disable" } else { "Enable" } }
                </button>
                <button type="button" class="danger" onclick={delete} aria-label={format!("Delete {label}")}>{ "Delete" }</button>
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcm_takes_a_credential_alone_and_the_others_a_principal_with_it() {
        let form = |platform: &str| AppForm {
            name: "a".into(),
            platform: platform.into(),
            credential: "key".into(),
            principal: "cert".into(),
        };
        assert_eq!(application_attributes(&form("GCM")), json!({"PlatformCredential": "key"}));
        assert_eq!(
            application_attributes(&form("APNS")),
            json!({"PlatformCredential": "key", "PlatformPrincipal": "cert"})
        );
        assert_eq!(application_attributes(&AppForm { credential: String::new(), ..form("GCM") }), json!({}));
    }
}
