"""The HTML report: :mod:`sim.plots.html_report` and the run folder's ``report.html``.

Every page is read back with a real HTML parser (:class:`html.parser.HTMLParser`): every
figure is embedded as a ``data:`` PNG equal to the run folder's PNG file, nothing points out of
the page, the verdicts, header and the config's differences from the default are there, and
text from the config is escaped.

Runs are small: one busy point with 600 residents and its lab, two replications.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import sim
from sim.experiment.replications import run_replications
from sim.experiment.result import RunResult
from sim.experiment.targets import evaluate_targets
from sim.plots.html_report import (
    ABSENT,
    ReportInfo,
    config_differences,
    multirun_report_html,
    run_report_html,
)
from sim.plots.report import write_run
from sim.runner import run_to_folder

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_PNG = "data:image/png;base64,"
BUSY = ("scenario=busy_point", "demand.residents=600", "site.swab_booths=3")
COMMAND = "python -m sim scenario=busy_point demand.residents=600 site.swab_booths=3"
WHEN = datetime(2024, 5, 1, 10, 0, 0)
BUSY_TARGETS = (
    "coverage >= 0.99",
    "wait_p95_min <= 30",
    "within_target >= 0.95",
    "last_result_min <= 72:00",
)
Loader = Callable[..., sim.ScenarioConfig]
Results = tuple[sim.ScenarioConfig, list[RunResult]]

#: Elements without an end tag in HTML.
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}


class Page(HTMLParser):
    """A parsed page: its text, tags, images with their captions, table rows by class."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.images: list[str] = []  # src, in page order
        self.captions: list[str] = []  # the <code> of each <figcaption>, in page order
        self.rows: list[tuple[str, list[str]]] = []  # (class, cell texts) of each <tr>
        self.texts: list[str] = []
        self.stack: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._row_class = ""
        self.feed(text)
        self.close()

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = {k: v or "" for k, v in attrs}
        self.attrs += [(tag, k, v) for k, v in values.items()]
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "img":
            self.images.append(values.get("src", ""))
        elif tag == "tr":
            self._row, self._row_class = [], values.get("class", "")
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append((self._row_class, self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self.stack[-2:] == ["figcaption", "code"]:
            self.captions.append(data)

    def rows_of_class(self, *classes: str) -> list[list[str]]:
        return [cells for cls, cells in self.rows if cls in classes]


def parse(path_or_text: Path | str) -> Page:
    text = path_or_text.read_text("utf-8") if isinstance(path_or_text, Path) else path_or_text
    page = Page(text)
    assert page.stack == [], f"unclosed elements: {page.stack}"
    return page


def png_bytes() -> bytes:
    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().plot([0, 1, 2], [1, 0, 2])
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=50)
    return out.getvalue()


@pytest.fixture(scope="module")
def busy(load_config: Loader) -> Results:
    config = load_config(*BUSY)
    assert config.output.figures
    return config, run_replications(config, 2)


@pytest.fixture(scope="module")
def default(load_config: Loader) -> sim.ScenarioConfig:
    return load_config("scenario=busy_point")


@pytest.fixture(scope="module")
def folder(
    busy: Results, default: sim.ScenarioConfig, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Path]]:
    config, results = busy
    out = tmp_path_factory.mktemp("report") / "run"
    info = ReportInfo(command=COMMAND, default=default, version=sim.__version__, created=WHEN)
    written = write_run(out, config, results, (), evaluate_targets(results), report=info)
    return out, written


# --------------------------------------------------------------------------------------------
# The run folder's report.html


def test_every_figure_is_embedded_as_the_png_file_it_wrote(folder: tuple[Path, list[Path]]) -> None:
    out, written = folder
    page = parse(out / "report.html")
    pngs = [p for p in written if p.suffix == ".png"]
    assert sorted(p.name for p in pngs) == sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) == 6  # three queue figures, three lab figures
    assert len(page.images) == len(pngs)
    assert page.captions == [p.name for p in pngs]
    for src, png in zip(page.images, pngs, strict=True):
        assert src.startswith(DATA_PNG), src[:40]
        data = base64.b64decode(src[len(DATA_PNG) :], validate=True)
        assert data[:8] == PNG_MAGIC, png.name
        assert data == png.read_bytes(), png.name


def test_nothing_in_the_page_points_outside_it(folder: tuple[Path, list[Path]]) -> None:
    out, _ = folder
    text = (out / "report.html").read_text("utf-8")
    page = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert not {"script", "link", "iframe", "object", "embed", "base"} & set(page.tags)
    for tag, attr, value in page.attrs:
        if attr == "src":
            assert value.startswith(DATA_PNG), (tag, value[:40])
        if attr == "href":
            assert value.startswith("#"), (tag, value)
        assert not attr.startswith("on"), (tag, attr)  # no scripts in attributes either
    assert "url(" not in text and "@import" not in text
    assert "@media print" in text


def test_the_verdicts_table_has_a_row_per_target(
    folder: tuple[Path, list[Path]], busy: Results
) -> None:
    out, _ = folder
    _, results = busy
    verdicts = evaluate_targets(results)
    rows = parse(out / "report.html").rows_of_class("met", "missed", "undecided", "nodata")
    assert [cells[0] for cells in rows] == list(BUSY_TARGETS)
    assert [v.target.label for v in verdicts] == list(BUSY_TARGETS)
    assert [cells[2] for cells in rows] == [v.verdict for v in verdicts]
    classes = {"met", "missed", "undecided", "no data"}
    assert {cells[2] for cells in rows} <= classes


def test_the_header_names_version_seed_replications_command_and_date(
    folder: tuple[Path, list[Path]], busy: Results
) -> None:
    out, _ = folder
    config, _ = busy
    page = parse(out / "report.html")
    facts = {cells[0]: cells[1] for cls, cells in page.rows if len(cells) == 2 and not cls}
    assert facts["Package"] == f"masstest-sim {sim.__version__}"
    assert facts["Seed"] == str(config.seed)
    assert facts["Replications"] == "2"
    assert facts["Command"] == COMMAND
    assert facts["Written"] == "2024-05-01 10:00:00"
    assert facts["Scenario"] == "busy_point"
    # the summary and the tables are there too
    assert "Waiting time (minutes queueing, tested residents)" in page.text
    assert "Central square" in page.text
    assert "District hospital lab" in page.text


def test_the_page_lists_the_configs_differences_from_the_default(
    folder: tuple[Path, list[Path]], default: sim.ScenarioConfig
) -> None:
    out, _ = folder
    rows = {
        cells[0]: cells[1:]
        for _, cells in parse(out / "report.html").rows
        if cells and "." in cells[0] and cells[0].split(".")[0] in ("site", "demand")
    }
    assert rows == {
        "demand.residents": [str(default.demand.residents), "600"],
        "site.swab_booths": [str(default.site.swab_booths), "3"],
    }


def test_summary_json_is_still_written_last(folder: tuple[Path, list[Path]]) -> None:
    out, written = folder
    assert [p.name for p in written[-2:]] == ["report.html", "summary.json"]
    assert sorted(p.name for p in written) == sorted(p.name for p in out.iterdir())


def test_without_figures_the_report_has_no_images(
    load_config: Loader, default: sim.ScenarioConfig, tmp_path: Path
) -> None:
    config = load_config(*BUSY, "output.figures=false", "output.residents_table=false")
    results = run_replications(config)
    written = write_run(tmp_path / "run", config, results, report=ReportInfo(default=default))
    assert not list((tmp_path / "run").glob("*.png"))
    page = parse(tmp_path / "run" / "report.html")
    assert page.images == []
    assert "output.figures: false" in page.text
    assert written[-1].name == "summary.json"
    diff = {cells[0] for _, cells in page.rows if len(cells) == 3 and "." in cells[0]}
    assert diff == {
        "demand.residents",
        "site.swab_booths",
        "output.figures",
        "output.residents_table",
    }


def test_without_report_info_the_page_has_no_command_diff_or_date_and_repeats_exactly(
    load_config: Loader, tmp_path: Path
) -> None:
    config = load_config(*BUSY, "output.figures=false", "output.residents_table=false")
    results = run_replications(config)
    write_run(tmp_path / "one", config, results)
    write_run(tmp_path / "two", config, results)
    one = (tmp_path / "one" / "report.html").read_text("utf-8")
    assert one == (tmp_path / "two" / "report.html").read_text("utf-8")
    page = parse(one)
    facts = {cells[0]: cells[1] for cls, cells in page.rows if len(cells) == 2 and not cls}
    assert facts["Command"].startswith("not recorded")
    assert facts["Written"] == "not recorded"
    assert facts["Package"] == f"masstest-sim {sim.__version__}"
    assert "no default config was given" in page.text


def test_run_to_folder_passes_the_command_and_default_to_the_report(
    load_config: Loader,
    default: sim.ScenarioConfig,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = load_config(*BUSY, "output.figures=false", "output.residents_table=false")
    before = datetime.now().astimezone().replace(microsecond=0)
    outcome = run_to_folder(config, tmp_path / "run", command=COMMAND, default=config)
    capsys.readouterr()
    assert [p.name for p in outcome.files[-2:]] == ["report.html", "summary.json"]
    page = parse(tmp_path / "run" / "report.html")
    facts = {cells[0]: cells[1] for cls, cells in page.rows if len(cells) == 2 and not cls}
    assert facts["Command"] == COMMAND
    assert datetime.fromisoformat(facts["Written"]) >= before
    assert "same as the default" in page.text
    assert config_differences(config, default)  # and it does differ from the scenario's


# --------------------------------------------------------------------------------------------
# Escaping


def test_text_from_the_config_and_the_run_is_escaped(busy: Results) -> None:
    config, results = busy
    odd = dataclasses.replace(config, name="a<script>x</script>", description="<b>&</b>")
    page_text = run_report_html(
        odd,
        results,
        evaluate_targets(results),
        {"<img>.png": png_bytes()},
        ["watch <this> & that"],
        command="python -m sim 'name=<i>'",
        config_diff=[("name", "busy_point", "a<script>x</script>")],
        version="1.0<br>",
    )
    assert "<b>&</b>" not in page_text
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page_text
    page = parse(page_text)
    # (the page itself uses <b> in the verdicts' explanation, never <script>, <i> or <br>)
    assert not {"script", "i", "br"} & set(page.tags)
    assert page.tags.count("img") == 1
    text = page.text
    for shown in (
        "<b>&</b>",
        "a<script>x</script>",
        "watch <this> & that",
        "python -m sim 'name=<i>'",
        "masstest-sim 1.0<br>",
        "<img>.png",
    ):
        assert shown in text, shown


# --------------------------------------------------------------------------------------------
# config_differences


def test_config_differences_finds_exactly_the_fields_changed(
    busy: Results, default: sim.ScenarioConfig
) -> None:
    config, _ = busy
    assert config_differences(config, default) == [
        ("demand.residents", default.demand.residents, 600),
        ("site.swab_booths", default.site.swab_booths, 3),
    ]
    assert config_differences(default, default) == []
    assert config_differences(config, config) == []


def test_config_differences_indexes_list_entries_and_caps_the_rows(busy: Results) -> None:
    config, _ = busy
    sites = tuple(
        dataclasses.replace(config.site, name=f"Point {i}", swab_booths=2 + i % 3)
        for i in range(40)
    )
    one = dataclasses.replace(config, sites=sites[:3])
    two = dataclasses.replace(
        config, sites=(sites[0], dataclasses.replace(sites[1], swab_booths=9), sites[2])
    )
    assert config_differences(two, one) == [("sites[1].swab_booths", 3, 9)]
    # a whole list of plain values is one row
    days = dataclasses.replace(config.campaign, start_days=(1, 8, 15))
    assert config_differences(dataclasses.replace(config, campaign=days), config) == [
        ("campaign.start_days", (1,), (1, 8, 15))
    ]
    # entries only one config has: each leaf, the other side absent; at most 200 rows
    many = dataclasses.replace(config, sites=sites)
    every = config_differences(many, config, limit=10**6)
    assert len(every) > 200
    assert all(path.startswith("sites[") and a is ABSENT for path, a, _ in every)
    assert ("sites[3].name", ABSENT, "Point 3") in every
    assert ("sites[39].swab_booths", ABSENT, 2) in every
    capped = config_differences(many, config)
    assert len(capped) == 200
    assert capped[:199] == every[:199]
    assert capped[-1] == (f"... and {len(every) - 199} more", "", "")


# --------------------------------------------------------------------------------------------
# The multirun's page


def test_multirun_report_embeds_its_figure_and_lists_every_job() -> None:
    png = png_bytes()
    comparison = pd.DataFrame(
        {
            "job": ["0_layout=no_barcodes", "1_layout=all_barcodes", "2_layout=<odd>"],
            "coverage": [0.9912, 0.9871, 0.95],
            "wait_p95_min": [28.25, 33.5, float("nan")],
            "tested": [7400, 7350, 7100],
        }
    )
    text = multirun_report_html(
        "Layouts compared",
        comparison,
        {"comparison.png": png},
        ["baseline: 0_layout=no_barcodes", "differences <paired> by seed"],
        command="python -m sim -m layout=no_barcodes,all_barcodes",
        version=sim.__version__,
    )
    page = parse(text)
    assert len(page.images) == 1 and page.captions == ["comparison.png"]
    assert base64.b64decode(page.images[0][len(DATA_PNG) :]) == png
    body = [cells for cls, cells in page.rows if len(cells) == 4]
    assert body[0] == ["job", "coverage", "wait_p95_min", "tested"]
    assert [cells[0] for cells in body[1:]] == list(comparison["job"])
    assert body[1][1:] == ["0.9912", "28.2", "7,400"]  # 28.25 rounds half to even
    assert body[3][2] == "-"
    for shown in (
        "Layouts compared",
        "baseline: 0_layout=no_barcodes",
        "differences <paired> by seed",
        f"masstest-sim {sim.__version__}",
        "python -m sim -m layout=no_barcodes,all_barcodes",
    ):
        assert shown in page.text, shown
    for tag, attr, value in page.attrs:
        if attr in ("src", "href"):
            assert value.startswith((DATA_PNG, "#")), (tag, value[:40])


def test_multirun_report_without_figures_or_notes() -> None:
    frame = pd.DataFrame({"coverage": [0.99]}, index=pd.Index(["baseline"], name="job"))
    page = parse(multirun_report_html("One job", frame, {}, version="0.1.0"))
    assert page.images == []
    assert ["job", "coverage"] in [cells for _, cells in page.rows]
    assert ["baseline", "0.99"] in [cells for _, cells in page.rows]
    assert "No figures." in page.text and "No notes." in page.text
