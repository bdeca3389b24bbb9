"""Errors of the registry source.

All are `InputError`s: the target could not be pulled as given, and the
message says which registry and what to do. None ever holds a credential.
Digest mismatches, unsupported media types and missing blobs use the shared
errors of `seawall.source.errors`, so callers handle every source alike.
"""

from seawall.errors import InputError


class RegistryError(InputError):
    """A registry could not serve the image."""


class RegistryAuthError(RegistryError):
    """The registry refused the credentials, or asked for some and none were found."""


class RegistryNotFoundError(RegistryError):
    """The repository, tag, manifest or blob does not exist in the registry."""


class RegistryUnavailableError(RegistryError):
    """The registry did not answer usefully: connection failure, timeout, 429/5xx after retries."""


class RegistryProtocolError(RegistryError):
    """The registry answered something the distribution spec does not allow."""


class InsecureRegistryError(RegistryError):
    """The registry does not speak TLS (or its certificate is not trusted)."""
