"""Russian wording of statuses and columns, the one place reports take it from."""

from __future__ import annotations

from analysis import fulfilment as f

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
