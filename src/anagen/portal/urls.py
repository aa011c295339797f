from django.urls import path

from anagen.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("after-login/", views.after_login, name="after_login"),
    path("appointments/<int:appointment_id>/change/", views.request_change, name="request_change"),
    path("appointments/<int:appointment_id>/move/", views.move_session, name="move_session"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel_session, name="cancel_session"),
    path("consents/<int:record_id>/withdraw/", views.withdraw_consent, name="withdraw_consent"),
    path("reports/<int:report_id>/", views.report_download, name="report_download"),
    path("shedding-diary/", views.diary, name="diary"),
    path("questionnaire/", views.questionnaire, name="questionnaire"),
    path("photos/", views.home_photos, name="photos"),
    path("photos/<int:photo_id>/", views.home_photo_image, name="photo_image"),
    path("photos/<int:photo_id>/thumbnail/", views.home_photo_thumbnail, name="photo_thumbnail"),
    path("access-log/", views.access_log, name="access_log"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/<int:export_id>/download/", views.export_download, name="export_download"),
    # The invitation link: its token is exchanged for a session claim, then the token-free page.
    path("welcome/", views.accept, name="welcome"),
    path("welcome/<str:token>/", views.accept_link, name="accept"),
    # A recall message's one-tap link: like the invitation, exchanged for a claim, then the page.
    path("recall/", views.recall, name="recall"),
    path("recall/<str:token>/", views.recall_link, name="recall_link"),
    # Staff
    path("patients/<int:patient_id>/invite/", views.invite, name="invite"),
    path("patients/<int:patient_id>/revoke/", views.revoke, name="revoke"),
    path("requests/", views.requests, name="requests"),
    path("requests/changes/<int:request_id>/handled/", views.handle_change, name="handle_change"),
    path("requests/exports/<int:export_id>/fulfil/", views.fulfil_export, name="fulfil_export"),
]
