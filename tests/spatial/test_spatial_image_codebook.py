"""City-image profiles are means even when the codebook types the ratings as select_one."""

from __future__ import annotations

import pandas as pd
import pytest

from qonys._core import Choice, ChoiceList, Codebook, MissingCode, Variable
from qonys.design import SurveyData, SurveyDesign
from qonys.spatial import image_profiles


def test_select_one_ratings_give_one_mean_per_item_and_city() -> None:
    df = pd.DataFrame(
        {
            "scr_city": [71, 71, 75, 75, 75],
            "img_sd_clean": [1, 5, 4, 98, 2],  # 98 = don't know, left out
            "w": [1.0, 3.0, 1.0, 1.0, 2.0],
        }
    )
    scale = ChoiceList("scale7", tuple(Choice(i, {"en": str(i)}) for i in range(1, 8)))
    cb = Codebook(
        variables=(
            Variable("scr_city", "integer"),
            Variable(
                "img_sd_clean",
                "select_one",
                choices="scale7",
                missing=(MissingCode(value=98, kind="dont_know"),),
            ),
            Variable("w", "decimal"),
        ),
        choice_lists=(scale,),
    )
    sd = SurveyData(df, SurveyDesign(weights="w"), codebook=cb)
    frame = image_profiles(sd, by=["scr_city"]).to_frame()
    rows = frame[frame["variable"] == "img_sd_clean"].set_index("scr_city")["estimate"]
    # Hajek means by hand: city 71 (1*1 + 5*3) / 4 = 4.0; city 75 (4*1 + 2*2) / 3 = 2.6667
    assert len(rows) == 2
    assert rows[71] == pytest.approx(4.0, abs=1e-12)
    assert rows[75] == pytest.approx(8 / 3, abs=1e-12)
