//! Small helpers for the words messages are made of.

/// `1 key result`, `2 key results`: a count with its noun agreeing.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_noun_agrees_with_its_count() {
        assert_eq!(super::counted(0, "alert"), "0 alerts");
        assert_eq!(super::counted(1, "key result"), "1 key result");
        assert_eq!(super::counted(12, "open work item"), "12 open work items");
    }
}
