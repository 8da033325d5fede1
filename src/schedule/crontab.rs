//! Schedules as people type them: a 5-field crontab line (weekdays numbered as crontab numbers
//! them, 0 and 7 Sunday, 1 Monday) or cron with seconds first, which must fire within a year.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use cron::Schedule;

use crate::domain::UserError;
use crate::domain::error::shorten;

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Accepts cron with seconds first (6 or 7 fields) or a 5-field crontab line, which gets `0`
/// seconds; returns the 6-or-7-field form, if it fires within a year of `now`.
pub fn normalize_cron(text: &str, now: DateTime<Utc>) -> Result<String, UserError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let example = "For example: \"0 9 * * 1-5\" (or \"0 9 * * Mon-Fri\") for 09:00 on weekdays.";
    let full = match fields.len() {
        5 => {
            let days = crontab_weekdays(fields[4])?;
            format!("0 {} {days}", fields[..4].join(" "))
        }
        6 | 7 => fields.join(" "),
        _ => {
            return Err(UserError::new(format!(
                "'{}' is not a schedule: expected 5 fields (crontab) or 6 with seconds first.",
                shorten(text, 60)
            ))
            .hint(example));
        }
    };
    let schedule = Schedule::from_str(&full).map_err(|e| {
        UserError::new(format!(
            "'{}' is not a valid schedule: {e}.",
            shorten(text, 60)
        ))
        .hint(example)
    })?;
    let within_a_year = schedule
        .after(&now)
        .next()
        .is_some_and(|t| t - now <= Duration::days(366));
    if !within_a_year {
        return Err(UserError::new(format!(
            "'{}' never fires within a year (a day that does not exist, like 30 February?).",
            shorten(text, 60)
        ))
        .hint(example));
    }
    Ok(full)
}

/// Crontab's day-of-week field spelt with day names, which the schedule library reads alike
/// (it numbers Sunday 1, crontab 0 and 7): `1-5` is `Mon,Tue,Wed,Thu,Fri`.
fn crontab_weekdays(field: &str) -> Result<String, UserError> {
    let bad = || {
        UserError::new(format!(
            "'{}' is not a day-of-week field: use 0-7 (0 and 7 are Sunday) or Mon-Sun, with , - and /.",
            shorten(field, 40)
        ))
    };
    let day = |t: &str| -> Result<usize, UserError> {
        if let Ok(n) = t.parse::<usize>() {
            return if n <= 7 { Ok(n % 7) } else { Err(bad()) };
        }
        DAYS.iter()
            .position(|d| d.eq_ignore_ascii_case(t))
            .ok_or_else(bad)
    };
    let mut on = [false; 7];
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<usize>().ok().filter(|s| *s > 0).ok_or_else(bad)?,
            ),
            None => (item, 1),
        };
        let (from, to) = match range.split_once('-') {
            _ if range == "*" => (0, 6),
            // `7` closes a range as the last Sunday: `5-7` is Friday to Sunday.
            Some((a, b)) => (day(a)?, if b == "7" { 7 } else { day(b)? }),
            // `1/2`: from Monday to the week's end, every other day.
            None if step > 1 => (day(range)?, 6),
            None => (day(range)?, day(range)?),
        };
        if from > to {
            return Err(bad());
        }
        for d in (from..=to).step_by(step) {
            on[d % 7] = true;
        }
    }
    if on.iter().all(|d| *d) {
        return Ok("*".into());
    }
    let names: Vec<&str> = (0..7).filter(|d| on[*d]).map(|d| DAYS[d]).collect();
    Ok(names.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Weekday};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
    }

    /// The weekdays a schedule fires on in the coming fortnight.
    fn days(text: &str) -> Vec<Weekday> {
        let full = normalize_cron(text, now()).unwrap();
        let mut days: Vec<Weekday> = Schedule::from_str(&full)
            .unwrap()
            .after(&now())
            .take_while(|t| *t - now() < Duration::days(7))
            .map(|t| t.weekday())
            .collect();
        days.sort_by_key(|d| d.num_days_from_sunday());
        days.dedup();
        days
    }

    #[test]
    fn crontab_weekdays_count_from_sunday_zero() {
        use Weekday::*;
        assert_eq!(days("0 9 * * 1-5"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("0 9 * * Mon-Fri"), [Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(days("0 9 * * 0"), [Sun]);
        assert_eq!(days("0 9 * * 7"), [Sun]);
        assert_eq!(days("0 9 * * 5-7"), [Sun, Fri, Sat]);
        assert_eq!(days("0 9 * * 0,6"), [Sun, Sat]);
        assert_eq!(days("0 9 * * */2"), [Sun, Tue, Thu, Sat]);
        assert_eq!(days("0 9 * * *").len(), 7);
        assert_eq!(
            normalize_cron("0 9 * * 1-5", now()).unwrap(),
            "0 0 9 * * Mon,Tue,Wed,Thu,Fri"
        );
    }

    #[test]
    fn seconds_first_forms_pass_as_written() {
        assert_eq!(
            normalize_cron("0 30 8 * * Mon", now()).unwrap(),
            "0 30 8 * * Mon"
        );
    }

    #[test]
    fn what_is_not_a_schedule_or_never_fires_is_refused_by_name() {
        let e = |t: &str| normalize_cron(t, now()).unwrap_err().message;
        assert!(e("every day").contains("expected 5 fields"));
        assert!(e("0 99 * * *").contains("not a valid schedule"));
        assert!(e("0 9 * * 8").contains("not a day-of-week field"));
        assert!(e("0 9 * * 5-1").contains("not a day-of-week field"));
        assert!(e("0 9 30 2 *").contains("never fires within a year"));
    }
}
