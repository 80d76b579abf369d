"""The production settings, with the per-IP booking limits lifted for the HTTP benchmark
(every benchmark client comes from 127.0.0.1). Used only by bench/http_bench.py."""

from portal.settings.production import *  # noqa: F403

BOOKING_SUBMISSION_RATE = "1000000/h"
BOOKING_DECLINED_RATE = "1000000/h"
