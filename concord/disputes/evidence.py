"""What evidence files a case accepts: a few document and image types, checked by their first
bytes as well as their name (a renamed executable is refused), and at most 10 MB each."""
from pathlib import PurePath

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# Extension → (content type, accepted leading bytes). .docx/.xlsx are ZIP containers.
TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def extension(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def content_type(name: str) -> str:
    return TYPES.get(extension(name), ("application/octet-stream", ()))[0]


def problem(name: str, size: int, head: bytes) -> str | None:
    """Why a file may not be attached, or None."""
    ext = extension(name)
    if ext not in TYPES:
        return _("“%(name)s”: only PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) files are accepted.") % {"name": name}
    if size > MAX_BYTES:
        return _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.") % {
            "name": name, "size": round(size / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}
    if size == 0:
        return _("“%(name)s” is empty.") % {"name": name}
    if not any(head.startswith(magic) for magic in TYPES[ext][1]):
        return _("“%(name)s” is not really a %(ext)s file.") % {"name": name, "ext": ext.lstrip(".").upper()}
    return None
