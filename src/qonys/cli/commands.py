"""The commands of ``qonys``, each a thin wrapper over one public function.

Exit codes (the same for every command):

``0``
    success, nothing to report;
``2``
    a user mistake or a problem in the user's files: unreadable input, a codebook that
    contradicts itself, data that fail validation, personal data found where an export would
    publish it. The message names the file, row, variable and rule;
``1``
    an internal error (a bug in qonys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import io as qio
from .._core import Codebook, Dataset, QonysError, Where
from . import geo_commands as geo_commands  # registers 'geo'
from . import measure_commands as measure_commands  # registers 'cfa'
from . import simulate_commands as simulate_commands  # registers 'simulate'
from . import study_commands as study_commands  # registers 'init' and 'run'
from . import survey_commands as survey_commands  # registers 'estimate' and 'weight'
from .app import app, emit_json, out_console

__all__: list[str] = []

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
]
CodebookOpt = Annotated[
    Path | None,
    typer.Option(
        "--codebook",
        "-c",
        help="Codebook: an XLSForm (.xlsx), a YAML sidecar (.yaml) or an SPSS file.",
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="Reader to use (detected from the file when omitted)."),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", "-e", help="Character encoding of the input (e.g. cp1251)."),
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", "-l", help="Language of labels to show: kk, ru or en."),
]


def _read(path: Path, codebook: Path | None, fmt: str | None, encoding: str | None) -> Dataset:
    cb: Codebook | None = qio.read_codebook(codebook) if codebook is not None else None
    return qio.read(path, format=fmt, codebook=cb, encoding=encoding)


class ProblemsFoundError(QonysError):
    """Raised by a command that completed its check and found problems (exit code 2)."""

    default_rule = "cli.problems-found"


@app.command("codebook")
def codebook_cmd(
    source: Annotated[
        Path, typer.Argument(help="XLSForm (.xlsx), YAML codebook or .sav/.dta file.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the codebook to this .yaml or .xlsx (XLSForm) file."
        ),
    ] = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the variables of a questionnaire or data file, check it, and optionally convert it.

    XLSForms are checked with pyxform and with qonys' own lint (ASCII and SPSS-safe names,
    translation completeness, identical language suffixes, unknown ${references}); problems of
    severity "error" end with exit code 2.
    """
    cb = qio.read_codebook(source)
    lint_rows: list[dict[str, object]] = []
    lint_errors = 0
    if qio.detect_codebook_format(source) == "xlsform":
        report = qio.lint_xlsform(source)
        frame = report.to_frame()
        lint_rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]
        lint_errors = int((frame["severity"] == "error").sum()) if len(frame) else 0
    if out is not None:
        qio.write_codebook(cb, out)
    if as_json:
        emit_json(
            {"codebook": cb.to_dict(), "lint": lint_rows, "written": str(out) if out else None}
        )
    else:
        table = Table(title=f"{source.name}: {len(cb)} variables", show_lines=False)
        for col in ("name", "type", "label", "choices", "missing codes", "group"):
            table.add_column(col, overflow="fold")
        for v in cb.variables:
            table.add_row(
                v.name,
                v.type,
                v.label_in(lang),
                v.choices or "",
                ", ".join(
                    f"{m.value if not m.is_range else f'{m.low}..{m.high}'}={m.kind.value}"
                    for m in v.missing
                ),
                "/".join(v.group),
            )
        out_console.print(table)
        extras = []
        if cb.languages:
            extras.append("languages: " + ", ".join(cb.languages))
        if cb.rosters:
            extras.append("repeat groups: " + ", ".join(r.name for r in cb.rosters))
        if cb.mr_sets:
            extras.append("multiple-response sets: " + ", ".join(s.name for s in cb.mr_sets))
        if cb.scales:
            extras.append("scales: " + ", ".join(s.name for s in cb.scales))
        for line in extras:
            out_console.print(line, markup=False)
        for row in lint_rows:
            out_console.print(
                f"{row['severity']}: sheet {row['sheet']}, row {row['row']}, {row['name'] or ''}: "
                f"{row['message']} [rule {row['rule']}]",
                markup=False,
            )
        if out is not None:
            out_console.print(f"written: {out}", markup=False)
    if lint_errors:
        raise ProblemsFoundError(
            f"the form has {lint_errors} lint error(s)",
            where=Where(file=str(source)),
            rule="xlsform.lint",
            hint="Fix the rows listed above; run 'qonys codebook FORM' again to check.",
        )


@app.command("validate")
def validate_cmd(
    data: Annotated[
        Path, typer.Argument(help="Data file: Kobo/ODK export, .sav, .dta, .csv, .xlsx, .parquet.")
    ],
    codebook: CodebookOpt = None,
    fmt: FormatOpt = None,
    encoding: EncodingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a data file against its codebook: types, codes, ranges, routing, ids, roster links.

    Without --codebook a .sav or .dta is checked against its own dictionary, a CSV/XLSX/Parquet
    against its sidecar codebook if one is next to it, and any file at least for being readable and
    well-formed. The report lists file, sheet, row, variable and rule for every problem and never
    prints respondents' answers. Exit code 2 when any problem of severity "error" is found.
    """
    from ..validate import validate

    ds = _read(data, codebook, fmt, encoding)
    report = validate(ds)
    frame = report.to_frame()
    if as_json:
        emit_json(
            {
                "file": str(data),
                "ok": report.ok,
                "rows": len(ds.data),
                "rosters": {k: len(v) for k, v in ds.rosters.items()},
                "issues": frame.to_dict(orient="records"),
            }
        )
    else:
        out_console.print(
            f"{data.name}: {len(ds.data)} rows, {len(ds.data.columns)} columns"
            + (
                f", repeat tables: {', '.join(f'{k} ({len(v)})' for k, v in ds.rosters.items())}"
                if ds.rosters
                else ""
            ),
            markup=False,
        )
        if len(frame) == 0:
            out_console.print("no problems found", markup=False)
        else:
            table = Table(title="validation report")
            for col in ("severity", "sheet", "row", "variable", "rule", "message"):
                table.add_column(col, overflow="fold")
            for r in frame.head(200).itertuples(index=False):
                table.add_row(
                    str(r.severity),
                    "" if r.sheet is None else str(r.sheet),
                    "" if r.row is None else str(r.row),
                    "" if r.variable is None else str(r.variable),
                    str(r.rule),
                    str(r.message),
                )
            out_console.print(table)
            if len(frame) > 200:
                out_console.print(
                    f"... and {len(frame) - 200} more (use --json for all)", markup=False
                )
    if not report.ok:
        n_err = int((frame["severity"] == "error").sum())
        raise ProblemsFoundError(
            f"validation found {n_err} error(s)",
            where=Where(file=str(data)),
            rule="validate.failed",
            hint="Fix the rows listed; nothing was changed in the file.",
        )


@app.command("scan-pii")
def scan_pii_cmd(
    data: Annotated[Path, typer.Argument(help="Data file to scan for personal data.")],
    codebook: CodebookOpt = None,
    fmt: FormatOpt = None,
    encoding: EncodingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find direct identifiers: Kazakhstan IINs (with checksum), phone numbers, e-mails, names.

    Prints the variables and counts of cells found, never the values. Exit code 2 when any direct
    identifier is found (drop or hash them with 'qonys convert --drop-pii / --hash-pii').
    """
    from ..privacy import scan

    ds = _read(data, codebook, fmt, encoding)
    report = scan(ds)
    frame = report.to_frame()
    if as_json:
        emit_json({"file": str(data), "findings": frame.to_dict(orient="records")})
    elif len(frame) == 0:
        out_console.print(f"{data.name}: no direct identifiers found", markup=False)
    else:
        table = Table(title=f"{data.name}: personal data found")
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for r in frame.itertuples(index=False):
            table.add_row(*("" if x is None else str(x) for x in r))
        out_console.print(table)
    if len(frame):
        raise ProblemsFoundError(
            f"direct identifiers found in {frame['variable'].nunique()} variable(s)",
            where=Where(file=str(data)),
            rule="privacy.direct-identifiers",
            hint="Remove them before sharing: qonys convert IN OUT --drop-pii "
            "(or --hash-pii --salt S).",
        )


@app.command("convert")
def convert_cmd(
    source: Annotated[Path, typer.Argument(help="Input data file (any readable format).")],
    target: Annotated[
        Path, typer.Argument(help="Output file: .sav, .zsav, .dta, .csv, .xlsx or .parquet.")
    ],
    codebook: CodebookOpt = None,
    fmt: FormatOpt = None,
    encoding: EncodingOpt = None,
    drop_pii: Annotated[
        bool, typer.Option("--drop-pii", help="Drop variables holding direct identifiers.")
    ] = False,
    hash_pii: Annotated[
        bool,
        typer.Option("--hash-pii", help="Replace direct identifiers by salted SHA-256 hashes."),
    ] = False,
    salt: Annotated[str | None, typer.Option("--salt", help="Secret salt for --hash-pii.")] = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Convert survey data between formats, keeping labels and missing codes.

    For example a KoboToolbox export to SPSS (.sav with value labels, user-missing codes and a .sps
    file with multiple-response sets), or a .sav to CSV with a YAML codebook beside it. The export
    is refused while the data hold direct identifiers, unless --drop-pii or --hash-pii is given.
    """
    from ..privacy import drop_identifiers, hash_identifiers, require_no_identifiers, scan

    if drop_pii and hash_pii:
        raise QonysError(
            "--drop-pii and --hash-pii exclude each other",
            where=Where(key="--drop-pii"),
            rule="cli.options",
            hint="Choose one.",
        )
    ds = _read(source, codebook, fmt, encoding)
    notes: list[str] = []
    if drop_pii or hash_pii:
        report = scan(ds)
        if hash_pii:
            if not salt:
                raise QonysError(
                    "--hash-pii needs --salt",
                    where=Where(key="--salt"),
                    rule="cli.options",
                    hint="Give a secret salt and keep it apart from the data.",
                )
            ds = hash_identifiers(ds, report, salt=salt)
            notes.append(f"hashed: {', '.join(sorted(set(report.to_frame()['variable'])))}")
        else:
            ds = drop_identifiers(ds, report)
            notes.append(f"dropped: {', '.join(sorted(set(report.to_frame()['variable'])))}")
    require_no_identifiers(ds)
    options = {"lang": lang} if lang else {}
    written = qio.write(ds, target, **options)
    if as_json:
        emit_json({"source": str(source), "written": [str(p) for p in written], "notes": notes})
    else:
        for n in notes:
            out_console.print(n, markup=False)
        for p in written:
            out_console.print(f"written: {p}", markup=False)


@app.command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo's outputs.")] = Path(
        "demo-output"
    ),
) -> None:
    """Run the bundled demonstration and print where its outputs are."""
    from ..demo import run_demo

    for line in run_demo(out):
        out_console.print(line, markup=False)
