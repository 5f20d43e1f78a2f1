"""What a user sees on the less-travelled paths of the commands: `new` naming the command
as the shell finds it, `watch` with nothing to watch, a pipe closed early, `import` of
Word files that are odd in the ways real ones are, a project's own strings, templates,
assets and fonts that go wrong, and the pages a check judges."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from conftest import REPO, clinic_project
from handbill.cli import run
from pdfcheck import all_text, squash

BUNDLE = "fasting-before-surgery"
EN_TEXT = """## Before your operation

Do not eat anything for six hours before your operation. You may drink water until two
hours before it.

## On the day

Take your usual tablets with a sip of water, unless your nurse has told you otherwise.
"""
ZH_TEXT = """## 手术前

手术前六小时内请勿进食。手术前两小时之前可以喝水。

## 手术当天

除非护士另有交代，请用少量水服用平时的药片。
"""


def _clinic(tmp_path: Path, en: str = EN_TEXT, zh: str = ZH_TEXT) -> Path:
    """A clinic's project holding the fasting handout (made by `handbill new`)."""
    project = clinic_project(tmp_path / "clinic")
    assert run(["--project", str(project), "new", BUNDLE, "--title-en",
                "Fasting before your operation", "--title-zh", "手术前禁食"]) == 0
    bundle = project / "content" / BUNDLE
    (bundle / "en.md").write_text(en, encoding="utf-8")
    (bundle / "zh-Hans.md").write_text(zh, encoding="utf-8")
    (bundle / "references.yaml").write_text("[]\n", encoding="utf-8")
    return project


def _check(project: Path, capsys, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(["--project", str(project), "check", str(project / "content" / BUNDLE),
                "--layout", "handout", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _layouts(project: Path) -> Path:
    folder = project / "layouts"
    folder.mkdir(exist_ok=True)
    return folder


def _own_handout(project: Path, template: str) -> Path:
    """The project's own handout layout: the built-in manifest, TEMPLATE as its template."""
    own = _layouts(project) / "handout"
    own.mkdir()
    shutil.copy(REPO / "layouts" / "handout" / "layout.yaml", own / "layout.yaml")
    (own / "handout.html.j2").write_text(template, encoding="utf-8")
    return own


# -- the command line ------------------------------------------------------------------


def test_new_names_handbill_plainly_when_the_shell_finds_this_very_program(
        tmp_path, capsys, monkeypatch):
    project = clinic_project(tmp_path / "clinic")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin")
    assert run(["new", BUNDLE]) == 0
    out = capsys.readouterr().out
    assert out == (f"created content/{BUNDLE}: write the text in en.md and zh-Hans.md, then run:\n"
                   f"  handbill check content/{BUNDLE}\n"
                   f"  handbill build content/{BUNDLE}\n")


def test_new_says_python_dash_m_when_there_is_no_handbill_script(tmp_path, capsys, monkeypatch):
    project = clinic_project(tmp_path / "clinic")
    monkeypatch.chdir(project)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3" / "bin" / "python"))
    assert run(["new", BUNDLE]) == 0
    out = capsys.readouterr().out
    assert out == (f"created content/{BUNDLE}: write the text in en.md and zh-Hans.md, then run:\n"
                   f"  python -m handbill check content/{BUNDLE}\n"
                   f"  python -m handbill build content/{BUNDLE}\n")


class _ClosedPipe:
    """A stdout whose reader has gone (`handbill layouts | head -1`)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        pass


def test_a_reader_that_stops_early_is_no_error(monkeypatch):
    from handbill import cli

    err = __import__("io").StringIO()
    monkeypatch.setattr(sys, "argv", ["handbill", "layouts"])
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    monkeypatch.setattr(sys, "stderr", err)
    before = signal.getsignal(signal.SIGTERM)
    try:
        assert cli.main() == 0
    finally:
        signal.signal(signal.SIGTERM, before)
    assert err.closed  # nothing said: no "Exception ignored ... BrokenPipeError" either


def test_watch_with_a_bundle_that_is_not_there_stops_at_once(tmp_path, capsys, monkeypatch):
    import handbill.watch

    project = _clinic(tmp_path)
    monkeypatch.setattr(handbill.watch, "watch", lambda *a, **k: pytest.fail("it watched"))
    capsys.readouterr()
    assert run(["--project", str(project), "watch", str(project / "content" / "fastng")]) == 2
    err = capsys.readouterr().err
    assert "content/fastng" in err and "error:" in err and "Traceback" not in err
    assert not (project / "out").exists()


def test_watch_builds_then_watches_the_project_sources(tmp_path, capsys, monkeypatch):
    import handbill.watch

    project = _clinic(tmp_path)
    meta = project / "content" / BUNDLE / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "languages: [en, zh-Hans]", "languages: [en]"), encoding="utf-8")
    calls = []

    def watch(paths, rebuild, out_dir):  # one save of en.md, then Ctrl-C
        calls.append((sorted(p.name for p in paths), out_dir))
        en = project / "content" / BUNDLE / "en.md"
        en.write_text(EN_TEXT.replace("six hours", "eight hours"), encoding="utf-8")
        assert rebuild({en}) == 0
        saved = en.read_text(encoding="utf-8")  # a citation of a source not yet listed
        en.write_text(saved.replace("until two\nhours", "until two hours [@rcoa2021]\n"),
                      encoding="utf-8")
        assert rebuild({en}) == 1

    monkeypatch.setattr(handbill.watch, "watch", watch)
    capsys.readouterr()
    assert run(["--project", str(project), "watch", "--layout", "handout"]) == 0
    out, err = capsys.readouterr()
    assert calls == [(["assets", "content", "site.yaml"], project / "out")]
    wrote = f"wrote out/{BUNDLE}/handout.pdf (1 page)\n"
    assert out == wrote + wrote
    assert err.count("watching for changes (1 output, ok)\n") == 2
    assert err.endswith(
        f"content/{BUNDLE}/en.md:3:97: error: unknown citation key 'rcoa2021' [citation]\n"
        f"  hint: add an entry 'rcoa2021' to content/{BUNDLE}/references.yaml\n"
        "watching for changes (1 output, failed)\n")
    text = squash(all_text(project / "out" / BUNDLE / "handout.pdf"))
    assert squash("Do not eat anything for eight hours") in text


# -- handbill import -------------------------------------------------------------------

docx_factory = pytest.importorskip("docx_factory")


def _inbox(project: Path, name: str, **kw) -> Path:
    """A Word file the clinic keeps in the project's inbox/ folder."""
    (project / "inbox").mkdir(exist_ok=True)
    return docx_factory.handout(project / "inbox" / name, **kw)


def _word_project(tmp_path: Path) -> Path:
    project = clinic_project(tmp_path / "clinic")
    (project / "content").mkdir()
    return project


def test_import_names_the_bundle_after_the_file(tmp_path, capsys):
    project = _word_project(tmp_path)
    docx = _inbox(project, "Bowel prep – Ward 5 (v2).docx")
    assert run(["--project", str(project), "import", str(docx), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out == ("imported inbox/Bowel prep – Ward 5 (v2).docx as "
                   "content/bowel-prep-ward-5-v2/en.md (1 image); next: handbill check "
                   "content/bowel-prep-ward-5-v2\n")
    assert (project / "content" / "bowel-prep-ward-5-v2" / "en.md").is_file()


def test_import_of_a_file_named_in_chinese_only_goes_to_content_imported(tmp_path, capsys):
    project = _word_project(tmp_path)
    docx = _inbox(project, "肠道准备.docx", words=docx_factory.ZH)
    assert run(["--project", str(project), "import", str(docx), "--lang", "zh-Hans",
                "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "add content/imported/image-1.png (" in out
    assert "--- /dev/null\n+++ content/imported/zh-Hans.md\n" in out
    assert '+  zh-Hans: "结肠镜检查前的准备"\n' in out
    assert list((project / "content").iterdir()) == []  # a dry run writes nothing


def test_an_image_word_saved_as_bmp_is_named_not_dropped_silently(tmp_path, capsys,
                                                                  monkeypatch):
    project = _word_project(tmp_path)
    # Word keeps a pasted screenshot as a .bmp: make the factory's picture one.
    from PIL import Image

    save = Image.Image.save
    monkeypatch.setattr(Image.Image, "save",
                        lambda self, fp, format=None, **kw: save(self, fp, format="BMP", **kw))
    docx = _inbox(project, "prep.docx")
    monkeypatch.undo()
    assert run(["--project", str(project), "import", str(docx), "--lang", "en", "--into",
                str(project / "content" / "bowel-prep")]) == 0
    out, err = capsys.readouterr()
    assert ("inbox/prep.docx: warning: Image of type image/bmp is unlikely to display in web "
            "browsers [file]\n") in err
    assert "inbox/prep.docx: warning: the document has an image of type image/bmp (not " \
           "imported) [file]\n" in err
    bundle = project / "content" / "bowel-prep"
    assert list(bundle.glob("image-*")) == []
    assert "image-1" not in (bundle / "en.md").read_text(encoding="utf-8")
    assert out == ("imported inbox/prep.docx as content/bowel-prep/en.md; next: handbill "
                   "check content/bowel-prep\n")


def test_a_document_word_cannot_have_written_is_refused_with_nothing_written(tmp_path, capsys):
    import zipfile

    project = _word_project(tmp_path)
    (project / "inbox").mkdir()
    broken = project / "inbox" / "prep.docx"  # cut off while it was being copied
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.'
                         'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>')
    assert run(["--project", str(project), "import", str(broken), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err == ("inbox/prep.docx: error: the Word document cannot be read (ExpatError: no "
                   "element found: line 1, column 96) [file]\n"
                   "  hint: save it from Word, without a password, as a Word Document (.docx)\n")
    assert list((project / "content").iterdir()) == []


def test_a_document_word_has_open_is_a_read_error_not_a_traceback(tmp_path, capsys,
                                                                   monkeypatch):
    project = _word_project(tmp_path)
    docx = _inbox(project, "prep.docx")
    read_bytes = Path.read_bytes

    def locked(self):  # Word holds the file open (as on a shared drive): no reading it
        if self == docx:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    assert run(["--project", str(project), "import", str(docx), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err == "inbox/prep.docx: error: cannot read it: Permission denied [file]\n"
    assert list((project / "content").iterdir()) == []


def test_a_second_title_paragraph_stays_in_the_text(tmp_path, capsys, monkeypatch):
    import docx as python_docx

    project = _word_project(tmp_path)
    real = python_docx.Document

    def with_second_title(*args):  # the author styled a later heading "Title" as well
        document = real(*args)
        add = document.add_heading

        def heading(text, level=1):
            if text == docx_factory.EN["h_table"]:
                return document.add_paragraph(text, style="Title")
            return add(text, level)

        document.add_heading = heading
        return document

    monkeypatch.setattr(python_docx, "Document", with_second_title)
    docx = _inbox(project, "prep.docx")
    monkeypatch.undo()
    assert run(["--project", str(project), "import", str(docx), "--lang", "en", "--into",
                str(project / "content" / "bowel-prep")]) == 0
    bundle = project / "content" / "bowel-prep"
    assert '  en: "Getting ready for your colonoscopy"' in \
        (bundle / "meta.yaml").read_text(encoding="utf-8")
    en = (bundle / "en.md").read_text(encoding="utf-8")
    assert "\n\nYour timetable\n\n| Time | What to do |" in en
    assert "Getting ready" not in en


def test_the_chinese_documents_own_picture_does_not_overwrite_the_english_one(tmp_path,
                                                                            capsys):
    project = _word_project(tmp_path)
    bundle = project / "content" / "bowel-prep"
    en = _inbox(project, "prep-en.docx")
    assert run(["--project", str(project), "import", str(en), "--lang", "en", "--into",
                str(bundle)]) == 0
    english_picture = (bundle / "image-1.png").read_bytes()
    from PIL import Image

    (project / "inbox" / "zh").mkdir()
    zh = docx_factory.handout(project / "inbox" / "zh" / "prep-zh.docx", docx_factory.ZH)
    # The translator's copy has a picture of its own (Chinese labels on the sachet).
    import io
    import zipfile

    with zipfile.ZipFile(zh) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    picture = next(name for name in parts if name.startswith("word/media/"))
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 160, 40)).save(buffer, format="PNG")
    parts[picture] = buffer.getvalue()
    with zipfile.ZipFile(zh, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    capsys.readouterr()
    assert run(["--project", str(project), "import", str(zh), "--lang", "zh-Hans", "--into",
                str(bundle)]) == 0
    assert capsys.readouterr().out == (
        "imported inbox/zh/prep-zh.docx as content/bowel-prep/zh-Hans.md (1 image); next: "
        "handbill check content/bowel-prep\n")
    assert (bundle / "image-1.png").read_bytes() == english_picture
    assert (bundle / "zh-Hans-image-1.png").read_bytes() == buffer.getvalue()
    zh_text = (bundle / "zh-Hans.md").read_text(encoding="utf-8")
    assert "![一杯水和一袋药粉](zh-Hans-image-1.png)" in zh_text
    assert "image-1.png)" not in zh_text.replace("zh-Hans-image-1.png)", "")


def test_a_meta_yaml_written_by_hand_gets_notes_of_what_to_add(tmp_path, capsys):
    project = _word_project(tmp_path)
    bundle = project / "content" / "bowel-prep"
    bundle.mkdir()
    meta = ("languages:\n  - en\n"
            "title: {en: Getting ready for your colonoscopy}\n"
            "date: 2024-03-01\nlayouts: [handout]\n")
    (bundle / "meta.yaml").write_text(meta, encoding="utf-8")
    zh = _inbox(project, "prep-zh.docx", words=docx_factory.ZH)
    assert run(["--project", str(project), "import", str(zh), "--lang", "zh-Hans", "--into",
                str(bundle)]) == 0
    out, err = capsys.readouterr()
    assert err == (
        "content/bowel-prep/meta.yaml: warning: add zh-Hans to meta.yaml's languages: [meta]\n"
        "content/bowel-prep/meta.yaml: warning: add the zh-Hans title to meta.yaml's title: "
        "(结肠镜检查前的准备) [meta]\n")
    assert (bundle / "meta.yaml").read_text(encoding="utf-8") == meta  # left to its author
    assert (bundle / "zh-Hans.md").is_file()


def test_into_a_folder_under_a_dangling_link_is_refused(tmp_path, capsys):
    project = _word_project(tmp_path)
    os.symlink(project / "content" / "ward-4", project / "content" / "ward-5")  # ward renamed
    docx = _inbox(project, "prep.docx")
    try:
        code = run(["--project", str(project), "import", str(docx), "--lang", "en", "--into",
                    str(project / "content" / "ward-5" / "bowel-prep")])
    except OSError:
        code = "traceback"
    assert code == 2
    assert "content/ward-5: error: this folder is a link to a folder that is not there" in \
        capsys.readouterr().err
    assert not (project / "content" / "ward-4").exists()


def test_into_a_folder_under_a_link_loop_is_refused(tmp_path, capsys):
    project = _word_project(tmp_path)
    os.symlink(project / "content" / "ward-5", project / "content" / "ward-5")
    docx = _inbox(project, "prep.docx")
    try:
        code = run(["--project", str(project), "import", str(docx), "--lang", "en", "--into",
                    str(project / "content" / "ward-5" / "bowel-prep")])
    except RuntimeError:
        code = "traceback"
    assert code == 2
    assert "content/ward-5: error: this folder is a link that leads back to itself" in \
        capsys.readouterr().err


# -- a project's strings, templates and assets -----------------------------------------


@pytest.mark.parametrize("strings, said", [
    ("- References\n- Tel.\n",
     "layouts/strings.yaml:1: error: strings.yaml maps each language to its texts [layout]"),
    ("en: Sources\n",
     "layouts/strings.yaml:1: error: 'en' must map names to texts [layout]"),
    ("en:\n  references: Sources\n  phone: 5550100\n",
     "layouts/strings.yaml:3: error: 'en.phone' must be a text [layout]"),
])
def test_strings_a_translator_got_wrong_are_errors_at_their_line(tmp_path, capsys, strings,
                                                                 said):
    project = _clinic(tmp_path)
    (_layouts(project) / "strings.yaml").write_text(strings, encoding="utf-8")
    code, out, err = _check(project, capsys)
    assert code == 1
    assert said in out.splitlines()
    assert not (project / "out" / BUNDLE / "handout.pdf").exists()


def test_an_empty_strings_file_keeps_the_built_in_texts(tmp_path, capsys):
    project = _clinic(tmp_path)
    (_layouts(project) / "strings.yaml").write_text("# our own texts, one day\n",
                                                    encoding="utf-8")
    assert _check(project, capsys)[:2] == (0, "")


def test_a_template_in_another_encoding_does_not_hide_an_unused_text(tmp_path, capsys):
    project = _clinic(tmp_path)
    partials = _layouts(project) / "_partials"
    partials.mkdir()
    # An old partial saved by a Windows editor (cp1252), included by no template.
    (partials / "old-footer.html.j2").write_bytes("<p>Caf\u00e9 opening hours</p>\n"
                                                  .encode("cp1252"))
    (project / "layouts" / "strings.yaml").write_text(
        "en:\n  references: Sources\n  opening-hours: Mon to Fri, 9 to 5\n", encoding="utf-8")
    code, out, err = _check(project, capsys)
    assert code == 1
    [line] = [line for line in out.splitlines() if "opening-hours" in line]
    assert line == ("layouts/strings.yaml:3: error: 'en.opening-hours': no layout uses this "
                    "text [layout]")


def test_a_page_number_with_quotes_and_brackets_prints_as_written(tmp_path, capsys):
    project = _clinic(tmp_path)
    (_layouts(project) / "strings.yaml").write_text(
        'en:\n  page-number: \'Page {page} of {pages} <"Fasting" & you>\'\n', encoding="utf-8")
    assert run(["--project", str(project), "build", str(project / "content" / BUNDLE),
                "--layout", "handout", "--lang", "en"]) == 0, capsys.readouterr().err
    text = all_text(project / "out" / BUNDLE / "handout.en.pdf")
    assert 'Page 1 of 1 <"Fasting" & you>' in text


def test_a_handout_address_too_long_for_a_qr_code_is_an_error_in_meta_yaml(tmp_path, capsys):
    project = _clinic(tmp_path)
    meta = project / "content" / BUNDLE / "meta.yaml"
    # Under meta.yaml's 2,000 characters, but Chinese: three bytes each in the QR code.
    url = "https://clinic.example.org/资料/" + "手术前禁食须知" * 130
    meta.write_text(meta.read_text(encoding="utf-8") + f"url: {url}\n", encoding="utf-8")
    line = meta.read_text(encoding="utf-8").count("\n")
    code, out, err = _check(project, capsys)
    assert code == 1
    assert (f"content/{BUNDLE}/meta.yaml:{line}: error: 'url' gives an address of "
            f"{len(url.encode()):,} bytes for this handout, more than a QR code holds [meta]") \
        in out.splitlines()


def test_a_syntax_error_in_a_layouts_own_template_is_located(tmp_path, capsys):
    project = _clinic(tmp_path)
    _own_handout(project, '{% extends "!builtin/handout/handout.html.j2" %}\n'
                          '{% block body %}<p>Clinic copy</p>{{ super() }\n{% endblock %}\n')
    code, out, err = _check(project, capsys)
    assert code == 1
    [line] = [line for line in out.splitlines() if "template syntax" in line]
    assert line.startswith("layouts/handout/handout.html.j2:2: error: template syntax: ")


def test_a_stylesheet_the_layout_does_not_have_is_an_error_at_its_manifest(tmp_path, capsys):
    project = _clinic(tmp_path)
    _own_handout(project, '{% extends "!builtin/handout/handout.html.j2" %}\n'
                          '{% block body %}<link rel="stylesheet" href="'
                          "{{ asset_url('handout/clinic-colours.css') }}\">{{ super() }}"
                          "{% endblock %}\n")
    code, out, err = _check(project, capsys)
    assert code == 1
    assert ("layouts/handout/layout.yaml: error: layout asset 'handout/clinic-colours.css' "
            "not found [layout]") in out.splitlines()


@pytest.mark.parametrize("partial, said", [
    ('<aside class="disclaimer">\n{{ "Call " + 5550100 }}\n</aside>\n',
     "layouts/_partials/disclaimer.html.j2:2: error: template: TypeError: "),
    # A filter of another tool's templates (Django's linebreaks), in a condition: Jinja
    # finds it missing only when the condition holds.
    ('<aside class="disclaimer">\n{% if section.disclaimer %}\n'
     '{{ section.disclaimer | linebreaks }}\n{% endif %}\n</aside>\n',
     "layouts/_partials/disclaimer.html.j2:3: error: template: No filter named 'linebreaks' "
     "found. [layout]"),
])
def test_a_partial_whose_own_code_fails_is_an_error_at_its_line(tmp_path, capsys, partial,
                                                                said):
    project = _clinic(tmp_path)
    meta = project / "content" / BUNDLE / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "disclaimer:\n"
                    "  en: This leaflet does not replace your surgeon's advice.\n"
                    "  zh-Hans: 本单张不能代替外科医生的建议。\n", encoding="utf-8")
    partials = _layouts(project) / "_partials"
    partials.mkdir()
    (partials / "disclaimer.html.j2").write_text(partial, encoding="utf-8")
    code, out, err = _check(project, capsys)
    assert code == 1
    assert any(line.startswith(said) for line in out.splitlines()), out


# -- a project's fonts -----------------------------------------------------------------


def _fonts(project: Path, capsys, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(["--project", str(project), "fonts", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _bundled(name: str) -> Path:
    from handbill.fonts import bundled_fonts_dir

    return bundled_fonts_dir() / name


def test_a_project_font_shows_the_licence_file_beside_it(tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    (project / "fonts").mkdir()
    shutil.copy(_bundled("HandbillText-Regular.ttf"), project / "fonts" / "ClinicText.ttf")
    shutil.copy(_bundled("HandbillText-OFL.txt"), project / "fonts" / "OFL.txt")
    code, out, err = _fonts(project, capsys)
    assert code == 0
    at = out.index("  400 normal  fonts/ClinicText.ttf [project]\n")
    assert out[at:].splitlines()[1].endswith("licence: OFL.txt (SIL OFL 1.1)")


def test_a_fonts_folder_linked_from_outside_the_project_is_refused(tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    shared = tmp_path / "shared-fonts"
    shared.mkdir()
    os.symlink(shared, project / "fonts")
    code, out, err = _fonts(project, capsys)
    assert code == 1 and out == ""
    assert err.startswith("fonts: error: this folder links to a place outside the project")


@pytest.mark.parametrize("config, said", [
    ("- Handbill Text\n- DejaVu Sans\n",
     "layouts/fonts.yaml:1: error: fonts.yaml maps 'system:' and 'optional:' to font family "
     "names [layout]\n"),
    ("optional: [Handbill Sans SC Extra, Handbill Sans TC]\nsystem: DejaVu Sans\n",
     "layouts/fonts.yaml:2: error: 'system' must list font family names [layout]\n"),
])
def test_a_fonts_yaml_of_the_wrong_shape_is_an_error_at_its_line(tmp_path, capsys, config,
                                                                 said):
    project = clinic_project(tmp_path / "clinic")
    (_layouts(project) / "fonts.yaml").write_text(config, encoding="utf-8")
    assert _fonts(project, capsys)[::2] == (1, said)


def test_a_fonts_yaml_of_comments_only_takes_the_bundled_fonts(tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    (_layouts(project) / "fonts.yaml").write_text("# no system fonts for us\n", encoding="utf-8")
    code, out, err = _fonts(project, capsys)
    assert code == 0
    assert out.startswith("en: Handbill Text > Handbill Sans SC > Handbill Symbols > "
                          "Handbill Sans SC Extra\n")


def test_an_optional_family_that_is_not_there_is_left_out_of_the_chain(tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    layouts = _layouts(project)
    (layouts / "fonts.yaml").write_text(
        "optional: [Clinic Easy Read, Handbill Sans SC Extra, Handbill Sans TC]\n",
        encoding="utf-8")
    (layouts / "languages.yaml").write_text(
        "en:\n  fonts: [Clinic Easy Read, Handbill Text, Handbill Symbols]\n", encoding="utf-8")
    code, out, err = _fonts(project, capsys)
    assert code == 0
    assert out.startswith("en: Handbill Text > Handbill Symbols\n")
    assert "Clinic Easy Read" not in out


def test_a_language_the_clinic_does_not_print_may_lack_its_fonts(tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    (_layouts(project) / "languages.yaml").write_text(
        "zh-Hant:\n  fonts: [Clinic Kai TC, Handbill Text]\n", encoding="utf-8")
    code, out, err = _fonts(project, capsys)
    assert code == 0
    chains = [line.split(":")[0] for line in out.splitlines() if ": " in line and
              not line.startswith(" ")]
    assert "en" in chains and "zh-Hans" in chains and "zh-Hant" not in chains
    assert "Clinic Kai TC" not in out


def test_a_layouts_own_font_chain_is_listed(tmp_path, capsys):
    project = clinic_project(tmp_path / "clinic")
    own = _layouts(project) / "poster"
    own.mkdir()
    (own / "layout.yaml").write_text(
        "name: poster\ndescription: an A3 poster for the waiting room\n"
        "template: poster.html.j2\nfonts:\n  en: [Handbill Sans SC, Handbill Text]\n",
        encoding="utf-8")
    (own / "poster.html.j2").write_text("<html></html>\n", encoding="utf-8")
    code, out, err = _fonts(project, capsys, "--layout", "poster")
    assert code == 0
    assert out.startswith("en: Handbill Sans SC > Handbill Text\n")


def test_a_system_family_on_a_machine_without_fontconfig_is_not_found(tmp_path, capsys,
                                                                      monkeypatch):
    project = clinic_project(tmp_path / "clinic")
    layouts = _layouts(project)
    (layouts / "fonts.yaml").write_text(
        "system: [DejaVu Sans]\noptional: [Handbill Sans SC Extra, Handbill Sans TC]\n",
        encoding="utf-8")
    (layouts / "languages.yaml").write_text("en:\n  fonts: [DejaVu Sans, Handbill Text]\n",
                                            encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "no-fontconfig"))  # no fc-list to run
    code, out, err = _fonts(project, capsys)
    assert code == 1 and out == ""
    assert err.startswith("layouts/languages.yaml:1: error: font family 'DejaVu Sans' (en) not "
                          "found in fonts/, handbill's bundled fonts, the system [layout]\n")


# -- the pages a check judges ----------------------------------------------------------


def test_a_one_page_handout_is_never_a_page_left_over(tmp_path, capsys):
    project = _clinic(tmp_path, en="## Before your operation\n\nDo not eat for six hours.\n")
    code, out, err = _check(project, capsys, "--lang", "en")
    assert (code, out) == (0, "")
    assert err.endswith("0 errors, 0 warnings\n")


def _sparse_project(tmp_path: Path, organisation: str, zh: str) -> Path:
    """A one-section handout of a clinic whose site.yaml names only the clinic: each
    language's page holds the clinic's name, the date, the title and a line or two."""
    project = _clinic(tmp_path, en="## Before your operation\n\nDo not eat for six hours.\n",
                      zh=zh)
    (project / "site.yaml").write_text(
        f"organisation:\n  en: Renai Clinic\n  zh-Hans: {organisation}\n", encoding="utf-8")
    return project


PAGE_FILL = ("warning: page {n} of the handout layout holds only 5 lines of text (fewer "
             "than 6){more} [page-fill]")


def test_a_page_left_over_that_starts_with_a_short_name_is_said_where_its_text_starts(
        tmp_path, capsys):
    project = _sparse_project(tmp_path, "仁爱", "## 手术前\n\n请勿进食。\n")
    code, out, err = _check(project, capsys)
    assert code == 0  # warnings only
    said = [line for line in out.splitlines() if not line.startswith("  hint:")]
    # The page's first line is the clinic's name, from site.yaml: the first line of the
    # texts on it (the heading, after its ##) is where the page is said to start.
    assert said == [f"content/{BUNDLE}/en.md:1:4: " + PAGE_FILL.format(
                        n=1, more=", from this line on"),
                    # (手术前: too few letters to look for; its first, after the ##)
                    f"content/{BUNDLE}/zh-Hans.md:1:4: " + PAGE_FILL.format(
                        n=2, more=", from this line on")]
    assert err.endswith("0 errors, 2 warnings\n")


def test_a_page_left_over_is_located_where_its_text_starts(tmp_path, capsys):
    project = _sparse_project(tmp_path, "仁爱诊所", "## 手术前\n\n请勿进食。如有疑问，请致电仁爱诊所。\n")
    code, out, err = _check(project, capsys)
    assert code == 0
    said = [line for line in out.splitlines() if not line.startswith("  hint:")]
    assert f"content/{BUNDLE}/zh-Hans.md:3:14: " + PAGE_FILL.format(
        n=2, more=", from this line on") not in said
    assert f"content/{BUNDLE}/zh-Hans.md:1:4: " + PAGE_FILL.format(
        n=2, more=", from this line on") in said  # the heading's first letter, after ##
