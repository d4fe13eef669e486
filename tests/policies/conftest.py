from pathlib import Path

import pytest
import yaml


@pytest.fixture
def write_policy(tmp_path, policy_file):
    """Write a variant of the shipped policy: `changes` replace top-level fields."""

    def write(name: str = "policy.yaml", text: str | None = None, **changes) -> Path:
        path = tmp_path / name
        if text is None:
            data = yaml.safe_load(policy_file.read_text())
            data.update(changes)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text)
        return path

    return write
