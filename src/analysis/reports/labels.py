"""Russian wording of statuses and columns, the one place reports take it from."""

from __future__ import annotations

import math

from analysis.metrics import completeness as c
from analysis.metrics import fulfilment as f

STATUS_RU = {
    f.MET: "выполнено",
    f.PARTLY_MET: "выполнено частично",
    f.NOT_MET: "не выполнено",
    f.PENDING: "ожидается отчёт",
    f.NO_DATA: "нет данных",
    f.BEYOND_PLAN: "сверх плана",
    f.NOT_PLANNED: "не запланировано",
}

STATUS_COLOURS = {
    f.MET: "#2e7d32",
    f.PARTLY_MET: "#f9a825",
    f.NOT_MET: "#c62828",
    f.PENDING: "#90a4ae",
    f.NO_DATA: "#5d4037",
    f.BEYOND_PLAN: "#1565c0",
    f.NOT_PLANNED: "#e0e0e0",
}

DEMO_NOTICE = (
    "**Демонстрационные данные.** Фактические значения в этом отчёте сгенерированы "
    "программой для показа возможностей системы и не являются отчётностью кластера."
)

# Staffing metrics (analysis.metrics.staffing) as the report names them; shares are shown as percents.
STAFFING_RU = {
    "teachers": "Преподавателей в списках, всего",
    "employer_teachers": "из них работников организаций — совместителей (п. 1.6.1)",
    "employer_teacher_share": "доля работников организаций среди преподавателей",
    "employer_hours_share": "доля их часов в учебной нагрузке",
    "trained_employer_staff": "Работников организаций, обученных педагогическим навыкам (п. 1.5.1)",
    "trained_share": "доля обученных среди преподавателей от работодателей",
    "pairs": "Действующих пар «преподаватель ПОО – специалист» (п. 1.6.2)",
    "invalid_pairs": "пар, указанных с нарушением состава (не засчитаны)",
    "college_teachers_in_pairs_share": "доля преподавателей ПОО, состоящих в паре",
    "employer_teachers_in_pairs_share": "доля преподавателей от работодателей, состоящих в паре",
}
STAFFING_SHARES = {
    "employer_teacher_share",
    "employer_hours_share",
    "trained_share",
    "college_teachers_in_pairs_share",
    "employer_teachers_in_pairs_share",
}

# Reported facts against rosters and enrolment (analysis.metrics.reconcile statuses).
CHECK_RU = {
    "agrees": "подтверждается списками",
    "fact_above_roster": "в отчёте больше, чем в списках",
    "fact_below_roster": "в списках больше, чем в отчёте",
    "yes_without_evidence": "«да» без подтверждения в списках",
    "no_contradicted": "«нет», хотя списки показывают выполнение",
    "no_roster": "нет списков для проверки",
    "unreported_with_evidence": "не отражено в отчёте, но подтверждается списками",
    "unreported_no_evidence": "не отражено в отчёте, в списках пусто",
    "no_data": "нет ни отчёта, ни списков",
}
MEASURE_RU = {
    "employer_teachers": "преподаватели от работодателей",
    "trained_employer_staff": "обученные работники организаций",
    "pairs": "действующие пары наставничества",
    "programmes_launched": "программы с набором обучающихся",
    "employer_staff_part_time": "работники организаций — совместители",
    "students_with_employer_mentor": "обучающиеся с наставником от работодателя",
}
TARGET_CHECK_RU = {
    "roster_meets_target": "списки подтверждают достижение",
    "roster_below_target": "по спискам ниже целевого значения",
    "no_roster": "нет данных для проверки",
}

# The state of a cluster-year (analysis.metrics.completeness.cluster_year_states): one vocabulary
# for the index, the region report and the cluster report.
STATE_RU = {
    c.ON_TIME: "представлен в срок",
    c.LATE: "представлен с опозданием",
    c.NOT_DUE: "срок не наступил",
    c.MISSING: "не представлен",
    c.REFUSED: "получен, не принят",
}
COMPLETENESS_RU = STATE_RU  # the name the index used before the states had one function
NO_RATE = "нет данных"  # in place of a fulfilment rate that may not be shown (never 0 %)
UNDATED_NOTE = "дата представления в файле не указана"
DEMO_MARK = "демо"


def status_text(status: str) -> str:
    """The Russian words of a plan cell's status (``fulfilment``); «—» for anything else."""
    return STATUS_RU.get(status, "—") if isinstance(status, str) else "—"


def count_text(value) -> str:
    """A count or a fact as a report writes it: «10», «1,5» → «1.5», «—» when there is none."""
    try:
        if value is None or math.isnan(float(value)):
            return "—"
    except TypeError:  # pandas NA
        return "—"
    return f"{float(value):g}"


def check_text(status: str) -> str:
    """The Russian words of a reconciliation status (facts or federal targets)."""
    return CHECK_RU.get(status) or TARGET_CHECK_RU.get(status) or str(status)


def check_note(fact_kind, fact_value, roster_value) -> str:
    """What a reconciliation compared, as the report's table shows it: «в отчёте: 10; по спискам: 3»."""
    if fact_kind == "yes":
        reported = "да"
    elif fact_kind == "no":
        reported = "нет"
    else:
        reported = count_text(fact_value)
    return f"в отчёте: {reported}; по спискам: {count_text(roster_value)}"


def state_text(state: str) -> str:
    """The Russian words of a cluster-year state; «—» for anything that is not one."""
    return STATE_RU.get(state, "—") if isinstance(state, str) else "—"


PROVISIONAL = "предварительно"  # a rate before its year's deadline (metrics.fulfilment)


def rate_text(rate, rate_shown: bool, provisional: bool = False) -> str:
    """A fulfilment rate as a percent when it may be shown, else «нет данных»; a provisional one
    (before the year's deadline) is labelled «89 % (предварительно)»."""
    if not rate_shown:
        return NO_RATE
    text = percent(rate)
    return f"{text} ({PROVISIONAL})" if provisional and text != "—" else text


def met_text(met, planned, received, awaited, provisional: bool) -> str:
    """«8 из 18» — or, provisional, «8 из 9 полученных; ожидается ещё 9» (DOMAIN.md «A year in
    progress»): the count the rate is taken over."""
    if not provisional:
        return f"{int(met)} из {int(planned)}"
    text = f"{int(met)} из {int(received)} полученных"
    return text + (f"; ожидается ещё {int(awaited)}" if awaited else "")


def percent(value: float | None) -> str:
    """A share as a whole percent for a report, «—» when there is none (NaN, NA, None); never
    «-0%», thousands grouped (``number_text``)."""
    try:
        if value is None or math.isnan(float(value)):
            return "—"
    except TypeError:  # pandas NA
        return "—"
    return f"{number_text(round(float(value) * 100))}%"


GROUP = "\u00a0"  # between groups of thousands: a space that never breaks the number


def number_text(value) -> str:
    """A number the Russian way for a page: thousands grouped (``1 000 000 000``), a decimal comma
    and at most two decimals (``3,5``), never an exponent (``1e+09``) or «-0»; «—» for none."""
    try:
        if value is None or math.isnan(float(value)):
            return "—"
    except TypeError:  # pandas NA
        return "—"
    number = round(float(value), 2)
    if math.isinf(number):
        return "—"
    if number == 0:
        return "0"
    if number.is_integer():
        return f"{int(number):,}".replace(",", GROUP)
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", GROUP).replace(".", ",")


def change_points(value) -> str:
    """A change of a share in percentage points, «+5 п. п.»; no «-0»: a change that rounds to
    nothing is «0 п. п.», and «—» when there is none."""
    try:
        if value is None or math.isnan(float(value)):
            return "—"
    except TypeError:  # pandas NA
        return "—"
    points = round(float(value) * 100)
    return "0 п. п." if points == 0 else f"{points:+d} п. п."
