"""A city file: its districts built from scenarios, scaled, renamed and placed, and every error
of the file reported together before anything runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.config import ConfigError
from sim.config.city import CityConfig, _split, read_city
from sim.model.sample_chain import SwabFeed, merge_feeds

SMALL = """\
name: small
seed: 1
overrides: [mobile.teams=1, mobile.generate.count=10]
districts:
  - {name: North, residents: 30000, origin_km: [0, 0]}
  - {name: South, residents: 700000, origin_km: [0, 20]}
labs:
  central: {name: Central lab, x_km: 5, y_km: 5, extractors: 2, pcr_machines: 4}
"""


def _city(tmp_path: Path, text: str, overrides: list[str] | None = None) -> CityConfig:
    path = tmp_path / "city.yaml"
    path.write_text(text, "utf-8")
    return sim.load_city(path, overrides)


def _fields(err: ConfigError) -> list[str]:
    return [e.field for e in err.errors]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> CityConfig:
    return _city(tmp_path_factory.mktemp("city"), SMALL)


def test_districts_have_their_residents_exactly(small) -> None:
    assert [d.residents_per_round for d in small.districts] == [30000, 700000]
    assert small.residents == 730000
    assert [d.name for d in small.districts] == ["North", "South"]


def test_a_big_district_repeats_the_scenario(small) -> None:
    default = sim.load_config()
    per_copy = len(default.points)
    # 700,000 / 313,000 residents -> 2 copies of the default district's points
    north, south = small.districts
    assert len(north.points) == per_copy
    assert len(south.points) == 2 * per_copy
    names = [p.name for p in south.points]
    assert names[0] == f"South {default.points[0].name}"
    assert names[per_copy] == f"South {default.points[0].name}-2"
    assert len(set(names)) == len(names)
    assert small.n_points == 3 * per_copy


def test_points_are_placed_at_the_district_origin(small) -> None:
    default = sim.load_config()
    xs0 = min(p.x_km for p in default.points)
    ys0 = min(p.y_km for p in default.points)
    south = small.districts[1]
    first = south.points[0]
    assert first.x_km == pytest.approx(default.points[0].x_km - xs0 + 0.0)
    assert first.y_km == pytest.approx(default.points[0].y_km - ys0 + 20.0)
    # the second copy lies beside the first, not on it
    second = south.points[len(default.points)]
    assert second.x_km > first.x_km + 1.0


def test_the_city_chain_has_every_point_and_the_city_labs(small) -> None:
    chain = small.chain
    assert [p.name for p in chain.points] == [p.name for d in small.districts for p in d.points]
    assert [lab.name for lab in chain.labs_in_use] == ["Central lab"]
    assert all(not d.labs_in_use for d in small.districts)


def test_split_adds_up_and_follows_the_weights() -> None:
    parts = _split(1001, [1, 1, 1])
    assert sum(parts) == 1001 and max(parts) - min(parts) <= 1
    assert _split(10, [7, 3]) == [7, 3]


def test_every_error_of_a_city_file_is_reported_together(tmp_path: Path) -> None:
    text = """\
name: bad
sead: 1
districts:
  - {name: North, residents: 30000, point_prefix: ""}
  - {name: South, residents: -5, origin_km: [0]}
  - {name: West, residents: 20000, point_prefix: ""}
  - {name: North, residents: 20000}
  - {name: East, residents: 20000, overrides: [layout=no_barcode]}
labs:
  central: {name: Central lab, x_km: 5, y_km: 5, extractors: 0}
"""
    with pytest.raises(ConfigError) as info:
        _city(tmp_path, text)
    fields = _fields(info.value)
    assert fields == [
        "sead",
        "districts.1.residents",
        "districts.1.origin_km",
        "districts.2.point_prefix",
        "districts.3.name",
        "districts.4.layout",
    ]
    text_ = str(info.value)
    assert "did you mean 'seed'" in text_
    assert "'Jianning 1' is also district 'North''s" in text_
    assert "did you mean 'no_barcodes'" in text_


def test_a_city_lab_error_names_the_lab_field(tmp_path: Path) -> None:
    text = SMALL.replace("extractors: 2", "extractors: -1")
    with pytest.raises(ConfigError) as info:
        _city(tmp_path, text)
    assert any(f.startswith("labs") and "extractors" in f for f in _fields(info.value))


def test_a_district_scenario_error_is_under_its_district(tmp_path: Path) -> None:
    text = SMALL.replace(
        "{name: South, residents: 700000, origin_km: [0, 20]}",
        "{name: South, residents: 700000, overrides: [site.swab_booths=-1]}",
    )
    with pytest.raises(ConfigError) as info:
        _city(tmp_path, text)
    assert all(f.startswith("districts.1.") for f in _fields(info.value))
    assert "swab_booths" in str(info.value)


def test_overrides_change_the_file(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(SMALL, "utf-8")
    data = read_city(path, ["seed=7", "districts.0.residents=40000", "execution.n_jobs=2"])
    assert data["seed"] == 7
    assert data["districts"][0]["residents"] == 40000
    assert data["execution"] == {"n_jobs": 2}
    with pytest.raises(ConfigError) as info:
        read_city(path, ["districts.5.residents=1", "seed"])
    assert _fields(info.value) == ["districts.5.residents", "seed"]
    assert "an index from 0 to 1" in str(info.value)


def test_an_unknown_city_lists_the_shipped_ones() -> None:
    with pytest.raises(ConfigError) as info:
        sim.load_city("city_3n")
    assert info.value.field == "city"
    assert "did you mean 'city_3m'" in str(info.value)
    assert "wuhan" in str(info.value)


def test_the_shipped_3m_city() -> None:
    city = sim.load_city("city_3m")
    assert city.residents == 3_000_000
    assert len(city.districts) == 10
    assert city.n_points == 400
    names = [p.name for d in city.districts for p in d.points]
    assert len(set(names)) == len(names)


def _feed(n_points: int, teams: int, sites: list[int], tag: str) -> SwabFeed:
    site = np.array(sites)
    n = site.size
    return SwabFeed(
        round=np.zeros(n, dtype=np.int16),
        resident=np.arange(n),
        site=site,
        time=np.arange(n, dtype=float),
        positive=np.zeros(n, dtype=bool),
        sites=tuple((f"{tag}{k}", float(k), 0.0) for k in range(n_points + teams)),
        n_points=n_points,
        booths=np.arange(n_points + teams) + 1,
        windows=[[(0.0, float(k))] for k in range(n_points + teams)],
        end_min=float(n),
    )


def test_merged_feeds_put_every_point_first_then_the_teams() -> None:
    a = _feed(2, 1, [0, 1, 2], "a")  # site 2 is a's team
    b = _feed(3, 1, [2, 3, 0], "b")  # site 3 is b's team
    m = merge_feeds([a, b], ["A", "B"])
    assert m.n_points == 5
    assert [s[0] for s in m.sites] == ["a0", "a1", "b0", "b1", "b2", "A a2", "B b3"]
    # every swab keeps its place: the merged site's name is the feed's site's
    names = [m.sites[k][0].split()[-1] for k in m.site]
    assert names == ["a0", "a1", "a2", "b2", "b3", "b0"]
    assert m.booths.tolist() == [1, 2, 1, 2, 3, 3, 4]
    assert m.windows[5] == a.windows[2] and m.windows[6] == b.windows[3]
