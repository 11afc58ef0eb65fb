"""Term groups: named sets of CTCAE terms an SAP reports together (e.g. "bleeding")."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from oncotrial.errors import InputError
from oncotrial.terminology._ctcae import _read_csv, lookup_term

__all__ = ["TermGroup", "define_term_groups", "term_groups"]


@dataclass(frozen=True, slots=True)
class TermGroup:
    """A named set of CTCAE v5.0 terms, matched exactly (case-insensitive) against a column.

    Attributes
    ----------
    name : str
        The group's name (``"bleeding"``).
    terms : tuple of str
        CTCAE terms as CTCAE spells them, in the order given.
    match : {'ctcae_term'}
        The matching rule: an AE belongs to the group when its term column equals one of `terms`
        ignoring case and surrounding blanks. (No substring or MedDRA hierarchy matching: the
        terms are chosen by the SAP, one by one.)
    notes : tuple of (str, str)
        Caveats per term from the source (e.g. "borderline: include only if the SAP bleeding
        definition says so").
    """

    name: str
    terms: tuple[str, ...]
    match: Literal["ctcae_term"] = "ctcae_term"
    notes: tuple[tuple[str, str], ...] = ()

    def expr(self, column: str = "AEDECOD") -> pl.Expr:
        """A boolean expression: does the row's term belong to the group?

        Examples
        --------
        >>> group = define_term_groups({"gi perforation": ["Colonic perforation"]})
        >>> ae = pl.DataFrame({"AEDECOD": ["colonic perforation ", "Fatigue", None]})
        >>> ae.select(group["gi perforation"].expr())["AEDECOD"].to_list()
        [True, False, None]
        """
        wanted = [t.casefold() for t in self.terms]
        return pl.col(column).str.strip_chars().str.to_lowercase().is_in(wanted)


def define_term_groups(
    groups: Mapping[str, Sequence[str]], *, source: str = "term_groups"
) -> dict[str, TermGroup]:
    """Term groups from a mapping name -> CTCAE terms, each term checked against CTCAE v5.0.

    Parameters
    ----------
    groups : mapping of str to sequence of str
        E.g. a protocol's ``{"bleeding": ["Epistaxis", "Gastric hemorrhage"]}``.
    source : str, default "term_groups"
        How the caller names the mapping, used in error messages
        (``term_groups.bleeding[1]``).

    Returns
    -------
    dict of str to TermGroup
        In the mapping's order; terms spelt as CTCAE spells them.

    Raises
    ------
    InputError
        For an empty group, a term that is not a CTCAE v5.0 term (with the closest terms as a
        hint), or a term listed twice in one group.

    Examples
    --------
    >>> define_term_groups({"hepatic": ["ALANINE aminotransferase increased"]})["hepatic"].terms
    ('Alanine aminotransferase increased',)
    >>> define_term_groups({"gi": ["Gastric haemorrhage"]})
    Traceback (most recent call last):
    ...
    oncotrial.errors.InputError: term_groups.gi[0]: 'Gastric haemorrhage' is not a CTCAE v5.0 term
    hint: did you mean 'Gastric hemorrhage', 'Hepatic hemorrhage' or 'Prostatic hemorrhage'?
    """
    out: dict[str, TermGroup] = {}
    for name, terms in groups.items():
        if isinstance(terms, str) or len(terms) == 0:
            raise InputError(
                "must be a non-empty list of CTCAE terms",
                field=f"{source}.{name}",
                value=terms,
                hint='write e.g. bleeding: ["Epistaxis", "Gastric hemorrhage"]',
            )
        canonical: list[str] = []
        for i, term in enumerate(terms):
            found = lookup_term(term, field=f"{source}.{name}[{i}]").term
            if found in canonical:
                raise InputError(
                    "is listed twice in the group",
                    field=f"{source}.{name}[{i}]",
                    value=term,
                    hint="remove the repeated term",
                )
            canonical.append(found)
        out[name] = TermGroup(name=name, terms=tuple(canonical))
    return out


@functools.cache
def _bundled() -> tuple[TermGroup, ...]:
    raw = _read_csv("seed_trial_term_groups.csv")
    groups: list[TermGroup] = []
    for (name,), rows in raw.group_by("group", maintain_order=True):
        terms = rows["ctcae_term"].to_list()
        # the bundled file is checked like a user's: a typo in it is our bug, caught by the tests
        checked = define_term_groups({str(name): terms}, source="seed_trial_term_groups.csv")
        notes = tuple(
            (t, n)
            for t, n in zip(terms, rows["note"].to_list(), strict=True)
            if n is not None and n != ""
        )
        groups.append(TermGroup(name=str(name), terms=checked[str(name)].terms, notes=notes))
    return tuple(groups)


def term_groups(extra: Mapping[str, Sequence[str]] | None = None) -> dict[str, TermGroup]:
    """The bundled term groups of the seed trial, plus (or replaced by) the caller's own.

    Parameters
    ----------
    extra : mapping of str to sequence of str, optional
        More groups, e.g. from a protocol; a group with a bundled group's name replaces it
        (an SAP's own definition of "bleeding" wins over the seed list).

    Returns
    -------
    dict of str to TermGroup
        Bundled groups in file order (bleeding, bowel_perforation, hypertension, fatigue),
        then the new ones.

    Notes
    -----
    The bundled groups (``seed_trial_term_groups.csv``) are candidate terms for the AE
    groupings reported by NCT01010126, not an official NCI grouping; borderline terms are kept
    and carry their caveat in :attr:`TermGroup.notes`.

    Examples
    --------
    >>> groups = term_groups()
    >>> list(groups), len(groups["bleeding"].terms)
    (['bleeding', 'bowel_perforation', 'hypertension', 'fatigue'], 44)
    >>> term_groups({"fatigue": ["Fatigue", "Malaise"]})["fatigue"].terms
    ('Fatigue', 'Malaise')
    """
    out = {g.name: g for g in _bundled()}
    if extra:
        out.update(define_term_groups(extra))
    return out
