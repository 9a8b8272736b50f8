"""The notice declaration: who was in the register and what happened to their notices.

Two views that must each add up exactly, because counsel sign this:

* by batch: every notification row of the incident, in exactly one status group, so the batch
  totals add up to the number of notification rows;
* by person: everyone in the register, in exactly one outcome (the best that happened to any of
  their notices), so the outcomes add up to the register.
"""

from dataclasses import dataclass, field
from datetime import datetime

from portal.constants import Channel, NotificationStatus
from portal.core.csv_safety import CsvLines, neutralise
from portal.core.time import utcnow
from portal.dao.register_outcomes import (
    dao_count_notifications_by_batch_and_status,
    dao_count_notifications_in_incident,
    dao_get_register_outcomes,
)
from portal.models import Incident

S = NotificationStatus
# Every status in exactly one group; "sent" is the first three (the message left us).
STATUS_GROUPS = (
    ("delivered", "Delivered", (S.DELIVERED,)),
    ("accepted", "Accepted, no delivery report yet", (S.ACCEPTED, S.DEFERRED)),
    ("bounced", "Bounced or dropped (undeliverable)", (S.BOUNCED, S.DROPPED)),
    ("failed", "Failed (never accepted)", (S.FAILED,)),
    ("pending", "Not sent yet (queued or sending)", (S.QUEUED, S.SENDING, S.POSTING)),
    ("unknown", "Unknown (waiting for an admin's decision)", (S.UNKNOWN,)),
    ("cancelled", "Cancelled before sending", (S.CANCELLED,)),
)
SENT_GROUPS = ("delivered", "accepted", "bounced")
GROUP_OF = {status: key for key, _, statuses in STATUS_GROUPS for status in statuses}

OUTCOMES = (
    ("delivered_by_email", "Email delivered"),
    ("accepted_by_email", "Email accepted by the mail service, no delivery report yet"),
    ("sent_by_letter", "Sent by letter (no email got through)"),
    ("not_reached", "Not reached: every notice bounced, failed, was cancelled or is still pending"),
    ("never_sent", "Never sent a notice"),
)
ALSO_COUNTED = (
    ("emailed", "People an email got through to"),
    ("lettered", "People sent a letter"),
    ("email_undeliverable", "People with a bounced, dropped or failed email"),
    ("remailed_by_letter", "Of those, re-mailed by letter"),
    ("notified_outside_portal", "People sent a notice outside the portal (imported from the letter vendor)"),
    ("letters_returned", "People with a letter returned undelivered (imported from the letter vendor)"),
)


@dataclass
class GroupCounts:
    counts: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _, _ in STATUS_GROUPS} | {"other": 0})

    def add(self, status: str, n: int) -> None:
        self.counts[GROUP_OF.get(status, "other")] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def sent(self) -> int:
        return sum(self.counts[key] for key in SENT_GROUPS)


@dataclass
class BatchLine:
    batch_id: int
    name: str
    channel: str
    status: str
    groups: GroupCounts = field(default_factory=GroupCounts)


@dataclass
class Declaration:
    incident: Incident
    generated_at: datetime
    batches: list[BatchLine]
    by_channel: dict[str, GroupCounts]
    overall: GroupCounts
    outcomes: dict[str, int]
    notification_rows: int

    @property
    def register(self) -> int:
        return self.outcomes["register"]

    @property
    def never_reachable(self) -> int:
        return self.outcomes["not_reached"] + self.outcomes["never_sent"]

    @property
    def reconciles(self) -> bool:
        """Batch totals = notification rows, and outcomes = register. Shown on the page; tested."""
        people = sum(self.outcomes[key] for key, _ in OUTCOMES)
        return self.overall.total == self.notification_rows and people == self.register


def build_declaration(incident: Incident) -> Declaration:
    batches: dict[int, BatchLine] = {}
    for batch, status, n in dao_count_notifications_by_batch_and_status(incident.id):
        line = batches.setdefault(batch.id, BatchLine(batch.id, batch.name, batch.channel, batch.status))
        if status is not None:
            line.groups.add(status, n)
    by_channel = {str(channel): GroupCounts() for channel in Channel}
    overall = GroupCounts()
    for line in batches.values():
        channel = by_channel.setdefault(line.channel, GroupCounts())
        for key, n in line.groups.counts.items():
            channel.counts[key] += n
            overall.counts[key] += n
    return Declaration(
        incident=incident,
        generated_at=utcnow(),
        batches=list(batches.values()),
        by_channel=by_channel,
        overall=overall,
        outcomes=dao_get_register_outcomes(incident.id),
        notification_rows=dao_count_notifications_in_incident(incident.id),
    )


def declaration_csv(declaration: Declaration) -> str:
    """Long format (section, batch, channel, measure, count): one fact a row, easy to total or pivot."""
    writer = CsvLines()
    writer.writerow(["section", "batch_id", "batch_name", "channel", "measure", "count"])
    writer.writerow(["people", "", "", "", "register", declaration.register])
    for key, _ in (*OUTCOMES, *ALSO_COUNTED):
        writer.writerow(["people", "", "", "", key, declaration.outcomes[key]])
    writer.writerow(["people", "", "", "", "never_reachable", declaration.never_reachable])
    for line in declaration.batches:
        for key, n in (*line.groups.counts.items(), ("sent", line.groups.sent), ("total", line.groups.total)):
            writer.writerow(["batch", line.batch_id, neutralise(line.name), line.channel, key, n])
    for channel, groups in declaration.by_channel.items():
        for key, n in (*groups.counts.items(), ("sent", groups.sent), ("total", groups.total)):
            writer.writerow(["channel", "", "", channel, key, n])
    for key, n in (
        *declaration.overall.counts.items(),
        ("sent", declaration.overall.sent),
        ("total", declaration.overall.total),
    ):
        writer.writerow(["overall", "", "", "", key, n])
    writer.writerow(["overall", "", "", "", "notification_rows", declaration.notification_rows])
    return writer.text()
