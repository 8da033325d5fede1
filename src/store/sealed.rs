//! Secrets at rest (bot tokens, webhook secrets): encrypted with a key only the configuration
//! holds, each bound to what it belongs to, so a ciphertext copied to another row does not
//! decrypt.

use anyhow::Context;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

/// Encrypts `secret` bound to `owner`; returns the nonce and the ciphertext.
pub fn seal(key: &[u8; 32], owner: &str, secret: &SecretString) -> (Vec<u8>, Vec<u8>) {
    let cipher = ChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret.expose_secret().as_bytes(),
                aad: owner.as_bytes(),
            },
        )
        .expect("encrypting a short secret cannot fail");
    (nonce.to_vec(), sealed)
}

pub fn open(
    key: &[u8; 32],
    owner: &str,
    nonce: &[u8],
    sealed: &[u8],
) -> anyhow::Result<SecretString> {
    anyhow::ensure!(nonce.len() == 12, "a stored nonce has the wrong length");
    let cipher = ChaCha20Poly1305::new(key.into());
    let plain = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: owner.as_bytes(),
            },
        )
        .map_err(|_| {
            anyhow::anyhow!("the stored secret of {owner} does not decrypt with this key")
        })?;
    Ok(SecretString::from(
        String::from_utf8(plain).context("a stored secret is not text")?,
    ))
}
