"""Factories that make valid objects with one call."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Account, Company
from accounts.services import create_company
from crm.models import Customer, CustomerGroup, Supplier, Territory


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
