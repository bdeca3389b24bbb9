"""What may be kept of a secret: a redacted preview and a fingerprint, never the value.

Preview: the first characters, the length and a SHA-256 prefix, e.g.
`AKIA… (20 chars, sha256:1f2e3d4c)`. At most 4 characters are shown and never
more than a quarter of the value, so a short password is not half printed.

Fingerprint: hex SHA-256 of the JSON array
`["secret", rule id, sha256(value), location kind, where]`, where `where` is
the file path (image files, directory files, git blobs) or the config field
(`Env[FOO]`, `Labels[x]`, `Cmd`, `history`). The layer index, line number
and commit are deliberately left out: the same secret in the same file keeps
its fingerprint when the image is rebuilt (the layer moves) or the file is
edited around it (the line moves), so a baseline entry keeps matching.
"""

import hashlib
import json
import math
from collections import Counter

PREVIEW_CHARS = 4


def preview(value: str) -> str:
    """The redacted preview of `value`."""
    shown = min(PREVIEW_CHARS, len(value) // 4)
    head = "".join(c if c.isprintable() and not c.isspace() else "?" for c in value[:shown])
    digest = hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{head}… ({len(value)} chars, sha256:{digest})"


def fingerprint(rule_id: str, value: str, kind: str, where: str) -> str:
    """The stable fingerprint of a secret found by `rule_id` at `kind`/`where`."""
    value_digest = hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()
    fields = ["secret", rule_id, value_digest, kind, where]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def entropy(value: str) -> float:
    """Shannon entropy of `value` in bits per character."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())
