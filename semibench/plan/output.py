"""Print a plan: a ranked rich table (the default), or every row and column as csv, json or markdown. A sweep
adds a summary of the best row per swept value, so the cost of a tighter SLO shows at a glance."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from typing import TextIO

from semibench.plan.run import PlanResult

FORMATS = ("table", "csv", "json", "markdown")
TIERS = ("hyperscaler", "neocloud", "rental")
# (heading, column, digits) of the table and markdown views (the ranked tier's cost; csv/json carry all three
# tiers); every token figure says output or total
SHOWN = [
    ("rank", "plan_rank", 0), ("config", "config_label", None), ("status", "status", None),
    ("out tok/s /GPU", "output_tput_per_gpu_at_slo", 1), ("GPUs", "gpus_needed", 0), ("nodes", "nodes_needed", 0),
    ("$/h {tier}", "usd_per_hour_{tier}", 2),
    ("$/M out tok {tier}", "usd_per_m_output_tokens_{tier}", 3),
    ("J/out tok", "joules_per_output_token", 2), ("kW", "fleet_kw", 1),
    ("spare", "capacity_headroom", "%"), ("note", "rank_note", None),
]


def _cell(value, digits) -> str:
    if value is None:
        return "–"
    if digits == "%":
        return f"{100 * value:.0f}%"
    if digits is None:
        return str(value)
    if digits == 0:
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _label(row: dict) -> str:
    label = row["config_label"] or row["plan_key"]
    if row["row_kind"] == "own_endpoint":
        return label
    return label + ("" if row["is_official"] else " (unofficial)")


def _shown(rows: list[dict]) -> list[tuple[str, str, object]]:
    tier = rows[0]["rank_tier"] if rows else "hyperscaler"
    return [(h.format(tier=tier), c.format(tier=tier), d) for h, c, d in SHOWN]


def table_rows(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    shown = _shown(rows)
    out = []
    for r in rows:
        out.append([_label(r) if col == "config_label" else _cell(r[col], d) for _, col, d in shown])
    return [h for h, _, _ in shown], out


def sweep_summary(result: PlanResult) -> tuple[list[str], list[list[str]]]:
    """Per scenario (swept value): the rank-1 row and how many configs reach the SLO."""
    heads = ["scenario", "reachable configs", "best config", "GPUs", "$/h", "$/M out tok", "J/out tok"]
    out = []
    for sid in dict.fromkeys(r["scenario_id"] for r in result.rows):
        rows = [r for r in result.rows if r["scenario_id"] == sid]
        ranked = [r for r in rows if r["plan_rank"] is not None]
        best = ranked[0] if ranked else None
        tier = rows[0]["rank_tier"]
        out.append([sid, str(len(ranked)), _label(best) if best else "SLO not reachable",
                    _cell(best and best["gpus_needed"], 0), _cell(best and best[f"usd_per_hour_{tier}"], 2),
                    _cell(best and best[f"usd_per_m_output_tokens_{tier}"], 3),
                    _cell(best and best["joules_per_output_token"], 2)])
    return heads, out


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _title(sid: str, s: dict) -> str:
    slos = [f">= {_cell(s['min_interactivity'], 1)} tok/s/user"]
    if s["max_ttft_p99_s"] is not None:
        slos.append(f"p99 TTFT <= {s['max_ttft_p99_s']:g} s")
    if s["max_e2el_p99_s"] is not None:
        slos.append(f"p99 E2EL <= {s['max_e2el_p99_s']:g} s")
    if s["min_eval_score"] is not None:
        slos.append(f"eval >= {s['min_eval_score']:g}")
    return (f"{sid}: {s['scenario_model']} {s['isl']}/{s['osl']}, {', '.join(slos)}, demand "
            f"{s['demand_output_tokens_per_s']:,.0f} output tok/s; ranked by {s['rank_tier']} $/h")


def render(result: PlanResult, fmt: str, top: int | None, sweep: bool, out: TextIO = sys.stdout) -> None:
    rows = result.rows
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[("" if r[c] is None else r[c]) for c in result.columns] for r in rows])
        return
    if fmt == "json":
        json.dump(rows, out, default=_json_default, indent=1)
        out.write("\n")
        return
    sections = []
    for sid in dict.fromkeys(r["scenario_id"] for r in rows):
        scenario_rows = [r for r in rows if r["scenario_id"] == sid]
        ranked = [r for r in scenario_rows if r["plan_rank"] is not None]
        unranked = len(scenario_rows) - len(ranked)
        shown = ranked[:top] if top else ranked
        heads, body = table_rows(shown)
        title = _title(sid, scenario_rows[0])
        foot = (f"{len(ranked)} configs meet the SLO ({len(shown)} shown), {unranked} not ranked "
                f"(SLO not reachable, eval below minimum or no throughput): --format csv|json lists every row")
        sections.append((title, heads, body, foot))
    if sweep:
        heads, body = sweep_summary(result)
        sections.append(("how cost grows as the SLO tightens (best row per swept value)", heads, body, ""))
    if fmt == "markdown":
        for title, heads, body, foot in sections:
            out.write(f"### {title}\n\n| " + " | ".join(heads) + " |\n|" + "---|" * len(heads) + "\n")
            for line in body:
                out.write("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |\n")
            out.write(f"\n{foot}\n\n" if foot else "\n")
        return
    from rich.console import Console
    from rich.table import Table

    # piped output (a file, another program) gets room for whole config labels instead of the 80 columns rich
    # assumes without a terminal
    console = Console(file=out, width=None if out.isatty() else 240)
    for title, heads, body, foot in sections:
        table = Table(title=title, caption=foot, show_lines=False)
        for h in heads:
            # the config and note columns take the room; figures never wrap
            table.add_column(h, overflow="fold", no_wrap=h not in ("config", "note", "best config", "status"),
                             justify="left" if h in ("config", "note", "status", "best config", "scenario") else "right")
        for line in body:
            table.add_row(*line)
        console.print(table)
