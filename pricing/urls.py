from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("price-lists/", views.price_list_list, name="price_list_list"),
    path("price-lists/new/", views.price_list_create, name="price_list_create"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/edit/", views.price_list_update, name="price_list_update"),
    path(
        "price-lists/<int:pk>/prices/new/",
        views.price_list_add_price,
        name="price_list_add_price",
    ),
    path("item-prices/<int:pk>/edit/", views.item_price_update, name="item_price_update"),
    path("item-prices/<int:pk>/end/", views.item_price_end, name="item_price_end"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/edit/", views.item_update, name="item_update"),
]
