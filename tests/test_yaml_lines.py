"""The data files read the same through libyaml's parser and PyYAML's own: the same values,
types and line numbers (app/loader/yaml_lines.py reads with libyaml when PyYAML has it)."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.loader.yaml_lines import LineDict, LineList, load_yaml
from tests.conftest import DATA_DIR


def _same(fast: Any, plain: Any, where: str) -> None:
    assert type(fast) is type(plain), where
    if isinstance(fast, LineDict):
        assert (fast.line, fast.key_lines, list(fast)) == (
            plain.line,
            plain.key_lines,
            list(plain),
        ), where
        for key in fast:
            _same(fast[key], plain[key], f"{where}.{key}")
    elif isinstance(fast, LineList):
        assert (fast.line, fast.item_lines, len(fast)) == (
            plain.line,
            plain.item_lines,
            len(plain),
        ), where
        for index, (a, b) in enumerate(zip(fast, plain, strict=True)):
            _same(a, b, f"{where}[{index}]")
    else:
        assert fast == plain, where


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_both_parsers_read_a_data_file_alike(path: Path) -> None:
    fast, plain = load_yaml(path), load_yaml(path, fast=False)
    assert isinstance(fast, LineDict) and len(fast) > 0
    _same(fast, plain, path.name)


def test_a_file_libyaml_refuses_gets_pyyamls_words(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("projects:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError) as fast:
        load_yaml(broken)
    with pytest.raises(yaml.YAMLError) as plain:
        load_yaml(broken, fast=False)
    assert str(fast.value) == str(plain.value)
