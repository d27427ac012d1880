//! Virtual time. The simulation never reads the wall clock: whoever drives it (the browser app,
//! the native server, a test) says where time starts and how far it moves.

use std::fmt;

/// A span of virtual time, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub i64);

impl Duration {
    pub const fn from_millis(ms: i64) -> Self {
        Duration(ms)
    }
    pub const fn from_secs(s: i64) -> Self {
        Duration(s * 1000)
    }
    /// Seconds with a fraction (a shell's `sleep 0.5`), to the nearest millisecond.
    pub fn from_secs_f64(s: f64) -> Self {
        Duration((s * 1000.0).round() as i64)
    }
    pub const fn as_millis(self) -> i64 {
        self.0
    }
    /// Whole seconds, truncated towards zero (as Go's `int(d.Seconds())`).
    pub const fn whole_secs(self) -> i64 {
        self.0 / 1000
    }
}

/// A point in virtual time: milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn from_unix_millis(ms: i64) -> Self {
        Timestamp(ms)
    }
    pub const fn unix_millis(self) -> i64 {
        self.0
    }
    pub fn plus(self, d: Duration) -> Self {
        Timestamp(self.0.saturating_add(d.0))
    }
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }

    /// RFC 3339 with second precision, as Kubernetes serialises `metav1.Time`
    /// (`2026-11-25T11:00:00Z`).
    pub fn rfc3339(self) -> String {
        self.to_string()
    }

    /// Parses the RFC 3339 forms Kubernetes writes and accepts (`Z` or a numeric offset,
    /// optional fractional seconds).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || min > 59 || sec > 60 {
            return None;
        }
        let mut i = 19;
        let mut millis = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
            let frac = &s[start..i.min(start + 3)];
            millis = frac.parse::<i64>().ok()? * 10_i64.pow(3 - frac.len() as u32);
        }
        let offset_secs = match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let h = num(i + 1..i + 3)?;
                let m = num(i + 4..i + 6)?;
                let o = h * 3600 + m * 60;
                if *sign == b'+' {
                    o
                } else {
                    -o
                }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_secs;
        Some(Timestamp(secs * 1000 + millis))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day counted from 1970-01-01.
pub fn civil(days: i64) -> (i64, i64, i64) {
    civil_from_days(days)
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// The simulation clock: where virtual time started and where it is now.
#[derive(Clone, Debug)]
pub struct Clock {
    start: Timestamp,
    now: Timestamp,
}

impl Clock {
    pub fn starting_at(start: Timestamp) -> Self {
        Clock { start, now: start }
    }
    pub fn now(&self) -> Timestamp {
        self.now
    }
    pub fn start(&self) -> Timestamp {
        self.start
    }
    /// Moves time forward; time never goes back.
    pub fn advance(&mut self, d: Duration) {
        if d.0 > 0 {
            self.now = self.now.plus(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_rfc3339() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400_000, "2000-02-29T00:00:00Z"),
            (1_795_604_400_000, "2026-11-25T11:00:00Z"),
            (-1000, "1969-12-31T23:59:59Z"),
        ];
        for (ms, text) in cases {
            assert_eq!(Timestamp(ms).rfc3339(), text);
            assert_eq!(Timestamp::parse_rfc3339(text), Some(Timestamp(ms)), "{text}");
        }
        assert_eq!(Timestamp::parse_rfc3339("2026-11-25T12:00:00.250+01:00"), Some(Timestamp(1_795_604_400_250)));
        for bad in ["", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-25 11:00:00Z", "2026-11-25T11:00:00", "x026-11-25T11:00:00Z"] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn clock_only_moves_forward() {
        let mut c = Clock::starting_at(Timestamp(5_000));
        c.advance(Duration::from_secs(3));
        c.advance(Duration(-10_000));
        assert_eq!(c.now(), Timestamp(8_000));
        assert_eq!(c.now().since(c.start()), Duration(3_000));
    }
}
