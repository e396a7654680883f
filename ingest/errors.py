"""The one exception type every ingest step raises for bad input, unreachable sources or a busy warehouse.

Its message is always a single line naming the file/URL, record and field at fault, so the CLI can print
`error: <message>` and exit 1 without a traceback.
"""

from __future__ import annotations


class IngestError(Exception):
    """Ingest failed; nothing was landed in the warehouse."""
