//! `ma-alexa-bridge`: the home service Music Assistant pushes its streams to and the skill reads
//! them from. This file only wires the pieces of [`ma_alexa_skill::bridge_server`]: settings,
//! logging, the state file, the listener and the stop on SIGTERM or Ctrl-C.

// Nothing outside tests may unwrap: outside input (envelopes, replies, settings) gets a
// handled error. Test modules, compiled only under cfg(test), may.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use ma_alexa_skill::bridge_server::addon;
use ma_alexa_skill::bridge_server::config::BridgeConfig;
use ma_alexa_skill::bridge_server::routes::Bridge;
use ma_alexa_skill::bridge_server::screens::Screens;
use ma_alexa_skill::bridge_server::server;
use ma_alexa_skill::bridge_server::skill::SkillEndpoint;
use ma_alexa_skill::bridge_server::store::Store;
use ma_alexa_skill::logging;
use tokio::net::TcpListener;

const USAGE: &str = "\
ma-alexa-bridge: keeps the streams Music Assistant's Alexa provider pushes, per player, for the
Music Assistant Alexa skill

  ma-alexa-bridge               serve (until SIGTERM or Ctrl-C)
  ma-alexa-bridge healthcheck   ask the running bridge's /healthz; exit 0 when it answers
  ma-alexa-bridge doctor [--json]
                                check every hop (public ones with PUBLIC_URL); exit 1 on a failure
  ma-alexa-bridge skill-package --endpoint https://DOMAIN/alexa/skill --out DIR
                                write the Alexa skill package for `ask deploy` (see --help)
  ma-alexa-bridge --version

Settings (environment):
  BRIDGE_LISTEN      address and port to listen on, default 0.0.0.0:5000
  BRIDGE_USERNAME    HTTP Basic user name; with BRIDGE_PASSWORD, both or neither
  BRIDGE_PASSWORD    HTTP Basic password
  BRIDGE_STATE_FILE  where pushed streams are kept, default
                     $XDG_STATE_HOME/ma-alexa-bridge/state.json (~/.local/state/...)
  BRIDGE_LOCALE      language of /alexa/intents, default en-US
  BRIDGE_LOG_FORMAT  text (default) or json; RUST_LOG sets the level
  BRIDGE_SKILL_ENDPOINT  true: also serve the skill at POST /alexa/skill (no AWS needed)
  OPEN_SCREEN        true: hand new streams, pause and resume to the skill's open screen on an
                     Echo Show instead of a spoken command (POST /ma/control, POST /ma/screen);
                     default false
  BRIDGE_OPTIONS_FILE    a Home Assistant add-on's options.json: its options replace these

With BRIDGE_SKILL_ENDPOINT=true it also reads the skill's settings: SKILL_ID (required here),
MA_HOSTNAME, and for queue control, playing by name and rooms MA_API_URL, MA_API_TOKEN,
DEVICE_PLAYERS and ROOM_ALIASES; from SSM Parameter Store under SSM_PARAMETER_PREFIX when that is
set (environment values override them; CONFIG_TTL_SECONDS sets how long they are kept, default
300). The skill reads this bridge's streams in-process: API_HOSTNAME, API_USERNAME and
API_PASSWORD are not needed (and not read) there.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let healthcheck = match args.first().map(String::as_str) {
        None => false,
        Some("healthcheck") if args.len() == 1 => true,
        Some("doctor") => return ma_alexa_skill::doctor::inside_bridge::command(&args[1..]),
        Some("skill-package") => return ma_alexa_skill::skill_package::command(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("-V" | "--version") => {
            println!("ma-alexa-bridge {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some(_) => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    // A Home Assistant add-on's options, when BRIDGE_OPTIONS_FILE names them, become settings
    // first (this changes the environment, so it runs before any thread starts).
    let addon_notes = match addon::apply_options_file() {
        Ok(notes) => notes,
        Err(e) => {
            eprintln!("ma-alexa-bridge: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match BridgeConfig::from_env() {
        Ok(mut config) => {
            config.notes.extend(addon_notes);
            config
        }
        Err(e) => {
            eprintln!("ma-alexa-bridge: {e}");
            return ExitCode::from(2);
        }
    };
    if healthcheck {
        return check_health(config.local_address());
    }
    logging::init(config.log_format);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ma-alexa-bridge: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: BridgeConfig) -> ExitCode {
    for note in &config.notes {
        tracing::warn!("{note}");
    }
    let store = Arc::new(Store::open(config.state_file.clone()));
    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!("cannot listen on {} (BRIDGE_LISTEN): {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().unwrap_or(config.listen);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        locale = %config.locale,
        authentication = if config.access.is_open() { "none" } else { "basic" },
        state_file = %config.state_file.display(),
        open_screen = if config.open_screen { "on" } else { "off" },
        "listening on {address}"
    );
    if config.access.is_open() {
        tracing::warn!("no BRIDGE_USERNAME/BRIDGE_PASSWORD: anyone who can reach the bridge can use it; set them before exposing it through a reverse proxy");
    }
    let persister = tokio::spawn({
        let store = Arc::clone(&store);
        async move { store.persist().await }
    });
    let mut bridge = Bridge::new(Arc::clone(&store), config.access.clone(), config.locale);
    // Open-screen mode: the skill's open pages, shared by the routes and the skill inside.
    let screens = config.open_screen.then(|| Arc::new(Screens::new()));
    if let Some(screens) = &screens {
        bridge = bridge.with_screens(Arc::clone(screens));
    }
    if config.skill_endpoint {
        // The skill's own settings (environment, or SSM with SSM_PARAMETER_PREFIX), reading
        // this bridge's slots in-process, and the request-signature checks Amazon requires of
        // a web service.
        let skill = SkillEndpoint::inside(&config, Arc::clone(&store), screens);
        tracing::info!(settings = %skill.describe_settings(), "serving the skill at POST /alexa/skill, reading this bridge's streams in-process");
        bridge = bridge.with_skill(skill);
    }
    let bridge = Arc::new(bridge);
    server::serve(listener, bridge, stop_requested()).await;
    let saved = store.flush().await;
    persister.abort();
    match saved {
        Ok(()) => {
            tracing::info!("stopped; the state is on disk");
            ExitCode::SUCCESS
        }
        Err(()) => ExitCode::FAILURE,
    }
}

/// Resolves on SIGTERM (what `docker stop` sends) or Ctrl-C.
async fn stop_requested() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("interrupted"),
        () = terminate => tracing::info!("asked to stop (SIGTERM)"),
    }
}

/// `healthcheck`: a plain HTTP/1.0 `GET /healthz` to the local bridge, for a container's
/// `HEALTHCHECK` (the image has no shell or curl).
fn check_health(address: SocketAddr) -> ExitCode {
    let timeout = Duration::from_secs(3);
    let answer = TcpStream::connect_timeout(&address, timeout).and_then(|mut stream| {
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head)
    });
    match answer {
        Ok(head) if head.ends_with(b" 200") => ExitCode::SUCCESS,
        Ok(head) => {
            eprintln!(
                "ma-alexa-bridge: {address} answered {}",
                String::from_utf8_lossy(&head)
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("ma-alexa-bridge: no answer from {address}: {e}");
            ExitCode::FAILURE
        }
    }
}
