import pytest

from amparo.registry.selectors import DefenderFilters, defender_duplicates, defender_list
from amparo.registry.services import DefenderData, defender_register


@pytest.mark.django_db
def test_register_and_find(coordinator, officer, analyst):
    data = DefenderData(
        name="Tomás Pérez",
        country="CO",
        subdivision="CO-CAU",
        categories=["land_environment"],
        contacts={"phone": "+57 310 555 0101"},
    )
    defender = defender_register(actor=coordinator, data=data)
    assert defender.code.startswith("HRD-")
    assert list(defender_list(actor=coordinator, filters=DefenderFilters(query="tomas perez"))) == [
        defender
    ]
    assert list(
        defender_list(actor=coordinator, filters=DefenderFilters(query="573105550101"))
    ) == [defender]
    assert list(defender_list(actor=officer)) == []
    assert list(defender_list(actor=analyst, filters=DefenderFilters(query="tomas perez"))) == []
    assert [d.code for d in defender_duplicates(actor=coordinator, name="TOMAS  PEREZ")] == [
        defender.code
    ]
    from amparo.registry.models import Defender

    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.name == "Tomás Pérez"
