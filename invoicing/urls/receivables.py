"""Routes of the receivables pages."""

urlpatterns = []
