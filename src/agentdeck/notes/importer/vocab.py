"""The words notes use: section names, field names, session markers, priorities.

Each table covers English and the languages notes of this genre are commonly
written in (German, French, Spanish, Portuguese, Italian, Dutch, Russian,
Japanese, Chinese), so a "## Nächste Schritte" section is read like
"## Next Steps". Matching is on lower-cased text with emoji and numbering
removed. A word that names a section only when it is the whole heading
("Added", "Fixed", "Work", "Status", "TODO": Keep a Changelog's headings, a
log's own) is in ``_WHOLE_NAMES``, so that "Security model" or "Status codes
of the API" name nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from agentdeck.notes.importer.scan import clean_inline, strip_symbols


@dataclass(frozen=True)
class Section:
    """What a heading (or a bold label) says the content below it is.

    ``kind`` is one of: work, tasks, files, metrics, decisions, challenges,
    lessons, blockers, next, newtasks, summary, objective, ideas, or "" when
    the heading names nothing the importer keeps. ``status``/``role`` are the
    defaults for task references found below it.
    """

    kind: str
    status: str | None = None
    role: str | None = None


_RULES: list[tuple[Section, str]] = [
    (
        Section("newtasks"),
        r"new tasks?|tasks? (?:to add|for (?:the )?backlog|identified|recommended|to create)|"
        r"recommended (?:new )?tasks|suggested tasks|backlog (?:additions|items|candidates)|"
        r"add(?:ed)? to (?:the )?backlog|should be added|follow[- ]up tasks|new tickets|"
        r"(?:recommended|suggested|proposed) follow[- ]?ups?|"
        r"neue aufgaben|nouvelles tâches|nuevas tareas|novas tarefas|nuove attività|nieuwe taken|"
        r"новые задачи|新しいタスク|追加タスク|新任务|新任務",
    ),
    (
        Section("ideas"),
        r"improvements? identified|future (?:work|implementation|improvements|ideas|enhancements)|"
        r"ideas|nice to have|wish ?list|possible improvements|enhancements",
    ),
    (
        Section("next"),
        r"next steps?|next session|next actions?|recommendations? for (?:the )?next|up next|"
        r"follow[- ]?ups?|what'?s next|remaining work|immediate (?:next|priorities|priority)|"
        r"action items|(?:to ?)?do next|handoff|hand-off|nächste schritte|nächste sitzung|"
        r"prochaines étapes|prochaine session|próximos pasos|próxima sesión|próximos passos|"
        r"prossimi passi|volgende stappen|recommended next|integration opportunities|"
        r"次のステップ|今後の作業|次回の作業|次回|下一步(?:计划|計劃)?|后续步骤|後續步驟|"
        r"next up|for the next (?:agent|session|engineer|developer|person)|"
        r"next (?:agent|engineer|developer|person)(?: should| must| needs? to)?|"
        r"(?:still|left) to ?do|(?:to-?do|todo) list|don['’]?t forget|do not forget|"
        r"noch zu tun|noch offen|reste à faire|por hacer|da fare|nog te doen|"
        r"следующие шаги|дальнейшие шаги|что дальше|следующая сессия|на следующую сессию",
    ),
    (
        # Questions left for the reader: notes (a summary's items are notes), not challenges.
        Section("summary"),
        r"(?:open|unresolved|outstanding|remaining) questions?|"
        r"questions? for (?:the )?(?:user|human|reviewer|team|owner|maintainers?)|"
        r"offene fragen|questions ouvertes|preguntas abiertas|perguntas em aberto|domande aperte|"
        r"open vragen|открытые вопросы|未解決の(?:質問|課題|問題)|未解决的问题|待解决的问题|"
        r"未解決的問題",
    ),
    (
        Section("challenges"),
        r"challenges?|problems?(?: encountered| solved| fixed)?|issues (?:encountered|faced|found|"
        r"fixed|resolved|hit)|difficulties|obstacles|gotchas|troubleshooting|bugs? fixed|fixed bugs|"
        r"herausforderungen|probleme|schwierigkeiten|défis|problèmes|difficultés|desafíos|"
        r"problemas|dificultades|dificuldades|sfide|problemi|difficoltà|uitdagingen|problemen|"
        r"проблемы|трудности|сложности|課題|問題点|遇到的问题|遇到的問題|问题|問題",
    ),
    (
        Section("blockers", status="blocked"),
        r"blockers?|blocked|blocking issues|impediments|open issues|known issues|risks?|"
        r"blockaden|blockiert|blocages|bloqué|bloqueos|bloqueado|bloqueios|blocchi|bloccato|"
        r"blokkades|блокеры?|заблокировано|препятствия|ブロッカー|阻塞|障碍|阻礙",
    ),
    (
        Section("decisions"),
        r"decisions?|decided|design choices|technical choices|architecture choices|"
        r"entscheidungen|décisions|decisiones|decisões|decisioni|beslissingen|"
        r"решения|決定事項|决策|決策",
    ),
    (
        Section("lessons"),
        r"lessons?(?: learned| learnt)?|learnings?|takeaways?|what worked|what didn'?t work|"
        r"what went well|what could be better|insights|retrospective|areas for improvement|"
        r"technical notes|gotchas learned|erkenntnisse|gelernt|leçons|enseignements|lecciones|"
        r"aprendizajes|lições|aprendizados|lezioni|geleerd|уроки|学び|教訓|经验教训|經驗教訓",
    ),
    (
        Section("files"),
        r"files?(?: created| modified| changed| added| touched| updated| delivered| written)?|"
        r"(?:created|modified|changed|new|key|touched|updated) files|file changes|"
        r"dateien|fichiers|archivos|arquivos|bestanden|file (?:creati|modificati)|"
        r"файлы|"
        r"(?:変更|作成|追加)したファイル|ファイル|(?:修改|新建|创建)的文件|文件|檔案",
    ),
    (
        Section("metrics"),
        r"metrics?|stats|statistics|numbers|kpis?|by the numbers|kennzahlen|statistiken|"
        r"métriques|statistiques|métricas|estadísticas|estatísticas|metriche|statistiche|"
        r"метрики|статистика",
    ),
    (
        Section("tasks", status="in_progress", role="worked"),
        r"in progress|ongoing|work in progress|wip|current(?:ly)? (?:working|tasks?)|open work|"
        r"en cours|in arbeit|en progreso|em andamento|in corso|bezig",
    ),
    (
        Section("tasks", status="todo", role="planned"),
        r"planned(?: tasks| work)?|tasks? planned|plan for (?:this|the) session|session plan|"
        r"geplant|prévu|planificad[oa]s?|planejad[oa]s?|pianificat[oe]",
    ),
    (
        Section("tasks", status="done", role="completed"),
        r"tasks? (?:executed|completed|done|finished|closed|resolved)|(?:completed|finished|done|"
        r"closed|resolved) tasks?|erledigte aufgaben|tâches (?:terminées|réalisées)|"
        r"tareas completadas|tarefas concluídas|attività completate",
    ),
    (Section("tasks"), r"tasks?|work items|tickets|aufgaben|tâches|tareas|tarefas|attività|задачи"),
    (
        Section("objective"),
        r"objectives?|goals?|focus|mission|purpose|ziele?|objectifs?|objetivos?|obiettivi?|doelen?|"
        r"цели|цель",
    ),
    (
        Section("work"),
        r"work (?:completed|done|performed|accomplished|log)|completed work|what (?:was|i|we|got) "
        r"(?:did|done)|accomplishments?|achievements?|deliverables?|implementation|changes(?: made)?|"
        r"progress (?:made|today)|completed|done|work summary|summary of work|"
        r"erledigt|durchgeführte arbeiten|erledigte arbeiten|travail (?:effectué|réalisé)|réalisations?|"
        r"trabajo realizado|realizado|completado|trabalho realizado|concluído|o que foi feito|"
        r"trabalho feito|lavoro svolto|lavoro fatto|cosa è stato fatto|completato|gedaan|"
        r"uitgevoerd|сделано|выполнено|(?:выполненная|проделанная) работа|完了した作業|"
        r"完了したこと|作業内容|実施内容|完成的工作|已完成(?:的工作)?|完成事项|工作内容|已完成的工作",
    ),
    (
        Section("summary"),
        r"summary|overview|tl;?dr|zusammenfassung|überblick|résumé|aperçu|resumen|resumo|"
        r"riepilogo|sommario|samenvatting|current (?:status|state)|where things stand|"
        r"status update|stand der dinge|état actuel|estado actual|итоги|резюме|"
        r"概要|まとめ|总结|總結|摘要",
    ),
]
_COMPILED = [
    (section, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])")) for section, pattern in _RULES
]
#: Any of the rules at all: it matches exactly when one of ``_COMPILED`` does,
#: and one search of it costs half of trying the rules one by one on a heading
#: that names no section (a session's own heading, a task's).
_ANY_RULE: Final = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?:{pattern})" for _, pattern in _RULES) + r")(?![\w])"
)
_NUMBERING: Final = re.compile(r"^\s*(?:\d+[.)]|[ivx]+\.|[a-z]\))\s+|^\s*#+\s*")
#: The section of a heading that names nothing the importer keeps (shared: frozen,
#: and built once rather than per line).
NO_SECTION = Section("")
_NEXT = next(section for section, _pattern in _RULES if section.kind == "next")
#: Words that name a section only as the whole heading, looked up before the
#: rules: as anchored alternatives in them, they made every search of a
#: heading that names nothing 10 % slower. No rule matches one of these
#: (``tests/notes/importer/test_vocab_wild.py``), so the order does not matter.
_WHOLE_NAMES: Final[dict[str, Section]] = {
    name: Section(kind)
    for kind, names in (
        (
            "next",
            ["todo", "todos", "to-do", "to-dos", "to do", "à faire", "a fazer", "zu erledigen"],
        ),
        (
            "summary",
            [
                "question",
                "questions",
                "status",
                "stand",
                "statut",
                "estado",
                "stato",
                "статус",
                "note",
                "notes",
                "notizen",
                "remarques",
            ],
        ),
        (
            "work",
            [
                "added",
                "fixed",
                "changed",
                "removed",
                "deprecated",
                "security",
                "work",
                "wins",
                "feito",
                "fatto",
            ],
        ),
    )
    for name in names
}


@lru_cache(maxsize=8192)
def normal(text: str) -> str:
    """Lower-cased text without markup, leading numbering, symbols or trailing colon."""
    text = clean_inline(text)
    text, _ = strip_symbols(text)
    lowered = text.lower()
    text = _NUMBERING.sub("", lowered)
    if len(text) != len(lowered):
        # An emoji after the numbering ("### 🛠️ Work", "2. ✅ Done").
        text, _ = strip_symbols(text.strip())
    return text.strip().rstrip(":：").strip()


_DIGIT_RUN: Final = re.compile(r"\d+")


@lru_cache(maxsize=4096)
def classify_heading(text: str) -> Section:
    """The ``Section`` a heading or bold label names (``Section("")`` for anything else)."""
    name = normal(text)
    if not name or len(name) > 80:
        return NO_SECTION
    # No rule holds a digit, nor a wildcard or class that could match one: which
    # rule matches depends only on where digits stand (as word characters), not
    # on which or how many. So each run of digits is read as one "0", and the
    # headings that differ only by their dates, times or numbers (every
    # session's, in a history) share one search of the rules, not one each.
    # ``tests/notes/importer/test_vocab.py`` holds the rules to that.
    return _classify_name(_DIGIT_RUN.sub("0", name))


@lru_cache(maxsize=4096)
def _classify_name(name: str) -> Section:
    if name == "next":
        # A heading or label of that one word (a rule of "next" alone would take
        # "Next.js" too, and an anchored alternative slows every search of them).
        return _NEXT
    whole = _WHOLE_NAMES.get(name)
    if whole is not None:
        return whole
    if not _ANY_RULE.search(name):
        return NO_SECTION
    for section, pattern in _COMPILED:
        if pattern.search(name):
            return section
    return NO_SECTION


# -- fields -----------------------------------------------------------------------------

_FIELDS: dict[str, str] = {}


def _field(name: str, *keys: str) -> None:
    for key in keys:
        _FIELDS[key] = name


#: Labels of the date a session happened on; the other "date" labels (updated,
#: completed, ...) are read only when a note has none of these.
PRIMARY_DATE_LABELS = frozenset(
    {
        "date",
        "day",
        "session date",
        "datum",
        "fecha",
        "data",
        "jour",
        "dag",
        "started",
        "start date",
        "when",
        "date started",
        "run date",
        "session day",
        "дата",
        "日付",
        "日期",
    }
)

_field(
    "date",
    *sorted(PRIMARY_DATE_LABELS),
    "last updated",
    "updated",
    "session completed",
    "completed",
    "session end",
    "ended",
    "finished",
    "最終更新",
    "更新日",
    "最后更新",
    "更新日期",
)
_field("time", "time", "start time", "zeit", "heure", "hora", "ora", "tijd")
_field(
    "duration",
    "duration",
    "session duration",
    "time spent",
    "elapsed",
    "elapsed time",
    "dauer",
    "durée",
    "duración",
    "duração",
    "durata",
    "duur",
    "total time",
    "длительность",
    "продолжительность",
    "所要時間",
    "作業時間",
    "时长",
    "時長",
    "耗时",
    "耗時",
)
_field(
    "agent",
    "agent",
    "model",
    "assistant",
    "ai",
    "llm",
    "author",
    "by",
    "engineer",
    "agente",
    "autor",
    "auteur",
    "ai agent",
    "coding agent",
    "агент",
    "エージェント",
    "担当エージェント",
    "代理",
    "智能体",
    "智能體",
)
_field(
    "branch",
    "branch",
    "git branch",
    "zweig",
    "branche",
    "rama",
    "ramo",
    "tak",
    "working branch",
    "ветка",
    "ブランチ",
    "作業ブランチ",
    "分支",
)
_field(
    "objective",
    "objective",
    "objectives",
    "focus",
    "goal",
    "goals",
    "mission",
    "task",
    "ziel",
    "fokus",
    "objectif",
    "objetivo",
    "enfoque",
    "obiettivo",
    "doel",
    "session focus",
    "session goal",
    "session objective",
)
_field("title", "title", "titel", "titre", "título", "titolo")
_field("session", "session id", "session", "sitzung", "séance", "sesión", "sessão", "sessione")
_field("status", "status", "state", "estado", "statut", "stato")
_field(
    "priority", "priority", "priorität", "priorité", "prioridad", "prioridade", "priorità", "prio"
)
_field(
    "category",
    "category",
    "type",
    "area",
    "kategorie",
    "catégorie",
    "categoría",
    "categoria",
    "component",
)
_field(
    "effort",
    "effort",
    "estimated effort",
    "estimate",
    "size",
    "aufwand",
    "effort estimé",
    "esfuerzo",
)
_field(
    "problem",
    "issue",
    "problem",
    "challenge",
    "symptom",
    "cause",
    "root cause",
    "error",
    "problème",
    "problema",
    "herausforderung",
)
_field(
    "solution",
    "solution",
    "fix",
    "resolution",
    "resolved",
    "workaround",
    "lösung",
    "solución",
    "solução",
    "soluzione",
    "oplossing",
)
_field("lesson", "learning", "lesson", "prevention", "takeaway", "note to self", "lesson learned")
_field("file", "file", "files", "path", "datei", "fichier", "archivo", "arquivo")


@lru_cache(maxsize=4096)
def field_name(key: str) -> str | None:
    """The field a ``Key:`` names (date, duration, agent, branch, ...), or None."""
    return _FIELDS.get(normal(key))


# -- session markers ----------------------------------------------------------------------

SESSION_WORDS = (
    r"session|sitzung|séance|seance|sesión|sesion|sessão|sessao|sessione|sessie|сессия|"
    r"work session|work log|worklog|log entry|journal"
)
#: "Session 5", "Session #12", "Sitzung 3", "SESSION-20260204-001".
SESSION_NUMBERED: Final = re.compile(
    rf"(?<![\w-])(?:{SESSION_WORDS})\s*(?:#|no\.?|nr\.?|n°|number)?\s*[-:]?\s*\d+\b", re.IGNORECASE
)
SESSION_LEAD: Final = re.compile(rf"^\W*(?:{SESSION_WORDS})\s*[:\-–—]", re.IGNORECASE)
SESSION_WORD: Final = re.compile(rf"(?<![\w-])(?:{SESSION_WORDS})(?![\w])", re.IGNORECASE)
SESSION_ID: Final = re.compile(r"\b(?:SESSION|SES|SESS)-\d{8}-\d{3,}\b|\bSESSION-[A-Z0-9]{4,}\b")
#: Headings that hold sessions rather than being one.
CONTAINER: Final = re.compile(
    r"\b(?:history|index|log|journal|archive|overview|summary|notes|objective|objectives|metrics|"
    r"statistics|achievements|conclusion|type|id|goals?|plan|report|files|tasks|historie|"
    r"verlauf|historique|historial|histórico|cronologia)\s*$",
    re.IGNORECASE,
)
VERSION_HEADING: Final = re.compile(
    r"^\W*(?:v?\d+\.\d+(?:\.\d+)?|\[v?\d+\.\d+[^\]]*\]|unreleased)\b", re.I
)
HANDOFF_TITLE: Final = re.compile(
    r"current[ _-]?work|hand-?off|handover|where (?:we|things) (?:are|stand)|status update|"
    r"continuation|next session|next[ _-]?steps|resume here|übergabe|passation|traspaso|passagem|"
    r"引き継ぎ|引継|交接|передача дел",
    re.IGNORECASE,
)
LOG_TITLE: Final = re.compile(
    r"progress|journal|log|changelog|diary|devlog|tagebuch|bitácora", re.I
)
LIVE_MARKER: Final = re.compile(
    r"\(\s*(?:latest|current|newest|most recent|in progress|ongoing|wip|active|aktuell|actuel|"
    r"en cours|actual)\s*\)|\[\s*(?:latest|current|newest)\s*\]",
    re.IGNORECASE,
)


# -- priorities and efforts -----------------------------------------------------------------

_PRIORITY_WORDS = {
    "critical": "critical",
    "urgent": "critical",
    "blocker": "critical",
    "highest": "critical",
    "p0": "critical",
    "kritisch": "critical",
    "critique": "critical",
    "crítica": "critical",
    "crítico": "critical",
    "critica": "critical",
    "high": "high",
    "p1": "high",
    "important": "high",
    "hoch": "high",
    "haute": "high",
    "élevée": "high",
    "elevee": "high",
    "alta": "high",
    "alto": "high",
    "hoog": "high",
    "medium": "medium",
    "normal": "medium",
    "moderate": "medium",
    "mid": "medium",
    "p2": "medium",
    "mittel": "medium",
    "moyenne": "medium",
    "media": "medium",
    "médio": "medium",
    "médium": "medium",
    "middel": "medium",
    "gemiddeld": "medium",
    "low": "low",
    "minor": "low",
    "lowest": "low",
    "p3": "low",
    "p4": "low",
    "niedrig": "low",
    "basse": "low",
    "faible": "low",
    "baja": "low",
    "bajo": "low",
    "baixa": "low",
    "bassa": "low",
    "laag": "low",
}
_WORD: Final = re.compile(r"[\wéèáíóúñç]+", re.IGNORECASE)


def priority_of(text: str) -> str | None:
    """``"HIGH"``, ``"P1"``, ``"Low (Innovation)"``, ``"🔴 Critical"`` -> a backlog priority."""
    for word in _WORD.findall(text.lower())[:4]:
        if word in _PRIORITY_WORDS:
            return _PRIORITY_WORDS[word]
    return None


_EFFORT_WORDS = {
    "xs": "S",
    "s": "S",
    "small": "S",
    "klein": "S",
    "petit": "S",
    "pequeño": "S",
    "m": "M",
    "medium": "M",
    "mittel": "M",
    "moyen": "M",
    "mediano": "M",
    "l": "L",
    "large": "L",
    "big": "L",
    "groß": "L",
    "gross": "L",
    "grand": "L",
    "grande": "L",
    "xl": "XL",
    "xxl": "XL",
    "huge": "XL",
    "extra large": "XL",
}


def effort_of(text: str) -> str | None:
    """``"Large"``, ``"M"``, ``"XL (2 weeks)"`` -> S, M, L or XL."""
    words = _WORD.findall(text.lower())
    if not words:
        return None
    if words[:2] == ["extra", "large"]:
        return "XL"
    return _EFFORT_WORDS.get(words[0])


_STATUS_WORDS = [
    (
        re.compile(
            r"\b(?:not started|to ?do|open|pending|backlog|planned|offen|à faire|pendiente)\b", re.I
        ),
        "todo",
    ),
    (
        re.compile(
            r"\b(?:in[ _-]?progress|ongoing|wip|started|partial(?:ly)?|en cours|in arbeit|en progreso)\b",
            re.I,
        ),
        "in_progress",
    ),
    (re.compile(r"\b(?:blocked|on hold|waiting|blockiert|bloqué|bloqueado)\b", re.I), "blocked"),
    (re.compile(r"\b(?:in review|review|needs review)\b", re.I), "review"),
    (
        re.compile(
            r"\b(?:cancell?ed|dropped|won'?t do|abandoned|abgebrochen|annulé|cancelado)\b", re.I
        ),
        "cancelled",
    ),
    (
        re.compile(
            r"\b(?:done|complete[d]?|finished|merged|shipped|closed|resolved|fixed|implemented|erledigt|fertig|terminé|hecho|completado|concluído|fatto|klaar)\b",
            re.I,
        ),
        "done",
    ),
]


def status_of(text: str) -> str | None:
    """A task status read from words such as "✅ Complete", "In Progress", "Blocked"."""
    _, mark = strip_symbols(text.strip())
    for pattern, status in _STATUS_WORDS:
        if pattern.search(text):
            return status
    return mark


_CATEGORY_SPLIT: Final = re.compile(r"\s*[/>»›]\s*|\s+-\s+")


def category_of(text: str) -> str:
    """``"Business / Automation"`` -> ``"business/automation"`` (a backlog category path)."""
    parts = [p.strip() for p in _CATEGORY_SPLIT.split(clean_inline(text)) if p.strip()]
    parts = ["-".join(_WORD.findall(p.lower())) for p in parts]
    return "/".join(p for p in parts if p)[:120]
