//! `connect`, `connections`, `disconnect`: repositories whose pull requests and pushes count as
//! evidence of work. Admins only; a connection's secret is shown once, to the admin, and kept
//! sealed.

use rand::RngCore;
use secrecy::SecretString;
use serde_json::json;

use super::{Ctx, Outcome};
use crate::domain::evidence::Forge;
use crate::engine::replies;
use crate::store::{connections, sealed};

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn connect(cx: &mut Ctx<'_>, forge: Forge, repository: String) -> Outcome {
    cx.require(false, "connect a repository", "an admin")?;
    let Some((url, key)) = cx.public.and_then(|p| Some((&p.url, p.hooks_key?))) else {
        return Err(replies::connections_not_served().into());
    };
    // The id is the URL's only secret-free part: random, so it says nothing about the workspace.
    let id = random_hex(12);
    let secret = random_hex(32);
    let (nonce, ciphertext) = sealed::seal(&key, &id, &SecretString::from(secret.clone()));
    let new = connections::NewConnection {
        id: &id,
        forge: forge.as_str(),
        repository: &repository,
        secret_nonce: &nonce,
        secret_ciphertext: &ciphertext,
        created_by: cx.actor.id,
    };
    if !connections::insert(cx.conn, cx.ws, new, cx.now).await? {
        return Err(replies::already_connected(forge, &repository).into());
    }
    cx.event(
        &format!("{}:{repository}", forge.as_str()),
        "connected",
        None,
        Some(json!({ "connection": id })),
        None,
    )
    .await?;
    let url = format!("{url}/hooks/{}/{id}", forge.as_str());
    Ok(replies::connected(forge, &repository, &url, &secret))
}

pub async fn list(cx: &mut Ctx<'_>) -> Outcome {
    let all = connections::list(cx.conn, cx.ws).await?;
    Ok(replies::connections_listed(&all, cx.now))
}

pub async fn disconnect(cx: &mut Ctx<'_>, which: String) -> Outcome {
    cx.require(false, "disconnect a repository", "an admin")?;
    let Some(c) = connections::disconnect(cx.conn, cx.ws, &which, cx.now).await? else {
        let all = connections::list(cx.conn, cx.ws).await?;
        return Err(replies::no_such_connection(&which, &all).into());
    };
    cx.event(
        &format!("{}:{}", c.forge, c.repository),
        "disconnected",
        Some(json!({ "connection": c.id })),
        None,
        None,
    )
    .await?;
    Ok(replies::disconnected(&c))
}
