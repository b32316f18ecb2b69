from django.contrib import admin

from motcua.dossiers.admin import ReadOnlyMixin
from motcua.feedback.models import Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, admin.ModelAdmin[Rating]):
    list_display = ["dossier", "level", "at"]
    list_filter = ["level"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]
