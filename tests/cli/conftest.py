"""Every CLI test runs without the user's settings: no `$XDG_CONFIG_HOME/seawall/seawall.yaml`
and no `SEAWALL_CONFIG` of the machine leaks into a command's defaults."""

import pytest


@pytest.fixture(autouse=True)
def _no_user_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    monkeypatch.delenv("SEAWALL_CONFIG", raising=False)
