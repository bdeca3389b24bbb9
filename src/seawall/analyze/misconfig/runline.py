"""Judging one RUN command line: package managers, downloads, permissions, sudo.

Each rule returns `Issue`s (check id, message, subject). The Dockerfile checks
run them on every RUN; messages name the command, never an argument value
that could be a credential (only package names, modes and program names).
"""

import re
from dataclasses import dataclass

from seawall.analyze.misconfig.shell import Command, commands, fetch_piped_to_shell


@dataclass(frozen=True, slots=True)
class Issue:
    check_id: str
    message: str
    subject: str
    """What the issue is about, for the fingerprint (a program, a package, a mode)."""


_APT = frozenset({"apt-get", "apt"})
_YUM = frozenset({"yum", "dnf", "microdnf", "tdnf"})
_PIP = frozenset({"pip", "pip3"})
_PYTHON = re.compile(r"^python(?:\d(?:\.\d+)?)?$")
_PIP_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--trusted-host",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--cache-dir",
        "--log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--only-binary",
        "--no-binary",
        "--config-settings",
        "-C",
        "--report",
    }
)
_NPM_VALUE_OPTIONS = frozenset({"--prefix", "--registry", "--cache", "--tag", "-w", "--workspace"})
_INSECURE_FLAGS = {
    "curl": frozenset({"-k", "--insecure"}),
    "wget": frozenset({"--no-check-certificate"}),
    "pip": frozenset({"--trusted-host"}),
    "pip3": frozenset({"--trusted-host"}),
}
_APT_LISTS = "/var/lib/apt/lists"
_NO_RECOMMENDS = re.compile(r"APT::Install-Recommends\s*=?\s*\"?(false|0)")
_INSTALLING = frozenset({"install", "add", "upgrade", "dist-upgrade", "full-upgrade"})


def _is_pip_install(command: Command) -> tuple[str, ...] | None:
    """The arguments after `install` for pip / python -m pip, else None."""
    words = command.words
    if command.program in _PIP and len(words) > 1 and words[1] == "install":
        return words[2:]
    if _PYTHON.match(command.program) and words[1:4] == ("-m", "pip", "install"):
        return words[4:]
    return None


def _pip_unpinned(args: tuple[str, ...]) -> list[str]:
    """Requirement arguments that do not pin one exact version."""
    unpinned: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in _PIP_VALUE_OPTIONS
            continue
        if "==" in arg or "@" in arg or "/" in arg or arg in (".", ".."):
            continue  # pinned, a direct URL reference, or a local path/archive
        if arg.endswith((".whl", ".tar.gz", ".zip")) or "$" in arg:
            continue
        unpinned.append(arg)
    return unpinned


def _npm_unpinned(command: Command) -> list[str]:
    """Packages named without a version by `npm install|i|add` or `yarn add` (or `global add`)."""
    args = list(command.args)
    program = command.program
    if program == "yarn" and args[:2] == ["global", "add"]:
        args = args[2:]
    elif (program in ("npm", "pnpm") and args[:1] in (["install"], ["i"], ["add"])) or (
        program == "yarn" and args[:1] == ["add"]
    ):
        args = args[1:]
    else:
        return []
    unpinned: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in _NPM_VALUE_OPTIONS
            continue
        # A version follows the last `@` after the first character (`@scope/name@1.2`).
        if "@" in arg[1:] or arg.startswith((".", "/", "git+", "http")) or ":" in arg:
            continue
        if "$" in arg:
            continue
        unpinned.append(arg)
    return unpinned


def _world_writable_mode(mode: str) -> bool:
    """True for a chmod mode that grants write to others (`777`, `0666`, `o+w`, `a+rwx`)."""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return int(mode[-1]) & 2 != 0
    for clause in mode.split(","):
        match = re.fullmatch(r"([ugoa]*)([+=])([rwxXst]*)", clause)
        if match and "w" in match.group(3) and ("o" in match.group(1) or "a" in match.group(1)):
            return True
    return False


def _subcommand(command: Command) -> str:
    """The first non-option argument (`apt-get -y install x` -> `install`)."""
    return next((arg for arg in command.args if not arg.startswith("-")), "")


@dataclass(frozen=True, slots=True)
class _LineFacts:
    """What the whole RUN line says, computed once (per-command substring scans would be
    quadratic on a hostile line of many commands)."""

    cached: bool
    """A BuildKit cache mount keeps package caches out of the layer."""
    removes_apt_lists: bool
    no_recommends_config: bool
    pip_no_cache_env: bool
    cleans_var_cache: bool
    yum_clean: bool


def _apt_issues(command: Command, facts: _LineFacts) -> list[Issue]:
    issues: list[Issue] = []
    sub = _subcommand(command)
    if command.program == "apt" and sub in ("install", "update", "upgrade", "dist-upgrade"):
        issues.append(Issue("SW-DF-031", f"`apt {sub}` in RUN; use apt-get in scripts", "apt"))
    if sub in ("upgrade", "dist-upgrade", "full-upgrade"):
        issues.append(
            Issue("SW-DF-009", f"`{command.program} {sub}` upgrades the base image's packages", sub)
        )
    if sub == "install":
        if "--no-install-recommends" not in command.args and not facts.no_recommends_config:
            issues.append(
                Issue(
                    "SW-DF-007",
                    f"`{command.program} install` without --no-install-recommends",
                    "apt-install",
                )
            )
        if not facts.cached and not facts.removes_apt_lists:
            issues.append(
                Issue(
                    "SW-DF-008",
                    f"`{command.program} install` without removing {_APT_LISTS} in the same RUN",
                    "apt-lists",
                )
            )
    return issues


def run_issues(line: str, flags: tuple[str, ...] = ()) -> list[Issue]:
    """Every issue of one RUN command line (already stripped of `--mount` flags)."""
    parsed = commands(line)
    facts = _LineFacts(
        cached=any("type=cache" in flag for flag in flags),
        removes_apt_lists=_APT_LISTS in line,
        no_recommends_config=bool(_NO_RECOMMENDS.search(line)),
        pip_no_cache_env="PIP_NO_CACHE_DIR" in line,
        cleans_var_cache="/var/cache/" in line,
        yum_clean=any(c.program in _YUM and "clean" in c.args for c in parsed),
    )
    issues: list[Issue] = []
    for command in parsed:
        issues.extend(_command_issues(command, facts))
    update_only = _update_alone(parsed)
    if update_only:
        issues.append(
            Issue("SW-DF-010", f"`{update_only}` without an install in the same RUN", update_only)
        )
    piped = fetch_piped_to_shell(line)
    if piped:
        issues.append(Issue("SW-DF-014", f"`{piped}` runs a download unverified", "fetch-pipe"))
    return issues


def _command_issues(command: Command, facts: _LineFacts) -> list[Issue]:
    issues: list[Issue] = []
    program = command.program
    if command.sudo:
        issues.append(Issue("SW-DF-022", f"`sudo {program}` in RUN", program))
    if program in _APT:
        issues.extend(_apt_issues(command, facts))
    elif program == "apk" and _subcommand(command) == "add":
        if "--no-cache" not in command.args and not facts.cached:
            issues.append(Issue("SW-DF-024", "`apk add` without --no-cache", "apk-add"))
    elif program in _YUM and "install" in command.args:
        if not (facts.yum_clean or facts.cleans_var_cache or facts.cached):
            message = f"`{program} install` without `{program} clean all` in the same RUN"
            issues.append(Issue("SW-DF-025", message, program))
    elif program == "chmod":
        for arg in command.args:
            if not arg.startswith("-") and _world_writable_mode(arg):
                message = f"`chmod {arg}` makes files world-writable"
                issues.append(Issue("SW-DF-023", message, arg))
                break
    elif program == "cd":
        issues.append(Issue("SW-DF-029", "`cd` in RUN; use WORKDIR", "cd"))
    pip_args = _is_pip_install(command)
    if pip_args is not None:
        unpinned = _pip_unpinned(pip_args)
        if unpinned:
            names = ", ".join(sorted(unpinned))
            issues.append(Issue("SW-DF-011", f"`pip install` of unpinned {names}", names))
        if "--no-cache-dir" not in pip_args and not (facts.cached or facts.pip_no_cache_env):
            issues.append(Issue("SW-DF-012", "`pip install` without --no-cache-dir", "pip"))
    npm_unpinned = _npm_unpinned(command)
    if npm_unpinned:
        names = ", ".join(sorted(npm_unpinned))
        issues.append(Issue("SW-DF-013", f"`{program}` installs unpinned {names}", names))
    insecure = _INSECURE_FLAGS.get(program, frozenset()) & set(command.args)
    if insecure:
        flag = sorted(insecure)[0]
        issues.append(Issue("SW-DF-028", f"`{program} {flag}` skips TLS verification", flag))
    return issues


def index_update_alone(line: str) -> str | None:
    """`apt-get update` / `apk update` when the command line installs nothing, else None."""
    return _update_alone(commands(line))


def _update_alone(parsed: list[Command]) -> str | None:
    """`apt-get update` / `apk update` in a command list that installs nothing."""
    managers = _APT | {"apk"}
    updates = [
        f"{c.program} update"
        for c in parsed
        if c.program in managers and _subcommand(c) == "update"
    ]
    installs = any(c.program in managers and _subcommand(c) in _INSTALLING for c in parsed)
    return updates[0] if updates and not installs else None
