"""Office files (.xlsx, .docx) are zip files: read here only as far as it is safe to.

A file is refused before any reader opens it when it is an OLE2 compound file (a
password-protected Office file, or an old .xls/.doc), not a zip, or one that would
unpack to more than :data:`MAX_UNPACKED` bytes or hold more than :data:`MAX_MEMBERS`
parts (a zip bomb). The parts are unpacked here, up to the limit: a part that says
it is small and is not fails its own check (zipfile reads no more than a part says
it holds, then checks its CRC).
"""

from __future__ import annotations

import io
import zipfile

from .errors import ContentError, Diagnostic

#: The most bytes an Office file's parts may unpack to.
MAX_UNPACKED = 200_000_000
#: The most parts it may have.
MAX_MEMBERS = 10_000
#: An OLE2 compound file: an encrypted (password-protected) Office file, or an old one.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_zip(data: bytes, shown: str, what: str, old: str, hint: str,
              code: str = "data") -> None:
    """Raise a ContentError at SHOWN unless DATA is a zip that is safe to unpack. WHAT
    names the kind of file ("Excel workbook"), OLD its old format (".xls"), HINT how to
    save it so that it can be read."""
    if data.startswith(OLE2):
        raise ContentError(Diagnostic(shown, None, f"the {what} is password-protected (or an "
                                      f"old {old} file): handbill cannot read it", code=code,
                                      hint=hint))

    def too_big(unpacked: int, parts: int) -> ContentError:
        return ContentError(Diagnostic(shown, None, f"the {what} unpacks to more than "
                                       f"{unpacked:,} bytes in {parts:,} parts; at most "
                                       f"{MAX_UNPACKED:,} bytes and {MAX_MEMBERS:,} parts "
                                       "are read", code=code,
                                       hint="is it the file you meant? A larger one can "
                                            "be split into several"))

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            if len(members) > MAX_MEMBERS or declared > MAX_UNPACKED:
                raise too_big(declared, len(members))
            unpacked = 0
            for member in members:
                with archive.open(member) as part:
                    while chunk := part.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED:
                            raise too_big(unpacked, len(members))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            ValueError, RuntimeError) as error:
        article = "an" if what[0] in "AEIOU" else "a"
        raise ContentError(Diagnostic(shown, None, f"this is not {article} {what} handbill can "
                                      f"read ({str(error)[:120]})", code=code,
                                      hint=hint)) from None
