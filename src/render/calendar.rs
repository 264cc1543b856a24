//! Sessions as iCalendar feeds (RFC 5545) that calendar apps subscribe to:
//! `/sessions.ics` for every community and `/communities/<id>/sessions.ics`
//! for one.
//!
//! Each session is one VEVENT (a series is one VEVENT with an RRULE), with
//! a UID made of the community, the first day and the start time, so that
//! a calendar recognises it again on the next build. DTSTAMP is the build's
//! day, which `--today` and `SOURCE_DATE_EPOCH` fix.

use crate::date::Date;
use crate::model::sessions::clock;
use crate::model::{Handbook, Kind, Page, Session};
use crate::render::context::site_host;
use crate::timezone::{Change, TimeZone, Zone};

/// The calendar files, by output path.
pub fn files(h: &Handbook) -> Vec<(String, Vec<u8>)> {
    let communities: Vec<&Page> = h
        .of_kind(Kind::Community)
        .map(|(_, p)| p)
        .filter(|p| p.community().is_some_and(|c| !c.sessions.is_empty()))
        .collect();
    if communities.is_empty() {
        return Vec::new();
    }
    let mut out = vec![("sessions.ics".to_string(), feed(h, &format!("{} sessions", h.config.title), &communities))];
    for p in &communities {
        let path = format!("{}sessions.ics", crate::render::output_path(&p.url).trim_end_matches("index.html"));
        out.push((path, feed(h, &format!("{} sessions", p.title), std::slice::from_ref(p))));
    }
    out
}

/// Where a community's feed is, without the base path; `None` when it has no sessions.
pub fn feed_url(p: &Page) -> Option<String> {
    p.community().filter(|c| !c.sessions.is_empty()).map(|_| format!("{}sessions.ics", p.url))
}

fn feed(h: &Handbook, name: &str, communities: &[&Page]) -> Vec<u8> {
    let zone = TimeZone::named(&h.config.timezone).unwrap_or(TimeZone::Utc);
    let mut ics = Ics::default();
    ics.line("BEGIN:VCALENDAR");
    ics.line("VERSION:2.0");
    ics.line("PRODID:-//copbook//copbook//EN");
    ics.line("CALSCALE:GREGORIAN");
    ics.line("METHOD:PUBLISH");
    ics.prop("X-WR-CALNAME", &text(name));
    if let TimeZone::Zone(z) = zone {
        ics.prop("X-WR-TIMEZONE", z.id);
        vtimezone(&mut ics, z);
    }
    let stamp = format!("{}T000000Z", compact(h.today));
    // The site's host, so that two handbooks never share a UID.
    let host = site_host(h).unwrap_or_else(|| "copbook.invalid".into());
    let site = h.config.site_url().map(|u| u[..u.len() - h.config.base_path().len()].to_string());
    for p in communities {
        for s in p.community().map(|c| c.sessions.as_slice()).unwrap_or_default() {
            event(&mut ics, h, p, s, zone, &stamp, &host, site.as_deref());
        }
    }
    ics.line("END:VCALENDAR");
    ics.0.into_bytes()
}

#[allow(clippy::too_many_arguments)]
fn event(
    ics: &mut Ics,
    h: &Handbook,
    p: &Page,
    s: &Session,
    zone: TimeZone,
    stamp: &str,
    host: &str,
    site: Option<&str>,
) {
    ics.line("BEGIN:VEVENT");
    let at = s.start.map(|m| format!("T{}00", clock(m).replace(':', ""))).unwrap_or_default();
    ics.prop("UID", &text(&format!("{}-{}{at}@{host}", p.id, compact(s.date))));
    ics.prop("DTSTAMP", stamp);
    let (param, start) = when(s, s.date, zone);
    ics.prop(&format!("DTSTART{param}"), &start);
    match s.start {
        Some(_) => {
            if let Some(m) = s.minutes {
                ics.prop("DURATION", &format!("PT{}H{}M", m / 60, m % 60));
            }
        }
        None => ics.prop("DTEND;VALUE=DATE", &compact(s.date.add_days(1))),
    }
    if let Some(r) = s.recurrence {
        let until = match (s.until, s.start) {
            (None, _) => String::new(),
            (Some(u), None) => format!(";UNTIL={}", compact(u)),
            // With a time, UNTIL is in UTC: the end of that day keeps its last session.
            (Some(u), Some(_)) => format!(";UNTIL={}T235959Z", compact(u)),
        };
        ics.prop("RRULE", &format!("{}{until}", r.rrule()));
        // Skipped days, in DTSTART's form (RFC 5545 3.8.5.1): one line each.
        for &day in &s.except {
            let (param, value) = when(s, day, zone);
            ics.prop(&format!("EXDATE{param}"), &value);
        }
    }
    let title = s.title.clone().unwrap_or_else(|| format!("{} session", p.title));
    ics.prop("SUMMARY", &text(&title));
    let mut about = vec![format!("{} ({})", p.title, s.format.as_deref().unwrap_or("session"))];
    if let Some(f) = &s.facilitator {
        let name = h.get(Kind::Person, f).map_or(f.as_str(), |q| q.title.as_str());
        about.push(format!("Facilitated by {name}"));
    }
    if let Some(link) = &s.link {
        about.push(format!("Join: {link}"));
    }
    ics.prop("DESCRIPTION", &text(&about.join("\n")));
    if let Some(place) = s.location.as_ref().or(s.link.as_ref()) {
        ics.prop("LOCATION", &text(place));
    }
    if let Some(site) = site {
        ics.prop("URL", &format!("{site}{}", h.href(&p.url)));
    }
    if let Some(format) = &s.format {
        ics.prop("CATEGORIES", &text(format));
    }
    ics.prop("STATUS", if s.cancelled { "CANCELLED" } else { "CONFIRMED" });
    ics.line("END:VEVENT");
}

/// The parameters and value of a DTSTART (or an EXDATE, which must match
/// it) for the session `s` held on `day`: a local time in the handbook's
/// zone (`;TZID=`), a UTC time, or a whole day (`;VALUE=DATE`).
fn when(s: &Session, day: Date, zone: TimeZone) -> (String, String) {
    match s.start {
        Some(start) => {
            let (param, suffix) = match zone {
                TimeZone::Utc => (String::new(), "Z"),
                TimeZone::Zone(z) => (format!(";TZID={}", z.id), ""),
            };
            (param, format!("{}T{}00{suffix}", compact(day), clock(start).replace(':', "")))
        }
        None => (";VALUE=DATE".into(), compact(day)),
    }
}

/// The zone's rules as a VTIMEZONE, each change first applied in 1970.
fn vtimezone(ics: &mut Ics, z: &Zone) {
    ics.line("BEGIN:VTIMEZONE");
    ics.prop("TZID", z.id);
    let offset = |m: i16| format!("{}{:02}{:02}", if m < 0 { '-' } else { '+' }, m.abs() / 60, m.abs() % 60);
    let part = |ics: &mut Ics, kind: &str, from: i16, to: (i16, &str), change: Option<Change>| {
        ics.line(&format!("BEGIN:{kind}"));
        ics.prop("TZOFFSETFROM", &offset(from));
        ics.prop("TZOFFSETTO", &offset(to.0));
        ics.prop("TZNAME", to.1);
        match change {
            Some(c) => {
                let day =
                    Date::nth_weekday(1970, c.month, c.nth, c.weekday).unwrap_or(Date { year: 1970, month: 1, day: 1 });
                ics.prop("DTSTART", &format!("{}T{}00", compact(day), clock(c.at).replace(':', "")));
                let by = crate::model::sessions::ICAL_DAYS[usize::from(c.weekday)];
                ics.prop("RRULE", &format!("FREQ=YEARLY;BYMONTH={};BYDAY={}{by}", c.month, c.nth));
            }
            None => ics.prop("DTSTART", "19700101T000000"),
        }
        ics.line(&format!("END:{kind}"));
    };
    match z.summer {
        Some((summer, starts, ends)) => {
            part(ics, "DAYLIGHT", z.standard.0, summer, Some(starts));
            part(ics, "STANDARD", summer.0, z.standard, Some(ends));
        }
        None => part(ics, "STANDARD", z.standard.0, z.standard, None),
    }
    ics.line("END:VTIMEZONE");
}

fn compact(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines, CRLF-ended and folded at 75 octets without splitting a character.
#[derive(Default)]
struct Ics(String);

impl Ics {
    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            // A continuation line starts with a space, which counts.
            if width + c.len_utf8() > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += c.len_utf8();
        }
        self.0.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a, b; c\\d\nnext\r\nlast"), "a\\, b\\; c\\\\d\\nnext\\nlast");
    }

    #[test]
    fn lines_fold_at_75_octets_between_characters() {
        let mut ics = Ics::default();
        ics.prop("SUMMARY", &"é".repeat(100));
        for line in ics.0.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = ics.0.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(100)));
    }

    #[test]
    fn london_changes_on_the_last_sundays_of_march_and_october() {
        let mut ics = Ics::default();
        vtimezone(
            &mut ics,
            TimeZone::named("Europe/London")
                .map(|z| match z {
                    TimeZone::Zone(z) => z,
                    TimeZone::Utc => unreachable!(),
                })
                .unwrap(),
        );
        let text = ics.0;
        assert!(text.contains("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nDTSTART:19700329T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"), "{text}");
        assert!(text.contains("BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nDTSTART:19701025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"), "{text}");
    }
}
