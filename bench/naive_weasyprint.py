"""Render an HTML file with plain WeasyPrint: what one would do without handbill.

    python naive_weasyprint.py PAGE.html BASE_URL OUT.pdf [FONTS.css]

The page's text is set in the system's Noto Sans CJK SC (Debian's
fonts-noto-cjk): a user stylesheet pins it, whatever fonts the HTML's own
stylesheets name (handbill passes its subset @font-face fonts separately, so
the HTML alone names families it does not define). With FONTS.css (@font-face
rules and the --font-<lang> variables, as handbill writes them for its
bundled font files whole), that stylesheet is used instead.
"""

import sys

import weasyprint

FONT = "Noto Sans CJK SC"
SYSTEM_FONT_CSS = f"""
:root {{
  --font-en: "{FONT}" !important;
  --font-zh: "{FONT}" !important;
  --font-zh-Hans: "{FONT}" !important;
}}
html, body, * {{ font-family: "{FONT}" !important; }}
"""


def main(argv: list[str]) -> int:
    html_path, base_url, out, *fonts = argv
    if not fonts:
        weasyprint.HTML(filename=html_path, base_url=base_url).write_pdf(
            out, stylesheets=[weasyprint.CSS(string=SYSTEM_FONT_CSS)])
        return 0
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()  # @font-face rules need one shared with the render
    weasyprint.HTML(filename=html_path, base_url=base_url).write_pdf(
        out, stylesheets=[weasyprint.CSS(filename=fonts[0], font_config=font_config)],
        font_config=font_config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
