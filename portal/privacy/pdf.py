"""The printable record: a PDF a bank, a credit bureau or the police can check with the organisation.

fpdf2 writes it in pure Python; a TrueType font (DejaVu Sans by default, PRIVACY_PDF_FONT) is
embedded so names and words in Latin, Greek and Cyrillic scripts print as typed, not as '?'.
Devanagari (Hindi) comes from the Noto Sans Devanagari the pages serve, as a fallback font for the
characters DejaVu lacks, shaped by HarfBuzz (uharfbuzz) so conjuncts and vowel signs join as
they should. Both are added only once a text with Devanagari is written: reading the font costs
more than the rest of a record.
"""

import re
from pathlib import Path

from flask import current_app
from flask_babel import format_currency, format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.constants import NOTIFICATION_GOT_THROUGH, NOTIFICATION_UNDELIVERABLE
from portal.privacy.record import PersonRecord

_FONT = "RecordFont"
_DEVANAGARI_FONT = "RecordDevanagari"
_DEVANAGARI = re.compile("[\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff]")
# The webfont the pages use (static/fonts, with its OFL licence), unpacked to TrueType by `make fonts`:
# HarfBuzz reads only that, and fpdf2 would rebuild a TrueType from a WOFF for each record.
_DEVANAGARI_FILES = {
    "": "fonts/noto-sans-devanagari/noto-sans-devanagari-devanagari-400-normal.ttf",
    "B": "fonts/noto-sans-devanagari/noto-sans-devanagari-devanagari-700-normal.ttf",
}


def _date(value) -> str:
    return format_date(value, "long") if value else _("not recorded")


class _RecordPdf(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        regular = current_app.config["PRIVACY_PDF_FONT"]
        bold = current_app.config["PRIVACY_PDF_FONT_BOLD"]
        self.add_font(_FONT, "", regular)
        self.add_font(_FONT, "B", bold)
        self.set_auto_page_break(auto=True, margin=18)
        self.has_devanagari = False

    def _fonts_for(self, text: str) -> None:
        if self.has_devanagari or not _DEVANAGARI.search(text):
            return
        static = Path(current_app.static_folder)
        for style, file in _DEVANAGARI_FILES.items():
            self.add_font(_DEVANAGARI_FONT, style, static / file)
        self.set_fallback_fonts([_DEVANAGARI_FONT])
        self.set_text_shaping(True)
        self.has_devanagari = True

    def cell(self, w=None, h=None, text="", *args, **kwargs):
        self._fonts_for(text)
        return super().cell(w, h, text, *args, **kwargs)

    def multi_cell(self, w, h=None, text="", *args, **kwargs):
        self._fonts_for(text)
        return super().multi_cell(w, h, text, *args, **kwargs)

    def footer(self):
        self.set_y(-14)
        self.set_font(_FONT, "", 8)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(3)
        self.set_font(_FONT, "B", size)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FONT, "", 10)

    def para(self, text: str) -> None:
        self.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def item(self, text: str) -> None:
        self.multi_cell(0, 5.5, f"• {text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_record_pdf(record: PersonRecord) -> bytes:
    organisation = current_app.config["ORGANISATION_NAME"]
    person = record.person
    issued = format_date(record.issued_at.date(), "long")
    pdf = _RecordPdf(_("Reference %(reference)s, issued %(date)s", reference=record.reference, date=issued))
    pdf.set_title(_("Your record"))
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.multi_cell(0, 8, _("Record of a data breach notice"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    pdf.para(_("Issued by %(organisation)s on %(date)s.", organisation=organisation, date=issued))
    pdf.para(_("Reference: %(reference)s", reference=record.reference))
    pdf.para(
        _(
            "Anyone can check this record with %(organisation)s by quoting the reference and the date of issue.",
            organisation=organisation,
        )
    )
    pdf.heading(_("Person"))
    pdf.para(_("Name: %(name)s", name=f"{person.first_name} {person.last_name}"))
    pdf.para(_("Contractor ID: %(id)s", id=person.contractor_id))
    if not record.sections:
        pdf.para(_("We have no record of your information being exposed."))
    for section in record.sections:
        _incident(pdf, section)
    pdf.heading(_("Steps you have taken"))
    if not record.steps:
        pdf.para(_("None recorded."))
    for title, text, done_on in record.steps:
        pdf.item(_("%(category)s: %(step)s (done %(date)s)", category=title, step=text, date=_date(done_on)))
    return bytes(pdf.output())


def _notice_words(status: str) -> str:
    if status in NOTIFICATION_GOT_THROUGH:
        return _("sent")
    if status in NOTIFICATION_UNDELIVERABLE:
        return _("not delivered")
    return _("being sent")


def _incident(pdf: _RecordPdf, section) -> None:
    incident = section.incident
    pdf.heading(_("Incident: %(title)s", title=incident.title))
    pdf.para(_("Discovered on %(date)s.", date=_date(incident.discovered_on)))
    if incident.occurred_on:
        pdf.para(_("It happened on %(date)s.", date=_date(incident.occurred_on)))
    pdf.heading(_("What was exposed about you"), 11)
    for title, detail, exposed_on in section.exposures:
        text = f"{title}: {detail}" if detail else title
        pdf.item(_("%(what)s (exposed %(date)s)", what=text, date=_date(exposed_on)) if exposed_on else text)
    _notices_and_enrollments(pdf, section)
    _claims(pdf, section)


def _notices_and_enrollments(pdf: _RecordPdf, section) -> None:
    pdf.heading(_("Notices sent to you"), 11)
    if not section.notices:
        pdf.para(_("None recorded."))
    for sent_on, channel, status in section.notices:
        way = _("by email") if channel == "email" else _("by letter")
        pdf.item(_("%(date)s, %(way)s (%(status)s)", date=_date(sent_on), way=way, status=_notice_words(status)))
    pdf.heading(_("Identity monitoring"), 11)
    if not section.enrollments:
        pdf.para(_("Not enrolled."))
    for product, provider, _status, consented_on, served_on in section.enrollments:
        state = _("code sent %(date)s", date=_date(served_on)) if served_on else _("waiting for a code")
        pdf.item(
            _(
                "%(product)s by %(provider)s: enrolled %(date)s, %(state)s",
                product=product,
                provider=provider,
                date=_date(consented_on),
                state=state,
            )
        )


def _claims(pdf: _RecordPdf, section) -> None:
    pdf.heading(_("Claims"), 11)
    if not section.claims:
        pdf.para(_("No claim filed."))
    for reference, status, submitted_on, decided_on, cents, currency in section.claims:
        text = _("Claim %(reference)s: %(status)s", reference=reference, status=status)
        if submitted_on:
            text += " · " + _("sent %(date)s", date=_date(submitted_on))
        if decided_on:
            text += " · " + _("decided %(date)s", date=_date(decided_on))
        if cents:
            text += " · " + format_currency(cents / 100, currency)
        pdf.item(text)
