//! Workspaces, their key counters and their settings.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::{Conn, WorkspaceId};
use crate::domain::calendar::WorkingTime;
use crate::domain::key_result::Thresholds;
use crate::domain::settings::{RedToChannel, Urgent};
use crate::domain::{KeyKind, Settings};

pub async fn ensure(
    conn: &mut Conn,
    platform: &str,
    external_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<WorkspaceId> {
    let id: WorkspaceId = sqlx::query_scalar(
        "INSERT INTO workspaces (platform, external_id, name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (platform, external_id) DO UPDATE SET name = workspaces.name
         RETURNING id",
    )
    .bind(platform)
    .bind(external_id)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO workspace_settings (workspace_id, updated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    // A new workspace is due at the scheduler's next tick.
    sqlx::query("INSERT INTO wake_ups (workspace_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Serialises every change within one workspace for the rest of the transaction, and tells
/// the scheduler to look at the workspace again at its next tick: a change may start a clock
/// its stored wake-up does not know of.
pub async fn lock(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<()> {
    // An upsert takes the row's lock whether or not the row was there, and whether or not its
    // condition lets it write: a workspace already awake costs no new row version per write.
    sqlx::query(
        "INSERT INTO wake_ups (workspace_id) VALUES ($1)
         ON CONFLICT (workspace_id) DO UPDATE SET wake_at = '-infinity'
         WHERE wake_ups.wake_at <> '-infinity'",
    )
    .bind(ws)
    .execute(conn)
    .await?;
    Ok(())
}

/// The workspaces the scheduler has something to do in at `now`: those whose wake-up has
/// come, and those with changes no evaluation has taken yet.
pub async fn awake(conn: &mut Conn, now: DateTime<Utc>) -> anyhow::Result<Vec<WorkspaceId>> {
    Ok(sqlx::query_scalar(
        "SELECT workspace_id FROM wake_ups WHERE wake_at <= $1
         UNION SELECT workspace_id FROM changes
         ORDER BY 1",
    )
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Stores when the scheduler next has something to do in the workspace (locked by the caller).
pub async fn set_wake(conn: &mut Conn, ws: WorkspaceId, at: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO wake_ups (workspace_id, wake_at) VALUES ($1, $2)
         ON CONFLICT (workspace_id) DO UPDATE SET wake_at = $2",
    )
    .bind(ws)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn all_ids(conn: &mut Conn) -> anyhow::Result<Vec<WorkspaceId>> {
    Ok(sqlx::query_scalar("SELECT id FROM workspaces ORDER BY id")
        .fetch_all(conn)
        .await?)
}

pub async fn created_at(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<DateTime<Utc>> {
    Ok(
        sqlx::query_scalar("SELECT created_at FROM workspaces WHERE id = $1")
            .bind(ws)
            .fetch_one(conn)
            .await?,
    )
}

/// Takes the next number for a key; numbers are never reused.
pub async fn next_number(conn: &mut Conn, ws: WorkspaceId, kind: KeyKind) -> anyhow::Result<i32> {
    let sql = match kind {
        KeyKind::Goal => {
            "UPDATE workspaces SET next_goal = next_goal + 1 WHERE id = $1 RETURNING next_goal - 1"
        }
        KeyKind::Initiative => {
            "UPDATE workspaces SET next_initiative = next_initiative + 1 WHERE id = $1 RETURNING next_initiative - 1"
        }
        KeyKind::Work => {
            "UPDATE workspaces SET next_work = next_work + 1 WHERE id = $1 RETURNING next_work - 1"
        }
        KeyKind::KeyResult => {
            "UPDATE workspaces SET next_key_result = next_key_result + 1 WHERE id = $1 RETURNING next_key_result - 1"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(ws).fetch_one(conn).await?)
}

#[derive(FromRow)]
struct SettingsRow {
    time_zone: String,
    channel: String,
    digest_schedule: String,
    agenda_schedule: String,
    sweep_schedule: String,
    stall_after_minutes: i32,
    nudge_every_minutes: i32,
    starve_after_minutes: i32,
    capacity_amber_pct: i32,
    capacity_red_pct: i32,
    red_to_channel: String,
    dm_cap_per_day: i32,
    wip_limit: i32,
    top_ranks: i32,
    workdays: String,
    work_hours: String,
    holidays: Vec<chrono::NaiveDate>,
    settle_minutes: i32,
    urgent: String,
    kr_at_risk: i32,
    kr_off_track: i32,
    kr_band_grace_minutes: i32,
    kr_checkin_every_minutes: i32,
    kr_stuck_after_minutes: i32,
    start_on_pull_request: bool,
}

pub async fn settings(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Settings> {
    let r: SettingsRow = sqlx::query_as(
        "SELECT time_zone, channel, digest_schedule, agenda_schedule, sweep_schedule, stall_after_minutes,
                nudge_every_minutes, starve_after_minutes, capacity_amber_pct, capacity_red_pct, red_to_channel,
                dm_cap_per_day, wip_limit, top_ranks, workdays, work_hours, holidays, settle_minutes, urgent,
                kr_at_risk, kr_off_track, kr_band_grace_minutes, kr_checkin_every_minutes,
                kr_stuck_after_minutes, start_on_pull_request
         FROM workspace_settings WHERE workspace_id = $1",
    )
    .bind(ws)
    .fetch_one(conn)
    .await?;
    let hours = WorkingTime::parse_hours(&r.work_hours).map_err(anyhow::Error::msg)?;
    Ok(Settings {
        time_zone: r
            .time_zone
            .parse()
            .ok()
            .with_context(|| format!("unknown time zone {}", r.time_zone))?,
        channel: r.channel,
        digest_schedule: r.digest_schedule,
        agenda_schedule: r.agenda_schedule,
        sweep_schedule: r.sweep_schedule,
        stall_after: Duration::minutes(r.stall_after_minutes.into()),
        nudge_every: Duration::minutes(r.nudge_every_minutes.into()),
        starve_after: Duration::minutes(r.starve_after_minutes.into()),
        capacity_amber_pct: r.capacity_amber_pct,
        capacity_red_pct: r.capacity_red_pct,
        red_to_channel: if r.red_to_channel == "digest" {
            RedToChannel::DigestOnly
        } else {
            RedToChannel::Now
        },
        dm_cap_per_day: r.dm_cap_per_day,
        wip_limit: r.wip_limit,
        top_ranks: r.top_ranks,
        working: WorkingTime {
            days: WorkingTime::parse_days(&r.workdays).map_err(anyhow::Error::msg)?,
            start: hours.0,
            end: hours.1,
            holidays: r.holidays.into_iter().collect(),
        },
        settle: Duration::minutes(r.settle_minutes.into()),
        urgent: if r.urgent == "none" {
            Urgent::Nothing
        } else {
            Urgent::GoalRed
        },
        kr: Thresholds {
            at_risk: r.kr_at_risk.into(),
            off_track: r.kr_off_track.into(),
            band_grace: Duration::minutes(r.kr_band_grace_minutes.into()),
        },
        kr_checkin_every: Duration::minutes(r.kr_checkin_every_minutes.into()),
        kr_stuck_after: Duration::minutes(r.kr_stuck_after_minutes.into()),
        start_on_pull_request: r.start_on_pull_request,
    })
}

pub async fn save_settings(
    conn: &mut Conn,
    ws: WorkspaceId,
    s: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE workspace_settings SET time_zone = $2, channel = $3, digest_schedule = $4, agenda_schedule = $5,
                sweep_schedule = $6, stall_after_minutes = $7, nudge_every_minutes = $8, starve_after_minutes = $9,
                capacity_amber_pct = $10, capacity_red_pct = $11, red_to_channel = $12, dm_cap_per_day = $13,
                wip_limit = $14, top_ranks = $15, updated_at = $16, workdays = $17, work_hours = $18,
                holidays = $19, settle_minutes = $20, urgent = $21, kr_at_risk = $22, kr_off_track = $23,
                kr_band_grace_minutes = $24, kr_checkin_every_minutes = $25, kr_stuck_after_minutes = $26,
                start_on_pull_request = $27
         WHERE workspace_id = $1",
    )
    .bind(ws)
    .bind(s.time_zone.name())
    .bind(&s.channel)
    .bind(&s.digest_schedule)
    .bind(&s.agenda_schedule)
    .bind(&s.sweep_schedule)
    .bind(s.stall_after.num_minutes() as i32)
    .bind(s.nudge_every.num_minutes() as i32)
    .bind(s.starve_after.num_minutes() as i32)
    .bind(s.capacity_amber_pct)
    .bind(s.capacity_red_pct)
    .bind(match s.red_to_channel {
        RedToChannel::Now => "now",
        RedToChannel::DigestOnly => "digest",
    })
    .bind(s.dm_cap_per_day)
    .bind(s.wip_limit)
    .bind(s.top_ranks)
    .bind(now)
    .bind(s.working.days_text())
    .bind(s.working.hours_text())
    .bind(s.working.holidays.iter().copied().collect::<Vec<_>>())
    .bind(s.settle.num_minutes() as i32)
    .bind(s.urgent.as_str())
    .bind(s.kr.at_risk as i32)
    .bind(s.kr.off_track as i32)
    .bind(s.kr.band_grace.num_minutes() as i32)
    .bind(s.kr_checkin_every.num_minutes() as i32)
    .bind(s.kr_stuck_after.num_minutes() as i32)
    .bind(s.start_on_pull_request)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every workspace: (id, platform, external id, name).
pub async fn list(conn: &mut Conn) -> anyhow::Result<Vec<(WorkspaceId, String, String, String)>> {
    Ok(
        sqlx::query_as("SELECT id, platform, external_id, name FROM workspaces ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}

impl super::Store {
    /// A workspace's settings, outside any transaction.
    pub async fn settings(&self, ws: WorkspaceId) -> anyhow::Result<Settings> {
        let mut conn = self.pool.acquire().await?;
        settings(&mut conn, ws).await
    }
}

/// Where a console workspace's virtual clock stands, if it was ever set.
pub async fn console_clock(
    conn: &mut Conn,
    ws: WorkspaceId,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT at FROM console_clocks WHERE workspace_id = $1")
            .bind(ws)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_console_clock(
    conn: &mut Conn,
    ws: WorkspaceId,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO console_clocks (workspace_id, at) VALUES ($1, $2)
         ON CONFLICT (workspace_id) DO UPDATE SET at = $2",
    )
    .bind(ws)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}
