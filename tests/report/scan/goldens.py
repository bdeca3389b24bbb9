"""Golden-file comparison: SEAWALL_UPDATE_GOLDEN=1 rewrites the files instead of comparing."""

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
MASK = "<masked>"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SEAWALL_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run with SEAWALL_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"
