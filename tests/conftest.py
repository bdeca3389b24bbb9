"""Suite-wide settings.

`scripts/test` installs every tool the suite uses and sets SEAWALL_NO_SKIPS=1:
then a test that would skip because something is missing fails instead, so a
green CI run never hides a test that did not run.
"""

import os
from collections.abc import Generator

import pytest
from hypothesis import settings


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and os.environ.get("SEAWALL_NO_SKIPS") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but SEAWALL_NO_SKIPS forbids skips: {reason}"
    return report


# No test's command is handed to a resident process that the developer started
# (`seawall daemon start`); tests/cli/test_resident.py starts its own.
os.environ["SEAWALL_DAEMON"] = "0"

# CI runs the same examples every time (a red CI must be reproducible); local
# runs keep exploring new ones and save failures in .hypothesis/.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
