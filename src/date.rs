//! Calendar dates and review intervals.
//!
//! Handbooks only need whole days: review dates, "leads as of" months,
//! session dates. A small civil-date type keeps that exact and dependency-free.

use serde::Serialize;
use std::fmt;

/// A day in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`, or `YYYY-MM` (the first of the month) when `allow_month`.
    /// A time after the date (`2026-05-10T09:00:00Z`, `2026-05-10 09:00`) is ignored.
    pub fn parse(text: &str, allow_month: bool) -> Option<Date> {
        let text = text.trim();
        let date_part = text.split(['T', ' ']).next().unwrap_or("");
        let mut parts = date_part.split('-');
        let year = parts.next()?;
        let month = parts.next()?;
        let day = parts.next();
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u8 = month.parse().ok()?;
        match day {
            Some(d) if d.len() == 2 => Date::new(year, month, d.parse().ok()?),
            None if allow_month => Date::new(year, month, 1),
            _ => None,
        }
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today in UTC, or the day `SOURCE_DATE_EPOCH` names, so that builds
    /// can be reproduced.
    pub fn today() -> Date {
        let seconds =
            std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
            });
        Date::from_days(seconds.div_euclid(86_400))
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// Adds calendar months, clamping the day (31 January + 1 month = 28 or 29 February).
    pub fn add_months(self, months: i64) -> Date {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + months;
        let year = index.div_euclid(12) as i32;
        let month = (index.rem_euclid(12) + 1) as u8;
        Date { year, month, day: self.day.min(days_in_month(year, month)) }
    }

    pub fn days_until(self, later: Date) -> i64 {
        later.to_days() - self.to_days()
    }

    /// Day of the week, 0 = Monday .. 6 = Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        (self.to_days() + 3).rem_euclid(7) as u8
    }

    /// The `nth` (1..=5) `weekday` of a month, or with `nth = -1` the last one.
    pub fn nth_weekday(year: i32, month: u8, nth: i8, weekday: u8) -> Option<Date> {
        if nth < 0 {
            let last = Date::new(year, month, days_in_month(year, month))?;
            let back = (i64::from(last.weekday()) - i64::from(weekday)).rem_euclid(7);
            return Some(last.add_days(-back));
        }
        let first = Date::new(year, month, 1)?;
        let ahead = (i64::from(weekday) - i64::from(first.weekday())).rem_euclid(7);
        let day = first.add_days(ahead + 7 * (i64::from(nth) - 1));
        (day.month == month).then_some(day)
    }

    /// "10 May 2026".
    pub fn long(self) -> String {
        format!("{} {} {}", self.day, MONTHS[usize::from(self.month - 1)], self.year)
    }

    /// "May 2026".
    pub fn month_year(self) -> String {
        format!("{} {}", MONTHS[usize::from(self.month - 1)], self.year)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A review interval such as "6 months" or "1 year".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    Days(i64),
    Months(i64),
}

impl Duration {
    /// `N day(s)|week(s)|month(s)|year(s)`.
    pub fn parse(text: &str) -> Option<Duration> {
        let mut words = text.split_whitespace();
        let n: i64 = words.next()?.parse().ok()?;
        let unit = words.next()?.to_ascii_lowercase();
        if words.next().is_some() || !(0..=10_000).contains(&n) {
            return None;
        }
        match unit.trim_end_matches('s') {
            "day" => Some(Duration::Days(n)),
            "week" => Some(Duration::Days(n * 7)),
            "month" => Some(Duration::Months(n)),
            "year" => Some(Duration::Months(n * 12)),
            _ => None,
        }
    }

    pub fn after(self, date: Date) -> Date {
        match self {
            Duration::Days(n) => date.add_days(n),
            Duration::Months(n) => date.add_months(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_months() {
        assert_eq!(Date::parse("2026-05-10", false), Date::new(2026, 5, 10));
        assert_eq!(Date::parse("2026-05-10T09:00:00Z", false), Date::new(2026, 5, 10));
        assert_eq!(Date::parse("2026-05", true), Date::new(2026, 5, 1));
        assert_eq!(Date::parse("2026-05", false), None);
        assert_eq!(Date::parse("31/01/2022", true), None);
        assert_eq!(Date::parse("2026-02-30", false), None);
        assert_eq!(Date::parse("soon", false), None);
    }

    #[test]
    fn day_numbers_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_780, 2_000_000] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(Date::new(1970, 1, 1).unwrap().to_days(), 0);
        assert_eq!(Date::new(2026, 11, 23).unwrap().to_days(), 20_780);
    }

    #[test]
    fn adds_months_clamping_the_day() {
        let d = Date::new(2026, 1, 31).unwrap();
        assert_eq!(d.add_months(1), Date::new(2026, 2, 28).unwrap());
        assert_eq!(d.add_months(13), Date::new(2027, 2, 28).unwrap());
        assert_eq!(Date::new(2024, 1, 31).unwrap().add_months(1), Date::new(2024, 2, 29).unwrap());
    }

    #[test]
    fn parses_durations() {
        let d = Date::new(2026, 5, 10).unwrap();
        assert_eq!(Duration::parse("6 months").unwrap().after(d), Date::new(2026, 11, 10).unwrap());
        assert_eq!(Duration::parse("1 year").unwrap().after(d), Date::new(2027, 5, 10).unwrap());
        assert_eq!(Duration::parse("2 weeks").unwrap().after(d), Date::new(2026, 5, 24).unwrap());
        assert_eq!(Duration::parse("biannually"), None);
        assert_eq!(Duration::parse("6 fortnights"), None);
    }

    #[test]
    fn formats_for_readers() {
        let d = Date::new(2026, 3, 12).unwrap();
        assert_eq!(d.long(), "12 March 2026");
        assert_eq!(d.month_year(), "March 2026");
        assert_eq!(d.to_string(), "2026-03-12");
    }
}
