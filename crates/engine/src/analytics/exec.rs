//! Running a plan: SQL values, mapping a JSON record to a source row,
//! evaluating expressions, and the accumulators of a tumbling window.
//!
//! Conditions use SQL's three-valued logic (a comparison with NULL is
//! unknown, and WHERE keeps only rows that are true). Aggregates skip NULLs,
//! except `COUNT(*)`, as SQL's do.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

use super::sql::{AggFunc, CmpOp, Expr, SqlType};
use crate::time::SimTime;

/// One SQL value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Double(f64),
    Text(String),
    Bool(bool),
    Timestamp(SimTime),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Double(d) => write!(f, "{d}"),
            Value::Text(t) => f.write_str(t),
            Value::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            // KDA prints timestamps as `2026-01-01 00:00:10.000`.
            Value::Timestamp(t) => {
                let iso = t.to_iso8601();
                f.write_str(iso.trim_end_matches('Z').replace('T', " ").as_str())
            }
        }
    }
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Double(d) => Some(*d),
            _ => None,
        }
    }

    /// SQL comparison: `None` when either side is NULL or the kinds differ.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Timestamp(a), Value::Timestamp(b)) => Some(a.cmp(b)),
            (a, b) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        }
    }

    /// The value stored in a column of `ty`: numbers converted (a double
    /// into an integer column is truncated toward zero, saturating), text
    /// cut to the VARCHAR length.
    pub fn coerce(self, ty: &SqlType) -> Value {
        match (self, ty) {
            (Value::Double(d), SqlType::Integer) => Value::Int((d as i32).into()),
            (Value::Double(d), SqlType::Bigint) => Value::Int(d as i64),
            (Value::Int(i), SqlType::Integer) => Value::Int(i.clamp(i32::MIN.into(), i32::MAX.into())),
            (Value::Int(i), SqlType::Double | SqlType::Real | SqlType::Decimal(_)) => Value::Double(i as f64),
            (Value::Text(t), SqlType::Varchar(n)) => Value::Text(truncate(t, *n)),
            (v, _) => v,
        }
    }
}

fn truncate(mut text: String, chars: u32) -> String {
    if let Some((at, _)) = text.char_indices().nth(chars as usize) {
        text.truncate(at);
    }
    text
}

/// One step of a record column's JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// Parses a mapping such as `$.ticker`, `$.trade.price` or `$.legs[0].qty`
/// (a leading `$.` may be left out).
pub fn parse_path(mapping: &str) -> Result<Vec<PathStep>, String> {
    let rest = mapping.strip_prefix('$').unwrap_or(mapping);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    let bad = || format!("mapping {mapping:?} is not a JSON path such as $.ticker or $.trade.price");
    let mut steps = Vec::new();
    for part in rest.split('.') {
        let (key, mut indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() && (steps.is_empty() || indexes.is_empty()) {
            return Err(bad());
        }
        if !key.is_empty() {
            steps.push(PathStep::Key(String::from(key)));
        }
        while let Some(after) = indexes.strip_prefix('[') {
            let end = after.find(']').ok_or_else(bad)?;
            steps.push(PathStep::Index(after[..end].parse().map_err(|_| bad())?));
            indexes = &after[end + 1..];
        }
        if !indexes.is_empty() {
            return Err(bad());
        }
    }
    Ok(steps)
}

/// A source column: where its value is in the record, and its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceColumn {
    pub name: String,
    pub mapping: String,
    pub sql_type: SqlType,
    pub(crate) path: Vec<PathStep>,
}

/// Maps a record's data to a row of the source stream, or says why it
/// belongs in the error stream.
pub fn map_record(columns: &[SourceColumn], data: &[u8]) -> Result<Vec<Value>, String> {
    let doc: serde_json::Value =
        serde_json::from_slice(data).map_err(|e| format!("The record is not valid JSON ({e})."))?;
    let mut row = Vec::with_capacity(columns.len());
    for c in columns {
        let mut at = &doc;
        for step in &c.path {
            let next = match step {
                PathStep::Key(k) => at.get(k.as_str()),
                PathStep::Index(i) => at.get(*i),
            };
            at = next.ok_or_else(|| format!("The record has no {} for column {}.", c.mapping, c.name))?;
        }
        row.push(json_value(at, &c.sql_type).map_err(|why| format!("Column {}: {why}", c.name))?);
    }
    Ok(row)
}

fn json_value(v: &serde_json::Value, ty: &SqlType) -> Result<Value, String> {
    use serde_json::Value as J;
    if v.is_null() {
        return Ok(Value::Null);
    }
    let wrong = || format!("{v} is not a valid {ty}.");
    Ok(match ty {
        SqlType::Varchar(n) => match v {
            J::String(s) => Value::Text(truncate(s.clone(), *n)),
            other => Value::Text(truncate(other.to_string(), *n)),
        },
        SqlType::Integer => Value::Int(v.as_i64().filter(|i| i32::try_from(*i).is_ok()).ok_or_else(wrong)?),
        SqlType::Bigint => Value::Int(v.as_i64().ok_or_else(wrong)?),
        SqlType::Double | SqlType::Real | SqlType::Decimal(_) => Value::Double(v.as_f64().ok_or_else(wrong)?),
        SqlType::Boolean => Value::Bool(v.as_bool().ok_or_else(wrong)?),
        SqlType::Timestamp => match v {
            J::Number(n) => Value::Timestamp(SimTime::from_millis(n.as_u64().ok_or_else(wrong)?)),
            J::String(s) => Value::Timestamp(parse_timestamp(s).ok_or_else(wrong)?),
            _ => return Err(wrong()),
        },
    })
}

/// `2026-01-01 00:00:10[.123]` or ISO 8601 with `T` and an optional `Z`.
fn parse_timestamp(s: &str) -> Option<SimTime> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, mo, day) = (d.next()??, d.next()??, d.next()??);
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, mi, sec) = (t.next()??, t.next()??, t.next()??);
    let in_range = (1970..=9999).contains(&y) && (1..=12).contains(&mo) && (1..=31).contains(&day);
    if !in_range || !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..=60).contains(&sec) {
        return None;
    }
    if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Milliseconds from the first three digits of the fraction.
    let ms = frac.bytes().chain(core::iter::repeat(b'0')).take(3).fold(0i64, |ms, d| ms * 10 + i64::from(d - b'0'));
    // Howard Hinnant's days_from_civil.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let millis = ((days * 86_400 + h * 3600 + mi * 60 + sec) * 1000).checked_add(ms)?;
    u64::try_from(millis).ok().map(SimTime::from_millis)
}

/// What an expression sees of a row.
pub struct RowRef<'a> {
    pub values: &'a [Value],
    pub rowtime: SimTime,
    /// Window start (for `STEP`/`FLOOR` in a windowed pump's output).
    pub window_start: Option<SimTime>,
    /// Aggregate results, in the order the expression tree holds them.
    pub aggregates: &'a [Value],
}

/// Evaluates `expr`; `next_aggregate` walks `row.aggregates` left to right.
pub fn eval(expr: &Expr, row: &RowRef<'_>, next_aggregate: &mut usize) -> Value {
    match expr {
        Expr::Column { index, .. } => row.values.get(*index).cloned().unwrap_or(Value::Null),
        Expr::Rowtime => Value::Timestamp(row.rowtime),
        Expr::Literal(v) => v.clone(),
        Expr::Window(w) => {
            let start = row.window_start.unwrap_or_else(|| SimTime::from_millis(w.start(row.rowtime.as_millis())));
            Value::Timestamp(start)
        }
        Expr::Compare(a, op, b) => {
            let (a, b) = (eval(a, row, next_aggregate), eval(b, row, next_aggregate));
            match a.compare(&b) {
                Some(o) => Value::Bool(match op {
                    CmpOp::Eq => o == Ordering::Equal,
                    CmpOp::Ne => o != Ordering::Equal,
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Le => o != Ordering::Greater,
                    CmpOp::Gt => o == Ordering::Greater,
                    CmpOp::Ge => o != Ordering::Less,
                }),
                None => Value::Null,
            }
        }
        Expr::IsNull(a, negated) => Value::Bool((eval(a, row, next_aggregate) == Value::Null) != *negated),
        Expr::And(a, b) => {
            let (a, b) = (truth(&eval(a, row, next_aggregate)), truth(&eval(b, row, next_aggregate)));
            match (a, b) {
                (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        Expr::Or(a, b) => {
            let (a, b) = (truth(&eval(a, row, next_aggregate)), truth(&eval(b, row, next_aggregate)));
            match (a, b) {
                (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        Expr::Not(a) => match truth(&eval(a, row, next_aggregate)) {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::Aggregate(..) => {
            let v = row.aggregates.get(*next_aggregate).cloned().unwrap_or(Value::Null);
            *next_aggregate += 1;
            v
        }
    }
}

fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// Whether a row passes WHERE (unknown does not).
pub fn passes(filter: Option<&Expr>, row: &RowRef<'_>) -> bool {
    filter.is_none_or(|f| eval(f, row, &mut 0) == Value::Bool(true))
}

/// The aggregate calls of an expression, left to right (the order `eval` consumes their results).
pub fn aggregates_of<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match expr {
        Expr::Aggregate(..) => out.push(expr),
        Expr::Compare(a, _, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            aggregates_of(a, out);
            aggregates_of(b, out);
        }
        Expr::IsNull(a, _) | Expr::Not(a) => aggregates_of(a, out),
        _ => {}
    }
}

/// The running state of one aggregate call in one group.
#[derive(Clone, Debug, PartialEq)]
pub enum Accumulator {
    Count(i64),
    /// Integer sums stay exact until they overflow, then become doubles.
    Sum {
        int: Option<i64>,
        float: f64,
        floating: bool,
        seen: bool,
    },
    Avg {
        sum: f64,
        n: u64,
    },
    Min(Value),
    Max(Value),
}

impl Accumulator {
    pub fn new(func: AggFunc) -> Self {
        match func {
            AggFunc::Count => Accumulator::Count(0),
            AggFunc::Sum => Accumulator::Sum { int: Some(0), float: 0.0, floating: false, seen: false },
            AggFunc::Avg => Accumulator::Avg { sum: 0.0, n: 0 },
            AggFunc::Min => Accumulator::Min(Value::Null),
            AggFunc::Max => Accumulator::Max(Value::Null),
        }
    }

    /// Adds one row's argument (`None` for `COUNT(*)`).
    pub fn add(&mut self, arg: Option<Value>) {
        if arg == Some(Value::Null) {
            return;
        }
        match (self, arg) {
            (Accumulator::Count(n), _) => *n += 1,
            (Accumulator::Sum { int, float, floating, seen }, Some(v)) => {
                *seen = true;
                match v {
                    Value::Int(i) => *int = int.and_then(|s| s.checked_add(i)),
                    _ => *floating = true,
                }
                *float += v.as_f64().unwrap_or(0.0);
            }
            (Accumulator::Avg { sum, n }, Some(v)) => {
                *sum += v.as_f64().unwrap_or(0.0);
                *n += 1;
            }
            (Accumulator::Min(m), Some(v)) if *m == Value::Null || v.compare(m) == Some(Ordering::Less) => *m = v,
            (Accumulator::Max(m), Some(v)) if *m == Value::Null || v.compare(m) == Some(Ordering::Greater) => *m = v,
            _ => {}
        }
    }

    pub fn result(&self) -> Value {
        match self {
            Accumulator::Count(n) => Value::Int(*n),
            Accumulator::Sum { seen: false, .. } => Value::Null,
            Accumulator::Sum { int: Some(i), floating: false, .. } => Value::Int(*i),
            Accumulator::Sum { float, .. } => Value::Double(*float),
            Accumulator::Avg { n: 0, .. } => Value::Null,
            Accumulator::Avg { sum, n } => Value::Double(*sum / *n as f64),
            Accumulator::Min(v) | Accumulator::Max(v) => v.clone(),
        }
    }
}

/// A group key as text: each value rendered with its kind (so 1 and '1'
/// stay apart) and its length (so no two keys run into each other).
pub fn group_key(values: &[Value], columns: &[usize]) -> String {
    let mut key = String::new();
    for c in columns {
        let v = values.get(*c).unwrap_or(&Value::Null);
        let tag = match v {
            Value::Null => 'n',
            Value::Int(_) => 'i',
            Value::Double(_) => 'd',
            Value::Text(_) => 't',
            Value::Bool(_) => 'b',
            Value::Timestamp(_) => 's',
        };
        let text = v.to_string();
        key.push_str(&format!("{tag}{}:{text}", text.len()));
    }
    key
}
