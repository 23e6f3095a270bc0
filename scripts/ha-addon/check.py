"""Checks this repository's Home Assistant add-on files the way Home Assistant's supervisor reads
them, and a little more strictly.

The rules come from reading the supervisor's source at commit
090ef31ec024952c2469ed5a7c9f3ce8c1a5499e (release 2026.08.0 and 4 commits; PyYAML 6.0.3 and
voluptuous 0.16.0 are its pinned versions, and this checker's):

- supervisor/store/data.py: a repository needs a `repository.{json,yaml,yml}` (found by a
  recursive search that takes the first match); every `config.{json,yaml,yml}` anywhere in the
  repository, outside folders starting with `.` and outside `rootfs`, is read as an add-on, and
  its folder is the add-on's folder; `translations/*.{json,yaml,yml}` beside it are its UI texts.
- supervisor/store/validate.py: what repository.yaml may hold.
- supervisor/apps/validate.py: what config.yaml may hold, the `schema` element grammar, the
  translation files, and (for a build.yaml) the legacy build file.
- supervisor/apps/options.py: the option types (`str(min,max)`, `password`, `int`, `float`,
  `bool`, `email`, `url`, `port`, `match(…)`, `list(a|b)`, `device`, a trailing `?` for
  optional) and how option values are checked against them.
- supervisor/validate.py: port keys (`5000`, `5000/tcp`, `5000/udp`) and port numbers.
- supervisor/apps/build.py: a `build.{json,yaml,yml}` in the add-on's folder (searched
  recursively) is read as its build file, deprecated since 2026.04; the image is built from
  `Dockerfile.<arch>` or `Dockerfile` in the add-on's folder, which is the build context.
- the developer documentation, https://developers.home-assistant.io/docs/apps/configuration
  (source commit 186ad06), for the same rules in prose.

Stricter than the supervisor, because each is a mistake it would let through silently: keys it
does not know (it drops them), map entries it cannot read (it skips them), deprecated
architectures, a version that YAML reads as a number, options that have no schema entry, a
`schema` list of more than one type (only the first is used), translations of options that do
not exist, a build file, and length bounds on `str` and `password` (every value failed them
before supervisor 2026.07, commit dfe7274). Then this project's own rules: the add-on's version is the crate's,
its languages are the skill's, and tests/fixtures/ha-addon/options.json (the options file the
Rust tests read) is one the supervisor could write for this schema.

Usage: python check.py REPOSITORY_ROOT   (exit 1 and one line per problem when any)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import voluptuous as vol
import yaml

CONFIG_SUFFIXES = (".json", ".yaml", ".yml")

# Architectures the supervisor supports, and those it still reads but warns about.
ARCHES = ("aarch64", "amd64")
DEPRECATED_ARCHES = ("armhf", "armv7", "i386")

MACHINES = (
    "intel-nuc khadas-vim3 generic-aarch64 generic-x86-64 odroid-c2 odroid-c4 odroid-m1 "
    "odroid-n2 odroid-xu qemuarm-64 qemuarm qemux86-64 qemux86 raspberrypi raspberrypi2 "
    "raspberrypi3-64 raspberrypi3 raspberrypi4-64 raspberrypi4 raspberrypi5-64 yellow green "
    "tinker"
).split()

MAP_TYPES = (
    "data config ssl local_apps addons backup share media homeassistant_config "
    "all_app_configs all_addon_configs app_config addon_config"
).split()

CAPABILITIES = (
    "BPF CHECKPOINT_RESTORE DAC_READ_SEARCH IPC_LOCK NET_ADMIN NET_RAW PERFMON SYS_ADMIN "
    "SYS_MODULE SYS_NICE SYS_PTRACE SYS_RAWIO SYS_RESOURCE SYS_TIME"
).split()


# ---------------------------------------------------------------------------------------------
# Reading files


def read_config_file(path: Path) -> Any:
    """A JSON or YAML file's content, as the supervisor reads it (YAML with the safe loader)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.safe_load(text) or {}


def repository_files(root: Path) -> list[PurePosixPath]:
    """The files a clone of the repository holds: git's list when `root` is a git work tree
    (untracked files never reach Home Assistant), else every file under `root`."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z"],
            check=True,
            capture_output=True,
        ).stdout.decode()
        if (root / ".git").exists():
            return sorted(PurePosixPath(p) for p in listed.split("\0") if p)
    except (OSError, subprocess.CalledProcessError):
        pass
    return sorted(
        PurePosixPath(p.relative_to(root).as_posix()) for p in root.rglob("*") if p.is_file()
    )


def named(files: list[PurePosixPath], stem: str) -> list[PurePosixPath]:
    """Files called `stem.json`, `stem.yaml` or `stem.yml`, at any depth."""
    return [f for f in files if f.stem == stem and f.suffix in CONFIG_SUFFIXES]


def outside_hidden_and_rootfs(path: PurePosixPath) -> bool:
    return not any(part.startswith(".") or part == "rootfs" for part in path.parts)


# ---------------------------------------------------------------------------------------------
# Small validators


def version_string(value: Any) -> str:
    # The supervisor takes anything as a version; YAML reads `version: 0.10` as the number 0.1.
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid("must be a quoted string such as \"0.1.0\" (YAML reads 0.10 as 0.1)")
    return value


def port_number(value: Any) -> int:
    return vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))(value)


PORT_KEY = re.compile(r"\d+(/tcp|/udp)?")


def port_key(value: Any) -> str:
    if not isinstance(value, str) or not PORT_KEY.fullmatch(value):
        raise vol.Invalid("a port is written 5000, 5000/tcp or 5000/udp, as a string")
    return value


def nullable_port(value: Any) -> int | None:
    return None if value is None else port_number(value)


def map_entry(value: Any) -> Any:
    """`type[:rw|:ro]`, or {type, read_only, path}: the supervisor skips what it cannot read."""
    if isinstance(value, str):
        name, _, access = value.partition(":")
        if name in MAP_TYPES and access in ("", "rw", "ro"):
            return value
        raise vol.Invalid(f"'{value}' is not a folder type ({', '.join(MAP_TYPES)}) with :rw or :ro")
    return vol.Schema(
        {
            vol.Required("type"): vol.In(MAP_TYPES),
            vol.Optional("read_only"): bool,
            vol.Optional("path"): str,
        }
    )(value)


IMAGE_COMPONENT = re.compile(r"[a-z0-9{][a-z0-9.\-_{}]*")


def docker_image(value: Any) -> str:
    """An image name without a tag (the version is the tag)."""
    if not isinstance(value, str) or not value:
        raise vol.Invalid("an image name is a non-empty string")
    first, slash, rest = value.partition("/")
    domain_like = slash and ("." in first or ":" in first or first == "localhost")
    path = rest if domain_like else value
    if domain_like and first != first.lower():
        raise vol.Invalid("the registry must be lowercase")
    if ":" in path:
        raise vol.Invalid("an image must not carry a tag: the version is its tag")
    if not all(IMAGE_COMPONENT.fullmatch(part) for part in path.split("/")):
        raise vol.Invalid(f"'{value}' is not an image name")
    return value


URL_TEMPLATE = re.compile(
    r"(?P<scheme>https?|tcp|\[PROTO:\w+\])://\[HOST\]:(?P<port>\[PORT:\d+\]|\d+).*"
)


def watchdog_url(value: Any) -> str:
    if isinstance(value, str) and URL_TEMPLATE.fullmatch(value):
        return value
    raise vol.Invalid("expected http(s)://[HOST]:[PORT:n]/… or tcp://[HOST]:[PORT:n]")


def webui_url(value: Any) -> str:
    match = URL_TEMPLATE.fullmatch(value) if isinstance(value, str) else None
    if match and match["scheme"] != "tcp" and match["port"].startswith("[PORT:"):
        return value
    raise vol.Invalid("expected http(s)://[HOST]:[PORT:n]/…")


def nonempty_list(validator: Any) -> Callable[[Any], list]:
    def check(value: Any) -> list:
        value = vol.Schema([validator])(value)
        if not value:
            raise vol.Invalid("must list at least one")
        return value

    return check


def architecture(value: Any) -> str:
    if value in DEPRECATED_ARCHES:
        raise vol.Invalid(f"'{value}' is deprecated by the supervisor: use {' or '.join(ARCHES)}")
    if value not in ARCHES:
        raise vol.Invalid(f"'{value}' is not an architecture ({', '.join(ARCHES)})")
    return value


def machine(value: Any) -> str:
    if isinstance(value, str) and value.lstrip("!") in MACHINES:
        return value
    raise vol.Invalid(f"'{value}' is not a machine type")


# ---------------------------------------------------------------------------------------------
# The option types of `schema`, and option values


class OptionType:
    """One option type string, such as `str(1,)`, `list(a|b)` or `url?`."""

    # Each type's argument syntax: what may stand between the brackets, if anything.
    NUMBER = r"-?\d+"
    DECIMAL = r"-?\d*\.?\d+"
    RANGES = {"str": r"\d+", "password": r"\d+", "int": NUMBER, "float": DECIMAL}

    def __init__(self, text: str):
        self.text = text
        self.optional = text.endswith("?")
        body = text[:-1] if self.optional else text
        name, bracket, rest = body.partition("(")
        self.name = name
        self.low = self.high = None
        self.argument = None
        if name in ("bool", "email", "url", "port") and not bracket:
            return
        if name in self.RANGES:
            if not bracket:
                return
            bound = self.RANGES[name]
            found = re.fullmatch(rf"(?P<low>{bound})?,(?P<high>{bound})?\)", rest)
            if found:
                self.low, self.high = found["low"], found["high"]
                return
        if name in ("match", "list") and bracket and rest.endswith(")"):
            self.argument = rest[:-1]
            if name == "match" or self.argument:
                return
        if name == "device" and (not bracket or re.fullmatch(r"subsystem=[a-z]+\)", rest)):
            return
        raise vol.Invalid(f"'{text}' is not an option type")

    def check(self, value: Any) -> Any:
        """Checks an option's value as the supervisor does when it starts the add-on."""
        bounds = {}
        number = float if self.name == "float" else int
        if self.low is not None:
            bounds["min"] = number(self.low)
        if self.high is not None:
            bounds["max"] = number(self.high)
        if self.name in ("str", "password"):
            return vol.All(str, vol.Length(**bounds))(value)
        if self.name in ("int", "float"):
            return vol.All(vol.Coerce(number), vol.Range(**bounds))(value)
        if self.name == "bool":
            return vol.Boolean()(value)
        if self.name == "email":
            return vol.Email()(value)
        if self.name == "url":
            return vol.Url()(value)
        if self.name == "port":
            return port_number(value)
        if self.name == "match":
            return vol.Match(self.argument)(str(value))
        if self.name == "list":
            return vol.In(self.argument.split("|"))(str(value))
        if self.name == "device":
            return vol.Schema(str)(value)
        raise vol.Invalid(f"'{self.text}' cannot be checked")


def schema_element(value: Any, depth: int = 1) -> Any:
    """A `schema` entry: a type, a dict of entries, or a one-item list of a type or a dict."""
    if depth > 3:
        raise vol.Invalid("options nest at most two levels deep")
    if isinstance(value, str):
        option_type = OptionType(value)
        if option_type.name in ("str", "password") and "(" in value:
            # Until 2026.07 (supervisor commit dfe7274, #7044) such bounds compared the text with a
            # number, so every value failed and the add-on could not start.
            raise vol.Invalid(
                f"'{value}': length bounds on str and password fail every value on supervisors before 2026.07"
            )
        return value
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise vol.Invalid(f"option names are strings, not {key!r}")
            schema_element(inner, depth + 1)
        return value
    if isinstance(value, list):
        if len(value) != 1:
            raise vol.Invalid("a list type holds exactly one type (the supervisor uses only the first)")
        if isinstance(value[0], list):
            raise vol.Invalid("a list may not directly hold a list")
        schema_element(value[0], depth + 1)
        return value
    raise vol.Invalid(f"{value!r} is not an option type")


def is_optional(element: Any) -> bool:
    """Whether an option may be left out (`type?`, or a list of `type?`)."""
    if isinstance(element, list) and element:
        element = element[0]
    return isinstance(element, str) and element.endswith("?")


def check_value(element: Any, value: Any, where: str) -> list[str]:
    """Problems of `value` against schema `element`: the supervisor's check when it starts the
    add-on, plus options it would drop with only a warning."""
    if isinstance(element, list):
        if not isinstance(value, list):
            return [f"{where}: must be a list"]
        return [
            problem
            for i, item in enumerate(value)
            for problem in check_value(element[0], item, f"{where}[{i}]")
        ]
    if isinstance(element, dict):
        if not isinstance(value, dict):
            return [f"{where}: must be a mapping"]
        return check_options(element, value, where, missing="unless optional")
    if value is None:
        return [f"{where}: has no value"]
    try:
        OptionType(element).check(value)
    except vol.Invalid as e:
        return [f"{where}: {value!r} is not a valid {element}: {e}"]
    return []


def check_options(schema: dict, options: dict, where: str, missing: str) -> list[str]:
    """Problems of `options` against `schema`. `missing` says what an option left out is:
    "allowed" (the defaults in config.yaml: one without a default is one the user must set),
    "unless optional" (what the supervisor requires of a written options file and of nested
    entries), or "never" (the test fixture, which sets them all)."""
    problems = []
    for key, value in options.items():
        if key not in schema:
            problems.append(f"{where}.{key}: is not in the schema (the supervisor drops it)")
        elif value is None and missing == "allowed":
            continue  # a null default makes the option one the user must set
        else:
            problems += check_value(schema[key], value, f"{where}.{key}")
    for key, element in schema.items():
        if key in options or missing == "allowed":
            continue
        if missing == "never" or not is_optional(element):
            problems.append(f"{where}: {key} is not set")
    return problems


# ---------------------------------------------------------------------------------------------
# The files' schemas


def strict(schema: dict) -> vol.Schema:
    """Unknown keys are errors here (the supervisor drops them without a word)."""
    return vol.Schema(schema, extra=vol.PREVENT_EXTRA)


REPOSITORY = strict(
    {vol.Required("name"): str, vol.Optional("url"): vol.Url(), vol.Optional("maintainer"): str}
)

ULIMIT = vol.Any(
    vol.Coerce(int), strict({vol.Required("soft"): vol.Coerce(int), vol.Required("hard"): vol.Coerce(int)})
)

ADDON = strict(
    {
        vol.Required("name"): vol.All(str, vol.Length(min=1)),
        vol.Required("version"): version_string,
        vol.Required("slug"): vol.Match(r"^[-_.A-Za-z0-9]+$"),
        vol.Required("description"): str,
        vol.Required("arch"): nonempty_list(architecture),
        vol.Optional("machine"): vol.All([machine], vol.Unique()),
        vol.Optional("url"): vol.Url(),
        vol.Optional("startup"): vol.In(["initialize", "system", "services", "application", "once"]),
        vol.Optional("boot"): vol.In(["auto", "manual", "manual_only"]),
        vol.Optional("init"): vol.Boolean(),
        vol.Optional("stage"): vol.In(["stable", "experimental", "deprecated"]),
        vol.Optional("ports"): {port_key: nullable_port},
        vol.Optional("ports_description"): {port_key: str},
        vol.Optional("watchdog"): watchdog_url,
        vol.Optional("webui"): webui_url,
        vol.Optional("ingress"): vol.Boolean(),
        vol.Optional("ingress_port"): vol.Any(port_number, 0),
        vol.Optional("ingress_entry"): str,
        vol.Optional("ingress_stream"): vol.Boolean(),
        vol.Optional("panel_icon"): str,
        vol.Optional("panel_title"): str,
        vol.Optional("panel_admin"): vol.Boolean(),
        vol.Optional("homeassistant"): version_string,
        vol.Optional("host_network"): vol.Boolean(),
        vol.Optional("host_pid"): vol.Boolean(),
        vol.Optional("host_ipc"): vol.Boolean(),
        vol.Optional("host_uts"): vol.Boolean(),
        vol.Optional("host_dbus"): vol.Boolean(),
        vol.Optional("devices"): [str],
        vol.Optional("udev"): vol.Boolean(),
        vol.Optional("tmpfs"): vol.Boolean(),
        vol.Optional("map"): [map_entry],
        vol.Optional("environment"): {vol.Match(r"^\w+$"): str},
        vol.Optional("privileged"): [vol.In(CAPABILITIES)],
        vol.Optional("apparmor"): vol.Boolean(),
        vol.Optional("full_access"): vol.Boolean(),
        vol.Optional("audio"): vol.Boolean(),
        vol.Optional("video"): vol.Boolean(),
        vol.Optional("gpio"): vol.Boolean(),
        vol.Optional("usb"): vol.Boolean(),
        vol.Optional("uart"): vol.Boolean(),
        vol.Optional("devicetree"): vol.Boolean(),
        vol.Optional("kernel_modules"): vol.Boolean(),
        vol.Optional("realtime"): vol.Boolean(),
        vol.Optional("hassio_api"): vol.Boolean(),
        vol.Optional("hassio_role"): vol.In(["default", "homeassistant", "backup", "manager", "admin"]),
        vol.Optional("homeassistant_api"): vol.Boolean(),
        vol.Optional("stdin"): vol.Boolean(),
        vol.Optional("legacy"): vol.Boolean(),
        vol.Optional("docker_api"): vol.Boolean(),
        vol.Optional("auth_api"): vol.Boolean(),
        vol.Optional("services"): [vol.Match(r"^(mqtt|mysql):(provide|want|need)$")],
        vol.Optional("discovery"): [str],
        vol.Optional("backup_exclude"): [str],
        vol.Optional("backup_pre"): str,
        vol.Optional("backup_post"): str,
        vol.Optional("backup"): vol.In(["hot", "cold"]),
        vol.Optional("options"): dict,
        vol.Optional("schema"): vol.Any(False, {str: schema_element}),
        vol.Optional("image"): docker_image,
        vol.Optional("ulimits"): {str: ULIMIT},
        vol.Optional("timeout"): vol.All(vol.Coerce(int), vol.Range(min=10, max=300)),
        vol.Optional("journald"): vol.Boolean(),
        vol.Optional("breaking_versions"): [version_string],
    }
)


def translation_entry(value: Any) -> Any:
    return strict(
        {
            vol.Required("name"): str,
            vol.Optional("description"): vol.Maybe(str),
            vol.Optional("fields"): {str: translation_entry},
        }
    )(value)


TRANSLATION = strict(
    {vol.Optional("configuration"): {str: translation_entry}, vol.Optional("network"): {str: str}}
)

BUILD = strict(
    {
        vol.Optional("build_from"): vol.Any(str, {vol.In(ARCHES + DEPRECATED_ARCHES): str}),
        vol.Optional("squash"): vol.Boolean(),
        vol.Optional("args"): {str: str},
        vol.Optional("labels"): {str: str},
    }
)


def problems_of(schema: Callable[[Any], Any], data: Any, where: str) -> list[str]:
    try:
        schema(data)
    except vol.MultipleInvalid as e:
        return [f"{where}: {'.'.join(map(str, error.path)) or '(top)'}: {error.msg}" for error in e.errors]
    except vol.Invalid as e:
        return [f"{where}: {'.'.join(map(str, e.path)) or '(top)'}: {e.msg}"]
    return []


# ---------------------------------------------------------------------------------------------
# The checks


def check_translation(path: str, data: Any, schema: dict, ports: dict) -> list[str]:
    problems = problems_of(TRANSLATION, data, path)
    if problems or not isinstance(data, dict):
        return problems

    def fields(entries: dict, options: Any, where: str) -> None:
        if isinstance(options, list) and options:
            options = options[0]
        names = options if isinstance(options, dict) else {}
        for key, entry in entries.items():
            if key not in names:
                problems.append(f"{path}: {where}{key}: translates an option the schema does not have")
            elif "fields" in entry:
                fields(entry["fields"], names[key], f"{where}{key}.fields.")

    fields(data.get("configuration", {}), schema, "configuration.")
    known_ports = {str(key).lower() for key in ports}
    for key in data.get("network", {}):
        if key.lower() not in known_ports:
            problems.append(f"{path}: network.{key}: describes a port the add-on does not have")
    return problems


def check_addon(root: Path, files: list[PurePosixPath], config_path: PurePosixPath) -> list[str]:
    where = str(config_path)
    try:
        config = read_config_file(root / config_path)
    except (ValueError, yaml.YAMLError) as e:
        return [f"{where}: cannot be read: {e}"]
    problems = problems_of(ADDON, config, where)
    if not isinstance(config, dict):
        return problems
    folder = config_path.parent
    inside = [f for f in files if folder == PurePosixPath(".") or folder in f.parents]
    schema = config.get("schema") or {}
    options = config.get("options") or {}
    if isinstance(schema, dict) and isinstance(options, dict) and not problems:
        problems += [f"{where}: {p}" for p in check_options(schema, options, "options", "allowed")]
    # The build: the supervisor reads any build file in the folder (deprecated); it builds
    # Dockerfile.<arch> or Dockerfile unless the add-on names a prebuilt image.
    for build in named(inside, "build"):
        problems.append(
            f"{build}: the supervisor reads it as the add-on's build file, deprecated since 2026.04: put what it says in the Dockerfile"
        )
        problems += problems_of(BUILD, read_config_file(root / build), str(build))
    if "image" not in config:
        for arch in config.get("arch", []) if isinstance(config.get("arch"), list) else []:
            if not any((root / folder / name).is_file() for name in (f"Dockerfile.{arch}", "Dockerfile")):
                problems.append(f"{where}: no Dockerfile (or Dockerfile.{arch}) in {folder} to build for {arch}")
    ports = config.get("ports") or {}
    for translation in files:
        if translation.parent == folder / "translations" and translation.suffix in CONFIG_SUFFIXES:
            problems += check_translation(
                str(translation), read_config_file(root / translation), schema if isinstance(schema, dict) else {}, ports
            )
    docs = root / folder / "DOCS.md"
    if not docs.is_file():
        problems.append(f"{where}: no DOCS.md beside it (the add-on's Documentation tab)")
    elif root.resolve() not in docs.resolve().parents:
        problems.append(f"{folder / 'DOCS.md'}: points outside the repository")
    return problems


def check_project(root: Path, config_path: PurePosixPath) -> list[str]:
    """This project's own rules for its add-on."""
    where = str(config_path)
    config = read_config_file(root / config_path)
    schema = config.get("schema") or {}
    problems = []
    crate = tomllib.loads((root / "Cargo.toml").read_text(encoding="utf-8"))["package"]["version"]
    if config.get("version") != crate:
        problems.append(f"{where}: version {config.get('version')!r} is not the crate's ({crate}): bump both together")
    models = sorted(p.stem for p in (root / "skill-package/interactionModels/custom").glob("*.json"))
    locale = OptionType(schema.get("locale", "str")).argument or ""
    if sorted(locale.split("|")) != models:
        problems.append(f"{where}: schema.locale offers {locale.split('|')}, the skill ships {models}")
    if (config.get("environment") or {}).get("BRIDGE_OPTIONS_FILE") != "/data/options.json":
        problems.append(f"{where}: environment.BRIDGE_OPTIONS_FILE must be /data/options.json (where the supervisor writes the options)")
    fixture_path = "tests/fixtures/ha-addon/options.json"
    fixture = json.loads((root / fixture_path).read_text(encoding="utf-8"))
    problems += [f"{fixture_path}: {p}" for p in check_options(schema, fixture, "options.json", "never")]
    return problems


def check(root: Path) -> list[str]:
    files = repository_files(root)
    problems = []
    repositories = named(files, "repository")
    if [str(f) for f in repositories] not in (["repository.yaml"], ["repository.yml"], ["repository.json"]):
        problems.append(
            f"one repository file at the root is needed (the supervisor takes the first it finds): found {[str(f) for f in repositories]}"
        )
    for repository in repositories:
        problems += problems_of(REPOSITORY, read_config_file(root / repository), str(repository))
    configs = [f for f in named(files, "config") if outside_hidden_and_rootfs(f)]
    if [str(f) for f in configs] != ["config.yaml"]:
        problems.append(
            f"the supervisor reads every config.json/yaml/yml as an add-on: expected only ./config.yaml, found {[str(f) for f in configs]}"
        )
    for config in configs:
        problems += check_addon(root, files, config)
    if PurePosixPath("config.yaml") in configs and not problems:
        problems += check_project(root, PurePosixPath("config.yaml"))
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".")
    problems = check(root)
    for problem in problems:
        print(f"ha-addon-check: {problem}", file=sys.stderr)
    if problems:
        print(f"ha-addon-check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("ha-addon-check: repository.yaml, config.yaml, translations/ and the options fixture pass")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
