"""`--price-seed FILE`: a price table in the columns of seeds/inferencex_gpu_cost_power.csv (gpu_key, constant,
value, unit, effective_from, effective_to, source). Its rows replace the default table's rows of the same
gpu_key and constant; anything it does not name keeps the default. A bad file fails with one line naming
file, line and field."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

COLUMNS = ("gpu_key", "constant", "value", "unit", "effective_from", "effective_to", "source")
CONSTANTS = ("all_in_kw", "usd_per_gpu_hour_hyperscaler", "usd_per_gpu_hour_neocloud", "usd_per_gpu_hour_rental")


class PriceSeedError(ValueError):
    pass


@dataclass(frozen=True)
class Price:
    gpu_key: str
    constant: str
    value: float | None
    unit: str
    effective_from: date | None
    effective_to: date | None
    source: str


def _date(text: str, where: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PriceSeedError(f"{where}: not a YYYY-MM-DD date: {text!r}") from None


def read_price_seed(path: Path) -> list[Price]:
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise PriceSeedError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PriceSeedError(f"{path}:1: missing column(s) {', '.join(missing)} (need {', '.join(COLUMNS)})")
        prices, seen = [], set()
        for row in reader:
            line = reader.line_num
            where = f"{path}:{line}"
            gpu_key = (row["gpu_key"] or "").strip().lower()
            constant = (row["constant"] or "").strip()
            if not gpu_key:
                raise PriceSeedError(f"{where}: field gpu_key is empty")
            if constant not in CONSTANTS:
                raise PriceSeedError(f"{where}: field constant {constant!r} is not one of {', '.join(CONSTANTS)}")
            text = (row["value"] or "").strip()
            try:
                value = float(text) if text else None
            except ValueError:
                raise PriceSeedError(f"{where}: field value {text!r} is not a number") from None
            if value is not None and value < 0:
                raise PriceSeedError(f"{where}: field value {value} is negative")
            start = _date(row["effective_from"] or "", f"{where}: field effective_from")
            end = _date(row["effective_to"] or "", f"{where}: field effective_to")
            if start and end and end <= start:
                raise PriceSeedError(f"{where}: field effective_to {end} is not after effective_from {start}")
            if value is not None and not (row["source"] or "").strip():
                raise PriceSeedError(f"{where}: field source is empty (say where the price comes from)")
            key = (gpu_key, constant, start)
            if key in seen:
                raise PriceSeedError(f"{where}: duplicate {gpu_key} {constant} effective {start}")
            seen.add(key)
            prices.append(Price(gpu_key, constant, value, (row["unit"] or "").strip(), start, end,
                                (row["source"] or "").strip()))
    if not prices:
        raise PriceSeedError(f"{path}: no price rows")
    return prices
