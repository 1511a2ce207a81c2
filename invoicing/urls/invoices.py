"""Routes of the invoices pages."""

urlpatterns = []
