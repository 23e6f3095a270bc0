//! The hops Alexa and the Echo take from the internet, checked through `PUBLIC_URL`
//! (`https://DOMAIN`): the name resolves, and to an address the internet can reach; TLS with a
//! certificate for that name that the public roots trust; `POST /alexa/skill` reaches the skill;
//! Music Assistant's stream routes reach its stream server; and what must stay at home (the
//! bridge's `/ma/` endpoints, Music Assistant's API and web interface) is not reachable there.
//!
//! Every answer is told apart by who gave it, not by its status alone, because a reverse proxy
//! answers 404 or 502 on its own too:
//! - the bridge refuses an unsigned skill request with its own body, `{"error":"bad request"}`;
//! - Music Assistant's stream server names what it does not know: its stream handlers raise
//!   aiohttp's `HTTPNotFound` for an unknown queue or player, whose body is
//!   `404: Unknown Queue: …` (`404: Unknown Player: …`), in every Music Assistant version, so a
//!   made-up stream path is answered in Music Assistant's own words without starting anything;
//! - Music Assistant's web server describes itself at `/info` (`server_version`, ...).
//!
//! Only `PUBLIC_URL` is ever called. A name that cannot be anybody's public name (under
//! `.invalid` or `.test`, or the documentation domains such as `example.com`) is refused
//! before any lookup, so nothing is sent for it, not even a DNS query.

use std::net::IpAddr;

use reqwest::header::{HeaderMap, ALLOW, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use url::Url;

use super::{
    rustls_error, shortened, step, transport_failure, Check, Doctor, ERROR_CHARS, QUOTED_CHARS,
};
use crate::bridge_server::auth::REALM;
use crate::deadline::Deadline;

/// The setting: the public base URL Alexa and the Echo devices use, `https://DOMAIN`.
pub const PUBLIC_URL: &str = "PUBLIC_URL";

/// How the doctor names the queue, session, item and player in the stream paths it makes up:
/// Music Assistant has none of that name, and says so.
const PROBE_ID: &str = "ma-alexa-doctor";
/// The most of an answer's body that is read: every signature is in its first bytes.
const BODY_CAP: usize = 2048;

/// The names of the public checks, in the order of the hops.
const URL: &str = "public url";
const NAME: &str = "public name";
const HTTPS: &str = "public https";
const SKILL: &str = "public skill";
const STREAMS: &str = "public streams";
const BRIDGE: &str = "public bridge";
const MA: &str = "public ma api";

/// What the proxy must forward to Music Assistant's stream server, as the fix says it.
const STREAM_FIX: &str = "make the reverse proxy forward /flow/, /single/, /announcement/, /pluginsource/ and /imageproxy on this name to Music Assistant's stream server (port 8097), as the project's Caddyfile does";
/// What the proxy must forward to the bridge, as the fix says it.
const SKILL_FIX: &str = "make the reverse proxy forward POST /alexa/skill on this name to the bridge (port 5000), as the project's Caddyfile does";

/// `PUBLIC_URL`, usable: `https://host[:port]/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PublicUrl {
    base: Url,
    host: String,
}

/// `PUBLIC_URL` as set: usable (with any remarks about it), or why not.
pub(super) fn parse(raw: &str) -> Result<(PublicUrl, Vec<Check>), Check> {
    const FIX: &str = "set PUBLIC_URL to https:// and your own public name, without a path (compose sets it from DOMAIN)";
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| Check::fail(URL, format!("PUBLIC_URL is not a URL ({e})"), FIX))?;
    if url.scheme() != "https" {
        return Err(Check::fail(
            URL,
            format!("PUBLIC_URL uses {}: Alexa calls skills, and Echo devices fetch streams, over https only", url.scheme()),
            FIX,
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Never quoted: the part before the host may be a password.
        return Err(Check::fail(
            URL,
            "PUBLIC_URL carries a user name or password, which Alexa cannot send",
            FIX,
        ));
    }
    if url.query().is_some() || url.fragment().is_some() || url.path() != "/" {
        return Err(Check::fail(
            URL,
            format!(
                "PUBLIC_URL has more than a name ({}): the skill endpoint (/alexa/skill) and Music Assistant's stream routes sit at the root of the name",
                shortened(url.as_str(), QUOTED_CHARS)
            ),
            FIX,
        ));
    }
    let Some(host) = url.host_str() else {
        return Err(Check::fail(URL, "PUBLIC_URL has no host name", FIX));
    };
    let host = host.to_owned();
    let mut remarks = Vec::new();
    if let Some(port) = url.port().filter(|p| *p != 443) {
        remarks.push(Check::fail(
            URL,
            format!("PUBLIC_URL names port {port}: Alexa calls skill endpoints, and Echo devices fetch streams, on port 443 only"),
            "serve the name on port 443 (forward port 443 to the reverse proxy, or use a tunnel that publishes 443) and leave the port out of PUBLIC_URL",
        ));
    }
    Ok((PublicUrl { base: url, host }, remarks))
}

impl PublicUrl {
    /// `host[:port]`, for messages.
    fn authority(&self) -> String {
        crate::authority(&self.base)
    }

    /// `path` (no leading `/`) on the public name.
    fn at(&self, path: &str) -> Url {
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }
}

/// Why a name cannot be anybody's public name, for the names reserved by RFC 2606 and RFC 6761:
/// nothing is looked up for them.
fn reserved(host: &str) -> Option<&'static str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if under("invalid") {
        Some("names under .invalid never resolve (RFC 6761)")
    } else if under("test") {
        Some("names under .test are for local tests (RFC 6761): the internet does not resolve them")
    } else if ["example", "example.com", "example.net", "example.org"]
        .iter()
        .any(|domain| under(domain))
    {
        Some("it is a name reserved for examples in documentation (RFC 2606), not yours")
    } else {
        None
    }
}

/// Why Alexa cannot reach `ip`, or `None` for an address the internet routes.
fn unreachable(ip: IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    };
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                Some("a loopback address, which only this machine reaches")
            } else if v4.is_unspecified() || v4.is_broadcast() {
                Some("not an address anyone can connect to")
            } else if v4.is_link_local() {
                Some("a link-local address, which only machines on the same network link reach")
            } else if a == 100 && b & 0xc0 == 64 {
                Some("a carrier-grade NAT address (100.64.0.0/10), which your provider shares among its customers")
            } else if v4.is_private() {
                Some("a private address, which only your own network reaches")
            } else if v4.is_documentation() {
                Some("an address reserved for documentation")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                Some("a loopback address, which only this machine reaches")
            } else if v6.is_unspecified() {
                Some("not an address anyone can connect to")
            } else if v6.is_unicast_link_local() {
                Some("a link-local address, which only machines on the same network link reach")
            } else if v6.is_unique_local() {
                Some("a unique-local address, which only your own network reaches")
            } else {
                None
            }
        }
    }
}

/// What the name resolved to, judged: every address public, or the first that is not.
fn name_check(host: &str, addresses: &[IpAddr], literal: bool) -> Check {
    let mut shown: Vec<String> = addresses.iter().take(4).map(ToString::to_string).collect();
    if addresses.len() > 4 {
        shown.push(format!("and {} more", addresses.len() - 4));
    }
    let shown = shown.join(", ");
    let resolves = if literal {
        format!("PUBLIC_URL names the address {shown} itself")
    } else {
        format!("{host} resolves here to {shown}")
    };
    let Some((ip, why)) = addresses
        .iter()
        .find_map(|ip| unreachable(*ip).map(|why| (ip, why)))
    else {
        return Check::pass(NAME, resolves);
    };
    let message = format!("{resolves}: {ip} is {why}; Alexa cannot reach it");
    if why.starts_with("a carrier-grade") {
        return Check::fail(
            NAME,
            message,
            "ports cannot be forwarded to you behind carrier-grade NAT: use a tunnel that gives the name a public HTTPS address (docs/tunnels.md)",
        );
    }
    if literal {
        return Check::fail(
            NAME,
            message,
            "set PUBLIC_URL to https:// and a public name whose DNS record points at your public address",
        );
    }
    Check::warn(
        NAME,
        message,
        format!("point {host}'s public DNS record (A/AAAA) at your public address; if only your own network's DNS answers with a local address (split DNS), nothing is wrong"),
    )
}

/// An answer, as much of it as the checks judge.
#[derive(Debug, Clone, Default)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: reqwest::header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The content type without its parameters, lower-case; `none` when there is none.
    fn content_type(&self) -> String {
        let bare = self
            .header(CONTENT_TYPE)
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if bare.is_empty() {
            "none".into()
        } else {
            bare
        }
    }

    /// The body's text, trimmed.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).trim().to_owned()
    }

    /// The `error` sentence of a JSON object body (the bridge answers every error so).
    fn json_error(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        value.get("error")?.as_str().map(str::to_owned)
    }

    /// ` to <Location>` of a redirect, for a message.
    fn redirect_target(&self) -> String {
        match self.header(LOCATION) {
            "" => String::new(),
            to => format!(" to {}", shortened(to, QUOTED_CHARS)),
        }
    }
}

/// Sends `request` within a step of `deadline`, and reads the status, the headers and at most
/// [`BODY_CAP`] bytes of the body (a stream would never end).
async fn fetch(
    request: reqwest::RequestBuilder,
    deadline: Deadline,
) -> Result<Answer, reqwest::Error> {
    let mut response = request.timeout(step(deadline)).send().await?;
    let mut answer = Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: Vec::new(),
    };
    while answer.body.len() < BODY_CAP {
        match response.chunk().await {
            Ok(Some(chunk)) => answer.body.extend_from_slice(&chunk),
            // A body cut short is judged by what arrived.
            Ok(None) | Err(_) => break,
        }
    }
    answer.body.truncate(BODY_CAP);
    Ok(answer)
}

/// `POST /alexa/skill` without a signature, through the public name: who answered, and how.
fn skill_route(host: &str, answer: &Answer) -> Check {
    let status = answer.status;
    let error = answer.json_error();
    let from_bridge_without_skill = (status == 401
        && answer.header(WWW_AUTHENTICATE).contains(REALM))
        || (status == 404
            && error
                .as_deref()
                .is_some_and(|e| e.starts_with("no such endpoint")));
    match status {
        400 if error.as_deref() == Some("bad request") => Check::pass(
            SKILL,
            format!("POST https://{host}/alexa/skill reaches the skill, which refuses what Amazon did not sign"),
        ),
        _ if from_bridge_without_skill => Check::fail(
            SKILL,
            format!("https://{host}/alexa/skill reaches a bridge that does not serve the skill (HTTP {status})"),
            "set BRIDGE_SKILL_ENDPOINT=true and SKILL_ID on the bridge the proxy forwards /alexa/skill to, and restart it",
        ),
        404 => Check::fail(
            SKILL,
            format!("{host} answers POST /alexa/skill with HTTP 404: the reverse proxy does not forward it"),
            SKILL_FIX,
        ),
        502..=504 => Check::fail(
            SKILL,
            format!("the reverse proxy at {host} cannot reach the bridge for /alexa/skill (HTTP {status})"),
            "check the proxy's upstream for /alexa/skill: the bridge's address and port 5000 as the proxy sees them (its service name inside compose), and that the bridge runs",
        ),
        401 | 403 => Check::fail(
            SKILL,
            format!("{host} asks for credentials on /alexa/skill (HTTP {status}), which Alexa cannot send"),
            "remove authentication from the proxy's /alexa/skill route: the skill checks Amazon's request signature itself",
        ),
        300..=399 => Check::fail(
            SKILL,
            format!("{host} redirects POST /alexa/skill (HTTP {status}{})", answer.redirect_target()),
            "serve /alexa/skill on PUBLIC_URL itself: Alexa does not follow redirects",
        ),
        200..=299 => Check::fail(
            SKILL,
            format!("{host} accepted an unsigned request at /alexa/skill (HTTP {status}): what answers there does not check Amazon's signature"),
            "forward /alexa/skill to ma-alexa-bridge with BRIDGE_SKILL_ENDPOINT=true, which refuses what Amazon did not sign",
        ),
        _ => Check::fail(
            SKILL,
            format!("{host} answered an unsigned POST /alexa/skill with HTTP {status} ({}), not the bridge's refusal", answer.content_type()),
            SKILL_FIX,
        ),
    }
}

/// The stream paths the doctor makes up under `route`, newest Music Assistant first: each
/// version's handler names the queue (or the player) unknown, but only for a path of its own
/// shape (others fall through to the stream server's bare 404).
fn probe_paths(route: &str) -> Vec<String> {
    let p = PROBE_ID;
    match route {
        // 2.8 and later: {session}/{queue}/{item}/{player}; spring 2025: {session}/{queue}/{item};
        // 2.3 and before: {queue}/{item}.
        "flow" | "single" => vec![
            format!("{route}/{p}/{p}/{p}/{p}.mp3"),
            format!("{route}/{p}/{p}/{p}.mp3"),
            format!("{route}/{p}/{p}.mp3"),
        ],
        _ => vec![format!("{route}/{p}.mp3")],
    }
}

/// Whether Music Assistant's stream server gave this answer: its handlers' 404 for a queue or
/// player it does not know, in aiohttp's words.
fn from_music_assistant_streams(answer: &Answer) -> bool {
    answer.status == 404 && answer.text().starts_with("404: Unknown ")
}

/// A stream route that did not reach Music Assistant's stream server, by what answered.
fn stream_failure(host: &str, route: &str, answer: &Answer) -> Check {
    let status = answer.status;
    match status {
        404 => Check::fail(
            STREAMS,
            format!("{host} answers /{route}/ with HTTP 404 in words that are not Music Assistant's: the reverse proxy does not forward it to Music Assistant's stream server"),
            STREAM_FIX,
        ),
        502..=504 => Check::fail(
            STREAMS,
            format!("the reverse proxy at {host} cannot reach Music Assistant's stream server for /{route}/ (HTTP {status})"),
            "check the proxy's upstream for the stream routes: Music Assistant's address and stream port (8097) as the proxy sees them, and that Music Assistant runs",
        ),
        401 | 403 => Check::fail(
            STREAMS,
            format!("{host} asks for credentials on /{route}/ (HTTP {status}), which Echo devices cannot send"),
            "remove authentication from the stream routes: Music Assistant's stream server needs none",
        ),
        300..=399 => Check::fail(
            STREAMS,
            format!("{host} redirects /{route}/ (HTTP {status}{})", answer.redirect_target()),
            STREAM_FIX,
        ),
        _ => Check::fail(
            STREAMS,
            format!("{host} answers /{route}/ with HTTP {status} ({}), not as Music Assistant's stream server does", answer.content_type()),
            format!("{STREAM_FIX}, not to its web interface (port 8095) or another service"),
        ),
    }
}

/// `GET /ma/latest-url` without credentials through the public name: the bridge must not answer.
fn bridge_exposure(host: &str, answer: &Answer) -> Check {
    const REMOVE: &str = "remove /ma/ from the reverse proxy's routes: the skill inside the bridge reads the bridge in-process, and nothing outside your network needs it";
    let status = answer.status;
    let holds_stream = status == 200
        && serde_json::from_slice::<serde_json::Value>(&answer.body)
            .is_ok_and(|v| v.get("streamUrl").is_some());
    let nothing_pushed = status == 404
        && answer
            .json_error()
            .is_some_and(|e| e.starts_with("nothing has been pushed"));
    if holds_stream || nothing_pushed {
        return Check::warn(
            BRIDGE,
            format!("the bridge answers https://{host}/ma/latest-url without credentials (HTTP {status}): anyone can read its streams and push new ones"),
            format!("{REMOVE}; and set BRIDGE_USERNAME and BRIDGE_PASSWORD"),
        );
    }
    if status == 401 && answer.header(WWW_AUTHENTICATE).contains(REALM) {
        return Check::warn(
            BRIDGE,
            format!(
                "the bridge's /ma/latest-url is reachable through {host}, behind its credentials"
            ),
            REMOVE,
        );
    }
    Check::pass(
        BRIDGE,
        format!("the bridge's /ma/latest-url is not reachable through {host} (HTTP {status} there, not the bridge's answer)"),
    )
}

/// `GET /info` and `GET /api` through the public name: Music Assistant's web server must not
/// answer them.
fn music_assistant_exposure(host: &str, info: &Answer, api: &Answer) -> Check {
    const FIX: &str = "forward only /alexa/skill and Music Assistant's stream routes on this name: Music Assistant's web server (port 8095: its API and web interface) belongs inside your network";
    let version = (info.status == 200)
        .then(|| serde_json::from_slice::<serde_json::Value>(&info.body).ok())
        .flatten()
        .and_then(|v| v.get("server_version")?.as_str().map(str::to_owned));
    if let Some(version) = version {
        return Check::warn(
            MA,
            format!(
                "Music Assistant {} answers https://{host}/info: its API (/api) and web interface are reachable from the internet",
                shortened(&version, 40)
            ),
            FIX,
        );
    }
    // Music Assistant's API takes POST only: its web server answers a GET with 405, Allow: POST.
    if api.status == 405 && api.header(ALLOW).to_ascii_uppercase().contains("POST") {
        return Check::warn(
            MA,
            format!("https://{host}/api answers as Music Assistant's API does (HTTP 405, POST only): it is reachable from the internet"),
            FIX,
        );
    }
    Check::pass(
        MA,
        format!(
            "Music Assistant's API is not reachable through {host} (/info: HTTP {}, /api: HTTP {})",
            info.status, api.status
        ),
    )
}

/// The public checks after `failed`: not checked, because of it.
fn skipped_after(failed: &str, why: &str) -> Vec<Check> {
    let order = [URL, NAME, HTTPS, SKILL, STREAMS, BRIDGE, MA];
    let from = order.iter().position(|n| *n == failed).map_or(0, |i| i + 1);
    order[from..]
        .iter()
        .filter(|n| **n != URL)
        .map(|n| Check::skip(n, format!("not checked: {why}")))
        .collect()
}

impl Doctor {
    /// The public hops through `PUBLIC_URL` (`raw`; not set: one line saying so). `skill_endpoint`:
    /// whether the bridge serves the skill (else Alexa calls it in AWS Lambda and
    /// `/alexa/skill` and `/ma/` are not this name's business).
    pub(super) async fn public(
        &self,
        raw: Option<&str>,
        skill_endpoint: bool,
        deadline: Deadline,
    ) -> Vec<Check> {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return vec![Check::skip(
                NAME,
                "not checked: PUBLIC_URL is not set (the home path's compose file sets it to https://DOMAIN)",
            )];
        };
        let (url, mut checks) = match parse(raw) {
            Ok(parsed) => parsed,
            Err(check) => {
                let mut checks = vec![check];
                checks.extend(skipped_after(URL, "PUBLIC_URL cannot be used"));
                return checks;
            }
        };
        let host = url.authority();
        if let Err(check) = self.public_name(&url, deadline, &mut checks).await {
            checks.push(check);
            checks.extend(skipped_after(
                NAME,
                &format!("{} does not resolve", url.host),
            ));
            return checks;
        }
        let client = match self.client() {
            Ok(client) => client,
            Err(e) => {
                checks.push(Check::fail(
                    HTTPS,
                    format!("no HTTP client: {e}"),
                    "report this as a bug",
                ));
                return checks;
            }
        };
        // TLS first, on its own: any HTTP answer at all means the handshake succeeded.
        if let Err(error) = fetch(client.head(url.at("")), deadline).await {
            let mut check = transport_failure(HTTPS, &host, &error, PUBLIC_URL);
            if rustls_error(&error).is_none() && (error.is_connect() || error.is_timeout()) {
                // From inside the home, the way out and back in may be what fails.
                check.fix = Some(format!(
                    "{}; from inside your network this also fails when the router cannot reach its own public address (NAT hairpinning): see docs/doctor.md",
                    check.fix.unwrap_or_default()
                ));
            }
            checks.push(check);
            checks.extend(skipped_after(HTTPS, &format!("no connection to {host}")));
            return checks;
        }
        checks.push(Check::pass(
            HTTPS,
            format!("{host} answers over TLS with a certificate for its name from a publicly trusted CA, as Echo devices require"),
        ));
        let skill = async {
            if !skill_endpoint {
                return Check::skip(
                    SKILL,
                    "not checked: BRIDGE_SKILL_ENDPOINT is off, so Alexa calls the skill in AWS Lambda",
                );
            }
            let request = client
                .post(url.at("alexa/skill"))
                .header(CONTENT_TYPE, "application/json")
                .body("{}");
            match fetch(request, deadline).await {
                Ok(answer) => skill_route(&host, &answer),
                Err(error) => transport_failure(SKILL, &host, &error, PUBLIC_URL),
            }
        };
        let bridge = async {
            if !skill_endpoint {
                return Check::skip(
                    BRIDGE,
                    "not checked: with the skill in AWS Lambda, it reads /ma/latest-url through API_HOSTNAME (ma-alexa-skill doctor checks that hop)",
                );
            }
            match fetch(client.get(url.at("ma/latest-url")), deadline).await {
                Ok(answer) => bridge_exposure(&host, &answer),
                Err(error) => transport_failure(BRIDGE, &host, &error, PUBLIC_URL),
            }
        };
        let ma = async {
            let (info, api) = tokio::join!(
                fetch(client.get(url.at("info")), deadline),
                fetch(client.get(url.at("api")), deadline)
            );
            match (info, api) {
                (Ok(info), Ok(api)) => music_assistant_exposure(&host, &info, &api),
                (Err(error), _) | (_, Err(error)) => {
                    transport_failure(MA, &host, &error, PUBLIC_URL)
                }
            }
        };
        let (skill, streams, bridge, ma) = tokio::join!(
            skill,
            self.public_streams(client, &url, deadline),
            bridge,
            ma
        );
        checks.push(skill);
        checks.extend(streams);
        checks.push(bridge);
        checks.push(ma);
        checks
    }

    /// The name: refused when reserved, else resolved here (with the same resolver the process
    /// uses) and judged by the addresses it gives.
    async fn public_name(
        &self,
        url: &PublicUrl,
        deadline: Deadline,
        checks: &mut Vec<Check>,
    ) -> Result<(), Check> {
        const FIX: &str = "create a DNS record (A/AAAA, or a CNAME to your dynamic DNS name) for it that points at your public address, and set PUBLIC_URL to https:// and that name";
        let name = match url.base.host() {
            Some(url::Host::Ipv4(ip)) => {
                checks.push(name_check(&url.host, &[IpAddr::V4(ip)], true));
                return Ok(());
            }
            Some(url::Host::Ipv6(ip)) => {
                checks.push(name_check(&url.host, &[IpAddr::V6(ip)], true));
                return Ok(());
            }
            Some(url::Host::Domain(name)) => name,
            None => return Err(Check::fail(NAME, "PUBLIC_URL has no host name", FIX)),
        };
        if let Some(why) = reserved(name) {
            return Err(Check::fail(
                NAME,
                format!("{name} cannot be resolved: {why}"),
                FIX,
            ));
        }
        let limit = std::time::Duration::from_millis(2000).min(step(deadline));
        let port = url.base.port_or_known_default().unwrap_or(443);
        let found = tokio::time::timeout(limit, tokio::net::lookup_host((name, port))).await;
        let mut addresses: Vec<IpAddr> = match found {
            Err(_) => {
                return Err(Check::fail(
                    NAME,
                    format!("resolving {name} took more than {} s", limit.as_secs_f32()),
                    "check this machine's DNS settings (the container's resolver)",
                ))
            }
            Ok(Err(e)) => {
                return Err(Check::fail(
                    NAME,
                    format!(
                        "{name} does not resolve here ({})",
                        shortened(&e.to_string(), ERROR_CHARS)
                    ),
                    FIX,
                ))
            }
            Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
        };
        // Each address once, in the resolver's order (its preference).
        let mut seen = std::collections::HashSet::new();
        addresses.retain(|ip| seen.insert(*ip));
        if addresses.is_empty() {
            return Err(Check::fail(
                NAME,
                format!("{name} resolves to no address"),
                FIX,
            ));
        }
        checks.push(name_check(name, &addresses, false));
        Ok(())
    }

    /// Music Assistant's stream routes through the public name: each must reach its stream
    /// server, which names the made-up queue or player unknown.
    async fn public_streams(
        &self,
        client: &reqwest::Client,
        url: &PublicUrl,
        deadline: Deadline,
    ) -> Vec<Check> {
        let host = url.authority();
        let route = |route: &'static str| {
            let host = host.clone();
            async move {
                let mut last = Answer::default();
                for path in probe_paths(route) {
                    match fetch(client.get(url.at(&path)), deadline).await {
                        Err(error) => {
                            return Err(transport_failure(STREAMS, &host, &error, PUBLIC_URL))
                        }
                        Ok(answer) if from_music_assistant_streams(&answer) => return Ok(()),
                        // Another version's path shape may still reach a handler.
                        Ok(answer) if answer.status == 404 => last = answer,
                        Ok(answer) => return Err(stream_failure(&host, route, &answer)),
                    }
                }
                Err(stream_failure(&host, route, &last))
            }
        };
        let (flow, single, announcement) =
            tokio::join!(route("flow"), route("single"), route("announcement"));
        let failures: Vec<Check> = [flow, single, announcement]
            .into_iter()
            .filter_map(Result::err)
            .collect();
        if failures.is_empty() {
            vec![Check::pass(
                STREAMS,
                format!("{host} forwards /flow/, /single/ and /announcement/ to Music Assistant's stream server (it named the doctor's made-up queue and player unknown)"),
            )]
        } else {
            failures
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    fn answer(status: u16, headers: &[(&'static str, &str)], body: &str) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().expect("header value"));
        }
        Answer {
            status,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn public_url_must_be_https_on_a_bare_name() {
        let (url, remarks) = parse("music.example.com").expect("a bare name means https");
        assert_eq!(url.base.as_str(), "https://music.example.com/");
        assert!(remarks.is_empty());
        let (_, remarks) = parse("https://music.example.com/").expect("the root is fine");
        assert!(remarks.is_empty());
        for bad in [
            "http://music.example.com",
            "https://music.example.com/music",
            "https://music.example.com/?x=1",
            "https://user:hunter2@music.example.com",
            "https://",
        ] {
            let check = parse(bad).expect_err(bad);
            assert_eq!(check.status, Status::Fail, "{bad}");
            assert!(check.fix.is_some(), "{bad}");
            assert!(
                !check.message.contains("hunter2"),
                "{bad}: {}",
                check.message
            );
        }
        let (_, remarks) = parse("https://music.example.com:8443").expect("usable");
        assert_eq!(remarks.len(), 1);
        assert!(remarks[0].message.contains("port 8443"), "{:?}", remarks[0]);
        assert_eq!(remarks[0].status, Status::Fail);
    }

    #[test]
    fn reserved_names_are_refused_without_a_lookup() {
        for host in [
            "music.invalid",
            "INVALID.",
            "music.example.com",
            "example.org",
            "music.test",
            "box.example",
        ] {
            assert!(reserved(host).is_some(), "{host}");
        }
        for host in [
            "music.example.de",
            "myexample.com",
            "localhost",
            "invalid.example.de.eu",
        ] {
            assert!(reserved(host).is_none(), "{host}");
        }
    }

    #[test]
    fn addresses_alexa_cannot_reach_are_named() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let check = name_check("music.example.de", &[ip("203.0.113.7")], false);
        // A documentation address: not reachable either.
        assert_eq!(check.status, Status::Warn, "{check:?}");
        let check = name_check(
            "music.example.de",
            &[ip("8.8.4.4"), ip("2a00:1450::1")],
            false,
        );
        assert_eq!(check.status, Status::Pass, "{check:?}");
        let check = name_check("music.example.de", &[ip("192.168.1.20")], false);
        assert_eq!(check.status, Status::Warn);
        assert!(
            check.message.contains("192.168.1.20 is a private address"),
            "{check:?}"
        );
        let check = name_check("localhost", &[ip("127.0.0.1")], false);
        assert!(check.message.contains("loopback"), "{check:?}");
        let check = name_check("music.example.de", &[ip("100.70.1.2")], false);
        assert_eq!(check.status, Status::Fail);
        assert!(
            check.fix.as_deref().unwrap_or("").contains("tunnel"),
            "{check:?}"
        );
        let check = name_check("192.168.1.20", &[ip("192.168.1.20")], true);
        assert_eq!(check.status, Status::Fail);
        assert_eq!(
            unreachable(ip("::ffff:10.0.0.1")),
            unreachable(ip("10.0.0.1"))
        );
        assert!(unreachable(ip("fd00::1")).is_some());
        assert!(unreachable(ip("fe80::1")).is_some());
    }

    #[test]
    fn the_skill_route_is_judged_by_who_answered() {
        let bridge_refusal = answer(
            400,
            &[("content-type", "application/json")],
            r#"{"error":"bad request"}"#,
        );
        assert_eq!(skill_route("h", &bridge_refusal).status, Status::Pass);
        // Another 400 (a proxy's, a web page) is not the skill's refusal.
        let other = answer(
            400,
            &[("content-type", "text/html")],
            "<h1>400 Bad Request</h1>",
        );
        assert_eq!(skill_route("h", &other).status, Status::Fail);
        let proxy_404 = skill_route("h", &answer(404, &[], ""));
        assert!(
            proxy_404.message.contains("does not forward"),
            "{proxy_404:?}"
        );
        let bridge_404 = skill_route(
            "h",
            &answer(
                404,
                &[],
                r#"{"error":"no such endpoint: this bridge serves POST /ma/push-url"}"#,
            ),
        );
        assert!(
            bridge_404.message.contains("does not serve the skill"),
            "{bridge_404:?}"
        );
        let bridge_401 = skill_route(
            "h",
            &answer(
                401,
                &[(
                    "www-authenticate",
                    "Basic realm=\"music-assistant-alexa-api\"",
                )],
                "{}",
            ),
        );
        assert!(
            bridge_401.message.contains("does not serve the skill"),
            "{bridge_401:?}"
        );
        let proxy_auth = skill_route(
            "h",
            &answer(401, &[("www-authenticate", "Basic realm=\"caddy\"")], ""),
        );
        assert!(proxy_auth.message.contains("credentials"), "{proxy_auth:?}");
        for status in [502, 503, 504] {
            let check = skill_route("h", &answer(status, &[], ""));
            assert!(
                check.message.contains("cannot reach the bridge"),
                "{check:?}"
            );
        }
        let redirect = skill_route(
            "h",
            &answer(308, &[("location", "https://other/alexa/skill")], ""),
        );
        assert!(
            redirect.message.contains("redirects") && redirect.message.contains("https://other"),
            "{redirect:?}"
        );
        let open = skill_route("h", &answer(200, &[], "{}"));
        assert!(
            open.message.contains("does not check Amazon's signature"),
            "{open:?}"
        );
    }

    #[test]
    fn only_music_assistants_own_words_count_as_its_stream_server() {
        assert!(from_music_assistant_streams(&answer(
            404,
            &[],
            "404: Unknown Queue: ma-alexa-doctor"
        )));
        assert!(from_music_assistant_streams(&answer(
            404,
            &[],
            "404: Unknown Player: ma-alexa-doctor\n"
        )));
        assert!(!from_music_assistant_streams(&answer(404, &[], "")));
        assert!(!from_music_assistant_streams(&answer(
            404,
            &[],
            "404 page not found"
        )));
        assert!(!from_music_assistant_streams(&answer(
            200,
            &[],
            "404: Unknown Queue: x"
        )));
        assert_eq!(probe_paths("flow").len(), 3);
        assert!(probe_paths("flow")[0].starts_with("flow/ma-alexa-doctor/"));
        assert_eq!(
            probe_paths("announcement"),
            ["announcement/ma-alexa-doctor.mp3"]
        );
        let web = stream_failure(
            "h",
            "flow",
            &answer(
                200,
                &[("content-type", "text/html; charset=utf-8")],
                "<html>",
            ),
        );
        assert!(
            web.message.contains("text/html") && web.fix.as_deref().unwrap_or("").contains("8095"),
            "{web:?}"
        );
        let gone = stream_failure("h", "flow", &answer(502, &[], ""));
        assert!(
            gone.message
                .contains("cannot reach Music Assistant's stream server"),
            "{gone:?}"
        );
    }

    #[test]
    fn a_bridge_or_music_assistant_on_the_public_name_is_a_warning() {
        let open = bridge_exposure(
            "h",
            &answer(
                200,
                &[],
                r#"{"streamUrl":"http://ma:8097/flow/a/b/c/d.mp3"}"#,
            ),
        );
        assert_eq!(open.status, Status::Warn);
        assert!(open.message.contains("anyone"), "{open:?}");
        let empty = bridge_exposure(
            "h",
            &answer(404, &[], r#"{"error":"nothing has been pushed yet: play"}"#),
        );
        assert_eq!(empty.status, Status::Warn);
        let guarded = bridge_exposure(
            "h",
            &answer(
                401,
                &[(
                    "www-authenticate",
                    "Basic realm=\"music-assistant-alexa-api\"",
                )],
                "{}",
            ),
        );
        assert_eq!(guarded.status, Status::Warn);
        assert!(
            guarded.message.contains("behind its credentials"),
            "{guarded:?}"
        );
        assert_eq!(
            bridge_exposure("h", &answer(404, &[], "")).status,
            Status::Pass
        );
        let none = answer(404, &[], "");
        let info = answer(
            200,
            &[],
            r#"{"server_id":"x","server_version":"2.8.1","schema_version":28}"#,
        );
        assert_eq!(
            music_assistant_exposure("h", &info, &none).status,
            Status::Warn
        );
        let api = answer(405, &[("allow", "POST")], "405: Method Not Allowed");
        assert_eq!(
            music_assistant_exposure("h", &none, &api).status,
            Status::Warn
        );
        assert_eq!(
            music_assistant_exposure("h", &none, &none).status,
            Status::Pass
        );
    }
}
