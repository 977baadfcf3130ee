"""批量导入 in the browser (run by tests/browser/driver.py with "module": "import_flows"): the
template downloaded, a workbook checked by a dry run (its row errors as a table, downloaded as
.xlsx), then imported with its progress shown, and the imports listed.  Each takes the Browser
and what the test prepared, and returns what the page showed."""
import re

from playwright.sync_api import expect

from tests.browser.flows import no_codes, pw


def menu_of(tab):
    return [t.strip() for t in tab.page.locator(".nav-menu .nav-label").all_inner_texts()]


def reviewer_imports(browser, workbook, bad_id_number_row):
    shown = {}
    with browser.tab("shen", pw("shen")) as reviewer:
        assert "批量导入" in menu_of(reviewer)
        reviewer.go("/imports")
        expect(reviewer.page.locator(".page-title")).to_have_text("批量导入")
        with reviewer.page.expect_download() as download:
            reviewer.page.locator("[data-action=template]").click()
        shown["template"] = download.value.suggested_filename
        # Not an .xlsx: said before anything is sent.
        reviewer.page.locator("input[data-field=file]").set_input_files(
            files=[{"name": "名单.csv", "mimeType": "text/csv", "buffer": "姓名\n张三\n".encode()}])
        expect(reviewer.page.locator(".el-alert--error")).to_contain_text("不是 .xlsx 文件")
        expect(reviewer.page.locator("[data-action=dry-run]")).to_be_disabled()
        reviewer.page.locator("input[data-field=file]").set_input_files(workbook)
        expect(reviewer.page.locator(".import-file")).to_contain_text(".xlsx")
        reviewer.page.locator("[data-action=dry-run]").click()
        result = reviewer.page.locator("[data-section=result]")
        expect(result).to_contain_text("试运行（未写入）", timeout=60000)
        table = reviewer.page.locator("[data-table=errors]")
        expect(table).to_contain_text("身份证号校验位错误")
        expect(table.locator(".el-table__row").filter(has_text="身份证号校验位错误")).to_contain_text(
            str(bad_id_number_row))
        shown["dry_run"] = result.locator(".el-alert__title").inner_text()
        reviewer.shot("1-dry-run-errors")
        no_codes(reviewer)
        with reviewer.page.expect_download() as download:
            reviewer.page.locator("[data-action=errors-xlsx]").click()
        shown["errors_file"] = download.value.suggested_filename
        # The real import: its progress while it runs, then the result.
        reviewer.page.locator("[data-action=import-after-dry-run]").click()
        progress = reviewer.page.locator(".import-progress")
        expect(progress).to_be_visible()
        expect(progress).to_contain_text(re.compile("正在导入：已处理 [1-9][0-9]* / "), timeout=60000)
        reviewer.shot("2-progress")
        expect(result).to_contain_text("导入完成", timeout=120000)
        expect(progress).to_be_hidden()
        shown["imported"] = result.locator(".el-alert__title").inner_text()
        rows = reviewer.page.locator("[data-table=imports] .el-table__row")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("导入")
        expect(rows.nth(1)).to_contain_text("试运行")
        reviewer.shot("3-imported")
        no_codes(reviewer)
        # The imported decisions are on the list, the export a click away.
        reviewer.go("/decisions")
        expect(reviewer.page.locator(".el-table__row").first).to_be_visible()
        with reviewer.page.expect_download() as download:
            reviewer.page.locator("[data-action=export-xlsx]").click()
        shown["export"] = download.value.suggested_filename
        reviewer.shot("4-decisions")
    with browser.tab("min", pw("min")) as operator:
        assert "批量导入" not in menu_of(operator)
    return shown
