"""The study file is checked before any work; every mistake names the key and the fix."""

from __future__ import annotations

import tomllib

import pytest
from study_examples import READER, STUDY, example_codebook, write_study

import qonys.io
from qonys import StudyError
from qonys.study import SCHEMA, STARTER, load_study, read_margins, write_starter


def study_with(tmp_path, old: str, new: str):
    text = STUDY.format(reader=READER)
    assert old in text
    return write_study(tmp_path, text.replace(old, new, 1))


def fails(path, *, key, rule, hint=None, **kw):
    with pytest.raises(StudyError) as err:
        load_study(path, **kw)
    assert err.value.where.key == key, str(err.value)
    assert err.value.rule == rule, str(err.value)
    if hint is not None:
        assert hint in (err.value.hint or ""), err.value.hint
    assert not (path.parent / "out").exists()  # nothing was done
    return err.value


def test_a_good_study_file(study_file):
    cfg = load_study(study_file)
    assert cfg.seed == 11
    assert cfg.cities == ("astana", "almaty", "shymkent")
    assert cfg.languages == ("en", "ru")
    assert cfg.formats == ("html", "xlsx")
    assert cfg.weighting_method == "rake"
    assert cfg.margins.variables == ("sex", "city")
    assert cfg.rules.min_n == 5
    assert cfg.out == study_file.parent / "out"
    assert dict(cfg.options["portrait"]) == {"variables": ["origin"]}
    assert set(cfg.input_files()) == {"data/survey.csv", "margins.csv"}
    over = load_study(study_file, languages=["kk_Latn"], formats=["DOCX"], out="elsewhere")
    assert over.languages == ("kk-Latn",)
    assert over.formats == ("docx",)


def test_unknown_key_suggests_the_right_one(tmp_path):
    p = study_with(tmp_path, "languages = ", "langauges = ")
    fails(p, key="report.langauges", rule="study.unknown-key", hint="Did you mean 'languages'?")


def test_unknown_section(tmp_path):
    p = study_with(tmp_path, "[privacy]", "[privacyy]")
    fails(p, key="privacyy", rule="study.unknown-key", hint="Did you mean 'privacy'?")


def test_wrong_type(tmp_path):
    p = study_with(tmp_path, "seed = 11", 'seed = "eleven"')
    fails(p, key="study.seed", rule="study.type", hint="seed of every random draw")


def test_missing_data_file(tmp_path):
    p = study_with(tmp_path, '"data/survey.csv"', '"data/survey2.csv"')
    err = fails(p, key="data.files", rule="study.missing-file", hint="relative")
    assert "survey2.csv" in err.message


def test_unknown_language_and_format(tmp_path):
    p = study_with(tmp_path, '["en", "ru"]', '["en", "de"]')
    fails(p, key="report.languages", rule="report.language", hint="kk, ru, en, kk-Latn")
    p = study_with(tmp_path, '["html", "xlsx"]', '["html", "pdf"]')
    fails(p, key="report.formats", rule="report.format", hint="html, docx, xlsx")


def test_bad_profile_method_and_trim(tmp_path):
    p = study_with(tmp_path, 'profile = "standard"', 'profile = "lax"')
    fails(p, key="privacy.profile", rule="study.privacy", hint="standard, strict")
    p = study_with(tmp_path, 'method = "rake"', 'method = "magic"')
    fails(p, key="weighting.method", rule="study.weighting")
    p = study_with(tmp_path, 'margins = "margins.csv"', "trim = [3.0, 0.3]")
    fails(p, key="weighting.margins", rule="study.weighting", hint="margins.csv")
    p = study_with(tmp_path, 'margins = "margins.csv"', 'margins = "margins.csv"\ntrim = [3, 1]')
    fails(p, key="weighting.trim", rule="study.weighting", hint="[0.3, 3.0]")


def test_margins_that_do_not_sum_to_one_total(tmp_path):
    p = write_study(tmp_path)
    (tmp_path / "margins.csv").write_text(
        "variable,level,target\nsex,1,0.49\nsex,2,0.51\ncity,astana,0.3\ncity,almaty,0.4\n",
        encoding="utf-8",
    )
    err = fails(
        p, key="weighting.margins", rule="study.margins-total", hint="same population total"
    )
    assert "sex = 1, city = 0.7" in err.message
    assert err.where.variable == "city"


def test_margins_that_do_not_parse(tmp_path):
    p = write_study(tmp_path)
    (tmp_path / "margins.csv").write_text("var,lvl,share\nsex,1,0.5\n", encoding="utf-8")
    fails(p, key="weighting.margins", rule="study.margins-columns", hint="variable,level,target")
    (tmp_path / "margins.csv").write_text("variable,level,target\nsex,1,half\n", encoding="utf-8")
    err = fails(p, key="weighting.margins", rule="study.margins-target")
    assert err.where.line == 2


def test_margins_per_city_and_semicolons(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "city;variable;level;target\nastana;sex;1;400\nastana;sex;2;600\n"
        "almaty;sex;1;0,5\nalmaty;sex;2;0,5\n",
        encoding="utf-8",
    )
    m = read_margins(path)
    assert m.totals == {"astana": 1000.0, "almaty": 1.0}


def test_toml_syntax_error_names_the_line(tmp_path):
    p = write_study(tmp_path, '[study]\ntitle = "x\n')
    with pytest.raises(StudyError) as err:
        load_study(p)
    assert err.value.rule == "study.toml"
    assert err.value.where.line == 2


def test_unknown_variable_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(qonys.io, "read_codebook", lambda path, **kw: example_codebook())
    p = study_with(tmp_path, '[design]\nweights = "w_design"', '[design]\nweights = "w_desing"')
    (tmp_path / "form.xlsx").write_bytes(b"")
    text = p.read_text(encoding="utf-8").replace(
        'city_variable = "city"', 'city_variable = "city"\ncodebook = "form.xlsx"'
    )
    p.write_text(text, encoding="utf-8")
    err = fails(p, key="design.weights", rule="study.unknown-variable", hint="'w_design'")
    assert err.where.variable == "w_desing"
    fixed = text.replace('"w_desing"', '"w_design"').replace('"origin"]', '"orgin"]')
    p.write_text(fixed, encoding="utf-8")
    fails(p, key="analyses.portrait.variables", rule="study.unknown-variable", hint="'origin'")


def test_missing_study_file(tmp_path):
    with pytest.raises(StudyError, match="does not exist") as err:
        load_study(tmp_path / "nope.toml")
    assert "qonys init" in err.value.hint


def test_starter_is_valid_and_documents_every_key(tmp_path):
    raw = tomllib.loads(STARTER)
    assert set(raw) <= set(SCHEMA)
    path = write_starter(tmp_path)
    assert path.name == "study.toml"
    with pytest.raises(StudyError, match="already exists"):
        write_starter(path)
    # once its data file exists, the starter loads as it is
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "survey.sav").write_bytes(b"")
    cfg = load_study(path)
    assert cfg.languages == ("kk", "ru", "en")
    assert cfg.formats == ("html", "docx", "xlsx")
    for section, keys in SCHEMA.items():
        for key in keys:
            if section != "analyses":
                assert key in STARTER, f"the starter should mention {section}.{key}"
