"""Statuses of a directive and the table of the changes a status update may make."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DirectiveStatus(models.TextChoices):
    """Where a directive (a meeting's conclusion assigned to an agency or unit) stands."""

    OPEN = "open", _("Not started")  # assigned, nothing reported yet
    IN_PROGRESS = "in_progress", _("In progress")  # the assignee reported work under way
    DONE = "done", _("Done")  # completed; completed_at says whether on time
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn by the committee; counted nowhere


# Still to be carried out: followed, reminded, and overdue once the deadline has passed.
ACTIVE = frozenset({DirectiveStatus.OPEN, DirectiveStatus.IN_PROGRESS})
TERMINAL = frozenset({DirectiveStatus.DONE, DirectiveStatus.CANCELLED})

# What a status update may move a directive to. A progress note keeps the status it reports
# (in progress -> in progress). Cancelling is the committee's decision (directive_cancel), not
# an assignee's update; a finished or cancelled directive takes no more updates.
ALLOWED: dict[DirectiveStatus, frozenset[DirectiveStatus]] = {
    DirectiveStatus.OPEN: frozenset({DirectiveStatus.IN_PROGRESS, DirectiveStatus.DONE}),
    DirectiveStatus.IN_PROGRESS: frozenset({DirectiveStatus.IN_PROGRESS, DirectiveStatus.DONE}),
    DirectiveStatus.DONE: frozenset(),
    DirectiveStatus.CANCELLED: frozenset(),
}

# The statuses as written in the Vietnamese documents motcua sends out (reminder e-mails, the
# XLSX list), whatever the language of the page that triggered them.
STATUS_NAMES_VI: dict[str, str] = {
    DirectiveStatus.OPEN: "Chưa thực hiện",
    DirectiveStatus.IN_PROGRESS: "Đang thực hiện",
    DirectiveStatus.DONE: "Đã hoàn thành",
    DirectiveStatus.CANCELLED: "Đã hủy",
}


class Timeliness(models.TextChoices):
    """A directive against its deadline at a moment (derived, never stored)."""

    WITHIN_TIME = "within_time", _("Within time")  # active, deadline not reached
    OVERDUE = "overdue", _("Overdue")  # active, deadline passed
    ON_TIME = "on_time", _("Done on time")  # completed at or before the deadline
    LATE = "late", _("Done late")  # completed after the deadline
    CANCELLED = "cancelled", _("Cancelled")


TIMELINESS_NAMES_VI: dict[str, str] = {
    Timeliness.WITHIN_TIME: "Trong hạn",
    Timeliness.OVERDUE: "Quá hạn",
    Timeliness.ON_TIME: "Hoàn thành đúng hạn",
    Timeliness.LATE: "Hoàn thành quá hạn",
    Timeliness.CANCELLED: "Đã hủy",
}
