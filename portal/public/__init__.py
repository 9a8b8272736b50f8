from flask import Blueprint

from portal.core.rendering import breakable, code_groups, nowrap, tel_href

bp = Blueprint("public", __name__)
# Text filters every page uses to wrap well on a 320 px screen (portal/core/rendering.py).
bp.add_app_template_filter(breakable, "breakable")
bp.add_app_template_filter(code_groups, "code_groups")
bp.add_app_template_filter(nowrap, "nowrap")
bp.add_app_template_filter(tel_href, "tel_href")
