"""Council of Europe Treaty Office answers (treaty list, charts, declarations) as records."""

from __future__ import annotations

import hashlib
import html
import json as jsonlib
import re
from dataclasses import dataclass, field
from typing import Any

from monitor.errors import StructureChanged
from monitor.events import Treaty
from monitor.records import Record, clean_text

CHART_URL = "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum={number}"
FIRST_CETS = 194
"""From No. 194 on, treaties are published in the Council of Europe Treaty Series (CETS)."""

GROUPS = ("member", "non-member", "organisation")
"""The lists of a chart, in the order the service sends them (the third may be missing)."""

# Chart row field -> record field. Dates are stored as ISO dates.
DATE_FIELDS = {
    "DateSignature": "signature",
    "DateConsentement": "consent",
    "DateEntreeVigueur": "entry_into_force",
    "DateDenonciation": "denunciation",
    "DateEffetDenonciation": "denunciation_effective",
    "DateSuspension": "suspension",
}
# Chart row flag field -> the letter of the chart's "R. D. A. T. C. O." columns.
FLAG_FIELDS = {
    "Reserves": "R",
    "Declarations": "D",
    "Autorites": "A",
    "Territoires": "T",
    "Communications": "C",
    "Objections": "O",
}
KNOWN_ROW_FIELDS = {"CodePays", "LibPaysOrga", "NumSTE", *DATE_FIELDS, *FLAG_FIELDS}

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NUMBER = re.compile(r"^0*(\d{1,3})([A-Za-z]?)$")
_DESIGNATION = re.compile(r"\(\s*C?ETS\b[^)]*\)")
_TRAILING_MARK = re.compile(r"\s*\(\*\)\s*$")
_TAG = re.compile(r"<[^>]+>")


def treaty_number(value: Any) -> str:
    """The Treaty Office's form of a treaty number: 5 -> "005", "12a" -> "012A"."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"a treaty number must be a number such as 126, not {value!r}")
    match = _NUMBER.match(str(value).strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{value!r} is not a treaty number (e.g. 126, 5 or \"012A\")")
    return f"{int(match.group(1)):03d}{match.group(2).upper()}"



# --- parsing -----------------------------------------------------------------------------

@dataclass
class TreatyInfo:
    """What the treaty list says about one treaty."""

    number: str
    title: str
    mention: str
    titles: dict[str, str] = field(default_factory=dict)
    """Every language's title as listed (`Libelle_titre_ENG`, `_FRE`, `_RUS`… -> "ENG", "FRE", "RUS"…)."""
    short_names: dict[str, str] = field(default_factory=dict)
    """Short common names (`Nom_commun_*`) by language, where the list has one."""

    def memo(self) -> dict[str, Any]:
        """How the treaty is kept in the source's memo (read back by `from_memo`)."""
        return {"title": self.title, "mention": self.mention, "titles": self.titles, "short_names": self.short_names}

    @classmethod
    def from_memo(cls, number: str, kept: dict[str, Any]) -> "TreatyInfo":
        return cls(number, kept["title"], kept["mention"], dict(kept.get("titles") or {}),
                   dict(kept.get("short_names") or {}))

    @property
    def designation(self) -> str:
        return f"{self.mention} No. {self.number}"

    @property
    def full_title(self) -> str:
        """The English title ending with its designation, e.g. "… (ETS No. 126)"."""
        if _DESIGNATION.search(self.title):
            return self.title
        return f"{self.title} ({self.designation})"

    @property
    def url(self) -> str:
        return CHART_URL.format(number=self.number)

    def treaty(self) -> Treaty:
        return Treaty(id=self.designation, title=self.full_title, url=self.url)


def default_mention(number: str) -> str:
    """The series of a treaty the list does not describe: ETS up to No. 193, CETS after."""
    return "CETS" if int(number[:3]) >= FIRST_CETS else "ETS"


def parse_treaty_list(data: Any, url: str) -> dict[str, TreatyInfo]:
    """The `api/traites/search` answer: a list of treaties with number, titles and series."""
    if not isinstance(data, list):
        raise StructureChanged(f"{url}: expected a JSON list of treaties, got {type(data).__name__}")
    treaties: dict[str, TreatyInfo] = {}
    for item in data:
        if not isinstance(item, dict) or not item.get("Numero_traite"):
            raise StructureChanged(f"{url}: a treaty without \"Numero_traite\" in the treaty list")
        try:
            number = treaty_number(str(item["Numero_traite"]))
        except ValueError:
            raise StructureChanged(f"{url}: unknown treaty number {item['Numero_traite']!r}") from None
        title = clean_text(item.get("Libelle_titre_ENG")) or clean_text(item.get("Libelle_titre_FRE")) or ""
        title = _TRAILING_MARK.sub("", title)
        mention = clean_text(item.get("Mention")) or default_mention(number)
        treaties[number] = TreatyInfo(number, title or f"Treaty {number}", mention,
                                      _by_language(item, "Libelle_titre_"), _by_language(item, "Nom_commun_"))
    if not treaties:
        raise StructureChanged(f"{url}: the treaty list is empty")
    return treaties


def _by_language(item: dict[str, Any], prefix: str) -> dict[str, str]:
    """{"RUS": "…"} from fields such as "Libelle_titre_RUS"; the service writes a missing value as "None"."""
    found = {}
    for name, value in item.items():
        text = clean_text(value) if name.startswith(prefix) and isinstance(value, str) else None
        if text and text != "None":
            found[name[len(prefix):]] = text
    return found


def iso_date(value: Any, where: str) -> str | None:
    """"1987-11-26T00:00:00" -> "1987-11-26"; null (and .NET's empty 0001-01-01) -> None."""
    if value is None or value == "":
        return None
    match = _ISO_DATE.match(value) if isinstance(value, str) else None
    if not match:
        raise StructureChanged(f"{where}: expected a date like \"1987-11-26T00:00:00\" or null, got {value!r}")
    return None if match.group(1).startswith("0001-") else match.group(1)


def _flag_set(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "n", "no", "non", "null")
    return bool(value)


def _text(value: Any) -> str | None:
    if isinstance(value, (dict, list)):
        return jsonlib.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def parse_chart(data: Any, number: str, url: str) -> list[Record]:
    """The `api/signatures` answer: an outer list of two or more lists of rows (member states,
    non-member states, then organisations when present; clients differ on the count); one
    record per row, keyed "<treaty>:<code>". Row fields not known here are kept as text."""
    if not isinstance(data, list) or len(data) < 2 or not all(isinstance(g, list) for g in data):
        shape = (f"a list of {len(data)} items ({', '.join(sorted({type(g).__name__ for g in data})) or 'none'})"
                 if isinstance(data, list) else type(data).__name__)
        raise StructureChanged(f"{url}: expected a list of two or more lists of rows (member states, non-member "
                               f"states, organisations), got {shape}")
    records = []
    for index, rows in enumerate(data):
        group = GROUPS[index] if index < len(GROUPS) else f"list {index + 1}"
        for row in rows:
            if not isinstance(row, dict):
                raise StructureChanged(f"{url}: a {group} row is {type(row).__name__}, not an object")
            code = clean_text(row.get("CodePays"))
            if not code:
                raise StructureChanged(f"{url}: a {group} row has no \"CodePays\" (fields: {', '.join(row)})")
            if row.get("NumSTE") not in (None, "") and _same_number(row["NumSTE"]) != number:
                raise StructureChanged(f"{url}: asked for treaty {number} but a row is for treaty "
                                       f"{row['NumSTE']!r} (parameter ignored?)")
            fields: dict[str, str | None] = {
                "treaty": number, "state": clean_text(row.get("LibPaysOrga")) or code, "code": code, "group": group}
            for name, target in DATE_FIELDS.items():
                fields[target] = iso_date(row.get(name), f"{url}: {code} {name}")
            flags = [letter for name, letter in FLAG_FIELDS.items() if _flag_set(row.get(name))]
            fields["flags"] = " ".join(flags) or None
            for name, value in row.items():
                if name not in KNOWN_ROW_FIELDS:
                    fields[name] = _text(value)
            records.append(Record(key=f"{number}:{code}", fields=fields,
                                  title=f"{fields['state']} — treaty {number}", url=CHART_URL.format(number=number)))
    return records


def _same_number(value: Any) -> str | None:
    try:
        return treaty_number(str(value))
    except ValueError:
        return None


def parse_declarations(data: Any, number: str, url: str, codes: dict[str, str]) -> list[Record]:
    """The `api/conventions/getDeclarations` answer: a list of reservations, declarations,
    denunciations and withdrawals. `codes` maps state names to chart codes."""
    if not isinstance(data, list):
        raise StructureChanged(f"{url}: expected a JSON list of declarations, got {type(data).__name__}")
    records: list[Record] = []
    seen: set[str] = set()
    for item in data:
        if not isinstance(item, dict) or "nature_Dec" not in item:
            raise StructureChanged(f"{url}: a declaration without \"nature_Dec\"")
        country = item.get("code_Pays") if isinstance(item.get("code_Pays"), dict) else {}
        organisation = item.get("code_Organisation") if isinstance(item.get("code_Organisation"), dict) else {}
        state = clean_text(country.get("Value"))
        org = clean_text(organisation.get("Libelle"))
        if org and org.lower() == "null":
            org = None
        party = state or org
        code = clean_text(country.get("Key")) or codes.get((party or "").lower())
        nature = clean_text(item.get("nature_Dec"))
        article = clean_text(item.get("numero_Article"))
        effect = iso_date(item.get("date_Effet"), f"{url}: {party} date_Effet")
        text = clean_text(_TAG.sub(" ", html.unescape(str(item.get("texte_Decl") or ""))))
        key = f"{number}:declaration:{code or party or '-'}:{nature or '-'}:{article or '-'}:{effect or '-'}"
        if key in seen:
            key += ":" + hashlib.sha256((text or "").encode()).hexdigest()[:8]
        seen.add(key)
        fields = {"treaty": number, "state": party, "code": code, "nature": nature, "article": article,
                  "effective": effect,
                  "withdrawn": iso_date(item.get("date_Effet_Retrait"), f"{url}: {party} date_Effet_Retrait"),
                  "text": text}
        records.append(Record(key=key, fields=fields, title=f"{nature or 'Declaration'}: {party or '?'}",
                              url=f"https://www.coe.int/en/web/conventions/full-list?module=declarations-by-treaty"
                                  f"&numSte={number}&codeNature=0"))
    return records


def is_denunciation(nature: str | None) -> bool:
    lowered = (nature or "").lower()
    return "denunciation" in lowered or "dénonciation" in lowered or "denonciation" in lowered


def is_withdrawal_notice(nature: str | None) -> bool:
    lowered = (nature or "").lower()
    return "withdrawal" in lowered or "retrait" in lowered
