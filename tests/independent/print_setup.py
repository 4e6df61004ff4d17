#!/usr/bin/env python3
"""SPEC §13 page set-up, read from the xlsx XML itself (zipfile, no payrun
code): every sheet of every workbook given has the paper (9 = A4, 1 =
Letter: PAPER env, default 9), a footer with "page x of y", print titles,
fit-to-width or a scale of at least 73 % (8 pt of 11), a print area (when
set) that covers every chart anchored on the sheet, and no snake_case text
in its heading rows; sheets named in FROZEN (comma list of name prefixes)
freeze the heading row and the columns up to the name.

usage: print_setup.py WORKBOOK.xlsx...   exit 1 listing every problem
"""
import os
import re
import sys
import zipfile

PAPER = os.environ.get("PAPER", "9")
FROZEN = [p for p in os.environ.get("FROZEN", "").split(",") if p]
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
problems = []


def col_number(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_ref(ref):
    m = re.match(r"\$?([A-Z]+)\$?(\d+)", ref)
    return col_number(m[1]), int(m[2]) - 1


def check(path):
    z = zipfile.ZipFile(path)
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
    sheets = re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', wb)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        sst = z.read("xl/sharedStrings.xml").decode()
        shared = [re.sub(r"<[^>]+>", "", si) for si in re.findall(r"<si>(.*?)</si>", sst, re.S)]
    names = {}
    for m in re.finditer(r'<definedName name="(_xlnm\.Print_\w+)" localSheetId="(\d+)"[^>]*>([^<]*)</definedName>', wb):
        names[(m[1], int(m[2]))] = m[3]
    for index, (sheet, rid) in enumerate(sheets):
        where = f"{os.path.basename(path)} [{sheet}]"
        target = targets[rid].lstrip("/")
        target = target if target.startswith("xl/") else "xl/" + target
        xml = z.read(target).decode()
        if f'paperSize="{PAPER}"' not in xml:
            problems.append(f"{where}: paper is not {PAPER}")
        if "&amp;P of &amp;N" not in xml or "<oddFooter>" not in xml:
            problems.append(f"{where}: no footer with page x of y")
        if ("_xlnm.Print_Titles", index) not in names:
            problems.append(f"{where}: no print titles")
        scale = re.search(r'<pageSetup[^>]*\bscale="(\d+)"', xml)
        fit = 'fitToPage="1"' in xml
        if not fit and not (scale and int(scale[1]) >= 73):
            problems.append(f"{where}: neither fitted to the page width nor printed at 73 % or more")
        if fit and scale and int(scale[1]) < 73:
            problems.append(f"{where}: scale {scale[1]} below the 8 pt floor")
        # Heading rows: the print-title rows, whose cells must be words.
        titles = names.get(("_xlnm.Print_Titles", index), "")
        rows = [int(r) for r in re.findall(r"\$(\d+):\$\d+", titles)]
        for row in rows:
            m = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', xml, re.S)
            if not m:
                continue
            for c in re.finditer(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', m[1], re.S):
                text = ""
                if 't="s"' in c[2]:
                    v = re.search(r"<v>(\d+)</v>", c[3])
                    text = shared[int(v[1])] if v else ""
                elif 't="inlineStr"' in c[2]:
                    text = re.sub(r"<[^>]+>", "", c[3])
                if SNAKE.match(text.strip()):
                    problems.append(f"{where}: heading {c[1]}{row} is a machine name: {text}")
        # Charts: their anchors inside the print area.
        area = names.get(("_xlnm.Print_Area", index))
        srels_name = target.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if area and srels_name in z.namelist():
            srels = z.read(srels_name).decode()
            for d in re.findall(r'Target="([^"]*drawings/drawing\d+\.xml)"', srels):
                drawing = z.read("xl/drawings/" + d.split("/")[-1]).decode()
                last = area.split("!")[-1].split(":")[-1]
                max_col, max_row = cell_ref(last)
                for to in re.findall(r"<xdr:to><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>", drawing):
                    col, row = int(to[0]), int(to[1])
                    if col > max_col + 1 or row > max_row + 1:
                        problems.append(f"{where}: chart to col {col} row {row} outside print area {area}")
        for prefix in FROZEN:
            if sheet.startswith(prefix):
                pane = re.search(r'<pane xSplit="(\d+)" ySplit="(\d+)"', xml)
                if not pane or int(pane[2]) < 1 or int(pane[1]) < 2:
                    problems.append(f"{where}: heading row and identity columns not frozen")


for p in sys.argv[1:]:
    check(p)
for problem in problems:
    print(problem)
print(f"checked {len(sys.argv) - 1} workbooks, {len(problems)} problems")
sys.exit(1 if problems else 0)
