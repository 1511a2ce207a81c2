from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Company


@permission_required("accounts.view_account", raise_exception=True)
def chart_of_accounts(request, company_id=None):
    companies = list(Company.objects.all())
    if company_id is not None:
        company = get_object_or_404(Company, pk=company_id)
    else:
        company = companies[0] if companies else None
    rows = selectors.chart_of_accounts(company=company) if company else []
    return render(
        request,
        "accounts/chart.html",
        {"companies": companies, "company": company, "rows": rows},
    )
