//! Secrets: encryption of personal data at rest, unguessable tokens, password hashing.
//!
//! Personal data (requester identity, identity scans, mail recipients and bodies) is sealed with
//! XChaCha20-Poly1305 under a 32-byte key from configuration; the stored form is
//! `version byte ‖ 24-byte nonce ‖ ciphertext`. Tokens are 32 random bytes, base64url; only
//! their SHA-256 is stored. Passwords use argon2id with the crate's default parameters.

use anyhow::{anyhow, Context};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;

/// The key that seals personal data. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct PiiKey(XChaCha20Poly1305, [u8; 32]);

impl std::fmt::Debug for PiiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiKey(..)")
    }
}

impl PiiKey {
    /// From the base64 form used in configuration.
    pub fn from_base64(s: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD.decode(s.trim()).context("pii_key is not valid base64")?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| anyhow!("pii_key must be 32 bytes (44 base64 characters)"))?;
        // A second key, derived, for keyed hashes (beneficiary identifiers, pledge contacts).
        let mac_key: [u8; 32] = Sha256::new().chain_update(b"terbuka keyed-hash key v1\0").chain_update(key).finalize().into();
        Ok(PiiKey(XChaCha20Poly1305::new(&key.into()), mac_key))
    }

    /// A new random key, base64-encoded.
    pub fn generate_base64() -> String {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        STANDARD.encode(key)
    }

    /// HMAC-SHA256 of `value` under the derived hash key, separated by `purpose`, as hex. The
    /// same value gives the same hash (so duplicates can be found) but without the key nobody can
    /// test a guessed NIK against it.
    pub fn keyed_hash(&self, purpose: &str, value: &str) -> String {
        hex::encode(hmac_sha256(&self.1, &[purpose.as_bytes(), b"\0", value.as_bytes()]))
    }

    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self.0.encrypt(XNonce::from_slice(&nonce), plain).expect("XChaCha20-Poly1305 encryption cannot fail for in-memory data");
        let mut out = Vec::with_capacity(1 + 24 + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn open(&self, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        if sealed.len() < 25 || sealed[0] != VERSION {
            return Err(anyhow!("sealed data has an unknown format"));
        }
        self.0.decrypt(XNonce::from_slice(&sealed[1..25]), &sealed[25..]).map_err(|_| anyhow!("sealed data cannot be opened with this key"))
    }

    pub fn seal_json<T: serde::Serialize>(&self, value: &T) -> Vec<u8> {
        self.seal(&serde_json::to_vec(value).expect("serializable"))
    }

    pub fn open_json<T: serde::de::DeserializeOwned>(&self, sealed: &[u8]) -> anyhow::Result<T> {
        Ok(serde_json::from_slice(&self.open(sealed)?)?)
    }
}

/// A new unguessable token (256 bits), URL-safe.
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// What is stored instead of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow!("password hashing failed: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// A hash to verify against when the username does not exist, so timing does not reveal it.
pub fn dummy_password_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Vh8w1ZqXvC3LQhc1a7hWq5r1jJmFJ0JcJ3zYF5Fq3M"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let k = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
        let sealed = k.seal(b"3171014501900001");
        assert!(!sealed.windows(16).any(|w| w == b"3171014501900001"));
        assert_eq!(k.open(&sealed).unwrap(), b"3171014501900001");
        let other = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
        assert!(other.open(&sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(k.open(&tampered).is_err());
        assert!(PiiKey::from_base64("c2hvcnQ=").is_err());
    }

    #[test]
    fn tokens_and_passwords() {
        let t = new_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t).len(), 64);
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}

/// HMAC-SHA256 (RFC 2104) over the concatenation of `parts`.
fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, b) in key.iter().enumerate() {
        ipad[i] ^= b;
        opad[i] ^= b;
    }
    let mut inner = Sha256::new().chain_update(ipad);
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finalize();
    Sha256::new().chain_update(opad).chain_update(inner).finalize().into()
}

#[cfg(test)]
mod keyed_hash_tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_shape_and_separates_purposes() {
        // RFC 4231 test case 2 uses a short key; check our construction against a 32-byte key
        // computed independently (python: hmac.new(b"\x0b"*32, b"Hi There", sha256)).
        let mac = hmac_sha256(&[0x0b; 32], &[b"Hi ", b"There"]);
        assert_eq!(hex::encode(mac), "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7");
        let k = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
        assert_eq!(k.keyed_hash("nik", "3171014506900001"), k.keyed_hash("nik", "3171014506900001"));
        assert_ne!(k.keyed_hash("nik", "3171014506900001"), k.keyed_hash("kk", "3171014506900001"));
        let other = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
        assert_ne!(k.keyed_hash("nik", "3171014506900001"), other.keyed_hash("nik", "3171014506900001"));
    }
}
