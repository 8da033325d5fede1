//! The pace rule: is a key result where it should be by now? Progress against the share of
//! its period already gone, with the numbers in every verdict's reason.

use chrono::{DateTime, Duration, Utc};

use crate::domain::Colour;

/// The settings the rule reads (`kr_at_risk`, `kr_off_track`, `kr_band_grace`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Points behind pace still on track.
    pub at_risk: f64,
    /// Points behind pace still only at risk; beyond, off track.
    pub off_track: f64,
    /// How long a band key result may stay outside its band before it is off track.
    pub band_grace: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            at_risk: 10.0,
            off_track: 25.0,
            band_grace: Duration::days(2),
        }
    }
}

/// No verdict before this share of the period has gone: too little time to tell.
pub const GRACE_SHARE: f64 = 0.15;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Too early in the period to judge (or a milestone not yet due).
    Early,
    OnTrack,
    AtRisk,
    OffTrack,
    Achieved,
    Missed,
}

impl Verdict {
    pub fn colour(self) -> Colour {
        match self {
            Verdict::Early | Verdict::OnTrack | Verdict::Achieved => Colour::Green,
            Verdict::AtRisk => Colour::Amber,
            Verdict::OffTrack | Verdict::Missed => Colour::Red,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Verdict::Early => "too early to tell",
            Verdict::OnTrack => "on track",
            Verdict::AtRisk => "at risk",
            Verdict::OffTrack => "off track",
            Verdict::Achieved => "achieved",
            Verdict::Missed => "missed",
        }
    }
}

/// Where a metric key result stands: shares are 0..1 (progress may fall below 0 or pass 1),
/// the gap is in points (positive: behind pace).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub progress: f64,
    pub expected: f64,
    pub gap: f64,
    pub verdict: Verdict,
}

/// The share of `start..due` gone at `now`, between 0 and 1.
fn elapsed(start: DateTime<Utc>, due: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let whole = (due - start).num_seconds().max(1) as f64;
    ((now - start).num_seconds() as f64 / whole).clamp(0.0, 1.0)
}

/// A metric from `from` to `to` (either direction), now at `current`.
pub fn metric(
    from: f64,
    to: f64,
    current: f64,
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    t: &Thresholds,
) -> Pace {
    let progress = (current - from) / (to - from);
    let expected = elapsed(start, due, now);
    let gap = (expected - progress) * 100.0;
    // A hair under 100% from floating point is still the target reached.
    let verdict = if progress >= 1.0 - 1e-9 {
        Verdict::Achieved
    } else if now > due {
        Verdict::Missed
    } else if expected < GRACE_SHARE {
        Verdict::Early
    } else if gap <= t.at_risk + 1e-9 {
        Verdict::OnTrack
    } else if gap <= t.off_track + 1e-9 {
        Verdict::AtRisk
    } else {
        Verdict::OffTrack
    };
    Pace {
        progress,
        expected,
        gap,
        verdict,
    }
}

/// A milestone: done, or not yet (and then missed once due).
pub fn milestone(done: bool, due: DateTime<Utc>, now: DateTime<Utc>) -> Verdict {
    match (done, now > due) {
        (true, _) => Verdict::Achieved,
        (false, true) => Verdict::Missed,
        (false, false) => Verdict::Early,
    }
}

/// A value to keep within `low..=high`; `outside_since` is when it last left the band (if
/// it is out). Past the due date the period is over: in band is achieved, out is missed.
pub fn band(
    low: f64,
    high: f64,
    current: f64,
    outside_since: Option<DateTime<Utc>>,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    t: &Thresholds,
) -> Verdict {
    let inside = (low..=high).contains(&current);
    match (inside, now > due) {
        (true, true) => Verdict::Achieved,
        (false, true) => Verdict::Missed,
        (true, false) => Verdict::OnTrack,
        (false, false) => match outside_since {
            Some(since) if now - since >= t.band_grace => Verdict::OffTrack,
            _ => Verdict::AtRisk,
        },
    }
}

/// A declared confidence (`on-track`, `at-risk`, `off-track`) over the computed colour: it
/// may always make it worse; it may make it better by one step, and only with a note.
pub fn with_confidence(computed: Colour, declared: Colour, has_note: bool) -> Colour {
    let rank = |c: Colour| match c {
        Colour::Red => 3,
        Colour::Amber => 2,
        _ => 1,
    };
    let colour_of = |r: i32| match r {
        3 => Colour::Red,
        2 => Colour::Amber,
        _ => Colour::Green,
    };
    let (c, d) = (rank(computed), rank(declared));
    if d >= c {
        colour_of(d)
    } else if has_note {
        colour_of(c - 1)
    } else {
        computed
    }
}

/// Check-ins as a line of bars, low to high (▁ … █), the same in every client.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if (hi - lo).abs() < f64::EPSILON {
                BARS[3]
            } else {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> DateTime<Utc> {
        "2027-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::days(day)
    }

    /// Churn from 8% down to 5% over 100 days, read on `day` at `current`.
    fn churn(current: f64, day: i64) -> Pace {
        metric(
            8.0,
            5.0,
            current,
            at(0),
            at(100),
            at(day),
            &Thresholds::default(),
        )
    }

    #[test]
    fn the_pace_rule_at_its_edges() {
        for (what, current, day, verdict) in [
            (
                "14% of the time gone: too early, however flat",
                8.0,
                14,
                Verdict::Early,
            ),
            (
                "15% gone, nothing done: 15 points behind",
                8.0,
                15,
                Verdict::AtRisk,
            ),
            (
                "exactly 10 points behind is on track",
                7.4,
                30,
                Verdict::OnTrack,
            ),
            ("10.3 points behind is at risk", 7.41, 30, Verdict::AtRisk),
            (
                "exactly 25 points behind is at risk",
                6.05,
                90,
                Verdict::AtRisk,
            ),
            (
                "just over 25 points behind is off track",
                6.06,
                90,
                Verdict::OffTrack,
            ),
            ("ahead of pace", 6.0, 50, Verdict::OnTrack),
            ("the target reached early", 5.0, 40, Verdict::Achieved),
            ("past the target", 4.2, 40, Verdict::Achieved),
            ("past due, not there", 5.3, 101, Verdict::Missed),
            ("past due, there", 5.0, 101, Verdict::Achieved),
            ("worse than the start", 8.6, 50, Verdict::OffTrack),
        ] {
            assert_eq!(churn(current, day).verdict, verdict, "{what}");
        }
        let p = churn(7.4, 30);
        assert!((p.progress - 0.2).abs() < 1e-9 && (p.expected - 0.3).abs() < 1e-9);
        assert!((p.gap - 10.0).abs() < 1e-9);
    }

    #[test]
    fn increases_and_decreases_are_judged_alike() {
        let t = Thresholds::default();
        let up = metric(100.0, 200.0, 140.0, at(0), at(100), at(50), &t);
        let down = metric(200.0, 100.0, 160.0, at(0), at(100), at(50), &t);
        assert_eq!(up, down);
        assert_eq!(up.verdict, Verdict::OnTrack);
        assert!((up.gap - 10.0).abs() < 1e-9);
    }

    #[test]
    fn milestones_and_bands() {
        assert_eq!(milestone(false, at(10), at(5)), Verdict::Early);
        assert_eq!(milestone(true, at(10), at(5)), Verdict::Achieved);
        assert_eq!(milestone(false, at(10), at(11)), Verdict::Missed);
        let t = Thresholds::default();
        let uptime = |v: f64, out: Option<i64>, day: i64| {
            band(99.5, 100.0, v, out.map(at), at(100), at(day), &t)
        };
        assert_eq!(
            uptime(99.5, None, 10),
            Verdict::OnTrack,
            "the low edge is inside"
        );
        assert_eq!(
            uptime(100.0, None, 10),
            Verdict::OnTrack,
            "the high edge is inside"
        );
        assert_eq!(
            uptime(99.49, Some(10), 11),
            Verdict::AtRisk,
            "out for a day"
        );
        assert_eq!(
            uptime(99.49, Some(10), 12),
            Verdict::OffTrack,
            "out for two days"
        );
        assert_eq!(uptime(99.7, None, 101), Verdict::Achieved);
        assert_eq!(uptime(99.0, Some(90), 101), Verdict::Missed);
    }

    #[test]
    fn a_declared_confidence_lowers_freely_and_raises_one_step_with_a_note() {
        use Colour::*;
        assert_eq!(with_confidence(Green, Red, false), Red);
        assert_eq!(with_confidence(Amber, Red, false), Red);
        assert_eq!(with_confidence(Red, Green, false), Red, "no note, no raise");
        assert_eq!(with_confidence(Red, Green, true), Amber, "one step only");
        assert_eq!(with_confidence(Amber, Green, true), Green);
    }

    #[test]
    fn sparklines_span_the_values_seen() {
        assert_eq!(sparkline(&[8.0, 7.5, 7.0, 6.1, 5.0]), "█▇▆▄▁");
        assert_eq!(sparkline(&[3.0, 3.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }
}
