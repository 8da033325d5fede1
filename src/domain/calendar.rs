//! Working time: which days and hours count, so that thresholds ("stalled after 3 days") mean
//! working days, and messages that time causes wait for the recipient's working hours.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A workspace's working week: days, hours and holidays (the time zone is each person's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingTime {
    /// Monday first.
    pub days: [bool; 7],
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for WorkingTime {
    fn default() -> Self {
        WorkingTime {
            days: [true, true, true, true, true, false, false],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
            holidays: BTreeSet::new(),
        }
    }
}

const NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn day_name(i: usize) -> String {
    let s = &NAMES[i][..3];
    s[..1].to_uppercase() + &s[1..]
}

/// `Mon`, `monday`, `Thu`: three letters or more of a day's name.
fn parse_day(s: &str) -> Option<usize> {
    let lower = s.trim().to_ascii_lowercase();
    (lower.len() >= 3)
        .then(|| NAMES.iter().position(|n| n.starts_with(&lower)))
        .flatten()
}

impl WorkingTime {
    /// `Mon-Fri`, `Sun-Thu`, `Mon,Tue,Thu`, `Mon-Wed,Fri`.
    pub fn parse_days(text: &str) -> Result<[bool; 7], String> {
        let mut days = [false; 7];
        for part in text.split(',') {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (Some(a), Some(b)) = (parse_day(a), parse_day(b)) else {
                return Err(format!(
                    "'{part}' is not a day or a range of days; write them like Mon-Fri or Mon,Tue,Thu."
                ));
            };
            let mut i = a;
            loop {
                days[i] = true;
                if i == b {
                    break;
                }
                i = (i + 1) % 7;
            }
        }
        Ok(days)
    }

    /// `09:00-18:00`.
    pub fn parse_hours(text: &str) -> Result<(NaiveTime, NaiveTime), String> {
        let bad = || format!("'{text}' is not a span of hours; write it like 09:00-18:00.");
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let parse = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (parse(a)?, parse(b)?);
        if start >= end {
            return Err(format!(
                "working hours must end after they start, not '{text}'."
            ));
        }
        Ok((start, end))
    }

    /// The days as they are written in settings: `Mon-Fri`, `Mon,Wed-Fri`.
    pub fn days_text(&self) -> String {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for i in (0..7).filter(|i| self.days[*i]) {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == i => *end = i,
                _ => runs.push((i, i)),
            }
        }
        runs.iter()
            .map(|(a, b)| {
                if a == b {
                    day_name(*a)
                } else {
                    format!("{}-{}", day_name(*a), day_name(*b))
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn hours_text(&self) -> String {
        format!(
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }

    pub fn is_workday(&self, d: NaiveDate) -> bool {
        self.days[d.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&d)
    }

    pub fn day_length(&self) -> Duration {
        self.end - self.start
    }

    /// A threshold as working time: whole weeks count the working days of a week, whole days
    /// count working days, and what is left counts working hours and minutes.
    pub fn span(&self, d: Duration) -> Duration {
        let days = d.num_days();
        let rest = d - Duration::days(days);
        let per_week = self.days.iter().filter(|d| **d).count().max(1) as i64;
        let working_days = if days > 0 && days % 7 == 0 && rest.is_zero() {
            days / 7 * per_week
        } else {
            days
        };
        self.day_length() * working_days as i32 + rest
    }

    /// `3 working days`, `5 working hours`: how long a working-time span reads.
    pub fn describe(&self, d: Duration) -> String {
        let day = self.day_length().num_minutes().max(1);
        let minutes = d.num_minutes().max(0);
        let (n, unit) = if minutes >= day {
            (minutes / day, "working day")
        } else if minutes >= 60 {
            (minutes / 60, "working hour")
        } else {
            (minutes, "working minute")
        };
        format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// Working time as one person lives it: the workspace's week in their time zone.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    pub time: &'a WorkingTime,
    pub tz: Tz,
}

/// Days looked at before giving up: a span longer than this is long past every threshold.
const HORIZON_DAYS: i64 = 800;

impl Calendar<'_> {
    /// The working window of a local date, in UTC; none on days off.
    fn window(&self, d: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.time.is_workday(d) {
            return None;
        }
        let at = |t: NaiveTime| {
            self.tz
                .from_local_datetime(&d.and_time(t))
                .earliest()
                .map(|x| x.with_timezone(&Utc))
        };
        Some((at(self.time.start)?, at(self.time.end)?))
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    pub fn is_working(&self, t: DateTime<Utc>) -> bool {
        self.window(self.local_date(t))
            .is_some_and(|(a, b)| a <= t && t < b)
    }

    /// `t` itself when it falls in working hours, otherwise the start of the next working day.
    pub fn next_working(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let mut d = self.local_date(t);
        for _ in 0..HORIZON_DAYS {
            if let Some((a, _)) = self.window(d).filter(|(_, end)| t < *end) {
                return t.max(a);
            }
            d = d.succ_opt().unwrap_or(d);
        }
        t
    }

    /// How much working time lies between `from` and `to`.
    pub fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let mut total = Duration::zero();
        let mut d = self.local_date(from);
        let last = self.local_date(to);
        for _ in 0..HORIZON_DAYS {
            if let Some((a, b)) = self.window(d) {
                let (a, b) = (a.max(from), b.min(to));
                if a < b {
                    total += b - a;
                }
            }
            if d >= last {
                break;
            }
            d = d.succ_opt().unwrap_or(last);
        }
        total
    }

    /// The moment at which `span` of working time has passed since `from`.
    pub fn after_working(&self, from: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
        let mut left = span;
        let mut t = self.next_working(from);
        for _ in 0..HORIZON_DAYS {
            let Some((_, end)) = self.window(self.local_date(t)) else {
                t = self.next_working(t);
                continue;
            };
            if t + left <= end {
                return t + left;
            }
            left -= end - t;
            t = self.next_working(end);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn london(time: &WorkingTime) -> Calendar<'_> {
        Calendar {
            time,
            tz: chrono_tz::Europe::London,
        }
    }

    #[test]
    fn days_read_and_print_back() {
        let cases = [
            ("Mon-Fri", "Mon-Fri"),
            ("mon,tue,thu", "Mon-Tue,Thu"),
            ("Sun-Thu", "Mon-Thu,Sun"),
            ("Monday-Wednesday,Fri", "Mon-Wed,Fri"),
        ];
        for (input, shown) in cases {
            let days = WorkingTime::parse_days(input).unwrap();
            let t = WorkingTime {
                days,
                ..WorkingTime::default()
            };
            assert_eq!(t.days_text(), shown, "{input}");
        }
        assert!(WorkingTime::parse_days("Mon-Funday").is_err());
        assert!(WorkingTime::parse_hours("18:00-09:00").is_err());
        assert!(WorkingTime::parse_hours("9-5").is_err());
    }

    #[test]
    fn a_weekend_does_not_count() {
        let t = WorkingTime::default();
        let cal = london(&t);
        // Thursday 09:10 to Sunday 09:15: Thursday's 8h50m and Friday's 9h.
        let worked = cal.working_between(at("2026-11-19T09:10:00Z"), at("2026-11-22T09:15:00Z"));
        assert_eq!(worked, Duration::minutes(17 * 60 + 50));
        assert!(worked < t.span(Duration::days(3)));
        // Three working days from Thursday 09:10 end on Tuesday 09:10.
        assert_eq!(
            cal.after_working(at("2026-11-19T09:10:00Z"), t.span(Duration::days(3))),
            at("2026-11-24T09:10:00Z")
        );
    }

    #[test]
    fn holidays_are_days_off() {
        let mut t = WorkingTime::default();
        t.holidays
            .insert(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap());
        let cal = london(&t);
        // Thursday 24th 17:00 to Monday 28th 10:00: 1h on Thursday, 1h on Monday.
        let worked = cal.working_between(at("2026-12-24T17:00:00Z"), at("2026-12-28T10:00:00Z"));
        assert_eq!(worked, Duration::hours(2));
        assert_eq!(
            cal.next_working(at("2026-12-24T22:00:00Z")),
            at("2026-12-28T09:00:00Z")
        );
    }

    #[test]
    fn next_working_is_the_recipients_morning() {
        let t = WorkingTime::default();
        let tokyo = Calendar {
            time: &t,
            tz: chrono_tz::Asia::Tokyo,
        };
        // 13:00 UTC on a Wednesday is 22:00 in Tokyo: wait for Thursday 09:00 there.
        assert_eq!(
            tokyo.next_working(at("2026-11-18T13:00:00Z")),
            at("2026-11-19T00:00:00Z")
        );
        assert!(tokyo.is_working(at("2026-11-19T00:00:00Z")));
        assert!(!tokyo.is_working(at("2026-11-18T13:00:00Z")));
    }

    #[test]
    fn thresholds_read_as_working_time() {
        let t = WorkingTime::default();
        assert_eq!(t.span(Duration::days(3)), Duration::hours(27));
        assert_eq!(t.span(Duration::weeks(1)), Duration::hours(45));
        assert_eq!(t.span(Duration::hours(4)), Duration::hours(4));
        assert_eq!(t.describe(Duration::hours(27)), "3 working days");
        assert_eq!(t.describe(Duration::hours(5)), "5 working hours");
        assert_eq!(t.describe(Duration::minutes(1)), "1 working minute");
    }
}
