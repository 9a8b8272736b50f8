"""Every background task, defined once: its Celery name and the function it runs.

The web process enqueues a task by its name and never imports the Celery app (which builds its
own Flask app at import, as a worker must); a worker, the in-process thread and the inline mode
all run the same function, found from ``target`` only when the task runs. The names are what
the broker carries, so they never change once deployed (a queued message would find no task).
"""

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.utils import import_string


@dataclass(frozen=True)
class BackgroundTask:
    name: str  # the Celery task name, carried by the broker
    target: str  # "module:function" run inside an app context, with the task's arguments

    def function(self) -> Callable:
        return import_string(self.target)


SEND_PENDING = BackgroundTask("portal.send_pending", "portal.background.sender:send_for_one_task")
PUMP = BackgroundTask("portal.pump", "portal.background.sender:pump")
BUILD_EXPORT = BackgroundTask("portal.legal.build_export", "portal.legal.jobs:build_export")
REISSUE_NOTICE_CODE = BackgroundTask("portal.verify.reissue_notice_code", "portal.verify.service:reissue_sealed")
LETTER_BY_POST = BackgroundTask("portal.trust.letter_by_post", "portal.trust.letters_by_post:match_sealed")
RETENTION_PURGE = BackgroundTask("portal.privacy.purge", "portal.privacy.retention:purge_on_schedule")

ALL_TASKS = (SEND_PENDING, PUMP, BUILD_EXPORT, REISSUE_NOTICE_CODE, LETTER_BY_POST, RETENTION_PURGE)

# Beat's schedule (seconds): the pump starts due scheduled batches, reaps and wakes the senders;
# the retention schedule's dates are days (docs/privacy.md), so daily is enough.
PUMP_EVERY_SECONDS = 30.0
RETENTION_EVERY_SECONDS = 24 * 3600.0
