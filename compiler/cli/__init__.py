"""The `bpl` command line: thin commands over library functions."""
