"""The one exception type every ingest step raises for bad input, unreachable sources or a busy warehouse.

Its message is always a single line naming the file/URL, record and field at fault, so the CLI can print
`error: <message>` and exit 1 without a traceback.
"""

from __future__ import annotations


class IngestError(Exception):
    """Ingest failed; nothing was landed in the warehouse."""


# Exit codes every command that lands data shares (documented in README "Exit codes"): 0 everything landed,
# EXIT_QUARANTINED some records were landed but quarantined (the rest landed and the run/publish went on),
# 1 the unit (file, batch, snapshot) failed and nothing of it landed.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_QUARANTINED = 3
