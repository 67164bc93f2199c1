"""The shipped config validates against its schema, and config/README.md documents every key."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml


def _keys(props: dict, prefix: str = "") -> list[str]:
    out = []
    for key, spec in props.items():
        out.append(prefix + key)
        if spec.get("type") == "object" and "properties" in spec:
            out += _keys(spec["properties"], prefix + key + ".")
    return out


@pytest.fixture(scope="module")
def schema(repo):
    return yaml.safe_load((repo / "workflow/schemas/config.schema.yaml").read_text())


def test_shipped_config_is_valid(repo, schema):
    config = yaml.safe_load((repo / "config/config.yaml").read_text())
    jsonschema.validate(config, schema)


@pytest.mark.parametrize(
    ("path", "value", "fragment", "where"),
    [
        (["qc", "maxee"], [2, 2], "'maxee' was unexpected", "['qc']"),
        (["taxonomy", "min_boot"], 500, "500", "['taxonomy']['min_boot']"),
        (["denoise", "method"], "deblur", "deblur", "['denoise']['method']"),
        (["denoise", "trunc_len"], "230", "230", "['denoise']['trunc_len']"),
    ],
)
def test_config_typos_are_named(repo, schema, path, value, fragment, where):
    """The schema refuses the value, and Snakemake's validate (the call at the top of
    common.smk) names the key in its message."""
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    config = yaml.safe_load((repo / "config/config.yaml").read_text())
    node = config
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError) as err:
        jsonschema.validate(config, schema)
    assert fragment in str(err.value.message)
    with pytest.raises(WorkflowError) as err:
        validate(config, str(repo / "workflow/schemas/config.schema.yaml"))
    assert "Error validating config file" in str(err.value)
    assert fragment in str(err.value) and f"On instance{where}" in str(err.value)


def test_seeds_default_from_the_schema_when_a_config_predates_them(repo):
    """A config written before taxonomy.seed and the diversity section validates, and the
    schema fills in both seeds (100, as denoise.seed seeded them before)."""
    from snakemake.utils import validate

    config = yaml.safe_load((repo / "config/config.yaml").read_text())
    del config["diversity"], config["taxonomy"]["seed"]
    validate(config, str(repo / "workflow/schemas/config.schema.yaml"))
    assert config["diversity"]["seed"] == 100
    assert config["taxonomy"]["seed"] == 100
    assert config["denoise"]["trunc_len"] == [230, 160]


def test_every_key_documented_and_described(repo, schema):
    readme = (repo / "config/README.md").read_text()
    for key in _keys(schema["properties"]):
        assert f"`{key}`" in readme, f"config/README.md does not document {key}"
    for key, spec in schema["properties"].items():
        assert spec.get("description"), f"schema property {key} has no description"


def test_report_settings_documented_in_reports_md_validate(repo, schema):
    """Every key of docs/reports.md's settings table is accepted under report: with its default."""
    import re

    text = (repo / "docs/reports.md").read_text()
    table = text.split("## Settings (config `report:`)", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", table, flags=re.M)
    assert len(rows) >= 10
    config = yaml.safe_load((repo / "config/config.yaml").read_text())
    for key, default in rows:
        value = yaml.safe_load(default.strip().strip("`"))
        config["report"][key] = "" if value is None else value
        jsonschema.validate(config, schema)
        assert key in schema["properties"]["report"]["properties"], key


def test_report_settings_have_one_source_of_defaults(repo, schema):
    """The schema's defaults are the report settings' defaults (Thresholds reads them); the
    shipped config.yaml and docs/reports.md repeat them for reading and must agree."""
    import re
    from dataclasses import fields

    from gutbrain.report.settings import FUNCTION_SETTINGS, Thresholds

    config = yaml.safe_load((repo / "config/config.yaml").read_text())
    props = schema["properties"]
    text = (repo / "docs/reports.md").read_text()
    table = text.split("## Settings (config `report:`)", 1)[1].split("\n\n", 2)[1]
    documented = {k: yaml.safe_load(v.strip().strip("`"))
                  for k, v in re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", table, flags=re.M)}
    for field in fields(Thresholds):
        section = "function" if field.name in FUNCTION_SETTINGS else "report"
        default = props[section]["properties"][field.name]["default"]
        value = getattr(Thresholds(), field.name)
        assert (list(value) if isinstance(value, tuple) else value) == default, field.name
        assert config[section][field.name] == default, f"config.yaml {section}.{field.name}"
        if field.name in documented:
            assert documented[field.name] in (default, None if default == [] else default), \
                f"docs/reports.md {field.name}"


def test_licence_and_every_shipped_resource_has_one() -> None:
    """The repository has a licence, and every shipped resource is named in the licence table
    of resources/README.md."""
    repo = Path(__file__).resolve().parents[2]
    assert "MIT License" in (repo / "LICENSE").read_text(encoding="utf-8")
    text = (repo / "resources" / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Licence notes"):]
    for path in sorted((repo / "resources").iterdir()):
        if path.name == "README.md":
            continue
        name = f"`{path.name}/`" if path.is_dir() else f"`{path.name}`"
        assert name in table, path.name


def test_one_version_printed_by_the_reports_and_listed_in_the_changelog() -> None:
    import tomllib

    from gutbrain import __version__

    repo = Path(__file__).resolve().parents[2]
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"]
    assert project == __version__
    assert f"## {__version__} (" in (repo / "CHANGELOG.md").read_text()
