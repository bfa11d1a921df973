from django.urls import path

from amparo.reports import views

app_name = "reports"
urlpatterns = [
    path("annual/", views.annual_report_view, name="annual"),
    path("incident-counts.hxl.csv", views.incident_counts_view, name="incident_counts"),
]
