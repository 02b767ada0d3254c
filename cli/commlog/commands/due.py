from __future__ import annotations

import json
from pathlib import Path

import click

from commlog.commands.common import as_of_option, example, load_schedule, repo_option, resolve_root


@click.command()
@click.argument("record_id")
@as_of_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--explain", is_flag=True, help="Show how each due time was computed (intervals, holidays, make-up days)."
)
@repo_option
@example('commlog due NX-2024-001\ncommlog due NJ-2024-032 --as-of "2024-10-08 15:00" --explain')
def due(record_id: str, as_of: str | None, output_format: str, explain: bool, repo: Path | None) -> None:
    """Each stage of one record: start, due, met, state.

    With --format json, also each event (as of --as-of) with the commit that added it and its
    author, as `commlog show` gives them.
    """
    from commlog.deadlines import BASIS_NAMES, STATE_NAMES, stage_label
    from commlog.findings import inert
    from commlog.schedule import provisional_warning
    from commlog.timeutil import show
    from commlog.workflow import STATUS_NAMES

    moment, plan = load_schedule(repo, as_of)
    tz = plan.context.policy.timezone
    clock = next((c for c in plan.records if c.doc.data["id"] == record_id), None)
    if record_id in plan.not_yet:
        raise click.BadParameter(f"{record_id} had not been submitted yet at {show(moment, tz)}", param_hint="--as-of")
    if clock is None:
        raise click.BadParameter(
            f"no valid record {record_id}; check the id, or run `commlog validate`", param_hint="RECORD_ID"
        )
    if years := sorted({y for stage in clock.stages for y in stage.missing_years}):
        click.echo(provisional_warning(years), err=True)

    def iso(value: object) -> str | None:
        return value.isoformat() if value is not None else None  # type: ignore[attr-defined]

    if output_format == "json":
        stages = [
            {
                "stage": s.name,
                "start": iso(s.start),
                "due": iso(s.due),
                "met": iso(s.met),
                "state": s.state,
                "provisional": s.provisional,
                "responsible": s.responsible,
                "follow_ups": s.follow_ups,
                **({"pending": s.pending} if s.name == "ack" else {}),
                **({"basis": s.basis} if s.basis else {}),
                **({"explain": s.explain} if explain else {}),
            }
            for s in clock.stages
        ]
        from commlog.history import record_history
        from commlog.identity import Entries

        entries = Entries(record_history(resolve_root(repo), clock.doc.path), plan.context.staff)
        events = [
            {"type": e["type"], "at": e["at"], "by": e["by"], **entries.of(clock.doc.path, e).fields()}
            for e in clock.record["events"]
        ]
        click.echo(
            json.dumps(
                {
                    "id": record_id,
                    "status": clock.status,
                    "as_of": moment.isoformat(),
                    "stages": stages,
                    "events": events,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return

    def say(line: str) -> None:
        click.echo(inert(line))  # record text may hold terminal control characters

    say(
        f"{record_id} {clock.doc.data['subject']}  状态: {STATUS_NAMES[clock.status]} ({clock.status})  截至 {show(moment, tz)}"
    )
    for s in clock.stages:
        met = f"完成 {show(s.met, tz)}" if s.met else "未完成"
        due_at = (show(s.due, tz) if s.due else "-") + (f" ({BASIS_NAMES[s.basis]})" if s.basis in BASIS_NAMES else "")
        flags = ("  暂定" if s.provisional else "") + (f"  催办 {s.follow_ups} 次" if s.follow_ups else "")
        say(
            f"  {stage_label(s.name)} ({s.name}): 开始 {show(s.start, tz)}  截止 {due_at}  {met}  {STATE_NAMES[s.state]}{flags}"
        )
        if s.pending:
            say(f"    未确认: {', '.join(s.pending)}")
        if explain:
            for line in s.explain:
                say(f"    {line}")
