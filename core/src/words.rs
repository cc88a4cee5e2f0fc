//! Counted words for sentences the person reads ("1 record", "1,204 records"), so
//! every shell and the core say them the same way.

/// 1204 -> "1,204".
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 record", "1,204 records", "2 batches". Counts of any integer type read the same
/// way (they are never negative; one that is reads as 0).
pub fn plural(n: impl TryInto<usize>, word: &str) -> String {
    let n = n.try_into().unwrap_or(0);
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {}", count(n), plural_of(word))
    }
}

/// The English plural of a noun: "batches", "entries", "days", "records".
fn plural_of(word: &str) -> String {
    let sibilant = ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| word.ends_with(end));
    let consonant_y = word.strip_suffix('y').filter(|stem| {
        stem.chars()
            .last()
            .is_some_and(|c| c.is_alphabetic() && !"aeiou".contains(c))
    });
    if sibilant {
        format!("{word}es")
    } else if let Some(stem) = consonant_y {
        format!("{stem}ies")
    } else {
        format!("{word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_the_rest_plural_with_thousands_grouped() {
        assert_eq!(plural(1, "record"), "1 record");
        assert_eq!(plural(0, "record"), "0 records");
        assert_eq!(plural(1204u64, "record"), "1,204 records");
        assert_eq!(plural(-3i64, "record"), "0 records");
    }

    #[test]
    fn irregular_endings_take_their_plural() {
        assert_eq!(plural(2, "batch"), "2 batches");
        assert_eq!(plural(2, "entry"), "2 entries");
        assert_eq!(plural(2, "day"), "2 days");
        assert_eq!(plural(2, "box"), "2 boxes");
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
    }
}
