//! A TCP hop in front of PostgreSQL that can refuse connections, as a database that went
//! away does: the listener closes (new connections are refused) and open ones are cut.

use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

pub struct Proxy {
    pub port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    pub async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy {
            port,
            target: target.to_string(),
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(pipe.abort_handle());
            }
        });
        self.tasks.lock().unwrap().push(accept.abort_handle());
    }

    /// From now on connections are refused, and the open ones are gone.
    pub fn refuse(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    /// Starts a proxy in front of the database at `url`, and returns it with the URL that goes
    /// through it.
    pub async fn in_front_of(url: &str) -> (Proxy, String) {
        let direct = url::Url::parse(url).unwrap();
        let proxy = Proxy::start(&format!(
            "{}:{}",
            direct.host_str().unwrap(),
            direct.port().unwrap_or(5432)
        ))
        .await;
        let mut through = direct;
        through.set_port(Some(proxy.port)).unwrap();
        (proxy, through.to_string())
    }

    /// PostgreSQL is back. The port comes back too: an aborted listener is dropped a moment
    /// after `refuse`, and a connection of another test may hold the port briefly, so binding
    /// it again is retried for a few seconds.
    pub async fn accept(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("the proxy's port {} cannot be bound again: {e}", self.port),
            }
        };
        self.serve(listener);
    }
}
