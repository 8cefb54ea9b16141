"""The canonical layout, construct by construct."""

from __future__ import annotations

import textwrap

import pytest

from compiler.format import SyntaxProblem, format_text


def fmt(text: str) -> str:
    return format_text(textwrap.dedent(text).lstrip("\n"))


def expect(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_indentation_and_one_statement_per_line() -> None:
    assert fmt("""
        workflow w for crm.deal { var x: int
        var.x = 1   log "a" if var.x==1{log "b"}else{log "c"} }
    """) == expect("""
        workflow w for crm.deal {
            var x: int

            var.x = 1
            log "a"
            if var.x == 1 {
                log "b"
            } else {
                log "c"
            }
        }
    """)


def test_headers_in_fixed_order_with_their_comments() -> None:
    assert fmt("""
        workflow w for crm.deal {
            field note: text = "UF_CRM_1" "Note"
            // the score
            var score: int = 0
            const boss: user = user(1)
            autostart create
            param limit: double = 10 // limit
            description "D"
            title "T"
            log "x"
        }
    """) == expect("""
        workflow w for crm.deal {
            title "T"
            description "D"
            autostart create

            param limit: double = 10  // limit

            // the score
            var score: int = 0

            const boss: user = user(1)

            field note: text = "UF_CRM_1" "Note"

            log "x"
        }
    """)


def test_option_blocks_one_setting_per_line() -> None:
    assert fmt("""
        workflow w for crm.deal {
            approve "A" by user(1) as a { vote any, timeout: 2d comment required } approved {
            log "ok" } rejected { log "no" }
            task "T" { responsible user(2) priority high }
        }
    """) == expect("""
        workflow w for crm.deal {
            approve "A" by user(1) as a {
                vote any
                timeout 2d
                comment required
            } approved {
                log "ok"
            } rejected {
                log "no"
            }
            task "T" {
                responsible user(2)
                priority high
            }
        }
    """)


def test_empty_blocks_stay_on_one_line() -> None:
    assert fmt("""
        workflow w for crm.deal {
            approve "A" by user(1) approved {
            } rejected { log "no" }
            if doc.OPPORTUNITY > 1 {
            } else { log "x" }
        }
    """) == expect("""
        workflow w for crm.deal {
            approve "A" by user(1) approved {} rejected {
                log "no"
            }
            if doc.OPPORTUNITY > 1 {} else {
                log "x"
            }
        }
    """)


def test_blank_lines_kept_once_and_never_after_an_opening_brace() -> None:
    assert fmt("""
        workflow w for crm.deal {


            log "a"



            log "b"
            log "c"

        }
        macro m() { log "m" }
    """) == expect("""
        workflow w for crm.deal {
            log "a"

            log "b"
            log "c"
        }

        macro m() {
            log "m"
        }
    """)


def test_statement_options_in_fixed_order() -> None:
    assert fmt("""
        workflow w for crm.deal {
            log "a" disabled comment "why" as first title "First"
        }
    """) == expect("""
        workflow w for crm.deal {
            log "a" title "First" as first comment "why" disabled
        }
    """)


def test_parentheses_only_where_needed() -> None:
    assert fmt("""
        workflow w for crm.deal {
            var x: double
            var.x = ((1 + 2)) * (3 - (4 - 5)) ^ (2 ^ 3)
            var.x = (-var.x) % + 1
            if not (var.x == 1) and (var.x > 2 or var.x < 0) { log "a" }
        }
    """) == expect("""
        workflow w for crm.deal {
            var x: double

            var.x = (1 + 2) * (3 - (4 - 5)) ^ 2 ^ 3
            var.x = (-var.x)% + 1
            if not (var.x == 1) and (var.x > 2 or var.x < 0) {
                log "a"
            }
        }
    """)


def test_strings_are_escaped_exactly_and_multiline_texts_are_triple_quoted() -> None:
    source = expect('''
        workflow w for crm.deal {
            log "tab\\tquote\\" brace \\{x\\} slash\\\\ {doc.TITLE} {=Document:ID}"
            log "one\\ntwo"
            log """first
        second"""
        }
    ''')
    assert format_text(source) == expect('''
        workflow w for crm.deal {
            log "tab\\tquote\\" brace \\{x\\} slash\\\\ {doc.TITLE} {=Document:ID}"
            log """
                one
                two
                """
            log """
                first
                second
                """
        }
    ''')


def test_interpolations_with_strings_inside() -> None:
    source = 'workflow w for crm.deal {\n    log "a {upper(\\"x y\\")} b"\n}\n'
    assert format_text(source) == source


def test_long_maps_and_lists_break_one_entry_per_line() -> None:
    items = ", ".join(f'"item number {i}"' for i in range(8))
    assert fmt(f"""
        workflow w for crm.deal {{
            var x: string[] = [{items}]
            create crm.deal {{TITLE: "x", OPPORTUNITY: 5}}
            activity LogActivity "L" {{Text: "t"}}
        }}
    """) == expect("""
        workflow w for crm.deal {
            var x: string[] = [
                "item number 0",
                "item number 1",
                "item number 2",
                "item number 3",
                "item number 4",
                "item number 5",
                "item number 6",
                "item number 7",
            ]

            create crm.deal {
                TITLE: "x"
                OPPORTUNITY: 5
            }
            activity LogActivity "L" {
                Text: "t"
            }
        }
    """)


def test_state_machine() -> None:
    assert fmt("""
        statemachine s for lists.element(1) { var c: text
        state a "A" initial { enter { log "in" } on command go "Go" by role.author { goto b } }
        state b { on delay 3d title "Late" { goto a } exit {} } }
    """) == expect("""
        statemachine s for lists.element(1) {
            var c: text

            state a "A" initial {
                enter {
                    log "in"
                }
                on command go "Go" by role.author {
                    goto b
                }
            }

            state b {
                on delay 3d title "Late" {
                    goto a
                }
                exit {}
            }
        }
    """)


def test_robots_macros_and_imports() -> None:
    assert fmt("""
        import "a.bpl"
        import "b.bpl"
        robot check_inn "Check INN" { handler: "https://x.example/h" input inn: string required
        output ok: bool }
        macro m(a, b) { log "{a}" }
    """) == expect("""
        import "a.bpl"
        import "b.bpl"

        robot check_inn "Check INN" {
            handler "https://x.example/h"
            input inn: string required
            output ok: bool
        }

        macro m(a, b) {
            log "{a}"
        }
    """)


def test_select_types_and_keys_that_need_quotes() -> None:
    assert fmt("""
        workflow w for crm.deal {
            var v: select { a: "A", "b c": "B", 1: "One" }[] = ["a"]
            activity X "x" { "not": 1, in: 2, ok: 3 }
        }
    """) == expect("""
        workflow w for crm.deal {
            var v: select {"a": "A", "b c": "B", "1": "One"}[] = ["a"]

            activity X "x" {
                "not": 1
                "in": 2
                ok: 3
            }
        }
    """)


def test_syntax_errors_are_reported_not_formatted() -> None:
    with pytest.raises(SyntaxProblem) as info:
        format_text('workflow w for crm.deal {\n  log "x"\n')
    assert info.value.diagnostics.has_errors


def test_unknown_escape_is_a_syntax_problem() -> None:
    with pytest.raises(SyntaxProblem):
        format_text('workflow w for crm.deal { log "a\\qb" }')


def test_absurd_nesting_is_an_error_not_a_crash() -> None:
    body = 'log "x"'
    for level in range(400):
        body = f"if var.n == {level} {{\n{body}\n}}"
    # The parser refuses it as a located syntax error before anything recursive runs.
    with pytest.raises(SyntaxProblem) as refused:
        format_text(f"workflow w for crm.deal {{\nvar n: int\n{body}\n}}\n")
    assert "nested more than" in str(refused.value.diagnostics.items[0].message)
