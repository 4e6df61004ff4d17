"""Edge-case roster for period 2025-06 (M = May 2025, bank holidays 5 and 26 May):
the generated sample plus hand-made staff T01..T30 exercising §10's corner cases."""
import sys, datetime as dt, openpyxl
src, dst = sys.argv[1], sys.argv[2]
drop_rtw = len(sys.argv) > 3 and sys.argv[3] == "--no-rtw"
D = lambda s: dt.datetime.strptime(s, "%Y-%m-%d")
wb = openpyxl.load_workbook(src)
st, sh, ab = wb["Staff"], wb["Shifts"], wb["Absences"]
template = [c.value for c in st[4]]
staff = {}  # id -> (cc, group, hours, start, leave)
def person(n, cc, grp, hours, start=None, leave=None):
    a = f"T{n:02d}"
    row = list(template)
    row[0], row[1], row[3], row[7], row[9] = a, f"Test {a}", grp, hours, cc
    row[11] = D(start) if start else None
    row[12] = D(leave) if leave else None
    st.append(row)
    for c in (11, 12, 13):
        st.cell(row=st.max_row, column=c).number_format = "dd/mm/yyyy"
    staff[a] = True
    return a
def sick(a, s, e, reason=None, rtw=None, typ="SICKNESS"):
    ab.append([a, D(s), D(e), typ, None, "SELF", reason, D(rtw) if isinstance(rtw, str) and rtw[:2] == "20" else rtw])
    for c in (2, 3, 8):
        ab.cell(row=ab.max_row, column=c).number_format = "dd/mm/yyyy"
def shift(a, d):
    sh.append([a, D(d), dt.time(9, 0), dt.time(17, 0), "DRI", "DAY"])
    sh.cell(row=sh.max_row, column=2).number_format = "dd/mm/yyyy"

R = "S98 Other known causes - not elsewhere classified"
# long-term spanning months, no shift after -> first working day
a = person(1, "ZZ01", "AFC", 37.5); sick(a, "2025-04-07", "2025-05-09", R, "2025-05-12")
# tie on end_date: last row = (05-08..05-09), blank rtw -> not recorded; first row reason trimmed
a = person(2, "ZZ01", "AFC", 12.5); sick(a, "2025-05-06", "2025-05-09", "  S11 Back Problems  ", "2025-05-12"); sick(a, "2025-05-08", "2025-05-09", "S10 other", None)
# starter mid-month, sickness partly before start
a = person(3, "ZZ01", "AFC", 30, start="2025-05-15"); sick(a, "2025-05-10", "2025-05-20", R, "2025-05-21")
# leaver: return 05-27 after leaving (26 May BH)
a = person(4, "ZZ01", "AFC", 37.5, leave="2025-05-20"); sick(a, "2025-05-19", "2025-05-23", R, None)
# episode before M, return 1 May, interview on the 5th working day (5 May BH) -> on time
a = person(5, "ZZ01", "AFC", 37.5); sick(a, "2025-04-28", "2025-04-30", R, "2025-05-09")
# return from a Sunday shift; interview the 6th working day -> late
a = person(6, "ZZ01", "AFC", 37.5); sick(a, "2025-05-01", "2025-05-02", R, "2025-05-13"); shift(a, "2025-05-04")
# shift at end+15 ignored; rtw == end_date -> not recorded
a = person(7, "ZZ01", "AFC", 37.5); sick(a, "2025-05-12", "2025-05-13", R, "2025-05-13"); shift(a, "2025-05-28")
# ends Saturday 31 May: return 2 June, not in M
a = person(8, "ZZ01", "AFC", 37.5); sick(a, "2025-05-29", "2025-05-31", R, "2025-06-02")
# rtw before end -> not recorded
a = person(9, "ZZ01", "AFC", 37.5); sick(a, "2025-05-20", "2025-05-21", R, "2025-05-15")
# exactly 20 working days (short) / 21 (long)
a = person(10, "ZZ05", "MEDICAL", 37.5); sick(a, "2025-05-01", "2025-05-31", R)
a = person(11, "ZZ05", "MEDICAL", 37.5); sick(a, "2025-04-30", "2025-05-31", R)
# half-up: FTE 0.125 exactly
a = person(12, "ZZ03", "OTHER", 4.6875); sick(a, "2025-05-13", "2025-05-13", "  ", "2025-05-14")
# type written in other case / spacing
a = person(13, "ZZ01", "AFC", 37.5); sick(a, "2025-05-13", "2025-05-13", R, "2025-05-14", typ=" sickness ")
# not employed in M (left before, starts after): no row for ZZ04
a = person(14, "ZZ04", "AFC", 37.5, leave="2025-04-30"); sick(a, "2025-05-06", "2025-05-07", R)
a = person(15, "ZZ04", "AFC", 37.5, start="2025-06-01"); sick(a, "2025-05-06", "2025-05-07", R)
# shift on end_date itself is not "after"
a = person(16, "ZZ01", "AFC", 37.5); sick(a, "2025-05-14", "2025-05-15", R, "2025-05-19"); shift(a, "2025-05-15"); shift(a, "2025-05-17")
# unreadable rtw on the last row
a = person(17, "ZZ01", "AFC", 37.5); sick(a, "2025-05-14", "2025-05-14", R, "2025-05-15"); sick(a, "2025-05-15", "2025-05-16", R, "soon")
# contained row: last row is the outer one
a = person(18, "ZZ01", "AFC", 37.5); sick(a, "2025-05-05", "2025-05-12", "R-first", "2025-05-14"); sick(a, "2025-05-08", "2025-05-09", "R-inner", None)
# two episodes, gap of one day
a = person(19, "ZZ01", "AFC", 37.5); sick(a, "2025-05-06", "2025-05-06", R, "2025-05-07"); sick(a, "2025-05-08", "2025-05-08", R, "2025-05-09")
# touching rows make a long-term episode
a = person(20, "ZZ01", "AFC", 37.5); sick(a, "2025-04-14", "2025-04-30", R, None); sick(a, "2025-05-01", "2025-05-20", R, "2025-05-22")
# 0.625 rate: ZZ02 = 5 x 31 + 5 days available, 1 day lost
for n in (21, 22, 23, 24, 25):
    a = person(n, "ZZ02", "AFC", 37.5); sick(a, "2023-02-01", "2023-02-01")
a = person(26, "ZZ02", "AFC", 37.5, start="2025-05-27"); sick(a, "2025-05-28", "2025-05-28", R, "2025-05-29")
# reasons tie when written: 1/3 day vs 0.33 day
a = person(27, "ZZ06", "AFC", 12.5); sick(a, "2025-05-21", "2025-05-21", "ZR1", "2025-05-22")
a = person(28, "ZZ06", "AFC", 12.375); sick(a, "2025-05-21", "2025-05-21", "ZR0", "2025-05-22")
# rtw on day of return itself; and interview after the next month's... (late by bank holiday 26 May)
a = person(29, "ZZ01", "AFC", 37.5); sick(a, "2025-05-19", "2025-05-19", R, "2025-05-20")
a = person(30, "ZZ01", "AFC", 37.5); sick(a, "2025-05-16", "2025-05-16", R, "2025-05-27")  # return 19, 5th wd = 23 -> late (27 is 2nd wd after 23 because 26 BH)
if drop_rtw:
    # remove RTW Date column (col 8) from Absences
    ab.delete_cols(8)
wb.save(dst)
print("ok", len(staff))
