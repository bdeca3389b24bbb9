"""Regenerate tests/versions/data/maven.json with Maven's own ComparableVersion (Debian's maven).

Compiles a small Java driver against /usr/share/maven/lib/maven-artifact-3.x.jar
and compares with `new ComparableVersion(a).compareTo(new ComparableVersion(b))`.
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import subprocess
import tempfile
import zipfile
from pathlib import Path

from common import mixed_versions, pairs_of, run, write_table

JAR = "/usr/share/maven/lib/maven-artifact-3.x.jar"
DRIVER = """
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class Ref {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, "UTF-8");
    String a;
    while ((a = in.readLine()) != null) {
      String b = in.readLine();
      out.println(Integer.signum(new ComparableVersion(a).compareTo(new ComparableVersion(b))));
    }
    out.flush();
  }
}
"""
EDGE = [
    "1",
    "1.0",
    "1.0.0",
    "1-0",
    "1.0-0",
    "1-ga",
    "1-final",
    "1-release",
    "1.0.RELEASE",
    "1-sp",
    "1-sp1",
    "1-SNAPSHOT",
    "1.0-SNAPSHOT",
    "1-rc1",
    "1-cr1",
    "1-RC1",
    "1-alpha1",
    "1-a1",
    "1a1",
    "1b1",
    "1m1",
    "1-beta-1",
    "1-beta1",
    "1-milestone1",
    "1-m1",
    "1.1",
    "1-1",
    "1.0.1",
    "1-foo",
    "1-zeta",
    "1.foo",
    "1-xyz",
    "1x",
    "1-1.foo-bar1baz-.1",
    "1.0.0.0.0.0.1",
    "2.0.0.Final",
    "2.0.0.CR1",
    "1--1",
    "1..1",
    "1.-1",
    "-1",
    ".1",
    "1.",
    "1-",
    "10000000000",
    "9999999999",
    "1000000000000000000000",
    "1.0a",
    "1.0b",
    "1.0.a",
    "1.0-a",
    "1.0ab",
    "1-1-1",
    "1.1-1",
    "1.0-alpha-1",
    "1.0alpha1",
    "1.0-RC",
    "1.0.rc.1",
    "rc",
    "alpha",
    "",
    "1.0-dev",
    "1.0.Beta2",
    "3.0.0-M3",
    "1.2.3.Final",
    "1.2.3-jre",
    "31.1-jre",
    "31.1-android",
]


def main() -> None:
    pool = sorted(set(mixed_versions(seed=5)) | {e for e in EDGE if e})
    pairs = pairs_of(pool, 3000, seed=5) + [(a, b) for a in EDGE for b in EDGE if a and b]
    pairs = [(a, b) for a, b in pairs if "\n" not in a + b and "\r" not in a + b]
    manifest = zipfile.ZipFile(JAR).read("META-INF/MANIFEST.MF").decode()
    version = next(
        line.split(": ")[1].strip()
        for line in manifest.splitlines()
        if line.startswith("Implementation-Version")
    )
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "Ref.java").write_text(DRIVER)
        subprocess.run(["javac", "-cp", JAR, "-d", tmp, str(Path(tmp, "Ref.java"))], check=True)
        out = run(
            ["java", "-cp", f"{JAR}:{tmp}", "Ref"], "".join(f"{a}\n{b}\n" for a, b in pairs)
        ).split()
    write_table(
        "maven",
        ecosystem="Maven",
        reference=f"org.apache.maven.artifact.versioning.ComparableVersion of maven-artifact {version} (Debian 12 maven)",
        script="maven_ref.py",
        sources="npm, PyPI, Go, crates.io real versions; Debian upstream versions; Maven edge cases "
        "(qualifiers, separators, nesting)",
        pairs=[(a, b, int(r)) for (a, b), r in zip(pairs, out, strict=True)],
    )


if __name__ == "__main__":
    main()
