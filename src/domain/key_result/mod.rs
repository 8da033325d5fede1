//! Key results: the outcomes a goal is measured by. A metric moves from a start value to a
//! target by a due date, a milestone is done or not, a band keeps a value inside limits.
//! Health reads their pace (`pace`); the values are typed and shown in their unit (`units`).

pub mod health;
pub mod pace;
pub mod units;

use chrono::{DateTime, Utc};

pub use health::KrFacts;
pub use pace::{Pace, Thresholds, Verdict};
pub use units::{Quantity, Unit};

use crate::domain::UserError;

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Metric { from: f64, to: f64 },
    Milestone,
    Band { low: f64, high: f64 },
}

impl Shape {
    /// A metric from `from` to `to`; the direction is the sign of `to - from`.
    pub fn metric(from: Quantity, to: Quantity) -> Result<(Shape, Unit), UserError> {
        let unit = from.unit.clone();
        let to_value = to.expect_unit(&unit, "The target")?;
        if (to_value - from.value).abs() < f64::EPSILON {
            return Err(UserError::new(format!(
                "from and to are both {}: a key result has to move somewhere.",
                Quantity {
                    value: to_value,
                    unit
                }
            ))
            .hint("Use band:LOW..HIGH to keep a value where it is."));
        }
        Ok((
            Shape::Metric {
                from: from.value,
                to: to_value,
            },
            unit,
        ))
    }

    /// A band `low..high`, written `99.5%..100%`.
    pub fn band(text: &str) -> Result<(Shape, Unit), UserError> {
        let (low, high) = text.split_once("..").ok_or_else(|| {
            UserError::new(format!("'{text}' is not a band."))
                .hint("Write it like band:99.5%..100%.")
        })?;
        let low = Quantity::parse(low)?;
        let unit = low.unit.clone();
        let high = Quantity::parse(high)?.expect_unit(&unit, "The band's top")?;
        if high < low.value {
            return Err(UserError::new(format!(
                "the band's top {} is below its bottom {low}.",
                Quantity { value: high, unit }
            )));
        }
        Ok((
            Shape::Band {
                low: low.value,
                high,
            },
            unit,
        ))
    }
}

/// What the person checking in says of it, beside the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    OnTrack,
    AtRisk,
    OffTrack,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [
        Confidence::OnTrack,
        Confidence::AtRisk,
        Confidence::OffTrack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::OnTrack => "on-track",
            Confidence::AtRisk => "at-risk",
            Confidence::OffTrack => "off-track",
        }
    }

    pub fn parse(text: &str) -> Result<Confidence, UserError> {
        Confidence::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                UserError::new(format!("'{text}' is not a confidence."))
                    .hint("Use confidence:on-track, confidence:at-risk or confidence:off-track.")
            })
    }
}

/// How a key result ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrOutcome {
    Achieved,
    Missed,
    Dropped,
}

impl KrOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            KrOutcome::Achieved => "achieved",
            KrOutcome::Missed => "missed",
            KrOutcome::Dropped => "dropped",
        }
    }
}

/// One key result as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyResult {
    pub number: i32,
    pub title: String,
    pub shape: Shape,
    pub unit: Unit,
    pub start: DateTime<Utc>,
    pub due: DateTime<Utc>,
    /// Check-in values, oldest first (a milestone's are 1 when done).
    pub values: Vec<f64>,
}

impl KeyResult {
    pub fn key(&self) -> String {
        format!("K-{}", self.number)
    }

    fn show(&self, value: f64) -> String {
        Quantity {
            value,
            unit: self.unit.clone(),
        }
        .to_string()
    }

    /// The verdict with the numbers behind it, as the reason a goal's health gives:
    /// "K-2 Monthly churn 6.1% (target 5% by 31 Mar): 63% of the way, 80% of the time gone:
    /// at risk, 17 points behind pace".
    pub fn judge(
        &self,
        outside_since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        t: &Thresholds,
    ) -> (Verdict, String) {
        let by = self.due.format("%-d %b");
        let name = format!("{} {}", self.key(), self.title);
        match &self.shape {
            // No value yet is not a value at the start: nothing to judge until the first check-in.
            Shape::Metric { to, .. } if self.values.is_empty() => (
                Verdict::Early,
                format!(
                    "{name} (target {} by {by}): no check-in yet",
                    self.show(*to)
                ),
            ),
            Shape::Band { low, high } if self.values.is_empty() => (
                Verdict::Early,
                format!(
                    "{name} (keep within {}..{}): no check-in yet",
                    self.show(*low),
                    self.show(*high)
                ),
            ),
            Shape::Metric { from, to } => {
                let current = self.values.last().copied().unwrap_or(*from);
                let p = pace::metric(*from, *to, current, self.start, self.due, now, t);
                let head = format!(
                    "{name} {} (target {} by {by})",
                    self.show(current),
                    self.show(*to)
                );
                let how = format!(
                    "{:.0}% of the way, {:.0}% of the time gone",
                    // `+ 0.0` turns a negative zero into "0%".
                    p.progress * 100.0 + 0.0,
                    p.expected * 100.0
                );
                let tail = match p.verdict {
                    Verdict::AtRisk | Verdict::OffTrack => {
                        format!("{}, {:.0} points behind pace", p.verdict.words(), p.gap)
                    }
                    v => v.words().to_string(),
                };
                (p.verdict, format!("{head}: {how}: {tail}"))
            }
            Shape::Milestone => {
                let done = self.values.last().is_some_and(|v| *v >= 1.0);
                let v = pace::milestone(done, self.due, now);
                let state = if done { "done" } else { "not done" };
                (v, format!("{name} (due {by}): {state}: {}", v.words()))
            }
            Shape::Band { low, high } => {
                let current = self.values.last().copied().unwrap_or(*low);
                let v = pace::band(*low, *high, current, outside_since, self.due, now, t);
                let limits = format!("{}..{}", self.show(*low), self.show(*high));
                (
                    v,
                    format!(
                        "{name} {} (keep within {limits}): {}",
                        self.show(current),
                        v.words()
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_verdict_reads_with_its_numbers() {
        let start: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let (shape, unit) = Shape::metric(
            Quantity::parse("8%").unwrap(),
            Quantity::parse("5%").unwrap(),
        )
        .unwrap();
        let kr = KeyResult {
            number: 2,
            title: "Monthly churn".into(),
            shape,
            unit,
            start,
            due: start + Duration::days(100),
            values: vec![8.0, 7.1, 6.1],
        };
        let (verdict, reason) = kr.judge(None, start + Duration::days(80), &Thresholds::default());
        assert_eq!(verdict, Verdict::AtRisk);
        assert_eq!(
            reason,
            "K-2 Monthly churn 6.1% (target 5% by 11 Mar): 63% of the way, 80% of the time gone: \
             at risk, 17 points behind pace"
        );
    }

    #[test]
    fn shapes_refuse_what_cannot_be_measured() {
        let q = |t: &str| Quantity::parse(t).unwrap();
        let err = Shape::metric(q("8%"), q("8%")).unwrap_err();
        assert!(err.message.contains("both 8%"), "{err}");
        let err = Shape::metric(q("8%"), q("$5")).unwrap_err();
        assert!(err.message.contains("USD"), "{err}");
        assert!(Shape::band("99.5%..100%").is_ok());
        assert!(
            Shape::band("100%..99%")
                .unwrap_err()
                .message
                .contains("below")
        );
        assert!(Shape::band("99%").is_err());
    }
}
