//! Cron schedules as CronJobs read them (the standard five fields and the `@` descriptors,
//! with robfig/cron's error messages), and the next time a schedule fires.

use crate::sim::clock::Timestamp;

/// A parsed schedule: the allowed values of each field as bit sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
    /// Day-of-month or day-of-week was `*` (then both must match, else either).
    dom_star: bool,
    dow_star: bool,
    /// `@every <duration>`: a fixed interval in seconds instead of fields.
    every: Option<i64>,
}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [(&'static str, u32)],
}

const MINUTE: Bounds = Bounds { min: 0, max: 59, names: &[] };
const HOUR: Bounds = Bounds { min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { min: 1, max: 31, names: &[] };
const MONTH: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6), ("jul", 7), ("aug", 8), ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12)],
};
const DOW: Bounds = Bounds { min: 0, max: 6, names: &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)] };

fn parse_int(s: &str) -> Result<u32, String> {
    if let Some(rest) = s.strip_prefix('-') {
        if rest.parse::<u32>().is_ok() {
            return Err(format!("negative number ({s}) not allowed: {s}"));
        }
    }
    s.parse::<u32>().map_err(|_| format!("failed to parse int from {s}: strconv.Atoi: parsing {}: invalid syntax", crate::api::field::go_quote(s)))
}

fn value(s: &str, b: &Bounds) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some((_, v)) = b.names.iter().find(|(n, _)| *n == lower) {
        return Ok(*v);
    }
    parse_int(s)
}

fn parse_range(expr: &str, b: &Bounds) -> Result<(u64, bool), String> {
    let (range, step) = match expr.split_once('/') {
        Some((r, s)) => {
            if s.contains('/') {
                return Err(format!("too many slashes: {expr}"));
            }
            (r, Some(s))
        }
        None => (expr, None),
    };
    let hyphens = range.matches('-').count();
    let star = range == "*" || range == "?";
    let (start, end) = if star {
        (b.min, b.max)
    } else if hyphens == 0 {
        let v = value(range, b)?;
        (v, v)
    } else if hyphens == 1 {
        let (lo, hi) = range.split_once('-').unwrap_or((range, range));
        (value(lo, b)?, value(hi, b)?)
    } else {
        return Err(format!("too many hyphens: {expr}"));
    };
    let (end, step) = match step {
        None => (end, 1),
        Some(s) => {
            let st = parse_int(s)?;
            if st == 0 {
                return Err(format!("step of range should be a positive number: {expr}"));
            }
            // `N/step` runs from N to the maximum.
            (if !star && hyphens == 0 { b.max } else { end }, st)
        }
    };
    if start < b.min {
        return Err(format!("beginning of range ({start}) below minimum ({}): {expr}", b.min));
    }
    if end > b.max {
        return Err(format!("end of range ({end}) above maximum ({}): {expr}", b.max));
    }
    if start > end {
        return Err(format!("beginning of range ({start}) beyond end of range ({end}): {expr}"));
    }
    let mut bits = 0u64;
    let mut v = start;
    while v <= end {
        bits |= 1 << v;
        v += step;
    }
    // A step above 1 makes `*` no longer count as unrestricted.
    Ok((bits, star && step <= 1))
}

fn parse_field(field: &str, b: &Bounds) -> Result<(u64, bool), String> {
    let mut bits = 0;
    let mut star = false;
    for part in field.split(',') {
        let (b2, s) = parse_range(part, b)?;
        bits |= b2;
        star |= s;
    }
    Ok((bits, star))
}

fn parse_go_duration(s: &str) -> Option<i64> {
    super::duration::parse_go(s).map(|d| d.whole_secs())
}

impl Schedule {
    /// Parses like robfig/cron's `ParseStandard`.
    pub fn parse(spec: &str) -> Result<Schedule, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err("empty spec string".into());
        }
        if let Some(desc) = spec.strip_prefix('@') {
            let fields = match desc {
                "yearly" | "annually" => "0 0 1 1 *",
                "monthly" => "0 0 1 * *",
                "weekly" => "0 0 * * 0",
                "daily" | "midnight" => "0 0 * * *",
                "hourly" => "0 * * * *",
                _ => {
                    if let Some(d) = desc.strip_prefix("every ") {
                        let secs = parse_go_duration(d.trim()).ok_or_else(|| format!("failed to parse duration {spec}: time: invalid duration {}", crate::api::field::go_quote(d.trim())))?;
                        let mut s = Schedule::parse("* * * * *")?;
                        s.every = Some(secs.max(1));
                        return Ok(s);
                    }
                    return Err(format!("unrecognized descriptor: {spec}"));
                }
            };
            return Schedule::parse(fields);
        }
        let fields: Vec<&str> = spec.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!("expected exactly 5 fields, found {}: [{}]", fields.len(), fields.join(" ")));
        }
        let (minute, _) = parse_field(fields[0], &MINUTE)?;
        let (hour, _) = parse_field(fields[1], &HOUR)?;
        let (dom, dom_star) = parse_field(fields[2], &DOM)?;
        let (month, _) = parse_field(fields[3], &MONTH)?;
        let (mut dow, dow_star) = parse_field(fields[4], &Bounds { max: 7, ..DOW })?;
        if dow & (1 << 7) != 0 {
            dow = (dow & !(1 << 7)) | 1;
        }
        Ok(Schedule { minute, hour, dom, month, dow, dom_star, dow_star, every: None })
    }

    fn matches(&self, t: Timestamp) -> bool {
        let secs = t.unix_millis().div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (_, m, d) = crate::sim::clock::civil(days);
        let dow = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday
        let day_ok = if self.dom_star || self.dow_star {
            self.dom & (1 << d) != 0 && self.dow & (1 << dow) != 0
        } else {
            self.dom & (1 << d) != 0 || self.dow & (1 << dow) != 0
        };
        self.minute & (1 << (rem / 60 % 60)) != 0 && self.hour & (1 << (rem / 3600)) != 0 && self.month & (1 << m) != 0 && day_ok
    }

    /// The first time strictly after `t` at which the schedule fires (UTC), if any within
    /// five years.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        if let Some(every) = self.every {
            let step = every * 1000;
            return Some(Timestamp::from_unix_millis(t.unix_millis() - t.unix_millis().rem_euclid(1000) + step));
        }
        let start = (t.unix_millis().div_euclid(60_000) + 1) * 60_000;
        let mut candidate = start;
        let limit = start + 5 * 366 * 86_400_000;
        while candidate < limit {
            let ts = Timestamp::from_unix_millis(candidate);
            if self.matches(ts) {
                return Some(ts);
            }
            candidate += 60_000;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn parses_and_reports_like_robfig() {
        assert!(Schedule::parse("*/1 * * * *").is_ok());
        assert!(Schedule::parse("0 0 * * mon-fri").is_ok());
        assert!(Schedule::parse("@hourly").is_ok());
        assert_eq!(Schedule::parse("foo").unwrap_err(), "expected exactly 5 fields, found 1: [foo]");
        assert_eq!(Schedule::parse("").unwrap_err(), "empty spec string");
        assert_eq!(Schedule::parse("@foo").unwrap_err(), "unrecognized descriptor: @foo");
        assert_eq!(Schedule::parse("60 * * * *").unwrap_err(), "end of range (60) above maximum (59): 60");
        assert_eq!(Schedule::parse("*/0 * * * *").unwrap_err(), "step of range should be a positive number: */0");
        assert!(Schedule::parse("x * * * *").unwrap_err().starts_with("failed to parse int from x"));
    }

    #[test]
    fn next_times() {
        let every5 = Schedule::parse("*/5 * * * *").unwrap();
        assert_eq!(every5.next_after(ts("2026-11-25T11:02:30Z")), Some(ts("2026-11-25T11:05:00Z")));
        assert_eq!(every5.next_after(ts("2026-11-25T11:05:00Z")), Some(ts("2026-11-25T11:10:00Z")));
        let monday9 = Schedule::parse("0 9 * * 1").unwrap();
        // 2026-11-25 is a Wednesday; the next Monday is the 30th.
        assert_eq!(monday9.next_after(ts("2026-11-25T11:00:00Z")), Some(ts("2026-11-30T09:00:00Z")));
        assert_eq!(Schedule::parse("0 0 30 2 *").unwrap().next_after(ts("2026-01-01T00:00:00Z")), None);
    }
}
