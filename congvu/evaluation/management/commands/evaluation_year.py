"""Score a year for the people of a unit: `manage.py evaluation_year 2026 --unit STC-NS`.

Rules (docs/evaluation.md):
- the rule set in force on 1 January of the year for each person's category scores it; a year
  with no rule set stops with an error naming the person;
- ND 335/2025: the year score is the average of the person's tracked months/quarters (those
  the head has proposed or later), wherever the person worked (periods follow the person),
  then the KHT overrides (discipline from khiển trách up in the year, etc.);
- ND 90/2020 + 48/2023: shows the proposed level of each opened year evaluation;
- the HTXS quota (≤ 20 % of HTT per unit and per group of similar jobs) is checked and warned.

Options: --open opens the missing year evaluations (through the actions, idempotent);
--proposals opens the consequence proposals of finalised results; --export DIR writes the
unit's summary table as XLSX and PDF. --dry-run shows what would be opened without writing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from congvu.evaluation import actions, documents, services
from congvu.evaluation.consequences import generate_year_proposals
from congvu.evaluation.models import Evaluation, Level, Scheme
from congvu.evaluation.rules import rule_set_for
from congvu.lib.documents import render_pdf
from congvu.lib.errors import ActionError
from congvu.org.models import Membership, Person, Unit
from congvu.org.tree import tree_as_of


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--unit", required=True, help="Mã đơn vị (Unit.code)")
        parser.add_argument("--subtree", action="store_true", help="Gồm cả các đơn vị trực thuộc")
        parser.add_argument("--open", action="store_true", help="Mở kỳ đánh giá năm còn thiếu")
        parser.add_argument("--proposals", action="store_true", help="Mở các đề xuất hệ quả")
        parser.add_argument("--export", type=Path, help="Thư mục ghi bảng tổng hợp XLSX và PDF")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã “{options['unit']}”.")
        units = {unit.pk}
        if options["subtree"]:
            units = tree_as_of(timezone.localdate()).subtree(unit.pk)
        people = list(
            Person.objects.filter(
                memberships__in=Membership.objects.current().filter(
                    unit_id__in=units, is_primary=True
                )
            )
            .distinct()
            .order_by("full_name")
        )
        verbosity = int(options["verbosity"])
        opened = 0
        try:
            with transaction.atomic():
                for person in people:
                    opened += self._one(person, year, options, verbosity)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ActionError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        evaluations = list(
            Evaluation.objects.years()
            .filter(unit_id__in=units, year=year)
            .select_related("person", "rule_set", "unit")
            .order_by("person__full_name")
        )
        codes = dict(Unit.objects.filter(pk__in=units).values_list("pk", "code"))
        by_unit: dict[int, dict[int, tuple[str, str]]] = {}
        for e in evaluations:
            level = e.final_level or e.decided_level or e.proposed_level
            by_unit.setdefault(e.unit_id, {})[e.pk] = (level, e.group_key)
        for unit_id, pending in sorted(by_unit.items()):
            for v in services.quota_check(unit_id, year, pending):
                self.stdout.write(
                    self.style.WARNING(f"Cảnh báo tỷ lệ ({codes[unit_id]}): {v.message}")
                )
        if options["proposals"] and not options["dry_run"]:
            created = generate_year_proposals(evaluations, today=timezone.localdate())
            self.stdout.write(self.style.SUCCESS(f"Đã mở {len(created)} đề xuất."))
        if options["export"] and not options["dry_run"]:
            self._export(
                unit, year, [e for e in evaluations if e.unit_id == unit.pk], options["export"]
            )
        verb = "Sẽ mở" if options["dry_run"] else "Đã mở"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {opened} kỳ đánh giá năm; {len(people)} người.")
        )

    def _one(self, person: Person, year: int, options: dict[str, Any], verbosity: int) -> int:
        from datetime import date

        rule_set = rule_set_for(person.category, date(year, 1, 1))
        e = Evaluation.objects.filter(person=person, kind=Evaluation.Kind.YEAR, year=year).first()
        opened = 0
        if e is None and options["open"]:
            e = actions.do_open_evaluation(person, Evaluation.Kind.YEAR, year)
            opened = 1
        if rule_set.scheme == Scheme.POINTS:
            probe = e or Evaluation(
                person=person, kind=Evaluation.Kind.YEAR, year=year, rule_set=rule_set
            )
            try:
                score = services.score_year_points(probe)
                text = f"{score.total} điểm → {Level(score.level).label if score.level else '—'}"
                if score.level == Level.KHT and len(score.reasons) > 1:
                    text += " (" + "; ".join(score.reasons[1:]) + ")"
            except ActionError as exc:
                text = exc.message
        elif e and e.final_level:
            text = f"kết quả: {Level(e.final_level).label}"
        elif e and e.proposed_level:
            text = f"đề xuất: {Level(e.proposed_level).label}"
        else:
            text = "chưa đề xuất"
        status = e.get_status_display() if e else "chưa mở"
        if verbosity >= 1:
            self.stdout.write(
                f"{person.code:<12} {person.full_name:<28} [{rule_set.code}] {status}: {text}"
            )
        return opened

    def _export(self, unit: Unit, year: int, evaluations: list[Evaluation], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        doc = documents.unit_summary_doc(unit, year, evaluations)
        from congvu.evaluation.privacy import record_read

        record_read(None, evaluations, purpose="command_export")
        for fmt, data in (("xlsx", documents.render_xlsx(doc)), ("pdf", render_pdf(doc))):
            target = folder / f"tong-hop-{unit.code}-{year}.{fmt}"
            # Write to a temp file in the same folder, then rename: no half-written output.
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=f".{fmt}.tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            Path(tmp).replace(target)
            self.stdout.write(self.style.SUCCESS(f"Đã ghi {target}"))
