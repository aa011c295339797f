from django.contrib.auth import views as auth_views
from django.urls import include, path

from anagen.billing import portal_urls as billing_portal_urls
from anagen.portal import urls as portal_urls
from anagen.waitlist import portal_urls as waitlist_portal_urls
from anagen.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("today/<int:appointment_id>/arrived/", web_views.today_arrived, name="today_arrived"),
    path("today/<int:appointment_id>/start/", web_views.today_start, name="today_start"),
    path("today/<int:appointment_id>/consultation/", web_views.today_consult, name="today_consult"),
    # Browsers ask for /favicon.ico before they read the page's icon link.
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("session/ping", web_views.session_ping, name="session_ping"),
    path("language/", web_views.set_language, name="set_language"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("patients/", include("anagen.web.patient_urls")),
    path("admin-area/", include("anagen.accounts.urls")),
    path("audit/", include("anagen.privacy.trail_urls")),
    path("consents/", include("anagen.consents.urls")),
    path("consultations/", include("anagen.consultations.urls")),
    path("calendar/", include("anagen.scheduling.urls")),
    path("stock/", include("anagen.catalog.urls")),
    path("treatments/", include("anagen.treatments.urls")),
    path("education/", include("anagen.education.urls")),
    path("sessions/", include("anagen.procedures.urls")),
    path("safety/", include("anagen.safety.urls")),
    path("photos/", include("anagen.photos.urls")),
    path("outcomes/", include("anagen.outcomes.urls")),
    path("interop/", include("anagen.interop.urls")),
    path("reminders/", include("anagen.reminders.urls")),
    path("billing/", include("anagen.billing.urls")),
    path("api/v1/", include("anagen.api.urls")),
    path("account/api-tokens/", include("anagen.api.token_urls")),
    # The portal's pages, the patient's bills and waiting list, which billing and the waiting list
    # add (they sit above the portal).
    path("portal/", include((portal_urls.urlpatterns + billing_portal_urls.urlpatterns + waitlist_portal_urls.urlpatterns,
                             portal_urls.app_name))),
    path("privacy/", include("anagen.privacy.urls")),
    # Online booking by new patients: public pages under /book/ (no sign-in), and its settings.
    path("", include("anagen.booking.urls")),
]
