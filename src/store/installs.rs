//! Slack installations through OAuth: the one-time states of the flow and each team's
//! encrypted bot token.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::{Conn, Store, WorkspaceId};

#[derive(Debug, Clone, FromRow)]
pub struct SlackInstallation {
    pub workspace_id: WorkspaceId,
    pub team_id: String,
    pub enterprise_id: Option<String>,
    pub bot_user_id: String,
    pub scopes: String,
    pub token_nonce: Vec<u8>,
    pub token_ciphertext: Vec<u8>,
}

async fn issue_state(
    conn: &mut Conn,
    platform: &str,
    state: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO oauth_states (state, platform, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(state)
    .bind(platform)
    .bind(now)
    .bind(now + ttl)
    .execute(conn)
    .await?;
    Ok(())
}

/// Consumes a state the server issued; false if it is unknown, used or expired.
async fn consume_state(
    conn: &mut Conn,
    platform: &str,
    state: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let gone = sqlx::query(
        "DELETE FROM oauth_states WHERE state = $1 AND platform = $2 AND expires_at >= $3",
    )
    .bind(state)
    .bind(platform)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(gone.rows_affected() == 1)
}

async fn save_slack_installation(
    conn: &mut Conn,
    i: &SlackInstallation,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO slack_installations (workspace_id, team_id, enterprise_id, bot_user_id, scopes,
                                          token_nonce, token_ciphertext, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (workspace_id) DO UPDATE
            SET enterprise_id = EXCLUDED.enterprise_id, bot_user_id = EXCLUDED.bot_user_id,
                scopes = EXCLUDED.scopes, token_nonce = EXCLUDED.token_nonce,
                token_ciphertext = EXCLUDED.token_ciphertext, updated_at = EXCLUDED.updated_at",
    )
    .bind(i.workspace_id)
    .bind(&i.team_id)
    .bind(&i.enterprise_id)
    .bind(&i.bot_user_id)
    .bind(&i.scopes)
    .bind(&i.token_nonce)
    .bind(&i.token_ciphertext)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

async fn slack_installation(
    conn: &mut Conn,
    team_id: &str,
) -> anyhow::Result<Option<SlackInstallation>> {
    Ok(sqlx::query_as(
        "SELECT workspace_id, team_id, enterprise_id, bot_user_id, scopes, token_nonce,
                token_ciphertext
         FROM slack_installations WHERE team_id = $1",
    )
    .bind(team_id)
    .fetch_optional(conn)
    .await?)
}

/// Forgets a team's bot token (the app was uninstalled); its goals and work stay, ready for
/// a reinstall.
async fn forget_slack_installation(conn: &mut Conn, team_id: &str) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM slack_installations WHERE team_id = $1")
        .bind(team_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

async fn slack_team_ids(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT team_id FROM slack_installations ORDER BY workspace_id")
            .fetch_all(conn)
            .await?,
    )
}

impl Store {
    /// Remembers a state handed to a browser for `ttl`.
    pub async fn issue_state(
        &self,
        platform: &str,
        state: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        issue_state(&mut conn, platform, state, now, ttl).await
    }

    /// Consumes a state the server issued; false if it is unknown, used or expired.
    pub async fn consume_state(
        &self,
        platform: &str,
        state: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let mut conn = self.pool.acquire().await?;
        consume_state(&mut conn, platform, state, now).await
    }

    /// Stores (or replaces) a team's installation.
    pub async fn save_slack_installation(
        &self,
        i: &SlackInstallation,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        save_slack_installation(&mut conn, i, now).await
    }

    /// A team's installation, if it has one.
    pub async fn slack_installation(
        &self,
        team_id: &str,
    ) -> anyhow::Result<Option<SlackInstallation>> {
        let mut conn = self.pool.acquire().await?;
        slack_installation(&mut conn, team_id).await
    }

    /// Forgets a team's bot token (the app was uninstalled); its goals and work stay, ready
    /// for a reinstall.
    pub async fn forget_slack_installation(&self, team_id: &str) -> anyhow::Result<bool> {
        let mut conn = self.pool.acquire().await?;
        forget_slack_installation(&mut conn, team_id).await
    }

    /// Every installed team.
    pub async fn slack_team_ids(&self) -> anyhow::Result<Vec<String>> {
        let mut conn = self.pool.acquire().await?;
        slack_team_ids(&mut conn).await
    }
}
