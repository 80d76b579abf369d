"""Accessibility checks of the browser tests: axe-core's RGAA rules on the current page."""


def axe_violations(page):
    """RGAA-tagged axe-core rules on the current page (axe-playwright-python bundles axe-core)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["RGAAv4"]}, "resultTypes": ["violations"]})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} node(s): {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
