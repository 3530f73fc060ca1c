"""``SurveyData.from_dataset``: user-missing codes of the codebook become missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qonys._core import Choice, ChoiceList, Codebook, Dataset, MissingCode, Variable
from qonys.design import SurveyData, SurveyDesign


def test_declared_codes_ranges_and_missing_choices_become_missing() -> None:
    cb = Codebook(
        variables=(
            Variable(
                "trust",
                "select_one",
                choices="agree5",
                missing=(MissingCode(value=99, kind="refused"),),
            ),
            Variable("income", "decimal", missing=(MissingCode(low=-9, high=-7, kind="missing"),)),
            Variable("age", "integer"),
            Variable("w", "decimal"),
        ),
        choice_lists=(
            ChoiceList(
                "agree5",
                tuple(Choice(i, {"en": f"level {i}"}) for i in range(1, 6))
                + (Choice(98, {"en": "Don't know"}, missing="dont_know"),),
            ),
        ),
    )
    frame = pd.DataFrame(
        {
            "trust": [1.0, 98.0, 99.0, 5.0, np.nan, 98.0],
            "income": [100.0, -8.0, -9.0, -7.5, 50.0, -6.0],
            "age": pd.array([20, 98, 99, 40, 50, 60], dtype="Int64"),
            "w": [1.0] * 6,
        }
    )
    sd = SurveyData.from_dataset(Dataset(frame, cb), SurveyDesign(weights="w"))
    assert sd.data["trust"].isna().tolist() == [False, True, True, False, True, True]
    assert sd.data["income"].isna().tolist() == [False, True, True, True, False, False]
    # a variable without missing codes keeps 98 and 99 as ages
    assert sd.data["age"].tolist() == [20, 98, 99, 40, 50, 60]
    # the dataset itself is left as it was
    assert frame["trust"].tolist()[:4] == [1.0, 98.0, 99.0, 5.0]
    assert len(sd.data) == 6
