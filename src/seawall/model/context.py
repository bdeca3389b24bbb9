"""What an asset is to the business: exposure, the data it handles, its criticality.

The policy scores findings with it (docs/risk.md, "Business context"); the
settings (`seawall.yaml`, `SEAWALL_*`) and the command line supply it. Its own
module, apart from `model.policy`, because every command loads the settings
and none but `scan` needs the policy's result types.
"""

from dataclasses import dataclass
from enum import Enum


class Criticality(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class DataClass(Enum):
    """Classes of data the asset handles; each weighs on the risk of its findings."""

    PERSONAL = "personal"
    PAYMENT = "payment"
    HEALTH = "health"
    CREDENTIALS = "credentials"


@dataclass(frozen=True, slots=True)
class BusinessContext:
    """What the asset is to the business, from the command line or `seawall.yaml`."""

    internet_facing: bool | None = None
    """None: not said (scored as neither exposed nor internal)."""
    data_classes: frozenset[DataClass] = frozenset()
    criticality: Criticality | None = None
