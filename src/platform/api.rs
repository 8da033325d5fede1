//! The check-in API: `POST /api/v1/key-results/K-2/check-ins` with a key result's write token,
//! for a dashboard's cron job. The check-in runs exactly as `kr update` does; a refusal says
//! why in JSON and records nothing.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::app::{ApiCheckIn, ApiRefusal, App, failure_message};
use crate::command::parse::{MAX_NOTE, checked};
use crate::domain::key_result::units::Reading;
use crate::domain::key_result::{Confidence, Quantity, Unit};
use crate::domain::{Key, KeyKind, UserError};
use crate::message::text;

pub const ROUTES: &[&str] = &["/api/v1/key-results/{key}/check-ins"];

#[derive(Clone)]
struct Api {
    app: App,
    wake: Arc<Notify>,
}

pub fn router(app: App, wake: Arc<Notify>) -> Router {
    Router::new()
        .route(ROUTES[0], post(check_in))
        .with_state(Api { app, wake })
}

fn refuse(status: StatusCode, error: &str, hint: Option<&str>) -> Response {
    let mut body = json!({ "ok": false, "error": error });
    if let Some(h) = hint {
        body["hint"] = json!(h);
    }
    (status, axum::Json(body)).into_response()
}

fn invalid(status: StatusCode, e: &UserError) -> Response {
    refuse(status, &e.message, e.hint.as_deref())
}

async fn check_in(
    State(api): State<Api>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "missing the key result's write token",
            Some("Send it as Authorization: Bearer <token> (/align kr token K-2 makes one)."),
        );
    };
    let key = match key.parse::<Key>() {
        Ok(k) if k.kind == KeyKind::KeyResult => k,
        _ => {
            return refuse(
                StatusCode::NOT_FOUND,
                &format!(
                    "'{}' is not a key result's key",
                    crate::domain::error::shorten(&key, 40)
                ),
                Some("Key results are K-1, K-2, …"),
            );
        }
    };
    let checkin = match read(&body) {
        Ok(c) => c,
        Err(e) => return invalid(StatusCode::UNPROCESSABLE_ENTITY, &e),
    };
    match api.app.check_in_by_token(token, key, checkin).await {
        Ok(message) => {
            api.wake.notify_one();
            let body = json!({ "ok": true, "key_result": key.to_string(), "message": text::render(&message) });
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        Err(ApiRefusal::Unauthorized) => refuse(
            StatusCode::UNAUTHORIZED,
            "this token is not a live write token",
            Some(
                "A new /align kr token replaces the one before; ask an admin for the current one.",
            ),
        ),
        Err(ApiRefusal::Forbidden(key)) => refuse(
            StatusCode::FORBIDDEN,
            &format!("this token does not write {key}"),
            Some("Each token writes the one key result it was made for, in its own workspace."),
        ),
        Err(ApiRefusal::Closed(e)) => invalid(StatusCode::CONFLICT, &e),
        Err(ApiRefusal::Invalid(e)) => invalid(StatusCode::UNPROCESSABLE_ENTITY, &e),
        Err(ApiRefusal::Internal(e)) => {
            tracing::error!(error = ?e, "an API check-in failed");
            let m = failure_message(&e);
            refuse(StatusCode::SERVICE_UNAVAILABLE, &m.headline, None)
        }
    }
}

/// `{"value": 6.1 | "6.1%", "unit"?: "percent", "note"?: "…", "confidence"?: "at-risk"}`.
fn read(body: &[u8]) -> Result<ApiCheckIn, UserError> {
    let example = r#"For example: {"value": 6.1, "note": "from the dashboard"}"#;
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| UserError::new(format!("the body is not JSON: {e}.")).hint(example))?;
    let value = match (&v["value"], v["unit"].as_str()) {
        (Value::Number(n), None) => Reading::Bare(n.as_f64().unwrap_or(f64::NAN)),
        (Value::Number(n), Some(u)) => Reading::Typed(Quantity {
            value: n.as_f64().unwrap_or(f64::NAN),
            unit: Unit::parse(u).ok_or_else(|| {
                UserError::new(format!(
                    "unit is plain, percent or a currency code like EUR, not '{u}'."
                ))
            })?,
        }),
        (Value::String(s), None) => Reading::Typed(Quantity::parse(s)?),
        (Value::Null, _) => return Err(UserError::new("the check-in needs a value.").hint(example)),
        _ => {
            return Err(
                UserError::new("value is a number, or a value as typed like \"6.1%\".")
                    .hint(example),
            );
        }
    };
    if let Reading::Bare(n) | Reading::Typed(Quantity { value: n, .. }) = &value
        && !n.is_finite()
    {
        return Err(UserError::new("value is not a finite number."));
    }
    let note = match &v["note"] {
        Value::Null => None,
        Value::String(s) => Some(checked(s, "note", MAX_NOTE)?),
        _ => return Err(UserError::new("note is text.")),
    };
    let confidence = match &v["confidence"] {
        Value::Null => None,
        Value::String(s) => Some(Confidence::parse(s)?),
        _ => {
            return Err(UserError::new(
                "confidence is on-track, at-risk or off-track.",
            ));
        }
    };
    Ok(ApiCheckIn {
        value,
        note,
        confidence,
    })
}
