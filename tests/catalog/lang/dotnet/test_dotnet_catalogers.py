"""dotnet/deps-json, dotnet/packages-lock and dotnet/packages-config on files in the SDK's formats.

The .NET SDK cannot be installed offline here, so the inputs are written in the exact
shape `dotnet publish` (deps.json), `dotnet restore --use-lock-file` (packages.lock.json)
and NuGet's packages.config writer produce; the hashes are real SHA-512 values.
"""

import base64
import hashlib
import json

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.dotnet import (
    DepsJsonCataloger,
    PackagesConfigCataloger,
    PackagesLockCataloger,
)

DIGEST = hashlib.sha512(b"newtonsoft.json.13.0.3.nupkg").digest()
HASH = base64.b64encode(DIGEST).decode()

DEPS_JSON = {
    "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0", "signature": ""},
    "compilationOptions": {},
    "targets": {
        ".NETCoreApp,Version=v8.0": {
            "WebApp/1.0.0": {
                "dependencies": {
                    "Newtonsoft.Json": "13.0.3",
                    "Serilog.Sinks.Console": "5.0.1",
                    "Shared": "1.0.0",
                },
                "runtime": {"WebApp.dll": {}},
            },
            "Newtonsoft.Json/13.0.3": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {}}},
            "Serilog/3.1.1": {"runtime": {"lib/net7.0/Serilog.dll": {}}},
            "Serilog.Sinks.Console/5.0.1": {"dependencies": {"Serilog": "3.1.1"}},
            "Shared/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.3"}},
        }
    },
    "libraries": {
        "WebApp/1.0.0": {"type": "project", "serviceable": False, "sha512": ""},
        "Newtonsoft.Json/13.0.3": {
            "type": "package",
            "serviceable": True,
            "sha512": "sha512-" + HASH,
            "path": "newtonsoft.json/13.0.3",
            "hashPath": "newtonsoft.json.13.0.3.nupkg.sha512",
        },
        "Serilog/3.1.1": {"type": "package", "serviceable": True, "sha512": "sha512-" + HASH},
        "Serilog.Sinks.Console/5.0.1": {
            "type": "package",
            "serviceable": True,
            "sha512": "sha512-!!",
        },
        "Shared/1.0.0": {"type": "project", "serviceable": False, "sha512": ""},
    },
}


def test_deps_json_packages_hashes_and_edges() -> None:
    cataloger = DepsJsonCataloger()
    assert cataloger.wants("/app/WebApp.deps.json")
    result = cataloger.catalog(
        [CatalogFile("/app/WebApp.deps.json", json.dumps(DEPS_JSON).encode("utf-8-sig"), 4)],
        CatalogContext(),
    )
    assert result.problems == ()
    packages = {p.purl: p for p in result.packages}
    assert set(packages) == {
        "pkg:nuget/Newtonsoft.Json@13.0.3",
        "pkg:nuget/Serilog@3.1.1",
        "pkg:nuget/Serilog.Sinks.Console@5.0.1",
    }
    assert packages["pkg:nuget/Newtonsoft.Json@13.0.3"].checksums == (("sha512", DIGEST.hex()),)
    assert packages["pkg:nuget/Serilog.Sinks.Console@5.0.1"].checksums == ()  # not base64
    assert {(r.parent, r.child) for r in result.relationships} == {
        ("pkg:nuget/Serilog.Sinks.Console@5.0.1", "pkg:nuget/Serilog@3.1.1")
    }
    assert all(p.locations[0].layer == 4 for p in result.packages)


PACKAGES_LOCK = {
    "version": 1,
    "dependencies": {
        "net6.0": {
            "Newtonsoft.Json": {
                "type": "Direct",
                "requested": "[13.0.3, )",
                "resolved": "13.0.3",
                "contentHash": HASH,
            },
            "Serilog.Sinks.Console": {
                "type": "Direct",
                "requested": "[5.0.1, )",
                "resolved": "5.0.1",
                "contentHash": HASH,
                "dependencies": {"Serilog": "3.1.1"},
            },
            "Serilog": {"type": "Transitive", "resolved": "3.1.1", "contentHash": HASH},
            "shared": {"type": "Project", "dependencies": {"Newtonsoft.Json": "[13.0.3, )"}},
        },
        "net8.0": {
            "Newtonsoft.Json": {
                "type": "Direct",
                "requested": "[13.0.3, )",
                "resolved": "13.0.3",
                "contentHash": HASH,
            },
            "System.Text.Json": {
                "type": "CentralTransitive",
                "requested": "[8.0.0, )",
                "resolved": "8.0.4",
                "contentHash": HASH,
            },
        },
    },
}


def test_packages_lock_across_frameworks() -> None:
    cataloger = PackagesLockCataloger()
    assert cataloger.wants("/src/App/packages.lock.json")
    result = cataloger.catalog(
        [CatalogFile("/src/App/packages.lock.json", json.dumps(PACKAGES_LOCK).encode())],
        CatalogContext(),
    )
    assert result.problems == ()
    assert sorted((p.name, p.version) for p in result.packages) == [
        ("Newtonsoft.Json", "13.0.3"),
        ("Serilog", "3.1.1"),
        ("Serilog.Sinks.Console", "5.0.1"),
        ("System.Text.Json", "8.0.4"),
    ]
    assert all(p.checksums == (("sha512", DIGEST.hex()),) for p in result.packages)
    assert {(r.parent, r.child) for r in result.relationships} == {
        ("pkg:nuget/Serilog.Sinks.Console@5.0.1", "pkg:nuget/Serilog@3.1.1")
    }


def test_packages_config_and_refused_xml() -> None:
    cataloger = PackagesConfigCataloger()
    good = (
        '<?xml version="1.0" encoding="utf-8"?>\n<packages>\n'
        '  <package id="jQuery" version="3.7.1" targetFramework="net472" />\n'
        '  <package id="EntityFramework" version="6.4.4" targetFramework="net472"'
        ' developmentDependency="true" />\n'
        '  <package id="NoVersion" />\n'
        "</packages>\n"
    )
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        '<packages><package id="&lol2;" version="1"/></packages>'
    )
    files = [
        CatalogFile("/a/packages.config", good.encode()),
        CatalogFile("/b/packages.config", laughs.encode("utf-16")),
        CatalogFile("/c/packages.config", b"<packages><package"),
        CatalogFile("/d/packages.config", b"<configuration/>"),
    ]
    result = cataloger.catalog(files, CatalogContext())
    assert [p.purl for p in result.packages] == [
        "pkg:nuget/jQuery@3.7.1",
        "pkg:nuget/EntityFramework@6.4.4",
    ]
    assert result.problems[0] == "/a/packages.config: <package> #3 lacks id or version"
    assert result.problems[1] == (
        "/b/packages.config: XML with a DTD is refused (packages.config never needs one)"
    )
    assert result.problems[2].startswith("/c/packages.config: not well-formed XML")
    assert (
        result.problems[3] == "/d/packages.config: root element is <configuration>, not <packages>"
    )


def test_malformed_json_is_a_problem() -> None:
    for cataloger, path in (
        (DepsJsonCataloger(), "/x/a.deps.json"),
        (PackagesLockCataloger(), "/x/packages.lock.json"),
    ):
        result = cataloger.catalog(
            [CatalogFile(path, b"{"), CatalogFile(path, b"[]")], CatalogContext()
        )
        assert result.packages == ()
        assert len(result.problems) == 2
        assert result.problems[0].startswith(f"{path}: not JSON")
        assert result.problems[1].startswith(f"{path}: no ")
