"""SEAWALL_* variables checked without pydantic give pydantic's answers, word for word.

The reference is what `seawall.settings` did before `settings.environment`
existed: the variables validated by `SettingsDocument` (the model a settings
file still goes through), with the same error formatting.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from seawall.settings import (
    CONTEXT_ENV_NAMES,
    ENV_NAMES,
    Settings,
    SettingsError,
    environment_values,
    load_settings,
)
from seawall.settings.document import SettingsDocument
from seawall.settings.environment import SCANNERS, comma_list, read_environment

Answer = tuple[str, Any]


def pydantic_answer(variables: dict[str, str]) -> Answer:
    """The settings (or problems) `SettingsDocument` makes of the variables."""
    data: dict[str, Any] = {
        name: variables[env] for name, env in ENV_NAMES.items() if env in variables
    }
    context: dict[str, Any] = {
        name: variables[env] for name, env in CONTEXT_ENV_NAMES.items() if env in variables
    }
    if "data" in context:
        context["data"] = comma_list(context["data"])
    if context:
        data["context"] = context
    try:
        document = SettingsDocument.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = item["loc"]
            if location and location[0] == "context" and len(location) > 1:
                name = CONTEXT_ENV_NAMES.get(str(location[1]), "SEAWALL_*")
            else:
                name = ENV_NAMES.get(str(location[0]) if location else "", "SEAWALL_*")
            problems.append(f"{name}: {str(item['msg']).removeprefix('Value error, ')}")
        return "problems", problems
    values = {name: getattr(document, name) for name in document.model_fields_set}
    if document.context is not None:
        given_context = document.context.model_fields_set
        values["context"] = {name: getattr(document.context, name) for name in given_context}
    return "values", values


def our_answer(variables: dict[str, str]) -> Answer:
    try:
        return "values", read_environment(variables)
    except SettingsError as error:
        assert error.source == "environment"
        return "problems", list(error.problems)


VARIABLES = [*ENV_NAMES.values(), *CONTEXT_ENV_NAMES.values()]

CASES: list[dict[str, str]] = [
    {"SEAWALL_CACHE_DIR": "/tmp/cache", "SEAWALL_DB": "~/x.db", "SEAWALL_POLICY": "p.yaml"},
    {"SEAWALL_CACHE_DIR": "x" * 4097},
    {"SEAWALL_CACHE_DIR": "é" * 4096},
    {"SEAWALL_CACHE_DIR": "😀" * 4097},
    {"SEAWALL_CACHE_DIR": "a\udcffb"},  # bytes that are not UTF-8, as os.environ gives them
    {"SEAWALL_POLICY": "\udcff", "SEAWALL_VEX": "\udcff"},
    *({"SEAWALL_OFFLINE": value} for value in ("yes", "YES", "Off", "tRuE", "0", "1", "t", "N")),
    *({"SEAWALL_IGNORE_UNFIXED": value} for value in (" yes", "yes ", "2", "1.0", " ", "\udcff")),
    *(
        {"SEAWALL_SCANNERS": value}
        for value in (
            "vuln, secret",
            ",",
            "x",
            "x,y,z",
            "vuln,x,y",
            "x,\udcff",
            "vuln,secret,misconfig,vuln",
            "x,y,z,w",
            "vuln,x,y,z,w,q",
        )
    ),
    *(
        {"SEAWALL_SEVERITY": value}
        for value in ("HIGH, Critical ", ",", "high,x,y", "a,b,c,d,e,f,g", "high,\udcff")
    ),
    {"SEAWALL_FAIL_ON": "x"},
    {"SEAWALL_FAIL_ON": "\udcff"},
    *(
        {"SEAWALL_PLATFORM": value}
        for value in (
            "linux/amd64",
            "linux/arm64/v8",
            "linux/amd64\n",
            "linux",
            "linux/amd64/v8/x",
            "l" * 65 + "/a",
            "a/\udcff",
        )
    ),
    {"SEAWALL_INSECURE_REGISTRIES": "localhost:5000, [::1]:5000,registry.example"},
    {"SEAWALL_INSECURE_REGISTRIES": "localhost:5000\n"},
    {"SEAWALL_INSECURE_REGISTRIES": "a:1,http://x"},
    {"SEAWALL_INSECURE_REGISTRIES": ",".join(["a"] * 101)},
    {"SEAWALL_INSECURE_REGISTRIES": "\udcff"},
    {"SEAWALL_VEX": "a.json,b.json"},
    {"SEAWALL_VEX": ",".join(["a"] * 101)},
    {"SEAWALL_VEX": "a," + "b" * 4097},
    {"SEAWALL_DATA": " Health , payment"},
    {"SEAWALL_DATA": ","},
    {"SEAWALL_DATA": "x,y"},
    {"SEAWALL_DATA": ",".join(["health"] * 17)},
    {"SEAWALL_DATA": "health,\udcff"},
    {"SEAWALL_CRITICALITY": " HIGH "},
    {"SEAWALL_CRITICALITY": "x"},
    {"SEAWALL_CRITICALITY": "\udcff"},
    {"SEAWALL_INTERNET_FACING": "maybe"},
    {"SEAWALL_INTERNET_FACING": "\udcff"},
    {  # several problems: reported in the order of the settings' fields
        "SEAWALL_CRITICALITY": "q",
        "SEAWALL_DATA": "q",
        "SEAWALL_INTERNET_FACING": "q",
        "SEAWALL_OFFLINE": "zz",
        "SEAWALL_DB": "y" * 4097,
        "SEAWALL_CACHE_DIR": "x" * 4097,
        "SEAWALL_SCANNERS": "a,b",
    },
]


@pytest.mark.parametrize("variables", CASES, ids=lambda v: repr(v)[:60])
def test_variables_get_the_answers_pydantic_gives(variables: dict[str, str]) -> None:
    assert our_answer(variables) == pydantic_answer(variables)


_PIECES = [
    *SCANNERS,
    "x",
    "",
    " ",
    "\n",
    "HIGH",
    "critical",
    "severe",
    "yes",
    "No",
    "on",
    "1",
    "2",
    "linux/amd64",
    "linux/arm64/v8",
    "a/b/c/d",
    "localhost:5000",
    "[::1]:5000",
    "http://x",
    "health",
    "Payment",
    "low",
    "\udcff",
    "é",
    "a" * 70,
]
_values = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).flatmap(
    lambda parts: st.sampled_from([",", "", " , "]).map(lambda sep: sep.join(parts))
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(VARIABLES), _values, max_size=5))
def test_any_variables_get_the_answers_pydantic_gives(environ: dict[str, str]) -> None:
    variables = environment_values(environ)  # as load_settings picks them
    assert our_answer(variables) == pydantic_answer(variables)


def test_scanner_names_are_the_documents() -> None:
    annotation = SettingsDocument.model_fields["scanners"].annotation
    (listed, _none) = get_args(annotation)
    (literal,) = get_args(listed)
    assert get_args(literal) == SCANNERS


def test_a_file_and_variables_still_merge_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "seawall.yaml"
    path.write_text("db: store.db\noffline: true\ncontext: {criticality: high}\n")
    env = {"SEAWALL_OFFLINE": "no", "SEAWALL_DATA": "payment", "SEAWALL_CACHE_DIR": "rel/cache"}
    loaded = load_settings(path, environ=env)
    assert (loaded.db, loaded.offline, loaded.cache_dir) == (
        tmp_path / "store.db",
        False,
        Path("rel/cache"),
    )
    assert {c.value for c in loaded.context.data_classes} == {"payment"}
    assert loaded.context.criticality is not None and loaded.context.criticality.value == "high"
    assert loaded != Settings()


def test_variables_alone_load_no_validation_library(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom pathlib import Path\nfrom seawall.settings import load_settings\n"
        f"root = Path({str(tmp_path)!r})\n"
        "env = {'XDG_CONFIG_HOME': str(root), 'SEAWALL_CACHE_DIR': '/tmp/x',\n"
        "    'SEAWALL_SEVERITY': 'high', 'SEAWALL_DATA': 'payment', 'SEAWALL_OFFLINE': '1'}\n"
        "settings = load_settings(cwd=root, environ=env)\n"
        "assert settings.cache_dir == Path('/tmp/x') and settings.offline, settings\n"
        "print(' '.join(m for m in ('pydantic', 'yaml', 'seawall.settings.document',\n"
        "    'seawall.policy.contextfile') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAWALL_")}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == ""
