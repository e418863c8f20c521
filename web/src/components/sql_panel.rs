//! Streaming SQL in the style of Kinesis Data Analytics on the Kinesis page
//! (`kinesis` feature): a form with the application code (prefilled with the
//! course's example: trades counted per ticker in tumbling 10-second
//! windows), the source data stream and the input schema (columns with their
//! JSON mapping and SQL type); parse errors pointed at by line and column;
//! and a card per application with Start/Stop and the rows of each
//! in-application stream as tables that grow as windows close on the virtual
//! clock, plus the error stream.
//!
//! AWS retired the service, so there is no API call to show: the controls are
//! journaled simulation commands (`SqlControl` in `sim.rs`). The rows are read
//! from `engine.analytics_state()`; the sample trades a learner can put are
//! Kinesis PutRecords through the gateway like any other put.

use base64::Engine as _;
use decouple_engine::analytics::{Application, ApplicationStatus, Row, SqlError, SOURCE_STREAM};
use serde_json::json;
use yew::prelude::*;

use super::{select_value, Field};
use crate::api::ApiRequest;
use crate::sim::SqlControl;
use crate::state::{Action, SimRef};
use crate::timefmt;

/// The course's example: how many trades per ticker in each 10-second window.
pub const EXAMPLE_CODE: &str = r#"-- One row per ticker every 10 seconds.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ticker_count INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
"#;

/// The example's input schema: (column, JSON mapping, SQL type).
pub fn example_columns() -> Vec<(String, String, String)> {
    [("TICKER_SYMBOL", "$.ticker", "VARCHAR(4)"), ("SECTOR", "$.sector", "VARCHAR(16)"), ("PRICE", "$.price", "REAL")]
        .iter()
        .map(|(n, m, t)| (n.to_string(), m.to_string(), t.to_string()))
        .collect()
}

/// Rows shown per in-application stream (the newest).
const ROWS_SHOWN: usize = 30;
/// Sample trades put by one click.
const SAMPLE_TRADES: usize = 10;
const TICKERS: [(&str, &str); 4] = [("AMZN", "RETAIL"), ("TSLA", "AUTO"), ("AAPL", "TECH"), ("AMZN", "RETAIL")];

/// One PutRecords of `n` trades as the example's schema reads them, the
/// ticker as partition key; prices vary with the position so rows differ.
pub fn sample_trades(stream: &str, n: usize) -> ApiRequest {
    let records: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let (ticker, sector) = TICKERS[i % TICKERS.len()];
            let price = 10.0 + (i * 37 % 100) as f64 / 4.0;
            let data = json!({"ticker": ticker, "sector": sector, "price": price}).to_string();
            json!({"Data": base64::engine::general_purpose::STANDARD.encode(data), "PartitionKey": ticker})
        })
        .collect();
    ApiRequest::kinesis("PutRecords", [("StreamName", json!(stream)), ("Records", json!(records))])
}

/// The code's line an error points at, and a caret under its column.
pub fn caret(code: &str, e: &SqlError) -> (String, String) {
    let line = code.lines().nth(e.line.saturating_sub(1) as usize).unwrap_or_default().to_string();
    let width = line.chars().take(e.column.saturating_sub(1) as usize).count();
    (line, format!("{}^", " ".repeat(width)))
}

#[derive(Clone, PartialEq)]
struct SqlForm {
    name: String,
    stream: String,
    trim_horizon: bool,
    columns: Vec<(String, String, String)>,
    code: String,
}

#[derive(Properties, PartialEq)]
pub struct SqlPanelProps {
    pub sim: SimRef,
    pub version: u64,
    pub on_action: Callback<Action>,
}

#[function_component(SqlPanel)]
pub fn sql_panel(p: &SqlPanelProps) -> Html {
    let form = use_state(|| SqlForm {
        name: "tickers".into(),
        stream: String::new(),
        trim_horizon: false,
        columns: example_columns(),
        code: EXAMPLE_CODE.into(),
    });
    let sim = p.sim.0.borrow();
    let streams: Vec<String> = sim.engine.kinesis_state().streams().map(|s| s.name.to_string()).collect();
    let apps: Vec<String> = sim.engine.analytics_state().applications().map(|a| a.name.to_string()).collect();
    let error = sim.sql_error.clone();
    drop(sim);
    let f = (*form).clone();
    // Until the learner picks one, the first stream is the source.
    let stream =
        if streams.contains(&f.stream) { f.stream.clone() } else { streams.first().cloned().unwrap_or_default() };

    let onsubmit = {
        let (form, on_action, stream) = (form.clone(), p.on_action.clone(), stream.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let columns = form
                .columns
                .iter()
                .map(|(n, m, t)| (n.trim().to_string(), m.trim().to_string(), t.trim().to_string()))
                .collect();
            let name = form.name.trim().to_string();
            let success = format!("Application {name} is READY: start it to read {stream}.");
            let control = SqlControl::Create {
                name,
                stream: stream.clone(),
                trim_horizon: form.trim_horizon,
                columns,
                code: form.code.clone(),
            };
            on_action.emit(Action::Sql { control, success });
        })
    };
    let column_setter = |i: usize, part: usize| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut f = (*form).clone();
            if let Some(c) = f.columns.get_mut(i) {
                let v = super::input_value(&e);
                match part {
                    0 => c.0 = v,
                    1 => c.1 = v,
                    _ => c.2 = v,
                }
            }
            form.set(f);
        })
    };
    let add_column = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let mut f = (*form).clone();
            f.columns.push((String::new(), "$.".into(), "VARCHAR(16)".into()));
            form.set(f);
        })
    };
    let on_stream = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.stream = select_value(&e);
            form.set(f);
        })
    };
    let on_position = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.trim_horizon = select_value(&e) == "TRIM_HORIZON";
            form.set(f);
        })
    };
    let error_view = error.map(|e| {
        let (line, mark) = caret(&f.code, &e);
        html! {
            <div class="sql-error" role="alert" data-testid="sql-error">
                <p class="error-text">{ format!("Line {}, column {}: {}", e.line, e.column, e.message) }</p>
                <pre>{ format!("{line}\n{mark}") }</pre>
            </div>
        }
    });
    html! {
        <section id="sql" class="sql" aria-labelledby="sql-heading">
            <h2 id="sql-heading">{ "Kinesis Data Analytics (SQL)" }</h2>
            <p class="hint retired">{ "AWS retired Kinesis Data Analytics for SQL in 2026 (no new applications from 15 October 2025, \
                existing ones deleted from 27 January 2026; its successor is Managed Service for Apache Flink). \
                The course still teaches it, so Decouple simulates it: with no AWS API left to call, these \
                controls are simulation commands, saved with the playground but not in the API log." }</p>
            <form class="sql-form card" onsubmit={onsubmit} novalidate=true aria-label="Create SQL application">
                <h3>{ "Create SQL application" }</h3>
                <div class="row">
                    <Field id="sql-name" label="Application name" value={f.name.clone()}
                        oninput={super::setter(&form, |f, v| f.name = v)} />
                    <div class="field">
                        <label for="sql-stream">{ "Source data stream" }</label>
                        <select id="sql-stream" onchange={on_stream} disabled={streams.is_empty()}>
                            if streams.is_empty() { <option value="">{ "Create a data stream first" }</option> }
                            { for streams.iter().map(|n| html! {
                                <option value={n.clone()} selected={*n == stream}>{ n }</option>
                            }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="sql-position">{ "Starting position" }</label>
                        <select id="sql-position" onchange={on_position}>
                            <option value="NOW" selected={!f.trim_horizon}>{ "NOW: new records only" }</option>
                            <option value="TRIM_HORIZON" selected={f.trim_horizon}>{ "TRIM_HORIZON: all retained" }</option>
                        </select>
                    </div>
                </div>
                <table class="schema">
                    <caption>{ "Input schema: each record's JSON mapped to a row of " }<code>{ SOURCE_STREAM }</code></caption>
                    <thead><tr><th>{ "Column" }</th><th>{ "JSON mapping" }</th><th>{ "SQL type" }</th><th></th></tr></thead>
                    <tbody>
                        { for f.columns.iter().enumerate().map(|(i, (n, m, t))| {
                            let remove = {
                                let form = form.clone();
                                Callback::from(move |_: MouseEvent| {
                                    let mut f = (*form).clone();
                                    if i < f.columns.len() { f.columns.remove(i); }
                                    form.set(f);
                                })
                            };
                            html! {
                                <tr key={i}>
                                    <td><input type="text" value={n.clone()} aria-label={format!("Column {} name", i + 1)}
                                        oninput={column_setter(i, 0)} autocomplete="off" /></td>
                                    <td><input type="text" value={m.clone()} aria-label={format!("Column {} mapping", i + 1)}
                                        oninput={column_setter(i, 1)} autocomplete="off" /></td>
                                    <td><input type="text" value={t.clone()} aria-label={format!("Column {} type", i + 1)}
                                        oninput={column_setter(i, 2)} autocomplete="off" /></td>
                                    <td><button type="button" class="link" onclick={remove}
                                        aria-label={format!("Remove column {}", i + 1)}>{ "×" }</button></td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
                <button type="button" onclick={add_column}>{ "+ Add column" }</button>
                <div class="field">
                    <label for="sql-code">{ "Application code" }</label>
                    <textarea id="sql-code" class="code" rows="8" spellcheck="false" value={f.code.clone()}
                        oninput={super::setter(&form, |f, v| f.code = v).reform(|e: InputEvent| super::textarea_value(&e))} />
                    <small>{ "CREATE STREAM and CREATE PUMP … SELECT STREAM, with WHERE and GROUP BY … \
                        STEP(ROWTIME BY INTERVAL 'n' SECOND) for tumbling windows" }</small>
                </div>
                { error_view.unwrap_or_default() }
                <button type="submit" class="primary" disabled={streams.is_empty()}>{ "Create application" }</button>
            </form>
            <div class="sql-apps">
                { for apps.into_iter().map(|name| html! {
                    <SqlAppCard key={name.clone()} name={name.clone()} sim={p.sim.clone()} version={p.version}
                        on_action={p.on_action.clone()} />
                }) }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SqlAppCardProps {
    pub name: AttrValue,
    pub sim: SimRef,
    pub version: u64,
    pub on_action: Callback<Action>,
}

/// A table of an in-application stream's newest rows, with ROWTIME (and
/// the window, for rows a window produced).
fn rows_table(
    caption: String,
    columns: Vec<(String, String)>,
    rows: &[&Row],
    total: u64,
    start: decouple_engine::SimTime,
) -> Html {
    let windowed = rows.iter().any(|r| r.window.is_some());
    let hidden = total.saturating_sub(rows.len() as u64);
    // In a box that scrolls sideways on a phone, rather than squeezing column names letter by letter.
    html! {
        <div class="table-scroll">
        <table class="rows" data-testid="sql-rows">
            <caption>{ caption }</caption>
            <thead>
                <tr>
                    <th>{ "ROWTIME" }</th>
                    if windowed { <th>{ "Window" }</th> }
                    { for columns.iter().map(|(name, ty)| html! { <th>{ name }<small class="sql-type">{ ty }</small></th> }) }
                </tr>
            </thead>
            <tbody>
                if rows.is_empty() {
                    <tr><td colspan={(columns.len() + 2).to_string()} class="more">{ "No rows yet." }</td></tr>
                }
                { for rows.iter().map(|r| html! {
                    <tr>
                        <td class="when">{ timefmt::relative(r.rowtime.saturating_sub(start)) }</td>
                        if windowed {
                            <td class="when">{ r.window.map(|(a, b)| format!("{} – {}",
                                timefmt::relative(a.saturating_sub(start)), timefmt::relative(b.saturating_sub(start)))).unwrap_or_default() }</td>
                        }
                        { for r.values.iter().map(|v| html! { <td>{ v.to_string() }</td> }) }
                    </tr>
                }) }
            </tbody>
            if hidden > 0 {
                <tfoot><tr><td colspan={(columns.len() + 2).to_string()} class="more">{ format!("+ {hidden} older rows") }</td></tr></tfoot>
            }
        </table>
        </div>
    }
}

fn rows_count(n: u64) -> String {
    format!("{n} row{}", if n == 1 { "" } else { "s" })
}

fn newest(app: &Application, stream: &str) -> Vec<Row> {
    let rows: Vec<&Row> = app.rows(stream).collect();
    rows[rows.len().saturating_sub(ROWS_SHOWN)..].iter().map(|r| (*r).clone()).collect()
}

#[function_component(SqlAppCard)]
pub fn sql_app_card(p: &SqlAppCardProps) -> Html {
    let name = p.name.to_string();
    let sim = p.sim.0.borrow();
    let start = sim.start();
    let Some(app) = sim.engine.analytics_state().application(&name) else { return html! {} };
    let control = |make: fn(String) -> SqlControl, success: String| {
        let (on_action, name) = (p.on_action.clone(), name.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Sql { control: make(name.clone()), success: success.clone() })
        })
    };
    let running = app.status == ApplicationStatus::Running;
    let toggle = if running {
        control(SqlControl::Stop, format!("{name} stopped: its open windows are dropped."))
    } else {
        control(SqlControl::Start, format!("{name} is RUNNING: it reads {} once a virtual second.", app.stream))
    };
    let delete = control(SqlControl::Delete, format!("{name} deleted."));
    let put = {
        let (on_action, stream) = (p.on_action.clone(), app.stream.clone());
        Callback::from(move |_: MouseEvent| {
            let success =
                format!("Put {SAMPLE_TRADES} sample trades into {stream} (PutRecords, ticker as partition key).");
            on_action.emit(Action::CallMany { requests: vec![sample_trades(&stream, SAMPLE_TRADES)], success });
        })
    };
    let pumps: Vec<String> =
        app.plan().pumps.iter().map(|pump| format!("{}: {}", pump.name, pump.describe())).collect();
    let tables: Vec<Html> = app
        .streams()
        .filter(|s| s.name != SOURCE_STREAM)
        .map(|s| {
            let columns = s.columns.iter().map(|c| (c.name.clone(), c.sql_type.to_string())).collect();
            let rows = newest(app, &s.name);
            let refs: Vec<&Row> = rows.iter().collect();
            rows_table(format!("{} ({})", s.name, rows_count(s.total)), columns, &refs, s.total, start)
        })
        .collect();
    let source = app.stream(SOURCE_STREAM).map(|s| {
        let columns = s.columns.iter().map(|c| (c.name.clone(), c.sql_type.to_string())).collect();
        let rows = newest(app, SOURCE_STREAM);
        let refs: Vec<&Row> = rows.iter().collect();
        (s.total, rows_table(format!("{SOURCE_STREAM} ({})", rows_count(s.total)), columns, &refs, s.total, start))
    });
    let newest_errors: Vec<_> = app.errors().collect();
    let errors: Vec<Html> = newest_errors
        .iter()
        .rev()
        .take(ROWS_SHOWN)
        .map(|e| {
            html! {
                <tr>
                    <td class="when">{ timefmt::relative(e.at.saturating_sub(start)) }</td>
                    <td>{ e.shard }</td>
                    <td><code>{ &e.data }</code></td>
                    <td>{ &e.reason }</td>
                </tr>
            }
        })
        .collect();
    let summary = format!(
        "Reads {} · {} records read · {} error row{}{}",
        app.stream,
        app.records_read,
        app.errors_total,
        if app.errors_total == 1 { "" } else { "s" },
        if app.read_throttled > 0 { format!(" · {} reads throttled", app.read_throttled) } else { String::new() }
    );
    let status = app.status;
    let errors_total = app.errors_total;
    drop(sim);
    let id = format!("sql-{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    html! {
        <article class="card sql-app" id={id.clone()} aria-labelledby={format!("{id}-t")} data-sql-app={name.clone()}>
            <header>
                <h3 id={format!("{id}-t")}>{ &name }</h3>
                <span class={classes!("badge", "status", running.then_some("active"))} data-testid="sql-status">{ status.as_str() }</span>
                <div class="card-actions">
                    <button type="button" class={classes!(running.then_some("primary"))} onclick={toggle}>
                        { if running { "Stop" } else { "Start" } }</button>
                    <button type="button" class="danger" onclick={delete}>{ "Delete" }</button>
                </div>
            </header>
            <p class="settings">{ summary }</p>
            <ul class="pumps">{ for pumps.iter().map(|p| html! { <li>{ p }</li> }) }</ul>
            <div class="shard-actions">
                <button type="button" onclick={put}>{ format!("Put {SAMPLE_TRADES} sample trades") }</button>
            </div>
            if !running {
                <p class="hint">{ "READY: start it to read the stream; windows close on the virtual clock." }</p>
            }
            { for tables }
            <table class="rows errors" data-testid="sql-errors">
                <caption>{ format!("error_stream ({}): records the schema could not map", rows_count(errors_total)) }</caption>
                <thead><tr><th>{ "When" }</th><th>{ "Shard" }</th><th>{ "Data" }</th><th>{ "Reason" }</th></tr></thead>
                <tbody>
                    if errors.is_empty() { <tr><td colspan="4" class="more">{ "No errors." }</td></tr> }
                    { for errors }
                </tbody>
            </table>
            if let Some((total, table)) = source {
                <details class="source-rows">
                    <summary>{ format!("{SOURCE_STREAM}: {}", rows_count(total)) }</summary>
                    { table }
                </details>
            }
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Command, Outcome, Sim};
    use decouple_engine::SimDuration;

    #[test]
    fn a_caret_points_at_the_column() {
        let e = SqlError { line: 2, column: 3, message: "x".into() };
        assert_eq!(caret("a\nbcdef", &e), ("bcdef".to_string(), "  ^".to_string()));
        let far = SqlError { line: 9, column: 1, message: "x".into() };
        assert_eq!(caret("a", &far), (String::new(), "^".to_string()));
    }

    fn create(sim: &mut Sim, code: &str) -> Outcome {
        sim.perform(Command::Sql(SqlControl::Create {
            name: "tickers".into(),
            stream: "trades".into(),
            trim_horizon: false,
            columns: example_columns(),
            code: code.into(),
        }))
    }

    fn output(sim: &Sim) -> Vec<Vec<String>> {
        let app = sim.engine.analytics_state().application("tickers").unwrap();
        app.rows("DESTINATION_SQL_STREAM").map(|r| r.values.iter().map(|v| v.to_string()).collect()).collect()
    }

    #[test]
    fn the_course_example_counts_per_ticker_and_the_journal_replays() {
        let mut sim = Sim::new(5);
        let stream = ApiRequest::kinesis("CreateStream", [("StreamName", json!("trades")), ("ShardCount", json!(2))]);
        assert!(matches!(sim.perform(Command::Call(stream)), Outcome::Ok(_)));
        sim.advance_by(SimDuration::from_secs(10));
        assert!(matches!(create(&mut sim, EXAMPLE_CODE), Outcome::Ok(_)));
        assert!(sim.sql_error.is_none());
        assert!(matches!(sim.perform(Command::Sql(SqlControl::Start("tickers".into()))), Outcome::Ok(_)));
        sim.advance_by(SimDuration::from_millis(500));
        assert!(matches!(sim.perform(Command::CallMany(vec![sample_trades("trades", 10)])), Outcome::Ok(_)));
        sim.advance_by(SimDuration::from_secs(5));
        assert!(output(&sim).is_empty(), "nothing until the window closes");
        sim.advance_by(SimDuration::from_secs(5));
        // 10 trades: AMZN at 0, 3, 4, 7, 8 (positions 0 and 3 of each 4), TSLA at 1, 5, 9, AAPL at 2, 6.
        // Groups come out in the order their first row was read, which depends on the shards.
        let mut counts = output(&sim);
        counts.sort();
        assert_eq!(counts, [["AAPL", "2"], ["AMZN", "5"], ["TSLA", "3"]]);

        sim.perform(Command::Sql(SqlControl::Stop("tickers".into())));
        let saved = crate::persist::save(&sim);
        assert!(saved.contains(r#""sql":{"create":"#), "{saved}");
        let back = crate::persist::restore(&saved).unwrap();
        assert_eq!(crate::persist::save(&back), saved);
        assert_eq!(back.journal, sim.journal);
        assert_eq!(output(&back), output(&sim));
        let app = back.engine.analytics_state().application("tickers").unwrap();
        assert_eq!(app.status, ApplicationStatus::Ready);

        assert!(matches!(sim.perform(Command::Sql(SqlControl::Delete("tickers".into()))), Outcome::Ok(_)));
        let back = crate::persist::restore(&crate::persist::save(&sim)).unwrap();
        assert!(back.engine.analytics_state().application("tickers").is_none());
    }

    #[test]
    fn a_syntax_error_is_kept_with_its_position_and_named_as_aws_did() {
        let mut sim = Sim::new(5);
        let stream = ApiRequest::kinesis("CreateStream", [("StreamName", json!("trades")), ("ShardCount", json!(1))]);
        sim.perform(Command::Call(stream));
        let bad = EXAMPLE_CODE.replace("SELECT STREAM", "SELEKT STREAM");
        let Outcome::Err(e) = create(&mut sim, &bad) else { panic!("SELEKT is not SQL") };
        assert_eq!(e.code, "CodeValidationException");
        let pos = sim.sql_error.clone().unwrap();
        assert_eq!(pos.line, 4, "{pos:?}");
        assert!(e.message.starts_with("line 4, column "), "{e}");
        // A good one clears it; starting twice is refused with the API's name for it.
        assert!(matches!(create(&mut sim, EXAMPLE_CODE), Outcome::Ok(_)));
        assert!(sim.sql_error.is_none());
        let Outcome::Err(e) = create(&mut sim, EXAMPLE_CODE) else { panic!("a second tickers") };
        assert_eq!(e.code, "ResourceInUseException");
        let Outcome::Err(e) = sim.perform(Command::Sql(SqlControl::Stop("tickers".into()))) else { panic!() };
        assert_eq!(e.code, "InvalidArgumentException");
        let Outcome::Err(e) = sim.perform(Command::Sql(SqlControl::Start("nope".into()))) else { panic!() };
        assert_eq!(e.code, "ResourceNotFoundException");
    }

    #[test]
    fn a_foreign_journal_entry_is_refused() {
        let text = r#"{"v":1,"seed":1,"now":0,"journal":[{"t":0,"sql":{"pause":"x"}}]}"#;
        assert!(crate::persist::restore(text).err().unwrap_or_default().contains("unknown kind"));
    }
}
