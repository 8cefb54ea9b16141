"""`bpl lsp`: the language server editors start (docs/editors.md).

The server (server.py) is a thin layer over the compiler: diagnostics are `bpl check`'s
(compiler.pipeline.build on the document and its imports, unsaved texts overlaid), hover,
go-to and rename read the bound tree the checker made (index.py), completion reads the catalog,
the statement table and the names of the workflow under the cursor (completion.py), formatting
is `bpl fmt` (compiler.format). Every part answers from what it has when the text does not
parse: the last analysis that did, and the text around the cursor.
"""
