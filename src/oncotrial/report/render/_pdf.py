"""report.pdf, laid out by weasyprint from report.html."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oncotrial.errors import InputError
from oncotrial.report.render._files import write_atomic

__all__ = ["write_pdf"]

#: The time stamped into the fonts weasyprint subsets (1980-01-01, the ZIP epoch), unless
#: the caller set ``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/).
FONT_EPOCH = "315532800"


@contextmanager
def _source_date_epoch() -> Iterator[None]:
    """Set ``SOURCE_DATE_EPOCH`` for the duration of a PDF write, then restore it.

    fontTools, which weasyprint uses on fonts it rewrites, stamps the current time in each
    embedded font's ``head`` table unless this variable is set: two PDFs written a second
    apart would differ.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_EPOCH
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def write_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Lay out the HTML report as a PDF with weasyprint.

    Parameters
    ----------
    html_path : Path
        A page written by :func:`write_html`; its ``@page`` rules give A4 portrait pages
        (landscape for wide tables) numbered "Page X of Y", figures and tables of up to 30
        rows kept on one page, table headers repeated when a table continues.
    pdf_path : Path
        The PDF to write (atomically; its folder is created).

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    InputError
        ``html_path`` cannot be read, or ``pdf_path`` goes through an existing file.

    Notes
    -----
    Reproducible bytes: weasyprint writes a creation or modification date only when the HTML
    has ``<meta name="dcterms.created">`` / ``"dcterms.modified"`` (the report has neither),
    and a file identifier only when asked (``pdf_identifier`` stays off); the fonts it embeds
    carry a fixed time stamp (``SOURCE_DATE_EPOCH``, 1980-01-01 unless set). The HTML is read
    from bytes with no base URL, so the PDF holds no path of this machine.
    """
    import weasyprint  # type: ignore[import-untyped]  # slow to import: only when used

    html_path = Path(html_path)
    try:
        source = html_path.read_bytes()
    except OSError as err:
        raise InputError(
            f"cannot be read ({err.strerror})", field="html_path", value=str(html_path),
            hint="write the report first with oncotrial.report.render.write_html",
        ) from None  # fmt: skip
    buffer = io.BytesIO()
    with _source_date_epoch():
        weasyprint.HTML(file_obj=io.BytesIO(source), encoding="utf-8").write_pdf(
            buffer, pdf_identifier=False, uncompressed_pdf=False
        )
    return write_atomic(Path(pdf_path), buffer.getvalue(), field="pdf_path")
