//! Points in time: the `published` of events, and the `--since`/`--until` values people type (RFC 3339, or a
//! duration back from now such as `90m`, `24h`, `7d`).

use anyhow::{bail, Context, Result};
use jiff::{SignedDuration, Timestamp};

/// An event's `published` as a time; `None` when it is not RFC 3339 (a record without a usable time).
pub fn published(text: &str) -> Option<Timestamp> {
    text.trim().parse().ok()
}

/// A `--since`/`--until` value: an RFC 3339 time (`2024-04-21T12:00:00Z`, an offset allowed), a date
/// (`2024-04-21`, midnight UTC), or a duration back from `now` (`90s`, `90m`, `24h`, `7d`, `2w`).
pub fn parse(text: &str, now: Timestamp) -> Result<Timestamp> {
    let t = text.trim();
    if let Some(back) = duration(t) {
        let back = back.with_context(|| format!("'{t}' is too long a time ago"))?;
        return now
            .checked_sub(back)
            .with_context(|| format!("'{t}' is too long a time ago"));
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = t.parse::<jiff::civil::Date>() {
        if let Ok(ts) = date.to_zoned_datetime(jiff::tz::TimeZone::UTC) {
            return Ok(ts.timestamp());
        }
    }
    bail!("'{t}' is not a time: use RFC 3339 (2024-04-21T12:00:00Z), a date (2024-04-21), or a duration such as 90m, 24h, 7d")
}

/// `<digits><unit>` with unit s, m, h, d or w; `None` if `t` has another shape, `Some(None)` on overflow.
fn duration(t: &str) -> Option<Option<SignedDuration>> {
    let unit = t.chars().last()?;
    let seconds_per = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let digits = &t[..t.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        digits
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(seconds_per))
            .map(SignedDuration::from_secs),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2024-04-21T12:00:00Z".parse().expect("a time")
    }

    #[test]
    fn durations_count_back_from_now() {
        let at = |s: &str| parse(s, now()).expect(s).to_string();
        assert_eq!(at("90m"), "2024-04-21T10:30:00Z");
        assert_eq!(at("24h"), "2024-04-20T12:00:00Z");
        assert_eq!(at("7d"), "2024-04-14T12:00:00Z");
        assert_eq!(at("2w"), "2024-04-07T12:00:00Z");
        assert_eq!(at(" 30s "), "2024-04-21T11:59:30Z");
    }

    #[test]
    fn times_and_dates_are_absolute() {
        let at = |s: &str| parse(s, now()).expect(s).to_string();
        assert_eq!(at("2024-04-01T08:00:00.500Z"), "2024-04-01T08:00:00.5Z");
        assert_eq!(at("2024-04-01T10:00:00+02:00"), "2024-04-01T08:00:00Z");
        assert_eq!(at("2024-04-01"), "2024-04-01T00:00:00Z");
    }

    #[test]
    fn other_shapes_are_refused_with_the_forms_that_work() {
        for bad in [
            "",
            "m",
            "-5m",
            "5y",
            "yesterday",
            "2024-13-01",
            "99999999999999999999d",
        ] {
            let err = format!("{:#}", parse(bad, now()).expect_err(bad));
            assert!(err.contains(bad.trim()), "{bad}: {err}");
        }
        assert!(format!("{:#}", parse("5y", now()).expect_err("5y")).contains("24h"));
    }

    #[test]
    fn published_times_order_whatever_their_precision_or_offset() {
        let a = published("2024-04-21T12:47:34.228Z").expect("a");
        let b = published("2024-04-21T14:47:34+02:00").expect("b");
        assert!(b < a, "the offset is applied");
        assert_eq!(published("null"), None);
        assert_eq!(published(""), None);
    }
}
