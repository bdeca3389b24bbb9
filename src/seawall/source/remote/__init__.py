"""The registry source: images pulled over the OCI distribution API v2.

`open_registry_image(reference, options)` is the entry point the source
dispatcher calls for `registry:` targets and bare image references. Modules:
reference (parsing), credentials (where they come from), auth (challenges and
tokens), client (HTTP), blobcache (verified blobs on disk), source (the
`ImageSource`).
"""

from seawall.source.remote.source import RegistrySource, open_registry_image

__all__ = ["RegistrySource", "open_registry_image"]
