"""`pravo` reference tables (publication blocks, document types, signatories) and the option parsers built on them."""

from __future__ import annotations

import re
from datetime import date, timedelta, timezone
from typing import Any

from monitor import clock
from monitor import options as o

MOSCOW = timezone(timedelta(hours=3))


def moscow_today() -> date:
    """The portal publishes on Moscow dates."""
    return clock.today(MOSCOW)


DEFAULT_BASE_URL = "http://publication.pravo.gov.ru"
PAGE_SIZE = 200
"""The largest page the API offers (10, 30, 100 or 200)."""
MAX_DAY_ITEMS = 5000
"""More results than this for one day and one scope item means the filter was ignored
(the unfiltered archive answers with about 1.6 million)."""
MAX_PAGES = 50
SORT_BY_EO_NUMBER = "5"
"""`SortedBy` value for "publication number": a stable order for paging."""
# Publication blocks (`code` in /api/PublicBlocks, 2026 captures).
BLOCKS: dict[str, str] = {
    "president": "Президент Российской Федерации (федеральные законы, указы, распоряжения)",
    "assembly": "Федеральное Собрание Российской Федерации",
    "council_1": "Совет Федерации",
    "council_2": "Государственная Дума",
    "government": "Правительство Российской Федерации",
    "federal_authorities": "федеральные органы исполнительной власти",
    "court": "Конституционный Суд Российской Федерации",
    "subjects": "органы власти субъектов Российской Федерации",
    "international": "Международные договоры Российской Федерации",
    "un_securitycouncil": "Совет Безопасности ООН",
}

# Document types (/api/DocumentTypes, January 2026 capture): name -> id.
DOCUMENT_TYPES: dict[str, str] = {
    "Конституция": "8fb60238-9fee-4a1b-9534-6d99ad0ceff0",
    "Закон Российской Федерации о поправке к Конституции Российской Федерации":
        "e0c56da5-17f1-40ac-a10f-8a9a1cee0c4e",
    "Федеральный конституционный закон": "93273da3-3133-4acf-96c2-4adc1ae70e19",
    "Федеральный закон": "82a8bf1c-3bc7-47ed-827f-7affd43a7f27",
    "Указ": "0790e34b-784b-4372-884e-3282622a24bd",
    "Постановление": "fd5a8766-f6fd-4ac2-8fd9-66f414d314ac",
    "Постановление Правления": "49a1ee72-097d-44e6-985d-f0cb7b036150",
    "Распоряжение": "7ff5b3b5-3757-44f1-bb76-3766cabe3593",
    "Резолюция": "397f9cc4-dc88-41a1-b009-802c99f9d9fd",
    "Соглашение": "7732b2a0-c522-436f-8172-a251912e2fc9",
    "Конвенция": "7c112925-ceaf-4bb4-93b4-16618b5dbdba",
    "Международный договор": "7ccde0f1-39b0-49b9-9a61-2fee55402189",
    "Договор": "63c6ff4f-ed74-45b3-86e2-8a76b75d674d",
    "Апелляционное определение": "a4719334-d2b8-4965-9c0e-95675800e1e5",
    "Кассационное определение": "b3078722-e63a-48cc-9458-5496a982b286",
    "Определение": "7a766fb3-5104-4579-a777-25bc88c0ddc9",
    "Протокол": "ac9e6a29-59cd-4c3d-8c14-ceb9843ef2da",
    "Поправки": "e39a5fe7-2e9f-4023-a7af-f17b5f2dec56",
    "Дополнение": "03f36e50-3912-4921-865a-3d34abdebf1e",
    "Дополнительный протокол": "337bbf47-7cc0-481d-8eb7-1f21ace58bfe",
    "Меморандум": "8dbf81e3-c061-4f28-939b-cf9a2c95421c",
    "Исполнительный протокол": "a9fc04ed-758b-4b6e-a35a-e55e4c69f825",
    "Сообщение Президента Российской Федерации": "4d76ef2a-6181-4e1c-bbd9-23ff836f8aca",
    "Сообщение о принятии Решения": "2037d729-6259-4249-9d7b-804854b17778",
    "Сообщение о судебном Решении": "b7d925b6-2190-4794-a7ee-f5e3993e1954",
    "Официальное сообщение Министерства иностранных дел": "4735e463-35e6-4ee9-a2c6-3ba2fba6f4d2",
    "Приказ": "2dddb344-d3e2-4785-a899-7aa12bd47b6f",
    "Положение": "a60db81f-1834-41fe-99dd-c8cf3746745d",
    "Конституционный закон": "97d902b9-cc94-4b01-9576-b4a7d4fde1fb",
    "Регламент": "d84850fc-c3f6-4595-a55c-bc8bcae02328",
    "Устав": "c0281bbe-6be1-45be-8acd-f319c99b85ad",
    "Устав (Основной Закон)": "50acf12d-2461-466e-bada-de5d8b7737a1",
    "Закон о поправках к Уставу": "1ee8f2cc-d23f-4ac1-a0e4-1fd202ecc736",
    "Поправки к Уставу": "5cf51861-5b6f-4210-9776-8086c05fdc8b",
    "Закон о внесении поправок в Устав Красноярского края": "cdafe085-10fe-4199-92a5-9aa82b2b6c99",
    "Закон Республики Бурятия о внесении поправок в Конституцию Республики Бурятия":
        "bdfe8274-cfc2-4a62-b413-91a201646ced",
    "Закон": "8910e61f-371d-490c-a1b8-aa7b8a5a48be",
    "Областной закон": "e880fa45-e4f4-4db9-bba0-847666adebab",
    "Уставный закон": "16b9a101-4ce2-47d0-8a92-8b1aff72867a",
    "Решение правления": "49322bdb-8137-4b5f-bc94-792e88992fab",
    "Решение": "34f574b3-5342-465d-9aad-fb692d9d27f2",
    "Заключение": "cf7ebd4b-506a-4794-ae32-3705c98f5535",
    "Извещение": "b1f44e8e-7699-4fe5-a9d1-7f6f62c7b89c",
    "Указание": "28b0f778-037b-456d-b510-2029cd6ed4ca",
    "Сообщение о принятии апелляционного решения": "c8df27f2-89a6-4014-8b3b-f224eb4448d2",
    "Сообщение о принятии апелляционного определения": "16fc3357-b991-4dd0-9447-cfa66257dcbd",
}
TYPE_NAMES: dict[str, str] = {type_id: name for name, type_id in DOCUMENT_TYPES.items()}

# Signatory authorities (/api/SignatoryAuthorities) that sign treaty acts.
SIGNATORIES: dict[str, str] = {
    "225698f1-cfbc-4e42-9caa-32f9f7403211": "Президент Российской Федерации",
    "8005d8c9-4b6d-48d3-861a-2a37e69fccb3": "Правительство Российской Федерации",
    "1d0def12-868d-4712-89f9-623ac74de4cd": "Министерство иностранных дел Российской Федерации",
}

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


# --- options -------------------------------------------------------------------------------

def norm(text: str) -> str:
    """A name folded for lookups: "ё" as "е", spaces collapsed, case ignored."""
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).casefold()


_TYPE_BY_NAME = {norm(name): type_id for name, type_id in DOCUMENT_TYPES.items()}


def parse_blocks(value: Any) -> list[str]:
    """Publication block codes, e.g. ["president", "international"]."""
    codes = []
    for code in o.text_list(value):
        wanted = code.strip().lower()
        if wanted not in BLOCKS:
            raise ValueError(f"unknown block {code!r} (known: {', '.join(BLOCKS)})")
        if wanted not in codes:
            codes.append(wanted)
    return codes


def parse_document_types(value: Any) -> list[str]:
    """Document types by Russian name (e.g. "Федеральный закон") or id; returns ids."""
    ids = []
    for entry in o.text_list(value):
        text = entry.strip()
        type_id = text.lower() if _GUID.match(text) else _TYPE_BY_NAME.get(norm(text))
        if type_id is None:
            raise ValueError(f"unknown document type {entry!r} (known: {', '.join(DOCUMENT_TYPES)}; "
                             "or give a type id from /api/DocumentTypes)")
        if type_id not in ids:
            ids.append(type_id)
    return ids

