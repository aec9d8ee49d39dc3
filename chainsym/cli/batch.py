"""chainsym batch: check or differentiate every item of a JSON Lines or CSV file, in parallel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import EXIT_INTERRUPTED, BadInput, describe, limit_option, limits_of


@click.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write the results (JSON Lines) to FILE, each as soon as it is done (default: standard output).")
@click.option("--resume", is_flag=True, help="Skip the ids already in -o FILE and append the rest.")
@click.option("--workers", type=click.IntRange(0, 1024), default=None, metavar="N",
              help="Worker processes (default: one per core; 0: in this process, without isolation).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: processes on this machine; dask: a Dask cluster (pip install \"chainsym[dask]\").")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="With --engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster).")
@click.option("--chunk", type=click.IntRange(1, 10_000), default=None, metavar="N",
              help="Items sent to a worker at a time (default: 4 local, 16 dask).")
@click.option("--input-format", "input_format", type=click.Choice(["jsonl", "csv"]), default=None,
              help="Default: by the file's suffix (.csv), or by the first character of standard input.")
@click.option("--report", type=click.Path(dir_okay=False), default=None, metavar="FILE.html|FILE.md",
              help="Also write a summary for the grader: counts by status, diagnosis and problem, the common "
                   "wrong answers.")
@click.option("--progress/--no-progress", default=None,
              help="A progress bar on standard error (default: when it is a terminal).")
@limit_option
def batch_command(input_path: str, output: str | None, resume: bool, workers: int | None, engine: str,
                  scheduler: str | None, chunk: int | None, input_format: str | None, report: str | None,
                  progress: bool | None, limits: tuple[str, ...]) -> None:
    """Check or differentiate every item of INPUT: one JSON result per line.

    INPUT is JSON Lines or CSV ('-': standard input), one item per line or row, with the fields
    id, expr, and optionally wrt, where, at, order, kind (diff, grad, jacobian, hessian) and claim.
    An item with a claim is checked (status correct, incorrect or undecided, with a counterexample
    and the diagnosis), one without is differentiated (status derived). A bad item gets status
    error or limit and the batch goes on. Results are in input order (schema chainsym.batch).

    \b
    Examples:
      chainsym batch examples/grading.jsonl -o results.jsonl --report report.html
      chainsym batch answers.csv -o results.jsonl --resume
      chainsym batch answers.jsonl -o results.jsonl --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from ..batch import output as out
    from ..batch import report as report_stage
    from ..batch.progress import Progress
    from ..batch.run import Batch
    from ..errors import ChainsymError

    bounds = limits_of(limits)
    if resume and output is None:
        raise click.UsageError("--resume needs -o FILE (the results of the run to continue)")
    if report is not None:
        try:
            report_stage.kind_of(Path(report))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--report") from None
    target = Path(output) if output is not None else None
    try:
        done = out.done_ids(target) if resume and target is not None else set()
        run = Batch(input_path, workers=workers, engine=engine, scheduler=scheduler, chunk=chunk, limits=bounds,
                    skip=done, input_format=input_format)
        writer = out.Writer(target, append=resume)
    except ChainsymError as exc:
        raise BadInput(describe(exc)) from None
    show = sys.stderr.isatty() if progress is None else progress
    bar = Progress(run.total, sys.stderr if show else None, run.skipped)
    spool = _spool() if report is not None and target is None else None
    try:
        for result in run.results():
            writer.write(result.line)
            if spool is not None:
                spool.write(result.line + "\n")
            bar.add(result.status)
    except KeyboardInterrupt:
        writer.close()
        click.echo(f"\nchainsym: interrupted after {writer.count} results"
                   + (f"; continue with: chainsym batch {input_path} -o {output} --resume" if output else ""), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except ChainsymError as exc:
        writer.close()
        raise BadInput(describe(exc)) from None
    finally:
        bar.close()
    writer.close()
    if report is not None:
        source = target if target is not None else Path(spool.name)  # type: ignore[union-attr]
        if spool is not None:
            spool.close()
        try:
            report_stage.write(source, Path(report))
        except OSError as exc:
            raise BadInput(f"cannot write {report}: {exc.strerror or exc}") from None
        finally:
            if spool is not None:
                Path(spool.name).unlink(missing_ok=True)
        if sys.stderr.isatty():
            click.echo(f"chainsym: wrote {report}", err=True)


def _spool() -> Any:
    """Where the results go too when they go to standard output and a report is wanted."""
    import tempfile

    return tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".jsonl", delete=False)


COMMANDS = (batch_command,)
