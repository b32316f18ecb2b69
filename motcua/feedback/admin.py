from django.contrib import admin

from motcua.feedback.models import Rating
from motcua.lib.admin import DossierCodeSearchMixin, LargeTableMixin, ReadOnlyMixin


@admin.register(Rating)
class RatingAdmin(DossierCodeSearchMixin, LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin[Rating]):
    list_display = ["dossier", "level", "at"]
    list_filter = ["level"]
    list_select_related = ["dossier"]
