//! A community's `sessions`: when each is held (a day, a start time and a
//! length), and for a series how it repeats ("every 2nd Thursday"), read
//! into [`Session`]s; and the days a session falls on.

use super::fields::Fields;
use super::Session;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::keys;
use crate::url_safety::Place;
use serde::Serialize;

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
/// RFC 5545's names of the days, Monday first like [`Date::weekday`].
pub const ICAL_DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const EXAMPLE: &str = "{ date = 2026-12-03, time = \"14:00-15:00\", title = \"Screen reader clinic\" }";

/// How a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "every", rename_all = "lowercase")]
pub enum Recurrence {
    /// Every `interval` weeks on the weekday of its first date.
    Week { interval: u8 },
    /// The `nth` weekday of each month (`-1`: the last).
    Month { nth: i8, weekday: u8 },
}

impl Recurrence {
    /// Reads "every Thursday", "weekly", "every 2 weeks", "every other
    /// Tuesday", "fortnightly", "every 2nd Thursday", "every last Friday",
    /// "monthly" (the same weekday of the month as `first`). A named weekday
    /// must be `first`'s: the first date is the first of the series.
    pub fn parse(text: &str, first: Date) -> Result<Recurrence, String> {
        let lower = text.trim().to_lowercase();
        let words: Vec<&str> =
            lower.split_whitespace().filter(|w| *w != "every" && *w != "on" && *w != "the").collect();
        let day = |w: &str| {
            let w = w.trim_end_matches('s');
            DAYS.iter().position(|d| *d == w || (w.len() >= 3 && d.starts_with(w))).map(|d| d as u8)
        };
        let same_day = |d: u8| {
            if d == first.weekday() {
                Ok(())
            } else {
                Err(format!(
                    "the first session, {}, is a {}, not a {}",
                    first,
                    capital(DAYS[usize::from(first.weekday())]),
                    capital(DAYS[usize::from(d)])
                ))
            }
        };
        let week = |interval: u8| Ok(Recurrence::Week { interval });
        match words.as_slice() {
            ["weekly"] | ["week"] => week(1),
            ["fortnightly"] | ["fortnight"] | ["other", "week"] => week(2),
            [n, "weeks"] => match n.parse::<u8>() {
                Ok(n @ 1..=52) => week(n),
                _ => Err(format!("'{n}' is not a number of weeks from 1 to 52")),
            },
            [d] if day(d).is_some() => {
                same_day(day(d).unwrap_or(0))?;
                week(1)
            }
            ["other", d] if day(d).is_some() => {
                same_day(day(d).unwrap_or(0))?;
                week(2)
            }
            ["monthly"] | ["month"] => {
                let nth = ((first.day - 1) / 7 + 1) as i8;
                Ok(Recurrence::Month { nth: if nth == 5 { -1 } else { nth }, weekday: first.weekday() })
            }
            [n, d] if day(d).is_some() => {
                let nth = match *n {
                    "1st" | "first" => 1,
                    "2nd" | "second" => 2,
                    "3rd" | "third" => 3,
                    "4th" | "fourth" => 4,
                    "last" => -1,
                    _ => return Err(format!("'{n}' is not 1st, 2nd, 3rd, 4th or last")),
                };
                let weekday = day(d).unwrap_or(0);
                if Date::nth_weekday(first.year, first.month, nth, weekday) != Some(first) {
                    return Err(format!(
                        "the first session, {first}, is not the {n} {} of its month",
                        capital(DAYS[usize::from(weekday)])
                    ));
                }
                Ok(Recurrence::Month { nth, weekday })
            }
            _ => Err(format!("'{}' is not a recurrence copbook knows", text.trim())),
        }
    }

    /// The RRULE value, without `UNTIL`.
    pub fn rrule(self) -> String {
        match self {
            Recurrence::Week { interval: 1 } => "FREQ=WEEKLY".into(),
            Recurrence::Week { interval } => format!("FREQ=WEEKLY;INTERVAL={interval}"),
            Recurrence::Month { nth, weekday } => {
                format!("FREQ=MONTHLY;BYDAY={nth}{}", ICAL_DAYS[usize::from(weekday)])
            }
        }
    }

    /// In words: "every 2nd Thursday of the month".
    pub fn describe(self, first: Date) -> String {
        let day = capital(DAYS[usize::from(first.weekday())]);
        match self {
            Recurrence::Week { interval: 1 } => format!("every {day}"),
            Recurrence::Week { interval: 2 } => format!("every other {day}"),
            Recurrence::Week { interval } => format!("every {interval} weeks on {day}"),
            Recurrence::Month { nth, weekday } => {
                let n = match nth {
                    1 => "1st",
                    2 => "2nd",
                    3 => "3rd",
                    4 => "4th",
                    _ => "last",
                };
                format!("every {n} {} of the month", capital(DAYS[usize::from(weekday)]))
            }
        }
    }
}

fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl Session {
    /// The days it is held from `from` up to and including `to`, at most
    /// `limit` of them: one step per occurrence, so a long horizon costs
    /// no more than the days it yields.
    pub fn days(&self, from: Date, to: Date, limit: usize) -> Vec<Date> {
        let mut days = self.series_days(from, to, limit.saturating_add(self.except.len()));
        days.retain(|d| self.except.binary_search(d).is_err());
        days.truncate(limit);
        days
    }

    /// [`Session::days`] without the days it skips (`except`).
    fn series_days(&self, from: Date, to: Date, limit: usize) -> Vec<Date> {
        let last = self.until.map_or(to, |u| u.min(to));
        let mut out = Vec::new();
        match self.recurrence {
            None => {
                if self.date >= from && self.date <= last {
                    out.push(self.date);
                }
            }
            Some(Recurrence::Week { interval }) => {
                let step = 7 * i64::from(interval);
                // Jump straight to the first occurrence on or after `from`.
                let behind = self.date.days_until(from).max(0);
                let mut day = self.date.add_days((behind + step - 1) / step * step);
                while day <= last && out.len() < limit {
                    out.push(day);
                    day = day.add_days(step);
                }
            }
            Some(Recurrence::Month { nth, weekday }) => {
                let start = if from > self.date { from } else { self.date };
                let mut month = Date { year: start.year, month: start.month, day: 1 };
                while month <= last && out.len() < limit {
                    if let Some(day) = Date::nth_weekday(month.year, month.month, nth, weekday) {
                        if day >= start && day <= last {
                            out.push(day);
                        }
                    }
                    month = month.add_months(1);
                }
            }
        }
        out
    }

    /// "14:00 to 15:00", "14:00", or nothing for an all-day session.
    pub fn time_text(&self) -> Option<String> {
        let start = self.start?;
        Some(match self.minutes {
            Some(m) => format!("{} to {}", clock(start), clock(start + m)),
            None => clock(start),
        })
    }
}

/// `14:00` from minutes after midnight (a session ending after midnight reads `25:00`).
pub fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A community's sessions, in date order.
pub(super) fn read(f: &Fields, diags: &mut Diagnostics) -> Vec<Session> {
    let Some(value) = f.raw(&keys::SESSIONS) else { return Vec::new() };
    let line = f.line("sessions");
    let mut out = Vec::new();
    for entry in value.as_array().map_or(std::slice::from_ref(value), |a| a.as_slice()) {
        let Some(o) = entry.as_object() else {
            diags.push(
                Diagnostic::error(Code::BadType, "each entry of 'sessions' needs a 'date'")
                    .at(f.file, line)
                    .hint(format!("write entries like {EXAMPLE}")),
            );
            continue;
        };
        let text = |k: &str| {
            o.get(k)
                .and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_number().map(|n| n.to_string())))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let Some(date) = text("date").and_then(|d| Date::parse(&d, false)) else {
            diags.push(
                Diagnostic::error(
                    Code::BadDate,
                    format!("a session has no date, or '{}' is not a date", text("date").unwrap_or_default()),
                )
                .at(f.file, line)
                .hint(format!("give each session a date: {EXAMPLE}")),
            );
            continue;
        };
        let mut bad = |what: String, hint: &str| {
            diags.push(
                Diagnostic::error(Code::BadSession, format!("the session on {date}: {what}"))
                    .at(f.file, line)
                    .hint(hint),
            );
        };
        let (start, minutes) = times(&text, &mut bad);
        let until = text("until").and_then(|u| {
            let parsed = Date::parse(&u, false);
            if parsed.is_none() {
                bad(format!("until '{u}' is not a date"), "write it as until = 2027-07-31");
            }
            parsed
        });
        let recurrence = text("recurrence").and_then(|r| match Recurrence::parse(&r, date) {
            Ok(r) => Some(r),
            Err(why) => {
                bad(why, "write it like \"every Thursday\", \"every other Tuesday\", \"every 2nd Thursday\", \"every last Friday\", \"monthly\"; and start the series on its first day");
                None
            }
        });
        let cancelled = match o.get("cancelled") {
            None => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(other) => {
                bad(format!("cancelled = {other} is not true or false"), "write cancelled = true");
                false
            }
        };
        let mut session = Session {
            date,
            start,
            minutes,
            title: text("title").or_else(|| text("theme")),
            format: text("format"),
            facilitator: text("facilitator"),
            location: text("location"),
            link: None,
            recurrence,
            until,
            except: Vec::new(),
            cancelled,
        };
        session.except = except(o.get("except"), &session, &mut bad);
        session.link = text("link").and_then(|url| f.checked_url("sessions", url, Place::Link, diags));
        out.push(session);
    }
    out.sort_by_key(|s| (s.date, s.start));
    out
}

/// The days a series skips (`except = [2026-12-24]`), sorted: each must
/// be a day of the series, or it is reported to `bad` and left out.
fn except(value: Option<&serde_json::Value>, s: &Session, bad: &mut dyn FnMut(String, &str)) -> Vec<Date> {
    let Some(value) = value else { return Vec::new() };
    let hint = "list days of the series it skips: except = [2026-12-24, 2027-01-07]";
    if s.recurrence.is_none() {
        bad(
            "'except' skips days of a series, and it has no recurrence".into(),
            "remove the session, or mark it cancelled = true",
        );
        return Vec::new();
    }
    let mut days = Vec::new();
    for entry in value.as_array().map_or(std::slice::from_ref(value), |a| a.as_slice()) {
        let written = entry.as_str().map_or_else(|| entry.to_string(), str::to_string);
        match Date::parse(written.trim(), false) {
            Some(day) if s.series_days(day, day, 1).is_empty() => bad(
                format!(
                    "except {day} is not a day of the series ({})",
                    s.recurrence.map(|r| r.describe(s.date)).unwrap_or_default()
                ),
                hint,
            ),
            Some(day) => days.push(day),
            None => bad(format!("except '{written}' is not a date"), hint),
        }
    }
    days.sort();
    days.dedup();
    days
}

/// A session's start and length in minutes: `time = "14:00-15:00"`, or
/// `start`, with `end` or `duration`. What cannot be read goes to `bad`.
fn times(text: &dyn Fn(&str) -> Option<String>, bad: &mut dyn FnMut(String, &str)) -> (Option<u16>, Option<u16>) {
    let (mut start, mut end) = (None, None);
    if let Some(time) = text("time").or_else(|| text("start")) {
        let mut parts = time.splitn(2, ['-', '–']).map(str::trim);
        let first = parts.next().unwrap_or("");
        let second = parts.next().or_else(|| time.split_once(" to ").map(|(_, e)| e.trim()));
        let first = first.split(" to ").next().unwrap_or(first).trim();
        match parse_clock(first) {
            Some(t) => start = Some(t),
            None => bad(format!("'{time}' is not a time"), "write times on the 24-hour clock: time = \"14:00-15:30\""),
        }
        if let Some(second) = second {
            match parse_clock(second) {
                Some(t) => end = Some(t),
                None => {
                    bad(format!("'{second}' is not a time"), "write times on the 24-hour clock: time = \"14:00-15:30\"")
                }
            }
        }
    }
    if let Some(e) = text("end") {
        match parse_clock(&e) {
            Some(t) => end = Some(t),
            None => bad(format!("end '{e}' is not a time"), "write times on the 24-hour clock: end = \"15:30\""),
        }
    }
    let mut minutes = match (start, end) {
        (Some(s), Some(e)) if e > s => Some(e - s),
        (Some(s), Some(e)) => {
            bad(
                format!("it ends ({}) before it starts ({})", clock(e), clock(s)),
                "give an end after the start, or a duration = \"90 minutes\"",
            );
            None
        }
        (None, Some(_)) => {
            bad("it has an end but no start time".into(), "give the start too: time = \"14:00-15:30\"");
            None
        }
        _ => None,
    };
    if let Some(d) = text("duration") {
        match parse_duration(&d) {
            Some(m) if start.is_some() => minutes = Some(m),
            Some(_) => bad("it has a duration but no start time".into(), "give a start: time = \"14:00\""),
            None => bad(
                format!("duration '{d}' is not a length of time"),
                "write it as duration = \"1h\", \"90 minutes\" or \"1h30\"",
            ),
        }
    }
    (start, minutes)
}

/// `14:00`, `9:30`, `14.00`: minutes after midnight.
fn parse_clock(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once([':', '.'])?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && text.trim().len() <= 5).then_some(h * 60 + m)
}

/// `90`, `90m`, `90 minutes`, `1h`, `1 hour`, `1h30`, `1.5h`: minutes, at most a day.
fn parse_duration(text: &str) -> Option<u16> {
    let t = text.trim().to_lowercase().replace(' ', "");
    let minutes = if let Ok(m) = t.parse::<u16>() {
        m
    } else if let Some(m) = ["minutes", "minute", "mins", "min", "m"].iter().find_map(|u| t.strip_suffix(u)) {
        m.parse().ok()?
    } else {
        let (h, rest) = t.split_once('h')?;
        let rest = ["ours", "our", "rs", "r"].iter().find_map(|u| rest.strip_prefix(u)).unwrap_or(rest);
        let rest = rest.trim_end_matches(['m', 'i', 'n', 's', 'u', 't', 'e']);
        let hours: f32 = h.parse().ok()?;
        let extra: u16 = if rest.is_empty() { 0 } else { rest.parse().ok()? };
        (hours * 60.0).round() as u16 + extra
    };
    (1..=24 * 60).contains(&minutes).then_some(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s, false).unwrap()
    }

    #[test]
    fn recurrences_read_as_rrules() {
        let thursday = d("2026-12-10"); // the 2nd Thursday of December 2026
        let rule = |t: &str| Recurrence::parse(t, thursday).map(Recurrence::rrule);
        assert_eq!(rule("every 2nd Thursday").unwrap(), "FREQ=MONTHLY;BYDAY=2TH");
        assert_eq!(rule("monthly").unwrap(), "FREQ=MONTHLY;BYDAY=2TH");
        assert_eq!(rule("every Thursday").unwrap(), "FREQ=WEEKLY");
        assert_eq!(rule("every other Thu").unwrap(), "FREQ=WEEKLY;INTERVAL=2");
        assert_eq!(rule("every 3 weeks").unwrap(), "FREQ=WEEKLY;INTERVAL=3");
        assert!(rule("every 1st Thursday").unwrap_err().contains("not the 1st Thursday"));
        assert!(rule("every Friday").unwrap_err().contains("is a Thursday, not a Friday"));
        assert!(rule("now and then").is_err());
        let last_friday = d("2026-12-25");
        assert_eq!(Recurrence::parse("every last Friday", last_friday).unwrap().rrule(), "FREQ=MONTHLY;BYDAY=-1FR");
    }

    #[test]
    fn series_days_start_at_from_and_stop_at_until() {
        let mut s = Session {
            date: d("2026-01-08"),
            start: None,
            minutes: None,
            title: None,
            format: None,
            facilitator: None,
            location: None,
            link: None,
            recurrence: Some(Recurrence::Month { nth: 2, weekday: 3 }),
            until: Some(d("2026-04-30")),
            except: Vec::new(),
            cancelled: false,
        };
        let days = s.days(d("2026-02-01"), d("2027-01-01"), 100);
        assert_eq!(days, vec![d("2026-02-12"), d("2026-03-12"), d("2026-04-09")]);
        s.recurrence = Some(Recurrence::Week { interval: 2 });
        s.until = None;
        let days = s.days(d("2026-01-09"), d("2026-02-20"), 100);
        assert_eq!(days, vec![d("2026-01-22"), d("2026-02-05"), d("2026-02-19")]);
        assert_eq!(s.days(d("2026-01-01"), d("2099-01-01"), 3).len(), 3);
        // Skipped days leave the list, and the limit still counts days held.
        s.except = vec![d("2026-01-22"), d("2026-02-19")];
        assert_eq!(s.days(d("2026-01-09"), d("2026-02-20"), 100), vec![d("2026-02-05")]);
        assert_eq!(
            s.days(d("2026-01-09"), d("2099-01-01"), 3),
            vec![d("2026-02-05"), d("2026-03-05"), d("2026-03-19")]
        );
    }

    #[test]
    fn times_and_durations() {
        assert_eq!(parse_clock("14:05"), Some(14 * 60 + 5));
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_duration("1h30"), Some(90));
        assert_eq!(parse_duration("90 minutes"), Some(90));
        assert_eq!(parse_duration("1.5 hours"), Some(90));
        assert_eq!(parse_duration("45"), Some(45));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("0"), None);
    }
}
