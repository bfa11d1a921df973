from django.urls import path

from amparo.measures import views

app_name = "measures"
urlpatterns = [
    path("", views.measure_list_view, name="measure_list"),
    path("overview/", views.protection_overview_view, name="overview"),
    path("disclosures/", views.disclosure_list_view, name="disclosure_list"),
    path("disclosures/<str:code>/", views.disclosure_detail_view, name="disclosure_detail"),
    path(
        "disclosures/<str:code>/respond/", views.disclosure_respond_view, name="disclosure_respond"
    ),
    path("disclosures/<str:code>/report/", views.disclosure_report_view, name="disclosure_report"),
    path("disclosures/<str:code>/revoke/", views.disclosure_revoke_view, name="disclosure_revoke"),
    path("request/<str:code>/", views.measure_create_view, name="measure_create"),
    path("safety-plan/<str:code>/", views.safety_plan_view, name="safety_plan"),
    path("<str:code>/", views.measure_detail_view, name="measure_detail"),
    path("<str:code>/step/", views.measure_transition_view, name="measure_transition"),
    path("<str:code>/replace/", views.measure_replace_view, name="measure_replace"),
    path("<str:code>/feedback/", views.measure_feedback_view, name="measure_feedback"),
    path("<str:code>/relocation/", views.relocation_view, name="relocation"),
    path("<str:code>/interim/", views.interim_view, name="interim"),
    path("<str:code>/disclose/", views.disclosure_create_view, name="disclosure_create"),
]
