//! What a key result says of its goal's health: its verdict's colour (a declared confidence
//! may lower it, or raise it one step with a note), and "stale" when no one has checked in
//! for `kr_checkin_every` plus three days, shown beside the last verdict.

use chrono::{DateTime, Duration, Utc};

use super::pace::{Thresholds, with_confidence};
use super::{Confidence, KeyResult, Shape};
use crate::domain::{Colour, GoalId};

/// How long past the check-in rhythm a key result may go unheard before it is stale.
const STALE_SLACK: Duration = Duration::days(3);

/// One open key result of an open goal, with what its check-ins say.
#[derive(Debug, Clone, PartialEq)]
pub struct KrFacts {
    pub goal_id: GoalId,
    pub kr: KeyResult,
    pub created_at: DateTime<Utc>,
    pub last_checkin: Option<DateTime<Utc>>,
    /// The latest check-in's declared confidence, and whether a note came with it.
    pub confidence: Option<(Confidence, bool)>,
    /// A band's value has been outside the band since then (the current run).
    pub outside_since: Option<DateTime<Utc>>,
    /// Every check-in: when, and the value.
    pub history: Vec<(DateTime<Utc>, f64)>,
    /// The goal's work is flowing: in doing now, or finished within `kr_stuck_after`.
    pub work_flowing: bool,
}

/// What the goal hears: (colour, cause id, reason), nothing when all is well.
pub fn judge(
    f: &KrFacts,
    now: DateTime<Utc>,
    t: &Thresholds,
    checkin_every: Duration,
) -> Vec<(Colour, String, String)> {
    let key = f.kr.key();
    let mut out = Vec::new();
    let (verdict, mut reason) = f.kr.judge(f.outside_since, now, t);
    let mut colour = verdict.colour();
    if let Some((declared, noted)) = f.confidence {
        let declared_colour = match declared {
            Confidence::OnTrack => Colour::Green,
            Confidence::AtRisk => Colour::Amber,
            Confidence::OffTrack => Colour::Red,
        };
        let adjusted = with_confidence(colour, declared_colour, noted);
        if adjusted != colour {
            reason.push_str(&format!(
                " ({} says {})",
                "the last check-in",
                declared.as_str()
            ));
            colour = adjusted;
        }
    }
    if colour != Colour::Green {
        out.push((colour, format!("kr:{key}"), reason.clone()));
    }
    // Silence counts from the last check-in, or from when the key result was made.
    let heard = f.last_checkin.unwrap_or(f.created_at);
    let silent = now - heard;
    if !matches!(f.kr.shape, Shape::Milestone) && silent > checkin_every + STALE_SLACK {
        out.push((
            Colour::Amber,
            format!("kr_stale:{key}"),
            format!("{key} has had no update for {} days", silent.num_days()),
        ));
    }
    out
}

/// "Busy but not moving": the goal's work flows while a metric key result has not moved over
/// `stuck_after` (two check-ins or more in the window, no progress between the first and the
/// last) or was off track at its last two check-ins. The reason, when it holds.
pub fn not_moving(
    f: &KrFacts,
    now: DateTime<Utc>,
    t: &Thresholds,
    stuck_after: Duration,
) -> Option<String> {
    let Shape::Metric { from, to } = f.kr.shape else {
        return None;
    };
    if !f.work_flowing {
        return None;
    }
    let name = format!("{} {}", f.kr.key(), f.kr.title);
    let window: Vec<&(DateTime<Utc>, f64)> = f
        .history
        .iter()
        .filter(|(at, _)| *at >= now - stuck_after)
        .collect();
    if let (Some((since, first)), Some((_, last)), true) =
        (window.first(), window.last(), window.len() >= 2)
        && (last - first) * (to - from).signum() <= 0.0
    {
        // The span the check-ins cover, not the whole window: a week is not "28 days".
        return Some(format!(
            "work is flowing, but {name} has not moved in {} days ({} check-ins)",
            (now - *since).num_days(),
            window.len()
        ));
    }
    let behind = |(at, v): &(DateTime<Utc>, f64)| {
        super::pace::metric(from, to, *v, f.kr.start, f.kr.due, *at, t).verdict
            == super::Verdict::OffTrack
    };
    match f.history.as_slice() {
        [.., a, b] if behind(a) && behind(b) => Some(format!(
            "work is flowing, but {name} was off track at its last two check-ins"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::key_result::Unit;

    fn churn(values: Vec<f64>) -> KrFacts {
        let start: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
        KrFacts {
            goal_id: 1,
            kr: KeyResult {
                number: 2,
                title: "Monthly churn".into(),
                shape: Shape::Metric { from: 8.0, to: 5.0 },
                unit: Unit::Percent,
                start,
                due: start + Duration::days(100),
                values,
            },
            created_at: start,
            last_checkin: Some(start + Duration::days(45)),
            confidence: None,
            outside_since: None,
            history: Vec::new(),
            work_flowing: false,
        }
    }

    fn day(n: i64) -> DateTime<Utc> {
        "2027-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::days(n)
    }

    fn colours(f: &KrFacts, at: i64) -> Vec<(Colour, String)> {
        judge(f, day(at), &Thresholds::default(), Duration::days(7))
            .into_iter()
            .map(|(c, cause, _)| (c, cause))
            .collect()
    }

    #[test]
    fn behind_pace_is_amber_then_red_and_silence_is_stale() {
        let f = churn(vec![7.0]);
        assert_eq!(
            colours(&f, 46),
            vec![(Colour::Amber, "kr:K-2".into())],
            "13 points behind"
        );
        assert_eq!(
            colours(&f, 60),
            vec![
                (Colour::Red, "kr:K-2".into()),
                (Colour::Amber, "kr_stale:K-2".into())
            ],
            "off track, and unheard for 15 days"
        );
        assert_eq!(
            colours(&churn(vec![6.5]), 46),
            vec![],
            "on track and heard lately"
        );
    }

    #[test]
    fn busy_but_not_moving_needs_flowing_work_and_a_flat_or_sinking_metric() {
        let mut f = churn(vec![7.0, 7.0]);
        f.history = vec![(day(20), 7.0), (day(40), 7.0)];
        let stuck =
            |f: &KrFacts| not_moving(f, day(45), &Thresholds::default(), Duration::days(28));
        assert_eq!(stuck(&f), None, "no work flowing: starved, not stuck");
        f.work_flowing = true;
        assert!(
            stuck(&f)
                .unwrap()
                .contains("has not moved in 25 days (2 check-ins)")
        );
        f.history = vec![(day(20), 7.2), (day(40), 6.9)];
        assert_eq!(stuck(&f), None, "it moved towards the target");
        f.history = vec![(day(5), 8.0), (day(60), 7.9), (day(70), 7.9)];
        let late = not_moving(&f, day(75), &Thresholds::default(), Duration::days(28)).unwrap();
        assert!(late.contains("has not moved"), "{late}");
        f.history = vec![(day(50), 7.8), (day(70), 7.0)];
        let off = not_moving(&f, day(75), &Thresholds::default(), Duration::days(10)).unwrap();
        assert!(off.contains("off track at its last two check-ins"), "{off}");
    }

    #[test]
    fn a_declared_confidence_lowers_or_with_a_note_raises_one_step() {
        let mut f = churn(vec![6.5]);
        f.confidence = Some((Confidence::OffTrack, false));
        let said = judge(&f, day(46), &Thresholds::default(), Duration::days(7));
        assert_eq!(said[0].0, Colour::Red);
        assert!(
            said[0].2.ends_with("(the last check-in says off-track)"),
            "{}",
            said[0].2
        );
        let mut f = churn(vec![7.0]);
        f.confidence = Some((Confidence::OnTrack, true));
        assert_eq!(
            colours(&f, 60)[0],
            (Colour::Amber, "kr:K-2".into()),
            "red raised to amber"
        );
    }
}
