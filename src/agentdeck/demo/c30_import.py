"""Demo chapter: importing the notes a team already has, and auditing an agent's report."""

from __future__ import annotations

from importlib import resources

from agentdeck.demo import Tour

TITLE = "Import existing notes, then audit a report that overstates its work"

_NOTES = ("SESSION_HISTORY.md", "CURRENT_WORK.md", "sitzung_2026-01-12.md")


def _example(name: str) -> bytes:
    return resources.files("agentdeck.demo").joinpath("notes", name).read_bytes()


def run(tour: Tour) -> None:
    tour.say(
        "Teams arrive with months of hand-kept notes: a SESSION_HISTORY.md, a CURRENT_WORK.md "
        "hand-off, a colleague's German session log saved with Windows line ends and a broken "
        "emoji. `import` reads them all, repairs the damaged text, and shows first what it would do."
    )
    for name in _NOTES:
        path = tour.root / "notes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_example(name))
    (tour.root / "notes" / "README.md").write_text("# Notes\n\nThe team's notes, by hand.\n")
    tour.run("import", "notes", "--dry-run", max_lines=20)
    tour.run("import", "notes")
    tour.say(
        "Importing again changes nothing: every session has a natural key (day and start time, "
        "or an explicit session ID), and tasks keep the IDs the notes gave them. The README has "
        "no session structure and is skipped, not forced into records."
    )
    tour.run("import", "notes")
    tour.say(
        "The recommended tasks went to the backlog as todo, tagged and marked with their source."
    )
    tour.run("task", "list", "--tag", "recommended")
    tour.say(
        "Now an agent finishes a session and writes its own report. It claims five tasks, four "
        "files and 300 lines; the repository holds something else."
    )
    tour.write("billing/export.py", "".join(f"# export line {n}\n" for n in range(120)))
    tour.write("billing/pdf.py", "".join(f"# pdf line {n}\n" for n in range(88)))
    tour.commit("billing: CSV export and PDF prototype", "billing")
    # The report is dated today, the day of the commit above, so git totals can be checked.
    today = tour.git("log", "-1", "--format=%cd", "--date=short").strip()
    tour.write(
        "REPORT.md", _example("REPORT_overstated.md").decode("utf-8").replace("2026-01-15", today)
    )
    tour.say(
        "`verify` checks each claim against the report itself (5 of 5 tasks against the three it "
        "lists, the total against its breakdown) and against the repository (files and their "
        "line counts). It exits 1 because something is contradicted."
    )
    tour.run("verify", "REPORT.md", "--repo", ".", expect=(1,), max_lines=30)
