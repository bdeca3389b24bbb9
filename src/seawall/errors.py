"""The root of seawall's exception tree.

Stages raise subclasses of these; nothing here knows about exit codes or HTTP
statuses. The CLI and the server map `InputError` to "bad input" and everything
else to "internal error". Messages never contain secret values.
"""


class SeawallError(Exception):
    """Base class of every error seawall raises on purpose."""


class InputError(SeawallError):
    """The input (a target, an image, a file, an option) is unusable as given.

    The message names the input and the problem, and says what to do when
    there is something to do.
    """


class LimitExceededError(InputError):
    """An input went over a configured safety limit (size, count, depth, ratio)."""

    def __init__(self, what: str, limit_name: str, limit: int) -> None:
        super().__init__(
            f"{what} exceeds the limit {limit_name}={limit}; "
            f"raise it with SEAWALL_{limit_name.upper()} if the input is trusted"
        )
        self.limit_name = limit_name
        self.limit = limit
