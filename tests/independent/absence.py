#!/usr/bin/env python3
"""Independent implementation of payrun SPEC §10 (absence.csv, absence-reasons.csv,
SCK004) from the roster workbook, for cross-checking payrun's output.

usage: [ORG=CODE] independent.py ROSTER.xlsx PERIOD(YYYY-MM) PAYRUN_OUT_DIR [MY_OUT_DIR]

PAYRUN_OUT_DIR is read only for exceptions.csv (which roster rows payrun skipped
for data errors); every figure is computed here.
"""
import csv
import datetime as dt
import os
import re
import sys
import tomllib
from collections import defaultdict
from fractions import Fraction

import openpyxl

# The config folder: PAYRUN_CONFIG, else the repository's config/.
CONFIG = os.environ.get("PAYRUN_CONFIG") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config")


def norm(s):
    return re.sub(r"[\s_\-]", "", str(s)).lower()


def load_config():
    with open(os.path.join(CONFIG, "policy.toml"), "rb") as f:
        pol = tomllib.load(f)
    with open(os.path.join(CONFIG, "columns.toml"), "rb") as f:
        cols = tomllib.load(f)
    bh = set(pol["calendar"]["bank_holidays"])
    fth = Fraction(str(pol["pay"]["full_time_weekly_hours"]))
    sk = pol["sickness"]
    return dict(
        bank_holidays=bh,
        full_time=fth,
        long_days=int(sk.get("long_term_sickness_working_days", 20)),
        rtw_days=int(sk.get("rtw_within_working_days", 5)),
        columns=cols,
    )


CFG = load_config()


def is_working(d):
    return d.weekday() < 5 and d not in CFG["bank_holidays"]


def working_days_between(a, b):
    n = 0
    d = a
    while d <= b:
        if is_working(d):
            n += 1
        d += dt.timedelta(days=1)
    return n


def nth_working_day_after(d, n):
    k = 0
    while k < n:
        d += dt.timedelta(days=1)
        if is_working(d):
            k += 1
    return d


def first_working_day_after(d):
    return nth_working_day_after(d, 1)


def round_half_up_2(x: Fraction) -> str:
    # x exact; half away from zero at 2 decimals (all our values are >= 0)
    neg = x < 0
    x = abs(x)
    q = x * 100
    n = q.numerator // q.denominator
    rem = q - n
    if rem >= Fraction(1, 2):
        n += 1
    s = f"{n // 100}.{n % 100:02d}"
    return ("-" if neg and n else "") + s


# ---------------------------------------------------------------- reading cells

class Bad(Exception):
    pass


def parse_date(v, epoch1904=False):
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)):
        serial = int(v)
        if epoch1904:
            return dt.date(1904, 1, 1) + dt.timedelta(days=serial)
        if serial < 61:
            serial += 1
        return dt.date(1899, 12, 30) + dt.timedelta(days=serial)
    s = str(v).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise Bad(s)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", s)
    if m:
        y = int(m[3])
        if len(m[3]) == 2:
            y += 2000
        try:
            return dt.date(y, int(m[2]), int(m[1]))
        except ValueError:
            raise Bad(s)
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return parse_date(float(s), epoch1904)
    raise Bad(s)


def parse_decimal(v):
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return None
    if isinstance(v, bool):
        raise Bad(v)
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, float):
        # cells are written from decimal literals (tenths/hundredths): repr is exact text
        return Fraction(repr(v))
    s = str(v).strip().replace("£", "")
    if not re.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", s):
        raise Bad(v)
    return Fraction(s.replace(",", ""))


def read_sheet(wb, name, required, optional):
    """rows of dicts keyed by canonical name (raw values), plus the sheet row number."""
    ws = wb[name]
    cols_cfg = CFG["columns"]
    aliases = {}
    for canon in required + optional:
        names = {norm(canon)}
        for sect in ("all", name):
            for a in cols_cfg.get(sect, {}).get(canon, []):
                names.add(norm(a))
        aliases[canon] = names
    rows = list(ws.iter_rows(values_only=True))
    header_idx = None
    colmap = {}
    for i, r in enumerate(rows):
        cells = [norm(c) if c is not None else "" for c in r]
        cm = {}
        for canon, names in aliases.items():
            for j, c in enumerate(cells):
                if c in names:
                    cm[canon] = j
                    break
        if all(c in cm for c in required):
            header_idx = i
            colmap = cm
            break
    if header_idx is None:
        raise SystemExit(f"{name}: header not found")
    out = []
    for i in range(header_idx + 1, len(rows)):
        r = rows[i]
        if all(c is None or (isinstance(c, str) and c.strip() == "") for c in r):
            continue
        d = {k: (r[j] if j < len(r) else None) for k, j in colmap.items()}
        d["_row"] = i + 1  # 1-based sheet row
        out.append(d)
    return out, colmap


def text(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


# ---------------------------------------------------------------- payrun's skip list

def payrun_findings(out_dir):
    path = os.path.join(out_dir, "exceptions.csv")
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def parse_source(src):
    # file!sheet:row
    m = re.search(r"!([^!:]+):(\d+)$", src or "")
    if not m:
        return None
    return m[1], int(m[2])


def main():
    roster, period, pr_out = sys.argv[1], sys.argv[2], sys.argv[3]
    my_out = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(pr_out.rstrip("/")), "mine-" + period)
    os.makedirs(my_out, exist_ok=True)
    py, pm = map(int, period.split("-"))
    if pm == 1:
        my_, mm = py - 1, 12
    else:
        my_, mm = py, pm - 1
    m_start = dt.date(my_, mm, 1)
    m_end = dt.date(py, pm, 1) - dt.timedelta(days=1)
    month = f"{my_:04d}-{mm:02d}"
    m_days = [m_start + dt.timedelta(days=i) for i in range((m_end - m_start).days + 1)]

    findings = payrun_findings(pr_out)
    # Rows payrun skipped: any DAT finding on a roster row, except DAT002 on
    # rtw_date / sickness_reason cells (SPEC §10.2: the row is kept).
    skipped = set()
    kept_bad_cells = []
    for f in findings:
        if not f["rule"].startswith("DAT"):
            continue
        loc = parse_source(f["source"])
        if not loc:
            continue
        sheet, row = loc
        if sheet not in ("Staff", "Shifts", "Absences", "Protection"):
            continue
        msg = f["message"]
        if f["rule"] == "DAT002" and sheet == "Absences" and re.search(r"rtw_date|sickness_reason", msg, re.I):
            kept_bad_cells.append((sheet, row, msg))
            continue
        skipped.add((sheet, row))

    wb = openpyxl.load_workbook(roster, read_only=True, data_only=True)
    epoch1904 = bool(getattr(wb, "epoch", None) and wb.epoch.year == 1904)

    org = os.environ.get("ORG", "")  # the --org given to payrun (blank without one)

    notes = []

    # ------------------------------------------------ Staff
    staff_rows, _ = read_sheet(
        wb, "Staff",
        ["assignment", "name", "staff_group", "base_site", "home_to_base_miles", "contracted_hours",
         "annual_salary", "cost_centre", "service_start"],
        ["start_date", "leave_date"],
    )
    staff = {}
    my_skips = set()
    for r in staff_rows:
        key = ("Staff", r["_row"])
        a = text(r["assignment"])
        try:
            hours = parse_decimal(r["contracted_hours"])
            if hours is not None:
                # payrun reads weekly hours to 0.01, half up (docs/decisions.md 480).
                hours = Fraction(int(hours * 100 + Fraction(1, 2)), 100)
            sd = parse_date(r.get("start_date"), epoch1904)
            ld = parse_date(r.get("leave_date"), epoch1904)
            if hours is None or hours <= 0:
                raise Bad("hours")
            if not a:
                raise Bad("assignment")
        except Bad:
            my_skips.add(key)
            continue
        if a in staff:
            my_skips.add(key)  # DAT005 duplicate, first kept
            continue
        if key in skipped:
            continue
        staff[a] = dict(
            assignment=a,
            group=text(r["staff_group"]).upper(),
            cc=text(r["cost_centre"]),
            hours=hours,
            start=sd,
            leave=ld,
            row=r["_row"],
        )

    # ------------------------------------------------ Shifts
    shift_rows, _ = read_sheet(wb, "Shifts", ["assignment", "date", "start", "end", "site", "shift_type"], [])
    shifts = defaultdict(list)
    for r in shift_rows:
        key = ("Shifts", r["_row"])
        a = text(r["assignment"])
        try:
            d = parse_date(r["date"], epoch1904)
            if d is None:
                raise Bad("date")
        except Bad:
            my_skips.add(key)
            continue
        if a not in staff:
            my_skips.add(key)
            continue
        if key in skipped:
            continue
        shifts[a].append(d)
    for a in shifts:
        shifts[a].sort()

    # ------------------------------------------------ Absences
    abs_rows, abs_cols = read_sheet(
        wb, "Absences", ["assignment", "start_date", "end_date", "absence_type"],
        ["hours", "certificate", "sickness_reason", "rtw_date"],
    )
    has_rtw = "rtw_date" in abs_cols
    type_alias = {}
    for code, names in CFG["columns"].get("absence_types", {}).items():
        for n in names:
            type_alias[norm(n)] = code
    sick = defaultdict(list)
    for r in abs_rows:
        key = ("Absences", r["_row"])
        a = text(r["assignment"])
        try:
            s = parse_date(r["start_date"], epoch1904)
            e = parse_date(r["end_date"], epoch1904)
            if s is None or e is None or e < s:
                raise Bad("dates")
        except Bad:
            my_skips.add(key)
            continue
        t = text(r["absence_type"])
        code = type_alias.get(norm(t), t.upper())
        if a not in staff:
            my_skips.add(key)
            continue
        if key in skipped:
            continue
        if code != "SICKNESS":
            continue
        rtw = None
        rtw_bad = False
        if has_rtw:
            try:
                rtw = parse_date(r.get("rtw_date"), epoch1904)
            except Bad:
                rtw_bad = True
        reason = r.get("sickness_reason")
        reason = text(reason) if isinstance(reason, str) else (text(reason) if reason is not None else "")
        sick[a].append(dict(start=s, end=e, rtw=rtw, rtw_bad=rtw_bad, reason=reason, row=r["_row"]))

    # compare my own skip set with payrun's (roster sheets read here)
    payrun_sk = {k for k in skipped if k[0] in ("Staff", "Shifts", "Absences")}
    if my_skips - payrun_sk:
        notes.append(f"rows I would skip but payrun kept: {sorted(my_skips - payrun_sk)}")
    if payrun_sk - my_skips:
        notes.append(f"rows payrun skipped that my own parse kept (excluded per exceptions.csv): {sorted(payrun_sk - my_skips)}")

    # ------------------------------------------------ episodes
    episodes = []
    for a, rows in sick.items():
        rows.sort(key=lambda x: (x["start"], x["end"]))
        cur = None
        for r in rows:
            if cur and r["start"] <= cur["end"] + dt.timedelta(days=1):
                cur["rows"].append(r)
                cur["end"] = max(cur["end"], r["end"])
            else:
                cur = dict(assignment=a, start=r["start"], end=r["end"], rows=[r])
                episodes.append(cur)
    for ep in episodes:
        rows = ep["rows"]  # sorted by (start, end)
        first = rows[0]
        last = None
        for r in rows:  # latest end; the later in (start, end) order on a tie
            if last is None or r["end"] >= last["end"]:
                last = r
        ep["reason"] = first["reason"] or "(not recorded)"
        ep["wd"] = working_days_between(ep["start"], ep["end"])
        ep["long"] = ep["wd"] > CFG["long_days"]
        st = staff[ep["assignment"]]
        # day of return
        ret = None
        for d in shifts.get(ep["assignment"], []):
            if ep["end"] < d <= ep["end"] + dt.timedelta(days=14):
                ret = d
                break
        ep["ret_from_shift"] = ret is not None
        if ret is None:
            ret = first_working_day_after(ep["end"])
        ep["ret"] = ret
        ep["rtw"] = last["rtw"]
        ep["recorded"] = last["rtw"] is not None and last["rtw"] > ep["end"]
        ep["deadline"] = nth_working_day_after(ret, CFG["rtw_days"])
        ep["on_time"] = ep["recorded"] and last["rtw"] <= ep["deadline"]

    def employed(st, d):
        return (st["start"] is None or st["start"] <= d) and (st["leave"] is None or d <= st["leave"])

    # ------------------------------------------------ aggregate
    ft = CFG["full_time"]
    groups = defaultdict(lambda: dict(head=0, fte=Fraction(0), avail=Fraction(0), lost=Fraction(0),
                                      ls=Fraction(0), ll=Fraction(0), eps=0, epl=0, ret=0, rec=0, ont=0))
    for a, st in staff.items():
        days = sum(1 for d in m_days if employed(st, d))
        if days == 0:
            continue
        g = groups[(st["cc"], st["group"])]
        fte = st["hours"] / ft
        st["fte"] = fte
        g["head"] += 1
        g["fte"] += fte
        g["avail"] += days * fte
    reasons = defaultdict(lambda: dict(eps=0, lost=Fraction(0)))
    sck004 = []
    ep_detail = []
    for ep in episodes:
        st = staff[ep["assignment"]]
        if not any(employed(st, d) for d in m_days):
            # not counted at all (no group)
            continue
        g = groups[(st["cc"], st["group"])]
        sdays = [d for d in m_days if ep["start"] <= d <= ep["end"] and employed(st, d)]
        fte = st["fte"]
        if sdays:
            lost = len(sdays) * fte
            g["lost"] += lost
            if ep["long"]:
                g["ll"] += lost
                g["epl"] += 1
            else:
                g["ls"] += lost
            g["eps"] += 1
            reasons[ep["reason"]]["eps"] += 1
            reasons[ep["reason"]]["lost"] += lost
        returns = m_start <= ep["ret"] <= m_end and employed(st, ep["ret"])
        if returns:
            g["ret"] += 1
            if ep["recorded"]:
                g["rec"] += 1
                if ep["on_time"]:
                    g["ont"] += 1
            if has_rtw and (not ep["recorded"] or ep["rtw"] > ep["deadline"]):
                sck004.append(ep)
        ep_detail.append(dict(ep, sdays=len(sdays), returns=returns))

    header = ["organisation", "period", "month", "cost_centre", "staff_group", "headcount", "fte",
              "fte_days_available", "fte_days_lost", "fte_days_lost_short", "fte_days_lost_long", "rate",
              "rate_short", "rate_long", "episodes", "episodes_long", "returns", "rtw_recorded", "rtw_on_time"]

    def row_of(cc, sg, g):
        return [org, period, month, cc, sg, str(g["head"]), round_half_up_2(g["fte"]),
                round_half_up_2(g["avail"]), round_half_up_2(g["lost"]), round_half_up_2(g["ls"]),
                round_half_up_2(g["ll"]), round_half_up_2(100 * g["lost"] / g["avail"]),
                round_half_up_2(100 * g["ls"] / g["avail"]), round_half_up_2(100 * g["ll"] / g["avail"]),
                str(g["eps"]), str(g["epl"]),
                str(g["ret"]) if has_rtw else "", str(g["rec"]) if has_rtw else "",
                str(g["ont"]) if has_rtw else ""]

    out_rows = []
    tot = dict(head=0, fte=Fraction(0), avail=Fraction(0), lost=Fraction(0), ls=Fraction(0), ll=Fraction(0),
               eps=0, epl=0, ret=0, rec=0, ont=0)
    for (cc, sg) in sorted(groups):
        g = groups[(cc, sg)]
        if g["avail"] == 0:
            continue
        out_rows.append(row_of(cc, sg, g))
        for k in tot:
            tot[k] += g[k]
    if tot["avail"]:
        out_rows.append(row_of("(all)", "(all)", tot))
    with open(os.path.join(my_out, "absence.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(out_rows)

    total_lost = tot["lost"]
    rr = sorted(reasons.items(), key=lambda kv: (-kv[1]["lost"], kv[0]))
    with open(os.path.join(my_out, "absence-reasons.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["organisation", "period", "month", "reason", "episodes", "fte_days_lost", "share"])
        for reason, v in rr:
            share = round_half_up_2(100 * v["lost"] / total_lost) if total_lost else ""
            w.writerow([org, period, month, reason, v["eps"], round_half_up_2(v["lost"]), share])

    with open(os.path.join(my_out, "sck004.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["assignment", "episode_start", "episode_end", "day_of_return", "rtw_date", "kind",
                    "working_days_late"])
        for ep in sorted(sck004, key=lambda e: (e["assignment"], e["start"])):
            kind = "not_recorded" if not ep["recorded"] else "late"
            late = ""
            if ep["recorded"]:
                late = str(working_days_between(ep["ret"] + dt.timedelta(days=1), ep["rtw"]))
            w.writerow([ep["assignment"], ep["start"], ep["end"], ep["ret"], ep["rtw"] or "", kind, late])

    with open(os.path.join(my_out, "episodes.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["assignment", "start", "end", "rows", "working_days", "long", "sick_days_in_M",
                    "day_of_return", "from_shift", "returns_in_M", "rtw", "recorded", "deadline", "on_time",
                    "reason"])
        for e in sorted(ep_detail, key=lambda e: (e["assignment"], e["start"])):
            w.writerow([e["assignment"], e["start"], e["end"], ";".join(str(r["row"]) for r in e["rows"]),
                        e["wd"], e["long"], e["sdays"], e["ret"], e["ret_from_shift"], e["returns"],
                        e["rtw"] or "", e["recorded"], e["deadline"], e["on_time"], e["reason"]])

    with open(os.path.join(my_out, "notes.txt"), "w") as f:
        f.write(f"has_rtw_column={has_rtw}\nkept bad cells: {kept_bad_cells}\n")
        for n in notes:
            f.write(n + "\n")
    print(f"{period}: {len(out_rows)} absence rows, {len(rr)} reason rows, {len(sck004)} SCK004; out {my_out}")
    for n in notes:
        print("NOTE", n)


if __name__ == "__main__":
    main()
