//! Plain JS objects to and from the wire layer's HTTP types, and engine options.
//!
//! Requests come from hand-written code and from the AWS SDK's `HttpRequest`,
//! so they are read leniently: headers as a plain object or any iterable of
//! pairs, the query as a string or an object, the body as a string, bytes, or nothing.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use decouple_engine::{EngineConfig, Realism, SimTime};
use decouple_wire::{HttpRequest, HttpResponse};
use js_sys::{Array, ArrayBuffer, Date, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn present(v: &JsValue) -> bool {
    !v.is_undefined() && !v.is_null()
}

/// A non-negative whole number (milliseconds, an id) from a JS number; NaN and negatives are 0.
pub(crate) fn whole(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        x as u64
    } else {
        0
    }
}

fn string_option(options: &JsValue, key: &str) -> Result<Option<String>, JsError> {
    let v = get(options, key);
    if !present(&v) {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| JsError::new(&format!("option {key} must be a string")))
}

fn u64_option(options: &JsValue, key: &str) -> Result<Option<u64>, JsError> {
    let v = get(options, key);
    if !present(&v) {
        return Ok(None);
    }
    if let Some(n) = v.as_f64() {
        if n.is_finite() && n >= 0.0 && n.fract() == 0.0 {
            return Ok(Some(n as u64));
        }
    } else if v.is_bigint() {
        if let Ok(n) = u64::try_from(v) {
            return Ok(Some(n));
        }
    }
    Err(JsError::new(&format!("option {key} must be a non-negative integer (number or BigInt)")))
}

/// `EngineConfig` from `{seed, accountId, region, startTime, eventCapacity, realism}`.
pub(crate) fn config(options: &JsValue) -> Result<EngineConfig, JsError> {
    let mut config = EngineConfig::default();
    if !present(options) {
        return Ok(config);
    }
    if let Some(seed) = u64_option(options, "seed")? {
        config.seed = seed;
    }
    if let Some(account) = string_option(options, "accountId")? {
        config.account_id = account;
    }
    if let Some(region) = string_option(options, "region")? {
        config.region = region;
    }
    let start = get(options, "startTime");
    if present(&start) {
        let ms = if let Some(date) = start.dyn_ref::<Date>() {
            date.get_time()
        } else if let Some(text) = start.as_string() {
            Date::new(&JsValue::from_str(&text)).get_time()
        } else {
            start.as_f64().unwrap_or(f64::NAN)
        };
        if !ms.is_finite() || ms < 0.0 {
            return Err(JsError::new("option startTime must be epoch milliseconds, a Date or an ISO date string"));
        }
        config.start_time = SimTime::from_millis(ms as u64);
    }
    if let Some(capacity) = u64_option(options, "eventCapacity")? {
        config.event_capacity = capacity as usize;
    }
    let realism = get(options, "realism");
    if present(&realism) {
        let per_million =
            |key| -> Result<u32, JsError> { Ok(u64_option(&realism, key)?.unwrap_or(0).min(1_000_000) as u32) };
        config.realism = Realism {
            duplicate_per_million: per_million("duplicatePerMillion")?,
            reorder_per_million: per_million("reorderPerMillion")?,
        };
    }
    Ok(config)
}

/// Percent-encodes a query component the way SigV4 canonicalisation does.
fn encode_component(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The query as a string: either given as one, or as the SDK's object of
/// name → string | string[] | null.
fn query(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text.strip_prefix('?').unwrap_or(&text).to_string();
    }
    let mut out = String::new();
    let Some(object) = value.dyn_ref::<Object>() else { return out };
    for entry in Object::entries(object).iter() {
        let pair: Array = entry.unchecked_into();
        let Some(name) = pair.get(0).as_string() else { continue };
        let value = pair.get(1);
        let values: Vec<Option<String>> = if Array::is_array(&value) {
            value.unchecked_into::<Array>().iter().map(|v| v.as_string()).collect()
        } else {
            alloc::vec![value.as_string()]
        };
        for v in values {
            if !out.is_empty() {
                out.push('&');
            }
            encode_component(&name, &mut out);
            if let Some(v) = v {
                out.push('=');
                encode_component(&v, &mut out);
            }
        }
    }
    out
}

fn headers(value: &JsValue) -> Result<Vec<(String, String)>, JsError> {
    let mut out = Vec::new();
    if !present(value) {
        return Ok(out);
    }
    let pairs: Vec<JsValue> = match js_sys::try_iter(value).ok().flatten() {
        // Map, Headers, or an array of [name, value] pairs.
        Some(iter) => iter.filter_map(Result::ok).collect(),
        None => match value.dyn_ref::<Object>() {
            Some(object) => Object::entries(object).iter().collect(),
            None => return Err(JsError::new("request.headers must be an object or an iterable of [name, value]")),
        },
    };
    for pair in pairs {
        let name = Reflect::get_u32(&pair, 0).ok().and_then(|v| v.as_string());
        let value = Reflect::get_u32(&pair, 1).ok().filter(present);
        if let (Some(name), Some(value)) = (name, value) {
            // Numbers (content-length) arrive as numbers from some callers.
            let value = value.as_string().unwrap_or_else(|| value.as_f64().map(|n| n.to_string()).unwrap_or_default());
            out.push((name, value));
        }
    }
    Ok(out)
}

fn body(value: &JsValue) -> Result<Vec<u8>, JsError> {
    if !present(value) {
        Ok(Vec::new())
    } else if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Ok(bytes.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        Ok(Uint8Array::new(buffer).to_vec())
    } else {
        Err(JsError::new("request.body must be a string, a Uint8Array or an ArrayBuffer"))
    }
}

/// A JS request object as the wire layer's `HttpRequest`.
pub(crate) fn request(value: &JsValue) -> Result<HttpRequest, JsError> {
    if !value.is_object() {
        return Err(JsError::new("dispatch expects a request object {method, path, headers, body}"));
    }
    let method = get(value, "method").as_string().unwrap_or_else(|| "POST".into());
    let raw_path = get(value, "path").as_string().unwrap_or_else(|| "/".into());
    let (path, mut query_string) = match raw_path.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (raw_path, String::new()),
    };
    let extra = query(&get(value, "query"));
    if !extra.is_empty() {
        if !query_string.is_empty() {
            query_string.push('&');
        }
        query_string.push_str(&extra);
    }
    Ok(HttpRequest {
        method,
        path,
        query: query_string,
        headers: headers(&get(value, "headers"))?,
        body: body(&get(value, "body"))?,
    })
}

/// `{statusCode, headers, body}` with lower-case header names, as Node's
/// `http` module and `fetch` present them (and as the AWS SDK looks them up).
pub(crate) fn response(response: &HttpResponse) -> JsValue {
    let headers = Object::new();
    for (name, value) in &response.headers {
        let _ = Reflect::set(&headers, &JsValue::from_str(&name.to_ascii_lowercase()), &JsValue::from_str(value));
    }
    let out = Object::new();
    let _ = Reflect::set(&out, &"statusCode".into(), &JsValue::from(response.status));
    let _ = Reflect::set(&out, &"headers".into(), &headers);
    let _ = Reflect::set(&out, &"body".into(), &Uint8Array::from(response.body.as_slice()));
    out.into()
}
