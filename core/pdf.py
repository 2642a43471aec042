"""Printable documents (consent receipts, wave manifests) as PDF, made with fpdf2 on the server.

Names come in Cyrillic, Latin and Arabic, so the text is set in a Unicode TrueType font (DejaVu Sans, from
Debian's fonts-dejavu-core; `ZHUSAN_PDF_FONT_DIR` points elsewhere) and shaped with HarfBuzz, which joins
Arabic letters and lays right-to-left runs out correctly. Nothing is fetched at run time.
See docs/decisions/0019-pdf-documents.md.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = "zhusan"
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


def font_dir() -> Path:
    return Path(getattr(settings, "ZHUSAN_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


@checks.register()
def check_pdf_font(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    missing = [name for name in (REGULAR, BOLD) if not (font_dir() / name).is_file()]
    if missing:
        return [
            checks.Warning(
                f"PDF font files {', '.join(missing)} are missing from {font_dir()}.",
                hint="Install Debian's fonts-dejavu-core or set ZHUSAN_PDF_FONT_DIR.",
                id="zhusan.W010",
            )
        ]
    return []


class Document(FPDF):
    """An A4 page with a title, a footer carrying the page number and the time it was printed."""

    def __init__(self, title: str, *, footer: str = "", landscape: bool = False) -> None:
        super().__init__(orientation="L" if landscape else "P", format="A4")
        self.doc_title = title
        self.footer_text = footer
        self.printed_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        self.add_font(FONT, "", str(font_dir() / REGULAR))
        self.add_font(FONT, "B", str(font_dir() / BOLD))
        self.set_text_shaping(True)
        self.set_title(title)
        self.set_creator("Zhusan")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)
        self.add_page()
        self.set_font(FONT, "B", 15)
        self.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FONT, "", 10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 6, f"{self.footer_text}  {self.printed_at}  ·  {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, "B", 11)
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 10)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def field(self, label: str, value: Any) -> None:
        """One "label: value" line; the value wraps under itself."""
        self.set_font(FONT, "B", 10)
        self.cell(55, 6, f"{label}:")
        self.set_font(FONT, "", 10)
        self.multi_cell(0, 6, str(value) if value not in (None, "") else "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(  # type: ignore[override]  # a plain table, where fpdf2's is a context manager
        self, headings: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int] | None = None
    ) -> None:
        self.set_font(FONT, "", 8.5)
        with super().table(col_widths=widths, text_align="LEFT", line_height=5) as table:
            head = table.row()
            for text in headings:
                head.cell(str(text))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell("" if value is None else str(value))
        self.set_font(FONT, "", 10)

    def signature_lines(self, labels: Sequence[str]) -> None:
        self.ln(8)
        for label in labels:
            self.cell(0, 10, f"{label}: ______________________________", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def render(self) -> bytes:
        return bytes(self.output())
