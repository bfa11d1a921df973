"""Countries and subdivisions by ISO 3166 code, with pycountry as the authority."""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    return country.name if country else code


@lru_cache(maxsize=4096)
def subdivision_name(code: str) -> str:
    subdivision = pycountry.subdivisions.get(code=code.upper()) if code else None
    return subdivision.name if subdivision else code


def is_country(code: str) -> bool:
    return (
        bool(code) and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
    )


def is_subdivision_of(code: str, country: str) -> bool:
    if not code or not country or not code.upper().startswith(country.upper() + "-"):
        return False
    return pycountry.subdivisions.get(code=code.upper()) is not None


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda item: item[1])


@lru_cache(maxsize=256)
def subdivision_choices(country: str) -> list[tuple[str, str]]:
    found = pycountry.subdivisions.get(country_code=country.upper()) or []
    return sorted(((s.code, s.name) for s in found), key=lambda item: item[1])


def place_label(country: str, subdivision: str = "") -> str:
    if subdivision:
        return f"{subdivision_name(subdivision)}, {country_name(country)}"
    return country_name(country)
