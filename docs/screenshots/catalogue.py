"""Screenshots of the catalogue for the README's walk-through: the search results and a
record page, on a desktop (1280x800) and a phone (360x740).

    ./dev run                     # in one terminal: the demo library on port 8000
    .venv/bin/python docs/screenshots/catalogue.py [BASE_URL]

Writes search-desktop.png, search-phone.png, record-desktop.png and record-phone.png beside
this script. Drives Debian's Chromium (LIBDESK_CHROMIUM to use another); run by hand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("LIBDESK_CHROMIUM", "/usr/bin/chromium")
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}
SEARCH = "/search/?q=history"


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, viewport in SIZES.items():
            context = browser.new_context(locale="en-CA", viewport=viewport)
            page = context.new_page()
            page.goto(base + SEARCH)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=HERE / f"search-{name}.png")
            page.locator(".result h3 a").first.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=HERE / f"record-{name}.png")
            context.close()
        browser.close()
    for name in SIZES:
        print(HERE / f"search-{name}.png", HERE / f"record-{name}.png")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
