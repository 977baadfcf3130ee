"""Runs one browser flow (tests/browser/flows.py) in Debian's Chromium, driven by Playwright.

The tests start the platform in their own process, which eventlet has patched; Playwright's
synchronous API runs its own event loop, so each flow runs here, in a plain Python process:

    python -m tests.browser.driver '{"flow": "register", "base": "http://127.0.0.1:PORT", "args": {...}}'

It prints the flow's result as JSON on its last line, or fails with the traceback.  Every
page a flow visits fails it on a console error, an uncaught exception or a failed request,
unless the flow names that error as expected (a 404 for another unit's decision).  Each flow
writes its screenshots under var/screenshots/.
"""
import json
import re
import sys
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# As the machine notes say: no network beyond the registries, so nothing in the background.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
expect.set_options(timeout=15000)


class Page:
    """One signed-in user's tab, with the helpers the flows use and the errors it saw."""

    def __init__(self, page, base, flow):
        self.page, self.base, self.flow = page, base, flow
        self.errors, self.allowed = [], []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.method} {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"response {r.status}: {r.request.method} {r.url}"))

    def allow(self, pattern):
        """An error this flow expects (e.g. the 404 of another unit's record)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self):
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]

    def go(self, route):
        self.page.goto(f"{self.base}/#{route}")
        self.page.wait_for_load_state("networkidle")

    def login(self, username, password):
        self.page.goto(self.base + "/")
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill(password)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.locator(".page-title")).to_have_text("工作台")
        self.page.wait_for_load_state("networkidle")

    def shot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("window.scrollTo(0, 0)")   # the sticky header at the top of a full-page shot
        self.page.wait_for_timeout(300)   # charts and transitions settle
        self.page.screenshot(path=str(SHOTS / f"{self.flow}-{name}.png"), full_page=True)

    def item(self, label, within=None):
        """The form item whose label is ``label``."""
        scope = within or self.page
        return scope.locator(".el-form-item").filter(
            has=self.page.locator(".el-form-item__label", has_text=re.compile(f"^\\s*{re.escape(label)}\\s*$"))).first

    def fill(self, label, text, within=None):
        box = self.item(label, within).locator("input, textarea").first
        box.fill(str(text))

    def date(self, label, value, within=None):
        box = self.item(label, within).locator("input").first
        box.click()
        box.fill(value)
        box.press("Enter")
        self.page.keyboard.press("Escape")

    def select(self, label, option, within=None):
        self.item(label, within).locator(".el-select__wrapper").click()
        self.page.locator(".el-select-dropdown__item:visible").filter(has_text=re.compile(f"^\\s*{re.escape(option)}\\s*$")).first.click()

    def error_of(self, label, within=None):
        return self.item(label, within).locator(".el-form-item__error")

    def confirm(self):
        """The 确定 of an Element Plus confirmation box."""
        box = self.page.locator(".el-message-box")
        expect(box).to_be_visible()
        box.get_by_role("button", name="确定").click()

    def message(self, text):
        expect(self.page.locator(".el-message").filter(has_text=text).first).to_be_visible()


class Browser:
    def __init__(self, playwright, spec):
        self.playwright, self.base, self.flow = playwright, spec["base"], spec["flow"]
        self.today = spec["today"]

    @contextmanager
    def tab(self, username, password, viewport=DESKTOP):
        """A fresh browser profile signed in as ``username``; fails on any unexpected error."""
        with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
            context = self.playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=ARGS, headless=True, viewport=viewport,
                locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
            try:
                # The browser's day is the platform's (CLOCK_TODAY), so countdowns and 逾期 agree.
                context.clock.set_system_time(f"{self.today}T09:00:00+08:00")
                page = Page(context.pages[0] if context.pages else context.new_page(), self.base, self.flow)
                try:
                    page.login(username, password)
                    yield page
                    page.page.wait_for_load_state("networkidle")
                except Exception:
                    page.shot(f"failed-{username}")
                    print("errors in the browser:", *page.errors, sep="\n", file=sys.stderr)
                    raise
                problems = page.unexpected()
                assert not problems, "errors in the browser:\n" + "\n".join(problems)
            finally:
                context.close()


def main():
    spec = json.loads(sys.argv[1])
    import importlib

    # The flows of tests/browser/flows.py, or of another module of tests/browser ("module").
    flows = importlib.import_module(f"tests.browser.{spec.get('module', 'flows')}")
    try:
        with sync_playwright() as playwright:
            result = getattr(flows, spec["flow"])(Browser(playwright, spec), **spec.get("args", {}))
    except Exception:
        traceback.print_exc()
        return 1
    print(json.dumps(result or {}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
