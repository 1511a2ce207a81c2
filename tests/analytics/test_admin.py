"""Every analytics model is in the admin; the summaries are read-only there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from analytics.models import SalesFact

pytestmark = pytest.mark.django_db

MODELS = list(apps.get_app_config("analytics").get_models())


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_every_model_is_in_the_admin_and_its_list_opens(admin_client, book, model):
    assert model in admin.site._registry
    url = reverse(f"admin:analytics_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Alpha"}).status_code == 200


def test_summaries_cannot_be_edited_in_the_admin(admin_client, book):
    fact = SalesFact.objects.first()
    url = reverse("admin:analytics_salesfact_change", args=[fact.pk])

    response = admin_client.post(url, {"net_sales": "1"})

    assert response.status_code == 403
    assert SalesFact.objects.get(pk=fact.pk).net_sales == fact.net_sales
