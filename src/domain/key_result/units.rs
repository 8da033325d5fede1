//! What a key result counts in: plain numbers, percent, or money in one currency. A value
//! is typed as people write it (`8%`, `$1.2m`, `€300k`, `EUR 300k`, `1.5k`) and shown back
//! the same way; the unit is fixed when the key result is made.

use std::fmt;

use crate::domain::UserError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    Plain,
    Percent,
    /// An ISO 4217 code: `USD`, `EUR`, `GBP`, …
    Currency(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: Unit,
}

/// Currency symbols people type, and the code each stands for.
const SYMBOLS: &[(&str, &str)] = &[("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY")];

impl Unit {
    /// How the unit is named in an error ("percent", "EUR").
    pub fn name(&self) -> String {
        match self {
            Unit::Plain => "a plain number".into(),
            Unit::Percent => "percent".into(),
            Unit::Currency(code) => code.clone(),
        }
    }

    pub fn as_str(&self) -> String {
        match self {
            Unit::Plain => "plain".into(),
            Unit::Percent => "percent".into(),
            Unit::Currency(code) => code.clone(),
        }
    }

    pub fn parse(stored: &str) -> Option<Unit> {
        match stored {
            "plain" => Some(Unit::Plain),
            "percent" => Some(Unit::Percent),
            code if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) => {
                Some(Unit::Currency(code.into()))
            }
            _ => None,
        }
    }
}

impl Quantity {
    /// Reads a value as typed; the error says what was expected.
    pub fn parse(text: &str) -> Result<Quantity, UserError> {
        let bad = || {
            UserError::new(format!("'{text}' is not a value.")).hint(
                "Write a number, a percentage or an amount: 42, 8%, 99.5%, $1.2m, €300k, EUR 300k.",
            )
        };
        let mut rest = text.trim();
        let mut unit = Unit::Plain;
        if let Some((symbol, code)) = SYMBOLS.iter().find(|(s, _)| rest.starts_with(s)) {
            unit = Unit::Currency((*code).into());
            rest = rest[symbol.len()..].trim_start();
        } else if let (Some(code), Some(after)) = (rest.get(..3), rest.get(3..))
            && code.chars().all(|c| c.is_ascii_alphabetic())
            && !after.is_empty()
            && !after.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            unit = Unit::Currency(code.to_ascii_uppercase());
            rest = after.trim_start();
        }
        if let Some(number) = rest.strip_suffix('%') {
            if unit != Unit::Plain {
                return Err(bad());
            }
            unit = Unit::Percent;
            rest = number.trim_end();
        }
        let (number, scale) = match rest.char_indices().last() {
            Some((i, 'k' | 'K')) => (&rest[..i], 1e3),
            Some((i, 'm' | 'M')) => (&rest[..i], 1e6),
            Some((i, 'b' | 'B')) => (&rest[..i], 1e9),
            _ => (rest, 1.0),
        };
        let value: f64 = number.replace(',', "").parse().map_err(|_| bad())?;
        if !value.is_finite() {
            return Err(bad());
        }
        Ok(Quantity {
            value: value * scale,
            unit,
        })
    }

    /// The same quantity in `unit`, or an error that names both units.
    pub fn expect_unit(self, unit: &Unit, what: &str) -> Result<f64, UserError> {
        if &self.unit == unit {
            return Ok(self.value);
        }
        Err(UserError::new(format!(
            "{what} is in {}, but this key result counts in {}.",
            self.unit.name(),
            unit.name()
        ))
        .hint(format!(
            "Write it like {}.",
            Quantity {
                value: 12.0,
                unit: unit.clone()
            }
        )))
    }
}

/// A value as a program sends it: a bare number, read in the key result's own unit, or a
/// value with its unit (`"6.1%"`, or a number with a `unit`), which must match.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Bare(f64),
    Typed(Quantity),
}

impl Reading {
    pub fn in_unit(self, unit: &Unit) -> Result<f64, UserError> {
        match self {
            Reading::Bare(v) => Ok(v),
            Reading::Typed(q) => {
                let shown = q.to_string();
                q.expect_unit(unit, &shown)
            }
        }
    }
}

/// A number with at most two decimals and no trailing zeros; thousands and millions shortened.
fn compact(value: f64) -> String {
    let (scaled, suffix) = match value.abs() {
        v if v >= 1e9 => (value / 1e9, "b"),
        v if v >= 1e6 => (value / 1e6, "m"),
        v if v >= 1e4 => (value / 1e3, "k"),
        _ => (value, ""),
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unit {
            Unit::Plain => f.write_str(&compact(self.value)),
            Unit::Percent => write!(f, "{}%", compact(self.value)),
            Unit::Currency(code) => match SYMBOLS.iter().find(|(_, c)| c == code) {
                Some((symbol, _)) if self.value < 0.0 => {
                    write!(f, "-{symbol}{}", compact(-self.value))
                }
                Some((symbol, _)) => write!(f, "{symbol}{}", compact(self.value)),
                None => write!(f, "{code} {}", compact(self.value)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(value: f64, unit: Unit) -> Quantity {
        Quantity { value, unit }
    }

    #[test]
    fn values_are_read_as_people_write_them() {
        let usd = || Unit::Currency("USD".into());
        let eur = || Unit::Currency("EUR".into());
        for (typed, expected) in [
            ("42", q(42.0, Unit::Plain)),
            ("-3.5", q(-3.5, Unit::Plain)),
            ("1.5k", q(1500.0, Unit::Plain)),
            ("1,200", q(1200.0, Unit::Plain)),
            ("8%", q(8.0, Unit::Percent)),
            ("99.5%", q(99.5, Unit::Percent)),
            ("$1.2m", q(1_200_000.0, usd())),
            ("€300k", q(300_000.0, eur())),
            ("EUR 300k", q(300_000.0, eur())),
            ("eur300K", q(300_000.0, eur())),
            ("£40", q(40.0, Unit::Currency("GBP".into()))),
        ] {
            assert_eq!(Quantity::parse(typed).unwrap(), expected, "{typed}");
        }
        for bad in ["", "%", "abc", "$8%", "12kk", "NaN", "1e999", "é12", "₹5"] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_are_shown_the_way_they_are_typed() {
        for (value, shown) in [
            (q(8.0, Unit::Percent), "8%"),
            (q(6.126, Unit::Percent), "6.13%"),
            (q(1_200_000.0, Unit::Currency("USD".into())), "$1.2m"),
            (q(300_000.0, Unit::Currency("EUR".into())), "€300k"),
            (q(300_000.0, Unit::Currency("CHF".into())), "CHF 300k"),
            (q(1500.0, Unit::Plain), "1500"),
            (q(42.0, Unit::Plain), "42"),
        ] {
            assert_eq!(value.to_string(), shown);
            let back = Quantity::parse(shown).unwrap();
            assert!(
                (back.value - value.value).abs() < 0.01,
                "{shown} reads back"
            );
        }
    }

    #[test]
    fn a_value_in_another_unit_is_refused_with_a_hint() {
        let err = Quantity::parse("$5")
            .unwrap()
            .expect_unit(&Unit::Percent, "6.1")
            .unwrap_err();
        assert!(
            err.message.contains("USD") && err.message.contains("percent"),
            "{err}"
        );
        assert_eq!(err.hint.as_deref(), Some("Write it like 12%."));
    }
}
