"""bpl: Bitrix24 workflows as code.

The package is one pipeline; its sub-packages follow the data:

    source ─▶ syntax ─▶ semantics ─▶ codegen ─▶ pack        (offline: .bpl → .bpt)
    portal ─▶ deploy (plan / apply)                          (online: .bpt → Bitrix24)
    sandbox                                                  (a local Bitrix24 portal)
    cli                                                      (thin commands over all of it)
"""

__version__ = "0.1.0"
