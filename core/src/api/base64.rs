//! Standard base64 (RFC 4648, with padding), as Kubernetes uses for Secret data and continue
//! tokens.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 in its URL alphabet without padding (Go's RawURLEncoding): continue tokens, JWTs.
pub fn encode_url(data: &[u8]) -> String {
    encode(data).trim_end_matches('=').replace('+', "-").replace('/', "_")
}

/// Decodes base64 in the URL alphabet without padding (a JWT's parts).
pub fn decode_url(text: &str) -> Result<Vec<u8>, usize> {
    if text.contains(['+', '/', '=']) {
        return Err(text.find(['+', '/', '=']).unwrap_or(0));
    }
    let mut std = text.replace('-', "+").replace('_', "/");
    while !std.len().is_multiple_of(4) {
        std.push('=');
    }
    decode(&std)
}

/// Decodes standard base64; `Err` holds the offset of the first bad byte, as Go's decoder
/// reports it (a bad character where it is met; a short final group at its start).
pub fn decode(text: &str) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut group = [0u8; 4];
    let mut n = 0;
    let mut group_start = 0;
    let mut pad = 0;
    let mut seen = 0usize;
    for (i, c) in text.bytes().enumerate() {
        if c == b'\n' || c == b'\r' {
            continue;
        }
        if n == 0 {
            group_start = seen;
        }
        seen += 1;
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' if n >= 2 => {
                pad += 1;
                0
            }
            _ => return Err(i),
        };
        if pad > 0 && c != b'=' {
            return Err(i);
        }
        group[n] = v;
        n += 1;
        if n == 4 {
            let word = (u32::from(group[0]) << 18) | (u32::from(group[1]) << 12) | (u32::from(group[2]) << 6) | u32::from(group[3]);
            let bytes = word.to_be_bytes();
            out.extend_from_slice(&bytes[1..4 - pad]);
            n = 0;
            if pad > 0 {
                // Nothing may follow padding.
                if let Some(j) = text.bytes().enumerate().skip(i + 1).find(|(_, c)| *c != b'\n' && *c != b'\r').map(|(j, _)| j) {
                    return Err(j);
                }
                break;
            }
        }
    }
    if n != 0 {
        return Err(group_start);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "héllo\0"] {
            let e = encode(s.as_bytes());
            assert_eq!(decode(&e).unwrap(), s.as_bytes(), "{s}");
        }
        assert_eq!(encode(b"admin"), "YWRtaW4=");
        assert_eq!(decode("YWRtaW4"), Err(4));
        assert_eq!(decode("YW$taW4="), Err(2));
    }
}
