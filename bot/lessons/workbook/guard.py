"""What is refused before a workbook is parsed: too big, not a workbook, macros, a zip bomb, images.

An .xlsx file is a zip of XML files. Reading the zip's list of members is cheap and safe; only
when it looks like a plain workbook does openpyxl parse it.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from xml.etree import ElementTree

from bot.lessons.workbook.findings import Findings

MAX_BYTES = 10 * 1024 * 1024  # a 12-lesson course in three languages is about 60 KB
MAX_UNPACKED = 100 * 1024 * 1024  # what the XML inside may add up to once uncompressed
MEGABYTE = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def refuse_size(size: int, findings: Findings) -> bool:
    """True (and an error) for a file over the cap: refused before it is read or unpacked."""
    if size <= MAX_BYTES:
        return False
    size_text = f"{size / MEGABYTE:.1f} MB"
    findings.error("", "too_big", size=size_text, limit=f"{MAX_BYTES // MEGABYTE} MB")
    return True


def refuse(data: bytes, findings: Findings) -> bool:
    """True (and an error) when `data` must not be parsed as a workbook."""
    if refuse_size(len(data), findings):
        return True
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        findings.error("", "not_a_workbook")
        return True
    names = {member.filename for member in members}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        findings.error("", "macros")
        return True
    if "xl/workbook.xml" not in names:
        findings.error("", "not_a_workbook")
        return True
    # The sizes a zip declares bound what Python's zipfile will unpack, so the sum is a safe guard.
    if sum(member.file_size for member in members) > MAX_UNPACKED:
        findings.error("", "zip_bomb")
        return True
    if any(name.startswith(("xl/media/", "xl/drawings/", "xl/richData/")) for name in names):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            sheets = _sheets_with_drawings(archive, names)
        for sheet in sheets:
            findings.error(sheet, "image_on_sheet", sheet=sheet)
        if not sheets:  # a picture in a cell (Excel's IMAGE, WPS's DISPIMG) or unreadable parts
            findings.error("", "image")
        return True
    return False


def _sheets_with_drawings(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    """The titles of the sheets holding a drawing (a pasted picture, a shape), in sheet order."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {link.get("Id"): link.get("Target", "") for link in links}
    found = []
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{RELATIONS}}}id"), "").lstrip("/")
        path = target if target.startswith("xl/") else f"xl/{target}"
        folder, _, file = path.rpartition("/")
        sheet_links = f"{folder}/_rels/{file}.rels"
        if sheet_links in names and b"/drawing" in archive.read(sheet_links):
            found.append(sheet.get("name", ""))
    return found
