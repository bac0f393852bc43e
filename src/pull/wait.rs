//! How long a server's headers say to wait, believed only within bounds: `X-Rate-Limit-Reset` (epoch seconds)
//! and `Retry-After` (seconds, or an HTTP date). A reset in milliseconds, decades away or past what any
//! arithmetic holds is not believed (the caller backs off instead); nothing here can overflow or panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use ureq::http::HeaderMap;

/// The longest wait a server's header is believed for: Okta's rate-limit windows are a minute long.
pub(crate) const BELIEVED: Duration = Duration::from_secs(5 * 60);

/// The wait until `X-Rate-Limit-Reset`, measured on Okta's clock where the answer says its time (`Date`):
/// a local clock that is off neither hammers Okta nor stalls. Without it, a second more, for the skew.
/// `None` if the header is missing, unreadable or not believed.
pub(crate) fn until_reset(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let reset = number(headers, "x-rate-limit-reset")?;
    let date = header(headers, "date").and_then(http_date);
    reset_wait(reset, date, now)
}

/// `until_reset` on its numbers.
pub(crate) fn reset_wait(reset: u64, server_date: Option<SystemTime>, now: SystemTime) -> Option<Duration> {
    let reset = UNIX_EPOCH.checked_add(Duration::from_secs(reset))?;
    let wait = match server_date {
        // `Date` is cut to the second, so the server's time was at most a second later: the wait errs long.
        Some(date) => reset.duration_since(date).unwrap_or_default(),
        None => reset
            .duration_since(now)
            .unwrap_or_default()
            .saturating_add(Duration::from_secs(1)),
    };
    (wait <= BELIEVED).then_some(wait)
}

/// `Retry-After`: a number of seconds or an HTTP date; `None` if missing, unreadable or not believed.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = header(headers, "retry-after")?;
    let wait = match text.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => http_date(text)?.duration_since(now).unwrap_or_default(),
    };
    (wait <= BELIEVED).then_some(wait)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    Some(headers.get(name)?.to_str().ok()?.trim())
}

/// A header's whole number (a number that does not fit is not one).
pub(crate) fn number(headers: &HeaderMap, name: &str) -> Option<u64> {
    header(headers, name)?.parse().ok()
}

/// An HTTP `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub(crate) fn http_date(text: &str) -> Option<SystemTime> {
    let ts = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .ok()?;
    let secs = u64::try_from(ts.as_second()).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(s)
    }

    #[test]
    fn the_reset_is_measured_on_oktas_clock_where_it_says_its_time() {
        // Okta's clock says 1000, ours 990: the wait is 5 s, not 15.
        assert_eq!(
            reset_wait(1005, Some(at(1000)), at(990)),
            Some(Duration::from_secs(5))
        );
        // Without a Date, our clock and a second for the skew.
        assert_eq!(reset_wait(1005, None, at(1000)), Some(Duration::from_secs(6)));
        // A reset already past: no wait (but the skew second without a Date).
        assert_eq!(reset_wait(900, Some(at(1000)), at(1000)), Some(Duration::ZERO));
        assert_eq!(reset_wait(900, None, at(1000)), Some(Duration::from_secs(1)));
    }

    #[test]
    fn a_reset_far_away_in_milliseconds_or_past_any_clock_is_not_believed() {
        let now = 1_700_000_000;
        assert_eq!(reset_wait(now + 301, Some(at(now)), at(now)), None);
        assert_eq!(
            reset_wait(now * 1000, Some(at(now)), at(now)),
            None,
            "milliseconds"
        );
        assert_eq!(reset_wait(u64::MAX, None, at(now)), None);
        assert_eq!(reset_wait(u64::MAX, Some(at(now)), at(now)), None);
    }

    #[test]
    fn retry_after_is_seconds_or_a_date_within_bounds() {
        let mut h = HeaderMap::new();
        let now = at(784_111_777);
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after", "7".parse().expect("a value"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            "Sun, 06 Nov 1994 08:49:47 GMT".parse().expect("a value"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(10)));
        for hostile in ["99999999999999999999", "86400", "-1", "soon"] {
            h.insert("retry-after", hostile.parse().expect("a value"));
            assert_eq!(retry_after(&h, now), None, "{hostile}");
        }
    }

    #[test]
    fn http_dates_are_read() {
        let t = http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("a date");
        assert_eq!(
            t.duration_since(UNIX_EPOCH).expect("after").as_secs(),
            784_111_777
        );
        assert_eq!(http_date("yesterday"), None);
    }
}
