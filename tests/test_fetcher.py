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
