"""Urban space: districts, boundaries, assignment, settlement, segregation, city image, maps.

The module works offline. District boundaries are read from files the user supplies
(:func:`read_boundaries`) or downloaded by ``qonys geo fetch``; without them every map falls back
to approximate districts (:func:`approximate_districts`) and says so.
"""

from __future__ import annotations

from ._geometry import city_outline, utm_epsg
from .approximate import APPROXIMATE_ATTRIBUTION, approximate_districts, complete_boundaries
from .boundaries import (
    OSM_ATTRIBUTION,
    Boundaries,
    BoundaryIssue,
    UnknownFeaturePolicy,
    boundaries_from_frame,
    read_boundaries,
)
from .registry import (
    LANGS,
    City,
    District,
    Published,
    cities,
    city,
    district,
    district_table,
    districts,
    geo_data_path,
)

__all__ = [
    "APPROXIMATE_ATTRIBUTION",
    "LANGS",
    "OSM_ATTRIBUTION",
    "Boundaries",
    "BoundaryIssue",
    "City",
    "District",
    "Published",
    "UnknownFeaturePolicy",
    "approximate_districts",
    "boundaries_from_frame",
    "cities",
    "city",
    "city_outline",
    "complete_boundaries",
    "district",
    "district_table",
    "districts",
    "geo_data_path",
    "read_boundaries",
    "utm_epsg",
]
