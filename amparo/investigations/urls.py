from django.urls import path

from amparo.investigations import views

app_name = "investigations"
urlpatterns = [
    path("<str:code>/update/", views.investigation_update_view, name="investigation_update"),
]
