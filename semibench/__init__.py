"""semibench: a dbt-style SQL warehouse for LLM-inference performance data."""

from semibench_core import __version__

__all__ = ["__version__"]
