"""The tree pages of customer groups, territories and sales persons: one set of views for all."""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from crm import selectors, services
from crm.forms.trees import MoveNodeForm, node_form_class
from crm.models import CustomerGroup, SalesPerson, Territory


@dataclass(frozen=True)
class TreeKind:
    slug: str
    model: type
    title: str
    customer_filter: str  # the customer list's query parameter for a node of this tree

    @property
    def noun(self) -> str:
        return self.model._meta.verbose_name

    @property
    def url(self) -> str:
        return reverse("crm:tree", args=[self.slug])

    @property
    def has_sales_details(self) -> bool:
        return self.model is SalesPerson

    def permission(self, action) -> str:
        return f"crm.{action}_{self.model._meta.model_name}"

    def save_warnings(self, node) -> list[str]:
        """A customer group passes its credit limit down: say whose outstanding is above it."""
        if self.model is not CustomerGroup:
            return []
        return selectors.credit_limit_warnings(set_on=node)

    def node_url(self, node) -> str:
        """The tree page scrolled to (and highlighting) `node`."""
        return f"{self.url}#node-{node.pk}"


TREE_KINDS = {
    kind.slug: kind
    for kind in [
        TreeKind("customer-groups", CustomerGroup, "Customer groups", "customer_group"),
        TreeKind("territories", Territory, "Territories", "territory"),
        TreeKind("sales-persons", SalesPerson, "Sales persons", "sales_person"),
    ]
}
ACTIONS = ("add", "change", "delete")


def tree_view(action):
    """Turn the `kind` slug into its TreeKind (404 for others) and require the kind's
    `action` permission (view, add, change or delete)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, kind, **kwargs):
            tree_kind = TREE_KINDS.get(kind)
            if tree_kind is None:
                raise Http404(f"There is no tree called {kind}.")
            if not request.user.has_perm(tree_kind.permission(action)):
                raise PermissionDenied
            return view(request, tree_kind, **kwargs)

        return wrapper

    return decorator


@tree_view("view")
def tree(request, kind):
    can = {action: request.user.has_perm(kind.permission(action)) for action in ACTIONS}
    rows = selectors.tree_with_customer_counts(kind.model)
    return render(request, "crm/trees/tree.html", {"kind": kind, "rows": rows, "can": can})


@tree_view("add")
def tree_add_child(request, kind, pk):
    parent = get_object_or_404(kind.model, pk=pk)
    return _form_page(
        request,
        kind,
        node=parent,
        form=node_form_class(kind.model)(request.POST or None),
        save=lambda **data: services.add_tree_node(parent=parent, **data),
        title=f"Add a {kind.noun} under {parent}",
        success=lambda child: f"Added {kind.noun} {child} under {parent}.",
    )


@tree_view("change")
def tree_rename(request, kind, pk):
    node = get_object_or_404(kind.model, pk=pk)
    form_class = node_form_class(kind.model)
    initial = {name: getattr(node, name) for name in form_class.base_fields}
    return _form_page(
        request,
        kind,
        node=node,
        form=form_class(request.POST or None, initial=initial),
        save=lambda **data: services.update_tree_node(node=node, **data),
        title=f"Edit {kind.noun} {node}",
        success=lambda saved: f"Saved {kind.noun} {saved}.",
    )


@tree_view("change")
def tree_move(request, kind, pk):
    node = get_object_or_404(kind.model, pk=pk)
    return _form_page(
        request,
        kind,
        node=node,
        form=MoveNodeForm(request.POST or None, node=node),
        save=lambda parent: services.move_tree_node(node=node, parent=parent),
        title=f"Move {kind.noun} {node}",
        success=lambda moved: f"Moved {moved} under {moved.parent}.",
    )


@tree_view("delete")
def tree_delete(request, kind, pk):
    node = get_object_or_404(kind.model, pk=pk)
    if request.method == "POST":
        try:
            services.delete_tree_node(node=node)
        except ValidationError as error:
            blockers = error.messages
        else:
            messages.success(request, f"Deleted {kind.noun} {node}.")
            return redirect(kind.url)
    else:
        blockers = services.tree_node_deletion_blockers(node)
    context = {"kind": kind, "node": node, "blockers": blockers}
    return render(request, "crm/trees/delete.html", context)


def _form_page(request, kind, *, node, form, save, title, success):
    """Show `form`; on a valid POST call `save` with its data and go back to the tree, or show
    the service's refusal next to the fields it names."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(**form.cleaned_data)
        except ValidationError as error:
            form.add_validation_error(error)
        else:
            messages.success(request, success(saved))
            for warning in kind.save_warnings(saved):
                messages.warning(request, warning)
            return redirect(kind.node_url(saved))
    context = {"kind": kind, "node": node, "form": form, "title": title}
    return render(request, "crm/trees/form.html", context)
