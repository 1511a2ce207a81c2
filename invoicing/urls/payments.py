"""Routes of the payments pages."""

from django.urls import path

from invoicing.views import payments as views

urlpatterns = [
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/new/", views.payment_create, name="payment_create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="payment_allocate"),
]
