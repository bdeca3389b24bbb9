"""Image checks on real images built by the tests (docker-archive), through the pipeline:
each weakness planted in an otherwise clean image, and the clean image passing with zero
findings. Also the own-layers rule that decides which setuid binaries the image added."""

import dataclasses
import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from seawall.analyze.misconfig import CheckKind, checks_of, own_layer_start
from seawall.analyze.misconfig.files import MAX_KEPT, FileEvidence
from seawall.model.files import FileInfo, FileKind
from seawall.model.image import HistoryEntry, Image, Layer, SourceKind
from seawall.pipeline.compliance import compliance_scan
from seawall.pipeline.scan import ScanSettings
from seawall.source.base import SourceOptions
from tests.support.imagebuild import (
    ConfigSpec,
    Dir,
    EmptyStep,
    Entry,
    File,
    ImageSpec,
    LayerSpec,
    build_image,
    write_docker_archive,
)

TODAY = datetime.date(2026, 11, 1)
NO_SCANNERS = ScanSettings(scanners=frozenset())  # image checks only
"""Fixed, so end-of-life results do not change with the calendar (Debian 11 ended 2026-08-31)."""
DIGEST = "sha256:" + "e" * 64


def os_release(version: str) -> bytes:
    return f'PRETTY_NAME="Debian GNU/Linux {version}"\nID=debian\nVERSION_ID="{version}"\n'.encode()


def dpkg_status(*names: str) -> bytes:
    return "\n".join(
        f"Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n"
        for name in names
    ).encode()


@dataclasses.dataclass
class Plan:
    """A clean image, as data the cases change."""

    base: list[Entry] = dataclasses.field(
        default_factory=lambda: [
            Dir("etc"),
            File("etc/os-release", os_release("12")),
            Dir("usr"),
            Dir("usr/bin"),
            File("usr/bin/passwd", b"\x7fELF", mode=0o4755),  # the base's own setuid
            File("usr/bin/wall", b"\x7fELF", mode=0o2755),
            Dir("tmp", mode=0o1777),
            Dir("var/lib/dpkg"),
            File("var/lib/dpkg/status", dpkg_status("coreutils")),
            Dir("var/lib/apt/lists/partial"),
            File("var/lib/apt/lists/lock"),
        ]
    )
    own: list[Entry] = dataclasses.field(
        default_factory=lambda: [
            Dir("app"),
            File("app/server", b"\x7fELF", mode=0o755),
            File("app/config.yaml", b"port: 8080\n", mode=0o644),
        ]
    )
    own_created_by: str = (
        "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends tini "
        "&& rm -rf /var/lib/apt/lists/* # buildkit"
    )
    extra_steps: list[LayerSpec | EmptyStep] = dataclasses.field(default_factory=list)
    config: ConfigSpec = dataclasses.field(
        default_factory=lambda: ConfigSpec(
            user="10001:10001",
            cmd=["/app/server", "--port", "8080"],
            healthcheck=["CMD", "/app/server", "--health"],
            exposed_ports=["8080/tcp"],
            env=("PATH=/usr/bin", "PASSWORD_FILE=/run/secrets/db", "GPG_KEY=A035C8C1"),
            labels={
                "org.opencontainers.image.source": "https://example.org/app",
                "org.opencontainers.image.revision": "4f2a9c1",
                "org.opencontainers.image.licenses": "Apache-2.0",
                "org.opencontainers.image.base.name": "docker.io/library/debian:12-slim",
                "org.opencontainers.image.base.digest": DIGEST,
            },
        )
    )

    def spec(self) -> ImageSpec:
        steps: list[LayerSpec | EmptyStep] = [
            LayerSpec(self.base, created_by="/bin/sh -c #(nop) ADD file:0a1b2c in / "),
            EmptyStep('/bin/sh -c #(nop)  CMD ["bash"]'),
            LayerSpec(self.own, created_by=self.own_created_by),
            *self.extra_steps,
            *self.config_steps(),
        ]
        return ImageSpec(steps=steps, config=self.config)

    def config_steps(self) -> list[EmptyStep]:
        """History lines matching the config, as BuildKit writes them (peers read history);
        BuildKit adds `# buildkit` only to the steps that make layers."""
        config = self.config
        steps = [EmptyStep(f"ENV {variable}") for variable in config.env]
        if config.exposed_ports:
            ports = " ".join(f"{port}:{{}}" for port in config.exposed_ports)
            steps.append(EmptyStep(f"EXPOSE map[{ports}]"))
        if config.healthcheck:
            test = " ".join(f'"{word}"' for word in config.healthcheck)
            timings = '"30s" "0s" "0s" "0s" \'\\x00\''
            steps.append(EmptyStep(f"HEALTHCHECK &{{[{test}] {timings}}}"))
        if config.user:
            steps.append(EmptyStep(f"USER {config.user}"))
        command = json.dumps(list(config.cmd or ()), separators=(",", ":"))
        steps.append(EmptyStep(f"CMD {command}"))
        return steps


def configure(**changes: object) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        plan.config = dataclasses.replace(plan.config, **changes)  # type: ignore[arg-type]

    return change


def without_label(name: str) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        labels = {k: v for k, v in plan.config.labels.items() if k != name}
        plan.config = dataclasses.replace(plan.config, labels=labels)

    return change


def with_labels(**labels: str) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        merged = {**plan.config.labels, **{k.replace("_", "."): v for k, v in labels.items()}}
        plan.config = dataclasses.replace(plan.config, labels=merged)

    return change


def own_file(entry: Entry) -> Callable[[Plan], None]:
    return lambda plan: plan.own.append(entry)


def base_file(entry: Entry) -> Callable[[Plan], None]:
    return lambda plan: plan.base.append(entry)


def step(created_by: str) -> Callable[[Plan], None]:
    return lambda plan: plan.extra_steps.append(LayerSpec([Dir("opt")], created_by=created_by))


def base_name(name: str, digest: bool) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        labels = dict(plan.config.labels)
        labels["org.opencontainers.image.base.name"] = name
        if not digest:
            labels.pop("org.opencontainers.image.base.digest")
        plan.config = dataclasses.replace(plan.config, labels=labels)

    return change


def replace_os(version: str) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        plan.base[1] = File("etc/os-release", os_release(version))

    return change


LABEL = "org.opencontainers.image."
Change = Callable[[Plan], None]
# check id -> (change planting the weakness, change making a clean near-miss)
CASES: dict[str, tuple[Change, Change]] = {
    "SW-IMG-001": (configure(user=None), configure(user="app")),
    "SW-IMG-002": (configure(healthcheck=None), configure(healthcheck=["CMD", "/hc"])),
    "SW-IMG-003": (configure(exposed_ports=["22/tcp"]), configure(exposed_ports=["2222/tcp"])),
    "SW-IMG-004": (
        own_file(File("usr/sbin/sshd", b"\x7fELF", mode=0o755)),
        own_file(File("usr/sbin/sshd.conf.example", b"")),
    ),
    "SW-IMG-005": (
        own_file(File("var/lib/dpkg/status", dpkg_status("coreutils", "sudo"))),
        own_file(File("var/lib/dpkg/status", dpkg_status("coreutils", "sudoku"))),
    ),
    "SW-IMG-006": (
        own_file(File("usr/local/bin/helper", b"\x7fELF", mode=0o4755)),
        base_file(File("usr/local/bin/helper", b"\x7fELF", mode=0o4755)),
    ),
    "SW-IMG-007": (
        own_file(File("usr/local/bin/helper", b"\x7fELF", mode=0o2755)),
        base_file(File("usr/local/bin/helper", b"\x7fELF", mode=0o2755)),
    ),
    "SW-IMG-008": (own_file(Dir("srv/data", mode=0o777)), own_file(Dir("srv/data", mode=0o1777))),
    "SW-IMG-009": (
        own_file(File("app/settings.ini", b"", mode=0o666)),
        own_file(File("app/settings.ini", b"", mode=0o664)),
    ),
    "SW-IMG-010": (
        own_file(File("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", b"x")),
        own_file(File("var/lib/apt/lists/partial/deb.debian.org_InRelease", b"x")),
    ),
    "SW-IMG-011": (
        own_file(File("root/.cache/pip/http-v2/a/b", b"cached")),
        own_file(File("root/.config/pip/pip.conf", b"")),
    ),
    "SW-IMG-012": (
        configure(env=("PATH=/usr/bin", "DB_PASSWORD=hunter2")),
        configure(env=("PATH=/usr/bin", "DB_PASSWORD=", "DB_PASSWORD_FILE=/run/secrets/db")),
    ),
    "SW-IMG-013": (
        base_name("docker.io/library/debian:latest", digest=True),
        base_name("docker.io/library/debian:12", digest=True),
    ),
    "SW-IMG-014": (
        base_name("docker.io/library/debian:12", digest=False),
        base_name(f"docker.io/library/debian:12@{DIGEST}", digest=False),
    ),
    "SW-IMG-015": (
        step("ADD https://example.org/tool.tgz /opt/ # buildkit"),
        step(f"ADD --checksum={DIGEST} https://example.org/tool.tgz /opt/ # buildkit"),
    ),
    "SW-IMG-016": (
        step("RUN /bin/sh -c curl -fsSL https://get.example.org | sh # buildkit"),
        step("RUN /bin/sh -c curl -fsSLo /opt/get.sh https://get.example.org # buildkit"),
    ),
    "SW-IMG-017": (configure(exposed_ports=["443/tcp"]), configure(exposed_ports=["8443/tcp"])),
    "SW-IMG-018": (without_label(LABEL + "source"), with_labels(org_example="x")),
    "SW-IMG-019": (without_label(LABEL + "revision"), with_labels(org_example="x")),
    "SW-IMG-020": (without_label(LABEL + "licenses"), with_labels(org_example="x")),
    "SW-IMG-021": (replace_os("11"), replace_os("13")),
    "SW-IMG-022": (
        configure(cmd=["/bin/sh", "-c", "/app/server --port 8080"]),
        configure(cmd=["/bin/sh", "/app/start.sh"]),
    ),
    "SW-IMG-023": (
        step("RUN /bin/sh -c apt-get update # buildkit"),
        step("RUN /bin/sh -c apt-get update && apt-get install -y tini # buildkit"),
    ),
}


def misconfig_ids(tmp_path: Path, change: Change | None = None) -> set[str]:
    plan = Plan()
    if change is not None:
        change(plan)
    archive = write_docker_archive(tmp_path / "image.tar", [(build_image(plan.spec()), ["app:1"])])
    run = compliance_scan(
        f"docker-archive:{archive}", SourceOptions(), settings=NO_SCANNERS, today=TODAY
    )
    assert run.coverage.misconfig_kinds == frozenset({"image"})
    return {finding.check_id for finding in run.result.misconfigurations}


def test_every_image_check_has_a_case() -> None:
    assert {check.id for check in checks_of(CheckKind.IMAGE)} == set(CASES)
    assert len(CASES) >= 20


def test_clean_image_has_no_findings(tmp_path: Path) -> None:
    assert misconfig_ids(tmp_path) == set()


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_weakness_is_found(tmp_path: Path, check_id: str) -> None:
    assert check_id in misconfig_ids(tmp_path, CASES[check_id][0])


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_clean_counterpart_passes(tmp_path: Path, check_id: str) -> None:
    assert check_id not in misconfig_ids(tmp_path, CASES[check_id][1])


def test_setuid_finding_names_the_file_and_layer(tmp_path: Path) -> None:
    plan = Plan()
    plan.own.append(File("usr/local/bin/helper", b"\x7fELF", mode=0o4755))
    archive = write_docker_archive(tmp_path / "i.tar", [(build_image(plan.spec()), ["a:1"])])
    run = compliance_scan(
        f"docker-archive:{archive}", SourceOptions(), settings=NO_SCANNERS, today=TODAY
    )
    (finding,) = [f for f in run.result.misconfigurations if f.check_id == "SW-IMG-006"]
    assert finding.path == "/usr/local/bin/helper" and finding.layer == 1
    assert "4755" in finding.message


def test_env_secret_value_is_never_in_the_message(tmp_path: Path) -> None:
    plan = Plan()
    CASES["SW-IMG-012"][0](plan)
    archive = write_docker_archive(tmp_path / "i.tar", [(build_image(plan.spec()), ["a:1"])])
    run = compliance_scan(
        f"docker-archive:{archive}", SourceOptions(), settings=NO_SCANNERS, today=TODAY
    )
    messages = " ".join(f.message for f in run.result.misconfigurations)
    assert "DB_PASSWORD" in messages and "hunter2" not in messages


def image(history: list[tuple[str, bool]], layers: int) -> Image:
    return Image(
        source_kind=SourceKind.DOCKER_ARCHIVE,
        reference="x",
        history=tuple(HistoryEntry(created_by=text, empty_layer=empty) for text, empty in history),
        layers=tuple(Layer(i, "t", None, None, None) for i in range(layers)),
    )


@pytest.mark.parametrize(
    ("history", "layers", "start"),
    [
        # Classic docker: the base's CMD, then the image's own layers.
        (
            [
                ("/bin/sh -c #(nop) ADD file:1 in /", False),
                ('/bin/sh -c #(nop)  CMD ["bash"]', True),
                ("/bin/sh -c apt-get install x", False),
                ("/bin/sh -c #(nop) COPY a b", False),
            ],
            3,
            1,
        ),
        # BuildKit, two bases deep: the last CMD followed by a layer wins.
        (
            [
                ("ADD rootfs /", False),
                ('CMD ["sh"]', True),
                ("RUN /bin/sh -c a # buildkit", False),
                ('CMD ["py"]', True),
                ("COPY . /app # buildkit", False),
                ('CMD ["/app"]', True),
            ],
            3,
            2,
        ),
        # FROM scratch, or a base without CMD: every layer is the image's own.
        ([("COPY app / # buildkit", False), ('ENTRYPOINT ["/app"]', True)], 1, 0),
        # History that does not number the layers: every layer is own.
        ([('CMD ["x"]', True), ("RUN a", False)], 3, 0),
        ([], 2, 0),
    ],
)
def test_own_layer_start(history: list[tuple[str, bool]], layers: int, start: int) -> None:
    assert own_layer_start(image(history, layers)) == start


def test_file_evidence_is_bounded() -> None:
    evidence = FileEvidence()
    for index in range(MAX_KEPT * 3):
        evidence.observe(FileInfo(f"/bin/s{index}", FileKind.REGULAR, 0o4755, 1, layer=1))
        evidence.observe(FileInfo(f"/var/cache/apk/p{index}", FileKind.REGULAR, 0o644, 10))
    assert len(evidence.setuid) == MAX_KEPT
    assert evidence.caches["apk cache"].count == MAX_KEPT * 3
    assert evidence.caches["apk cache"].bytes == MAX_KEPT * 30
