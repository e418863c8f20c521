#![cfg(feature = "analytics")]
//! Simulated Kinesis Data Analytics SQL applications: the course's count per
//! ticker per 10-second tumbling window, aggregates, WHERE, row-by-row
//! projection, chained pumps, errors with their positions, the error stream,
//! and properties: every record is counted in exactly one window, and the
//! parser never panics.

use decouple_engine::analytics::sql::{self, ColumnDef, SqlType};
use decouple_engine::analytics::*;
use decouple_engine::kinesis::*;
use decouple_engine::{Engine, EngineConfig, Event, SimDuration, SimTime};
use proptest::prelude::*;

const APP: &str = "tickers";
const STREAM: &str = "trades";
const OUT: &str = "DESTINATION_SQL_STREAM";

/// The course's example: how many trades per ticker in each 10-second window.
const COUNT_PER_TICKER: &str = r#"
-- One row per ticker every 10 seconds.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ticker_count INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
"#;

fn engine() -> Engine {
    Engine::new(EngineConfig { event_capacity: 1_000_000, ..EngineConfig::default() })
}

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

fn millis(ms: u64) -> SimDuration {
    SimDuration::from_millis(ms)
}

fn stream(e: &mut Engine, shards: i64) {
    e.kinesis()
        .create_stream(CreateStreamRequest {
            stream_name: STREAM.into(),
            shard_count: Some(shards),
            ..Default::default()
        })
        .unwrap();
    e.advance_by(STREAM_CREATE_DELAY);
}

fn put(e: &mut Engine, key: &str, data: &str) {
    e.kinesis()
        .put_record(PutRecordRequest {
            stream: StreamRef::named(STREAM),
            partition_key: key.into(),
            data: data.as_bytes().to_vec(),
            ..Default::default()
        })
        .unwrap();
}

fn trade(e: &mut Engine, ticker: &str, price: f64) {
    put(e, ticker, &format!(r#"{{"ticker":"{ticker}","price":{price},"sector":"TECH"}}"#));
}

fn schema() -> Vec<SchemaColumn> {
    vec![
        SchemaColumn::new("TICKER_SYMBOL", "$.ticker", "VARCHAR(4)"),
        SchemaColumn::new("SECTOR", "$.sector", "VARCHAR(16)"),
        SchemaColumn::new("PRICE", "$.price", "REAL"),
    ]
}

fn create(e: &mut Engine, code: &str) -> Result<(), AnalyticsError> {
    let mut req = CreateApplication::new(APP, STREAM, schema(), code);
    req.starting_position = StartingPosition::TrimHorizon;
    req.history = 10_000;
    e.analytics().create_application(req)
}

fn running(e: &mut Engine, code: &str) {
    create(e, code).unwrap();
    e.analytics().start_application(APP).unwrap();
}

/// Output rows as (rowtime offset from `t0` in ms, values as text).
fn rows(e: &Engine, stream: &str, t0: SimTime) -> Vec<(u64, Vec<String>)> {
    let app = e.analytics_state().application(APP).unwrap();
    app.rows(stream)
        .map(|r| (r.rowtime.as_millis() - t0.as_millis(), r.values.iter().map(|v| v.to_string()).collect()))
        .collect()
}

fn texts(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

#[test]
fn count_per_ticker_per_ten_second_window() {
    let mut e = engine();
    stream(&mut e, 2);
    let t0 = e.now();
    // The engine starts on a whole minute, and the stream takes 10 s, so
    // windows start at t0, t0+10 s, ...
    assert_eq!(t0.as_millis() % 10_000, 0);
    running(&mut e, COUNT_PER_TICKER);
    e.drain_events();

    e.advance_by(millis(500));
    trade(&mut e, "AMZN", 10.0);
    trade(&mut e, "TSLA", 20.0);
    trade(&mut e, "AMZN", 11.0);
    e.advance_to(t0 + millis(9_500));
    trade(&mut e, "AMZN", 12.0); // read at t0+10 s: the next window
    e.advance_to(t0 + millis(9_999));
    assert!(rows(&e, OUT, t0).is_empty(), "nothing before the window closes");

    e.advance_to(t0 + secs(10));
    // Read at t0+1 s, so ROWTIME t0+1 s and window [t0, t0+10 s); emitted at
    // its end with ROWTIME = the end, groups in first-seen order.
    assert_eq!(rows(&e, OUT, t0), [(10_000, texts(&["AMZN", "2"])), (10_000, texts(&["TSLA", "1"]))]);
    let app = e.analytics_state().application(APP).unwrap();
    let first = app.rows(OUT).next().unwrap();
    assert_eq!(first.window, Some((t0, t0 + secs(10))));
    let source: Vec<u64> = app.rows(SOURCE_STREAM).map(|r| r.rowtime.as_millis() - t0.as_millis()).collect();
    assert_eq!(source, [1_000, 1_000, 1_000, 10_000]);

    e.advance_to(t0 + secs(12));
    trade(&mut e, "TSLA", 21.0);
    e.advance_to(t0 + secs(20));
    assert_eq!(rows(&e, OUT, t0)[2..], [(20_000, texts(&["AMZN", "1"])), (20_000, texts(&["TSLA", "1"]))]);
    // An empty window emits nothing.
    e.advance_to(t0 + secs(40));
    assert_eq!(rows(&e, OUT, t0).len(), 4);

    let emitted: Vec<(u64, u32, Option<SimTime>)> = e
        .drain_events()
        .into_iter()
        .filter_map(|l| match l.event {
            Event::AnalyticsRowsEmitted { rows, window_start, .. } => {
                Some((l.at.as_millis() - t0.as_millis(), rows, window_start))
            }
            _ => None,
        })
        .collect();
    assert_eq!(emitted, [(10_000, 2, Some(t0)), (20_000, 2, Some(t0 + secs(10)))]);
}

#[test]
fn sum_avg_min_max_per_minute() {
    let mut e = engine();
    stream(&mut e, 1);
    let code = r#"
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            ticker VARCHAR(4), window_start TIMESTAMP, trades BIGINT, total DOUBLE,
            average DOUBLE, low REAL, high REAL, priced INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, FLOOR(ROWTIME TO MINUTE), COUNT(*), SUM(price), AVG(price),
               MIN(price), MAX(price), COUNT(price)
        FROM "SOURCE_SQL_STREAM_001"
        GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE);
    "#;
    running(&mut e, code);
    let minute = SimTime::from_millis(e.now().as_millis() / 60_000 * 60_000);
    for price in [10.0, 30.0, 20.0, 40.0] {
        trade(&mut e, "AMZN", price);
    }
    put(&mut e, "AMZN", r#"{"ticker":"AMZN","price":null,"sector":"TECH"}"#);
    e.advance_to(minute + secs(60));
    let app = e.analytics_state().application(APP).unwrap();
    let row = app.rows(OUT).next().expect("one row per minute");
    assert_eq!(
        row.values,
        [
            Value::Text("AMZN".into()),
            Value::Timestamp(minute),
            Value::Int(5),
            Value::Double(100.0),
            Value::Double(25.0),
            Value::Double(10.0),
            Value::Double(40.0),
            Value::Int(4),
        ]
    );
    assert_eq!(row.rowtime, minute + secs(60));
    assert_eq!(row.values[1].to_string(), "2026-01-01 00:00:00.000");
}

#[test]
fn where_filters_row_by_row() {
    let mut e = engine();
    stream(&mut e, 1);
    let code = r#"
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE, at TIMESTAMP);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, price, ROWTIME FROM "SOURCE_SQL_STREAM_001"
        WHERE (price >= 50 AND ticker_symbol <> 'TSLA') OR NOT sector = 'TECH';
    "#;
    running(&mut e, code);
    let t0 = e.now();
    trade(&mut e, "AMZN", 49.5);
    trade(&mut e, "AMZN", 50.0);
    trade(&mut e, "TSLA", 90.0);
    put(&mut e, "X", r#"{"ticker":"XOM","price":1,"sector":"ENERGY"}"#);
    e.advance_by(secs(1));
    let at = format!("{}", Value::Timestamp(t0 + secs(1)));
    assert_eq!(rows(&e, OUT, t0), [(1_000, texts(&["AMZN", "50", &at])), (1_000, texts(&["XOM", "1", &at]))]);
    let emitted = e
        .drain_events()
        .into_iter()
        .any(|l| matches!(l.event, Event::AnalyticsRowsEmitted { rows: 2, window_start: None, .. }));
    assert!(emitted, "one event per read of a row-by-row pump");
}

#[test]
fn projection_with_star_and_aliases_and_chained_pumps() {
    let mut e = engine();
    stream(&mut e, 1);
    // Bonus dialect: `*`, a second stream fed by a first pump, and a pump
    // windowing that stream.
    let code = r#"
        CREATE OR REPLACE STREAM "CHEAP" (ticker VARCHAR(2), sector VARCHAR(16), price REAL);
        CREATE OR REPLACE PUMP "P1" AS INSERT INTO "CHEAP"
            SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" AS s WHERE s.price < 100;
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (n INTEGER);
        CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM COUNT(*) AS n FROM "CHEAP" GROUP BY STEP("CHEAP".ROWTIME BY INTERVAL '5' SECOND);
    "#;
    running(&mut e, code);
    let t0 = e.now();
    trade(&mut e, "AMZN", 10.0);
    trade(&mut e, "GOOG", 500.0);
    trade(&mut e, "TSLA", 20.0);
    e.advance_to(t0 + secs(5));
    assert_eq!(rows(&e, "CHEAP", t0), [(1_000, texts(&["AM", "TECH", "10"])), (1_000, texts(&["TS", "TECH", "20"]))]);
    assert_eq!(rows(&e, OUT, t0), [(5_000, texts(&["2"]))]);
    let plan = e.analytics_state().application(APP).unwrap().plan().describe();
    assert_eq!(plan.len(), 4, "{plan:?}");
    let pump = e.analytics_state().application(APP).unwrap().plan().pumps[1].describe();
    assert_eq!(pump, "CHEAP → DESTINATION_SQL_STREAM: tumbling 5 s window");
}

#[test]
fn bad_sql_is_refused_with_its_position() {
    let mut e = engine();
    stream(&mut e, 1);
    // (code, line of the error, the text the error points at, message)
    let cases: &[(&str, u32, &str, &str)] = &[
        ("CREATE OR REPLACE STREAM \"D\" (a INTEGER);\nCREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"D\"\n  SELECT a FROM x;", 3, "a FROM", "expected STREAM"),
        (
            "CREATE OR REPLACE STREAM \"D\" (t VARCHAR(4), n INTEGER);\nCREATE PUMP \"P\" AS INSERT INTO \"D\"\nSELECT STREAM ticker_symbol, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\" GROUP BY ticker_symbol;",
            3,
            "GROUP",
            "needs a window",
        ),
        (
            "CREATE STREAM \"D\" (t VARCHAR(4));\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM tickr FROM \"SOURCE_SQL_STREAM_001\";",
            2,
            "tickr",
            "column tickr is not in SOURCE_SQL_STREAM_001",
        ),
        (
            "CREATE STREAM \"D\" (t VARCHAR(4));\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM a.ticker_symbol FROM \"SOURCE_SQL_STREAM_001\" AS a JOIN b;",
            2,
            "JOIN",
            "joins is not supported",
        ),
        ("CREATE STREAM \"D\" (t VARCHAR(4), p MONEY);", 1, "MONEY", "unknown type MONEY"),
        (
            "CREATE STREAM \"D\" (t VARCHAR(4));\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM ticker_symbol FROM \"SOURCE_SQL_STREAM_001\" WHERE price > 'x';",
            2,
            "> 'x'",
            "cannot compare a number with text",
        ),
        (
            "CREATE STREAM \"D\" (t VARCHAR(4), n INTEGER);\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM sector, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\" GROUP BY ticker_symbol, STEP(ROWTIME BY INTERVAL '1' MINUTE);",
            2,
            "sector",
            "SECTOR must be in GROUP BY",
        ),
        (
            "CREATE STREAM \"D\" (t VARCHAR(4));\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM UPPER(ticker_symbol) FROM \"SOURCE_SQL_STREAM_001\";",
            2,
            "UPPER",
            "function UPPER is not supported",
        ),
        ("CREATE STREAM \"D\" (t VARCHAR(4)", 1, "", "expected \")\""),
        ("SELECT 1", 1, "SELECT", "expected CREATE"),
        ("-- nothing\n", 2, "", "no statements"),
        ("CREATE STREAM 'D' (t INTEGER);", 1, "'D'", "expected a stream name, found string 'D'"),
        (
            "CREATE STREAM \"D\" (t VARCHAR(4));\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM ticker_symbol, price FROM \"SOURCE_SQL_STREAM_001\";",
            2,
            "\"P\"",
            "D has 1 columns but the pump selects 2 values",
        ),
        ("CREATE STREAM \"D\" (t VARCHAR(4));\n\n   /* never closed", 3, "/*", "unterminated /* comment"),
        (
            "CREATE STREAM \"D\" (p DOUBLE);\nCREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM price * 2 FROM \"SOURCE_SQL_STREAM_001\";",
            2,
            "* 2",
            "arithmetic (+ - * /) is not supported",
        ),
    ];
    for (code, line, at, message) in cases {
        // The column of `at` on the line (the line's end when `at` is empty).
        let text = code.split('\n').nth(*line as usize - 1).unwrap_or("");
        let column = if at.is_empty() { text.len() } else { text.find(at).unwrap() } as u32 + 1;
        match create(&mut e, code) {
            Err(AnalyticsError::Sql(err)) => {
                assert!(err.message.contains(message), "{code}\n=> {err}");
                assert_eq!((err.line, err.column), (*line, column), "{code}\n=> {err}");
            }
            other => panic!("{code}\n=> {other:?}"),
        }
    }
    assert!(e.analytics_state().applications().next().is_none());
    // The schema is checked too.
    let bad = CreateApplication::new(APP, STREAM, vec![SchemaColumn::new("A", "$.a", "VARCHAR")], COUNT_PER_TICKER);
    assert!(
        matches!(e.analytics().create_application(bad), Err(AnalyticsError::Invalid(m)) if m.contains("expected \"(\""))
    );
    let missing = CreateApplication::new(APP, "nope", schema(), COUNT_PER_TICKER);
    assert!(matches!(e.analytics().create_application(missing), Err(AnalyticsError::NotFound(_))));
}

#[test]
fn records_that_do_not_fit_go_to_the_error_stream() {
    let mut e = engine();
    stream(&mut e, 1);
    running(&mut e, COUNT_PER_TICKER);
    let t0 = e.now();
    put(&mut e, "k", "not json");
    put(&mut e, "k", r#"{"ticker":"AMZN","sector":"TECH"}"#);
    put(&mut e, "k", r#"{"ticker":"AMZN","price":"cheap","sector":"TECH"}"#);
    trade(&mut e, "AMZN", 1.0);
    e.advance_to(t0 + secs(10));
    let app = e.analytics_state().application(APP).unwrap();
    let reasons: Vec<&str> = app.errors().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons.len(), 3);
    assert!(reasons[0].starts_with("The record is not valid JSON"), "{reasons:?}");
    assert_eq!(reasons[1], "The record has no $.price for column PRICE.");
    assert_eq!(reasons[2], "Column PRICE: \"cheap\" is not a valid REAL.");
    assert_eq!(app.errors().next().unwrap().data, "not json");
    assert_eq!((app.errors_total, app.records_read), (3, 4));
    assert_eq!(rows(&e, OUT, t0), [(10_000, texts(&["AMZN", "1"]))]);
    let rejected = e.drain_events().iter().filter(|l| matches!(l.event, Event::AnalyticsRecordRejected { .. })).count();
    assert_eq!(rejected, 3);
}

#[test]
fn now_skips_old_records_and_stop_start_continues_where_it_stopped() {
    let mut e = engine();
    stream(&mut e, 1);
    trade(&mut e, "OLD", 1.0);
    e.advance_by(millis(500));
    let baseline = e.pending_deadlines();
    let code = COUNT_PER_TICKER.replace("'10' SECOND", "'1' SECOND");
    e.analytics().create_application(CreateApplication::new(APP, STREAM, schema(), code)).unwrap();
    e.analytics().start_application(APP).unwrap();
    assert!(matches!(e.analytics().start_application(APP), Err(AnalyticsError::Invalid(_))));
    e.advance_by(secs(3));
    trade(&mut e, "NEW", 1.0);
    e.advance_by(secs(3));
    e.analytics().stop_application(APP).unwrap();
    trade(&mut e, "MID", 1.0);
    e.advance_by(secs(10 * 60)); // longer than an iterator lives
    e.analytics().start_application(APP).unwrap();
    e.advance_by(secs(3));
    let app = e.analytics_state().application(APP).unwrap();
    let tickers: Vec<String> = app.rows(OUT).map(|r| r.values[0].to_string()).collect();
    assert_eq!(tickers, ["NEW", "MID"]);
    assert_eq!(app.status, ApplicationStatus::Running);
    e.analytics().delete_application(APP).unwrap();
    assert_eq!(e.pending_deadlines(), baseline, "deleting leaves no deadline behind");
    assert!(matches!(e.analytics().stop_application(APP), Err(AnalyticsError::NotFound(_))));
}

#[test]
fn deadlines_are_described() {
    let mut e = engine();
    stream(&mut e, 1);
    running(&mut e, COUNT_PER_TICKER);
    let (_, d) = e.peek_deadline().unwrap();
    assert_eq!(e.describe_deadline(&d.clone()), "tickers: reads trades");
    trade(&mut e, "AMZN", 1.0);
    e.advance_by(secs(1));
    let described: Vec<String> = {
        let mut out = Vec::new();
        while let Some((_, d)) = e.peek_deadline() {
            let d = d.clone();
            out.push(e.describe_deadline(&d));
            if out.len() > 15 {
                break;
            }
            e.advance_to_next_deadline();
        }
        out
    };
    assert!(
        described
            .iter()
            .any(|d| d == "tickers: STREAM_PUMP closes a tumbling window and inserts into DESTINATION_SQL_STREAM"),
        "{described:?}"
    );
}

fn fuzz_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef { name: "TICKER_SYMBOL".into(), sql_type: SqlType::Varchar(4) },
        ColumnDef { name: "PRICE".into(), sql_type: SqlType::Real },
    ]
}

const WORDS: &[&str] = &[
    "CREATE",
    "OR",
    "REPLACE",
    "STREAM",
    "PUMP",
    "AS",
    "INSERT",
    "INTO",
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "STEP",
    "FLOOR",
    "ROWTIME",
    "INTERVAL",
    "'10'",
    "SECOND",
    "MINUTE",
    "TO",
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "AND",
    "NOT",
    "IS",
    "NULL",
    "(",
    ")",
    "(",
    ")",
    ",",
    ";",
    ".",
    "*",
    "=",
    "<>",
    "<",
    ">=",
    "-",
    "1",
    "2.5",
    "'x'",
    "\"D\"",
    "\"SOURCE_SQL_STREAM_001\"",
    "ticker_symbol",
    "price",
    "VARCHAR(4)",
    "INTEGER",
    "JOIN",
    "\"",
    "'",
    "/*",
    "--",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// COUNT(*) per window equals the records whose ROWTIME falls in it, and
    /// every record is counted in exactly one window.
    #[test]
    fn every_record_is_counted_in_exactly_one_window(
        offsets in prop::collection::vec(0u64..120_000, 0..60),
        window_secs in prop::sample::select(vec![1u64, 2, 3, 5, 10, 30, 60]),
        shards in 1i64..4,
    ) {
        let mut e = engine();
        stream(&mut e, shards);
        let code = format!(
            "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (window_start TIMESTAMP, n INTEGER);
             CREATE OR REPLACE PUMP \"STREAM_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"
             SELECT STREAM STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '{window_secs}' SECOND), COUNT(*)
             FROM \"SOURCE_SQL_STREAM_001\"
             GROUP BY STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '{window_secs}' SECOND);"
        );
        running(&mut e, &code);
        let t0 = e.now();
        let mut offsets = offsets;
        offsets.sort_unstable();
        for (i, at) in offsets.iter().enumerate() {
            e.advance_to(t0 + millis(*at));
            trade(&mut e, ["AMZN", "TSLA", "GOOG"][i % 3], i as f64);
        }
        e.advance_to(t0 + secs(125 + window_secs));
        let app = e.analytics_state().application(APP).unwrap();
        let size = window_secs * 1000;
        let source: Vec<u64> = app.rows(SOURCE_STREAM).map(|r| r.rowtime.as_millis()).collect();
        prop_assert_eq!(source.len(), offsets.len());
        let mut counted = 0u64;
        let mut starts = Vec::new();
        for row in app.rows(OUT) {
            let Value::Timestamp(start) = row.values[0] else { panic!("{row:?}") };
            let start = start.as_millis();
            prop_assert_eq!(start % size, 0);
            prop_assert_eq!(row.window, Some((SimTime::from_millis(start), SimTime::from_millis(start + size))));
            prop_assert_eq!(row.rowtime.as_millis(), start + size);
            let expected = source.iter().filter(|t| start <= **t && **t < start + size).count() as i64;
            prop_assert_eq!(&row.values[1], &Value::Int(expected));
            counted += expected as u64;
            starts.push(start);
        }
        prop_assert_eq!(counted, offsets.len() as u64);
        let mut unique = starts.clone();
        unique.dedup();
        prop_assert_eq!(unique.len(), starts.len(), "one row per window");
        prop_assert!(source.iter().all(|t| starts.contains(&(t - t % size))));
    }

    /// Whatever a record holds, it becomes a row or an error row, never a panic.
    #[test]
    fn any_record_is_mapped_or_refused(
        texts in prop::collection::vec("\\PC{0,40}", 1..8),
        raw in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut e = engine();
        stream(&mut e, 1);
        let columns = vec![
            SchemaColumn::new("AT", "$.at", "TIMESTAMP"),
            SchemaColumn::new("N", "$.n", "INTEGER"),
            SchemaColumn::new("S", "$.s[1]", "VARCHAR(3)"),
        ];
        let code = r#"CREATE STREAM "DESTINATION_SQL_STREAM" (at TIMESTAMP, n INTEGER, s VARCHAR(3), c INTEGER);
            CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM at, n, s, COUNT(*)
            FROM "SOURCE_SQL_STREAM_001" GROUP BY at, n, s, STEP(ROWTIME BY INTERVAL '1' SECOND)"#;
        let mut req = CreateApplication::new(APP, STREAM, columns, code);
        req.starting_position = StartingPosition::TrimHorizon;
        e.analytics().create_application(req).unwrap();
        e.analytics().start_application(APP).unwrap();
        for t in &texts {
            let quoted = serde_json::to_string(t).unwrap();
            put(&mut e, "k", &format!(r#"{{"at":{quoted},"n":{},"s":["x",{quoted}]}}"#, t.len()));
        }
        e.kinesis()
            .put_record(PutRecordRequest { stream: StreamRef::named(STREAM), partition_key: "k".into(), data: raw, ..Default::default() })
            .unwrap();
        e.advance_by(secs(3));
        let app = e.analytics_state().application(APP).unwrap();
        prop_assert_eq!(app.records_read, texts.len() as u64 + 1);
        prop_assert_eq!(app.rows(SOURCE_STREAM).count() as u64 + app.errors_total, app.records_read);
    }

    /// Any text is refused or accepted, never a panic.
    #[test]
    fn the_parser_never_panics_on_any_text(code in "\\PC{0,200}") {
        let _ = sql::compile(&code, &fuzz_columns());
    }

    /// Nor on near-miss code built from the dialect's own words.
    #[test]
    fn the_parser_never_panics_on_dialect_soup(words in prop::collection::vec(prop::sample::select(WORDS.to_vec()), 0..80)) {
        let code = words.join(" ");
        if let Err(err) = sql::compile(&code, &fuzz_columns()) {
            prop_assert!(err.line >= 1 && err.column >= 1);
            prop_assert!(!err.message.is_empty());
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let code = format!(
        "CREATE STREAM \"D\" (b BOOLEAN); CREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM {}price > 1{} FROM \"SOURCE_SQL_STREAM_001\";",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let err = sql::compile(&code, &fuzz_columns()).unwrap_err();
    assert!(err.message.contains("nest deeper"), "{err}");
    let nots = format!(
        "CREATE STREAM \"D\" (b BOOLEAN); CREATE PUMP \"P\" AS INSERT INTO \"D\" SELECT STREAM {} TRUE FROM \"SOURCE_SQL_STREAM_001\";",
        "NOT ".repeat(10_000)
    );
    assert!(sql::compile(&nots, &fuzz_columns()).unwrap_err().message.contains("nest deeper"));
}

#[test]
fn schema_types_and_paths() {
    assert_eq!(SqlType::parse("varchar(16)").unwrap(), SqlType::Varchar(16));
    assert_eq!(SqlType::parse("DECIMAL(8,2)").unwrap().to_string(), "DECIMAL(8,2)");
    assert!(SqlType::parse("VARCHAR(0)").is_err());
    let mut e = engine();
    stream(&mut e, 1);
    let columns = vec![
        SchemaColumn::new("WHEN", "$.meta.at", "TIMESTAMP"),
        SchemaColumn::new("FIRST_LEG", "$.legs[0].qty", "BIGINT"),
        SchemaColumn::new("OK", "ok", "BOOLEAN"),
    ];
    let code = r#"CREATE STREAM "DESTINATION_SQL_STREAM" ("WHEN" TIMESTAMP, q BIGINT, ok BOOLEAN);
        CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "WHEN", first_leg, ok
        FROM "SOURCE_SQL_STREAM_001" WHERE ok IS NOT NULL"#;
    e.analytics().create_application(CreateApplication::new(APP, STREAM, columns, code)).unwrap();
    e.analytics().start_application(APP).unwrap();
    put(&mut e, "k", r#"{"meta":{"at":"2026-01-01T00:00:05.250Z"},"legs":[{"qty":7}],"ok":true}"#);
    put(&mut e, "k", r#"{"meta":{"at":1767225600000},"legs":[{"qty":8}],"ok":null}"#);
    e.advance_by(secs(1));
    let app = e.analytics_state().application(APP).unwrap();
    let errors: Vec<&ErrorRow> = app.errors().collect();
    assert!(errors.is_empty(), "{errors:?}");
    let row: Vec<Value> = app.rows(OUT).next().unwrap().values.clone();
    assert_eq!(row, [Value::Timestamp(SimTime::from_millis(1_767_225_605_250)), Value::Int(7), Value::Bool(true)]);
    assert_eq!(app.rows(OUT).count(), 1);
    let bad_path = CreateApplication::new("b", STREAM, vec![SchemaColumn::new("A", "$..a", "INTEGER")], "");
    assert!(matches!(e.analytics().create_application(bad_path), Err(AnalyticsError::Invalid(_))));
}
