"""Comments stay where they were: before the construct they precede, after the one they
follow on its line, inside the block they were in; header comments move with the header."""

from __future__ import annotations

import textwrap

from compiler.format import format_text


def fmt(text: str) -> str:
    result = format_text(textwrap.dedent(text).lstrip("\n"))
    assert format_text(result) == result
    return result


def expect(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_leading_trailing_and_closing_comments() -> None:
    assert fmt("""
        // file comment

        workflow w for crm.deal { // after the head
          // before the log
              log "a"      // after the log
          log "bb" /* short */
          // last words in the block
        } // after the workflow
        // end of file
    """) == expect("""
        // file comment

        workflow w for crm.deal {  // after the head
            // before the log
            log "a"   // after the log
            log "bb"  /* short */
            // last words in the block
        }  // after the workflow
        // end of file
    """)


def test_comments_in_nested_blocks_and_option_blocks() -> None:
    assert fmt("""
        workflow w for crm.deal {
            if doc.OPPORTUNITY > 1 {   // big
                // approve it
                approve "A" by user(1) {
                    vote any     // first answer
                    timeout 2d   // then rejected
                } approved {
                    log "ok" // fine
                }
            } else {
                // nothing to do
            }
        }
    """) == expect("""
        workflow w for crm.deal {
            if doc.OPPORTUNITY > 1 {  // big
                // approve it
                approve "A" by user(1) {
                    vote any    // first answer
                    timeout 2d  // then rejected
                } approved {
                    log "ok"  // fine
                }
            } else {
                // nothing to do
            }
        }
    """)


def test_block_comments_keep_their_lines() -> None:
    assert fmt("""
        workflow w for crm.deal {
                /* a block comment
                   over two lines */
            log "a"
        }
    """) == expect("""
        workflow w for crm.deal {
            /* a block comment
                   over two lines */
            log "a"
        }
    """)


def test_header_comments_move_with_their_headers() -> None:
    assert fmt("""
        workflow w for crm.deal {
            // the field
            field note: text = "UF_CRM_1"
            var x: int  // the variable
            /* the parameter */
            param p: int
        }
    """) == expect("""
        workflow w for crm.deal {
            /* the parameter */
            param p: int

            var x: int  // the variable

            // the field
            field note: text = "UF_CRM_1"
        }
    """)


def test_comments_inside_expressions_are_kept() -> None:
    result = fmt("""
        workflow w for crm.deal {
            var l: string[] = [
                "a", // first
                "b"  // second
            ]
            log "x"
        }
    """)
    assert "// first" in result and "// second" in result


def test_slashes_in_strings_are_not_comments() -> None:
    source = 'workflow w for crm.deal {\n    webhook "https://hook.example.com/a//b/*c*/"\n}\n'
    assert fmt(source) == source


def test_comment_between_a_block_and_else_stays_with_the_block() -> None:
    assert fmt("""
        workflow w for crm.deal {
            if doc.OPPORTUNITY > 1 {
                log "a"
            }
            // about the else
            else {
                log "b"
            }
        }
    """) == expect("""
        workflow w for crm.deal {
            if doc.OPPORTUNITY > 1 {
                log "a"
                // about the else
            } else {
                log "b"
            }
        }
    """)
