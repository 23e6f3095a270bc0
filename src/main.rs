//! `ma-alexa-skill`: serves Alexa requests inside AWS Lambda, or answers one request envelope
//! from a file on a developer's machine. Both go through [`Service::answer`].

// Nothing outside tests may unwrap: outside input (envelopes, replies, settings) gets a
// handled error. Test modules, compiled only under cfg(test), may.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::ExitCode;

use ma_alexa_skill::alexa::response::ResponseEnvelope;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::doctor::Doctor;
use ma_alexa_skill::lambda;
use ma_alexa_skill::logging::{self, LogFormat};
use ma_alexa_skill::service::{self, Service};

const USAGE: &str = "\
ma-alexa-skill: the Music Assistant Alexa skill backend

Inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves invocations. Locally:

  ma-alexa-skill invoke <FILE|->   answer one Alexa request envelope (a file, or - for stdin)
                                   and print the response envelope as JSON on stdout
  ma-alexa-skill doctor [--json]   check every hop (settings, bridge, stream host, Music
                                   Assistant, skill) and say what to fix; exit 1 if one failed;
                                   with BRIDGE_SKILL_ENDPOINT=true also the skill endpoint
                                   the bridge serves

Settings come from the environment: API_HOSTNAME, API_USERNAME, API_PASSWORD, MA_HOSTNAME,
SKILL_ID; for queue control, playing by name and rooms also MA_API_URL, MA_API_TOKEN,
DEVICE_PLAYERS and ROOM_ALIASES; OPEN_SCREEN=true keeps a now-playing page open on Echo Show
devices that play media in APL (default false). With SSM_PARAMETER_PREFIX set they come from
SSM Parameter Store parameters of the same names under that prefix (environment values override
them; CONFIG_TTL_SECONDS sets how long they are kept, default 300). Logs go to stderr; RUST_LOG
sets the level.";

fn main() -> ExitCode {
    let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if !in_lambda {
        match args.first().and_then(|a| a.to_str()) {
            Some("invoke") if args.len() == 2 => {}
            Some("doctor") if args.len() == 1 || (args.len() == 2 && args[1] == "--json") => {}
            Some("-h" | "--help" | "help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Some("-V" | "--version") => {
                println!("ma-alexa-skill {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    if in_lambda {
        logging::init(LogFormat::Json);
    } else if args[0] == "doctor" {
        ma_alexa_skill::doctor::init_logging();
    } else {
        logging::init(LogFormat::Text);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ma-alexa-skill: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let service = Service::from_env();
    if in_lambda {
        runtime.block_on(serve_lambda(&service))
    } else if args[0] == "doctor" {
        runtime.block_on(doctor(&service, args.len() == 2))
    } else {
        runtime.block_on(invoke(&service, &args[1]))
    }
}

/// Runs the doctor with the service's settings and prints its report (JSON with `--json`).
async fn doctor(service: &Service, json: bool) -> ExitCode {
    // At home (no Lambda) the bridge serves the skill: check that too when its setting says so.
    let at_home = std::env::var("BRIDGE_SKILL_ENDPOINT").is_ok_and(|v| {
        ["true", "1", "yes", "on"].contains(&v.trim().to_ascii_lowercase().as_str())
    });
    Doctor::new()
        .checking_skill_endpoint(at_home)
        .run(service.settings(), None)
        .await
        .print(json, "ma-alexa-skill")
}

/// Serves Lambda invocations until the runtime stops.
async fn serve_lambda(service: &Service) -> ExitCode {
    match lambda::serve(service).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}

/// Answers the envelope in `source` (a path, or `-` for stdin) and prints the response.
async fn invoke(service: &Service, source: &OsString) -> ExitCode {
    let name = source.to_string_lossy();
    let bytes = if source == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(source)
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("ma-alexa-skill: cannot read {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let answer = match service::parse_event(&bytes) {
        Ok(event) => service.answer(event, Deadline::local()).await,
        Err(refusal) => Err(refusal),
    };
    match answer {
        Ok(response) => print_response(&response),
        Err(refusal) => {
            eprintln!("ma-alexa-skill: refused {name}: {refusal}");
            ExitCode::FAILURE
        }
    }
}

fn print_response(response: &ResponseEnvelope) -> ExitCode {
    match serde_json::to_string_pretty(response) {
        Ok(json) => print_out(&json),
        Err(e) => {
            eprintln!("ma-alexa-skill: cannot write the response: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` and a newline to stdout. A reader that went away (`invoke … | head`) is not an
/// error worth a panic, as `println!` would make it: the output was simply not wanted.
fn print_out(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ma-alexa-skill: cannot write to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}
