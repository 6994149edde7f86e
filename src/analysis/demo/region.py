"""The demonstration region: more made-up clusters of Samara region with filled-in forms.

``write_demo_region(raw_dir, seed)`` writes, beside the real registry and the real seed plan:

- ``clusters-demo.csv`` — six clusters of region 63 in other industries (ids ``demo-…``, names
  ending « (демо)», ``demo`` = 1);
- ``plans/demo-<industry>.csv`` — canonical plans with the seed's tree (sections, groups,
  indicators), the industry in the titles, its own programme codes and varied targets;
- ``participants-demo.csv`` — colleges and employers of every cluster, ``samara-law`` included;
- ``submissions/<cluster>_<year>.xlsx`` — filled-in collection forms for 2024 and 2025 (and a
  few drafts for 2026): facts from ``analysis.demo.seed.demo_facts``, rosters of invented people,
  mentoring pairs and enrolment; one submission is sent as CSV sheets instead
  (``submissions/<cluster>_<year>/<sheet title>.csv``, cp1251, ``;``).

Everything is invented and labelled as demonstration data (registry and participants ``demo``
column, « (демо)» in names, a note on each form's instruction sheet and in its properties). The
same seed gives the same bytes. ``DEFECTS`` lists the real-life mistakes planted on purpose so
that validation has something to find, with where each one is.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from analysis.demo.seed import DEFAULT_SEED, demo_facts
from analysis.sources import forms
from analysis.sources.participants import cluster_participants, write_participants
from analysis.sources.plan import load_plans, read_plan_file, write_plan_file
from analysis.sources.registry import COLUMNS as REGISTRY_COLUMNS
from analysis.sources.registry import load_registry
from analysis.sources.template import (
    build_form,
    date_field,
    meta_row,
    planned_rows,
    save_workbook,
    write_rows,
)

logger = logging.getLogger(__name__)

REGISTRY_FILE = "clusters.csv"
DEMO_REGISTRY = "clusters-demo.csv"
DEMO_PARTICIPANTS = "participants-demo.csv"
SUBMISSIONS_DIR = "submissions"
FEDERAL_WORKBOOK = "federal/demo-prilozhenie5.xlsx"  # the operator's form, as an analyst receives it
# The federal indicators («Приложение 5»): title, unit and the range a demo target is drawn from.
FEDERAL_INDICATORS = (
    ("1. Численность обучающихся по программам ФП «Профессионалитет»", "чел.", (250, 600)),
    ("2. Количество образовательных программ, реализуемых под запросы организаций-партнёров", "ед.", (3, 6)),
    (
        "3. Численность педагогических работников с актуальными педагогическими и отраслевыми навыками",
        "чел.",
        (10, 30),
    ),
    (
        "4. Численность работников организаций реального сектора экономики, включённых в образовательный "
        "процесс в качестве преподавателей по совместительству",
        "чел.",
        (4, 9),
    ),
    (
        "5. Численность обучающихся, практическая подготовка которых проходила с наставником от работодателя",
        "чел.",
        (60, 220),
    ),
    ("6. Количество договоров о целевом обучении с гарантией трудоустройства", "ед.", (20, 90)),
    ("7. Объём финансирования образовательных организаций кластера учредителями", "млн руб.", (5, 40)),
    ("8. Объём внебюджетных средств участников кластера из числа организаций отрасли", "млн руб.", (2, 25)),
)
FEDERAL_YEARS = (2024, 2025, 2026)
REGION_CODE, REGION_NAME = "63", "Самарская область"
SEED_CLUSTER = "samara-law"
SEED_INDUSTRY = "Правоохранительная сфера и управление"
SEED_EMPLOYER = "ПАО «Сбербанк»"
YEARS = (2024, 2025)
DRAFT_YEAR = 2026  # the current year: a few clusters have started filling its form
DRAFT_CLUSTERS = ("samara-law", "demo-mash", "demo-it")
CSV_SUBMISSION = ("demo-med", 2024)


@dataclass(frozen=True)
class DemoCluster:
    """A made-up cluster: its industry, programmes (code, title) and participants."""

    cluster_id: str
    industry: str
    programmes: tuple[tuple[str, str], ...]
    colleges: tuple[str, ...]
    employers: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"Образовательный кластер «{self.industry}» ({REGION_NAME}) (демо)"


DEMO_CLUSTERS = (
    DemoCluster(
        "demo-chem",
        "Химическая промышленность",
        (
            ("18.02.12", "Технология аналитического контроля химических соединений"),
            ("18.02.09", "Переработка нефти и газа"),
            ("18.02.06", "Химическая технология органических веществ"),
            (
                "15.02.12",
                "Монтаж, техническое обслуживание и ремонт промышленного оборудования (по отраслям)",
            ),
        ),
        (
            "ГБПОУ «Новокуйбышевский химико-технологический техникум»",
            'ГАПОУ "Тольяттинский колледж химических технологий"',
            "ГБПОУ «Чапаевский техникум промышленных технологий»",
        ),
        (
            "АО «Волжский нефтехимический завод»",
            'ООО "Средневолжская полимерная компания"',
            "АО «Чапаевский завод удобрений»",
            "ООО «Жигулёвские присадки»",
            'АО "Поволжская химическая компания"',
        ),
    ),
    DemoCluster(
        "demo-mash",
        "Машиностроение",
        (
            ("15.02.16", "Технология машиностроения"),
            ("15.02.09", "Аддитивные технологии"),
            ("15.02.10", "Мехатроника и робототехника (по отраслям)"),
            ("15.02.15", "Технология металлообрабатывающего производства"),
            ("27.02.07", "Управление качеством продукции, процессов и услуг (по отраслям)"),
        ),
        (
            "ГБПОУ «Самарский машиностроительный колледж»",
            'ГАПОУ "Сызранский политехнический колледж"',
            "ГБПОУ «Отрадненский индустриальный техникум»",
            "ГБПОУ «Кинельский механический техникум»",
        ),
        (
            "АО «Волжский моторный завод»",
            'ПАО "Самарское станкостроительное объединение"',
            "ООО «Средневолжский завод редукторов»",
            "АО «Безенчукский завод металлоконструкций»",
            'ООО "Поволжская робототехника"',
            "АО «Сызранский механический завод»",
            "ООО «Инженерный центр «Волга-Привод»»",
        ),
    ),
    DemoCluster(
        "demo-transport",
        "Транспорт",
        (
            ("23.02.07", "Техническое обслуживание и ремонт автотранспортных средств"),
            ("23.02.01", "Организация перевозок и управление на транспорте (по видам)"),
            ("23.02.06", "Техническая эксплуатация подвижного состава железных дорог"),
        ),
        (
            "ГБПОУ «Самарский транспортный техникум»",
            'ГАПОУ "Сызранский колледж железнодорожного транспорта"',
            "ГБПОУ «Тольяттинский автомобильный колледж»",
        ),
        (
            "АО «Самарская пассажирская компания»",
            'ООО "Волга-Автосервис"',
            "ООО «Тольяттинский автоцентр»",
            "АО «Приволжская транспортная компания»",
            'ООО "Логистик-Поволжье"',
        ),
    ),
    DemoCluster(
        "demo-agro",
        "Сельское хозяйство",
        (
            ("35.02.16", "Эксплуатация и ремонт сельскохозяйственной техники и оборудования"),
            ("35.02.05", "Агрономия"),
            ("36.02.01", "Ветеринария"),
            ("35.02.06", "Технология производства и переработки сельскохозяйственной продукции"),
        ),
        (
            "ГБПОУ «Усть-Кинельский аграрный колледж»",
            'ГБПОУ "Кошкинский сельскохозяйственный техникум"',
            "ГБПОУ «Богатовский агротехнический техникум»",
        ),
        (
            "АО «Агрохолдинг «Самарская нива»»",
            'ООО "Кинельская птицефабрика"',
            "СПК «Заволжский»",
            "ООО «Поволжская сельхозтехника»",
            'ООО "Безенчукский элеватор"',
        ),
    ),
    DemoCluster(
        "demo-it",
        "Информационные технологии",
        (
            ("09.02.07", "Информационные системы и программирование"),
            ("09.02.06", "Сетевое и системное администрирование"),
            ("10.02.05", "Обеспечение информационной безопасности автоматизированных систем"),
            ("09.02.01", "Компьютерные системы и комплексы"),
        ),
        (
            "ГБПОУ «Самарский колледж информационных технологий»",
            'ГАПОУ "Тольяттинский колледж цифровых технологий"',
        ),
        (
            "ООО «Волга Софт»",
            'ООО "Самарские цифровые решения"',
            "АО «Поволжский центр обработки данных»",
            "ООО «Жигули ИТ»",
            'ООО "Средневолжская телеком-компания"',
            SEED_EMPLOYER,
        ),
    ),
    DemoCluster(
        "demo-med",
        "Медицина и здравоохранение",
        (
            ("31.02.01", "Лечебное дело"),
            ("34.02.01", "Сестринское дело"),
            ("31.02.02", "Акушерское дело"),
            ("33.02.01", "Фармация"),
            ("31.02.03", "Лабораторная диагностика"),
        ),
        (
            "ГБПОУ «Самарский колледж сестринского дела»",
            'ГБПОУ "Тольяттинский колледж медицинских технологий"',
            "ГБПОУ «Сызранский колледж здоровья»",
            "ГБПОУ «Новокуйбышевский медицинский техникум»",
        ),
        (
            "ГБУЗ «Самарская городская клиническая больница № 12»",
            'ГБУЗ "Тольяттинская городская поликлиника № 9"',
            "ГБУЗ «Сызранская центральная городская больница»",
            "ООО «Медицинский центр «Волга-Мед»»",
            'АО "Самарская фармацевтическая компания"',
            "ГБУЗ «Станция скорой медицинской помощи г. Новокуйбышевска»",
        ),
    ),
)

# Participants of the real seed cluster (invented except ПАО «Сбербанк», which its plan names).
SEED_COLLEGES = (
    "ГБПОУ «Самарский колледж сервиса и права»",
    'ГАПОУ "Тольяттинский колледж экономики и права"',
    "ГБПОУ «Сызранский социально-экономический техникум»",
)
SEED_EMPLOYERS = (
    SEED_EMPLOYER,
    "ООО «Юридическая фирма «Волга-Право»»",
    'АО "Самарская страховая компания"',
    "ООО «Бухгалтерский центр «Баланс»»",
    'ООО "Торговый дом «Поволжье»"',
    "ЧОО «Щит-Самара»",
)


@dataclass(frozen=True)
class Defect:
    """One mistake planted on purpose: the file (relative to the raw folder), sheet, row and
    column heading where it is, the value the cell holds (None: see ``kind``) and the rule."""

    kind: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: object
    rule: str


def _heading(sheet: forms.Sheet, name: str) -> str:
    return sheet.headings[sheet.names.index(name)]


def _sub(cluster_id: str, year: int) -> str:
    return f"{SUBMISSIONS_DIR}/{forms.submission_name(cluster_id, year)}"


_TEACHERS, _PAIRS, _INDICATORS = forms.TEACHERS.title, forms.PAIRS.title, forms.INDICATORS.title
DEFECTS = (
    Defect(
        "late_submission",
        _sub("demo-transport", 2024),
        forms.META.title,
        meta_row(date_field()),
        _heading(forms.META, "value"),
        date(2025, 2, 3),
        "submitted after the deadline, 20 January of the following year",
    ),
    Defect(
        "mistyped_indicator",
        _sub("samara-law", 2025),
        _INDICATORS,
        3,
        _heading(forms.INDICATORS, "indicator"),
        "1.21",
        "not an indicator code of the plan (meant 1.2.1)",
    ),
    Defect(
        "mistyped_programme",
        _sub("demo-it", 2025),
        _TEACHERS,
        4,
        _heading(forms.TEACHERS, "programme_code"),
        "9.02.07",
        "not a programme code (the leading zero of 09.02.07 lost)",
    ),
    Defect(
        "duplicated_row",
        _sub("demo-mash", 2025),
        _TEACHERS,
        6,
        None,
        None,
        "the same person, organisation and programme as row 5",
    ),
    Defect(
        "decimal_comma",
        _sub("demo-chem", 2024),
        _TEACHERS,
        6,
        _heading(forms.TEACHERS, "hours"),
        "1,5",
        "hours written as text with a decimal comma",
    ),
    Defect(
        "serial_date",
        _sub("demo-agro", 2024),
        _PAIRS,
        2,
        _heading(forms.PAIRS, "start"),
        45383,
        "a date stored as an Excel serial number (45383 = 01.04.2024)",
    ),
    Defect(
        "text_date",
        _sub("demo-med", 2025),
        _TEACHERS,
        5,
        _heading(forms.TEACHERS, "training_completed"),
        "14.03.2025",
        "a date written as dd.mm.yyyy text",
    ),
    Defect(
        "yes_spelling",
        _sub("samara-law", 2024),
        _INDICATORS,
        5,
        _heading(forms.INDICATORS, "fact"),
        "ДА",
        "yes written in capitals",
    ),
    Defect(
        "yes_spelling",
        _sub("demo-transport", 2025),
        _INDICATORS,
        8,
        _heading(forms.INDICATORS, "fact"),
        "+",
        "yes written as +",
    ),
    Defect(
        "stray_spaces",
        _sub("demo-chem", 2025),
        forms.ENROLMENT.title,
        2,
        _heading(forms.ENROLMENT, "programme_code"),
        " 18.02.12 ",
        "spaces around a programme code",
    ),
    Defect(
        "specialist_from_college",
        _sub("demo-it", 2024),
        _PAIRS,
        2,
        _heading(forms.PAIRS, "specialist_organisation"),
        DEMO_CLUSTERS[4].colleges[0],
        "the specialist of a pair works for a college, not an employer: the pair does not count",
    ),
    Defect(
        "missing_submission",
        _sub("demo-agro", 2025),
        None,
        None,
        None,
        None,
        "the expected submission of demo-agro for 2025 was not sent",
    ),
)

# Invented people: surname (male form), male and female first names, patronymic stems.
SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
    "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
    "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
    "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
    "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
    "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
    "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
    "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв",
    "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов",
    "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников",
    "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров",
    "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов",
    "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин",
    "Тихомиров", "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров",
    "Симонов", "Прокофьев", "Харитонов", "Князев", "Цветков", "Левин", "Митрофанов", "Воронов",
    "Аксёнов", "Софронов", "Мальцев", "Логинов", "Горшков", "Савин", "Краснов", "Майоров",
    "Демидов", "Елисеев", "Рыбаков", "Сафонов", "Плотников", "Дёмин", "Хохлов", "Жданов",
)  # fmt: skip
MALE_NAMES = (
    "Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим", "Валерий", "Виктор",
    "Виталий", "Владимир", "Владислав", "Геннадий", "Георгий", "Григорий", "Денис", "Дмитрий",
    "Евгений", "Егор", "Иван", "Игорь", "Илья", "Кирилл", "Константин", "Леонид", "Максим",
    "Михаил", "Никита", "Николай", "Олег", "Павел", "Роман", "Сергей", "Станислав", "Степан",
    "Юрий", "Ярослав",
)  # fmt: skip
FEMALE_NAMES = (
    "Александра", "Алина", "Анастасия", "Анна", "Валентина", "Валерия", "Вера", "Виктория",
    "Галина", "Дарья", "Екатерина", "Елена", "Елизавета", "Жанна", "Ирина", "Ксения", "Лариса",
    "Любовь", "Людмила", "Марина", "Мария", "Надежда", "Наталья", "Нина", "Оксана", "Ольга",
    "Полина", "Светлана", "София", "Татьяна", "Юлия",
)  # fmt: skip
# Fathers' names and their patronymic stems (male ending -ич, female ending -на).
PATRONYMIC_STEMS = (
    "Александров", "Алексеев", "Андреев", "Анатольев", "Борисов", "Васильев", "Викторов",
    "Владимиров", "Геннадьев", "Григорьев", "Дмитриев", "Евгеньев", "Иванов", "Игорев",
    "Константинов", "Михайлов", "Николаев", "Олегов", "Павлов", "Петров", "Романов", "Сергеев",
    "Степанов", "Юрьев", "Валерьев", "Вячеславов",
)  # fmt: skip


def person_name(rng: np.random.Generator) -> str:
    """A plausible invented Russian ФИО, gender-consistent."""
    surname = SURNAMES[rng.integers(len(SURNAMES))]
    stem = PATRONYMIC_STEMS[rng.integers(len(PATRONYMIC_STEMS))]
    if rng.random() < 0.55:
        first = FEMALE_NAMES[rng.integers(len(FEMALE_NAMES))]
        surname = surname[:-2] + "ина" if surname.endswith("ин") else surname + "а"
        return f"{surname} {first} {stem}на"
    return f"{surname} {MALE_NAMES[rng.integers(len(MALE_NAMES))]} {stem}ич"


def snils(rng: np.random.Generator) -> str:
    """An invented СНИЛС with a valid check number, written ``123-456-789 01``."""
    body = f"{int(rng.integers(2_000_000, 999_999_999)):09d}"
    total = sum(int(d) * w for d, w in zip(body, range(9, 0, -1), strict=True))
    check = total % 101 % 100
    return f"{body[:3]}-{body[3:6]}-{body[6:]} {check:02d}"


@dataclass
class _Person:
    name: str
    snils: str | None
    organisation: str
    college: bool
    teaches: bool  # an employer specialist who also teaches part-time
    trained_on: date | None
    programmes: tuple[str, ...]


def _rng(seed: int, *parts: object) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(str(p).encode()) for p in parts)])


def _day(rng: np.random.Generator, first: date, last: date) -> date:
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def demo_plan(seed_rows: pd.DataFrame, cluster: DemoCluster, seed: int) -> pd.DataFrame:
    """A canonical plan with the seed's tree for a demo cluster: industry titles, its own
    programme rows (the pattern of the seed indicator's first programme row), varied targets."""
    rng = _rng(seed, "plan", cluster.cluster_id)
    years = [c for c in seed_rows.columns[4:]]
    scale = len(cluster.programmes) / 3
    records = []
    done: set[str] = set()

    def title(text: str) -> str:
        return text.replace(SEED_INDUSTRY, cluster.industry).replace(SEED_EMPLOYER, cluster.employers[0])

    for row in seed_rows.itertuples(index=False):
        cells = list(row[4:])
        if row.kind in ("section", "group"):
            records.append([row.kind, row.code, "", title(row.title), *cells])
        elif row.kind == "indicator":
            # Cluster-wide counts grow with the number of programmes; the others vary a little.
            wide = row.code in ("1.1.4", "1.2.1")
            records.append(
                ["indicator", row.code, "", title(row.title), *_targets(rng, cells, scale if wide else 1)]
            )
        elif row.code not in done:
            done.add(row.code)
            for code, name in cluster.programmes:
                records.append(
                    ["programme", row.code, code, name, *_targets(rng, cells, 1, per_programme=True)]
                )
    return pd.DataFrame(records, columns=["kind", "code", "programme_code", "title", *years])


def _targets(
    rng: np.random.Generator, cells: list[str], scale: float, per_programme: bool = False
) -> list[str]:
    out = []
    for cell in cells:
        text = cell.strip()
        if text.isdigit():
            value = 1 if per_programme else max(1, round(int(text) * scale) + int(rng.integers(-1, 2)))
            out.append(str(value))
        elif text.lower() == "да":
            out.append("Да" if rng.random() < 0.1 else "да")
        elif text == "" and per_programme:
            out.append("-")
        else:
            out.append(text)
    return out


def participants_table(registry: pd.DataFrame) -> pd.DataFrame:
    """Participants of every cluster: the seed cluster's, the demo clusters' and a made-up set
    for any other real cluster of the registry."""
    known = {c.cluster_id: (c.colleges, c.employers) for c in DEMO_CLUSTERS}
    known[SEED_CLUSTER] = (SEED_COLLEGES, SEED_EMPLOYERS)
    records = []
    for row in registry.itertuples(index=False):
        colleges, employers = known.get(
            row.cluster_id,
            (
                tuple(f"ГБПОУ «Колледж № {i} ({row.industry})»" for i in (1, 2)),
                tuple(f'ООО "Предприятие отрасли № {i}"' for i in (1, 2, 3, 4)),
            ),
        )
        records += [(row.cluster_id, name, "college", "1") for name in colleges]
        records += [(row.cluster_id, name, "employer", "1") for name in employers]
    return pd.DataFrame(records, columns=["cluster_id", "organisation", "org_type", "demo"])


def _people(
    rng: np.random.Generator, colleges: list[str], employers: list[str], codes: list[str]
) -> list[_Person]:
    people: list[_Person] = []
    names: set[str] = set()

    def new_name() -> str:
        while (name := person_name(rng)) in names:
            pass
        names.add(name)
        return name

    def programmes(count: int) -> tuple[str, ...]:
        return tuple(sorted(rng.choice(codes, size=min(count, len(codes)), replace=False).tolist()))

    for college in colleges:
        for _ in range(int(rng.integers(4, 8))):
            trained = _day(rng, date(2024, 1, 15), date(2026, 6, 30)) if rng.random() < 0.3 else None
            people.append(
                _Person(
                    new_name(),
                    snils(rng) if rng.random() < 0.4 else None,
                    college,
                    True,
                    True,
                    trained,
                    programmes(int(rng.integers(1, 3))),
                )
            )
    for employer in employers:
        for _ in range(int(rng.integers(2, 5))):
            teaches = rng.random() < 0.6
            trained = _day(rng, date(2024, 1, 15), date(2026, 10, 31)) if rng.random() < 0.75 else None
            people.append(
                _Person(
                    new_name(),
                    snils(rng) if rng.random() < 0.4 else None,
                    employer,
                    False,
                    bool(teaches),
                    trained,
                    programmes(1),
                )
            )
    return people


def _teacher_rows(rng: np.random.Generator, people: list[_Person], year: int, paired: set[str]) -> list[dict]:
    """The year's teacher roster; a college teacher in an active pair always teaches that year."""
    rows = []
    for person in people:
        stays = rng.random() <= (0.92 if person.college else 0.8)
        if not person.teaches or not (stays or person.name in paired):
            continue
        for code in person.programmes:
            if person.college:
                hours = int(rng.integers(18, 60)) * 10 + (0.5 if rng.random() < 0.05 else 0)
            else:
                hours = int(rng.choice([36, 48, 72, 108, 144, 180, 216]))
            trained = person.trained_on if person.trained_on and person.trained_on.year <= year else None
            rows.append(
                {
                    "full_name": person.name,
                    "snils": person.snils,
                    "organisation": person.organisation,
                    "employment": "штатный" if person.college else "совместитель",
                    "programme_code": code,
                    "hours": hours,
                    "training_completed": trained,
                }
            )
    return rows


def _pairs(rng: np.random.Generator, people: list[_Person]) -> list[dict]:
    teachers = [p for p in people if p.college]
    specialists = [p for p in people if not p.college]
    pairs = []
    count = int(rng.integers(5, 11))
    for index in range(count):
        teacher = teachers[int(rng.integers(len(teachers)))]
        specialist = specialists[int(rng.integers(len(specialists)))]
        # The first pairs start in 2024 so every early form has some.
        first = date(2024, 1, 15) if index < 3 else date(2024, 6, 1)
        start = _day(rng, first, date(2024, 10, 1) if index < 3 else date(2026, 9, 1))
        end = start + timedelta(days=int(rng.integers(180, 600))) if rng.random() < 0.4 else None
        pairs.append(
            {
                "teacher_name": teacher.name,
                "specialist_name": specialist.name,
                "specialist_organisation": specialist.organisation,
                "programme_code": teacher.programmes[0],
                "start": start,
                "end": end,
                "format": forms.PAIR_FORMATS[int(rng.integers(len(forms.PAIR_FORMATS)))],
            }
        )
    return sorted(pairs, key=lambda p: p["start"])


def _active(pair: dict, year: int) -> bool:
    return pair["start"] <= date(year, 12, 31) and (pair["end"] is None or pair["end"] >= date(year, 1, 1))


def _enrolment(rng: np.random.Generator, codes: list[str]) -> list[dict]:
    rows = []
    for code in codes:
        enrolled = int(rng.integers(50, 151))
        rows.append(
            {
                "programme_code": code,
                "enrolled": enrolled,
                "with_employer_mentor": int(enrolled * rng.uniform(0.05, 0.6)),
            }
        )
    return rows


def _fact_value(text: str) -> object:
    return int(text) if text.isdigit() else text


def _fill_indicators(sheet, rows: pd.DataFrame, facts: pd.DataFrame, share: float) -> None:
    """Write facts into the planned rows (the first ``share`` of them) and add rows for facts
    reported on cells with nothing planned."""
    reported = {(f.indicator, f.programme_code): f.fact for f in facts.itertuples(index=False)}
    column = forms.INDICATORS.names.index("fact") + 1
    limit = round(len(rows) * share)
    for index, row in enumerate(rows.itertuples(index=False)):
        value = reported.pop((row.indicator, row.programme_code), None)
        if value is not None and index < limit:
            sheet.cell(row=index + 2, column=column, value=_fact_value(value))
    if share < 1:
        return
    planned = set(zip(rows["indicator"], rows["programme_code"], strict=True))
    extra = [
        {"indicator": ind, "programme_code": prog, "title": "", "plan": "-", "fact": _fact_value(value)}
        for (ind, prog), value in reported.items()
        if (ind, prog) not in planned
    ]
    write_rows(sheet, forms.INDICATORS, extra, start_row=len(rows) + 2)


def submission_workbook(
    cluster_id: str,
    year: int,
    plan: pd.DataFrame,
    organisations: pd.DataFrame,
    facts: pd.DataFrame,
    people: list[_Person],
    pairs: list[dict],
    seed: int,
) -> Workbook:
    """A filled-in demo form of one cluster-year (before any planted defect)."""
    rng = _rng(seed, "form", cluster_id, year)
    draft = year == DRAFT_YEAR
    workbook = build_form(cluster_id, year, plan, organisations, demo=True)
    meta = workbook[forms.META.title]
    meta.cell(row=meta_row("filled_by"), column=2, value=f"{person_name(rng)} (демо)")
    submitted = (
        date(2026, 11, int(rng.integers(2, 21)))
        if draft
        else _day(rng, date(year + 1, 1, 9), date(year + 1, 1, 19))
    )
    meta.cell(row=meta_row(date_field()), column=2, value=submitted).number_format = "DD.MM.YYYY"
    _fill_indicators(workbook[forms.INDICATORS.title], planned_rows(plan, year), facts, 0.5 if draft else 1.0)
    active = [p for p in pairs if _active(p, year)]
    teachers = _teacher_rows(rng, people, year, {p["teacher_name"] for p in active})
    if draft:
        teachers = teachers[: len(teachers) // 2]
        listed = {t["full_name"] for t in teachers}
        active = [p for p in active if p["teacher_name"] in listed][: len(active) // 2]
    write_rows(workbook[forms.TEACHERS.title], forms.TEACHERS, teachers)
    write_rows(workbook[forms.PAIRS.title], forms.PAIRS, active)
    codes = list(dict.fromkeys(plan.loc[plan["programme_code"] != "", "programme_code"]))
    write_rows(workbook[forms.ENROLMENT.title], forms.ENROLMENT, _enrolment(rng, codes))
    return workbook


def plant_defects(workbook: Workbook, relative: str) -> None:
    """Write the ``DEFECTS`` that belong to the file ``relative`` into its workbook."""
    for defect in DEFECTS:
        if defect.file != relative or defect.sheet is None:
            continue
        sheet = workbook[defect.sheet]
        if defect.kind == "duplicated_row":
            # Insert the copy so that the row it lands on moves down instead of being lost.
            sheet.insert_rows(defect.row)
            for column in range(1, sheet.max_column + 1):
                source = sheet.cell(row=defect.row - 1, column=column)
                sheet.cell(
                    row=defect.row, column=column, value=source.value
                ).number_format = source.number_format
            continue
        headings = [c.value for c in sheet[1]]
        cell = sheet.cell(row=defect.row, column=headings.index(defect.column) + 1, value=defect.value)
        if isinstance(defect.value, (int, str)):
            cell.number_format = "General"


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def write_csv_submission(workbook: Workbook, folder: Path) -> list[Path]:
    """Write a form as CSV sheets the way a cluster office's Excel exports them: one
    ``<sheet title>.csv`` per sheet but the instructions, cp1251, ``;``, decimal commas, dates
    ``dd.mm.yyyy``."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for sheet in workbook.worksheets:
        if sheet.title == forms.INSTRUCTIONS_TITLE:
            continue
        rows = [[_csv_value(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        while rows and not any(rows[-1]):
            rows.pop()
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=forms.CSV_DELIMITER, lineterminator="\r\n").writerows(rows)
        path = folder / f"{sheet.title}.csv"
        path.write_bytes(buffer.getvalue().encode(forms.CSV_ENCODING))
        written.append(path)
    return written


def _clean(raw_dir: Path) -> None:
    """Remove what an earlier run generated, so a missing file stays missing."""
    for path in [
        raw_dir / DEMO_REGISTRY,
        raw_dir / DEMO_PARTICIPANTS,
        *(raw_dir / "plans").glob("demo-*.csv"),
        *(raw_dir / "plans" / "federal").glob("demo-*.csv"),
        raw_dir / FEDERAL_WORKBOOK,
    ]:
        path.unlink(missing_ok=True)
    for path in (raw_dir / SUBMISSIONS_DIR).glob("demo-*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def write_demo_region(raw_dir: str | Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demonstration region under ``raw_dir``; return every path written."""
    raw_dir = Path(raw_dir)
    _clean(raw_dir)
    real = load_registry(raw_dir / REGISTRY_FILE)
    if SEED_CLUSTER not in set(real["cluster_id"]):
        raise LookupError(f"the registry has no {SEED_CLUSTER!r}: its plan is the pattern of the demo plans")
    seed_rows = read_plan_file(real.loc[real["cluster_id"] == SEED_CLUSTER, "plan_path"].iloc[0])
    written = []
    registry_rows = []
    for cluster in DEMO_CLUSTERS:
        path = raw_dir / "plans" / f"{cluster.cluster_id}.csv"
        write_plan_file(demo_plan(seed_rows, cluster, seed), path)
        written.append(path)
        place = [REGION_CODE, REGION_NAME, cluster.industry, cluster.colleges[0]]
        registry_rows.append([cluster.cluster_id, cluster.name, *place, f"plans/{path.name}", "1"])
    registry_path = raw_dir / DEMO_REGISTRY
    pd.DataFrame(registry_rows, columns=[*REGISTRY_COLUMNS, "demo"]).to_csv(
        registry_path, index=False, encoding="utf-8", lineterminator="\n"
    )
    written.append(registry_path)
    registry = load_registry(raw_dir / REGISTRY_FILE)
    # Forms only for the demonstration clusters and the seed cluster, whose facts are demo data
    # too: a real cluster added to the registry keeps its own submissions.
    registry = registry[registry["demo"] | (registry["cluster_id"] == SEED_CLUSTER)].reset_index(drop=True)
    participants = participants_table(registry)
    write_participants(participants, raw_dir / DEMO_PARTICIPANTS)
    written.append(raw_dir / DEMO_PARTICIPANTS)
    written += write_submissions(raw_dir, registry, participants, seed)
    written += write_federal(raw_dir, [c.cluster_id for c in DEMO_CLUSTERS], seed)
    logger.info("demo region: %d files under %s", len(written), raw_dir)
    return written


def federal_workbook(cluster_ids: list[str], seed: int) -> Workbook:
    """The operator's «Приложение 5» form for the demo clusters: a row per cluster, each
    indicator's title and unit merged over its year columns (the layout the importer reads)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Приложение 5"
    sheet.cell(1, 1, "cluster_id")
    sheet.cell(1, 2, "Кластер (демо)")
    width = len(FEDERAL_YEARS)
    for i, (title, unit, _) in enumerate(FEDERAL_INDICATORS):
        first = 3 + i * width
        sheet.cell(1, first, title)
        sheet.cell(2, first, unit)
        for row in (1, 2):
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=first + width - 1)
        for j, year in enumerate(FEDERAL_YEARS):
            sheet.cell(3, first + j, year)
    for r, cluster_id in enumerate(cluster_ids, start=4):
        rng = _rng(seed, "federal", cluster_id)
        sheet.cell(r, 1, cluster_id)
        for i, (_, unit, (low, high)) in enumerate(FEDERAL_INDICATORS):
            base = rng.uniform(low, high)
            for j in range(width):
                value = base * (1 + 0.12 * j)
                cell = round(value, 1) if unit == "млн руб." else round(value)
                sheet.cell(r, 3 + i * width + j, cell)
    return book


def write_federal(raw_dir: Path, cluster_ids: list[str], seed: int) -> list[Path]:
    """Write the demo «Приложение 5» workbook and import each cluster's row from it with the
    project's own importer into ``plans/federal/<cluster>.csv``."""
    from analysis.sources.federal import write_federal_file
    from analysis.sources.plan_import.federal import read_federal_xlsx

    workbook_path = raw_dir / FEDERAL_WORKBOOK
    workbook_path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(federal_workbook(cluster_ids, seed), workbook_path)
    written = [workbook_path]
    folder = raw_dir / "plans" / "federal"
    folder.mkdir(parents=True, exist_ok=True)
    for cluster_id in cluster_ids:
        path = folder / f"{cluster_id}.csv"
        write_federal_file(read_federal_xlsx(workbook_path, cluster_id).plan, path)
        written.append(path)
    return written


def _real_submission(folder: Path, cluster_id: str, year: int) -> bool:
    """A submission of this cluster-year already there and not marked as demonstration data."""
    from analysis.sources.workbook import find_submissions, read_submission

    stem = f"{cluster_id}_{year}"
    for path in find_submissions(folder):
        if Path(path).name.split(".")[0] != stem:
            continue
        try:
            if not read_submission(path).demo:
                return True
        except Exception:  # unreadable: not ours to overwrite either
            return True
    return False


def write_submissions(
    raw_dir: Path, registry: pd.DataFrame, participants: pd.DataFrame, seed: int
) -> list[Path]:
    """Every demo submission of every cluster in the registry, with the defects planted."""
    plan = load_plans(registry)
    facts = demo_facts(plan, (*YEARS, DRAFT_YEAR), seed)
    missing = {d.file for d in DEFECTS if d.kind == "missing_submission"}
    written = []
    for cluster_id in registry["cluster_id"]:
        cluster_plan = plan[plan["cluster_id"] == cluster_id]
        organisations = cluster_participants(participants, cluster_id)
        codes = list(dict.fromkeys(cluster_plan.loc[cluster_plan["programme_code"] != "", "programme_code"]))
        rng = _rng(seed, "people", cluster_id)
        colleges = organisations.loc[organisations["org_type"] == "college", "organisation"].tolist()
        employers = organisations.loc[organisations["org_type"] == "employer", "organisation"].tolist()
        people = _people(rng, colleges, employers, codes)
        pairs = _pairs(rng, people)
        years = [*YEARS, DRAFT_YEAR] if cluster_id in DRAFT_CLUSTERS else list(YEARS)
        for year in years:
            relative = f"{SUBMISSIONS_DIR}/{forms.submission_name(cluster_id, year)}"
            if relative in missing:
                continue
            if _real_submission(raw_dir / SUBMISSIONS_DIR, cluster_id, year):
                logger.warning("demo: %s is a real submission; left as it is", relative)
                continue
            mine = facts[(facts["cluster_id"] == cluster_id) & (facts["year"] == str(year))]
            workbook = submission_workbook(
                cluster_id, year, cluster_plan, organisations, mine, people, pairs, seed
            )
            plant_defects(workbook, relative)
            if (cluster_id, year) == CSV_SUBMISSION:
                folder = raw_dir / SUBMISSIONS_DIR / forms.submission_folder(cluster_id, year)
                written += write_csv_submission(workbook, folder)
            else:
                written.append(save_workbook(workbook, raw_dir / relative))
    return written
