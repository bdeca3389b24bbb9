"""Dockerfile checks: every check fires on a Dockerfile with its weakness planted and stays
silent on the clean counterpart; multi-stage rules; lines; hostile input."""

import pytest

from seawall.analyze.misconfig import CheckKind, analyze_dockerfile, checks_of

CLEAN = """\
# syntax=docker/dockerfile:1
ARG BASE=debian:12.7-slim@sha256:{digest}
FROM ${{BASE}} AS build
WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \\
    && pip install --no-cache-dir wheel==0.44.0
RUN npm ci && npm install -g typescript@5.6.3

FROM debian:12.7-slim@sha256:{digest}
LABEL org.opencontainers.image.source=https://example.org/app
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates curl \\
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /tmp/tool.tgz https://example.org/tool.tgz \\
    && echo "abc  /tmp/tool.tgz" | sha256sum -c - \\
    && tar -xzf /tmp/tool.tgz -C /usr/local/bin && chmod 0755 /usr/local/bin/tool
COPY --from=build /src /app
ADD --checksum=sha256:{digest} https://example.org/data.tar.gz /data/
ADD vendor.tar.gz /opt/
ENV APP_HOME=/app PASSWORD_FILE=/run/secrets/db
ARG VERSION=1.0
EXPOSE 8080/tcp
HEALTHCHECK --interval=30s CMD ["/app/healthcheck"]
USER 10001:10001
ENTRYPOINT ["/app/server"]
CMD ["--port", "8080"]
""".format(digest="a" * 64)

FINAL = "FROM debian:12.7-slim@sha256:" + "a" * 64 + "\n"
TAIL = 'HEALTHCHECK CMD ["/hc"]\nUSER app\nCMD ["/app"]\n'


def final_stage(*lines: str) -> str:
    """A clean single-stage Dockerfile with `lines` inserted before its tail."""
    return FINAL + "".join(line + "\n" for line in lines) + TAIL


# check id -> (Dockerfile with the weakness, clean counterpart)
CASES: dict[str, tuple[str, str]] = {
    "SW-DF-001": ("FROM debian:12.7\n" + TAIL, final_stage()),
    "SW-DF-002": ("FROM debian\n" + TAIL, "FROM debian:12.7\n" + TAIL),
    "SW-DF-003": (FINAL + 'HEALTHCHECK CMD ["/hc"]\nCMD ["/app"]\n', final_stage()),
    "SW-DF-004": (final_stage("USER root").replace("USER app\n", "") + "USER 0\n", final_stage()),
    "SW-DF-005": (final_stage("ADD app/ /app/"), final_stage("COPY app/ /app/")),
    "SW-DF-006": (
        final_stage("ADD https://example.org/x.tgz /tmp/"),
        final_stage("ADD --checksum=sha256:" + "b" * 64 + " https://example.org/x.tgz /tmp/"),
    ),
    "SW-DF-007": (
        final_stage("RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"),
        final_stage(
            "RUN apt-get update && apt-get install -y --no-install-recommends curl "
            "&& rm -rf /var/lib/apt/lists/*"
        ),
    ),
    "SW-DF-008": (
        final_stage("RUN apt-get update && apt-get install -y --no-install-recommends curl"),
        final_stage(
            "RUN --mount=type=cache,target=/var/lib/apt apt-get update "
            "&& apt-get install -y --no-install-recommends curl"
        ),
    ),
    "SW-DF-009": (
        final_stage("RUN apt-get update && apt-get -y dist-upgrade && rm -rf /var/lib/apt/lists/*"),
        final_stage(),
    ),
    "SW-DF-010": (
        final_stage("RUN apt-get update"),
        final_stage(
            "RUN apt-get update && apt-get install -y --no-install-recommends x "
            "&& rm -rf /var/lib/apt/lists/*"
        ),
    ),
    "SW-DF-011": (
        final_stage("RUN pip install --no-cache-dir requests 'flask>=2'"),
        final_stage("RUN python3 -m pip install --no-cache-dir -r req.txt requests==2.32.3 ."),
    ),
    "SW-DF-012": (
        final_stage("RUN pip3 install -r requirements.txt"),
        final_stage("RUN PIP_NO_CACHE_DIR=1 pip3 install -r requirements.txt"),
    ),
    "SW-DF-013": (
        final_stage("RUN npm install -g @angular/cli"),
        final_stage("RUN npm install -g @angular/cli@18.2.1 && yarn add left-pad@1.3.0"),
    ),
    "SW-DF-014": (
        final_stage("RUN wget -qO- https://get.example.org | tee /tmp/log | sudo -E bash -"),
        final_stage("RUN curl -fsSLo /tmp/i.sh https://get.example.org && sh /tmp/i.sh"),
    ),
    "SW-DF-015": (final_stage("ARG NPM_TOKEN"), final_stage("ARG NPM_REGISTRY=https://r")),
    "SW-DF-016": (
        final_stage("ENV AWS_SECRET_ACCESS_KEY=x"),
        final_stage("ENV TOKENIZERS_PARALLELISM=false PASSWORD_FILE=/run/secrets/p"),
    ),
    "SW-DF-017": (FINAL + 'HEALTHCHECK NONE\nUSER app\nCMD ["/app"]\n', final_stage()),
    "SW-DF-018": (final_stage("WORKDIR app"), final_stage("WORKDIR /app")),
    "SW-DF-019": (final_stage('CMD ["/old"]'), final_stage()),
    "SW-DF-020": (
        final_stage('ENTRYPOINT ["/a"]', 'ENTRYPOINT ["/b"]'),
        final_stage('ENTRYPOINT ["/b"]'),
    ),
    "SW-DF-021": (
        FINAL + 'HEALTHCHECK CMD ["/hc"]\nUSER app\nCMD /app --port 1\n',
        final_stage(),
    ),
    "SW-DF-022": (final_stage("RUN sudo make install"), final_stage("RUN make install")),
    "SW-DF-023": (
        final_stage("RUN chmod -R a+rwx /data"),
        final_stage("RUN chmod -R 0750 /data && chmod g+w /data"),
    ),
    "SW-DF-024": (final_stage("RUN apk add curl"), final_stage("RUN apk add --no-cache curl")),
    "SW-DF-025": (
        final_stage("RUN dnf install -y curl"),
        final_stage("RUN dnf install -y curl && dnf clean all"),
    ),
    "SW-DF-026": (final_stage("EXPOSE 22/tcp"), final_stage("EXPOSE 2222")),
    "SW-DF-027": (final_stage("EXPOSE 443"), final_stage("EXPOSE 8443")),
    "SW-DF-028": (
        final_stage("RUN curl -k -o /x https://example.org/x"),
        final_stage("RUN curl -o /x https://example.org/x"),
    ),
    "SW-DF-029": (final_stage("RUN cd /src && make"), final_stage("WORKDIR /src", "RUN make")),
    "SW-DF-030": (final_stage("MAINTAINER someone"), final_stage("LABEL a=b")),
    "SW-DF-031": (
        final_stage(
            "RUN apt update && apt install -y --no-install-recommends x "
            "&& rm -rf /var/lib/apt/lists/*"
        ),
        final_stage(),
    ),
}


def ids(text: str) -> set[str]:
    result = analyze_dockerfile(text.encode(), "Dockerfile")
    assert result.problems == ()
    return {finding.check_id for finding in result.findings}


def test_every_dockerfile_check_has_a_case() -> None:
    assert {check.id for check in checks_of(CheckKind.DOCKERFILE)} == set(CASES)
    assert len(CASES) >= 25


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_weakness_is_found(check_id: str) -> None:
    weak, _clean = CASES[check_id]
    assert check_id in ids(weak)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_clean_counterpart_passes(check_id: str) -> None:
    _weak, clean = CASES[check_id]
    assert check_id not in ids(clean)


def test_clean_dockerfile_has_no_findings() -> None:
    assert ids(CLEAN) == set()


def test_finding_carries_catalogue_fields_line_and_stable_fingerprint() -> None:
    text = final_stage("RUN apt-get update", "RUN curl -sL https://x.example | sh")
    result = analyze_dockerfile(text.encode(), "app/Dockerfile")
    (piped,) = [f for f in result.findings if f.check_id == "SW-DF-014"]
    assert piped.line == 3
    assert piped.path == "app/Dockerfile" and piped.target == "app/Dockerfile"
    assert piped.title == "Remote script piped to a shell"
    assert "cis-docker:4.11" in piped.controls and "nist-800-53:CM-6" in piped.controls
    # Lines added above do not change the fingerprint.
    moved = analyze_dockerfile(("# comment\n\n" + text).encode(), "app/Dockerfile")
    (again,) = [f for f in moved.findings if f.check_id == "SW-DF-014"]
    assert again.line == 5 and again.fingerprint == piped.fingerprint


def test_two_identical_weaknesses_are_two_findings() -> None:
    text = final_stage("RUN curl -s https://a | sh", "RUN curl -s https://a | sh")
    result = analyze_dockerfile(text.encode(), "Dockerfile")
    piped = [f for f in result.findings if f.check_id == "SW-DF-014"]
    assert len(piped) == 2 and len({f.fingerprint for f in piped}) == 2


def test_final_stage_inherits_user_and_healthcheck_from_its_parent_stage() -> None:
    text = (
        FINAL.rstrip() + " AS base\n"
        'HEALTHCHECK CMD ["/hc"]\nUSER app\n'
        "FROM debian:12.7@sha256:" + "c" * 64 + " AS build\nRUN make\n"
        'FROM base\nCMD ["/app"]\n'
    )
    assert ids(text) == set()


def test_user_in_a_build_stage_does_not_count_for_the_final_stage() -> None:
    text = (
        FINAL.rstrip() + " AS build\nUSER app\n" + FINAL + 'HEALTHCHECK CMD ["/hc"]\nCMD ["/app"]\n'
    )
    assert "SW-DF-003" in ids(text)


def test_hygiene_checks_skip_stages_outside_the_final_image() -> None:
    build = FINAL.rstrip() + " AS build\nRUN apt-get update && apt-get install -y gcc\n"
    found = ids(build + final_stage())
    assert not found & {"SW-DF-007", "SW-DF-008"}
    # Supply-chain checks look at every stage.
    assert "SW-DF-014" in ids(
        FINAL.rstrip() + " AS b\nRUN curl -s https://x | sh\n" + final_stage()
    )


def test_from_with_global_arg_is_resolved_and_unknown_variables_are_not_judged() -> None:
    assert "SW-DF-002" in ids("ARG BASE=debian\nFROM ${BASE}\n" + TAIL)
    assert not ids("FROM ${UNSET}\n" + TAIL) & {"SW-DF-001", "SW-DF-002"}
    assert ids("FROM scratch\n" + TAIL) == set()


def test_messages_never_show_secret_values() -> None:
    text = final_stage(
        "ENV DB_PASSWORD=hunter2-very-secret",
        "ADD https://user:tok3n-secret@example.org/x.tgz /x/",
        "CMD ./run --password hunter2-very-secret",
    )
    result = analyze_dockerfile(text.encode(), "Dockerfile")
    rendered = " ".join(f.message for f in result.findings)
    assert "DB_PASSWORD" in rendered
    assert "hunter2" not in rendered and "tok3n" not in rendered


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "no FROM"),
        (b"# only a comment\n", "no FROM"),
        (b"\xff\xfe\x00garbage\x00" * 100, "no FROM"),
        (b"FROM a\n" + b"RUN x\n" * 400_000, "larger than"),
    ],
)
def test_hostile_input_is_a_problem_not_an_exception(content: bytes, problem: str) -> None:
    result = analyze_dockerfile(content, "Dockerfile")
    assert result.findings == ()
    assert problem in str(result.problems[0])


def test_unbalanced_quotes_and_exec_form_run_are_handled() -> None:
    found = ids(final_stage('RUN echo "unterminated && curl -s https://x | sh'))
    assert "SW-DF-014" in found
    assert "SW-DF-022" in ids(final_stage('RUN ["sudo", "make", "install"]'))


def test_an_exec_form_nested_too_deeply_is_read_as_shell_form() -> None:
    # 100,000 brackets: past the JSON parser's recursion limit, which used to escape.
    nested = "[" * 100_000 + "]" * 100_000
    assert ids(final_stage(f"RUN {nested}")) == ids(final_stage("RUN x"))
