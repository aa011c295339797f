from django.urls import path

from anagen.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.home, name="home"),
    path("reception/", views.reception, name="reception"),
    path("settings/", views.billing_settings, name="settings"),
    path("prices/", views.price_list, name="prices"),
    path("prices/<int:item_id>/", views.price_edit, name="price_edit"),
    path("patients/<int:patient_id>/", views.patient_billing, name="patient"),
    path("patients/<int:patient_id>/invoices/new/", views.new_invoice, name="new_invoice"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/pay/", views.pay, name="pay"),
    path("invoices/<int:invoice_id>/refund/", views.refund, name="refund"),
    path("invoices/<int:invoice_id>/payment-link/", views.payment_link, name="payment_link"),
    path("razorpay/webhook/", views.razorpay_webhook, name="razorpay_webhook"),
    path("invoices/<int:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("payments/<int:payment_id>/receipt/", views.receipt_pdf, name="receipt_pdf"),
    path("packages/<int:package_id>/", views.package_detail, name="package"),
]
