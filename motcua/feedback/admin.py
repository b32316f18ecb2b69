from django.contrib import admin

from motcua.feedback.models import Rating
from motcua.lib.admin import ReadOnlyMixin


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, admin.ModelAdmin[Rating]):
    list_display = ["dossier", "level", "at"]
    list_filter = ["level"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]
