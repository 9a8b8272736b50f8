from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from portal.constants import ROLES_MANAGING_NOTICES
from portal.core.i18n import LANGUAGE_NAMES
from portal.dao.incidents import dao_get_incident
from portal.mail.placeholders import PLACEHOLDERS
from portal.notice_templates import bp
from portal.notice_templates.forms import EditLanguageForm, NewTemplateForm
from portal.notice_templates.service import (
    DEFAULT_LANGUAGE,
    TemplateSaveError,
    content_for,
    create_template,
    get_latest_version,
    get_template,
    incidents_for_templates,
    list_templates,
    preview_version,
    save_language,
    starter_text,
    template_languages,
    version_history,
)
from portal.staff.auth import role_required


def _show_problems(form, error: TemplateSaveError) -> list[str]:
    """Put each problem beside its field; return the ones about the whole form."""
    general = []
    for name, messages in error.problems.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            general.extend(messages)
    return general


def _template_or_404(template_id: int):
    template = get_template(template_id)
    if template is None:
        abort(404)
    return template


@bp.route("/")
@role_required(*ROLES_MANAGING_NOTICES)
def template_list():
    """Every notice template, by incident, with its newest version."""
    return render_template("notice_templates/list.html", templates=list_templates())


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def template_new():
    """Create a template: its English text starts from the Notice of Data Breach structure."""
    incidents = incidents_for_templates()
    form = NewTemplateForm()
    form.incident.choices = [SelectChoice(incident.id, incident.title) for incident in incidents]
    if request.method == "GET" and incidents:
        form.subject.data, form.body.data = starter_text(incidents[0])
    general = []
    if incidents and form.validate_on_submit():
        try:
            template = create_template(
                form.incident.data, form.name.data, form.subject.data, form.body.data, current_user
            )
        except TemplateSaveError as error:
            general = _show_problems(form, error)
        else:
            flash(_("Template saved as version 1."), "success")
            return redirect(url_for("notice_templates.template_detail", template_id=template.id))
    status = 400 if form.errors or general else 200
    return render_template(
        "notice_templates/new.html", form=form, general=general, incidents=incidents, placeholders=PLACEHOLDERS
    ), status


@bp.route("/<int:template_id>")
@role_required(*ROLES_MANAGING_NOTICES)
def template_detail(template_id):
    """A template's languages in its newest version, and every version saved."""
    template = _template_or_404(template_id)
    latest = get_latest_version(template.id)
    languages = [(code, name, content_for(latest, code)) for code, name in template_languages()]
    return render_template(
        "notice_templates/detail.html",
        template=template,
        latest=latest,
        languages=languages,
        versions=version_history(template.id),
    )


@bp.route("/<int:template_id>/languages/<language>", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def template_edit(template_id, language):
    """Write or change one language's text; saving makes a new version."""
    template = _template_or_404(template_id)
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    latest = get_latest_version(template.id)
    # Legal hook (issue 5): ?jurisdiction=US-MA edits that jurisdiction's variant of the language;
    # saving checks it against portal/data/jurisdictions.yaml (docs/legal.md).
    jurisdiction = request.args.get("jurisdiction", "").strip().upper()[:8]
    current = content_for(latest, language, jurisdiction)
    english = content_for(latest, DEFAULT_LANGUAGE)
    form = EditLanguageForm()
    if request.method == "GET":
        source = current or content_for(latest, language)
        if source is None:  # this language's first text: its own Notice of Data Breach headings
            incident = dao_get_incident(template.incident_id)
            form.subject.data, form.body.data = starter_text(incident, language)
        else:
            form.subject.data, form.body.data = source.subject, source.body_markdown
        form.based_on.data = str(latest.version)
    general = []
    if form.validate_on_submit():
        try:
            based_on = int(form.based_on.data or 0)
            version = save_language(
                template, based_on, language, form.subject.data, form.body.data, current_user, jurisdiction
            )
        except (TemplateSaveError, ValueError) as error:
            general = _show_problems(form, error) if isinstance(error, TemplateSaveError) else [str(error)]
        else:
            flash(_("Saved as version %(n)d.", n=version.version), "success")
            return redirect(url_for("notice_templates.template_detail", template_id=template.id))
    status = 400 if form.errors or general else 200
    return render_template(
        "notice_templates/edit.html",
        form=form,
        general=general,
        template=template,
        latest=latest,
        language=language,
        language_name=LANGUAGE_NAMES.get(language, language),
        jurisdiction=jurisdiction,
        is_new=current is None,
        english=english if language != DEFAULT_LANGUAGE else None,
        placeholders=PLACEHOLDERS,
    ), status


@bp.route("/<int:template_id>/versions/<int:number>/<language>")
@role_required(*ROLES_MANAGING_NOTICES)
def template_preview(template_id, number, language):
    """One version in one language, rendered for a made-up person."""
    template = _template_or_404(template_id)
    found = preview_version(template, number, language)
    if found is None:
        abort(404)
    version, rendered = found
    languages = [(code, LANGUAGE_NAMES.get(code, code)) for code in sorted(c.language for c in version.contents)]
    return render_template(
        "notice_templates/preview.html",
        template=template,
        version=version,
        language=language,
        languages=languages,
        rendered=rendered,
        # Sanitised by the renderer (bleach allow-list, values escaped).
        html=Markup(rendered.html),  # noqa: S704
    )
