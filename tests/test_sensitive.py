"""The detectors of sensitive data: true positives, and the false friends of realistic Chinese text."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from commlog.sensitive import _LONG_NUMBER, Hit, credit_code, luhn, mask, mask_text, resident_id, scan, settings_of  # noqa: PLC2701

SETTINGS = settings_of(
    {
        "sensitive_data": {
            "own_domains": ["hengtai.example"],
            "keywords": [
                {"id": "pricing", "words": ["报价底价", "底价"]},
                {"id": "source_code", "words": ["源代码"]},
                {"id": "salary", "words": ["薪酬明细"]},
            ],
        }
    }
)
ID = "110105199001011232"  # check character computed with ISO 7064 MOD 11-2
ID_X = "11010519491231002X"
CARD = "6222021234567890128"  # UnionPay, passes Luhn
USCC = "91110108MA01ABCD1E"


def found(text: str) -> list[tuple[str, str]]:
    return [(h.detector, h.value) for h in scan(text, SETTINGS) if h.confidence == "high"]


def detectors(text: str) -> list[str]:
    return [d for d, _ in found(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"客户身份证号{ID}，请核对", [("resident_id", ID)]),
        (f"身份证：{ID_X.lower()}。", [("resident_id", ID_X)]),
        (f"证件号 {ID[:6]} {ID[6:14]} {ID[14:]}", [("resident_id", ID)]),
        ("旧证号110105900101123已换领", [("resident_id", "110105900101123")]),
        (f"退款至卡号{CARD}", [("bank_card", CARD)]),
        ("卡号 6222 0212 3456 7890 128，户名张三", [("bank_card", CARD)]),
        ("Visa 4367 4210 0000 0007", [("bank_card", "4367421000000007")]),
        (f"统一社会信用代码：{USCC}", [("credit_code", USCC)]),
        ("信用代码91350100M000100Y43", [("credit_code", "91350100M000100Y43")]),
        ("联系李经理 13812345678 确认", [("mobile", "13812345678")]),
        ("手机：+86 138-1234-5678", [("mobile", "13812345678")]),
        ("电话86 13912345678", [("mobile", "13912345678")]),
        ("请发送至 li.na@qq.com 和 wang@hengtai.example", [("email", "li.na@qq.com")]),
        ("护照号码：E12345678", [("passport", "E12345678")]),
        ("往来港澳通行证 C12345678", [("hkmo_permit", "C12345678")]),
        ("报价底价为 35.6 万元", [("pricing", "报价底价")]),
        ("附件为薪酬明细（共 12 人）", [("salary", "薪酬明细")]),
    ],
)
def test_true_positives(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"订单号{ID}0 已发货",  # an identity number inside a longer run
        f"批次号A{ID}",  # glued to a letter: a batch code
        "身份证号110105199001011233",  # wrong check character
        "身份证号110105199002301232",  # 30 February: no such birth date
        "身份证号990105199001011239",  # no such province
        "卡号6222021234567890127",  # fails Luhn
        "流水号1234567890123456",  # no issuer prefix (and fails Luhn)
        "订单号 20241008123456789012",  # 22 digits
        "信用代码91110108MA01ABCD1F",  # wrong check character
        "金额13500000000元",  # an amount, not a phone
        "预算¥13800000000",
        "总价1.3812345678亿",
        "会议定于2024-10-08 09:30，总机 010-65880017 转 8021",
        "咨询热线400-050-0827，分机12345",
        "合同金额 1,234,567.89 元，税号见附件",
        "commit 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a",
        "快递单号 SF1234567890123",
        "产品型号E12345678",  # no 护照 before it: low confidence, not a finding
        "源代码仓库的说明",  # a keyword alone: low confidence
    ],
)
def test_false_friends(text: str) -> None:
    assert found(text) == []


def test_full_width_forms_are_normalised() -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in ID)
    assert found(f"身份证号：{full}") == [("resident_id", ID)]
    assert found("手机：１３８－１２３４－５６７８") == [("mobile", "13812345678")]
    assert found("卡号\u30006222\u30000212\u30003456\u30007890\u3000128") == [("bank_card", CARD)]


def test_low_confidence_is_kept_for_the_summary() -> None:
    hits = list(scan("源代码仓库的说明", SETTINGS)) + list(scan("产品型号E12345678", SETTINGS))
    assert [(h.detector, h.confidence) for h in hits] == [("source_code", "low"), ("passport", "low")]


def test_checks() -> None:
    assert resident_id(ID) and resident_id(ID_X) and not resident_id(ID[:-1] + "3")
    assert luhn(CARD) and not luhn(CARD[:-1] + "7")
    assert credit_code(USCC) and not credit_code(USCC[:-1] + "F")


def test_mask() -> None:
    assert mask(Hit("resident_id", 0, 18, "11010519491231002X")) == "110105********002X"
    assert mask(Hit("mobile", 0, 11, "13812345678")) == "138****5678"
    assert mask(Hit("bank_card", 0, 19, CARD)) == "622202*********0128"
    assert mask(Hit("email", 0, 12, "li.na@qq.com")) == "l***@qq.com"


def test_mask_text_keeps_what_the_clearance_may_see() -> None:
    text = f"身份证{ID}，手机13812345678，邮箱li.na@qq.com"
    internal = mask_text(text, SETTINGS, "internal")
    assert ID not in internal and "110105********1232" in internal
    assert "13812345678" in internal and "li.na@qq.com" in internal  # allowed at internal by default
    public = mask_text(text, SETTINGS, "public")
    assert "13812345678" not in public and "138****5678" in public and "l***@qq.com" in public
    assert mask_text(text, SETTINGS, "confidential") == text
    full = "".join(chr(ord(c) + 0xFEE0) for c in ID)
    assert full not in mask_text(f"证号{full}", SETTINGS, "internal")


BOLD = "".join(chr(0x1D7CE + int(c)) for c in ID)
ARABIC = "".join(chr(0x0660 + int(c)) for c in ID)
ZW = "\u200b".join(ID[:9]) + "\u2060" + ID[9:14] + "\ufeff\u200c\u200d" + ID[14:]


@pytest.mark.parametrize("digits", [BOLD, ARABIC, ZW, "".join(chr(0x0966 + int(c)) for c in ID)])
def test_every_decimal_digit_and_zero_width_characters(digits: str) -> None:
    text = f"身份证号：{digits}，请核对"
    [hit] = [h for h in scan(text, SETTINGS) if h.detector == "resident_id"]
    assert (hit.value, text[hit.start : hit.end]) == (ID, digits)  # offsets in the original text
    assert mask_text(text, SETTINGS, "internal") == "身份证号：110105********1232，请核对"


def test_mobile_with_dots() -> None:
    assert found("手机138.1234.5678") == [("mobile", "13812345678")]
    assert found("手机 ١٣٨.١٢٣٤.٥٦٧٨ 联系") == [("mobile", "13812345678")]
    assert mask_text("手机138.1234.5678。", SETTINGS, "public") == "手机138****5678。"
    assert found("单价138.12345678元") == [] and found("版本138.1234.5678.9") == []


def test_zero_width_inside_a_mobile_is_masked_whole() -> None:
    text = "电话1\u200b3\u200b8\u200b1234\u200b5678"
    assert found(text) == [("mobile", "13812345678")]
    assert mask_text(text, SETTINGS, "public") == "电话138****5678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号{ID[:9]} {ID[9:]}，请核对", [("resident_id", ID)]),  # a folded YAML scalar joined its two lines
        (f"身份证号{ID[:9]}\n    {ID[9:]}，请核对", [("resident_id", ID)]),  # a literal one kept the break
        (f"卡号{CARD[:11]}\r\n{CARD[11:]}", [("bank_card", CARD)]),  # a text attachment's line
        (f"身份证号{ID[:5]}\n{ID[5:]} 与卡号{CARD}", [("resident_id", ID), ("bank_card", CARD)]),  # in order
    ],
)
def test_a_number_broken_across_a_line(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected
    assert ID not in mask_text(text, SETTINGS, "internal").replace(" ", "").replace("\n", "")


@pytest.mark.parametrize(
    "text",
    [
        "订单 12345678 90123456789 已发货",  # two numbers side by side that make no identity or card
        "数量 1101051990 0101123 件",  # 17 digits: no identity number
        f"身份证号{ID[:9]}  {ID[9:]}",  # two spaces: two numbers, not a line joined
        "手机1381234\n5678",  # a mobile has no check character: a break is not joined for it
    ],
)
def test_numbers_side_by_side_are_not_joined(text: str) -> None:
    assert found(text) == []


def test_a_folded_scalar_in_a_record_is_read_as_yaml_joins_it() -> None:
    data = yaml.safe_load(f"summary: >\n  客户身份证号{ID[:9]}\n  {ID[9:]}，请核对\n")
    assert found(data["summary"]) == [("resident_id", ID)]


_ALPHABET = "0123456789１２３٣𝟏 -－\u3000\u200b\n.EXCa号码卡身份证：+@"


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_the_shortcut_past_a_text_never_skips_a_number_to_mask(text: str) -> None:
    """mask_text's prefilter (_LONG_NUMBER) lets through every text the full scan would mask at internal clearance."""
    if mask_text(text, SETTINGS, "internal") != text:
        assert _LONG_NUMBER.search(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        f"身份证号{ID}", f"证件号 {ID[:6]} {ID[6:14]} {ID[14:]}", "卡号 6222 0212 3456 7890 128",
        "卡号\u30006222\u30000212\u30003456\u30007890\u3000128", "护照号码：E12345678", "往来港澳通行证 C12345678",
        f"身份证号{ID[:9]}\n    {ID[9:]}", "".join(chr(0x1D7CE + int(c)) for c in ID), "\u200b".join(ID),
        "Amex 3782 822463 10005",
    ],
)  # fmt: skip
def test_the_shortcut_lets_every_known_number_through(text: str) -> None:
    assert _LONG_NUMBER.search(text) is not None
    assert mask_text(text, SETTINGS, "internal") != text


def test_a_private_mobile_is_masked_below_its_class_and_the_shortcut_lets_it_through() -> None:
    from commlog.sensitive import with_private

    private = with_private(SETTINGS, {"a": {"mobile": "+86 183-0178-0393", "private": ["mobile"]}}, {})
    for text in ("电话 183 0178 0393", "电话18301780393", "电话 183.0178.0393", "电话 +86 183-0178-0393"):
        assert _LONG_NUMBER.search(text) is not None, text
        assert "0178" not in mask_text(text, private, "internal"), text
        assert mask_text(text, private, "confidential") == text
        assert mask_text(text, SETTINGS, "internal") == text  # not private: a mobile is internal


@pytest.mark.parametrize(
    "text",
    ["联系人张伟，13812345678，市场部", "备用 Tel.13812345678", "13812345678，13912345678", "13812345678,13912345678"],
)
def test_a_mobile_beside_a_comma_or_a_point_in_a_sentence(text: str) -> None:
    assert "mobile" in detectors(text)
    assert len([d for d in detectors(text) if d == "mobile"]) == text.count("138") + text.count("139")
