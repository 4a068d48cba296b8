"""A minimal PDF writer for tests and benchmarks: lines of text in Helvetica, one page, no library.

Real depositary notifications are PDFs with a text layer; this builds the same kind of file
from scratch (header, catalog, pages, one page with a WinAnsi-encoded Type 1 font and a content
stream of text lines, cross-reference table, trailer), so that pypdf reads it as it reads a C.N."""

from __future__ import annotations


def _literal(line: str) -> bytes:
    raw = line.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` top to bottom (blank strings leave a blank line)."""
    stream = b"BT /F1 10 Tf 14 TL 56 780 Td " + b" ".join(_literal(line) + b" '" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def notification(number: int, year: int, treaty: str, heading: str, body: list[str],
                 title: tuple[str, ...] = ("MINAMATA CONVENTION ON MERCURY", "KUMAMOTO, 10 OCTOBER 2013")) -> bytes:
    """A depositary notification in the UN's layout: reference line, treaty title, the capitals
    heading "PARTICIPANT: ACTION" (a newline wraps it), then the body. `treaty` is the
    reference's tail ("XXVII.17")."""
    return pdf([f"Reference: C.N.{number}.{year}.TREATIES-{treaty} (Depositary Notification)", "",
                *title, "", *heading.split("\n"), "",
                "The Secretary-General of the United Nations, acting in his capacity as depositary, "
                "communicates the following:", "", *body, "", f"{year}"])
