"""The mutation test of the checker: typed mistakes made in the samples, and the share caught.

`mutants.py` makes the mistakes from the samples' syntax trees (as the checker bound them: a
place's type is read from its declaration, the catalog or the statement table), `judge.py`
checks every mutant with the real pipeline and says whether a diagnostic points at the
mistake. `python -m compiler.mutation` (or `make mutate`) prints the figures per class;
tests/compiler/test_mutation.py holds them to the promise of docs/language.md §13.
"""
