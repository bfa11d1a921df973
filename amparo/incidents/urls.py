from django.urls import path

from amparo.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list_view, name="incident_list"),
    path("new/", views.incident_create_view, name="incident_create"),
    path("<str:code>/", views.incident_detail_view, name="incident_detail"),
    path("<str:code>/edit/", views.incident_edit_view, name="incident_edit"),
    path("<str:code>/attachments/", views.attachment_create_view, name="attachment_create"),
    path(
        "<str:code>/attachments/<uuid:attachment_id>/",
        views.attachment_download_view,
        name="attachment_download",
    ),
]
