"""Factories that make valid objects with one call."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Account, Company
from accounts.services import create_company
from crm.models import Customer, CustomerGroup, Supplier, Territory
from invoicing.models import Payment, SalesInvoice
from invoicing.services import create_draft_invoice, receive_payment
from pricing.models import Item


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    abbreviation = factory.Sequence(lambda n: f"C{n}")
    default_currency = "EUR"
    credit_limit = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return create_company(**kwargs)


class AccountFactory(factory.django.DjangoModelFactory):
    """A ledger under the company's Current Assets group unless told otherwise."""

    class Meta:
        model = Account

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Account {n}")
    parent = factory.LazyAttribute(
        lambda o: Account.objects.get(company=o.company, name=o.company.suffixed("Current Assets"))
    )
    is_group = False


class CustomerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerGroup
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Group {n}")
    parent = factory.LazyFunction(lambda: CustomerGroup.objects.get(name="All Customer Groups"))
    is_group = False


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Territory {n}")
    parent = factory.LazyFunction(lambda: Territory.objects.get(name="All Territories"))
    is_group = False


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    customer_group = factory.LazyFunction(lambda: CustomerGroup.objects.get(name="Commercial"))
    territory = factory.LazyFunction(lambda: Territory.objects.get(name="Rest of the World"))
    company = factory.SubFactory(CompanyFactory)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    company = factory.SubFactory(CompanyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment received through `receive_payment` into the company's Bank account; all of
    it an advance unless `allocations` are given."""

    class Meta:
        model = Payment

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda o: o.customer.company)
    posting_date = factory.LazyFunction(timezone.localdate)
    amount = Decimal("100.00")
    paid_to = factory.LazyAttribute(
        lambda o: Account.objects.get(company=o.company, name=o.company.suffixed("Bank"))
    )
    mode = Payment.Mode.BANK_TRANSFER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return receive_payment(**kwargs)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ITEM-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.code}")


class SalesInvoiceFactory(factory.django.DjangoModelFactory):
    """A draft invoice raised through `create_draft_invoice`: one line, 1 x an item at 10.00,
    unless `lines` ((item, quantity, rate) triples) are given."""

    class Meta:
        model = SalesInvoice

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda o: o.customer.company)
    posting_date = factory.LazyFunction(timezone.localdate)
    lines = factory.LazyFunction(lambda: [(ItemFactory(), Decimal(1), Decimal(10))])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return create_draft_invoice(**kwargs)
