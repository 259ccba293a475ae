"""Build the certificate's vendored CJK font (run by hand; the result is committed).

    python scripts/build_certificate_font.py [SOURCE.ttc] [--charset gb2312|gbk]

Source: Noto Sans CJK SC Regular from Debian's fonts-noto-cjk
(/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, SIL Open Font License 1.1).
Output: trainer/certification/fonts/certificate-sans-sc.ttf, a subset holding ASCII,
Latin-1, general and CJK punctuation, full-width forms and every character of GB 2312 (the 6,763
hanzi of levels 1 and 2 plus its symbols) and ~100 more characters frequent in given names — or
of GBK (21,003 hanzi, about 7 MB) with `--charset gbk` — with its CFF outlines converted to
TrueType ones, because ReportLab embeds TrueType fonts only.

ReportLab subsets again when it writes a PDF: a certificate embeds just the glyphs it prints.
Under the OFL a modified font must not use the Reserved Font Name, so the subset is renamed
"Trainer Certificate Sans"; the licence travels beside it (OFL.txt).
"""

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = ROOT / "trainer" / "certification" / "fonts" / "certificate-sans-sc.ttf"
FAMILY = "Trainer Certificate Sans"
MAX_ERROR = 1.0  # font units: how far a quadratic curve may stray from the cubic one
# Characters of given names outside GB 2312 (most from level 3 of the 2013 Table of General
# Standard Chinese Characters, the list made for names and places): parents pick them often.
NAME_EXTRAS = (
    "喆堃玥珺垚犇赟祎昇彧珩琰瑾婧晞昕煜旻炜玮琦瑜璐钰铖锴昊昱晟皓颢睿翊翀骞骐骁淼焱"
    "瀚沣泓澍濛汐沄沅沐泫洺浠淇溱滢潆灏炅烜煊熠燊玙玹珈珞琬琮瑄瑭璟璠璿瓒禛筠箐芃芮苒"
    "荟莘菁萱蓁蕤颀颉婠婳嫣妤姝娅婷嫚妍姗姣婵媛嬿孀珏玑玗玠玟玢珅珙珥珮珣琇琎琚琛琤琨"
    "琭琲瑀瑗瑢瑨瑱璆璇璋璘璞璨璩瓅瓘堇埕垲埙埴堉塬墉壸崟嵘嵛嵩岚岫峣峤崧崑晖晗晔晓晤"
    "暄暐暻曈曦曜朏朗杲杺枥栎桉桢梓棨楙榆榕槿橦檀檬歆泽洹涢淏淙渊湉湑滟漪潇澄澈濡灿炘"
    "炤焕焜焘煦熙熹燚燏珉珝琀琊琯琳瑛瑶璐璘瓴甡畇畯皎皞盺睍睎瞳砚祐祜祺禄禧秾穆竑竞笙"
    "筱箫篪粲纡绮缇缙罡翃翎翚翮耘聿肇舜芊芷苡茗茵荀荃莜莹菀萌萦萩葳蓓蓥蔺蕊蕙薏薰藜"
    "虓蜓衎衿袆裕觐诩谌谞贇赜跃轩辰迪逍遥邈郗郴醇钊钤钧钦铄铎铭锋锐锟锦镕镛阆阳隽雯"
    "霁霏霖霭靓靖鞠韫韬頔颋颙飏飒馥骅骊骏鸿鹍鹏鹤黛"
)


def charset(name: str) -> set[int]:
    """Code points to keep: Latin, punctuation, full-width forms and a GB character set."""
    points = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    points |= set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    points |= {0x2116, 0x2121, 0x2160 + 0, 0x25CB, 0x25CF, 0x2605, 0x2606}
    codec = {"gb2312": "gb2312", "gbk": "gbk"}[name]
    first = range(0xA1, 0xF8) if name == "gb2312" else range(0x81, 0xFF)
    second = range(0xA1, 0xFF) if name == "gb2312" else range(0x40, 0xFF)
    for high in first:
        for low in second:
            try:
                text = bytes([high, low]).decode(codec)
            except UnicodeDecodeError:
                continue
            points.update(ord(ch) for ch in text)
    return points | {ord(ch) for ch in NAME_EXTRAS}


def sc_font(path: Path):
    """The Simplified Chinese member of the Noto CJK collection."""
    for font in TTCollection(str(path)).fonts:
        if "SC" in font["name"].getDebugName(1):
            return font
    raise SystemExit(f"no Noto Sans CJK SC in {path}")


def to_truetype(font) -> None:
    """Replace CFF outlines by quadratic TrueType ones (the fontTools otf2ttf recipe)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in [
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ]:
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    maxp.compile(font)  # recalculates the glyph counts and bounds
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = glyph_order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font) -> None:
    """A new family name (the OFL's Reserved Font Name rule for modified versions)."""
    table = font["name"]
    postscript = FAMILY.replace(" ", "")
    for record in table.names:
        if record.nameID in (1, 4, 16, 21):
            record.string = FAMILY if record.nameID != 4 else f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = f"{postscript}-Regular"
        elif record.nameID == 3:
            record.string = f"{postscript}-Regular;subset of Noto Sans CJK SC"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=SOURCE)
    parser.add_argument("--charset", choices=("gb2312", "gbk"), default="gb2312")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args()
    font = sc_font(args.source)
    options = subset.Options()
    options.layout_features = []  # no shaping needed: one line of horizontal text
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.name_languages = [0x409]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=charset(args.charset))
    subsetter.subset(font)
    to_truetype(font)
    rename(font)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(args.output))
    kib = args.output.stat().st_size // 1024
    print(f"{args.output}: {len(font.getGlyphOrder())} glyphs, {kib} KiB")


if __name__ == "__main__":
    main()
