"""Dockerfile checks (SW-DF-*), multi-stage aware, over `dockerfile-parse`'s instruction list.

Stages: every FROM starts one. The *final* stage is the last; the stages that
end up in the final image are the final stage and the chain of stages it is
built FROM (`FROM build AS final` inherits `build`'s filesystem, USER and
HEALTHCHECK). Checks about what the image runs as (USER, HEALTHCHECK,
CMD/ENTRYPOINT form, EXPOSE) look at the final stage, following that chain
for what it inherits; layer-hygiene checks (caches, recommends) look at the
stages in the final image; supply-chain and secret checks look at every
stage, because a build stage's downloads and build args are just as exposed.

Global ARG defaults (ARGs before the first FROM) are substituted into FROM
lines, as Docker does; a base that still holds a variable is not judged.
"""

import io
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from dockerfile_parse import DockerfileParser

from seawall.analyze.misconfig.catalogue import make_finding
from seawall.analyze.misconfig.results import ConfigResult
from seawall.analyze.misconfig.runline import run_issues
from seawall.analyze.misconfig.secretnames import is_secret_name, redact_url
from seawall.analyze.misconfig.shell import strip_run_flags
from seawall.model.files import Problem
from seawall.model.finding import MisconfigFinding

MAX_DOCKERFILE_BYTES = 256 * 1024
"""Larger Dockerfiles are not parsed: real ones are a few KiB, and dockerfile-parse's time
grows faster than linearly with continuation lines (8 s for 1 MiB of them)."""
_ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst")
_ROOT_USERS = frozenset({"root", "0"})
_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    value: str
    line: int
    """1-based line of the instruction's first line."""


@dataclass(slots=True)
class Stage:
    index: int
    base: str
    """The FROM image (global ARGs substituted), or a previous stage's name."""
    name: str | None
    line: int
    parent: "Stage | None" = None
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        """The last `keyword` instruction in this stage or, failing that, its parent stages."""
        stage: Stage | None = self
        while stage is not None:
            found = [i for i in stage.instructions if i.keyword == keyword]
            if found:
                return found[-1]
            stage = stage.parent
        return None

    def lineage(self) -> Iterator["Stage"]:
        stage: Stage | None = self
        while stage is not None:
            yield stage
            stage = stage.parent


def _instructions(text: str) -> list[Instruction]:
    parser = DockerfileParser(fileobj=io.StringIO(text), env_replace=False)
    return [
        Instruction(item["instruction"].upper(), item["value"], item["startline"] + 1)
        for item in parser.structure
        if item["instruction"] != "COMMENT"
    ]


def _substitute(text: str, args: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return args.get(name, match.group(0))

    return _VARIABLE.sub(replace, text)


def _stages(instructions: list[Instruction]) -> list[Stage]:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    by_name: dict[str, Stage] = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = [w for w in instruction.value.split() if not w.startswith("--")]
            base = _substitute(words[0], global_args) if words else ""
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            stage = Stage(len(stages), base, name, instruction.line)
            stage.parent = by_name.get(base.lower())
            stages.append(stage)
            if name:
                by_name[name] = stage
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            for name, value in _assignments(instruction.value):
                if value is not None:
                    global_args[name] = value
    return stages


def _assignments(value: str) -> list[tuple[str, str | None]]:
    """`A=1 B="x y"` or `A` (ARG without default) or legacy `ENV A some value`."""
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()
    if not words:
        return []
    if "=" not in words[0]:
        # Legacy `ENV NAME value with spaces`, or `ARG NAME`.
        rest = value.strip()[len(words[0]) :].strip()
        return [(words[0], rest or None)]
    result: list[tuple[str, str | None]] = []
    for word in words:
        name, sep, val = word.partition("=")
        result.append((name, val if sep else None))
    return result


def _split_reference(reference: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/app:1.2@sha256:ab` -> (name, tag, digest)."""
    name, _, digest = reference.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = name.rsplit(":", 1)
        return repo, tag, digest or None
    return name, None, digest or None


def _exec_words(value: str) -> list[str] | None:
    """The JSON array of an exec-form instruction, or None for shell form."""
    stripped = value.strip()
    if not stripped.startswith("["):
        return None
    try:
        parsed = json.loads(stripped)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        return None
    if isinstance(parsed, list) and all(isinstance(word, str) for word in parsed):
        return parsed
    return None


class _Findings:
    """Collects findings for one Dockerfile."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[MisconfigFinding] = []
        self._seen: dict[str, int] = {}

    def add(self, check_id: str, message: str, line: int, subject: str) -> None:
        # Identical findings (same check, same subject) are numbered, not merged:
        # two `curl | sh` RUNs are two findings with two fingerprints.
        key = f"{check_id}\0{subject}"
        self._seen[key] = self._seen.get(key, 0) + 1
        if self._seen[key] > 1:
            subject = f"{subject}#{self._seen[key]}"
        self.items.append(
            make_finding(
                check_id,
                message,
                target=self.path,
                subject=subject,
                path=self.path,
                line=line,
            )
        )


def analyze_dockerfile(content: bytes, path: str) -> ConfigResult:
    """Every SW-DF check on one Dockerfile's bytes. Never raises for bad content."""
    if len(content) > MAX_DOCKERFILE_BYTES:
        problem = Problem(path, f"larger than {MAX_DOCKERFILE_BYTES} bytes; not checked")
        return ConfigResult(path, "dockerfile", problems=(problem,))
    text = content.decode("utf-8", errors="replace")
    try:
        instructions = _instructions(text)
    except Exception as error:  # the parser's errors are not a documented family
        problem = Problem(path, f"not a parsable Dockerfile ({type(error).__name__})")
        return ConfigResult(path, "dockerfile", problems=(problem,))
    stages = _stages(instructions)
    if not stages:
        return ConfigResult(path, "dockerfile", problems=(Problem(path, "no FROM instruction"),))
    out = _Findings(path)
    final = stages[-1]
    in_image = {stage.index for stage in final.lineage()}
    names: set[str] = set()
    for stage in stages:
        _check_from(stage, names, out)
        if stage.name:
            names.add(stage.name)
        for instruction in stage.instructions:
            _check_instruction(stage, instruction, stage.index in in_image, out)
        _check_repeats(stage, out)
    _check_final(final, out)
    return ConfigResult(path, "dockerfile", findings=tuple(out.items))


def _check_from(stage: Stage, earlier: set[str], out: _Findings) -> None:
    """`earlier`: names of the stages before this one."""
    base = stage.base
    if not base or base.lower() == "scratch" or base.lower() in earlier or "$" in base:
        return
    subject = f"stage{stage.index}:{base}"
    _name, tag, digest = _split_reference(base)
    if digest is None:
        out.add("SW-DF-001", f"FROM {base} is not pinned by digest", stage.line, subject)
        if tag is None or tag == "latest":
            out.add("SW-DF-002", f"FROM {base} follows the latest tag", stage.line, subject)


def _check_instruction(
    stage: Stage, instruction: Instruction, in_image: bool, out: _Findings
) -> None:
    keyword, value, line = instruction.keyword, instruction.value, instruction.line
    subject_prefix = f"stage{stage.index}"
    if keyword == "RUN":
        command, flags = strip_run_flags(value)
        words = _exec_words(command)
        if words is not None:
            command = " ".join(words)
        for issue in run_issues(command, flags):
            if not in_image and issue.check_id in _HYGIENE:
                continue
            out.add(issue.check_id, issue.message, line, f"{subject_prefix}:{issue.subject}")
    elif keyword == "ADD":
        _check_add(value, line, f"{subject_prefix}:add", out)
    elif keyword in ("ARG", "ENV"):
        check_id = "SW-DF-015" if keyword == "ARG" else "SW-DF-016"
        for name, _value in _assignments(value):
            if is_secret_name(name):
                out.add(
                    check_id,
                    f"{keyword} {name} looks like a credential",
                    line,
                    f"{subject_prefix}:{name}",
                )
    elif keyword == "WORKDIR":
        directory = value.strip().strip("\"'")
        if not directory.startswith(("/", "$")) and not re.match(r"^[A-Za-z]:[\\/]", directory):
            out.add("SW-DF-018", f"WORKDIR {directory} is relative", line, directory)
    elif keyword == "MAINTAINER":
        out.add("SW-DF-030", "MAINTAINER is deprecated", line, "maintainer")


_HYGIENE = frozenset({"SW-DF-007", "SW-DF-008", "SW-DF-012", "SW-DF-024", "SW-DF-025"})


def _check_add(value: str, line: int, subject: str, out: _Findings) -> None:
    words = _exec_words(value) or value.split()
    flags = [w for w in words if w.startswith("--")]
    paths = [w for w in words if not w.startswith("--")]
    sources = paths[:-1]
    remote = [s for s in sources if re.match(r"^(https?|git|ssh)://|^git@", s)]
    if remote:
        if not any(flag.startswith("--checksum") for flag in flags):
            url = redact_url(remote[0])
            out.add("SW-DF-006", f"ADD {url} downloads without a checksum", line, subject)
        return
    local = [s for s in sources if not s.lower().endswith(_ARCHIVES)]
    if local:
        out.add("SW-DF-005", f"ADD {' '.join(local)}: COPY does the same", line, subject)


def _check_repeats(stage: Stage, out: _Findings) -> None:
    for keyword, check_id in (("CMD", "SW-DF-019"), ("ENTRYPOINT", "SW-DF-020")):
        found = [i for i in stage.instructions if i.keyword == keyword]
        for extra in found[1:]:
            out.add(
                check_id,
                f"{keyword} at line {extra.line} overrides the one at line {found[0].line}",
                extra.line,
                f"stage{stage.index}:{keyword}",
            )


def _check_final(final: Stage, out: _Findings) -> None:
    user = final.last("USER")
    if user is None:
        out.add("SW-DF-003", "the final stage runs as the base image's user", final.line, "user")
    elif user.value.strip().split(":")[0] in _ROOT_USERS:
        out.add("SW-DF-004", f"USER {user.value.strip()} is the last USER", user.line, "user")
    healthcheck = final.last("HEALTHCHECK")
    if healthcheck is None or healthcheck.value.strip().upper() == "NONE":
        line = healthcheck.line if healthcheck else final.line
        out.add("SW-DF-017", "the final stage has no HEALTHCHECK", line, "healthcheck")
    for keyword in ("CMD", "ENTRYPOINT"):
        instruction = final.last(keyword)
        if instruction is not None and _exec_words(instruction.value) is None:
            out.add(
                "SW-DF-021",
                f"{keyword} is in shell form (runs under /bin/sh -c)",
                instruction.line,
                keyword,
            )
    for stage in final.lineage():
        for instruction in stage.instructions:
            if instruction.keyword == "EXPOSE":
                _check_expose(instruction, out)


def _check_expose(instruction: Instruction, out: _Findings) -> None:
    for spec in instruction.value.split():
        port_text = spec.split("/")[0].split("-")[0]
        if not port_text.isdigit():
            continue
        port = int(port_text)
        if port == 22:
            out.add("SW-DF-026", "EXPOSE 22 (SSH)", instruction.line, "22")
        elif port < 1024:
            out.add("SW-DF-027", f"EXPOSE {spec}: a privileged port", instruction.line, str(port))
