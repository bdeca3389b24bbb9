"""Regenerate tests/versions/data/apk.json with apk-tools' own version.c, compiled here.

Debian has no apk-tools package, so this compiles src/version.c, blob.c,
ctype.c and crypto.c of an apk-tools checkout (`APK_TOOLS_SRC`, a source tree of
alpine/apk-tools; `APK_TOOLS_COMMIT` names its commit for the header) with a small driver calling
apk_version_compare() and apk_version_validate(), i.e. what `apk version -t`
and `apk version -c` print.
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import os
import random
import re
import subprocess
import tempfile
from pathlib import Path

from common import pairs_of, run, upstream_versions, write_table

DRIVER = r"""
#include <stdio.h>
#include <string.h>
#include "apk_blob.h"
#include "apk_version.h"
/* "A B" lines: prints the apk_version_compare() operator; "A" lines: validity. */
int main(void) {
  static char line[65536];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    char *sp = strchr(line, ' ');
    if (!sp) { printf("%d\n", apk_version_validate(APK_BLOB_STR(line))); continue; }
    *sp = 0;
    printf("%s\n", apk_version_op_string(
      apk_version_compare(APK_BLOB_STR(line), APK_BLOB_STR(sp + 1))));
  }
  return 0;
}
"""
SUFFIXES = [
    "",
    "",
    "_alpha",
    "_beta2",
    "_pre1",
    "_rc3",
    "_cvs",
    "_svn1",
    "_git20240101",
    "_hg",
    "_p1",
    "_p20",
]
EDGE = [
    "1.0",
    "1.0-r0",
    "1.0-r1",
    "1.0a",
    "1.0b",
    "1.0_p1",
    "1.0~abc",
    "1.0~abc-r1",
    "1.0.1",
    "1.00",
    "1.01",
    "1.010",
    "1.0_alpha_beta",
    "1.0_rc1_p2",
    "1.0a_p1",
    "18446744073709551616",
    "18446744073709551615",
    "0",
    "1.0_pre",
    "1.0_pre1",
    "1.0_rc",
    "1.0~0a",
    "1.0~ff",
    "2.3.0b-r1",
    "0.01",
    "0.1",
    "1.0z",
]
BAD = [
    "",
    "a",
    "1.0bc",
    "1.0_foo",
    "1.0-",
    "1.0-r",
    "1.0-r1-r2",
    "1.0~",
    "1.0~xyz",
    "1..0",
    "1.0.",
    "v1.0",
    "1.0_p1a",
    "1.0-r1_p1",
    "1.0A",
    "1.0~abc~def",
    "1.0 ",
    "_alpha",
]


def main() -> None:
    src = Path(os.environ["APK_TOOLS_SRC"])
    release = (src / "VERSION").read_text().strip()
    commit = os.environ.get("APK_TOOLS_COMMIT", "")
    with tempfile.TemporaryDirectory() as tmp:
        driver, exe = Path(tmp, "vcmp.c"), Path(tmp, "vcmp")
        driver.write_text(DRIVER)
        sources = [str(src / "src" / f) for f in ("version.c", "blob.c", "ctype.c", "crypto.c")]
        subprocess.run(
            [
                "gcc",
                "-O1",
                f"-I{src}/src",
                f"-I{src}/portability",
                "-include",
                "stdbool.h",
                "-D_GNU_SOURCE",
                "-o",
                str(exe),
                str(driver),
                *sources,
            ],
            check=True,
        )
        data = (src / "test" / "unit" / "version.data").read_text()
        pool = set(EDGE + BAD)
        for line in data.splitlines():
            pool.update(
                t.lstrip("!")
                for t in line.split("#")[0].split()
                if not re.fullmatch(r"!?[<>=~]+", t)
            )
        rng = random.Random(3)
        for version in rng.sample(upstream_versions(), 1500):
            version = version.lower().replace("~", "_").replace("+", ".")
            pool.add(f"{version}{rng.choice(SUFFIXES)}" + rng.choice(["", "-r0", "-r1", "-r12"]))
        pool.discard("")
        ordered = sorted(pool)
        valid = run([str(exe)], "\n".join(ordered) + "\n").split()
        good = [v for v, ok in zip(ordered, valid, strict=True) if ok == "1"]
        invalid = [v for v, ok in zip(ordered, valid, strict=True) if ok == "0"]
        pairs = pairs_of(good, 3000, seed=3) + [(a, b) for a in EDGE for b in EDGE]
        ops = run([str(exe)], "".join(f"{a} {b}\n" for a, b in pairs)).split()
    table = [(a, b, {"<": -1, "=": 0, ">": 1}[op]) for (a, b), op in zip(pairs, ops, strict=True)]
    rng.shuffle(invalid)
    write_table(
        "apk",
        ecosystem="Alpine",
        reference=f"apk_version_compare/apk_version_validate of apk-tools {release} {commit}".strip()
        + " (src/version.c compiled here)",
        script="apk_ref.py",
        sources="apk-tools test/unit/version.data, upstream parts of Debian 12 versions with apk "
        "suffixes and revisions added, edge cases",
        pairs=table,
        invalid=[*BAD[1:], *invalid[:300]],
    )


if __name__ == "__main__":
    main()
