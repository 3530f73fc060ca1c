"""The long-term residents' data in the study file (``data.locals``): checked before any work."""

from __future__ import annotations

import pytest
from study_examples import READER, STUDY, write_study

from qonys import StudyError
from qonys.study import load_study


def with_locals(tmp_path, block: str):
    text = STUDY.format(reader=READER).replace("[design]", block + "\n[design]", 1)
    path = write_study(tmp_path, text)
    (tmp_path / "data" / "locals.csv").write_text("city,w_design\nastana,1\n", encoding="utf-8")
    return path


def test_locals_as_a_path_take_the_study_design(tmp_path):
    cfg = load_study(with_locals(tmp_path, '[data.locals]\nfiles = "data/locals.csv"\n'))
    assert cfg.locals is not None
    assert cfg.locals.files == (tmp_path / "data" / "locals.csv",)
    assert cfg.locals.design["weights"] == "w_design"
    assert cfg.locals.weighting_method == "none"
    assert "data/locals.csv" in cfg.input_files()  # hashed for the cache and the provenance


def test_locals_with_their_own_design_and_weighting(tmp_path):
    block = (
        '[data.locals]\nfiles = ["data/locals.csv"]\nweights = "w_loc"\nmethod = "rake"\n'
        'margins = "margins.csv"\ntrim = [0.5, 2.0]\n'
    )
    cfg = load_study(with_locals(tmp_path, block))
    assert cfg.locals.design["weights"] == "w_loc"
    assert cfg.locals.weighting_method == "rake"
    assert cfg.locals.margins.variables == ("sex", "city")
    assert cfg.locals.trim == (0.5, 2.0)


@pytest.mark.parametrize(
    ("block", "key", "rule", "hint"),
    [
        (
            '[data.locals]\nfiles = "data/locals.csv"\nweigths = "w"\n',
            "data.locals.weigths",
            "study.unknown-key",
            "weights",
        ),
        (
            '[data.locals]\nfiles = "data/nowhere.csv"\n',
            "data.locals.files",
            "study.missing-file",
            "study file's folder",
        ),
        (
            '[data.locals]\nfiles = "data/locals.csv"\nmethod = "rank"\n',
            "data.locals.method",
            "study.weighting",
            "rake",
        ),
        (
            '[data.locals]\nfiles = "data/locals.csv"\nmethod = "rake"\n',
            "data.locals.margins",
            "study.weighting",
            "margins",
        ),
        (
            '[data.locals]\nfiles = "data/locals.csv"\ntrim = [2.0, 0.5]\n',
            "data.locals.trim",
            "study.weighting",
            "trim",
        ),
        (
            '[data.locals]\nfiles = "data/locals.csv"\nweights = 3\n',
            "data.locals.weights",
            "study.type",
            "design-weight variable",
        ),
    ],
)
def test_locals_mistakes_name_the_key(tmp_path, block, key, rule, hint):
    with pytest.raises(StudyError) as err:
        load_study(with_locals(tmp_path, block))
    assert (err.value.where.key, err.value.rule) == (key, rule), str(err.value)
    assert hint in err.value.hint
    assert not (tmp_path / "out").exists()
