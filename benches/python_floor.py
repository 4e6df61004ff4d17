#!/usr/bin/env python3
"""A lower bound for any Python/openpyxl implementation of payrun (issue 17).

It does only what such an implementation must do at the least, with no rules
at all: read every sheet of both input workbooks into rows with openpyxl
(read_only), then write outputs of the same size as a payrun run's: the
run's CSV files again with the csv module, and the two workbooks with
openpyxl (write_only) -- adjustments in one, exceptions + attendance +
deferred claims in the other, numbers as numbers, no formatting.

A full implementation also parses, checks and applies the rules, so it is
slower than this; payrun being N times faster than this script means at
least N times faster than such an implementation (docs/decisions.md).

    python3 benches/python_floor.py ROSTER.xlsx EXPENSES.xlsx RUN_OUT_DIR

RUN_OUT_DIR is the --out folder of a payrun run on those inputs.
"""

import csv
import os
import sys
import tempfile
import time

import openpyxl


def read_workbook(path):
    """Every row of every sheet as a tuple of values (what any reader needs)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    sheets = {}
    for ws in book.worksheets:
        rows = [row for row in ws.iter_rows(values_only=True)]
        cells += sum(1 for row in rows for v in row if v is not None)
        sheets[ws.title] = rows
    book.close()
    return sheets, cells


def load_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def as_cell(field, header):
    if header or field == "":
        return field
    try:
        return float(field)
    except ValueError:
        return field


def write_xlsx(path, sheets):
    book = openpyxl.Workbook(write_only=True)
    for name, rows in sheets:
        ws = book.create_sheet(name)
        for r, row in enumerate(rows):
            ws.append([as_cell(field, r == 0) for field in row])
    book.save(path)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: python_floor.py ROSTER.xlsx EXPENSES.xlsx RUN_OUT_DIR")
    roster, expenses, run_out = sys.argv[1:]
    names = ["decisions", "exceptions", "adjustments", "deferred-claims", "attendance", "p11d"]
    tables = {n: load_csv(os.path.join(run_out, n + ".csv")) for n in names}

    started = time.perf_counter()
    _, roster_cells = read_workbook(roster)
    _, expenses_cells = read_workbook(expenses)
    read_s = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        for n in names:
            with open(os.path.join(scratch, n + ".csv"), "w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(tables[n])
        csv_s = time.perf_counter() - started
        started = time.perf_counter()
        write_xlsx(os.path.join(scratch, "payroll.xlsx"), [("Adjustments", tables["adjustments"])])
        write_xlsx(
            os.path.join(scratch, "exceptions.xlsx"),
            [
                ("Exceptions", tables["exceptions"]),
                ("Attendance", tables["attendance"]),
                ("Deferred", tables["deferred-claims"]),
            ],
        )
        xlsx_s = time.perf_counter() - started

    total = read_s + csv_s + xlsx_s
    print(f"openpyxl {openpyxl.__version__}, Python {sys.version.split()[0]}")
    print(f"read: {read_s * 1000:.0f} ms ({roster_cells + expenses_cells} cells)")
    print(f"write: csv {csv_s * 1000:.0f} ms + xlsx {xlsx_s * 1000:.0f} ms")
    print(f"python floor total: {total * 1000:.0f} ms")


if __name__ == "__main__":
    main()
