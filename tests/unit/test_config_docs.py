"""The shipped config validates against its schema, and config/README.md documents every key."""

from __future__ import annotations

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
    ("path", "value", "fragment"),
    [
        (["qc", "maxee"], 2, "maxee"),
        (["taxonomy", "min_boot"], 500, "500"),
        (["denoise", "method"], "deblur", "deblur"),
        (["qc", "trunc_len"], "230", "230"),
    ],
)
def test_config_typos_are_named(repo, schema, path, value, fragment):
    config = yaml.safe_load((repo / "config/config.yaml").read_text())
    node = config
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError) as err:
        jsonschema.validate(config, schema)
    assert fragment in str(err.value.message)


def test_every_key_documented_and_described(repo, schema):
    readme = (repo / "config/README.md").read_text()
    for key in _keys(schema["properties"]):
        assert f"`{key}`" in readme, f"config/README.md does not document {key}"
    for key, spec in schema["properties"].items():
        assert spec.get("description"), f"schema property {key} has no description"
