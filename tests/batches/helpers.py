"""Builders shared by the notices and batches tests. They write through the models, like tests/factories.py."""

from portal.batches.audience import Audience
from portal.constants import BatchStatus, Channel
from portal.core.time import utcnow
from portal.extensions import db
from portal.mail.rendering import starter_body
from portal.models import Batch, Incident, NoticeTemplate, NoticeTemplateContent, NoticeTemplateVersion, Notification

ENGLISH_SUBJECT = "Notice of data breach for ((first_name))"


def make_template(incident: Incident, name="First notice", languages=None, author=None) -> NoticeTemplateVersion:
    """A template with version 1 holding ``languages`` (code → (subject, body)); English from the starter."""
    languages = languages or {"en": (ENGLISH_SUBJECT, starter_body())}
    template = NoticeTemplate(incident_id=incident.id, name=name)
    db.session.add(template)
    db.session.flush()
    version = NoticeTemplateVersion(template_id=template.id, version=1, created_by_id=author.id if author else None)
    db.session.add(version)
    db.session.flush()
    for language, (subject, body) in languages.items():
        db.session.add(
            NoticeTemplateContent(
                version_id=version.id, language=language, jurisdiction="", subject=subject, body_markdown=body
            )
        )
    db.session.commit()
    return version


def make_batch(
    incident: Incident,
    version: NoticeTemplateVersion,
    creator,
    channel=Channel.EMAIL,
    audience: Audience | None = None,
    status=BatchStatus.DRAFT,
    name="First notice",
) -> Batch:
    batch = Batch(
        incident_id=incident.id,
        template_version_id=version.id,
        name=name,
        channel=channel,
        status=status,
        audience=(audience or Audience()).to_json(),
        audience_count=0,
        created_by_id=creator.id,
        stop_reason="",
        letter_file="",
        letter_sha256="",
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def notify(batch: Batch, person, status, last_error="") -> Notification:
    """A notification as if the batch had been frozen and sent."""
    row = Notification(
        batch_id=batch.id,
        person_id=person.id,
        language="en",
        jurisdiction="",
        status=status,
        last_error=last_error,
        updated_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return row
