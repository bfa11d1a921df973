"""The disclosure whitelist: the only fields another entity may ever be shown of a case.

A disclosure names some of these fields; the liaison view (presenters.present_liaison_*) is
built from those names and nothing else, so a field missing here can never leak to a liaison.
Names, narratives, contacts and the defender's locality are not on the list; a deployment may
add the locality (and only it) with the setting AMPARO_DISCLOSURE_EXTRA_FIELDS = ["locality"].
"""

from __future__ import annotations

from django.conf import settings

# field name -> where its value comes from (documented for the people who configure sharing).
DISCLOSABLE_FIELDS: dict[str, str] = {
    "defender_code": "the defender's pseudonymous code (HRD-…)",
    "subdivision": "the defender's country and subdivision codes",
    "measure_kind": "the kind of measure (police protection, accompaniment, …)",
    "area": "the area where protection is needed (measure details)",
    "schedule_needs": "when protection is needed (measure details)",
    "contact_channel": "how the provider reaches the programme or the defender (measure details)",
}
# Fields a deployment may add by configuration; never names, narratives or contacts.
OPT_IN_FIELDS: dict[str, str] = {"locality": "the defender's locality (town, village)"}
DEFAULT_FIELDS = ("defender_code", "subdivision", "measure_kind", "area", "schedule_needs")
# Keys of Measure.details that some whitelisted field reads.
DETAIL_KEYS = ("area", "schedule_needs", "contact_channel")


def disclosable_fields() -> dict[str, str]:
    extra = getattr(settings, "AMPARO_DISCLOSURE_EXTRA_FIELDS", ()) or ()
    return {**DISCLOSABLE_FIELDS, **{k: v for k, v in OPT_IN_FIELDS.items() if k in extra}}
