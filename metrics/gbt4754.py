"""GB/T 4754-2017 国民经济行业分类: the sections (门类) A–T with their official English
names (as the National Bureau of Statistics publishes them), so that industries read in
English under ?lang=en even though the contract's ``industry`` table is Chinese-only."""

from __future__ import annotations

SECTION_EN: dict[str, str] = {
    "A": "Agriculture, Forestry, Animal Husbandry and Fishery",
    "B": "Mining",
    "C": "Manufacturing",
    "D": "Production and Supply of Electricity, Heat, Gas and Water",
    "E": "Construction",
    "F": "Wholesale and Retail Trades",
    "G": "Transport, Storage and Post",
    "H": "Accommodation and Catering",
    "I": "Information Transmission, Software and Information Technology Services",
    "J": "Finance",
    "K": "Real Estate",
    "L": "Leasing and Business Services",
    "M": "Scientific Research and Technical Services",
    "N": "Management of Water Conservancy, Environment and Public Facilities",
    "O": "Resident, Repair and Other Services",
    "P": "Education",
    "Q": "Health and Social Work",
    "R": "Culture, Sports and Entertainment",
    "S": "Public Management, Social Security and Social Organization",
    "T": "International Organizations",
}


def section_name_en(code: str | None) -> str | None:
    """The official English name of a GB/T 4754-2017 section code ("C"), else None."""
    return SECTION_EN.get((code or "").strip().upper()) if code else None
