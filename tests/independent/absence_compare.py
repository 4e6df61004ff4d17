import csv, sys, re
pr, mine = sys.argv[1], sys.argv[2]
def load(p):
    with open(p, newline='', encoding='utf-8-sig') as f:
        return list(csv.reader(f))
total_cells = 0; diffs = 0
for fn, keyn in (("absence.csv", 5), ("absence-reasons.csv", 4)):
    a, b = load(f"{pr}/{fn}"), load(f"{mine}/{fn}")
    if a[0] != b[0]:
        print(fn, "HEADER differs", a[0], b[0])
    hdr = a[0]
    ka = {tuple(r[:keyn]): r for r in a[1:]}; kb = {tuple(r[:keyn]): r for r in b[1:]}
    for k in ka.keys() - kb.keys(): print(fn, "only payrun:", ka[k]); diffs += 1
    for k in kb.keys() - ka.keys(): print(fn, "only mine:", kb[k]); diffs += 1
    # order
    oa = [tuple(r[:keyn]) for r in a[1:] if tuple(r[:keyn]) in kb]
    ob = [tuple(r[:keyn]) for r in b[1:] if tuple(r[:keyn]) in ka]
    if oa != ob: print(fn, "ORDER differs"); diffs += 1
    n = 0
    for i, r in enumerate(a[1:], start=2):
        k = tuple(r[:keyn])
        if k not in kb: continue
        n += 1
        for j, (x, y) in enumerate(zip(r, kb[k])):
            total_cells += 1
            if x != y:
                diffs += 1
                print(f"{fn} row {i} ({'/'.join(k[3:])}) col {hdr[j]}: payrun={x!r} mine={y!r}")
    print(f"{fn}: payrun rows {len(a)-1}, mine {len(b)-1}, compared {n}")
# SCK004
ex = [r for r in csv.DictReader(open(f"{pr}/exceptions.csv", newline='', encoding='utf-8-sig')) if r['rule'] == 'SCK004']
mine_s = list(csv.DictReader(open(f"{mine}/sck004.csv", newline='')))
def key_pr(r):
    m = re.match(r"sickness (\S+) to (\S+), day of return (\S+): (.*)", r['message'])
    kind = 'not_recorded' if 'no return-to-work' in m[4] else 'late'
    iv = re.search(r"interview on (\S+), (\d+) working days", m[4])
    return (r['assignment'], m[1], m[2], m[3], kind, iv[1] if iv else '', iv[2] if iv else '')
kp = sorted(key_pr(r) for r in ex)
km = sorted((r['assignment'], r['episode_start'], r['episode_end'], r['day_of_return'], r['kind'],
             r['rtw_date'] if r['kind']=='late' else '', r['working_days_late']) for r in mine_s)
print(f"SCK004: payrun {len(kp)}, mine {len(km)}")
for x in sorted(set(kp) - set(km)): print("SCK004 only payrun:", x); diffs += 1
for x in sorted(set(km) - set(kp)): print("SCK004 only mine:", x); diffs += 1
for r in ex:
    if r['severity'] != 'WARNING': print("SCK004 severity", r['severity']); diffs += 1
print("cells compared", total_cells, "differences", diffs)
sys.exit(1 if diffs else 0)
