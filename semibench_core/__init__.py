"""The bottom layer every package of semibench builds on: file locations (paths), the version stamped into
archives and manifests, and the test-only fault points. It imports nothing of semibench, ingest or loadgen
(docs/architecture.md; tests/test_layers.py checks it)."""

__version__ = "0.1.0"
