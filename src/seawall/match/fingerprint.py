"""The stable fingerprint of a vulnerability finding (DESIGN.md §4).

SHA-256 over the JSON array `["vulnerability", preferred id, OSV ecosystem,
package name, installed version, first location path]`: what the finding is,
never when it was seen, so a later scan of the same image gives the same
fingerprint. JSON keeps the fields apart whatever characters they hold.
Consequences: upgrading the package, moving it, or a record gaining a CVE
alias (the preferred id changes from GHSA-… to CVE-…) gives a new fingerprint.

A package has many findings: the JSON of its fields (`package_part`) is made
once and joined to each id's (`fingerprint_with`), which gives the same text
as encoding the whole array, since the encoder writes an array as its items
joined by `, `.
"""

import hashlib
import json

from seawall.model.package import Package

# What json.dumps(fields, ensure_ascii=False) uses, made once: dumps builds a
# new encoder per call for any non-default option.
_ENCODER = json.JSONEncoder(ensure_ascii=False)
# What that encoder writes for a string (its `encode` checks the type first).
_encode_string = json.encoder.encode_basestring


def vulnerability_fingerprint(vulnerability_id: str, package: Package) -> str:
    """The hex SHA-256 fingerprint of `vulnerability_id` in `package`."""
    return fingerprint_with(vulnerability_id, package_part(package))


def package_part(package: Package) -> str:
    """The end of the fingerprinted JSON that depends on the package only."""
    path = package.locations[0].path if package.locations else ""
    # `["eco", "name", "version", "path"]` less its opening bracket.
    return _ENCODER.encode([package.osv_ecosystem, package.name, package.version, path])[1:]


def fingerprint_with(vulnerability_id: str, part: str) -> str:
    """The fingerprint of `vulnerability_id` in the package whose `package_part` is `part`."""
    text = f'["vulnerability", {_encode_string(vulnerability_id)}, {part}'
    return hashlib.sha256(text.encode()).hexdigest()
