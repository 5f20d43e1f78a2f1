"""Word documents as clinics write them, made with python-docx for the import tests: a
bowel-preparation handout in English and its Chinese version (a Title paragraph, headings,
numbered steps with sub-steps nested as Word nests them, a warning list, bold and italic,
a table, a link, an image with alt text and one without, curly quotes and non-breaking
spaces), and the parts a Markdown body cannot hold (comments, tracked changes)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image

NBSP = "\u00a0"

EN = {
    "title": "Getting ready for your colonoscopy",
    "subtitle": "Bowel preparation with two sachets",
    "intro": ("Your bowel must be empty so that the doctor can see its lining clearly. "
              "Follow these steps carefully, even if you feel well."),
    "h_steps": "The day before the test",
    "steps": [
        ("Eat a light breakfast before 9{nbsp}a.m.: white bread, eggs or plain yoghurt.", []),
        ("After breakfast, drink only clear fluids: water, clear soup, tea without milk.", []),
        ("At 5{nbsp}p.m., take the first sachet.", [
            "Stir the powder into 250{nbsp}ml of cold water until it dissolves.",
            "Drink it over 30 minutes, then drink two more glasses of water.",
        ]),
        ("Stay near a toilet: the sachet works within 1 to 3 hours.", []),
    ],
    "h_warn": "When to call us",
    "warnings": [
        "You vomit and cannot keep fluids down.",
        "You feel dizzy or faint when you stand up.",
        "You have severe pain in your abdomen.",
    ],
    "bold_lead": "Do not drive",
    "bold_rest": " for 24 hours if you have a sedative. Ask someone to take you home.",
    "quote": "Bring a list of your medicines. If you take “blood thinners”, tell us before "
             "the day — don’t stop them on your own.",
    "italic": "This leaflet does not replace the advice of your doctor.",
    "h_table": "Your timetable",
    "table": [["Time", "What to do"], ["9{nbsp}a.m.", "Last light meal"],
              ["5{nbsp}p.m.", "First sachet"], ["6{nbsp}a.m.", "Second sachet"]],
    "link_text": "the NHS page on colonoscopy",
    "link_url": "https://www.nhs.uk/conditions/colonoscopy/",
    "link_before": "Read more on ",
    "link_after": ".",
    "alt": "a glass of water beside a sachet of powder",
}

ZH = {
    "title": "结肠镜检查前的准备",
    "subtitle": "两袋泻药的肠道准备",
    "intro": "为了让医生看清肠壁，您的肠道必须排空。即使感觉良好，也请认真按照以下步骤操作。",
    "h_steps": "检查前一天",
    "steps": [
        ("上午9点前吃一顿清淡的早餐：白面包、鸡蛋或原味酸奶。", []),
        ("早餐后只喝清流质：水、清汤、不加奶的茶。", []),
        ("下午5点，服用第一袋泻药。", [
            "把药粉倒入250{nbsp}ml冷水中，搅拌至完全溶解。",
            "在30分钟内喝完，然后再喝两杯水。",
        ]),
        ("请待在厕所附近：泻药会在1至3小时内起效。", []),
    ],
    "h_warn": "出现以下情况请致电我们",
    "warnings": ["您呕吐，无法喝下液体。", "您站起来时感到头晕或快要晕倒。", "您腹部剧烈疼痛。"],
    "bold_lead": "请勿开车",
    "bold_rest": "：如果您使用了镇静剂，24小时内不要开车，请家人陪同回家。",
    "quote": "请带上您的用药清单。如果您在服用“抗凝药”，请在检查前告诉我们——不要自行停药。",
    "italic": "本单张不能代替医生的建议。",
    "h_table": "您的时间表",
    "table": [["时间", "要做的事"], ["上午9点", "最后一顿清淡饮食"], ["下午5点", "第一袋泻药"],
              ["早上6点", "第二袋泻药"]],
    "link_text": "英国国家医疗服务体系的结肠镜检查页面",
    "link_url": "https://www.nhs.uk/conditions/colonoscopy/",
    "link_before": "更多信息请见",
    "link_after": "。",
    "alt": "一杯水和一袋药粉",
}


def _t(text: str) -> str:
    return text.replace("{nbsp}", NBSP)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _multilevel(document, bullet: bool) -> int:
    """A new list in DOCUMENT's numbering, with three levels as Word makes them (1. a. i.,
    or bullets); its numId."""
    from lxml import etree

    numbering = document.part.numbering_part.element
    ids = [int(n.get(qn("w:abstractNumId"))) for n in numbering.findall(qn("w:abstractNum"))]
    nums = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    abstract, num_id = max(ids + [0]) + 1, max(nums + [0]) + 1
    formats = ["bullet"] * 3 if bullet else ["decimal", "lowerLetter", "lowerRoman"]
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{"•" if bullet else f"%{i + 1}."}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{720 * (i + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
        for i, fmt in enumerate(formats))
    element = etree.fromstring(f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="{abstract}">'
                               f'<w:multiLevelType w:val="hybridMultilevel"/>{levels}'
                               "</w:abstractNum>")
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(element)
    else:
        numbering.append(element)
    numbering.append(etree.fromstring(f'<w:num xmlns:w="{_W}" w:numId="{num_id}">'
                                      f'<w:abstractNumId w:val="{abstract}"/></w:num>'))
    return num_id


def _list_item(document, text: str, num_id: int, level: int = 0):
    """A paragraph of the list NUM_ID at LEVEL (0 the outer list), as Word writes one: the
    List Paragraph style, its numbering and level on the paragraph itself."""
    paragraph = document.add_paragraph(_t(text), style="List Paragraph")
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id
    return paragraph


def _hyperlink(paragraph, text: str, url: str) -> None:
    part = paragraph.part
    rel = part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/"
                              "relationships/hyperlink", is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _picture(document, alt: str | None, colour=(90, 140, 200)) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(buffer, format="PNG")
    buffer.seek(0)
    shape = document.add_picture(buffer, width=docx.shared.Inches(1.5))
    shape._inline.docPr.set("descr", alt or "")


def handout(path: Path, words: dict = EN, *, comment: bool = False, tracked: bool = False,
            title_paragraph: bool = True, no_alt_image: bool = False) -> Path:
    """The bowel-preparation handout in WORDS' language, as a .docx at PATH."""
    document = docx.Document()
    if title_paragraph:
        document.add_paragraph(words["title"], style="Title")
        document.add_paragraph(words["subtitle"], style="Subtitle")
    else:
        document.add_heading(words["title"], level=1)
    intro = document.add_paragraph(_t(words["intro"]))
    document.add_heading(words["h_steps"], level=1)
    steps, bullets = _multilevel(document, False), _multilevel(document, True)
    for text, subs in words["steps"]:
        _list_item(document, text, steps)
        for sub in subs:
            _list_item(document, sub, steps, level=1)
    document.add_heading(words["h_warn"], level=2)
    for text in words["warnings"]:
        _list_item(document, text, bullets)
    paragraph = document.add_paragraph()
    paragraph.add_run(words["bold_lead"]).bold = True
    paragraph.add_run(words["bold_rest"])
    quote = document.add_paragraph(words["quote"])
    document.add_heading(words["h_table"], level=2)
    table = document.add_table(rows=len(words["table"]), cols=2)
    for r, row in enumerate(words["table"]):
        for c, cell in enumerate(row):
            table.cell(r, c).text = _t(cell)
    paragraph = document.add_paragraph(words["link_before"])
    _hyperlink(paragraph, words["link_text"], words["link_url"])
    paragraph.add_run(words["link_after"])
    _picture(document, words["alt"])
    if no_alt_image:
        _picture(document, None, colour=(200, 90, 90))
    document.add_paragraph().add_run(words["italic"]).italic = True
    if comment:
        document.add_comment(intro.runs, text="Check this with Dr Rao", author="Nurse Lee")
    if tracked:
        inserted = OxmlElement("w:ins")
        inserted.set(qn("w:id"), "91")
        inserted.set(qn("w:author"), "Translator")
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = " (Added in review.)"
        run.append(t)
        inserted.append(run)
        quote._p.append(inserted)
    document.save(path)
    return path
