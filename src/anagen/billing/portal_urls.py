"""The patient's bills, in the portal's namespace (``anagen.urls`` adds these patterns to
``anagen.portal.urls``'s): ``/portal/bills/...``. The portal cannot import billing, which sits
above it (docs/architecture.md)."""

from django.urls import path

from anagen.billing import portal_views

urlpatterns = [
    path("bills/", portal_views.bills, name="bills"),
    path("bills/<int:invoice_id>/", portal_views.bill, name="bill"),
    path("bills/<int:invoice_id>/pdf/", portal_views.bill_pdf, name="bill_pdf"),
]
