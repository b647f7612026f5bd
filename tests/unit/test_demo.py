"""The demo `bgc up` drops on a new BGC_HOME: five generated years of each flow in the
official layout, exports first, once per home. (tests/e2e/test_stack.py follows them through the sensor to the API and the
dashboard.)"""

from pathlib import Path

from bgc_cli.stack import DEMO_YEARS, drop_demo


def test_the_demo_is_dropped_once_per_home(tmp_path: Path) -> None:
    home, landing = tmp_path / "home", tmp_path / "landing"
    first = drop_demo(home, landing)
    assert first == [
        *(f"DEMO_EXP_{year}.csv" for year in DEMO_YEARS),
        *(f"DEMO_IMP_{year}.csv" for year in DEMO_YEARS),
    ]
    header = (landing / first[-1]).read_text("utf-8").splitlines()[0]
    assert header.endswith('"VL_FOB";"VL_FRETE";"VL_SEGURO"')
    (landing / first[0]).unlink()  # the user deletes a year: it stays deleted
    assert drop_demo(home, landing) == []
    assert sorted(p.name for p in landing.iterdir()) == first[1:]
    assert not (home / "demo").exists()
