"""Feature packages make their blueprint and nothing more; ``create_app`` loads their views.

Were a package to import its own ``routes``, any service, command or export worker importing the
package would load the web layer, and the features' views would import each other through their
packages (the cycle ``make translations`` once tripped over: privacy → verify → updates → staff →
trust → verify).
"""

import json
import subprocess
import sys
from pathlib import Path

import portal

ROOT = Path(__file__).resolve().parents[1]
FEATURES = sorted(
    path.parent.name
    for path in Path(portal.__file__).parent.glob("*/__init__.py")
    if (path.parent / "routes.py").exists() or (path.parent / "routes").is_dir()
)


def test_every_feature_package_with_views_is_checked():
    assert {"claims", "exclusion", "notice_templates", "privacy", "staff", "trust"} <= set(FEATURES)


def test_importing_a_feature_package_loads_none_of_the_views():
    # A fresh interpreter: this one has imported every view already (the app fixture).
    script = (
        "import importlib, json, sys\n"
        f"features = {FEATURES!r}\n"
        "for name in features:\n"
        "    importlib.import_module(f'portal.{name}')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[2:3] == ['routes'])))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_app_loads_every_features_views(app):
    loaded = {name.split(".")[1] for name in sys.modules if name.split(".")[2:3] == ["routes"]}
    assert set(FEATURES) <= loaded
