"""Domain values that word things for the screen."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bench.domain import CatalogModel

GTR_2 = CatalogModel(
    sku="AMZ-GTR2", program_code="AMZ-GT3", brand="Amazfit", name="Amazfit GTR 2",
    released_on=date(2020, 1, 1), base_value_cents=4200, has_storage=True,
)  # fmt: skip


class TestFullName:
    @pytest.mark.parametrize(
        ("brand", "name", "full"),
        [
            pytest.param("Amazfit", "Amazfit GTR 2", "Amazfit GTR 2", id="name-has-brand"),
            pytest.param(" amazfit ", "Amazfit GTR 2", "Amazfit GTR 2", id="any-case"),
            pytest.param("Garmin", "Venu", "Garmin Venu", id="name-lacks-brand"),
            pytest.param("Wyze", "Cam Pan v2 by Wyze", "Cam Pan v2 by Wyze", id="brand-inside"),
            pytest.param("Google Nest", "Google Nest Cam", "Google Nest Cam", id="two-words"),
            # A word that starts with the brand is not the brand.
            pytest.param("Amaz", "Amazfit GTR 2", "Amaz Amazfit GTR 2", id="prefix-only"),
            pytest.param("", "Amazfit GTR 2", "Amazfit GTR 2", id="no-brand"),
        ],
    )
    def test_the_brand_is_said_once(self, brand: str, name: str, full: str) -> None:
        assert dataclasses.replace(GTR_2, brand=brand, name=name).full_name == full
