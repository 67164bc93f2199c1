"""Render report facts to self-contained HTML pages with Jinja2 (autoescape on everything).

Pages carry their CSS inline and their charts as inline SVG; they load nothing: no scripts, no
stylesheets, no fonts, no images. The only external addresses are plain links to cited papers
(``https://doi.org/...``). Charts are built by :mod:`gutbrain.report.plots`, which escapes
every label, and are inserted as markup; every other value is escaped by Jinja2.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from gutbrain.io import write_text
from gutbrain.report import plots

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment for the report templates (autoescape, strict undefined); one per
    process, so that each template is compiled once however many pages are rendered."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = fmt_pct
    env.filters["num"] = fmt_num
    env.filters["count"] = fmt_count
    return env


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage; 'n/a' when missing."""
    return "n/a" if value is None else f"{100 * float(value):.{digits}f}%"


def fmt_num(value: float | None, digits: int = 3) -> str:
    """A number with ``digits`` significant digits; 'n/a' when missing."""
    return "n/a" if value is None else f"{float(value):.{digits}g}"


def fmt_count(value: int | None) -> str:
    """An integer with thousands separators; 'n/a' when missing."""
    return "n/a" if value is None else f"{int(value):,}"


def module_label(m: Mapping[str, Any]) -> str:
    """'GABA: MODULE' for synthesis modules, 'GABA (degradation): MODULE' otherwise."""
    direction = m.get("direction", "synthesis")
    kind = "" if direction == "synthesis" else f" ({direction})"
    return f"{m['compound_label']}{kind}: {m['module']}"


def _module_bars(modules: list[Mapping[str, Any]], title: str) -> Markup | None:
    items = [(module_label(m), float(m["coverage"]))
             for m in modules if m["coverage"] is not None]
    if not items:
        return None
    return Markup(plots.bar_chart(items, title=title, max_value=1.0, label_width=230))


def sample_charts(facts: Mapping[str, Any]) -> dict[str, Markup | None]:
    """The inline SVG charts of a sample page (None where there is nothing to draw)."""
    comp = facts["composition"]
    genera = None
    if comp["top_genera"]:
        items = [(g["genus"], float(g["relative_abundance"] or 0.0)) for g in comp["top_genera"]]
        if comp["other_fraction"]:
            items.append(("Other", float(comp["other_fraction"])))
        genera = Markup(plots.bar_chart(items, title=f"Top genera in {facts['sample']}",
                                        max_value=1.0))
    return {
        "genera": genera,
        "scfa": _module_bars(facts["scfa"]["modules"], "SCFA module coverage"),
        "neuro": _module_bars(facts["neuro"]["modules"], "Gut-brain module coverage"),
    }


def render_sample_html(facts: Mapping[str, Any]) -> str:
    """The HTML text of one sample's page."""
    template = environment().get_template("sample.html.j2")
    return template.render(f=facts, charts=sample_charts(facts))


def render_sample_report(facts: Mapping[str, Any], out_html: str | os.PathLike[str]) -> None:
    """Write one sample's self-contained HTML page atomically."""
    write_text(render_sample_html(facts), out_html)


def write_sample_json(facts: Mapping[str, Any], out_json: str | os.PathLike[str]) -> None:
    """Write the sample facts as JSON (UTF-8, sorted keys, no NaN) atomically."""
    text = json.dumps(facts, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    write_text(text + "\n", out_json)


def _short(label: str, limit: int = 60) -> str:
    """``label`` cut to ``limit`` characters with an ellipsis."""
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


HEAT_TEXT = {"not_predictable": "n/p", "below_coverage": "<cov", "no_reads": "-", "missing": "",
             "required_step_absent": "no req.", "not_measurable": "n/m", "absent": "abs",
             "lowest_quarter": "q1", "incomplete": "incompl."}


def _heat_cell(cell: Mapping[str, Any]) -> tuple[float | None, str]:
    """(value, tooltip text) of one heatmap cell; 'n/p' marks not predictable."""
    if cell["score"] is None:
        return None, HEAT_TEXT.get(cell["status"], cell["status"])
    return float(cell["score"]), f"{fmt_num(cell['score'])} ({cell['status']})"


def cohort_charts(cohort: Mapping[str, Any]) -> dict[str, Any]:
    """The inline SVG charts of the cohort page."""
    heat = cohort["heatmap"]
    heatmap = None
    if heat["modules"] and heat["samples"]:
        rows = [_short(f"{module_label(m)} {m['name']}") for m in heat["modules"]]
        cells = [[_heat_cell(c) for c in row] for row in heat["cells"]]
        heatmap = Markup(plots.heatmap(rows, heat["samples"], cells,
                                       title="Module scores (scaled per module)"))
    compounds = cohort["compound_heatmap"]
    compound_map = None
    if compounds["compounds"] and compounds["samples"]:
        cells = [[_heat_cell(c) for c in row] for row in compounds["cells"]]
        compound_map = Markup(plots.heatmap(
            [c["label"] for c in compounds["compounds"]], compounds["samples"], cells,
            title="Synthesis potential per compound (key score, scaled per compound)"))
    bars = cohort["genus_bars"]
    stacked = None
    if bars["genera"]:
        stacked = Markup(plots.stacked_bars(bars["samples"], bars["genera"], bars["values"],
                                            title="Genus composition per sample"))
    scatters = []
    for item in cohort["pcoa"]:
        if item["points"]:
            p1, p2 = item["proportions"]
            svg = plots.scatter(
                [(p["sample"], p["x"], p["y"]) for p in item["points"]],
                title=f"PCoA ({item['metric']})",
                x_label=f"PC1 ({fmt_pct(p1)})", y_label=f"PC2 ({fmt_pct(p2)})",
            )
            scatters.append({"metric": item["metric"], "svg": Markup(svg), "note": ""})
        else:
            scatters.append({"metric": item["metric"], "svg": None,
                             "note": item["note"] or "not enough samples for a PCoA"})
    forests = []
    for c in cohort.get("comparisons", []):
        rows = c["rows"]
        shares = all(r["effect_unit"].startswith("difference") for r in rows if r["effect_unit"])
        forests.append(Markup(plots.forest(
            [(("" if r["family"] == "compounds" else "route: ") + r["label"], r["effect"],
              r["ci_low"], r["ci_high"], r["significant"]) for r in rows],
            title=f"Group comparison {c['test']} vs {c['reference']}: effect with 95 % interval",
            axis_label=("difference in share of predicted cells (percentage points), "
                        f"{c['test']} minus {c['reference']}" if shares
                        else f"log odds ratio, {c['test']} vs {c['reference']}"),
            scale=100.0 if shares else 1.0, unit=" pp" if shares else "")))
    return {"compounds": compound_map, "heatmap": heatmap, "stacked": stacked,
            "pcoa": scatters, "forests": forests}


def render_cohort_html(cohort: Mapping[str, Any]) -> str:
    """The HTML text of the cohort page."""
    template = environment().get_template("cohort.html.j2")
    return template.render(c=cohort, charts=cohort_charts(cohort))


def render_cohort_report(cohort_facts: Mapping[str, Any], out_html: str | os.PathLike[str]) -> None:
    """Write the cohort page (``results/reports/index.html``) atomically."""
    write_text(render_cohort_html(cohort_facts), out_html)
