"""The report as one self-contained HTML file: the Markdown rendered by Python-Markdown, every image inlined.

Python-Markdown (with its ``tables`` and ``md_in_html`` extensions) renders the same text the
Markdown report holds, so the two never disagree; images become ``data:`` URIs, so the file can
be mailed or attached to an MLflow run and still show its figures.
"""

from __future__ import annotations

import base64
import html
import os
import re
from pathlib import Path

import markdown

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f0f0f0; }
tr:nth-child(even) td { background: #fafafa; }
img { max-width: 100%; border: 1px solid #eee; }
details { margin: 0.6em 0; } summary { cursor: pointer; color: #2a5db0; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""
_IMAGE = re.compile(r'<img alt="([^"]*)" src="([^"]+)"')


def _inlined(match: re.Match[str], base: Path) -> str:
    path = base / match.group(2)
    if not path.is_file():
        raise FileNotFoundError(f"the report links {match.group(2)}, which is not at {path}; re-run the rule that draws it")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    kind = "svg+xml" if path.suffix == ".svg" else path.suffix.lstrip(".").lower()
    return f'<img alt="{match.group(1)}" src="data:image/{kind};base64,{data}"'


def report_html(markdown_text: str, base: str | os.PathLike[str], title: str) -> str:
    """``markdown_text`` as a standalone HTML page; image paths are resolved against ``base`` and embedded."""
    body = markdown.markdown(markdown_text, extensions=["tables", "md_in_html"], output_format="html")
    body = _IMAGE.sub(lambda m: _inlined(m, Path(base)), body)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
