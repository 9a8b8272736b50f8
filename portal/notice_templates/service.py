"""Notice templates: create, save a language as a new immutable version, preview with a sample person.

A version is never edited in place: a batch pins the version that was approved, so what a second
admin read is what goes out. Saving one language copies the others from the version it was based
on; if someone saved a newer version meanwhile, the save is refused rather than silently undoing
their change.
"""

import re
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.core.i18n import LANGUAGE_NAMES
from portal.dao.exposures import dao_get_incident_categories
from portal.dao.incidents import (
    dao_get_all_incidents,
    dao_get_incident,
)
from portal.dao.templates import (
    dao_add_template,
    dao_add_template_version,
    dao_get_latest_template_version,
    dao_get_latest_version_numbers,
    dao_get_template,
    dao_get_template_version_by_number,
    dao_get_template_versions_with_authors,
    dao_get_templates_with_incidents,
)
from portal.extensions import db
from portal.legal.variants import check_variant
from portal.mail.rendering import (
    NOTICE_HEADINGS,
    RenderedNotice,
    TemplateError,
    notice_headings,
    notice_values,
    render_notice,
    starter_notice,
    validate_template,
)
from portal.models import (
    Exposure,
    Incident,
    NoticeTemplate,
    NoticeTemplateContent,
    NoticeTemplateVersion,
    Person,
    StaffUser,
)

DEFAULT_LANGUAGE = "en"
SUBJECT_MAX_LENGTH = 300
# Looks like a code, is not one: Crockford base32 has no U, so it can never verify.
SAMPLE_NOTICE_CODE = "SAMP-LEUU-UUUU"
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


class TemplateSaveError(ValueError):
    """Why a template was not saved: field name → messages (``""`` for the whole form)."""

    def __init__(self, problems: dict[str, list[str]] | None = None):
        super().__init__("template not saved")
        self.problems = problems or {}

    def add(self, name: str, message: str) -> None:
        self.problems.setdefault(name, []).append(message)


def template_languages() -> list[tuple[str, str]]:
    """Every language a template can carry, English first: (code, name)."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


def starter_text(incident: Incident, language: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """The subject and body a new template (or a template's first text in a language) starts from."""
    subject, body = starter_notice(language)
    return subject.replace("((incident_title))", incident.title), body


def _headings(body: str) -> list[str]:
    return [m.group(1).strip().casefold() for m in map(_HEADING_RE.match, body.splitlines()) if m]


def missing_headings(body: str, language: str) -> list[str]:
    """The "Notice of Data Breach" headings the body lacks.

    English must use the headings word for word. A translation may word them its own way (the
    starter's are a draft), so it must have at least as many headings as the structure has
    sections; what is missing is named in that language's starter wording.
    """
    present = _headings(body)
    if language == DEFAULT_LANGUAGE:
        return [heading for heading in NOTICE_HEADINGS if heading.casefold() not in present]
    headings = notice_headings(language)
    wanted = [heading for heading in headings if heading.casefold() not in present]
    if not wanted or len(present) >= len(headings):
        return []
    return wanted[: len(headings) - len(present)]


def check_content(
    subject: str, body: str, language: str, jurisdiction: str = "", categories: set[str] | None = None
) -> TemplateSaveError:
    """Every problem with one language's subject and body (empty when it can be saved)."""
    error = TemplateSaveError()
    try:
        validate_template(subject, body)
    except TemplateError as exc:
        for problem in exc.problems:
            error.add("subject" if problem.startswith("The subject") else "body", problem)
    if jurisdiction:
        # Legal hook (issue 5): a jurisdiction's variant is held to that jurisdiction's rules
        # (portal/data/jurisdictions.yaml) instead of the generic headings: California's rules require
        # the five headings, Massachusetts' forbid a "What happened" section.
        for problem in check_variant(jurisdiction, subject, body, categories):
            error.add("body", problem)
        missing = []
    else:
        missing = missing_headings(body, language)
    if missing:
        error.add(
            "body",
            _(
                "The notice must have the headings of a Notice of Data Breach. Missing: %(names)s.",
                names=", ".join(missing),
            ),
        )
    if len(subject) > SUBJECT_MAX_LENGTH:
        error.add("subject", _("The subject must be %(n)d characters or fewer.", n=SUBJECT_MAX_LENGTH))
    return error


def list_templates() -> list[tuple[NoticeTemplate, Incident, int]]:
    latest = dao_get_latest_version_numbers()
    return [(t, incident, latest.get(t.id, 0)) for t, incident in dao_get_templates_with_incidents()]


def get_template(template_id: int) -> NoticeTemplate | None:
    return dao_get_template(template_id)


def get_latest_version(template_id: int) -> NoticeTemplateVersion | None:
    return dao_get_latest_template_version(template_id)


def incidents_for_templates() -> list[Incident]:
    return dao_get_all_incidents()


def version_history(template_id: int) -> list[tuple[NoticeTemplateVersion, str]]:
    """Every version, newest first, with the email of the admin who saved it."""
    return dao_get_template_versions_with_authors(template_id)


def content_for(version: NoticeTemplateVersion, language: str, jurisdiction: str = "") -> NoticeTemplateContent | None:
    return next((c for c in version.contents if c.language == language and c.jurisdiction == jurisdiction), None)


def _raise_if_any(error: TemplateSaveError) -> None:
    if error.problems:
        raise error


def create_template(incident_id: int | None, name: str, subject: str, body: str, author: StaffUser) -> NoticeTemplate:
    """A new template whose version 1 holds the English text."""
    error = check_content(subject, body, DEFAULT_LANGUAGE)
    incident = dao_get_incident(incident_id) if incident_id else None
    if incident is None:
        error.add("incident", _("Choose the incident this notice is about"))
    _raise_if_any(error)
    template = dao_add_template(NoticeTemplate(incident_id=incident.id, name=name.strip()))
    version = NoticeTemplateVersion(template_id=template.id, version=1, created_by_id=author.id)
    dao_add_template_version(
        version,
        [
            NoticeTemplateContent(
                language=DEFAULT_LANGUAGE, jurisdiction="", subject=subject.strip(), body_markdown=body
            )
        ],
    )
    record_audit(
        AuditAction.TEMPLATE_CREATED,
        f"template:{template.id}",
        {"incident": incident.id, "version": 1, "languages": [DEFAULT_LANGUAGE]},
    )
    db.session.commit()
    return template


def save_language(
    template: NoticeTemplate,
    based_on: int,
    language: str,
    subject: str,
    body: str,
    author: StaffUser,
    jurisdiction: str = "",
) -> NoticeTemplateVersion:
    """Save one language's text (or one jurisdiction's variant of it) as a new version; the other
    contents are carried over unchanged."""
    if language not in current_app.config["LANGUAGES"]:
        raise TemplateSaveError({"": [_("Notices cannot be written in that language.")]})
    jurisdiction = jurisdiction.strip().upper()
    categories = dao_get_incident_categories(template.incident_id) if jurisdiction else None
    error = check_content(subject, body, language, jurisdiction, categories)
    _raise_if_any(error)
    latest = dao_get_latest_template_version(template.id)
    if latest is None or latest.version != based_on:
        raise TemplateSaveError(
            {
                "": [
                    _(
                        "Someone saved version %(n)d of this template while you were editing. Your text is below: "
                        "check version %(n)d, then save again.",
                        n=latest.version if latest else 0,
                    )
                ]
            }
        )
    contents = [
        NoticeTemplateContent(
            language=c.language, jurisdiction=c.jurisdiction, subject=c.subject, body_markdown=c.body_markdown
        )
        for c in latest.contents
        if not (c.language == language and c.jurisdiction == jurisdiction)
    ]
    contents.append(
        NoticeTemplateContent(language=language, jurisdiction=jurisdiction, subject=subject.strip(), body_markdown=body)
    )
    version = NoticeTemplateVersion(template_id=template.id, version=latest.version + 1, created_by_id=author.id)
    try:
        dao_add_template_version(version, contents)
    except IntegrityError as exc:  # another admin's save took the same number a moment before ours
        db.session.rollback()
        raise TemplateSaveError(
            {"": [_("Someone saved this template at the same moment. Check it and save again.")]}
        ) from exc
    record_audit(
        AuditAction.TEMPLATE_SAVED,
        f"template:{template.id}",
        {
            "version": version.version,
            "language": language,
            "based_on": based_on,
            **({"jurisdiction": jurisdiction} if jurisdiction else {}),
        },
    )
    db.session.commit()
    return version


def sample_person(incident: Incident, language: str) -> Person:
    """A made-up recipient for previews. Never added to the session, so never saved."""
    person = Person(
        uid="sample",
        contractor_id="SAMPLE",
        first_name="Amina",
        last_name="Okafor",
        email="amina.okafor@example.org",
        country="KE",
        region="",
        preferred_language=language,
    )
    person.exposures = [
        Exposure(incident_id=incident.id, category=category, detail="", exposed_at=date(2026, 6, 2))
        for category in ("national_id", "payment", "task_records")
    ]
    return person


def preview_content(content: NoticeTemplateContent, incident: Incident) -> RenderedNotice:
    """The notice as the sample person would get it, with a code that can never verify."""
    values = notice_values(sample_person(incident, content.language), incident, SAMPLE_NOTICE_CODE, content.language)
    return render_notice(content, values)


def preview_version(
    template: NoticeTemplate, number: int, language: str
) -> tuple[NoticeTemplateVersion, RenderedNotice] | None:
    version = dao_get_template_version_by_number(template.id, number)
    content = content_for(version, language) if version else None
    if content is None:
        return None
    return version, preview_content(content, dao_get_incident(template.incident_id))
