"""`db update` against a real HTTP server on 127.0.0.1 serving the real OSV data."""

import gzip
import shutil
from pathlib import Path

import orjson
import pytest

from seawall.model.package import Distro, Ecosystem, Inventory, Package
from seawall.vulndb.store import VulnStore
from seawall.vulndb.update import Feeds, UpdateError, ecosystems_for, update
from tests.vulndb.conftest import zip_entries
from tests.vulndb.feedserver import FeedServer, serve

ECOSYSTEMS = ("crates.io", "Debian:11")


def _listing(records: dict[str, dict]) -> bytes:
    rows = sorted(((r["modified"], r["id"]) for r in records.values()), reverse=True)
    return "".join(f"{modified},{record_id}\n" for modified, record_id in rows).encode()


def _export(vulndata: Path, root: Path) -> dict[str, dict[str, dict]]:
    """Lay out root like the OSV bucket: all.zip, modified_id.csv, <ID>.json per ecosystem."""
    records: dict[str, dict[str, dict]] = {}
    for ecosystem in ECOSYSTEMS:
        folder = root / ecosystem
        folder.mkdir(parents=True)
        shutil.copy(vulndata / ecosystem / "all.zip", folder / "all.zip")
        entries = {
            n.removesuffix(".json"): orjson.loads(d)
            for n, d in zip_entries(folder / "all.zip").items()
        }
        records[ecosystem] = entries
        (folder / "modified_id.csv").write_bytes(_listing(entries))
    shutil.copy(vulndata / "kev" / "known_exploited_vulnerabilities.json", root / "kev.json")
    with gzip.open(root / "epss.csv.gz", "wt") as stream:
        stream.write("#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000\n")
        stream.write("cve,epss,percentile\nCVE-2025-48384,0.51,0.97\nCVE-2021-44228,0.94,1.0\n")
    return records


def _feeds(server: FeedServer) -> Feeds:
    return Feeds(
        osv_url=server.url, kev_url=f"{server.url}/kev.json", epss_url=f"{server.url}/epss.csv.gz"
    )


def test_full_then_incremental_then_not_modified(vulndata: Path, tmp_path: Path) -> None:
    root = tmp_path / "export"
    records = _export(vulndata, root)
    store = tmp_path / "cache" / "db" / "seawall.db"
    with serve(root) as server:
        feeds = _feeds(server)
        first = update(store, ecosystems=list(ECOSYSTEMS), feeds=feeds)
        assert [(o.source, o.action) for o in first] == [
            ("crates.io", "full"),
            ("Debian:11", "full"),
            ("kev", "replaced"),
            ("epss", "replaced"),
        ]
        assert first[0].report and first[0].report.records == 1206
        assert set(server.paths(200)) >= {"/crates.io/all.zip", "/Debian:11/all.zip", "/kev.json"}
        with VulnStore(store) as opened:
            assert opened.epss("CVE-2021-44228").score == 0.94  # type: ignore[union-attr]
            assert opened.kev("CVE-2025-48384") is not None

        # Upstream changes two records and publishes a new one.
        crates = records["crates.io"]
        changed_ids = sorted(crates)[:2]
        for record_id in changed_ids:
            crates[record_id]["modified"] = "2099-01-01T00:00:00Z"
            crates[record_id]["summary"] = f"updated {record_id}"
        new = dict(
            crates[sorted(crates)[5]], id="RUSTSEC-2099-0001", modified="2099-01-02T00:00:00Z"
        )
        new["aliases"] = []
        crates[new["id"]] = new
        for record_id in [*changed_ids, new["id"]]:
            (root / "crates.io" / f"{record_id}.json").write_bytes(orjson.dumps(crates[record_id]))
        (root / "crates.io" / "modified_id.csv").write_bytes(_listing(crates))
        server.log.clear()

        second = update(store, feeds=feeds)  # ecosystems: those already in the store
        assert [(o.source, o.action) for o in second] == [
            ("Debian:11", "unchanged"),
            ("crates.io", "incremental"),
            ("kev", "unchanged"),
            ("epss", "unchanged"),
        ]
        assert second[1].report and second[1].report.imported == 3
        assert second[1].report.records == 1207
        assert not [p for p in server.paths() if p.endswith("all.zip")]
        assert sorted(p for p in server.paths(200) if p.endswith(".json")) == sorted(
            f"/crates.io/{i}.json" for i in [*changed_ids, new["id"]]
        )
        with VulnStore(store) as opened:
            assert opened.advisory(changed_ids[0]).summary == f"updated {changed_ids[0]}"  # type: ignore[union-attr]
            assert opened.advisory("RUSTSEC-2099-0001") is not None
            info = {s.name: s for s in opened.info().sources}
            assert info["crates.io"].data_as_of == "2099-01-02T00:00:00Z"
        server.log.clear()

        third = update(store, feeds=feeds)
        assert {o.action for o in third} == {"unchanged"}
        assert server.paths(200) == []
        assert len(server.paths(304)) == 4


def test_many_changes_fall_back_to_the_full_export(
    vulndata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "export"
    records = _export(vulndata, root)
    store = tmp_path / "seawall.db"
    with serve(root) as server:
        feeds = _feeds(server)
        update(store, ecosystems=["Debian:11"], feeds=feeds, kev=False, epss=False)
        monkeypatch.setattr("seawall.vulndb.update.MAX_INCREMENTAL", 5)
        debian = records["Debian:11"]
        for record in list(debian.values())[:10]:
            record["modified"] = "2099-01-01T00:00:00Z"
        (root / "Debian:11" / "modified_id.csv").write_bytes(_listing(debian))
        server.log.clear()
        (outcome,) = update(store, feeds=feeds, kev=False, epss=False)
        assert outcome.action == "full"
        assert "/Debian:11/all.zip" in server.paths(200)


def test_a_failing_server_leaves_the_store_as_it_was(vulndata: Path, tmp_path: Path) -> None:
    root = tmp_path / "export"
    _export(vulndata, root)
    store = tmp_path / "seawall.db"
    with serve(root) as server:
        feeds = _feeds(server)
        update(store, ecosystems=["Debian:11"], feeds=feeds, kev=False, epss=False)
        before = store.read_bytes()
        server.fail_with = 503
        with pytest.raises(UpdateError, match="HTTP 503"):
            update(store, feeds=feeds)
        with pytest.raises(UpdateError, match=r"HTTP (404|503)"):
            update(store, ecosystems=["NoSuchEcosystem"], feeds=feeds)
    assert store.read_bytes() == before
    with pytest.raises(UpdateError, match="ConnectError"):
        update(store, feeds=feeds, kev=False, epss=False)  # the server is gone


def test_ecosystems_an_inventory_needs() -> None:
    def package(ecosystem: Ecosystem, release: str | None = None) -> Package:
        return Package(
            name="x",
            version="1",
            ecosystem=ecosystem,
            purl="pkg:x/x",
            cataloger="t",
            ecosystem_release=release,
        )

    inventory = Inventory(
        packages=(
            package(Ecosystem.DEBIAN, "12"),
            package(Ecosystem.PYPI),
            package(Ecosystem.RED_HAT, "enterprise_linux:9"),
            package(Ecosystem.CONDA),
            package(Ecosystem.NPM),
        ),
        distro=Distro(id="debian", version_id="12"),
    )
    assert ecosystems_for(inventory) == ["Debian:12", "PyPI", "Red Hat", "npm"]
