"""The people pages in the browser (run by tests/browser/driver.py with "module": "people_flows"):
人员查询, 人员详情 and 影响期查询.  Each takes the Browser and what the test prepared over HTTP,
and returns what the page showed."""
import re

from playwright.sync_api import expect

from tests.browser.driver import PHONE
from tests.browser.flows import no_codes, pw


def menu_of(tab):
    return [t.strip() for t in tab.page.locator(".nav-menu .nav-label").all_inner_texts()]


def reviewer_finds_the_person(browser, name, id_number, doc_numbers):
    with browser.tab("shen", pw("shen")) as reviewer:
        assert {"人员查询", "影响期查询"} <= set(menu_of(reviewer))
        reviewer.go("/people")
        expect(reviewer.page.locator(".page-title")).to_have_text("人员查询")
        # Three digits are too few, in plain Chinese, before anything is asked.
        reviewer.fill("姓名 / 身份证号", id_number[-3:])
        reviewer.page.get_by_role("button", name="查询", exact=True).click()
        expect(reviewer.error_of("姓名 / 身份证号")).to_have_text("按身份证号查询至少输入后4位")
        reviewer.fill("姓名 / 身份证号", id_number[-4:])
        reviewer.page.get_by_role("button", name="查询", exact=True).click()
        row = reviewer.page.locator(".people-table .el-table__row").filter(has_text=name)
        expect(row).to_have_count(1)
        masked = id_number[:6] + "*" * 8 + id_number[-4:]
        expect(row).to_contain_text(masked)
        expect(row).not_to_contain_text(id_number)
        expect(row).to_contain_text("影响期内")
        expect(row).to_contain_text("2 件")
        reviewer.shot("1-search")
        no_codes(reviewer)
        row.get_by_role("link", name=name).click()
        expect(reviewer.page.locator(".page-title")).to_have_text(name)
        reviewer.page.wait_for_load_state("networkidle")
        expect(reviewer.page.locator(".period-bar")).to_have_count(3)
        expect(reviewer.page.locator(".period-bar.stacked")).to_have_count(1)
        expect(reviewer.page.locator(".period-table")).to_contain_text(f"叠加于 {doc_numbers[0]} 党纪警告 的影响期之后")
        standing = reviewer.page.locator(".person-standing")
        expect(standing).to_contain_text("晋升职务职级")
        expect(standing).to_contain_text("起可以")
        expect(standing.locator(".basis-links a").first).to_have_attribute("href", re.compile(r"#/library/[A-Z0-9]+/\d+"))
        expect(reviewer.page.locator("#app")).not_to_contain_text(id_number)       # masked until 显示
        reviewer.shot("2-person")
        no_codes(reviewer)
        # The first basis opens the article in the library.
        standing.locator(".basis-links a").first.click()
        expect(reviewer.page).to_have_url(re.compile(r"#/library/[A-Z0-9]+/\d+"))
        reviewer.page.go_back()
        expect(reviewer.page.locator(".page-title")).to_have_text(name)
        reviewer.page.get_by_role("link", name=doc_numbers[1]).click()
        expect(reviewer.page.locator(".page-title")).to_have_text(f"{name} · {doc_numbers[1]}")
    return {}


def partner_checks(browser, id_number, until):
    with browser.tab("zuzhi", pw("zuzhi")) as partner:
        menu = menu_of(partner)
        assert "影响期查询" in menu and "人员查询" not in menu, menu
        partner.page.locator(".nav-menu").get_by_text("影响期查询").click()
        expect(partner.page.locator(".page-title")).to_have_text("影响期查询")
        # The date is today's; the check digit is the client's to catch.
        expect(partner.item("查询日期").locator("input")).to_have_value(browser.today)
        partner.fill("公民身份号码", id_number[:17] + ("0" if id_number[17] != "0" else "1"))
        partner.page.get_by_role("button", name="查询", exact=True).click()
        expect(partner.error_of("公民身份号码")).to_have_text("公民身份号码校验位不正确，请核对")
        partner.fill("公民身份号码", id_number)
        partner.select("用途", "晋升职务职级")
        partner.page.get_by_role("button", name="查询", exact=True).click()
        answer = partner.page.locator(".check-answer")
        expect(answer).to_contain_text("处于影响期内")
        card = answer.locator(".purpose-answer")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("晋升职务职级")
        expect(card).to_contain_text("不可以")
        expect(card).to_contain_text(f"{until} 起可以")
        expect(card).to_contain_text(f"{until} 为解除限制的第一天")
        expect(card).to_contain_text("法规条文明确规定")
        link = card.locator(".basis-links a").first
        expect(link).to_have_attribute("href", re.compile(r"#/library/[A-Z0-9]+/\d+"))
        expect(link).to_contain_text("》第")
        expect(partner.page.get_by_text("12 月 31 日")).to_be_visible()
        expect(answer).not_to_contain_text(id_number)
        partner.shot("3-check")
        no_codes(partner)
        # Every purpose at once.
        partner.select("用途", "全部用途")
        partner.page.get_by_role("button", name="查询", exact=True).click()
        expect(answer.locator(".purpose-answer")).to_have_count(4)
        expect(answer).to_contain_text("党员权利")
        partner.shot("4-check-all")
        no_codes(partner)
        texts = answer.locator(".purpose-answer").all_inner_texts()
    with browser.tab("zuzhi", pw("zuzhi"), viewport=PHONE) as phone:
        phone.go("/people/check")
        phone.fill("公民身份号码", id_number)
        phone.page.get_by_role("button", name="查询", exact=True).click()
        expect(phone.page.locator(".check-answer .purpose-answer")).to_have_count(4)
        phone.shot("5-check-phone")
    return {"answers": texts}
