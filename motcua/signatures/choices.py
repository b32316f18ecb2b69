"""What can be wrong with a signed PDF: enums, so callers never compare strings."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Problem(StrEnum):
    """A reason a signature (or the file) does not verify."""

    NO_SIGNATURE = "no-signature"
    # The bytes the signature covers no longer hash to the signed digest.
    MODIFIED = "modified"
    # Revisions appended after signing change more than signatures or form fields.
    CHANGED_AFTER_SIGNING = "changed-after-signing"
    # The signature value does not match the signer's public key.
    INVALID = "invalid"
    UNTRUSTED = "untrusted"
    UNREADABLE = "unreadable"
    # The RFC 3161 timestamp is altered, or its TSA does not chain to a trust root.
    TIMESTAMP_INVALID = "timestamp-invalid"

    @property
    def label(self) -> str:
        """The problem in the active language, for reports."""
        return str(PROBLEM_LABELS[self])


PROBLEM_LABELS = {
    Problem.NO_SIGNATURE: _("no signature"),
    Problem.MODIFIED: _("modified after signing: the signed content does not match"),
    Problem.CHANGED_AFTER_SIGNING: _(
        "changed after signing: a later revision alters the signed document"
    ),
    Problem.INVALID: _("invalid signature value"),
    Problem.UNTRUSTED: _("untrusted: the certificate does not chain to a trust root"),
    Problem.UNREADABLE: _("the signature cannot be read"),
    Problem.TIMESTAMP_INVALID: _(
        "the timestamp is not valid or its authority does not chain to a trust root"
    ),
}
