"""The waiting list's portal pages, in the portal's namespace (``anagen.urls`` adds these patterns
to ``anagen.portal.urls``'s): ``/portal/waiting-list/...``. The portal cannot import the waiting
list, which sits above it (docs/architecture.md)."""

from django.urls import path

from anagen.waitlist import portal_views

urlpatterns = [
    path("waiting-list/", portal_views.waiting_list, name="waiting_list"),
    path("appointments/<int:appointment_id>/waiting-list/", portal_views.join, name="waitlist_join"),
    path("waiting-list/<int:entry_id>/leave/", portal_views.leave, name="waitlist_leave"),
    path("waiting-list/offers/<int:offer_id>/accept/", portal_views.accept, name="offer_accept"),
]
