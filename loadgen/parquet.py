"""trace.parquet: the request lines of a trace as one typed Parquet table.

The column types come from records.REQUEST_FIELDS (the same schema the warehouse reads
the JSONL with); the run header is kept as JSON in the file's key-value metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

from loadgen.records import REQUEST_FIELDS
from loadgen.trace import read_trace


def arrow_schema():
    import pyarrow as pa

    types = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
             "BOOLEAN": pa.bool_(), "BIGINT[]": pa.list_(pa.int64()),
             "DOUBLE[]": pa.list_(pa.float64())}
    return pa.schema([(name, types[t]) for name, t in REQUEST_FIELDS])


def export_parquet(trace_path: Path, out_path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    header, records, end = read_trace(trace_path)
    schema = arrow_schema()
    names = schema.names
    cols = {n: [r.get(n) for r in records] for n in names}
    table = pa.Table.from_pydict(cols, schema=schema)
    meta = {b"loadgen.run": json.dumps(header or {}).encode(),
            b"loadgen.end": json.dumps(end or {}).encode()}
    table = table.replace_schema_metadata(meta)
    out_path = Path(out_path)
    tmp = out_path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(out_path)
    return out_path
