"""The add-on checker against the repository's own files and against broken copies of them: each
broken copy carries one mistake a person could make, and the checker must name it.

Run by `scripts/ha-addon-check --self-test`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from pathlib import Path
from typing import Any, Callable

import yaml

import check

REPOSITORY = Path(__file__).resolve().parents[2]

# What the checker reads: the add-on's files and the ones its project rules compare them with.
FILES = [
    "repository.yaml",
    "config.yaml",
    "translations/en.yaml",
    "Dockerfile",
    "docs/home-assistant.md",
    "Cargo.toml",
    "tests/fixtures/ha-addon/options.json",
]


class Copy:
    """A copy of the add-on's files in a temporary folder (not a git work tree: every file in it
    counts as part of the repository)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="ha-addon-check-")
        self.root = Path(self._folder.name)
        for name in FILES:
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPOSITORY / name, self.root / name)
        models = self.root / "skill-package/interactionModels/custom"
        models.mkdir(parents=True)
        for model in (REPOSITORY / "skill-package/interactionModels/custom").glob("*.json"):
            (models / model.name).write_text("{}")
        (self.root / "DOCS.md").symlink_to("docs/home-assistant.md")

    def close(self) -> None:
        self._folder.cleanup()

    def edit_yaml(self, name: str, change: Callable[[Any], Any]) -> None:
        path = self.root / name
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False))

    def edit_json(self, name: str, change: Callable[[Any], Any]) -> None:
        path = self.root / name
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def problems(self) -> list[str]:
        return check.check(self.root)


class RepositoryFiles(unittest.TestCase):
    def test_the_repository_files_pass(self) -> None:
        self.assertEqual(check.check(REPOSITORY), [])

    def test_an_untouched_copy_passes(self) -> None:
        copy = Copy()
        self.addCleanup(copy.close)
        self.assertEqual(copy.problems(), [])


class BrokenCopies(unittest.TestCase):
    def setUp(self) -> None:
        self.copy = Copy()
        self.addCleanup(self.copy.close)

    def assertNamed(self, *fragments: str) -> None:
        problems = self.copy.problems()
        self.assertTrue(problems, "a broken copy passed")
        text = "\n".join(problems)
        for fragment in fragments:
            self.assertIn(fragment, text)

    def edit_config(self, change: Callable[[dict], Any]) -> None:
        self.copy.edit_yaml("config.yaml", change)

    # config.yaml: the keys the supervisor requires, and their forms.

    def test_missing_slug(self) -> None:
        self.edit_config(lambda c: c.pop("slug"))
        self.assertNamed("config.yaml: slug: required key not provided")

    def test_slug_with_a_space(self) -> None:
        self.edit_config(lambda c: c.update(slug="ma alexa"))
        self.assertNamed("config.yaml: slug:")

    def test_missing_description(self) -> None:
        self.edit_config(lambda c: c.pop("description"))
        self.assertNamed("description: required key not provided")

    def test_unknown_architecture(self) -> None:
        self.edit_config(lambda c: c.update(arch=["aarch64", "arm64"]))
        self.assertNamed("arch.1:", "'arm64' is not an architecture")

    def test_deprecated_architecture(self) -> None:
        self.edit_config(lambda c: c["arch"].append("armv7"))
        self.assertNamed("'armv7' is deprecated")

    def test_no_architecture(self) -> None:
        self.edit_config(lambda c: c.update(arch=[]))
        self.assertNamed("arch: must list at least one")

    def test_version_that_yaml_reads_as_a_number(self) -> None:
        path = self.copy.root / "config.yaml"
        path.write_text(path.read_text().replace('version: "0.1.0"', "version: 0.10"))
        self.assertNamed("version: must be a quoted string")

    def test_version_other_than_the_crates(self) -> None:
        self.edit_config(lambda c: c.update(version="9.9.9"))
        self.assertNamed("version '9.9.9' is not the crate's")

    def test_misspelt_key_the_supervisor_would_drop(self) -> None:
        self.edit_config(lambda c: c.update(host_netwrok=True))
        self.assertNamed("host_netwrok: extra keys not allowed")

    def test_port_with_a_bad_protocol(self) -> None:
        self.edit_config(lambda c: c.update(ports={"5000/tpc": 5000}))
        self.assertNamed("a port is written 5000, 5000/tcp or 5000/udp")

    def test_port_number_out_of_range(self) -> None:
        self.edit_config(lambda c: c.update(ports={"5000/tcp": 70000}))
        self.assertNamed("ports.5000/tcp:")

    def test_port_key_that_is_a_number(self) -> None:
        self.edit_config(lambda c: c.update(ports={5000: 5000}))
        self.assertNamed("a port is written 5000, 5000/tcp or 5000/udp, as a string")

    def test_unreadable_map_entry(self) -> None:
        self.edit_config(lambda c: c.update(map=["share:rw", "datas:rw"]))
        self.assertNamed("'datas:rw' is not a folder type")

    def test_watchdog_without_the_host_placeholder(self) -> None:
        self.edit_config(lambda c: c.update(watchdog="http://localhost:5000/healthz"))
        self.assertNamed("watchdog: expected")

    def test_startup_value_that_does_not_exist(self) -> None:
        self.edit_config(lambda c: c.update(startup="after"))
        self.assertNamed("startup:")

    def test_environment_value_that_is_not_text(self) -> None:
        self.edit_config(lambda c: c["environment"].update(BRIDGE_PORT=5000))
        self.assertNamed("environment.BRIDGE_PORT:")

    def test_options_file_not_set_for_the_bridge(self) -> None:
        self.edit_config(lambda c: c.pop("environment"))
        self.assertNamed("BRIDGE_OPTIONS_FILE must be /data/options.json")

    # The options schema and the defaults.

    def test_option_type_that_does_not_exist(self) -> None:
        self.edit_config(lambda c: c["schema"].update(domain="strr?"))
        self.assertNamed("schema.domain:", "'strr?' is not an option type")

    def test_length_without_its_comma(self) -> None:
        self.edit_config(lambda c: c["schema"].update(bridge_password="password(12)"))
        self.assertNamed("'password(12)' is not an option type")

    def test_length_bounds_older_supervisors_cannot_check(self) -> None:
        self.edit_config(lambda c: c["schema"].update(bridge_password="password(12,)"))
        self.assertNamed("length bounds on str and password fail every value")

    def test_list_type_of_two_types(self) -> None:
        self.edit_config(lambda c: c["schema"].update(room_aliases=["str", "str"]))
        self.assertNamed("a list type holds exactly one type")

    def test_list_of_lists(self) -> None:
        self.edit_config(lambda c: c["schema"].update(room_aliases=[["str"]]))
        self.assertNamed("a list may not directly hold a list")

    def test_default_outside_its_type(self) -> None:
        self.edit_config(lambda c: c["options"].update(log_level="verbose"))
        self.assertNamed("options.log_level: 'verbose' is not a valid list(error|warn|info|debug)")

    def test_default_of_the_wrong_kind(self) -> None:
        self.edit_config(lambda c: c["options"].update(skill_endpoint="maybe"))
        self.assertNamed("options.skill_endpoint: 'maybe' is not a valid bool")

    def test_default_without_a_schema_entry(self) -> None:
        self.edit_config(lambda c: c["options"].update(colour="blue"))
        self.assertNamed("options.colour: is not in the schema")

    def test_nested_default_missing_a_required_field(self) -> None:
        self.edit_config(lambda c: c["options"].update(room_aliases=[{"room": "den"}]))
        self.assertNamed("options.room_aliases[0]: player is not set")

    def test_a_required_option_may_have_no_default(self) -> None:
        config = yaml.safe_load((self.copy.root / "config.yaml").read_text())
        self.assertIn("bridge_password", config["schema"])
        self.assertNotIn("bridge_password", config["options"])
        self.assertEqual(self.copy.problems(), [])

    def test_languages_other_than_the_skills(self) -> None:
        self.edit_config(
            lambda c: c["schema"].update(locale=c["schema"]["locale"].replace("|pt-BR", ""))
        )
        self.assertNamed("schema.locale offers", "the skill ships")

    # repository.yaml, and files the supervisor finds by name anywhere.

    def test_repository_without_a_name(self) -> None:
        self.copy.edit_yaml("repository.yaml", lambda r: r.pop("name"))
        self.assertNamed("repository.yaml: name: required key not provided")

    def test_repository_url_that_is_no_url(self) -> None:
        self.copy.edit_yaml("repository.yaml", lambda r: r.update(url="music assistant"))
        self.assertNamed("repository.yaml: url:")

    def test_second_repository_file(self) -> None:
        self.copy.write("docs/examples/repository.json", '{"name": "x"}')
        self.assertNamed("one repository file at the root is needed")

    def test_stray_config_file_is_read_as_an_add_on(self) -> None:
        self.copy.write("tests/fixtures/config.json", "{}")
        self.assertNamed("the supervisor reads every config.json/yaml/yml as an add-on")

    def test_config_files_in_hidden_folders_are_not_add_ons(self) -> None:
        self.copy.write(".github/config.yml", "x: 1")
        self.assertEqual(self.copy.problems(), [])

    def test_build_file_anywhere_in_the_add_on_folder(self) -> None:
        self.copy.write("fuzz/build.yaml", "squash: true\n")
        self.assertNamed("fuzz/build.yaml: the supervisor reads it as the add-on's build file")

    def test_no_dockerfile(self) -> None:
        (self.copy.root / "Dockerfile").unlink()
        self.assertNamed("no Dockerfile (or Dockerfile.aarch64)")

    def test_no_documentation(self) -> None:
        (self.copy.root / "docs/home-assistant.md").unlink()
        self.assertNamed("no DOCS.md beside it")

    # Translations.

    def test_translation_of_an_option_that_does_not_exist(self) -> None:
        self.copy.edit_yaml(
            "translations/en.yaml",
            lambda t: t["configuration"].update(colour={"name": "Colour"}),
        )
        self.assertNamed("configuration.colour: translates an option the schema does not have")

    def test_translation_without_a_name(self) -> None:
        self.copy.edit_yaml(
            "translations/en.yaml",
            lambda t: t["configuration"]["locale"].pop("name"),
        )
        self.assertNamed("configuration.locale.name: required key not provided")

    # The options fixture the Rust tests read.

    def test_fixture_missing_an_option(self) -> None:
        self.copy.edit_json("tests/fixtures/ha-addon/options.json", lambda o: o.pop("domain"))
        self.assertNamed("options.json: domain is not set")

    def test_fixture_value_the_supervisor_would_refuse(self) -> None:
        self.copy.edit_json(
            "tests/fixtures/ha-addon/options.json",
            lambda o: o.update(skill_id="amzn1.ask.device.X"),
        )
        self.assertNamed("options.json.skill_id:")

    def test_fixture_password_that_is_not_text(self) -> None:
        self.copy.edit_json(
            "tests/fixtures/ha-addon/options.json",
            lambda o: o.update(bridge_password=123456789012),
        )
        self.assertNamed("options.json.bridge_password:")


class OptionTypes(unittest.TestCase):
    def test_types_of_the_documented_grammar_are_read(self) -> None:
        for text in [
            "str", "str?", "str(1,)", "str(,5)", "str(1,5)", "password", "password(12,)",
            "int", "int(-5,10)", "float", "float(.5,)", "float(-1.5,2)", "bool", "email", "url",
            "port?", "match(^a$)", "list(a|b)", "device", "device(subsystem=tty)",
        ]:
            check.OptionType(text)

    def test_others_are_refused(self) -> None:
        for text in [
            "", "?", "strr", "str(5)", "str()", "int(a,)", "bool(1,)", "list()", "match(a)b",
            "device(foo)", "integer",
        ]:
            with self.assertRaises(check.vol.Invalid, msg=text):
                check.OptionType(text)

    def test_values_are_checked_as_the_supervisor_does(self) -> None:
        cases = [
            ("str(2,3)", "ab", True), ("str(2,3)", "abcd", False), ("str", 5, False),
            ("int(1,5)", "3", True), ("int(1,5)", 6, False), ("port", 0, False),
            ("port", 5000, True), ("bool", "yes", True), ("bool", "maybe", False),
            ("url", "http://localhost:8095", True), ("url", "localhost:8095", False),
            ("list(a|b)", "b", True), ("list(a|b)", "c", False),
            ("match(^x+$)", "xx", True), ("match(^x+$)", "xy", False),
        ]
        for text, value, valid in cases:
            problems = check.check_value(text, value, "option")
            self.assertEqual(problems == [], valid, f"{text} {value!r}: {problems}")


if __name__ == "__main__":
    unittest.main()
