//! Component tests: the real app mounted in a `<div>` of a headless Chromium
//! page (wasm-bindgen-test), driven through the DOM as a learner would.
//! Run: `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! cargo test --target wasm32-unknown-unknown -p decouple-web --test components`
//! (`--features sns` for the SNS page's, `--features kinesis` for the Kinesis page's;
//! the queue tests run on the pages that have queues).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

/// Lets the page catch up: a short timer (for the app's own timers), then
/// until Yew has rendered everything pending. Yew's scheduler yields to the
/// browser every 16 ms, so on a loaded machine a timer alone could end in
/// the middle of a render, and a click then used a stale callback (seen as
/// a missing banner in CI).
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ =
            web_sys::window().expect("a window").set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    yew::scheduler::flush().await;
}

/// A fresh playground in its own `<div>`, paused.
async fn mount() -> Element {
    if let Ok(Some(storage)) = web_sys::window().expect("a window").local_storage() {
        let _ = storage.clear();
    }
    let root = document().create_element("div").expect("a div");
    document().body().expect("a body").append_child(&root).expect("appended");
    decouple_web::mount(root.clone());
    tick().await;
    click(&button(&root, "‖ Pause")).await;
    root
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).ok().flatten().unwrap_or_else(|| panic!("no {selector}"))
}

fn button(root: &Element, text: &str) -> HtmlElement {
    let all = root.query_selector_all("button").expect("buttons");
    (0..all.length())
        .filter_map(|i| all.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
        .unwrap_or_else(|| panic!("no button {text:?}"))
}

async fn click(el: &HtmlElement) {
    el.click();
    tick().await;
}

/// Types into a field (input or textarea) the way Yew hears it: set the value, fire `input`.
async fn type_into(root: &Element, selector: &str, value: &str) {
    let input = find(root, selector);
    js_sys::Reflect::set(&input, &"value".into(), &value.into()).expect("a value");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).expect("an event");
    input.dispatch_event(&event).expect("dispatched");
    tick().await;
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

#[cfg(not(feature = "kinesis"))]
#[wasm_bindgen_test]
async fn create_queue_and_aws_error_in_the_banner() {
    let root = mount().await;
    type_into(&root, "#create-name", "orders").await;
    click(&button(&root, "Create queue")).await;
    assert_eq!(text(&root, "[data-testid=flash] span"), "Queue orders created successfully.");
    assert!(root.query_selector("article[data-queue=orders]").unwrap().is_some());

    type_into(&root, "#create-name", "other").await;
    type_into(&root, "#create-visibility", "99999").await;
    click(&button(&root, "Create queue")).await;
    assert_eq!(
        text(&root, "[data-testid=flash] span"),
        "InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout."
    );
    assert_eq!(find(&root, "[data-testid=flash]").get_attribute("role").as_deref(), Some("alert"));
    assert!(root.query_selector("article[data-queue=other]").unwrap().is_none());
    assert!(text(&root, "[data-testid=log]").contains("aws sqs create-queue --attributes"));
    root.remove();
}

#[cfg(not(feature = "kinesis"))]
#[wasm_bindgen_test]
async fn a_body_is_text_and_the_card_draws_a_window_of_chips() {
    let root = mount().await;
    type_into(&root, "#create-name", "many").await;
    click(&button(&root, "Create queue")).await;
    let body = "<img src=x onerror=alert(1)>";
    type_into(&root, "#send-body-many", body).await;
    type_into(&root, "#send-count-many", "120").await;
    click(&button(&root, "Send message")).await;
    assert_eq!(text(&root, "[data-testid=available]"), "120");
    let chips = root.query_selector_all(".lane.visible .chip").unwrap().length();
    assert_eq!(chips, 50, "a window of chips, not one per message");
    assert_eq!(text(&root, ".lane.visible .more"), "+ 70 more");
    assert!(root.query_selector("article img").unwrap().is_none());
    assert!(text(&root, ".lane.visible .chip").contains("<img src=x"));
    root.remove();
}

#[cfg(not(feature = "kinesis"))]
#[wasm_bindgen_test]
async fn the_clock_steps_and_says_what_is_next() {
    let root = mount().await;
    assert_eq!(text(&root, "[data-testid=clock-rel]"), "+00:00:00");
    click(&button(&root, "+1 s")).await;
    assert_eq!(text(&root, "[data-testid=clock-rel]"), "+00:00:01");
    assert_eq!(text(&root, "[data-testid=next-deadline]"), "Nothing scheduled.");
    type_into(&root, "#create-name", "later").await;
    click(&button(&root, "Create queue")).await;
    type_into(&root, "#send-delay-later", "5").await;
    click(&button(&root, "Send message")).await;
    assert!(text(&root, "[data-testid=next-deadline]").contains("in 5s — later: msg 1 becomes visible (delay ends)"));
    click(&button(&root, "⇥ Next deadline")).await;
    assert_eq!(text(&root, "[data-testid=clock-rel]"), "+00:00:06");
    assert_eq!(text(&root, "[data-testid=available]"), "1");
    root.remove();
}

/// The SQS page (default features): no SNS or S3 views, a link to the SNS page.
#[cfg(not(any(feature = "sns", feature = "kinesis")))]
#[wasm_bindgen_test]
async fn the_sqs_playground_has_no_topics_or_buckets_and_links_the_sns_page() {
    let root = mount().await;
    assert!(root.query_selector("#topic-name").unwrap().is_none());
    assert!(root.query_selector("#bucket-name").unwrap().is_none());
    assert_eq!(text(&root, "h1 .sub"), "· Amazon SQS playground");
    let sns = find(&root, "nav.pages a[href='sns/']");
    assert_eq!(sns.text_content().as_deref(), Some("SNS"));
    assert_eq!(find(&root, "nav.pages a[aria-current=page]").text_content().as_deref(), Some("SQS"));
    root.remove();
}

/// What the SNS page saved, opened in the SQS one: a message and a fresh start.
#[cfg(not(any(feature = "sns", feature = "kinesis")))]
#[wasm_bindgen_test]
async fn a_saved_sns_journal_is_refused_with_a_message() {
    let key = decouple_web::browser::storage_key(decouple_web::persist::STORAGE_KEY);
    let saved = r#"{"v":1,"seed":42,"now":1767225600000,"journal":[
        {"t":1767225600000,"call":{"a":"CreateQueue","b":{"QueueName":"inbox"}}},
        {"t":1767225600000,"call":{"s":"sns","a":"CreateTopic","b":{"Name":"news"}}}]}"#;
    let storage = web_sys::window().expect("a window").local_storage().unwrap().expect("local storage");
    storage.clear().unwrap();
    storage.set_item(&key, saved).unwrap();
    let root = document().create_element("div").expect("a div");
    document().body().expect("a body").append_child(&root).expect("appended");
    decouple_web::mount(root.clone());
    tick().await;
    click(&button(&root, "‖ Pause")).await;
    assert_eq!(
        text(&root, "[data-testid=flash] span"),
        "Your saved playground could not be restored because it uses SNS (CreateTopic), which this SQS \
         playground does not include: open it in the SNS playground. Starting fresh."
    );
    assert!(root.query_selector("article[data-queue]").unwrap().is_none(), "a fresh start");
    root.remove();
}

#[cfg(feature = "sns")]
#[wasm_bindgen_test]
async fn a_topic_validates_its_filter_policy_as_you_type_and_publishes_as_text() {
    let root = mount().await;
    assert_eq!(text(&root, "h1 .sub"), "· Amazon SQS, SNS and S3 playground");
    assert_eq!(find(&root, "nav.pages a[aria-current=page]").get_attribute("href").as_deref(), Some("./"));
    assert!(root.query_selector("nav.pages a[href='../']").unwrap().is_some());
    type_into(&root, "#create-name", "inbox").await;
    click(&button(&root, "Create queue")).await;
    type_into(&root, "#topic-name", "news").await;
    click(&button(&root, "Create topic")).await;
    assert_eq!(text(&root, "[data-testid=flash] span"), "Topic news created successfully.");
    assert!(root.query_selector("article[data-topic=news]").unwrap().is_some());

    type_into(&root, "#sub-policy-news", r#"{"kind": "x"}"#).await;
    let check = text(&root, "#sub-policy-check-news");
    assert!(check.starts_with("InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: "), "{check}");
    type_into(&root, "#sub-policy-news", "").await;
    click(&button(&root, "Create subscription")).await;
    assert_eq!(text(&root, "[data-testid=sub-status]"), "Confirmed");

    type_into(&root, "#pub-message-news", "<img src=x onerror=alert(1)>").await;
    click(&button(&root, "Publish message")).await;
    assert_eq!(text(&root, "article[data-queue=inbox] [data-testid=available]"), "1");
    assert!(root.query_selector("article img").unwrap().is_none());
    assert!(text(&root, "[data-testid=log]").contains("aws sns publish --message '<img src=x onerror=alert(1)>'"));
    root.remove();
}

/// The Kinesis page: a stream becomes ACTIVE at its deadline, ten records with
/// ten keys land as chips on its two shards (data is text, never markup), and
/// a shard reads back from TRIM_HORIZON.
#[cfg(feature = "kinesis")]
#[wasm_bindgen_test]
async fn a_stream_takes_records_on_two_shards_and_reads_them_back() {
    let root = mount().await;
    assert_eq!(text(&root, "h1 .sub"), "· Amazon Kinesis playground");
    assert_eq!(find(&root, "nav.pages a[aria-current=page]").text_content().as_deref(), Some("Kinesis"));
    assert!(root.query_selector("#create-name").unwrap().is_none(), "no queue form on the Kinesis page");
    click(&button(&root, "Create stream")).await;
    assert_eq!(text(&root, "[data-testid=stream-status]"), "CREATING");
    click(&button(&root, "⇥ Next deadline")).await;
    assert_eq!(text(&root, "[data-testid=stream-status]"), "ACTIVE");
    assert_eq!(root.query_selector_all(".hash-bar .segment").unwrap().length(), 2);
    type_into(&root, "#ks-clicks-data", "<img src=x onerror=alert(1)>").await;
    click(&button(&root, "Put 10 records")).await;
    assert_eq!(text(&root, "[data-testid=flash] span"), "Put 10 records (keys user-1…user-10) in 1 PutRecords call.");
    assert_eq!(root.query_selector_all(".shard-lane .chip").unwrap().length(), 10);
    for lane in [".shard-lane[data-shard=shardId-000000000000]", ".shard-lane[data-shard=shardId-000000000001]"] {
        assert!(root.query_selector_all(&format!("{lane} .chip")).unwrap().length() > 0, "chips in {lane}");
    }
    assert!(text(&root, "[data-testid=log]").contains("aws kinesis put-records --records"));
    click(&button(&root, "Get records")).await;
    let read = text(&root, "[data-testid=shard-read]");
    assert!(read.contains("MillisBehindLatest: 0"), "{read}");
    assert!(read.contains("<img src=x onerror=alert(1)>"), "{read}");
    assert!(root.query_selector("article img").unwrap().is_none());
    type_into(&root, "#ks-clicks-count", "5000").await;
    click(&button(&root, "Put 5000 records")).await;
    assert_eq!(text(&root, ".put-form .error-text"), "How many: a whole number from 1 to 2000.");
    root.remove();
}
