"""The CRM's pages; each area keeps its routes in its own module below."""

from . import addresses, contacts, customer_forms, customers, partners, suppliers, trees

app_name = "crm"

urlpatterns = [
    *customers.urlpatterns,
    *customer_forms.urlpatterns,
    *contacts.urlpatterns,
    *addresses.urlpatterns,
    *suppliers.urlpatterns,
    *partners.urlpatterns,
    *trees.urlpatterns,
]
