"""The template gettext bound once per render (portal/core/i18n.py): same text, same escaping as Jinja's."""

from babel.support import Translations
from flask import render_template_string

from portal.core.i18n import bound_gettext


class Spanish(Translations):
    def ugettext(self, message):
        return {"Hello %(name)s": "Hola %(name)s"}.get(message, message)

    def ungettext(self, singular, plural, num):
        return "%(num)d paso" if num == 1 else "%(num)d pasos"


def render(app, source, **context):
    with app.test_request_context("/"):
        return app.jinja_env.from_string(source).render(**bound_gettext(Spanish()), **context)


def test_the_bound_catalog_translates_and_escapes_the_variables(app):
    assert render(app, '{{ _("Hello %(name)s", name=who) }}', who="<b>Ana</b>") == "Hola &lt;b&gt;Ana&lt;/b&gt;"


def test_plural_forms_get_num(app):
    assert render(app, '{{ ngettext("%(num)d step", "%(num)d steps", 1) }}') == "1 paso"
    assert render(app, '{{ ngettext("%(num)d step", "%(num)d steps", n) }}', n=3) == "3 pasos"


def test_num_may_also_be_passed_as_a_variable(app):
    """Templates write ngettext(..., n, num=n): the count is positional, every keyword a variable."""
    assert render(app, '{{ ngettext("%(num)d step", "%(num)d steps", n, num=n) }}', n=2) == "2 pasos"
    assert render(app, '{{ _("Hello %(name)s", name="Ana", string="x") }}') == "Hola Ana"


def test_macros_of_the_template_use_the_bound_catalog(app):
    source = '{% macro hi(who) %}{{ _("Hello %(name)s", name=who) }}{% endmacro %}{{ hi("Ana") }}'
    assert render(app, source) == "Hola Ana"


def test_a_page_render_gets_the_same_text_as_flask_babel(app):
    with app.test_request_context("/"):
        page = render_template_string('{{ _("Hello %(name)s", name="<i>") }}|{{ gettext("Sign out") }}')
    assert page == "Hello &lt;i&gt;|Sign out"


def test_a_template_may_pass_its_own_formatted_num(app):
    """The declaration passes ``num="{:,}".format(n)`` beside the count, as Jinja's ngettext allows."""
    with app.test_request_context():
        from flask import render_template_string

        text = render_template_string('{{ ngettext("%(num)s row", "%(num)s rows", 1234, num="1,234") }}')
    assert text == "1,234 rows"
