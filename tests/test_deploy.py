"""The deployment files agree with the code: upload limit, health check, non-root user."""

import tomllib

from formatlens.core.limits import Limits

from .conftest import ROOT


def test_streamlit_config_matches_the_input_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == Limits().max_input_bytes
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_dockerfile_runs_as_a_user_with_a_health_check():
    text = (ROOT / "Dockerfile").read_text()
    assert "USER formatlens" in text and "/_stcore/health" in text and "requirements.txt" in text
    assert text.index("USER formatlens") > text.index("pip install")


def test_every_limit_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name in Limits.__dataclass_fields__:
        assert f"FORMATLENS_{name.upper()}" in readme, name
