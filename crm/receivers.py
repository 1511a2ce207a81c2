from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import services
from .models import Customer, PartyLedger, Supplier


@receiver(pre_save, sender=Customer, dispatch_uid="customer_code")
@receiver(pre_save, sender=Supplier, dispatch_uid="supplier_code")
def party_numbered(sender, instance, raw=False, **kwargs):
    if not raw:
        services.assign_codes([instance])


@receiver(post_save, sender=Customer, dispatch_uid="customer_ledger")
@receiver(post_save, sender=Supplier, dispatch_uid="supplier_ledger")
def party_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        services.open_party_ledgers(parties=[instance])


@receiver(pre_delete, sender=Customer, dispatch_uid="customer_delete_guard")
@receiver(pre_delete, sender=Supplier, dispatch_uid="supplier_delete_guard")
def party_deleting(sender, instance, **kwargs):
    services.refuse_deletion_with_postings(party=instance)


@receiver(post_delete, sender=PartyLedger, dispatch_uid="party_ledger_account")
def party_ledger_deleted(sender, instance, **kwargs):
    services.close_ledger_account(ledger=instance)
