from django.urls import path

from amparo.risk import views

app_name = "risk"
urlpatterns = [
    path("procedures/", views.procedure_list_view, name="procedure_list"),
    path(
        "procedures/<str:code>/<str:action>/",
        views.procedure_action_view,
        name="procedure_action",
    ),
    path(
        "defenders/<str:code>/assessments/",
        views.assessment_history_view,
        name="assessment_history",
    ),
    path(
        "defenders/<str:code>/assessments/new/",
        views.assessment_create_view,
        name="assessment_create",
    ),
    path(
        "defenders/<str:code>/procedures/",
        views.procedure_open_view,
        name="procedure_open",
    ),
    path("assessments/<str:code>/", views.assessment_detail_view, name="assessment_detail"),
    path("assessments/<str:code>/edit/", views.assessment_edit_view, name="assessment_edit"),
    path("assessments/<str:code>/submit/", views.assessment_submit_view, name="assessment_submit"),
    path(
        "assessments/<str:code>/approve/", views.assessment_approve_view, name="assessment_approve"
    ),
    path("assessments/<str:code>/reject/", views.assessment_reject_view, name="assessment_reject"),
]
