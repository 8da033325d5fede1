//! Human-friendly keys: `G-1`, `I-7`, `W-12`, numbered per workspace and never reused.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    Goal,
    Initiative,
    Work,
    KeyResult,
}

impl KeyKind {
    pub fn prefix(self) -> char {
        match self {
            KeyKind::Goal => 'G',
            KeyKind::Initiative => 'I',
            KeyKind::Work => 'W',
            KeyKind::KeyResult => 'K',
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            KeyKind::Goal => "goal",
            KeyKind::Initiative => "initiative",
            KeyKind::Work => "work item",
            KeyKind::KeyResult => "key result",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub kind: KeyKind,
    pub number: i32,
}

impl Key {
    pub fn goal(number: i32) -> Self {
        Key {
            kind: KeyKind::Goal,
            number,
        }
    }
    pub fn initiative(number: i32) -> Self {
        Key {
            kind: KeyKind::Initiative,
            number,
        }
    }
    pub fn work(number: i32) -> Self {
        Key {
            kind: KeyKind::Work,
            number,
        }
    }
    pub fn key_result(number: i32) -> Self {
        Key {
            kind: KeyKind::KeyResult,
            number,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind.prefix(), self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAKey;

impl FromStr for Key {
    type Err = NotAKey;

    /// Accepts `G-3`, `g-3` and `G3`; rejects anything else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = s.chars();
        let kind = match chars.next().map(|c| c.to_ascii_uppercase()) {
            Some('G') => KeyKind::Goal,
            Some('I') => KeyKind::Initiative,
            Some('W') => KeyKind::Work,
            Some('K') => KeyKind::KeyResult,
            _ => return Err(NotAKey),
        };
        let rest = chars.as_str();
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotAKey);
        }
        let number: i32 = digits.parse().map_err(|_| NotAKey)?;
        if number == 0 {
            return Err(NotAKey);
        }
        Ok(Key { kind, number })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_keys() {
        assert_eq!("G-3".parse::<Key>(), Ok(Key::goal(3)));
        assert_eq!("i12".parse::<Key>(), Ok(Key::initiative(12)));
        assert_eq!(Key::work(7).to_string(), "W-7");
        assert_eq!("k-2".parse::<Key>(), Ok(Key::key_result(2)));
        for bad in ["", "G-", "X-1", "G-0", "G-1a", "G--1", "G-99999999999"] {
            assert_eq!(bad.parse::<Key>(), Err(NotAKey), "{bad}");
        }
    }
}
