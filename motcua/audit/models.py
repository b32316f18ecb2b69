"""Signed checkpoints of every dossier's chain tip (docs/dossiers.md, "Audit").

Each dossier's history is a hash chain of its own, with its tip on the dossier row; no chain
links the dossiers to each other, so writers of different dossiers never wait for each other.
What a global chain gave besides, that a deleted dossier leaves a trace, comes from here: a
checkpoint hashes every dossier's (id, code, last event number, last event hash) into a Merkle
tree whose leaves are grouped by id range (:class:`CheckpointBucket`), signs its root with the
audit key, and links to the previous checkpoint.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Checkpoint(models.Model):
    """One signed snapshot of all dossiers' chain tips.

    ``hash`` covers the Merkle root, the previous checkpoint's hash, the moment and the
    number of dossiers (``core.chain.checkpoint_hash``); ``signature`` is the HMAC-SHA256 of
    ``hash`` under ``MOTCUA_AUDIT_KEY``. ``prev_hash`` is unique: two checkpoints taken at
    once cannot both follow the same one (the chain of checkpoints never forks).
    """

    taken_at = models.DateTimeField(_("taken at"))
    dossiers = models.PositiveBigIntegerField(_("dossiers covered"))
    bucket_size = models.PositiveIntegerField(_("dossier ids per bucket"))
    root = models.CharField(_("Merkle root"), max_length=64)
    prev_hash = models.CharField(_("previous checkpoint's hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    signature = models.CharField(_("signature"), max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.taken_at:%d/%m/%Y %H:%M} {self.hash[:12]}"


class CheckpointBucket(models.Model):
    """The dossiers of one id range in a checkpoint: their leaves' hash, and the leaves
    themselves (id, code, last event number; zlib-compressed text) so ``audit verify`` can
    name a dossier that is gone. Older checkpoints may drop ``leaves`` and keep ``hash``."""

    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.CASCADE, related_name="buckets"
    )
    index = models.PositiveIntegerField(_("bucket"))  # ids index*size … (index+1)*size-1
    count = models.PositiveIntegerField(_("dossiers"))
    hash = models.CharField(_("hash"), max_length=64)
    leaves = models.BinaryField(_("leaves"), null=True, blank=True)

    class Meta:
        verbose_name = _("checkpoint bucket")
        verbose_name_plural = _("checkpoint buckets")
        ordering = ["checkpoint", "index"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "index"], name="checkpoint_bucket_key")
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}/{self.index}: {self.count}"
