"""Shell commands of a RUN line (or a history `created_by`), split far enough to judge them.

Not a shell: a POSIX-style tokenizer (`shlex` with punctuation) that splits a
command line into simple commands at `&&`, `||`, `;`, `|`, `&` and newlines,
remembers which commands were piped into which, and strips what precedes the
program (`sudo`, `env`, `VAR=value`). Substitutions (`$(…)`, backquotes) are
not expanded; the few patterns that matter inside them (`sh -c "$(curl …)"`,
`bash <(curl …)`) are matched on the raw text. A line that does not tokenize
(unbalanced quotes) falls back to splitting on whitespace.
"""

import re
import shlex
from dataclasses import dataclass

_SEPARATORS = frozenset({"&&", "||", ";", "&", "|", ";;", "(", ")", "\n"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = frozenset({"sudo", "env", "nohup", "time", "exec", "command", "xargs"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "fish", "busybox"})
_FETCHERS = frozenset({"curl", "wget"})
_MAX_HOPS = 8
_SUBSTITUTED_FETCH = re.compile(
    r"""(?:\b(?:sh|bash|zsh|dash|ash|ksh)\s+(?:-\w+\s+)*(?:-c\s+)?["']?\$\(\s*(?:curl|wget)\b)"""
    r"""|(?:\b(?:sh|bash|zsh|dash|ash|ksh)\s+<\(\s*(?:curl|wget)\b)"""
    r"""|(?:\bsource\s+<\(\s*(?:curl|wget)\b)"""
)


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command: its program and arguments, and how it was invoked."""

    words: tuple[str, ...]
    """Program first; leading `sudo`, `env`, assignments removed."""
    sudo: bool
    piped_from: "Command | None"
    """The command whose output is piped into this one (`a | b`: b.piped_from is a)."""

    @property
    def program(self) -> str:
        """The program's base name (`/usr/bin/apt-get` -> `apt-get`), or ''."""
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.words[1:]


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        return line.split()


def _strip_prefix(words: list[str]) -> tuple[list[str], bool]:
    """Remove assignments and wrapper programs before the real program."""
    sudo = False
    index = 0
    while index < len(words):
        word = words[index]
        if _ASSIGNMENT.match(word):
            index += 1
            continue
        base = word.rsplit("/", 1)[-1]
        if base in _WRAPPERS:
            sudo = sudo or base == "sudo"
            index += 1
            # Options of the wrapper (`sudo -E`, `env -i`, `sudo -u root`).
            while index < len(words) and words[index].startswith("-"):
                takes_value = base == "sudo" and words[index] in ("-u", "-g", "-C", "-D")
                index += 2 if takes_value else 1
            continue
        break
    return words[index:], sudo


def commands(line: str) -> list[Command]:
    """The simple commands of a shell command line, in order."""
    result: list[Command] = []
    current: list[str] = []
    piped_from: Command | None = None
    pipe_pending = False

    def finish(next_is_pipe: bool) -> None:
        nonlocal current, piped_from, pipe_pending
        words, sudo = _strip_prefix(current)
        current = []
        if words:
            command = Command(tuple(words), sudo, piped_from if pipe_pending else None)
            result.append(command)
            piped_from = command
        elif not next_is_pipe:
            piped_from = None
        pipe_pending = next_is_pipe

    for word in _tokens(line.replace("\n", " ; ")):
        if word in _SEPARATORS:
            finish(word == "|")
        else:
            current.append(word)
    finish(False)
    return result


def fetch_piped_to_shell(line: str) -> str | None:
    """The offending text when a download is run unverified by a shell, else None.

    `curl … | sh`, `wget -O- … | sudo bash`, `sh -c "$(curl …)"`, `bash <(curl …)`.
    """
    for command in commands(line):
        source = command.piped_from
        if source is None or command.program not in _SHELLS | {"python", "python3", "perl"}:
            continue
        # `curl … | tee x | sh` still runs the download. A few hops suffice, and a
        # bound keeps a hostile `a | sh | sh | …` line linear.
        hops = 0
        while source is not None and source.program not in _FETCHERS and hops < _MAX_HOPS:
            source = source.piped_from
            hops += 1
        if source is not None and source.program not in _FETCHERS:
            continue
        if source is not None:
            return f"{source.program} … | {command.program}"
    match = _SUBSTITUTED_FETCH.search(line)
    return match.group(0).strip() if match else None


def strip_run_flags(value: str) -> tuple[str, tuple[str, ...]]:
    """A RUN value without its leading `--mount=…`/`--network=…` flags, and the flags."""
    flags: list[str] = []
    rest = value.lstrip()
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.lstrip()
    return rest, tuple(flags)
