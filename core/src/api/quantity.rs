//! Resource quantities (`500m`, `1Gi`, `2e3`) parsed, compared and printed in Kubernetes'
//! canonical form (apimachinery `api/resource`).

use std::cmp::Ordering;
use std::fmt;

/// The error Kubernetes gives for a string that is not a quantity.
pub const QUANTITY_FORMAT_ERROR: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `Ki`, `Mi`, ... (powers of 1024).
    BinarySI,
    /// `m`, `k`, `M`, ... or no suffix (powers of 1000).
    DecimalSI,
    /// `e3`, `E-6`.
    DecimalExponent,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("{QUANTITY_FORMAT_ERROR}")]
    Format,
    #[error("unable to parse quantity's suffix")]
    Suffix,
    /// Beyond what the simulation represents exactly (about ±10^29).
    #[error("quantity is too large")]
    TooLarge,
}

/// A quantity held exactly in units of 10^-9 (Kubernetes rounds finer values up to 1n).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

const NANO: i128 = 1_000_000_000;

impl Quantity {
    pub fn from_milli(m: i64, format: Format) -> Self {
        Quantity { nanos: m as i128 * 1_000_000, format }
    }
    pub fn from_int(v: i64, format: Format) -> Self {
        Quantity { nanos: v as i128 * NANO, format }
    }
    pub fn zero() -> Self {
        Quantity { nanos: 0, format: Format::DecimalSI }
    }
    pub fn format(&self) -> Format {
        self.format
    }
    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }
    /// The value in thousandths, rounded up (what `MilliValue()` gives).
    pub fn milli_value(&self) -> i64 {
        ceil_div(self.nanos, 1_000_000).clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }
    /// The value, rounded up to an integer (what `Value()` gives).
    pub fn value(&self) -> i64 {
        ceil_div(self.nanos, NANO).clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }
    pub fn add(&self, other: &Quantity) -> Quantity {
        Quantity { nanos: self.nanos.saturating_add(other.nanos), format: self.format }
    }
    pub fn sub(&self, other: &Quantity) -> Quantity {
        Quantity { nanos: self.nanos.saturating_sub(other.nanos), format: self.format }
    }

    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        let b = s.as_bytes();
        if b.is_empty() {
            return Err(QuantityError::Format);
        }
        let mut i = 0;
        let negative = match b[0] {
            b'-' => {
                i += 1;
                true
            }
            b'+' => {
                i += 1;
                false
            }
            _ => false,
        };
        // Digits with at most one decimal point.
        let num_start = i;
        let mut seen_point = false;
        let mut int_digits = String::new();
        let mut frac_digits = String::new();
        while i < b.len() {
            match b[i] {
                c @ b'0'..=b'9' => {
                    if seen_point {
                        frac_digits.push(c as char)
                    } else {
                        int_digits.push(c as char)
                    }
                }
                b'.' if !seen_point => seen_point = true,
                b'.' => return Err(QuantityError::Format),
                _ => break,
            }
            i += 1;
        }
        if i == num_start || (int_digits.is_empty() && frac_digits.is_empty()) {
            return Err(QuantityError::Format);
        }
        let suffix = &s[i..];
        if !suffix.bytes().all(|c| b"eEinumkKMGTP+-0123456789".contains(&c)) {
            return Err(QuantityError::Format);
        }
        let (format, base2_pow, exp10) = match suffix {
            "" => (Format::DecimalSI, 0, 0),
            "n" => (Format::DecimalSI, 0, -9),
            "u" => (Format::DecimalSI, 0, -6),
            "m" => (Format::DecimalSI, 0, -3),
            "k" => (Format::DecimalSI, 0, 3),
            "M" => (Format::DecimalSI, 0, 6),
            "G" => (Format::DecimalSI, 0, 9),
            "T" => (Format::DecimalSI, 0, 12),
            "P" => (Format::DecimalSI, 0, 15),
            "E" => (Format::DecimalSI, 0, 18),
            "Ki" => (Format::BinarySI, 10, 0),
            "Mi" => (Format::BinarySI, 20, 0),
            "Gi" => (Format::BinarySI, 30, 0),
            "Ti" => (Format::BinarySI, 40, 0),
            "Pi" => (Format::BinarySI, 50, 0),
            "Ei" => (Format::BinarySI, 60, 0),
            other => {
                let rest = other.strip_prefix(['e', 'E']).ok_or(QuantityError::Suffix)?;
                let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
                if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(QuantityError::Suffix);
                }
                let e: i32 = rest.parse().map_err(|_| QuantityError::Suffix)?;
                (Format::DecimalExponent, 0, e)
            }
        };
        // value = 0.<digits> scaled: mantissa (integer of all digits) * 10^(exp10 - frac_len).
        let digits = format!("{int_digits}{frac_digits}");
        let digits = digits.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        if digits.len() > 30 {
            return Err(QuantityError::TooLarge);
        }
        let mantissa: i128 = digits.parse().map_err(|_| QuantityError::TooLarge)?;
        let scale = exp10 - frac_digits.len() as i32 + 9; // power of ten applied to get nanos
        let mut nanos = if scale >= 0 {
            if scale > 38 {
                if mantissa == 0 {
                    0
                } else {
                    return Err(QuantityError::TooLarge);
                }
            } else {
                mantissa.checked_mul(10_i128.pow(scale as u32)).ok_or(QuantityError::TooLarge)?
            }
        } else {
            let div = if -scale > 38 { None } else { Some(10_i128.pow((-scale) as u32)) };
            match div {
                Some(d) => ceil_div(mantissa, d),
                None => i128::from(mantissa != 0),
            }
        };
        if base2_pow > 0 {
            nanos = nanos.checked_mul(1_i128 << base2_pow).ok_or(QuantityError::TooLarge)?;
        }
        if nanos.unsigned_abs() > 10_u128.pow(38) {
            return Err(QuantityError::TooLarge);
        }
        Ok(Quantity { nanos: if negative { -nanos } else { nanos }, format })
    }

    /// The quantity as Go's `%#v` prints a `resource.Quantity` in validation messages.
    pub fn go_dump(&self) -> String {
        let canonical = self.canonical();
        let (value, scale) = match self.format {
            Format::BinarySI => (self.value().to_string(), 0),
            _ => {
                let digits: String = canonical.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
                let scale = match &canonical[digits.len()..] {
                    "n" => -9,
                    "u" => -6,
                    "m" => -3,
                    "k" => 3,
                    "M" => 6,
                    "G" => 9,
                    "T" => 12,
                    "P" => 15,
                    "E" => 18,
                    s if s.starts_with('e') => s[1..].parse().unwrap_or(0),
                    _ => 0,
                };
                (digits, scale)
            }
        };
        let format = match self.format {
            Format::BinarySI => "BinarySI",
            Format::DecimalSI => "DecimalSI",
            Format::DecimalExponent => "DecimalExponent",
        };
        format!("resource.Quantity{{i:resource.int64Amount{{value:{value}, scale:{scale}}}, d:resource.infDecAmount{{Dec:(*inf.Dec)(nil)}}, s:\"\", Format:\"{format}\"}}")
    }

    /// Kubernetes' canonical string: the largest suffix that keeps the number whole
    /// (`1024Mi` → `1Gi`, `0.5` → `500m`, `1500` → `1500`).
    pub fn canonical(&self) -> String {
        if self.nanos == 0 {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == Format::BinarySI && (self.nanos.abs() < 1024 * NANO || self.nanos % NANO != 0) {
            format = Format::DecimalSI;
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.abs();
        if format == Format::BinarySI {
            let mut v = abs / NANO;
            let mut k = 0;
            while k < 6 && v % 1024 == 0 {
                v /= 1024;
                k += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][k];
            return format!("{sign}{v}{suffix}");
        }
        // Decimal: exponent (multiple of 3, from -9) as large as keeps the mantissa whole.
        let mut mantissa = abs;
        let mut exp = -9;
        while mantissa % 1000 == 0 && exp < 18 {
            mantissa /= 1000;
            exp += 3;
        }
        let suffix = match format {
            Format::DecimalExponent => {
                if exp == 0 {
                    String::new()
                } else {
                    format!("e{exp}")
                }
            }
            _ => match exp {
                -9 => "n",
                -6 => "u",
                -3 => "m",
                0 => "",
                3 => "k",
                6 => "M",
                9 => "G",
                12 => "T",
                15 => "P",
                _ => "E",
            }
            .to_string(),
        };
        format!("{sign}{mantissa}{suffix}")
    }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a > 0) == (b > 0)) {
        q + 1
    } else {
        q
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let cases = [
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("0.5", "500m"),
            ("1000m", "1"),
            ("1500", "1500"),
            ("2000", "2k"),
            ("100Mi", "100Mi"),
            ("1.5Gi", "1536Mi"),
            ("512", "512"),
            ("0.5Ki", "512"),
            ("1e3", "1e3"),
            ("12E6", "12e6"),
            ("1500e0", "1500"),
            ("0", "0"),
            ("-1", "-1"),
            ("+5m", "5m"),
            ("0.1m", "100u"),
            ("1n", "1n"),
            ("0.0000000001", "1n"),
            ("8", "8"),
            ("16364356Ki", "16364356Ki"),
        ];
        for (input, want) in cases {
            assert_eq!(Quantity::parse(input).map(|q| q.canonical()), Ok(want.to_string()), "{input}");
        }
    }

    #[test]
    fn rejects_what_kubernetes_rejects() {
        for bad in ["", "abc", "1.2.3", "1Ki2", "--1", "1 Gi", "Mi", ".", "1e", "1ee3", "1x"] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Quantity::parse("x").unwrap_err().to_string(), QUANTITY_FORMAT_ERROR);
    }

    #[test]
    fn values_and_comparison() {
        let q = Quantity::parse("250m").unwrap();
        assert_eq!((q.milli_value(), q.value()), (250, 1));
        assert!(Quantity::parse("1Gi").unwrap() > Quantity::parse("1G").unwrap());
    }
}
