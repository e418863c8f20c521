//! The application code: a tokenizer and a recursive-descent parser for
//! exactly the Kinesis Data Analytics dialect the course uses, and the checks
//! that turn it into a [`Plan`] the engine can run.
//!
//! What it accepts, and nothing more:
//!
//! ```text
//! CREATE [OR REPLACE] STREAM name (column TYPE, ...);
//! CREATE [OR REPLACE] PUMP name AS INSERT INTO stream [(column, ...)]
//!   SELECT STREAM item, ... FROM stream [[AS] alias]
//!   [WHERE condition]
//!   [GROUP BY column, ..., STEP(stream.ROWTIME BY INTERVAL 'n' SECOND|MINUTE|HOUR|DAY)];
//! ```
//!
//! Items are `*`, columns, `ROWTIME`, literals, `COUNT(*)`, `COUNT/SUM/AVG/
//! MIN/MAX(expr)`, `STEP(...)` or `FLOOR(ROWTIME TO unit)`, each with an
//! optional alias. Conditions are comparisons (`= <> != < <= > >=`,
//! `IS [NOT] NULL`) joined by `AND`, `OR`, `NOT` and parentheses. Unquoted
//! names are case-insensitive (KDA upper-cases them); quoted names are exact.
//! Anything else — joins, sliding windows (`OVER`/`WINDOW`), `HAVING`,
//! arithmetic, other functions — is refused with its line and column.
//!
//! The parser never recurses without bound: nesting deeper than
//! [`MAX_NESTING`] is an error, not a stack overflow.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::exec::Value;
use crate::time::SimDuration;

/// AWS's limit on `ApplicationCode`.
pub const MAX_CODE_CHARS: usize = 102_400;
/// Statements per application; a bound so that a chain of pumps stays small.
pub const MAX_STATEMENTS: usize = 64;
/// Parentheses and NOTs nested deeper than this are refused.
pub const MAX_NESTING: u32 = 32;
/// The in-application stream the input is mapped to (KDA's default name
/// prefix `SOURCE_SQL_STREAM` plus `_001`).
pub const SOURCE_STREAM: &str = "SOURCE_SQL_STREAM_001";

/// A parse or validation error at a position in the code (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Pos {
    line: u32,
    column: u32,
}

fn error(pos: Pos, message: impl Into<String>) -> SqlError {
    SqlError { line: pos.line, column: pos.column, message: message.into() }
}

/// A column type of the dialect. Precision is kept for display only:
/// DECIMAL values are computed as doubles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlType {
    Varchar(u32),
    Integer,
    Bigint,
    Double,
    Real,
    Decimal(Option<(u32, u32)>),
    Timestamp,
    Boolean,
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Varchar(n) => write!(f, "VARCHAR({n})"),
            SqlType::Integer => f.write_str("INTEGER"),
            SqlType::Bigint => f.write_str("BIGINT"),
            SqlType::Double => f.write_str("DOUBLE"),
            SqlType::Real => f.write_str("REAL"),
            SqlType::Decimal(None) => f.write_str("DECIMAL"),
            SqlType::Decimal(Some((p, s))) => write!(f, "DECIMAL({p},{s})"),
            SqlType::Timestamp => f.write_str("TIMESTAMP"),
            SqlType::Boolean => f.write_str("BOOLEAN"),
        }
    }
}

impl SqlType {
    /// Parses a type as a schema gives it (`"VARCHAR(4)"`, `"REAL"`).
    pub fn parse(text: &str) -> Result<SqlType, SqlError> {
        let tokens = tokenize(text)?;
        let mut p = Parser { tokens: &tokens, at: 0, depth: 0 };
        let ty = p.sql_type()?;
        p.expect_end()?;
        Ok(ty)
    }

    fn kind(&self) -> Kind {
        match self {
            SqlType::Varchar(_) => Kind::Text,
            SqlType::Timestamp => Kind::Time,
            SqlType::Boolean => Kind::Bool,
            _ => Kind::Number,
        }
    }
}

// ---------------------------------------------------------------- tokens

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// An unquoted name or keyword, as written.
    Word(String),
    /// A `"quoted"` name.
    Quoted(String),
    Number(String),
    Text(String),
    Sym(&'static str),
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    pos: Pos,
}

// `+` and `/` are tokens only so that arithmetic gets a clear refusal.
const SYMBOLS: [&str; 16] = ["<>", "<=", ">=", "!=", "(", ")", ",", ";", ".", "*", "=", "<", ">", "-", "+", "/"];

fn tokenize(src: &str) -> Result<Vec<Token>, SqlError> {
    let chars: Vec<char> = src.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0usize, 1u32, 1u32);
    // Advances over `n` characters, keeping line and column.
    let step = |i: &mut usize, line: &mut u32, column: &mut u32, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, column };
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            step(&mut i, &mut line, &mut column, 1);
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                step(&mut i, &mut line, &mut column, 1);
            }
        } else if c == '/' && next == Some('*') {
            step(&mut i, &mut line, &mut column, 2);
            loop {
                if i >= chars.len() {
                    return Err(error(pos, "unterminated /* comment"));
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    step(&mut i, &mut line, &mut column, 2);
                    break;
                }
                step(&mut i, &mut line, &mut column, 1);
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                step(&mut i, &mut line, &mut column, 1);
            }
            tokens.push(Token { tok: Tok::Word(chars[start..i].iter().collect()), pos });
        } else if c == '"' || c == '\'' {
            // Both quote styles double the quote to escape it.
            let mut text = String::new();
            step(&mut i, &mut line, &mut column, 1);
            loop {
                match chars.get(i) {
                    None => {
                        let what = if c == '"' { "quoted name" } else { "string" };
                        return Err(error(pos, format!("unterminated {what}: missing closing {c}")));
                    }
                    Some(&q) if q == c && chars.get(i + 1) == Some(&c) => {
                        text.push(c);
                        step(&mut i, &mut line, &mut column, 2);
                    }
                    Some(&q) if q == c => {
                        step(&mut i, &mut line, &mut column, 1);
                        break;
                    }
                    Some(&other) => {
                        text.push(other);
                        step(&mut i, &mut line, &mut column, 1);
                    }
                }
            }
            if c == '"' && text.is_empty() {
                return Err(error(pos, "a quoted name cannot be empty"));
            }
            tokens.push(Token { tok: if c == '"' { Tok::Quoted(text) } else { Tok::Text(text) }, pos });
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                step(&mut i, &mut line, &mut column, 1);
            }
            if matches!(chars.get(i), Some('e' | 'E')) {
                let sign = usize::from(matches!(chars.get(i + 1), Some('+' | '-')));
                if chars.get(i + 1 + sign).is_some_and(|d| d.is_ascii_digit()) {
                    step(&mut i, &mut line, &mut column, 1 + sign);
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        step(&mut i, &mut line, &mut column, 1);
                    }
                }
            }
            tokens.push(Token { tok: Tok::Number(chars[start..i].iter().collect()), pos });
        } else {
            let sym = SYMBOLS.iter().find(|s| {
                let mut it = s.chars();
                it.next() == Some(c) && it.next().is_none_or(|second| next == Some(second))
            });
            match sym {
                Some(s) => {
                    tokens.push(Token { tok: Tok::Sym(s), pos });
                    step(&mut i, &mut line, &mut column, s.len());
                }
                None => return Err(error(pos, format!("unexpected character {c:?}"))),
            }
        }
    }
    tokens.push(Token { tok: Tok::End, pos: Pos { line, column } });
    Ok(tokens)
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => w.clone(),
        Tok::Quoted(q) => format!("\"{q}\""),
        Tok::Number(n) => format!("number {n}"),
        Tok::Text(t) => format!("string '{t}'"),
        Tok::Sym(s) => format!("\"{s}\""),
        Tok::End => String::from("the end of the code"),
    }
}

/// Keywords of KDA's SQL that this simulator does not run, with what to use.
const UNSUPPORTED: [(&str, &str); 14] = [
    ("JOIN", "joins"),
    ("OVER", "sliding windows (OVER)"),
    ("WINDOW", "sliding windows (WINDOW)"),
    ("HAVING", "HAVING"),
    ("ORDER", "ORDER BY"),
    ("UNION", "UNION"),
    ("DISTINCT", "DISTINCT"),
    ("PARTITION", "PARTITION BY"),
    ("CASE", "CASE"),
    ("CAST", "CAST"),
    ("LIKE", "LIKE"),
    ("BETWEEN", "BETWEEN"),
    ("IN", "IN"),
    ("TABLE", "tables"),
];

const SUPPORTED: &str = "this simulator supports CREATE [OR REPLACE] STREAM and CREATE [OR REPLACE] PUMP ... \
AS INSERT INTO ... SELECT STREAM ... FROM ... [WHERE ...] [GROUP BY ..., STEP(... BY INTERVAL 'n' SECOND)]";

// ------------------------------------------------------------------ plan

/// The application code, checked and ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Streams the code creates, in order.
    pub streams: Vec<StreamDef>,
    /// Pumps in order; each reads the source stream or a stream an earlier
    /// pump writes, so rows always flow forward.
    pub pumps: Vec<Pump>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamDef {
    pub name: String,
    pub columns: Vec<ColumnDef>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub sql_type: SqlType,
}

/// One `CREATE PUMP ... AS INSERT INTO ... SELECT STREAM ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pump {
    pub name: String,
    pub into: String,
    pub from: String,
    /// One per target column, in the target stream's column order.
    pub items: Vec<SelectItem>,
    pub filter: Option<Expr>,
    /// Columns of `from` named in GROUP BY (besides the window).
    pub group_by: Vec<usize>,
    /// Their names, for display.
    pub group_names: Vec<String>,
    /// The tumbling window; `None` for a row-by-row pump.
    pub window: Option<Window>,
    /// Whether any item aggregates (then the pump emits when windows close).
    pub aggregates: bool,
}

impl Pump {
    /// A one-line summary for a UI, e.g. "tumbling 10 s window, GROUP BY 1 column".
    pub fn describe(&self) -> String {
        let mut s = match &self.window {
            Some(w) => {
                let ms = w.size.as_millis();
                let size = if ms % 1000 == 0 { format!("{} s", ms / 1000) } else { format!("{ms} ms") };
                format!("{} → {}: tumbling {size} window", self.from, self.into)
            }
            None => format!("{} → {}: row by row", self.from, self.into),
        };
        if !self.group_by.is_empty() {
            s.push_str(&format!(", grouped by {} column(s)", self.group_by.len()));
        }
        if self.filter.is_some() {
            s.push_str(", filtered by WHERE");
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SelectItem {
    pub expr: Expr,
    /// The name the item gets (its alias, or the target column).
    pub name: String,
}

/// A tumbling window: `STEP(ROWTIME BY INTERVAL ...)` or `FLOOR(ROWTIME TO unit)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub size: SimDuration,
}

impl Window {
    /// STEP's rounding: the window start for `millis` since the epoch.
    pub fn start(&self, millis: u64) -> u64 {
        let size = self.size.as_millis().max(1);
        millis - millis % size
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// An expression with its column names resolved to positions in the stream it reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Column {
        index: usize,
        name: String,
    },
    /// The row's ROWTIME (for an aggregate, the output row's: the window end).
    Rowtime,
    Literal(Value),
    Compare(Box<Expr>, CmpOp, Box<Expr>),
    /// `IS NULL` (`false`) or `IS NOT NULL` (`true`).
    IsNull(Box<Expr>, bool),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// `None` is `COUNT(*)`.
    Aggregate(AggFunc, Option<Box<Expr>>),
    /// The window start of ROWTIME (`STEP`/`FLOOR`).
    Window(Window),
}

impl Expr {
    fn contains_aggregate(&self) -> bool {
        match self {
            Expr::Aggregate(..) => true,
            Expr::Compare(a, _, b) | Expr::And(a, b) | Expr::Or(a, b) => {
                a.contains_aggregate() || b.contains_aggregate()
            }
            Expr::IsNull(a, _) | Expr::Not(a) => a.contains_aggregate(),
            _ => false,
        }
    }
}

/// What a value is, for the checks that need no data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Number,
    Text,
    Bool,
    Time,
    /// NULL fits anywhere.
    Any,
}

impl Kind {
    fn fits(self, other: Kind) -> bool {
        self == other || self == Kind::Any || other == Kind::Any
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Number => "a number",
            Kind::Text => "text",
            Kind::Bool => "a boolean",
            Kind::Time => "a timestamp",
            Kind::Any => "NULL",
        }
    }
}

// -------------------------------------------------------------- raw tree

/// A name as written: unquoted names compare case-insensitively.
#[derive(Clone, Debug)]
struct Name {
    text: String,
    quoted: bool,
    pos: Pos,
}

impl Name {
    /// The name KDA stores: unquoted names are upper-cased.
    fn normalized(&self) -> String {
        if self.quoted {
            self.text.clone()
        } else {
            self.text.to_ascii_uppercase()
        }
    }

    fn matches(&self, other: &str) -> bool {
        if self.quoted {
            self.text == other
        } else {
            self.text.eq_ignore_ascii_case(other)
        }
    }
}

#[derive(Clone, Debug)]
enum Ast {
    Ref(Option<Name>, Name),
    Literal(Value, Pos),
    Compare(Box<Ast>, CmpOp, Box<Ast>, Pos),
    IsNull(Box<Ast>, bool),
    And(Box<Ast>, Box<Ast>, Pos),
    Or(Box<Ast>, Box<Ast>, Pos),
    Not(Box<Ast>, Pos),
    Aggregate(AggFunc, Option<Box<Ast>>, Pos),
    /// STEP/FLOOR over a reference that must be ROWTIME.
    Window(Box<Ast>, Window, Pos),
}

impl Ast {
    fn pos(&self) -> Pos {
        match self {
            Ast::Ref(q, n) => q.as_ref().map_or(n.pos, |q| q.pos),
            Ast::Literal(_, p)
            | Ast::Compare(_, _, _, p)
            | Ast::And(_, _, p)
            | Ast::Or(_, _, p)
            | Ast::Not(_, p)
            | Ast::Aggregate(_, _, p)
            | Ast::Window(_, _, p) => *p,
            Ast::IsNull(a, _) => a.pos(),
        }
    }
}

enum RawItem {
    Star(Pos),
    Expr(Ast, Option<Name>),
}

struct RawPump {
    name: Name,
    into: Name,
    columns: Option<Vec<Name>>,
    items: Vec<RawItem>,
    from: Name,
    alias: Option<Name>,
    filter: Option<Ast>,
    group_by: Vec<Ast>,
    group_pos: Pos,
}

enum Statement {
    Stream(Name, Vec<(Name, SqlType)>),
    Pump(Box<RawPump>),
}

// ---------------------------------------------------------------- parser

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with `End`, and `at` never passes it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::End {
            self.at += 1;
        }
        t
    }

    fn is_word(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_word(&mut self, kw: &str) -> bool {
        let yes = self.is_word(kw);
        if yes {
            self.at += 1;
        }
        yes
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.peek().tok, Tok::Sym(x) if *x == s)
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        let yes = self.is_sym(s);
        if yes {
            self.at += 1;
        }
        yes
    }

    /// "expected X, found Y" at the current token — or, when Y is a
    /// keyword this simulator does not run, say so.
    fn unexpected(&self, expected: &str) -> SqlError {
        let t = self.peek();
        if let Tok::Word(w) = &t.tok {
            if let Some((_, what)) = UNSUPPORTED.iter().find(|(k, _)| w.eq_ignore_ascii_case(k)) {
                return error(t.pos, format!("{what} is not supported: {SUPPORTED}"));
            }
        }
        error(t.pos, format!("expected {expected}, found {}", describe(&t.tok)))
    }

    fn expect_word(&mut self, kw: &str) -> Result<Pos, SqlError> {
        let pos = self.peek().pos;
        if self.eat_word(kw) {
            Ok(pos)
        } else {
            Err(self.unexpected(kw))
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), SqlError> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("\"{s}\"")))
        }
    }

    fn expect_end(&self) -> Result<(), SqlError> {
        if self.peek().tok == Tok::End {
            Ok(())
        } else {
            Err(self.unexpected("the end"))
        }
    }

    fn name(&mut self, what: &str) -> Result<Name, SqlError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Word(w) => {
                self.at += 1;
                Ok(Name { text: w, quoted: false, pos: t.pos })
            }
            Tok::Quoted(q) => {
                self.at += 1;
                Ok(Name { text: q, quoted: true, pos: t.pos })
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn integer(&mut self, what: &str) -> Result<u32, SqlError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Number(n) => {
                self.at += 1;
                n.parse::<u32>().map_err(|_| error(t.pos, format!("{what} must be a whole number, not {n}")))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn sql_type(&mut self) -> Result<SqlType, SqlError> {
        let t = self.peek().clone();
        let Tok::Word(w) = &t.tok else { return Err(self.unexpected("a type")) };
        self.at += 1;
        let ty = match w.to_ascii_uppercase().as_str() {
            "VARCHAR" => {
                self.expect_sym("(")?;
                let n = self.integer("a length")?;
                self.expect_sym(")")?;
                if n == 0 {
                    return Err(error(t.pos, "VARCHAR needs a length of at least 1"));
                }
                SqlType::Varchar(n)
            }
            "INTEGER" | "INT" => SqlType::Integer,
            "BIGINT" => SqlType::Bigint,
            "DOUBLE" => SqlType::Double,
            "REAL" => SqlType::Real,
            "DECIMAL" | "NUMERIC" => {
                if self.eat_sym("(") {
                    let p = self.integer("a precision")?;
                    let s = if self.eat_sym(",") { self.integer("a scale")? } else { 0 };
                    self.expect_sym(")")?;
                    SqlType::Decimal(Some((p, s)))
                } else {
                    SqlType::Decimal(None)
                }
            }
            "TIMESTAMP" => SqlType::Timestamp,
            "BOOLEAN" => SqlType::Boolean,
            _ => {
                return Err(error(
                    t.pos,
                    format!(
                        "unknown type {w}: use VARCHAR(n), INTEGER, BIGINT, DOUBLE, REAL, DECIMAL, TIMESTAMP or BOOLEAN"
                    ),
                ))
            }
        };
        Ok(ty)
    }

    fn statement(&mut self) -> Result<Statement, SqlError> {
        self.expect_word("CREATE")?;
        if self.eat_word("OR") {
            self.expect_word("REPLACE")?;
        }
        if self.eat_word("STREAM") {
            let name = self.name("a stream name")?;
            self.expect_sym("(")?;
            let mut columns = Vec::new();
            loop {
                let column = self.name("a column name")?;
                let ty = self.sql_type()?;
                columns.push((column, ty));
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
            Ok(Statement::Stream(name, columns))
        } else if self.eat_word("PUMP") {
            self.pump().map(|p| Statement::Pump(Box::new(p)))
        } else {
            Err(self.unexpected("STREAM or PUMP"))
        }
    }

    fn pump(&mut self) -> Result<RawPump, SqlError> {
        let name = self.name("a pump name")?;
        self.expect_word("AS")?;
        self.expect_word("INSERT")?;
        self.expect_word("INTO")?;
        let into = self.name("a stream name")?;
        let columns = if self.eat_sym("(") {
            let mut names = Vec::new();
            loop {
                names.push(self.name("a column name")?);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
            Some(names)
        } else {
            None
        };
        self.expect_word("SELECT")?;
        if !self.eat_word("STREAM") {
            return Err(self.unexpected("STREAM (a pump reads a stream: SELECT STREAM ...)"));
        }
        let mut items = Vec::new();
        loop {
            let pos = self.peek().pos;
            if self.eat_sym("*") {
                items.push(RawItem::Star(pos));
            } else {
                let expr = self.expr()?;
                let alias = self.alias(&["FROM"])?;
                items.push(RawItem::Expr(expr, alias));
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_word("FROM")?;
        let from = self.name("a stream name")?;
        let alias = self.alias(&["WHERE", "GROUP"])?;
        let filter = if self.eat_word("WHERE") { Some(self.expr()?) } else { None };
        let group_pos = self.peek().pos;
        let mut group_by = Vec::new();
        if self.eat_word("GROUP") {
            self.expect_word("BY")?;
            loop {
                group_by.push(self.expr()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        Ok(RawPump { name, into, columns, items, from, alias, filter, group_by, group_pos })
    }

    /// `AS name`, or a bare name that is not one of the keywords `next`
    /// (which follow where an alias may be).
    fn alias(&mut self, next: &[&str]) -> Result<Option<Name>, SqlError> {
        let bare = match &self.peek().tok {
            Tok::Quoted(_) => true,
            Tok::Word(w) => !next.iter().chain(UNSUPPORTED.iter().map(|(k, _)| k)).any(|k| w.eq_ignore_ascii_case(k)),
            _ => false,
        };
        if self.eat_word("AS") || bare {
            Ok(Some(self.name("an alias")?))
        } else {
            Ok(None)
        }
    }

    fn nest(&mut self, pos: Pos) -> Result<(), SqlError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(error(pos, format!("expressions nest deeper than {MAX_NESTING} levels")));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Ast, SqlError> {
        let pos = self.peek().pos;
        self.nest(pos)?;
        let mut left = self.and()?;
        while self.is_word("OR") {
            let pos = self.bump().pos;
            let right = self.and()?;
            left = Ast::Or(Box::new(left), Box::new(right), pos);
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Ast, SqlError> {
        let mut left = self.not()?;
        while self.is_word("AND") {
            let pos = self.bump().pos;
            let right = self.not()?;
            left = Ast::And(Box::new(left), Box::new(right), pos);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Ast, SqlError> {
        let pos = self.peek().pos;
        if self.eat_word("NOT") {
            self.nest(pos)?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Ast::Not(Box::new(inner), pos));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Ast, SqlError> {
        let left = self.operand()?;
        if self.eat_word("IS") {
            let negated = self.eat_word("NOT");
            self.expect_word("NULL")?;
            return Ok(Ast::IsNull(Box::new(left), negated));
        }
        let pos = self.peek().pos;
        let op = match &self.peek().tok {
            Tok::Sym("=") => CmpOp::Eq,
            Tok::Sym("<>" | "!=") => CmpOp::Ne,
            Tok::Sym("<") => CmpOp::Lt,
            Tok::Sym("<=") => CmpOp::Le,
            Tok::Sym(">") => CmpOp::Gt,
            Tok::Sym(">=") => CmpOp::Ge,
            _ => return Ok(left),
        };
        self.at += 1;
        let right = self.operand()?;
        Ok(Ast::Compare(Box::new(left), op, Box::new(right), pos))
    }

    /// A primary that is not followed by arithmetic, which the dialect lacks.
    fn operand(&mut self) -> Result<Ast, SqlError> {
        let value = self.primary()?;
        if matches!(self.peek().tok, Tok::Sym("+" | "-" | "*" | "/")) {
            return Err(error(self.peek().pos, "arithmetic (+ - * /) is not supported by this simulator"));
        }
        Ok(value)
    }

    fn number(&self, text: &str, negative: bool, pos: Pos) -> Result<Value, SqlError> {
        let signed = if negative { format!("-{text}") } else { String::from(text) };
        if let Ok(i) = signed.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        match signed.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Double(f)),
            _ => Err(error(pos, format!("{signed} is not a number this simulator can hold"))),
        }
    }

    fn primary(&mut self) -> Result<Ast, SqlError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Sym("(") => {
                self.at += 1;
                let inner = self.expr()?;
                self.expect_sym(")")?;
                Ok(inner)
            }
            Tok::Sym("-") => {
                self.at += 1;
                match self.bump().tok {
                    Tok::Number(n) => Ok(Ast::Literal(self.number(&n, true, t.pos)?, t.pos)),
                    _ => Err(error(t.pos, "arithmetic is not supported: \"-\" may only precede a number")),
                }
            }
            Tok::Number(n) => {
                self.at += 1;
                Ok(Ast::Literal(self.number(n, false, t.pos)?, t.pos))
            }
            Tok::Text(s) => {
                self.at += 1;
                Ok(Ast::Literal(Value::Text(s.clone()), t.pos))
            }
            Tok::Word(w) if matches!(self.peek_at(1), Tok::Sym("(")) => {
                let upper = w.to_ascii_uppercase();
                self.at += 2;
                self.call(&upper, t.pos)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("TRUE") || w.eq_ignore_ascii_case("FALSE") => {
                self.at += 1;
                Ok(Ast::Literal(Value::Bool(w.eq_ignore_ascii_case("TRUE")), t.pos))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("NULL") => {
                self.at += 1;
                Ok(Ast::Literal(Value::Null, t.pos))
            }
            Tok::Word(w) if UNSUPPORTED.iter().any(|(k, _)| w.eq_ignore_ascii_case(k)) => Err(self.unexpected("")),
            Tok::Word(_) | Tok::Quoted(_) => {
                let first = self.name("a column")?;
                if self.eat_sym(".") {
                    let second = self.name("a column after \".\"")?;
                    Ok(Ast::Ref(Some(first), second))
                } else {
                    Ok(Ast::Ref(None, first))
                }
            }
            _ => Err(self.unexpected("a column, a literal or a function")),
        }
    }

    /// After `NAME(`: the functions of the dialect.
    fn call(&mut self, function: &str, pos: Pos) -> Result<Ast, SqlError> {
        let aggregate = match function {
            "COUNT" => Some(AggFunc::Count),
            "SUM" => Some(AggFunc::Sum),
            "AVG" => Some(AggFunc::Avg),
            "MIN" => Some(AggFunc::Min),
            "MAX" => Some(AggFunc::Max),
            _ => None,
        };
        if let Some(func) = aggregate {
            if func == AggFunc::Count && self.eat_sym("*") {
                self.expect_sym(")")?;
                return Ok(Ast::Aggregate(func, None, pos));
            }
            if self.is_word("DISTINCT") {
                return Err(self.unexpected(""));
            }
            let arg = self.expr()?;
            self.expect_sym(")")?;
            return Ok(Ast::Aggregate(func, Some(Box::new(arg)), pos));
        }
        match function {
            "STEP" => {
                let arg = self.primary()?;
                self.expect_word("BY")?;
                self.expect_word("INTERVAL")?;
                let t = self.bump();
                let Tok::Text(n) = &t.tok else {
                    return Err(error(t.pos, "expected the interval as a quoted number, e.g. INTERVAL '10' SECOND"));
                };
                let count = n.trim().parse::<u64>().ok().filter(|c| *c > 0).ok_or_else(|| {
                    error(t.pos, format!("the interval must be a whole number of units above 0, not '{n}'"))
                })?;
                let unit = self.unit()?;
                self.expect_sym(")")?;
                let size = count
                    .checked_mul(unit)
                    .filter(|ms| *ms <= 366 * 86_400_000)
                    .ok_or_else(|| error(t.pos, "the interval is too long (at most 366 days)"))?;
                Ok(Ast::Window(Box::new(arg), Window { size: SimDuration::from_millis(size) }, pos))
            }
            "FLOOR" => {
                let arg = self.primary()?;
                self.expect_word("TO")?;
                let unit = self.unit()?;
                self.expect_sym(")")?;
                Ok(Ast::Window(Box::new(arg), Window { size: SimDuration::from_millis(unit) }, pos))
            }
            _ => Err(error(
                pos,
                format!("function {function} is not supported: use COUNT, SUM, AVG, MIN, MAX, STEP or FLOOR"),
            )),
        }
    }

    /// A time unit, in milliseconds.
    fn unit(&mut self) -> Result<u64, SqlError> {
        let t = self.bump();
        let Tok::Word(w) = &t.tok else { return Err(error(t.pos, "expected SECOND, MINUTE, HOUR or DAY")) };
        match w.to_ascii_uppercase().as_str() {
            "SECOND" => Ok(1_000),
            "MINUTE" => Ok(60_000),
            "HOUR" => Ok(3_600_000),
            "DAY" => Ok(86_400_000),
            "MONTH" | "YEAR" => {
                Err(error(t.pos, format!("{w} windows are not supported: months and years vary in length")))
            }
            _ => Err(error(t.pos, format!("expected SECOND, MINUTE, HOUR or DAY, found {w}"))),
        }
    }
}

// ------------------------------------------------------------ validation

/// The stream a pump reads, for resolving names.
struct Scope<'a> {
    name: &'a str,
    alias: Option<&'a Name>,
    columns: &'a [ColumnDef],
}

impl Scope<'_> {
    fn resolve(&self, ast: &Ast, in_aggregate: bool) -> Result<(Expr, Kind), SqlError> {
        Ok(match ast {
            Ast::Ref(qualifier, name) => {
                if let Some(q) = qualifier {
                    if !(q.matches(self.name) || self.alias.is_some_and(|a| a.normalized() == q.normalized())) {
                        return Err(error(q.pos, format!("{} is not the stream this pump reads ({})", q.text, self.name)));
                    }
                }
                if !name.quoted && name.text.eq_ignore_ascii_case("ROWTIME") {
                    return Ok((Expr::Rowtime, Kind::Time));
                }
                let found = self
                    .columns
                    .iter()
                    .position(|c| c.name == name.text)
                    .or_else(|| self.columns.iter().position(|c| name.matches(&c.name)));
                match found {
                    Some(index) => {
                        let c = &self.columns[index];
                        (Expr::Column { index, name: c.name.clone() }, c.sql_type.kind())
                    }
                    None => {
                        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
                        return Err(error(
                            name.pos,
                            format!(
                                "column {} is not in {} (its columns: {}, and ROWTIME)",
                                name.text,
                                self.name,
                                names.join(", ")
                            ),
                        ));
                    }
                }
            }
            Ast::Literal(v, _) => {
                let kind = match v {
                    Value::Null => Kind::Any,
                    Value::Int(_) | Value::Double(_) => Kind::Number,
                    Value::Text(_) => Kind::Text,
                    Value::Bool(_) => Kind::Bool,
                    Value::Timestamp(_) => Kind::Time,
                };
                (Expr::Literal(v.clone()), kind)
            }
            Ast::Compare(a, op, b, pos) => {
                let (a, ka) = self.resolve(a, in_aggregate)?;
                let (b, kb) = self.resolve(b, in_aggregate)?;
                if !ka.fits(kb) {
                    return Err(error(*pos, format!("cannot compare {} with {}", ka.name(), kb.name())));
                }
                (Expr::Compare(Box::new(a), *op, Box::new(b)), Kind::Bool)
            }
            Ast::IsNull(a, negated) => (Expr::IsNull(Box::new(self.resolve(a, in_aggregate)?.0), *negated), Kind::Bool),
            Ast::And(a, b, pos) | Ast::Or(a, b, pos) => {
                let (ea, ka) = self.resolve(a, in_aggregate)?;
                let (eb, kb) = self.resolve(b, in_aggregate)?;
                if !ka.fits(Kind::Bool) || !kb.fits(Kind::Bool) {
                    return Err(error(*pos, "AND and OR join conditions (comparisons), not values"));
                }
                let (ea, eb) = (Box::new(ea), Box::new(eb));
                (if matches!(ast, Ast::And(..)) { Expr::And(ea, eb) } else { Expr::Or(ea, eb) }, Kind::Bool)
            }
            Ast::Not(a, pos) => {
                let (e, k) = self.resolve(a, in_aggregate)?;
                if !k.fits(Kind::Bool) {
                    return Err(error(*pos, "NOT applies to a condition, not a value"));
                }
                (Expr::Not(Box::new(e)), Kind::Bool)
            }
            Ast::Aggregate(func, arg, pos) => {
                if in_aggregate {
                    return Err(error(*pos, "aggregate functions cannot be nested"));
                }
                let arg = match arg {
                    Some(a) => Some(self.resolve(a, true)?),
                    None => None,
                };
                let kind = match (func, &arg) {
                    (AggFunc::Count, _) => Kind::Number,
                    (AggFunc::Sum | AggFunc::Avg, Some((_, k))) if k.fits(Kind::Number) => Kind::Number,
                    (AggFunc::Sum | AggFunc::Avg, Some((_, k))) => {
                        return Err(error(*pos, format!("SUM and AVG need a number, not {}", k.name())))
                    }
                    (_, Some((_, k))) => *k,
                    (_, None) => Kind::Any,
                };
                (Expr::Aggregate(*func, arg.map(|(e, _)| Box::new(e))), kind)
            }
            Ast::Window(arg, window, pos) => match self.resolve(arg, in_aggregate)? {
                (Expr::Rowtime, _) => (Expr::Window(*window), Kind::Time),
                _ => return Err(error(*pos, "STEP and FLOOR windows are over ROWTIME, e.g. STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '10' SECOND)")),
            },
        })
    }
}

/// Parses and checks application code against the source stream's columns.
pub fn compile(code: &str, source: &[ColumnDef]) -> Result<Plan, SqlError> {
    let chars = code.chars().count();
    if chars > MAX_CODE_CHARS {
        return Err(error(
            Pos { line: 1, column: 1 },
            format!("the code is {chars} characters long; at most {MAX_CODE_CHARS} are allowed"),
        ));
    }
    let tokens = tokenize(code)?;
    let mut parser = Parser { tokens: &tokens, at: 0, depth: 0 };
    let mut statements = Vec::new();
    loop {
        while parser.eat_sym(";") {}
        if parser.peek().tok == Tok::End {
            break;
        }
        if statements.len() == MAX_STATEMENTS {
            return Err(error(parser.peek().pos, format!("at most {MAX_STATEMENTS} statements")));
        }
        statements.push(parser.statement()?);
        if parser.peek().tok != Tok::End && !parser.is_sym(";") {
            return Err(parser.unexpected("\";\" between statements"));
        }
    }
    if statements.is_empty() {
        return Err(error(parser.peek().pos, format!("the code has no statements: {SUPPORTED}")));
    }
    let mut plan = Plan { streams: Vec::new(), pumps: Vec::new() };
    for statement in statements {
        match statement {
            Statement::Stream(name, columns) => {
                let n = name.normalized();
                if n == SOURCE_STREAM || plan.streams.iter().any(|s| s.name == n) {
                    return Err(error(name.pos, format!("stream {n} is already defined")));
                }
                let mut defs: Vec<ColumnDef> = Vec::new();
                for (c, sql_type) in columns {
                    let cn = c.normalized();
                    if cn.eq_ignore_ascii_case("ROWTIME") || defs.iter().any(|d| d.name == cn) {
                        return Err(error(c.pos, format!("column {cn} is defined twice (every stream has ROWTIME)")));
                    }
                    defs.push(ColumnDef { name: cn, sql_type });
                }
                plan.streams.push(StreamDef { name: n, columns: defs });
            }
            Statement::Pump(raw) => {
                let pump = check_pump(&plan, source, *raw)?;
                plan.pumps.push(pump);
            }
        }
    }
    if plan.pumps.is_empty() {
        return Err(error(parser.peek().pos, "the code creates no pump, so nothing would read SOURCE_SQL_STREAM_001"));
    }
    Ok(plan)
}

fn check_pump(plan: &Plan, source: &[ColumnDef], raw: RawPump) -> Result<Pump, SqlError> {
    let name = raw.name.normalized();
    if plan.pumps.iter().any(|p| p.name == name) {
        return Err(error(raw.name.pos, format!("pump {name} is already defined")));
    }
    let into = raw.into.normalized();
    let Some(target) = plan.streams.iter().find(|s| s.name == into) else {
        return Err(error(
            raw.into.pos,
            format!("stream {into} is not created before this pump: add CREATE OR REPLACE STREAM {into} (...) first"),
        ));
    };
    let from = raw.from.normalized();
    let from_columns: &[ColumnDef] = if from == SOURCE_STREAM {
        source
    } else if plan.pumps.iter().any(|p| p.into == from) {
        plan.streams.iter().find(|s| s.name == from).map_or(&[], |s| &s.columns[..])
    } else {
        // Reading only the source or what earlier pumps write keeps the
        // flow acyclic, so one row can never loop through the pumps.
        return Err(error(
            raw.from.pos,
            format!("a pump reads {SOURCE_STREAM} or a stream an earlier pump inserts into; {from} is neither"),
        ));
    };
    if from == into {
        return Err(error(raw.into.pos, "a pump cannot insert into the stream it reads"));
    }
    let scope = Scope { name: &from, alias: raw.alias.as_ref(), columns: from_columns };

    // Items, with `*` expanded to every column of the stream read.
    let mut items: Vec<(Expr, Kind, Option<String>, Pos)> = Vec::new();
    for item in raw.items {
        match item {
            RawItem::Star(pos) => {
                for (index, c) in from_columns.iter().enumerate() {
                    let expr = Expr::Column { index, name: c.name.clone() };
                    items.push((expr, c.sql_type.kind(), Some(c.name.clone()), pos));
                }
            }
            RawItem::Expr(ast, alias) => {
                let pos = ast.pos();
                let (expr, kind) = scope.resolve(&ast, false)?;
                items.push((expr, kind, alias.map(|a| a.normalized()), pos));
            }
        }
    }
    let filter = match raw.filter {
        Some(ast) => {
            let (expr, kind) = scope.resolve(&ast, false)?;
            if expr.contains_aggregate() {
                return Err(error(ast.pos(), "aggregate functions cannot be used in WHERE"));
            }
            if !kind.fits(Kind::Bool) {
                return Err(error(ast.pos(), "WHERE needs a condition, such as price > 10"));
            }
            Some(expr)
        }
        None => None,
    };

    let mut group_by = Vec::new();
    let mut group_names = Vec::new();
    let mut window = None;
    for ast in &raw.group_by {
        match scope.resolve(ast, false)?.0 {
            Expr::Column { index, name } => {
                group_by.push(index);
                group_names.push(name);
            }
            Expr::Window(w) if window.is_none() => window = Some(w),
            Expr::Window(_) => return Err(error(ast.pos(), "only one window (STEP or FLOOR) per GROUP BY")),
            _ => return Err(error(ast.pos(), "GROUP BY takes columns and one STEP(... ROWTIME BY INTERVAL ...)")),
        }
    }
    let aggregates = items.iter().any(|(e, ..)| e.contains_aggregate());
    if (aggregates || !raw.group_by.is_empty()) && window.is_none() {
        // KDA's validator refuses a streaming GROUP BY without a monotonic
        // expression: the group would never end, so no row would ever come out.
        return Err(error(
            raw.group_pos,
            format!(
                "a streaming aggregate needs a window: GROUP BY ..., STEP(\"{from}\".ROWTIME BY INTERVAL '10' SECOND)"
            ),
        ));
    }
    if window.is_some() {
        for (expr, _, _, pos) in &items {
            check_grouped(expr, &group_by, window, *pos)?;
        }
    }

    // Map items to the target's columns, by name list or by position.
    let target_order: Vec<usize> = match &raw.columns {
        Some(names) => {
            let mut order = Vec::new();
            for n in names {
                let Some(i) = target.columns.iter().position(|c| n.matches(&c.name)) else {
                    return Err(error(n.pos, format!("column {} is not in {into}", n.text)));
                };
                if order.contains(&i) {
                    return Err(error(n.pos, format!("column {} is listed twice", n.text)));
                }
                order.push(i);
            }
            order
        }
        None => (0..target.columns.len()).collect(),
    };
    if target_order.len() != items.len() || target_order.len() != target.columns.len() {
        return Err(error(
            raw.name.pos,
            format!(
                "{into} has {} columns but the pump selects {} values: select one value per column",
                target.columns.len(),
                items.len()
            ),
        ));
    }
    let mut ordered: Vec<Option<SelectItem>> = (0..items.len()).map(|_| None).collect();
    for ((expr, kind, alias, pos), column) in items.into_iter().zip(target_order) {
        let def = &target.columns[column];
        if !kind.fits(def.sql_type.kind()) {
            return Err(error(pos, format!("{} is {} but this value is {}", def.name, def.sql_type, kind.name())));
        }
        ordered[column] = Some(SelectItem { expr, name: alias.unwrap_or_else(|| def.name.clone()) });
    }
    Ok(Pump {
        name,
        into,
        from,
        items: ordered.into_iter().flatten().collect(),
        filter,
        group_by,
        group_names,
        window,
        aggregates,
    })
}

/// In a windowed pump, a column outside an aggregate must be grouped on,
/// and a window in the select list must be the GROUP BY's window.
fn check_grouped(expr: &Expr, group_by: &[usize], window: Option<Window>, pos: Pos) -> Result<(), SqlError> {
    match expr {
        Expr::Column { index, name } if !group_by.contains(index) => Err(error(
            pos,
            format!("{name} must be in GROUP BY or inside an aggregate such as COUNT, SUM, AVG, MIN or MAX"),
        )),
        Expr::Window(w) if Some(*w) != window => Err(error(pos, "this STEP/FLOOR differs from the GROUP BY window")),
        Expr::Compare(a, _, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            check_grouped(a, group_by, window, pos)?;
            check_grouped(b, group_by, window, pos)
        }
        Expr::IsNull(a, _) | Expr::Not(a) => check_grouped(a, group_by, window, pos),
        _ => Ok(()),
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column { name, .. } => write!(f, "\"{name}\""),
            Expr::Rowtime => f.write_str("ROWTIME"),
            Expr::Literal(Value::Text(t)) => write!(f, "'{}'", t.replace('\'', "''")),
            Expr::Literal(v) => write!(f, "{v}"),
            Expr::Compare(a, op, b) => {
                let op = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "<>",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                write!(f, "{a} {op} {b}")
            }
            Expr::IsNull(a, false) => write!(f, "{a} IS NULL"),
            Expr::IsNull(a, true) => write!(f, "{a} IS NOT NULL"),
            Expr::And(a, b) => write!(f, "({a} AND {b})"),
            Expr::Or(a, b) => write!(f, "({a} OR {b})"),
            Expr::Not(a) => write!(f, "NOT ({a})"),
            Expr::Aggregate(func, arg) => {
                let name = match func {
                    AggFunc::Count => "COUNT",
                    AggFunc::Sum => "SUM",
                    AggFunc::Avg => "AVG",
                    AggFunc::Min => "MIN",
                    AggFunc::Max => "MAX",
                };
                match arg {
                    Some(a) => write!(f, "{name}({a})"),
                    None => write!(f, "{name}(*)"),
                }
            }
            // Windows are whole seconds: SECOND is the smallest unit.
            Expr::Window(w) => write!(f, "STEP(ROWTIME BY INTERVAL '{}' SECOND)", w.size.as_millis() / 1000),
        }
    }
}

impl Plan {
    /// The plan as lines a learner can read: streams with their columns,
    /// then each pump's normalized query.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for s in &self.streams {
            let cols: Vec<String> = s.columns.iter().map(|c| format!("\"{}\" {}", c.name, c.sql_type)).collect();
            lines.push(format!("STREAM \"{}\" ({})", s.name, cols.join(", ")));
        }
        for p in &self.pumps {
            let items: Vec<String> = p.items.iter().map(|i| format!("{} AS \"{}\"", i.expr, i.name)).collect();
            let mut line = format!(
                "PUMP \"{}\": INSERT INTO \"{}\" SELECT STREAM {} FROM \"{}\"",
                p.name,
                p.into,
                items.join(", "),
                p.from
            );
            if let Some(filter) = &p.filter {
                line.push_str(&format!(" WHERE {filter}"));
            }
            if let Some(w) = p.window {
                let mut keys: Vec<String> = p.group_names.iter().map(|n| format!("\"{n}\"")).collect();
                keys.push(Expr::Window(w).to_string());
                line.push_str(&format!(" GROUP BY {}", keys.join(", ")));
            }
            lines.push(line);
        }
        lines
    }
}
