from django.urls import path

from crm.views import trees as views

urlpatterns = [
    path("trees/<slug:kind>/", views.tree, name="tree"),
    path("trees/<slug:kind>/<int:pk>/add/", views.tree_add_child, name="tree_add_child"),
    path("trees/<slug:kind>/<int:pk>/rename/", views.tree_rename, name="tree_rename"),
    path("trees/<slug:kind>/<int:pk>/move/", views.tree_move, name="tree_move"),
    path("trees/<slug:kind>/<int:pk>/delete/", views.tree_delete, name="tree_delete"),
]
