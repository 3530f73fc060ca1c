"""XLSForm instrument -> :class:`~qonys._core.codebook.Codebook` (codebook reader ``xlsform``).

An XLSForm (``survey`` / ``choices`` / ``settings`` sheets, as used by KoboToolbox and ODK) is
first converted with pyxform (``validate=False``, no Java), so pyxform's own errors surface as a
:class:`CodebookError` with rule ``xlsform.pyxform`` and pyxform's row. The same cells are then
turned into a codebook:

* **variables** in questionnaire order, named by the XLSForm ``name`` (the group path goes to
  :attr:`Variable.group`, the innermost repeat to :attr:`Variable.repeat`); names must be unique
  across the whole form (rule ``xlsform.duplicate-name``) because data files, SPSS and Stata
  address variables without their group path;
* **types**: ``integer``, ``decimal``, ``text``, ``select_one``, ``select_multiple``, ``date``,
  ``datetime`` (also ``start``/``end``), ``date`` (``today``), ``time``, ``geopoint``,
  ``calculate``, ``note``; ``range`` is ``integer`` or ``decimal`` by its parameters; media,
  ``geotrace``/``geoshape``, ``rank``, ``audit`` and the like are ``other``. The type cell is kept
  verbatim in :attr:`Variable.source_type`;
* **labels, hints and constraint messages by language**: ``label::Қазақша (kk)`` is language
  ``kk`` and :attr:`Codebook.languages` keeps ``{"kk": "Қазақша (kk)"}``; an unsuffixed ``label``
  is language ``default``; a suffix without a code in parentheses is its own code;
* **choice lists**: codes are ``int`` when every name of the list is a canonical integer
  (``1``, ``-9``, ``98``; not ``01``), otherwise strings;
* ``relevant``, ``constraint``, ``calculation``, ``choice_filter``, ``appearance`` and
  ``parameters`` verbatim; ``required`` is true for ``yes``/``true`` or an expression (the
  expression itself is not kept);
* **groups and repeats**: every ``begin_group``/``begin_repeat`` becomes a
  :class:`~qonys._core.codebook.Group` (label, relevant, appearance, repeat_count); every repeat
  also a :class:`~qonys._core.codebook.Roster` (nested repeats name their parent), keyed by
  KoboToolbox's ``_index`` / ``_parent_index``;
* **select_multiple** ``q`` gives the summary variable ``q`` (space-separated codes) plus one
  ``binary`` variable ``q/<code>`` per choice, gathered in an
  :class:`~qonys._core.codebook.MRSet` (dichotomy, counted value 1, ``source="q"``), the layout of
  KoboToolbox exports;
* ``or_other``: the list gains the choice ``other`` (label ``Other``) as pyxform adds it, and a
  text variable ``q_other`` (``source_type="or_other"``, relevant when ``other`` is selected)
  follows the question;
* **settings**: ``form_title`` (title, language ``default``), ``form_id`` (or ``id_string``),
  ``version``, ``default_language`` (turned into a language code).

qonys conventions (extra columns pyxform accepts and ignores)
------------------------------------------------------------
``missing`` (choices sheet)
    ``skipped``, ``refused``, ``dont_know`` or ``missing`` marks the choice as a missing code
    (:attr:`Choice.missing`), and every variable using the list gets a matching
    :class:`~qonys._core.codebook.MissingCode`;
``qonys_scale`` (survey sheet)
    the name of the scale the item belongs to; items form a
    :class:`~qonys._core.codebook.Scale` in questionnaire order, with ``low``/``high`` the
    smallest and largest numeric non-missing choice code of the items' lists;
``qonys_reverse`` (survey sheet)
    ``yes``/``true``/``1`` marks a reverse-keyed item.

Not kept: ``default``, ``read_only``, ``required_message``, media columns, ``guidance_hint``,
settings other than the four above.

Usage::

    from qonys.io import read_codebook

    cb = read_codebook("form.xlsx")
    cb.value_labels("sex", "kk")      # {1: 'Ер', 2: 'Әйел'}

See :func:`read_xlsform` for a runnable example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._core import Codebook
from ._registry import CODEBOOK_READERS
from .xlsform_build import codebook_from_book
from .xlsform_sheets import check_with_pyxform, load_xlsform
from .xlsform_types import OR_OTHER_SOURCE

__all__ = ["OR_OTHER_SOURCE", "codebook_from_book", "read_xlsform"]


@CODEBOOK_READERS.register("xlsform", doc="XLSForm instrument (.xlsx, .xls) -> Codebook")
def read_xlsform(path: str | Path, *, check: bool = True, **options: Any) -> Codebook:
    """Read an XLSForm into a :class:`~qonys._core.codebook.Codebook`.

    Parameters
    ----------
    path : str or Path
        The XLSForm workbook (.xlsx; .xls needs the ``xlrd`` package).
    check : bool
        Run pyxform's conversion first (default) so that pyxform's errors surface with its row
        numbers; ``False`` skips it (the form is still parsed and its structure checked).
    **options
        Unused; accepted for the registry's common signature.

    Returns
    -------
    Codebook

    Examples
    --------
    A form written from a codebook reads back to that codebook:

    >>> import pathlib, tempfile
    >>> from qonys._core import Codebook, Variable
    >>> from qonys.io.xlsform_write import write_xlsform
    >>> cb = Codebook(
    ...     variables=(Variable("age", "integer", label={"kk": "Жасыңыз", "ru": "Ваш возраст"},
    ...                         source_type="integer"),),
    ...     languages={"kk": "Қазақша (kk)", "ru": "Русский (ru)"},
    ... )
    >>> form = write_xlsform(cb, pathlib.Path(tempfile.mkdtemp()) / "form.xlsx")
    >>> back = read_xlsform(form)
    >>> back == cb, back["age"].label_in("kk")
    (True, 'Жасыңыз')

    Raises
    ------
    ReadError
        The file is empty, not a workbook or damaged (rules ``xlsform.empty``,
        ``xlsform.not-a-workbook``, ``xlsform.unreadable``, ``xlsform.xls-needs-xlrd``).
    CodebookError
        pyxform refuses the form (``xlsform.pyxform``), or a rule of this module is broken
        (``xlsform.duplicate-name``, ``xlsform.unknown-list``, ``xlsform.missing-kind``,
        ``xlsform.scale-name``, ``xlsform.scale-reverse``, ``xlsform.unmatched-group``...).
    """
    del options
    book = load_xlsform(path)
    if check:
        check_with_pyxform(book)
    return codebook_from_book(book)
