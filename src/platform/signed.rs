//! What the Slack and Discord endpoints share before anything reads a request: the signature
//! headers must be there and the raw body is collected (bounded); each platform then checks
//! its own signature over exactly those bytes.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

/// The platforms' payloads are small; anything larger is not from them.
const MAX_BODY: usize = 1 << 20;

pub struct Signed {
    parts: Parts,
    pub body: Bytes,
    pub signature: String,
    pub timestamp: String,
}

impl Signed {
    /// Splits a request into its signature, timestamp and raw body, or answers it.
    pub async fn collect(
        req: Request,
        signature_header: &str,
        timestamp_header: &str,
    ) -> Result<Signed, Response> {
        let (parts, body) = req.into_parts();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (Some(signature), Some(timestamp)) =
            (header(signature_header), header(timestamp_header))
        else {
            return Err(reject("missing signature headers"));
        };
        let Ok(body) = to_bytes(body, MAX_BODY).await else {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response());
        };
        Ok(Signed {
            parts,
            body,
            signature,
            timestamp,
        })
    }

    /// The request again, for the handler, once the signature is checked.
    pub fn into_request(self) -> Request {
        Request::from_parts(self.parts, Body::from(self.body))
    }
}

pub fn reject(why: &'static str) -> Response {
    (StatusCode::UNAUTHORIZED, why).into_response()
}
