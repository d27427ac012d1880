//! Durations the way Kubernetes shows them to people (the `AGE` column and friends).

use crate::sim::clock::Duration;

/// Go's `time.Duration.String()` at millisecond precision (`1m0s`, `2m5.25s`, `1h0m0s`,
/// `500ms`, `0s`).
pub fn go_duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    if ms < 1000 {
        return format!("{sign}{ms}ms");
    }
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let secs = if frac == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0')) };
    match (h, m) {
        (0, 0) => format!("{sign}{secs}"),
        (0, _) => format!("{sign}{m}m{secs}"),
        _ => format!("{sign}{h}h{m}m{secs}"),
    }
}

/// Kubernetes' short human-readable duration (apimachinery `util/duration.HumanDuration`):
/// exact seconds under two minutes, then coarser units as the span grows (`5m3s`, `47m`,
/// `7h2m`, `30h`, `3d4h`, `90d`, `2y30d`, `9y`).
pub fn human_duration(d: Duration) -> String {
    let seconds = d.whole_secs();
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{dy}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_kubernetes_human_duration() {
        let s = |n: i64| Duration::from_secs(n);
        let cases = [
            (Duration(-2_000), "<invalid>"),
            (Duration(-1_500), "0s"),
            (s(0), "0s"),
            (s(119), "119s"),
            (s(120), "2m"),
            (s(303), "5m3s"),
            (s(600), "10m"),
            (s(179 * 60 + 59), "179m"),
            (s(3 * 3600), "3h"),
            (s(7 * 3600 + 120), "7h2m"),
            (s(30 * 3600), "30h"),
            (s(48 * 3600), "2d"),
            (s(76 * 3600), "3d4h"),
            (s(90 * 86_400), "90d"),
            (s(730 * 86_400), "2y"),
            (s(760 * 86_400), "2y30d"),
            (s(9 * 365 * 86_400), "9y"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(d), want, "{d:?}");
        }
    }
}

/// Go's `time.ParseDuration` for the units people write (`90s`, `5m`, `1h30m`, `1.5h`, `250ms`,
/// `0`): None for anything else.
pub fn parse_go(s: &str) -> Option<Duration> {
    if s == "0" {
        return Some(Duration::from_secs(0));
    }
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
    }
    if !num.is_empty() {
        return None;
    }
    Some(Duration::from_millis((total * 1000.0) as i64))
}
