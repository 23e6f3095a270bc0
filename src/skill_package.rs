//! `ma-alexa-bridge skill-package`: writes the whole Alexa skill (manifest, every locale's
//! interaction model, `ask-resources.json`) into a folder, so one `ask deploy` there creates it.
//!
//! The files come from the binary itself: the manifest and the models are the repository's
//! `skill-package/` files, embedded at build time, so the container (which has no shell and no
//! copy of the repository) writes the same package a checkout holds. The only thing the command
//! changes is the manifest's endpoint (`apis.custom.endpoint`), which the repository leaves out:
//!
//! - `--endpoint https://DOMAIN/alexa/skill`: the home path, Alexa calls the bridge over HTTPS
//!   (`sslCertificateType` `Trusted`, or `Wildcard` with `--certificate wildcard`);
//! - `--lambda-arn ARN`: the Lambda path, Alexa invokes the function;
//! - `--no-endpoint`: a skill without an endpoint yet, which is how the Lambda path starts: the
//!   function's trigger needs the skill id, and Alexa refuses a function ARN whose trigger does not
//!   name the skill, so the skill is created first (`ask deploy --target skill-metadata`), then
//!   the function, then the package is written again with `--lambda-arn` and deployed.
//!
//! Writing again into the same folder (`--force`) replaces the package but keeps the ASK CLI's
//! `.ask/` folder, where `ask deploy` keeps the skill id: the next deploy updates that skill
//! instead of creating another one.

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Value};
use url::{Host, Url};

use crate::interaction_models::ModelLocale;

/// The repository's manifest, without an endpoint.
const MANIFEST: &str = include_str!("../skill-package/skill.json");

/// Where the bridge serves the skill (`BRIDGE_SKILL_ENDPOINT=true`).
pub const SKILL_PATH: &str = "/alexa/skill";

/// The AWS regions Alexa calls a skill's Lambda function in, one per Alexa region.
const ALEXA_REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "us-west-2"];

/// The folder of the package inside the output folder, as `ask-resources.json` names it.
const PACKAGE_DIR: &str = "skill-package";
/// The models' folder inside the package.
const MODELS_DIR: &str = "interactionModels/custom";
/// The ASK CLI's own folder in a project: `ask-states.json` with the skill id.
const ASK_STATE_DIR: &str = ".ask";

/// `ask-resources.json`, as the ASK CLI (v2) reads it: the `default` profile (the one
/// `ask configure` makes) deploys `./skill-package`. No `code` and no `skillInfrastructure`:
/// the CLI builds and deploys no backend, it uploads the package (creating the skill the first
/// time) and, on a plain `ask deploy`, enables the skill for testing.
pub const ASK_RESOURCES: &str = r#"{
  "askcliResourcesVersion": "2020-03-31",
  "profiles": {
    "default": {
      "skillMetadata": {
        "src": "./skill-package"
      }
    }
  }
}
"#;

const USAGE: &str = "\
ma-alexa-bridge skill-package: writes the Alexa skill package (manifest with the endpoint, the
Audio Player interface, every locale and its interaction model) and ask-resources.json into DIR,
so that `ask deploy` in DIR creates the whole skill

  ma-alexa-bridge skill-package --endpoint https://DOMAIN/alexa/skill --out DIR
      the home path: Alexa calls the bridge (BRIDGE_SKILL_ENDPOINT=true) behind your proxy;
      then `cd DIR && ask deploy`
  ma-alexa-bridge skill-package --no-endpoint --out DIR
      the Lambda path, first: `cd DIR && ask deploy --target skill-metadata` creates the skill
      and prints its id (also in DIR/.ask/ask-states.json) for the function's deploy
  ma-alexa-bridge skill-package --lambda-arn ARN --out DIR --force
      the Lambda path, once the function exists: then `cd DIR && ask deploy`

Options:
  --certificate trusted|wildcard  the endpoint's certificate: trusted (default) for one issued
                                  for DOMAIN by a public authority (Caddy's, Let's Encrypt's),
                                  wildcard for a public *.example.com certificate
  --force                         write into a folder that is not empty: the package is
                                  replaced, the ASK CLI's .ask/ folder (the skill id) is kept";

/// What the command was asked for; [`Args::parse`] is the only way to get one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The endpoint to put in the manifest.
    pub endpoint: Endpoint,
    /// The folder to write into.
    pub out: PathBuf,
    /// Whether a folder that is not empty may be written into.
    pub force: bool,
}

/// Where Alexa sends the skill's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// The bridge, over HTTPS (the home path).
    Https(HttpsEndpoint),
    /// An AWS Lambda function (the Lambda path).
    Lambda(LambdaArn),
    /// None yet: creates the skill so its id exists before the function does.
    None,
}

/// The kind of certificate an HTTPS endpoint presents, as the manifest names it
/// (`sslCertificateType`). Self-signed certificates are left out on purpose: Echo devices
/// refuse them for the streams anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateType {
    /// Issued for the endpoint's own name by a publicly trusted authority.
    Trusted,
    /// A publicly trusted wildcard certificate (`*.example.com`) covering the name.
    Wildcard,
}

impl CertificateType {
    /// Reads `trusted` or `wildcard`, in any case.
    pub fn parse(raw: &str) -> Result<Self, PackageError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "trusted" => Ok(Self::Trusted),
            "wildcard" => Ok(Self::Wildcard),
            _ => Err(PackageError::Certificate(raw.to_owned())),
        }
    }

    /// The manifest's value: `Trusted` or `Wildcard`.
    pub fn manifest_value(self) -> &'static str {
        match self {
            Self::Trusted => "Trusted",
            Self::Wildcard => "Wildcard",
        }
    }
}

/// An `https://` URL Alexa can call: a public domain name, port 443, no credentials, query or
/// fragment. `parse` is the only way to get one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsEndpoint {
    url: Url,
    certificate: CertificateType,
}

impl HttpsEndpoint {
    /// Checks `raw`. A path other than [`SKILL_PATH`] is allowed (a proxy may rewrite it) but
    /// comes back as a note to show the user.
    pub fn parse(
        raw: &str,
        certificate: CertificateType,
    ) -> Result<(Self, Option<String>), PackageError> {
        let url = Url::parse(raw.trim()).map_err(|e| PackageError::NotAUrl {
            given: raw.to_owned(),
            reason: e.to_string(),
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            // Checked first, so the message never repeats a password.
            return Err(PackageError::Credentials);
        }
        if url.scheme() != "https" {
            return Err(PackageError::NotHttps {
                given: raw.to_owned(),
            });
        }
        let host = match url.host() {
            Some(Host::Domain(domain)) => domain.to_owned(),
            Some(Host::Ipv4(ip)) => {
                return Err(PackageError::NotADomain(IpAddr::V4(ip).to_string()))
            }
            Some(Host::Ipv6(ip)) => {
                return Err(PackageError::NotADomain(IpAddr::V6(ip).to_string()))
            }
            None => {
                return Err(PackageError::NotAUrl {
                    given: raw.to_owned(),
                    reason: "no host".to_owned(),
                })
            }
        };
        if !host.trim_end_matches('.').contains('.') {
            return Err(PackageError::NotADomain(host));
        }
        if let Some(port) = url.port() {
            return Err(PackageError::Port(port));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(PackageError::QueryOrFragment);
        }
        if url.path() == "/" {
            return Err(PackageError::NoPath { host });
        }
        let note = (url.path() != SKILL_PATH).then(|| {
            format!(
                "the bridge serves the skill at {SKILL_PATH}, not {}: unless your proxy rewrites \
                 that path to {SKILL_PATH}, Alexa's requests will get 404",
                url.path()
            )
        });
        Ok((Self { url, certificate }, note))
    }

    /// The URL, as it goes into the manifest.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The certificate kind.
    pub fn certificate(&self) -> CertificateType {
        self.certificate
    }
}

/// An AWS Lambda function's ARN: `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
/// `parse` is the only way to get one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaArn {
    arn: String,
    region: String,
}

impl LambdaArn {
    /// Checks `raw`'s shape. A region Alexa does not call comes back as a note.
    pub fn parse(raw: &str) -> Result<(Self, Option<String>), PackageError> {
        let arn = raw.trim();
        let bad = || PackageError::NotALambdaArn(arn.to_owned());
        let parts: Vec<&str> = arn.split(':').collect();
        let (region, account, name, qualifier) = match parts.as_slice() {
            ["arn", "aws", "lambda", region, account, "function", name] => {
                (*region, *account, *name, None)
            }
            ["arn", "aws", "lambda", region, account, "function", name, qualifier] => {
                (*region, *account, *name, Some(*qualifier))
            }
            _ => return Err(bad()),
        };
        let region_ok = region.split('-').count() >= 3
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
        let name_ok = (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let qualifier_ok = qualifier.is_none_or(|q| {
            (1..=128).contains(&q.len())
                && q.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$')
        });
        if !(region_ok && account_ok && name_ok && qualifier_ok) {
            return Err(bad());
        }
        let note = (!ALEXA_REGIONS.contains(&region)).then(|| {
            format!(
                "Alexa calls Lambda functions in {} only (one per Alexa region); a function in \
                 {region} will not be reachable as the default endpoint",
                ALEXA_REGIONS.join(", ")
            )
        });
        Ok((
            Self {
                arn: arn.to_owned(),
                region: region.to_owned(),
            },
            note,
        ))
    }

    /// The ARN, as it goes into the manifest.
    pub fn as_str(&self) -> &str {
        &self.arn
    }

    /// The function's AWS region.
    pub fn region(&self) -> &str {
        &self.region
    }
}

/// What went wrong; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The command line does not say what to do.
    #[error("{0}")]
    Usage(String),
    /// `--certificate` got something else than trusted or wildcard.
    #[error("--certificate {0:?}: use trusted (a certificate issued for the name) or wildcard (a public *.domain certificate); Alexa accepts self-signed ones for testing only and Echo devices refuse them for streams")]
    Certificate(String),
    /// The endpoint does not parse as a URL.
    #[error(
        "the endpoint {given:?} is not a URL ({reason}): give it as https://DOMAIN{SKILL_PATH}"
    )]
    NotAUrl {
        /// What was given.
        given: String,
        /// Why it does not parse.
        reason: String,
    },
    /// Not `https://`.
    #[error("the endpoint {given:?} is not https://: Alexa calls a skill's web service over HTTPS only, with a publicly trusted certificate; give https://DOMAIN{SKILL_PATH}")]
    NotHttps {
        /// What was given.
        given: String,
    },
    /// A user name or password in the URL (never repeated here).
    #[error("the endpoint carries a user name or password: Alexa sends none, and the bridge does not ask Alexa for one (it checks Amazon's signature instead); give https://DOMAIN{SKILL_PATH}")]
    Credentials,
    /// An IP address or a name without a dot.
    #[error("the endpoint's host {0} is not a public domain name: Alexa needs a name that resolves on the internet and that a publicly trusted certificate names (a dynamic DNS name works)")]
    NotADomain(String),
    /// A port other than the default.
    #[error("the endpoint names port {0}: Alexa calls web services on port 443 only; drop the port and have your router or tunnel bring port 443 to the proxy")]
    Port(u16),
    /// A query string or a fragment.
    #[error("the endpoint has a query or fragment: give https://DOMAIN{SKILL_PATH} alone")]
    QueryOrFragment,
    /// Only the host.
    #[error("the endpoint has no path: the bridge serves the skill at {SKILL_PATH}, so give https://{host}{SKILL_PATH}")]
    NoPath {
        /// The host given.
        host: String,
    },
    /// Not a Lambda function ARN.
    #[error("{0:?} is not a Lambda function ARN: give arn:aws:lambda:REGION:ACCOUNT:function:NAME, e.g. the stack's SkillFunctionArn output")]
    NotALambdaArn(String),
    /// The output folder has files and `--force` was not given.
    #[error("{} is not empty: give an empty or new folder, or --force to replace the skill package in it (its .ask/ folder, where the ASK CLI keeps the skill id, is kept)", .0.display())]
    NotEmpty(PathBuf),
    /// The output path is a file.
    #[error("{} exists and is not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// Reading or writing a file failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The embedded manifest is not what this module expects (a build from broken files).
    #[error("the skill manifest built into this binary is broken ({0}): rebuild from a checkout whose tests pass")]
    Embedded(String),
}

impl Args {
    /// Reads the command line after `skill-package`. `Ok(None)` means help was asked for. Notes
    /// (warnings that do not stop the command) come back beside the arguments.
    pub fn parse(args: &[String]) -> Result<Option<(Self, Vec<String>)>, PackageError> {
        let mut endpoint: Option<String> = None;
        let mut lambda_arn: Option<String> = None;
        let mut no_endpoint = false;
        let mut certificate: Option<String> = None;
        let mut out: Option<String> = None;
        let mut force = false;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = |slot: &mut Option<String>| -> Result<(), PackageError> {
                if slot.is_some() {
                    return Err(PackageError::Usage(format!("{name} is given twice")));
                }
                let given = match inline.clone() {
                    Some(value) => value,
                    None => rest
                        .next()
                        .cloned()
                        .ok_or_else(|| PackageError::Usage(format!("{name} needs a value")))?,
                };
                *slot = Some(given);
                Ok(())
            };
            match name {
                "-h" | "--help" => return Ok(None),
                "--endpoint" => value(&mut endpoint)?,
                "--lambda-arn" => value(&mut lambda_arn)?,
                "--certificate" => value(&mut certificate)?,
                "--out" => value(&mut out)?,
                "--no-endpoint" if inline.is_none() => no_endpoint = true,
                "--force" if inline.is_none() => force = true,
                _ => {
                    return Err(PackageError::Usage(format!(
                        "unknown argument {arg:?} (see ma-alexa-bridge skill-package --help)"
                    )))
                }
            }
        }
        let out = out.filter(|o| !o.is_empty()).ok_or_else(|| {
            PackageError::Usage(
                "--out DIR is missing: the folder to write the package into".to_owned(),
            )
        })?;
        let mut notes = Vec::new();
        let endpoint = match (endpoint, lambda_arn, no_endpoint) {
            (Some(raw), None, false) => {
                let certificate = match certificate.as_deref() {
                    Some(raw) => CertificateType::parse(raw)?,
                    None => CertificateType::Trusted,
                };
                let (https, note) = HttpsEndpoint::parse(&raw, certificate)?;
                notes.extend(note);
                Endpoint::Https(https)
            }
            (None, Some(raw), false) => {
                let (arn, note) = LambdaArn::parse(&raw)?;
                notes.extend(note);
                Endpoint::Lambda(arn)
            }
            (None, None, true) => Endpoint::None,
            (None, None, false) => {
                return Err(PackageError::Usage(
                    "say where Alexa sends requests: --endpoint https://DOMAIN/alexa/skill (the bridge), --lambda-arn ARN (a Lambda function) or --no-endpoint (create the skill first, for the Lambda path)".to_owned(),
                ))
            }
            _ => {
                return Err(PackageError::Usage(
                    "give only one of --endpoint, --lambda-arn and --no-endpoint".to_owned(),
                ))
            }
        };
        if certificate.is_some() && !matches!(endpoint, Endpoint::Https(_)) {
            return Err(PackageError::Usage(
                "--certificate goes with --endpoint only: a Lambda function has no certificate to name".to_owned(),
            ));
        }
        Ok(Some((
            Self {
                endpoint,
                out: PathBuf::from(out),
                force,
            },
            notes,
        )))
    }
}

/// The package's files, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillPackage {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl SkillPackage {
    /// The package for `endpoint`: the embedded manifest with the endpoint set, every embedded
    /// model as it is, and [`ASK_RESOURCES`].
    pub fn new(endpoint: &Endpoint) -> Result<Self, PackageError> {
        let manifest = manifest(endpoint)?;
        let mut manifest_text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| PackageError::Embedded(e.to_string()))?;
        manifest_text.push('\n');
        let package = Path::new(PACKAGE_DIR);
        let mut files = vec![
            (
                PathBuf::from("ask-resources.json"),
                ASK_RESOURCES.as_bytes().to_vec(),
            ),
            (package.join("skill.json"), manifest_text.into_bytes()),
        ];
        for locale in ModelLocale::all() {
            files.push((
                package.join(MODELS_DIR).join(format!("{locale}.json")),
                locale.model_json().as_bytes().to_vec(),
            ));
        }
        Ok(Self { files })
    }

    /// Every file: its path relative to the output folder, and its content.
    pub fn files(&self) -> &[(PathBuf, Vec<u8>)] {
        &self.files
    }

    /// Writes the files into `dir`, creating it if needed. A folder with anything in it is
    /// refused unless `force`; with `force`, models of locales this package does not ship are
    /// removed (they would otherwise be deployed) and `.ask/` is left alone.
    pub fn write(&self, dir: &Path, force: bool) -> Result<Written, PackageError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| PackageError::Io { path, source }
        };
        match std::fs::metadata(dir) {
            Ok(meta) if !meta.is_dir() => return Err(PackageError::NotAFolder(dir.to_owned())),
            Ok(_) => {
                let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
                if entries.next().is_some() && !force {
                    return Err(PackageError::NotEmpty(dir.to_owned()));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(dir)(e)),
        }
        let models = dir.join(PACKAGE_DIR).join(MODELS_DIR);
        std::fs::create_dir_all(&models).map_err(io(&models))?;
        let mut removed = Vec::new();
        for entry in std::fs::read_dir(&models).map_err(io(&models))? {
            let path = entry.map_err(io(&models))?.path();
            let ours = self.files.iter().any(|(file, _)| dir.join(file) == path);
            if !ours && path.extension().is_some_and(|e| e == "json") {
                std::fs::remove_file(&path).map_err(io(&path))?;
                removed.push(path);
            }
        }
        for (file, content) in &self.files {
            let path = dir.join(file);
            std::fs::write(&path, content).map_err(io(&path))?;
        }
        Ok(Written {
            removed,
            skill_id: skill_id_in(dir),
        })
    }
}

/// What [`SkillPackage::write`] did besides writing the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Models of locales the package does not ship, removed.
    pub removed: Vec<PathBuf>,
    /// The skill id the ASK CLI keeps in the folder (`.ask/ask-states.json`), when there is
    /// one: `ask deploy` there updates that skill.
    pub skill_id: Option<String>,
}

/// The embedded manifest with `endpoint` in `apis.custom.endpoint`.
pub fn manifest(endpoint: &Endpoint) -> Result<Value, PackageError> {
    let mut manifest: Value =
        serde_json::from_str(MANIFEST).map_err(|e| PackageError::Embedded(e.to_string()))?;
    let custom = manifest
        .pointer_mut("/manifest/apis/custom")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| PackageError::Embedded("no manifest.apis.custom".to_owned()))?;
    match endpoint {
        Endpoint::Https(https) => {
            custom.insert(
                "endpoint".to_owned(),
                json!({
                    "uri": https.as_str(),
                    "sslCertificateType": https.certificate().manifest_value(),
                }),
            );
        }
        Endpoint::Lambda(arn) => {
            custom.insert("endpoint".to_owned(), json!({ "uri": arn.as_str() }));
        }
        Endpoint::None => {
            custom.remove("endpoint");
        }
    }
    Ok(manifest)
}

/// The `default` profile's skill id in `dir/.ask/ask-states.json`, if the ASK CLI left one.
fn skill_id_in(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(ASK_STATE_DIR).join("ask-states.json")).ok()?;
    let states: Value = serde_json::from_str(&text).ok()?;
    states
        .pointer("/profiles/default/skillId")
        .and_then(Value::as_str)
        .filter(|id| id.starts_with("amzn1.ask.skill."))
        .map(str::to_owned)
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Https(https) => write!(
                f,
                "{} (HTTPS, certificate {})",
                https.as_str(),
                https.certificate().manifest_value()
            ),
            Self::Lambda(arn) => write!(f, "{} (AWS Lambda)", arn.as_str()),
            Self::None => f.write_str("none yet"),
        }
    }
}

/// The command: `ma-alexa-bridge skill-package ARGS`. Exit code 0 when the package is written,
/// 2 for a command line to correct, 1 when writing failed.
pub fn command(args: &[String]) -> ExitCode {
    let (args, notes) = match Args::parse(args) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("ma-alexa-bridge skill-package: {e}");
            return ExitCode::from(2);
        }
    };
    for note in &notes {
        eprintln!("ma-alexa-bridge skill-package: warning: {note}");
    }
    let written = SkillPackage::new(&args.endpoint).and_then(|p| p.write(&args.out, args.force));
    let written = match written {
        Ok(written) => written,
        Err(e @ (PackageError::NotEmpty(_) | PackageError::NotAFolder(_))) => {
            eprintln!("ma-alexa-bridge skill-package: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("ma-alexa-bridge skill-package: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", summary(&args, &written));
    ExitCode::SUCCESS
}

/// What was written and what to run next.
fn summary(args: &Args, written: &Written) -> String {
    let dir = args.out.display();
    let mut text = format!(
        "wrote the skill package to {dir}: ask-resources.json, {PACKAGE_DIR}/skill.json \
         (endpoint: {}) and {} interaction models ({})",
        args.endpoint,
        ModelLocale::all().count(),
        ModelLocale::list()
    );
    for path in &written.removed {
        text.push_str(&format!(
            "\nremoved {}: a locale this package no longer ships",
            path.display()
        ));
    }
    let target = match &written.skill_id {
        Some(id) => format!("updates the skill {id} (from {dir}/.ask/ask-states.json)"),
        None => "creates the skill".to_owned(),
    };
    let next = match args.endpoint {
        Endpoint::None => format!(
            "next: cd {dir} && ask deploy --target skill-metadata\n  {target} without an \
             endpoint and prints its id (kept in {dir}/.ask/ask-states.json); deploy the function \
             with that id, then run this command again with --lambda-arn ARN --force and \
             `ask deploy` once more"
        ),
        Endpoint::Lambda(_) => format!(
            "next: cd {dir} && ask deploy\n  {target}, points it at the function (whose trigger \
             must name the skill id) and enables it for testing on your account's Echo devices"
        ),
        Endpoint::Https(_) => format!(
            "next: cd {dir} && ask deploy\n  {target}, points it at the bridge and enables it \
             for testing on your account's Echo devices; the bridge needs SKILL_ID set to the \
             skill's id"
        ),
    };
    text.push('\n');
    text.push_str(&next);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &[&str]) -> Result<Option<(Args, Vec<String>)>, PackageError> {
        let line: Vec<String> = line.iter().map(|a| (*a).to_owned()).collect();
        Args::parse(&line)
    }

    #[test]
    fn the_embedded_manifest_has_no_endpoint_of_its_own() {
        let embedded: Value = serde_json::from_str(MANIFEST).expect("parses");
        assert!(embedded.pointer("/manifest/apis/custom").is_some());
        assert!(embedded.pointer("/manifest/apis/custom/endpoint").is_none());
    }

    #[test]
    fn values_may_follow_an_equals_sign() {
        let (parsed, notes) = args(&[
            "--endpoint=https://music.example.com/alexa/skill",
            "--out=pkg",
        ])
        .expect("parses")
        .expect("not help");
        assert!(notes.is_empty());
        assert_eq!(parsed.out, PathBuf::from("pkg"));
        assert!(!parsed.force);
        assert!(matches!(parsed.endpoint, Endpoint::Https(_)));
    }

    #[test]
    fn help_is_help() {
        assert!(matches!(args(&["--help"]), Ok(None)));
        assert!(matches!(args(&["--out", "x", "-h"]), Ok(None)));
    }

    #[test]
    fn lambda_arns_are_checked_for_shape() {
        for good in [
            "arn:aws:lambda:eu-west-1:123456789012:function:ma-alexa-skill",
            "arn:aws:lambda:us-east-1:123456789012:function:ma-alexa-skill-SkillFunction-AbC123_x",
            "arn:aws:lambda:us-west-2:123456789012:function:f:$LATEST",
            "arn:aws:lambda:us-west-2:123456789012:function:f:live",
        ] {
            let (arn, note) = LambdaArn::parse(good).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(arn.as_str(), good);
            assert_eq!(note, None, "{good}");
        }
        for bad in [
            "",
            "ma-alexa-skill",
            "arn:aws:lambda:eu-west-1:123456789012:function:",
            "arn:aws:lambda:eu-west-1:12345678901:function:f",
            "arn:aws:lambda:eu-west-1:123456789012:layer:f",
            "arn:aws:s3:eu-west-1:123456789012:function:f",
            "arn:aws:lambda:eu west 1:123456789012:function:f",
            "arn:aws:lambda:eu-west-1:123456789012:function:f:a:b",
            "https://music.example.com/alexa/skill",
        ] {
            assert!(
                matches!(LambdaArn::parse(bad), Err(PackageError::NotALambdaArn(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_function_outside_alexas_regions_is_written_with_a_warning() {
        let (arn, note) =
            LambdaArn::parse("arn:aws:lambda:eu-central-1:123456789012:function:f").expect("ok");
        assert_eq!(arn.region(), "eu-central-1");
        assert!(note.is_some_and(|n| n.contains("eu-west-1")));
    }

    #[test]
    fn certificate_types_are_the_manifests() {
        assert_eq!(
            CertificateType::parse("Trusted")
                .map(CertificateType::manifest_value)
                .ok(),
            Some("Trusted")
        );
        assert_eq!(
            CertificateType::parse("wildcard")
                .map(CertificateType::manifest_value)
                .ok(),
            Some("Wildcard")
        );
        assert!(CertificateType::parse("selfsigned").is_err());
    }
}
