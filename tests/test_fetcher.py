"""What WeasyPrint prints of a file is what handbill's fetcher read and checked: it is
never read again by its name (where a link swapped in between would lead anywhere)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from pypdf import PdfReader


def _png(path: Path, colour: tuple[int, int, int]) -> None:
    Image.new("RGB", (30, 20), colour).save(path)


def test_an_image_prints_the_bytes_the_fetcher_checked_not_the_file_as_it_is_later(tmp_path):
    from handbill.pdf import lay_out, write

    project = tmp_path / "project"
    project.mkdir()
    photo = project / "photo.png"
    _png(photo, (200, 20, 20))
    secret = tmp_path / "secret.png"  # outside the project
    _png(secret, (20, 20, 200))
    html = f'<html lang="en"><title>t</title><p>Before</p><img src="{photo.as_uri()}" alt="a red box"><p>After</p>'
    document, problems = lay_out(html, base_url=project.as_uri() + "/", allowed=[project],
                                 source="test")
    assert problems == []
    # Between laying out and writing, the file becomes a link out of the project.
    photo.unlink()
    photo.symlink_to(secret)
    data, problems = write(document, source="test")
    assert problems == []
    images = [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    assert len(images) == 1
    assert images[0].image.convert("RGB").getpixel((5, 5)) == (200, 20, 20)


def _refusals(project: Path, html: str, css: str = "") -> list[str]:
    from handbill.pdf import lay_out

    _, problems = lay_out(f'<html lang="en"><title>t</title>{html}</html>',
                          base_url=project.as_uri() + "/", allowed=[project], source="test",
                          stylesheets=(css,) if css else ())
    return [p.message for p in problems if p.code == "fetch"]


def test_a_link_out_of_the_project_is_refused_from_raw_html_and_from_css(tmp_path):
    """The fetcher is the last guard: whatever checks ran before it, a file reached
    through a link that leads out is never handed to WeasyPrint."""
    project = tmp_path / "project"
    project.mkdir()
    secret = tmp_path / "secret.png"
    _png(secret, (20, 20, 200))
    (project / "in-html.png").symlink_to(secret)
    (project / "in-css.png").symlink_to(secret)
    (project / "folder").symlink_to(tmp_path, target_is_directory=True)
    found = _refusals(project, '<img src="in-html.png" alt="x"><img src="folder/secret.png" '
                               'alt="y"><p class="b">text</p>',
                      f'.b {{ background: url("{(project / "in-css.png").as_uri()}") }}')
    assert sorted(found) == sorted(
        f"refused to load {project / name}: outside the project and handbill's own "
        "files" for name in ("in-html.png", "folder/secret.png", "in-css.png"))


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path):
    from handbill.resources import MAX_FILE_BYTES

    project = tmp_path / "project"
    project.mkdir()
    with open(project / "huge.png", "wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing of it is on the disk
    found = _refusals(project, '<img src="huge.png" alt="a huge image">')
    assert found == [f"refused to load {project / 'huge.png'}: file larger than "
                     f"{MAX_FILE_BYTES} bytes"]


def test_an_image_bomb_or_a_cut_image_reached_from_css_is_refused(tmp_path):
    """Images a stylesheet or raw HTML reaches are held to the limits the bundle's own
    are: pixels (a small PNG that decodes to 64 megapixels) and that they decode."""
    import zlib

    project = tmp_path / "project"
    project.mkdir()
    width = height = 8000  # 64,000,000 pixels in a few kilobytes
    raw = zlib.compress(b"".join(b"\x00" + bytes(width) for _ in range(height)), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    (project / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                                       + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    _png(project / "whole.png", (1, 2, 3))
    (project / "cut.png").write_bytes((project / "whole.png").read_bytes()[:60])
    found = _refusals(project, '<p class="a">a</p><p class="b">b</p>',
                      f'.a {{ background: url("{(project / "bomb.png").as_uri()}") }} '
                      f'.b {{ background: url("{(project / "cut.png").as_uri()}") }}')
    assert sorted(found) == [
        f"refused to load {project / 'bomb.png'}: the image has 8000x8000 pixels, more than "
        "the 40,000,000 allowed",
        f"refused to load {project / 'cut.png'}: the image is damaged or cut short: it does "
        "not decode"]
