"""YAML custom tags are data: CloudFormation, GitLab CI, Ansible and Home Assistant files load, show their
tags, and YAML -> YAML writes the same tags back."""

from __future__ import annotations

import json

import pytest
import yaml

import formatlens as fl

CLOUDFORMATION = b"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-${Env}-data"
      Tags:
        - Key: env
          Value: !Ref Env
Outputs:
  Arn:
    Value: !GetAtt Bucket.Arn
  Joined:
    Value: !Join [",", [!Ref Env, "x"]]
"""

GITLAB_CI = b""".setup:
  script:
    - echo setup
test:
  script:
    - !reference [.setup, script]
    - pytest
"""

ANSIBLE = b"""db_user: admin
db_password: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  62313365396662343061393464336163383764373764613633653634306231386433626436623361
"""

HOME_ASSISTANT = b"""homeassistant:
  name: Home
automation: !include automations.yaml
api_key: !secret weather_key
"""


def _tag(tag, value):
    return {"!tag": tag, "value": value}


@pytest.mark.parametrize(
    ("data", "path", "expected"),
    [
        (
            CLOUDFORMATION,
            ("Resources", "Bucket", "Properties", "BucketName"),
            _tag("!Sub", "${AWS::StackName}-${Env}-data"),
        ),
        (CLOUDFORMATION, ("Resources", "Bucket", "Properties", "Tags", 0, "Value"), _tag("!Ref", "Env")),
        (CLOUDFORMATION, ("Outputs", "Arn", "Value"), _tag("!GetAtt", "Bucket.Arn")),
        (CLOUDFORMATION, ("Outputs", "Joined", "Value"), _tag("!Join", [",", [_tag("!Ref", "Env"), "x"]])),
        (GITLAB_CI, ("test", "script", 0), _tag("!reference", [".setup", "script"])),
        (
            ANSIBLE,
            ("db_password",),
            _tag(
                "!vault",
                "$ANSIBLE_VAULT;1.1;AES256\n"
                "62313365396662343061393464336163383764373764613633653634306231386433626436623361\n",
            ),
        ),
        (HOME_ASSISTANT, ("automation",), _tag("!include", "automations.yaml")),
        (HOME_ASSISTANT, ("api_key",), _tag("!secret", "weather_key")),
    ],
)
def test_tags_load_as_nodes(data, path, expected):
    doc = fl.load(data, filename="file.yaml")
    assert doc.format == "yaml"
    node = doc.value
    for step in path:
        node = node[step]
    assert node == expected
    infos = [f.message for f in doc.findings if f.severity == "info"]
    assert len(infos) == 1 and expected["!tag"] in infos[0]
    assert not [f for f in doc.findings if f.severity != "info"]


def test_cloudformation_finding_counts_each_tag():
    (info,) = fl.load(CLOUDFORMATION, "yaml").findings
    assert info.message.endswith("!GetAtt (1), !Join (1), !Ref (2), !Sub (1)")


@pytest.mark.parametrize("data", [CLOUDFORMATION, GITLAB_CI, ANSIBLE, HOME_ASSISTANT])
def test_yaml_to_yaml_writes_the_same_tags_back(data):
    result = fl.convert(data, "yaml")
    assert result.losses == []
    assert fl.load(result.data, "yaml").value == fl.load(data, "yaml").value
    # the same node tree as PyYAML's own parser sees it in the original
    assert _tags(yaml.compose(result.data)) == _tags(yaml.compose(data))


def _tags(node) -> list[str]:
    out = [node.tag] if node.tag.startswith("!") else []
    children = node.value if isinstance(node.value, list) else []
    for child in children:
        for part in child if isinstance(child, tuple) else (child,):
            out += _tags(part)
    return out


def test_other_targets_get_the_node_shape_and_a_loss():
    result = fl.convert(CLOUDFORMATION, "json")
    assert "YAML custom tags written as {'!tag': ..., 'value': ...} mappings" in result.losses
    value = json.loads(result.data)
    assert value["Outputs"]["Arn"]["Value"] == {"!tag": "!GetAtt", "value": "Bucket.Arn"}


def test_complex_keys_become_tuples_and_write_back():
    data = b"? [1, 2]\n: pair\n? {a: 1}\n: map key\n"
    doc = fl.load(data, "yaml")
    assert doc.value == {(1, 2): "pair", (("a", 1),): "map key"}
    back = fl.convert(data, "yaml")
    assert fl.load(back.data, "yaml").value == {(1, 2): "pair", (("a", 1),): "map key"}


def test_multi_document_yaml_shows_every_document():
    doc = fl.load(b"a: 1\n---\nb: !Ref x\n---\n- 3\n", "yaml")
    assert doc.value == [{"a": 1}, {"b": {"!tag": "!Ref", "value": "x"}}, [3]]
    assert any("3 YAML documents" in f.message for f in doc.findings)


def test_duplicate_keys_are_warned_with_both_offsets():
    data = b"name: a\nother: 1\nname: b\n"
    doc = fl.load(data, "yaml")
    assert doc.value == {"name": "b", "other": 1}
    (warning,) = [f for f in doc.findings if f.severity == "warning"]
    assert warning.message == (
        "duplicate key 'name' at the top level, bytes 0 and 17: PyYAML keeps the last value (in the first key's place)"
    )
    assert data[warning.span.start : warning.span.end] == b"name"


def test_duplicate_keys_name_their_mapping_in_every_document():
    data = b"a:\n  - x: 1\n    x: 2\n---\nk: &anchor {z: 1, z: 2}\nj: *anchor\n"
    doc = fl.load(data, "yaml")
    assert doc.value == [{"a": [{"x": 2}]}, {"k": {"z": 2}, "j": {"z": 2}}]
    warnings = [f for f in doc.findings if f.code == "yaml.duplicate-key"]
    assert [w.message.split(":")[0] for w in warnings] == [
        "duplicate key 'x' in 0/a/0, bytes 7 and 16",
        "duplicate key 'z' in 1/k, bytes 37 and 43",  # the anchored mapping, where it is written
    ]
    assert [w.span.path for w in warnings] == [(0, "a", 0, "x"), (1, "k", "z")]
    assert [data[w.span.start : w.span.end] for w in warnings] == [b"x", b"z"]
