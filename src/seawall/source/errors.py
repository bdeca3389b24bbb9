"""The errors image sources raise: every one is an `InputError` naming the input.

The remote (registry) source raises these too, so callers can tell a tampered
blob from an unknown media type whatever the image came from.
"""

from seawall.errors import InputError


def shown(text: str) -> str:
    """A name from the input as a message shows it: as is when printable, else escaped.

    Member names, tags and annotations come from hostile input; a newline or a
    terminal escape sequence must not reach a message raw (it could forge
    output lines or drive the terminal), and neither may lone surrogates.
    """
    return text if text.isprintable() else repr(text)


class TargetError(InputError):
    """A TARGET string that names no readable image."""


class MalformedDocumentError(InputError):
    """A manifest, index, config or archive manifest that is not what its format says."""


class UnsupportedMediaTypeError(InputError):
    """A media type seawall does not read (unknown, or a legacy schema 1 manifest)."""


class BlobNotFoundError(InputError):
    """A manifest points at a blob the image does not hold."""


class DigestMismatchError(InputError):
    """Bytes whose digest is not the one their descriptor promised (tampered or corrupt)."""

    def __init__(self, what: str, expected: str, actual: str) -> None:
        super().__init__(
            f"{what}: digest mismatch, expected {expected} but the content hashes to {actual}; "
            "the image is corrupt or was tampered with, fetch or export it again"
        )
        self.expected = expected
        self.actual = actual


class CorruptLayerError(InputError):
    """A layer whose compressed stream is truncated or corrupt."""


class UnsafeArchiveError(InputError):
    """An image archive with members that could escape (`../x`, `/x`) or that alias others."""


class ImageNotFoundError(InputError):
    """The image asked for (a tag, a name) is not in the input; the message lists what is."""


class PlatformNotFoundError(InputError):
    """An index holds no image for the platform asked for; the message lists those it holds."""
