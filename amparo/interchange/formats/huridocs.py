"""Amparo's codes mapped to the HURIDOCS Events Standard Formats micro-thesauri.

HURIDOCS (OpenEvSys) codes are 12-digit hierarchical codes in named lists ("types_of_acts",
"types_of_perpetrators", "occupation", "relavant_characteristics", as HURIDOCS spells it). The
table below maps each Amparo code to the closest term, or to nothing where HURIDOCS has no term
(digital attacks and reprisals for cooperation with the UN postdate the standard): an unmapped
code is exported with an empty HURIDOCS code, never with a wrong one. The English labels are the
micro-thesauri's own, so that an export can be labelled without the source file. Checked
against `huridocs_microthesauri_mt_vocab.csv` (OpenEvSys, 4,524 terms) by the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    list_name: str
    code: str
    label: str


ACTS, PERPETRATORS = "types_of_acts", "types_of_perpetrators"
OCCUPATION, CHARACTERISTICS = "occupation", "relavant_characteristics"

VIOLATIONS: dict[str, Term | None] = {
    "killing": Term(ACTS, "010101000000", "Deliberate killings of specific individuals"),
    "attempted_killing": Term(ACTS, "010109000000", "Attempted killings"),
    "enforced_disappearance": Term(ACTS, "030103000000", "Disappearance"),
    "abduction": Term(ACTS, "030104000000", "Abduction; kidnapping"),
    "torture": Term(ACTS, "020111110000", "Torture"),
    "physical_attack": Term(ACTS, "020101000000", "Physical assaults, including domestic violence"),
    "sexual_violence": Term(ACTS, "020102000000", "Sexual violations"),
    "arbitrary_detention": Term(ACTS, "030102000000", "Detention, imprisonment"),
    "death_threat": Term(ACTS, "020103020100", "Death threats against the victim"),
    "threat": Term(ACTS, "020103010100", "Threats against the victim"),
    "intimidation": Term(ACTS, "020103000000", "Psychological assault, harassment"),
    "harassment": Term(ACTS, "020103000000", "Psychological assault, harassment"),
    "surveillance": Term(ACTS, "020103030000", "Surveillance"),
    "stigmatisation": Term(ACTS, "140101000000", "Defamation"),
    "arbitrary_arrest": Term(ACTS, "030101000000", "Arrest"),
    "judicial_harassment": None,
    "defamation_suit": None,
    "travel_restriction": Term(ACTS, "050106000000", "Restriction on travel"),
    "denial_of_access": None,
    "assembly_restriction": Term(ACTS, "120105000000", "Limitations on assemblies/gatherings"),
    "association_restriction": Term(ACTS, "120103000000", "Banning of a group"),
    "raid": Term(ACTS, "040101000000", "Illegal search / raid"),
    "property_damage": Term(ACTS, "130103000000", "Destruction"),
    "forced_eviction": Term(ACTS, "050103000000", "Eviction"),
    "reprisal_un_cooperation": None,
    "digital_attack": None,
    "other": None,
}

PERPETRATOR_TERMS: dict[str, Term | None] = {
    "police": Term(PERPETRATORS, "010104000000", "Police"),
    "military": Term(PERPETRATORS, "010103000000", "Armed forces"),
    "intelligence_services": Term(
        PERPETRATORS, "010106000000", "Intelligence agency; secret service"
    ),
    "judiciary": Term(PERPETRATORS, "010300000000", "Judiciary"),
    "government_official": Term(PERPETRATORS, "010101000000", "National-level officials"),
    "state_media": Term(PERPETRATORS, "010100000000", "Executive"),
    "local_authority": Term(PERPETRATORS, "010102000000", "Local government officials"),
    "prison_staff": Term(PERPETRATORS, "010105000000", "Prison officials"),
    "paramilitary": Term(PERPETRATORS, "020101000000", "Paramilitary forces"),
    "armed_group": Term(
        PERPETRATORS, "029000000000", "Other non-governmental forces involved in conflicts"
    ),
    "vigilante_group": Term(PERPETRATORS, "020102000000", "Vigilante groups; death squads"),
    "criminal_group": Term(PERPETRATORS, "020300000000", "Warlords, private armies"),
    "private_company": Term(PERPETRATORS, "210101000000", "Local or national corporations"),
    "private_security": Term(PERPETRATORS, "020400000000", "Private security guards"),
    "community_member": Term(
        PERPETRATORS,
        "110200000000",
        "Private individuals/groups in a position of relative power in the community",
    ),
    "family_member": Term(
        PERPETRATORS,
        "110100000000",
        "Private individuals/groups in a position of relative power in the family/domestic sphere",
    ),
    "unknown": Term(PERPETRATORS, "990000000000", "Unknown"),
}

CATEGORY_TERMS: dict[str, Term | None] = {
    "women_rights": Term(CHARACTERISTICS, "020100000000", "Women"),
    "lgbti_rights": Term(CHARACTERISTICS, "030400000000", "Homosexual"),
    "journalist": Term(OCCUPATION, "029005010000", "Authors, journalists and other writers"),
    "trade_unionist": Term(OCCUPATION, "030406000000", "Paid worker in union"),
    "land_environment": None,
    "indigenous_peoples": Term(CHARACTERISTICS, "020400000000", "Indigenous peoples"),
    "esc_rights": None,
    "lawyer": Term(OCCUPATION, "029002010000", "Lawyers"),
    "judicial_official": Term(OCCUPATION, "029002020000", "Judges"),
    "anti_corruption": None,
    "ngo_staff": Term(OCCUPATION, "030404000000", "Paid worker in human rights organisation"),
    "community_leader": Term(OCCUPATION, "030410000000", "Paid community worker"),
    "student_academic": Term(OCCUPATION, "900301000000", "University or post-secondary student"),
    "health_worker": Term(OCCUPATION, "020202000000", "Health professionals (except nursing)"),
    "election_monitor": None,
    "humanitarian_worker": Term(
        OCCUPATION, "010104030000", "Senior officials of humanitarian organisations"
    ),
    "witness": Term(
        CHARACTERISTICS, "050200000000", "Involvement in some human rights-related cases"
    ),
    "nhri_staff": None,
    "other": None,
}

TABLES: dict[str, dict[str, Term | None]] = {
    "violation": VIOLATIONS,
    "perpetrator": PERPETRATOR_TERMS,
    "category": CATEGORY_TERMS,
}


def term_for(vocabulary: str, code: str) -> Term | None:
    return TABLES[vocabulary].get(code)


def mapping_rows() -> Iterator[dict[str, str]]:
    """The whole mapping as a table: one row per Amparo code, mapped or not."""
    for vocabulary, table in TABLES.items():
        for code, term in table.items():
            yield {
                "amparo_vocabulary": vocabulary,
                "amparo_code": code,
                "huridocs_list": term.list_name if term else "",
                "huridocs_code": term.code if term else "",
                "huridocs_label": term.label if term else "",
            }
