import pytest

from services.case.identity import check_character, id_number_problem


def test_valid_numbers_pass_including_x():
    assert id_number_problem("150202198001011231") is None
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("11010519491231002x".upper()) is None


@pytest.mark.parametrize("value,problem", [
    ("15020219800101123X", "校验位错误"),          # the design document's sample
    ("1502021980010112", "18位"),
    ("15020219800101123A", "末位为数字或X"),
    ("150202198013011239", "出生日期无效"),
    (None, "18位"),
])
def test_invalid_numbers_are_explained(value, problem):
    assert problem in id_number_problem(value)


def test_check_character_matches_gb11643_example():
    assert check_character("11010519491231002") == "X"
