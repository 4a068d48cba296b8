"""pygal set up once for the dashboard's pictures: colours, patterns, no script, a title and a description."""

from __future__ import annotations

from typing import Any

from lxml import etree

SVG = "{http://www.w3.org/2000/svg}"
INK = "#1a1a1a"
COLOURS = {
    # Okabe–Ito colours, which colour-blind readers can tell apart; each also has its own pattern.
    "party": "#0072B2", "signed": "#56B4E9", "left": "#D55E00", "never": "#d9d9d9",
    "signature": "#56B4E9", "ratification": "#0072B2", "entry_into_force": "#009E73",
    "denunciation": "#D55E00", "suspension": "#E69F00", "reservation": "#CC79A7", "law_published": "#999999",
    "curve": "#0072B2",
}
PATTERNS = {
    # Colour is never the only cue: the standings and the denunciations carry a pattern too.
    "signed": '<pattern id="dots" width="6" height="6" patternUnits="userSpaceOnUse">'
              '<rect width="6" height="6" fill="#56B4E9"/><circle cx="3" cy="3" r="1.3" fill="#1a1a1a"/></pattern>',
    "left": '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="6" height="6" fill="#D55E00"/><rect width="2.5" height="6" fill="#1a1a1a"/></pattern>',
}
PATTERN_IDS = {"signed": "dots", "left": "hatch", "denunciation": "hatch", "signature": "dots"}


def style(series: list[str]) -> Any:
    """A pygal style whose series colours follow `series` (names from COLOURS), in order."""
    from pygal.style import Style

    return Style(background="white", plot_background="white", foreground=INK, foreground_strong=INK,
                 foreground_subtle="#555555", opacity="1", opacity_hover="1", transition="none",
                 font_family="system-ui, sans-serif", label_font_size=12, major_label_font_size=12,
                 legend_font_size=14, title_font_size=16, value_label_font_size=11,
                 colors=tuple(COLOURS[name] for name in series))


def config(series: list[str], **options: Any) -> dict[str, Any]:
    """The options every picture shares: no script, no tooltips, patterns for the named series."""
    patterned = [(index, PATTERN_IDS[name]) for index, name in enumerate(series) if name in PATTERN_IDS]
    css = ["file://style.css", "file://graph.css"]
    css += [f"inline:.color-{index}, .color-{index} .reactive, .color-{index} path {{fill: url(#{pattern}) !important}}"
            for index, pattern in patterned]
    defs = [PATTERNS[name] for name in ("signed", "left")]
    return {"js": [], "css": css, "defs": defs, "style": style(series), "disable_xml_declaration": True,
            "show_legend": True, "legend_at_bottom": True, "tooltip_fancy_mode": False, "pretty_print": False,
            "no_prefix": True, **options}


def finish(chart: Any, title: str, description: str) -> bytes:
    """The chart as a standalone SVG document: pygal's script removed, `<title>` and `<desc>`
    first (what a screen reader announces), `role="img"`, no generator comments."""
    root = etree.fromstring(chart.render())
    for script in root.iter(f"{SVG}script"):
        script.getparent().remove(script)
    for comment in root.xpath("//comment()"):
        comment.getparent().remove(comment)
    for node in root.iter(f"{SVG}rect"):
        if node.get("class") == "tooltip-box":
            node.getparent().remove(node)
    for node in root.xpath("//*[@class='tooltip']"):
        node.getparent().remove(node)
    root.set("role", "img")
    root.set("aria-labelledby", "picture-title picture-desc")
    root.attrib.pop("id", None)
    desc = etree.Element(f"{SVG}desc", id="picture-desc")
    desc.text = description
    heading = etree.Element(f"{SVG}title", id="picture-title")
    heading.text = title
    root.insert(0, desc)
    root.insert(0, heading)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
