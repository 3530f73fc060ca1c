"""``qonys init``: a commented starter study file.

Examples
--------
>>> import tomllib
>>> raw = tomllib.loads(STARTER)
>>> sorted(raw)
['analyses', 'data', 'design', 'privacy', 'report', 'study', 'weighting']
"""

from __future__ import annotations

from pathlib import Path

from .._core import StudyError, Where

__all__ = ["STARTER", "write_starter"]

STARTER = """\
# qonys study file. Run it with:  qonys run study.toml
# Paths are relative to this file's folder. Lines starting with # are comments.

[study]
# subtitle = "Astana, Almaty, Shymkent, 2024"
cities = ["astana", "almaty", "shymkent"]
seed = 20240601                  # every random draw starts from this seed: re-runs are identical

[study.title]                    # report title, one per language (or: title = "One title")
kk = "Ішкі мигранттардың қалалық интеграциясы"
ru = "Городская интеграция внутренних мигрантов"
en = "Urban integration of internal migrants"

[data]
files = ["data/survey.sav"]      # KoboToolbox / ODK exports, SPSS .sav, .csv, .xlsx, .parquet
# codebook = "instrument/qonys.xlsx"   # XLSForm or YAML codebook, when the data carry no labels
# format = "kobo_xlsx"          # reader name, when it cannot be told from the file
# encoding = "cp1251"           # for old SPSS files and text exports
city_variable = "city"
# locals = "data/locals.sav"    # long-term residents' interviews (perceptions section); or a
#                               # [data.locals] table with files, weights, strata, psu, method,
#                               # margins (its own design and weighting)

[design]
weights = "w_design"             # design weight; leave out for equal weights
strata = "city"
psu = "cluster"
# fpc = "fpc"
lonely_psu = "fail"              # a stratum with one PSU: fail, remove, adjust, average, certainty

[weighting]
method = "none"                  # none, rake, poststratify or calibrate
# margins = "margins.csv"       # population targets: variable,level,target[,city]
# trim = [0.3, 3.0]             # bounds of the adjustment factor

[analyses]
# run = ["portrait", "integration", "identity"]   # default: every available analysis
# Options of one analysis go in its own table; the defaults fit the standard instrument:
# [analyses.portrait]
# variables = ["dem_sex", "portrait_age_group", "ses_edu", "scr_origin_type",
#              "portrait_years_city", "ses_employment"]
# [analyses.motives]
# mrset = "mot_reasons"          # all reasons; push = [1, ..., 7], pull = [11, ..., 21]
# main = "mot_main"              # main reason: its type is modelled on ses = [...]
# rotation = "oblimin"           # EFA of the importance items: oblimin, varimax or none
# [analyses.identity]
# methods = ["midpoint", "median", "lpa"]
# high_if = "split"              # a score at the midpoint: split, ">" (low) or ">=" (high)
# [analyses.perceptions]         # on the long-term residents' data (data.locals)
# threat_score = "threat"        # all threat items; correlated with contact_score
# contact_score = "cnt_quantity"
# variables = ["sex", "age_group", "education"]
# [analyses.integration]
# form = "ipl24"                # ipl12 or ipl24; mode = "lenient"; language = "max"
# income_median = {71 = 350000, 75 = 380000, 79 = 250000}   # tenge a month, by city code
# [analyses.structural_complex]
# tau = 0.6                     # threshold of a "high" dimension; margin = 0.2
# controls = ["C(scr_city)"]    # terms added to the survey logit
# [analyses.strategies]
# n_classes = 2                 # or "bic"; max_classes = 6; n_init = 10
# [analyses.phases]
# continuous_months = 12        # thresholds of the rule set (METHODS 7.3)

[report]
languages = ["kk", "ru", "en"]   # also "kk-Latn" (Kazakh Latin, 2021 alphabet)
formats = ["html", "docx", "xlsx"]
out = "report"                   # output folder
figures = true

[privacy]
profile = "standard"             # standard: cells under 5 respondents hidden; strict: under 10
# threshold = 5                 # override the profile's minimum number of respondents per cell
rse_limit = 0.30                 # flag estimates whose relative standard error is above 30 %
allow_microdata = false          # respondent-level rows in the report
allow_free_text = false          # free-text answers in the report
"""


def write_starter(path: str | Path, *, force: bool = False) -> Path:
    """Write the starter study file to ``path`` (a folder gets ``study.toml``).

    Raises
    ------
    StudyError
        The file exists and ``force`` is false.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "study.toml"
    if p.exists() and not force:
        raise StudyError(
            "the file already exists",
            where=Where(file=str(p)),
            rule="study.init-exists",
            hint="Choose another name or pass --force.",
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(STARTER, encoding="utf-8")
    return p
