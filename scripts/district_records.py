"""The demo district's historic records as an import workbook: scripts/district_records.xlsx.

    .venv/bin/python scripts/district_records.py [--as-of 2026-11-30] [--seed 2020] [--out scripts/district_records.xlsx]

In the seed platform's proportions (rules.md, "What the district reported"): 107 people and 208
records since 2018.  Most people of a case have two records, the party decision of the 纪委
(东纪发) and the government one of the 监委 (东监发); a few have one joint decision (东纪发, both
sanctions), only one kind (a non-member, or party only), or a second case inside their first
one's impact period (stacked, 第21条 / 第15条).  What was done is in 执行进度, item by item as the
rule book generates them (services.case.rules.plan_items), each on or before its deadline —
except the defects the review office found: an item done late (投档不及时, 执行不报告…) or never
done (it opens red at once when imported), on about one record in six.  Recent records are
still being executed: their next items are open, on time or near their deadline on ``--as-of``.
Three more rows carry deliberate mistakes (备注 says which), for the import to refuse and the
reviewers to see in 批量导入: a 身份证号 with a wrong check digit, a unit the directory does not
know, and progress out of order.

Deterministic: the same ``--seed`` and ``--as-of`` write the same bytes (the workbook's times
and the zip entries' dates are fixed).  scripts/demo_data.py loads it through POST /imports.
"""
import argparse
import io
import re
import random
import sys
import zipfile
from copy import copy
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from gateway import imports  # noqa: E402
from gateway.seed import DISTRICT_UNITS  # noqa: E402
from services.case import rules  # noqa: E402
from services.case.identity import check_character  # noqa: E402
from services.case.import_format import DECISIONS_SHEET  # noqa: E402
from services.case.rulebook import load_rulebook, rulebook_summary  # noqa: E402

AS_OF = date(2026, 11, 30)
SEED = 2020
OUT = ROOT / "scripts" / "district_records.xlsx"
PEOPLE, RECORDS = 107, 208
FIRST_DAY = date(2018, 1, 2)
RESERVED = {(2026, 31), (2026, 35), (2025, 88)}   # what scripts/demo_data.py walks through

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴孔汤"
GIVEN = ["建国", "秀英", "卫东", "明", "磊", "芳", "浩", "伟", "静", "强", "敏", "军", "丽", "勇", "艳", "杰", "娟", "涛",
         "超", "霞", "平", "刚", "桂英", "文", "华", "红", "志强", "建华", "海燕", "国庆", "晓东", "玉兰", "德明", "春梅",
         "立新", "振华", "永刚", "淑珍", "少华", "建军", "凤英", "宏伟", "雪梅", "长江", "海波", "丽娟", "正华", "金凤"]
# unit -> [(category, post, weight)]
POSTS = {
    "东河区民政局": [("公务员", "科员", 3), ("公务员", "社会救助科科长", 1), ("公务员", "办公室主任", 1),
                ("公务员", "副局长", 1), ("参照公务员法管理", "社会福利中心干部", 1)],
    "东河区教育局": [("事业单位", "中学教师", 3), ("事业单位", "小学校长", 1), ("公务员", "财务科副科长", 1),
                ("事业单位", "幼儿园园长", 1)],
    "东河区人民法院": [("公务员", "审判员", 2), ("公务员", "执行局干部", 2), ("参照公务员法管理", "书记员", 1)],
    "东河区河东街道办事处": [("村(社区)干部", "社区党委书记", 2), ("村(社区)干部", "社区居委会主任", 1),
                     ("公务员", "街道干部", 2), ("其他", "网格员", 1)],
}
UNIT_WEIGHTS = {"东河区民政局": 3, "东河区教育局": 3, "东河区人民法院": 2, "东河区河东街道办事处": 3}
FACTS = ["违规发放津贴补贴", "违规办理低保，收受好处费", "优亲厚友，违规享受低保", "违规有偿补课", "违规公款吃喝",
         "虚报冒领补贴", "违规干预执行案件", "违规收受礼品礼金", "工作失职，造成国有资产损失", "违规操办婚丧喜庆事宜",
         "利用职务便利为他人谋取利益", "违规使用公务用车", "套取专项资金", "在招标中违规操作"]
# party type -> the government sanction of the same case (a party member's case has both)
PAIRS = [("警告", "警告", 6), ("警告", "记过", 6), ("严重警告", "记过", 6), ("严重警告", "记大过", 4),
         ("撤销党内职务", "降级", 2), ("撤销党内职务", "撤职", 2), ("留党察看", "撤职", 3), ("开除党籍", "开除", 1)]
LONE_GOVERNMENT = [("警告", 3), ("记过", 3), ("记大过", 1)]
DEMOCRATIC = ["民盟", "九三学社", "民进", "致公党"]


def weighted(rng, pairs):
    choices, weights = zip(*[(p[:-1] if len(p) > 2 else p[0], p[-1]) for p in pairs])
    return rng.choices(choices, weights=weights)[0]


def id_number(rng, birth, male, used):
    while True:
        body = f"320102{birth:%Y%m%d}{rng.randint(10, 99)}{rng.choice('13579' if male else '02468')}"
        full = body + check_character(body)
        if full not in used:
            used.add(full)
            return full


def case_day(rng, as_of):
    """A weekday: three in five in 2018–2020 (the batches of the go-live), then fewer each year."""
    span = rng.choices([(FIRST_DAY, date(2020, 12, 31)), (date(2021, 1, 1), date(2024, 12, 31)),
                        (date(2025, 1, 1), as_of - timedelta(days=3))], weights=[6, 3, 1])[0]
    while True:
        day = span[0] + timedelta(days=rng.randint(0, (span[1] - span[0]).days))
        if day.weekday() < 5:
            return day


class District:
    def __init__(self, seed=SEED, as_of=AS_OF, rulebook=ROOT / "services/case/rulebook.yaml"):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.book = load_rulebook(rulebook)
        self.names = {rule.code: rule.name for rule in self.book.items}
        self.used_ids, self.used_names = set(), set()
        self.people, self.cases = [], []          # cases: (person, day, [(kind, type, months)], joint)

    # -- people and their cases ------------------------------------------------------------------
    def person(self, name=None, unit=None, status="中共党员", party=None, category=None, post=None, male=None):
        rng = self.rng
        unit = unit or weighted(rng, list(UNIT_WEIGHTS.items()))
        if category is None:
            category, post_of = weighted(rng, POSTS[unit])
            post = post or post_of
        male = rng.random() < 0.7 if male is None else male
        while name is None or name in self.used_names:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        self.used_names.add(name)
        birth = date(1965, 1, 1) + timedelta(days=rng.randint(0, 27 * 365))
        who = {"name": name, "id_number": id_number(rng, birth, male, self.used_ids), "gender": "男" if male else "女",
               "unit": unit, "post": post or "科员", "political_status": status, "democratic_party": party,
               "category": category}
        self.people.append(who)
        return who

    def build(self):
        rng = self.rng
        # The decisions scripts/demo_data.py walks through (its reports and reviews, its reform
        # cases): joint decisions, nothing done yet.
        wang = self.person("王建国", "东河区民政局", category="公务员", post="社会救助科科长", male=True)
        li = self.person("李秀英", "东河区教育局", category="公务员", post="财务科副科长", male=False)
        liu = self.person("刘芳", "东河区民政局", category="公务员", post="办公室主任", male=False)
        self.cases.append((wang, self.as_of - timedelta(days=40), [("party", "留党察看", 12), ("government", "撤职", None)],
                           "joint", {"gains": ("12000.00", "收缴"), "org": ["免职"], "letters": ["纪检监察建议书"],
                                     "facts": "违规办理低保，收受好处费。", "doc": (2026, 31), "untouched": True}))
        self.cases.append((li, self.as_of - timedelta(days=27), [("party", "严重警告", None), ("government", "记过", None)],
                           "joint", {"facts": "违规发放津贴补贴。", "doc": (2026, 35), "untouched": True}))
        self.cases.append((liu, self.as_of - timedelta(days=330), [("party", "撤销党内职务", None),
                                                                     ("government", "降级", None)],
                           "joint", {"org": ["调整职务"], "facts": "违规公款吃喝。", "doc": (2025, 88), "untouched": True}))
        for _ in range(93):                                 # party and government decisions of one case
            who = self.person()
            party, government = weighted(rng, PAIRS)
            self.cases.append((who, case_day(rng, self.as_of), self._pair(party, government), "pair", self._extras()))
        for _ in range(4):                                  # party only
            who = self.person()
            self.cases.append((who, case_day(rng, self.as_of), [("party", rng.choice(["警告", "严重警告"]), None)],
                               "party", self._extras()))
        for n in range(4):                                  # not party members: government only
            status, party = ("民主党派", DEMOCRATIC[n]) if n < 2 else ("群众", None)
            who = self.person(status=status, party=party)
            self.cases.append((who, case_day(rng, self.as_of), [("government", weighted(rng, LONE_GOVERNMENT), None)],
                               "government", self._extras()))
        for second in ("pair", "pair", "party"):            # a second case inside the first's periods
            who = self.person()
            first = date(2019, 1, 7) + timedelta(days=rng.randint(0, 500))
            while first.weekday() >= 5:
                first += timedelta(days=1)
            later = first + timedelta(days=rng.randint(120, 300))
            while later.weekday() >= 5:
                later += timedelta(days=1)
            self.cases.append((who, first, self._pair("警告", "记过"), "pair", self._extras()))
            kinds = self._pair("严重警告", "记大过") if second == "pair" else [("party", "严重警告", None)]
            self.cases.append((who, later, kinds, second, self._extras()))
        return self

    def _pair(self, party, government):
        months = self.rng.choice([12, 24]) if party == "留党察看" else None
        return [("party", party, months), ("government", government, None)]

    def _extras(self):
        rng = self.rng
        extras = {"facts": rng.choice(FACTS) + "。"}
        if rng.random() < 0.25:
            extras["gains"] = (f"{rng.randint(8, 600) * 100}.00", rng.choice(["收缴", "责令退赔", "退赔"]))
        if rng.random() < 0.15:
            extras["org"] = [rng.choice(["免职", "调整职务", "降职"])]
        if rng.random() < 0.2:
            extras["letters"] = ["纪检监察建议书"]
        return extras

    # -- the records and what was done -------------------------------------------------------------
    def records(self):
        """``(rows, progress)`` in the import's fields, oldest first, 文号 numbered per year."""
        entries = []
        for who, day, sanctions, shape, extras in self.cases:
            if shape == "pair":
                party = [s for s in sanctions if s[0] == "party"]
                government = [s for s in sanctions if s[0] == "government"]
                entries.append((day, who, party, "东纪发", "东河区纪委", extras))
                entries.append((day, who, government, "东监发", "东河区监委", {"facts": extras["facts"]}))
            elif shape == "government":
                entries.append((day, who, sanctions, "东监发", "东河区监委", extras))
            else:
                entries.append((day, who, sanctions, "东纪发", "东河区纪委监委" if shape == "joint" else "东河区纪委",
                                extras))
        entries.sort(key=lambda e: (e[0], e[3], e[1]["id_number"]))
        numbers, rows, progress, running = {}, [], [], {}
        for day, who, sanctions, prefix, organ, extras in entries:
            year = day.year
            doc_year, doc_n = extras.get("doc") or (year, None)
            if doc_n is None:
                doc_n = numbers.get((prefix, year), 0) + 1
                while (year, doc_n) in RESERVED and prefix == "东纪发":
                    doc_n += 1
                numbers[(prefix, year)] = doc_n
            doc = f"{prefix}〔{doc_year}〕{doc_n}号"
            row = {"person.name": who["name"], "person.id_number": who["id_number"], "person.gender": who["gender"],
                   "person.unit_id": who["unit"], "person.post": who["post"],
                   "person.political_status": who["political_status"],
                   "person.democratic_party": who["democratic_party"], "person.category": who["category"],
                   "doc_number": doc, "decided_by": organ, "decision_date": day, "facts": extras.get("facts")}
            for kind, type_, months in sanctions:
                row[f"sanctions.{kind}.type"] = type_
                if months:
                    row[f"sanctions.{kind}.months"] = months
            if extras.get("gains"):
                row["illicit_gains.amount"], row["illicit_gains.disposition"] = extras["gains"]
            if extras.get("org"):
                row["org_handling"] = extras["org"]
            if extras.get("letters"):
                row["letters"] = extras["letters"]
            rows.append(row)
            plans = self._plans(who, day, sanctions, extras, running)
            if not extras.get("untouched"):
                progress.extend(self._executed(doc, day, plans))
        return rows, progress

    def _plans(self, who, day, sanctions, extras, running):
        """The items the platform generates for this decision (its planner), periods stacked on
        the person's earlier ones as a registration stacks them."""
        ours = tuple(rules.Sanction(kind, type_, months) for kind, type_, months in sanctions)
        earlier = [p for p in running.get(who["id_number"], ()) if p.ends_on > day]
        periods = rules.impact_periods(self.book, day, ours, earlier)
        running.setdefault(who["id_number"], []).extend(periods)
        facts = rules.Facts(decision_date=day, sanctions=ours, political_status=who["political_status"],
                            category=who["category"], illicit_gains=bool(extras.get("gains")),
                            org_handling=bool(extras.get("org")), letters=bool(extras.get("letters")),
                            periods=periods, settings=self.book.settings)
        return rules.plan_items(self.book, facts)

    def _executed(self, doc, day, plans):
        """Each item done in the rule book's order, on time — or late, or never (the defects) —
        up to ``as_of``; what could not be done by then is left for the platform to open.  A
        decision of the last half year is still under way: a few of its first items done."""
        rng = self.rng
        age = (self.as_of - day).days
        under_way = rng.randint(0, 4) if age < 180 else None
        defect = age > 400 and rng.random() < 0.17
        late_code = rng.choice(["ARCHIVE", "REPORT", "TREATMENT", "COPY", "ASSETS", "LETTERS"]) if defect else None
        never_code = rng.choice(["REPORT", "EDU_VISIT", "RATING"]) if defect and rng.random() < 0.35 else None
        done, entries = {}, []
        for plan in plans:
            if plan.code == never_code or (under_way is not None and len(done) >= under_way):
                continue
            before = [done.get(p.seq) for p in plans if p.code in plan.after]
            if any(on is None for on in before):
                continue                                  # what it awaits was not done
            earliest = max([day + timedelta(days=1), plan.opens_on or day, *before])
            if plan.code == late_code and not plan.time_gated:
                on = max(earliest, plan.due_date + timedelta(days=rng.randint(4, 45)))
            else:
                latest = max(earliest, plan.due_date - timedelta(days=1))
                on = earliest + timedelta(days=rng.randint(0, min((latest - earliest).days, 25)))
            if on > self.as_of:
                continue
            done[plan.seq] = on
            entries.append({"doc_number": doc, "item": self.names[plan.code], "cycle": plan.cycle, "performed_on": on})
        return entries

    # -- the deliberate mistakes -------------------------------------------------------------------
    def mistakes(self):
        """Three rows for the import to refuse (备注 says why), and their progress."""
        rng = self.rng
        day = date(2019, 6, 12)
        wrong = self.person("钱立新", "东河区民政局", category="公务员", post="科员", male=True)
        wrong_id = wrong["id_number"][:-1] + ("1" if wrong["id_number"][-1] != "1" else "2")
        unknown = self.person("孙海波", "东河区民政局", category="公务员", post="科员", male=True)
        disorder = self.person("吴雪梅", "东河区教育局", category="事业单位", post="中学教师", male=False)
        base = {"person.political_status": "中共党员", "decided_by": "东河区纪委", "decision_date": day,
                "sanctions.party.type": "警告", "facts": rng.choice(FACTS) + "。"}
        rows = [{**base, **self._who(wrong), "person.id_number": wrong_id, "doc_number": "东纪发〔2019〕901号"},
                {**base, **self._who(unknown), "person.unit_id": "东河区水务局", "doc_number": "东纪发〔2019〕902号"},
                {**base, **self._who(disorder), "doc_number": "东纪发〔2019〕903号"}]
        notes = ["示范：身份证号末位校验码有误，导入时报错", "示范：所在单位在系统中不存在，导入时报错",
                 "示范：执行进度中宣布早于送达，导入时报错"]
        progress = [{"doc_number": "东纪发〔2019〕903号", "item": self.names["SERVE"], "performed_on": day + timedelta(days=9)},
                    {"doc_number": "东纪发〔2019〕903号", "item": self.names["ANNOUNCE"], "performed_on": day + timedelta(days=4)}]
        self.people = [p for p in self.people if p not in (wrong, unknown, disorder)]
        return rows, notes, progress

    @staticmethod
    def _who(person):
        return {"person.name": person["name"], "person.id_number": person["id_number"],
                "person.gender": person["gender"], "person.unit_id": person["unit"], "person.post": person["post"],
                "person.category": person["category"]}


def vocabulary(rulebook=ROOT / "services/case/rulebook.yaml"):
    units = [SimpleNamespace(id=n, name=u["name"], kind=u["kind"]) for n, u in enumerate(DISTRICT_UNITS, start=1)]
    return imports.Vocabulary.of(rulebook_summary(load_rulebook(rulebook)), units)


def build(seed=SEED, as_of=AS_OF):
    """The workbook's bytes, the same for the same seed and day."""
    district = District(seed, as_of).build()
    rows, progress = district.records()
    assert len(district.people) == PEOPLE and len(rows) == RECORDS, (len(district.people), len(rows))
    bad_rows, notes, bad_progress = district.mistakes()
    content = imports.template_bytes(vocabulary(), rows + bad_rows, progress + bad_progress, sample=False)
    return _stamped(_with_notes(content, len(rows), notes), as_of)


def _with_notes(content, first_bad, notes):
    """A 备注 column (the import reads none of it) saying what is wrong with the mistaken rows."""
    book = load_workbook(io.BytesIO(content))
    ws = book[DECISIONS_SHEET]
    column = ws.max_column + 1
    ws.cell(row=1, column=column, value="备注").font = copy(ws.cell(row=1, column=1).font)
    ws.cell(row=1, column=column).fill = copy(ws.cell(row=1, column=1).fill)
    ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = 40
    for offset, note in enumerate(notes):
        ws.cell(row=2 + first_bad + offset, column=column, value=note)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stamped(content, as_of):
    """The workbook with its own times and every zip entry's date fixed (openpyxl writes now)."""
    moment = datetime.combine(as_of, datetime.min.time())
    book = load_workbook(io.BytesIO(content))
    book.properties.created = book.properties.modified = moment
    book.properties.creator = book.properties.lastModifiedBy = "东河区纪委监委案件审理室"
    book.properties.title = "东河区历史处分决定执行记录"
    raw = io.BytesIO()
    book.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _fixed_core(data, moment)
            stamp = zipfile.ZipInfo(entry.filename, date_time=(as_of.year, as_of.month, as_of.day, 0, 0, 0))
            stamp.compress_type = zipfile.ZIP_DEFLATED
            stamp.external_attr = entry.external_attr
            out.writestr(stamp, data)
    return fixed.getvalue()


def _fixed_core(data, moment):
    """openpyxl stamps dcterms:modified with the time of saving whatever it is told."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", data)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF,
                        help="the day the records run to (decisions, what was done by then)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    content = build(args.seed, args.as_of)
    args.out.write_bytes(content)
    print(f"{args.out}: {RECORDS} records of {PEOPLE} people since {FIRST_DAY.year}, and 3 rows with mistakes "
          f"(as of {args.as_of}, seed {args.seed}; {len(content)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
