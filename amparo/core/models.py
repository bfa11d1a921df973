"""Data keys: one per protected subject (a defender and what is theirs), wrapped by the KEK."""

from __future__ import annotations

import uuid

from django.db import models


class DataKey(models.Model):
    class Purpose(models.TextChoices):
        SUBJECT = "subject", "Subject data"
        INDEX = "index", "Blind-index root"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.SUBJECT)
    kek_id = models.CharField(max_length=32)
    # NULL once shredded: the data key is gone and everything it sealed is unreadable.
    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(purpose="index"),
                name="core_datakey_single_index_root",
            )
        ]

    def __str__(self) -> str:
        return f"data key {self.id}"

    @property
    def is_shredded(self) -> bool:
        return self.wrapped is None


class Counter(models.Model):
    """Named counters for human-readable codes (HRD-2026-000123), incremented under a row lock."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
