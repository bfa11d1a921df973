"""Adapters that read third-party files into interchange records (`amparo import --from`)."""

from __future__ import annotations

from amparo.interchange.sources.base import Adapter, Options, SourceReport, run_source
from amparo.interchange.sources.colombia_leaders import ColombiaLeaders
from amparo.interchange.sources.cpj import Cpj
from amparo.interchange.sources.global_witness import GlobalWitness
from amparo.interchange.sources.ical import ICalendar
from amparo.interchange.sources.parlgov import ParlGov
from amparo.interchange.sources.ucdp_deco import UcdpDeco

SOURCES: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (GlobalWitness(), ColombiaLeaders(), Cpj(), UcdpDeco(), ParlGov(), ICalendar())
}

__all__ = ["SOURCES", "Options", "SourceReport", "run_source"]
