//! The time zones sessions can be given in, with their current daylight
//! saving rules, so that calendar feeds can carry a correct VTIMEZONE.
//!
//! A small table written here rather than the tz database: a handbook names
//! one zone, the rules below have held since 2007 (North America) and 1996
//! (Europe), and a VTIMEZONE only needs the rule in force. A zone not in the
//! table is refused with the list, rather than published with wrong times.

/// When clocks change: the `nth` (`-1`: last) `weekday` (0 = Monday) of
/// `month`, at `at` minutes after local midnight (local time before the change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub month: u8,
    pub nth: i8,
    pub weekday: u8,
    pub at: u16,
}

/// A zone: its standard offset and name, and its summer time if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone {
    pub id: &'static str,
    /// Minutes east of UTC.
    pub standard: (i16, &'static str),
    /// Summer offset and name, when it starts and when it ends.
    pub summer: Option<((i16, &'static str), Change, Change)>,
}

const SUNDAY: u8 = 6;
const fn last_sunday(month: u8, at: u16) -> Change {
    Change { month, nth: -1, weekday: SUNDAY, at }
}
const fn sunday(month: u8, nth: i8, at: u16) -> Change {
    Change { month, nth, weekday: SUNDAY, at }
}
/// The EU changes at 01:00 UTC: `offset` is the standard offset in hours.
const fn eu(id: &'static str, offset: i16, standard: &'static str, summer: &'static str) -> Zone {
    let at = ((offset + 1) * 60) as u16;
    Zone {
        id,
        standard: (offset * 60, standard),
        summer: Some(((offset * 60 + 60, summer), last_sunday(3, at), last_sunday(10, at + 60))),
    }
}
/// North America: second Sunday of March to first Sunday of November, at 02:00 local.
const fn us(id: &'static str, offset: i16, standard: &'static str, summer: &'static str) -> Zone {
    Zone {
        id,
        standard: (offset * 60, standard),
        summer: Some(((offset * 60 + 60, summer), sunday(3, 2, 120), sunday(11, 1, 120))),
    }
}
const fn fixed(id: &'static str, minutes: i16, name: &'static str) -> Zone {
    Zone { id, standard: (minutes, name), summer: None }
}

pub const ZONES: &[Zone] = &[
    eu("Europe/London", 0, "GMT", "BST"),
    eu("Europe/Dublin", 0, "GMT", "IST"),
    eu("Europe/Lisbon", 0, "WET", "WEST"),
    eu("Europe/Amsterdam", 1, "CET", "CEST"),
    eu("Europe/Berlin", 1, "CET", "CEST"),
    eu("Europe/Brussels", 1, "CET", "CEST"),
    eu("Europe/Copenhagen", 1, "CET", "CEST"),
    eu("Europe/Madrid", 1, "CET", "CEST"),
    eu("Europe/Oslo", 1, "CET", "CEST"),
    eu("Europe/Paris", 1, "CET", "CEST"),
    eu("Europe/Rome", 1, "CET", "CEST"),
    eu("Europe/Stockholm", 1, "CET", "CEST"),
    eu("Europe/Vienna", 1, "CET", "CEST"),
    eu("Europe/Warsaw", 1, "CET", "CEST"),
    eu("Europe/Zurich", 1, "CET", "CEST"),
    eu("Europe/Athens", 2, "EET", "EEST"),
    eu("Europe/Helsinki", 2, "EET", "EEST"),
    us("America/New_York", -5, "EST", "EDT"),
    us("America/Toronto", -5, "EST", "EDT"),
    us("America/Chicago", -6, "CST", "CDT"),
    us("America/Denver", -7, "MST", "MDT"),
    us("America/Los_Angeles", -8, "PST", "PDT"),
    us("America/Vancouver", -8, "PST", "PDT"),
    fixed("Asia/Kolkata", 330, "IST"),
    fixed("Asia/Singapore", 480, "+08"),
    fixed("Asia/Tokyo", 540, "JST"),
    fixed("Africa/Nairobi", 180, "EAT"),
];

/// What the feeds write times in: UTC, or a zone of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    Utc,
    Zone(&'static Zone),
}

impl TimeZone {
    pub fn named(name: &str) -> Option<TimeZone> {
        if matches!(name, "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT") {
            return Some(TimeZone::Utc);
        }
        ZONES.iter().find(|z| z.id == name).map(TimeZone::Zone)
    }

    /// The names `named` knows, for findings.
    pub fn known() -> String {
        let mut names: Vec<&str> = ZONES.iter().map(|z| z.id).collect();
        names.push("UTC");
        names.join(", ")
    }
}
