"""Uploaded documents (scans of identity papers, later signed receipts): checked by their contents, cleaned, renamed.

The type is decided by the first bytes of the file, never by its name or the content type the client sends, so an
HTML page called `passport.pdf` is refused, not served. Images are decoded and encoded again, which leaves their
metadata (EXIF with GPS position, comments, colour profiles) behind. PDFs are kept byte for byte: rewriting them
would need a PDF library, could change what a signed or certified document shows, and they are only ever served
as attachments. The uploader's file name never reaches the disk: `generated_name` makes one.
"""

import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

SCAN_MAX_BYTES = 10 * 1024 * 1024
# A4 at 600 dpi is 35 megapixels; decoding 40 takes about 120 MB of memory, so bigger images are refused
# before they are decoded.
SCAN_MAX_PIXELS = 40_000_000
# Readers look for the end marker in the last kilobyte; writers may leave a newline or a little padding after it.
PDF_EOF_WINDOW = 1024

# extension -> content type: the only types accepted, and the only extensions a stored scan can have.
SCAN_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
_MAGIC = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))
_PILLOW_FORMAT = {"jpg": "JPEG", "png": "PNG"}


@dataclass(frozen=True)
class CheckedScan:
    """An upload that passed the checks: the contents to store (images already re-encoded) and their type."""

    content: bytes
    extension: str
    content_type: str


def checked_scan(upload: File, *, field: str, max_bytes: int | None = None) -> CheckedScan:
    """Accept a PDF, JPEG or PNG by its contents, or raise ValidationError({field: message}) and keep nothing.

    Refused: empty files, files over `max_bytes` (SCAN_MAX_BYTES unless given), every other type (HTML, SVG, ZIP
    and Office files, programs, GIF, files that hold one of ours after other bytes), PDFs without their end marker
    (cut short), images that do not decode or hold more than SCAN_MAX_PIXELS.
    """
    max_bytes = SCAN_MAX_BYTES if max_bytes is None else max_bytes
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _invalid(field, _("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)})
    upload.seek(0)
    data = upload.read(max_bytes + 1)  # never more than the limit, whatever the declared size says
    if len(data) > max_bytes:
        raise _invalid(field, _("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)})
    if not data:
        raise _invalid(field, _("The file is empty."))
    extension = next((ext for magic, ext in _MAGIC if data.startswith(magic)), None)
    if extension is None:
        raise _invalid(field, _("Upload a PDF, JPEG or PNG file. The contents of this file are of another type."))
    if extension == "pdf":
        if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
            raise _invalid(field, _("This PDF is incomplete (its end is missing). Save or scan it again."))
        content = data
    else:
        content = _reencoded(data, extension, field)
    return CheckedScan(content=content, extension=extension, content_type=SCAN_TYPES[extension])


def _reencoded(data: bytes, extension: str, field: str) -> bytes:
    """Decode and encode the image again: only the pixels survive, turned upright as the camera recorded."""
    fmt = _PILLOW_FORMAT[extension]
    too_big = _invalid(
        field,
        _("This image has more than %(megapixels)d megapixels. Scan it at a lower resolution.")
        % {"megapixels": SCAN_MAX_PIXELS // 1_000_000},
    )
    try:
        with Image.open(BytesIO(data), formats=[fmt]) as image:
            if image.width * image.height > SCAN_MAX_PIXELS:
                raise too_big
            image.load()
            clean = _upright_pixels(image, fmt)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise too_big from None
    except Exception:  # a hostile file can make a decoder raise almost anything: all of it means unreadable
        raise _invalid(field, _("This image cannot be read: it is damaged or incomplete.")) from None
    buffer = BytesIO()
    if fmt == "JPEG":
        clean.save(buffer, format="JPEG", quality=90)
    else:
        clean.save(buffer, format="PNG")
    return buffer.getvalue()


def _upright_pixels(image: Image.Image, fmt: str) -> Image.Image:
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("1", "L", "I", "I;16"):
        mode = "L"
    elif fmt == "PNG" and _has_alpha(upright):
        mode = "RGBA"
    else:
        mode = "RGB"
    clean = upright.convert(mode)
    clean.info = {}  # comments and colour profiles would otherwise be written back
    return clean


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def generated_name(folder: str, filename: str) -> str:
    """`<folder>/<random hex>.<ext>`: the extension only if it is one of ours, nothing else from `filename`."""
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    return f"{folder}/{uuid.uuid4().hex}" + (f".{extension}" if extension in SCAN_TYPES else "")


def content_type_of(name: str) -> str:
    """The content type of a stored file, from the extension `generated_name` gave it."""
    return SCAN_TYPES.get(PurePosixPath(name).suffix.lower().lstrip("."), "application/octet-stream")
