"""Defects the web client's walk-through found on the server (issue 12): the review queue's
lateness of a waiting report is fixed at submission, never counted from today; a notice text
says its full stop once and shows no record numbers."""
from datetime import date, datetime
from types import SimpleNamespace

from services.notify.notices import plain
from services.review.records import days_late


def test_a_waiting_report_is_late_by_the_days_it_came_in_after_its_due_date_not_until_today():
    on_time = SimpleNamespace(due_date=date(2026, 2, 5), submitted_at=datetime(2026, 2, 3, 9, 30))
    late = SimpleNamespace(due_date=date(2026, 2, 5), submitted_at=datetime(2026, 2, 9, 16, 0))
    assert days_late(on_time) == 0          # however long it then waits for review
    assert days_late(late) == 4
    assert days_late(SimpleNamespace(due_date=None, submitted_at=datetime(2026, 2, 9))) is None


def test_a_notice_text_ends_each_sentence_once_and_names_no_record_number():
    body = "执行事项“宣布”（#45）被驳回（本人不表态）。整改要求：补充本人表态记录。。请于 2026-12-08 前整改并重新上报。"
    assert plain(body) == "执行事项“宣布”被驳回（本人不表态）。整改要求：补充本人表态记录。请于 2026-12-08 前整改并重新上报。"
    assert plain("执行事项“送达”(#7)已审核通过。") == "执行事项“送达”已审核通过。"
    assert plain("请尽快回执：请配合办理。（回执期限 2026-12-08）") == "请尽快回执：请配合办理。（回执期限 2026-12-08）"
