"""The application operations on an election, shared by the CLI and the web API.

``create_election`` defines an election; ``record_protocols`` checks and records protocols
(single ones from a form, observer copies, batches from a file); ``import_file`` streams a whole
protocol file through ``record_protocols``.
"""

from shailoo.domain.events import protocol_from_payload
from shailoo.intake.election import create_election, slug
from shailoo.intake.importer import ImportSummary, import_file, report_path_for
from shailoo.intake.protocols import (
    RecordResult,
    Rejection,
    protocol_payload,
    record_protocols,
)

__all__ = [
    "ImportSummary",
    "RecordResult",
    "Rejection",
    "create_election",
    "import_file",
    "protocol_from_payload",
    "protocol_payload",
    "record_protocols",
    "report_path_for",
    "slug",
]
