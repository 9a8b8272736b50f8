"""Default reminder templates: one per reminder audience, in every language the portal offers.

A reminder is a short notice: the five Notice of Data Breach headings (every template keeps them,
and jurisdictions' rules hold reminders to them as to the first notice), the reminder first, the
same placeholders as the starter notice, and a fresh notice code so the person can check in.
The texts are data: portal/data/reminders/<reminder>/<language>.md, subject line, blank line,
Markdown body, like the starter notice (docs/translations.md).
"""

from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.batches.audience import batch_audience
from portal.batches.reminders import (
    REMINDER_LABELS,
)
from portal.constants import AuditAction, BatchStatus, Reminder
from portal.dao.batches import dao_get_batch, dao_repin_draft_template
from portal.dao.templates import dao_add_template, dao_add_template_version, dao_get_template_version
from portal.extensions import db
from portal.models import NoticeTemplate, NoticeTemplateContent, NoticeTemplateVersion, StaffUser
from portal.notice_templates.service import check_content

REMINDER_FOLDER = Path(__file__).resolve().parent.parent / "data" / "reminders"
# The reminders before a deadline; re-mailing after a returned letter uses the notice itself.
DEFAULT_REMINDERS = (
    Reminder.CLAIM_NOT_SUBMITTED,
    Reminder.INFO_NOT_ANSWERED,
    Reminder.MONITORING_NOT_ENROLLED,
    Reminder.NEVER_VERIFIED,
)


class ReminderTemplateError(ValueError):
    """The default reminder cannot be used for this batch; the message is for the admin."""


@lru_cache(maxsize=64)
def reminder_text(reminder: str, language: str) -> tuple[str, str] | None:
    """(subject, body) of the default reminder in ``language``, or None if there is none in it."""
    path = REMINDER_FOLDER / reminder / f"{language}.md"
    if not path.exists():
        return None
    subject, _sep, body = path.read_text(encoding="utf-8").partition("\n\n")
    return subject.strip(), body.lstrip("\n")


def default_reminder_name(reminder: str) -> str:
    return _("Reminder: %(audience)s", audience=REMINDER_LABELS[Reminder(reminder)])[:200]


def offered_reminder(batch) -> str | None:
    """The reminder whose default template a draft batch is offered: its audience is one, and it
    does not use that default already."""
    reminder = batch_audience(batch).reminder
    if batch.status != BatchStatus.DRAFT or reminder not in DEFAULT_REMINDERS:
        return None
    version = dao_get_template_version(batch.template_version_id)
    return None if version.template.name == default_reminder_name(reminder) else reminder


def use_default_reminder_template(batch_id: int, author: StaffUser) -> NoticeTemplate:
    """Make the batch's incident a template of the default reminder (every language) and pin the draft to it."""
    batch = dao_get_batch(batch_id)
    reminder = offered_reminder(batch) if batch else None
    if reminder is None:
        raise ReminderTemplateError(_("Only a draft batch with a reminder audience can use a default reminder."))
    contents = []
    for language in current_app.config["LANGUAGES"]:
        text = reminder_text(reminder, language)
        if text is None:
            continue
        problems = check_content(*text, language).problems
        if problems:  # a data file the tests keep valid; say which, rather than save a broken template
            raise ReminderTemplateError(f"{reminder}/{language}.md: {problems}")
        contents.append(
            NoticeTemplateContent(language=language, jurisdiction="", subject=text[0], body_markdown=text[1])
        )
    template = dao_add_template(NoticeTemplate(incident_id=batch.incident_id, name=default_reminder_name(reminder)))
    version = NoticeTemplateVersion(template_id=template.id, version=1, created_by_id=author.id)
    dao_add_template_version(version, contents)
    languages = [content.language for content in contents]
    record_audit(
        AuditAction.TEMPLATE_CREATED,
        f"template:{template.id}",
        {"incident": batch.incident_id, "version": 1, "languages": languages, "default_reminder": reminder},
    )
    if not dao_repin_draft_template(batch.id, version.id):
        db.session.rollback()
        raise ReminderTemplateError(_("This batch has been approved or cancelled, so it cannot be changed."))
    record_audit(AuditAction.BATCH_TEMPLATE_CHANGED, f"batch:{batch.id}", {"template_version": version.id})
    db.session.commit()
    return template
