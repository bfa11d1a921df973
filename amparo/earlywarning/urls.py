from django.urls import path

from amparo.earlywarning import views

app_name = "earlywarning"
urlpatterns = [
    path("", views.alert_list_view, name="alert_list"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("regional/", views.regional_view, name="regional"),
    path("config/", views.config_view, name="config"),
    path("<str:code>/", views.alert_detail_view, name="alert_detail"),
    path("<str:code>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("<str:code>/act/", views.alert_act_view, name="alert_act"),
    path("<str:code>/dismiss/", views.alert_dismiss_view, name="alert_dismiss"),
]
