from __future__ import annotations

from pathlib import Path

import click

from commlog.commands.common import example


@click.group()
def demo() -> None:
    """Demo data for trying commlog and measuring it."""


@demo.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--records", "count", type=click.IntRange(min=0), default=1000, show_default=True, help="How many records to write."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same repository.")
@click.option(
    "--open-share",
    type=click.FloatRange(0, 1),
    help="Leave this share of the records open and archive the rest, as in a register kept for years "
    "(e.g. 0.02). Without it records stop at every step in equal measure.",
)
@example(
    "commlog demo generate --records 20000 /tmp/bench-20k\ncommlog demo generate --records 100000 --open-share 0.02 /tmp/bench-real"
)
def generate(directory: Path, count: int, seed: int, open_share: float | None) -> None:
    """Write a valid repository of generated records (with contacts and policy) into DIRECTORY."""
    from commlog.generate import generate as write
    from commlog.scaffold import ScaffoldError

    try:
        write(directory, count, seed, open_share)
    except ScaffoldError as err:
        raise click.UsageError(str(err)) from err
    click.echo(f"wrote {count} records to {directory}")
