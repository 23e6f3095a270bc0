//! `ma-alexa-bridge skill-package`, the real binary: the package it writes is the repository's
//! `skill-package/` and `ask-resources.json` with only the endpoint set (so the two cannot
//! drift), in the shape Amazon's manifest schema and the ASK CLI read; and every command line it
//! must refuse is refused with a message that says what to give, writing nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::bridge_process::{TempDir, BRIDGE_BIN};
use ma_alexa_skill::interaction_models::ModelLocale;
use serde_json::{json, Value};

const HOME_ENDPOINT: &str = "https://music.example.com/alexa/skill";
const FUNCTION_ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:ma-alexa-skill";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `ma-alexa-bridge skill-package ARGS` with an empty environment.
fn skill_package(args: &[&str]) -> Output {
    Command::new(BRIDGE_BIN)
        .arg("skill-package")
        .args(args)
        .env_clear()
        .output()
        .expect("the bridge binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every file under `dir`, by its path relative to `dir`, with its content.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).expect("under root").to_owned();
                found.insert(relative, std::fs::read(&path).expect("readable file"));
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// The repository's own package: `ask-resources.json` and everything under `skill-package/`.
fn repository_package() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files: BTreeMap<PathBuf, Vec<u8>> = files_under(&repo().join("skill-package"))
        .into_iter()
        .map(|(path, content)| (Path::new("skill-package").join(path), content))
        .collect();
    files.insert(
        PathBuf::from("ask-resources.json"),
        std::fs::read(repo().join("ask-resources.json")).expect("ask-resources.json"),
    );
    files
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

/// Writes a package into a new folder and returns the folder and what the command printed.
fn written(args: &[&str]) -> (TempDir, BTreeMap<PathBuf, Vec<u8>>, Output) {
    let dir = TempDir::new("skill-package");
    let out = dir.path().join("pkg");
    let out_arg = out.to_str().expect("utf-8 path");
    let mut line: Vec<&str> = args.to_vec();
    line.extend(["--out", out_arg]);
    let output = skill_package(&line);
    assert!(
        output.status.success(),
        "{args:?}: {}{}",
        stdout(&output),
        stderr(&output)
    );
    let files = files_under(&out);
    (dir, files, output)
}

/// Checks `written` against the repository's package: the same files, the same bytes except
/// the manifest, and the manifest the same JSON except `apis.custom.endpoint`, which must be
/// `endpoint` (absent for `None`).
fn assert_repository_package_with(written: &BTreeMap<PathBuf, Vec<u8>>, endpoint: Option<Value>) {
    let repository = repository_package();
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        repository.keys().collect::<Vec<_>>(),
        "the same files as the repository"
    );
    let manifest_path = Path::new("skill-package/skill.json");
    for (path, content) in &repository {
        if path != manifest_path {
            assert!(
                written[path] == *content,
                "{} differs from the repository's",
                path.display()
            );
        }
    }
    let mut expected = json_of(&repository[manifest_path]);
    assert!(
        expected.pointer("/manifest/apis/custom/endpoint").is_none(),
        "the repository's manifest has no endpoint: a placeholder would fail Alexa's trigger check"
    );
    if let Some(endpoint) = endpoint {
        expected["manifest"]["apis"]["custom"]["endpoint"] = endpoint;
    }
    assert_eq!(json_of(&written[manifest_path]), expected);
}

#[test]
fn the_home_package_is_the_repositorys_with_the_https_endpoint() {
    let (_dir, files, output) = written(&["--endpoint", HOME_ENDPOINT]);
    assert_repository_package_with(
        &files,
        Some(json!({ "uri": HOME_ENDPOINT, "sslCertificateType": "Trusted" })),
    );
    assert!(
        output.stderr.is_empty(),
        "no warning for the bridge's own path: {}",
        stderr(&output)
    );
    let printed = stdout(&output);
    assert!(printed.contains("ask deploy\n"), "{printed}");
    assert!(printed.contains("creates the skill"), "{printed}");
}

#[test]
fn a_wildcard_certificate_is_named_as_such() {
    let (_dir, files, _) = written(&["--endpoint", HOME_ENDPOINT, "--certificate", "wildcard"]);
    assert_repository_package_with(
        &files,
        Some(json!({ "uri": HOME_ENDPOINT, "sslCertificateType": "Wildcard" })),
    );
}

#[test]
fn the_lambda_package_names_the_function_and_no_certificate() {
    let (_dir, files, _) = written(&["--lambda-arn", FUNCTION_ARN]);
    assert_repository_package_with(&files, Some(json!({ "uri": FUNCTION_ARN })));
}

#[test]
fn without_an_endpoint_the_package_is_the_repositorys() {
    let (_dir, files, output) = written(&["--no-endpoint"]);
    assert_repository_package_with(&files, None);
    let printed = stdout(&output);
    assert!(
        printed.contains("ask deploy --target skill-metadata"),
        "the first Lambda step deploys the metadata only (a plain deploy would try to enable a skill without an endpoint): {printed}"
    );
}

/// The fields Amazon's skill manifest schema (ask-smapi-model `SkillManifestEndpoint`,
/// `SSLCertificateType`, `AudioInterface`) and the ASK CLI (v2 `ask-resources.json`) read.
#[test]
fn the_package_has_the_shape_amazon_and_the_ask_cli_read() {
    let (_dir, files, _) = written(&["--endpoint", HOME_ENDPOINT]);
    let manifest = json_of(&files[Path::new("skill-package/skill.json")]);
    let manifest = &manifest["manifest"];
    assert_eq!(manifest["manifestVersion"], "1.0");
    let custom = manifest["apis"]
        .as_object()
        .expect("apis")
        .get("custom")
        .expect("a custom skill");
    assert_eq!(manifest["apis"].as_object().map(|a| a.len()), Some(1));
    let endpoint = custom["endpoint"].as_object().expect("endpoint");
    assert_eq!(
        endpoint.keys().map(String::as_str).collect::<Vec<_>>(),
        ["sslCertificateType", "uri"]
    );
    assert_eq!(endpoint["uri"], HOME_ENDPOINT);
    // One of the schema's SelfSigned, Wildcard and Trusted: a Caddy or Let's Encrypt
    // certificate for the name is Trusted.
    assert_eq!(endpoint["sslCertificateType"], "Trusted");
    assert_eq!(custom["interfaces"][0], json!({ "type": "AUDIO_PLAYER" }));
    assert_eq!(custom["interfaces"][1]["type"], "ALEXA_PRESENTATION_APL");

    // Every locale: publishing information with the invocation name, and a model.
    let shipped: Vec<&str> = ModelLocale::all().map(ModelLocale::as_str).collect();
    let published = manifest["publishingInformation"]["locales"]
        .as_object()
        .expect("locales");
    let mut published_locales: Vec<&str> = published.keys().map(String::as_str).collect();
    let mut shipped_sorted = shipped.clone();
    published_locales.sort_unstable();
    shipped_sorted.sort_unstable();
    assert_eq!(published_locales, shipped_sorted);
    for locale in &shipped {
        let info = &published[*locale];
        assert_eq!(info["name"], "Music Assistant", "{locale}");
        for phrase in info["examplePhrases"].as_array().expect("example phrases") {
            let phrase = phrase.as_str().expect("text").to_lowercase();
            assert!(phrase.contains("music assistant"), "{locale}: {phrase}");
        }
        let model = json_of(
            &files[&Path::new("skill-package/interactionModels/custom")
                .join(format!("{locale}.json"))],
        );
        assert_eq!(
            model["interactionModel"]["languageModel"]["invocationName"], "music assistant",
            "{locale}"
        );
    }

    let resources = json_of(&files[Path::new("ask-resources.json")]);
    assert_eq!(resources["askcliResourcesVersion"], "2020-03-31");
    let profile = resources["profiles"]["default"]
        .as_object()
        .expect("the default profile, the one `ask configure` makes");
    assert_eq!(
        profile.keys().map(String::as_str).collect::<Vec<_>>(),
        ["skillMetadata"],
        "no code and no skillInfrastructure: the ASK CLI deploys no backend"
    );
    assert_eq!(
        profile["skillMetadata"],
        json!({ "src": "./skill-package" })
    );
}

#[test]
fn a_folder_with_files_is_refused_without_force_and_left_alone() {
    let dir = TempDir::new("skill-package-full");
    std::fs::write(dir.path().join("notes.txt"), "mine").expect("written");
    let out = dir.path().to_str().expect("utf-8");
    let output = skill_package(&["--endpoint", HOME_ENDPOINT, "--out", out]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("is not empty"), "{message}");
    assert!(message.contains("--force"), "{message}");
    assert_eq!(
        files_under(dir.path()).into_keys().collect::<Vec<_>>(),
        [PathBuf::from("notes.txt")],
        "nothing written"
    );
}

/// The Lambda path writes the package twice into the same folder: the second time (with the
/// function's ARN) must keep the ASK CLI's state, so `ask deploy` updates the skill it created.
#[test]
fn force_replaces_the_package_and_keeps_the_ask_clis_skill_id() {
    let dir = TempDir::new("skill-package-again");
    let out = dir.path().join("pkg");
    let out_arg = out.to_str().expect("utf-8");
    let first = skill_package(&["--no-endpoint", "--out", out_arg]);
    assert!(first.status.success(), "{}", stderr(&first));

    // What `ask deploy --target skill-metadata` leaves, and a model of a locale the package no
    // longer ships.
    let states = out.join(".ask/ask-states.json");
    std::fs::create_dir_all(states.parent().expect("parent")).expect("folder");
    let state_text = r#"{"askcliStatesVersion":"2020-03-31","profiles":{"default":{"skillId":"amzn1.ask.skill.00000000-1111-2222-3333-444444444444"}}}"#;
    std::fs::write(&states, state_text).expect("written");
    let stale = out.join("skill-package/interactionModels/custom/ja-JP.json");
    std::fs::write(&stale, "{}").expect("written");

    let refused = skill_package(&["--lambda-arn", FUNCTION_ARN, "--out", out_arg]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));

    let again = skill_package(&["--lambda-arn", FUNCTION_ARN, "--out", out_arg, "--force"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(&states).expect("kept"),
        state_text,
        "the skill id is kept"
    );
    assert!(!stale.exists(), "a model nobody ships would be deployed");
    let mut files = files_under(&out);
    files.remove(Path::new(".ask/ask-states.json"));
    assert_repository_package_with(&files, Some(json!({ "uri": FUNCTION_ARN })));
    let printed = stdout(&again);
    assert!(
        printed.contains("updates the skill amzn1.ask.skill.00000000-1111-2222-3333-444444444444"),
        "{printed}"
    );
    assert!(printed.contains("removed "), "{printed}");
}

#[test]
fn a_path_other_than_the_bridges_is_written_with_a_warning() {
    let (_dir, files, output) = written(&["--endpoint", "https://music.example.com/skill"]);
    assert_repository_package_with(
        &files,
        Some(json!({ "uri": "https://music.example.com/skill", "sslCertificateType": "Trusted" })),
    );
    let warning = stderr(&output);
    assert!(
        warning.contains("warning") && warning.contains("/alexa/skill"),
        "{warning}"
    );
}

/// Each command line to correct: exit code 2, a message saying what to give, nothing written.
#[test]
fn bad_command_lines_are_refused_with_what_to_give() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "--out DIR is missing"),
        (&["--out"], "--out needs a value"),
        (
            &["--endpoint", "http://music.example.com/alexa/skill"],
            "is not https://",
        ),
        (
            &["--endpoint", "music.example.com/alexa/skill"],
            "is not a URL",
        ),
        (
            &[
                "--endpoint",
                "https://alexa:hunter2@music.example.com/alexa/skill",
            ],
            "user name or password",
        ),
        (
            &["--endpoint", "https://192.0.2.10/alexa/skill"],
            "not a public domain name",
        ),
        (
            &["--endpoint", "https://[2001:db8::1]/alexa/skill"],
            "not a public domain name",
        ),
        (
            &["--endpoint", "https://homeserver/alexa/skill"],
            "not a public domain name",
        ),
        (
            &["--endpoint", "https://music.example.com:8443/alexa/skill"],
            "port 443 only",
        ),
        (
            &["--endpoint", "https://music.example.com/alexa/skill?x=1"],
            "query or fragment",
        ),
        (
            &["--endpoint", "https://music.example.com"],
            "give https://music.example.com/alexa/skill",
        ),
        (
            &["--endpoint", HOME_ENDPOINT, "--certificate", "selfsigned"],
            "use trusted",
        ),
        (
            &["--lambda-arn", "ma-alexa-skill"],
            "is not a Lambda function ARN",
        ),
        (
            &["--lambda-arn", FUNCTION_ARN, "--certificate", "trusted"],
            "--certificate goes with --endpoint only",
        ),
        (
            &["--endpoint", HOME_ENDPOINT, "--lambda-arn", FUNCTION_ARN],
            "only one of",
        ),
        (
            &["--no-endpoint", "--endpoint", HOME_ENDPOINT],
            "only one of",
        ),
        (
            &["--endpoint", HOME_ENDPOINT, "--endpoint", HOME_ENDPOINT],
            "--endpoint is given twice",
        ),
        (&["--force"], "say where Alexa sends requests"),
        (
            &["--no-endpoint", "--bogus"],
            "unknown argument \"--bogus\"",
        ),
    ];
    for (args, wanted) in cases {
        let dir = TempDir::new("skill-package-bad");
        let out = dir.path().join("pkg");
        let mut line: Vec<&str> = args.to_vec();
        // Every case names the folder, except the two about --out itself.
        if !args.is_empty() && *args != ["--out"] {
            line.extend(["--out", out.to_str().expect("utf-8")]);
        }
        let output = skill_package(&line);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{line:?}: {message}");
        assert!(message.contains(wanted), "{line:?}: {message}");
        assert!(
            message.starts_with("ma-alexa-bridge skill-package: "),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "a password is never repeated");
        assert!(!out.exists(), "{line:?}: nothing is written");
    }
}

#[test]
fn a_file_in_place_of_the_folder_is_refused() {
    let dir = TempDir::new("skill-package-file");
    let file = dir.path().join("pkg");
    std::fs::write(&file, "a file").expect("written");
    let output = skill_package(&["--no-endpoint", "--out", file.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not a folder"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_explains_the_three_ways() {
    let output = skill_package(&["--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    for wanted in [
        "--endpoint",
        "--lambda-arn",
        "--no-endpoint",
        "--force",
        "ask deploy",
    ] {
        assert!(help.contains(wanted), "{wanted}: {help}");
    }
}
