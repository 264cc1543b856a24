//! "Care and feeding": when a page was last reviewed and when it is due.

use crate::config::ReviewConfig;
use crate::date::{Date, Duration};
use crate::model::Kind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewState {
    Overdue,
    Due,
    Ok,
    /// A principle, guideline or standard with no review dates at all.
    Unknown,
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct Review {
    pub last_reviewed: Option<Date>,
    pub due: Option<Date>,
    pub state: ReviewState,
    /// Days from today to `due`: negative when overdue.
    pub days: Option<i64>,
}

impl Review {
    /// `due = review_by ?? last_reviewed + (review_every ?? the kind's default)`.
    /// `None` for an ordinary page with no review dates.
    pub fn compute(
        kind: Kind,
        last_reviewed: Option<Date>,
        review_every: Option<Duration>,
        review_by: Option<Date>,
        config: &ReviewConfig,
        today: Date,
    ) -> Option<Review> {
        let default_every = match kind {
            Kind::Principle => &config.principles,
            Kind::Guideline => &config.guidelines,
            Kind::Standard => &config.standards,
            _ => &config.pages,
        };
        let every = review_every.or_else(|| Duration::parse(default_every));
        let due = review_by.or_else(|| Some(every?.after(last_reviewed?)));
        if due.is_none() && last_reviewed.is_none() && !kind.is_item() {
            return None;
        }
        let days = due.map(|d| today.days_until(d));
        let state = match days {
            // An ordinary page may say when it was reviewed without being due ever.
            None if !kind.is_item() => ReviewState::Ok,
            None => ReviewState::Unknown,
            Some(d) if d < 0 => ReviewState::Overdue,
            Some(d) if d <= config.due_soon_days => ReviewState::Due,
            Some(_) => ReviewState::Ok,
        };
        Some(Review { last_reviewed, due, state, days })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<Date> {
        Date::parse(s, false)
    }

    #[test]
    fn states_from_dates() {
        let config = ReviewConfig::default();
        let today = date("2026-11-23").unwrap();
        let six = Duration::parse("6 months");
        let r = Review::compute(Kind::Standard, date("2025-01-15"), six, None, &config, today).unwrap();
        assert_eq!((r.state, r.due), (ReviewState::Overdue, date("2025-07-15")));
        let r = Review::compute(Kind::Standard, None, None, date("2026-12-10"), &config, today).unwrap();
        assert_eq!((r.state, r.days), (ReviewState::Due, Some(17)));
        let r = Review::compute(Kind::Standard, date("2026-06-01"), None, None, &config, today).unwrap();
        assert_eq!((r.state, r.due), (ReviewState::Ok, date("2027-06-01")));
        let r = Review::compute(Kind::Guideline, None, None, None, &config, today).unwrap();
        assert_eq!(r.state, ReviewState::Unknown);
        assert!(Review::compute(Kind::Page, None, None, None, &config, today).is_none());
        let r = Review::compute(Kind::Page, date("2020-01-01"), None, None, &config, today).unwrap();
        assert_eq!((r.state, r.due), (ReviewState::Ok, None));
        // review_by wins over the interval
        let r = Review::compute(Kind::Principle, date("2026-01-01"), six, date("2026-02-01"), &config, today).unwrap();
        assert_eq!(r.due, date("2026-02-01"));
    }
}
