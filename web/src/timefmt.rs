//! Virtual time as a learner reads it: relative to the start (`+00:01:30`),
//! absolute in UTC (`2026-01-01 00:01:30 UTC`), and short countdowns (`12s`).

use decouple_engine::{SimDuration, SimTime};

/// `+00:01:30`, or `+2d 03:00:00` past a day.
pub fn relative(d: SimDuration) -> String {
    let secs = d.as_millis() / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = format!("{:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    if days > 0 {
        format!("+{days}d {hms}")
    } else {
        format!("+{hms}")
    }
}

/// `2026-01-01 00:01:30 UTC`.
pub fn utc(t: SimTime) -> String {
    // `2026-01-01T00:00:00.000Z` → `2026-01-01 00:00:00 UTC`.
    let iso = t.to_iso8601();
    format!("{} {} UTC", &iso[..10], &iso[11..19])
}

/// A countdown: `850ms`, `12s`, `4m 05s`, `1h 02m`, `3d 04h`.
pub fn countdown(d: SimDuration) -> String {
    let ms = d.as_millis();
    let s = ms / 1000;
    match s {
        0 => format!("{ms}ms"),
        1..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(relative(SimDuration::from_millis(90_500)), "+00:01:30");
        assert_eq!(relative(SimDuration::from_secs(2 * 86_400 + 3600)), "+2d 01:00:00");
        assert_eq!(utc(decouple_engine::engine::DEFAULT_START), "2026-01-01 00:00:00 UTC");
        assert_eq!(utc(SimTime::from_millis(951_782_400_000)), "2000-02-29 00:00:00 UTC");
        assert_eq!(countdown(SimDuration::from_millis(850)), "850ms");
        assert_eq!(countdown(SimDuration::from_secs(245)), "4m 05s");
    }
}
