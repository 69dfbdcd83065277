"""WGS-84 / GCJ-02 / BD-09 conversions against published reference points, and exact round trips."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import coords

pytestmark = pytest.mark.feature("INT-15", "DATA-08")

# The reference outputs the widely used coordtransform library publishes for (116.404, 39.915),
# Tiananmen: the forward formulas must reproduce them to the last digit that matters.
REF_IN = (116.404, 39.915)
REF_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
REF_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
REF_BD09_TO_GCJ02_ONE_STEP = (116.39762729119315, 39.90865673957631)
REF_GCJ02_TO_WGS84_ONE_STEP = (116.39775550083061, 39.91359571849836)


def close(a: tuple[float, float], b: tuple[float, float], tol: float = 1e-9) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def test_forward_formulas_match_the_reference_points():
    assert close(coords.wgs84_to_gcj02(*REF_IN), REF_WGS84_TO_GCJ02, 1e-12)
    assert close(coords.gcj02_to_bd09(*REF_IN), REF_GCJ02_TO_BD09, 1e-12)
    assert close(coords.bd09_to_gcj02_approx(*REF_IN), REF_BD09_TO_GCJ02_ONE_STEP, 1e-12)


def test_inverses_agree_with_the_one_step_references_within_centimetres_and_are_exact():
    gcj = coords.bd09_to_gcj02(*REF_IN)
    # The published one-step inverse is a few centimetres off; the iterative one is exact.
    assert coords.distance_m(*gcj, *REF_BD09_TO_GCJ02_ONE_STEP) < 0.1
    assert close(coords.gcj02_to_bd09(*gcj), REF_IN, 1e-11)
    wgs = coords.gcj02_to_wgs84(*REF_IN)
    assert coords.distance_m(*wgs, *REF_GCJ02_TO_WGS84_ONE_STEP) < 0.5
    assert close(coords.wgs84_to_gcj02(*wgs), REF_IN, 1e-11)


def test_jiangmen_offsets_have_the_known_size():
    # Jiangmen city hall (WGS-84). GCJ-02 shifts points in Guangdong by roughly 0.5 km,
    # BD-09 by roughly 1.2 km more; a sign or axis mix-up moves them by far more.
    wgs = (113.0815, 22.5787)
    gcj = coords.wgs84_to_gcj02(*wgs)
    bd = coords.wgs84_to_bd09(*wgs)
    assert 300 < coords.distance_m(*wgs, *gcj) < 800
    assert 900 < coords.distance_m(*wgs, *bd) < 1700
    assert gcj[0] > wgs[0] and gcj[1] < wgs[1]  # east and a little south, as everywhere in Guangdong
    assert bd[0] > gcj[0] and bd[1] > gcj[1]


def test_outside_china_gcj02_is_wgs84():
    london = (-0.1276, 51.5072)
    assert coords.wgs84_to_gcj02(*london) == london
    assert coords.gcj02_to_wgs84(*london) == london
    assert coords.out_of_china(*london) and not coords.out_of_china(113.08, 22.58)


def test_convert_names_every_pair_and_refuses_unknown_systems():
    p = (113.0815, 22.5787)
    assert coords.convert(*p, "wgs84", "bd09") == coords.wgs84_to_bd09(*p)
    assert coords.convert(*p, "bd09", "bd09") == p
    assert close(coords.convert(*coords.convert(*p, "wgs84", "bd09"), "bd09", "wgs84"), p, 1e-10)
    with pytest.raises(ValueError):
        coords.convert(*p, "wgs84", "mercator")


@settings(max_examples=300, deadline=None)
@given(st.floats(73.7, 135.0), st.floats(18.0, 53.5))
def test_round_trips_are_exact_across_china(lng: float, lat: float):
    assert close(coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lng, lat)), (lng, lat), 1e-9)
    assert close(coords.bd09_to_gcj02(*coords.gcj02_to_bd09(lng, lat)), (lng, lat), 1e-9)
    assert close(coords.bd09_to_wgs84(*coords.wgs84_to_bd09(lng, lat)), (lng, lat), 1e-9)
