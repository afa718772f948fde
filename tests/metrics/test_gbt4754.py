"""GB/T 4754-2017 section names in English (metrics/gbt4754.py)."""

from metrics.gbt4754 import SECTION_EN, section_name_en


def test_every_section_a_to_t_has_its_english_name():
    assert sorted(SECTION_EN) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert section_name_en("C") == "Manufacturing"
    assert section_name_en(" i ") == "Information Transmission, Software and Information Technology Services"
    assert section_name_en("Z") is None and section_name_en(None) is None
