"""Regenerate tests/versions/data/composer.json with composer/semver and PHP's version_compare.

apt-get install -y php-cli php-composer-semver. The reference order of a and b
is `version_compare($p->normalize($a), $p->normalize($b))` with
Composer\\Semver\\VersionParser (what Composer\\Semver\\Semver::sort computes);
a version is invalid when normalize() throws.
"""

# ruff: noqa: E501 (embedded programs in other languages and long provenance strings)

import json

from common import mixed_versions, pairs_of, run, write_table

EDGE = [
    "1.0.0",
    "v1.0.0",
    "1.0",
    "1",
    "1.0.0.0",
    "1.0.0-beta1",
    "1.0.0-beta.1",
    "1.0.0-b1",
    "1.0.0beta1",
    "1.0.0-alpha",
    "1.0.0-a2",
    "1.0.0-RC1",
    "1.0.0-rc.2",
    "1.0.0-patch1",
    "1.0.0-p1",
    "1.0.0-pl3",
    "1.0.0-dev",
    "1.0.x-dev",
    "1.x-dev",
    "dev-master",
    "master",
    "dev-feature/foo",
    "1.0.0-stable",
    "1.0.0-STABLE",
    "1.0.0@dev",
    "1.0.0@stable",
    "1.0.0+build.5",
    "1.0.0-beta1+build",
    "2023-01-01",
    "2023.01.01",
    "20230101",
    "2023-01-01-beta",
    "1.0.0 as 2.0.0",
    "1.0.0-beta1-dev",
    "1.0.0.1",
    "99999.0",
    "1.0.0-alpha-dev",
    "1.0.0-RC",
    "1.0.0-beta0",
    "1.0.0-beta01",
    " 1.0.0 ",
    "1.0.0-BETA2",
    "v2.0.0-rc.1",
    "1.0.0-beta.1.2",
    "1.0.0.beta2",
    "1.0.0_rc1",
]
BAD = ["", "foo", "1.0.0-gamma", "1.0.0.0.0", "x.1", "1.0.0-beta-1-2", "1.0.0~rc1", "100000.0.0"]
SCRIPT = r"""<?php
require '/usr/share/php/Composer/Semver/autoload.php';
$p = new Composer\Semver\VersionParser();
$input = json_decode(stream_get_contents(STDIN), true);
$norm = function ($v) use ($p) { try { return $p->normalize($v); } catch (Exception $e) { return null; } };
$normalized = array_map($norm, $input['versions']);
$cmp = array_map(function ($pair) use ($norm) { return version_compare($norm($pair[0]), $norm($pair[1])); }, $input['pairs']);
echo json_encode(['normalized' => $normalized, 'cmp' => $cmp, 'php' => PHP_VERSION]);
"""


def main() -> None:
    pool = sorted(set(mixed_versions(seed=8)) | set(EDGE) | set(BAD))
    first = json.loads(run(["php", "-r", SCRIPT[6:]], json.dumps({"versions": pool, "pairs": []})))
    normalized = dict(zip(pool, first["normalized"], strict=True))
    good = [v for v in pool if normalized[v] is not None]
    bad = [v for v in pool if normalized[v] is None]
    pairs = pairs_of(good, 3000, seed=8) + [
        (a, b) for a in EDGE for b in EDGE if normalized[a] and normalized[b]
    ]
    out = json.loads(run(["php", "-r", SCRIPT[6:]], json.dumps({"versions": [], "pairs": pairs})))
    semver = run(["dpkg-query", "-W", "-f=${Version}", "php-composer-semver"])
    write_table(
        "composer",
        ecosystem="Packagist",
        reference=f"version_compare(VersionParser::normalize(a), VersionParser::normalize(b)) with "
        f"composer/semver {semver} (Debian php-composer-semver) on PHP {out['php']}",
        script="composer_ref.py",
        sources="npm, PyPI, Go, crates.io real versions; Debian upstream versions; Composer edge cases",
        pairs=[(a, b, r) for (a, b), r in zip(pairs, out["cmp"], strict=True)],
        invalid=bad,
        extra={"normalized": {v: normalized[v] for v in EDGE if normalized[v]}},
    )


if __name__ == "__main__":
    main()
