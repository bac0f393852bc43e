//! Duplicates: the events already seen in this run, by their `uuid`.

use std::collections::HashSet;

use crate::record::EventKey;

/// The events seen in this run. Counting duplicates exactly means remembering every event, so this set is
/// the one part of memory that grows with the input: 8 bytes an event, its key (a hash of its `uuid`, see
/// `EventKey`).
#[derive(Default)]
pub struct Seen {
    keys: HashSet<u64, foldhash::fast::RandomState>,
}

impl Seen {
    /// True the first time `key` is offered.
    pub fn first(&mut self, key: EventKey) -> bool {
        self.keys.insert(key.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_tells_repeats_from_new_events() {
        let mut seen = Seen::default();
        let key = |s: &str| EventKey::new(s).expect("a key");
        assert!(seen.first(key("f1b7d4b5-0f0c-11ef-9a1b-0242ac120002")));
        assert!(!seen.first(key("F1B7D4B5-0F0C-11EF-9A1B-0242AC120002")));
        assert!(seen.first(key("f1b7d4b5-0f0c-11ef-9a1b-0242ac120003")));
        assert!(seen.first(key("abc")));
        assert!(!seen.first(key("abc")));
        // v1 UUIDs from one node differ only in their time fields: all of them count.
        let distinct = (0..100_000u32)
            .filter(|i| seen.first(key(&format!("{i:08x}-598c-11ef-8478-2b7584bf8d5b"))))
            .count();
        assert_eq!(distinct, 100_000);
    }
}
