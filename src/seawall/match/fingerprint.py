"""The stable fingerprint of a vulnerability finding (DESIGN.md §4).

SHA-256 over the JSON array `["vulnerability", preferred id, OSV ecosystem,
package name, installed version, first location path]`: what the finding is,
never when it was seen, so a later scan of the same image gives the same
fingerprint. JSON keeps the fields apart whatever characters they hold.
Consequences: upgrading the package, moving it, or a record gaining a CVE
alias (the preferred id changes from GHSA-… to CVE-…) gives a new fingerprint.
"""

import hashlib
import json

from seawall.model.package import Package

# What json.dumps(fields, ensure_ascii=False) uses, made once: dumps builds a
# new encoder per call for any non-default option.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def vulnerability_fingerprint(vulnerability_id: str, package: Package) -> str:
    """The hex SHA-256 fingerprint of `vulnerability_id` in `package`."""
    path = package.locations[0].path if package.locations else ""
    fields = [
        "vulnerability",
        vulnerability_id,
        package.osv_ecosystem,
        package.name,
        package.version,
        path,
    ]
    return hashlib.sha256(_ENCODER.encode(fields).encode()).hexdigest()
