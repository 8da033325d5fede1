//! Slack's side of Socket Mode: a WebSocket server that greets each client with `hello`,
//! sends envelopes, collects acknowledgements, and can ask for a reconnect or drop a client.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio_tungstenite::tungstenite::Message;

#[derive(Default)]
struct State {
    /// One sender per accepted connection, oldest first; `None` once it closed.
    connections: Vec<Option<UnboundedSender<Message>>>,
    acks: Vec<Value>,
}

#[derive(Clone)]
pub struct Link {
    pub url: String,
    state: Arc<Mutex<State>>,
}

const PATIENCE: Duration = Duration::from_secs(15);

impl Link {
    pub async fn start() -> Link {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/link/?ticket=t1", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    continue;
                };
                let (mut sink, mut stream) = ws.split();
                let (tx, mut rx) = unbounded_channel::<Message>();
                let n = {
                    let mut s = shared.lock().unwrap();
                    s.connections.push(Some(tx.clone()));
                    s.connections.len()
                };
                let hello = json!({ "type": "hello", "num_connections": 1,
                    "connection_info": { "app_id": "A1" } });
                tx.send(Message::text(hello.to_string())).unwrap();
                tokio::spawn(async move {
                    while let Some(m) = rx.recv().await {
                        let closing = matches!(m, Message::Close(_));
                        if sink.send(m).await.is_err() || closing {
                            break;
                        }
                    }
                });
                let state = shared.clone();
                tokio::spawn(async move {
                    while let Some(Ok(m)) = stream.next().await {
                        if let Message::Text(t) = m
                            && let Ok(v) = serde_json::from_str::<Value>(&t)
                        {
                            state.lock().unwrap().acks.push(v);
                        }
                    }
                    state.lock().unwrap().connections[n - 1] = None;
                });
            }
        });
        Link { url, state }
    }

    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections.len()
    }

    /// Waits until `n` connections have been made, the last one still open.
    pub async fn wait_for_connection(&self, n: usize) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            {
                let s = self.state.lock().unwrap();
                if s.connections.len() >= n && s.connections.last().unwrap().is_some() {
                    return;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the bot made {} Socket Mode connection(s), expected {n}",
                self.connections()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn send(&self, m: Message) {
        let s = self.state.lock().unwrap();
        let tx = s
            .connections
            .iter()
            .rev()
            .flatten()
            .next()
            .expect("an open Socket Mode connection");
        tx.send(m).unwrap();
    }

    /// Sends an envelope over the newest open connection.
    pub fn envelope(&self, id: &str, kind: &str, payload: Value, accepts_response: bool) {
        let frame = json!({
            "envelope_id": id, "type": kind, "payload": payload,
            "accepts_response_payload": accepts_response, "retry_attempt": 0,
        });
        self.send(Message::text(frame.to_string()));
    }

    /// Slack's notice that this connection will be closed soon.
    pub fn ask_to_reconnect(&self) {
        let frame = json!({ "type": "disconnect", "reason": "refresh_requested",
            "debug_info": { "host": "fake" } });
        self.send(Message::text(frame.to_string()));
    }

    /// Closes the newest connection without warning.
    pub fn drop_connection(&self) {
        self.send(Message::Close(None));
    }

    /// The acknowledgement of an envelope, once it arrives.
    pub async fn ack(&self, id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(a) = self.acks_of(id).into_iter().next() {
                return a;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no acknowledgement of envelope {id}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn acks_of(&self, id: &str) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .acks
            .iter()
            .filter(|a| a["envelope_id"] == id)
            .cloned()
            .collect()
    }
}
