"""Can this machine run the Spark target? (dbt-spark's session method starts a local pyspark JVM.)"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess


def java_major_version() -> int | None:
    java = shutil.which("java")
    if not java:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    text = out.stderr + out.stdout
    # `openjdk version "17.0.15"` / `java version "1.8.0_392"`
    for token in text.split('"')[1:2]:
        parts = token.split(".")
        major = parts[1] if parts[0] == "1" and len(parts) > 1 else parts[0]
        return int(major) if major.isdigit() else None
    return None


def spark_unavailable_reason() -> str | None:
    """None when the Spark target can run here, else a one-line reason naming the fix."""
    missing = [m for m in ("pyspark", "dbt.adapters.spark") if importlib.util.find_spec(m.split(".")[0]) is None
               or (m == "dbt.adapters.spark" and importlib.util.find_spec(m) is None)]
    if missing:
        return f"{', '.join(missing)} not installed: pip install 'semibench[spark]'"
    major = java_major_version()
    if major is None:
        return "no Java runtime on PATH: Spark 4 needs Java 17 or 21 (e.g. apt-get install openjdk-17-jre-headless)"
    if major < 17:
        return f"Java {major} found, Spark 4 needs Java 17 or 21"
    return None
