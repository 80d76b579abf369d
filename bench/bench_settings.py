"""The production settings, with the per-IP booking limits lifted for the HTTP benchmark
(every benchmark client comes from 127.0.0.1). Used only by bench/http_bench.py."""

from portal.settings.production import *  # noqa: F403

SUBMISSION_RATES = {"booking": "1000000/h", "evening": "1000000/h"}
SUBMISSION_DECLINED_RATE = INVALID_SUBMISSION_RATE = "1000000/h"
# Every benchmark family types the same phone number.
BOOKING_MAX_REQUESTS_PER_PHONE_PER_DAY = 1000000
