from django.urls import path

from amparo.coordination import views

app_name = "coordination"
urlpatterns = [
    path("tasks/", views.task_list_view, name="task_list"),
    path("tasks/<str:task_id>/", views.task_detail_view, name="task_detail"),
    path("tasks/<str:task_id>/complete/", views.task_complete_view, name="task_complete"),
    path("tasks/<str:task_id>/cancel/", views.task_cancel_view, name="task_cancel"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("defenders/<str:code>/consent/", views.consent_record_view, name="consent_record"),
]
