"""The Bắc Kạn 2024 seed's figures for 01/01/2024 to 22/05/2024 (the seed README), in one place
for every test that asserts them: each bucket's value, by the bucket's name."""

from __future__ import annotations

SEED_BUCKETS = {
    "received": 1608,
    "received_online": 1342,
    "received_direct": 266,
    "carried_over": 39,
    "resolved": 1604,
    "resolved_late": 5,
    "ended": 0,
    "pending": 43,
    "pending_within_time": 43,
    "pending_overdue": 0,
    "obligation": 1501,
    "paid_online": 508,
    "digitised": 1238,
    "certification": 412,
    "e_certified": 103,
}
