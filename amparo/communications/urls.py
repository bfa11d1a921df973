from django.urls import path

from amparo.communications import views

app_name = "communications"
urlpatterns = [
    path("", views.communication_list_view, name="communication_list"),
    path("new/", views.communication_create_view, name="communication_create"),
    path("response-rates/", views.response_rates_view, name="response_rates"),
    path("visits/", views.visit_list_view, name="visit_list"),
    path("visits/outstanding/", views.visit_outstanding_view, name="visit_outstanding"),
    path("visits/new/", views.visit_form_view, name="visit_create"),
    path("visits/<uuid:pk>/", views.visit_form_view, name="visit_edit"),
    path("visits/<uuid:pk>/delete/", views.visit_delete_view, name="visit_delete"),
    path("documents/<uuid:pk>/", views.document_download_view, name="document_download"),
    path("<uuid:pk>/", views.communication_detail_view, name="communication_detail"),
    path("<uuid:pk>/edit/", views.communication_edit_view, name="communication_edit"),
    path("<uuid:pk>/submit/", views.communication_submit_view, name="communication_submit"),
    path("<uuid:pk>/approve/", views.communication_approve_view, name="communication_approve"),
    path("<uuid:pk>/return/", views.communication_return_view, name="communication_return"),
    path("<uuid:pk>/withdraw/", views.communication_withdraw_view, name="communication_withdraw"),
    path("<uuid:pk>/publish/", views.communication_publish_view, name="communication_publish"),
    path("<uuid:pk>/letter/", views.letter_view, name="letter"),
    path("<uuid:pk>/letter.pdf", views.letter_pdf_view, name="letter_pdf"),
    path("<uuid:pk>/reply/", views.reply_create_view, name="reply_create"),
]
