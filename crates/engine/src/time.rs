//! Virtual time: the only clock the engine knows.
//!
//! `SimTime` is milliseconds since the Unix epoch, so AWS timestamps
//! (`SentTimestamp`, `CreatedTimestamp`, ...) are read straight off it, yet it
//! only moves when the caller says so (`Engine::advance_to`).

use core::fmt;
use core::ops::{Add, Sub};

/// An instant on the virtual clock, in milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

/// A span of virtual time in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(pub u64);

impl SimTime {
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms)
    }
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    /// Whole seconds since the epoch, as AWS's `CreatedTimestamp` reports them.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }
    pub fn saturating_sub(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(1000))
    }
    pub const fn from_mins(m: u64) -> Self {
        SimDuration::from_secs(m.saturating_mul(60))
    }
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl Sub<SimDuration> for SimTime {
    type Output = SimTime;
    fn sub(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl fmt::Display for SimDuration {
    /// `1h02m03.004s`-style, short and unambiguous for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1000;
        let total_s = self.0 / 1000;
        let (h, m, s) = (total_s / 3600, (total_s / 60) % 60, total_s % 60);
        if h > 0 {
            write!(f, "{h}h{m:02}m{s:02}.{ms:03}s")
        } else if m > 0 {
            write!(f, "{m}m{s:02}.{ms:03}s")
        } else {
            write!(f, "{s}.{ms:03}s")
        }
    }
}

impl SimTime {
    /// ISO 8601 with milliseconds in UTC (`2026-01-01T00:00:00.000Z`), the
    /// form of SNS's `Timestamp`.
    pub fn to_iso8601(self) -> alloc::string::String {
        let ms = self.0 % 1000;
        let secs = self.0 / 1000;
        let (days, rem) = (secs / 86_400, secs % 86_400);
        let (h, m, s) = (rem / 3600, (rem / 60) % 60, rem % 60);
        let (year, month, day) = civil_from_days(days as i64);
        alloc::format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
    }
    /// Java's `Date.toString()` in UTC (`Thu Jan 22 01:22:02 UTC 2015`), the
    /// form Kinesis's ExpiredIteratorException message uses.
    pub fn to_java_date(self) -> alloc::string::String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let secs = self.0 / 1000;
        let (days, rem) = (secs / 86_400, secs % 86_400);
        let (h, m, s) = (rem / 3600, (rem / 60) % 60, rem % 60);
        let (year, month, day) = civil_from_days(days as i64);
        let weekday = DAYS[(days % 7) as usize];
        let month = MONTHS[(month - 1) as usize];
        alloc::format!("{weekday} {month} {day:02} {h:02}:{m:02}:{s:02} UTC {year}")
    }
}

/// A UTC instant's calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcFields {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 for Sunday.
    pub weekday: u32,
    /// 0 for January 1st.
    pub day_of_year: u32,
}

impl SimTime {
    pub fn utc_fields(self) -> UtcFields {
        let days = (self.0 / 1000 / 86_400) as i64;
        let second_of_day = (self.0 / 1000 % 86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        UtcFields {
            year,
            month,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
            // 1970-01-01 was a Thursday.
            weekday: ((days + 4).rem_euclid(7)) as u32,
            day_of_year: (days - days_from_civil(year, 1, 1)) as u32,
        }
    }
}

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's
/// `days_from_civil`, public domain).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`, public domain).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_fields_count_weekdays_from_sunday_and_days_of_the_year_from_zero() {
        // 2016-02-25T13:00:00Z, a Thursday, the 56th day of the year.
        let f = SimTime(1_456_405_200_000).utc_fields();
        assert_eq!((f.year, f.month, f.day, f.hour, f.weekday, f.day_of_year), (2016, 2, 25, 13, 4, 55));
        let f = SimTime(1_456_405_200_000 + 59 * 60_000 + 7_999).utc_fields();
        assert_eq!((f.hour, f.minute, f.second), (13, 59, 7));
        let f = SimTime(0).utc_fields();
        assert_eq!((f.year, f.weekday, f.day_of_year), (1970, 4, 0));
        assert_eq!(days_from_civil(2026, 1, 1), 20_454);
    }

    #[test]
    fn iso8601_matches_known_instants() {
        assert_eq!(SimTime(0).to_iso8601(), "1970-01-01T00:00:00.000Z");
        assert_eq!(SimTime(1_767_225_600_000).to_iso8601(), "2026-01-01T00:00:00.000Z");
        assert_eq!(SimTime(951_782_400_123).to_iso8601(), "2000-02-29T00:00:00.123Z");
        assert_eq!(SimTime(1_709_251_199_999).to_iso8601(), "2024-02-29T23:59:59.999Z");
    }

    #[test]
    fn java_dates_match_kinesis_messages() {
        assert_eq!(SimTime(1_421_889_722_000).to_java_date(), "Thu Jan 22 01:22:02 UTC 2015");
        assert_eq!(SimTime(1_767_225_600_000).to_java_date(), "Thu Jan 01 00:00:00 UTC 2026");
    }
}
