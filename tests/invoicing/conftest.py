from decimal import Decimal

import pytest

from pricing.models import Item, ItemPrice, PriceList


@pytest.fixture
def price_list(company):
    """The company's default selling list, with Widget at 10.00 and Gadget at 2.50."""
    price_list = PriceList.objects.create(name="Standard Selling", currency="EUR")
    company.default_selling_price_list = price_list
    company.save()
    return price_list


@pytest.fixture
def widget(price_list):
    item = Item.objects.create(code="WIDGET", name="Widget")
    ItemPrice.objects.create(price_list=price_list, item=item, rate=Decimal("10"))
    return item


@pytest.fixture
def gadget(price_list):
    item = Item.objects.create(code="GADGET", name="Gadget")
    ItemPrice.objects.create(price_list=price_list, item=item, rate=Decimal("2.5"))
    return item


@pytest.fixture
def unpriced_item(db):
    return Item.objects.create(code="DOODAD", name="Doodad")
