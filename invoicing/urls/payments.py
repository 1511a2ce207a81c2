"""Routes of the payments pages."""

urlpatterns = []
