"""semibench: a dbt-style SQL warehouse for LLM-inference performance data."""

__version__ = "0.1.0"
