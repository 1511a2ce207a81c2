"""Invoices, payments and item costs keep the report summaries up to date."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from invoicing.models import Payment, SalesInvoice
from pricing.models import Item

from . import summaries


@receiver(post_save, sender=SalesInvoice, dispatch_uid="analytics_invoice_saved")
def invoice_saved(sender, instance, **kwargs):
    summaries.invoice_changed(invoice=instance)


@receiver(post_save, sender=Payment, dispatch_uid="analytics_payment_saved")
def payment_saved(sender, instance, **kwargs):
    summaries.payment_changed(payment=instance)


@receiver(post_save, sender=Item, dispatch_uid="analytics_item_saved")
def item_saved(sender, instance, created, **kwargs):
    summaries.item_changed(item=instance, created=created)
