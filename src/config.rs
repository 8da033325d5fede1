//! Configuration for `throughline serve`, read once from the environment (or flags) and
//! checked as a whole at start: a half-configured platform is a startup error, not a surprise.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

/// What the operator sets. Values that are secrets are never printed (`hide_env_values`).
#[derive(clap::Args)]
pub struct ServeArgs {
    /// PostgreSQL server for the model (required).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address the HTTP server listens on (platform endpoints, probes and /metrics).
    #[arg(long, env = "LISTEN_ADDR", default_value = "0.0.0.0:3000")]
    pub listen: String,
    /// The public base URL of this server, e.g. https://align.example.com (for OAuth redirects).
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Slack app signing secret (Basic Information → App Credentials).
    #[arg(long, env = "SLACK_SIGNING_SECRET", hide_env_values = true)]
    pub slack_signing_secret: Option<String>,
    /// Single-workspace install: the bot token (xoxb-…).
    #[arg(long, env = "SLACK_BOT_TOKEN", hide_env_values = true)]
    pub slack_bot_token: Option<String>,
    /// Socket Mode: the app-level token (xapp-…, scope connections:write). Enables Socket Mode.
    #[arg(long, env = "SLACK_APP_TOKEN", hide_env_values = true)]
    pub slack_app_token: Option<String>,
    /// Multi-workspace install (OAuth v2): the app's client id.
    #[arg(long, env = "SLACK_CLIENT_ID")]
    pub slack_client_id: Option<String>,
    /// Multi-workspace install: the app's client secret.
    #[arg(long, env = "SLACK_CLIENT_SECRET", hide_env_values = true)]
    pub slack_client_secret: Option<String>,
    /// Multi-workspace install: 32 random bytes, base64, that encrypt bot tokens at rest.
    #[arg(long, env = "SLACK_TOKEN_KEY", hide_env_values = true)]
    pub slack_token_key: Option<String>,
    /// Repository connections (GitHub, GitLab): 32 random bytes, base64, that encrypt their
    /// webhook secrets at rest. With PUBLIC_URL, enables `/align connect`.
    #[arg(long, env = "HOOKS_KEY", hide_env_values = true)]
    pub hooks_key: Option<String>,
    /// Slack Web API base URL.
    #[arg(long, env = "SLACK_API_URL", default_value = "https://slack.com/api")]
    pub slack_api_url: String,
    /// Discord application's public key (hex), which verifies every interaction.
    #[arg(long, env = "DISCORD_PUBLIC_KEY")]
    pub discord_public_key: Option<String>,
    /// Discord bot token.
    #[arg(long, env = "DISCORD_BOT_TOKEN", hide_env_values = true)]
    pub discord_bot_token: Option<String>,
    /// Discord application id.
    #[arg(long, env = "DISCORD_APPLICATION_ID")]
    pub discord_application_id: Option<String>,
    /// Discord API base URL.
    #[arg(long, env = "DISCORD_API_URL", default_value = "https://discord.com")]
    pub discord_api_url: String,
    /// Receive Discord interactions over the Gateway instead of the HTTP endpoint.
    #[arg(long, env = "DISCORD_GATEWAY", default_value_t = false)]
    pub discord_gateway: bool,

    /// Seconds a stopping process may take to finish its requests and deliveries.
    #[arg(long, env = "SHUTDOWN_TIMEOUT_SECS", default_value_t = 20.0)]
    pub shutdown_timeout_secs: f64,

    /// Seconds a stopping process keeps serving while /readyz says 503, so a load balancer
    /// stops sending it requests first (Kubernetes: a few seconds; elsewhere: 0).
    #[arg(long, env = "SHUTDOWN_DELAY_SECS", default_value_t = 0.0)]
    pub shutdown_delay_secs: f64,

    /// Seconds a request may work before its answer is deferred (Slack and Discord close their
    /// window at 3 s).
    #[arg(long, env = "ANSWER_WITHIN_SECS", default_value_t = 2.5)]
    pub answer_within_secs: f64,

    /// Seconds a claimed notification stays with its dispatcher; a crashed one's come back after.
    #[arg(long, env = "OUTBOX_LEASE_SECS", default_value_t = 60.0)]
    pub outbox_lease_secs: f64,
    /// Where Slack's OAuth v2 consent screen lives.
    #[arg(
        long,
        env = "SLACK_AUTHORIZE_URL",
        default_value = "https://slack.com/oauth/v2/authorize"
    )]
    pub slack_authorize_url: String,
}

/// What `throughline discord register` needs.
#[derive(clap::Args)]
pub struct RegisterArgs {
    /// Register in this guild only (shows at once; for trying things out).
    #[arg(long)]
    pub guild: Option<String>,
    /// Discord bot token.
    #[arg(long, env = "DISCORD_BOT_TOKEN", hide_env_values = true)]
    pub bot_token: SecretString,
    /// Discord application id.
    #[arg(long, env = "DISCORD_APPLICATION_ID")]
    pub application_id: String,
    /// Discord API base URL.
    #[arg(long, env = "DISCORD_API_URL", default_value = "https://discord.com")]
    pub api_url: String,
}

pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub slack: Option<SlackConfig>,
    pub discord: Option<DiscordConfig>,
    pub public: Option<Public>,
    pub lifecycle: Lifecycle,
}

/// How the outside reaches this server: its public URL (for the check-in API and webhooks),
/// and the key that seals repository connections' webhook secrets (connections need it).
#[derive(Clone)]
pub struct Public {
    pub url: String,
    pub hooks_key: Option<[u8; 32]>,
}

/// How the process stops and how long its claims last.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle {
    pub shutdown_timeout: Duration,
    pub shutdown_delay: Duration,
    pub outbox_lease: Duration,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            shutdown_timeout: Duration::from_secs(20),
            shutdown_delay: Duration::ZERO,
            outbox_lease: crate::notify::DEFAULT_LEASE,
        }
    }
}

fn seconds(name: &str, v: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(v)
        .ok()
        .with_context(|| format!("{name} must be a number of seconds, 0 or more (got {v})"))
}

#[derive(Clone)]
pub struct DiscordConfig {
    /// The application's Ed25519 public key, hex; HTTP mode only.
    pub public_key: Option<String>,
    /// Interactions arrive over the Gateway; the HTTP endpoint stays shut.
    pub gateway: bool,
    pub bot_token: SecretString,
    pub application_id: String,
    pub api_url: String,
    /// How long an interaction may work before Discord's 3-second window closes; after that
    /// the reply is deferred and follows as an edit of the original response.
    pub answer_within: Duration,
}

#[derive(Clone)]
pub struct SlackConfig {
    /// Present in HTTP mode; Socket Mode needs none.
    pub signing_secret: Option<SecretString>,
    pub install: SlackInstall,
    /// Socket Mode's app-level token; `None` means HTTP mode.
    pub app_token: Option<SecretString>,
    pub api_url: String,
    pub authorize_url: String,
    /// How long a request may work before Slack's 3-second window closes; the rest goes on
    /// in the background and answers through `response_url`.
    pub answer_within: Duration,
}

#[derive(Clone)]
pub enum SlackInstall {
    /// One workspace, one bot token from the configuration.
    Single { bot_token: SecretString },
    /// Any number of workspaces installing through OAuth v2; tokens stored encrypted.
    OAuth {
        client_id: String,
        client_secret: SecretString,
        token_key: [u8; 32],
        public_url: String,
    },
}

fn secret(v: Option<String>) -> Option<SecretString> {
    v.filter(|s| !s.is_empty()).map(SecretString::from)
}

impl ServeArgs {
    pub fn validate(self) -> anyhow::Result<Config> {
        let slack = self.slack()?;
        let discord = self.discord()?;
        let public = self.public()?;
        let database_url = self
            .database_url
            .context("DATABASE_URL is not set: point it at the PostgreSQL database to use")?;
        if slack.is_none() && discord.is_none() {
            bail!(
                "no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, \
                 or DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID and DISCORD_PUBLIC_KEY (see the README)"
            );
        }
        let lifecycle = Lifecycle {
            shutdown_timeout: seconds("SHUTDOWN_TIMEOUT_SECS", self.shutdown_timeout_secs)?,
            shutdown_delay: seconds("SHUTDOWN_DELAY_SECS", self.shutdown_delay_secs)?,
            outbox_lease: seconds("OUTBOX_LEASE_SECS", self.outbox_lease_secs)?,
        };
        anyhow::ensure!(
            lifecycle.outbox_lease >= Duration::from_secs(1),
            "OUTBOX_LEASE_SECS must be at least 1 (got {})",
            self.outbox_lease_secs
        );
        let listen = self.listen.trim().parse::<SocketAddr>().map_err(|_| {
            anyhow::anyhow!(
                "LISTEN_ADDR must be an address and port like 0.0.0.0:3000, not '{}'",
                self.listen
            )
        })?;
        Ok(Config {
            database_url,
            listen,
            slack,
            discord,
            public,
            lifecycle,
        })
    }

    fn public(&self) -> anyhow::Result<Option<Public>> {
        let key = self.hooks_key.clone().filter(|s| !s.is_empty());
        let Some(url) = self.public_url.clone().filter(|s| !s.is_empty()) else {
            anyhow::ensure!(
                key.is_none(),
                "HOOKS_KEY is set: also set PUBLIC_URL, where GitHub and GitLab send their webhooks"
            );
            return Ok(None);
        };
        Ok(Some(Public {
            url: url.trim_end_matches('/').to_string(),
            hooks_key: key.map(|k| key32("HOOKS_KEY", &k)).transpose()?,
        }))
    }

    fn discord(&self) -> anyhow::Result<Option<DiscordConfig>> {
        let key = self.discord_public_key.clone().filter(|s| !s.is_empty());
        let token = secret(self.discord_bot_token.clone());
        let app = self
            .discord_application_id
            .clone()
            .filter(|s| !s.is_empty());
        if key.is_none() && token.is_none() && app.is_none() && !self.discord_gateway {
            return Ok(None);
        }
        let needs_key = !self.discord_gateway;
        let missing: Vec<&str> = [
            (needs_key && key.is_none(), "DISCORD_PUBLIC_KEY"),
            (token.is_none(), "DISCORD_BOT_TOKEN"),
            (app.is_none(), "DISCORD_APPLICATION_ID"),
        ]
        .into_iter()
        .filter_map(|(m, name)| m.then_some(name))
        .collect();
        if !missing.is_empty() {
            bail!(
                "Discord is half configured: also set {}",
                missing.join(", ")
            );
        }
        if let Some(k) = &key
            && (k.len() != 64 || !k.chars().all(|c| c.is_ascii_hexdigit()))
        {
            bail!(
                "DISCORD_PUBLIC_KEY must be the application's public key: 64 hex characters \
                 (Developer Portal → General Information)"
            );
        }
        Ok(Some(DiscordConfig {
            public_key: key.filter(|_| needs_key),
            gateway: self.discord_gateway,
            bot_token: token.expect("checked above"),
            application_id: app.expect("checked above"),
            api_url: self.discord_api_url.trim_end_matches('/').to_string(),
            answer_within: self.answer_within()?,
        }))
    }

    /// Both platforms close their window at 3 s; what is left is for the network.
    fn answer_within(&self) -> anyhow::Result<Duration> {
        let d = seconds("ANSWER_WITHIN_SECS", self.answer_within_secs)?;
        anyhow::ensure!(
            d > Duration::ZERO && d <= Duration::from_millis(2_900),
            "ANSWER_WITHIN_SECS must be above 0 and at most 2.9, inside the platforms' 3-second window (got {})",
            self.answer_within_secs
        );
        Ok(d)
    }

    fn slack(&self) -> anyhow::Result<Option<SlackConfig>> {
        let signing_secret = secret(self.slack_signing_secret.clone());
        let bot_token = secret(self.slack_bot_token.clone());
        let app_token = secret(self.slack_app_token.clone());
        let client_id = self.slack_client_id.clone().filter(|s| !s.is_empty());
        if signing_secret.is_none()
            && bot_token.is_none()
            && app_token.is_none()
            && client_id.is_none()
        {
            return Ok(None);
        }
        let install = match (bot_token, client_id) {
            (Some(_), Some(_)) => bail!(
                "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID (OAuth install), not both"
            ),
            (Some(bot_token), None) => {
                check_bot_token(bot_token.expose_secret())?;
                SlackInstall::Single { bot_token }
            }
            (None, Some(client_id)) => {
                let mut missing = Vec::new();
                let client_secret = secret(self.slack_client_secret.clone());
                let key = self.slack_token_key.clone().filter(|s| !s.is_empty());
                let public_url = self.public_url.clone().filter(|s| !s.is_empty());
                if client_secret.is_none() {
                    missing.push("SLACK_CLIENT_SECRET");
                }
                if key.is_none() {
                    missing.push("SLACK_TOKEN_KEY");
                }
                if public_url.is_none() {
                    missing.push("PUBLIC_URL");
                }
                if signing_secret.is_none() && app_token.is_none() {
                    missing.push("SLACK_SIGNING_SECRET");
                }
                if !missing.is_empty() {
                    bail!(
                        "SLACK_CLIENT_ID is set, so the OAuth install also needs {}",
                        missing.join(", ")
                    );
                }
                SlackInstall::OAuth {
                    client_id,
                    client_secret: client_secret.expect("checked above"),
                    token_key: token_key(&key.expect("checked above"))?,
                    public_url: public_url
                        .expect("checked above")
                        .trim_end_matches('/')
                        .to_string(),
                }
            }
            (None, None) => bail!(
                "Slack is half configured: set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, \
                 SLACK_CLIENT_SECRET and SLACK_TOKEN_KEY (OAuth install)"
            ),
        };
        if let Some(t) = &app_token
            && !t.expose_secret().starts_with("xapp-")
        {
            bail!(
                "SLACK_APP_TOKEN must be an app-level token (xapp-…, scope connections:write), \
                 not a bot or user token"
            );
        }
        if let Some(s) = &signing_secret {
            check_signing_secret(s.expose_secret())?;
        }
        if signing_secret.is_none() && app_token.is_none() {
            bail!(
                "SLACK_SIGNING_SECRET is required to verify Slack's requests \
                 (or set SLACK_APP_TOKEN to use Socket Mode)"
            );
        }
        Ok(Some(SlackConfig {
            signing_secret,
            install,
            app_token,
            api_url: self.slack_api_url.trim_end_matches('/').to_string(),
            authorize_url: self.slack_authorize_url.clone(),
            answer_within: self.answer_within()?,
        }))
    }
}

/// A bot token is `xoxb-…`; the other Slack tokens are easy to paste here by mistake.
fn check_bot_token(token: &str) -> anyhow::Result<()> {
    let looks_like = match token.get(..5) {
        Some("xoxb-") => return Ok(()),
        Some("xapp-") => "an app-level token (it belongs in SLACK_APP_TOKEN)",
        Some("xoxp-") => "a user token",
        _ => "no Slack token",
    };
    bail!(
        "SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-…, OAuth & Permissions page); \
         the value set looks like {looks_like}"
    )
}

/// Slack's signing secret is 32 hexadecimal characters (Basic Information → App Credentials).
fn check_signing_secret(secret: &str) -> anyhow::Result<()> {
    if secret.len() == 32 && secret.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(());
    }
    let looks_like = if secret.starts_with("xox") || secret.starts_with("xapp-") {
        "a token, not the signing secret"
    } else {
        "something else"
    };
    bail!(
        "SLACK_SIGNING_SECRET must be the app's Signing Secret: 32 hexadecimal characters \
         (Basic Information → App Credentials); the value set ({} characters) looks like {looks_like}",
        secret.len()
    )
}

/// Decodes the token encryption key: exactly 32 bytes, base64.
pub fn token_key(text: &str) -> anyhow::Result<[u8; 32]> {
    key32("SLACK_TOKEN_KEY", text)
}

/// Decodes an encryption key named `name`: exactly 32 bytes, base64.
fn key32(name: &str, text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .with_context(|| {
            format!("{name} is not base64 (make one with: openssl rand -base64 32)")
        })?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        anyhow::anyhow!(
            "{name} must be 32 bytes, it is {} (make one with: openssl rand -base64 32)",
            b.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: super::ServeArgs,
    }

    fn validate(args: &[&str]) -> Result<super::Config, String> {
        let mut argv = vec!["throughline", "--database-url", "postgres://db"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv)
            .map_err(|e| e.to_string())?
            .serve
            .validate()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn repository_connections_need_the_public_url_and_a_32_byte_key() {
        let slack = [
            "--slack-bot-token",
            "xoxb-1",
            "--slack-signing-secret",
            "0123456789abcdef0123456789abcdef",
        ];
        let key = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";
        let err = validate(&[&slack[..], &["--hooks-key", key]].concat())
            .err()
            .unwrap();
        assert!(
            err.contains("HOOKS_KEY is set: also set PUBLIC_URL"),
            "{err}"
        );
        let err = validate(
            &[
                &slack[..],
                &[
                    "--hooks-key",
                    "c2hvcnQ=",
                    "--public-url",
                    "https://a.example",
                ],
            ]
            .concat(),
        )
        .err()
        .unwrap();
        assert!(err.contains("HOOKS_KEY must be 32 bytes, it is 5"), "{err}");
        let config = validate(
            &[
                &slack[..],
                &["--hooks-key", key, "--public-url", "https://a.example/"],
            ]
            .concat(),
        )
        .expect("a complete configuration");
        let public = config.public.unwrap();
        assert_eq!(public.url, "https://a.example");
        assert_eq!(public.hooks_key, Some([9u8; 32]));
        let config =
            validate(&[&slack[..], &["--public-url", "https://a.example"]].concat()).unwrap();
        assert_eq!(
            config.public.unwrap().hooks_key,
            None,
            "the check-in API alone needs no key"
        );
    }

    #[test]
    fn socket_mode_needs_an_app_token_and_no_signing_secret() {
        let config = validate(&[
            "--slack-bot-token",
            "xoxb-1",
            "--slack-app-token",
            "xapp-1-A",
        ])
        .expect("a complete Socket Mode configuration");
        assert!(config.slack.unwrap().app_token.is_some());

        let err = validate(&["--slack-bot-token", "xoxb-1", "--slack-app-token", "xoxb-2"])
            .err()
            .unwrap();
        assert!(err.contains("app-level token (xapp-"), "{err}");
    }

    #[test]
    fn discord_names_what_is_missing_and_the_gateway_needs_no_public_key() {
        let err = validate(&["--discord-bot-token", "t"]).err().unwrap();
        assert!(
            err.contains("DISCORD_PUBLIC_KEY, DISCORD_APPLICATION_ID"),
            "{err}"
        );
        let err = validate(&[
            "--discord-bot-token",
            "t",
            "--discord-application-id",
            "1",
            "--discord-public-key",
            "xyz",
        ])
        .err()
        .unwrap();
        assert!(err.contains("64 hex characters"), "{err}");
        let config = validate(&[
            "--discord-bot-token",
            "t",
            "--discord-application-id",
            "1",
            "--discord-gateway",
        ])
        .expect("a complete Gateway configuration");
        let discord = config.discord.unwrap();
        assert!(discord.gateway && discord.public_key.is_none());
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_and_secrets_in_the_wrong_place_or_shape_are_named() {
        let err = validate(&[
            "--slack-bot-token",
            "xapp-1-A",
            "--slack-signing-secret",
            SECRET,
        ])
        .err()
        .unwrap();
        assert!(
            err.contains("SLACK_BOT_TOKEN") && err.contains("SLACK_APP_TOKEN"),
            "{err}"
        );
        let err = validate(&[
            "--slack-bot-token",
            "xoxb-1",
            "--slack-signing-secret",
            "xoxb-2",
        ])
        .err()
        .unwrap();
        assert!(
            err.contains("SLACK_SIGNING_SECRET") && err.contains("a token"),
            "{err}"
        );
        validate(&[
            "--slack-bot-token",
            "xoxb-1",
            "--slack-signing-secret",
            SECRET,
        ])
        .expect("a bot token and a signing secret of the right shapes");
        let err = validate(&[
            "--discord-gateway",
            "--discord-bot-token",
            "t",
            "--discord-application-id",
            "1",
            "--listen",
            "3000",
        ])
        .err()
        .unwrap();
        assert!(
            err.contains("LISTEN_ADDR") && err.contains("'3000'"),
            "{err}"
        );
    }

    #[test]
    fn http_mode_without_a_signing_secret_is_refused_by_name() {
        let err = validate(&["--slack-bot-token", "xoxb-1"]).err().unwrap();
        assert!(err.contains("SLACK_SIGNING_SECRET"), "{err}");
        let err = validate(&["--slack-client-id", "1.2", "--slack-app-token", "xapp-1"])
            .err()
            .unwrap();
        assert!(
            err.contains("SLACK_CLIENT_SECRET, SLACK_TOKEN_KEY, PUBLIC_URL")
                && !err.contains("SLACK_SIGNING_SECRET"),
            "{err}"
        );
    }
}
