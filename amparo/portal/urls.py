from django.urls import path

from amparo.portal import views

app_name = "portal"
urlpatterns = [
    path("report/", views.report_view, name="report"),
    path("status/", views.status_view, name="status"),
    path("subdivisions/", views.subdivisions_view, name="subdivisions"),
    path("intake/", views.queue_view, name="queue"),
    path("intake/check-ins/", views.checkin_list_view, name="checkin_list"),
    path("intake/<str:code>/", views.report_detail_view, name="report_detail"),
    path("intake/<str:code>/accept/", views.accept_existing_view, name="accept_existing"),
    path("intake/<str:code>/register/", views.accept_new_view, name="accept_new"),
    path("intake/<str:code>/reject/", views.reject_view, name="reject"),
    path("intake/<str:code>/files/<str:file_id>/", views.report_file_view, name="report_file"),
    path("me/", views.space_view, name="space"),
    path("me/consent/", views.consent_view, name="consent"),
    path("me/measures/<str:code>/feedback/", views.feedback_view, name="feedback"),
    path("me/check-ins/<str:event_id>/", views.checkin_view, name="checkin"),
]
