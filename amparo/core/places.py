"""Countries and subdivisions by ISO 3166 code, with pycountry as the authority."""

from __future__ import annotations

import gettext
import re
import unicodedata
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


# Names → codes, for importers of third-party data. Exact matches only (after folding case,
# accents and punctuation): a guessed country is worse than one reported as unresolved.

# Common spellings pycountry does not know (its names, official names, common names and Spanish
# translations are matched already).
COUNTRY_ALIASES = {
    "bosnia": "BA",
    "congo": "CG",
    "republic of congo": "CG",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "east timor": "TL",
    "ivory coast": "CI",
    "laos": "LA",
    "macedonia": "MK",
    "north korea": "KP",
    "palestine": "PS",
    "russia": "RU",
    "south korea": "KR",
    "syria": "SY",
    "turkey": "TR",
    "uk": "GB",
    "usa": "US",
    "united states": "US",
    "vietnam": "VN",
}

# Words that name the kind of a subdivision rather than the subdivision itself.
_SUBDIVISION_WORDS = re.compile(
    r"\b(departamento|department|provincia|province|estado|state|region|región|district|"
    r"county|oblast|de|del|of)\b"
)


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces: the key names match on."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(fold(value), country.alpha_2)
                names.setdefault(fold(spanish.gettext(value)), country.alpha_2)
    names.update(COUNTRY_ALIASES)
    return names


@lru_cache(maxsize=1024)
def country_code(name: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country name, code or alias (English or Spanish), or ""
    when it is not known. A trailing parenthesis ("Myanmar (Burma)") is tried without it."""
    names = _country_names()
    key = fold(name)
    if key in names:
        return names[key]
    bare = fold(re.sub(r"\(.*?\)", " ", name))
    return names.get(bare, "")


@lru_cache(maxsize=256)
def _subdivision_names(country: str) -> dict[str, str]:
    names: dict[str, str] = {}
    ambiguous: set[str] = set()
    for subdivision in pycountry.subdivisions.get(country_code=country.upper()) or []:
        for key in {fold(subdivision.name), _bare_subdivision(subdivision.name)}:
            if key in names and names[key] != subdivision.code:
                ambiguous.add(key)
            names.setdefault(key, subdivision.code)
    return {key: code for key, code in names.items() if key not in ambiguous}


def _bare_subdivision(name: str) -> str:
    return " ".join(_SUBDIVISION_WORDS.sub(" ", fold(name)).split())


@lru_cache(maxsize=4096)
def subdivision_code(country: str, name: str) -> str:
    """The ISO 3166-2 code of a subdivision of `country` by its name, with or without words such
    as "Province" or "Departamento de", or "" when not known or ambiguous."""
    if not is_country(country) or not name.strip():
        return ""
    names = _subdivision_names(country)
    key, bare = fold(name), _bare_subdivision(name)
    found = names.get(key) or names.get(bare)
    if found or not bare:
        return found or ""
    # "Michoacán" for "Michoacán de Ocampo": a prefix of whole words that names only one.
    starting = {code for known, code in names.items() if known.startswith(bare + " ")}
    return starting.pop() if len(starting) == 1 else ""
