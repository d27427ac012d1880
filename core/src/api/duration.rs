//! Durations the way Kubernetes shows them to people (the `AGE` column and friends).

use crate::sim::clock::Duration;

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
