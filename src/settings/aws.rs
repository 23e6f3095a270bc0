//! Where SSM is and as whom the skill calls it, found the way the AWS SDKs and CLI find them:
//! the environment first (inside Lambda that is all there is), then the shared config files.
//!
//! - **Credentials**: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`),
//!   else the static keys of the profile `AWS_PROFILE` (or `default`) in
//!   `AWS_SHARED_CREDENTIALS_FILE` (`~/.aws/credentials`) or `AWS_CONFIG_FILE`
//!   (`~/.aws/config`). Single sign-on and role profiles are not followed: export their
//!   temporary keys first (`eval "$(aws configure export-credentials --format env)"`).
//! - **Region**: `AWS_REGION`, `AWS_DEFAULT_REGION`, else the profile's `region`.
//! - **Endpoint**: `AWS_ENDPOINT_URL_SSM`, `AWS_ENDPOINT_URL`, else the region's public SSM
//!   endpoint (`ssm-fips` with `AWS_USE_FIPS_ENDPOINT=true`; `amazonaws.com.cn` in China).

use std::cell::OnceCell;
use std::path::PathBuf;
use std::time::SystemTime;

use bytes::Bytes;
use secrecy::SecretString;
use url::Url;

use super::sigv4::{self, Credentials, Scope};

/// The service SSM signs requests as, and names its endpoints after.
const SERVICE: &str = "ssm";

/// Everything a call to SSM needs besides the request.
#[derive(Debug, Clone)]
pub struct Target {
    /// The API's base URL (`https://ssm.eu-west-1.amazonaws.com/`).
    pub endpoint: Url,
    /// The region requests are signed for.
    pub region: String,
    /// Who signs them.
    pub credentials: Credentials,
}

impl Target {
    /// The target the process environment and the shared config files describe.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(&|name| std::env::var(name).ok(), &|path| {
            std::fs::read_to_string(path).ok()
        })
    }

    /// The same, with the environment read through `env` and files through `read`.
    pub fn from_lookup(
        env: &dyn Fn(&str) -> Option<String>,
        read: &dyn Fn(&std::path::Path) -> Option<String>,
    ) -> Result<Self, String> {
        let get = |name: &str| {
            env(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let profile = get("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let home = get("HOME").map(PathBuf::from);
        let file = |variable: &str, default: &str| {
            get(variable)
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
                .and_then(|path| read(&path))
                .unwrap_or_default()
        };
        // In the credentials file a section is the profile's name; in the config file it is
        // `profile NAME`, except for `default`.
        let config_section = if profile == "default" {
            profile.clone()
        } else {
            format!("profile {profile}")
        };
        // Read only when the environment leaves something to find (inside Lambda it never does).
        let files = OnceCell::new();
        let from_files = |key: &str| {
            let (credentials_file, config_file) = files.get_or_init(|| {
                (
                    file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
                    file("AWS_CONFIG_FILE", "config"),
                )
            });
            profile_value(credentials_file, &profile, key)
                .or_else(|| profile_value(config_file, &config_section, key))
        };

        let region = get("AWS_REGION")
            .or_else(|| get("AWS_DEFAULT_REGION"))
            .or_else(|| from_files("region"))
            .ok_or("no AWS region: set AWS_REGION (the region of the parameters)")?;
        if !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!("the AWS region '{region}' is not a region name"));
        }

        let from_env = match (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Some((id, secret, get("AWS_SESSION_TOKEN"))),
            _ => None,
        };
        let keys = from_env.or_else(|| {
            match (
                from_files("aws_access_key_id"),
                from_files("aws_secret_access_key"),
            ) {
                (Some(id), Some(secret)) => Some((id, secret, from_files("aws_session_token"))),
                _ => None,
            }
        });
        let Some((access_key_id, secret, token)) = keys else {
            return Err(format!(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give \
                 profile '{profile}' static keys (for single sign-on or a role: \
                 eval \"$(aws configure export-credentials --format env)\")"
            ));
        };
        let credentials = Credentials {
            access_key_id,
            secret_access_key: SecretString::from(secret),
            session_token: token.map(SecretString::from),
        };

        let endpoint = match get("AWS_ENDPOINT_URL_SSM").or_else(|| get("AWS_ENDPOINT_URL")) {
            Some(raw) => Url::parse(&raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| "the SSM endpoint URL setting is not an http(s) URL".to_owned())?,
            None => {
                let fips = get("AWS_USE_FIPS_ENDPOINT").is_some_and(|v| v == "true");
                let name = if fips { "ssm-fips" } else { SERVICE };
                let suffix = if region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                Url::parse(&format!("https://{name}.{region}.{suffix}/"))
                    .map_err(|e| format!("no SSM endpoint for region '{region}': {e}"))?
            }
        };
        Ok(Self {
            endpoint,
            region,
            credentials,
        })
    }

    /// A `POST` of `body` to SSM's JSON operation `operation` (`GetParametersByPath`), signed
    /// now with this target's credentials, ready for `client` to send.
    pub fn request(
        &self,
        client: &reqwest::Client,
        operation: &str,
        body: Bytes,
    ) -> reqwest::RequestBuilder {
        let host = crate::authority(&self.endpoint);
        let amz_target = format!("AmazonSSM.{operation}");
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", amz_target.as_str()),
        ];
        let request = sigv4::Request {
            host: &host,
            path: self.endpoint.path(),
            headers: &headers,
            body: &body,
        };
        let scope = Scope {
            region: &self.region,
            service: SERVICE,
            time: SystemTime::now(),
        };
        let signed = sigv4::sign(&request, scope, &self.credentials);
        let mut builder = client.post(self.endpoint.clone());
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        for (name, value) in signed {
            builder = builder.header(name, value);
        }
        builder.body(body)
    }
}

/// `key` of `[section]` in an INI-style AWS config or credentials file.
fn profile_value(file: &str, section: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in file.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.split_whitespace().collect::<Vec<_>>().join(" ") == section;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((name, value)) = line.split_once('=') {
            if name.trim() == key {
                let value = value.trim();
                return (!value.is_empty()).then(|| value.to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;
    use std::path::Path;

    fn target(env: &[(&str, &str)], files: &[(&str, &str)]) -> Result<Target, String> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let files: HashMap<PathBuf, String> = files
            .iter()
            .map(|(k, v)| (PathBuf::from(k), (*v).to_owned()))
            .collect();
        Target::from_lookup(&|name| env.get(name).cloned(), &|path: &Path| {
            files.get(path).cloned()
        })
    }

    #[test]
    fn lambda_environment_gives_everything() {
        let t = target(
            &[
                ("AWS_REGION", "eu-west-1"),
                ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
                ("AWS_SESSION_TOKEN", "token"),
            ],
            &[],
        )
        .expect("a target");
        assert_eq!(t.endpoint.as_str(), "https://ssm.eu-west-1.amazonaws.com/");
        assert_eq!(t.region, "eu-west-1");
        assert_eq!(t.credentials.access_key_id, "ASIAEXAMPLE");
        assert_eq!(
            t.credentials
                .session_token
                .as_ref()
                .map(|s| s.expose_secret()),
            Some("token")
        );
    }

    #[test]
    fn a_complete_environment_reads_no_file() {
        let env = HashMap::from([
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("HOME", "/home/me"),
        ]);
        let target = Target::from_lookup(&|name| env.get(name).map(|v| (*v).to_owned()), &|path| {
            panic!("read {}", path.display())
        });
        assert!(target.is_ok());
    }

    #[test]
    fn endpoints_follow_the_settings_and_the_partition() {
        let keys = [("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")];
        let with = |extra: &[(&str, &str)]| {
            let mut env = keys.to_vec();
            env.extend_from_slice(extra);
            target(&env, &[]).map(|t| t.endpoint.to_string())
        };
        assert_eq!(
            with(&[("AWS_REGION", "cn-north-1")]).as_deref(),
            Ok("https://ssm.cn-north-1.amazonaws.com.cn/")
        );
        assert_eq!(
            with(&[
                ("AWS_REGION", "us-east-1"),
                ("AWS_USE_FIPS_ENDPOINT", "true")
            ])
            .as_deref(),
            Ok("https://ssm-fips.us-east-1.amazonaws.com/")
        );
        assert_eq!(
            with(&[
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
                ("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:5000"),
            ])
            .as_deref(),
            Ok("http://127.0.0.1:5000/")
        );
        assert!(with(&[("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", "ftp://x")]).is_err());
        assert!(with(&[("AWS_REGION", "eu-west-1/../x")]).is_err());
        assert!(with(&[]).is_err_and(|e| e.contains("AWS_REGION")));
    }

    #[test]
    fn a_profile_gives_keys_and_region() {
        let credentials = "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n\
                           [home]\n# a comment\naws_access_key_id=AKIAHOME\naws_secret_access_key=h\n";
        let config = "[default]\nregion = us-east-1\n[profile home]\nregion = eu-central-1\n";
        let files = [
            ("/home/me/.aws/credentials", credentials),
            ("/home/me/.aws/config", config),
        ];
        let t = target(&[("HOME", "/home/me")], &files).expect("default profile");
        assert_eq!(
            (t.credentials.access_key_id.as_str(), t.region.as_str()),
            ("AKIADEFAULT", "us-east-1")
        );
        let t = target(&[("HOME", "/home/me"), ("AWS_PROFILE", "home")], &files)
            .expect("named profile");
        assert_eq!(
            (t.credentials.access_key_id.as_str(), t.region.as_str()),
            ("AKIAHOME", "eu-central-1")
        );
        let none = target(
            &[
                ("HOME", "/home/me"),
                ("AWS_PROFILE", "sso"),
                ("AWS_REGION", "eu-west-1"),
            ],
            &files,
        );
        assert!(
            none.is_err_and(|e| e.contains("export-credentials") && e.contains("'sso'")),
            "a profile without keys is explained"
        );
    }
}
