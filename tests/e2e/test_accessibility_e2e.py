"""axe-core on each role's main pages (home and every menu link of the role), on a laptop and on
a phone: no critical or serious violations."""

from pathlib import Path

import pytest
from flask import url_for

from tests.e2e.phone import DESKTOP, PHONE, demo, sign_in_as  # noqa: F401 - fixture

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = {"critical", "serious"}
RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}
"""


def main_pages(app, role: str) -> list[str]:
    """The role's home page and every link of its menu, from the navigation registry."""
    items = [i for i in app.extensions["trainer_nav"] if role in i.roles]
    with app.test_request_context():
        return [
            "/",
            *dict.fromkeys(url_for(i.endpoint) for i in sorted(items, key=lambda i: i.order)),
        ]


@pytest.mark.parametrize("role", ["agent", "trainer", "manager", "admin"])
def test_main_pages_have_no_serious_accessibility_violations(app, browser, server_url, demo, role):  # noqa: F811
    found = {}
    for name, viewport, mobile in (("laptop", DESKTOP, False), ("phone", PHONE, True)):
        context = browser.new_context(
            viewport=viewport,
            is_mobile=mobile,
            has_touch=mobile,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            bypass_csp=True,  # axe is evaluated into the page
        )
        page = context.new_page()
        sign_in_as(page, server_url, role)
        for path in main_pages(app, role):
            response = page.goto(server_url + path)
            assert response is not None and response.ok, (path, response and response.status)
            page.evaluate(AXE)
            violations = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
            for v in violations:
                found.setdefault(f"{v['id']} ({v['impact']}): {v['help']}", set()).add(
                    f"{name} {path} {v['nodes']}"
                )
        context.close()
    report = "\n".join(
        f"{rule}\n    " + "\n    ".join(sorted(where)) for rule, where in found.items()
    )
    assert found == {}, "\n" + report
