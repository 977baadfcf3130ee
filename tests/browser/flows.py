"""The day's work in the browser, one function per flow (run by tests/browser/driver.py).

Each takes the Browser and what the test prepared over HTTP, and returns what the test checks
on the server afterwards.  Passwords are the e2e fixture's: ``<username>-pw-123``.
"""
import re
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.driver import PHONE

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ENGLISH = re.compile(r"\b(None|null|undefined|NaN|true|false|SERVE|ANNOUNCE|COPY|ARCHIVE|locked|open|submitted|approved|rejected|executing|reviewer|operator|partner)\b")


def pw(username):
    return f"{username}-pw-123"


def no_codes(tab):
    """What the page shows a user carries no code, id or English word of the API."""
    text = tab.page.locator("#app").inner_text()
    found = ENGLISH.findall(text) + re.findall(r"#\d+", text)
    assert not found, f"codes on the page: {found}"


def register(browser, doc_number, name, id_number):
    with browser.tab("shen", pw("shen")) as tab:
        tab.go("/decisions/new")
        expect(tab.page.locator(".page-title")).to_have_text("登记处分决定")
        tab.page.get_by_role("button", name="登记").click()
        # Every problem at once, in plain Chinese.
        expect(tab.error_of("姓名")).to_have_text("请填写姓名")
        expect(tab.error_of("所在单位（主体责任部门）")).to_have_text("请选择所在单位")
        expect(tab.page.locator(".form-summary")).to_contain_text("还有")
        expect(tab.page.get_by_text("请至少选择一项处分（党纪处分或政务处分）", exact=True)).to_be_visible()
        tab.shot("1-empty-form")
        no_codes(tab)
        tab.fill("姓名", name)
        tab.fill("公民身份号码", id_number)
        tab.page.get_by_role("radio", name="男").check(force=True)
        tab.select("所在单位（主体责任部门）", "东河区民政局")
        tab.fill("职务", "科员")
        tab.select("人员类别", "公务员")
        tab.select("政治面貌", "中共党员")
        tab.fill("决定文号", doc_number)
        tab.fill("作出决定机关", "东河区纪委监委")
        tab.date("决定日期", "2026-05-20")
        tab.select("党纪处分", "留党察看")
        tab.select("留党察看期限", "12个月")
        tab.select("政务处分", "撤职")
        tab.page.get_by_role("button", name="登记").click()
        expect(tab.page.locator(".page-title")).to_have_text(f"{name} · {doc_number}")
        expect(tab.page.locator(".items-timeline")).to_contain_text("1. 送达")
        tab.shot("2-decision")
        no_codes(tab)
        decision_id = int(re.search(r"/decisions/(\d+)", tab.page.url).group(1))
        # The print view of the 执行记实表.
        tab.page.evaluate("window.print = () => {}")
        tab.page.get_by_role("button", name="打印执行记实表").click()
        expect(tab.page.locator(".record-items tbody tr").first).to_contain_text("送达")
        tab.page.emulate_media(media="print")
        expect(tab.page.locator(".print-record")).to_be_visible()
        expect(tab.page.locator(".items-timeline")).to_be_hidden()
        tab.shot("3-print-record")
    return {"decision_id": decision_id}


def report_reject_resubmit_approve(browser, item_id, decision_id):
    with browser.tab("min", pw("min")) as operator:
        operator.go(f"/items/{item_id}")
        expect(operator.page.locator(".page-title")).to_have_text("1. 送达")
        operator.page.get_by_role("button", name="上报", exact=True).click()
        expect(operator.error_of("办理日期")).to_have_text("请选择办理日期")
        expect(operator.error_of("送达日期")).to_have_text("请选择送达日期")
        expect(operator.error_of("送达对象（本人及所在单位）")).to_have_text("请填写送达对象（本人及所在单位）")
        operator.date("办理日期", "2026-06-01")
        operator.date("送达日期", "2026-06-01")
        operator.fill("送达对象（本人及所在单位）", "王建国、东河区民政局")
        operator.item("本人已签收回执").locator(".el-switch").click()
        with tempfile.TemporaryDirectory() as folder:
            receipt = Path(folder) / "送达回证.pdf"
            receipt.write_bytes(PDF)
            operator.page.locator(".uploader input[type=file]").set_input_files(str(receipt))
            expect(operator.page.locator(".uploader .el-upload-list__item.is-success")).to_contain_text("送达回证.pdf")
        operator.shot("1-report-form")
        operator.page.get_by_role("button", name="上报", exact=True).click()
        expect(operator.page.locator(".page-head .el-tag").first).to_have_text("待审核")
        operator.shot("2-reported")
        no_codes(operator)

    with browser.tab("shen", pw("shen")) as reviewer:
        reviewer.go("/queue")
        expect(reviewer.page.locator(".el-table__row").first).to_contain_text("送达")
        reviewer.shot("3-queue")
        no_codes(reviewer)
        reviewer.page.locator(".el-table__row").first.get_by_role("button", name="审核").click()
        expect(reviewer.page.locator(".review-panel")).to_be_visible()
        expect(reviewer.page.locator(".review-panel .attachment-link")).to_have_text("送达回证.pdf")
        with reviewer.page.expect_download() as download:
            reviewer.page.locator(".review-panel .attachment-link").click()
        assert download.value.suggested_filename == "送达回证.pdf"
        reject = reviewer.page.locator(".reject-form")
        reject.get_by_role("button", name="驳回").click()
        expect(reviewer.error_of("问题类别", reject)).to_have_text("请选择问题类别")
        expect(reviewer.error_of("整改要求", reject)).to_have_text("请填写整改要求")
        expect(reviewer.error_of("整改期限", reject)).to_have_text("请选择整改期限")
        reviewer.shot("4-reject-form-flagged")
        reviewer.select("问题类别", "送达部门遗漏", reject)
        reviewer.date("整改期限", "2026-06-25", reject)
        reviewer.fill("整改要求", "补充加盖单位公章的送达回证", reject)
        reject.get_by_role("button", name="驳回").click()
        reviewer.confirm()
        reviewer.message("已驳回")
        expect(reviewer.page.locator(".page-head .el-tag").first).to_have_text("已驳回")

    with browser.tab("min", pw("min")) as operator:
        operator.go(f"/items/{item_id}")
        requirement = operator.page.locator(".requirement")
        expect(requirement).to_contain_text("送达部门遗漏")
        expect(requirement).to_contain_text("补充加盖单位公章的送达回证")
        # The last round's values are carried into the new one.
        expect(operator.item("送达对象（本人及所在单位）").locator("input")).to_have_value("王建国、东河区民政局")
        expect(operator.item("办理日期").locator("input")).to_have_value("2026-06-01")
        expect(operator.page.locator(".uploader .el-upload-list__item")).to_contain_text("送达回证.pdf")
        operator.item("加盖单位公章").locator(".el-switch").click()
        expect(operator.item("加盖单位公章")).to_have_class(re.compile(r"\bchanged\b"))
        expect(operator.item("加盖单位公章")).to_contain_text("已修改（上一轮：否）")
        operator.shot("5-resubmit-prefilled")
        no_codes(operator)
        operator.page.get_by_role("button", name="整改后重新上报").click()
        expect(operator.page.locator(".page-head .el-tag").first).to_have_text("待审核")

    with browser.tab("shen", pw("shen")) as reviewer:
        reviewer.go(f"/items/{item_id}")
        expect(reviewer.page.locator(".review-panel")).to_contain_text("第 2 轮上报")
        expect(reviewer.page.locator(".review-panel .el-tag").filter(has_text="本轮修改")).to_have_count(1)
        reviewer.page.get_by_role("button", name="审核通过").click()
        reviewer.confirm()
        reviewer.message("已审核通过")
        expect(reviewer.page.locator(".page-head .el-tag").first).to_have_text("已通过")
        reviewer.go(f"/decisions/{decision_id}")
        announce = reviewer.page.locator(".el-timeline-item").filter(has_text="2. 宣布")
        expect(announce).to_contain_text("办理中")
        reviewer.shot("6-announce-open")
    return {}


def partner_acknowledges(browser):
    with browser.tab("zuzhi", pw("zuzhi")) as partner:
        expect(partner.page.locator(".nav-badge")).to_be_visible()        # the unread count on 通知
        partner.shot("1-home")
        partner.go("/notices?filter=waiting")
        card = partner.page.locator(".notice-card.waiting").first
        expect(card).to_contain_text("请配合办理")
        expect(card).not_to_contain_text("。。")
        partner.shot("2-notices")
        no_codes(partner)
        card.locator("textarea").fill("已将处分决定存入本人档案")
        card.get_by_role("button", name="回执").click()
        partner.message("已回执")
        expect(partner.page.locator(".notice-card").first).to_contain_text("已回执")
        partner.shot("3-acknowledged")
    return {}


def leader_charts(browser):
    with browser.tab("lingdao", pw("lingdao")) as leader:
        expect(leader.page.locator(".stat-card").first).to_be_visible()
        leader.shot("1-home")
        leader.go("/stats")
        panels = leader.page.locator(".chart-panel")
        expect(panels).to_have_count(6)
        for title in ("各单位处分决定亮灯情况", "月度纠错率", "各单位按期办结率排名", "执行事项状态分布"):
            expect(panels.filter(has_text=title).locator("canvas").first).to_be_visible()
        leader.shot("2-charts")
        no_codes(leader)
        lights = panels.filter(has_text="各单位处分决定亮灯情况")
        lights.get_by_text("表格").click()
        expect(lights.locator(".el-table")).to_contain_text("东河区民政局")
        with leader.page.expect_download() as download:
            lights.get_by_role("button", name="导出", exact=True).click()
        assert download.value.suggested_filename == "各单位处分决定亮灯情况.csv"
        content = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert content.splitlines()[0] == "单位,红灯,黄灯,绿灯,合计" and "东河区民政局" in content
        ranking = panels.filter(has_text="各单位按期办结率排名")
        ranking.get_by_text("表格").click()
        expect(ranking.locator(".el-table")).to_contain_text("东河区教育局")
        expect(ranking.locator(".el-table")).to_contain_text("100")
        leader.shot("3-chart-table")
        leader.go("/decisions")
        with leader.page.expect_download() as listing:
            leader.page.locator(".page-actions").get_by_role("button", name="导出", exact=True).click()
        assert listing.value.suggested_filename == "处分决定.csv"
        leader.go("/audit")
        expect(leader.page.locator(".el-table__row").first).to_be_visible()
        leader.shot("4-audit")
        no_codes(leader)
        assert "/api/v1" not in leader.page.locator("#app").inner_text()
        # A new tab is signed in too; logging out ends the session in every tab.
        other = leader.page.context.new_page()
        other.goto(f"{leader.base}/#/stats")
        expect(other.locator(".page-title")).to_have_text("统计分析")
        other.close()
        leader.page.get_by_role("button", name="退出").click()
        expect(leader.page.get_by_role("button", name="登录")).to_be_visible()
        expect(leader.page.get_by_text("已退出登录。")).to_be_visible()
        assert leader.page.evaluate("localStorage.getItem('supervision.session')") is None
    return {}


def library_and_template(browser, decision_label):
    with browser.tab("shen", pw("shen")) as reviewer:
        reviewer.go("/library")
        reviewer.page.locator("input[name=q]").fill("宣布 处分决定")
        reviewer.page.get_by_role("button", name="检索").click()
        expect(reviewer.page.locator(".hit mark").first).to_be_visible()
        reviewer.shot("1-search")
        no_codes(reviewer)
        reviewer.page.locator(".hit-title").first.click()
        expect(reviewer.page.locator(".crumbs")).to_contain_text("资料袋")
        crumbs = reviewer.page.locator(".crumbs").inner_text()
        assert re.search(r"(法|条例|规则|规定)", crumbs) and not re.search(r"\b[LPS]\d\d\b", crumbs), crumbs
        reviewer.shot("2-article")
        reviewer.go("/templates")
        reviewer.select("处分决定", decision_label)
        row = reviewer.page.locator(".el-table__row").filter(has_text="送达回证").first
        with reviewer.page.expect_download() as download:
            row.get_by_role("button", name="生成").click()
        name = download.value.suggested_filename
        assert name.endswith(".docx") and "送达回证" in name, name
        assert Path(download.value.path()).read_bytes()[:2] == b"PK"
        reviewer.shot("3-templates")
    return {}


def other_unit(browser, decision_id, item_id):
    with browser.tab("jiao", pw("jiao")) as operator:
        operator.allow(rf"/api/v1/(decisions|items)/({decision_id}|{item_id})\b")   # the 404 the page explains
        operator.allow(r"status of 404")
        operator.go(f"/decisions/{decision_id}")
        expect(operator.page.get_by_text("该处分决定不存在，或不在您的查看范围内。")).to_be_visible()
        operator.shot("1-decision")
        operator.go(f"/items/{item_id}")
        expect(operator.page.get_by_text("该执行事项不存在，或不在您的查看范围内。")).to_be_visible()
        operator.go("/decisions")
        expect(operator.page.locator(".el-table__empty-text")).to_have_text("没有符合条件的处分决定")
        operator.shot("2-list")
        operator.go("/stats")
        expect(operator.page.get_by_text("当前角色无权查看此页面。")).to_be_visible()
    return {}


def phone(browser, decision_id, item_id):
    with browser.tab("min", pw("min"), viewport=PHONE) as operator:
        def fits():
            width = operator.page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, f"the page is {width}px wide on a {PHONE['width']}px screen"
        fits()
        operator.shot("1-home")
        operator.page.get_by_role("button", name="打开菜单").click()
        menu = operator.page.locator(".nav-drawer .el-menu-item")
        expect(menu.filter(has_text="处分决定")).to_be_visible()
        operator.shot("2-menu")
        menu.filter(has_text="处分决定").first.click()
        expect(operator.page.locator(".page-title")).to_have_text("处分决定")
        fits()
        operator.shot("3-decisions")
        operator.go(f"/decisions/{decision_id}")
        expect(operator.page.locator(".items-timeline")).to_be_visible()
        fits()
        operator.shot("4-decision")
        operator.go(f"/items/{item_id}")
        expect(operator.page.locator(".report-form")).to_be_visible()
        fits()
        operator.shot("5-item")
        no_codes(operator)
    return {}


def reform_flow(browser, decision_id, doc_number, issued_on, overdue_doc_number):
    """以案促改 in the browser: registered from a decision's page (every problem of an empty form
    at once first), its task timeline, a task reported with a pre-check warning, rejected,
    rectified and approved, the next tasks open, the filled 以案促改整改报告, and an overdue case red."""
    with browser.tab("shen", pw("shen")) as reviewer:
        reviewer.go("/reforms/new")
        expect(reviewer.page.locator(".page-title")).to_have_text("登记以案促改")
        reviewer.page.get_by_role("button", name="登记", exact=True).click()
        expect(reviewer.error_of("整改单位（主体责任部门）")).to_have_text("请选择整改单位")
        expect(reviewer.error_of("依据")).to_have_text("请选择依据")
        expect(reviewer.error_of("文号")).to_have_text("请填写文号")
        expect(reviewer.error_of("整改要求")).to_have_text("请填写整改要求")
        expect(reviewer.page.locator(".form-summary")).to_contain_text("还有")
        reviewer.shot("1-empty-form")
        no_codes(reviewer)

        reviewer.go(f"/decisions/{decision_id}")
        reviewer.page.get_by_role("button", name="登记以案促改").click()
        expect(reviewer.page.locator(".page-title")).to_have_text("登记以案促改")
        expect(reviewer.item("所涉处分决定")).to_contain_text("王建国")       # from the decision's page
        reviewer.select("依据", "纪律检查建议书")
        reviewer.fill("文号", doc_number)
        reviewer.date("下发日期", issued_on)
        reviewer.fill("整改要求", "针对低保审核把关不严问题，开展警示教育，剖析原因，完善审核制度。")
        expect(reviewer.page.locator(".task-preview li").first).to_have_text("警示教育大会")
        reviewer.shot("2-register-form")
        reviewer.page.get_by_role("button", name="登记", exact=True).click()
        expect(reviewer.page.locator(".page-title")).to_have_text(f"以案促改 · {doc_number}")
        timeline = reviewer.page.locator(".items-timeline")
        expect(timeline).to_contain_text("1. 警示教育大会")
        expect(timeline).to_contain_text("7. 整改情况报告")
        expect(reviewer.page.locator(".el-timeline-item").filter(has_text="1. 警示教育大会")).to_contain_text("办理中")
        expect(reviewer.page.locator(".reform-decisions")).to_contain_text("王建国")
        reform_id = int(re.search(r"/reforms/(\d+)", reviewer.page.url).group(1))
        reviewer.shot("3-reform")
        no_codes(reviewer)
        reviewer.go(f"/decisions/{decision_id}")
        expect(reviewer.page.locator(".decision-reforms")).to_contain_text(doc_number)

    with browser.tab("min", pw("min")) as operator:
        operator.go("/notices")
        notice = operator.page.locator(".notice-card").filter(has_text=f"以案促改任务待办理（{doc_number}）").first
        expect(notice).to_contain_text("纪律检查建议书")
        operator.shot("4a-notice")
        notice.get_by_role("button", name="查看以案促改").click()
        expect(operator.page.locator(".page-title")).to_have_text(f"以案促改 · {doc_number}")
        operator.page.locator(".nav-menu .el-menu-item").filter(has_text="以案促改").click()
        expect(operator.page.locator(".page-title")).to_have_text("以案促改")
        rows = operator.page.locator(".reforms-table .el-table__row")
        expect(rows.filter(has_text=overdue_doc_number)).to_contain_text("红灯")     # a task past its date
        expect(rows.filter(has_text=doc_number)).to_contain_text("绿灯")
        operator.shot("4-list")
        no_codes(operator)
        rows.filter(has_text=doc_number).get_by_role("link", name=doc_number).click()
        operator.page.locator(".items-timeline a", has_text="1. 警示教育大会").click()
        expect(operator.page.locator(".page-title")).to_have_text("1. 警示教育大会")
        expect(operator.page.locator(".crumbs")).to_contain_text("以案促改")
        expect(operator.page.locator(".crumbs")).to_contain_text(doc_number)
        operator.date("办理日期", browser.today)
        operator.date("召开日期", browser.today)
        operator.fill("参会范围", "全体干部职工")
        operator.fill("参会人数", "56")
        operator.fill("通报剖析的案例", "王建国违规办理低保案")
        operator.shot("5-report-form")
        operator.page.get_by_role("button", name="上报", exact=True).click()
        operator.message("领导班子未到会")                              # the pre-check warns at once
        expect(operator.page.locator(".page-head .el-tag").first).to_have_text("待审核")
        operator.shot("6-reported")
        item_url = operator.page.url

    with browser.tab("shen", pw("shen")) as reviewer:
        reviewer.page.goto(item_url)
        expect(reviewer.page.locator(".review-panel")).to_contain_text("领导班子未到会")
        reject = reviewer.page.locator(".reject-form")
        reviewer.select("问题类别", "领导班子未到会", reject)
        reviewer.date("整改期限", browser.today, reject)
        reviewer.fill("整改要求", "单位领导班子成员到会后重新召开", reject)
        reject.get_by_role("button", name="驳回").click()
        reviewer.confirm()
        reviewer.message("已驳回")
        reviewer.shot("7-rejected")

    with browser.tab("min", pw("min")) as operator:
        operator.page.goto(item_url)
        expect(operator.page.locator(".requirement")).to_contain_text("单位领导班子成员到会后重新召开")
        operator.item("单位领导班子成员到会").locator(".el-switch").click()
        expect(operator.item("单位领导班子成员到会")).to_have_class(re.compile(r"\bchanged\b"))
        operator.shot("8-rectified")
        operator.page.get_by_role("button", name="整改后重新上报").click()
        expect(operator.page.locator(".page-head .el-tag").first).to_have_text("待审核")

    with browser.tab("shen", pw("shen")) as reviewer:
        reviewer.page.goto(item_url)
        expect(reviewer.page.locator(".review-panel")).to_contain_text("第 2 轮上报")
        reviewer.page.get_by_role("button", name="审核通过").click()
        reviewer.confirm()
        reviewer.message("已审核通过")
        reviewer.go(f"/reforms/{reform_id}")
        for opened in ("2. 专题民主生活会", "3. 剖析原因查找风险点"):
            expect(reviewer.page.locator(".el-timeline-item").filter(has_text=opened)).to_contain_text("办理中")
        expect(reviewer.page.locator(".el-timeline-item").filter(has_text="1. 警示教育大会")).to_contain_text("已通过")
        with reviewer.page.expect_download() as download:
            reviewer.page.get_by_role("button", name="生成以案促改整改报告").click()
        name = download.value.suggested_filename
        assert name.endswith(".docx") and "以案促改整改报告" in name, name
        assert Path(download.value.path()).read_bytes()[:2] == b"PK"
        reviewer.shot("9-next-tasks-open")
        no_codes(reviewer)
    return {"reform_id": reform_id}
