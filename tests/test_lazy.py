"""Package names resolved on first use: none imported early, values kept, unknown names refused."""

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import sys
    import seawall.report.sbom as reporters
    assert "seawall.report.sbom.spdx" not in sys.modules, "imported with its package"
    render = reporters.render_spdx
    assert "seawall.report.sbom.spdx" in sys.modules
    assert "seawall.report.sbom.cyclonedx" not in sys.modules, "a name's neighbours came too"
    assert vars(reporters)["render_spdx"] is render, "not kept on the package"
    try:
        reporters.render_xml
    except AttributeError as error:
        assert str(error) == "module 'seawall.report.sbom' has no attribute 'render_xml'"
    else:
        raise AssertionError("an unknown name resolved")
    print("ok")
    """
)


def test_names_load_their_module_on_first_use_only() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
