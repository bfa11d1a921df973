from django.urls import path

from amparo.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.defender_list_view, name="defender_list"),
    path("new/", views.defender_create_view, name="defender_create"),
    path("subdivisions/", views.subdivision_options_view, name="subdivisions"),
    path("organisations/", views.organisation_list_view, name="organisation_list"),
    path("organisations/new/", views.organisation_create_view, name="organisation_create"),
    path("duplicates/", views.duplicate_list_view, name="duplicate_list"),
    path(
        "duplicates/<str:first>/<str:second>/",
        views.duplicate_compare_view,
        name="duplicate_compare",
    ),
    path(
        "duplicates/<str:first>/<str:second>/decide/",
        views.duplicate_decide_view,
        name="duplicate_decide",
    ),
    path(
        "duplicates/incidents/<str:first>/<str:second>/decide/",
        views.incident_duplicate_decide_view,
        name="incident_duplicate_decide",
    ),
    path("merges/<uuid:merge_id>/", views.merge_detail_view, name="merge_detail"),
    path("<str:code>/", views.defender_detail_view, name="defender_detail"),
    path("<str:code>/edit/", views.defender_edit_view, name="defender_edit"),
    path("<str:code>/team/", views.defender_team_view, name="defender_team"),
    path("<str:code>/restricted/", views.defender_restricted_view, name="defender_restricted"),
    path("<str:code>/relatives/", views.person_create_view, name="person_create"),
    path("<str:code>/erase/", views.defender_shred_view, name="defender_shred"),
]
