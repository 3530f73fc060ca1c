"""Urban space: where internal migrants settle, how segregated they are, how they see the city.

Areas
    :func:`district_table`, :func:`district`, :func:`city` (the registry of the districts of
    Astana, Almaty and Shymkent); :func:`read_boundaries` (any GeoJSON / GeoPackage /
    Shapefile, validated and projected to the city's UTM zone); :func:`approximate_districts`
    and :func:`complete_boundaries` (the fallback when a file is missing or incomplete);
    ``qonys geo fetch`` downloads OpenStreetMap boundaries on request.
Assignment
    :func:`assign_districts` from a district code, an address or a geopoint.
Settlement
    :func:`settlement_shares`, :func:`location_quotients`, :func:`design_dissimilarity`
    (design-based, with SEs).
Segregation
    :func:`segregation_indices` (D, isolation, interaction, Theil's H, Gini, Atkinson,
    multigroup D and H, M; permutation inference and the small-unit correction),
    :func:`decompose_segregation` (within/between), :func:`spatial_segregation` and
    :func:`compare_segregation` (PySAL), :func:`morans_i`.
City image
    :func:`image_profiles`, :func:`place_counts`, :func:`profile_figure`.
Maps
    :func:`choropleth` (offline PNG in kk/ru/en).

The module works offline; only ``qonys geo fetch`` uses the network, when the user runs it.
"""

from __future__ import annotations

from ._geometry import city_outline, utm_epsg
from .analysis import SegregationResult, segregation_indices, unit_counts
from .approximate import APPROXIMATE_ATTRIBUTION, approximate_districts, complete_boundaries
from .assign import Assignment, assign_districts, match_address, parse_geopoint
from .autocorr import AutocorrelationResult, morans_i
from .boundaries import (
    OSM_ATTRIBUTION,
    Boundaries,
    BoundaryIssue,
    UnknownFeaturePolicy,
    boundaries_from_frame,
    read_boundaries,
)
from .decompose import DecompositionResult, decompose_segregation
from .image import ImageResult, image_profiles, place_counts, profile_figure
from .indices import INDICES, IndexSpec
from .inference import carrington_troske, permutation_test
from .maps import choropleth, choropleth_figure
from .pysal_bridge import compare_segregation, pysal_index, spatial_segregation
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
from .settlement import (
    SettlementResult,
    design_dissimilarity,
    location_quotients,
    location_quotients_from_counts,
    settlement_shares,
)

__all__ = [
    "APPROXIMATE_ATTRIBUTION",
    "INDICES",
    "LANGS",
    "OSM_ATTRIBUTION",
    "Assignment",
    "AutocorrelationResult",
    "Boundaries",
    "BoundaryIssue",
    "City",
    "DecompositionResult",
    "District",
    "ImageResult",
    "IndexSpec",
    "Published",
    "SegregationResult",
    "SettlementResult",
    "UnknownFeaturePolicy",
    "approximate_districts",
    "assign_districts",
    "boundaries_from_frame",
    "carrington_troske",
    "choropleth",
    "choropleth_figure",
    "cities",
    "city",
    "city_outline",
    "compare_segregation",
    "complete_boundaries",
    "decompose_segregation",
    "design_dissimilarity",
    "district",
    "district_table",
    "districts",
    "geo_data_path",
    "image_profiles",
    "location_quotients",
    "location_quotients_from_counts",
    "match_address",
    "morans_i",
    "parse_geopoint",
    "permutation_test",
    "place_counts",
    "profile_figure",
    "pysal_index",
    "read_boundaries",
    "segregation_indices",
    "settlement_shares",
    "spatial_segregation",
    "unit_counts",
    "utm_epsg",
]
